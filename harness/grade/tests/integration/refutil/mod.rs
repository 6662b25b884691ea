//! Test helpers shared by the integration tests: a program on a terminal, a
//! TCP peer, /proc, the markers that name a test's processes, and the tools.
//!
//! Every wait is on an event (bytes on the terminal or the socket, a process
//! exiting, a state in /proc) with `DEADLINE` only as a safety net, so a
//! failing test says what it was waiting for instead of hanging.

use nix::fcntl::{self, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::pty::{grantpt, posix_openpt, ptsname_r, unlockpt, PtyMaster};
use nix::sys::signal::{kill, killpg, Signal};
use nix::sys::stat::Mode;
use nix::sys::termios::{self, LocalFlags, SetArg};
use nix::sys::wait::waitpid;
use nix::unistd::Pid;
use std::collections::BTreeSet;
use std::fs;
use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

pub mod platform;
pub mod tools;

/// A JSON report (`--format json`) in which every scenario passed with
/// every point; returns it.
pub fn all_passed(json: &[u8]) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_slice(json).expect("a JSON report");
    let scenarios = v["scenarios"].as_array().expect("scenarios");
    assert!(!scenarios.is_empty());
    assert!(scenarios.iter().all(|s| s["status"] == "pass"), "{v:#}");
    assert_eq!(v["score"], v["max_score"]);
    v
}

/// The fixtures folder: `tests/fixtures`.
/// The lines the program of scenario `k` of a JSON report printed, in
/// order.
pub fn printed(report: &serde_json::Value, k: usize) -> Vec<String> {
    report["scenarios"][k]["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "printed")
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect()
}

/// The ids of a JSON report's scenarios, in order.
pub fn scenario_ids(report: &serde_json::Value) -> Vec<&str> {
    report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect()
}

pub fn fixtures_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A string found nowhere else: it names the processes of one run (a
/// fixture takes it as an argument or in its path, and forks keep it), or
/// stands for a secret of the caller's. The tests share one process, so
/// parentage alone cannot tell whose a leftover is.
pub fn unique(what: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{what}-{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    )
}

/// Processes whose command line holds `marker` (zombies have none left).
pub fn processes_with(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmd) = std::fs::read(e.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(marker) {
                found.push(format!("pid {}: {cmd}", e.file_name().to_string_lossy()));
            }
        }
    }
    found
}

/// How long any single wait may take before the test fails. Only reached
/// when something is wrong: every wait ends on its event.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// Syscalls a process sleeps in while it waits for the network.
pub const RECEIVE: &[i64] = &[libc::SYS_recvfrom, libc::SYS_recvmsg, libc::SYS_read];
pub const ACCEPT: &[i64] = &[libc::SYS_accept, libc::SYS_accept4];

// ---------------------------------------------------------------- ports

/// A port nobody listens on. Ports handed out are remembered, so that two
/// tests of this binary never get the same one even after its probe closed.
pub fn free_port() -> u16 {
    static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    loop {
        let probe = TcpListener::bind("127.0.0.1:0").expect("cannot bind a probe port");
        let port = probe.local_addr().expect("probe address").port();
        if GIVEN.lock().unwrap().insert(port) {
            return port;
        }
    }
}

/// The test's own server, for the client programs: listening before they start.
pub fn listener() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("cannot listen");
    let port = listener.local_addr().expect("listener address").port();
    (listener, port)
}

// ---------------------------------------------------------------- program

/// `grade reference ARGS` running on its own pseudo-terminal, as in a
/// terminal window: the test types on its keyboard and reads its screen.
/// Dropping it kills and reaps the program and whatever it forked.
pub struct Program {
    name: String,
    child: Child,
    terminal: PtyMaster,
    /// Processes the program was seen to fork, to reap even if it left them behind.
    forks: Vec<i32>,
    /// Screen bytes read but not yet consumed by an expectation.
    screen: Vec<u8>,
    /// Every process holding the terminal has closed it.
    screen_closed: bool,
    exit_code: Option<i32>,
}

