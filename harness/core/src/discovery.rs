//! Which file is which question: the one discovery rule that `grade`, the
//! CI templates and `grade batch` share. The lab has servers for q1, q3 and
//! q4 and clients for q2, q3 and q4, so `serveur.py` alone does not say
//! which question it answers. In order:
//! 1. a `q<N>` marker in the path: a folder `q3/`, or a word of the file's
//!    name (`serveur_q3.py`, `q3-client.c`, `TP1_Q4_serveur.py`), unless the
//!    questions given (`-q`) leave it out;
//! 2. else the questions given (`-q`);
//! 3. else every question for which the role makes sense (a server: q1, q3,
//!    q4; a client: q2, q3, q4).
//!
//! When a folder is searched (`discover`), two candidates for one role
//! of one question are "ambiguous" (the submission problem, with the
//! candidates found), never a silent guess.
//!
//! Pure: paths in, decisions out; reading folders is the caller's.

use crate::scenario::{Question, Side};
use std::collections::BTreeMap;

/// The question a path names by a marker, if one: the last one wins
/// (`q1/old/serveur_q3.py` is q3's).
pub fn marked_question(path: &str) -> Option<Question> {
    let mut found = None;
    for component in path.split(['/', '\\']) {
        // A folder named `q3`, or a word of a name: split on what is not
        // a letter or digit, and on the file's extension.
        let stem = component.rsplit_once('.').map_or(component, |(s, _)| s);
        for word in stem.split(|c: char| !c.is_ascii_alphanumeric()) {
            if let Some(q) = marker(word) {
                found = Some(q);
            }
        }
    }
    found
}

/// `q3`, `Q3`, `question3` as a whole word.
fn marker(word: &str) -> Option<Question> {
    let w = word.to_ascii_lowercase();
    let n = w.strip_prefix("question").or_else(|| w.strip_prefix('q'))?;
    match n {
        "1" => Some(Question::Q1),
        "2" => Some(Question::Q2),
        "3" => Some(Question::Q3),
        "4" => Some(Question::Q4),
        _ => None,
    }
}

/// The questions in which a program of `side` plays.
pub fn questions_of_role(side: Side) -> Vec<Question> {
    match side {
        Side::Server => vec![Question::Q1, Question::Q3, Question::Q4],
        Side::Client => vec![Question::Q2, Question::Q3, Question::Q4],
    }
}

/// How the questions of a program were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A `q<N>` marker in its path.
    Marked(Question),
    /// The questions given (`-q`), where its role plays.
    Given(Vec<Question>),
    /// Every question where its role plays.
    ByRole(Vec<Question>),
}

impl Found {
    pub fn questions(&self) -> Vec<Question> {
        match self {
            Found::Marked(q) => vec![*q],
            Found::Given(v) | Found::ByRole(v) => v.clone(),
        }
    }
}

/// The questions a program of `side` at `path` answers (rule 1, 2, 3).
/// Questions given that leave the marked one out win over the marker: the
/// program named on the command line is graded as it says (`-q q4` on
/// `q3_server.py`: a q3 program handed in for q4).
pub fn questions_for(path: &str, side: Side, given: &[Question]) -> Found {
    if let Some(q) = marked_question(path).filter(|q| given.is_empty() || given.contains(q)) {
        return Found::Marked(q);
    }
    let role = questions_of_role(side);
    if !given.is_empty() {
        return Found::Given(given.iter().copied().filter(|q| role.contains(q)).collect());
    }
    Found::ByRole(role)
}

/// The role a file's name says, if any: `serveur`, `server`, `srv` for a
/// server; `client`, `cli` for a client (a word of the name, any case).
pub fn role_of(path: &str) -> Option<Side> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = name
        .rsplit_once('.')
        .map_or(name, |(s, _)| s)
        .to_ascii_lowercase();
    let words: Vec<&str> = stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |names: &[&str]| {
        words.iter().any(|w| {
            names.iter().any(|n| {
                *w == *n || (w.starts_with(n) && w[n.len()..].chars().all(|c| c.is_ascii_digit()))
            })
        })
    };
    let server = has(&["serveur", "server", "srv", "serv"]);
    let client = has(&["client", "cli", "clt"]);
    match (server, client) {
        (true, false) => Some(Side::Server),
        (false, true) => Some(Side::Client),
        _ => None,
    }
}

/// What a folder holds for one question.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Slot {
    /// Candidates for the server and for the client (sorted paths).
    pub server: Vec<String>,
    pub client: Vec<String>,
}

impl Slot {
    fn of(&mut self, side: Side) -> &mut Vec<String> {
        match side {
            Side::Server => &mut self.server,
            Side::Client => &mut self.client,
        }
    }

    /// The one program of `side`, or `Err` with every candidate (none, or
    /// several: ambiguous).
    pub fn one(&self, side: Side) -> Result<&str, &[String]> {
        let v = match side {
            Side::Server => &self.server,
            Side::Client => &self.client,
        };
        match v.as_slice() {
            [one] => Ok(one),
            more => Err(more),
        }
    }
}

