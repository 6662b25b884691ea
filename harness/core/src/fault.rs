//! The boundary of one scenario: a fault of the grader itself (a panic in
//! the runner or the verdict, a `runner::RunError`) ends that scenario as
//! `error` — never as a student's failure — and the run goes on to the next
//! scenario and to its reports. Here: catching a panic with its message and
//! place, and the faults a test may inject (debug builds only).

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

/// A panic caught at the boundary: its message and where it happened
/// (`index out of bounds … at harness/core/src/stall.rs:12:15`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Panic(pub String);

thread_local! {
    /// How many boundaries this thread is inside (they nest: the runner
    /// has its own, inside the scenario's).
    static INSIDE: Cell<usize> = const { Cell::new(0) };
    /// The message and place of the panic being unwound to a boundary.
    static CAUGHT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`; a panic in it is returned as `Err`, with its message and place,
/// instead of ending the thread. Whatever `f` had borrowed mutably may be
/// half-updated: the caller throws it away (the scenario is void).
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    install_hook();
    CAUGHT.with(|c| c.borrow_mut().take());
    INSIDE.with(|d| d.set(d.get() + 1));
    let r = panic::catch_unwind(AssertUnwindSafe(f));
    INSIDE.with(|d| d.set(d.get() - 1));
    r.map_err(|payload| {
        let caught = CAUGHT.with(|c| c.borrow_mut().take());
        Panic(caught.unwrap_or_else(|| payload_text(&*payload)))
    })
}

/// A panic inside a boundary is recorded for its report instead of being
/// printed on standard error (which would break the one-line summary of
/// exit status 3); with `RUST_BACKTRACE` set it is printed too, for whoever
/// debugs `grade`. Panics outside any boundary are printed as ever.
fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            // `try_with`: a panic while the thread's locals are destroyed
            // is no boundary's, and must not panic again here.
            if INSIDE.try_with(Cell::get).unwrap_or(0) == 0 {
                return default(info);
            }
            let place = info
                .location()
                .map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            let text = format!("{}{place}", payload_text(info.payload()));
            let _ = CAUGHT.try_with(|c| *c.borrow_mut() = Some(text));
            if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
                default(info);
            }
        }));
    });
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// Where a test can inject a fault of the grader into one scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A panic in the runner once the steps are done, its programs still
    /// running (they must be killed and reaped all the same).
    Runner,
    /// A panic in the verdict.
    Judge,
    /// The scenario's working directory cannot be created (a `RunError`).
    Scratch,
}

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Stage::Runner => "runner",
            Stage::Judge => "judge",
            Stage::Scratch => "scratch",
        }
    }
}

/// The variable naming the faults to inject: `STAGE:ID[,STAGE:ID…]`, STAGE
/// one of `runner`, `judge`, `scratch`, ID a scenario id.
pub const TEST_FAULT_VAR: &str = "GRADE_TEST_FAULT";

/// Message of an injected fault.
pub const INJECTED: &str = "fault injected by GRADE_TEST_FAULT";

/// Whether a test asked for a fault in `stage` of scenario `id`. Honoured
/// only in debug builds (the ones tests run): a release `grade` never reads
/// the variable.
pub fn injected(stage: Stage, id: &str) -> bool {
    if !cfg!(debug_assertions) {
        return false;
    }
    std::env::var(TEST_FAULT_VAR).is_ok_and(|v| wants(&v, stage, id))
}

fn wants(spec: &str, stage: Stage, id: &str) -> bool {
    spec.split(',')
        .filter_map(|f| f.trim().split_once(':'))
        .any(|(st, sid)| st == stage.name() && sid == id)
}

/// Panics if a test asked for a fault in `stage` of scenario `id` (the
/// panic is placed at the caller: the stage that "failed").
#[track_caller]
pub fn inject(stage: Stage, id: &str) {
    if injected(stage, id) {
        panic!("{INJECTED} ({}:{id})", stage.name());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_caught_with_its_message_and_place() {
        let p = catch(|| -> usize {
            let v: Vec<usize> = Vec::new();
            #[allow(clippy::unnecessary_literal_unwrap)]
            v.get(3).copied().expect("no fourth item")
        })
        .unwrap_err();
        assert!(p.0.starts_with("no fourth item at "), "{p}");
        assert!(p.0.contains("fault.rs:"), "{p}");
        assert_eq!(catch(|| 7), Ok(7));
    }

    #[test]
    fn boundaries_nest() {
        let outer = catch(|| catch(|| panic!("inner")).unwrap_err().0);
        assert!(outer.unwrap().starts_with("inner at "));
        let p = catch(|| {
            let _ = catch(|| panic!("first"));
            panic!("second")
        })
        .unwrap_err();
        assert!(p.0.starts_with("second at "), "{p}");
    }

    #[test]
    fn injected_faults_name_a_stage_and_a_scenario() {
        let spec = "runner:q1.server.listens, judge:q1.server.utf8";
        assert!(wants(spec, Stage::Runner, "q1.server.listens"));
        assert!(wants(spec, Stage::Judge, "q1.server.utf8"));
        assert!(!wants(spec, Stage::Judge, "q1.server.listens"));
        assert!(!wants(spec, Stage::Scratch, "q1.server.utf8"));
        assert!(!wants("runner", Stage::Runner, "runner"));
        assert!(!wants("", Stage::Runner, ""));
    }
}
