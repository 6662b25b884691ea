//! The harness on the wire of a pair scenario: the client lives in a
//! network namespace of its own where the harness listens on the port, and
//! every byte goes through the harness to the server (and back). The runner
//! records what crosses; this is the sockets.

use super::netns;
use super::peer::{self, Incoming};
use crate::scenario::Side;
use std::io::{self, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::time::Duration;

/// Whether a program still sends on its connection to the relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sending {
    Open,
    /// It closed (or half-closed) its side: no longer read.
    Ended,
}

/// One program's connection with the relay.
struct Leg {
    stream: TcpStream,
    sending: Sending,
}

pub struct Relay {
    /// The client's namespace (joined before exec).
    ns: OwnedFd,
    listener: TcpListener,
    /// The client's connection, in its namespace.
    client: Option<Leg>,
    /// The harness's connection to the server.
    server: Option<Leg>,
}

impl Relay {
    /// The client's namespace, with the harness listening on `port` in it.
    pub fn open(port: u16) -> io::Result<Relay> {
        let (ns, listener) = netns::side_namespace(port)?;
        let _ = listener.set_nonblocking(true);
        Ok(Relay {
            ns,
            listener,
            client: None,
            server: None,
        })
    }

    /// The namespace the client joins.
    pub fn namespace(&self) -> RawFd {
        self.ns.as_raw_fd()
    }

    /// Takes the client's connection if it came; whether it did.
    pub fn accept_client(&mut self) -> bool {
        let Ok((st, _)) = self.listener.accept() else {
            return false;
        };
        let _ = st.set_nodelay(true);
        let _ = st.set_nonblocking(true);
        self.client = Some(Leg {
            stream: st,
            sending: Sending::Open,
        });
        true
    }

    /// Whether the client's connection waits to be accepted.
    pub fn client_waits(&self) -> bool {
        peer::readable(self.listener.as_fd())
    }

    /// The harness's connection to the server (see `peer::connect`).
    pub fn connect_server(&mut self, st: TcpStream) {
        self.server = Some(Leg {
            stream: st,
            sending: Sending::Open,
        });
    }

    fn leg(&self, side: Side) -> Option<&Leg> {
        match side {
            Side::Client => self.client.as_ref(),
            Side::Server => self.server.as_ref(),
        }
    }

    /// The connection of the program of `side`, while it sends (to poll).
    pub fn fd(&self, side: Side) -> Option<BorrowedFd<'_>> {
        self.leg(side)
            .filter(|l| l.sending == Sending::Open)
            .map(|l| l.stream.as_fd())
    }

    /// Reads what the program of `from` sent and forwards it to the other
    /// (its end of stream too, as a half-close).
    pub fn forward(&mut self, from: Side, buf: &mut [u8]) -> Incoming {
        let (src, dst) = match from {
            Side::Client => (self.client.as_mut(), self.server.as_ref()),
            Side::Server => (self.server.as_mut(), self.client.as_ref()),
        };
        let Some(src) = src else {
            return Incoming::Nothing;
        };
        let dst = dst.map(|l| &l.stream);
        let got = peer::read_from(&mut src.stream, buf);
        match got {
            Incoming::Closed => {
                if let Some(d) = dst {
                    let _ = d.shutdown(Shutdown::Write);
                }
                src.sending = Sending::Ended;
            }
            Incoming::Bytes(n) => {
                if let Some(mut d) = dst {
                    let _ = d.set_nonblocking(false);
                    let _ = d.set_write_timeout(Some(Duration::from_secs(2)));
                    let _ = d.write_all(&buf[..n]);
                    let _ = d.set_nonblocking(true);
                }
            }
            Incoming::Nothing => {}
        }
        got
    }
}
