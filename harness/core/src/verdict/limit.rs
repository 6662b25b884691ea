//! A limit a program hit fails the scenario, whatever else happened: one
//! rule per limit (`output` and `sent` are floods, `output-flood`; the
//! others `limit`), first match wins.

use super::rules::blamed_on;
use crate::diagnosis::{short, Code, Diagnosis};
use crate::expect;
use crate::msg::Msg;
use crate::scenario::{Role, Scenario};
use crate::transcript::{render_bytes, Actor, Event, Limit, Transcript};

/// The limit hit, as the rules read it.
struct Hit<'a> {
    tr: &'a Transcript,
    /// The entry that records it, and its program.
    at: usize,
    actor: Actor,
    limit: Limit,
    /// The limit's value: a count, bytes or seconds.
    max: u64,
}

impl Hit<'_> {
    fn mib(&self) -> f64 {
        (self.max >> 20) as f64
    }

    fn kib(&self) -> f64 {
        (self.max >> 10) as f64
    }

    /// A `limit` diagnosis when the limit is `name`.
    fn named(&self, name: Limit, message: Msg, hint: &'static str) -> Option<Diagnosis> {
        (self.limit == name).then(|| Diagnosis::new(Code::Limit, message, Msg::new(hint)))
    }
}

type LimitRule = fn(&Hit) -> Option<Diagnosis>;

const LIMITS: &[LimitRule] = &[output, sent, processes, memory, cpu_time, file_size, other];

/// The first limit a program hit, and the step it happened in.
pub(super) fn failure(s: &Scenario, tr: &Transcript) -> Option<(Diagnosis, Option<usize>)> {
    // A flood once teardown began is not the program's doing (other
    // limits are read when the run ends, after teardown).
    let teardown = tr.entries.iter().position(|e| e.event == Event::Teardown);
    let at = tr
        .entries
        .iter()
        .enumerate()
        .position(|(k, e)| match e.event {
            Event::LimitHit { limit, .. } => {
                !(teardown.is_some_and(|t| k > t) && matches!(limit, Limit::Output | Limit::Sent))
            }
            _ => false,
        })?;
    let e = &tr.entries[at];
    let Event::LimitHit { limit, max } = e.event else {
        return None;
    };
    let step = tr.entries[..at].iter().rev().find_map(|e| match e.event {
        Event::Step(i) => Some(i),
        _ => None,
    });
    let hit = Hit {
        tr,
        at,
        actor: e.actor,
        limit,
        max,
    };
    let d = LIMITS.iter().find_map(|rule| rule(&hit))?;
    // Pair scenarios: the side that hit it, as `blame` names it.
    let d = match (s.role, e.actor) {
        (Role::Pair, Actor::Server | Actor::Client) => blamed_on(d, e.actor),
        _ => d,
    };
    Some((d, step))
}

/// It printed past the capture's cap.
fn output(h: &Hit) -> Option<Diagnosis> {
    if h.limit != Limit::Output {
        return None;
    }
    let lines = expect::printed_lines(h.tr, h.actor, 0, h.at);
    let sample = short(lines.last().map_or("", String::as_str));
    // What floods: empty lines are no lines to `printed_lines`.
    let message = if super::exit::blank_flood(h.tr, h.actor, 0, h.at) {
        Msg::new("diag-limit-output-empty")
    } else {
        Msg::new("diag-limit-output").arg("sample", sample)
    };
    Some(Diagnosis::new(
        Code::OutputFlood,
        message.arg("kib", h.kib()),
        Msg::new("hint-limit-output"),
    ))
}

/// It sent past the capture's cap: the last bytes before it, as a sample.
fn sent(h: &Hit) -> Option<Diagnosis> {
    if h.limit != Limit::Sent {
        return None;
    }
    let bytes = expect::sent_bytes(h.tr, h.actor, 0, h.at);
    let last = &bytes[bytes.len().saturating_sub(120)..];
    Some(Diagnosis::new(
        Code::OutputFlood,
        Msg::new("diag-limit-sent")
            .arg("sample", short(&render_bytes(last)))
            .arg("kib", h.kib()),
        Msg::new("hint-limit-sent"),
    ))
}

fn processes(h: &Hit) -> Option<Diagnosis> {
    let m = Msg::new("diag-limit-processes").arg("max", h.max as f64);
    h.named(Limit::Processes, m, "hint-limit-processes")
}

fn memory(h: &Hit) -> Option<Diagnosis> {
    let m = Msg::new("diag-limit-memory").arg("mib", h.mib());
    h.named(Limit::Memory, m, "hint-limit-memory")
}

