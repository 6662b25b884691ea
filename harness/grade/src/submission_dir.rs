//! `grade --submission DIR` with no program given: the discovery rule
//! (`discovery`) finds each question's programs in the student's folder,
//! and every question found is graded with its own, in one run and one
//! report. A role the rule finds no file for is a missing program, and two
//! candidates for one role an ambiguous one: the submission problem, never
//! silently fewer points.

use crate::discovery;
use crate::prepare::{self, Plan, Workbench};
use crate::report::QuestionPrograms;
use crate::scenario::{Question, Scenario, Side};
use crate::submission::{ProblemKind, SubmissionProblem, FOUND_MAX};
use crate::{execute, progress, reporting, Config, Error, Graded, Missing};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// How deep the student's folder is searched.
const WALK_DEPTH: usize = 4;

/// The files of `dir` the discovery rule reads (`program::files_in`).
pub fn files(dir: &Path) -> Vec<String> {
    crate::world::program::files_in(dir, WALK_DEPTH)
}

/// The name a missing program of `side` is reported by (`q3/serveur.py`).
fn expected_name(q: Question, side: Side) -> String {
    let file = match side {
        Side::Server => "serveur.py",
        Side::Client => "client.py",
    };
    format!("{}/{file}", q.name())
}

/// Grades every question found in `dir`, each with its programs.
pub fn grade(cfg: &Config, dir: &Path) -> Result<u8, Error> {
    let start = Instant::now();
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "--submission {}: no such folder",
            dir.display()
        )));
    }
    let bench = Workbench::new(cfg.port, &cfg.sandbox_options())?;
    let all = prepare::load(cfg.scenario_dir.as_deref(), cfg.points.as_deref(), cfg.port)?;
    let found = files(dir);
    let slots = discovery::discover(&found, &cfg.questions);
    let questions: Vec<Question> = if cfg.questions.is_empty() {
        slots.keys().copied().collect()
    } else {
        cfg.questions.clone()
    };
    if questions.is_empty() {
        let shown: Vec<&str> = found.iter().take(10).map(String::as_str).collect();
        return Err(Error::Usage(format!(
            "--submission {}: no server or client program found (found: {})",
            dir.display(),
            if shown.is_empty() {
                "nothing".to_string()
            } else {
                shown.join(", ")
            }
        )));
    }
    let dests = reporting::open_outputs(cfg)?;
    let Planned { plan, programs } = plan(cfg, dir, &questions, &slots, &found, &all, &bench)?;
    if plan.order.is_empty() {
        return Err(Error::Usage(
            "no scenario to run: check -q / -s against the programs found".into(),
        ));
    }
    let progress = progress::Progress::for_run(cfg);
    let ran = execute::execute(&plan.runs, cfg.jobs, bench.isolation, &|e| {
        if let Some(p) = &progress {
            p.notify(e);
        }
    });
    let note = bench.isolation_note(&cfg.lang);
    let shown = Config {
        programs,
        ..cfg.clone()
    };
    reporting::report(&shown, plan, ran, dests, note, start.elapsed())
}

/// A student's folder, planned: the scenarios of every question with the
/// programs found for it, and the programs the report names.
#[derive(Debug)]
pub struct Planned {
    pub plan: Plan,
    pub programs: Graded,
}

