//! Reading a stalled world (pure, for the verdict): from the last process
//! snapshot of a transcript, who waits for whom — the deadlock cycle, a
//! program that receives when it should speak, a q3 program submitted as q4
//! — and what the process tree says: fork or not, zombies, orphans. Each
//! reading is a table of small rules, first match wins; it returns
//! diagnoses (`diagnosis`), and knows nothing of the verdict.

use crate::diagnosis::{list, Code, Diagnosis};
use crate::msg::{Arg, Msg};
use crate::scenario::{Action, Question, Scenario};
use crate::transcript::{Actor, Event, ProcState, ProcView, Transcript, WaitsOn};
use std::time::Duration;

/// The last snapshot in entries `from..to`.
pub fn snapshot(tr: &Transcript, from: usize, to: usize) -> Option<&[ProcView]> {
    last_snapshot(tr, from, to).map(|(_, v)| v)
}

/// The last snapshot in entries `from..to`, and when it was taken.
pub fn last_snapshot(tr: &Transcript, from: usize, to: usize) -> Option<(Duration, &[ProcView])> {
    tr.window(from, to)
        .iter()
        .rev()
        .find_map(|e| match &e.event {
            Event::Snapshot(v) => Some((e.t, v.as_slice())),
            _ => None,
        })
}

/// A program, or the peer, named in a message: `server`, `serveur`.
pub fn actor_msg(a: Actor) -> Msg {
    Msg::new(match a {
        Actor::Server => "actor-server",
        Actor::Client => "actor-client",
        Actor::Peer => "actor-peer",
        Actor::Harness => "actor-harness",
    })
}

/// One process and what it waits in: `client (pid 41) waits in recv() for
/// server`.
pub fn process(v: &ProcView) -> Msg {
    let who = |id| {
        Msg::new(id)
            .arg("actor", actor_msg(v.actor))
            .arg("pid", v.pid.to_string())
    };
    if v.state == ProcState::Zombie {
        return who("proc-zombie");
    }
    let Some(call) = &v.call else {
        return who("proc-running");
    };
    let m = match &v.on {
        WaitsOn::Keyboard => who("proc-waits-keyboard"),
        WaitsOn::Socket(Some(a)) => who("proc-waits-for").arg("whom", a.name()),
        WaitsOn::Socket(None) => who("proc-waits-socket"),
        WaitsOn::Listener => who("proc-waits-connection"),
        WaitsOn::Children => who("proc-waits-children"),
        WaitsOn::Nothing | WaitsOn::Other => who("proc-waits"),
    };
    m.arg("call", call.as_str())
}

/// Processes, one after the other: `…; …`.
pub fn processes<'a>(views: impl IntoIterator<Item = &'a ProcView>) -> Arg {
    list(
        views.into_iter().map(|v| process(v).into()).collect(),
        "list-semicolon",
    )
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

/// The wait-for cycle between the two programs: the client's process that
/// receives, waiting for the server, whose process waits for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub client: ProcView,
    pub server: ProcView,
}

impl Cycle {
    /// `client (pid 41) waits in recv() for server → server (pid 40) waits
    /// in recv() for client`.
    pub fn msg(&self) -> Msg {
        Msg::new("deadlock-cycle")
            .arg("client", process(&self.client))
            .arg("server", process(&self.server))
    }
}

/// The wait-for cycle between the two programs, if there is one.
pub fn deadlock_cycle(views: &[ProcView]) -> Option<Cycle> {
    let (c, s) = (Actor::Client, Actor::Server);
    if waits_for(views, c) == Some(s) && waits_for(views, s) == Some(c) {
        return Some(Cycle {
            client: receiver(views, c)?.clone(),
            server: receiver(views, s)?.clone(),
        });
    }
    None
}

