//! Response-time targets (KPI): time to the first answer and to each next answer. Per
//! conversation it keeps the target that is running; per line and per operator, the targets
//! met and missed.

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use super::schedule::LineHours;
use crate::index::timers::{Timer, TimerKey};
use crate::model::ids::{ConvIdx, Idx, LineIdx, OpIdx};
use crate::state::Core;
use crate::wire::decision::{DecisionKind, SlaKind};

/// A response-time target that is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SlaPending {
    pub(crate) kind: SlaKind,
    pub(crate) due: DateTime<Utc>,
    pub(crate) timer: TimerKey,
}

/// Response-time targets met and missed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SlaCounters {
    pub(crate) first_response_met: u64,
    pub(crate) first_response_missed: u64,
    pub(crate) next_response_met: u64,
    pub(crate) next_response_missed: u64,
}

impl SlaCounters {
    pub(crate) fn record(&mut self, kind: SlaKind, met: bool) {
        let c = match (kind, met) {
            (SlaKind::FirstResponse, true) => &mut self.first_response_met,
            (SlaKind::FirstResponse, false) => &mut self.first_response_missed,
            (SlaKind::NextResponse, true) => &mut self.next_response_met,
            (SlaKind::NextResponse, false) => &mut self.next_response_missed,
        };
        *c = c.saturating_add(1);
    }
}

/// The response-time targets' own state.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sla {
    /// The target running for each conversation that has one.
    pending: FxHashMap<ConvIdx, SlaPending>,
    /// Targets met and missed per line (by line index; none yet past the end).
    lines: Vec<SlaCounters>,
    /// Targets met and missed per operator (by operator index; none yet past the end).
    ops: Vec<SlaCounters>,
}

/// The entry of `i` in a table of counters, growing it as needed.
fn counters(table: &mut Vec<SlaCounters>, i: usize) -> &mut SlaCounters {
    if table.len() <= i {
        table.resize_with(i + 1, SlaCounters::default);
    }
    &mut table[i]
}

impl Sla {
    /// The target running for a conversation.
    pub(crate) fn pending(&self, c: ConvIdx) -> Option<SlaPending> {
        self.pending.get(&c).copied()
    }

    /// Restores a running target a snapshot recorded.
    pub(crate) fn restore_pending(&mut self, c: ConvIdx, pending: SlaPending) {
        self.pending.insert(c, pending);
    }

    /// A line's counters.
    pub(crate) fn line(&self, l: LineIdx) -> SlaCounters {
        self.lines.get(l.ix()).copied().unwrap_or_default()
    }

    /// An operator's counters.
    pub(crate) fn op(&self, o: OpIdx) -> SlaCounters {
        self.ops.get(o.ix()).copied().unwrap_or_default()
    }

    pub(crate) fn set_line(&mut self, l: LineIdx, value: SlaCounters) {
        *counters(&mut self.lines, l.ix()) = value;
    }

    pub(crate) fn set_op(&mut self, o: OpIdx, value: SlaCounters) {
        *counters(&mut self.ops, o.ix()) = value;
    }

    /// A target starts running for a conversation (unless one already runs).
    pub(crate) fn start(&mut self, core: &mut Core, c: ConvIdx, kind: SlaKind, hours: &LineHours) {
        if self.pending.contains_key(&c) {
            return;
        }
        let Some(sla) = &core.facts.line_of(c).config.sla else {
            return;
        };
        let secs = match kind {
            SlaKind::FirstResponse => sla.first_response_secs,
            SlaKind::NextResponse => sla.next_response_secs,
        };
        let Some(secs) = secs else { return };
        let due = match (hours.hours(), sla.business_hours_only) {
            // Fast path: open now, and still open when the target falls due.
            (Some(_), true)
                if hours.is_open()
                    && hours.next_change().is_some_and(|change| {
                        core.after(secs).is_some_and(|due| due <= change)
                    }) =>
            {
                core.after(secs)
            }
            (Some(schedule), true) => schedule.add_open_secs(core.now(), secs),
            _ => core.after(secs),
        };
        if let Some(due) = due {
            let timer = core.timers.schedule(due, Timer::Sla(c));
            self.pending.insert(c, SlaPending { kind, due, timer });
        }
    }

    /// An operator answered: a running target is met.
    pub(crate) fn answered(&mut self, core: &mut Core, c: ConvIdx, o: OpIdx) {
        if self.pending.is_empty() {
            return;
        }
        if let Some(p) = self.pending.remove(&c) {
            core.timers.cancel(p.timer);
            let line = core.facts.convs[c].line;
            counters(&mut self.lines, line.ix()).record(p.kind, true);
            counters(&mut self.ops, o.ix()).record(p.kind, true);
        }
    }

    /// The conversation closed: a running target no longer counts.
    pub(crate) fn cancel(&mut self, core: &mut Core, c: ConvIdx) {
        if self.pending.is_empty() {
            return;
        }
        if let Some(p) = self.pending.remove(&c) {
            core.timers.cancel(p.timer);
        }
    }

    /// A target's deadline passed without an answer.
    pub(crate) fn fired(&mut self, core: &mut Core, c: ConvIdx) {
        let Some(p) = self.pending.remove(&c) else {
            return;
        };
        let holder = core.facts.convs[c].place.holder();
        let line = core.facts.convs[c].line;
        counters(&mut self.lines, line.ix()).record(p.kind, false);
        if let Some(o) = holder {
            counters(&mut self.ops, o.ix()).record(p.kind, false);
        }
        core.emit(DecisionKind::SlaBreached {
            conversation: core.facts.conv_name(c),
            operator: holder.map(|o| core.facts.op_name(o)),
            kind: p.kind,
            due_at: p.due,
        });
    }

    /// A line was removed: its counters go with it (a line created again starts at zero).
    pub(crate) fn line_removed(&mut self, l: LineIdx) {
        if let Some(c) = self.lines.get_mut(l.ix()) {
            *c = SlaCounters::default();
        }
    }
}
