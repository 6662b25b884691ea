//! `grade batch DIR`: a whole class in one run. Each submission of the
//! class folder (`students`: its layout says who) is made a folder
//! (`archive`: extracted with bounds), its programs found by the discovery
//! rule (or `--layout`), planned and graded exactly as `grade --submission`
//! grades one folder (`submission_dir::plan`) or given back by the cache
//! (`cache`), its report written as soon as its last scenario is judged,
//! and its row (`gradebook`) streamed to the process that writes the
//! gradebook (`supervise`, which survives Ctrl-C). One student never stops
//! the batch: a submission that cannot be read or graded is a row that
//! says why.
//!
//! Students are graded a wave at a time (`WAVE` × `--jobs` submissions):
//! every program of a wave is prepared (Python's syntax check, C compiled)
//! before its scenarios run, since the reaper must not race with those
//! short-lived children; the wave's scenarios then share one pool of
//! `--jobs` threads. Memory stays bounded by a wave, whatever the class.

pub mod archive;
pub mod cache;
pub mod class_report;
pub mod gradebook;
pub mod layout;
pub mod merge;
pub mod progress;
pub mod shard;
pub mod students;
mod supervise;

use crate::msg::Msg;
use crate::prepare::{self, Workbench};
use crate::report::{Outcome, Reporter};
use crate::scenario::{Question, Scenario};
use crate::submission_dir::{self, Planned};
use crate::world::interrupt;
use crate::{discovery, execute, exit, glob, output, reporting, Config, Error};
use gradebook::{Row, RowStatus};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;
use students::{Identity, Source, Submission};

/// Submissions in a wave, per job.
const WAVE: usize = 4;

/// Archives inside a student's files extracted at most (a Moodle folder
/// holding the zip the student uploaded).
const NESTING: usize = 2;

/// Validated settings of `grade batch`.
#[derive(Debug, Clone)]
pub struct BatchConfig {
    pub dir: PathBuf,
    /// What every student's run shares: questions, `-s`, scenarios, points,
    /// language, jobs, deadlines, port.
    pub grading: Config,
    pub layout: Option<layout::Layout>,
    pub format: gradebook::Format,
    pub output: Option<PathBuf>,
    pub report_dir: Option<PathBuf>,
    /// `--shard K/N`: only the students of that part of the class.
    pub shard: Option<shard::Shard>,
    /// `--cache DIR` (`None`: `--no-cache`).
    pub cache: Option<PathBuf>,
    /// `--force`: every student graded again (and the cache refreshed).
    pub force: bool,
    /// `--anonymous`: no name in the class report.
    pub anonymous: bool,
    /// `--rows-out`: this is the grading process (`supervise`), which
    /// writes each student's row as a JSON line on standard output.
    pub rows_out: bool,
}

/// What every student's grading shares.
struct Batch<'a> {
    cfg: &'a BatchConfig,
    bench: Workbench,
    all: Vec<Scenario>,
    /// The gradebook's questions, each with the points it is worth.
    columns: Vec<(Question, f64)>,
    scratch: tempfile::TempDir,
    _tracked: interrupt::Tracked,
    progress: progress::Progress,
    cache: Option<cache::Cache>,
    /// Students whose row came from the cache.
    cached: AtomicUsize,
    names: Mutex<HashSet<String>>,
    /// How the class report links to `--report-dir`.
    href_base: String,
}

/// Grades the class; the exit status of DESIGN.md (0: every student
/// graded, their scores being data; 3: some rows are grader errors; 130:
/// interrupted, the gradebook of those graded written).
pub fn run(cfg: &BatchConfig) -> Result<u8, Error> {
    let usage = |m: String| Error::Usage(m);
    if !cfg.dir.is_dir() {
        return Err(usage(format!("{}: no such folder", cfg.dir.display())));
    }
    let (_, mut subs) = students::find(&cfg.dir).map_err(usage)?;
    if subs.is_empty() {
        return Err(usage(format!(
            "{}: no student's folder or archive (.zip, .tar.gz) in it",
            cfg.dir.display()
        )));
    }
    if let Some(sh) = cfg.shard {
        // A group stays together: the shard of its first member.
        subs.retain(|s| sh.holds(&s.members[0].id));
    }
    if cfg.rows_out {
        return grade_class(cfg, &subs);
    }
    let g = &cfg.grading;
    let all = prepare::load(g.scenario_dir.as_deref(), g.points.as_deref(), g.port)?;
    let (columns, fingerprint) = columns(&all, g);
    if columns.is_empty() {
        return Err(Error::Usage("no scenario to run: check -q / -s".into()));
    }
    let dest =
        output::open(cfg.output.as_deref(), "--output ").map_err(|e| usage(e.to_string()))?;
    if let Some(d) = &cfg.report_dir {
        std::fs::create_dir_all(d)
            .map_err(|e| usage(format!("--report-dir {}: {e}", d.display())))?;
    }
    supervise::run(cfg, &subs, &columns, &fingerprint, dest)
}

