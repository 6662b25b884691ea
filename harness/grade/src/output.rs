//! Where reports go (`--output FILE`, `--report FORMAT=FILE`): checked
//! before grading, written after. A file is replaced whole or not at all:
//! the report goes to a temporary file in the target's folder, opened before
//! grading (an unwritable folder is a usage error then, not after minutes of
//! grading), renamed over the target at the end. An existing report is never
//! truncated by a run that fails. Devices and pipes (`/dev/stdout`) are
//! written in place.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A report format (`--format`, `--report FORMAT=FILE`): the names are the
/// contract of DESIGN.md and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The terminal report.
    Human,
    /// The contract of DESIGN.md.
    Json,
    /// JUnit XML (GitLab, Jenkins).
    Junit,
    /// Gradescope's results.json.
    Gradescope,
    /// PrairieLearn's results.json.
    Prairielearn,
    /// The human report, then Autolab's scores line.
    Autolab,
    /// GitHub Classroom's runner result (base64), also `result=` in $GITHUB_OUTPUT.
    Classroom,
    /// TAP version 13.
    Tap,
    /// GitHub Actions annotations.
    Github,
    /// A Markdown table (GitHub's step summary).
    Markdown,
    /// One self-contained page, each transcript drawn.
    Html,
}

impl Format {
    pub const ALL: [Format; 11] = [
        Format::Human,
        Format::Json,
        Format::Junit,
        Format::Gradescope,
        Format::Prairielearn,
        Format::Autolab,
        Format::Classroom,
        Format::Tap,
        Format::Github,
        Format::Markdown,
        Format::Html,
    ];

