//! The standard library, embedded in the binary so `use std.http` needs no files on disk.

/// `(module name, source)`, sorted by name.
pub const MODULES: &[(&str, &str)] = &[
    ("compose", include_str!("../stdlib/compose.rb")),
    ("git", include_str!("../stdlib/git.rb")),
    ("http", include_str!("../stdlib/http.rb")),
];

/// The source of `std.NAME`.
pub fn source(name: &str) -> Option<&'static str> {
    MODULES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

pub fn names() -> impl Iterator<Item = &'static str> {
    MODULES.iter().map(|(n, _)| *n)
}
