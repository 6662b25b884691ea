//! `grade demo`: what an instructor shows in a lecture, on a projector (a
//! terminal: colour) and in a CI log (plain text).

use assert_cmd::Command;
use predicates::prelude::*;

fn grade() -> Command {
    let mut c = Command::cargo_bin("grade").unwrap();
    c.env_remove("NO_COLOR");
    c
}

#[test]
fn the_deadlock_is_proven_and_drawn_in_plain_text() {
    grade()
        .args(["demo", "deadlock"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "waits in recv() for server → server (pid",
        ))
        .stdout(predicate::str::contains("┌"))
        .stdout(predicate::str::contains(
            "Deadlock — both started by receiving",
        ))
        .stdout(predicate::str::contains("⌨ Bonjour ?"))
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn the_deadlock_demo_speaks_french() {
    grade()
        .args(["demo", "deadlock", "--lang", "fr"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("attend le serveur dans recv()"))
        .stdout(predicate::str::contains("Interblocage"))
        // French typography: a no-break space before a colon, a narrow one
        // before a semicolon.
        .stdout(predicate::str::contains("serveur\u{a0}: ref:q3-server"))
        .stdout(predicate::str::contains("· pid "))
        .stdout(predicate::str::contains(
            "\u{a0}: attend le client (recv())",
        ))
        .stdout(predicate::str::contains("recevoir\u{a0}: chacun"));
    grade()
        .args(["demo", "duplex", "--lang", "fr"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Bidirectionnel\u{a0}: 10 lignes client → serveur",
        ))
        .stdout(predicate::str::contains(
            "en même temps\u{202f}; un processus",
        ));
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
        .stdout(predicate::str::contains("No deadlock"));
}

#[test]
fn alternation_and_duplex_show_what_crossed_the_wire() {
    grade()
        .args(["demo", "alternation"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Alternation: 5 lines client → server and 5 server → client",
        ))
        .stdout(predicate::str::contains("◀═ Bonjour serveur\\n"));
    grade()
        .args(["demo", "duplex"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
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
