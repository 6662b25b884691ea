//! Reading a stalled world (pure, for the verdict): from the last process
//! snapshot of a transcript, who waits for whom — the deadlock cycle, a
//! program that receives when it should speak, a q3 program submitted as q4
//! — and what the process tree says: fork or not, zombies, orphans.

use crate::scenario::{Action, Question, Scenario};
use crate::transcript::{Actor, Event, ProcState, ProcView, Transcript, WaitsOn};
use crate::verdict::{diag, t, Diagnosis};

/// The last snapshot in entries `from..to`.
pub fn snapshot(tr: &Transcript, from: usize, to: usize) -> Option<&[ProcView]> {
    tr.window(from, to)
        .iter()
        .rev()
        .find_map(|e| match &e.event {
            Event::Snapshot(v) => Some(v.as_slice()),
            _ => None,
        })
}

fn live(views: &[ProcView], actor: Actor) -> Vec<&ProcView> {
    views
        .iter()
        .filter(|v| v.actor == actor && v.state != ProcState::Zombie)
        .collect()
}

/// Whom `actor` waits for, when every live process of it sleeps in a
/// receive on a connection to that one other party (a process waiting for
/// its children waits for them, not for anyone outside).
pub fn waits_for(views: &[ProcView], actor: Actor) -> Option<Actor> {
    let procs = live(views, actor);
    let mut target = None;
    let mut any = false;
    for v in &procs {
        match &v.on {
            WaitsOn::Socket(Some(a)) if v.call.is_some() => {
                if target.is_some_and(|t| t != *a) {
                    return None;
                }
                target = Some(*a);
                any = true;
            }
            WaitsOn::Children if v.call.is_some() => {}
            _ => return None,
        }
    }
    if any {
        target
    } else {
        None
    }
}

/// The process of `actor` that waits on a socket (for the message).
fn receiver(views: &[ProcView], actor: Actor) -> Option<&ProcView> {
    live(views, actor)
        .into_iter()
        .find(|v| matches!(v.on, WaitsOn::Socket(_)))
}

/// The wait-for cycle between the two programs, described, if there is one.
pub fn deadlock_cycle(views: &[ProcView]) -> Option<String> {
    cycle(views, ProcView::describe)
}

/// The same, in French.
pub fn deadlock_cycle_fr(views: &[ProcView]) -> Option<String> {
    cycle(views, ProcView::describe_fr)
}

fn cycle(views: &[ProcView], describe: fn(&ProcView) -> String) -> Option<String> {
    let (c, s) = (Actor::Client, Actor::Server);
    if waits_for(views, c) == Some(s) && waits_for(views, s) == Some(c) {
        let (a, b) = (receiver(views, c)?, receiver(views, s)?);
        return Some(format!("{} → {}", describe(a), describe(b)));
    }
    None
}

/// A deadlock, diagnosed. `midway`: some line had already crossed the
/// wire, so the programs did not both start by receiving — one side did
/// not send in its turn.
pub fn deadlock(views: &[ProcView], midway: bool) -> Option<Diagnosis> {
    let cycle = deadlock_cycle(views)?;
    let cycle_fr = deadlock_cycle_fr(views)?;
    let (message, hint) = if midway {
        (
            t(
                format!("{cycle}: deadlock — both wait to receive, nobody sends its turn"),
                format!("{cycle_fr} : interblocage — les deux attendent de recevoir, personne n'envoie à son tour"),
            ),
            t(
                "after printing the other side's line, read the keyboard and send: one line each way per turn",
                "après avoir affiché la ligne de l'autre côté, lisez le clavier et envoyez : une ligne dans chaque sens par tour",
            ),
        )
    } else {
        (
            t(
                format!("{cycle}: deadlock — both started by receiving"),
                format!("{cycle_fr} : interblocage — les deux commencent par recevoir"),
            ),
            t(
                "in the alternating chat one side must speak first: the client reads the keyboard and sends, the server receives first",
                "dans le chat alterné un côté doit parler en premier : le client lit le clavier et envoie, le serveur reçoit d'abord",
            ),
        )
    };
    Some(diag("deadlock", message, hint))
}

