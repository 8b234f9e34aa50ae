//! A run's whole contract stated at once, with the case builder (`common::case`): the
//! runbook as it is written, and the status, output, codes and journal it must give.

use super::common::case::Case;

#[test]
fn a_failed_step_undoes_the_completed_ones_newest_first() {
    Case::new(
        r#"
        runbook t "T"

        step a "A" {
          run "echo made a"
          rollback {
            run "echo undid a"
          }
        }

        step b "B" {
          run "echo boom >&2; exit 3"
        }
        "#,
    )
    .status(1)
    .stdout("undid a")
    .stdout("runbook::run::command_failed")
    .journal(&[
        ("step_intent", "a"),
        ("step_result", "a"),
        ("step_intent", "b"),
        ("step_result", "b"),
        ("rollback_intent", "a"),
        ("rollback_result", "a"),
    ])
    .run();
}

#[test]
fn a_false_guard_skips_the_step_before_its_intent() {
    Case::new(
        r#"
        runbook t "T"

        param deploy = false

        step a "A" when deploy {
          run "echo never"
        }
        "#,
    )
    .stdout("`deploy` is false")
    .journal(&[("step_result", "a")])
    .run();
}

#[test]
fn a_bad_runbook_runs_nothing_and_names_every_problem() {
    let ran = Case::new(
        r#"
        runbook t "T"

        step a "A" {
          run "echo {{ nope }}"
        }

        step a "Again" {
          log "twice"
        }
        "#,
    )
    .status(2)
    .code("runbook::check::undefined_variable")
    .code("runbook::check::duplicate_step")
    .stderr("nothing was run")
    .journal(&[])
    .run();
    assert!(ran.output.stdout.is_empty(), "{}", ran.output.stdout);
}