impl Program {
    pub fn start(args: &[&str]) -> Program {
        become_subreaper();
        let (terminal, keyboard_and_screen) = open_terminal();
        let mut command = Command::new(env!("CARGO_BIN_EXE_grade"));
        command.arg("reference").args(args);
        for stdio in 0..3 {
            let fd = Stdio::from(keyboard_and_screen.try_clone().expect("dup terminal"));
            match stdio {
                0 => command.stdin(fd),
                1 => command.stdout(fd),
                _ => command.stderr(fd),
            };
        }
        // SAFETY: setsid and ioctl are async-signal-safe, as pre_exec requires.
        // Own session and process group: the terminal becomes the program's
        // controlling terminal, and killpg reaches whatever the program forks.
        unsafe {
            command.pre_exec(|| {
                nix::unistd::setsid()?;
                if libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("cannot start grade");
        // The terminal's other end must be held by the program only, so that
        // its closing means the program (and any fork of it) is gone.
        drop(command);
        drop(keyboard_and_screen);
        Program {
            name: args.join(" "),
            child,
            forks: Vec::new(),
            terminal,
            screen: Vec::new(),
            screen_closed: false,
            exit_code: None,
        }
    }

    /// The program's process: `grade` itself, which runs the reference program in-process.
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// The program's children now; remembered, so that dropping the program reaps them too.
    pub fn children(&mut self) -> Vec<i32> {
        let now = children(self.pid());
        for &pid in &now {
            if !self.forks.contains(&pid) {
                self.forks.push(pid);
            }
        }
        now
    }

    pub fn type_line(&mut self, line: &str) {
        let typed = format!("{line}\n");
        (&self.terminal)
            .write_all(typed.as_bytes())
            .expect("cannot type on the terminal");
    }

    /// Ctrl-D at the start of a line: the program's next keyboard read returns end of input.
    pub fn type_eof(&mut self) {
        (&self.terminal)
            .write_all(&[0x04])
            .expect("cannot type on the terminal");
    }

    /// Waits for the next whole line on the screen and checks it.
    #[track_caller]
    pub fn expect_line(&mut self, want: &str) {
        let got = self.next_line();
        assert_eq!(got, want, "{}: unexpected line on the screen", self.name);
    }

    #[track_caller]
    pub fn next_line(&mut self) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(end) = self.screen.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.screen.drain(..=end).collect();
                line.pop();
                // The terminal turns "\n" into "\r\n" (ONLCR).
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return String::from_utf8(line).expect("screen line is not UTF-8");
            }
            if self.screen_closed || !self.pump(deadline) {
                panic!(
                    "{}: no line on the screen {}; screen so far: {:?}",
                    self.name,
                    if self.screen_closed {
                        "before it closed"
                    } else {
                        "in time"
                    },
                    String::from_utf8_lossy(&self.screen)
                );
            }
        }
    }

    /// Checks that nothing was printed since the last expectation.
    #[track_caller]
    pub fn assert_silent(&mut self) {
        self.read_available();
        assert!(
            self.screen.is_empty(),
            "{}: printed {:?}",
            self.name,
            String::from_utf8_lossy(&self.screen)
        );
    }

