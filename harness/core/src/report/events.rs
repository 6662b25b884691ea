//! Transcript events as people read them, in the report's language: the
//! names of actors and events, each event's text, a text cut with the count
//! of its characters, an exit status, what a process was doing. Machine
//! values stay as the transcript has them (JSON's `"event": "sent"`); every
//! word a report shows about an event comes from here, and so from the
//! catalogues (`messages/LANG/report.ftl`).

use crate::msg::{Arg, Lang, Msg};
use crate::transcript::{Actor, Data, Dropped, Event, Exit, ProcState, ProcView, WaitsOn};
use std::cell::RefCell;
use std::collections::HashMap;

/// Where `text` is cut to keep `max` characters: the byte offset and the
/// characters of the whole text; `None` when it fits.
pub fn cut_point(text: &str, max: usize) -> Option<(usize, usize)> {
    text.char_indices()
        .nth(max)
        .map(|(at, _)| (at, text.chars().count()))
}

/// The head of a cut text, with the count of the whole:
/// `head… (130 characters)`. Every cut text of every format reads so.
pub fn counted(head: &str, total: usize, lang: &Lang) -> String {
    lang.msg(&Msg::new("transcript-cut").arg("head", head).arg("n", total))
}

/// `text` cut at `max` characters, with the count when it was cut.
pub fn cut(text: String, max: usize, lang: &Lang) -> String {
    match cut_point(&text, max) {
        None => text,
        Some((at, total)) => counted(&text[..at], total, lang),
    }
}

/// An event's text as a report shows it: cut at `max` characters, with
/// the count when it was (data events render only what is kept).
pub fn shown(e: &Event, max: usize, lang: &Lang) -> String {
    match text_cut(e, max, lang) {
        (text, None) => text,
        (head, Some(total)) => counted(&head, total, lang),
    }
}

/// An event's text cut at `max` characters, and the length of the whole
/// text when it was cut.
pub fn text_cut(e: &Event, max: usize, lang: &Lang) -> (String, Option<usize>) {
    if e.data().is_some() {
        // Bytes and typed lines: no words to translate.
        return e.text_cut(max);
    }
    let text = text(e, lang);
    match cut_point(&text, max) {
        None => (text, None),
        Some((at, total)) => (text[..at].to_string(), Some(total)),
    }
}

/// A port, a pid, an exit code: identifiers, never formatted as numbers.
fn id(n: impl ToString) -> Arg {
    Arg::Str(n.to_string())
}

/// An event's text, whole.
pub fn text(e: &Event, lang: &Lang) -> String {
    let m = match e {
        Event::Step(i) => Msg::new("transcript-step").arg("n", i.saturating_add(1)),
        Event::Started { pid, command } => Msg::new("transcript-started")
            .arg("command", command)
            .arg("pid", id(pid)),
        Event::Connected { port }
        | Event::ConnectRefused { port }
        | Event::Listening { port }
        | Event::ConnectAttempt { port } => Msg::new("transcript-port").arg("port", id(port)),
        Event::ConnectCalls { port, calls } => Msg::new("transcript-connect-calls")
            .arg("port", id(port))
            .arg("calls", *calls),
        Event::Exited { pid, exit } => Msg::new("transcript-exited")
            .arg("pid", id(pid))
            .arg("status", exit_status(exit)),
        Event::Cpu {
            used_ms,
            runnable_ms,
            window_ms,
        } => Msg::new("transcript-cpu")
            .arg("used", Arg::Num(*used_ms, Some(0)))
            .arg("runnable", Arg::Num(*runnable_ms, Some(0)))
            .arg("window", Arg::Num(*window_ms, Some(0))),
        Event::LimitHit { limit, max } => Msg::new("transcript-limit")
            .arg("limit", limit.name())
            .arg("max", id(max)),
        Event::StartFailed { failure, detail } => Msg::new("transcript-start-failed")
            .arg("code", failure.code())
            .arg("detail", detail),
        Event::WireUnobserved => Msg::new("transcript-wire-unobserved"),
        Event::OutputDropped { of, count } => return dropped(*of, count, lang),
        Event::Snapshot(views) => return procs(views.iter(), lang),
        Event::Killed { pids } => return format!("{pids:?}"),
        Event::Typed(_)
        | Event::TypedEof
        | Event::Interrupted
        | Event::Printed { .. }
        | Event::Sent(_)
        | Event::Received(_)
        | Event::Relayed(_)
        | Event::PeerSawClose
        | Event::PeerClosed
        | Event::Quiescent
        | Event::Deadline
        | Event::Teardown
        | Event::RelayClosed
        | Event::AllEnded => return e.text(),
    };
    lang.msg(&m)
}

/// How a process ended: `status 1`, `signal 9`; `None` when unknown. The
/// one wording of an exit status.
pub fn exit_status(exit: &Exit) -> Msg {
    match exit {
        Exit::Code(c) => Msg::new("exit-status").arg("code", id(c)),
        Exit::Signal(s) => Msg::new("exit-signal").arg("signal", id(s)),
    }
}

