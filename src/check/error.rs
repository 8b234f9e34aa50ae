//! `runbook::check::*` diagnostics: the runbook parses, but would not do what it says.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum Error {
    // ------------------------------------------------------------ file shape
    #[error("this runbook has no `runbook NAME \"title\"` header")]
    #[diagnostic(
        code(runbook::check::missing_header),
        help("start the file with e.g. `runbook deploy \"Deploy the app\"`")
    )]
    MissingHeader {
        #[label("first statement")]
        span: SourceSpan,
    },

    #[error("a second `runbook` header")]
    #[diagnostic(
        code(runbook::check::duplicate_header),
        help("a file holds exactly one runbook")
    )]
    DuplicateHeader {
        #[label("second header")]
        span: SourceSpan,
        #[label("first header")]
        first: SourceSpan,
    },

    #[error("the `runbook` header must come first")]
    #[diagnostic(
        code(runbook::check::header_not_first),
        help("move `runbook ...` above every other statement")
    )]
    HeaderNotFirst {
        #[label("header")]
        span: SourceSpan,
        #[label("comes after this")]
        before: SourceSpan,
    },

    #[error("{what} is not allowed {place}")]
    #[diagnostic(code(runbook::check::misplaced_statement))]
    Misplaced {
        what: String,
        place: String,
        #[label("misplaced")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`rollback` is not allowed {place}")]
    #[diagnostic(
        code(runbook::check::misplaced_rollback),
        help("a `rollback {{ }}` block belongs directly in a step: it undoes that step when a later one fails")
    )]
    MisplacedRollback {
        place: String,
        #[label("misplaced rollback")]
        span: SourceSpan,
    },

    #[error("`approve` is not allowed {place}")]
    #[diagnostic(
        code(runbook::check::misplaced_approve),
        help("approval gates belong directly in a step, where the journal can pause and resume the run")
    )]
    MisplacedApprove {
        place: String,
        #[label("misplaced approval")]
        span: SourceSpan,
    },

    #[error("a step has at most one `rollback` block")]
    #[diagnostic(
        code(runbook::check::duplicate_rollback),
        help("merge both blocks into one")
    )]
    DuplicateRollback {
        #[label("second rollback")]
        span: SourceSpan,
        #[label("first rollback")]
        first: SourceSpan,
    },

    #[error("`{what}` is not allowed {place}")]
    #[diagnostic(
        code(runbook::check::misplaced_step_block),
        help("`on_failure {{ }}` and `always {{ }}` belong directly in a step: they run when that step fails, or when it ends")
    )]
    MisplacedStepBlock {
        what: String,
        place: String,
        #[label("misplaced `{what}`")]
        span: SourceSpan,
    },

    #[error("a step has one `{what}` block")]
    #[diagnostic(
        code(runbook::check::duplicate_step_block),
        help("merge both blocks into one")
    )]
    DuplicateStepBlock {
        what: String,
        #[label("second `{what}`")]
        span: SourceSpan,
        #[label("first `{what}`")]
        first: SourceSpan,
    },

    #[error("unreachable statement")]
    #[diagnostic(
        code(runbook::check::unreachable_statement),
        help("nothing after `{after}` runs in this block: remove it or move it up")
    )]
    Unreachable {
        after: String,
        #[label("never runs")]
        span: SourceSpan,
        #[label("the block always stops here")]
        stop: SourceSpan,
    },

    #[error("this expression does nothing on its own")]
    #[diagnostic(code(runbook::check::useless_expression), help("{help}"))]
    UselessExpression {
        help: String,
        #[label("value is computed and dropped")]
        span: SourceSpan,
    },

    // ------------------------------------------------------------ names
    #[error("undefined variable `{name}`")]
    #[diagnostic(code(runbook::check::undefined_variable))]
    UndefinedVariable {
        name: String,
        #[label("not defined here")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{name}` is captured by more than one step")]
    #[diagnostic(code(runbook::check::ambiguous_capture))]
    AmbiguousCapture {
        name: String,
        #[label("which step's `{name}`?")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("step `{step}` captures no `{name}`")]
    #[diagnostic(code(runbook::check::unknown_capture))]
    UnknownCapture {
        step: String,
        name: String,
        #[label("not captured by `{step}`")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("unknown target `{name}`")]
    #[diagnostic(code(runbook::check::undefined_target))]
    UndefinedTarget {
        name: String,
        #[label("no host or group with this name")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("undefined host `{name}`")]
    #[diagnostic(code(runbook::check::undefined_host))]
    UndefinedHost {
        name: String,
        #[label("no host with this name")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("undefined function `{name}`")]
    #[diagnostic(code(runbook::check::undefined_function))]
    UndefinedFunction {
        name: String,
        #[label("no function with this name")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("unknown module `{path}`")]
    #[diagnostic(code(runbook::check::unknown_module))]
    UnknownModule {
        path: String,
        #[label("no such module")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("module file `{path}` is not found")]
    #[diagnostic(code(runbook::check::module_file_not_found))]
    ModuleFileNotFound {
        path: String,
        #[label("no such file")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("module `{module}` is not imported")]
    #[diagnostic(
        code(runbook::check::module_not_imported),
        help("add `use std.{module}` at the top of the file")
    )]
    ModuleNotImported {
        module: String,
        #[label("used here")]
        span: SourceSpan,
    },

    #[error("module `{module}` has no function `{name}`")]
    #[diagnostic(code(runbook::check::unknown_module_function))]
    UnknownModuleFunction {
        module: String,
        name: String,
        #[label("not in {module}")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{name}` is a {kind}, not a value")]
    #[diagnostic(code(runbook::check::not_a_value))]
    NotAValue {
        name: String,
        kind: String,
        #[label("{kind}")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{name}` is not a function")]
    #[diagnostic(code(runbook::check::not_a_function), help("only functions, stdlib calls (`module.fn(...)`) and methods (`value.trim()`) can be called"))]
    NotAFunction {
        name: String,
        #[label("cannot be called")]
        span: SourceSpan,
    },

    #[error("`{name}` is defined twice")]
    #[diagnostic(code(runbook::check::duplicate_definition), help("names of params, secrets, hosts, groups, values, functions and modules share one namespace: rename one"))]
    DuplicateDefinition {
        name: String,
        #[label("second definition")]
        span: SourceSpan,
        #[label("first defined here")]
        first: SourceSpan,
    },

    #[error("step id `{id}` is used twice")]
    #[diagnostic(
        code(runbook::check::duplicate_step),
        help("step ids are the keys `resume` uses: each must be unique")
    )]
    DuplicateStep {
        id: String,
        #[label("second step")]
        span: SourceSpan,
        #[label("first step")]
        first: SourceSpan,
    },

    // ------------------------------------------------------------ calls
    #[error("`{name}` takes {expected} positional argument(s), found {found}")]
    #[diagnostic(code(runbook::check::wrong_arity), help("signature: {signature}"))]
    WrongArity {
        name: String,
        expected: String,
        found: usize,
        signature: String,
        #[label("too many arguments")]
        span: SourceSpan,
    },

    #[error("missing argument `{param}` of `{name}`")]
    #[diagnostic(code(runbook::check::missing_argument), help("signature: {signature}"))]
    MissingArgument {
        name: String,
        param: String,
        signature: String,
        #[label("`{param}` is required")]
        span: SourceSpan,
    },

    #[error("`{name}` has no parameter `{arg}`")]
    #[diagnostic(code(runbook::check::unknown_named_argument))]
    UnknownNamedArgument {
        name: String,
        arg: String,
        #[label("unknown argument")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("argument `{param}` is given twice")]
    #[diagnostic(
        code(runbook::check::duplicate_argument),
        help("give each argument once")
    )]
    DuplicateArgument {
        param: String,
        #[label("again here")]
        span: SourceSpan,
        #[label("first here")]
        first: SourceSpan,
    },

    #[error("positional argument after a named one")]
    #[diagnostic(
        code(runbook::check::positional_after_named),
        help("put positional arguments first: f(a, b, name: c)")
    )]
    PositionalAfterNamed {
        #[label("positional")]
        span: SourceSpan,
        #[label("named argument before it")]
        named: SourceSpan,
    },

    #[error("`{name}` calls itself")]
    #[diagnostic(
        code(runbook::check::recursive_function),
        help("recursion never ends in a runbook: {chain}")
    )]
    RecursiveFunction {
        name: String,
        chain: String,
        #[label("recursive call")]
        span: SourceSpan,
    },

    #[error("one call of `{name}` makes {calls} function calls, over the limit of {limit}")]
    #[diagnostic(
        code(runbook::check::call_explosion),
        help("`{name}` calls `{callee}` {times} times, and each of those makes {each} calls: where those calls are the same, compute the value once with `let` and reuse it")
    )]
    CallExplosion {
        name: String,
        calls: String,
        limit: String,
        callee: String,
        times: u64,
        each: String,
        #[label("multiplies the work of the functions it calls")]
        span: SourceSpan,
    },

    #[error("{what} runs commands, which only steps can do")]
    #[diagnostic(code(runbook::check::effect_outside_step), help("values at the top of a runbook are computed before any step; capture command output with `let` inside a step"))]
    EffectOutsideStep {
        what: String,
        #[label("runs a command")]
        span: SourceSpan,
    },

    #[error("{what} runs commands, which a `{{{{ }}}}` cannot do")]
    #[diagnostic(code(runbook::check::effect_in_interpolation), help("run it first and interpolate its value: `let out = ...` on the line before, then `{{{{ out }}}}`"))]
    EffectInInterpolation {
        what: String,
        #[label("runs a command")]
        span: SourceSpan,
    },

    #[error("`lock` takes `hosts`")]
    #[diagnostic(
        code(runbook::check::invalid_lock),
        help("`lock hosts` locks each ssh host the run touches, on the host itself, for the whole run; the runbook itself is always locked")
    )]
    InvalidLock {
        #[label("not `hosts`")]
        span: SourceSpan,
    },

    #[error("this notification cannot be sent")]
    #[diagnostic(code(runbook::check::invalid_notify))]
    InvalidNotify {
        #[label("here")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("a webhook URL is a credential, and this one is not a secret")]
    #[diagnostic(
        code(runbook::check::webhook_not_secret),
        help("anyone with the URL can post to the channel: declare it `secret hook = env(\"OPS_WEBHOOK\")` and write `notify webhook(hook)`; it is then masked in every output")
    )]
    WebhookNotSecret {
        #[label("not a secret")]
        span: SourceSpan,
    },

    #[error("this approval policy cannot be met")]
    #[diagnostic(code(runbook::check::approve_policy))]
    ApprovePolicy {
        #[label("here")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("cannot read the inventory {path}: {reason}")]
    #[diagnostic(
        code(runbook::check::inventory_unreadable),
        help("an inventory is a TOML file of hosts and groups; `inventory \"FILE\"` is read beside the runbook, `--inventory FILE` from where you are")
    )]
    InventoryUnreadable {
        path: String,
        reason: String,
        #[label("declared here")]
        span: Option<SourceSpan>,
    },

    #[error("`host.{name}` is not set for every host of step `{step}`")]
    #[diagnostic(code(runbook::check::unknown_host_var))]
    UnknownHostVar {
        step: String,
        name: String,
        #[label("not a variable of {missing}")]
        span: SourceSpan,
        missing: String,
        #[help]
        help: String,
    },

    // ------------------------------------------------------------ commands and templates
    #[error("the command of `run` must be a string literal")]
    #[diagnostic(code(runbook::check::run_needs_literal), help("write the command in place, e.g. run \"{{{{ cmd | raw }}}}\" if you really mean to run a value as shell code"))]
    RunNeedsLiteral {
        #[label("not a string literal")]
        span: SourceSpan,
    },

    #[error("interpolation inside shell quotes")]
    #[diagnostic(code(runbook::check::quoted_interpolation), help("remove the surrounding {quote} quotes: interpolated values are already quoted as one shell word"))]
    QuotedInterpolation {
        quote: String,
        #[label("inside {quote} quotes")]
        span: SourceSpan,
    },

    #[error("`{name}` holds a secret and is interpolated with `| raw`")]
    #[diagnostic(code(runbook::check::raw_secret), help("drop `| raw`: a secret is passed as one quoted word; unquoted it could be split, globbed or executed"))]
    RawSecret {
        name: String,
        #[label("unquoted secret")]
        span: SourceSpan,
    },

    #[error("`| raw` turns shell quoting off")]
    #[diagnostic(code(runbook::check::raw_interpolation), help("`--strict` flags every raw interpolation: make sure the value can never come from outside, or pass it quoted"))]
    RawInterpolation {
        #[label("unquoted")]
        span: SourceSpan,
    },

    #[error("unknown filter `{name}`")]
    #[diagnostic(code(runbook::check::unknown_filter))]
    UnknownFilter {
        name: String,
        #[label("unknown filter")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("filter `{name}` takes {expected} argument(s), found {found}")]
    #[diagnostic(
        code(runbook::check::filter_arity),
        help("e.g. {{{{ value | {example} }}}}")
    )]
    FilterArity {
        name: String,
        expected: String,
        found: usize,
        example: String,
        #[label("wrong number of arguments")]
        span: SourceSpan,
    },

    #[error("cannot interpolate {ty}")]
    #[diagnostic(code(runbook::check::interpolate_record))]
    InterpolateRecord {
        ty: String,
        #[label("{ty}")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("invalid regular expression")]
    #[diagnostic(code(runbook::check::invalid_regex), help("{message}"))]
    InvalidRegex {
        message: String,
        #[label("does not compile")]
        span: SourceSpan,
    },

    // ------------------------------------------------------------ types
    #[error("{context} needs {expected}, found {found}")]
    #[diagnostic(code(runbook::check::type_mismatch))]
    TypeMismatch {
        context: String,
        expected: String,
        found: String,
        #[label("{found}")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{op}` cannot combine {left} and {right}")]
    #[diagnostic(code(runbook::check::invalid_operands), help("{help}"))]
    InvalidOperands {
        op: String,
        left: String,
        right: String,
        help: String,
        #[label("{left} {op} {right}")]
        span: SourceSpan,
    },

    #[error("division by zero")]
    #[diagnostic(
        code(runbook::check::division_by_zero),
        help("dividing by 0 always fails")
    )]
    DivisionByZero {
        #[label("zero")]
        span: SourceSpan,
    },

    #[error("{ty} has no field `{field}`")]
    #[diagnostic(code(runbook::check::unknown_field))]
    UnknownField {
        field: String,
        ty: String,
        #[label("no such field")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("{ty} has no method `{method}`")]
    #[diagnostic(code(runbook::check::unknown_method))]
    UnknownMethod {
        method: String,
        ty: String,
        #[label("no such method")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("unknown type `{name}`")]
    #[diagnostic(
        code(runbook::check::unknown_type),
        help("types are: string, int, float, bool, duration, list")
    )]
    UnknownType {
        name: String,
        #[label("not a type")]
        span: SourceSpan,
    },

    // ------------------------------------------------------------ declarations
    #[error("param `{name}` is declared {declared} but its default is {found}")]
    #[diagnostic(
        code(runbook::check::param_default_type),
        help("give it a default of type {declared}, or change the declared type")
    )]
    ParamDefaultType {
        name: String,
        declared: String,
        found: String,
        #[label("{found}")]
        span: SourceSpan,
    },

    #[error("param `{name}` has neither a type nor a default")]
    #[diagnostic(code(runbook::check::param_needs_type), help("a required param names its type: `param {name}: string`; an optional one has a default: `param {name} = \"...\"`"))]
    ParamNeedsType {
        name: String,
        #[label("untyped")]
        span: SourceSpan,
    },

    #[error("a param's default must be a literal value")]
    #[diagnostic(
        code(runbook::check::param_default_not_literal),
        help("params are set before anything runs: use a literal here and compute with `let`")
    )]
    ParamDefaultNotLiteral {
        #[label("not a literal")]
        span: SourceSpan,
    },

    #[error("a secret must come from `env(\"NAME\")` or `file(\"path\")`")]
    #[diagnostic(
        code(runbook::check::invalid_secret_source),
        help(
            "e.g. `secret token = env(\"DEPLOY_TOKEN\")`: secrets never live in the runbook itself"
        )
    )]
    InvalidSecretSource {
        #[label("not a secret source")]
        span: SourceSpan,
    },

    #[error("a host is `local` or `ssh(\"[user@]host\", ...)`")]
    #[diagnostic(code(runbook::check::invalid_host), help("e.g. `host web = ssh(\"deploy@web1\", port: 2222)` or an alias from ~/.ssh/config: `ssh(\"hemma\")`"))]
    InvalidHost {
        #[label("not a host")]
        span: SourceSpan,
    },

    #[error("port {port} is out of range")]
    #[diagnostic(code(runbook::check::invalid_port), help("ports are 1 to 65535"))]
    InvalidPort {
        port: i64,
        #[label("invalid port")]
        span: SourceSpan,
    },

    #[error("a group is a list of host names")]
    #[diagnostic(
        code(runbook::check::invalid_group),
        help("e.g. `group web = [web1, web2]`, each declared with `host` or in the inventory, or `group web = targets` with `param targets: list`")
    )]
    InvalidGroup {
        #[label("not a list of hosts")]
        span: SourceSpan,
    },

    #[error("group `{name}` is empty")]
    #[diagnostic(
        code(runbook::check::empty_group),
        help("a step on an empty group would silently do nothing: list at least one host")
    )]
    EmptyGroup {
        name: String,
        #[label("no hosts")]
        span: SourceSpan,
    },

    #[error("host `{name}` is listed twice")]
    #[diagnostic(
        code(runbook::check::duplicate_group_member),
        help("a step would run twice on it: list each host once")
    )]
    DuplicateGroupMember {
        name: String,
        #[label("again")]
        span: SourceSpan,
        #[label("first")]
        first: SourceSpan,
    },

    // ------------------------------------------------------------ step modifiers
    #[error("`{keyword}` is given twice")]
    #[diagnostic(code(runbook::check::duplicate_modifier), help("keep one"))]
    DuplicateModifier {
        keyword: String,
        #[label("again")]
        span: SourceSpan,
        #[label("first")]
        first: SourceSpan,
    },

    #[error("a step cannot have both `when` and `unless`")]
    #[diagnostic(
        code(runbook::check::conflicting_guards),
        help("combine them into one condition: `when A and not B`")
    )]
    ConflictingGuards {
        #[label("second guard")]
        span: SourceSpan,
        #[label("first guard")]
        first: SourceSpan,
    },

    #[error("`{keyword}` only applies to a step on a group")]
    #[diagnostic(code(runbook::check::group_only_modifier), help("{help}"))]
    GroupOnlyModifier {
        keyword: String,
        help: String,
        #[label("has no effect here")]
        span: SourceSpan,
    },

    #[error(
        "`{setting}` is computed before the first step, but `{name}` is captured by step `{step}`"
    )]
    #[diagnostic(
        code(runbook::check::setting_from_capture),
        help("compute step settings from params and top-level values; a `wait_until` inside the step may use captures")
    )]
    SettingFromCapture {
        setting: String,
        name: String,
        step: String,
        #[label("known only once step `{step}` has run")]
        span: SourceSpan,
    },

    #[error("`{what}` must be at least 1")]
    #[diagnostic(code(runbook::check::zero_count), help("{help}"))]
    ZeroCount {
        what: String,
        help: String,
        #[label("zero")]
        span: SourceSpan,
    },

    #[error("a zero duration for `{what}`")]
    #[diagnostic(code(runbook::check::zero_duration), help("{help}"))]
    ZeroDuration {
        what: String,
        help: String,
        #[label("0")]
        span: SourceSpan,
    },

    #[error("`backoff` must be at least 1.0")]
    #[diagnostic(
        code(runbook::check::invalid_backoff),
        help("the delay is multiplied by backoff after each try: 2 doubles it, 1 keeps it fixed")
    )]
    InvalidBackoff {
        #[label("shrinking delay")]
        span: SourceSpan,
    },

    #[error("`max_fail {percent}%` is more than 100%")]
    #[diagnostic(code(runbook::check::invalid_budget), help("a failure budget is a number of hosts (`max_fail 2`) or a share of the group up to 100%"))]
    InvalidBudget {
        percent: u32,
        #[label("over 100%")]
        span: SourceSpan,
    },

    #[error("`wait_until` polls every {every} but times out after {timeout}")]
    #[diagnostic(
        code(runbook::check::wait_interval),
        help("the condition would be tried only once: poll more often than the timeout")
    )]
    WaitInterval {
        every: String,
        timeout: String,
        #[label("interval")]
        span: SourceSpan,
        #[label("timeout")]
        timeout_span: SourceSpan,
    },

    // ------------------------------------------------------------ warnings
    #[error("step `{id}` does nothing")]
    #[diagnostic(
        code(runbook::check::empty_step),
        severity(Warning),
        help("add actions, or remove the step")
    )]
    EmptyStep {
        id: String,
        #[label("empty body")]
        span: SourceSpan,
    },

    #[error("{kind} `{name}` is never used")]
    #[diagnostic(
        code(runbook::check::unused),
        severity(Warning),
        help("remove it, or prefix its name with `_`")
    )]
    Unused {
        kind: String,
        name: String,
        #[label("unused")]
        span: SourceSpan,
    },

    #[error("`{name}` may be undefined: step `{step}` can be skipped")]
    #[diagnostic(code(runbook::check::maybe_skipped_capture), severity(Warning), help("when `{step}` is skipped by its guard, `{name}` has no value and this step fails: move the capture, or guard this step the same way"))]
    MaybeSkippedCapture {
        name: String,
        step: String,
        #[label("used here")]
        span: SourceSpan,
        #[label("captured in a guarded step")]
        origin: SourceSpan,
    },

    #[error("work before the approval in step `{step}` runs again on every resume")]
    #[diagnostic(
        code(runbook::check::work_before_approval),
        severity(Warning),
        help("the step is the unit of resume: a run paused at this gate runs the step again from its start. Put `approve` first, or the work before it in a step of its own")
    )]
    WorkBeforeApproval {
        step: String,
        #[label("the gate")]
        span: SourceSpan,
        #[label("runs again")]
        work: SourceSpan,
    },

    #[error("module `{path}` is imported twice")]
    #[diagnostic(
        code(runbook::check::duplicate_use),
        severity(Warning),
        help("remove the second `use`")
    )]
    DuplicateUse {
        path: String,
        #[label("again")]
        span: SourceSpan,
        #[label("first")]
        first: SourceSpan,
    },
}

impl Error {
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            Error::EmptyStep { .. }
                | Error::Unused { .. }
                | Error::MaybeSkippedCapture { .. }
                | Error::DuplicateUse { .. }
                | Error::WorkBeforeApproval { .. }
        )
    }
}