/// Why a program did not send what was typed (`expect_received` failed) or
/// did not print what came (`expect_printed` failed), from what it waits in.
pub fn stalled(
    s: &Scenario,
    views: &[ProcView],
    actor: Actor,
    wanted_send: bool,
    midway: bool,
) -> Option<Diagnosis> {
    if let Some(d) = deadlock(views, midway) {
        return Some(d);
    }
    let procs = live(views, actor);
    if procs.is_empty() {
        return None;
    }
    let all_recv = procs
        .iter()
        .all(|v| matches!(v.on, WaitsOn::Socket(_) | WaitsOn::Children) && v.call.is_some());
    let all_keyboard = procs
        .iter()
        .all(|v| matches!(v.on, WaitsOn::Keyboard | WaitsOn::Children) && v.call.is_some());
    let shown = receiver(views, actor).or_else(|| procs.first().copied());
    let who = shown.map(|v| v.describe()).unwrap_or_default();
    let qui = shown.map(|v| v.describe_fr()).unwrap_or_default();
    match (s.question, wanted_send) {
        (Question::Q3, true) if all_recv && actor == Actor::Client => Some(diag(
            "receives-first",
            t(
                format!("{who}, while the typed line waits unread on its keyboard: it starts by receiving, but here it must speak first"),
                format!("{qui}, alors que la ligne tapée attend sur son clavier : il commence par recevoir, mais ici il doit parler en premier"),
            ),
            t(
                "start the cycle by reading the keyboard and sending (client: steps 1–2 of the sheet)",
                "commencez le cycle par lire le clavier et envoyer (client : étapes 1–2 de la fiche)",
            ),
        )),
        (Question::Q3, false) if all_keyboard => Some(diag(
            "out-of-turn",
            t(
                format!("{who}, while the peer's line waits unread: it wants to speak when it should receive"),
                format!("{qui}, alors que la ligne du pair attend sans être lue : il veut parler alors qu'il doit recevoir"),
            ),
            t(
                "follow the cycle of the sheet: after sending a line, wait for the other side's line and print it before reading the keyboard again",
                "suivez le cycle de la fiche : après avoir envoyé une ligne, attendez la ligne de l'autre côté et affichez-la avant de relire le clavier",
            ),
        )),
        (Question::Q4, true) => alternates(
            s,
            views,
            actor,
            false,
            "while typed lines wait on its keyboard",
            "alors que des lignes tapées attendent sur son clavier",
        ),
        (Question::Q4, false) => alternates(
            s,
            views,
            actor,
            true,
            "while the peer's lines wait unread in its socket",
            "alors que les lignes du pair attendent dans sa socket",
        ),
        _ => None,
    }
}

/// The program's only process, when it has one process of one thread (no
/// child, not even a zombie): it can wait on the keyboard or on the socket,
/// never on both.
fn alone(views: &[ProcView], actor: Actor) -> Option<&ProcView> {
    match views
        .iter()
        .filter(|v| v.actor == actor)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [v] if v.threads == 1 && v.state != ProcState::Zombie && v.call.is_some() => Some(v),
        _ => None,
    }
}

/// q4: the program's only process sleeps on one side (the keyboard when
/// `on_keyboard`, else the socket) while what it should handle waits on the
/// other: it alternates like q3 (`half-duplex`). In a scenario that checks
/// fork, that is the fork missing (`no-fork`). A program that forked, or
/// runs threads, does not alternate: whatever stalls it is something else.
fn alternates(
    s: &Scenario,
    views: &[ProcView],
    actor: Actor,
    on_keyboard: bool,
    en: &str,
    fr: &str,
) -> Option<Diagnosis> {
    let v = alone(views, actor)?;
    let stuck = match v.on {
        WaitsOn::Keyboard => on_keyboard,
        WaitsOn::Socket(_) => !on_keyboard,
        _ => false,
    };
    if s.question != Question::Q4 || !stuck {
        return None;
    }
    if s.steps.iter().any(|st| st.action == Action::ExpectFork) {
        return Some(no_fork(views, actor));
    }
    Some(half_duplex(
        format!("{}, {en}", v.describe()),
        format!("{}, {fr}", v.describe_fr()),
    ))
}

