//! External tools the tests use (xmllint, socat, nc, setpriv…): the one
//! place that applies the developers' rule (README, "On a fresh machine").
//! A tool that is absent skips the check that needs it, saying
//! `skipped: install PACKAGE`, so that `cargo test` passes on a fresh clone
//! with only the Rust toolchain, python3 and cc; under `CI=true` an absent
//! tool fails the test instead, since `.ci/run` installs every one of them.
//!
//! Used as `crate::refutil::tools` (it depends on nothing else of `refutil`).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The tool `name` (from the Debian package `package`), or `None` after
/// printing `skipped: install PACKAGE` when it is absent outside CI.
/// Under `CI=true`, an absent tool panics: CI must not skip.
#[track_caller]
pub fn require(name: &str, package: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH");
    let ci = std::env::var_os("CI");
    match decide(name, package, path.as_deref(), ci.as_deref()) {
        Found::Here(p) => Some(p),
        Found::Skip(msg) => {
            eprintln!("{msg}");
            None
        }
        Found::Fail(msg) => panic!("{msg}"),
    }
}

/// The rule for what is not one executable on the PATH (a Python module,
/// several tools at once): `present`, or else `false` after printing
/// `WHAT not found: skipped: install INSTALL`; under `CI=true` a panic.
#[track_caller]
pub fn require_that(present: bool, what: &str, install: &str) -> bool {
    if present {
        return true;
    }
    match absent(what, install, std::env::var_os("CI").as_deref()) {
        Found::Skip(msg) => {
            eprintln!("{msg}");
            false
        }
        Found::Fail(msg) => panic!("{msg}"),
        Found::Here(_) => unreachable!("absent() finds nothing"),
    }
}

/// The first executable `name` on the PATH, saying nothing when there is none.
pub fn on_path(name: &str) -> Option<PathBuf> {
    lookup(name, std::env::var_os("PATH").as_deref())
}

/// What `require` does, given the environment: a pure function, tested below.
#[derive(Debug, PartialEq)]
enum Found {
    Here(PathBuf),
    Skip(String),
    Fail(String),
}

fn decide(name: &str, package: &str, path: Option<&OsStr>, ci: Option<&OsStr>) -> Found {
    match lookup(name, path) {
        Some(p) => Found::Here(p),
        None => absent(name, package, ci),
    }
}

/// `name` is absent: skip, or fail under CI.
fn absent(name: &str, package: &str, ci: Option<&OsStr>) -> Found {
    if ci.is_some_and(|v| v == "true" || v == "1") {
        Found::Fail(format!(
            "{name} not found under CI=true: install {package} (.ci/run does), CI does not skip"
        ))
    } else {
        Found::Skip(format!("{name} not found: skipped: install {package}"))
    }
}

/// The first executable file called `name` on `path`.
fn lookup(name: &str, path: Option<&OsStr>) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder holding one executable `tool`, and one without it.
    fn dirs() -> (tempfile::TempDir, tempfile::TempDir) {
        use std::os::unix::fs::PermissionsExt;
        let with = tempfile::tempdir().unwrap();
        let tool = with.path().join("tool");
        std::fs::write(&tool, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        (with, tempfile::tempdir().unwrap())
    }

    #[test]
    fn a_tool_on_the_path_is_found() {
        let (with, without) = dirs();
        let path = std::env::join_paths([without.path(), with.path()]).unwrap();
        assert_eq!(
            decide("tool", "pkg", Some(&path), Some(OsStr::new("true"))),
            Found::Here(with.path().join("tool"))
        );
    }

    #[test]
    fn an_absent_tool_skips_off_ci_and_fails_on_ci() {
        let (_with, without) = dirs();
        let path = without.path().as_os_str();
        assert_eq!(
            decide("tool", "pkg", Some(path), None),
            Found::Skip("tool not found: skipped: install pkg".into())
        );
        assert!(matches!(
            decide("tool", "pkg", Some(path), Some(OsStr::new("false"))),
            Found::Skip(_)
        ));
        assert!(matches!(
            decide("tool", "pkg", Some(path), Some(OsStr::new("true"))),
            Found::Fail(m) if m.contains("install pkg")
        ));
        assert!(matches!(decide("tool", "pkg", None, None), Found::Skip(_)));
    }

    #[test]
    fn a_file_that_is_not_executable_is_not_the_tool() {
        let (_with, without) = dirs();
        std::fs::write(without.path().join("tool"), "").unwrap();
        assert!(matches!(
            decide("tool", "pkg", Some(without.path().as_os_str()), None),
            Found::Skip(_)
        ));
    }
}
