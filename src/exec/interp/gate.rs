//! `approve`: an approval gate. Answered by the one running it (`--yes`, `--approve STEP`,
//! the prompt), or from anywhere through the inbox (`runbook approve RUN_ID STEP`); a gate
//! with a policy (`by [...]`, `min N`) only from the inbox, by others than the starter.

use std::time::{Duration, Instant};

use super::{Failure, Interpreter, Outcome, Target};
use crate::exec::event::{Answer, Approval, ApprovalWaiting, Event};
use crate::journal::inbox::{Gate, Signed, Verdict};
use crate::journal::Record;
use crate::syntax::ast::{self, Expr};

/// How often a waiting gate looks for new decisions.
const POLL: Duration = Duration::from_millis(200);

impl Interpreter<'_> {
    pub(super) fn approve(&mut self, a: &ast::Approve, target: Option<&Target>) -> Outcome<()> {
        let message = self.eval(&a.message, target)?.to_string();
        let message = self.services.masker.mask(&message).into_owned();
        let step = target.map_or("", |t| t.step.as_str()).to_string();
        let host = target.map_or("", |t| t.host.as_str()).to_string();
        self.emit(Event::ApprovalRequested {
            step: step.clone(),
            host: host.clone(),
            message: message.clone(),
            dangerous: a.dangerous,
        });
        let gate = self.gate_of(a, &step, &host, &message);
        // Decisions made while the run was paused (`runbook approve`, then `resume`).
        if let Some(done) = self.inbox_verdict(&gate)? {
            return done;
        }
        if !a.has_policy() {
            if let Some(how) = self.own_flag(&step, a.dangerous) {
                self.journal_approval(&step, &host, &self.approver.clone(), how, None)?;
                self.answered(&step, &host, Approval::Approved, Some(how));
                return Ok(());
            }
        }
        let waits = self.services.approvals.wait;
        if waits.is_none() && !a.has_policy() {
            return match self.prompt(&step, &host, &message, a.dangerous)? {
                Some(()) => Ok(()),
                None => self.pause(&gate, a.dangerous),
            };
        }
        match waits {
            Some(wait) => self.wait_for_decisions(&gate, a.dangerous, wait.limit()),
            None => self.pause(&gate, a.dangerous),
        }
    }

    /// The gate as `runbook approve` sees it: the step, its message and its policy.
    fn gate_of(&self, a: &ast::Approve, step: &str, host: &str, message: &str) -> Gate {
        let by =
            a.by.iter()
                .flat_map(|b| b.node.iter())
                .filter_map(|n| match &n.node {
                    Expr::Str(t) => t.as_plain(),
                    _ => None,
                })
                .collect();
        let min = match a.min.as_ref().map(|m| &m.node) {
            Some(Expr::Int(n)) => u32::try_from(*n).unwrap_or(u32::MAX),
            _ => 1,
        };
        // The run's process is the starter's (a resume must be: the journal is theirs), known
        // by its uid or its database role: `$USER` can say anything.
        let (starter, starter_uid) = match &self.inbox {
            Some(gates) => gates.starter(),
            None => {
                let uid = nix::unistd::geteuid().as_raw();
                (crate::journal::inbox::user_name(uid), Some(uid))
            }
        };
        Gate {
            run_id: self.run_id.clone(),
            runbook: self.plan.name.clone(),
            step: step.to_string(),
            host: host.to_string(),
            message: message.to_string(),
            by,
            min,
            starter,
            starter_uid,
            two_person: a.has_policy(),
            at: crate::journal::record::now(),
        }
    }

    /// `--approve STEP` or `--yes`: the starter's own answer, given on the command line.
    fn own_flag(&self, step: &str, dangerous: bool) -> Option<&'static str> {
        let approvals = &self.services.approvals;
        if approvals.steps.iter().any(|s| s == step) {
            Some("--approve")
        } else if approvals.yes && !dangerous {
            Some("--yes")
        } else {
            None
        }
    }

    /// What the inbox's decisions come to, if they settle the gate: each counted approval
    /// journaled, or the denial.
    fn inbox_verdict(&mut self, gate: &Gate) -> Outcome<Option<Outcome<()>>> {
        let Some(gates) = self.inbox.clone() else {
            return Ok(None);
        };
        let decisions = gates.decisions(&self.run_id, gate).unwrap_or_default();
        match gate.verdict(&decisions) {
            Verdict::Approved(counted) => {
                for d in &counted {
                    self.journal_approval(
                        &gate.step,
                        &gate.host,
                        &d.user,
                        "runbook approve",
                        Some(d),
                    )?;
                }
                gates.close(&self.run_id, &gate.step, false);
                let by = counted
                    .iter()
                    .map(|d| d.user.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                self.answered_by(gate, Approval::Approved, by, "runbook approve");
                Ok(Some(Ok(())))
            }
            Verdict::Denied(d) => {
                gates.close(&self.run_id, &gate.step, true);
                self.answered_by(
                    gate,
                    Approval::Declined,
                    d.user.clone(),
                    "runbook approve --deny",
                );
                Ok(Some(Err(Failure::Denied {
                    by: format!("{} (from {})", d.user, d.decision.from),
                    reason: d.decision.reason.clone().unwrap_or_default(),
                })))
            }
            Verdict::Waiting { .. } => Ok(None),
        }
    }

    /// `--wait`: publishes the gate and looks for decisions until they settle it, the wait
    /// runs out (the run pauses there) or Ctrl-C.
    fn wait_for_decisions(
        &mut self,
        gate: &Gate,
        dangerous: bool,
        limit: Option<Duration>,
    ) -> Outcome<()> {
        if !self.publish(gate) {
            return self.pause(gate, dangerous);
        }
        let until = limit.map(|l| Instant::now() + l);
        loop {
            if let Some(done) = self.inbox_verdict(gate)? {
                return done;
            }
            if *self.services.stop.borrow() {
                self.answered(&gate.step, &gate.host, Approval::Interrupted, None);
                return Err(Failure::Interrupted);
            }
            if until.is_some_and(|u| Instant::now() >= u) {
                return self.pause(gate, dangerous);
            }
            match &self.inbox {
                Some(gates) => gates.wait(POLL),
                None => std::thread::sleep(POLL),
            }
        }
    }

    /// Puts the gate in the inbox and says how to answer it; false for a run without one.
    fn publish(&mut self, gate: &Gate) -> bool {
        let Some(gates) = &self.inbox else {
            return false;
        };
        if let Err(e) = gates.open(gate) {
            self.emit(Event::Log {
                step: gate.step.clone(),
                host: gate.host.clone(),
                message: format!(
                    "cannot publish the gate of step {} in {}: {e}; answer it with `runbook resume --approve`",
                    gate.step,
                    gates.shown()
                ),
            });
            return false;
        }
        let command = format!("runbook approve {} {}", gate.run_id, gate.step);
        if self.told_gate.as_deref() != Some(gate.step.as_str()) {
            let mut notice = self.notice("awaiting_approval", "awaiting_approval");
            notice.step = Some(gate.step.clone());
            notice.host = Some(gate.host.clone());
            notice.message = Some(gate.message.clone());
            notice.approve = Some(command.clone());
            self.told_gate = Some(gate.step.clone());
            self.tell(notice);
        }
        self.emit(Event::ApprovalWaiting(ApprovalWaiting {
            step: gate.step.clone(),
            host: gate.host.clone(),
            command,
            min: gate.min,
            by: gate.by.clone(),
            not_by: gate.two_person.then(|| gate.starter.clone()),
        }));
        true
    }

    /// The run stops at the gate; its decisions may come later, from anywhere.
    fn pause(&mut self, gate: &Gate, dangerous: bool) -> Outcome<()> {
        self.publish(gate);
        self.answered(&gate.step, &gate.host, Approval::Awaiting, None);
        Err(Failure::AwaitingApproval {
            message: gate.message.clone(),
            dangerous,
        })
    }

    /// Asks on the terminal; `None` when nobody can answer there.
    fn prompt(
        &mut self,
        step: &str,
        host: &str,
        message: &str,
        dangerous: bool,
    ) -> Outcome<Option<()>> {
        let head = format!(
            "approval needed · runbook {} · step {step} on {host}\n  {message}",
            self.plan.name
        );
        let (prompt, expected) = if dangerous {
            (
                format!("{head}\n  DANGEROUS: type the step id `{step}` to approve: "),
                step.to_string(),
            )
        } else {
            (format!("{head} [y/N] "), "y".to_string())
        };
        let stop = self.services.stop.clone();
        match self.services.observer.ask(&prompt, &expected, &stop) {
            Answer::Yes => {
                self.journal_approval(step, host, &self.approver.clone(), "prompt", None)?;
                self.answered(step, host, Approval::Approved, Some("prompt"));
                Ok(Some(()))
            }
            Answer::No => {
                self.answered(step, host, Approval::Declined, None);
                Err(Failure::Declined)
            }
            Answer::Interrupted => {
                self.answered(step, host, Approval::Interrupted, None);
                Err(Failure::Interrupted)
            }
            Answer::Nobody => Ok(None),
        }
    }

    /// A gate answered through the inbox, by `by`.
    fn answered_by(&self, gate: &Gate, answer: Approval, by: String, how: &str) {
        self.emit(Event::ApprovalAnswered {
            step: gate.step.clone(),
            host: gate.host.clone(),
            answer,
            by: Some(by),
            how: Some(how.into()),
        });
    }

    fn answered(&self, step: &str, host: &str, answer: Approval, how: Option<&str>) {
        self.emit(Event::ApprovalAnswered {
            step: step.to_string(),
            host: host.to_string(),
            answer,
            by: how.map(|_| self.approver.clone()),
            how: how.map(str::to_string),
        });
    }

    fn journal_approval(
        &mut self,
        step: &str,
        host: &str,
        by: &str,
        how: &str,
        decided: Option<&Signed>,
    ) -> Outcome<()> {
        self.record(&Record::Approval {
            step: step.to_string(),
            host: host.to_string(),
            by: by.to_string(),
            how: how.into(),
            from: decided.map(|d| d.decision.from.clone()),
            decided_at: decided.map(|d| d.decision.at.clone()),
            reason: decided.and_then(|d| d.decision.reason.clone()),
            at: crate::journal::record::now(),
        })
    }
}