    /// Waits for the program to exit (it is reaped) and returns its exit code.
    #[track_caller]
    pub fn expect_exit(&mut self) -> i32 {
        if let Some(code) = self.exit_code {
            return code;
        }
        let exited = ProcessFd::open(self.pid());
        let deadline = Instant::now() + DEADLINE;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                panic!("{}: still running after {DEADLINE:?}", self.name);
            }
            let timeout = PollTimeout::try_from(remaining).unwrap_or(PollTimeout::MAX);
            let mut fds = [
                PollFd::new(exited.0.as_fd(), PollFlags::POLLIN),
                PollFd::new(self.terminal.as_fd(), PollFlags::POLLIN),
            ];
            // A program blocked on a full screen never exits: keep reading it.
            let _ = poll(&mut fds[..if self.screen_closed { 1 } else { 2 }], timeout);
            let done = fds[0].any().unwrap_or(false);
            self.read_available();
            if done {
                break;
            }
        }
        let status = self.child.wait().expect("cannot reap the program");
        let code = status
            .code()
            .unwrap_or_else(|| panic!("{}: killed by signal {:?}", self.name, status.signal()));
        self.exit_code = Some(code);
        code
    }

    /// Everything printed and not yet consumed, once the program has exited.
    pub fn rest_of_screen(&mut self) -> String {
        self.expect_exit();
        self.read_available();
        String::from_utf8_lossy(&std::mem::take(&mut self.screen)).into_owned()
    }

    /// Waits until the screen has more bytes (or closed); false at the deadline.
    fn pump(&mut self, deadline: Instant) -> bool {
        let before = self.screen.len();
        while self.screen.len() == before && !self.screen_closed {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return false;
            }
            let timeout = PollTimeout::try_from(remaining).unwrap_or(PollTimeout::MAX);
            let mut fds = [PollFd::new(self.terminal.as_fd(), PollFlags::POLLIN)];
            let _ = poll(&mut fds, timeout);
            self.read_available();
        }
        true
    }

    /// Reads what the screen holds now, without waiting. The terminal is
    /// non-blocking, and a non-blocking read also collects what the program
    /// wrote a moment ago and the kernel has not yet moved to our side.
    fn read_available(&mut self) {
        let mut buf = [0u8; 4096];
        while !self.screen_closed {
            match (&self.terminal).read(&mut buf) {
                Ok(0) => self.screen_closed = true,
                Ok(n) => self.screen.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                // EIO: nobody holds the program's end of the terminal any more.
                Err(_) => self.screen_closed = true,
            }
        }
    }

    /// Kills the program and everything it forked, and reaps them all.
    fn kill(&mut self) {
        let main = self.pid();
        self.children();
        // Only processes still the program's, or already orphaned to us (we
        // are their subreaper): a pid the program reaped may be reused since.
        let ours = std::process::id() as i32;
        let forks: Vec<i32> = (self.forks.iter().copied())
            .filter(|&pid| stat(pid).is_some_and(|(_, ppid)| ppid == main || ppid == ours))
            .collect();
        if self.exit_code.is_none() {
            let _ = killpg(Pid::from_raw(main), Signal::SIGKILL);
        }
        for &pid in &forks {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
        if self.exit_code.is_none() {
            let _ = self.child.wait();
        }
        // Orphaned by now if they were not already: ours to reap.
        for pid in forks {
            let _ = waitpid(Pid::from_raw(pid), None);
        }
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        self.kill();
    }
}

fn open_terminal() -> (PtyMaster, OwnedFd) {
    // Close-on-exec at creation: another test starting a program at the same
    // moment must not inherit this terminal, or it would never close.
    let master = posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC)
        .expect("cannot open a pseudo-terminal");
    grantpt(&master).expect("grantpt");
    unlockpt(&master).expect("unlockpt");
    let name = ptsname_r(&master).expect("ptsname");
    let raw = fcntl::open(
        name.as_str(),
        OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .expect("cannot open the terminal's program end");
    // SAFETY: `raw` was just opened and is owned by nobody else.
    let slave = unsafe { OwnedFd::from_raw_fd(raw) };
    // No echo: the screen then shows only what the program prints.
    let mut settings = termios::tcgetattr(&slave).expect("tcgetattr");
    settings.local_flags.remove(LocalFlags::ECHO);
    termios::tcsetattr(&slave, SetArg::TCSANOW, &settings).expect("tcsetattr");
    fcntl::fcntl(master.as_raw_fd(), fcntl::F_SETFL(OFlag::O_NONBLOCK)).expect("O_NONBLOCK");
    (master, slave)
}

/// Makes this test process the reaper of the programs' orphans: a forked
/// child left behind by a program then stays visible in /proc (alive, or a
/// zombie) instead of vanishing into init, and the q4 tests can see it.
fn become_subreaper() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        nix::sys::prctl::set_child_subreaper(true).expect("PR_SET_CHILD_SUBREAPER");
    });
}

/// A pidfd: readable once the process has exited, so an exit is an event to poll.
struct ProcessFd(OwnedFd);

