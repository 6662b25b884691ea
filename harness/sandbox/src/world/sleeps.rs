//! Timed sleeps, for quiescence: a task asleep in a call with a finite
//! timeout (`select` with a timeout, `poll(…, 500)`, `Event.wait(1)`,
//! `time.sleep`, a socket's `SO_RCVTIMEO`) may wake by itself, so the world
//! is not quiescent before that wake-up time has passed. What the kernel
//! shows of each timeout, and when each sleep began as far as /proc tells.
//!
//! - A timeout in a register (`poll`, `epoll_wait`, `epoll_pwait`: ms).
//! - A pointer to the *requested* timeout (`select`, `pselect6`, `ppoll`,
//!   `epoll_pwait2`, `rt_sigtimedwait`, `futex` `FUTEX_WAIT`, `nanosleep`,
//!   relative `clock_nanosleep`), read through `/proc/PID/mem`: the call
//!   started at the latest when the harness first saw it, so it wakes at the
//!   latest then plus the timeout.
//! - An absolute deadline on a clock (`clock_nanosleep` with
//!   `TIMER_ABSTIME`, as Python's `time.sleep`; `futex` `FUTEX_WAIT_BITSET`,
//!   as Python's `Event.wait` and every glibc timed lock; `futex_waitv`).
//! - A blocking receive or accept on a socket: its `SO_RCVTIMEO` (connect:
//!   `SO_SNDTIMEO`), read on a duplicate of the descriptor (`pidfd_getfd`),
//!   closed at once; where that is refused, no timeout is assumed.
//!
//! A new call is told from the one seen before by the task's count of
//! times it was scheduled (schedstat's third field, the counter the harness
//! already reads for typed input): a task cannot leave one call and enter
//! the next without running, and a task asleep does not run. (The task's
//! `voluntary_ctxt_switches` would tell the same at the cost of reading its
//! much longer `status`.)

use super::procfs::{self, Call, FdKind};
use nix::sys::socket::{getsockopt, sockopt};
use std::collections::HashMap;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};

/// What a call says of its own end, besides the event it waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeout {
    /// It sleeps until the event, however long.
    Never,
    /// This long after the call started.
    After(Duration),
    /// When clock `clock` (a `clockid_t`) reads `at`.
    At { clock: i32, at: Duration },
    /// A timeout the harness cannot read: it may end at any time.
    Unknown,
}

/// Where a call keeps its timeout, read from its registers alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// No timeout.
    Untimed,
    /// Milliseconds in a register (negative: none).
    Millis(i32),
    /// A relative `struct timeval` at this address (`select`, which
    /// aarch64 does not have).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    Timeval(u64),
    /// A relative `struct timespec` at this address.
    Timespec(u64),
    /// An absolute `struct timespec` on a clock.
    Deadline { clock: i32, addr: u64 },
    /// The socket option (`SO_RCVTIMEO` or `SO_SNDTIMEO`) of descriptor `fd`,
    /// if that descriptor is a socket.
    SocketOpt { fd: u64, way: Way },
}

/// Which of a socket's timeouts a call waits under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    /// `SO_RCVTIMEO` (reads, accept).
    Receive,
    /// `SO_SNDTIMEO` (writes, connect).
    Send,
}

/// The address of a timeout pointer, or `Untimed` when it is NULL.
fn pointer(addr: u64, f: impl FnOnce(u64) -> Source) -> Source {
    if addr == 0 {
        Source::Untimed
    } else {
        f(addr)
    }
}