/// A deadlock, diagnosed. `midway`: some line had already crossed the
/// wire, so the programs did not both start by receiving — one side did
/// not send in its turn.
pub fn deadlock(views: &[ProcView], midway: bool) -> Option<Diagnosis> {
    let cycle = deadlock_cycle(views)?.msg();
    let (message, hint) = if midway {
        ("diag-deadlock-midway", "hint-deadlock-midway")
    } else {
        ("diag-deadlock", "hint-deadlock")
    };
    Some(Diagnosis::new(
        Code::Deadlock,
        Msg::new(message).arg("cycle", cycle),
        Msg::new(hint),
    ))
}

/// What `stalled` reads: the world's processes, the program that did not
/// send what was typed (`wanted_send`) or did not print what came, and
/// whether some line had crossed the wire already (`midway`).
struct Stall<'a> {
    s: &'a Scenario,
    views: &'a [ProcView],
    actor: Actor,
    wanted_send: bool,
    midway: bool,
}

impl Stall<'_> {
    fn live(&self) -> Vec<&ProcView> {
        live(self.views, self.actor)
    }

    /// Whether every live process of the program (there is one) sleeps in
    /// a call on what `on` accepts, or waits for its children.
    fn all_wait(&self, on: fn(&WaitsOn) -> bool) -> bool {
        let procs = self.live();
        !procs.is_empty()
            && procs
                .iter()
                .all(|v| (on(&v.on) || matches!(v.on, WaitsOn::Children)) && v.call.is_some())
    }

    /// The process the message names: the one on the socket, else the first.
    fn shown(&self) -> Msg {
        let procs = self.live();
        receiver(self.views, self.actor)
            .or_else(|| procs.first().copied())
            .map_or_else(|| Msg::new("list-empty"), process)
    }
}

type StallRule = fn(&Stall) -> Option<Diagnosis>;

/// Why a program stalled, in order: first match wins.
const STALLED: &[StallRule] = &[deadlocked, receives_first, out_of_turn, q4_alternates];

/// Why a program did not send what was typed (`expect_received` failed) or
/// did not print what came (`expect_printed` failed), from what it waits in.
pub fn stalled(
    s: &Scenario,
    views: &[ProcView],
    actor: Actor,
    wanted_send: bool,
    midway: bool,
) -> Option<Diagnosis> {
    let c = Stall {
        s,
        views,
        actor,
        wanted_send,
        midway,
    };
    STALLED.iter().find_map(|rule| rule(&c))
}

/// The two programs wait for each other.
fn deadlocked(c: &Stall) -> Option<Diagnosis> {
    deadlock(c.views, c.midway)
}

/// q3: the client should send the typed line, and waits to receive.
fn receives_first(c: &Stall) -> Option<Diagnosis> {
    let socket = |on: &WaitsOn| matches!(on, WaitsOn::Socket(_));
    if !c.wanted_send || c.actor != Actor::Client {
        return None;
    }
    let (diag, hint) = ("diag-receives-first", "hint-receives-first");
    q3_waits(c, socket, Code::ReceivesFirst, diag, hint)
}

/// q3: the program should print the peer's line, and waits on the keyboard.
fn out_of_turn(c: &Stall) -> Option<Diagnosis> {
    let keyboard = |on: &WaitsOn| matches!(on, WaitsOn::Keyboard);
    if c.wanted_send {
        return None;
    }
    let (diag, hint) = ("diag-out-of-turn-waits", "hint-out-of-turn-waits");
    q3_waits(c, keyboard, Code::OutOfTurn, diag, hint)
}

/// q3: every live process of the program waits on what `on` accepts when
/// it is the program's turn: `code`, with the message `diag` (naming the
/// process) and the hint `hint`.
fn q3_waits(
    c: &Stall,
    on: fn(&WaitsOn) -> bool,
    code: Code,
    diag: &'static str,
    hint: &'static str,
) -> Option<Diagnosis> {
    (c.s.question == Question::Q3 && c.all_wait(on))
        .then(|| Diagnosis::new(code, Msg::new(diag).arg("proc", c.shown()), Msg::new(hint)))
}