impl ProcessFd {
    fn open(pid: i32) -> ProcessFd {
        // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        assert!(fd >= 0, "pidfd_open: {}", io::Error::last_os_error());
        // SAFETY: the descriptor was just created and is owned by nobody else.
        ProcessFd(unsafe { OwnedFd::from_raw_fd(fd as i32) })
    }
}

// ---------------------------------------------------------------- peer

/// The other end of the program's connection, played by the test.
pub struct Peer {
    stream: TcpStream,
    lines: BufReader<TcpStream>,
}

impl Peer {
    /// Connects to a server program once it listens.
    pub fn connect(port: u16) -> Peer {
        wait_listening(port);
        let stream =
            TcpStream::connect(("127.0.0.1", port)).expect("cannot connect to the program");
        Peer::new(stream)
    }

    /// Accepts a client program's connection.
    pub fn accept(listener: &TcpListener) -> Peer {
        let mut fds = [PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
        let timeout = PollTimeout::try_from(DEADLINE).expect("deadline fits poll");
        let ready = poll(&mut fds, timeout).expect("poll on the listener");
        assert!(ready > 0, "no client connected within {DEADLINE:?}");
        let (stream, _) = listener.accept().expect("accept");
        Peer::new(stream)
    }

    fn new(stream: TcpStream) -> Peer {
        // Each `send` leaves as its own segment: the split-line tests rely on it.
        stream.set_nodelay(true).expect("TCP_NODELAY");
        stream
            .set_read_timeout(Some(DEADLINE))
            .expect("read timeout");
        let lines = BufReader::new(stream.try_clone().expect("clone socket"));
        Peer { stream, lines }
    }

    pub fn local_port(&self) -> u16 {
        self.stream.local_addr().expect("local address").port()
    }

    pub fn remote_port(&self) -> u16 {
        self.stream.peer_addr().expect("peer address").port()
    }

    /// One write, as is.
    pub fn send(&mut self, bytes: &[u8]) {
        self.stream
            .write_all(bytes)
            .expect("cannot send to the program");
    }

    pub fn send_line(&mut self, line: &str) {
        self.send(format!("{line}\n").as_bytes());
    }

    /// A writer for another thread, sharing this connection.
    pub fn writer(&self) -> TcpStream {
        self.stream.try_clone().expect("clone socket")
    }

    /// Waits for the next newline-terminated line from the program and checks it.
    #[track_caller]
    pub fn expect_line(&mut self, want: &str) {
        let mut line = Vec::new();
        match self.lines.read_until(b'\n', &mut line) {
            Ok(_) if line.last() == Some(&b'\n') => {
                line.pop();
                assert_eq!(
                    String::from_utf8_lossy(&line),
                    want,
                    "unexpected line from the program"
                );
            }
            Ok(_) => panic!(
                "connection ended before a whole line; got {:?}",
                String::from_utf8_lossy(&line)
            ),
            Err(e) => panic!(
                "no line from the program ({e}); got {:?}",
                String::from_utf8_lossy(&line)
            ),
        }
    }

    /// Waits for the program to end the connection, with nothing more sent.
    #[track_caller]
    pub fn expect_eof(&mut self) {
        let mut rest = Vec::new();
        match self.lines.read_to_end(&mut rest) {
            Ok(_) => assert!(
                rest.is_empty(),
                "received {:?} before the end",
                String::from_utf8_lossy(&rest)
            ),
            Err(e) => panic!(
                "the program did not end the connection ({e}); got {:?}",
                String::from_utf8_lossy(&rest)
            ),
        }
    }

    /// Checks that the program has sent nothing not yet read.
    #[track_caller]
    pub fn assert_nothing_received(&mut self) {
        assert!(
            self.lines.buffer().is_empty(),
            "the program sent {:?}",
            self.lines.buffer()
        );
        self.stream.set_nonblocking(true).expect("non-blocking");
        let mut byte = [0u8; 1];
        let peeked = self.stream.peek(&mut byte);
        self.stream.set_nonblocking(false).expect("blocking");
        match peeked {
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            other => panic!("the program sent something out of turn: {other:?}"),
        }
    }

    /// Leaves the conversation, the way a peer closing its socket does.
    pub fn close(self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

// ---------------------------------------------------------------- /proc

/// Waits until `ready()` holds, looking every millisecond: /proc has no
/// notification, and each look is cheap.
#[track_caller]
pub fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A process's state letter (`S` asleep, `Z` zombie...) and parent, or
/// `None` once it is gone from the process table.
pub fn stat(pid: i32) -> Option<(char, i32)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let mut fields = text[text.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// The syscall a process is blocked in and its arguments, from /proc/PID/syscall.
fn syscall(pid: i32) -> Option<Vec<i64>> {
    let text = fs::read_to_string(format!("/proc/{pid}/syscall")).ok()?;
    text.split_whitespace()
        .map(|field| match field.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok().map(|n| n as i64),
            None => field.parse().ok(),
        })
        .collect()
}

/// True when the process is asleep in one of `syscalls`.
pub fn asleep_in(pid: i32, syscalls: &[i64]) -> bool {
    matches!(stat(pid), Some(('S', _)))
        && syscall(pid).is_some_and(|call| syscalls.contains(&call[0]))
}

/// True when the process is asleep reading its keyboard (fd 0).
pub fn asleep_on_keyboard(pid: i32) -> bool {
    matches!(stat(pid), Some(('S', _)))
        && syscall(pid).is_some_and(|call| call[0] == libc::SYS_read && call.get(1) == Some(&0))
}

/// The processes whose parent is `pid`.
pub fn children(pid: i32) -> Vec<i32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&candidate| stat(candidate).is_some_and(|(_, ppid)| ppid == pid))
        .collect()
}

/// One line of /proc/net/tcp{,6}.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TcpSocket {
    pub local_port: u16,
    pub remote_port: u16,
    /// Kernel TCP state: 0x01 established, 0x06 TIME_WAIT, 0x0A listening.
    pub state: u8,
    /// Bytes waiting in the receive queue, not yet read by the program.
    pub unread: u64,
}