    /// The format's name on the command line and for `report::by_name`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Gradescope => "gradescope",
            Format::Prairielearn => "prairielearn",
            Format::Autolab => "autolab",
            Format::Classroom => "classroom",
            Format::Tap => "tap",
            Format::Github => "github",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }

    /// The format named `s`, or the usage error that says which exist.
    pub fn parse(s: &str) -> Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("unknown format `{s}` (one of: {})", names.join(", "))
            })
    }

    /// Its reporter.
    pub fn reporter(self) -> Box<dyn crate::report::Reporter> {
        crate::report::by_name(self.name())
            .expect("every format has a reporter (`every_format_has_its_reporter`)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Bad usage: the path cannot receive a report.
    #[error("{flag}{}: {reason}", path.display())]
    Unwritable {
        flag: String,
        path: PathBuf,
        reason: String,
    },
    /// Writing failed after grading (disk full…).
    #[error("failed to write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

/// A report's destination, ready to receive it.
#[derive(Debug)]
pub enum Destination {
    Stdout,
    /// A regular file (or none yet): written to `tmp`, renamed to `path`.
    Replace {
        path: PathBuf,
        tmp: tempfile::NamedTempFile,
        _tracked: crate::world::interrupt::Tracked,
    },
    /// Not a regular file (a device, a pipe): written in place.
    InPlace {
        path: PathBuf,
    },
}

/// Checks that `path` (`-` or none: standard output) can receive a report,
/// without touching what is there. `flag` names the option in messages,
/// before the path (`--output `, `--report junit=`).
pub fn open(path: Option<&Path>, flag: &str) -> Result<Destination, OutputError> {
    let Some(path) = path.filter(|p| p.as_os_str() != "-") else {
        return Ok(Destination::Stdout);
    };
    let bad = |reason: String| OutputError::Unwritable {
        flag: flag.to_string(),
        path: path.to_path_buf(),
        reason,
    };
    if path.as_os_str().is_empty() {
        return Err(bad("no file name".into()));
    }
    // Through a symbolic link, the file it names is the one replaced.
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    match std::fs::metadata(&target) {
        Ok(m) if m.is_dir() => return Err(bad("is a directory".into())),
        Ok(m) if !m.is_file() => {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .map_err(|e| bad(format!("cannot be written: {e}")))?;
            return Ok(Destination::InPlace { path: target });
        }
        Ok(m) if m.permissions().readonly() => return Err(bad("is read-only".into())),
        _ => {}
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(bad(format!("no such directory: {}", dir.display())));
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| bad(format!("cannot write in {}: {e}", dir.display())))?;
    let _tracked = crate::world::interrupt::track_file(tmp.path());
    Ok(Destination::Replace {
        path: target,
        tmp,
        _tracked,
    })
}

impl Destination {
    /// Writes the report with `write`, then puts it in place.
    pub fn write(
        self,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), OutputError> {
        match self {
            Destination::Stdout => {
                let mut out = io::stdout().lock();
                write(&mut out)
                    .and_then(|()| out.flush())
                    .map_err(|source| OutputError::Write {
                        path: "standard output".into(),
                        source,
                    })
            }
            Destination::InPlace { path } => {
                let err = |source| OutputError::Write {
                    path: path.clone(),
                    source,
                };
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .map_err(err)?;
                write(&mut f).and_then(|()| f.flush()).map_err(err)
            }
            Destination::Replace {
                path,
                mut tmp,
                _tracked,
            } => {
                let err = |source| OutputError::Write {
                    path: path.clone(),
                    source,
                };
                let mut buf = io::BufWriter::new(tmp.as_file_mut());
                write(&mut buf).and_then(|()| buf.flush()).map_err(err)?;
                drop(buf);
                // The mode of the report it replaces, or of a new file
                // (NamedTempFile makes it 0600).
                match std::fs::metadata(&path) {
                    Ok(m) => tmp.as_file().set_permissions(m.permissions()),
                    Err(_) => set_mode_like_new(&tmp),
                }
                .map_err(err)?;
                tmp.persist(&path).map_err(|e| err(e.error))?;
                Ok(())
            }
        }
    }
}

/// Gives the report the permissions `File::create` would: 0666 less the umask.
fn set_mode_like_new(tmp: &tempfile::NamedTempFile) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // SAFETY: umask only swaps the process's mask; it is put back at once.
    let mask = unsafe {
        let m = libc::umask(0o022);
        libc::umask(m);
        m
    };
    let mode = 0o666 & !(mask as u32);
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_its_reporter() {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names, crate::report::FORMATS);
        for f in Format::ALL {
            assert!(crate::report::by_name(f.name()).is_some(), "{f:?}");
            let v = clap::ValueEnum::to_possible_value(&f).unwrap();
            assert_eq!(v.get_name(), f.name(), "the command line's name");
        }
        assert!(Format::parse("yaml")
            .unwrap_err()
            .starts_with("unknown format `yaml` (one of: human, json"));
    }

    fn text(d: &Destination) -> &'static str {
        match d {
            Destination::Stdout => "stdout",
            Destination::Replace { .. } => "replace",
            Destination::InPlace { .. } => "in-place",
        }
    }

    #[test]
    fn an_existing_report_is_untouched_until_replaced_whole() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("r.json");
        std::fs::write(&f, "old").unwrap();
        let dest = open(Some(&f), "--output ").unwrap();
        assert_eq!(text(&dest), "replace");
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "old");
        // Dropped without writing (the run failed): the old report stays,
        // and no temporary file is left.
        drop(dest);
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "old");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
        open(Some(&f), "--output ")
            .unwrap()
            .write(|w| w.write_all(b"new"))
            .unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "new");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn through_a_link_the_file_it_names_is_replaced() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("real.json");
        let link = d.path().join("link.json");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        open(Some(&link), "--output ")
            .unwrap()
            .write(|w| w.write_all(b"new"))
            .unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn what_cannot_receive_a_report_is_refused_before_grading() {
        let d = tempfile::tempdir().unwrap();
        let refused = |p: &Path| open(Some(p), "--report junit=").unwrap_err().to_string();
        let m = refused(&d.path().join("no/such/dir/r.json"));
        assert!(
            m.starts_with("--report junit=/") && m.contains("no such directory"),
            "{m}"
        );
        assert!(refused(d.path()).contains("is a directory"));
        assert!(refused(Path::new("")).contains("no file name"));
        let ro = d.path().join("ro.json");
        std::fs::write(&ro, "kept").unwrap();
        let mut perm = std::fs::metadata(&ro).unwrap().permissions();
        perm.set_readonly(true);
        std::fs::set_permissions(&ro, perm).unwrap();
        assert!(refused(&ro).contains("is read-only"));
        assert_eq!(std::fs::read_to_string(&ro).unwrap(), "kept");
        assert_eq!(
            text(&open(Some(Path::new("-")), "--output ").unwrap()),
            "stdout"
        );
        assert_eq!(text(&open(None, "--output ").unwrap()), "stdout");
        assert_eq!(
            text(&open(Some(Path::new("/dev/null")), "--output ").unwrap()),
            "in-place"
        );
    }
}
