//! Question 4: the full-duplex chat, with `fork`: one process per direction.
//!
//! Once connected, the program forks. Both processes share the socket, as
//! the sheet says; the child carries keyboard → socket, the parent socket →
//! screen. Neither waits for the other, so a line goes out as soon as it is
//! typed and comes in as soon as it arrives, however the two interleave.
//!
//! How it ends, with no orphan and no zombie: every ending goes through the
//! parent's `recv` returning 0. The peer leaving does that directly. The
//! keyboard ending (Ctrl-D) does it through the child, which shuts the shared
//! socket down before exiting. The parent then stops the child (still asleep
//! on the keyboard if the peer left), waits for it, and only then exits.

use crate::net::{self, Error};
use crate::{Options, Program};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::waitpid;
use nix::unistd::{fork, ForkResult, Pid};
use std::io::{self, BufReader, Write};
use std::net::{Shutdown, TcpStream};
use std::process;

pub fn client(opts: &Options) -> Result<(), Error> {
    let server = net::connect(&opts.host, opts.port)?;
    converse(&server, Program::Q4Client)
}

/// Chats with one client, then exits, like the q3 server.
pub fn server(opts: &Options) -> Result<(), Error> {
    let listener = net::listen(&opts.host, opts.port)?;
    let client = net::accept(&listener)?;
    drop(listener);
    converse(&client, Program::Q4Server)
}

fn converse(peer: &TcpStream, program: Program) -> Result<(), Error> {
    // Anything left in stdout's buffer would be copied, then printed twice.
    io::stdout().flush().map_err(Error::Screen)?;
    // SAFETY: the program has a single thread, so the child is a whole copy
    // of it, with no lock held by a thread that does not exist there.
    match unsafe { fork() }.map_err(Error::Fork)? {
        ForkResult::Child => {
            let code = match send_keyboard(peer) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("{program}: {e}");
                    1
                }
            };
            // Returning would run the rest of the caller's program a second time.
            process::exit(code)
        }
        ForkResult::Parent { child } => {
            let printed = print_received(peer);
            stop(child);
            printed
        }
    }
}

/// The child's direction. Whatever ends it, the socket is shut down on the
/// way out: that is what wakes the parent's `recv`.
fn send_keyboard(peer: &TcpStream) -> Result<(), Error> {
    let mut keyboard = io::stdin().lock();
    let sent = loop {
        match net::keyboard_line(&mut keyboard) {
            Ok(Some(line)) => {
                if let Err(e) = net::send_line(peer, &line) {
                    // The peer left: the parent has seen it too and ends the chat.
                    break if net::peer_left(&e) { Ok(()) } else { Err(e) };
                }
            }
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    // `shutdown`, not `close`: the parent holds the same socket, and a close
    // here would only drop the child's reference to it.
    let _ = peer.shutdown(Shutdown::Both);
    sent
}

/// The parent's direction, until the peer leaves or the child shuts the socket down.
fn print_received(peer: &TcpStream) -> Result<(), Error> {
    let mut from_peer = BufReader::new(peer);
    while let Some(line) = net::receive_line(&mut from_peer) {
        net::print_line(&line)?;
    }
    Ok(())
}

/// Ends the child and reaps it, so that it outlives the parent neither as an
/// orphan (still reading the keyboard) nor as a zombie.
fn stop(child: Pid) {
    // The child may be exiting already (keyboard ended): the signal is then
    // harmless, and an error (ESRCH) only says there is nothing left to stop.
    let _ = kill(child, Signal::SIGTERM);
    let _ = waitpid(child, None);
}