pub const LISTEN: u8 = 0x0A;
pub const TIME_WAIT: u8 = 0x06;
pub const ESTABLISHED: u8 = 0x01;

/// Every TCP socket of the machine. The kernel writes the table while we
/// read it, so a socket may be listed twice: duplicates are dropped.
pub fn tcp_sockets() -> Vec<TcpSocket> {
    let port = |addr: &str| u16::from_str_radix(addr.rsplit(':').next().unwrap_or(""), 16).ok();
    let mut sockets: Vec<TcpSocket> = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|path| fs::read_to_string(path).ok())
        .flat_map(|table| {
            table
                .lines()
                .skip(1)
                .filter_map(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    let (_, unread) = fields.get(4)?.split_once(':')?;
                    Some(TcpSocket {
                        local_port: port(fields.get(1)?)?,
                        remote_port: port(fields.get(2)?)?,
                        state: u8::from_str_radix(fields.get(3)?, 16).ok()?,
                        unread: u64::from_str_radix(unread, 16).ok()?,
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect();
    sockets.sort();
    sockets.dedup();
    sockets
}

/// The sockets of the connection between two ports, at either end. Both
/// ports are needed: other tests' connections reuse port numbers freely.
pub fn connection(port_a: u16, port_b: u16) -> Vec<TcpSocket> {
    tcp_sockets()
        .into_iter()
        .filter(|s| {
            (s.local_port, s.remote_port) == (port_a, port_b)
                || (s.local_port, s.remote_port) == (port_b, port_a)
        })
        .collect()
}

#[track_caller]
pub fn wait_listening(port: u16) {
    wait_until(&format!("something listens on port {port}"), || {
        tcp_sockets()
            .iter()
            .any(|s| s.local_port == port && s.state == LISTEN)
    });
}

/// The program's end of a connection (its port, its peer's port) has read every byte sent to it.
pub fn all_read(program_port: u16, peer_port: u16) -> bool {
    connection(program_port, peer_port)
        .iter()
        .any(|s| s.local_port == program_port && s.unread == 0)
}
