//! The one way a command is put under `sudo`.

use super::value;

/// `COMMAND` as root, with `~` still meaning the login user's home.
///
/// Non-interactive (`-n`): a password prompt would hang a run with nobody to answer.
/// Current sudo resets `HOME` to root's, so `cd ~/apps/x && docker compose ...` under a
/// plain `sudo sh -c` would look in `/root/apps/x`; the seed's own form
/// (`cd ~/apps/x && sudo docker ...`) expands `~` as the login user. Handing the login
/// user's `HOME` to the inner shell keeps that meaning for every command and redirection,
/// whatever the sudoers policy says about the environment (`env` runs as root, after sudo).
pub fn wrap(command: &str) -> Result<String, String> {
    Ok(format!(
        "sudo -n -- env HOME=\"$HOME\" sh -c {}",
        value::quote(command)?
    ))
}