/// The grading process: every submission graded, wave after wave, each
/// student's row streamed on standard output; then how many rows came
/// from the cache.
fn grade_class(cfg: &BatchConfig, subs: &[Submission]) -> Result<u8, Error> {
    let b = Batch::new(cfg, subs.iter().map(|s| s.members.len()).sum())?;
    let wave = (WAVE * cfg.grading.jobs).max(1);
    for (w, subs) in subs.chunks(wave).enumerate() {
        b.wave(subs, w * wave);
    }
    b.progress.finish();
    let cached = b.cached.load(Ordering::SeqCst);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::json!({ "cached": cached }))?;
    out.flush()?;
    Ok(exit::PASS)
}

impl<'a> Batch<'a> {
    fn new(cfg: &'a BatchConfig, students: usize) -> Result<Batch<'a>, Error> {
        let g = &cfg.grading;
        let env =
            |e: std::io::Error| Error::Environment(format!("cannot create a scratch folder: {e}"));
        let scratch = tempfile::Builder::new()
            .prefix(&interrupt::scratch_prefix("grade-batch"))
            .tempdir()
            .map_err(env)?;
        let bench = Workbench::new(g.port, &sandbox_options(cfg, scratch.path()))?;
        let all = prepare::load(g.scenario_dir.as_deref(), g.points.as_deref(), g.port)?;
        let (columns, fingerprint) = columns(&all, g);
        if columns.is_empty() {
            return Err(Error::Usage("no scenario to run: check -q / -s".into()));
        }
        let _tracked = interrupt::track_dir(scratch.path());
        let cache = match &cfg.cache {
            Some(dir) => {
                let base = cache_base(cfg, &bench, &fingerprint);
                Some(cache::Cache::open(dir, &base).map_err(Error::Usage)?)
            }
            None => None,
        };
        Ok(Batch {
            cache,
            cached: AtomicUsize::new(0),
            progress: progress::Progress::new(students, &g.lang),
            cfg,
            bench,
            all,
            columns,
            scratch,
            _tracked,
            names: Mutex::new(HashSet::new()),
            href_base: href_base(cfg),
        })
    }

    /// One wave: every submission planned, then their scenarios run in one
    /// pool, each student finished as their last scenario is judged.
    fn wave(&self, subs: &[Submission], first: usize) {
        let mut runs = Vec::new();
        let mut owner = Vec::new();
        let mut pending: Vec<Mutex<Pending>> = Vec::new();
        for (k, sub) in subs.iter().enumerate() {
            let Some((mut planned, key)) = self.plan(sub, first + k) else {
                continue;
            };
            let n = planned.plan.runs.len();
            runs.append(&mut planned.plan.runs);
            owner.extend(std::iter::repeat_n(pending.len(), n));
            let p = Pending {
                sub,
                key,
                planned: Some(planned),
                ran: Vec::with_capacity(n),
                left: n,
                start: Instant::now(),
            };
            if n == 0 {
                let mut p = p;
                self.finish(&mut p);
            } else {
                pending.push(Mutex::new(p));
            }
        }
        let g = &self.cfg.grading;
        execute::execute_each(&runs, g.jobs, self.bench.isolation, &|_| {}, &|k, o| {
            let mut p = pending[owner[k]].lock().unwrap_or_else(|e| e.into_inner());
            p.ran.push(o);
            p.left -= 1;
            if p.left == 0 {
                self.finish(&mut p);
            }
        });
    }

    /// A submission made a folder and planned (with its key in the
    /// cache), or its rows recorded at once: from the cache, refused, or
    /// the grader's fault.
    fn plan(&self, sub: &Submission, k: usize) -> Option<(Planned, Option<String>)> {
        let lang = &self.cfg.grading.lang;
        let dir = match self.folder(sub, k) {
            Ok(d) => d,
            Err(refusal) => {
                let note = lang.msg(&refusal.msg());
                self.rows_not_graded(sub, RowStatus::Refused, note);
                return None;
            }
        };
        let found = submission_dir::files(&dir);
        let key = self.cache.as_ref().and_then(|c| c.key(&dir, &found));
        if let Some(entry) = key
            .as_ref()
            .filter(|_| !self.cfg.force)
            .and_then(|k| self.cache.as_ref()?.get(k))
        {
            self.cached.fetch_add(sub.members.len(), Ordering::SeqCst);
            self.rows_of(sub, &entry.row, &entry.report, entry.html.as_deref());
            return None;
        }
        let g = &self.cfg.grading;
        let mut slots = discovery::discover(&found, &g.questions);
        if let Some(l) = &self.cfg.layout {
            l.apply(&found, &mut slots);
        }
        let questions: Vec<Question> = self.columns.iter().map(|(q, _)| *q).collect();
        match submission_dir::plan(g, &dir, &questions, &slots, &found, &self.all, &self.bench) {
            Ok(mut p) => {
                // The class's folder is hidden from every program: this
                // student's is shown to theirs, read-only.
                for (_, rc) in &mut p.plan.runs {
                    if let Some(fs) = rc.sandbox.filesystem.as_mut() {
                        fs.visible.push(dir.clone());
                    }
                }
                Some((p, key))
            }
            Err(e) => {
                let note = lang.msg(&Msg::new("batch-error").arg("cause", e.to_string()));
                self.rows_not_graded(sub, RowStatus::Error, note);
                None
            }
        }
    }

    /// The folder of a submission's files: its own, or its archive
    /// extracted into the scratch space; one archive alone among files
    /// that hold no program is extracted in turn (`NESTING` deep).
    fn folder(&self, sub: &Submission, k: usize) -> Result<PathBuf, archive::Refusal> {
        let mut dir = match &sub.source {
            Source::Folder(p) => p.clone(),
            Source::Archive(p, kind) => self.extract(p, *kind, &format!("{k}"))?,
        };
        for level in 1..NESTING {
            let files = submission_dir::files(&dir);
            let programs = files
                .iter()
                .any(|f| f.ends_with(".py") || f.ends_with(".c"));
            let archives: Vec<&String> = files
                .iter()
                .filter(|f| archive::Kind::of(Path::new(f)).is_some())
                .collect();
            match archives.as_slice() {
                [one] if !programs => {
                    let path = dir.join(one);
                    let kind = archive::Kind::of(&path).expect("an archive's name");
                    dir = self.extract(&path, kind, &format!("{k}-{level}"))?;
                }
                _ => break,
            }
        }
        Ok(dir)
    }

    /// Extracts one archive into `scratch/NAME`; a single folder at its
    /// top is the student's folder (`alice.zip` holding `alice/…`).
    fn extract(
        &self,
        path: &Path,
        kind: archive::Kind,
        name: &str,
    ) -> Result<PathBuf, archive::Refusal> {
        let dest = self.scratch.path().join(name);
        std::fs::create_dir(&dest).map_err(|e| archive::Refusal::Io(e.to_string()))?;
        archive::extract(path, kind, &dest, archive::BOUNDS)?;
        let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(&dest)
            .map_err(|e| archive::Refusal::Io(e.to_string()))?
            .flatten()
            .filter(|e| !e.file_name().to_string_lossy().starts_with("__MACOSX"))
            .collect();
        match entries.as_slice() {
            [one] if one.file_type().is_ok_and(|t| t.is_dir()) => Ok(one.path()),
            _ => Ok(dest),
        }
    }

    /// A student whose last scenario is judged: their report built, kept
    /// in the cache (unless the grader failed), and their rows recorded.
    fn finish(&self, p: &mut Pending) {
        let Some(Planned { plan, programs }) = p.planned.take() else {
            return;
        };
        let one = Config {
            programs,
            ..self.cfg.grading.clone()
        };
        let note = self.bench.isolation_note(&one.lang);
        let ran = std::mem::take(&mut p.ran);
        let rep = reporting::build(&one, plan, ran, note, p.start.elapsed());
        let mut json = Vec::new();
        if crate::report::json::Json.write(&rep, &mut json).is_err() {
            json.clear();
        }
        let json = String::from_utf8_lossy(&json).into_owned();
        let html = self.cfg.report_dir.as_ref().map(|_| {
            let mut page = Vec::new();
            let _ = crate::report::html::Html.write(&rep, &mut page);
            String::from_utf8_lossy(&page).into_owned()
        });
        let Some(first) = p.sub.members.first() else {
            return;
        };
        let row = Row::graded(first.clone(), &rep, &self.columns);
        if let (Some(cache), Some(key)) = (&self.cache, &p.key) {
            if row.status != RowStatus::Error {
                let entry = cache::Entry {
                    row: row.clone(),
                    report: json.clone(),
                    html: html.clone(),
                };
                cache.put(key, &entry);
            }
        }
        self.rows_of(p.sub, &row, &json, html.as_deref());
    }

    /// The rows of a submission's members, from the row and JSON report of
    /// its grading; each member's report written under `--report-dir`.
    fn rows_of(&self, sub: &Submission, graded: &Row, json: &str, html: Option<&str>) {
        for who in &sub.members {
            let mut row = Row {
                student: who.clone(),
                report: None,
                html: None,
                ..graded.clone()
            };
            if let Err(e) = self.write_report(who, json, html, &mut row) {
                row.status = RowStatus::Error;
                row.note = self
                    .cfg
                    .grading
                    .lang
                    .msg(&Msg::new("batch-error").arg("cause", e));
            }
            self.record(row, Some(json));
        }
    }

    /// The student's own JSON report, `--report-dir/SAFE-ID.json`.
    /// The student's own reports, `--report-dir/SAFE-ID.json` and
    /// `SAFE-ID.html` (when there is a page).
    fn write_report(
        &self,
        who: &Identity,
        json: &str,
        html: Option<&str>,
        row: &mut Row,
    ) -> Result<(), String> {
        let Some(dir) = &self.cfg.report_dir else {
            return Ok(());
        };
        let base = self.safe_name(&who.id);
        let write = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
        };
        let name = format!("{base}.json");
        write(&name, json)?;
        row.report = Some(name);
        if let Some(page) = html {
            let name = format!("{base}.html");
            write(&name, page)?;
            row.html = Some(format!("{}{name}", self.href_base));
        }
        Ok(())
    }