/// The programs of a submission, question by question, from the paths of
/// its files (relative to the submission's folder): `.py` and `.c` files
/// whose name says their role; a marked one goes to its question, an
/// unmarked one to every question of `given` (or of its role) that no
/// marked file of that role claims.
pub fn discover(paths: &[String], given: &[Question]) -> BTreeMap<Question, Slot> {
    let programs: Vec<(&String, Side)> = paths
        .iter()
        .filter(|p| p.ends_with(".py") || p.ends_with(".c"))
        .filter_map(|p| role_of(p).map(|s| (p, s)))
        .collect();
    let mut out: BTreeMap<Question, Slot> = BTreeMap::new();
    let wanted = |q: &Question| given.is_empty() || given.contains(q);
    for (p, side) in &programs {
        if let Some(q) = marked_question(p).filter(|q| questions_of_role(*side).contains(q)) {
            if wanted(&q) {
                out.entry(q).or_default().of(*side).push((*p).clone());
            }
        }
    }
    for (p, side) in &programs {
        if marked_question(p).is_some() {
            continue;
        }
        for q in questions_for(p, *side, given).questions() {
            let slot = out.entry(q).or_default();
            let claimed = programs
                .iter()
                .any(|(o, s)| s == side && marked_question(o) == Some(q));
            if !claimed {
                slot.of(*side).push((*p).clone());
            }
        }
    }
    for slot in out.values_mut() {
        slot.server.sort();
        slot.client.sort();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Question::*;

    #[test]
    fn a_marker_in_the_path_names_the_question() {
        assert_eq!(marked_question("q3/serveur.py"), Some(Q3));
        assert_eq!(marked_question("serveur_q3.py"), Some(Q3));
        assert_eq!(marked_question("TP1/Q4-client.c"), Some(Q4));
        assert_eq!(marked_question("question2/client.py"), Some(Q2));
        assert_eq!(marked_question("q1/old/serveur_q3.py"), Some(Q3));
        // Not a marker: part of a longer word, or no such question.
        assert_eq!(marked_question("serveur.py"), None);
        assert_eq!(marked_question("sq3l/serveur.py"), None);
        assert_eq!(marked_question("q5/serveur.py"), None);
        assert_eq!(marked_question("faq1.py"), None);
    }

    #[test]
    fn the_rule_in_order() {
        assert_eq!(
            questions_for("q3/serveur.py", Side::Server, &[]),
            Found::Marked(Q3)
        );
        assert_eq!(
            questions_for("q3/serveur.py", Side::Server, &[Q3, Q4]),
            Found::Marked(Q3)
        );
        // -q leaving the marked question out wins: graded as asked.
        assert_eq!(
            questions_for("q3_server.py", Side::Server, &[Q4]),
            Found::Given(vec![Q4])
        );
        assert_eq!(
            questions_for("serveur.py", Side::Server, &[Q1, Q2]),
            Found::Given(vec![Q1])
        );
        assert_eq!(
            questions_for("client.py", Side::Client, &[]),
            Found::ByRole(vec![Q2, Q3, Q4])
        );
    }

    #[test]
    fn names_say_the_role() {
        assert_eq!(role_of("q1/serveur.py"), Some(Side::Server));
        assert_eq!(role_of("Server2.c"), Some(Side::Server));
        assert_eq!(role_of("tp_client_q2.py"), Some(Side::Client));
        assert_eq!(role_of("chat.py"), None);
        assert_eq!(role_of("client_serveur.py"), None);
        assert_eq!(role_of("clientele.py"), None);
    }

    fn paths(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_folder_question_by_question() {
        let found = discover(
            &paths(&[
                "q1/serveur.py",
                "q2/client.py",
                "q3/serveur.py",
                "q3/client.py",
                "notes.txt",
            ]),
            &[],
        );
        assert_eq!(found[&Q1].one(Side::Server), Ok("q1/serveur.py"));
        assert_eq!(found[&Q3].one(Side::Client), Ok("q3/client.py"));
        assert!(!found.contains_key(&Q4));
        // Unmarked files play in every question of their role that no
        // marked file claims.
        let found = discover(&paths(&["serveur.py", "serveur_q1.py"]), &[]);
        assert_eq!(found[&Q1].one(Side::Server), Ok("serveur_q1.py"));
        assert_eq!(found[&Q3].one(Side::Server), Ok("serveur.py"));
        // Two candidates for one role: ambiguous, both named.
        let found = discover(&paths(&["q1/serveur.py", "q1/server.py"]), &[Q1]);
        assert_eq!(
            found[&Q1].one(Side::Server),
            Err(&paths(&["q1/server.py", "q1/serveur.py"])[..])
        );
        // -q restricts.
        let found = discover(&paths(&["serveur.py", "client.py"]), &[Q3]);
        assert_eq!(found.keys().copied().collect::<Vec<_>>(), [Q3]);
    }
}
