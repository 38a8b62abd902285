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
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Timers {
    #[serde(skip)]
    map: BTreeMap<TimerKey, Timer>,
    seq: u64,
}

impl Timers {
    pub(crate) fn schedule(&mut self, at: DateTime<Utc>, timer: Timer) -> TimerKey {
        self.seq += 1;
        let key = (at, self.seq);
        self.map.insert(key, timer);
        key
    }

    /// Schedules a deadline under a key it had before (restoring a snapshot); `false` if the
    /// key is taken.
    pub(crate) fn restore(&mut self, key: TimerKey, timer: Timer) -> bool {
        if key.1 > self.seq {
            return false;
        }
        self.map.insert(key, timer).is_none()
    }

    pub(crate) fn cancel(&mut self, key: TimerKey) {
        self.map.remove(&key);
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<DateTime<Utc>> {
        self.map.first_key_value().map(|(k, _)| k.0)
    }

    /// Removes and returns the earliest deadline if it is due at `now`. At one instant, lines
    /// open and close before anything else fires, so that every other deadline of that instant
    /// sees the line as it is then.
    pub(crate) fn pop_due(&mut self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, Timer)> {
        let (&(at, seq), _) = self.map.first_key_value()?;
        if at > now {
            return None;
        }
        let key = self
            .map
            .range((at, seq)..=(at, u64::MAX))
            .find(|(_, t)| matches!(t, Timer::Schedule(_)))
            .map_or((at, seq), |(k, _)| *k);
        let timer = self.map.remove(&key)?;
        Some((at, timer))
    }

    /// Whether a line opens or closes at `at` still (deadlines not yet fired).
    pub(crate) fn schedule_due_at(&self, at: DateTime<Utc>) -> bool {
        self.map
            .range((at, 0)..=(at, u64::MAX))
            .any(|(_, t)| matches!(t, Timer::Schedule(_)))
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    pub(crate) fn contains(&self, key: &TimerKey) -> bool {
        self.map.contains_key(key)
    }
}
