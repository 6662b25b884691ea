//! The one size budget every report fits in: `REPORT_BUDGET` bytes per
//! report, counted as the format encodes them, shared among its scenarios.
//! Control events (steps, exits, snapshots, quiescence, limits…) are always
//! shown; of each data stream (what one actor printed, sent, received,
//! relayed, typed) a format shows a head and a tail within its share, and
//! one row counting what it left out ("… 185,000 lines dropped"). Linear in
//! the transcripts: each event's text is measured once.

use super::{events, text, Outcome, Report};
use crate::msg::Lang;
use crate::transcript::{render_bytes, rendered_len, Actor, Data, Dropped, Entry, Event};
use std::collections::HashMap;

/// Bytes of one report, whatever the programs did.
pub const REPORT_BUDGET: usize = 2 << 20;

/// How a format spends bytes on a transcript row.
#[derive(Debug, Clone, Copy)]
pub struct Encoding {
    /// Bytes a row costs besides its text (an upper bound).
    pub row: usize,
    /// Bytes one character of an event's text costs once encoded.
    pub char_cost: fn(char) -> usize,
    /// Characters of an event's text the format shows at most.
    pub text_max: usize,
}

/// JSON string escaping: `"` and `\` doubled, controls `\n` or `\u00XX`.
pub fn json_char(c: char) -> usize {
    match c {
        '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
        c if (c as u32) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

/// XML and HTML escaping: `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`.
pub fn xml_char(c: char) -> usize {
    match c {
        '&' => 5,
        '<' | '>' => 4,
        '"' | '\'' => 6,
        c if (c as u32) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

/// One row of a transcript as a format shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Row<'a> {
    Event(&'a Entry),
    /// The middle of one stream, left out for the budget.
    Dropped {
        at: &'a Entry,
        actor: Actor,
        of: Data,
        count: Dropped,
    },
}

impl Row<'_> {
    pub fn entry(&self) -> &Entry {
        match self {
            Row::Event(e) => e,
            Row::Dropped { at, .. } => at,
        }
    }

    pub fn actor(&self) -> Actor {
        match self {
            Row::Event(e) => e.actor,
            Row::Dropped { actor, .. } => *actor,
        }
    }

    /// The machine name of the row's kind (an event's, or `output-dropped`).
    pub fn kind(&self) -> &'static str {
        match self {
            Row::Event(e) => e.event.kind(),
            Row::Dropped { .. } => "output-dropped",
        }
    }

    /// The row's text in `lang`, cut at `max` characters (with a count of
    /// them).
    pub fn text(&self, max: usize, lang: &Lang) -> String {
        match self {
            Row::Event(e) => events::shown(&e.event, max, lang),
            Row::Dropped { of, count, .. } => events::dropped(*of, count, lang),
        }
    }
}

/// Bytes of `text` encoded.
pub fn cost_of(text: &str, enc: &Encoding) -> usize {
    text.chars().map(enc.char_cost).sum()
}

/// What each ASCII byte of data costs once rendered (`\x00`, `\n`) and
/// encoded: width in characters, and bytes.
struct AsciiCosts {
    width: [usize; 128],
    bytes: [usize; 128],
}

impl AsciiCosts {
    fn new(enc: &Encoding) -> AsciiCosts {
        let mut c = AsciiCosts {
            width: [0; 128],
            bytes: [0; 128],
        };
        for b in 0..128u8 {
            let r = render_bytes(&[b]);
            c.width[b as usize] = r.chars().count();
            c.bytes[b as usize] = cost_of(&r, enc);
        }
        c
    }
}

/// Bytes a row showing `e` costs, as `Row::text` renders it: a data event's
/// cost is summed from its bytes (a table for ASCII), without rendering it.
fn entry_cost(e: &Entry, enc: &Encoding, ascii: &AsciiCosts, lang: &Lang) -> usize {
    let rendered = || enc.row + cost_of(&Row::Event(e).text(enc.text_max, lang), enc);
    let (raw, unended) = match &e.event {
        Event::Printed { raw, newline } => (raw, !newline),
        Event::Sent(b) | Event::Received(b) | Event::Relayed(b) => (b, false),
        _ => return rendered(),
    };
    let (mut n, mut cost) = (0, 0);
    for (i, &b) in raw.iter().enumerate() {
        if b >= 0x80 {
            // Not ASCII: rendered for real.
            return rendered();
        }
        let w = ascii.width[b as usize];
        if n + w > enc.text_max {
            let total = n + rendered_len(&raw[i..]);
            return enc.row + cost + cost_of(&events::counted("", total, lang), enc);
        }
        n += w;
        cost += ascii.bytes[b as usize];
    }
    enc.row + cost + if unended { cost_of(" ⏎̸", enc) } else { 0 }
}

/// What a format may spend on the rest of the report besides transcripts:
/// headers, and per scenario its title, diagnosis and fix (messages are
/// bounded by the verdict).
fn fixed_cost(r: &Report) -> usize {
    let per: usize = r
        .outcomes
        .iter()
        .map(|o| {
            let d = o.verdict.diagnosis.as_ref();
            let texts = [
                o.scenario.title.total_len(),
                o.scenario.passes.total_len(),
                d.map_or(0, |d| text::message(d, &r.lang).len()),
                d.map_or(0, |d| text::hint(d, &r.lang).len()),
                text::expected(o, &r.lang).map_or(0, |e| e.len()),
            ];
            // Each text may be repeated (message and feedback), escaped.
            2048 + 12 * texts.iter().sum::<usize>()
        })
        .sum();
    64 * 1024 + per
}

/// A data stream of one outcome: its index, the actor, the kind.
type Key = (usize, Actor, Data);

/// Pass 1 of `rows`: the entries each outcome shows, and the cost of each,
/// control and data apart.
struct Costs {
    /// Per outcome, the indices of the entries shown.
    picked: Vec<Vec<usize>>,
    /// Per stream, its entries (index, cost), and the streams in order.
    streams: HashMap<Key, Vec<(usize, usize)>>,
    order: Vec<Key>,
    /// What every control event shown costs.
    control: usize,
}

impl Costs {
    fn of(r: &Report, enc: &Encoding, shown: impl Fn(&Outcome, &Entry) -> bool) -> Costs {
        let mut c = Costs {
            picked: Vec::with_capacity(r.outcomes.len()),
            streams: HashMap::new(),
            order: Vec::new(),
            control: 0,
        };
        let ascii = AsciiCosts::new(enc);
        for (k, o) in r.outcomes.iter().enumerate() {
            let mut mine = Vec::new();
            for (i, e) in o.transcript.entries.iter().enumerate() {
                if !shown(o, e) {
                    continue;
                }
                mine.push(i);
                let cost = entry_cost(e, enc, &ascii, &r.lang);
                match e.event.data() {
                    None => c.control += cost,
                    Some((of, _)) => {
                        let key = (k, e.actor, of);
                        let s = c.streams.entry(key).or_insert_with(|| {
                            c.order.push(key);
                            Vec::new()
                        });
                        s.push((i, cost));
                    }
                }
            }
            c.picked.push(mine);
        }
        c
    }
}

/// Pass 2 of `rows`: what each stream leaves out. The entries dropped, and
/// where each stream's gap begins, with what it counts.
#[derive(Default)]
struct Cuts {
    dropped: HashMap<(usize, usize), bool>,
    gaps: HashMap<(usize, usize), (Actor, Data, Dropped)>,
}

impl Cuts {
    /// Shares of `avail` bytes, smallest streams served first
    /// (water-filling): a stream that needs less than an equal share leaves
    /// the rest to others.
    fn of(r: &Report, c: &Costs, avail: usize) -> Cuts {
        let mut totals: Vec<(usize, Key)> = c
            .order
            .iter()
            .map(|k| (c.streams[k].iter().map(|&(_, c)| c).sum(), *k))
            .collect();
        totals.sort_by_key(|&(t, _)| t);
        let mut left = avail;
        let mut cuts = Cuts::default();
        let m = totals.len();
        for (n, &(total, key)) in totals.iter().enumerate() {
            let share = left / (m - n);
            let alloc = total.min(share);
            left -= alloc;
            if alloc < total {
                cuts.cut(r, key, &c.streams[&key], alloc);
            }
        }
        cuts
    }

    /// Keeps of stream `key` a head and a tail of `alloc` bytes.
    fn cut(&mut self, r: &Report, key: Key, s: &[(usize, usize)], alloc: usize) {
        let half = alloc / 2;
        let (mut head, mut used) = (0, 0);
        while head < s.len() && used + s[head].1 <= half {
            used += s[head].1;
            head += 1;
        }
        let (mut tail, mut used) = (s.len(), 0);
        while tail > head && used + s[tail - 1].1 <= half {
            used += s[tail - 1].1;
            tail -= 1;
        }
        let entries = &r.outcomes[key.0].transcript.entries;
        let mut count = Dropped::default();
        for &(i, _) in &s[head..tail] {
            if let Some((of, b)) = entries[i].event.data() {
                count.add(of, b);
            }
            self.dropped.insert((key.0, i), true);
        }
        if head < tail {
            self.gaps.insert((key.0, s[head].0), (key.1, key.2, count));
        }
    }
}

/// For each outcome, the rows of its transcript a format shows within the
/// budget; `shown` picks the entries the format shows at all.
pub fn rows<'a>(
    r: &'a Report,
    enc: &Encoding,
    shown: impl Fn(&Outcome, &Entry) -> bool,
) -> Vec<Vec<Row<'a>>> {
    rows_besides(r, enc, shown, 0)
}

