//! Automatic replies: the engine decides when the host should send them; the host owns the
//! texts. Per conversation it keeps the `unanswered` deadline of the current unanswered
//! streak and the closed period in which the off-hours reply was last sent.

use rustc_hash::FxHashMap;

use super::schedule::LineHours;
use crate::index::timers::{Timer, TimerKey};
use crate::model::ids::ConvIdx;
use crate::state::Core;
use crate::wire::decision::{AutoReplyKind, DecisionKind, QueueReason};
use crate::wire::settings::AutoReplies;

/// The automatic replies' own state.
#[derive(Clone, Debug, Default)]
pub(crate) struct Replies {
    /// The `unanswered` deadline of each conversation's current unanswered streak.
    unanswered: FxHashMap<ConvIdx, TimerKey>,
    /// The closed period of its line in which each conversation was last sent the off-hours
    /// reply.
    off_hours_period: FxHashMap<ConvIdx, u64>,
}

fn settings(core: &Core, c: ConvIdx) -> Option<&AutoReplies> {
    core.facts.line_of(c).config.auto_replies.as_ref()
}

fn emit(core: &mut Core, c: ConvIdx, kind: AutoReplyKind) {
    let line = core.facts.convs[c].line;
    core.emit(DecisionKind::AutoReply {
        conversation: core.facts.conv_name(c),
        line: core.facts.line_name(line),
        kind,
    });
}

impl Replies {
    /// A conversation's `unanswered` deadline.
    pub(crate) fn unanswered_deadline(&self, c: ConvIdx) -> Option<TimerKey> {
        self.unanswered.get(&c).copied()
    }

    /// The closed period in which a conversation was last sent the off-hours reply.
    pub(crate) fn off_hours_period(&self, c: ConvIdx) -> Option<u64> {
        self.off_hours_period.get(&c).copied()
    }

    /// Restores what a snapshot recorded of a conversation.
    pub(crate) fn restore(
        &mut self,
        c: ConvIdx,
        unanswered: Option<TimerKey>,
        period: Option<u64>,
    ) {
        if let Some(key) = unanswered {
            self.unanswered.insert(c, key);
        }
        if let Some(period) = period {
            self.off_hours_period.insert(c, period);
        }
    }

    /// A conversation (re)opened on a client's message.
    pub(crate) fn welcome(&mut self, core: &mut Core, c: ConvIdx) {
        if settings(core, c).is_some_and(|r| r.welcome) {
            emit(core, c, AutoReplyKind::Welcome);
        }
    }

    /// A client wrote: while the line is closed, the off-hours reply, once per closed period.
    pub(crate) fn off_hours(&mut self, core: &mut Core, c: ConvIdx, hours: &LineHours) {
        if hours.is_open() || !settings(core, c).is_some_and(|r| r.off_hours) {
            return;
        }
        let period = hours.closed_period();
        if self.off_hours_period.insert(c, period) != Some(period) {
            emit(core, c, AutoReplyKind::OffHours);
        }
    }

    /// A conversation was queued: with nobody eligible in working hours under the availability
    /// check, the no-operators reply.
    pub(crate) fn no_operators(
        &mut self,
        core: &mut Core,
        c: ConvIdx,
        reason: QueueReason,
        line_open: bool,
    ) {
        if reason == QueueReason::NoEligibleOperator
            && line_open
            && core.facts.line_of(c).config.check_availability
            && settings(core, c).is_some_and(|r| r.no_operators)
        {
            emit(core, c, AutoReplyKind::NoOperators);
        }
    }

    /// An unanswered streak starts (the client wrote after an answer, or first): arm the
    /// `unanswered` reply.
    pub(crate) fn start_unanswered(&mut self, core: &mut Core, c: ConvIdx) {
        let Some(secs) = settings(core, c).and_then(|r| r.unanswered_after_secs) else {
            return;
        };
        if self.unanswered.contains_key(&c) {
            return;
        }
        if let Some(at) = core.after(secs) {
            let key = core.timers.schedule(at, Timer::Unanswered(c));
            self.unanswered.insert(c, key);
        }
    }

    /// An operator answered (or the conversation closed): the streak ends.
    pub(crate) fn stop_unanswered(&mut self, core: &mut Core, c: ConvIdx) {
        if self.unanswered.is_empty() {
            return;
        }
        if let Some(key) = self.unanswered.remove(&c) {
            core.timers.cancel(key);
        }
    }

    /// The conversation is forgotten (closed, so no `unanswered` deadline is left).
    pub(crate) fn forgotten(&mut self, c: ConvIdx) {
        self.off_hours_period.remove(&c);
    }

    /// The `unanswered` deadline passed with no answer.
    pub(crate) fn unanswered_fired(&mut self, core: &mut Core, c: ConvIdx) {
        self.unanswered.remove(&c);
        emit(core, c, AutoReplyKind::Unanswered);
    }
}
