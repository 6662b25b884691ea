//! `grade batch`, first step: who the students of a class folder are and
//! where each one's files lie, from the layouts instructors get:
//! - Moodle's "download all submissions": `Full Name_12345_assignsubmission_file_/`
//!   (12345 is Moodle's participant number: "Participant 12345");
//! - Gradescope's export: `submission_metadata.yml` beside `submission_N/`
//!   (YAML with Ruby-symbol keys; a group submission has several submitters);
//! - `gh classroom clone student-repos`: one repository per student, named
//!   `ASSIGNMENT-LOGIN`;
//! - else one folder or archive (.zip, .tar.gz) per student, named after them.
//!
//! Hidden entries and loose files that are not archives are not students.

use super::archive::Kind;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Who a student is, as the layout says.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Identity {
    /// The student's key in the gradebook: Moodle's participant number,
    /// Gradescope's SID (else email, else name), the GitHub login, or the
    /// folder's name.
    pub id: String,
    /// Full name where the layout has one, else the same as `id`.
    pub name: String,
    pub email: Option<String>,
    /// Moodle's grading worksheet identifier (`Participant 12345`).
    pub identifier: Option<String>,
}

/// Where a submission's files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Folder(PathBuf),
    Archive(PathBuf, Kind),
}

/// One submission: its files and the students who handed it in (several
/// for a Gradescope group submission: one row each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub members: Vec<Identity>,
    pub source: Source,
}

/// Which layout a class folder has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Moodle,
    Gradescope,
    Classroom,
    Folders,
}

/// The file of Gradescope's export that names each submission's students.
pub const GRADESCOPE_METADATA: &str = "submission_metadata.yml";

/// The submissions of class folder `dir`, sorted by their first member's
/// id; `Err` when the folder (or Gradescope's metadata) cannot be read.
pub fn find(dir: &Path) -> Result<(Layout, Vec<Submission>), String> {
    let meta = dir.join(GRADESCOPE_METADATA);
    if meta.is_file() {
        return gradescope(dir, &meta).map(|s| (Layout::Gradescope, s));
    }
    let entries = entries(dir)?;
    let moodle = entries.iter().any(|(name, _)| moodle_name(name).is_some());
    let classroom = !moodle
        && !entries.is_empty()
        && entries
            .iter()
            .all(|(_, s)| matches!(s, Source::Folder(p) if p.join(".git").exists()));
    let prefix = if classroom {
        classroom_prefix(dir, entries.iter().map(|(n, _)| n.as_str()))
    } else {
        String::new()
    };
    let mut out: Vec<Submission> = entries
        .into_iter()
        .filter_map(|(name, source)| {
            let who = match moodle_name(&name) {
                Some(m) => m?,
                None if moodle => return None,
                None => plain(name.strip_prefix(&prefix).unwrap_or(&name)),
            };
            Some(Submission {
                members: vec![who],
                source,
            })
        })
        .collect();
    out.sort_by(|a, b| a.members[0].id.cmp(&b.members[0].id));
    let layout = match (moodle, classroom) {
        (true, _) => Layout::Moodle,
        (_, true) => Layout::Classroom,
        _ => Layout::Folders,
    };
    Ok((layout, out))
}

/// The folder's entries that may be a student's: folders and archives,
/// not hidden, by name.
fn entries(dir: &Path) -> Result<Vec<(String, Source)>, String> {
    let read = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for e in read.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(kind) = e.file_type() else { continue };
        if name.starts_with('.') {
            continue;
        }
        let path = e.path();
        if kind.is_dir() {
            out.push((name, Source::Folder(path)));
        } else if let (true, Some(k)) = (kind.is_file(), Kind::of(&path)) {
            out.push((Kind::stem(&path), Source::Archive(path, k)));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// A student known by a name only.
fn plain(name: &str) -> Identity {
    Identity {
        id: name.to_string(),
        name: name.to_string(),
        ..Identity::default()
    }
}

/// Moodle's `Full Name_12345_assignsubmission_file_`: `Some(Some(who))`;
/// `Some(None)` for a Moodle folder that holds no files (the online text
/// of the same student); `None` when the name is not Moodle's.
fn moodle_name(name: &str) -> Option<Option<Identity>> {
    let (head, plugin) = name.rsplit_once("_assignsubmission_")?;
    let (full, number) = head.rsplit_once('_')?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !plugin.trim_end_matches('_').eq_ignore_ascii_case("file") {
        return Some(None);
    }
    Some(Some(Identity {
        id: number.to_string(),
        name: full.to_string(),
        email: None,
        identifier: Some(format!("Participant {number}")),
    }))
}

/// The `ASSIGNMENT-` before each login: from the folder's own name when
/// it is `gh classroom clone`'s `ASSIGNMENT-submissions` (logins may share
/// a prefix of their own, `user-01`, `user-02`), else the names' common one.
fn classroom_prefix<'a>(dir: &Path, names: impl Iterator<Item = &'a str> + Clone) -> String {
    let own = dir
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix("-submissions"))
        .map(|a| format!("{a}-"));
    match own {
        Some(p)
            if names
                .clone()
                .all(|n| n.len() > p.len() && n.starts_with(&p)) =>
        {
            p
        }
        _ => common_prefix(names),
    }
}