/// q4: the program's only process sleeps on the side it should not.
fn q4_alternates(c: &Stall) -> Option<Diagnosis> {
    if c.s.question != Question::Q4 {
        return None;
    }
    let (on_keyboard, situation) = if c.wanted_send {
        (false, "stall-while-typed")
    } else {
        (true, "stall-while-peer-lines")
    };
    alternates(c.s, c.views, c.actor, on_keyboard, situation)
        .or_else(|| all_on_one_side(c, on_keyboard, situation))
}

/// q4, several processes (a fork per connection whose child alternates,
/// processes that all alternate): none is on the side where what it should
/// handle waits, every one is on the other side (or in accept() or wait()):
/// `half-duplex` too.
fn all_on_one_side(c: &Stall, on_keyboard: bool, situation: &'static str) -> Option<Diagnosis> {
    let procs = c.live();
    let side = |on: &WaitsOn| match on {
        WaitsOn::Keyboard => on_keyboard,
        WaitsOn::Socket(_) => !on_keyboard,
        _ => false,
    };
    let elsewhere = |on: &WaitsOn| side(on) || matches!(on, WaitsOn::Listener | WaitsOn::Children);
    let settled = procs
        .iter()
        .all(|v| v.threads == 1 && v.call.is_some() && elsewhere(&v.on));
    if procs.len() < 2 || !settled || !procs.iter().any(|v| side(&v.on)) {
        return None;
    }
    Some(Diagnosis::new(
        Code::HalfDuplex,
        Msg::new("diag-half-duplex-procs")
            .arg("procs", processes(procs))
            .arg("situation", Msg::new(situation)),
        Msg::new("hint-fork-one-direction"),
    ))
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
/// other (`situation`): it alternates like q3 (`half-duplex`). In a
/// scenario that checks fork, that is the fork missing (`no-fork`). A
/// program that forked, or runs threads, does not alternate: whatever
/// stalls it is something else.
fn alternates(
    s: &Scenario,
    views: &[ProcView],
    actor: Actor,
    on_keyboard: bool,
    situation: &'static str,
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
    Some(Diagnosis::new(
        Code::HalfDuplex,
        Msg::new("diag-half-duplex")
            .arg("proc", process(v))
            .arg("situation", Msg::new(situation)),
        Msg::new("hint-half-duplex"),
    ))
}

/// `expect_closed` failed after Ctrl-D: a q4 program whose only process
/// waits in recv() never read the end of input.
pub fn eof_unread(s: &Scenario, views: &[ProcView], actor: Actor) -> Option<Diagnosis> {
    alternates(s, views, actor, false, "stall-while-eof")
}

/// `expect_exit = "all"` failed after the peer left: a q4 program whose
/// only process waits on the keyboard cannot see it (recv() would say so).
pub fn peer_left_unseen(s: &Scenario, views: &[ProcView], actor: Actor) -> Option<Diagnosis> {
    alternates(s, views, actor, true, "stall-while-peer-left")
}

/// q4, one process per direction (the sheet: "chacun de ces processus
/// s'occupe d'un sens de la communication"): a live process of `actor`
/// waits on the socket while another waits on the keyboard.
/// A process asleep in select()/poll() may wait on either side (which
/// descriptors it watches is not read): it takes the direction the other
/// process leaves, never both.
pub fn one_per_direction(views: &[ProcView], actor: Actor) -> bool {
    let procs = live(views, actor);
    let count =
        |on: fn(&ProcView) -> bool| procs.iter().filter(|v| v.call.is_some() && on(v)).count();
    let socket = count(|v| matches!(v.on, WaitsOn::Socket(_)));
    let keyboard = count(|v| v.on == WaitsOn::Keyboard);
    let either = count(multiplexes);
    (socket > 0 && keyboard + either > 0) || (keyboard > 0 && either > 0)
}

/// The calls that wait on several descriptors at once.
const MULTIPLEXING: &[&str] = &["poll", "select", "pselect", "ppoll", "epoll_wait"];

fn multiplexes(v: &ProcView) -> bool {
    v.call.as_deref().is_some_and(|c| MULTIPLEXING.contains(&c))
}

/// `expect_fork` failed: one process only (threads, select, or neither),
/// or several of which none takes one direction while another takes the
/// other (a fork per connection whose child alternates, processes that
/// all wait on the same side).
pub fn no_fork(views: &[ProcView], actor: Actor) -> Diagnosis {
    let procs = live(views, actor);
    if procs.len() >= 2 {
        let accepts = procs.iter().any(|v| v.on == WaitsOn::Listener);
        let id = if accepts {
            "diag-fork-per-connection"
        } else {
            "diag-fork-one-direction"
        };
        return Diagnosis::new(
            Code::NoFork,
            Msg::new(id)
                .arg("n", procs.len())
                .arg("procs", processes(procs)),
            Msg::new("hint-fork-one-direction"),
        );
    }
    let threads = procs.iter().map(|v| v.threads).max().unwrap_or(1);
    let polls = procs.iter().any(|v| multiplexes(v));
    let message = if threads > 1 {
        Msg::new("diag-no-fork-threads").arg("threads", threads)
    } else if polls {
        Msg::new("diag-no-fork-select")
    } else {
        Msg::new("diag-no-fork")
    };
    Diagnosis::new(Code::NoFork, message, Msg::new("hint-no-fork"))
}

/// What `left_behind` reads: the program's processes, zombies included,
/// and its own first process while it runs (`root`).
struct Left<'a> {
    mine: Vec<&'a ProcView>,
    root: Option<i32>,
}

