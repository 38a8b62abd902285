//! Response-time targets (KPI): time to the first answer and to each next answer.

use serde::{Deserialize, Serialize};

use crate::decision::{DecisionKind, SlaKind};
use crate::state::{ConvIdx, ConvState, OpIdx, SlaPending, State};
use crate::timers::Timer;

/// A line's response-time targets (`"sla"` on `upsert_line`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct SlaConfig {
    /// Seconds from a conversation's first client message to the first operator answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_secs: Option<u32>,
    /// Seconds from a client message that follows an answer to the next answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_response_secs: Option<u32>,
    /// Count only time while the line is open (by its schedule).
    #[serde(default)]
    pub business_hours_only: bool,
}

impl State {
    /// A target starts running for a conversation (unless one already runs).
    pub(crate) fn start_sla(&mut self, c: ConvIdx, kind: SlaKind) {
        if self.convs[c as usize].sla.is_some() {
            return;
        }
        let line = self.line(self.convs[c as usize].line);
        let Some(sla) = &line.config.sla else { return };
        let secs = match kind {
            SlaKind::FirstResponse => sla.first_response_secs,
            SlaKind::NextResponse => sla.next_response_secs,
        };
        let Some(secs) = secs else { return };
        let due = match (&line.schedule, sla.business_hours_only) {
            // Fast path: open now, and still open when the target falls due.
            (Some(_), true)
                if line.is_open
                    && line.schedule_timer.is_some_and(|(change, _)| {
                        self.after(secs).is_some_and(|due| due <= change)
                    }) =>
            {
                self.after(secs)
            }
            (Some(schedule), true) => schedule.add_open_secs(self.now(), secs),
            _ => self.after(secs),
        };
        if let Some(due) = due {
            let timer = self.timers.schedule(due, Timer::Sla(c));
            self.convs[c as usize].sla = Some(Box::new(SlaPending { kind, due, timer }));
        }
    }

    /// An operator answered: a running target is met.
    pub(crate) fn sla_answered(&mut self, c: ConvIdx, o: OpIdx) {
        if let Some(p) = self.convs[c as usize].sla.take() {
            self.timers.cancel(p.timer);
            let line = self.convs[c as usize].line;
            self.line_mut(line).sla.record(p.kind, true);
            self.ops[o as usize].sla.record(p.kind, true);
        }
    }

    /// The conversation closed: a running target no longer counts.
    pub(crate) fn cancel_sla(&mut self, c: ConvIdx) {
        if let Some(p) = self.convs[c as usize].sla.take() {
            self.timers.cancel(p.timer);
        }
    }

    /// A target's deadline passed without an answer.
    pub(crate) fn sla_fired(&mut self, c: ConvIdx) {
        let Some(p) = self.convs[c as usize].sla.take() else {
            return;
        };
        let holder = match self.convs[c as usize].state {
            ConvState::Assigned { op, .. } => Some(op),
            _ => None,
        };
        let line = self.convs[c as usize].line;
        self.line_mut(line).sla.record(p.kind, false);
        if let Some(o) = holder {
            self.ops[o as usize].sla.record(p.kind, false);
        }
        self.emit(DecisionKind::SlaBreached {
            conversation: self.conv_name(c),
            operator: holder.map(|o| self.op_name(o)),
            kind: p.kind,
            due_at: p.due,
        });
    }
}
