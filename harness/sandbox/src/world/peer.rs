//! The harness's TCP peer: its end of the connection with the program under
//! test (it listens for a client, or connects to a server), what it sends
//! and reads, and how each of its connections ends so that nothing of it
//! lingers on the port. The runner decides when; this is the sockets.

use super::procfs;
use crate::scenario::Side;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::time::Duration;

/// How long the peer waits for closing orphan sockets to free its port.
const ORPHANS_CLOSE: Duration = Duration::from_secs(2);

/// Whether every socket on `port` is one no process holds any more and
/// that is closing (not TIME_WAIT, which SO_REUSEADDR ignores; not LISTEN).
fn only_closing_orphans(port: u16) -> bool {
    use super::sockdiag::{local_port, ALL_STATES, TCP_LISTEN, TCP_TIME_WAIT};
    local_port(port, ALL_STATES).is_ok_and(|socks| {
        let closing: Vec<_> = socks.iter().filter(|s| s.state != TCP_TIME_WAIT).collect();
        !closing.is_empty()
            && closing
                .iter()
                .all(|s| s.inode == 0 && s.state != TCP_LISTEN)
    })
}

/// Where the peer's port is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Net {
    /// The scenario's own network namespace: nothing outlives it.
    Isolated,
    /// The host's: what is left on the port meets the next scenario.
    Host,
}

/// What one read of a connection gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incoming {
    /// This many bytes, at the start of the buffer.
    Bytes(usize),
    /// The end of the stream (or the connection broke).
    Closed,
    /// Nothing to read now (or no connection).
    Nothing,
}

/// The peer's sockets.
pub struct Peer {
    port: u16,
    net: Net,
    listener: Option<TcpListener>,
    stream: Option<TcpStream>,
    /// Connections of a program that was restarted, kept open on the
    /// peer's side until the scenario ends (see `Peer::hold`).
    held: Vec<TcpStream>,
    /// The connection the program closed (or half-closed): no longer read,
    /// still open on the peer's side until `close` or the teardown.
    half: Option<TcpStream>,
}

/// Connects to the program listening on `port` of this namespace, within
/// `timeout` (a listener whose queue is full leaves the SYN unanswered).
pub fn connect(port: u16, timeout: Duration) -> io::Result<TcpStream> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let st = TcpStream::connect_timeout(&addr, timeout)?;
    let _ = st.set_nodelay(true);
    let _ = st.set_nonblocking(true);
    Ok(st)
}

/// Makes `st` end with a reset (SO_LINGER 0) when it is closed.
fn reset_on_close(st: &TcpStream) {
    let reset = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    let _ = nix::sys::socket::setsockopt(st, nix::sys::socket::sockopt::Linger, &reset);
}

/// Whether `fd` is ready to read now.
pub(super) fn readable(fd: BorrowedFd) -> bool {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
    let _ = poll(&mut fds, PollTimeout::ZERO);
    fds[0].revents().is_some_and(|r| !r.is_empty())
}

/// Reads what `st` has now, retrying when interrupted.
pub(super) fn read_from(st: &mut TcpStream, buf: &mut [u8]) -> Incoming {
    loop {
        return match st.read(buf) {
            Ok(0) => Incoming::Closed,
            Ok(n) => Incoming::Bytes(n),
            Err(e) if e.kind() == ErrorKind::WouldBlock => Incoming::Nothing,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => Incoming::Closed,
        };
    }
}

impl Peer {
    pub fn new(port: u16, net: Net) -> Peer {
        Peer {
            port,
            net,
            listener: None,
            stream: None,
            held: Vec::new(),
            half: None,
        }
    }

