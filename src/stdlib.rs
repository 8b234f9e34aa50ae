//! The standard library, embedded in the binary so `use std.http` needs no files on disk.

/// `(module name, source)`, sorted by name.
pub const MODULES: &[(&str, &str)] = &[
    ("compose", include_str!("../stdlib/compose.rb")),
    ("disk", include_str!("../stdlib/disk.rb")),
    ("docker", include_str!("../stdlib/docker.rb")),
    ("fs", include_str!("../stdlib/fs.rb")),
    ("git", include_str!("../stdlib/git.rb")),
    ("http", include_str!("../stdlib/http.rb")),
    ("journal", include_str!("../stdlib/journal.rb")),
    ("kernel", include_str!("../stdlib/kernel.rb")),
    ("net", include_str!("../stdlib/net.rb")),
    ("postgres", include_str!("../stdlib/postgres.rb")),
    ("sysctl", include_str!("../stdlib/sysctl.rb")),
    ("systemd", include_str!("../stdlib/systemd.rb")),
    ("tls", include_str!("../stdlib/tls.rb")),
];

/// The source of `std.NAME`.
pub fn source(name: &str) -> Option<&'static str> {
    MODULES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

pub fn names() -> impl Iterator<Item = &'static str> {
    MODULES.iter().map(|(n, _)| *n)
}