fn source(c: &Call) -> Source {
    let a = c.args;
    match c.nr {
        #[cfg(target_arch = "x86_64")]
        libc::SYS_poll => Source::Millis(a[2] as i32),
        #[cfg(target_arch = "x86_64")]
        libc::SYS_epoll_wait => Source::Millis(a[3] as i32),
        libc::SYS_epoll_pwait => Source::Millis(a[3] as i32),
        #[cfg(target_arch = "x86_64")]
        libc::SYS_select => pointer(a[4], Source::Timeval),
        libc::SYS_pselect6 => pointer(a[4], Source::Timespec),
        libc::SYS_ppoll => pointer(a[2], Source::Timespec),
        libc::SYS_epoll_pwait2 => pointer(a[3], Source::Timespec),
        libc::SYS_rt_sigtimedwait => pointer(a[2], Source::Timespec),
        libc::SYS_nanosleep => pointer(a[0], Source::Timespec),
        libc::SYS_clock_nanosleep => {
            if a[1] as i32 & libc::TIMER_ABSTIME != 0 {
                pointer(a[2], |addr| Source::Deadline {
                    clock: a[0] as i32,
                    addr,
                })
            } else {
                pointer(a[2], Source::Timespec)
            }
        }
        libc::SYS_futex => futex(a[1] as i32, a[3]),
        libc::SYS_futex_waitv => pointer(a[3], |addr| Source::Deadline {
            clock: a[4] as i32,
            addr,
        }),
        libc::SYS_read
        | libc::SYS_readv
        | libc::SYS_recvfrom
        | libc::SYS_recvmsg
        | libc::SYS_accept
        | libc::SYS_accept4 => Source::SocketOpt {
            fd: a[0],
            way: Way::Receive,
        },
        libc::SYS_connect => Source::SocketOpt {
            fd: a[0],
            way: Way::Send,
        },
        _ => Source::Untimed,
    }
}

/// `futex(uaddr, op, val, timeout, …)`: which operations sleep with a
/// timeout, and whether it is relative (`FUTEX_WAIT`) or a deadline.
fn futex(op: i32, addr: u64) -> Source {
    let realtime = op & libc::FUTEX_CLOCK_REALTIME != 0;
    let deadline = |clock| pointer(addr, |addr| Source::Deadline { clock, addr });
    match op & libc::FUTEX_CMD_MASK {
        libc::FUTEX_WAIT => pointer(addr, Source::Timespec),
        libc::FUTEX_WAIT_BITSET | libc::FUTEX_WAIT_REQUEUE_PI | libc::FUTEX_LOCK_PI2 => {
            deadline(if realtime {
                libc::CLOCK_REALTIME
            } else {
                libc::CLOCK_MONOTONIC
            })
        }
        libc::FUTEX_LOCK_PI => deadline(libc::CLOCK_REALTIME),
        // Wake, requeue…: they do not sleep (their fourth argument is a count).
        _ => Source::Untimed,
    }
}

/// A `timespec` (or `timeval`, `per_sec` = 1e6) read as a span; `None` when
/// it is not one the kernel would accept.
fn span(sec: i64, frac: i64, per_sec: i64) -> Option<Duration> {
    let sec = u64::try_from(sec).ok()?;
    if !(0..per_sec).contains(&frac) {
        return None;
    }
    Some(Duration::new(
        sec,
        (frac * (1_000_000_000 / per_sec)) as u32,
    ))
}

/// The call's timeout, reading pointed-to values with `mem` (two native
/// `i64` at an address: a 64-bit `timespec` or `timeval`) and socket options
/// with `sockopt` (descriptor, which timeout).
fn timeout(
    c: &Call,
    mem: impl FnOnce(u64) -> Option<(i64, i64)>,
    sockopt: impl FnOnce(u64, Way) -> Timeout,
) -> Timeout {
    let read = |addr, per_sec, f: &dyn Fn(Duration) -> Timeout| {
        mem(addr)
            .and_then(|(s, frac)| span(s, frac, per_sec))
            .map_or(Timeout::Unknown, f)
    };
    match source(c) {
        Source::Untimed => Timeout::Never,
        Source::Millis(ms) if ms < 0 => Timeout::Never,
        Source::Millis(ms) => Timeout::After(Duration::from_millis(ms as u64)),
        Source::Timeval(addr) => read(addr, 1_000_000, &Timeout::After),
        Source::Timespec(addr) => read(addr, 1_000_000_000, &Timeout::After),
        Source::Deadline { clock, addr } => {
            read(addr, 1_000_000_000, &|at| Timeout::At { clock, at })
        }
        Source::SocketOpt { fd, way } => sockopt(fd, way),
    }
}

