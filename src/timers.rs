//! Deadlines: one ordered index of everything the engine waits for.
//!
//! Keys are `(time, seq)`, so deadlines due at the same instant fire in the order they were set.
//! Cancelling removes the entry at once, so [`Timers::next`] is always a deadline that will
//! really fire.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::id::Idx;

/// The key of a scheduled deadline.
pub(crate) type TimerKey = (DateTime<Utc>, u64);

/// What a deadline is for. A closed enum: a new kind of timer forces a new match arm where
/// deadlines are handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Timer {
    /// An unanswered assignment or an `all`-mode offer of this conversation expires.
    Offer(Idx),
    /// An absence window of this operator starts or ends.
    Absence(Idx),
    /// This line opens or closes (its schedule).
    Schedule(Idx),
    /// No operator answered this conversation in time: the `unanswered` auto-reply.
    Unanswered(Idx),
    /// This conversation's response-time target is due.
    Sla(Idx),
    /// The chat-bot's turn on this conversation ends.
    Bot(Idx),
    /// This conversation's client stayed silent too long after an answer.
    Inactivity(Idx),
}

/// A snapshot keeps only the sequence: the deadlines themselves are recorded with the
/// conversations and absences they belong to, and restoring schedules them again.
///
/// Line schedule deadlines have their own index, so that "at one instant, lines open and close
/// first" costs one comparison per deadline, however many deadlines share the instant.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Timers {
    #[serde(skip)]
    map: BTreeMap<TimerKey, Timer>,
    #[serde(skip)]
    schedules: BTreeMap<TimerKey, Timer>,
    seq: u64,
}

impl Timers {
    fn index_for(&mut self, timer: Timer) -> &mut BTreeMap<TimerKey, Timer> {
        match timer {
            Timer::Schedule(_) => &mut self.schedules,
            _ => &mut self.map,
        }
    }

    pub(crate) fn schedule(&mut self, at: DateTime<Utc>, timer: Timer) -> TimerKey {
        self.seq += 1;
        let key = (at, self.seq);
        self.index_for(timer).insert(key, timer);
        key
    }

    /// Schedules a deadline under a key it had before (restoring a snapshot); `false` if the
    /// key is taken.
    pub(crate) fn restore(&mut self, key: TimerKey, timer: Timer) -> bool {
        if key.1 > self.seq || self.contains(&key) {
            return false;
        }
        self.index_for(timer).insert(key, timer);
        true
    }

    pub(crate) fn cancel(&mut self, key: TimerKey) {
        if self.map.remove(&key).is_none() {
            self.schedules.remove(&key);
        }
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<DateTime<Utc>> {
        let other = self.map.first_key_value().map(|(k, _)| k.0);
        let line = self.schedules.first_key_value().map(|(k, _)| k.0);
        other.into_iter().chain(line).min()
    }

    /// Removes and returns the earliest deadline if it is due at `now`. At one instant, lines
    /// open and close before anything else fires, so that every other deadline of that instant
    /// sees the line as it is then.
    pub(crate) fn pop_due(&mut self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, Timer)> {
        let other = self.map.first_key_value().map(|(k, _)| *k);
        let line = self.schedules.first_key_value().map(|(k, _)| *k);
        let (index, key) = match (other, line) {
            (Some(o), Some(l)) if l.0 <= o.0 => (&mut self.schedules, l),
            (Some(o), _) => (&mut self.map, o),
            (None, Some(l)) => (&mut self.schedules, l),
            (None, None) => return None,
        };
        if key.0 > now {
            return None;
        }
        let timer = index.remove(&key)?;
        Some((key.0, timer))
    }

    /// Whether a line opens or closes at `at` still (deadlines not yet fired).
    pub(crate) fn schedule_due_at(&self, at: DateTime<Utc>) -> bool {
        self.schedules
            .first_key_value()
            .is_some_and(|(k, _)| k.0 == at)
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len() + self.schedules.len()
    }

    pub(crate) fn contains(&self, key: &TimerKey) -> bool {
        self.map.contains_key(key) || self.schedules.contains_key(key)
    }
}
