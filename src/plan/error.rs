//! `runbook::plan::*` diagnostics: the runbook is valid, but cannot start as asked.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum Error {
    #[error("`--set {text}` is not `NAME=VALUE`")]
    #[diagnostic(
        code(runbook::plan::invalid_set),
        help("write `--set name=value` (and `--set-file name=path` for a file's contents)")
    )]
    InvalidSet { text: String },

    #[error("the runbook has no param `{name}`")]
    #[diagnostic(code(runbook::plan::unknown_param))]
    UnknownParam {
        name: String,
        #[help]
        help: String,
    },

    #[error("param `{name}` is required")]
    #[diagnostic(
        code(runbook::plan::missing_param),
        help("give it with `--set {name}=VALUE`")
    )]
    MissingParam {
        name: String,
        #[label("declared here without a default")]
        span: SourceSpan,
    },

    #[error("param `{name}` needs {expected}, got `{value}`")]
    #[diagnostic(code(runbook::plan::invalid_param), help("{help}"))]
    InvalidParam {
        name: String,
        expected: String,
        value: String,
        help: String,
        #[label("declared here")]
        span: SourceSpan,
    },

    #[error("param `{name}` is set twice")]
    #[diagnostic(code(runbook::plan::duplicate_set), help("give each param once"))]
    DuplicateSet { name: String },

    #[error("cannot read `{path}` for param `{name}`: {reason}")]
    #[diagnostic(
        code(runbook::plan::unreadable_file),
        help("`--set-file NAME=PATH` reads the whole file as the value")
    )]
    UnreadableFile {
        name: String,
        path: String,
        reason: String,
    },

    #[error("secret `{name}` is not available: {reason}")]
    #[diagnostic(
        code(runbook::plan::secret_unavailable),
        help(
            "set the environment variable or create the file before the run; nothing has run yet"
        )
    )]
    SecretUnavailable {
        name: String,
        reason: String,
        #[label("read here")]
        span: SourceSpan,
    },

    #[error("`{flag} {name}`: the runbook has no step `{name}`")]
    #[diagnostic(code(runbook::plan::unknown_step))]
    UnknownStep {
        flag: String,
        name: String,
        #[help]
        help: String,
    },

    #[error("`--limit {limit}` matches no host")]
    #[diagnostic(code(runbook::plan::limit_matches_nothing))]
    LimitMatchesNothing {
        limit: String,
        #[help]
        help: String,
    },

    #[error("group `{group}` would hold `{member}`, which is not a host")]
    #[diagnostic(code(runbook::plan::group_member))]
    GroupMember {
        group: String,
        member: String,
        #[help]
        help: String,
    },

    #[error("`--tags {name}`: no step has the tag `{name}`")]
    #[diagnostic(code(runbook::plan::unknown_tag))]
    UnknownTag {
        name: String,
        #[help]
        help: String,
    },

    #[error("step `{step}` uses `{name}`, which step `{by}` captures, and `{by}` is left out ({reason})")]
    #[diagnostic(
        code(runbook::plan::left_out_capture),
        help("select `{by}` too, or leave `{step}` out as well")
    )]
    LeftOutCapture {
        step: String,
        name: String,
        by: String,
        reason: String,
    },

    #[error("cannot compute `{name}`: {reason}")]
    #[diagnostic(
        code(runbook::plan::value_failed),
        help("top-level values are computed before the first step; nothing has run yet")
    )]
    ValueFailed { name: String, reason: String },

    #[error("step `{step}`: `{setting}` cannot be computed: {reason}")]
    #[diagnostic(
        code(runbook::plan::setting_failed),
        help("step settings are computed from params and top-level values before the first step; nothing has run yet")
    )]
    SettingFailed {
        step: String,
        setting: String,
        reason: String,
        #[label("computed here")]
        span: SourceSpan,
    },
}
