//! The host's TCP sockets on one port, asked of the kernel through
//! `NETLINK_SOCK_DIAG` (what `ss` uses): without namespaces the harness
//! works on the host's port, whose `/proc/net/tcp` lists every socket of
//! the machine (~9 ms a read); a sock_diag dump filtered by port and state is
//! done in the kernel and answers in microseconds.
//!
//! Two fixed C structures and one request: written against libc rather than
//! through the netlink-packet crates (three crates for that).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// `linux/sock_diag.h`, `linux/inet_diag.h`.
const NETLINK_SOCK_DIAG: libc::c_int = 4;
const SOCK_DIAG_BY_FAMILY: u16 = 20;

/// TCP states (`include/net/tcp_states.h`).
pub const TCP_ESTABLISHED: u8 = 1;
pub const TCP_TIME_WAIT: u8 = 6;
pub const TCP_LISTEN: u8 = 10;
/// Every state, as an `idiag_states` mask.
pub const ALL_STATES: u32 = !0;

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct SockId {
    sport: [u8; 2],
    dport: [u8; 2],
    src: [u32; 4],
    dst: [u32; 4],
    interface: u32,
    cookie: [u32; 2],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct ReqV2 {
    family: u8,
    protocol: u8,
    ext: u8,
    pad: u8,
    states: u32,
    id: SockId,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct DiagMsg {
    family: u8,
    state: u8,
    timer: u8,
    retrans: u8,
    id: SockId,
    expires: u32,
    rqueue: u32,
    wqueue: u32,
    uid: u32,
    inode: u32,
}

/// One TCP socket (v4 or v6) of the calling thread's namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiagSocket {
    pub state: u8,
    pub local_port: u16,
    pub remote_port: u16,
    /// 0 for a socket no process holds any more (TIME_WAIT, orphans).
    pub inode: u64,
}

/// The TCP sockets of the calling thread's network namespace whose local
/// port is `port` and whose state is in `states` (a mask of `1 << state`).
/// The kernel filters by both.
pub fn local_port(port: u16, states: u32) -> io::Result<Vec<DiagSocket>> {
    // SAFETY: socket() returns a new descriptor, owned at once.
    let fd = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
            NETLINK_SOCK_DIAG,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fd is valid and not owned elsewhere.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut out = Vec::new();
    for family in [libc::AF_INET, libc::AF_INET6] {
        let req = ReqV2 {
            family: family as u8,
            protocol: libc::IPPROTO_TCP as u8,
            states,
            id: SockId {
                sport: port.to_be_bytes(),
                ..SockId::default()
            },
            ..ReqV2::default()
        };
        dump(&fd, &req, &mut out)?;
    }
    // The kernel's filter by port is an optimisation of its own; the
    // answer is what the caller asked for whatever the kernel did.
    out.retain(|s| s.local_port == port && states & (1 << s.state) != 0);
    Ok(out)
}

fn dump(fd: &OwnedFd, req: &ReqV2, out: &mut Vec<DiagSocket>) -> io::Result<()> {
    let hdr_len = std::mem::size_of::<libc::nlmsghdr>();
    let len = hdr_len + std::mem::size_of::<ReqV2>();
    let hdr = libc::nlmsghdr {
        nlmsg_len: len as u32,
        nlmsg_type: SOCK_DIAG_BY_FAMILY,
        nlmsg_flags: (libc::NLM_F_REQUEST | libc::NLM_F_DUMP) as u16,
        nlmsg_seq: 1,
        nlmsg_pid: 0,
    };
    let mut msg = Vec::with_capacity(len);
    // SAFETY: both are plain C structures without padding holes read as bytes.
    unsafe {
        msg.extend_from_slice(std::slice::from_raw_parts(
            (&hdr as *const libc::nlmsghdr).cast::<u8>(),
            hdr_len,
        ));
        msg.extend_from_slice(std::slice::from_raw_parts(
            (req as *const ReqV2).cast::<u8>(),
            std::mem::size_of::<ReqV2>(),
        ));
    }
    // SAFETY: sends our buffer to the kernel (the default destination).
    if unsafe { libc::send(fd.as_raw_fd(), msg.as_ptr().cast(), msg.len(), 0) } < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        // SAFETY: receives into our buffer, at most its length.
        let n = unsafe { libc::recv(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        match parse(&buf[..n as usize], out) {
            Parsed::More => {}
            Parsed::Done => return Ok(()),
            Parsed::Error(errno) => return Err(io::Error::from_raw_os_error(errno)),
        }
    }
}

enum Parsed {
    More,
    Done,
    Error(i32),
}

/// One datagram of the kernel's answer: netlink messages, each a socket,
/// until `NLMSG_DONE`.
fn parse(mut b: &[u8], out: &mut Vec<DiagSocket>) -> Parsed {
    let hdr_len = std::mem::size_of::<libc::nlmsghdr>();
    while b.len() >= hdr_len {
        // SAFETY: at least a header's bytes; read unaligned.
        let hdr: libc::nlmsghdr = unsafe { std::ptr::read_unaligned(b.as_ptr().cast()) };
        let len = hdr.nlmsg_len as usize;
        if len < hdr_len || len > b.len() {
            break;
        }
        let body = &b[hdr_len..len];
        match i32::from(hdr.nlmsg_type) {
            libc::NLMSG_DONE => return Parsed::Done,
            libc::NLMSG_ERROR => {
                let errno = body
                    .get(..4)
                    .map_or(libc::EIO, |e| -i32::from_ne_bytes([e[0], e[1], e[2], e[3]]));
                return if errno == 0 {
                    Parsed::Done
                } else {
                    Parsed::Error(errno)
                };
            }
            t if t == i32::from(SOCK_DIAG_BY_FAMILY)
                && body.len() >= std::mem::size_of::<DiagMsg>() =>
            {
                // SAFETY: the body holds a whole inet_diag_msg; read unaligned.
                let m: DiagMsg = unsafe { std::ptr::read_unaligned(body.as_ptr().cast()) };
                out.push(DiagSocket {
                    state: m.state,
                    local_port: u16::from_be_bytes(m.id.sport),
                    remote_port: u16::from_be_bytes(m.id.dport),
                    inode: u64::from(m.inode),
                });
            }
            _ => {}
        }
        // Messages are aligned to 4 bytes.
        let next = (len + 3) & !3;
        b = b.get(next..).unwrap_or_default();
    }
    Parsed::More
}

/// Why the host's port cannot be used for a scenario (without namespaces):
/// a fault of the grader's environment, never the student's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortBusy {
    #[error("port {port} is held by pid {pid}: {command}")]
    Held {
        port: u16,
        pid: i32,
        command: String,
    },
    #[error("port {port} is held by another process (whose /proc is not readable here)")]
    HeldUnseen { port: u16 },
}

/// Before a scenario on the host's port: no listener and no connection on
/// it that is not the harness's own. Sockets no process holds any more
/// (TIME_WAIT, closing orphans) are not counted: they hold no port for a
/// server that sets SO_REUSEADDR, and the harness's own connections, reset
/// at the end of each scenario, leave none on the server's side.
pub fn port_free(port: u16) -> Result<(), PortBusy> {
    let me = std::process::id() as i32;
    let socks = sockets_on(port);
    // A listener first: it is what would be graded instead.
    let mut owned: Vec<&DiagSocket> = socks.iter().filter(|s| s.inode != 0).collect();
    owned.sort_by_key(|s| s.state != TCP_LISTEN);
    for s in owned {
        match holder(s.inode) {
            Some((pid, _)) if pid == me => {}
            Some((pid, command)) => return Err(PortBusy::Held { port, pid, command }),
            None => return Err(PortBusy::HeldUnseen { port }),
        }
    }
    Ok(())
}

/// Every TCP socket whose local port is `port`: from sock_diag, or where
/// that is refused, from `/proc/net/tcp` (slow on a busy machine, but
/// only once a scenario).
fn sockets_on(port: u16) -> Vec<DiagSocket> {
    local_port(port, ALL_STATES).unwrap_or_else(|_| {
        crate::world::procfs::tcp_sockets()
            .into_iter()
            .filter(|s| s.local_port == port)
            .map(|s| DiagSocket {
                state: s.state,
                local_port: s.local_port,
                remote_port: s.remote_port,
                inode: s.inode,
            })
            .collect()
    })
}

/// Whether something listens on `port` in the calling thread's namespace;
/// `None` when the kernel does not say.
pub fn listening(port: u16) -> Option<bool> {
    local_port(port, 1 << TCP_LISTEN)
        .ok()
        .map(|v| !v.is_empty())
}

/// The process holding the socket of `inode` (not `except`, the harness
/// may not read are not found): its pid and command line.
pub fn holder(inode: u64) -> Option<(i32, String)> {
    if inode == 0 {
        return None;
    }
    let want = format!("socket:[{inode}]");
    let dir = std::fs::read_dir("/proc").ok()?;
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        let holds = fds
            .flatten()
            .any(|f| std::fs::read_link(f.path()).is_ok_and(|l| l.as_os_str() == want.as_str()));
        if holds {
            return Some((pid, command_line(pid)));
        }
    }
    None
}

