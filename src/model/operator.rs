//! An operator as the host configured them and as the world reported them: settings,
//! presence, work day, absences. What they hold and their load are derived (`index/`).

use chrono::{DateTime, Utc};

use super::ids::GroupIdx;
use crate::index::timers::TimerKey;
use crate::wire::config::LineConfig;
use crate::wire::input::Presence;

/// How many availability profiles there are (see [`profile`]).
pub(crate) const PROFILES: usize = 3;

/// A line's availability profile: what makes an operator available on it. 0: no check (only
/// the active flag counts); 1: the check with presence `online`; 2: the check with a started
/// work day. An operator "leaves and comes back" per profile: starting a work day is no return
/// for a line that looks at presence.
pub(crate) fn profile(line: &LineConfig) -> usize {
    match (line.check_availability, line.require_workday) {
        (false, _) => 0,
        (true, false) => 1,
        (true, true) => 2,
    }
}

/// An absence window with the deadlines at which it starts (if still ahead when it was added)
/// and ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AbsenceWindow {
    pub(crate) from: DateTime<Utc>,
    pub(crate) until: DateTime<Utc>,
    pub(crate) timers: [Option<TimerKey>; 2],
}

/// The stored facts of one operator. A removed operator keeps the record (its index stays
/// valid), with `exists` false.
#[derive(Clone, Debug)]
pub(crate) struct Operator {
    pub(crate) exists: bool,
    /// Order of first creation; group members follow it.
    pub(crate) created: u64,
    pub(crate) max_open: Option<u32>,
    pub(crate) groups: Vec<GroupIdx>,
    pub(crate) active: bool,
    pub(crate) presence: Presence,
    pub(crate) workday: bool,
    pub(crate) absences: Vec<AbsenceWindow>,
    pub(crate) in_absence: bool,
    /// Per availability profile (see [`profile`]), bumped whenever the operator becomes
    /// available again under it after leaving, which makes them "not yet tried" again for every
    /// conversation on a line of that profile that tried them before.
    pub(crate) epoch: [u32; PROFILES],
    /// Sequence of the last assignment (0: never assigned, older than everyone).
    pub(crate) last_assigned: u64,
}

impl Operator {
    /// An operator named before they exist (in a queue, a channel list).
    pub(crate) fn new() -> Self {
        Self {
            exists: false,
            created: 0,
            max_open: None,
            groups: Vec::new(),
            active: true,
            presence: Presence::Offline,
            workday: false,
            absences: Vec::new(),
            in_absence: false,
            epoch: [0; PROFILES],
            last_assigned: 0,
        }
    }

    /// Exists and is active: what `always` pinning asks of the pinned operator.
    pub(crate) fn is_active(&self) -> bool {
        self.exists && self.active
    }

    /// Available under a line's availability check (membership, channel and cap aside).
    pub(crate) fn available_on(&self, line: &LineConfig) -> bool {
        self.availability()[profile(line)]
    }

    /// The cap a line applies to this operator.
    pub(crate) fn cap_on(&self, line: &LineConfig) -> Option<u32> {
        match (self.max_open, line.max_open_per_operator) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether the operator is available under each availability profile, for telling when
    /// they come back.
    pub(crate) fn availability(&self) -> [bool; PROFILES] {
        let base = self.exists && self.active;
        let present = base && !self.in_absence;
        [
            base,
            present && self.presence == Presence::Online,
            present && self.workday,
        ]
    }
}
