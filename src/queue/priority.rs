//! Priority and the time a client has waited (DESIGN §7, "Priority and VIP"): a waiting
//! queue ordered by effective priority, which aging raises for everyone at the same rate —
//! so each conversation's place is a static key and the queue stays an ordered map.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use crate::index::waiting::Bucket;
use crate::model::conversation::Place;
use crate::model::ids::ConvIdx;
use crate::state::Core;
use crate::wire::config::LineConfig;

/// When a client's current wait began, and the sequence number that breaks ties between waits
/// that began at one instant (arrival order). Kept from the first time routing tried to place
/// the conversation until an assignment is confirmed (or it completes, closes or is
/// scheduled): a conversation that comes back to the queue keeps its place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Wait {
    pub(crate) since: DateTime<Utc>,
    pub(crate) seq: u64,
}

/// A waiting conversation's place in its line's queue: smaller goes first. With aging (`N`
/// seconds a point) the effective priority at `t` is `base + (t − since)/N`, so ordering by it
/// is ordering by `since − base·N` whatever `t` is; ties (equal `since − base·N`) go to the
/// earlier `since`, which is the lower base. Without aging: by `−base`, then `since`. Then
/// arrival.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct WaitKey {
    class: i64,
    secs: i64,
    nanos: u32,
    tie: i32,
    pub(crate) seq: u64,
}

/// How urgent a waiting conversation is at one instant, comparable across lines: its
/// effective priority as an exact fraction, then `since`, then arrival. Smaller is more
/// urgent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Urgency {
    /// Effective priority = `num / den` (`den` > 0).
    num: i128,
    den: i128,
    since: DateTime<Utc>,
    seq: u64,
}

impl Ord for Urgency {
    fn cmp(&self, other: &Self) -> Ordering {
        // Higher priority first: a/b > c/d ⇔ a·d > c·b (denominators positive). The products
        // stay far inside i128: |num| < 2^70, den < 2^47.
        (other.num * self.den)
            .cmp(&(self.num * other.den))
            .then(self.since.cmp(&other.since))
            .then(self.seq.cmp(&other.seq))
    }
}

impl PartialOrd for Urgency {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

const NANOS: i128 = 1_000_000_000;

impl Core {
    /// A conversation's base priority on its line: the first matching rule's, plus the VIP
    /// bonus for a VIP client. Validated ranges keep it within ±2·10⁶.
    pub(crate) fn base_priority(&self, c: ConvIdx) -> i64 {
        let conv = &self.facts.convs[c];
        let Some(p) = &self.facts.line_of(c).config.priority else {
            return 0;
        };
        let chan = &self.facts.chans[conv.channel];
        let rule = p.rules.iter().find(|r| {
            r.request.is_none_or(|k| k == conv.request)
                && r.channel_kind
                    .as_ref()
                    .is_none_or(|k| chan.kind.as_ref() == Some(k))
                && r.channel
                    .as_ref()
                    .is_none_or(|ch| ch == self.facts.chan_ids.name(conv.channel))
        });
        let vip = if self.facts.clients[conv.client].vip {
            p.vip.unwrap_or(0)
        } else {
            0
        };
        rule.map_or(0, |r| r.priority) + vip
    }

    /// The conversation's wait, started now if it had none.
    pub(crate) fn begin_wait(&mut self, c: ConvIdx) -> Wait {
        if let Some(&w) = self.facts.waits.get(&c) {
            return w;
        }
        let w = Wait {
            since: self.now(),
            seq: self.next_seq(),
        };
        self.facts.waits.insert(c, w);
        w
    }

    /// The wait of a conversation that is waiting (where one always is under way).
    fn waiting_since(&self, c: ConvIdx) -> Wait {
        self.facts
            .waits
            .get(&c)
            .copied()
            .expect("a waiting conversation has its wait: enter_waiting begins one, restore checks")
    }

