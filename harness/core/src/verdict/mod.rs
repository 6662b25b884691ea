//! The verdict: `judge(scenario, transcript)` is pure. It finds the first
//! expectation the transcript does not meet and explains it in the student's
//! terms, with a stable diagnosis code (DESIGN.md) and a fix.

use crate::expect::{self, line_matches};
use crate::scenario::{Action, ExitKind, Lang, Role, Scenario, Text};
use crate::stall;
use crate::transcript::{Actor, Event, Transcript};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Skip,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosis {
    pub code: &'static str,
    pub message: Text,
    pub hint: Text,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub status: Status,
    pub score: f64,
    pub diagnosis: Option<Diagnosis>,
    /// What the failed step expected, in words.
    pub expected: Option<Text>,
    /// Index of the step that failed.
    pub failed_step: Option<usize>,
}

impl Verdict {
    /// A scenario that a submission problem kept from running: failed, no
    /// points, `d` saying why (one line; the reports show the problem once).
    pub fn not_run(d: Diagnosis) -> Verdict {
        Verdict {
            status: Status::Fail,
            score: 0.0,
            diagnosis: Some(d),
            expected: None,
            failed_step: None,
        }
    }
}

/// A text in both shipped languages.
pub fn t(en: impl Into<String>, fr: impl Into<String>) -> Text {
    Text(
        [("en".to_string(), en.into()), ("fr".to_string(), fr.into())]
            .into_iter()
            .collect(),
    )
}

pub(crate) fn diag(code: &'static str, message: Text, hint: Text) -> Diagnosis {
    Diagnosis {
        code,
        message: printable(message),
        hint,
    }
}

/// Characters of a diagnosis message at most: it may quote what a
/// program printed (a 256 KiB line, a compiler's errors), and every report
/// format repeats it within one size budget.
const MESSAGE_MAX: usize = 4000;

/// Messages quote what programs printed: without control characters, so
/// that a report shown on a terminal cannot be driven by a student's bytes;
/// cut at `MESSAGE_MAX` characters.
fn printable(t: Text) -> Text {
    let clean = |s: String| -> String {
        let mut out = String::new();
        let kept = s
            .chars()
            .filter(|&c| !c.is_control() || c == '\n' || c == '\t');
        for (n, c) in kept.enumerate() {
            if n == MESSAGE_MAX {
                out.push_str(&format!("… ({} characters)", s.chars().count()));
                break;
            }
            out.push(c);
        }
        out
    };
    t.map(clean)
}

/// Judges one run.
pub fn judge(s: &Scenario, tr: &Transcript) -> Verdict {
    let fail = |d: Diagnosis, step: Option<usize>| {
        // A step index read from the transcript may name no step of this
        // scenario (a transcript that is not this scenario's own).
        let step = step.filter(|&i| i < s.steps.len());
        Verdict {
            status: Status::Fail,
            score: 0.0,
            expected: step.map(|i| expected_text(&s.steps[i].action)),
            diagnosis: Some(d),
            failed_step: step,
        }
    };
    if let Some(d) = start_failure(tr) {
        let step = tr.entries.iter().rev().find_map(|e| match e.event {
            Event::Step(i) => Some(i),
            _ => None,
        });
        return fail(d, step);
    }
    // A limit hit fails the scenario, whatever else happened.
    if let Some((d, step)) = limit_failure(s, tr) {
        return fail(d, step);
    }
    let teardown = tr
        .entries
        .iter()
        .position(|e| e.event == Event::Teardown)
        .unwrap_or(tr.entries.len());
    for (i, step) in s.steps.iter().enumerate() {
        if !step.action.is_expectation() {
            continue;
        }
        let Some(from) = tr.step_start(i) else {
            return fail(blame(s, tr, i, diagnose(s, tr, i, teardown)), Some(i));
        };
        let to = tr.step_start(i + 1).unwrap_or(teardown);
        let actor = expect::actor_of(s.step_side(i));
        let ok = match &step.action {
            Action::ExpectExit(ExitKind::All) => tr
                .window(from, to)
                .iter()
                .any(|e| e.actor == actor && e.event == Event::AllEnded),
            Action::ExpectExit(kind) => exit_ok(s, tr, from, to, *kind),
            Action::ExpectCalm(kind) => calm_ok(s, tr, from, to, *kind),
            Action::ExpectSilent => !expect::sent_in(s, tr, i, to),
            Action::ExpectFork => stall::snapshot(tr, from, to).is_some_and(|v| {
                v.iter()
                    .filter(|p| p.actor == actor && p.state != 'Z')
                    .count()
                    >= 2
            }),
            Action::ExpectDeadlock => {
                tr.window(from, to)
                    .iter()
                    .any(|e| e.event == Event::Quiescent)
                    && stall::snapshot(tr, from, to)
                        .is_some_and(|v| stall::deadlock_cycle(v).is_some())
            }
            _ => expect::met(s, tr, i, to),
        };
        if !ok {
            return fail(blame(s, tr, i, diagnose(s, tr, i, teardown)), Some(i));
        }
    }
    Verdict {
        status: Status::Pass,
        score: s.points,
        diagnosis: None,
        expected: None,
        failed_step: None,
    }
}

/// The grader's own fault in one scenario (`code`: `environment` for the
/// machine grade runs on, `internal-error` for a bug of grade; `what`: what
/// failed): `error`, no points, and a message that says whose fault it is,
/// never a diagnosis of the student's program.
pub fn grader_fault(code: &'static str, what: &str) -> Verdict {
    Verdict {
        status: Status::Error,
        score: 0.0,
        diagnosis: Some(diag(
            code,
            t(
                format!("a fault of the grader, not of the program graded: {what}"),
                format!("une faute du correcteur, pas du programme noté : {what}"),
            ),
            t(
                "this scenario could not be graded: run grade again, and if it fails the same way, report this message to the course staff",
                "ce scénario n'a pas pu être noté : relancez grade, et s'il échoue de la même façon, transmettez ce message aux enseignants",
            ),
        )),
        expected: None,
        failed_step: None,
    }
}

