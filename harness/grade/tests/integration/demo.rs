//! `grade demo`: what an instructor shows in a lecture, on a projector (a
//! terminal: colour) and in a CI log (plain text).

use assert_cmd::Command;
use predicates::prelude::*;
use rexpect::reader::ReadUntil;
use std::os::unix::process::CommandExt;

fn grade() -> Command {
    let mut c = Command::cargo_bin("grade").unwrap();
    c.env_remove("NO_COLOR");
    c
}

/// Output that says `text`, a sentence the screen may have wrapped at any
/// space (it fits the width: 80 columns in a log).
fn says(text: &'static str) -> impl Predicate<str> {
    predicate::function(move |out: &str| out.replace('\n', " ").contains(text))
}

#[test]
fn the_deadlock_is_proven_and_drawn_in_plain_text() {
    grade()
        .args(["demo", "deadlock"])
        .assert()
        .code(0)
        .stdout(says("waits in recv() for server → server (pid"))
        .stdout(predicate::str::contains("┌"))
        .stdout(says("Deadlock — both started by receiving"))
        .stdout(predicate::str::contains("⌨ Bonjour ?"))
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn the_deadlock_demo_speaks_french() {
    grade()
        .args(["demo", "deadlock", "--lang", "fr"])
        .assert()
        .code(0)
        .stdout(says("attend le serveur dans recv()"))
        .stdout(predicate::str::contains("Interblocage"))
        // French typography: a no-break space before a colon, a narrow one
        // before a semicolon.
        .stdout(predicate::str::contains("serveur\u{a0}: ref:q3-server"))
        .stdout(predicate::str::contains("pid "))
        .stdout(predicate::str::contains(
            "\u{a0}: attend le client (recv())",
        ))
        .stdout(says("recevoir\u{a0}: chacun"));
    grade()
        .args(["demo", "duplex", "--lang", "fr"])
        .assert()
        .code(0)
        .stdout(says("Bidirectionnel\u{a0}: 10 lignes client → serveur"))
        .stdout(says("en même temps\u{202f}; un processus"));
}

/// Ctrl-C in a lecture, while the demo waits for Enter: nothing is left
/// behind, the demo builds in grade's own build folder, which an
/// interrupted grade removes.
#[test]
fn an_interrupted_demo_leaves_no_build_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let builds = || {
        std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("grade-build-"))
            .count()
    };
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("grade"));
    cmd.args(["demo", "deadlock", "--interactive"])
        .env("TMPDIR", tmp.path())
        .env("NO_COLOR", "1");
    let mut p = rexpect::session::spawn_command(cmd, Some(10_000)).unwrap();
    p.exp_string("press Enter").unwrap();
    assert_eq!(builds(), 1, "the build folder, in TMPDIR");
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    let status = p.process.wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 130)),
        "{status:?}"
    );
    assert_eq!(builds(), 0, "the build folder is removed");
}