    /// Listens on the port, for the client under test.
    ///
    /// On the host's port, the connections of the scenario before may
    /// still be closing: sockets no process holds any more (FIN_WAIT,
    /// LAST_ACK…), which the kernel ends on its own within milliseconds on
    /// loopback, but which block the bind when their server did not set
    /// SO_REUSEADDR. The peer waits for them, sampling sock_diag, until
    /// `ORPHANS_CLOSE` at most; anything else in the way is an error at once.
    pub fn listen(&mut self) -> io::Result<()> {
        let deadline = std::time::Instant::now() + ORPHANS_CLOSE;
        loop {
            match TcpListener::bind(("127.0.0.1", self.port)) {
                Ok(l) => {
                    let _ = l.set_nonblocking(true);
                    self.listener = Some(l);
                    return Ok(());
                }
                Err(e)
                    if e.kind() == ErrorKind::AddrInUse
                        && std::time::Instant::now() < deadline
                        && only_closing_orphans(self.port) =>
                {
                    // The sampling period of every wait on kernel state.
                    std::thread::park_timeout(Duration::from_millis(1));
                }
                Err(e) => return Err(e),
            }
        }
    }

    pub fn listening(&self) -> bool {
        self.listener.is_some()
    }

    /// Takes the client's connection if it came; whether it did.
    pub fn accept(&mut self) -> bool {
        let Some(Ok((st, _))) = self.listener.as_ref().map(TcpListener::accept) else {
            return false;
        };
        self.adopt(st);
        true
    }

    /// Whether a connection waits to be accepted.
    pub fn connection_waits(&self) -> bool {
        self.listener.as_ref().is_some_and(|l| readable(l.as_fd()))
    }

    /// Makes `st` (see `connect`) the peer's connection.
    pub fn adopt(&mut self, st: TcpStream) {
        let _ = st.set_nodelay(true);
        let _ = st.set_nonblocking(true);
        self.stream = Some(st);
    }

    pub fn connected(&self) -> bool {
        self.stream.is_some()
    }

