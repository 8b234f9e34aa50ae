//! `runbook approve RUN_ID STEP [--deny --reason TEXT]`: a decision on a waiting gate, from
//! another shell, another OS user or (over ssh) another machine. The decider is the OS user
//! running this command (the decision file is theirs), or, with a state database, the role
//! the server authenticated.

use miette::Diagnostic;
use thiserror::Error;

use crate::exit;
use crate::journal::gates::Gates;
use crate::journal::inbox::{self, Decision, Verdict};
use crate::journal::record::now;
use crate::journal::Location;
use crate::report::Reporter;

#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    #[error("cannot reach the approvals of run {run_id} in {state}: {reason}")]
    #[diagnostic(
        code(runbook::approve::unreachable),
        help("approvers share the starter's state directory (`--state-dir DIR` or RUNBOOK_STATE_DIR), and the starter makes it traversable: `chmod 711 {state}`")
    )]
    Unreachable {
        run_id: String,
        state: String,
        reason: String,
    },

    #[error("run {run_id} is not waiting at an approval gate")]
    #[diagnostic(
        code(runbook::approve::no_gate),
        help("the run id is the whole one its gate printed (`runbook approve RUN_ID STEP`); a run that finished, or was never paused at a gate, has none")
    )]
    NoGate { run_id: String },

    #[error("run {run_id} waits at step {waiting}, not {step}")]
    #[diagnostic(
        code(runbook::approve::other_step),
        help("approve `{waiting}`: `runbook approve {run_id} {waiting}`")
    )]
    OtherStep {
        run_id: String,
        step: String,
        waiting: String,
    },

    #[error("{user} may not decide on the gate of step {step}: {why}")]
    #[diagnostic(
        code(runbook::approve::not_allowed),
        help("the runbook's policy (`approve \"...\" by [...] min N`) says who may; the one who started the run never may")
    )]
    NotAllowed {
        user: String,
        step: String,
        why: String,
    },

    #[error("cannot record the decision: {reason}")]
    #[diagnostic(code(runbook::approve::unwritable))]
    Unwritable {
        reason: String,
        #[help]
        help: String,
    },
}

pub struct Request<'a> {
    pub run_id: &'a str,
    pub step: &'a str,
    pub deny: bool,
    pub reason: Option<String>,
}

impl Error {
    /// Refused by the policy is a no (6), like a declined prompt; the rest is a usage error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::NotAllowed { .. } => exit::DECLINED,
            _ => exit::INVALID,
        }
    }
}

pub fn approve(reporter: &Reporter, location: &Location, r: &Request) -> Result<i32, super::Error> {
    let gates = match location {
        Location::Files(dir) => Gates::Files(dir.clone()),
        Location::Database(url) => Gates::Database(crate::journal::postgres::Database::open(url)?),
    };
    let said = decide(&gates, r)?;
    reporter.print(&format!("{said}\n"));
    Ok(exit::SUCCESS)
}

fn decide(gates: &Gates, r: &Request) -> Result<String, Error> {
    // A run id names a directory of the inbox: never a path (`../x`) to somewhere else.
    if r.run_id.is_empty()
        || !r
            .run_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(Error::NoGate {
            run_id: r.run_id.to_string(),
        });
    }
    let unreachable = |reason: String| Error::Unreachable {
        run_id: r.run_id.to_string(),
        state: gates.shown(),
        reason,
    };
    let gate = gates
        .gate(r.run_id)
        .map_err(unreachable)?
        .ok_or_else(|| Error::NoGate {
            run_id: r.run_id.to_string(),
        })?;
    if gate.step != r.step {
        return Err(Error::OtherStep {
            run_id: r.run_id.to_string(),
            step: r.step.to_string(),
            waiting: gate.step,
        });
    }
    // What the decision will be signed with: the uid and its name, or the database role.
    let me = gates.approver(&gate).map_err(unreachable)?;
    let user = me.user.clone();
    gate.may_decide(&me.user, me.uid, me.roles.as_deref())
        .map_err(|why| Error::NotAllowed {
            user: user.clone(),
            step: r.step.to_string(),
            why,
        })?;
    let decision = Decision {
        step: r.step.to_string(),
        approve: !r.deny,
        reason: r.reason.clone(),
        at: now(),
        from: inbox::origin(),
    };
    gates
        .decide(r.run_id, &decision)
        .map_err(|reason| Error::Unwritable {
            reason,
            help: match gates {
                Gates::Files(state) => format!(
                    "the run's inbox {} must let approvers add files (the run makes it mode 1733)",
                    state.join("inbox").join(r.run_id).display()
                ),
                Gates::Database(_) => {
                    "your database role must be granted INSERT on runbook_decisions (docs/team.md)"
                        .into()
                }
            },
        })?;
    let what = if r.deny { "denied" } else { "approved" };
    let head = format!(
        "{what} step {} of run {} ({}) as {user}",
        r.step, r.run_id, gate.runbook
    );
    // Others cannot list the inbox (it is 1733): only the starter sees every decision.
    let Some(decisions) = gates.decisions(r.run_id, &gate) else {
        return Ok(format!(
            "{head}: the run counts the approvals ({} needed)",
            gate.min.max(1)
        ));
    };
    Ok(match gate.verdict(&decisions) {
        Verdict::Approved(_) => format!(
            "{head}: the gate is approved; a run waiting there goes on, a paused one with `runbook resume {}`",
            r.run_id
        ),
        Verdict::Denied(d) => format!(
            "{head}: the gate is denied (by {}); the run stops there as declined",
            d.user
        ),
        Verdict::Waiting { have } => format!(
            "{head}: {have} of {} approvals so far",
            gate.min.max(1)
        ),
    })
}