/// `expect_closed` failed after Ctrl-D: a q4 program whose only process
/// waits in recv() never read the end of input.
pub fn eof_unread(s: &Scenario, views: &[ProcView], actor: Actor) -> Option<Diagnosis> {
    alternates(
        s,
        views,
        actor,
        false,
        "while the end of input (Ctrl-D) waits unread on its keyboard",
        "alors que la fin de saisie (Ctrl-D) attend sur son clavier",
    )
}

/// `expect_exit = "all"` failed after the peer left: a q4 program whose
/// only process waits on the keyboard cannot see it (recv() would say so).
pub fn peer_left_unseen(s: &Scenario, views: &[ProcView], actor: Actor) -> Option<Diagnosis> {
    alternates(
        s,
        views,
        actor,
        true,
        "while the peer has left: only recv() would tell it, and it does not call recv() before a line is typed",
        "alors que le pair est parti : seul recv() le lui dirait, et il ne l'appelle pas avant qu'une ligne soit tapée",
    )
}

fn half_duplex(en: String, fr: String) -> Diagnosis {
    diag(
        "half-duplex",
        t(
            format!("{en}: it alternates like q3 instead of sending and receiving at the same time"),
            format!("{fr} : il alterne comme en q3 au lieu d'envoyer et recevoir en même temps"),
        ),
        t(
            "after connecting, fork(): one process reads the keyboard and sends, the other receives and prints",
            "après la connexion, fork() : un processus lit le clavier et envoie, l'autre reçoit et affiche",
        ),
    )
}

/// `expect_fork` failed: one process only; threads, select, or neither.
pub fn no_fork(views: &[ProcView], actor: Actor) -> Diagnosis {
    let procs = live(views, actor);
    let threads = procs.iter().map(|v| v.threads).max().unwrap_or(1);
    let polls = procs.iter().any(|v| {
        v.call
            .as_deref()
            .is_some_and(|c| ["poll", "select", "pselect", "ppoll", "epoll_wait"].contains(&c))
    });
    let (en, fr) = if threads > 1 {
        (
            format!("one process with {threads} threads: the program uses threads, not fork()"),
            format!("un seul processus à {threads} threads : le programme utilise des threads, pas fork()"),
        )
    } else if polls {
        (
            "one process waiting in select()/poll(): the program multiplexes instead of forking".to_string(),
            "un seul processus qui attend dans select()/poll() : le programme multiplexe au lieu de faire fork()".to_string(),
        )
    } else {
        (
            "only one process during the chat: the program never forks".to_string(),
            "un seul processus pendant la discussion : le programme ne fait jamais fork()"
                .to_string(),
        )
    };
    diag(
        "no-fork",
        t(en, fr),
        t(
            "the sheet asks for os.fork(): one process per direction of the conversation",
            "la fiche demande os.fork() : un processus par sens de la conversation",
        ),
    )
}