/// Whether the call can have a timeout at all, from its registers (no
/// /proc read): most waits of a stalled world cannot.
fn may_time_out(c: &Call) -> bool {
    match source(c) {
        Source::Untimed => false,
        Source::Millis(ms) => ms >= 0,
        _ => true,
    }
}

/// Clocks a sleep may be measured on whose time the harness reads as the
/// sleeper does (CPU-time clocks are per process: not those).
fn readable_clock(clock: i32) -> bool {
    matches!(
        clock,
        libc::CLOCK_REALTIME
            | libc::CLOCK_MONOTONIC
            | libc::CLOCK_BOOTTIME
            | libc::CLOCK_REALTIME_ALARM
            | libc::CLOCK_BOOTTIME_ALARM
            | libc::CLOCK_TAI
    )
}

/// Clock `clock` now, and the `Instant` just after it was read (a pause
/// between the two reads only makes a deadline come later).
fn clock_now(clock: i32) -> Option<(Duration, Instant)> {
    if !readable_clock(clock) {
        return None;
    }
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into `ts`.
    let r = unsafe { libc::clock_gettime(clock, &mut ts) };
    let read = Instant::now();
    (r == 0)
        .then(|| span(ts.tv_sec, ts.tv_nsec, 1_000_000_000))
        .flatten()
        .map(|d| (d, read))
}

/// The kernel may end a timed sleep a little after its timeout (poll and
/// select add 0.1 % of it, 0.5 % for a niced task, up to 100 ms; every timer
/// a task's timer slack, 50 µs by default): a sleep counts as due only
/// after this much more.
fn slack(span: Duration) -> Duration {
    (span / 100).min(Duration::from_millis(100)) + Duration::from_millis(1)
}

/// When a sleep ends by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wake {
    Never,
    By(Instant),
    /// At any time: its timeout could not be read.
    Any,
}

impl Wake {
    /// `first_seen`: when the harness first saw the task in this call (the
    /// call began then at the latest); `clock_now`: the sleeper's clock now,
    /// for deadlines (`clock_now` above).
    fn of(
        t: Timeout,
        first_seen: Instant,
        clock_now: impl FnOnce(i32) -> Option<(Duration, Instant)>,
    ) -> Wake {
        match t {
            Timeout::Never => Wake::Never,
            Timeout::After(d) => first_seen
                .checked_add(d + slack(d))
                .map_or(Wake::Never, Wake::By),
            Timeout::At { clock, at } => match clock_now(clock) {
                Some((now, read)) => {
                    let left = at.saturating_sub(now);
                    read.checked_add(left + slack(left))
                        .map_or(Wake::Never, Wake::By)
                }
                None => Wake::Any,
            },
            Timeout::Unknown => Wake::Any,
        }
    }

    fn pending(self, now: Instant) -> bool {
        match self {
            Wake::Never => false,
            Wake::By(t) => now < t,
            Wake::Any => true,
        }
    }
}

/// One task's current sleep, as first seen.
#[derive(Debug, Clone, Copy)]
struct Seen {
    /// Times the task had been scheduled: unchanged while it sleeps.
    runs: u64,
    call: Call,
    wake: Wake,
}

/// Entries kept at most: tasks that ended leave theirs behind; past this
/// many the record starts over (timed sleeps are then first seen again,
/// later: quiescence comes later, never sooner).
const MAX_SEEN: usize = 4096;

/// The timed sleeps of a world's tasks, remembered across samples (one per
/// wait-for-quiescence loop; a world keeps one).
#[derive(Debug, Default)]
pub struct Sleeps {
    seen: HashMap<(i32, i32), Seen>,
}