impl Left<'_> {
    fn has_parent(&self, v: &ProcView) -> bool {
        self.mine.iter().any(|p| p.pid == v.ppid)
    }

    fn live(&self) -> impl Iterator<Item = &ProcView> {
        self.mine
            .iter()
            .copied()
            .filter(|v| v.state != ProcState::Zombie)
    }
}

type LeftRule = fn(&Left) -> Option<Diagnosis>;

/// What is left of a program that should have ended, in order.
const LEFT_BEHIND: &[LeftRule] = &[zombie, orphan, still_running];

/// `expect_exit = "all"` failed: which processes are left, and why.
pub fn left_behind(views: &[ProcView], actor: Actor, root: Option<i32>) -> Diagnosis {
    let c = Left {
        mine: views.iter().filter(|v| v.actor == actor).collect(),
        root,
    };
    LEFT_BEHIND
        .iter()
        .find_map(|rule| rule(&c))
        .unwrap_or_else(|| still_running_among(Vec::new()))
}

/// A child ended and its parent, still there, never waited for it.
fn zombie(c: &Left) -> Option<Diagnosis> {
    let z = c
        .mine
        .iter()
        .find(|v| v.state == ProcState::Zombie && c.has_parent(v))?;
    let parent = c.mine.iter().find(|v| v.pid == z.ppid);
    Some(Diagnosis::new(
        Code::Zombie,
        Msg::new("diag-zombie").arg("pid", z.pid.to_string()).arg(
            "parent",
            parent.map_or_else(|| Msg::new("list-empty"), |p| process(p)),
        ),
        Msg::new("hint-zombie"),
    ))
}

/// A process whose parent (of the program) has ended, left running.
fn orphan(c: &Left) -> Option<Diagnosis> {
    let o = c
        .live()
        .find(|v| Some(v.pid) != c.root && !c.has_parent(v))?;
    Some(Diagnosis::new(
        Code::Orphan,
        Msg::new("diag-orphan").arg("proc", process(o)),
        Msg::new("hint-orphan"),
    ))
}

/// Processes still running, each in its place.
fn still_running(c: &Left) -> Option<Diagnosis> {
    Some(still_running_among(c.live().collect()))
}