    /// A file name for `id` that no other student of the batch has: ASCII
    /// letters, digits, `-`, `_` and `.` kept (not first), others `_`.
    fn safe_name(&self, id: &str) -> String {
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        let base = safe_base(id);
        let mut name = base.clone();
        let mut n = 1;
        while !names.insert(name.clone()) {
            n += 1;
            name = format!("{base}-{n}");
        }
        name
    }

    fn rows_not_graded(&self, sub: &Submission, status: RowStatus, note: String) {
        for who in &sub.members {
            let row = Row::not_graded(who.clone(), &self.columns, status, note.clone());
            self.record(row, None);
        }
    }

    /// Shows `row` and streams it, with the student's JSON report `json`,
    /// as one line on standard output (for `supervise`).
    /// The row is out before the progress says so: a row shown is in the
    /// gradebook, even if Ctrl-C comes next.
    fn record(&self, row: Row, json: Option<&str>) {
        let report = json
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or(serde_json::Value::Null);
        let line = serde_json::json!({"gradebook": &row, "report": report});
        {
            let mut out = std::io::stdout().lock();
            // The supervising process gone (it was interrupted): nobody to tell.
            let _ = writeln!(out, "{line}").and_then(|()| out.flush());
        }
        self.progress.student(&row);
    }
}

