//! The user's config file, `$XDG_CONFIG_HOME/runbook/config.toml` (else
//! `~/.config/runbook/config.toml`): where a team's shared state is, so that nobody has to
//! remember a flag.
//!
//! ```toml
//! state = "postgres://alice@db.example/runbook"
//! ```

use std::path::PathBuf;

use super::error::Error;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    state: Option<String>,
}

fn file() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|d| !d.is_empty());
    if let Some(dir) = var("XDG_CONFIG_HOME").filter(|d| std::path::Path::new(d).is_absolute()) {
        return Some(PathBuf::from(dir).join("runbook/config.toml"));
    }
    var("HOME").map(|home| PathBuf::from(home).join(".config/runbook/config.toml"))
}

/// The `state` the config file names, and the file's path; none without a file.
pub fn state() -> Result<Option<(String, String)>, Error> {
    let Some(path) = file() else {
        return Ok(None);
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    let config: Settings = toml::from_str(&text).map_err(|e| Error::Config {
        path: shown.clone(),
        reason: e.message().to_string(),
    })?;
    Ok(config.state.map(|s| (s, shown)))
}