fn still_running_among(live: Vec<&ProcView>) -> Diagnosis {
    Diagnosis::new(
        Code::StillRunning,
        Msg::new("diag-still-running").arg("procs", processes(live)),
        Msg::new("hint-still-running"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::testkit::{code, en, fr, proc_view, says};

    fn v(
        actor: Actor,
        pid: i32,
        ppid: i32,
        state: ProcState,
        call: Option<&str>,
        on: WaitsOn,
    ) -> ProcView {
        ProcView {
            ppid,
            state,
            ..proc_view(actor, pid, call, on)
        }
    }

    /// Server pid 40 and client pid 41, each asleep in recv() for the other.
    fn both_in_recv() -> Vec<ProcView> {
        let recv = |a: Actor, pid| {
            let other = a.other_program();
            v(
                a,
                pid,
                1,
                ProcState::Sleeping,
                Some("recv"),
                WaitsOn::Socket(other),
            )
        };
        vec![recv(Actor::Server, 40), recv(Actor::Client, 41)]
    }

    #[test]
    fn processes_are_described_in_each_language() {
        let p = |state, call, on| process(&v(Actor::Client, 41, 1, state, call, on));
        let cases = [
            (
                p(ProcState::Zombie, None, WaitsOn::Nothing),
                "client (pid 41) is a zombie",
                "client (pid 41) est un zombie",
            ),
            (
                p(ProcState::Running, None, WaitsOn::Nothing),
                "client (pid 41) is running",
                "client (pid 41) s'exécute",
            ),
            (
                p(ProcState::Sleeping, Some("read"), WaitsOn::Keyboard),
                "client (pid 41) waits in read() for the keyboard",
                "client (pid 41) attend le clavier dans read()",
            ),
            (
                p(
                    ProcState::Sleeping,
                    Some("recv"),
                    WaitsOn::Socket(Some(Actor::Server)),
                ),
                "client (pid 41) waits in recv() for server",
                "client (pid 41) attend le serveur dans recv()",
            ),
            (
                p(ProcState::Sleeping, Some("recv"), WaitsOn::Socket(None)),
                "client (pid 41) waits in recv() on a socket",
                "client (pid 41) attend sur une socket dans recv()",
            ),
            (
                p(ProcState::Sleeping, Some("accept"), WaitsOn::Listener),
                "client (pid 41) waits in accept() for a connection",
                "client (pid 41) attend une connexion dans accept()",
            ),
            (
                p(ProcState::Sleeping, Some("wait4"), WaitsOn::Children),
                "client (pid 41) waits in wait4() for its children",
                "client (pid 41) attend ses fils dans wait4()",
            ),
            (
                p(ProcState::Sleeping, Some("poll"), WaitsOn::Other),
                "client (pid 41) waits in poll()",
                "client (pid 41) attend dans poll()",
            ),
        ];
        for (m, e, f) in cases {
            says(&m, e, f);
        }
        let server = process(&v(
            Actor::Server,
            40,
            1,
            ProcState::Running,
            None,
            WaitsOn::Nothing,
        ));
        assert_eq!(fr(&server), "serveur (pid 40) s'exécute");
    }

    #[test]
    fn both_receiving_is_a_deadlock_cycle() {
        let views = both_in_recv();
        let cycle = deadlock_cycle(&views).unwrap();
        assert_eq!((cycle.client.pid, cycle.server.pid), (41, 40));
        assert_eq!(
            en(&cycle.msg()),
            "client (pid 41) waits in recv() for server → server (pid 40) waits in recv() for client"
        );
    }

    #[test]
    fn a_deadlock_after_some_turns_is_nobody_sending_its_turn() {
        let first = deadlock(&both_in_recv(), false).unwrap();
        assert!(en(&first.message).ends_with(": deadlock — both started by receiving"));
        let later = deadlock(&both_in_recv(), true).unwrap();
        assert!(en(&later.message).ends_with("nobody sends its turn"));
        assert!(fr(&later.message).contains("\u{a0}: interblocage"));
        assert!(fr(&later.message).contains("personne n'envoie"));
    }

    #[test]
    fn a_process_on_the_keyboard_breaks_the_cycle() {
        let mut views = both_in_recv();
        views.push(v(
            Actor::Client,
            42,
            41,
            ProcState::Sleeping,
            Some("read"),
            WaitsOn::Keyboard,
        ));
        assert!(deadlock_cycle(&views).is_none());
    }

    fn scenario(q: &str, extra: &str) -> Scenario {
        crate::scenario::parse_scenario(
            "t.toml",
            &format!(
                r#"
id = "{q}.server.t"
question = "{q}"
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

    fn q4(fork_check: bool) -> Scenario {
        scenario(
            "q4",
            if fork_check {
                "[[step]]\nexpect_fork = true\n"
            } else {
                ""
            },
        )
    }

    fn on_keyboard(pid: i32, ppid: i32) -> ProcView {
        v(
            Actor::Server,
            pid,
            ppid,
            ProcState::Sleeping,
            Some("read"),
            WaitsOn::Keyboard,
        )
    }

    fn in_recv(pid: i32, ppid: i32) -> ProcView {
        v(
            Actor::Server,
            pid,
            ppid,
            ProcState::Sleeping,
            Some("recv"),
            WaitsOn::Socket(Some(Actor::Peer)),
        )
    }

    /// Server pid 42, a child of pid 40 that ended and was never waited for.
    fn zombie_child() -> ProcView {
        v(
            Actor::Server,
            42,
            40,
            ProcState::Zombie,
            None,
            WaitsOn::Nothing,
        )
    }

    fn stall<'a>(
        s: &'a Scenario,
        views: &'a [ProcView],
        actor: Actor,
        wanted_send: bool,
    ) -> Stall<'a> {
        Stall {
            s,
            views,
            actor,
            wanted_send,
            midway: false,
        }
    }

    fn in_accept(pid: i32) -> ProcView {
        v(
            Actor::Server,
            pid,
            1,
            ProcState::Sleeping,
            Some("accept"),
            WaitsOn::Listener,
        )
    }

    #[test]
    fn one_process_per_direction_is_the_fork_the_sheet_asks_for() {
        let srv = Actor::Server;
        assert!(one_per_direction(
            &[in_recv(40, 1), on_keyboard(41, 40)],
            srv
        ));
        // Two processes on the same side, or one in accept(): not one per direction.
        assert!(!one_per_direction(
            &[on_keyboard(40, 1), on_keyboard(41, 40)],
            srv
        ));
        assert!(!one_per_direction(
            &[in_accept(40), on_keyboard(41, 40)],
            srv
        ));
        // One process on both sides in turn is not enough, nor are a client's processes.
        assert!(!one_per_direction(&[in_recv(40, 1)], srv));
        // select() on one side, recv() or the keyboard on the other: one per direction.
        let mut sel = on_keyboard(41, 40);
        sel.call = Some("pselect".into());
        sel.on = WaitsOn::Other;
        assert!(one_per_direction(&[in_recv(40, 1), sel.clone()], srv));
        assert!(!one_per_direction(&[sel.clone()], srv));
        let mut sel2 = sel.clone();
        sel2.pid = 42;
        assert!(!one_per_direction(&[sel, sel2], srv));
        assert!(!one_per_direction(
            &[in_recv(40, 1), on_keyboard(41, 40)],
            Actor::Client
        ));
        let d = no_fork(&[in_accept(40), on_keyboard(41, 40)], srv);
        assert_eq!(d.code, Code::NoFork);
        assert!(
            en(&d.message).contains("forks per connection"),
            "{}",
            en(&d.message)
        );
        let d = no_fork(&[on_keyboard(40, 1), on_keyboard(41, 40)], srv);
        assert!(en(&d.message).starts_with("2 processes, but none waits on the socket"));
    }

    #[test]
    fn several_processes_all_on_the_wrong_side_alternate() {
        let s = q4(false);
        let views = [in_accept(40), in_recv(41, 40)];
        let d = q4_alternates(&stall(&s, &views, Actor::Server, true)).unwrap();
        assert_eq!(d.code, Code::HalfDuplex);
        assert!(en(&d.message).starts_with("every process of the program waits elsewhere"));
        // The typed line is read by one of them: not half-duplex.
        let views = [in_recv(40, 1), on_keyboard(41, 40)];
        assert!(q4_alternates(&stall(&s, &views, Actor::Server, true)).is_none());
        // The peer's line waits while one waits in accept() and one on the keyboard.
        let views = [in_accept(40), on_keyboard(41, 40)];
        assert!(q4_alternates(&stall(&s, &views, Actor::Server, false)).is_some());
    }

    #[test]
    fn rule_deadlocked() {
        let s = scenario("q3", "");
        let views = both_in_recv();
        assert_eq!(
            code(deadlocked(&stall(&s, &views, Actor::Client, true))),
            Some(Code::Deadlock)
        );
        let one = [on_keyboard(40, 1)];
        assert_eq!(
            code(deadlocked(&stall(&s, &one, Actor::Server, true))),
            None
        );
    }

    #[test]
    fn rule_receives_first() {
        let s = scenario("q3", "");
        let views = [v(
            Actor::Client,
            41,
            1,
            ProcState::Sleeping,
            Some("recv"),
            WaitsOn::Socket(Some(Actor::Peer)),
        )];
        let d = receives_first(&stall(&s, &views, Actor::Client, true)).unwrap();
        assert_eq!(d.code, Code::ReceivesFirst);
        assert!(en(&d.message)
            .starts_with("client (pid 41) waits in recv() for peer, while the typed line"));
        // Only when it should send, only the client, only in q3.
        assert!(receives_first(&stall(&s, &views, Actor::Client, false)).is_none());
        assert!(receives_first(&stall(&scenario("q4", ""), &views, Actor::Client, true)).is_none());
        assert!(receives_first(&stall(&s, &[], Actor::Client, true)).is_none());
    }

    #[test]
    fn rule_out_of_turn() {
        let s = scenario("q3", "");
        let views = [on_keyboard(40, 1)];
        let d = out_of_turn(&stall(&s, &views, Actor::Server, false)).unwrap();
        assert_eq!(d.code, Code::OutOfTurn);
        assert!(en(&d.message).contains("while the peer's line waits unread"));
        assert!(out_of_turn(&stall(&s, &views, Actor::Server, true)).is_none());
        assert!(out_of_turn(&stall(&s, &[in_recv(40, 1)], Actor::Server, false)).is_none());
    }

    #[test]
    fn rule_q4_alternates() {
        let s = q4(false);
        let d = q4_alternates(&stall(&s, &[in_recv(40, 1)], Actor::Server, true)).unwrap();
        assert_eq!(d.code, Code::HalfDuplex);
        assert_eq!(
            en(&d.message),
            "server (pid 40) waits in recv() for peer, while typed lines wait on its keyboard: it alternates like q3 instead of sending and receiving at the same time"
        );
        assert!(q4_alternates(&stall(
            &scenario("q3", ""),
            &[in_recv(40, 1)],
            Actor::Server,
            true
        ))
        .is_none());
    }

    #[test]
    fn one_process_on_the_wrong_side_alternates() {
        let one = vec![on_keyboard(40, 1)];
        assert_eq!(
            code(stalled(&q4(false), &one, Actor::Server, false, false)),
            Some(Code::HalfDuplex)
        );
        // In the scenario that checks fork, the stall is the missing fork.
        assert_eq!(
            code(stalled(&q4(true), &one, Actor::Server, false, false)),
            Some(Code::NoFork)
        );
        assert_eq!(
            code(peer_left_unseen(&q4(false), &one, Actor::Server)),
            Some(Code::HalfDuplex)
        );
        let one = vec![in_recv(40, 1)];
        assert_eq!(
            code(eof_unread(&q4(false), &one, Actor::Server)),
            Some(Code::HalfDuplex)
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
        let forked = vec![in_recv(40, 1), zombie_child()];
        assert!(eof_unread(&q4(false), &forked, Actor::Server).is_none());
        assert!(stalled(&q4(false), &forked, Actor::Server, true, false).is_none());
        let mut threaded = in_recv(40, 1);
        threaded.threads = 2;
        assert!(eof_unread(&q4(false), &[threaded], Actor::Server).is_none());
    }

    #[test]
    fn no_fork_says_threads_select_or_neither() {
        let mut threaded = in_recv(40, 1);
        threaded.threads = 3;
        let d = no_fork(&[threaded], Actor::Server);
        assert_eq!(
            en(&d.message),
            "one process with 3 threads: the program uses threads, not fork()"
        );
        let polls = v(
            Actor::Server,
            40,
            1,
            ProcState::Sleeping,
            Some("select"),
            WaitsOn::Other,
        );
        assert!(en(&no_fork(&[polls], Actor::Server).message).contains("multiplexes"));
        assert!(en(&no_fork(&[], Actor::Server).message).contains("never forks"));
    }

    fn left(views: &[ProcView], root: Option<i32>) -> Left<'_> {
        Left {
            mine: views.iter().filter(|v| v.actor == Actor::Server).collect(),
            root,
        }
    }

    #[test]
    fn rule_zombie() {
        let z = vec![on_keyboard(40, 1), zombie_child()];
        let d = zombie(&left(&z, Some(40))).unwrap();
        assert_eq!(
            en(&d.message),
            "process 42 ended but its parent never waited for it (zombie); server (pid 40) waits in read() for the keyboard"
        );
        assert_eq!(d.named_pids(), [40]);
        // A zombie whose parent is gone is the harness's to reap.
        assert!(zombie(&left(&z[1..], Some(40))).is_none());
    }

    #[test]
    fn rule_orphan() {
        let o = vec![on_keyboard(42, 7)];
        let d = orphan(&left(&o, Some(40))).unwrap();
        assert_eq!(d.code, Code::Orphan);
        assert!(fr(&d.message).ends_with("\u{a0}: son parent est fini, il reste en vie (orphelin)"));
        // The program's own process is not an orphan, nor a child of it.
        assert!(orphan(&left(&[on_keyboard(40, 1), on_keyboard(42, 40)], Some(40))).is_none());
    }

    #[test]
    fn rule_still_running() {
        let views = [on_keyboard(40, 1), in_recv(42, 40)];
        let d = still_running(&left(&views, Some(40))).unwrap();
        assert_eq!(
            en(&d.message),
            "the program does not end: server (pid 40) waits in read() for the keyboard; server (pid 42) waits in recv() for peer"
        );
        assert!(fr(&d.message).contains("clavier dans read()\u{202f}; serveur (pid 42)"));
    }

    #[test]
    fn zombies_and_orphans() {
        let z = vec![
            v(
                Actor::Server,
                40,
                1,
                ProcState::Sleeping,
                Some("read"),
                WaitsOn::Keyboard,
            ),
            zombie_child(),
        ];
        assert_eq!(left_behind(&z, Actor::Server, Some(40)).code, Code::Zombie);
        let o = vec![v(
            Actor::Server,
            42,
            7,
            ProcState::Sleeping,
            Some("read"),
            WaitsOn::Keyboard,
        )];
        assert_eq!(left_behind(&o, Actor::Server, Some(40)).code, Code::Orphan);
    }

    mod total {
        use super::super::*;
        use crate::transcript::arbitrary;
        use crate::verdict::testkit::whole_catalogue;
        use proptest::prelude::*;

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
                k in 0..whole_catalogue().len(),
                actor in arbitrary::actor(),
                wanted_send in any::<bool>(),
                midway in any::<bool>(),
                root in prop::option::of(40..46i32),
            ) {
                let _ = snapshot(&t, from, to);
                let s = &whole_catalogue()[k];
                let _ = waits_for(&views, actor);
                let _ = deadlock(&views, midway);
                let _ = stalled(s, &views, actor, wanted_send, midway);
                let _ = eof_unread(s, &views, actor);
                let _ = peer_left_unseen(s, &views, actor);
                prop_assert_eq!(no_fork(&views, actor).code, Code::NoFork);
                let _ = left_behind(&views, actor, root);
            }
        }
    }
}