/// `rows`, for a format that also spends `reserved` bytes on texts of its
/// own (JUnit's failure excerpts).
pub fn rows_besides<'a>(
    r: &'a Report,
    enc: &Encoding,
    shown: impl Fn(&Outcome, &Entry) -> bool,
    reserved: usize,
) -> Vec<Vec<Row<'a>>> {
    let costs = Costs::of(r, enc, shown);
    // One "… dropped" row per stream at most.
    let gap = enc.row + 128;
    let avail = REPORT_BUDGET
        .saturating_sub(fixed_cost(r))
        .saturating_sub(reserved)
        .saturating_sub(costs.control)
        .saturating_sub(gap * costs.order.len());
    let cuts = Cuts::of(r, &costs, avail);
    // Pass 3: the rows, in transcript order.
    costs
        .picked
        .into_iter()
        .enumerate()
        .map(|(k, idx)| {
            let entries = &r.outcomes[k].transcript.entries;
            idx.into_iter()
                .filter_map(|i| {
                    if let Some(&(actor, of, count)) = cuts.gaps.get(&(k, i)) {
                        return Some(Row::Dropped {
                            at: &entries[i],
                            actor,
                            of,
                            count,
                        });
                    }
                    (!cuts.dropped.contains_key(&(k, i))).then(|| Row::Event(&entries[i]))
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::outcome_with;
    use crate::transcript::Transcript;
    use std::time::Duration;

    const ENC: Encoding = Encoding {
        row: 100,
        char_cost: json_char,
        text_max: 1000,
    };

    fn flood(n: usize) -> Transcript {
        let mut tr = Transcript::default();
        let t = Duration::ZERO;
        tr.push(t, Actor::Harness, Event::Step(0));
        tr.push(t, Actor::Peer, Event::Received(b"Bonjour\n".to_vec()));
        for _ in 0..n {
            tr.push(t, Actor::Peer, Event::Received(vec![0; 200]));
        }
        tr.push(t, Actor::Harness, Event::Step(1));
        tr.push(t, Actor::Peer, Event::Received(b"last\n".to_vec()));
        tr.push(t, Actor::Harness, Event::Teardown);
        tr
    }

    #[test]
    fn a_small_report_is_shown_whole() {
        let r = Report {
            outcomes: vec![outcome_with(flood(10))],
            ..Report::default()
        };
        let rows = rows(&r, &ENC, |_, _| true);
        assert_eq!(rows[0].len(), r.outcomes[0].transcript.entries.len());
        assert!(rows[0].iter().all(|r| matches!(r, Row::Event(_))));
    }

    #[test]
    fn floods_share_the_budget_and_keep_control_head_and_tail() {
        let n = 50_000;
        let r = Report {
            outcomes: vec![
                outcome_with(flood(n)),
                outcome_with(flood(10)),
                outcome_with(flood(n)),
            ],
            ..Report::default()
        };
        let rows = rows(&r, &ENC, |_, _| true);
        // The small one is whole; the floods are cut alike.
        assert_eq!(rows[1].len(), r.outcomes[1].transcript.entries.len());
        let mut total = 0;
        for (k, rs) in rows.iter().enumerate() {
            let kinds: Vec<&str> = rs.iter().map(Row::kind).collect();
            assert_eq!(kinds.iter().filter(|k| **k == "step").count(), 2, "{k}");
            assert_eq!(kinds.last(), Some(&"teardown"));
            assert_eq!(rs[1].entry().event, Event::Received(b"Bonjour\n".to_vec()));
            assert_eq!(
                rs[rs.len() - 2].entry().event,
                Event::Received(b"last\n".to_vec())
            );
            for row in rs {
                total += ENC.row + cost_of(&row.text(ENC.text_max, &r.lang), &ENC);
            }
        }
        assert!(total <= REPORT_BUDGET, "{total}");
        assert!(total > REPORT_BUDGET / 2, "the budget is used: {total}");
        let gaps: Vec<Dropped> = rows
            .iter()
            .flatten()
            .filter_map(|r| match r {
                Row::Dropped { count, .. } => Some(*count),
                _ => None,
            })
            .collect();
        assert_eq!(gaps.len(), 2);
        assert_eq!(gaps[0], gaps[1]);
        let shown = rows[0]
            .iter()
            .filter(|r| matches!(r, Row::Event(_)))
            .count();
        assert_eq!(
            shown as u64 + gaps[0].events,
            r.outcomes[0].transcript.entries.len() as u64
        );
    }

    #[test]
    fn a_data_event_costs_what_its_text_costs() {
        let ascii = AsciiCosts::new(&ENC);
        let short = Encoding { text_max: 7, ..ENC };
        let short_ascii = AsciiCosts::new(&short);
        for raw in [
            &b"Bonjour\n"[..],
            b"\0\0\0\0\0",
            b"a\"b\\c\td",
            "ça va\u{85}".as_bytes(),
            b"\xff\xfe",
            b"",
        ] {
            for ev in [
                Event::Received(raw.to_vec()),
                Event::Printed {
                    raw: raw.to_vec(),
                    newline: false,
                },
            ] {
                let e = Entry {
                    t: Duration::ZERO,
                    actor: Actor::Peer,
                    event: ev,
                };
                for (enc, a) in [(&ENC, &ascii), (&short, &short_ascii)] {
                    for lang in [Lang::builtin("en"), Lang::builtin("fr")] {
                        let text = Row::Event(&e).text(enc.text_max, &lang);
                        assert_eq!(
                            entry_cost(&e, enc, a, &lang),
                            enc.row + cost_of(&text, enc),
                            "{text}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn characters_cost_what_their_escapes_cost() {
        assert_eq!(json_char('\0'), 6);
        assert_eq!(xml_char('&'), 5);
    }
}