/// The longest prefix ending in `-` that every name shares (Classroom's
/// `ASSIGNMENT-`), when there are at least two names and none is left empty.
fn common_prefix<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    let [first, rest @ ..] = names.as_slice() else {
        return String::new();
    };
    if rest.is_empty() {
        return String::new();
    }
    let mut len = first.len();
    for n in rest {
        len = first
            .bytes()
            .zip(n.bytes())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count();
    }
    let shared = &first[..len];
    match shared.rfind('-') {
        Some(k) if names.iter().all(|n| n.len() > k + 1) => shared[..=k].to_string(),
        _ => String::new(),
    }
}

/// One submission of `submission_metadata.yml`: Ruby symbols as keys.
#[derive(Debug, Deserialize)]
struct GsSubmission {
    #[serde(rename = ":submitters", default)]
    submitters: Vec<GsSubmitter>,
}

#[derive(Debug, Deserialize)]
struct GsSubmitter {
    #[serde(rename = ":name", default)]
    name: Option<String>,
    #[serde(rename = ":sid", default)]
    sid: Option<serde_norway::Value>,
    #[serde(rename = ":email", default)]
    email: Option<String>,
}

/// Gradescope's export: every `submission_N` the metadata names, with
/// its folder (or archive) beside it; one member per submitter.
fn gradescope(dir: &Path, meta: &Path) -> Result<Vec<Submission>, String> {
    let text = std::fs::read_to_string(meta).map_err(|e| format!("{}: {e}", meta.display()))?;
    let subs: BTreeMap<String, GsSubmission> =
        serde_norway::from_str(&text).map_err(|e| format!("{}: {e}", meta.display()))?;
    let mut out = Vec::new();
    for (key, sub) in subs {
        let folder = dir.join(&key);
        let source = if folder.is_dir() {
            Source::Folder(folder)
        } else if let Some((path, kind)) = ["zip", "tar.gz"].iter().find_map(|ext| {
            let p = dir.join(format!("{key}.{ext}"));
            Kind::of(&p).filter(|_| p.is_file()).map(|k| (p, k))
        }) {
            Source::Archive(path, kind)
        } else {
            // Named by the metadata, absent: an empty submission.
            Source::Folder(folder)
        };
        let mut members: Vec<Identity> = sub.submitters.iter().map(submitter).collect();
        if members.is_empty() {
            members.push(plain(&key));
        }
        out.push(Submission { members, source });
    }
    out.sort_by(|a, b| a.members[0].id.cmp(&b.members[0].id));
    Ok(out)
}

