//! `grade batch`'s own process: it never grades. It checks the command
//! line, starts the grading process (the same `grade` with `--rows-out`,
//! which streams each student's row and report as one JSON line on its
//! standard output as soon as that student is done), keeps the rows, and
//! writes the gradebook. Ctrl-C (or SIGTERM, SIGHUP): the grading process
//! gets the signal and ends as every `grade` does (programs killed and
//! reaped, scratch removed, exit 130); this process then writes the
//! gradebook of the students done, the others `not-graded`, and exits 130.
//! The signal handling of the grading process (`world::interrupt`) is left
//! as it is: a valid partial gradebook is this process's job.

use super::gradebook::{self, Row, RowStatus, Summary};
use super::{class_report, students::Submission, BatchConfig};
use crate::msg::Msg;
use crate::output::Destination;
use crate::{exit, Error};
use nix::sys::signal::{self, SigSet, Signal};
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;

/// The rows and reports of the class, as they come.
pub struct Collector {
    rows: Vec<Row>,
    stats: class_report::Stats,
    /// Each student's JSON document, on disk (never all in memory), and
    /// where each is: id, offset, length.
    spool: std::fs::File,
    spooled: Vec<(String, u64, u64)>,
    len: u64,
    pub cached: usize,
}

impl Collector {
    pub fn new() -> std::io::Result<Collector> {
        Ok(Collector {
            rows: Vec::new(),
            stats: class_report::Stats::default(),
            spool: tempfile::tempfile()?,
            spooled: Vec::new(),
            len: 0,
            cached: 0,
        })
    }

    /// One student: their row and JSON report (`null` when not graded).
    pub fn add(&mut self, row: Row, report: &serde_json::Value, format: gradebook::Format) {
        match format {
            gradebook::Format::Html => self.stats.add(&row.student.name, report),
            gradebook::Format::Json => {
                let doc = serde_json::json!({"gradebook": row, "report": report});
                if let Ok(text) = serde_json::to_string(&doc) {
                    if self.spool.write_all(text.as_bytes()).is_ok() {
                        let n = text.len() as u64;
                        self.spooled.push((row.student.id.clone(), self.len, n));
                        self.len += n;
                    }
                }
            }
            gradebook::Format::Csv => {}
        }
        self.rows.push(row);
    }

    /// Ids of the students in.
    fn has(&self, id: &str) -> bool {
        self.rows.iter().any(|r| r.student.id == id)
    }

    /// Writes the gradebook to `dest`; its summary.
    pub fn write(
        mut self,
        cfg: &BatchConfig,
        columns: &[(crate::scenario::Question, f64)],
        fingerprint: &str,
        dest: Destination,
    ) -> Result<Summary, Error> {
        self.rows.sort_by(|x, y| x.student.id.cmp(&y.student.id));
        self.spooled.sort();
        let mut summary = Summary::of(&self.rows, columns, fingerprint);
        summary.shard = cfg.shard;
        let lang = &cfg.grading.lang;
        let cached = lang.msg(&Msg::new("batch-cached").arg("n", self.cached));
        eprintln!("grade: {} ({cached})", summary.line(lang));
        let Collector {
            rows,
            stats,
            spool,
            spooled,
            ..
        } = self;
        dest.write(|out| match cfg.format {
            gradebook::Format::Csv => gradebook::write_csv(&rows, columns, out),
            gradebook::Format::Json => write_json(spool, &spooled, &summary, out),
            gradebook::Format::Html => {
                class_report::write(&rows, &stats, &summary, lang, cfg.anonymous, out)
            }
        })
        .map_err(|e| Error::Environment(e.to_string()))?;
        Ok(summary)
    }
}

/// The JSON gradebook: `{"students": [...], "summary": {...}}`, each
/// student's document copied from the spool, in the order of `spooled`.
fn write_json(
    mut spool: std::fs::File,
    spooled: &[(String, u64, u64)],
    summary: &Summary,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    use std::io::{Read, Seek};
    writeln!(out, "{{\"students\": [")?;
    for (k, (_, offset, len)) in spooled.iter().enumerate() {
        spool.seek(std::io::SeekFrom::Start(*offset))?;
        std::io::copy(&mut (&mut spool).take(*len), out)?;
        writeln!(out, "{}", if k + 1 < spooled.len() { "," } else { "" })?;
    }
    writeln!(out, "],")?;
    writeln!(out, "\"summary\": {}}}", serde_json::to_string(summary)?)
}

