//! Rules that say what a program waits for when the harness waited for it:
//! the keyboard, before connecting or listening (it asks a name or a port
//! first, and nothing is typed until it is connected).

use super::ctx::Ctx;
use crate::diagnosis::{short, Code, Diagnosis};
use crate::expect;
use crate::msg::Msg;
use crate::transcript::{Actor, Event, ProcState, ProcView, Transcript, WaitsOn};

/// The live processes of `actor` in the snapshot, when there are some and
/// all of them wait (one at least on the keyboard, the others for their
/// children): the program waits for the keyboard.
pub(super) fn on_keyboard(views: &[ProcView], actor: Actor) -> bool {
    let live: Vec<_> = views
        .iter()
        .filter(|v| v.actor == actor && v.state != ProcState::Zombie)
        .collect();
    let waits =
        |v: &&ProcView| v.call.is_some() && matches!(v.on, WaitsOn::Keyboard | WaitsOn::Children);
    live.iter().all(waits) && live.iter().any(|v| v.on == WaitsOn::Keyboard)
}

/// The last line `actor` left unfinished on its terminal in entries
/// `..to`, when nothing followed it: its prompt (`Votre nom : `).
pub(super) fn prompt(tr: &Transcript, actor: Actor, to: usize) -> Option<String> {
    let mut open: Option<Vec<u8>> = None;
    for e in tr.window(0, to) {
        let Event::Printed { raw, newline } = &e.event else {
            continue;
        };
        if e.actor != actor {
            continue;
        }
        let mut line = open.take().unwrap_or_default();
        line.extend_from_slice(raw);
        open = (!*newline).then_some(line);
    }
    let text = expect::normalize(&open?);
    let text = text.trim_end();
    (!text.is_empty()).then(|| text.to_string())
}

/// `bare`, or `quoting` with the program's prompt.
fn with_prompt(bare: &'static str, quoting: &'static str, prompt: Option<String>) -> Msg {
    match prompt {
        Some(p) => Msg::new(quoting).arg("prompt", short(&p)),
        None => Msg::new(bare),
    }
}

/// `accept`: the client waits for the keyboard, not connected yet.
pub(super) fn keyboard_before_connect(c: &Ctx) -> Option<Diagnosis> {
    let who = Actor::Client;
    if !on_keyboard(c.views()?, who) {
        return None;
    }
    Some(Diagnosis::new(
        Code::NoConnect,
        with_prompt(
            "diag-keyboard-before-connect",
            "diag-keyboard-before-connect-prompt",
            prompt(c.tr, who, c.to),
        ),
        Msg::new("hint-keyboard-before-connect").arg("port", c.port.to_string()),
    ))
}

/// `connect`: the server waits for the keyboard, not listening yet.
pub(super) fn keyboard_before_listen(c: &Ctx) -> Option<Diagnosis> {
    let who = Actor::Server;
    if !on_keyboard(c.views()?, who) {
        return None;
    }
    Some(Diagnosis::new(
        Code::NotListening,
        with_prompt(
            "diag-keyboard-before-listen",
            "diag-keyboard-before-listen-prompt",
            prompt(c.tr, who, c.to),
        )
        .arg("port", c.port.to_string()),
        Msg::new("hint-keyboard-before-listen").arg("port", c.port.to_string()),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    fn unfinished(actor: Actor, text: &str) -> (Actor, Event) {
        let raw = text.as_bytes().to_vec();
        (
            actor,
            Event::Printed {
                raw,
                newline: false,
            },
        )
    }

    fn keyboard(actor: Actor, pid: i32) -> (Actor, Event) {
        snapshot(vec![proc_view(actor, pid, Some("read"), WaitsOn::Keyboard)])
    }

    #[test]
    fn rule_keyboard_before_connect() {
        let asks = accept_step(vec![
            unfinished(Actor::Client, "Votre nom : "),
            keyboard(Actor::Client, 41),
        ]);
        let d = keyboard_before_connect(&ctx(&asks.0, &asks.1, asks.2)).unwrap();
        assert_eq!(d.code, Code::NoConnect);
        says(
            &d.message,
            "the client waits for the keyboard before connecting (its prompt: `Votre nom :`)",
            "le client attend le clavier avant de se connecter (son invite\u{a0}: `Votre nom :`)",
        );
        assert_eq!(
            en(d.hint.as_ref().unwrap()),
            "call connect(('127.0.0.1', 8080)) before reading the keyboard: \
             nothing is typed until the client is connected"
        );
        // input() without a prompt; a finished line is no prompt.
        let bare = vec![
            printed(Actor::Client, "Bienvenue"),
            keyboard(Actor::Client, 41),
        ];
        assert_eq!(
            said(keyboard_before_connect, accept_step(bare)),
            "the client waits for the keyboard before connecting"
        );
        // Waiting elsewhere, or no snapshot: not this rule.
        let recv = snapshot(vec![proc_view(
            Actor::Client,
            41,
            Some("connect"),
            WaitsOn::Other,
        )]);
        assert!(silent(keyboard_before_connect, accept_step(vec![recv])));
        assert!(silent(keyboard_before_connect, accept_step(vec![])));
    }

    #[test]
    fn rule_keyboard_before_listen() {
        let mut all = opening_started(40);
        all.push((Actor::Harness, Event::Step(1)));
        all.push(unfinished(Actor::Server, "Port ? "));
        all.push(keyboard(Actor::Server, 40));
        let (s, t) = (server("q1", ""), tr(all));
        let d = keyboard_before_listen(&ctx(&s, &t, 1)).unwrap();
        assert_eq!(d.code, Code::NotListening);
        says(
            &d.message,
            "nothing listens on port 8080: the server waits for the keyboard before \
             listening (its prompt: `Port ?`)",
            "rien n'écoute sur le port 8080\u{a0}: le serveur attend le clavier avant \
             d'écouter (son invite\u{a0}: `Port ?`)",
        );
        let (s, t) = (server("q1", ""), tr(opening_started(40)));
        assert!(keyboard_before_listen(&ctx(&s, &t, 1)).is_none());
    }

    #[test]
    fn a_parent_waiting_for_its_children_waits_on_their_keyboard() {
        let mut parent = proc_view(Actor::Client, 41, Some("wait4"), WaitsOn::Children);
        parent.ppid = 1;
        let child = ProcView {
            ppid: 41,
            ..proc_view(Actor::Client, 42, Some("read"), WaitsOn::Keyboard)
        };
        assert!(on_keyboard(&[parent.clone(), child], Actor::Client));
        assert!(!on_keyboard(&[parent], Actor::Client));
        assert!(!on_keyboard(&[], Actor::Client));
    }
}
