//! The seed's read-only checks and its diagnoses that need no Docker: each passes on the
//! healthy twin, and names the cause once the twin is broken the way it says.

use super::Twin;
use super::{says, shown};

#[test]
fn heartbeat_gpu_and_release_watch_pass_and_say_what_broke() {
    let twin = Twin::up();
    let out = twin.run("heartbeat", &[]);
    says(&out, 0, &["120 beats since 2 hours ago"]);
    let out = twin.run("gpu", &[]);
    assert_eq!(out.code, 0, "gpu: {}", shown(&out));
    assert!(
        out.stdout.contains("● llama-server-rocm.service")
            && out.stdout.contains("● tabby.service"),
        "both units' status is shown: {}",
        shown(&out)
    );
    let out = twin.run("amdgpu-watch", &[]);
    assert_eq!(out.code, 0, "amdgpu-watch: {}", shown(&out));
    let logged = std::fs::read_to_string(twin.dir().join("state/journal/amdgpu-release-watch"))
        .unwrap_or_default();
    assert!(
        logged.contains("no new AMDGPU release"),
        "the service ran once and logged: {logged:?}"
    );
    assert!(
        out.stdout.contains("no new AMDGPU release"),
        "{}",
        shown(&out)
    );

    // Broken as an operator would find them: the heartbeat timer stopped, a retired unit
    // unmasked.
    twin.sh("sudo systemctl stop heartbeat-log.timer && echo disabled | sudo tee $TWIN_STATE/units/llama-server-hip.service.enabled >/dev/null");
    let out = twin.run("heartbeat", &[]);
    says(&out, 1, &["heartbeat-log.timer is not active"]);
    let out = twin.run("gpu", &[]);
    says(&out, 1, &["llama-server-hip.service is not masked"]);
}

#[test]
fn network_and_incident_captures_are_checked_live() {
    let twin = Twin::up();
    let out = twin.run("network", &[]);
    says(&out, 0, &[&format!("default via {}", twin.gateway())]);
    let logs = format!("logs_dir={}", twin.dir().join("state/root-logs").display());
    let out = twin.run("incident", &["--set", &logs]);
    assert_eq!(out.code, 0, "incident: {}", shown(&out));
    assert!(
        out.stdout.matches("incident-").count() >= 3,
        "the three captures are listed: {}",
        shown(&out)
    );

    twin.sh("sudo systemctl start wpa_supplicant@wlp5s0.service");
    let out = twin.run("network", &[]);
    assert_eq!(out.code, 1, "{}", shown(&out));
    assert!(
        out.stdout.contains(
            "wpa_supplicant@wlp5s0.service is active: the seed keeps hemma on ethernet only"
        ),
        "{}",
        shown(&out)
    );
    twin.sh("rm -f $TWIN_STATE/root-logs/*");
    let out = twin.run("incident", &["--set", &logs]);
    says(&out, 1, &["the capture never wrote"]);
}

/// The registrar's record went stale (hemma's public address changed): dns forces ddclient
/// and waits until the nameserver answers the new address.
#[test]
fn dns_forces_a_ddns_update_when_the_record_is_stale() {
    let twin = Twin::up();
    let out = twin.run("dns", &[]);
    assert_eq!(out.code, 0, "dns: {}", shown(&out));
    assert!(
        !twin.stand_in_calls().contains("ddclient -force"),
        "nothing to update while the record is right"
    );

    std::fs::write(twin.dir().join("state/public_ip"), "198.51.100.9\n").expect("write");
    let out = twin.run("dns", &[]);
    says(&out, 0, &["answers '203.0.113.7'"]);
    assert_eq!(
        twin.sh("dig +short skriptoteket.hule.education @pdns1.registrar-servers.com"),
        "198.51.100.9\n",
        "the nameserver answers the new address"
    );
}

/// The tunnels are the workstation's own ssh processes: started, seen, stopped one by one.
#[test]
fn gpu_tunnels_start_show_and_stop() {
    let twin = Twin::up();
    let sockets = tempfile::tempdir().expect("tempdir");
    let base = [
        format!("ssh_config={}", twin.ssh_config.display()),
        format!("sockets={}", sockets.path().display()),
        // Ports of this test's own (another test's tunnels may hold the seed's).
        format!("llama_port={}", 18_100 + twin.net()),
        format!("tabby_port={}", 18_300 + twin.net()),
    ];
    let tunnel = |extra: &[&str]| {
        let mut args: Vec<&str> = Vec::new();
        for b in &base {
            args.extend(["--set", b.as_str()]);
        }
        args.extend(extra);
        twin.run("gpu-tunnel", &args)
    };
    let llama = format!("http://127.0.0.1:{}/health", 18_100 + twin.net());
    let answers = |url: &str| {
        std::process::Command::new("curl")
            .args(["-s", "--max-time", "3", url])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("ok"))
            .unwrap_or(false)
    };

    let out = tunnel(&["--set", "action=start"]);
    assert_eq!(out.code, 0, "start: {}", shown(&out));
    assert!(
        answers(&llama),
        "llama answers on this machine through its tunnel"
    );
    let out = tunnel(&[]);
    assert!(
        out.stdout.contains("tunnel true, answering true"),
        "{}",
        shown(&out)
    );

    let out = tunnel(&["--set", "action=stop", "--set", "service=llama"]);
    assert_eq!(out.code, 0, "stop llama: {}", shown(&out));
    assert!(!answers(&llama), "the llama tunnel is gone");
    let out = tunnel(&[]);
    assert!(
        out.stdout.contains("tunnel false, answering false")
            && out.stdout.contains("tunnel true, answering true"),
        "llama down, tabby up: {}",
        shown(&out)
    );
    let out = tunnel(&["--set", "action=stop"]);
    assert_eq!(out.code, 0, "stop: {}", shown(&out));
    let out = tunnel(&["--set", "action=restart"]);
    says(&out, 1, &["action is start, stop or status, not 'restart'"]);
}