/// Plans `questions` of the student's folder `dir` (whose files are
/// `found`), each with the programs of its slot in `slots`: a role with no
/// candidate is a missing program, two an ambiguous one (submission
/// problems, with what the folder holds). `grade --submission` and
/// `grade batch` share it.
pub fn plan(
    cfg: &Config,
    dir: &Path,
    questions: &[Question],
    slots: &BTreeMap<Question, discovery::Slot>,
    found: &[String],
    all: &[Scenario],
    bench: &Workbench,
) -> Result<Planned, Error> {
    let (mut plans, mut servers, mut clients) = (Vec::new(), Vec::new(), Vec::new());
    for &q in questions {
        let slot = slots.get(&q).cloned().unwrap_or_default();
        let (one, forced) = question_config(cfg, dir, q, &slot, found);
        let Graded::Student { server, client } = &one.programs else {
            unreachable!("question_config grades the student's programs")
        };
        servers.extend(server.clone());
        clients.extend(client.clone());
        let own = QuestionPrograms {
            question: q,
            server: server.clone(),
            client: client.clone(),
        };
        // -s may leave a question nothing to run.
        let Ok(scenarios) = prepare::select(all.to_vec(), &one) else {
            continue;
        };
        let mut plan = prepare::prepare_with(scenarios, &one, bench, &forced)?;
        plan.by_question.push(own);
        plans.push(plan);
    }
    // The report names every program graded, question after question.
    servers.dedup();
    clients.dedup();
    let joined = |v: Vec<String>| (!v.is_empty()).then(|| v.join(", "));
    Ok(Planned {
        plan: Plan::merge(plans),
        programs: Graded::Student {
            server: joined(servers),
            client: joined(clients),
        },
    })
}

/// The run of question `q` alone, with the programs `slot` holds (a
/// missing one by the name it is reported by), and the problems already
/// known (a missing or ambiguous role; `found`: the folder's files).
fn question_config(
    cfg: &Config,
    dir: &Path,
    q: Question,
    slot: &discovery::Slot,
    found: &[String],
) -> (Config, Vec<SubmissionProblem>) {
    let mut forced = Vec::new();
    let mut program = |side: Side| -> Option<String> {
        if !discovery::questions_of_role(side).contains(&q) {
            return None;
        }
        let path = match slot.one(side) {
            Ok(p) => p.to_string(),
            Err([]) => {
                forced.push(missing(q, side, found));
                expected_name(q, side)
            }
            Err(candidates) => {
                forced.push(ambiguous(q, side, candidates));
                expected_name(q, side)
            }
        };
        Some(dir.join(path).display().to_string())
    };
    let (server, client) = (program(Side::Server), program(Side::Client));
    let one = Config {
        programs: Graded::Student { server, client },
        questions: vec![q],
        missing: Missing::Failure,
        submission: None,
        ..cfg.clone()
    };
    (one, forced)
}

/// No file of the folder (whose files are `found`) could be the program
/// of `side`: "no client program in the submission; found: chat.py, …".
fn missing(q: Question, side: Side, found: &[String]) -> SubmissionProblem {
    let shown = found.len().min(FOUND_MAX);
    SubmissionProblem {
        kind: ProblemKind::Missing,
        side,
        program: expected_name(q, side),
        file: String::new(),
        detail: String::new(),
        found: found[..shown].to_vec(),
        found_more: found.len() - shown,
        scenarios: Vec::new(),
    }
}

/// Two files or more could be the program of `side` for `q`.
fn ambiguous(q: Question, side: Side, candidates: &[String]) -> SubmissionProblem {
    SubmissionProblem {
        kind: ProblemKind::Ambiguous,
        side,
        program: expected_name(q, side),
        file: expected_name(q, side),
        detail: candidates.join(", "),
        found: candidates.to_vec(),
        found_more: 0,
        scenarios: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_students_files_only() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("q1/__pycache__")).unwrap();
        std::fs::create_dir_all(d.path().join(".git")).unwrap();
        std::fs::write(d.path().join("q1/serveur.py"), "").unwrap();
        std::fs::write(d.path().join("q1/__pycache__/serveur.pyc"), "").unwrap();
        std::fs::write(d.path().join(".git/HEAD"), "").unwrap();
        std::fs::write(d.path().join("client.py"), "").unwrap();
        std::os::unix::fs::symlink("/etc", d.path().join("etc")).unwrap();
        assert_eq!(files(d.path()), ["client.py", "q1/serveur.py"]);
    }
}
