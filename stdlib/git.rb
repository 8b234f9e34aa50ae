##! Git working copies on the target host.

## The commit `dir` has checked out (full hash).
##
## Runs: `git -C DIR rev-parse HEAD`
## Returns: string
## Example: `let previous = git.head("~/apps/skriptoteket")`
fn head(dir) {
  return run("git -C {{dir}} rev-parse HEAD").stdout.trim()
}

## Fast-forwards `dir` to its upstream; fails when that is not a fast-forward.
##
## Runs: `git -C DIR pull --ff-only`
## Example: `git.pull("~/apps/skriptoteket")`
fn pull(dir) {
  run "git -C {{dir}} pull --ff-only"
}

## Checks out `rev` (a commit, tag or branch) in `dir`.
##
## Runs: `git -C DIR checkout REV`
## Example: `rollback { git.checkout(app, previous) }`
fn checkout(dir, rev) {
  run "git -C {{dir}} checkout {{rev}}"
}

## Moves the checked-out branch of `dir` to `rev`, keeping the branch attached (a checkout
## would leave a detached HEAD, and the next `git.pull` would fail). Refuses when
## uncommitted changes would be lost. A later `git.pull` fast-forwards it again.
##
## Runs: `git -C DIR reset --keep REV`
## Example: `rollback { git.reset(app, previous) }`
fn reset(dir, rev) {
  run "git -C {{dir}} reset --keep {{rev}}"
}

## True when `dir` has no uncommitted changes (untracked files count as changes).
##
## Runs: `git -C DIR status --porcelain`
## Returns: bool
## Example: `check git.is_clean(app) else "someone edited files on the server"`
fn is_clean(dir) {
  return run("git -C {{dir}} status --porcelain").stdout.trim() == ""
}

## The last `n` commits of `dir`, one `HASH SUBJECT` line each, newest first.
##
## Runs: `git -C DIR log --oneline -n N`
## Returns: list of strings
## Example: `log git.log(app, n: 5).join("\n")`
fn log(dir, n = 10) {
  return run("git -C {{dir}} log --oneline -n {{n}}").stdout.trim().lines()
}