/// `expect_exit = "all"` failed: which processes are left, and why.
pub fn left_behind(views: &[ProcView], actor: Actor, root: Option<i32>) -> Diagnosis {
    let mine: Vec<&ProcView> = views.iter().filter(|v| v.actor == actor).collect();
    let pids: Vec<i32> = mine.iter().map(|v| v.pid).collect();
    if let Some(z) = mine
        .iter()
        .find(|v| v.state == ProcState::Zombie && pids.contains(&v.ppid))
    {
        let parent = mine.iter().find(|v| v.pid == z.ppid);
        let p = parent.map(|p| p.describe()).unwrap_or_default();
        let pf = parent.map(|p| p.describe_fr()).unwrap_or_default();
        return diag(
            "zombie",
            t(
                format!("process {} ended but its parent never waited for it (zombie); {p}", z.pid),
                format!("le processus {} est fini mais son parent ne l'a jamais attendu (zombie) ; {pf}", z.pid),
            ),
            t(
                "when one direction ends, end the other too and reap the child: os.kill(pid, signal.SIGTERM) then os.waitpid(pid, 0)",
                "quand un sens se termine, terminez l'autre et récupérez le fils : os.kill(pid, signal.SIGTERM) puis os.waitpid(pid, 0)",
            ),
        );
    }
    let live: Vec<&&ProcView> = mine
        .iter()
        .filter(|v| v.state != ProcState::Zombie)
        .collect();
    if let Some(o) = live
        .iter()
        .find(|v| Some(v.pid) != root && !pids.contains(&v.ppid))
    {
        return diag(
            "orphan",
            t(
                format!("{}: its parent has ended, it is left running (orphan)", o.describe()),
                format!("{} : son parent est fini, il reste en vie (orphelin)", o.describe_fr()),
            ),
            t(
                "before the parent exits, stop the child (os.kill(pid, signal.SIGTERM)) and wait for it (os.waitpid)",
                "avant que le parent ne se termine, arrêtez le fils (os.kill(pid, signal.SIGTERM)) et attendez-le (os.waitpid)",
            ),
        );
    }
    let what = live
        .iter()
        .map(|v| v.describe())
        .collect::<Vec<_>>()
        .join("; ");
    let quoi = live
        .iter()
        .map(|v| v.describe_fr())
        .collect::<Vec<_>>()
        .join(" ; ");
    diag(
        "still-running",
        t(
            format!("the program does not end: {what}"),
            format!("le programme ne se termine pas : {quoi}"),
        ),
        t(
            "when recv() returns b'' or input() reaches end of input, end both processes",
            "quand recv() renvoie b'' ou que input() atteint la fin de l'entrée, terminez les deux processus",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(
        actor: Actor,
        pid: i32,
        ppid: i32,
        state: char,
        call: Option<&str>,
        on: WaitsOn,
    ) -> ProcView {
        ProcView {
            actor,
            pid,
            ppid,
            comm: "python3".into(),
            state: ProcState::from_letter(state),
            threads: 1,
            call: call.map(String::from),
            on,
        }
    }

    /// Server pid 40 and client pid 41, each asleep in recv() for the other.
    fn both_in_recv() -> Vec<ProcView> {
        let recv = |a: Actor, pid| {
            let other = a.other_program();
            v(a, pid, 1, 'S', Some("recv"), WaitsOn::Socket(other))
        };
        vec![recv(Actor::Server, 40), recv(Actor::Client, 41)]
    }

    #[test]
    fn both_receiving_is_a_deadlock_cycle() {
        let views = both_in_recv();
        assert_eq!(
            deadlock_cycle(&views).unwrap(),
            "client (pid 41) waits in recv() for server → server (pid 40) waits in recv() for client"
        );
    }

    #[test]
    fn a_deadlock_after_some_turns_is_nobody_sending_its_turn() {
        let first = deadlock(&both_in_recv(), false).unwrap();
        assert!(first
            .message
            .in_lang("en")
            .ends_with("both started by receiving"));
        let later = deadlock(&both_in_recv(), true).unwrap();
        assert!(later
            .message
            .in_lang("en")
            .ends_with("nobody sends its turn"));
        assert!(later.message.in_lang("fr").contains("personne n'envoie"));
    }

    #[test]
    fn a_process_on_the_keyboard_breaks_the_cycle() {
        let mut views = both_in_recv();
        views.push(v(
            Actor::Client,
            42,
            41,
            'S',
            Some("read"),
            WaitsOn::Keyboard,
        ));
        assert!(deadlock_cycle(&views).is_none());
    }

    fn q4(fork_check: bool) -> Scenario {
        let extra = if fork_check {
            "[[step]]\nexpect_fork = true\n"
        } else {
            ""
        };
        crate::scenario::parse_scenario(
            "t.toml",
            &format!(
                r#"
id = "q4.server.t"
question = "q4"
role = "server"
points = 1
title = {{ en = "T", fr = "T" }}
passes = {{ en = "P", fr = "P" }}
[[step]]
start = "server"
[[step]]
connect = true
[[step]]
send = ["un\n"]
[[step]]
expect_printed = ["un"]
{extra}"#
            ),
        )
        .unwrap()
    }

    fn on_keyboard(pid: i32, ppid: i32) -> ProcView {
        v(
            Actor::Server,
            pid,
            ppid,
            'S',
            Some("read"),
            WaitsOn::Keyboard,
        )
    }

    fn in_recv(pid: i32, ppid: i32) -> ProcView {
        v(
            Actor::Server,
            pid,
            ppid,
            'S',
            Some("recv"),
            WaitsOn::Socket(Some(Actor::Peer)),
        )
    }

    #[test]
    fn one_process_on_the_wrong_side_alternates() {
        let one = vec![on_keyboard(40, 1)];
        let code = |d: Option<Diagnosis>| d.map(|d| d.code);
        assert_eq!(
            code(stalled(&q4(false), &one, Actor::Server, false, false)),
            Some("half-duplex")
        );
        // In the scenario that checks fork, the stall is the missing fork.
        assert_eq!(
            code(stalled(&q4(true), &one, Actor::Server, false, false)),
            Some("no-fork")
        );
        assert_eq!(
            code(peer_left_unseen(&q4(false), &one, Actor::Server)),
            Some("half-duplex")
        );
        let one = vec![in_recv(40, 1)];
        assert_eq!(
            code(eof_unread(&q4(false), &one, Actor::Server)),
            Some("half-duplex")
        );
        assert_eq!(
            code(peer_left_unseen(&q4(false), &one, Actor::Server)),
            None
        );
    }

    #[test]
    fn a_program_that_forked_or_runs_threads_does_not_alternate() {
        // The keyboard child closed the socket and ended (a zombie): the
        // parent in recv() is not waiting for the keyboard.
        let forked = vec![
            in_recv(40, 1),
            v(Actor::Server, 42, 40, 'Z', None, WaitsOn::Nothing),
        ];
        assert!(eof_unread(&q4(false), &forked, Actor::Server).is_none());
        assert!(stalled(&q4(false), &forked, Actor::Server, true, false).is_none());
        let mut threaded = in_recv(40, 1);
        threaded.threads = 2;
        assert!(eof_unread(&q4(false), &[threaded], Actor::Server).is_none());
    }

    #[test]
    fn zombies_and_orphans() {
        let z = vec![
            v(Actor::Server, 40, 1, 'S', Some("read"), WaitsOn::Keyboard),
            v(Actor::Server, 42, 40, 'Z', None, WaitsOn::Nothing),
        ];
        assert_eq!(left_behind(&z, Actor::Server, Some(40)).code, "zombie");
        let o = vec![v(
            Actor::Server,
            42,
            7,
            'S',
            Some("read"),
            WaitsOn::Keyboard,
        )];
        assert_eq!(left_behind(&o, Actor::Server, Some(40)).code, "orphan");
    }

    mod total {
        use super::super::*;
        use crate::transcript::arbitrary;
        use proptest::prelude::*;
        use std::sync::LazyLock;

        static CATALOGUE: LazyLock<Vec<Scenario>> =
            LazyLock::new(|| crate::scenario::load_catalogue(None).unwrap());

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// The last snapshot of any window of any transcript, and every
            /// reading of any set of processes, return.
            #[test]
            fn stall_readings_return_on_any_snapshot(
                t in arbitrary::transcript(12),
                from in 0..64usize,
                to in prop_oneof![0..64usize, Just(usize::MAX)],
                views in arbitrary::views(),
                k in 0..CATALOGUE.len(),
                actor in arbitrary::actor(),
                wanted_send in any::<bool>(),
                midway in any::<bool>(),
                root in prop::option::of(40..46i32),
            ) {
                let _ = snapshot(&t, from, to);
                let s = &CATALOGUE[k];
                let _ = waits_for(&views, actor);
                let _ = deadlock(&views, midway);
                let _ = stalled(s, &views, actor, wanted_send, midway);
                let _ = eof_unread(s, &views, actor);
                let _ = peer_left_unseen(s, &views, actor);
                prop_assert_eq!(no_fork(&views, actor).code, "no-fork");
                let _ = left_behind(&views, actor, root);
            }
        }
    }
}