    /// The connection, to poll.
    pub fn fd(&self) -> Option<BorrowedFd<'_>> {
        self.stream.as_ref().map(AsFd::as_fd)
    }

    /// The program restarts: its connection stays open on the peer's side,
    /// as a user's socat would until it notices. Closing at once would free
    /// its port number, and the peer's next connection attempts, while the
    /// new server starts, could take it: a SYN on the 4-tuple of the
    /// connection the old server left in TIME_WAIT ends that TIME_WAIT, and
    /// a server without SO_REUSEADDR then binds again (quick-restart passing
    /// `no-reuseaddr` about once in 50 runs under load).
    pub fn hold(&mut self) {
        if let Some(st) = self.stream.take() {
            self.held.push(st);
        }
    }

    /// Reads what the program sent.
    pub fn read(&mut self, buf: &mut [u8]) -> Incoming {
        match self.stream.as_mut() {
            Some(st) => read_from(st, buf),
            None => Incoming::Nothing,
        }
    }

    /// Sends one segment, blocking up to `within`.
    pub fn write(&mut self, seg: &[u8], within: Duration) -> io::Result<()> {
        let Some(st) = self.stream.as_mut() else {
            return Err(ErrorKind::NotConnected.into());
        };
        let _ = st.set_nonblocking(false);
        let _ = st.set_write_timeout(Some(within));
        let r = st.write_all(seg);
        let _ = st.set_nonblocking(true);
        r
    }

    /// Whether every byte the peer sent was read by the program.
    pub fn consumed(&self) -> bool {
        let Some(st) = &self.stream else { return true };
        let Ok(local) = st.local_addr() else {
            return true;
        };
        let mut outq: libc::c_int = 0;
        // SAFETY: SIOCOUTQ writes one int.
        unsafe {
            libc::ioctl(st.as_raw_fd(), libc::TIOCOUTQ as _, &mut outq);
        }
        outq == 0
            && procfs::tcp_sockets()
                .iter()
                .filter(|s| s.remote_port == local.port() && s.local_port == self.port)
                .all(|s| s.rx_queue == 0)
    }

    /// The `program` at the other end closed the connection (or it
    /// broke): the peer closes its side too, as the lab's programs do (a
    /// client that half-closes and waits for the server's close ends then).
    /// On the host's port, a server's connection is kept half-open instead,
    /// until `close` or the teardown resets it: closed with a FIN, it would
    /// leave the server's side in TIME_WAIT on the port, and the next
    /// scenario's server without SO_REUSEADDR could not bind.
    pub fn program_closed(&mut self, program: Side) {
        let Some(st) = self.stream.take() else { return };
        if self.net == Net::Isolated || program == Side::Client {
            self.close_stream(st);
        } else if let Some(old) = self.half.replace(st) {
            self.held.push(old);
        }
    }

    /// The `close` step: closes the connection; whether there was one.
    pub fn close(&mut self) -> bool {
        if let Some(st) = self.stream.take() {
            self.close_stream(st);
            true
        } else if let Some(st) = self.half.take() {
            // A server's connection it half-closed, on the host's port:
            // reset, or the server's side of it would stay in TIME_WAIT on
            // the port (see `program_closed`).
            reset_on_close(&st);
            true
        } else {
            false
        }
    }

    /// Closes the peer's connection now. `shutdown`, not only a drop:
    /// close() takes effect once no process holds the socket any more, and
    /// a program another scenario is starting holds a copy of every
    /// descriptor of the harness from its fork to its exec — on a loaded
    /// machine long enough for quiescence to be concluded while the FIN
    /// was not sent (a q4 child left waiting in recv(), judged
    /// `still-running` once in 500 gallery runs). On the host's port the
    /// descriptor is kept for the teardown's reset.
    fn close_stream(&mut self, st: TcpStream) {
        let _ = st.shutdown(Shutdown::Both);
        if self.net == Net::Host {
            self.held.push(st);
        }
    }

    /// On the host's port, every connection of the peer ends with a reset
    /// when it is closed: neither side of it lingers on the port (the
    /// server's in FIN_WAIT2 or TIME_WAIT) for the next scenario's server
    /// to find when it binds without SO_REUSEADDR. Armed before the
    /// programs are ended and sent once they are gone (when the sockets
    /// close), so that no program sees a reset it did not cause.
    pub fn arm_resets(&self) {
        for st in self.stream.iter().chain(&self.held).chain(&self.half) {
            reset_on_close(st);
        }
    }

    /// Closes everything (the teardown, once the programs are gone).
    pub fn clear(&mut self) {
        self.stream = None;
        self.half = None;
        self.held.clear();
        self.listener = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A peer connected to a "program" listening on a free port of the
    /// host, and the program's end of that connection.
    fn connected(net: Net) -> (Peer, TcpStream) {
        let program = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = program.local_addr().unwrap().port();
        let mut peer = Peer::new(port, net);
        peer.adopt(connect(port, Duration::from_secs(5)).unwrap());
        let (end, _) = program.accept().unwrap();
        (peer, end)
    }

    /// Reads once the connection is readable (bytes, or its end).
    fn next(peer: &mut Peer, buf: &mut [u8]) -> Incoming {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        let fd = peer.fd().expect("connected");
        let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
        poll(&mut fds, PollTimeout::from(5000u16)).unwrap();
        peer.read(buf)
    }

    #[test]
    fn reads_what_the_program_sends_then_its_close() {
        let (mut peer, mut end) = connected(Net::Isolated);
        let mut buf = [0u8; 64];
        assert_eq!(peer.read(&mut buf), Incoming::Nothing);
        end.write_all(b"Bonjour\n").unwrap();
        assert_eq!(next(&mut peer, &mut buf), Incoming::Bytes(8));
        assert_eq!(&buf[..8], b"Bonjour\n");
        drop(end);
        assert_eq!(next(&mut peer, &mut buf), Incoming::Closed);
        peer.program_closed(Side::Client);
        assert!(!peer.connected());
        assert!(!peer.close(), "nothing left to close");
    }

    #[test]
    fn on_the_host_a_servers_closed_connection_stays_half_open_until_close() {
        let (mut peer, end) = connected(Net::Host);
        drop(end);
        let mut buf = [0u8; 64];
        assert_eq!(next(&mut peer, &mut buf), Incoming::Closed);
        peer.program_closed(Side::Server);
        assert!(!peer.connected());
        assert!(peer.close(), "the half-open connection is closed (reset)");
        assert!(!peer.close());
    }

    #[test]
    fn writing_without_a_connection_is_an_error() {
        let mut peer = Peer::new(1, Net::Isolated);
        let err = peer.write(b"x", Duration::from_secs(1)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotConnected);
        assert!(peer.consumed());
    }
}