/// Blocks the signals that end `grade` in this (still single-threaded)
/// process and gives them to a thread that notes them and passes them on
/// to the grading process (`child`, once started).
fn take_signals(interrupted: Arc<AtomicBool>, child: Arc<AtomicI32>) -> Result<(), Error> {
    let mut set = SigSet::empty();
    for s in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        set.add(s);
    }
    set.thread_block()
        .map_err(|e| Error::Environment(format!("cannot handle signals: {e}")))?;
    std::thread::Builder::new()
        .name("grade-batch-signals".into())
        .spawn(move || {
            while let Ok(sig) = set.wait() {
                interrupted.store(true, Ordering::SeqCst);
                let pid = child.load(Ordering::SeqCst);
                if pid > 0 {
                    let _ = signal::kill(nix::unistd::Pid::from_raw(pid), sig);
                }
            }
        })
        .map_err(|e| Error::Environment(format!("cannot handle signals: {e}")))?;
    Ok(())
}

/// Starts the grading process, keeps what it streams, writes the
/// gradebook: the exit status of the batch.
pub fn run(
    cfg: &BatchConfig,
    subs: &[Submission],
    columns: &[(crate::scenario::Question, f64)],
    fingerprint: &str,
    dest: Destination,
) -> Result<u8, Error> {
    use std::os::unix::process::ExitStatusExt;
    let env = |what: &str, e: std::io::Error| Error::Environment(format!("{what}: {e}"));
    let interrupted = Arc::new(AtomicBool::new(false));
    let child_pid = Arc::new(AtomicI32::new(0));
    take_signals(interrupted.clone(), child_pid.clone())?;
    let exe = std::env::current_exe().map_err(|e| env("cannot find grade itself", e))?;
    let mut child = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .arg("--rows-out")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| env("cannot start the grading process", e))?;
    child_pid.store(child.id() as i32, Ordering::SeqCst);
    let mut got = Collector::new().map_err(|e| env("cannot create a spool file", e))?;
    if let Some(out) = child.stdout.take() {
        for line in std::io::BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            take_line(&mut got, &line, cfg.format);
        }
    }
    let status = child.wait().map_err(|e| env("the grading process", e))?;
    let stopped = interrupted.load(Ordering::SeqCst)
        || status.signal().is_some()
        || status.code() == Some(crate::world::interrupt::EXIT_STATUS);
    match status.code() {
        _ if stopped => {}
        Some(c) if c == i32::from(exit::PASS) || c == i32::from(exit::ENVIRONMENT) => {}
        // Bad usage found by the grading process: it said so.
        Some(c) => return Ok(u8::try_from(c).unwrap_or(exit::ENVIRONMENT)),
        None => {}
    }
    if stopped {
        not_graded(&mut got, cfg, subs, columns);
    }
    let summary = got.write(cfg, columns, fingerprint, dest)?;
    Ok(if stopped {
        crate::world::interrupt::EXIT_STATUS as u8
    } else if summary.errors > 0 {
        exit::ENVIRONMENT
    } else {
        exit::PASS
    })
}

/// One line of the grading process: a student's `{"gradebook": ROW,
/// "report": REPORT}`, or `{"cached": N}` at the end.
fn take_line(got: &mut Collector, line: &str, format: gradebook::Format) {
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(line) else {
        return;
    };
    if let Some(n) = v["cached"].as_u64() {
        got.cached = n as usize;
        return;
    }
    if let Ok(row) = serde_json::from_value::<Row>(v["gradebook"].take()) {
        got.add(row, &v["report"], format);
    }
}

/// The students the interrupted batch did not reach: `not-graded` rows.
fn not_graded(
    got: &mut Collector,
    cfg: &BatchConfig,
    subs: &[Submission],
    columns: &[(crate::scenario::Question, f64)],
) {
    let lang = &cfg.grading.lang;
    let note = lang.msg(&Msg::new("batch-interrupted-row"));
    let mut left = 0;
    for who in subs.iter().flat_map(|s| &s.members) {
        if !got.has(&who.id) {
            left += 1;
            let row = Row::not_graded(who.clone(), columns, RowStatus::NotGraded, note.clone());
            got.add(row, &serde_json::Value::Null, cfg.format);
        }
    }
    eprintln!(
        "grade: {}",
        lang.msg(&Msg::new("batch-interrupted").arg("n", left))
    );
}
