//! Notes: advice on a scenario that passed, costing no points (DESIGN:
//! "a traceback where a one-line message would do"). The sheet asks for no
//! error handling, so a program that dies of the network's own exception
//! when nobody listens, or when the peer has left, did end with a message;
//! a note says how to make it a friendlier one.

use super::ctx;
use crate::expect;
use crate::msg::Msg;
use crate::scenario::{Role, Scenario};
use crate::transcript::Transcript;

/// Exceptions of the network a student is not asked to handle: a
/// traceback that ends in one is the program's message, not a crash.
pub(crate) const NETWORK_ERRORS: &[&str] = &[
    "ConnectionRefusedError",
    "BrokenPipeError",
    "ConnectionResetError",
];

/// The exception line of the first traceback in `lines` when it is one of
/// the network's own (`NETWORK_ERRORS`), with the exception's name.
pub(crate) fn network_traceback(lines: &[String]) -> Option<(&'static str, String)> {
    let last = ctx::traceback_last_line(lines)?;
    let name = NETWORK_ERRORS
        .iter()
        .find(|n| last.trim_start().starts_with(**n))?;
    Some((name, last))
}

/// The notes of a passed scenario: what its program printed before
/// teardown began (nothing after it is the program's doing).
pub(crate) fn of_pass(s: &Scenario, tr: &Transcript, teardown: usize) -> Vec<Msg> {
    if s.role == Role::Pair {
        return Vec::new();
    }
    let lines = expect::printed_lines(tr, expect::side_actor(s), 0, teardown);
    network_traceback(&lines)
        .map(|(name, line)| {
            Msg::new("note-network-traceback")
                .arg("line", crate::diagnosis::short(line.trim()))
                .arg("error", name)
        })
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_only_the_network_exceptions() {
        let refused = lines(&[
            "Traceback (most recent call last):",
            "  File \"c.py\", line 4, in <module>",
            "    s.connect(('127.0.0.1', 8080))",
            "ConnectionRefusedError: [Errno 111] Connection refused",
        ]);
        assert_eq!(
            network_traceback(&refused).map(|(n, _)| n),
            Some("ConnectionRefusedError")
        );
        let name_error = lines(&[
            "Traceback (most recent call last):",
            "  File \"c.py\", line 4, in <module>",
            "NameError: name 'sock' is not defined",
        ]);
        assert_eq!(network_traceback(&name_error), None);
        assert_eq!(network_traceback(&lines(&["Connexion refusée"])), None);
    }
}
