//! The pure stages of `grade`: scenario files → validated scenarios,
//! transcripts, line matching, verdicts and diagnoses, stall analysis, and
//! the reports. No processes, no `nix` or `libc`: builds and tests on any
//! OS. The sandbox crate runs scenarios; the `grade` binary wires both.

// Functions stay short (threshold in harness/clippy.toml).
#![warn(clippy::too_many_lines)]

pub mod diagnosis;
pub mod discovery;
pub mod expect;
pub mod fault;
pub mod msg;
pub mod points;
pub mod report;
pub mod scenario;
pub mod stall;
pub mod submission;
pub mod transcript;
pub mod verdict;

/// A word for a POSIX shell, quoted when it needs to be.
pub fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./=:,+-@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// `*` and `?` glob over scenario ids.
pub fn glob(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], t) || (!t.is_empty() && go(p, &t[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &t[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &t[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    go(&p, &t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("q1.*", "q1.server.listens"));
        assert!(glob("*.split-line", "q1.server.split-line"));
        assert!(!glob("q2.*", "q1.server.listens"));
        assert!(glob("q?.server.*", "q4.server.uses-fork"));
    }
}
