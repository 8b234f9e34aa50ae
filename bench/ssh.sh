#!/usr/bin/env bash
# runbook over ssh against the floor, in one run, on sshd instances on 127.0.0.1:
#   1 host:   20 trivial steps by runbook | a bash script of 20 `ssh` calls through one
#             ControlMaster (master set-up included) | 20 plain `ssh` calls
#   10 hosts: the same 20 steps on a group of 10 with `parallel 10` | 10 ControlMasters
#             with their 20 calls each, in parallel
# Needs openssh-server (/usr/sbin/sshd). Usage: bench/ssh.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
rounds=${1:-5}
steps=20
hosts=10
cargo build --release --quiet
bin=$PWD/target/release/runbook
work=$(mktemp -d /tmp/rb-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
[ "$(id -u)" -ne 0 ] || mkdir -p /run/sshd

ssh-keygen -q -t ed25519 -N "" -f "$work/host_key"
ssh-keygen -q -t ed25519 -N "" -f "$work/client_key"
cp "$work/client_key.pub" "$work/authorized_keys"
# sshd reads authorized_keys as the user logging in.
chmod 755 "$work"; chmod 644 "$work/authorized_keys"
: > "$work/known_hosts"
: > "$work/ssh_config"
# A clean remote shell: Debian's bash reads ~/.bashrc for every command run over ssh, which
# on a workstation can cost hundreds of ms. As root, a throwaway user with /bin/sh is used.
user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  id rbbench >/dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/sh rbbench
  # A locked account (password '!') may not log in even with a key when PAM is off.
  usermod -p '*' rbbench
  user=rbbench
fi
for i in $(seq 0 $((hosts - 1))); do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat > "$work/sshd_$i" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $work/host_key
PidFile $work/sshd_$i.pid
AuthorizedKeysFile $work/authorized_keys
PasswordAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
MaxSessions 50
MaxStartups 100
LogLevel ERROR
CONF
  /usr/sbin/sshd -D -f "$work/sshd_$i" & pids+=($!)
  echo "[127.0.0.1]:$port $(cat "$work/host_key.pub")" >> "$work/known_hosts"
  printf 'Host h%s\n  HostName 127.0.0.1\n  Port %s\n  User %s\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  BatchMode yes\n' \
    "$i" "$port" "$user" "$work/client_key" "$work/known_hosts" >> "$work/ssh_config"
done
sleep 0.5

# The runbooks.
{
  printf 'runbook one "one host"\n\nhost h = ssh("h0", config: "%s")\n\n' "$work/ssh_config"
  for s in $(seq $steps); do printf 'step s%s "Step %s" on h {\n  run "true"\n}\n\n' "$s" "$s"; done
} > "$work/one.rb"
{
  printf 'runbook ten "ten hosts"\n\n'
  members=()
  for i in $(seq 0 $((hosts - 1))); do printf 'host h%s = ssh("h%s", config: "%s")\n' "$i" "$i" "$work/ssh_config"; members+=("h$i"); done
  printf 'group web = [%s]\n\n' "$(IFS=,; echo "${members[*]}" | sed 's/,/, /g')"
  for s in $(seq $steps); do printf 'step s%s "Step %s" on web parallel %s {\n  run "true"\n}\n\n' "$s" "$s" "$hosts"; done
} > "$work/ten.rb"
"$bin" check "$work/one.rb" "$work/ten.rb" > /dev/null

# The floors.
cat > "$work/master.sh" <<SH
#!/usr/bin/env bash
sock=\$(mktemp -u /tmp/rbcm.XXXXXX)
ssh -F $work/ssh_config -o ControlMaster=yes -o ControlPath=\$sock -fN \$1
for i in \$(seq $steps); do ssh -F $work/ssh_config -o ControlPath=\$sock \$1 true; done
ssh -F $work/ssh_config -o ControlPath=\$sock -O exit \$1 2>/dev/null
SH
cat > "$work/plain.sh" <<SH
#!/usr/bin/env bash
for i in \$(seq $steps); do ssh -F $work/ssh_config h0 true; done
SH
cat > "$work/masters.sh" <<SH
#!/usr/bin/env bash
for i in \$(seq 0 $((hosts - 1))); do bash $work/master.sh h\$i & done
wait
SH


rb_one=$(median_ms "$bin" --state-dir "$work/state" run "$work/one.rb" -q)
master=$(median_ms bash "$work/master.sh" h0)
plain=$(median_ms bash "$work/plain.sh")
rb_ten=$(median_ms "$bin" --state-dir "$work/state" run "$work/ten.rb" -q)
masters=$(median_ms bash "$work/masters.sh")
login_shell=$(getent passwd "$user" | cut -d: -f7)
bashrc=$(median_ms ssh -F "$work/ssh_config" h0 "bash -i -c true")
awk -v a="$rb_one" -v m="$master" -v p="$plain" -v t="$rb_ten" -v ms="$masters" -v n="$steps" -v h="$hosts" 'BEGIN {
  printf "1 host, %d steps (median of the runs)\n", n
  printf "  runbook run                 %8.1f ms   %.2fx the ControlMaster script\n", a, a / m
  printf "  bash, one ControlMaster     %8.1f ms\n", m
  printf "  bash, plain ssh each time   %8.1f ms   %.2fx\n", p, p / m
  printf "%d hosts x %d steps, parallel %d\n", h, n, h
  printf "  runbook run                 %8.1f ms   %.2fx the ControlMaster scripts\n", t, t / ms
  printf "  bash, %d ControlMasters     %8.1f ms\n", h, ms
}'
echo "login shell on the target: $login_shell (for scale, one ssh call that starts an interactive bash: ${bashrc} ms)"
