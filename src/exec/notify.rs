//! Notifications: `notify webhook(url, events: [...], format: "json" | "slack")` POSTs a small
//! JSON document when the run waits for an approval, fails, is rolled back, is declined or
//! succeeds. A notification that cannot be delivered is retried a few times, then reported
//! and journaled; it never changes how the run ends.

use std::time::Duration;

use serde::Serialize;

/// The payload's format, bumped when a field changes meaning (docs/team.md).
pub const FORMAT: u32 = 1;

/// Tries per notification, and the pause before the first retry (doubled each time).
const TRIES: u32 = 3;
const FIRST_PAUSE: Duration = Duration::from_millis(300);
/// Per try: a hook that hangs does not hold the run for long.
const TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct Channel {
    /// `webhook 1`, `webhook 2`: what messages and the journal call it (never the URL).
    pub label: String,
    url: String,
    slack: bool,
    /// The events it wants; empty: all.
    on: Vec<String>,
}

impl Channel {
    /// A channel as declared, its URL evaluated; empty `on`: every event.
    pub fn new(label: String, url: String, slack: bool, on: Vec<String>) -> Channel {
        Channel {
            label,
            url,
            slack,
            on,
        }
    }
}

/// One turn of the run worth telling.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub format: u32,
    pub event: String,
    pub run_id: String,
    pub runbook: String,
    pub title: String,
    /// The run's status so far, as `runbook runs` shows it.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The gate's question, or why the run failed (secrets masked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For `awaiting_approval`: the exact command that answers the gate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approve: Option<String>,
    pub at: String,
}

impl Notice {
    /// A Slack-compatible body: one line of text.
    fn slack_text(&self) -> String {
        let mut text = format!(
            "runbook {} ({}): {}",
            self.runbook,
            self.run_id,
            self.event.replace('_', " ")
        );
        if let Some(step) = &self.step {
            text.push_str(&format!(" at step {step}"));
        }
        if let Some(m) = &self.message {
            text.push_str(&format!(": {m}"));
        }
        if let Some(a) = &self.approve {
            text.push_str(&format!(" · approve with `{a}`"));
        }
        text
    }
}

/// How one delivery went, for the journal.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub channel: String,
    pub attempts: u32,
    pub error: Option<String>,
}

impl Channel {
    /// `webhook 1 on failed, succeeded (slack)`: what the plan shows.
    pub fn describe(&self) -> String {
        let events = if self.on.is_empty() {
            "every event".to_string()
        } else {
            self.on.join(", ")
        };
        let format = if self.slack { "slack" } else { "json" };
        format!("{} on {events} ({format})", self.label)
    }

    pub fn wants(&self, event: &str) -> bool {
        self.on.is_empty() || self.on.iter().any(|e| e == event)
    }

    /// POSTs the notice, retrying with a growing pause; the last error if none got through.
    pub fn deliver(&self, notice: &Notice) -> Delivery {
        let body = if self.slack {
            serde_json::json!({ "text": notice.slack_text() }).to_string()
        } else {
            serde_json::to_string(notice).unwrap_or_default()
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(true)
            .build()
            .into();
        let mut pause = FIRST_PAUSE;
        let mut last = None;
        for attempt in 1..=TRIES {
            match agent
                .post(&self.url)
                .header("content-type", "application/json")
                .header("user-agent", concat!("runbook/", env!("CARGO_PKG_VERSION")))
                .send(body.as_bytes())
            {
                Ok(_) => {
                    return Delivery {
                        channel: self.label.clone(),
                        attempts: attempt,
                        error: None,
                    }
                }
                // The error may quote the URL: it is the secret's value, masked later.
                Err(e) => last = Some(e.to_string()),
            }
            if attempt < TRIES {
                std::thread::sleep(pause);
                pause *= 2;
            }
        }
        Delivery {
            channel: self.label.clone(),
            attempts: TRIES,
            error: last,
        }
    }
}
