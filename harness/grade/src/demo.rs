//! `grade demo deadlock|alternation|duplex`: a scenario of the catalogue run
//! for a lecture. Both terminals side by side as events happen (typed,
//! printed, what crossed the wire), each program's state under them at every
//! quiescence, and at the end the explanation — for the deadlock, the
//! wait-for cycle drawn. Plain text without colour when not on a terminal,
//! so it reads the same in a CI log.

use crate::runner::{self, RunConfig};
use crate::scenario::{self, Lang, Scenario};
use crate::transcript::{render_bytes, Actor, Entry, Event, ProcView, Transcript, WaitsOn};
use crate::verdict::{self, Status};
use crate::world::{
    self,
    program::{self, prepare},
};
use crate::{exit, Error};
use std::io::{BufRead, IsTerminal, Write};
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Demo {
    /// q3, both sides start by receiving: the deadlock, proven.
    Deadlock,
    /// q3: the alternating chat, turn by turn.
    Alternation,
    /// q4: both sides type at once; lines flow both ways.
    Duplex,
}

impl Demo {
    fn scenario_id(self) -> &'static str {
        match self {
            Demo::Deadlock => "q3.demo.deadlock",
            Demo::Alternation => "q3.pair.chat",
            Demo::Duplex => "q4.pair.full-duplex",
        }
    }
}

/// What `grade demo` was asked.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    pub demo: Demo,
    pub server: Option<String>,
    pub client: Option<String>,
    pub interactive: bool,
    pub lang: Lang,
    pub port: u16,
    pub timeout_scale: f64,
    pub color: bool,
}

const COL: usize = 42;

fn tr(lang: &Lang, en: &str, fr: &str) -> String {
    if lang.code() == "fr" {
        fr.to_string()
    } else {
        en.to_string()
    }
}

