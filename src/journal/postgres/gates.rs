//! Approvals in the state database: gates a run publishes and decisions from anywhere, in
//! two append-only tables. Who decided is the role the server authenticated (a trigger signs
//! each row with `session_user`); `by [...]` names roles or their groups (`pg_has_role`). A
//! decision is announced with NOTIFY, so a run waiting at its gate goes on at once.

use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;

use super::Database;
use crate::journal::inbox::{Decision, Gate, Signed};

/// The channel decisions are announced on; the payload is the run id.
const CHANNEL: &str = "runbook_gate";

impl Database {
    fn gate_event(&self, run_id: &str, step: &str, event: &'static str, gate: Option<String>) {
        let (id, step) = (run_id.to_string(), step.to_string());
        let _ = self.conn.call(move |c| {
            c.execute(
                "INSERT INTO runbook_gates (run_id, step, event, gate) VALUES ($1, $2, $3, $4)",
                &[&id, &step, &event, &gate],
            )
        });
    }

    /// Publishes the gate, and listens for the decisions on it.
    pub fn open_gate(&self, gate: &Gate) -> Result<(), String> {
        let text = serde_json::to_string(gate).map_err(|e| e.to_string())?;
        let (id, step) = (gate.run_id.clone(), gate.step.clone());
        self.conn.call(move |c| {
            c.batch_execute(&format!("LISTEN {CHANNEL}"))?;
            c.execute(
                "INSERT INTO runbook_gates (run_id, step, event, gate) VALUES ($1, $2, 'open', $3)",
                &[&id, &step, &text],
            )
        })?;
        Ok(())
    }

    /// The gate is answered. After a denial, the step's earlier decisions no longer count:
    /// the next time it reaches its gate (a resume) asks afresh.
    pub fn close_gate(&self, run_id: &str, step: &str, denied: bool) {
        let event = if denied { "denied" } else { "approved" };
        self.gate_event(run_id, step, event, None);
    }

    /// The run is settled: nothing of it is left to approve.
    pub fn settle_gates(&self, run_id: &str) {
        self.gate_event(run_id, "", "settled", None);
    }

    /// The gate a run waits at, if it waits.
    pub fn gate(&self, run_id: &str) -> Result<Option<Gate>, String> {
        let id = run_id.to_string();
        let last: Option<(String, Option<String>)> = self.conn.call(move |c| {
            let row = c.query_opt(
                "SELECT event, gate FROM runbook_gates WHERE run_id = $1 ORDER BY id DESC LIMIT 1",
                &[&id],
            )?;
            Ok(row.map(|r| (r.get(0), r.get(1))))
        })?;
        Ok(match last {
            Some((event, Some(text))) if event == "open" => serde_json::from_str(&text).ok(),
            _ => None,
        })
    }

    /// Records a decision as this connection's role, and announces it.
    pub fn decide(&self, run_id: &str, decision: &Decision) -> Result<(), String> {
        let text = serde_json::to_string(decision).map_err(|e| e.to_string())?;
        let (id, step) = (run_id.to_string(), decision.step.clone());
        self.conn.call(move |c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "INSERT INTO runbook_decisions (run_id, step, decision) VALUES ($1, $2, $3)",
                &[&id, &step, &text],
            )?;
            tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &id])?;
            tx.commit()
        })
    }

    /// Every decision on `step` since its last denial, oldest first, each signed by its
    /// role, with the roles of `by` that role is a member of.
    pub fn decisions(
        &self,
        run_id: &str,
        step: &str,
        by: &[String],
    ) -> Result<Vec<Signed>, String> {
        let (id, step, by) = (run_id.to_string(), step.to_string(), by.to_vec());
        let rows: Vec<(String, String, Vec<String>)> = self.conn.call(move |c| {
            let rows = c.query(
                "SELECT d.approver, d.decision,
                        ARRAY(SELECT b FROM unnest($3::text[]) AS b
                              WHERE CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = b)
                                          AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = d.approver)
                                         THEN pg_has_role(d.approver, b, 'member')
                                         ELSE false END)
                 FROM runbook_decisions d
                 WHERE d.run_id = $1 AND d.step = $2
                   AND d.decided_at > coalesce(
                       (SELECT max(at) FROM runbook_gates
                        WHERE run_id = $1 AND step = $2 AND event = 'denied'), '-infinity')
                 ORDER BY d.id",
                &[&id, &step, &by],
            )?;
            Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(user, text, roles)| {
                let decision: Decision = serde_json::from_str(&text).ok()?;
                Some(Signed {
                    user,
                    uid: None,
                    roles: Some(roles),
                    decision,
                })
            })
            .collect())
    }

    /// The roles of `by` this connection's role is a member of.
    pub fn member_of(&self, by: &[String]) -> Result<Vec<String>, String> {
        let by = by.to_vec();
        self.conn.call(move |c| {
            let row = c.query_one(
                "SELECT ARRAY(SELECT b FROM unnest($1::text[]) AS b
                              WHERE CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = b)
                                         THEN pg_has_role(session_user, b, 'member')
                                         ELSE false END)",
                &[&by],
            )?;
            Ok(row.get(0))
        })
    }

    /// Waits up to `limit` for a decision to be announced; true if one was.
    pub fn wait_for_decision(&self, limit: Duration) -> bool {
        self.conn
            .call(move |c| {
                let mut notices = c.notifications();
                let mut waiting = notices.timeout_iter(limit);
                Ok(waiting.next()?.is_some())
            })
            .unwrap_or(false)
    }
}
