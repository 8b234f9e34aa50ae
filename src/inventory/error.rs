use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// What is wrong with an inventory file; the spans point into it.
#[derive(Debug, Clone, Error, Diagnostic)]
pub enum Error {
    #[error("the inventory is not valid: {message}")]
    #[diagnostic(
        code(runbook::inventory::invalid),
        help("hosts are `[hosts.NAME]` tables (`ssh = \"...\"` or `local = true`, and `vars = {{ ... }}`); groups are lists of host names under `[groups]`")
    )]
    Invalid {
        message: String,
        #[label("here")]
        span: SourceSpan,
    },

    #[error("inventory host `{host}` has {what}")]
    #[diagnostic(
        code(runbook::inventory::host_target),
        help("give it exactly one: `ssh = \"user@address\"` (an alias of ~/.ssh/config works) or `local = true`")
    )]
    HostTarget {
        host: String,
        what: String,
        #[label("where its commands go is unclear")]
        span: SourceSpan,
    },

    #[error("inventory group `{group}` has no hosts")]
    #[diagnostic(
        code(runbook::inventory::empty_group),
        help("list its hosts: `{group} = [\"web1\", \"web2\"]`, or remove it")
    )]
    EmptyGroup {
        group: String,
        #[label("empty")]
        span: SourceSpan,
    },

    #[error("inventory group `{group}` lists `{member}`, which is not a host")]
    #[diagnostic(code(runbook::inventory::unknown_member))]
    UnknownMember {
        group: String,
        member: String,
        #[label("not a host of the inventory or the runbook")]
        span: SourceSpan,
        #[help]
        help: String,
    },
}