#[test]
fn programs_that_start_by_sending_do_not_deadlock() {
    grade()
        .args([
            "demo",
            "deadlock",
            "--server",
            "ref:q3-server --start send",
            "--client",
            "ref:q3-client --start send",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("No deadlock"))
        .stdout(predicate::str::contains(
            "did not go as the lecture expects",
        ))
        // The failure is explained, not the deadlock it did not show.
        .stdout(predicate::str::contains("┌").not())
        .stdout(says("Deadlock — both started by receiving").not());
}

#[test]
fn alternation_and_duplex_show_what_crossed_the_wire() {
    grade()
        .args(["demo", "alternation"])
        .assert()
        .code(0)
        .stdout(says(
            "Alternation: 5 lines client → server and 5 server → client",
        ))
        .stdout(predicate::str::contains("◀═ Bonjour serveur\\n"));
    grade()
        .args(["demo", "duplex"])
        .assert()
        .code(0)
        .stdout(says(
            "Full duplex: 10 lines client → server and 10 server → client",
        ));
}

/// On a terminal (driven by rexpect), the two columns are coloured; and
/// NO_COLOR turns colour off even there.
#[test]
fn on_a_terminal_the_columns_are_coloured_unless_no_color() {
    let exe = assert_cmd::cargo::cargo_bin("grade");
    let mut cmd = std::process::Command::new(&exe);
    cmd.args(["demo", "deadlock"]).env_remove("NO_COLOR");
    let mut p = rexpect::session::spawn_command(cmd, Some(10_000)).unwrap();
    p.exp_string("\x1b[36m").unwrap();
    p.exp_string("Deadlock").unwrap();
    p.exp_eof().unwrap();

    let mut cmd = std::process::Command::new(&exe);
    cmd.args(["demo", "deadlock"]).env("NO_COLOR", "1");
    let mut p = rexpect::session::spawn_command(cmd, Some(10_000)).unwrap();
    let before = p.exp_string("Deadlock").unwrap();
    assert!(!before.contains('\x1b'), "{before}");
    p.exp_eof().unwrap();
}

/// `grade DEMO ARGS` on a terminal of `cols` columns (a lecture hall's
/// projector), plain (NO_COLOR); what it showed, line by line, once it
/// ended. With `--interactive`, Enter is pressed at each `enter` (the
/// prompt's ASCII part: rexpect matches bytes).
fn on_terminal(cols: u16, args: &[&str], enter: &str) -> (Vec<String>, i32) {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("grade"));
    cmd.arg("demo")
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS");
    // SAFETY: ioctl is async-signal-safe, as pre_exec requires; fd 0 is
    // the terminal rexpect gives the program.
    unsafe {
        cmd.pre_exec(move || {
            let ws = libc::winsize {
                ws_row: 24,
                ws_col: cols,
                ws_xpixel: 0,
                ws_ypixel: 0,
            };
            if libc::ioctl(0, libc::TIOCSWINSZ, &ws) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    let mut screen = String::new();
    loop {
        let needles = vec![ReadUntil::String(enter.into()), ReadUntil::EOF];
        let (before, found) = p.exp_any(needles).unwrap();
        screen.push_str(&before);
        screen.push_str(&found);
        if found != enter {
            break;
        }
        p.send_line("").unwrap();
    }
    let code = match p.process.wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => code,
        other => panic!("{other:?}"),
    };
    // rexpect reads the screen a byte a character: back to UTF-8.
    let bytes: Vec<u8> = screen.chars().map(|c| c as u8).collect();
    let screen = String::from_utf8(bytes).expect("UTF-8 on the screen");
    let lines = screen.replace('\r', "").lines().map(String::from).collect();
    (lines, code)
}

#[track_caller]
fn fits(lines: &[String], cols: usize) {
    for l in lines {
        assert!(
            l.chars().count() <= cols,
            "wider than {cols}: {l:?}\n{}",
            lines.join("\n")
        );
    }
}

/// On an 80-column terminal every demo fits: no line wraps; the panes are
/// side by side; after each quiescence, what each process waits in.
#[test]
fn every_demo_fits_an_80_column_terminal_and_shows_the_states() {
    for (demo, state) in [
        ("deadlock", "waits in recv() for client"),
        ("alternation", "waits for the keyboard"),
        ("duplex", "waits for the keyboard"),
    ] {
        let (lines, code) = on_terminal(80, &[demo], "press Enter");
        assert_eq!(code, 0, "{demo}:\n{}", lines.join("\n"));
        fits(&lines, 80);
        let quiet: Vec<usize> = (0..lines.len())
            .filter(|&k| lines[k].contains(" quiet: nothing moves without the keyboard "))
            .collect();
        assert!(
            !quiet.is_empty(),
            "{demo}: a quiescence\n{}",
            lines.join("\n")
        );
        for k in quiet {
            let next = &lines[k + 1];
            assert!(
                next.starts_with("pid "),
                "{demo}: states after quiescence: {next:?}"
            );
            // Side by side: the server's process and the client's on one row.
            assert!(next.matches("pid ").count() == 2, "{demo}: {next:?}");
        }
        assert!(
            lines.iter().any(|l| l.contains(state)),
            "{demo}:\n{}",
            lines.join("\n")
        );
    }
}

/// `--interactive` on an 80-column terminal: each step said in words from
/// the catalogue, in English and in French, never the step's Rust name.
#[test]
fn interactive_steps_are_said_in_words() {
    let (lines, code) = on_terminal(80, &["alternation", "--interactive"], "press Enter");
    assert_eq!(code, 0, "{}", lines.join("\n"));
    fits(&lines, 80);
    let text = lines.join("\n");
    for said in [
        "next step: start the server — press Enter",
        "next step: type \"Bonjour serveur\" on the client's keyboard — press Enter",
        "next step: wait until the server prints \"Bonjour serveur\" — press Enter",
    ] {
        assert!(text.contains(said), "{said}\n{text}");
    }
    for debug in ["Type(", "ExpectPrinted", "Start(", "[\""] {
        assert!(!text.contains(debug), "{debug}\n{text}");
    }
    let (lines, code) = on_terminal(
        80,
        &["deadlock", "--interactive", "--lang", "fr"],
        "appuyez sur Entr",
    );
    assert_eq!(code, 0, "{}", lines.join("\n"));
    fits(&lines, 80);
    let text = lines.join("\n");
    assert!(
        text.contains("étape suivante\u{a0}: taper «\u{a0}Bonjour ?\u{a0}» au clavier du client — appuyez sur Entrée"),
        "{text}"
    );
    assert!(!text.contains("Type("), "{text}");
}

/// Narrower than 60 columns the panes are one below the other, each line
/// naming its program; COLUMNS gives the width when not on a terminal.
#[test]
fn a_narrow_screen_stacks_the_panes() {
    let out = grade()
        .args(["demo", "alternation"])
        .env("NO_COLOR", "1")
        .env("COLUMNS", "50")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<String> = text.lines().map(String::from).collect();
    fits(&lines, 50);
    assert!(
        lines.iter().any(|l| l.starts_with("server │ pid ")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("client │ ⌨ Bonjour serveur")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("client │ sent ═▶ Bonjour serveur")),
        "{text}"
    );
}

/// A demo that does not go as planned says what happened instead of the
/// explanation of what it was meant to show.
#[test]
fn a_failed_alternation_says_so_instead_of_the_explanation() {
    let out = grade()
        .args([
            "demo",
            "alternation",
            "--client",
            "ref:q3-client --start receive",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("The alternation did not go as planned: 0 lines client → server"),
        "{text}"
    );
    assert!(text.contains("[deadlock]"), "{text}");
    assert!(!text.contains("Alternation: "), "{text}");
    assert!(!text.contains("each only in its turn"), "{text}");
}
