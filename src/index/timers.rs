//! Deadlines: one ordered index of everything the engine waits for.
//!
//! Keys are `(time, seq)`, so deadlines due at the same instant fire in the order they were set.
//! Cancelling removes the entry (or, in the queue, marks it and drops it once it comes first),
//! so [`Timers::next`] is always a deadline that will really fire.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};
use rustc_hash::FxHashSet;

use crate::model::ids::{ConvIdx, LineIdx, OpIdx};

/// The key of a scheduled deadline.
pub(crate) type TimerKey = (DateTime<Utc>, u64);

/// What a deadline is for. A closed enum: a new kind of timer forces a new match arm where
/// deadlines are handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Timer {
    /// An unanswered assignment or an `all`-mode offer of this conversation expires.
    Offer(ConvIdx),
    /// An absence window of this operator starts or ends.
    Absence(OpIdx),
    /// This line opens or closes (its schedule).
    Schedule(LineIdx),
    /// No operator answered this conversation in time: the `unanswered` auto-reply.
    Unanswered(ConvIdx),
    /// This conversation's response-time target is due.
    Sla(ConvIdx),
    /// The chat-bot's turn on this conversation ends.
    Bot(ConvIdx),
    /// This conversation's client stayed silent too long after an answer.
    Inactivity(ConvIdx),
    /// This closed conversation is forgotten.
    Forget(ConvIdx),
    /// This scheduled callback order falls due (DESIGN §7).
    Callback(ConvIdx),
}

/// Which index a deadline lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Which {
    Map,
    Schedules,
    Queue,
}

/// A snapshot keeps only the sequence: the deadlines themselves are recorded with whatever
/// they belong to (a conversation's place, an absence, a feature's state), and restoring
/// schedules them again.
///
/// Three indices, each keeping its first key so that reading the next deadline — which every
/// input does — walks no tree:
/// - line schedule deadlines have their own, so that "at one instant, lines open and close
///   first" costs one comparison per deadline, however many share the instant;
/// - the deadlines that forget closed conversations are set in time order (each at the close
///   plus one retention, which changes only by re-timing them all), so they need no tree: a
///   queue, where a cancelled one (a conversation reopened) is marked and dropped once it
///   comes first;
/// - everything else is in one ordered map.
#[derive(Clone, Debug, Default)]
pub(crate) struct Timers {
    map: BTreeMap<TimerKey, Timer>,
    schedules: BTreeMap<TimerKey, Timer>,
    queue: VecDeque<(TimerKey, ConvIdx)>,
    /// Keys still in `queue` that were cancelled.
    cancelled: FxHashSet<TimerKey>,
    /// The first live key of `map`, `schedules` and `queue`.
    heads: [Option<TimerKey>; 3],
    seq: u64,
}

impl Timers {
    /// One tree index with its head.
    fn tree(&mut self, which: Which) -> (&mut BTreeMap<TimerKey, Timer>, &mut Option<TimerKey>) {
        match which {
            Which::Schedules => (&mut self.schedules, &mut self.heads[1]),
            Which::Map | Which::Queue => (&mut self.map, &mut self.heads[0]),
        }
    }

    /// Adds a deadline to its index, keeping that index's head.
    fn insert(&mut self, key: TimerKey, timer: Timer) {
        let which = match timer {
            Timer::Schedule(_) => Which::Schedules,
            Timer::Forget(c) => {
                self.enqueue(key, c);
                return;
            }
            _ => Which::Map,
        };
        let (index, head) = self.tree(which);
        index.insert(key, timer);
        if head.is_none_or(|h| key < h) {
            *head = Some(key);
        }
    }

    /// Adds a forgetting deadline to the queue, which stays in key order.
    fn enqueue(&mut self, key: TimerKey, c: ConvIdx) {
        if self.queue.back().is_none_or(|&(last, _)| last < key) {
            self.queue.push_back((key, c));
        } else {
            // Not met while the retention stays the same (see the type's docs); kept correct
            // anyway.
            let at = self.queue.partition_point(|&(k, _)| k < key);
            self.queue.insert(at, (key, c));
        }
        self.settle_queue();
    }

    /// Drops cancelled entries from the front of the queue and notes its first live key.
    fn settle_queue(&mut self) {
        while let Some(&(key, _)) = self.queue.front() {
            if !self.cancelled.remove(&key) {
                break;
            }
            self.queue.pop_front();
        }
        self.heads[2] = self.queue.front().map(|&(k, _)| k);
    }

    /// Removes a key from one tree index, keeping its head.
    fn remove(&mut self, which: Which, key: &TimerKey) -> Option<Timer> {
        let (index, head) = self.tree(which);
        let timer = index.remove(key)?;
        if *head == Some(*key) {
            *head = index.first_key_value().map(|(k, _)| *k);
        }
        Some(timer)
    }

    pub(crate) fn schedule(&mut self, at: DateTime<Utc>, timer: Timer) -> TimerKey {
        self.seq += 1;
        let key = (at, self.seq);
        self.insert(key, timer);
        key
    }