impl Sleeps {
    /// Whether task `tid` of `pid`, asleep in `c`, may still wake by itself:
    /// its call has a timeout that is not yet due.
    pub fn may_wake(&mut self, pid: i32, tid: i32, c: &Call) -> bool {
        if !may_time_out(c) {
            return false;
        }
        // Without the count a new call cannot be told apart: it may wake.
        let Some(runs) = procfs::task_timeslices(pid, tid) else {
            return true;
        };
        let wake = self.wake(
            (pid, tid),
            runs,
            c,
            || {
                // Read after the count: a call still shown now began before
                // it was read, so the count is that call's.
                (procfs::call(pid, tid).as_ref() == Some(c)).then(Instant::now)
            },
            || {
                timeout(
                    c,
                    |addr| read_pair(pid, addr),
                    |fd, way| socket_timeout(pid, fd, way),
                )
            },
            clock_now,
        );
        wake.pending(Instant::now())
    }

    /// The wake-up of the task's sleep in `c`, `runs` being its schedule
    /// count now: the one recorded when the same call was seen with the same
    /// count, otherwise a new record. `confirm` says the task still sleeps
    /// in `c` and when that was seen (`None`: it moved on, may wake).
    fn wake(
        &mut self,
        key: (i32, i32),
        runs: u64,
        c: &Call,
        confirm: impl FnOnce() -> Option<Instant>,
        timeout: impl FnOnce() -> Timeout,
        clock_now: impl FnOnce(i32) -> Option<(Duration, Instant)>,
    ) -> Wake {
        if let Some(s) = self.seen.get(&key) {
            if s.runs == runs && s.call == *c {
                return s.wake;
            }
        }
        let Some(first_seen) = confirm() else {
            self.seen.remove(&key);
            return Wake::Any;
        };
        let wake = Wake::of(timeout(), first_seen, clock_now);
        if self.seen.len() >= MAX_SEEN {
            self.seen.clear();
        }
        self.seen.insert(
            key,
            Seen {
                runs,
                call: *c,
                wake,
            },
        );
        wake
    }
}

/// Two native `i64` at `addr` in the memory of `pid` (a `timespec` or
/// `timeval` on a 64-bit machine).
fn read_pair(pid: i32, addr: u64) -> Option<(i64, i64)> {
    let f = std::fs::File::open(format!("/proc/{pid}/mem")).ok()?;
    let mut b = [0u8; 16];
    f.read_exact_at(&mut b, addr).ok()?;
    let (s, frac) = b.split_at(8);
    Some((
        i64::from_ne_bytes(s.try_into().ok()?),
        i64::from_ne_bytes(frac.try_into().ok()?),
    ))
}