/// A student's grading under way: the scenarios still to be judged.
struct Pending<'s> {
    sub: &'s Submission,
    /// Its key in the cache, if there is one.
    key: Option<String>,
    planned: Option<Planned>,
    ran: Vec<Outcome>,
    left: usize,
    start: Instant,
}

/// What the class report's links to `--report-dir` start with: the
/// folder relative to the report's own when it lies inside it, else its
/// absolute path.
fn href_base(cfg: &BatchConfig) -> String {
    let Some(dir) = cfg.report_dir.as_ref().and_then(|d| d.canonicalize().ok()) else {
        return String::new();
    };
    let from = match &cfg.output {
        Some(o) => o.parent().map(Path::to_path_buf).unwrap_or_default(),
        None => PathBuf::from("."),
    };
    let from = if from.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        from
    };
    let rel = from
        .canonicalize()
        .ok()
        .and_then(|f| dir.strip_prefix(f).ok().map(Path::to_path_buf));
    let shown = rel.unwrap_or(dir).display().to_string();
    if shown.is_empty() {
        String::new()
    } else {
        format!("{shown}/")
    }
}

/// The batch's own part of every cache key: all that can change a result
/// besides the student's files.
fn cache_base(cfg: &BatchConfig, bench: &Workbench, fingerprint: &str) -> String {
    let g = &cfg.grading;
    format!(
        "grade {}\nscenarios {fingerprint}\nq {:?}\ns {:?}\ntimeout-scale {}\nlang {:?}\nport {}\nlayout {:?}\nisolation {:?}\nsandbox {:?}\n{}",
        env!("CARGO_PKG_VERSION"),
        g.questions,
        g.globs,
        g.timeout_scale,
        g.lang,
        g.port,
        cfg.layout,
        bench.isolation,
        bench.layers.report(),
        cache::python_version(),
    )
}