fn cpu_time(h: &Hit) -> Option<Diagnosis> {
    let m = Msg::new("diag-limit-cpu-time").arg("secs", h.max as f64);
    h.named(Limit::CpuTime, m, "hint-limit-cpu-time")
}

fn file_size(h: &Hit) -> Option<Diagnosis> {
    let m = Msg::new("diag-limit-file-size").arg("mib", h.mib());
    h.named(Limit::FileSize, m, "hint-limit-file-size")
}

/// A limit without words of its own: named, with its value.
fn other(h: &Hit) -> Option<Diagnosis> {
    Some(Diagnosis::without_hint(
        Code::Limit,
        Msg::new("diag-limit-other")
            .arg("limit", h.limit.name())
            .arg("max", h.max as f64),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    fn hit(tr: &Transcript, limit: Limit, max: u64) -> Hit<'_> {
        Hit {
            tr,
            at: tr.entries.len(),
            actor: Actor::Server,
            limit,
            max,
        }
    }

    #[test]
    fn rule_output() {
        let t = tr(vec![printed(
            Actor::Server,
            "\u{1b}[2J\u{7}Bon\u{8}jour\u{9b}",
        )]);
        let d = output(&hit(&t, Limit::Output, 256 << 10)).unwrap();
        assert_eq!(d.code, Code::OutputFlood);
        assert_eq!(
            en(&d.message),
            "the program prints without end (`Bonjour` …): more than 256 KiB"
        );
        assert!(output(&hit(&t, Limit::Sent, 1)).is_none());
        // Empty lines after a banner: what floods, not the banner.
        let mut ev = vec![printed(Actor::Server, "Serveur prêt")];
        ev.extend((0..5).map(|_| printed(Actor::Server, "")));
        let t = tr(ev);
        says(
            &output(&hit(&t, Limit::Output, 256 << 10)).unwrap().message,
            "the program prints empty lines without end: more than 256 KiB",
            "le programme affiche sans fin des lignes vides\u{a0}: plus de 256 Kio",
        );
    }

    /// A limit hit once teardown began is not the program's failure.
    #[test]
    fn a_limit_hit_after_teardown_is_not_a_failure() {
        let s = catalogue("q1.server.client-leaves");
        let limit = Event::LimitHit {
            limit: Limit::Output,
            max: 256 << 10,
        };
        let at_end = |teardown: bool| {
            let mut ev = at_step(1, vec![printed(Actor::Server, "")]);
            if teardown {
                ev.push((Actor::Harness, Event::Teardown));
            }
            ev.push((Actor::Server, limit.clone()));
            tr(ev)
        };
        assert!(failure(&s, &at_end(true)).is_none());
        assert!(failure(&s, &at_end(false)).is_some());
    }

    #[test]
    fn rule_sent() {
        let t = tr(vec![(Actor::Peer, Event::Received(b"x\0".to_vec()))]);
        let d = sent(&hit(&t, Limit::Sent, 4 << 20)).unwrap();
        assert_eq!(
            en(&d.message),
            "the program sends without end (`x\\x00` …): more than 4096 KiB"
        );
        assert!(sent(&hit(&t, Limit::Output, 1)).is_none());
    }

    #[test]
    fn rule_named_limits() {
        let t = tr(vec![]);
        let msg = |rule: LimitRule, limit, max| en(&rule(&hit(&t, limit, max)).unwrap().message);
        assert_eq!(
            msg(processes, Limit::Processes, 64),
            "limit hit: processes — the program tried to run more than 64 processes at once, and fork() was refused"
        );
        assert!(msg(processes, Limit::Processes, 1).contains("more than 1 process at once"));
        assert!(msg(memory, Limit::Memory, 256 << 20).contains("more than 256 MiB"));
        assert!(msg(cpu_time, Limit::CpuTime, 10).contains("more than 10 s"));
        assert!(msg(file_size, Limit::FileSize, 16 << 20).contains("of 16 MiB or more"));
        assert_eq!(msg(other, Limit::Output, 3), "limit hit: output (3)");
        for rule in [processes, memory, cpu_time, file_size] {
            assert!(rule(&hit(&t, Limit::Output, 1)).is_none());
        }
        let fr =
            Lang::builtin("fr").msg(&memory(&hit(&t, Limit::Memory, 256 << 20)).unwrap().message);
        assert_eq!(
            fr,
            "limite atteinte\u{a0}: mémoire — le programme a utilisé plus de 256 Mio et a été tué"
        );
    }
}
