//! Automatic replies: the engine decides when the host should send them; the host owns the
//! texts.

use serde::{Deserialize, Serialize};

use crate::decision::{AutoReplyKind, DecisionKind, QueueReason};
use crate::state::{ConvIdx, State};
use crate::timers::Timer;

/// Which automatic replies a line asks for (`"auto_replies"` on `upsert_line`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct AutoReplies {
    /// Reply to the first client message of every conversation (new or reopened).
    #[serde(default)]
    pub welcome: bool,
    /// Reply when a client writes while the line is closed (once per closed period).
    #[serde(default)]
    pub off_hours: bool,
    /// Reply when, in working hours with the availability check on, nobody is eligible.
    #[serde(default)]
    pub no_operators: bool,
    /// Reply when no operator has answered this many seconds after the client wrote (once per
    /// unanswered streak).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unanswered_after_secs: Option<u32>,
}

impl State {
    fn replies(&self, c: ConvIdx) -> Option<&AutoReplies> {
        self.line(self.convs[c as usize].line)
            .config
            .auto_replies
            .as_ref()
    }

    fn emit_auto_reply(&mut self, c: ConvIdx, kind: AutoReplyKind) {
        let line = self.convs[c as usize].line;
        self.emit(DecisionKind::AutoReply {
            conversation: self.conv_name(c),
            line: self.line_name(line),
            kind,
        });
    }

    /// A conversation (re)opened on a client's message.
    pub(crate) fn welcome(&mut self, c: ConvIdx) {
        if self.replies(c).is_some_and(|r| r.welcome) {
            self.emit_auto_reply(c, AutoReplyKind::Welcome);
        }
    }

    /// A client wrote: while the line is closed, the off-hours reply, once per closed period.
    pub(crate) fn off_hours_reply(&mut self, c: ConvIdx) {
        let line = self.line(self.convs[c as usize].line);
        if line.is_open || !self.replies(c).is_some_and(|r| r.off_hours) {
            return;
        }
        let period = line.closed_period;
        if self.convs[c as usize].off_hours_period != Some(period) {
            self.convs[c as usize].off_hours_period = Some(period);
            self.emit_auto_reply(c, AutoReplyKind::OffHours);
        }
    }

    /// A conversation was queued: with nobody eligible in working hours under the availability
    /// check, the no-operators reply.
    pub(crate) fn no_operators_reply(&mut self, c: ConvIdx, reason: QueueReason) {
        let line = self.line(self.convs[c as usize].line);
        if reason == QueueReason::NoEligibleOperator
            && line.is_open
            && line.config.check_availability
            && self.replies(c).is_some_and(|r| r.no_operators)
        {
            self.emit_auto_reply(c, AutoReplyKind::NoOperators);
        }
    }

    /// An unanswered streak starts (the client wrote after an answer, or first): arm the
    /// `unanswered` reply.
    pub(crate) fn start_unanswered(&mut self, c: ConvIdx) {
        let Some(secs) = self.replies(c).and_then(|r| r.unanswered_after_secs) else {
            return;
        };
        if self.convs[c as usize].unanswered_timer.is_some() {
            return;
        }
        if let Some(at) = self.after(secs) {
            let key = self.timers.schedule(at, Timer::Unanswered(c));
            self.convs[c as usize].unanswered_timer = Some(Box::new(key));
        }
    }

    /// An operator answered (or the conversation closed): the streak ends.
    pub(crate) fn stop_unanswered(&mut self, c: ConvIdx) {
        if let Some(key) = self.convs[c as usize].unanswered_timer.take() {
            self.timers.cancel(*key);
        }
    }

    /// The `unanswered` deadline passed with no answer.
    pub(crate) fn unanswered_fired(&mut self, c: ConvIdx) {
        self.convs[c as usize].unanswered_timer = None;
        self.emit_auto_reply(c, AutoReplyKind::Unanswered);
    }
}