    /// Schedules a deadline under a key it had before (restoring a snapshot); `false` if the
    /// key is taken. Forgetting deadlines are restored with [`restore_forgets`].
    ///
    /// [`restore_forgets`]: Self::restore_forgets
    pub(crate) fn restore(&mut self, key: TimerKey, timer: Timer) -> bool {
        if key.1 > self.seq || self.contains(&key) {
            return false;
        }
        self.insert(key, timer);
        true
    }

    /// Restores the forgetting deadlines all at once, in key order; `false` if a key is
    /// taken.
    pub(crate) fn restore_forgets(&mut self, mut forgets: Vec<(TimerKey, ConvIdx)>) -> bool {
        forgets.sort_unstable();
        let unique = forgets.windows(2).all(|w| w[0].0 != w[1].0);
        if !unique
            || forgets
                .iter()
                .any(|(key, _)| key.1 > self.seq || self.contains(key))
        {
            return false;
        }
        for (key, c) in forgets {
            self.enqueue(key, c);
        }
        true
    }

    /// Cancels a deadline that is scheduled.
    pub(crate) fn cancel(&mut self, key: TimerKey) {
        if self.remove(Which::Map, &key).is_none() {
            self.remove(Which::Schedules, &key);
        }
    }

    /// Cancels a forgetting deadline that is scheduled (a closed conversation reopened, or
    /// re-timed).
    pub(crate) fn cancel_forget(&mut self, key: TimerKey) {
        if self.heads[2] == Some(key) {
            self.queue.pop_front();
        } else {
            self.cancelled.insert(key);
        }
        self.settle_queue();
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<DateTime<Utc>> {
        self.heads.iter().flatten().map(|k| k.0).min()
    }

    /// Removes and returns the earliest deadline if it is due at `now`. At one instant, lines
    /// open and close before anything else fires, so that every other deadline of that instant
    /// sees the line as it is then; the others fire in key order.
    pub(crate) fn pop_due(&mut self, now: DateTime<Utc>) -> Option<(TimerKey, Timer)> {
        let [map, schedule, queue] = self.heads;
        let first = match (map, queue) {
            (Some(m), Some(q)) if q < m => Some((Which::Queue, q)),
            (Some(m), _) => Some((Which::Map, m)),
            (None, q) => q.map(|q| (Which::Queue, q)),
        };
        let (which, key) = match (first, schedule) {
            (Some((_, k)), Some(s)) if s.0 <= k.0 => (Which::Schedules, s),
            (Some(first), _) => first,
            (None, Some(s)) => (Which::Schedules, s),
            (None, None) => return None,
        };
        if key.0 > now {
            return None;
        }
        let timer = match which {
            Which::Queue => {
                let (_, c) = self.queue.pop_front()?;
                self.settle_queue();
                Timer::Forget(c)
            }
            Which::Map | Which::Schedules => self.remove(which, &key)?,
        };
        Some((key, timer))
    }

    /// Puts back a deadline just popped and not fired.
    pub(crate) fn put_back(&mut self, key: TimerKey, timer: Timer) {
        self.insert(key, timer);
    }

    /// Whether a deadline is due by `at`.
    #[inline]
    pub(crate) fn due_by(&self, at: DateTime<Utc>) -> bool {
        self.next().is_some_and(|t| t <= at)
    }

    /// Whether a line opens or closes at `at` still (deadlines not yet fired).
    pub(crate) fn schedule_due_at(&self, at: DateTime<Utc>) -> bool {
        self.heads[1].is_some_and(|k| k.0 == at)
    }

    /// An empty index whose sequence continues from `seq` (restoring a snapshot).
    pub(crate) fn starting_at(seq: u64) -> Self {
        Self {
            seq,
            ..Self::default()
        }
    }

    /// Checks the kept heads against the indices themselves, and the queue's order.
    pub(crate) fn audit_heads(&self) -> Result<(), String> {
        let first = |index: &BTreeMap<TimerKey, Timer>| index.first_key_value().map(|(k, _)| *k);
        let live = self
            .queue
            .iter()
            .map(|&(k, _)| k)
            .find(|k| !self.cancelled.contains(k));
        let actual = [first(&self.map), first(&self.schedules), live];
        if self.heads != actual {
            return Err(format!(
                "deadline heads {:?} are not the indices' first keys {actual:?}",
                self.heads
            ));
        }
        if !self
            .queue
            .iter()
            .zip(self.queue.iter().skip(1))
            .all(|(a, b)| a.0 < b.0)
        {
            return Err("the forgetting deadlines are out of order".into());
        }
        if !self.cancelled.iter().all(|k| self.queued(k)) {
            return Err("a cancelled forgetting deadline is not in the queue".into());
        }
        Ok(())
    }

    /// The sequence of the last deadline scheduled.
    pub(crate) fn seq(&self) -> u64 {
        self.seq
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len() + self.schedules.len() + self.queue.len() - self.cancelled.len()
    }

    /// Whether `key` is in the queue (cancelled or not).
    fn queued(&self, key: &TimerKey) -> bool {
        self.queue.binary_search_by(|(k, _)| k.cmp(key)).is_ok()
    }

    pub(crate) fn contains(&self, key: &TimerKey) -> bool {
        self.map.contains_key(key)
            || self.schedules.contains_key(key)
            || (self.queued(key) && !self.cancelled.contains(key))
    }
}
