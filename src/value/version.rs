//! `version("10.2.0")`: a version number that compares as people mean it, part by part
//! (`10.2.0 > 9.1.0`, `1.10 > 1.9`), with a pre-release below its release
//! (`1.0.0-rc1 < 1.0.0`) and missing parts as zeros (`1.0 == 1.0.0`). A leading `v` and
//! build metadata (`+build`) are ignored, as semver says.

use std::cmp::Ordering;
use std::fmt;

#[derive(Debug, Clone)]
pub struct Version {
    text: String,
    release: Vec<u64>,
    /// The pre-release identifiers (`rc.1` → `["rc", "1"]`); empty for a release.
    pre: Vec<String>,
}

impl Version {
    /// The version `text` names, or why it is not one.
    pub fn parse(text: &str) -> Result<Version, String> {
        let trimmed = text.trim();
        let bare = trimmed.strip_prefix(['v', 'V']).unwrap_or(trimmed);
        let bare = bare.split('+').next().unwrap_or(bare);
        let (release, pre) = match bare.split_once('-') {
            Some((r, p)) => (r, p.split('.').map(str::to_string).collect()),
            None => (bare, Vec::new()),
        };
        let release: Result<Vec<u64>, _> = release.split('.').map(str::parse::<u64>).collect();
        match release {
            Ok(parts) if !parts.is_empty() => Ok(Version {
                text: trimmed.to_string(),
                release: parts,
                pre,
            }),
            _ => Err(format!("`{trimmed}` is not a version such as 1.2.3")),
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.release.len().max(other.release.len());
        let part = |v: &Version, i: usize| v.release.get(i).copied().unwrap_or(0);
        for i in 0..n {
            match part(self, i).cmp(&part(other, i)) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => pre_cmp(&self.pre, &other.pre),
        }
    }
}

/// Identifiers compared in turn: numbers as numbers, below words; fewer below more.
fn pre_cmp(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn versions_compare_part_by_part() {
        assert!(v("10.2.0") > v("9.1.0"), "not as strings");
        assert!(v("1.10") > v("1.9"));
        assert_eq!(v("1.0"), v("1.0.0"));
        assert_eq!(v("v2.1.0+build.5"), v("2.1.0"));
        assert!(v("1.0.0-rc1") < v("1.0.0"));
        assert!(v("1.0.0-alpha") < v("1.0.0-alpha.1"));
        assert!(v("1.0.0-alpha.1") < v("1.0.0-beta"));
        assert!(v("1.0.0-rc.2") < v("1.0.0-rc.10"));
        assert!(Version::parse("latest").is_err());
        assert!(Version::parse("").is_err());
        assert_eq!(v(" 6.1.0 ").to_string(), "6.1.0");
    }
}
