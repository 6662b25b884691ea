//! Progress on a terminal: one more subscriber of the executor's events,
//! a line on standard error that says how many scenarios are judged.

use crate::execute::Event;
use crate::msg::Msg;
use crate::scenario::Lang;
use crate::Config;
use std::io::IsTerminal;

/// Writes `[3/14] q1.server.utf8` over itself as scenarios end, and
/// clears it once they are all over.
#[derive(Debug)]
pub struct Progress {
    lang: Lang,
}

impl Progress {
    /// Progress for a run: when standard error is a terminal, and standard
    /// output is one exactly when the report goes there.
    pub fn for_run(cfg: &Config) -> Option<Progress> {
        let on_terminal = std::io::stderr().is_terminal()
            && cfg.output.is_none() == std::io::stdout().is_terminal();
        on_terminal.then(|| Progress {
            lang: cfg.lang.clone(),
        })
    }

    /// The line for `e`, control codes included.
    pub fn line(&self, e: &Event) -> String {
        match e {
            Event::Judged {
                done,
                total,
                outcome,
            } => {
                let m = Msg::new("progress-scenario")
                    .arg("done", *done)
                    .arg("total", *total)
                    .arg("id", &outcome.scenario.id);
                format!("\r\x1b[2K{}", self.lang.msg(&m))
            }
            Event::Finished => "\r\x1b[2K".to_string(),
        }
    }

    pub fn notify(&self, e: &Event) {
        eprint!("{}", self.line(e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Outcome;

    #[test]
    fn a_line_per_judged_scenario_then_cleared() {
        let p = Progress {
            lang: Lang::builtin("fr"),
        };
        let mut scenario = crate::scenario::load_catalogue(None).unwrap().remove(0);
        scenario.id = "q1.server.utf8".into();
        let outcome = Outcome {
            scenario,
            verdict: crate::verdict::grader_fault(crate::diagnosis::Code::InternalError, "test"),
            transcript: Default::default(),
            started: Default::default(),
            duration: Default::default(),
        };
        let e = Event::Judged {
            done: 3,
            total: 14,
            outcome: &outcome,
        };
        assert_eq!(p.line(&e), "\r\x1b[2K[3/14] q1.server.utf8");
        assert_eq!(p.line(&Event::Finished), "\r\x1b[2K");
    }
}