/// `/proc/PID/cmdline` as one line of at most `COMMAND_MAX` characters
/// (its command name when empty).
fn command_line(pid: i32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let words: Vec<String> = raw
        .split(|&b| b == 0)
        .filter(|w| !w.is_empty())
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    let line = if words.is_empty() {
        crate::world::procfs::stat(pid).map_or_else(String::new, |p| p.comm)
    } else {
        words.join(" ")
    };
    let mut one: String = line
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(COMMAND_MAX)
        .collect();
    if line.chars().count() > COMMAND_MAX {
        one.push('…');
    }
    one
}

const COMMAND_MAX: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_listener_and_its_holder_by_port() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let found = local_port(port, 1 << TCP_LISTEN).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].state, found[0].local_port), (TCP_LISTEN, port));
        assert_ne!(found[0].inode, 0);
        // Its holder is this process.
        let me = std::process::id() as i32;
        let (pid, cmd) = holder(found[0].inode).unwrap();
        assert_eq!(pid, me);
        assert!(!cmd.is_empty());
        // The harness's own sockets do not make the port busy.
        assert_eq!(port_free(port), Ok(()));
    }

    #[test]
    fn a_listener_of_another_process_makes_the_port_busy() {
        let mut child = std::process::Command::new("python3")
            .args(["-c", "import socket,sys\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen()\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        use std::io::BufRead;
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line.trim().parse().unwrap();
        let pid = child.id() as i32;
        let busy = port_free(port);
        drop(child.stdin.take());
        child.wait().unwrap();
        let text = busy.as_ref().map_err(ToString::to_string).unwrap_err();
        assert!(
            text.starts_with(&format!("port {port} is held by pid {pid}: "))
                && text.contains("python3 -c import socket,sys s=socket.socket()")
                && !text.contains('\n'),
            "{text}"
        );
        assert!(matches!(busy, Err(PortBusy::Held { pid: p, .. }) if p == pid));
    }

    #[test]
    fn filters_by_state() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (_a, _) = l.accept().unwrap();
        let est = local_port(port, 1 << TCP_ESTABLISHED).unwrap();
        // The accepted end has the listener's port as its local port; the
        // connecting end's local port is another one.
        assert_eq!(est.len(), 1, "{est:?}");
        assert_eq!(est[0].remote_port, c.local_addr().unwrap().port());
        assert_eq!(local_port(port, ALL_STATES).unwrap().len(), 2);
    }

    #[test]
    fn an_unused_port_has_no_socket() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        assert_eq!(local_port(port, 1 << TCP_LISTEN).unwrap(), Vec::new());
    }

    #[test]
    fn parses_an_error_answer() {
        let mut b = vec![0u8; 20];
        b[..4].copy_from_slice(&20u32.to_ne_bytes());
        b[4..6].copy_from_slice(&(libc::NLMSG_ERROR as u16).to_ne_bytes());
        b[16..20].copy_from_slice(&(-libc::EPERM).to_ne_bytes());
        assert!(matches!(parse(&b, &mut Vec::new()), Parsed::Error(e) if e == libc::EPERM));
        // A truncated datagram is not read past its end.
        assert!(matches!(parse(&b[..10], &mut Vec::new()), Parsed::More));
    }
}