    /// The client's wait is over (a confirmed assignment, a close, a completion).
    pub(crate) fn end_wait(&mut self, c: ConvIdx) {
        if !self.facts.waits.is_empty() {
            self.facts.waits.remove(&c);
        }
    }

    /// The place of a conversation whose wait has begun in its line's queue.
    pub(crate) fn wait_key(&self, c: ConvIdx, w: Wait) -> WaitKey {
        let base = self.base_priority(c);
        let line = &self.facts.line_of(c).config;
        key(line, base, w)
    }

    /// How urgent a waiting conversation is now (for placing across lines).
    pub(crate) fn urgency(&self, c: ConvIdx) -> Urgency {
        self.urgency_of(c, self.waiting_since(c))
    }

    /// Whether a conversation coming back to its queue would wait behind a more urgent one in
    /// one of `buckets` (false when its wait is unknown: a snapshot from before waits were
    /// kept).
    pub(crate) fn waits_behind(&self, c: ConvIdx, buckets: [Bucket; 2]) -> bool {
        let Some(&w) = self.facts.waits.get(&c) else {
            return false;
        };
        let own = self.urgency_of(c, w);
        buckets.into_iter().any(|b| {
            self.bucket_ref(b)
                .first_key_value()
                .is_some_and(|(_, &head)| self.urgency(head) < own)
        })
    }

    fn urgency_of(&self, c: ConvIdx, w: Wait) -> Urgency {
        let base = i128::from(self.base_priority(c));
        let aging = aging(&self.facts.line_of(c).config);
        let (num, den) = match aging {
            Some(n) => {
                let waited = nanos_between(w.since, self.now());
                let n = i128::from(n) * NANOS;
                (base * n + waited, n)
            }
            None => (base, 1),
        };
        Urgency {
            num,
            den,
            since: w.since,
            seq: w.seq,
        }
    }

    /// The effective priority of a waiting conversation now, rounded down (for the panel).
    pub(crate) fn effective_priority(&self, c: ConvIdx) -> i64 {
        let u = self.urgency(c);
        i64::try_from(u.num.div_euclid(u.den)).unwrap_or(i64::MAX)
    }

    /// A waiting conversation takes its place again after what its key depends on changed (a
    /// VIP flag, the line's priorities, a channel's kind).
    pub(crate) fn rekey_waiting(&mut self, c: ConvIdx) {
        let Place::Waiting { key, bucket } = self.facts.convs[c].place else {
            return;
        };
        let w = self.waiting_since(c);
        let new = self.wait_key(c, w);
        if new != key {
            let line = self.facts.convs[c].line;
            self.unindex_waiting(c, line, key, bucket);
            self.place_waiting(c, new, bucket);
        }
    }
}

fn aging(line: &LineConfig) -> Option<u32> {
    line.priority.as_ref().and_then(|p| p.aging_secs)
}

fn key(line: &LineConfig, base: i64, w: Wait) -> WaitKey {
    let (secs, nanos) = (w.since.timestamp(), w.since.timestamp_subsec_nanos());
    // The base stays within ±2·10⁶ (validated), so it fits, and so does base·N.
    let tie = i32::try_from(base).unwrap_or(if base < 0 { i32::MIN } else { i32::MAX });
    match aging(line) {
        Some(n) => WaitKey {
            class: 0,
            secs: secs.saturating_sub(base.saturating_mul(i64::from(n))),
            nanos,
            tie,
            seq: w.seq,
        },
        None => WaitKey {
            class: base.saturating_neg(),
            secs,
            nanos,
            tie: 0,
            seq: w.seq,
        },
    }
}

/// `to − from` in nanoseconds, exactly (any two times chrono can hold).
fn nanos_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i128 {
    let secs = i128::from(to.timestamp()) - i128::from(from.timestamp());
    let nanos = i128::from(to.timestamp_subsec_nanos()) - i128::from(from.timestamp_subsec_nanos());
    secs * NANOS + nanos
}
