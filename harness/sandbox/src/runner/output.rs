//! Output caps: what the programs print and send is recorded line by line
//! within its stream's cap; past it, counted and its tail kept.

use super::World;
use crate::transcript::{Actor, Data, Event};
use crate::world::limits::{self, Limit, Offer};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// A line that never ends is cut here (captured output: `OutputCap`), in
/// pieces small enough that the head of the output keeps its beginning.
const OUTPUT_CAP: usize = 64 * 1024;

impl World<'_> {
    pub(super) fn take_output(&mut self, k: usize, bytes: &[u8]) {
        // Only the new bytes are searched, and the partial line is moved
        // once per read: linear in what the program prints.
        let mut start = 0;
        for (i, _) in bytes.iter().enumerate().filter(|(_, &b)| b == b'\n') {
            let mut line = std::mem::take(&mut self.progs[k].partial);
            line.extend_from_slice(&bytes[start..i]);
            start = i + 1;
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            self.printed(k, line, true);
        }
        self.progs[k].partial.extend_from_slice(&bytes[start..]);
        // A line that never ends must not grow without bound.
        if self.progs[k].partial.len() > OUTPUT_CAP {
            let line = std::mem::take(&mut self.progs[k].partial);
            self.printed(k, line, false);
        }
    }

    fn printed(&mut self, k: usize, raw: Vec<u8>, newline: bool) {
        let t = self.now();
        let p = &mut self.progs[k];
        let actor = p.actor;
        match p.output.offer(t, raw, newline) {
            Offer::Keep(raw) => self.push(actor, Event::Printed { raw, newline }),
            Offer::Over { first, runaway } => self.over_cap(actor, Limit::Output, first, runaway),
        }
    }

    /// A stream of `actor`'s went past its cap: the limit is recorded once,
    /// and far past it the program is stopped rather than read on until
    /// the deadline.
    fn over_cap(&mut self, actor: Actor, limit: Limit, first: bool, runaway: bool) {
        if runaway {
            for p in self.progs.iter().filter(|p| p.actor == actor) {
                if let Some(cg) = &p.cg {
                    cg.kill();
                }
                let _ = kill(Pid::from_raw(p.pid), Signal::SIGKILL);
            }
        }
        if first {
            let max = (limits::OUTPUT_HEAD + limits::OUTPUT_TAIL) as u64;
            self.push(actor, Event::LimitHit { limit, max });
        }
    }

    /// After the programs ended: the limits they hit, and the tail of
    /// output that went past the cap (after a count of what was not kept).
    pub(super) fn note_limits(&mut self) {
        for k in 0..self.progs.len() {
            let p = &mut self.progs[k];
            let actor = p.actor;
            let hits = p.jail.hits(p.root_status, self.dir.path());
            let (dropped, tail) = p.output.finish();
            for h in hits {
                let (limit, max) = (h.limit, h.max);
                self.push(actor, Event::LimitHit { limit, max });
            }
            self.record_tail(actor, Data::Printed, dropped, tail);
        }
        let (dropped, tail) = self.received.finish();
        self.record_tail(Actor::Peer, Data::Received, dropped, tail);
        for (k, actor) in [(0, Actor::Client), (1, Actor::Server)] {
            let (dropped, tail) = self.relayed[k].finish();
            self.record_tail(actor, Data::Relayed, dropped, tail);
        }
    }

    /// The end of a stream that went past its cap: the count of what was
    /// not kept, then the tail, with the times it came at.
    fn record_tail(
        &mut self,
        actor: Actor,
        of: Data,
        count: crate::transcript::Dropped,
        tail: Vec<limits::Held>,
    ) {
        if count.events > 0 {
            self.push(actor, Event::OutputDropped { of, count });
        }
        for l in tail {
            let ev = match of {
                Data::Printed => Event::Printed {
                    raw: l.raw,
                    newline: l.newline,
                },
                Data::Relayed => Event::Relayed(l.raw),
                _ => Event::Received(l.raw),
            };
            self.tr.push(l.t, actor, ev);
            if let Some(e) = self.tr.entries.last() {
                (self.on_event)(e);
            }
        }
    }

    /// Records what a program sent (to the peer: `Received`, through the
    /// relay: `Relayed`) within its stream's cap; past the cap, a `sent`
    /// limit, and far past it the program is stopped.
    pub(super) fn sent_data(&mut self, from: Actor, ev: Event) {
        let t = self.now();
        let (cap, raw, relayed) = match ev {
            Event::Relayed(b) => (
                &mut self.relayed[usize::from(from == Actor::Server)],
                b,
                true,
            ),
            Event::Received(b) => (&mut self.received, b, false),
            other => return self.push(from, other),
        };
        match cap.offer(t, raw, false) {
            Offer::Keep(raw) if relayed => self.push(from, Event::Relayed(raw)),
            Offer::Keep(raw) => self.push(Actor::Peer, Event::Received(raw)),
            Offer::Over { first, runaway } => self.over_cap(from, Limit::Sent, first, runaway),
        }
    }

    /// Records every unfinished line as printed (`newline: false`); what
    /// follows on the same line is joined to it when lines are read
    /// (`expect::printed_lines`). Whether anything was recorded.
    pub(super) fn flush_visible(&mut self) -> bool {
        let mut any = false;
        for k in 0..self.progs.len() {
            any |= !self.progs[k].partial.is_empty();
            self.flush_partial(k);
        }
        any
    }

    pub(super) fn flush_partial(&mut self, k: usize) {
        let line = std::mem::take(&mut self.progs[k].partial);
        if !line.is_empty() {
            self.printed(k, line, false);
        }
    }
}