/// What the sandbox hides from every student's programs: the class's
/// folder (every other student's files), the batch's scratch folder (the
/// archives extracted), the cache, the gradebook and reports, besides what
/// a single run hides.
fn sandbox_options(cfg: &BatchConfig, scratch: &Path) -> prepare::SandboxOptions {
    let mut opts = cfg.grading.sandbox_options();
    opts.hide.extend(
        [
            Some(cfg.dir.clone()),
            Some(scratch.to_path_buf()),
            cfg.cache.clone(),
            cfg.report_dir.clone(),
            cfg.output.clone(),
        ]
        .into_iter()
        .flatten()
        .map(|p| std::path::absolute(&p).unwrap_or(p)),
    );
    opts
}

fn safe_base(id: &str) -> String {
    let mut s: String = id
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        s.insert(0, '_');
    }
    s
}

/// The gradebook's questions: those of `-q` (else all) that have some
/// scenario a student's programs run once `-s` is applied, each with
/// the points it is worth; and the fingerprint of those scenarios (FNV-1a
/// of what they are, points included, in id order).
fn columns(all: &[Scenario], g: &Config) -> (Vec<(Question, f64)>, String) {
    let graded: Vec<&Scenario> = all
        .iter()
        .filter(|s| g.questions.is_empty() || g.questions.contains(&s.question))
        .filter(|s| !s.programs.is_fixed())
        .filter(|s| g.globs.is_empty() || g.globs.iter().any(|p| glob(p, &s.id)))
        .collect();
    let columns = Question::ALL
        .into_iter()
        .filter_map(|q| {
            let worth: Vec<f64> = graded
                .iter()
                .filter(|s| s.question == q)
                .map(|s| s.points)
                .collect();
            (!worth.is_empty()).then(|| (q, crate::points::round2(worth.iter().sum())))
        })
        .collect();
    let mut described: Vec<(&str, String)> = graded
        .iter()
        .map(|s| (s.id.as_str(), format!("{s:?}")))
        .collect();
    described.sort();
    let text: String = described.into_iter().map(|(_, d)| d).collect();
    (columns, format!("{:016x}", shard::fnv1a64(text.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(safe_base("12345"), "12345");
        assert_eq!(safe_base("../../etc/passwd"), "_.._.._etc_passwd");
        assert_eq!(safe_base("Zoé Roux"), "Zo__Roux");
        assert_eq!(safe_base(".hidden"), "_.hidden");
        assert_eq!(safe_base(""), "_");
    }
}
