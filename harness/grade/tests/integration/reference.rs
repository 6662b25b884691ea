//! The reference programs, driven as a user and a peer would: `grade reference
//! NAME` on a terminal, the other end of its connection played over real TCP.

use crate::refutil::{
    all_read, asleep_in, asleep_on_keyboard, connection, free_port, listener, stat, tcp_sockets,
    wait_listening, wait_until, Peer, Program, ACCEPT, ESTABLISHED, RECEIVE, TIME_WAIT,
};
use std::io::Write;
use std::thread;

fn start(name: &str, port: u16, extra: &[&str]) -> Program {
    let port = port.to_string();
    let mut args = vec![name, "--port", port.as_str()];
    args.extend_from_slice(extra);
    Program::start(&args)
}

// ---------------------------------------------------------------- q1

#[test]
fn q1_prints_each_line_once_whatever_the_segmentation() {
    let port = free_port();
    let mut server = start("q1-server", port, &[]);
    let mut client = Peer::connect(port);
    let client_port = client.local_port();
    let has_read_it_all = |server: &Program| {
        wait_until("the server has read every byte sent", || {
            all_read(port, client_port) && asleep_in(server.pid(), RECEIVE)
        });
    };

    // Half a line, read by the server, is not a line yet.
    client.send(b"Bon");
    has_read_it_all(&server);
    server.assert_silent();
    client.send(b"jour\n");
    server.expect_line("Bonjour");

    // Three lines in one segment are three lines.
    client.send(b"un\ndeux\ntrois\n");
    server.expect_line("un");
    server.expect_line("deux");
    server.expect_line("trois");

    // A line longer than any receive buffer.
    let long: String = (0..10_000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    client.send(format!("{long}\n").as_bytes());
    server.expect_line(&long);

    // UTF-8, even with a character split between two segments; other bytes lossily.
    client.send("Ça marche, très bien ! €\n".as_bytes());
    server.expect_line("Ça marche, très bien ! €");
    client.send(b"prix : 3 \xe2\x82");
    has_read_it_all(&server);
    client.send(b"\xac\n");
    server.expect_line("prix : 3 €");
    client.send(b"caf\xe9\n");
    server.expect_line("caf\u{FFFD}");

    // Each line was printed once: nothing more once everything is read.
    has_read_it_all(&server);
    server.assert_silent();
}

#[test]
fn q1_prints_a_last_unterminated_line_then_serves_the_next_client() {
    let port = free_port();
    let mut server = start("q1-server", port, &[]);

    let mut first = Peer::connect(port);
    first.send_line("premier client");
    server.expect_line("premier client");
    first.send(b"sans fin de ligne");
    first.close();
    server.expect_line("sans fin de ligne");

    let mut second = Peer::connect(port);
    second.send_line("second client");
    server.expect_line("second client");
    second.close();

    wait_until("the server waits for a third client", || {
        asleep_in(server.pid(), ACCEPT)
    });
    server.assert_silent();
}

#[test]
fn q1_restarts_on_the_same_port_at_once() {
    let port = free_port();
    let mut server = start("q1-server", port, &[]);
    let mut client = Peer::connect(port);
    let client_port = client.local_port();
    client.send_line("avant");
    server.expect_line("avant");
    // The server closes first, so its end of the connection lingers in TIME_WAIT.
    drop(server);
    client.expect_eof();
    client.close();
    wait_until("the old connection is in TIME_WAIT", || {
        connection(port, client_port)
            .iter()
            .any(|s| s.local_port == port && s.state == TIME_WAIT)
    });

    let mut again = start("q1-server", port, &[]);
    let mut client = Peer::connect(port);
    client.send_line("après");
    again.expect_line("après");
}

// ---------------------------------------------------------------- q2

#[test]
fn q2_sends_each_line_as_soon_as_it_is_typed() {
    let (listener, port) = listener();
    let mut client = start("q2-client", port, &[]);
    let mut server = Peer::accept(&listener);
    for line in ["bonjour", "Ça marche, très bien ! €", "", "fin"] {
        client.type_line(line);
        // Waits on the bytes themselves: the line is there before the next is typed.
        server.expect_line(line);
    }
    client.assert_silent();
}

#[test]
fn q2_ctrl_d_closes_the_connection_and_exits_0() {
    let (listener, port) = listener();
    let mut client = start("q2-client", port, &[]);
    let mut server = Peer::accept(&listener);
    client.type_line("dernière ligne");
    server.expect_line("dernière ligne");
    client.type_eof();
    server.expect_eof();
    assert_eq!(client.expect_exit(), 0);
    assert_eq!(client.rest_of_screen(), "");
}

#[test]
fn q2_reports_a_lost_server_in_one_line() {
    let (listener, port) = listener();
    let mut client = start("q2-client", port, &[]);
    let mut server = Peer::accept(&listener);
    client.type_line("un");
    server.expect_line("un");
    let client_port = server.remote_port();
    server.close();
    drop(listener);

    // Sent into a closed socket, this line is answered by a reset...
    client.type_line("deux");
    wait_until("the connection is reset", || {
        connection(port, client_port).is_empty()
    });
    // ... so sending the next one fails.
    client.type_line("trois");
    assert_eq!(client.expect_exit(), 1);
    let screen = client.rest_of_screen();
    assert_eq!(screen.lines().count(), 1, "{screen:?}");
    assert!(screen.starts_with("q2-client: "), "{screen:?}");
}

#[test]
fn clients_report_a_refused_connection_in_one_line() {
    for name in ["q2-client", "q3-client", "q4-client"] {
        let port = free_port(); // nobody listens there
        let mut client = start(name, port, &[]);
        assert_eq!(client.expect_exit(), 1, "{name}");
        assert_eq!(
            client.rest_of_screen(),
            format!("{name}: cannot connect to 127.0.0.1:{port}: Connection refused\r\n")
        );
    }
}

// ---------------------------------------------------------------- q3

#[test]
fn q3_client_follows_the_four_steps() {
    let (listener, port) = listener();
    let mut client = start("q3-client", port, &[]);
    let mut server = Peer::accept(&listener);

    // 1) read the keyboard, 2) send.
    client.type_line("bonjour");
    server.expect_line("bonjour");

    // 3) wait for the server: a line typed now waits its turn.
    client.type_line("tu es là ?");
    wait_until("the client waits for the server", || {
        asleep_in(client.pid(), RECEIVE)
    });
    server.assert_nothing_received();
    client.assert_silent();

    // 4) print the server's line, even when it comes in two segments.
    server.send("oui, ".as_bytes());
    server.send("je suis là\n".as_bytes());
    client.expect_line("oui, je suis là");

    // Next cycle: now the waiting line goes out.
    server.expect_line("tu es là ?");
    server.send_line("au revoir");
    client.expect_line("au revoir");

    // End of keyboard input: the connection is closed and the client exits 0.
    client.type_eof();
    server.expect_eof();
    assert_eq!(client.expect_exit(), 0);
    assert_eq!(client.rest_of_screen(), "");
}

#[test]
fn q3_server_follows_the_four_steps() {
    let port = free_port();
    let mut server = start("q3-server", port, &[]);
    let mut client = Peer::connect(port);

    // 5) wait for the client: what the server's user types waits its turn.
    server.type_line("déjà là");
    wait_until("the server waits for the client", || {
        asleep_in(server.pid(), RECEIVE)
    });
    client.assert_nothing_received();

    // 6) print the client's line, even when it comes in two segments.
    client.send(b"sal");
    client.send(b"ut\n");
    server.expect_line("salut");
    // 7) read the keyboard, 8) send.
    client.expect_line("déjà là");

    // Next cycle.
    client.send_line("ça va ?");
    server.expect_line("ça va ?");
    server.type_line("oui");
    client.expect_line("oui");

    // The client leaves: the server prints nothing more and exits 0.
    client.close();
    assert_eq!(server.expect_exit(), 0);
    assert_eq!(server.rest_of_screen(), "");
}

#[test]
fn q3_both_starting_by_receiving_is_a_deadlock() {
    let port = free_port();
    let mut server = start("q3-server", port, &["--start", "receive"]);
    wait_listening(port);
    let mut client = start("q3-client", port, &["--start", "receive"]);
    server.type_line("allô ?");
    client.type_line("allô ?");

    wait_until("both programs are asleep waiting for a line", || {
        asleep_in(server.pid(), RECEIVE) && asleep_in(client.pid(), RECEIVE)
    });
    // Neither sent a byte: both ends of the connection have nothing to read,
    // and nothing was printed. Each waits for the other, forever.
    let server_end = tcp_sockets()
        .into_iter()
        .find(|s| s.local_port == port && s.state == ESTABLISHED)
        .expect("the connection between the two programs");
    let ends = connection(port, server_end.remote_port);
    assert_eq!(ends.len(), 2, "{ends:?}");
    assert!(ends.iter().all(|s| s.state == ESTABLISHED), "{ends:?}");
    assert!(ends.iter().all(|s| s.unread == 0), "{ends:?}");
    server.assert_silent();
    client.assert_silent();
}

#[test]
fn q3_both_starting_by_sending_shifts_the_turns() {
    let port = free_port();
    let mut server = start("q3-server", port, &["--start", "send"]);
    wait_listening(port);
    let mut client = start("q3-client", port, &[]);

    // Each user speaks first; each reads the other's line only after answering.
    client.type_line("bonjour");
    server.type_line("bonsoir");
    client.expect_line("bonsoir");
    server.expect_line("bonjour");

    // The client leaves; the server finds out at its next turn and exits 0.
    client.type_eof();
    assert_eq!(client.expect_exit(), 0);
    server.type_line("tu pars ?");
    assert_eq!(server.expect_exit(), 0);
    assert_eq!(server.rest_of_screen(), "");
    assert_eq!(client.rest_of_screen(), "");
}

// ---------------------------------------------------------------- q4

#[derive(Clone, Copy)]
enum Side {
    Client,
    Server,
}

#[derive(Clone, Copy)]
enum Ending {
    PeerLeaves,
    KeyboardEnds,
}

/// Both ways at once, then an ending; checks the fork and that both processes end.
fn full_duplex_chat(side: Side, ending: Ending) {
    let (mut program, mut peer) = match side {
        Side::Client => {
            let (listener, port) = listener();
            let program = start("q4-client", port, &[]);
            (program, Peer::accept(&listener))
        }
        Side::Server => {
            let port = free_port();
            let program = start("q4-server", port, &[]);
            (program, Peer::connect(port))
        }
    };
    let pid = program.pid();

    // One process per direction: the program receives, its forked child reads the keyboard.
    let mut forks = Vec::new();
    wait_until(
        "one process receives and its child reads the keyboard",
        || {
            forks = program.children();
            forks.len() == 1 && asleep_in(pid, RECEIVE) && asleep_on_keyboard(forks[0])
        },
    );
    let child = forks[0];
    assert_eq!(stat(child).map(|(_, ppid)| ppid), Some(pid));

    // The peer sends 20 lines while the user types 20: neither waits for the other.
    let mut writer = peer.writer();
    let sending = thread::spawn(move || {
        for i in 0..20 {
            writer
                .write_all(format!("du pair {i}\n").as_bytes())
                .expect("send to the program");
        }
    });
    for i in 0..20 {
        program.type_line(&format!("de l'utilisateur {i}"));
    }
    for i in 0..20 {
        peer.expect_line(&format!("de l'utilisateur {i}"));
    }
    for i in 0..20 {
        program.expect_line(&format!("du pair {i}"));
    }
    sending.join().expect("sending thread");

    match ending {
        Ending::PeerLeaves => peer.close(),
        Ending::KeyboardEnds => {
            program.type_eof();
            peer.expect_eof();
        }
    }
    assert_eq!(program.expect_exit(), 0);
    // Had the child outlived the program, alive or as a zombie, it would now
    // be this test's (its subreaper's) and still in /proc: it must be gone.
    assert_eq!(
        stat(child),
        None,
        "the forked child {child} was left behind"
    );
    assert_eq!(program.rest_of_screen(), "");
}

#[test]
fn q4_client_full_duplex_then_the_peer_leaves() {
    full_duplex_chat(Side::Client, Ending::PeerLeaves);
}

#[test]
fn q4_client_full_duplex_then_the_keyboard_ends() {
    full_duplex_chat(Side::Client, Ending::KeyboardEnds);
}

#[test]
fn q4_server_full_duplex_then_the_peer_leaves() {
    full_duplex_chat(Side::Server, Ending::PeerLeaves);
}

#[test]
fn q4_server_full_duplex_then_the_keyboard_ends() {
    full_duplex_chat(Side::Server, Ending::KeyboardEnds);
}