fn submitter(s: &GsSubmitter) -> Identity {
    let sid = s.sid.as_ref().and_then(|v| match v {
        serde_norway::Value::String(t) => Some(t.clone()),
        serde_norway::Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let name = s.name.clone().unwrap_or_default();
    let id = sid
        .filter(|t| !t.is_empty())
        .or_else(|| s.email.clone())
        .unwrap_or_else(|| name.clone());
    Identity {
        name: if name.is_empty() { id.clone() } else { name },
        id,
        email: s.email.clone(),
        identifier: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn moodle_names_give_the_participant() {
        let who = moodle_name("Élodie Martin_12345_assignsubmission_file_")
            .unwrap()
            .unwrap();
        assert_eq!(who.id, "12345");
        assert_eq!(who.name, "Élodie Martin");
        assert_eq!(who.identifier.as_deref(), Some("Participant 12345"));
        assert_eq!(
            moodle_name("Bob_7_assignsubmission_onlinetext_"),
            Some(None)
        );
        assert_eq!(moodle_name("alice"), None);
        assert_eq!(moodle_name("x_y_assignsubmission_file_"), None);
    }

    #[test]
    fn classroom_logins_follow_the_assignments_name() {
        let names = ["chat-lab-alice", "chat-lab-bob", "chat-lab-bo"];
        assert_eq!(common_prefix(names.into_iter()), "chat-lab-");
        assert_eq!(common_prefix(["chat-lab-alice"].into_iter()), "");
        assert_eq!(common_prefix(["a-x", "b-x"].into_iter()), "");
    }

    #[test]
    fn a_class_of_folders_and_archives() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("bob")).unwrap();
        fs::write(d.path().join("alice.zip"), b"").unwrap();
        fs::write(d.path().join("notes.txt"), b"").unwrap();
        fs::create_dir(d.path().join(".cache")).unwrap();
        let (layout, subs) = find(d.path()).unwrap();
        assert_eq!(layout, Layout::Folders);
        let ids: Vec<&str> = subs.iter().map(|s| s.members[0].id.as_str()).collect();
        assert_eq!(ids, ["alice", "bob"]);
        assert!(matches!(subs[0].source, Source::Archive(_, Kind::Zip)));
    }

    #[test]
    fn gradescope_metadata_with_ruby_symbols_and_a_group() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("submission_101")).unwrap();
        fs::create_dir(d.path().join("submission_102")).unwrap();
        let meta = r#"
submission_101:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1001'
    :email: ada@example.edu
  :created_at: 2024-03-01 10:00:00.000000000 -05:00
  :score: !ruby/object:BigDecimal 18:0.8e1
  :status: processed
submission_102:
  :submitters:
  - :name: Alan Turing
    :sid: 1002
    :email: alan@example.edu
  - :name: Grace Hopper
    :sid:
    :email: grace@example.edu
"#;
        fs::write(d.path().join(GRADESCOPE_METADATA), meta).unwrap();
        let (layout, subs) = find(d.path()).unwrap();
        assert_eq!(layout, Layout::Gradescope);
        assert_eq!(subs.len(), 2);
        assert_eq!(subs[0].members[0].id, "1001");
        assert_eq!(subs[0].members[0].name, "Ada Lovelace");
        let group: Vec<&str> = subs[1].members.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(group, ["1002", "grace@example.edu"]);
        assert_eq!(
            subs[1].source,
            Source::Folder(d.path().join("submission_102"))
        );
    }

    #[test]
    fn a_moodle_download() {
        let d = tempfile::tempdir().unwrap();
        for n in [
            "Zoé Roux_20_assignsubmission_file_",
            "Zoé Roux_20_assignsubmission_onlinetext_",
            "Abel Bon_31_assignsubmission_file_",
        ] {
            fs::create_dir(d.path().join(n)).unwrap();
        }
        let (layout, subs) = find(d.path()).unwrap();
        assert_eq!(layout, Layout::Moodle);
        let ids: Vec<&str> = subs.iter().map(|s| s.members[0].id.as_str()).collect();
        assert_eq!(ids, ["20", "31"]);
    }

    #[test]
    fn a_classroom_clone_named_by_gh() {
        let d = tempfile::tempdir().unwrap();
        let class = d.path().join("chat-lab-submissions");
        for n in ["chat-lab-user-01", "chat-lab-user-02"] {
            fs::create_dir_all(class.join(n).join(".git")).unwrap();
        }
        let (_, subs) = find(&class).unwrap();
        assert_eq!(subs[0].members[0].id, "user-01");
    }

    #[test]
    fn a_classroom_clone() {
        let d = tempfile::tempdir().unwrap();
        for n in ["chat-lab-alice", "chat-lab-bob"] {
            fs::create_dir_all(d.path().join(n).join(".git")).unwrap();
        }
        let (layout, subs) = find(d.path()).unwrap();
        assert_eq!(layout, Layout::Classroom);
        assert_eq!(subs[1].members[0].id, "bob");
    }
}
