//! What every question shares: opening the connection, framing lines, printing them.

use nix::errno::Errno;
use nix::sys::socket::{
    self, sockopt, AddressFamily, Backlog, SockFlag, SockType, SockaddrStorage,
};
use std::fmt;
use std::io::{self, BufRead, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::AsRawFd;

/// Why a reference program stops early; shown as `NAME: {error}` on stderr.
#[derive(Debug)]
pub enum Error {
    Bind { addr: String, cause: io::Error },
    Connect { addr: String, cause: io::Error },
    Accept(io::Error),
    Send(io::Error),
    Keyboard(io::Error),
    Screen(io::Error),
    Fork(Errno),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Bind { addr, cause } => {
                write!(f, "cannot listen on {addr}: {}", describe(cause))
            }
            Error::Connect { addr, cause } => {
                write!(f, "cannot connect to {addr}: {}", describe(cause))
            }
            Error::Accept(cause) => write!(f, "cannot accept a client: {}", describe(cause)),
            Error::Send(cause) => write!(f, "cannot send, connection lost: {}", describe(cause)),
            Error::Keyboard(cause) => write!(f, "cannot read the keyboard: {}", describe(cause)),
            Error::Screen(cause) => write!(f, "cannot write to the screen: {}", describe(cause)),
            Error::Fork(errno) => write!(f, "cannot fork: {}", errno.desc()),
        }
    }
}

/// `Connection refused`, not `Connection refused (os error 111)`: the message
/// is read by a student, not by a programmer.
fn describe(cause: &io::Error) -> String {
    match cause.raw_os_error() {
        Some(code) => Errno::from_raw(code).desc().to_owned(),
        None => cause.to_string(),
    }
}

fn address(host: &str, port: u16) -> String {
    format!("{host}:{port}")
}

/// Listens on `host:port` with `SO_REUSEADDR`, as the sheet's optimisation
/// asks, so that a server restarted at once does not meet `Address already
/// in use` while the previous connection lingers in TIME_WAIT. (std's
/// `TcpListener::bind` sets it too on Unix; the calls are spelled out here to
/// mirror the sheet's `setsockopt`.)
pub fn listen(host: &str, port: u16) -> Result<TcpListener, Error> {
    let addr = address(host, port);
    let fail = |cause: io::Error| Error::Bind {
        addr: addr.clone(),
        cause,
    };
    let target: SocketAddr = (host, port)
        .to_socket_addrs()
        .map_err(fail)?
        .next()
        .ok_or_else(|| fail(io::ErrorKind::AddrNotAvailable.into()))?;
    let family = match target {
        SocketAddr::V4(_) => AddressFamily::Inet,
        SocketAddr::V6(_) => AddressFamily::Inet6,
    };
    let errno = |e: Errno| fail(e.into());
    let fd =
        socket::socket(family, SockType::Stream, SockFlag::SOCK_CLOEXEC, None).map_err(errno)?;
    socket::setsockopt(&fd, sockopt::ReuseAddr, &true).map_err(errno)?;
    socket::bind(fd.as_raw_fd(), &SockaddrStorage::from(target)).map_err(errno)?;
    socket::listen(&fd, Backlog::new(16).map_err(errno)?).map_err(errno)?;
    Ok(TcpListener::from(fd))
}

pub fn accept(listener: &TcpListener) -> Result<TcpStream, Error> {
    listener
        .accept()
        .map(|(stream, _)| stream)
        .map_err(Error::Accept)
}

pub fn connect(host: &str, port: u16) -> Result<TcpStream, Error> {
    TcpStream::connect((host, port)).map_err(|cause| Error::Connect {
        addr: address(host, port),
        cause,
    })
}

/// Reads the next line, without its end, or `None` once the input has ended.
///
/// TCP delivers bytes, not messages: one `recv` may hold half a line or
/// several lines. The buffered reader keeps what follows a `'\n'` for the next
/// call and asks for more until a `'\n'` comes, so the caller always gets
/// whole lines. A last line with no `'\n'` is still returned before `None`.
pub fn read_line(input: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    if input.read_until(b'\n', &mut line)? == 0 {
        return Ok(None);
    }
    if line.last() == Some(&b'\n') {
        line.pop();
        // telnet and Windows peers end lines with "\r\n".
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
    Ok(Some(line))
}

/// Like `read_line`, for a socket. A receive error (a reset: the peer left
/// abruptly) ends the conversation just as a close does: nobody is left to
/// talk to, and there is nothing more to say about it.
pub fn receive_line(input: &mut impl BufRead) -> Option<Vec<u8>> {
    read_line(input).ok().flatten()
}

/// Reads the keyboard's next line, or `None` at end of input (Ctrl-D).
pub fn keyboard_line(keyboard: &mut impl BufRead) -> Result<Option<Vec<u8>>, Error> {
    read_line(keyboard).map_err(Error::Keyboard)
}

/// Sends one line, newline-terminated, in a single write so that it leaves at once.
pub fn send_line(mut stream: &TcpStream, line: &[u8]) -> Result<(), Error> {
    let mut message = Vec::with_capacity(line.len() + 1);
    message.extend_from_slice(line);
    message.push(b'\n');
    stream.write_all(&message).map_err(Error::Send)
}

/// Prints one received line as text (bytes that are not UTF-8 become `�`),
/// flushed at once: whoever watches the screen must see it now, not when a
/// buffer fills.
pub fn print_line(line: &[u8]) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    out.write_all(String::from_utf8_lossy(line).as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(Error::Screen)
}

/// True when a failed send means the peer has left (it closed or reset the connection).
pub fn peer_left(error: &Error) -> bool {
    matches!(error, Error::Send(cause) if matches!(
        cause.kind(),
        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
    ))
}