/// Cuts or pads `s` to `w` characters.
fn cell(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n > w {
        let mut c: String = s.chars().take(w.saturating_sub(1)).collect();
        c.push('…');
        c
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

struct Screen {
    lang: Lang,
    color: bool,
    interactive: bool,
    scenario: Scenario,
}

impl Screen {
    fn paint(&self, s: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// One row: the server's column, the wire, the client's column.
    fn row(&self, server: &str, wire: &str, client: &str) -> String {
        format!(
            "{} {} {}",
            self.paint(&cell(server, COL), "36"),
            cell(wire, 3),
            self.paint(&cell(client, COL), "33")
        )
    }

    fn side_row(&self, actor: Actor, text: &str) -> Option<String> {
        match actor {
            Actor::Server => Some(self.row(text, "│", "")),
            Actor::Client => Some(self.row("", "│", text)),
            _ => None,
        }
    }

    fn state(&self, v: &ProcView) -> String {
        let l = &self.lang;
        let what = match (&v.call, &v.on) {
            _ if v.state == 'Z' => tr(l, "zombie", "zombie"),
            (None, _) => tr(l, "running", "en cours"),
            (Some(_), WaitsOn::Keyboard) => tr(l, "waits for the keyboard", "attend le clavier"),
            (Some(c), WaitsOn::Socket(Some(a))) => {
                if l.code() == "fr" {
                    format!("attend dans {c}() le {}", fr_name(*a))
                } else {
                    format!("waits in {c}() for {}", a.name())
                }
            }
            (Some(c), _) => {
                if l.code() == "fr" {
                    format!("attend dans {c}()")
                } else {
                    format!("waits in {c}()")
                }
            }
        };
        format!("· pid {}: {what}", v.pid)
    }

    fn show(&self, e: &Entry) -> Vec<String> {
        let l = &self.lang;
        match &e.event {
            Event::Step(i) if self.interactive => {
                let a = &self.scenario.steps[*i].action;
                vec![format!(
                    "{} {:?} — {}",
                    tr(l, "next step:", "étape suivante :"),
                    a,
                    tr(l, "press Enter", "appuyez sur Entrée")
                )]
            }
            Event::Started { pid, .. } => self
                .side_row(e.actor, &format!("▶ {} (pid {pid})", tr(l, "started", "lancé")))
                .into_iter()
                .collect(),
            Event::Typed(line) => self
                .side_row(e.actor, &format!("⌨ {line}"))
                .into_iter()
                .collect(),
            Event::TypedEof => self.side_row(e.actor, "⌨ ^D").into_iter().collect(),
            Event::Printed { raw, .. } => self
                .side_row(e.actor, &format!("  {}", crate::expect::normalize(raw)))
                .into_iter()
                .collect(),
            Event::Connected { .. } if e.actor == Actor::Server => {
                vec![self.row(
                    &tr(l, "⇄ connected", "⇄ connecté"),
                    "═",
                    &tr(l, "⇄ connected", "⇄ connecté"),
                )]
            }
            Event::Relayed(b) => {
                let text = render_bytes(b);
                match e.actor {
                    Actor::Client => vec![self.row(&format!("◀═ {text}"), "◀═", "═ sent")],
                    _ => vec![self.row("sent ═", "═▶", &format!("═▶ {text}"))],
                }
            }
            Event::RelayClosed => self
                .side_row(e.actor, &tr(l, "✕ closed the connection", "✕ a fermé la connexion"))
                .into_iter()
                .collect(),
            Event::WireUnobserved => vec![tr(
                l,
                "(no network namespaces here: the programs talk directly, the wire is not shown)",
                "(pas d'espaces de noms réseau ici : les programmes se parlent directement, le réseau n'est pas montré)",
            )],
            Event::Quiescent => vec![self.paint(
                &format!(
                    "{:─^w$}",
                    tr(
                        l,
                        " quiet: nothing moves without the keyboard ",
                        " calme : rien ne bouge sans le clavier "
                    ),
                    w = 2 * COL + 5
                ),
                "2",
            )],
            Event::Snapshot(views) => {
                let s: Vec<String> = views
                    .iter()
                    .filter(|v| v.actor == Actor::Server)
                    .map(|v| self.state(v))
                    .collect();
                let c: Vec<String> = views
                    .iter()
                    .filter(|v| v.actor == Actor::Client)
                    .map(|v| self.state(v))
                    .collect();
                (0..s.len().max(c.len()))
                    .map(|k| {
                        self.row(
                            s.get(k).map_or("", |x| x),
                            "│",
                            c.get(k).map_or("", |x| x),
                        )
                    })
                    .collect()
            }
            Event::Exited { code, signal, .. } => {
                let how = match (code, signal) {
                    (Some(c), _) => format!("status {c}"),
                    (_, Some(s)) => format!("signal {s}"),
                    _ => String::new(),
                };
                self.side_row(e.actor, &format!("■ {} ({how})", tr(l, "exited", "terminé")))
                    .into_iter()
                    .collect()
            }
            Event::Teardown => vec![tr(
                l,
                "— the harness ends the programs —",
                "— le harnais arrête les programmes —",
            )],
            _ => Vec::new(),
        }
    }
}

fn fr_name(a: Actor) -> &'static str {
    match a {
        Actor::Server => "serveur",
        Actor::Client => "client",
        Actor::Peer => "pair",
        Actor::Harness => "harnais",
    }
}

/// The explanation printed at the end, from the transcript.
fn explain(demo: Demo, t: &Transcript, v: &verdict::Verdict, lang: &Lang) -> Vec<String> {
    let l = lang;
    let passed = v.status == Status::Pass;
    match demo {
        Demo::Deadlock => {
            // The cycle the verdict proved (or found).
            let Some(found) = &v.evidence.cycle else {
                return vec![tr(
                    l,
                    "No deadlock: the programs did not block each other.",
                    "Pas d'interblocage : les programmes ne se sont pas bloqués mutuellement.",
                )];
            };
            let (sp, cp) = (found.server.pid, found.client.pid);
            let cycle = l.msg(&found.msg());
            let (label, why) = (
                l.pick("waits in recv() for", "attend dans recv()"),
                l.pick(
                    "Deadlock — both started by receiving: each waits for a line only the other can send, and neither will ever send. Typed lines wait unread on both keyboards.",
                    "Interblocage — les deux commencent par recevoir : chacun attend une ligne que seul l'autre peut envoyer, et aucun n'enverra jamais. Les lignes tapées attendent sur les deux claviers.",
                ),
            );
            let left = format!("server (pid {sp})");
            let right = format!("client (pid {cp})");
            // Corners and arrows in the same two columns: 4 and 4 + INNER + 1.
            const INNER: usize = 41;
            let bar = |open: char, close: char| {
                let text = format!(" {label} ");
                let n = text.chars().count();
                let l = (INNER.saturating_sub(n)) / 2;
                let r = INNER.saturating_sub(n + l);
                format!("    {open}{}{text}{}{close}", "─".repeat(l), "─".repeat(r))
            };
            let gap = (INNER + 3).saturating_sub(left.chars().count());
            vec![
                String::new(),
                bar('┌', '┐'),
                format!("    │{}▼", " ".repeat(INNER)),
                format!("  {left}{}{right}", " ".repeat(gap)),
                format!("    ▲{}│", " ".repeat(INNER)),
                bar('└', '┘'),
                String::new(),
                cycle,
                why.to_string(),
            ]
        }
        Demo::Alternation | Demo::Duplex => {
            let count = |a: Actor| {
                t.entries
                    .iter()
                    .filter(|e| e.actor == a)
                    .filter_map(|e| match &e.event {
                        Event::Relayed(b) => Some(b.iter().filter(|&&c| c == b'\n').count()),
                        _ => None,
                    })
                    .sum::<usize>()
            };
            let (c2s, s2c) = (count(Actor::Client), count(Actor::Server));
            let mut out = vec![String::new()];
            out.push(match (demo, l.code() == "fr") {
                (Demo::Alternation, false) => format!("Alternation: {c2s} line(s) client → server and {s2c} server → client, each only in its turn: the client speaks, the server answers."),
                (Demo::Alternation, true) => format!("Alternance : {c2s} ligne(s) client → serveur et {s2c} serveur → client, chacune à son tour : le client parle, le serveur répond."),
                (_, false) => format!("Full duplex: {c2s} line(s) client → server and {s2c} server → client, typed at the same time; one process per direction (fork), so nobody waits for the other to speak."),
                (_, true) => format!("Bidirectionnel : {c2s} ligne(s) client → serveur et {s2c} serveur → client, tapées en même temps ; un processus par sens (fork), donc personne n'attend que l'autre parle."),
            });
            if !passed {
                out.push(tr(
                    l,
                    "The run did not go as the lecture expects: see the states above.",
                    "L'exécution ne s'est pas déroulée comme prévu : voir les états ci-dessus.",
                ));
            }
            out
        }
    }
}

/// Runs a demo; exit status 0 when it went as the lecture expects.
pub fn run(cfg: DemoConfig) -> Result<u8, Error> {
    let all = scenario::load_catalogue(None)?;
    let mut s = all
        .into_iter()
        .find(|s| s.id == cfg.demo.scenario_id())
        .ok_or_else(|| Error::Usage(format!("no scenario {}", cfg.demo.scenario_id())))?;
    let question = s.question;
    let default = |side: scenario::Side, fixed: &Option<String>| {
        fixed
            .clone()
            .unwrap_or_else(|| format!("ref:{}-{}", question.name(), side.name()))
    };
    let server = cfg
        .server
        .clone()
        .unwrap_or_else(|| default(scenario::Side::Server, &s.programs.server));
    let client = cfg
        .client
        .clone()
        .unwrap_or_else(|| default(scenario::Side::Client, &s.programs.client));
    s.programs = scenario::Programs::default();

    world::set_up().map_err(|e| Error::Environment(format!("cannot handle signals: {e}")))?;
    world::reaper::become_subreaper();
    let build = tempfile::Builder::new()
        .prefix("grade-build-")
        .tempdir()
        .map_err(|e| Error::Environment(format!("cannot create a build directory: {e}")))?;
    let isolated = world::netns::available();
    let o = program::Options {
        port: cfg.port,
        build_dir: build.path(),
        missing_is_failure: false,
    };
    // A demo shows programs that run: what cannot is said in one line.
    let prep = |spec: &str, side| {
        prepare(spec, side, o).map_err(|e| match e {
            program::Refused::Environment(m) => Error::Environment(m),
            e => Error::Usage(e.to_string()),
        })
    };
    let rc = RunConfig {
        server: Some(prep(&server, scenario::Side::Server)?),
        client: Some(prep(&client, scenario::Side::Client)?),
        port: cfg.port,
        timeout_scale: cfg.timeout_scale,
        isolated,
        trace_states: true,
    };
    let screen = Screen {
        lang: cfg.lang.clone(),
        color: cfg.color,
        interactive: cfg.interactive,
        scenario: s.clone(),
    };
    let out = Mutex::new(std::io::stdout());
    {
        let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
        writeln!(o, "{} — {}", s.id, s.title.get(&cfg.lang))?;
        writeln!(
            o,
            "{}",
            screen.row(
                &format!("server: {server}"),
                "│",
                &format!("client: {client}")
            )
        )?;
        writeln!(o, "{}", "─".repeat(2 * COL + 5))?;
    }
    let stdin_is_tty = std::io::stdin().is_terminal();
    let on_event = |e: &Entry| {
        let lines = screen.show(e);
        let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
        for l in &lines {
            let _ = writeln!(o, "{l}");
        }
        let _ = o.flush();
        if cfg.interactive && stdin_is_tty && matches!(e.event, Event::Step(_)) {
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
        }
    };
    let ran = std::thread::scope(|sc| sc.spawn(|| runner::run(&s, &rc, &on_event)).join());
    let transcript = match ran {
        Ok(Ok(tr)) => tr,
        Ok(Err(aborted)) => return Err(Error::Environment(aborted.error.to_string())),
        Err(_) => return Err(Error::Environment("the runner's thread panicked".into())),
    };
    let v = verdict::judge(&s, &transcript);
    let passed = v.status == Status::Pass;
    let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
    for l in explain(cfg.demo, &transcript, &v, &cfg.lang) {
        writeln!(o, "{l}")?;
    }
    if let Some(d) = &v.diagnosis {
        writeln!(o, "[{}] {}", d.code, cfg.lang.msg(&d.message))?;
    }
    Ok(if passed { exit::PASS } else { exit::FAIL })
}
