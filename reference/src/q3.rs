//! Question 3: the alternating chat, each side cycling through the sheet's four steps.
//!
//! The cycle is: receive a line and print it, then read a line at the
//! keyboard and send it. The client starts with the sending half, the server
//! with the receiving half; `--start` changes that to show the sheet's
//! question. Both starting by receiving: each waits in `recv` for a line the
//! other will never send, a deadlock. Both starting by sending: it still
//! works, but each user answers a line they have not seen yet.

use crate::net::{self, Error};
use crate::{Options, Start};
use std::io::{self, BufReader};
use std::net::TcpStream;

pub fn client(opts: &Options) -> Result<(), Error> {
    let server = net::connect(&opts.host, opts.port)?;
    chat(&server, opts.start.unwrap_or(Start::Send))
}

/// Chats with one client, then exits: the sheet's server serves one
/// conversation, and a user who left should not find a server still waiting
/// for someone else on their terminal.
pub fn server(opts: &Options) -> Result<(), Error> {
    let listener = net::listen(&opts.host, opts.port)?;
    let client = net::accept(&listener)?;
    // A second client would wait unanswered in the backlog: refuse it instead.
    drop(listener);
    chat(&client, opts.start.unwrap_or(Start::Receive))
}

/// Runs the cycle until the peer leaves or the keyboard ends; both end the
/// chat normally.
fn chat(peer: &TcpStream, first: Start) -> Result<(), Error> {
    // Kept across turns: bytes after a line's '\n' belong to the next turn.
    let mut from_peer = BufReader::new(peer);
    let mut keyboard = io::stdin().lock();
    let mut step = first;
    loop {
        match step {
            Start::Receive => match net::receive_line(&mut from_peer) {
                Some(line) => net::print_line(&line)?,
                None => return Ok(()),
            },
            Start::Send => match net::keyboard_line(&mut keyboard)? {
                Some(line) => match net::send_line(peer, &line) {
                    Ok(()) => {}
                    // The peer left while this user was typing: the chat is over.
                    Err(e) if net::peer_left(&e) => return Ok(()),
                    Err(e) => return Err(e),
                },
                // Ctrl-D: closing the socket (on return) tells the peer.
                None => return Ok(()),
            },
        }
        step = match step {
            Start::Receive => Start::Send,
            Start::Send => Start::Receive,
        };
    }
}
