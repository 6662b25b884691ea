//! `grade batch`'s progress, one student at a time: a bar on a terminal
//! (students done of all, the time left, how many could not be graded so
//! far), one plain line per student otherwise (CI logs), on standard error.

use super::gradebook::{Row, RowStatus};
use crate::msg::Msg;
use crate::scenario::Lang;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug)]
pub struct Progress {
    shown: Shown,
    lang: Lang,
    total: usize,
    done: AtomicUsize,
    not_graded: AtomicUsize,
}

#[derive(Debug)]
enum Shown {
    Bar(indicatif::ProgressBar),
    Lines,
}

impl Progress {
    /// Progress over `total` students: a bar when standard error is a
    /// terminal.
    pub fn new(total: usize, lang: &Lang) -> Progress {
        let shown = if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total as u64);
            let style =
                indicatif::ProgressStyle::with_template("{wide_bar} {pos}/{len} · {eta} · {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            Shown::Bar(bar)
        } else {
            Shown::Lines
        };
        Progress {
            shown,
            lang: lang.clone(),
            total,
            done: AtomicUsize::new(0),
            not_graded: AtomicUsize::new(0),
        }
    }

    /// The plain line for `row`, the `done`th of `total`.
    pub fn line(&self, done: usize, row: &Row) -> String {
        let score = match row.total {
            Some(t) => format!(" {}/{}", t, row.max),
            None => String::new(),
        };
        let m = Msg::new("batch-progress")
            .arg("done", done)
            .arg("total", self.total)
            .arg("student", &row.student.name)
            .arg("status", format!("{}{score}", row.status.name()));
        self.lang.msg(&m)
    }

    /// One more student done.
    pub fn student(&self, row: &Row) {
        let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        let bad = usize::from(row.status != RowStatus::Graded);
        let bad = self.not_graded.fetch_add(bad, Ordering::SeqCst) + bad;
        match &self.shown {
            Shown::Bar(b) => {
                b.set_position(done as u64);
                let m = Msg::new("batch-not-graded").arg("n", bad);
                b.set_message(self.lang.msg(&m));
            }
            Shown::Lines => eprintln!("{}", self.line(done, row)),
        }
    }

    pub fn finish(&self) {
        if let Shown::Bar(b) = &self.shown {
            b.finish_and_clear();
        }
    }
}
