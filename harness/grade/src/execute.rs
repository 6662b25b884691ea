//! The execute stage: every prepared scenario run and judged, `jobs` at a
//! time, each inside its own fault boundary. The executor never prints: it
//! tells its subscriber (progress on a terminal) what happens.

use crate::diagnosis::Code;
use crate::prepare::Isolation;
use crate::report::Outcome;
use crate::runner::{self, RunConfig, RunError};
use crate::scenario::{Role, Scenario};
use crate::transcript::Transcript;
use crate::{fault, verdict, world};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// What the executor tells its subscriber.
#[derive(Debug)]
pub enum Event<'a> {
    /// A scenario is judged: the `done`th of `total` (in the order they end).
    Judged {
        done: usize,
        total: usize,
        outcome: &'a Outcome,
    },
    /// Every scenario is over; none is left running.
    Finished,
}

/// Runs and judges every scenario of `runs`, `jobs` at a time where each
/// has a namespace (on the host's port they share port 8080: one at a
/// time); the outcomes come in the order of `runs`.
pub fn execute(
    runs: &[(Scenario, RunConfig)],
    jobs: usize,
    isolation: Isolation,
    notify: &(dyn Fn(&Event) + Sync),
) -> Vec<Outcome> {
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; runs.len()]);
    execute_each(runs, jobs, isolation, notify, &|k, outcome| {
        results.lock().unwrap_or_else(|e| e.into_inner())[k] = Some(outcome);
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

/// `execute`, each outcome handed to `deliver` with its index in `runs`
/// as soon as it is judged (after `notify` saw it): `grade batch` writes a
/// student's report once their last scenario is in.
pub fn execute_each(
    runs: &[(Scenario, RunConfig)],
    jobs: usize,
    isolation: Isolation,
    notify: &(dyn Fn(&Event) + Sync),
    deliver: &(dyn Fn(usize, Outcome) + Sync),
) {
    let jobs = match isolation {
        Isolation::Namespaces => jobs.max(1),
        Isolation::HostPort => 1,
    };
    let order = run_order(runs, isolation);
    let t0 = Instant::now();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(runs.len()) {
            scope.spawn(|| loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                let Some(&k) = order.get(n) else { break };
                let Some((s, rc)) = runs.get(k) else { break };
                let outcome = run_one(s.clone(), rc, t0);
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                notify(&Event::Judged {
                    done: n,
                    total: runs.len(),
                    outcome: &outcome,
                });
                deliver(k, outcome);
            });
        }
    });
    world::interrupt::settle();
    // The inits of the last scenarios, killed, are reaped as they go.
    world::reaper::settle(std::time::Duration::from_secs(2));
    notify(&Event::Finished);
}

/// The order scenarios start in. On the host's port, a client scenario
/// whose peer (the harness, as the server) closes first leaves that side
/// in TIME_WAIT on the port for a minute, where a later server without
/// SO_REUSEADDR could not bind: client scenarios run after the others
/// there (reported in order).
fn run_order(runs: &[(Scenario, RunConfig)], isolation: Isolation) -> Vec<usize> {
    let mut order: Vec<usize> = (0..runs.len()).collect();
    if isolation == Isolation::HostPort {
        order.sort_by_key(|&k| runs[k].0.role == Role::Client);
    }
    order
}

/// One scenario, run, judged and timed (its start from `t0`, the start of
/// every run); what is kept of its transcript until the report is bounded.
fn run_one(scenario: Scenario, rc: &RunConfig, t0: Instant) -> Outcome {
    let start = Instant::now();
    let (mut transcript, verdict) = grade_one(&scenario, rc);
    let duration = start.elapsed();
    transcript.bound();
    Outcome {
        scenario,
        verdict,
        transcript,
        started: start.duration_since(t0),
        duration,
    }
}

/// One scenario inside its boundary: a fault of the grader in any stage
/// (the runner, on a thread of its own since it enters the scenario's
/// namespace; the verdict) ends it as `error` with what failed; the other
/// scenarios go on.
fn grade_one(s: &Scenario, rc: &RunConfig) -> (Transcript, verdict::Verdict) {
    // A fresh thread per scenario: it enters its own namespace.
    let ran = std::thread::scope(|inner| {
        let thread = std::thread::Builder::new()
            .spawn_scoped(inner, || fault::catch(|| runner::run(s, rc, &|_| {})));
        match thread {
            Err(e) => Err((
                Code::Environment,
                format!("cannot start the scenario's thread: {e}"),
            )),
            Ok(t) => match t.join() {
                Ok(Ok(run)) => Ok(run),
                // A panic before the runner's own boundary (no program yet).
                Ok(Err(panic)) => {
                    let e = RunError::from(panic);
                    Err((e.code(), e.to_string()))
                }
                // The thread's boundary catches its panics: not one of those.
                Err(_) => Err((
                    Code::InternalError,
                    "the runner's thread ended without a result".into(),
                )),
            },
        }
    });
    let transcript = match ran {
        Ok(Ok(tr)) => tr,
        Ok(Err(aborted)) => {
            let v = verdict::grader_fault(aborted.error.code(), &aborted.error.to_string());
            return (aborted.transcript, v);
        }
        Err((code, what)) => return (Transcript::default(), verdict::grader_fault(code, &what)),
    };
    let judged = fault::catch(|| {
        fault::inject(fault::Stage::Judge, &s.id);
        verdict::judge(s, &transcript)
    });
    match judged {
        Ok(v) => (transcript, v),
        Err(panic) => {
            let v = verdict::grader_fault(
                Code::InternalError,
                &format!("the verdict panicked: {panic}"),
            );
            (transcript, v)
        }
    }
}
