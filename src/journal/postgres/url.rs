//! The state database's URL: kept whole for connecting, shown only with its password masked
//! (it appears in messages, `runs` output and CI logs).

#[derive(Clone, PartialEq, Eq)]
pub struct Url {
    full: String,
}

impl Url {
    /// A `postgres://` or `postgresql://` URL, or `None` for anything else.
    pub fn parse(text: &str) -> Option<Url> {
        let text = text.trim();
        (text.starts_with("postgres://") || text.starts_with("postgresql://")).then(|| Url {
            full: text.to_string(),
        })
    }

    pub fn full(&self) -> &str {
        &self.full
    }

    /// The URL without its `sslrootcert=FILE` (which libpq knows and the driver does not),
    /// and that file.
    pub fn without_root_cert(&self) -> (String, Option<String>) {
        let Some((head, query)) = self.full.split_once('?') else {
            return (self.full.clone(), None);
        };
        let mut root = None;
        let kept: Vec<&str> = query
            .split('&')
            .filter(|kv| match kv.strip_prefix("sslrootcert=") {
                Some(file) => {
                    root = Some(file.to_string());
                    false
                }
                None => true,
            })
            .collect();
        let text = if kept.is_empty() {
            head.to_string()
        } else {
            format!("{head}?{}", kept.join("&"))
        };
        (text, root)
    }

    /// The URL with any password replaced by `***`.
    pub fn shown(&self) -> String {
        let (scheme, rest) = self
            .full
            .split_once("://")
            .unwrap_or(("postgres", &self.full));
        let (authority, tail) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let authority = match authority.rsplit_once('@') {
            Some((user, host)) => match user.split_once(':') {
                Some((name, _password)) => format!("{name}:***@{host}"),
                None => format!("{user}@{host}"),
            },
            None => authority.to_string(),
        };
        let tail = mask_query_password(tail);
        format!("{scheme}://{authority}{tail}")
    }
}

fn mask_query_password(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else {
        return tail.to_string();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some(("password", _)) => "password=***".to_string(),
            _ => kv.to_string(),
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}

impl std::fmt::Debug for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown())
    }
}

impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown())
    }
}

#[cfg(test)]
mod tests {
    use super::Url;

    #[test]
    fn a_password_is_never_shown() {
        let shown = |u: &str| Url::parse(u).map(|u| u.shown());
        assert_eq!(
            shown("postgres://alice:s3cret@db.example:5432/ops").as_deref(),
            Some("postgres://alice:***@db.example:5432/ops")
        );
        assert_eq!(
            shown("postgresql://db/ops?user=bob&password=s3cret&sslmode=require").as_deref(),
            Some("postgresql://db/ops?user=bob&password=***&sslmode=require")
        );
        assert_eq!(
            shown("postgres://bob@127.0.0.1/ops").as_deref(),
            Some("postgres://bob@127.0.0.1/ops")
        );
        assert_eq!(shown("/var/lib/runbook"), None);
    }
}
