//! Working hours: whether each line is open, the deadline at which that next changes, and the
//! closed periods the off-hours reply counts. While a line is closed nothing is routed on it
//! automatically; the lines that open at one instant route their waiting conversations
//! together once every deadline of that instant has fired.

pub(crate) mod hours;

use chrono::{DateTime, Utc};
use hours::Hours;

use crate::index::timers::{Timer, TimerKey};
use crate::model::ids::{Idx, LineIdx};
use crate::state::Core;

/// What the working hours make of one line.
#[derive(Clone, Debug)]
pub(crate) struct LineHours {
    /// The compiled schedule; `None`: always open.
    hours: Option<Hours>,
    /// Open as of the engine's clock.
    is_open: bool,
    /// The deadline at which the line next opens or closes.
    timer: Option<TimerKey>,
    /// The id of the line's current (or last) closed period, unique across lines, so that the
    /// off-hours reply goes once per period.
    closed_period: u64,
}

impl LineHours {
    /// Open as of the engine's clock.
    pub(crate) fn is_open(&self) -> bool {
        self.is_open
    }

    /// The compiled schedule; `None`: always open.
    pub(crate) fn hours(&self) -> Option<&Hours> {
        self.hours.as_ref()
    }

    /// The deadline at which the line next opens or closes.
    pub(crate) fn timer(&self) -> Option<TimerKey> {
        self.timer
    }

    /// The id of the line's current (or last) closed period.
    pub(crate) fn closed_period(&self) -> u64 {
        self.closed_period
    }

    /// When the line next opens or closes.
    pub(crate) fn next_change(&self) -> Option<DateTime<Utc>> {
        self.timer.map(|(at, _)| at)
    }
}

impl Default for LineHours {
    fn default() -> Self {
        Self {
            hours: None,
            is_open: true,
            timer: None,
            closed_period: 0,
        }
    }
}

/// The working hours of every line.
#[derive(Clone, Debug, Default)]
pub(crate) struct Schedules {
    /// By line index; a line past the end has no schedule (and is open).
    lines: Vec<LineHours>,
    /// Lines that opened at the instant being processed (routed once it is done).
    opened: Vec<LineIdx>,
}

/// A line without a schedule.
static ALWAYS_OPEN: LineHours = LineHours {
    hours: None,
    is_open: true,
    timer: None,
    closed_period: 0,
};

impl Schedules {
    /// Whether a line is open now by its working hours.
    #[inline]
    pub(crate) fn is_open(&self, l: LineIdx) -> bool {
        self.lines.get(l.ix()).is_none_or(|h| h.is_open)
    }

    /// A line's working hours as they stand.
    pub(crate) fn line(&self, l: LineIdx) -> &LineHours {
        self.lines.get(l.ix()).unwrap_or(&ALWAYS_OPEN)
    }

    fn line_mut(&mut self, l: LineIdx) -> &mut LineHours {
        if self.lines.len() <= l.ix() {
            self.lines.resize_with(l.ix() + 1, LineHours::default);
        }
        &mut self.lines[l.ix()]
    }

    /// Sets a line's working hours as of now (a line created or reconfigured): whether it is
    /// open, and when that next changes. `new`: the line did not exist until now.
    pub(crate) fn set(&mut self, core: &mut Core, l: LineIdx, hours: Option<Hours>, new: bool) {
        let now = core.now();
        let entry = self.line_mut(l);
        if let Some(key) = entry.timer.take() {
            core.timers.cancel(key);
        }
        let open = hours.as_ref().is_none_or(|s| s.is_open(now));
        let next = hours.as_ref().and_then(|s| s.next_change(now));
        let timer = next.map(|t| core.timers.schedule(t, Timer::Schedule(l)));
        if !open && (new || entry.is_open) {
            // A closed period gets an id unique across all lines (and their re-creations).
            entry.closed_period = core.next_seq();
        }
        entry.is_open = open;
        entry.hours = hours;
        entry.timer = timer;
    }

    /// A line's schedule deadline: it opens or closes now.
    pub(crate) fn fired(&mut self, core: &mut Core, l: LineIdx) {
        if core.facts.lines[l].is_none() {
            return;
        }
        let entry = self.line_mut(l);
        entry.timer = None;
        let was_open = entry.is_open;
        let hours = entry.hours.take();
        self.set(core, l, hours, false);
        if self.is_open(l) && !was_open {
            // Routed once every deadline of this instant has fired, together with the other
            // lines opening at the same instant: longest waiting first across all of them.
            self.opened.push(l);
        }
    }

    /// A line was removed: its hours and their deadline go with it (a line created again
    /// starts from nothing of its former self).
    pub(crate) fn removed(&mut self, core: &mut Core, l: LineIdx) {
        let entry = self.line_mut(l);
        if let Some(key) = entry.timer.take() {
            core.timers.cancel(key);
        }
        *entry = LineHours::default();
    }

    /// The lines that opened at this instant, for routing.
    pub(crate) fn take_opened(&mut self) -> Vec<LineIdx> {
        std::mem::take(&mut self.opened)
    }

    /// Restores a line's working hours from a snapshot: its open state is what the hours say
    /// at the clock, its deadline and closed period are as recorded.
    pub(crate) fn restore(
        &mut self,
        l: LineIdx,
        hours: Option<Hours>,
        is_open: bool,
        timer: Option<TimerKey>,
        closed_period: u64,
    ) {
        *self.line_mut(l) = LineHours {
            hours,
            is_open,
            timer,
            closed_period,
        };
    }
}
