//! A step on many hosts, summed up: one line and one table row with the counts, then a row
//! for each host that did not go well (the first few), instead of a row per host.

use owo_colors::OwoColorize;

use super::{dim, green, ms, red, Row, RunReport, State};

/// The hosts of a fan-out listed in the summary table when they did not go well; the
/// others are counted.
const MAX_FAILED_ROWS: usize = 10;

impl RunReport {
    /// The rows of a fan-out's hosts become one row with the counts, then a row per host
    /// that did not go well (the first few); returns the summary line.
    pub(super) fn fanout_summary(
        &self,
        state: &mut State,
        step: &str,
        title: &str,
        hosts: usize,
        max_fail: usize,
        duration_ms: u64,
    ) -> String {
        let first = state
            .rows
            .iter()
            .rposition(|r| r.step != step)
            .map_or(0, |i| i + 1);
        let rows: Vec<Row> = state.rows.drain(first..).collect();
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for row in &rows {
            match counts.iter_mut().find(|(w, _)| *w == row.status) {
                Some((_, n)) => *n += 1,
                None => counts.push((row.status.as_str(), 1)),
            }
        }
        let good = |w: &str| matches!(w, "ok" | "skipped" | "done earlier");
        counts.sort_by_key(|(w, _)| !good(w));
        let bad: Vec<&Row> = rows.iter().filter(|r| !good(&r.status)).collect();
        let tally = counts
            .iter()
            .map(|(w, n)| format!("{n} {w}"))
            .collect::<Vec<_>>()
            .join(", ");
        let within = !bad.is_empty()
            && bad.len() <= max_fail
            && bad
                .iter()
                .all(|r| r.status == "failed" || r.status == "timed out");
        let note = if within {
            format!("within max_fail {max_fail}: the run goes on")
        } else {
            String::new()
        };
        state.rows.push(Row {
            step: step.to_string(),
            host: format!("{hosts} hosts"),
            status: tally.clone(),
            duration: ms(duration_ms),
            note: note.clone(),
        });
        for row in bad.iter().take(MAX_FAILED_ROWS) {
            state.rows.push(Row {
                step: String::new(),
                host: row.host.clone(),
                status: row.status.clone(),
                duration: row.duration.clone(),
                note: row.note.clone(),
            });
        }
        if bad.len() > MAX_FAILED_ROWS {
            state.rows.push(Row {
                step: String::new(),
                host: format!("… {} more", bad.len() - MAX_FAILED_ROWS),
                status: String::new(),
                duration: String::new(),
                note: format!("`runbook show {}` lists every host", state.run_id),
            });
        }
        let symbol = match (bad.is_empty(), within) {
            (true, _) => self.paint("✓", green),
            (false, true) => self.paint("⚠", |s| s.yellow().to_string()),
            (false, false) => self.paint("✗", red),
        };
        let mut text = format!(
            "{symbol} {title} {} {tally}",
            self.paint(&format!("· {hosts} hosts · {} ·", ms(duration_ms)), dim)
        );
        if !note.is_empty() {
            text.push_str(&format!(" ({note})"));
        }
        text
    }
}