/// The receive (or send) timeout of descriptor `fd` of `pid` when it is a
/// socket, read on a duplicate taken with `pidfd_getfd` and closed at once.
/// Refused (an older kernel, no ptrace right) or not a socket: none.
fn socket_timeout(pid: i32, fd: u64, way: Way) -> Timeout {
    if !matches!(procfs::fd_kind(pid, fd), FdKind::Socket(_)) {
        return Timeout::Never;
    }
    let Ok(fd) = i32::try_from(fd) else {
        return Timeout::Never;
    };
    // SAFETY: pidfd_open takes a pid and flags; it returns a new descriptor
    // or -1. Called through `syscall`: glibc 2.17 has no wrapper.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if pidfd < 0 {
        return Timeout::Never;
    }
    // SAFETY: a descriptor just returned to us, owned by nothing else.
    let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd as i32) };
    // SAFETY: pidfd_getfd takes a pidfd, a descriptor number in that
    // process and flags; it returns a new (close-on-exec) descriptor or -1.
    let dup = unsafe {
        libc::syscall(
            libc::SYS_pidfd_getfd,
            std::os::fd::AsRawFd::as_raw_fd(&pidfd),
            fd,
            0,
        )
    };
    if dup < 0 {
        return Timeout::Never;
    }
    // SAFETY: as above; dropping it closes our duplicate at once.
    let dup = unsafe { OwnedFd::from_raw_fd(dup as i32) };
    let tv = match way {
        Way::Send => getsockopt(&dup, sockopt::SendTimeout),
        Way::Receive => getsockopt(&dup, sockopt::ReceiveTimeout),
    };
    drop(dup);
    match tv {
        Ok(tv) => match span(tv.tv_sec(), tv.tv_usec(), 1_000_000) {
            Some(d) if !d.is_zero() => Timeout::After(d),
            _ => Timeout::Never,
        },
        Err(_) => Timeout::Never,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(nr: i64, args: [u64; 6]) -> Call {
        Call { nr, args }
    }

    fn no_mem(_: u64) -> Option<(i64, i64)> {
        panic!("memory read for a call that has no pointer")
    }

    fn no_sock(_: u64, _: Way) -> Timeout {
        panic!("socket option read for a call on no socket")
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn register_timeouts() {
        // Python's settimeout(7.5), as /proc shows it: poll(fds, 1, 7500).
        let c = call(libc::SYS_poll, [0x7fff_db60_01b8, 1, 0x1d4c, 0, 0, 0]);
        assert_eq!(
            timeout(&c, no_mem, no_sock),
            Timeout::After(Duration::from_millis(7500))
        );
        let c = call(libc::SYS_poll, [0x7fff_db60_01b8, 1, 0xffff_ffff, 0, 0, 0]);
        assert_eq!(timeout(&c, no_mem, no_sock), Timeout::Never);
        assert!(!may_time_out(&c));
        // epoll_wait(3, events, 1023, 5000): the fourth argument.
        let c = call(libc::SYS_epoll_wait, [3, 0x5557, 0x3ff, 0x1388, 0, 0]);
        assert_eq!(
            timeout(&c, no_mem, no_sock),
            Timeout::After(Duration::from_secs(5))
        );
    }

    #[test]
    fn pointer_timeouts() {
        // Python's select.select(r, [], [], 0.5): pselect6 with a timespec.
        let c = call(libc::SYS_pselect6, [4, 0x10, 0, 0, 0x7ffc_d25b_ab80, 0]);
        let mem = |addr| {
            assert_eq!(addr, 0x7ffc_d25b_ab80);
            Some((0, 500_000_000))
        };
        assert_eq!(
            timeout(&c, mem, no_sock),
            Timeout::After(Duration::from_millis(500))
        );
        // The same without a timeout (NULL): no read at all.
        let c = call(libc::SYS_pselect6, [4, 0x10, 0, 0, 0, 0]);
        assert_eq!(timeout(&c, no_mem, no_sock), Timeout::Never);
        assert!(!may_time_out(&c));
        // Unreadable memory: the timeout may be anything.
        let c = call(libc::SYS_ppoll, [0x10, 1, 0x20, 0, 8, 0]);
        assert_eq!(timeout(&c, |_| None, no_sock), Timeout::Unknown);
        // A value the kernel would refuse is no timeout we can trust either.
        assert_eq!(
            timeout(&c, |_| Some((1, 2_000_000_000)), no_sock),
            Timeout::Unknown
        );
        #[cfg(target_arch = "x86_64")]
        {
            // select's timeval counts microseconds.
            let c = call(libc::SYS_select, [4, 0x10, 0, 0, 0x30, 0]);
            assert_eq!(
                timeout(&c, |_| Some((2, 250_000)), no_sock),
                Timeout::After(Duration::from_millis(2250))
            );
        }
        let c = call(libc::SYS_rt_sigtimedwait, [0x10, 0, 0x30, 8, 0, 0]);
        assert_eq!(
            timeout(&c, |_| Some((3, 0)), no_sock),
            Timeout::After(Duration::from_secs(3))
        );
        let c = call(libc::SYS_epoll_pwait2, [3, 0x10, 8, 0x30, 0, 8]);
        assert_eq!(
            timeout(&c, |_| Some((0, 1_000)), no_sock),
            Timeout::After(Duration::from_micros(1))
        );
    }

    #[test]
    fn futex_timeouts() {
        // Python's Event.wait(1), as /proc shows it:
        // futex(addr, FUTEX_WAIT_BITSET|FUTEX_PRIVATE_FLAG, 0, abs, 0, ~0).
        let c = call(
            libc::SYS_futex,
            [0x557f_5510_c1c0, 0x89, 0, 0x7ffe_de90_78d0, 0, 0xffff_ffff],
        );
        assert_eq!(
            timeout(&c, |_| Some((675, 813_558_920)), no_sock),
            Timeout::At {
                clock: libc::CLOCK_MONOTONIC,
                at: Duration::new(675, 813_558_920)
            }
        );
        // The same wait with no timeout (a lock, Event.wait()).
        let c = call(
            libc::SYS_futex,
            [0x557f_5510_c1c0, 0x89, 0, 0, 0, 0xffff_ffff],
        );
        assert!(!may_time_out(&c));
        // FUTEX_WAIT: relative; FUTEX_CLOCK_REALTIME moves a deadline.
        let c = call(libc::SYS_futex, [0x10, 0x80, 0, 0x30, 0, 0]);
        assert_eq!(
            timeout(&c, |_| Some((1, 0)), no_sock),
            Timeout::After(Duration::from_secs(1))
        );
        let c = call(libc::SYS_futex, [0x10, 0x189, 0, 0x30, 0, 0]);
        assert!(matches!(
            timeout(&c, |_| Some((1, 0)), no_sock),
            Timeout::At {
                clock: libc::CLOCK_REALTIME,
                ..
            }
        ));
        // FUTEX_WAKE's fourth argument is no timeout.
        let c = call(libc::SYS_futex, [0x10, 0x81, 1, 0x30, 0, 0]);
        assert!(!may_time_out(&c));
    }

    #[test]
    fn sleep_timeouts() {
        // Python's time.sleep(0.3): clock_nanosleep(CLOCK_MONOTONIC,
        // TIMER_ABSTIME, &deadline, NULL).
        let c = call(libc::SYS_clock_nanosleep, [1, 1, 0x7ffd_7efb_7140, 0, 0, 0]);
        assert_eq!(
            timeout(&c, |_| Some((42, 5)), no_sock),
            Timeout::At {
                clock: libc::CLOCK_MONOTONIC,
                at: Duration::new(42, 5)
            }
        );
        // C's sleep(1): relative clock_nanosleep(CLOCK_REALTIME, 0, …).
        let c = call(libc::SYS_clock_nanosleep, [0, 0, 0x40, 0x40, 0, 0]);
        assert_eq!(
            timeout(&c, |_| Some((1, 0)), no_sock),
            Timeout::After(Duration::from_secs(1))
        );
        let c = call(libc::SYS_nanosleep, [0x40, 0, 0, 0, 0, 0]);
        assert_eq!(
            timeout(&c, |_| Some((0, 300_000_000)), no_sock),
            Timeout::After(Duration::from_millis(300))
        );
    }

    #[test]
    fn blocking_receives_ask_the_socket() {
        let c = call(libc::SYS_recvfrom, [5, 0x10, 1024, 0, 0, 0]);
        let sock = |fd, way| {
            assert_eq!((fd, way), (5, Way::Receive));
            Timeout::After(Duration::from_secs(2))
        };
        assert_eq!(
            timeout(&c, no_mem, sock),
            Timeout::After(Duration::from_secs(2))
        );
        let c = call(libc::SYS_connect, [3, 0x10, 16, 0, 0, 0]);
        assert_eq!(
            timeout(&c, no_mem, |_, way| {
                assert_eq!(way, Way::Send);
                Timeout::Never
            }),
            Timeout::Never
        );
        // Waiting for a child has no timeout at all.
        let c = call(libc::SYS_wait4, [u64::MAX, 0, 0, 0, 0, 0]);
        assert!(!may_time_out(&c));
    }

    #[test]
    fn a_timed_sleep_may_wake_until_its_time_has_passed() {
        let t0 = Instant::now();
        let w = Wake::of(Timeout::After(Duration::from_millis(500)), t0, |_| None);
        assert!(w.pending(t0));
        assert!(w.pending(t0 + Duration::from_millis(500)));
        assert!(!w.pending(t0 + Duration::from_millis(510)));
        // An absolute deadline counts from the sleeper's clock now.
        let w = Wake::of(
            Timeout::At {
                clock: libc::CLOCK_MONOTONIC,
                at: Duration::from_secs(101),
            },
            t0,
            |_| Some((Duration::from_secs(100), t0)),
        );
        assert!(w.pending(t0 + Duration::from_millis(999)));
        assert!(!w.pending(t0 + Duration::from_millis(1020)));
        // A deadline already past is due at once; one on a clock the harness
        // cannot read may come at any time.
        let past = Timeout::At {
            clock: libc::CLOCK_MONOTONIC,
            at: Duration::from_secs(1),
        };
        assert!(!Wake::of(past, t0, |_| Some((Duration::from_secs(9), t0)))
            .pending(t0 + Duration::from_millis(2)));
        assert!(Wake::of(past, t0, |_| None).pending(t0 + Duration::from_secs(3600)));
        // No timeout: never pending, so an untimed wait stays quiescent.
        assert!(!Wake::of(Timeout::Never, t0, |_| None).pending(t0));
        assert!(Wake::of(Timeout::Unknown, t0, |_| None).pending(t0 + Duration::from_secs(3600)));
    }

    #[test]
    fn a_sleep_is_timed_from_when_it_was_first_seen() {
        let mut s = Sleeps::default();
        let c = call(libc::SYS_pselect6, [4, 0x10, 0, 0, 0x30, 0]);
        let half = || Timeout::After(Duration::from_millis(500));
        let t0 = Instant::now();
        let w0 = s.wake((1, 1), 7, &c, || Some(t0), half, |_| None);
        // Seen again in the same call, not scheduled since: the same sleep,
        // its first sighting kept (no new read of its timeout).
        let later = t0 + Duration::from_millis(300);
        let w1 = s.wake(
            (1, 1),
            7,
            &c,
            || Some(later),
            || panic!("read again"),
            |_| None,
        );
        assert_eq!(w0, w1);
        assert!(!w1.pending(t0 + Duration::from_millis(520)));
        // It ran since (count 8): a new call with the same arguments, timed
        // from now.
        let w2 = s.wake((1, 1), 8, &c, || Some(later), half, |_| None);
        assert!(w2.pending(t0 + Duration::from_millis(520)));
        assert!(!w2.pending(later + Duration::from_millis(520)));
        // Another task is another sleep.
        let w3 = s.wake((1, 2), 8, &c, || Some(later), || Timeout::Never, |_| None);
        assert_eq!(w3, Wake::Never);
        // A task that moved on while being looked at may wake, and is not
        // recorded.
        let w4 = s.wake((1, 3), 1, &c, || None, half, |_| None);
        assert_eq!(w4, Wake::Any);
        assert!(!s.seen.contains_key(&(1, 3)));
    }

    #[test]
    fn parses_live_timed_sleeps() {
        // This thread's clock, read as a sleeper's would be.
        let (now, at) = clock_now(libc::CLOCK_MONOTONIC).unwrap();
        let (later, after) = clock_now(libc::CLOCK_MONOTONIC).unwrap();
        assert!(later >= now && after >= at);
        assert_eq!(clock_now(libc::CLOCK_PROCESS_CPUTIME_ID), None);
        // Our own memory, read as a sleeper's is.
        let ts = libc::timespec {
            tv_sec: 3,
            tv_nsec: 25,
        };
        let me = std::process::id() as i32;
        assert_eq!(read_pair(me, std::ptr::addr_of!(ts) as u64), Some((3, 25)));
    }

    #[test]
    fn reads_a_sockets_receive_timeout() {
        use std::net::{TcpListener, TcpStream};
        use std::os::fd::AsRawFd;
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let s = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let me = std::process::id() as i32;
        let fd = s.as_raw_fd() as u64;
        assert_eq!(socket_timeout(me, fd, Way::Receive), Timeout::Never);
        s.set_read_timeout(Some(Duration::from_millis(1500)))
            .unwrap();
        assert_eq!(
            socket_timeout(me, fd, Way::Receive),
            Timeout::After(Duration::from_millis(1500))
        );
        assert_eq!(socket_timeout(me, fd, Way::Send), Timeout::Never);
        // Not a socket: nothing asked.
        assert_eq!(socket_timeout(me, 0, Way::Receive), Timeout::Never);
    }

    /// A python3 process running `code`, killed and reaped on drop.
    struct Py(std::process::Child);

    impl Drop for Py {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    /// Real programs asleep in timed and untimed waits, as /proc and their
    /// memory show them: only the timed ones may wake.
    #[test]
    fn live_sleeps_with_a_timeout_may_wake_and_the_others_not() {
        let setup = "import select, socket, struct, sys, threading, time\n\
                     a, b = socket.socketpair()\n";
        let cases: &[(&str, i64, bool)] = &[
            ("threading.Event().wait(30)", libc::SYS_futex, true),
            ("threading.Event().wait()", libc::SYS_futex, false),
            ("select.select([sys.stdin], [], [], 30)", libc::SYS_pselect6, true),
            ("select.select([sys.stdin], [], [])", libc::SYS_pselect6, false),
            ("time.sleep(30)", libc::SYS_clock_nanosleep, true),
            (
                "a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack('ll', 30, 0)); a.recv(1)",
                libc::SYS_recvfrom,
                true,
            ),
            ("a.recv(1)", libc::SYS_recvfrom, false),
            #[cfg(target_arch = "x86_64")]
            ("a.settimeout(30); a.recv(1)", libc::SYS_poll, true),
        ];
        let progs: Vec<Py> = cases
            .iter()
            .map(|(code, _, _)| {
                Py(std::process::Command::new("python3")
                    .args(["-c", &format!("{setup}{code}")])
                    .stdin(std::process::Stdio::piped())
                    .spawn()
                    .expect("python3"))
            })
            .collect();
        for ((code, nr, timed), p) in cases.iter().zip(&progs) {
            let pid = p.0.id() as i32;
            // Safety net only: each ends as soon as /proc shows the call.
            let deadline = Instant::now() + Duration::from_secs(20);
            let c = loop {
                if let Some(c) = procfs::call(pid, pid).filter(|c| c.nr == *nr) {
                    break c;
                }
                assert!(
                    Instant::now() < deadline,
                    "{code}: never asleep in call {nr}"
                );
                std::thread::sleep(Duration::from_millis(1));
            };
            let mut sleeps = Sleeps::default();
            assert_eq!(sleeps.may_wake(pid, pid, &c), *timed, "{code}: {c:?}");
            // Seen again: the same sleep, still not due.
            assert_eq!(sleeps.may_wake(pid, pid, &c), *timed, "{code}, again");
            let procs: Vec<_> = procfs::stat(pid).into_iter().collect();
            if procs[0].state == procfs::ProcState::Sleeping && procfs::tasks(pid).len() == 1 {
                assert_eq!(procfs::all_waiting(&procs, &mut sleeps), !timed, "{code}");
            }
        }
    }
}
