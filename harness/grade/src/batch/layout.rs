//! `grade batch --layout FILE`: where each question's programs are in a
//! student's folder, when the discovery rule cannot tell (a course whose
//! files are named `tp1_ex1.py`). A TOML table per question, each role a
//! list of globs matched against the paths of the student's files (relative
//! to their folder; `*` matches any characters, `/` included):
//!
//! ```toml
//! [q1]
//! server = ["ex1.py", "*/ex1.py"]
//! [q3]
//! server = ["ex3_s*.py"]
//! client = ["ex3_c*.py"]
//! ```
//!
//! A role the file names is found by its globs only; the roles and
//! questions it does not name, by the discovery rule.

use crate::discovery::Slot;
use crate::glob;
use crate::scenario::{Question, Side};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoles {
    #[serde(default)]
    server: Option<Vec<String>>,
    #[serde(default)]
    client: Option<Vec<String>>,
}

/// The checked layout: globs per question and role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    roles: BTreeMap<Question, [Option<Vec<String>>; 2]>,
}

impl Layout {
    /// Reads `file`; a bad one is a usage error that names it (and the line).
    pub fn load(file: &Path) -> Result<Layout, String> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("--layout {}: {e}", file.display()))?;
        Layout::parse(&text).map_err(|e| format!("--layout {}: {e}", file.display()))
    }

    pub fn parse(text: &str) -> Result<Layout, String> {
        let raw: BTreeMap<String, RawRoles> = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut roles = BTreeMap::new();
        for (name, r) in raw {
            let q = Question::ALL
                .into_iter()
                .find(|q| q.name() == name)
                .ok_or_else(|| format!("`{name}` is not a question (q1, q2, q3, q4)"))?;
            for (side, globs) in [(Side::Server, &r.server), (Side::Client, &r.client)] {
                if globs.is_some() && !crate::discovery::questions_of_role(side).contains(&q) {
                    return Err(format!("{name} has no {} program", side.name()));
                }
            }
            roles.insert(q, [r.server, r.client]);
        }
        Ok(Layout { roles })
    }

    /// The discovery rule's `slots`, with what this layout says instead
    /// where it says something (`files`: the student's files).
    pub fn apply(&self, files: &[String], slots: &mut BTreeMap<Question, Slot>) {
        for (q, [server, client]) in &self.roles {
            let slot = slots.entry(*q).or_default();
            let matching = |globs: &Vec<String>| -> Vec<String> {
                files
                    .iter()
                    .filter(|f| globs.iter().any(|g| glob(g, f)))
                    .cloned()
                    .collect()
            };
            if let Some(g) = server {
                slot.server = matching(g);
            }
            if let Some(g) = client {
                slot.client = matching(g);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_replace_the_rule_for_the_roles_they_name() {
        let l =
            Layout::parse("[q1]\nserver = [\"*ex1.py\"]\n[q2]\nclient = [\"ex2*.py\"]\n").unwrap();
        let files: Vec<String> = ["tp/ex1.py", "ex2.py", "ex2_old.py", "serveur.py"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut slots = crate::discovery::discover(&files, &[]);
        l.apply(&files, &mut slots);
        assert_eq!(slots[&Question::Q1].server, ["tp/ex1.py"]);
        assert_eq!(slots[&Question::Q2].client, ["ex2.py", "ex2_old.py"]);
        // q3's server is still the rule's.
        assert_eq!(slots[&Question::Q3].server, ["serveur.py"]);
    }

    #[test]
    fn a_bad_layout_says_what_is_wrong() {
        assert!(Layout::parse("[q5]\nserver = []\n")
            .unwrap_err()
            .contains("not a question"));
        assert!(Layout::parse("[q1]\nclient = [\"a\"]\n")
            .unwrap_err()
            .contains("q1 has no client"));
        assert!(Layout::parse("[q1]\nserveur = [\"a\"]\n")
            .unwrap_err()
            .contains("unknown field"));
    }
}