fn expected_text(a: &Action) -> Text {
    let list = |v: &Vec<String>| {
        v.iter()
            .map(|l| {
                let short: String = l.chars().take(60).collect();
                if short.len() < l.len() {
                    format!("`{short}…` ({} characters)", l.chars().count())
                } else {
                    format!("`{l}`")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match a {
        Action::Connect => t(
            "the server listens and accepts the connection",
            "le serveur écoute et accepte la connexion",
        ),
        Action::Accept => t("the client connects", "le client se connecte"),
        Action::ExpectPrinted(v) => t(
            format!("printed, each on its own line: {}", list(v)),
            format!("affiché, chacune sur sa ligne : {}", list(v)),
        ),
        Action::ExpectReceived(v) => t(
            format!("received by the peer, newline-terminated: {}", list(v)),
            format!(
                "reçu par le pair, terminé par un saut de ligne : {}",
                list(v)
            ),
        ),
        Action::ExpectExit(ExitKind::Clean) => t(
            "the program exits with status 0, without a traceback",
            "le programme se termine avec le code 0, sans traceback",
        ),
        Action::ExpectExit(ExitKind::Message) => t(
            "the program exits after printing a message",
            "le programme se termine après avoir affiché un message",
        ),
        Action::ExpectCalm(_) => t(
            "no busy loop and no output flood after the peer left",
            "ni boucle active ni flot d'affichage après le départ du pair",
        ),
        Action::ExpectExit(ExitKind::All) => t(
            "every process of the program ends (no orphan, no zombie)",
            "tous les processus du programme se terminent (ni orphelin, ni zombie)",
        ),
        Action::ExpectSilent => t(
            "nothing is sent out of turn",
            "rien n'est envoyé hors de son tour",
        ),
        Action::ExpectDeadlock => t(
            "both programs block for good, each waiting for the other",
            "les deux programmes se bloquent pour de bon, chacun attendant l'autre",
        ),
        Action::ExpectFork => t(
            "at least two processes of the program during the chat (fork)",
            "au moins deux processus du programme pendant la discussion (fork)",
        ),
        Action::ExpectClosed => t(
            "the program closes (or half-closes) the connection",
            "le programme ferme (ou ferme à moitié) la connexion",
        ),
        _ => t("", ""),
    }
}

/// The program could not even start (compile error, missing file, no namespace).
fn start_failure(tr: &Transcript) -> Option<Diagnosis> {
    tr.entries.iter().find_map(|e| match &e.event {
        Event::StartFailed { code, detail } => Some(match *code {
            "compile-error" => diag(
                "compile-error",
                t(
                    format!("the program does not compile:\n{detail}"),
                    format!("le programme ne compile pas :\n{detail}"),
                ),
                t(
                    "fix the first error the compiler reports, then try again",
                    "corrigez la première erreur signalée par le compilateur, puis réessayez",
                ),
            ),
            _ => diag(
                "crashed",
                t(
                    format!("the program could not be started: {detail}"),
                    format!("le programme n'a pas pu être lancé : {detail}"),
                ),
                t(
                    "check the path and that the file is executable",
                    "vérifiez le chemin et que le fichier est exécutable",
                ),
            ),
        }),
        _ => None,
    })
}

fn printed_all(tr: &Transcript, actor: Actor) -> Vec<String> {
    expect::printed_lines(tr, actor, 0, tr.entries.len())
}

fn exit_of(
    tr: &Transcript,
    actor: Actor,
    from: usize,
    to: usize,
) -> Option<(Option<i32>, Option<i32>)> {
    tr.window(from, to).iter().find_map(|e| match e.event {
        Event::Exited { code, signal, .. } if e.actor == actor => Some((code, signal)),
        _ => None,
    })
}

fn traceback_last_line(lines: &[String]) -> Option<String> {
    let at = lines
        .iter()
        .rposition(|l| l.starts_with("Traceback (most recent call last)"))?;
    lines[at..]
        .iter()
        .rev()
        .find(|l| !l.starts_with(' ') && !l.is_empty())
        .cloned()
}

fn exit_ok(s: &Scenario, tr: &Transcript, from: usize, to: usize, kind: ExitKind) -> bool {
    let actor = expect::side_actor(s);
    let Some((code, _)) = exit_of(tr, actor, from, to) else {
        return false;
    };
    let lines = expect::printed_lines(tr, actor, 0, to);
    let tb = traceback_last_line(&lines).is_some();
    match kind {
        ExitKind::Clean => code == Some(0) && !tb,
        ExitKind::Message => !tb && !expect::printed_lines(tr, actor, from, to).is_empty(),
        ExitKind::Any | ExitKind::All => true,
    }
}

/// Share of a window spent runnable (on a CPU or queued for one) above
/// which a waiting program is busy-looping. Runnable rather than on-CPU
/// time, so that a loaded machine does not hide a loop.
const BUSY_SHARE: f64 = 0.5;
/// Printed lines after the peer left above which output is a flood.
const FLOOD_LINES: usize = 200;

fn flooded(tr: &Transcript, actor: Actor, from: usize, to: usize) -> bool {
    let n = tr
        .window(from, to)
        .iter()
        .filter(|e| e.actor == actor && matches!(e.event, Event::Printed { .. }))
        .count();
    n > FLOOD_LINES
        || tr
            .window(from, usize::MAX)
            .iter()
            .any(|e| matches!(e.event, Event::OutputDropped { .. }))
}

/// Shortest window over which a CPU share says anything (a program that
/// just started burns CPU loading itself).
const BUSY_MIN_WINDOW_MS: f64 = 200.0;

fn busy(tr: &Transcript, from: usize, to: usize) -> bool {
    let range = tr.window(from, to);
    // The CPU sample closes a wait; the wait ended quiescent if the event
    // just before it says so (then the CPU went to starting up, not looping).
    let Some(k) = range
        .iter()
        .rposition(|e| matches!(e.event, Event::Cpu { .. }))
    else {
        return false;
    };
    let quiet = k > 0 && range[k - 1].event == Event::Quiescent;
    let Event::Cpu {
        runnable_ms,
        window_ms,
        ..
    } = range[k].event
    else {
        return false;
    };
    !quiet && window_ms >= BUSY_MIN_WINDOW_MS && runnable_ms / window_ms > BUSY_SHARE
}

fn calm_ok(s: &Scenario, tr: &Transcript, from: usize, to: usize, kind: ExitKind) -> bool {
    let actor = expect::side_actor(s);
    if flooded(tr, actor, from, to) || busy(tr, from, to) {
        return false;
    }
    match exit_of(tr, actor, from, to) {
        // Ending is fine when it is clean, or explained in a message.
        Some(_) if kind == ExitKind::Any => true,
        Some((_, Some(_))) => false,
        Some(_) => {
            exit_ok(s, tr, from, to, ExitKind::Clean) || exit_ok(s, tr, from, to, ExitKind::Message)
        }
        None => tr
            .window(from, to)
            .iter()
            .any(|e| e.event == Event::Quiescent),
    }
}

fn quote(lines: &[String], n: usize) -> String {
    let start = lines.len().saturating_sub(n);
    lines[start..].join(" / ")
}

/// Explains why step `i` failed.
fn diagnose(s: &Scenario, tr: &Transcript, i: usize, teardown: usize) -> Diagnosis {
    let actor = expect::actor_of(s.step_side(i));
    let views = stall::snapshot(tr, expect::window_start(s, tr, i), teardown);
    let midway = midway(tr);
    let from = expect::window_start(s, tr, i);
    let to = tr.step_start(i + 1).unwrap_or(teardown);
    let all = printed_all(tr, actor);
    let port = tr.entries.iter().find_map(|e| match e.event {
        Event::ConnectRefused { port } | Event::Connected { port } => Some(port),
        _ => None,
    });

    // Python could not even read the file.
    if let Some(l) = all
        .iter()
        .find(|l| l.contains("SyntaxError") || l.contains("IndentationError"))
    {
        let py2 = crate::submission::python2(&all.join("\n"));
        let (hen, hfr) = if py2 {
            ("this is Python 2 syntax: write print(x), not print x, and input() rather than raw_input()",
             "c'est de la syntaxe Python 2 : écrivez print(x) et non print x, et input() plutôt que raw_input()")
        } else {
            (
                "run `python3 -m py_compile yourfile.py` and fix the line it names",
                "lancez `python3 -m py_compile fichier.py` et corrigez la ligne indiquée",
            )
        };
        return diag(
            "syntax-error",
            t(
                format!("Python refuses the file: {l}"),
                format!("Python refuse le fichier : {l}"),
            ),
            t(hen, hfr),
        );
    }
    if let Some(l) = all.iter().find(|l| l.contains("Address already in use")) {
        return diag(
            "no-reuseaddr",
            t(format!("restarted at once, the server cannot bind the port again: {l}"), format!("relancé aussitôt, le serveur ne peut pas réutiliser le port : {l}")),
            t(
                "set SO_REUSEADDR before bind: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                "activez SO_REUSEADDR avant bind : s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
            ),
        );
    }

    let window_lines = expect::printed_lines(tr, actor, from, to);
    let exited = exit_of(tr, actor, 0, to);
    let quiescent = tr
        .window(from, to)
        .iter()
        .any(|e| e.event == Event::Quiescent);

    match &s.steps[i].action {
        Action::Connect => {
            let other: Vec<u16> = tr
                .entries
                .iter()
                .filter_map(|e| match e.event {
                    Event::Listening { port } => Some(port),
                    _ => None,
                })
                .collect();
            if let Some(p) = other.first() {
                let want = port.unwrap_or(8080);
                return diag(
                    "wrong-port",
                    t(format!("the server listens on port {p}, not on {want}"), format!("le serveur écoute sur le port {p}, pas sur le {want}")),
                    t(format!("bind to port {want} as the sheet asks (or grade with --port {p})"), format!("utilisez le port {want} comme le demande la fiche (ou notez avec --port {p})")),
                );
            }
            if let Some(d) = crash(&all, exited) {
                return d;
            }
            let waits = if quiescent {
                (" (it waits without listening)", " (il attend sans écouter)")
            } else {
                ("", "")
            };
            diag(
                "not-listening",
                t(
                    format!(
                        "nothing listens on port {}{}",
                        port.unwrap_or(8080),
                        waits.0
                    ),
                    format!(
                        "rien n'écoute sur le port {}{}",
                        port.unwrap_or(8080),
                        waits.1
                    ),
                ),
                t(
                    "call bind(('', 8080)) then listen() before accept()",
                    "appelez bind(('', 8080)) puis listen() avant accept()",
                ),
            )
        }
        Action::Accept => {
            // Pair scenarios: the connection may have failed on the
            // server's side of the relay; judge the program at fault.
            let (all, exited) = if s.role == Role::Pair {
                let who = accept_culprit(tr, to);
                let (all, exited) = (printed_all(tr, who), exit_of(tr, who, 0, to));
                if who == Actor::Server {
                    return crash(&all, exited).unwrap_or_else(|| server_unreached(port));
                }
                (all, exited)
            } else {
                (all, exited)
            };
            if let Some(p) = tr.entries.iter().find_map(|e| match e.event {
                Event::ConnectAttempt { port } => Some(port),
                _ => None,
            }) {
                let want = port.unwrap_or(8080);
                return diag(
                    "wrong-port",
                    t(
                        format!("the client connects to port {p}, not to {want}"),
                        format!("le client se connecte au port {p}, pas au {want}"),
                    ),
                    t(
                        format!("connect to ('127.0.0.1', {want})"),
                        format!("connectez-vous à ('127.0.0.1', {want})"),
                    ),
                );
            }
            if all.iter().any(|l| {
                l.contains("Connection refused")
                    || l.contains("ConnectionRefusedError")
                    || l.contains("Errno 111")
            }) {
                return diag(
                    "no-connect",
                    t("the client's connection was refused although the server listens on 127.0.0.1:8080: it connects to another host or port", "la connexion du client a été refusée alors que le serveur écoute sur 127.0.0.1:8080 : il vise un autre hôte ou port"),
                    t("connect to ('127.0.0.1', 8080)", "connectez-vous à ('127.0.0.1', 8080)"),
                );
            }
            if let Some(d) = crash(&all, exited) {
                return d;
            }
            diag(
                "no-connect",
                t(
                    "the client never connected",
                    "le client ne s'est jamais connecté",
                ),
                t(
                    "call connect(('127.0.0.1', 8080)) when the program starts",
                    "appelez connect(('127.0.0.1', 8080)) au démarrage du programme",
                ),
            )
        }
        Action::ExpectPrinted(expected) => {
            if let Some(l) = window_lines.iter().find(|l| {
                expected
                    .iter()
                    .any(|e| expect::is_bytes_repr(l, e) || expect::is_bytes_repr_piece(l, e))
            }) {
                return diag(
                    "bytes-repr",
                    t(format!("the program prints the bytes object itself: `{l}`"), format!("le programme affiche l'objet bytes lui-même : `{l}`")),
                    t("decode before printing: print(data.decode(), end='') — recv() returns bytes", "décodez avant d'afficher : print(data.decode(), end='') — recv() renvoie des bytes"),
                );
            }
            if let Some((whole, parts)) = split_line(&window_lines, expected) {
                return diag(
                    "split-line",
                    t(format!("`{whole}` was printed in {parts} pieces: one print per recv(), not per line"), format!("`{whole}` a été affichée en {parts} morceaux : un print par recv(), pas par ligne")),
                    t(
                        "recv() returns whatever bytes have arrived: keep a buffer, and print only up to each '\\n' (or read lines with conn.makefile())",
                        "recv() renvoie les octets arrivés : gardez un tampon et n'affichez que jusqu'à chaque '\\n' (ou lisez les lignes avec conn.makefile())",
                    ),
                );
            }
            if let Some(d) = crash(&all, exited) {
                return d;
            }
            if busy(tr, from, to) {
                return busy_loop();
            }
            if let Some(d) = pair_sender_failed(s, tr, i, from, to, expected, views) {
                return d;
            }
            if let Some(d) = views.and_then(|v| stall::stalled(s, v, actor, false, midway)) {
                return d;
            }
            let term = expect::Terminal::of(s, tr, actor, to);
            let missing = {
                let mut it = window_lines.iter();
                expected
                    .iter()
                    .find(|e| !it.any(|l| term.matches(l, e)))
                    .cloned()
                    .unwrap_or_else(|| first_missing(&window_lines, expected))
            };
            // The line that shows it changed: glued to other text, else the
            // first one that looks like it.
            let near = window_lines
                .iter()
                .find(|l| l.contains(missing.as_str()))
                .or_else(|| {
                    window_lines.iter().find(|l| {
                        missing
                            .split_whitespace()
                            .next()
                            .is_some_and(|w| l.contains(w))
                            || similar(l, &missing)
                    })
                });
            match near {
                Some(l) => diag(
                    "wrong-text",
                    t(format!("expected `{missing}`, the program printed `{l}`"), format!("attendu `{missing}`, le programme a affiché `{l}`")),
                    t("print the received text as is, decoded as UTF-8", "affichez le texte reçu tel quel, décodé en UTF-8"),
                ),
                None => diag(
                    "missing-line",
                    t(
                        format!("`{}` was never printed{}", short(&missing), if window_lines.is_empty() { String::new() } else { format!(" (printed: {})", quote(&window_lines, 3)) }),
                        format!("`{}` n'a jamais été affichée{}", short(&missing), if window_lines.is_empty() { String::new() } else { format!(" (affiché : {})", quote(&window_lines, 3)) }),
                    ),
                    t("print every line received, as soon as it arrives, ending with a newline", "affichez chaque ligne reçue dès son arrivée, terminée par un saut de ligne"),
                ),
            }
        }
        Action::ExpectReceived(expected) => {
            let (lines, rest) = expect::received_lines(tr, from, to);
            let joined = {
                let mut b: Vec<u8> = Vec::new();
                for e in tr.window(from, to) {
                    if let Event::Received(r) = &e.event {
                        b.extend_from_slice(r);
                    }
                }
                String::from_utf8_lossy(&b).into_owned()
            };
            if lines
                .iter()
                .any(|l| expected.iter().any(|e| expect::is_bytes_repr(l, e)))
                || expected.iter().any(|e| expect::is_bytes_repr(&joined, e))
            {
                return diag(
                    "bytes-repr",
                    t(
                        format!(
                            "the client sends the repr of a bytes object: `{}`",
                            short(joined.trim_end())
                        ),
                        format!(
                            "le client envoie la représentation d'un objet bytes : `{}`",
                            short(joined.trim_end())
                        ),
                    ),
                    t(
                        "send line.encode(), not str(line.encode())",
                        "envoyez ligne.encode(), pas str(ligne.encode())",
                    ),
                );
            }
            if !rest.is_empty() && expected.iter().any(|e| joined.contains(e.as_str())) {
                return diag(
                    "no-newline",
                    t(format!("the text arrived without a newline: `{}`", short(&String::from_utf8_lossy(&rest))), format!("le texte est arrivé sans saut de ligne : `{}`", short(&String::from_utf8_lossy(&rest)))),
                    t("send the line with its '\\n': input() strips it, so send (line + '\\n').encode()", "envoyez la ligne avec son '\\n' : input() l'enlève, envoyez donc (ligne + '\\n').encode()"),
                );
            }
            if joined.is_empty() {
                let later = String::from_utf8_lossy(&tr.received_since(to)).into_owned();
                if expected.iter().any(|e| later.contains(e.as_str())) {
                    return diag(
                        "sent-late",
                        t("nothing was sent while typing; the lines arrived only at end of input", "rien n'est envoyé pendant la frappe ; les lignes arrivent seulement en fin d'entrée"),
                        t("send each line as soon as it is read, inside the input loop", "envoyez chaque ligne dès qu'elle est lue, dans la boucle de lecture"),
                    );
                }
            }
            if let Some(d) = crash(&all, exited) {
                return d;
            }
            if busy(tr, from, to) {
                return busy_loop();
            }
            if let Some(d) = views.and_then(|v| stall::stalled(s, v, actor, true, midway)) {
                return d;
            }
            let missing = first_missing(&lines, expected);
            match lines.first() {
                Some(l) => diag(
                    "wrong-text",
                    t(
                        format!("expected `{}`, received `{}`", short(&missing), short(l)),
                        format!("attendu `{}`, reçu `{}`", short(&missing), short(l)),
                    ),
                    t(
                        "send exactly the typed line, UTF-8 encoded, then '\\n'",
                        "envoyez exactement la ligne tapée, encodée en UTF-8, puis '\\n'",
                    ),
                ),
                None => diag(
                    "missing-line",
                    t(
                        format!("`{}` never arrived", short(&missing)),
                        format!("`{}` n'est jamais arrivée", short(&missing)),
                    ),
                    t(
                        "send each typed line as soon as it is typed",
                        "envoyez chaque ligne dès qu'elle est tapée",
                    ),
                ),
            }
        }
        Action::ExpectExit(ExitKind::All) => {
            if busy(tr, from, to) {
                // Name the process that spins (q4: often the receiving one).
                let mut d = busy_loop();
                let spinning: Vec<String> = views
                    .unwrap_or_default()
                    .iter()
                    .filter(|v| v.actor == actor && v.state != 'Z' && v.call.is_none())
                    .map(|v| v.describe())
                    .collect();
                if !spinning.is_empty() {
                    let who = spinning.join("; ");
                    d.message = t(
                        format!("{}: {who}", d.message.in_lang("en")),
                        format!("{} : {who}", d.message.in_lang("fr")),
                    );
                }
                return d;
            }
            let root = tr.window(0, to).iter().rev().find_map(|e| match e.event {
                Event::Started { pid, .. } if e.actor == actor => Some(pid),
                _ => None,
            });
            let root_alive = root.filter(|&r| {
                !tr.window(0, to)
                    .iter()
                    .any(|e| matches!(e.event, Event::Exited { pid, .. } if pid == r))
            });
            match views {
                // A lone process still running (not an orphan: its parent is
                // the harness) may be one that cannot see the peer leave.
                Some(v) => match stall::left_behind(v, actor, root_alive) {
                    d if d.code == "still-running" => {
                        stall::peer_left_unseen(s, v, actor).unwrap_or(d)
                    }
                    d => d,
                },
                None => timeout(),
            }
        }
        Action::ExpectSilent => {
            let sent = sent_text(tr, actor, from, to);
            diag(
                "out-of-turn",
                t(
                    format!("the program sent `{}` out of turn: it must wait for the other side's line first", short(sent.trim_end())),
                    format!("le programme a envoyé `{}` hors de son tour : il doit d'abord attendre la ligne de l'autre côté", short(sent.trim_end())),
                ),
                t(
                    "follow the cycle of the sheet: receive a line, print it, then read the keyboard and send — one line each way per turn",
                    "suivez le cycle de la fiche : recevoir une ligne, l'afficher, puis lire le clavier et envoyer — une ligne dans chaque sens par tour",
                ),
            )
        }
        Action::ExpectDeadlock => {
            let what = views
                .map(|v| {
                    v.iter()
                        .map(|p| p.describe())
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            diag(
                "no-deadlock",
                t(
                    format!("no deadlock could be proven: {what}"),
                    format!("aucun interblocage n'a pu être prouvé : {what}"),
                ),
                t(
                    "both programs must start their cycle by receiving",
                    "les deux programmes doivent commencer leur cycle par recevoir",
                ),
            )
        }
        Action::ExpectFork => {
            if let Some(d) = crash(&all, exited) {
                return d;
            }
            stall::no_fork(views.unwrap_or_default(), actor)
        }
        Action::ExpectClosed => {
            if let Some(d) = crash(&all, exited) {
                return d;
            }
            if let Some(d) = views.and_then(|v| stall::eof_unread(s, v, actor)) {
                return d;
            }
            let what = views
                .map(|v| {
                    v.iter()
                        .map(|p| p.describe())
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            diag(
                "still-running",
                t(
                    format!("after end of input the connection stays open: {what}"),
                    format!("après la fin de l'entrée la connexion reste ouverte : {what}"),
                ),
                t(
                    "at end of input, close the socket (or shutdown(socket.SHUT_WR)) so the peer sees the end",
                    "en fin d'entrée, fermez la socket (ou shutdown(socket.SHUT_WR)) pour que le pair voie la fin",
                ),
            )
        }
        Action::ExpectExit(kind) => {
            let lines = expect::printed_lines(tr, actor, 0, to);
            if let Some(last) = traceback_last_line(&lines) {
                let eof = tr.window(0, to).iter().any(|e| e.event == Event::TypedEof);
                if eof
                    && (last.contains("EOFError")
                        || last.contains("KeyboardInterrupt")
                        || *kind == ExitKind::Clean)
                {
                    return diag(
                        "eof-traceback",
                        t(format!("at end of input the program dies with a traceback: {last}"), format!("en fin d'entrée le programme meurt avec une traceback : {last}")),
                        t("catch EOFError around input() (or loop over sys.stdin), then close the socket and exit", "rattrapez EOFError autour de input() (ou bouclez sur sys.stdin), puis fermez la socket et quittez"),
                    );
                }
                return diag(
                    "crashed",
                    t(
                        format!("the program dies with an uncaught exception: {last}"),
                        format!("le programme meurt sur une exception non rattrapée : {last}"),
                    ),
                    t(
                        "catch the error and print a one-line message instead",
                        "rattrapez l'erreur et affichez plutôt un message d'une ligne",
                    ),
                );
            }
            if let Some((code, signal)) = exit_of(tr, actor, from, to) {
                return if *kind == ExitKind::Message {
                    diag(
                        "crashed",
                        t(
                            "the program exited without a word",
                            "le programme s'est terminé sans un mot",
                        ),
                        t(
                            "say why before exiting, e.g. print('connection refused')",
                            "dites pourquoi avant de quitter, p. ex. print('connexion refusée')",
                        ),
                    )
                } else {
                    diag(
                        "crashed",
                        t(
                            format!("the program exits with {}", status_text(code, signal)),
                            format!("le programme se termine avec {}", status_text(code, signal)),
                        ),
                        t(
                            "end with status 0 once the input or the connection is over",
                            "terminez avec le code 0 quand l'entrée ou la connexion est finie",
                        ),
                    )
                };
            }
            if busy(tr, from, to) {
                return busy_loop();
            }
            if quiescent
                || tr
                    .window(from, to)
                    .iter()
                    .any(|e| e.event == Event::Deadline)
            {
                return diag(
                    "still-running",
                    t("the program does not exit: it keeps waiting", "le programme ne se termine pas : il continue d'attendre"),
                    t("when input() raises EOFError (or recv() returns b''), leave the loop and exit", "quand input() lève EOFError (ou que recv() renvoie b''), sortez de la boucle et terminez"),
                );
            }
            timeout()
        }
        Action::ExpectCalm(_) => {
            if flooded(tr, actor, from, to) {
                let sample = expect::printed_lines(tr, actor, from, to)
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                return diag(
                    "output-flood",
                    t(
                        format!(
                            "after the peer left, the program prints without end (`{}` …)",
                            short(&sample)
                        ),
                        format!(
                            "après le départ du pair, le programme affiche sans fin (`{}` …)",
                            short(&sample)
                        ),
                    ),
                    t(
                        "recv() returns b'' when the peer has closed: leave the loop then",
                        "recv() renvoie b'' quand le pair a fermé : sortez alors de la boucle",
                    ),
                );
            }
            if busy(tr, from, to) {
                return busy_loop();
            }
            let lines = expect::printed_lines(tr, actor, 0, to);
            if let Some(last) = traceback_last_line(&lines) {
                return diag(
                    "crashed",
                    t(
                        format!("when the peer leaves, the program dies with a traceback: {last}"),
                        format!(
                            "quand le pair part, le programme meurt avec une traceback : {last}"
                        ),
                    ),
                    t(
                        "treat the peer leaving as normal: recv() returns b''",
                        "traitez le départ du pair comme normal : recv() renvoie b''",
                    ),
                );
            }
            if let Some((code, signal)) = exit_of(tr, actor, from, to) {
                return diag(
                    "crashed",
                    t(
                        format!(
                            "when the peer leaves, the program exits with {}",
                            status_text(code, signal)
                        ),
                        format!(
                            "quand le pair part, le programme se termine avec {}",
                            status_text(code, signal)
                        ),
                    ),
                    t(
                        "exit with status 0 when the peer leaves",
                        "terminez avec le code 0 quand le pair part",
                    ),
                );
            }
            timeout()
        }
        _ => timeout(),
    }
}

/// The first limit a program hit (`limit`; output: `output-flood`), and
/// the step it happened in.
fn limit_failure(s: &Scenario, tr: &Transcript) -> Option<(Diagnosis, Option<usize>)> {
    let at = tr
        .entries
        .iter()
        .position(|e| matches!(e.event, Event::LimitHit { .. }))?;
    let e = &tr.entries[at];
    let Event::LimitHit { limit, max } = e.event else {
        return None;
    };
    let step = tr.entries[..at].iter().rev().find_map(|e| match e.event {
        Event::Step(i) => Some(i),
        _ => None,
    });
    let mib = max >> 20;
    let d = match limit {
        "output" => {
            let lines = expect::printed_lines(tr, e.actor, 0, at);
            let sample = short(lines.last().map_or("", String::as_str));
            diag(
                "output-flood",
                t(
                    format!("the program prints without end (`{sample}` …): more than {} KiB", max >> 10),
                    format!("le programme affiche sans fin (`{sample}` …) : plus de {} Kio", max >> 10),
                ),
                t(
                    "print each received line once; when recv() returns b'' the peer has left: leave the loop",
                    "affichez chaque ligne reçue une fois ; quand recv() renvoie b'', le pair est parti : sortez de la boucle",
                ),
            )
        }
        "sent" => {
            // The last bytes it sent before the cap, as a sample.
            let sent = expect::sent_bytes(tr, e.actor, 0, at);
            let last = &sent[sent.len().saturating_sub(120)..];
            let sample = short(&crate::transcript::render_bytes(last));
            diag(
                "output-flood",
                t(
                    format!("the program sends without end (`{sample}` …): more than {} KiB", max >> 10),
                    format!("le programme envoie sans fin (`{sample}` …) : plus de {} Kio", max >> 10),
                ),
                t(
                    "send each line once; when the input ends (input() raises EOFError, fgets() returns NULL, read() returns 0) stop sending and close the socket",
                    "envoyez chaque ligne une fois ; à la fin de l'entrée (input() lève EOFError, fgets() renvoie NULL, read() renvoie 0) arrêtez d'envoyer et fermez la socket",
                ),
            )
        }
        "processes" => diag(
            "limit",
            t(
                format!("limit hit: processes — the program tried to run more than {max} processes at once, and fork() was refused"),
                format!("limite atteinte : processus — le programme a tenté de lancer plus de {max} processus à la fois, et fork() a été refusé"),
            ),
            t(
                "fork only where the exercise asks (q4: once per connection), end each child with os._exit(0) when its work is done, and never fork in a loop",
                "ne forkez que là où l'exercice le demande (q4 : une fois par connexion), terminez chaque fils par os._exit(0) une fois son travail fait, et ne forkez jamais dans une boucle",
            ),
        ),
        "memory" => diag(
            "limit",
            t(
                format!("limit hit: memory — the program used more than {mib} MiB and was killed"),
                format!("limite atteinte : mémoire — le programme a utilisé plus de {mib} Mio et a été tué"),
            ),
            t(
                "handle each line as it arrives instead of keeping everything received",
                "traitez chaque ligne à son arrivée au lieu de garder tout ce qui est reçu",
            ),
        ),
        "cpu-time" => diag(
            "limit",
            t(
                format!("limit hit: CPU time — the program computed for more than {max} s and was stopped"),
                format!("limite atteinte : temps CPU — le programme a calculé plus de {max} s et a été arrêté"),
            ),
            t(
                "a loop that never blocks burns the CPU: wait in recv() or input() instead of checking again and again",
                "une boucle qui ne bloque jamais consomme le CPU : attendez dans recv() ou input() au lieu de vérifier sans cesse",
            ),
        ),
        "file-size" => diag(
            "limit",
            t(
                format!("limit hit: file size — the program wrote a file of {mib} MiB or more"),
                format!("limite atteinte : taille de fichier — le programme a écrit un fichier de {mib} Mio ou plus"),
            ),
            t(
                "the chat programs write no files: print on the terminal, send on the socket",
                "les programmes du chat n'écrivent pas de fichier : affichez sur le terminal, envoyez sur la socket",
            ),
        ),
        other => diag(
            "limit",
            t(format!("limit hit: {other} ({max})"), format!("limite atteinte : {other} ({max})")),
            t("", ""),
        ),
    };
    // Pair scenarios: the side that hit it, as `blame` names it.
    let d = match (s.role, e.actor) {
        (crate::scenario::Role::Pair, Actor::Server | Actor::Client) => {
            let (en, fr) = if e.actor == Actor::Server {
                ("server", "serveur")
            } else {
                ("client", "client")
            };
            Diagnosis {
                message: t(
                    format!("{en}: {}", d.message.in_lang("en")),
                    format!("{fr} : {}", d.message.in_lang("fr")),
                ),
                ..d
            }
        }
        _ => d,
    };
    Some((d, step))
}

/// Pair scenarios: which program failed, named at the head of the message
/// (`client: …`). A line typed on one side and not printed on the other is
/// the sender's fault when it never crossed the wire, else the printer's.
fn blame(s: &Scenario, tr: &Transcript, i: usize, mut d: Diagnosis) -> Diagnosis {
    if s.role != crate::scenario::Role::Pair {
        return d;
    }
    // A deadlock before any line crossed: both started by receiving, both
    // at fault. After some turns, the side that did not send is named.
    if d.code == "deadlock" && !midway(tr) {
        return d;
    }
    let side = expect::actor_of(s.step_side(i));
    let culprit = match &s.steps[i].action {
        Action::ExpectPrinted(expected) if tr.isolated => {
            let other = side.other_program().unwrap_or(Actor::Peer);
            let from = expect::window_start(s, tr, i);
            let to = tr.step_start(i + 1).unwrap_or(tr.entries.len());
            let crossed = sent_text(tr, other, from, to);
            if expected.iter().all(|e| crossed.contains(e.as_str())) {
                side
            } else {
                other
            }
        }
        Action::ExpectPrinted(_) => return d,
        Action::Accept => accept_culprit(tr, tr.step_start(i + 1).unwrap_or(tr.entries.len())),
        _ => side,
    };
    let (en, fr) = match culprit {
        Actor::Server => ("server", "serveur"),
        _ => ("client", "client"),
    };
    d.message = t(
        format!("{en}: {}", d.message.in_lang("en")),
        format!("{fr} : {}", d.message.in_lang("fr")),
    );
    d
}

/// Pair scenarios: whose fault a connection that did not reach the server
/// (entries up to `to`) is. The server's when it has ended, or when the
/// client did connect (to the harness's relay) and the server did not take
/// the relayed connection; else the client's, which never connected.
fn accept_culprit(tr: &Transcript, to: usize) -> Actor {
    let server_ended = exit_of(tr, Actor::Server, 0, to).is_some();
    let client_came = tr
        .window(0, to)
        .iter()
        .any(|e| e.actor == Actor::Client && matches!(e.event, Event::Connected { .. }));
    if server_ended || client_came {
        Actor::Server
    } else {
        Actor::Client
    }
}

/// Pair scenarios: the server still runs, but the client's connection,
/// relayed by the harness, found nobody listening.
fn server_unreached(port: Option<u16>) -> Diagnosis {
    let port = port.unwrap_or(8080);
    diag(
        "not-listening",
        t(
            format!(
                "the client connected, but nothing listens on port {port} on the server's side"
            ),
            format!("le client s'est connecté, mais rien n'écoute sur le port {port} côté serveur"),
        ),
        t(
            "call bind(('', 8080)) then listen() before accept()",
            "appelez bind(('', 8080)) puis listen() avant accept()",
        ),
    )
}

/// Whether some line already crossed the wire between the programs.
fn midway(tr: &Transcript) -> bool {
    tr.entries
        .iter()
        .any(|e| matches!(e.event, Event::Relayed(_)))
}

/// What `actor` sent in entries `from..to`, as text.
fn sent_text(tr: &Transcript, actor: Actor, from: usize, to: usize) -> String {
    String::from_utf8_lossy(&expect::sent_bytes(tr, actor, from, to)).into_owned()
}

/// Pair scenarios: a line typed on one side was not printed on the other.
/// When the relay never saw it cross, the sender is at fault, not the
/// printer: say so, with what the sender waits in.
fn pair_sender_failed(
    s: &Scenario,
    tr: &Transcript,
    i: usize,
    from: usize,
    to: usize,
    expected: &[String],
    views: Option<&[crate::transcript::ProcView]>,
) -> Option<Diagnosis> {
    if s.role != crate::scenario::Role::Pair || !tr.isolated {
        return None;
    }
    let printer = expect::actor_of(s.step_side(i));
    let sender = printer.other_program().unwrap_or(Actor::Peer);
    let crossed = sent_text(tr, sender, from, to);
    let missing = first_missing(&[], expected);
    if crossed.contains(missing.as_str()) {
        return None;
    }
    if let Some(d) = views.and_then(|v| stall::stalled(s, v, sender, true, midway(tr))) {
        return Some(d);
    }
    let (name, nom) = (
        sender.name(),
        if sender == Actor::Server {
            "serveur"
        } else {
            "client"
        },
    );
    Some(diag(
        "missing-line",
        t(
            format!(
                "never sent `{}`: it did not cross the wire",
                short(&missing)
            ),
            format!(
                "n'a jamais envoyé `{}` : elle n'a pas traversé le réseau",
                short(&missing)
            ),
        ),
        t(
            format!("the {name} must send each typed line, newline-terminated"),
            format!("le {nom} doit envoyer chaque ligne tapée, terminée par un saut de ligne"),
        ),
    ))
}

fn busy_loop() -> Diagnosis {
    diag(
        "busy-loop",
        t("the program burns CPU in a loop while it has nothing to do", "le programme consomme du CPU en boucle alors qu'il n'a rien à faire"),
        t(
            "recv() returning b'' (or input() at end of input) means the other side is done: break out of the loop instead of calling it again",
            "recv() qui renvoie b'' (ou la fin de l'entrée) signifie que l'autre côté a fini : sortez de la boucle au lieu de rappeler recv()",
        ),
    )
}

fn timeout() -> Diagnosis {
    diag(
        "timeout",
        t(
            "nothing happened before the deadline",
            "rien ne s'est passé avant l'échéance",
        ),
        t(
            "if your machine is slow, retry with --timeout-scale 3",
            "si la machine est lente, réessayez avec --timeout-scale 3",
        ),
    )
}

fn status_text(code: Option<i32>, signal: Option<i32>) -> String {
    match (code, signal) {
        (Some(c), _) => format!("status {c}"),
        (_, Some(s)) => format!("signal {s}"),
        _ => "an unknown status".into(),
    }
}

/// The program died (exited, or died on a signal) before doing what was asked.
fn crash(all: &[String], exited: Option<(Option<i32>, Option<i32>)>) -> Option<Diagnosis> {
    let (code, signal) = exited?;
    if let Some(last) = traceback_last_line(all) {
        return Some(diag(
            "crashed",
            t(
                format!("the program crashed: {last}"),
                format!("le programme a planté : {last}"),
            ),
            t(
                "read the traceback's last line: it names the error and the line",
                "lisez la dernière ligne de la traceback : elle nomme l'erreur et la ligne",
            ),
        ));
    }
    let tail = quote(all, 2);
    let said = if tail.is_empty() {
        String::new()
    } else {
        format!(" (last output: {tail})")
    };
    Some(diag(
        "crashed",
        t(
            format!(
                "the program ended early with {}{said}",
                status_text(code, signal)
            ),
            format!(
                "le programme s'est arrêté trop tôt avec {}{said}",
                status_text(code, signal)
            ),
        ),
        t(
            "it must keep running for the whole exchange",
            "il doit rester actif pendant tout l'échange",
        ),
    ))
}

/// The first expected line that is not (yet) seen, in order.
fn first_missing(lines: &[String], expected: &[String]) -> String {
    let mut it = lines.iter();
    for e in expected {
        if !it.any(|l| line_matches(l, e) || l.trim_end() == e) {
            return e.clone();
        }
    }
    expected.last().cloned().unwrap_or_default()
}

/// Whether consecutive printed lines, joined, give an expected line that no
/// single line shows: returns that line and the number of pieces.
fn split_line(lines: &[String], expected: &[String]) -> Option<(String, usize)> {
    // Pieces may carry the program's decoration (`Reçu : Bonj`, `Reçu : our`):
    // try with the prefix all lines share removed, too.
    let common = common_prefix(lines);
    let bare: Vec<String> = lines
        .iter()
        .map(|l| l[common.len()..].to_string())
        .collect();
    for e in expected {
        if lines.iter().any(|l| line_matches(l, e)) {
            continue;
        }
        for candidates in [lines, bare.as_slice()] {
            for start in 0..candidates.len() {
                let mut acc = String::new();
                for (n, l) in candidates[start..].iter().enumerate() {
                    acc.push_str(l);
                    if n > 0 && line_matches(&acc, e) {
                        return Some((short(e), n + 1));
                    }
                    if acc.len() > e.len() + 200 {
                        break;
                    }
                }
            }
        }
    }
    None
}

/// The longest prefix, on a character boundary, shared by every line (when
/// there are at least two).
fn common_prefix(lines: &[String]) -> String {
    let Some(first) = lines.first() else {
        return String::new();
    };
    if lines.len() < 2 {
        return String::new();
    }
    let mut n = first.len();
    for l in &lines[1..] {
        n = n.min(
            first
                .bytes()
                .zip(l.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    while !first.is_char_boundary(n) {
        n -= 1;
    }
    first[..n].to_string()
}

fn similar(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let b: Vec<char> = b.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    !a.is_empty()
        && !b.is_empty()
        && (a
            .iter()
            .collect::<String>()
            .contains(&b.iter().collect::<String>())
            || b.iter()
                .collect::<String>()
                .contains(&a.iter().collect::<String>()))
}

fn short(s: &str) -> String {
    let c: String = s.chars().take(60).collect();
    if c.len() < s.len() {
        format!("{c}… ({} characters)", s.chars().count())
    } else {
        c
    }
}

impl Verdict {
    pub fn message(&self, lang: &Lang) -> Option<&str> {
        self.diagnosis.as_ref().map(|d| d.message.get(lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_scenario;
    use crate::transcript::{ProcView, WaitsOn};
    use std::time::Duration;

    /// A server scenario `id` of question `q`: start, connect, then `rest`
    /// (TOML steps).
    fn server_scenario(id: &str, q: &str, rest: &str) -> Scenario {
        let text = format!(
            "id = \"{id}\"\nquestion = \"{q}\"\nrole = \"server\"\npoints = 1\n\
             title = {{ en = \"T\", fr = \"T\" }}\npasses = {{ en = \"P\", fr = \"P\" }}\n\
             [[step]]\nstart = \"server\"\n[[step]]\nconnect = true\n{rest}"
        );
        parse_scenario("t.toml", &text).unwrap()
    }

    /// The transcript of those first two steps: server `pid` started, peer connected.
    fn opening(pid: i32) -> Vec<(Actor, Event)> {
        vec![
            (Actor::Harness, Event::Step(0)),
            (
                Actor::Server,
                Event::Started {
                    pid,
                    command: "x".into(),
                },
            ),
            (Actor::Harness, Event::Step(1)),
            (Actor::Peer, Event::Connected { port: 8080 }),
        ]
    }

    fn scenario() -> Scenario {
        server_scenario(
            "q1.server.split-line",
            "q1",
            "[[step]]\nsend = [\"Bonj\", \"our\\n\"]\n[[step]]\nexpect_printed = [\"Bonjour\"]\n",
        )
    }

    fn tr(events: Vec<(Actor, Event)>) -> Transcript {
        let mut t = Transcript::default();
        for (k, (a, e)) in events.into_iter().enumerate() {
            t.push(Duration::from_millis(k as u64), a, e);
        }
        t
    }

    fn printed(s: &str) -> (Actor, Event) {
        (
            Actor::Server,
            Event::Printed {
                raw: s.as_bytes().to_vec(),
                newline: true,
            },
        )
    }

    fn run(lines: &[&str]) -> Verdict {
        let mut ev = opening(1);
        ev.extend([
            (Actor::Harness, Event::Step(2)),
            (Actor::Peer, Event::Sent(b"Bonj".to_vec())),
            (Actor::Peer, Event::Sent(b"our\n".to_vec())),
            (Actor::Harness, Event::Step(3)),
        ]);
        ev.extend(lines.iter().map(|l| printed(l)));
        ev.push((Actor::Harness, Event::Quiescent));
        ev.push((Actor::Harness, Event::Teardown));
        judge(&scenario(), &tr(ev))
    }

    #[test]
    fn whole_line_passes_even_decorated() {
        assert_eq!(run(&["Reçu : Bonjour"]).status, Status::Pass);
        assert_eq!(run(&["Bonjour"]).score, 1.0);
    }

    #[test]
    fn split_line_is_diagnosed() {
        let v = run(&["Bonj", "our", ""]);
        assert_eq!(v.status, Status::Fail);
        assert_eq!(v.diagnosis.unwrap().code, "split-line");
        assert_eq!(
            run(&["Reçu : Bonj", "Reçu : our"]).diagnosis.unwrap().code,
            "split-line"
        );
    }

    #[test]
    fn bytes_repr_is_diagnosed() {
        assert_eq!(
            run(&["b'Bonj'", "b'our\\n'"]).diagnosis.unwrap().code,
            "bytes-repr"
        );
    }

    #[test]
    fn nothing_printed_is_a_missing_line() {
        let v = run(&[]);
        assert_eq!(v.diagnosis.unwrap().code, "missing-line");
        assert_eq!(v.failed_step, Some(3));
    }

    fn peer_leaves(last: Vec<(Actor, Event)>) -> Verdict {
        let s = server_scenario(
            "q4.server.peer-leaves",
            "q4",
            "[[step]]\nclose = true\n[[step]]\nexpect_exit = \"all\"\n",
        );
        let mut ev = opening(40);
        ev.extend([
            (Actor::Harness, Event::Step(2)),
            (Actor::Peer, Event::PeerClosed),
            (Actor::Harness, Event::Step(3)),
        ]);
        ev.extend(last);
        ev.push((Actor::Harness, Event::Teardown));
        judge(&s, &tr(ev))
    }

    fn view(pid: i32, ppid: i32, state: char, on: WaitsOn) -> ProcView {
        ProcView {
            actor: Actor::Server,
            pid,
            ppid,
            comm: "python3".into(),
            state,
            threads: 1,
            call: (state == 'S').then(|| "read".to_string()),
            on,
        }
    }

    #[test]
    fn a_process_spinning_after_the_peer_left_is_a_busy_loop() {
        let v = peer_leaves(vec![
            (Actor::Harness, Event::Deadline),
            (
                Actor::Harness,
                Event::Cpu {
                    used_ms: 1900.0,
                    runnable_ms: 1990.0,
                    window_ms: 2000.0,
                },
            ),
            (
                Actor::Harness,
                Event::Snapshot(vec![
                    view(40, 1, 'S', WaitsOn::Keyboard),
                    view(41, 40, 'R', WaitsOn::Nothing),
                ]),
            ),
        ]);
        let d = v.diagnosis.unwrap();
        assert_eq!(d.code, "busy-loop");
        assert!(
            d.message
                .in_lang("en")
                .ends_with("server (pid 41) is running"),
            "{}",
            d.message.in_lang("en")
        );
    }

    #[test]
    fn a_lone_process_on_the_keyboard_is_an_orphan_when_its_parent_ended() {
        let quiet = |views| {
            vec![
                (Actor::Harness, Event::Quiescent),
                (
                    Actor::Harness,
                    Event::Cpu {
                        used_ms: 0.0,
                        runnable_ms: 0.0,
                        window_ms: 5.0,
                    },
                ),
                (Actor::Harness, Event::Snapshot(views)),
            ]
        };
        // The program's own process, alone on the keyboard: it alternates.
        let v = peer_leaves(quiet(vec![view(40, 1, 'S', WaitsOn::Keyboard)]));
        assert_eq!(v.diagnosis.unwrap().code, "half-duplex");
        // Its child, left alone once the program's process exited: an orphan.
        let mut ev = vec![(
            Actor::Server,
            Event::Exited {
                pid: 40,
                code: Some(0),
                signal: None,
            },
        )];
        ev.extend(quiet(vec![view(41, 1, 'S', WaitsOn::Keyboard)]));
        assert_eq!(peer_leaves(ev).diagnosis.unwrap().code, "orphan");
    }

    #[test]
    fn a_limit_hit_fails_whatever_else_happened() {
        let mut ev = vec![
            (Actor::Harness, Event::Step(0)),
            printed("Bonjour"),
            (Actor::Harness, Event::Step(3)),
            printed("\u{1b}[2J\u{7}Bon\u{8}jour\u{9b}"),
            (
                Actor::Server,
                Event::LimitHit {
                    limit: "processes",
                    max: 64,
                },
            ),
        ];
        ev.push((Actor::Harness, Event::Teardown));
        let v = judge(&scenario(), &tr(ev.clone()));
        assert_eq!(v.status, Status::Fail);
        assert_eq!(v.failed_step, Some(3));
        let d = v.diagnosis.unwrap();
        assert_eq!(d.code, "limit");
        assert!(
            d.message.in_lang("en").contains("processes")
                && d.message.in_lang("fr").contains("processus")
        );
        ev[4].1 = Event::LimitHit {
            limit: "output",
            max: 256 << 10,
        };
        let d = judge(&scenario(), &tr(ev)).diagnosis.unwrap();
        assert_eq!(d.code, "output-flood");
        assert!(
            d.message.in_lang("en").contains("256 KiB"),
            "{}",
            d.message.in_lang("en")
        );
        // What the program printed is quoted without its control bytes.
        assert!(
            d.message.in_lang("en").contains("(`Bonjour` …)"),
            "{}",
            d.message.in_lang("en")
        );
    }

    #[test]
    fn a_syntax_error_names_python_2() {
        let ev = vec![
            (Actor::Harness, Event::Step(0)),
            printed("    print data"),
            printed(
                "SyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?",
            ),
            (
                Actor::Server,
                Event::Exited {
                    pid: 1,
                    code: Some(1),
                    signal: None,
                },
            ),
            (Actor::Harness, Event::Step(1)),
            (Actor::Peer, Event::ConnectRefused { port: 8080 }),
            (Actor::Harness, Event::Teardown),
        ];
        let d = judge(&scenario(), &tr(ev)).diagnosis.unwrap();
        assert_eq!(d.code, "syntax-error");
        assert!(d.hint.in_lang("en").contains("Python 2"));
    }

    /// The pair scenarios' relay: the client connected to the harness, the
    /// server had already exited with status 3 (a syntax error is enough).
    fn pair_server_gone(with_client_exit: bool) -> Verdict {
        let s = crate::scenario::load_catalogue(None)
            .unwrap()
            .into_iter()
            .find(|s| s.id == "q3.pair.chat")
            .unwrap();
        let mut ev = vec![
            (Actor::Harness, Event::Step(0)),
            (
                Actor::Server,
                Event::Started {
                    pid: 40,
                    command: "python3 it.py".into(),
                },
            ),
            (Actor::Harness, Event::Step(1)),
            (Actor::Harness, Event::Step(2)),
            (
                Actor::Client,
                Event::Started {
                    pid: 41,
                    command: "python3 client.py".into(),
                },
            ),
            (Actor::Harness, Event::Step(3)),
        ];
        if !with_client_exit {
            ev.push((Actor::Client, Event::Connected { port: 8080 }));
        }
        ev.push((
            Actor::Server,
            Event::Exited {
                pid: 40,
                code: Some(3),
                signal: None,
            },
        ));
        if with_client_exit {
            ev.push((
                Actor::Client,
                Event::Exited {
                    pid: 41,
                    code: Some(3),
                    signal: None,
                },
            ));
        } else {
            ev.push((Actor::Peer, Event::ConnectRefused { port: 8080 }));
        }
        ev.push((Actor::Harness, Event::Teardown));
        let mut t = tr(ev);
        t.isolated = true;
        judge(&s, &t)
    }

    #[test]
    fn a_pair_whose_server_exited_at_once_fails_the_server() {
        for client_exits in [false, true] {
            let v = pair_server_gone(client_exits);
            assert_eq!(v.status, Status::Fail);
            assert_eq!(v.failed_step, Some(3));
            let d = v.diagnosis.unwrap();
            assert_eq!(d.code, "crashed");
            assert!(
                d.message.in_lang("en").starts_with("server: ")
                    && d.message.in_lang("en").contains("status 3"),
                "{}",
                d.message.in_lang("en")
            );
        }
    }

    mod total {
        use super::super::*;
        use crate::transcript::arbitrary;
        use proptest::prelude::*;
        use std::sync::LazyLock;

        static CATALOGUE: LazyLock<Vec<Scenario>> =
            LazyLock::new(|| crate::scenario::load_catalogue(None).unwrap());

        fn scenario_and_transcript() -> impl Strategy<Value = (usize, Transcript)> {
            (0..CATALOGUE.len())
                .prop_flat_map(|k| (Just(k), arbitrary::transcript(CATALOGUE[k].steps.len())))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1024))]

            /// Whatever the transcript, `judge` returns a verdict that is
            /// consistent: a pass without diagnosis and with the points, a
            /// failure with one, a step that exists; never `error` (the
            /// grader's faults are judged at the scenario's boundary).
            #[test]
            fn judge_returns_a_consistent_verdict_on_any_transcript(
                (k, tr) in scenario_and_transcript()
            ) {
                let s = &CATALOGUE[k];
                let v = judge(s, &tr);
                prop_assert!(v.failed_step.is_none_or(|i| i < s.steps.len()));
                match v.status {
                    Status::Pass => {
                        prop_assert!(v.diagnosis.is_none());
                        prop_assert_eq!(v.score, s.points);
                    }
                    Status::Fail => {
                        prop_assert!(v.diagnosis.is_some());
                        prop_assert_eq!(v.score, 0.0);
                    }
                    Status::Error | Status::Skip => {
                        prop_assert!(false, "judge neither errs nor skips: {:?}", v)
                    }
                }
            }
        }
    }
}
