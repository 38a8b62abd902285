//! Deadlines: one ordered index of everything the engine waits for.
//!
//! Keys are `(time, seq)`, so deadlines due at the same instant fire in the order they were set.
//! Cancelling removes the entry at once, so [`Timers::next`] is always a deadline that will
//! really fire.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

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
}

/// A snapshot keeps only the sequence: the deadlines themselves are recorded with whatever
/// they belong to (a conversation's place, an absence, a feature's state), and restoring
/// schedules them again.
///
/// Line schedule deadlines have their own index, so that "at one instant, lines open and close
/// first" costs one comparison per deadline, however many deadlines share the instant.
#[derive(Clone, Debug, Default)]
pub(crate) struct Timers {
    map: BTreeMap<TimerKey, Timer>,
    schedules: BTreeMap<TimerKey, Timer>,
    /// The first key of `map` and of `schedules`, kept so that reading the next deadline,
    /// which every input does, costs no tree walk.
    heads: [Option<TimerKey>; 2],
    seq: u64,
}

impl Timers {
    /// One index (0: `map`, 1: `schedules`) with its head.
    fn index(&mut self, which: usize) -> (&mut BTreeMap<TimerKey, Timer>, &mut Option<TimerKey>) {
        let index = if which == 1 {
            &mut self.schedules
        } else {
            &mut self.map
        };
        (index, &mut self.heads[which])
    }

    /// Adds a deadline to its index, keeping that index's head.
    fn insert(&mut self, key: TimerKey, timer: Timer) {
        let (index, head) = self.index(usize::from(matches!(timer, Timer::Schedule(_))));
        index.insert(key, timer);
        if head.is_none_or(|h| key < h) {
            *head = Some(key);
        }
    }

    /// Removes a key from one index (0: `map`, 1: `schedules`), keeping its head.
    fn remove(&mut self, which: usize, key: &TimerKey) -> Option<Timer> {
        let (index, head) = self.index(which);
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
    /// key is taken.
    pub(crate) fn restore(&mut self, key: TimerKey, timer: Timer) -> bool {
        if key.1 > self.seq || self.contains(&key) {
            return false;
        }
        self.insert(key, timer);
        true
    }

    pub(crate) fn cancel(&mut self, key: TimerKey) {
        if self.remove(0, &key).is_none() {
            self.remove(1, &key);
        }
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<DateTime<Utc>> {
        let [other, line] = self.heads;
        other.into_iter().chain(line).map(|k| k.0).min()
    }

    /// Removes and returns the earliest deadline if it is due at `now`. At one instant, lines
    /// open and close before anything else fires, so that every other deadline of that instant
    /// sees the line as it is then.
    pub(crate) fn pop_due(&mut self, now: DateTime<Utc>) -> Option<(TimerKey, Timer)> {
        let (which, key) = match self.heads {
            [Some(o), Some(l)] if l.0 <= o.0 => (1, l),
            [Some(o), _] => (0, o),
            [None, Some(l)] => (1, l),
            [None, None] => return None,
        };
        if key.0 > now {
            return None;
        }
        let timer = self.remove(which, &key)?;
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

    /// Checks the kept heads against the indices themselves.
    pub(crate) fn audit_heads(&self) -> Result<(), String> {
        let first = |index: &BTreeMap<TimerKey, Timer>| index.first_key_value().map(|(k, _)| *k);
        let actual = [first(&self.map), first(&self.schedules)];
        if self.heads != actual {
            return Err(format!(
                "deadline heads {:?} are not the indices' first keys {actual:?}",
                self.heads
            ));
        }
        Ok(())
    }

    /// The sequence of the last deadline scheduled.
    pub(crate) fn seq(&self) -> u64 {
        self.seq
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len() + self.schedules.len()
    }

    pub(crate) fn contains(&self, key: &TimerKey) -> bool {
        self.map.contains_key(key) || self.schedules.contains_key(key)
    }
}