/// `… printed: 185,000 lines dropped (190,000,000 bytes in 185,000
/// events)`: what a cap or the report's budget left out of a stream.
pub fn dropped(of: Data, count: &Dropped, lang: &Lang) -> String {
    let sep = lang.get("transcript-thousands");
    lang.msg(
        &Msg::new("transcript-dropped")
            .arg("of", event_name(of.name()))
            .arg("lines", thousands(count.lines, &sep))
            .arg("n-lines", count.lines as f64)
            .arg("bytes", thousands(count.bytes, &sep))
            .arg("n-bytes", count.bytes as f64)
            .arg("events", thousands(count.events, &sep))
            .arg("n-events", count.events as f64),
    )
}

/// `1234567` as `1,234,567` (with `sep` between groups of three).
fn thousands(n: u64, sep: &str) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() * 2);
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// What each process was doing, joined as a list.
pub fn procs<'a>(views: impl Iterator<Item = &'a ProcView>, lang: &Lang) -> String {
    let texts: Vec<String> = views.map(|v| lang.msg(&proc_view(v))).collect();
    texts.join(&lang.get("list-separator"))
}

/// `client (pid 41) waits in recv() for server`.
pub fn proc_view(v: &ProcView) -> Msg {
    let who = Msg::new("transcript-proc")
        .arg("actor", actor_name(v.actor))
        .arg("pid", id(v.pid));
    let key = match (&v.call, &v.on) {
        _ if v.state == ProcState::Zombie => "transcript-proc-zombie",
        (None, _) => "transcript-proc-running",
        (Some(_), WaitsOn::Keyboard) => "transcript-proc-keyboard",
        (Some(_), WaitsOn::Socket(Some(_))) => "transcript-proc-for",
        (Some(_), WaitsOn::Socket(None)) => "transcript-proc-socket",
        (Some(_), WaitsOn::Listener) => "transcript-proc-listener",
        (Some(_), WaitsOn::Children) => "transcript-proc-children",
        (Some(_), WaitsOn::Nothing | WaitsOn::Other) => "transcript-proc-waits",
    };
    let mut m = Msg::new(key).arg("who", who);
    if let (Some(call), false) = (&v.call, v.state == ProcState::Zombie) {
        m = m.arg("call", call);
    }
    if let WaitsOn::Socket(Some(a)) = v.on {
        m = m.arg("other", a.name());
    }
    m
}

/// An actor's name: `server`, `serveur`.
pub fn actor_name(a: Actor) -> Msg {
    Msg::new("transcript-actor").arg("actor", a.name())
}

/// An event kind's name (`sent`, `envoyé`), from its machine name.
pub fn event_name(kind: &str) -> Msg {
    Msg::new("transcript-event").arg("kind", kind)
}

/// Actor and event names of one language, each rendered once per report
/// (a transcript of a flood has tens of thousands of rows).
pub struct Names<'l> {
    lang: &'l Lang,
    cache: RefCell<HashMap<(bool, &'static str), String>>,
}

impl<'l> Names<'l> {
    pub fn new(lang: &'l Lang) -> Names<'l> {
        Names {
            lang,
            cache: RefCell::new(HashMap::new()),
        }
    }

    pub fn lang(&self) -> &'l Lang {
        self.lang
    }

    pub fn actor(&self, a: Actor) -> String {
        self.name(false, a.name(), || actor_name(a))
    }

    pub fn event(&self, kind: &'static str) -> String {
        self.name(true, kind, || event_name(kind))
    }

    fn name(&self, event: bool, key: &'static str, m: impl FnOnce() -> Msg) -> String {
        let mut cache = self.cache.borrow_mut();
        cache
            .entry((event, key))
            .or_insert_with(|| self.lang.msg(&m()))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_cut_with_a_count_in_the_report_language() {
        let en = Lang::builtin("en");
        assert_eq!(cut("abcdef".into(), 3, &en), "abc… (6 characters)");
        assert_eq!(cut("abc".into(), 3, &en), "abc");
        let fr = Lang::builtin("fr");
        assert_eq!(cut("abcdef".into(), 3, &fr), "abc… (6 caractères)");
    }

    #[test]
    fn counts_are_grouped_as_each_language_writes_them() {
        let count = Dropped {
            events: 185_000,
            bytes: 190_000_000,
            lines: 1,
        };
        assert_eq!(
            dropped(Data::Printed, &count, &Lang::builtin("en")),
            "… printed: 1 line dropped (190,000,000 bytes in 185,000 events)"
        );
        assert_eq!(
            dropped(Data::Printed, &count, &Lang::builtin("fr")),
            "… affiché\u{a0}: 1 ligne omise (190\u{202f}000\u{202f}000 octets en 185\u{202f}000 événements)"
        );
    }

    #[test]
    fn one_wording_of_an_exit_status() {
        let en = Lang::builtin("en");
        let status = |e| en.msg(&exit_status(&e));
        assert_eq!(status(Exit::Code(1)), "status 1");
        assert_eq!(status(Exit::Signal(9)), "signal 9");
        let exited = Event::Exited {
            pid: 40,
            exit: Exit::Code(3),
        };
        assert_eq!(text(&exited, &en), "pid 40, status 3");
        assert_eq!(text(&exited, &Lang::builtin("fr")), "pid 40, statut 3");
    }
}
