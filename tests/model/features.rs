//! The time-aware features: automatic replies, response targets, the bot, ratings.

use super::*;

impl Model {
    /// The client wrote while the line is closed: the `off_hours` reply, once per
    /// conversation and closed period.
    pub(super) fn off_hours_reply(&mut self, c: usize) {
        let line = self.conv_line(c);
        if line.open || !line.cfg.auto_replies.as_ref().is_some_and(|r| r.off_hours) {
            return;
        }
        let period = line.closed_period;
        if self.conversations[c].off_hours_period != Some(period) {
            self.conversations[c].off_hours_period = Some(period);
            self.auto_reply(c, AutoReplyKind::OffHours);
        }
    }

    /// A streak of client messages without an answer starts: the `unanswered` reply is due
    /// after the line's delay (unless a streak is running).
    pub(super) fn start_unanswered(&mut self, c: usize) {
        let Some(secs) = self
            .conv_line(c)
            .cfg
            .auto_replies
            .as_ref()
            .and_then(|r| r.unanswered_after_secs)
        else {
            return;
        };
        let kind = TimerKind::Unanswered(self.conversations[c].id.clone());
        if self.has_timer(&kind) {
            return;
        }
        if let Some(at) = self.after(secs) {
            self.schedule(at, kind);
        }
    }

    /// A response target starts (unless one runs): due after its seconds, counting only open
    /// time with `business_hours_only` on a line with hours.
    pub(super) fn start_sla(&mut self, c: usize, kind: SlaKind) {
        if self.conversations[c].sla.is_some() {
            return;
        }
        let now = self.now_();
        let line = self.conv_line(c);
        let Some(sla) = &line.cfg.sla else {
            return;
        };
        let secs = match kind {
            SlaKind::FirstResponse => sla.first_response_secs,
            _ => sla.next_response_secs,
        };
        let Some(secs) = secs else {
            return;
        };
        let due = match (&line.hours, sla.business_hours_only) {
            (Some(h), true) => h.add_open_secs(now, secs),
            _ => self.after(secs),
        };
        if let Some(due) = due {
            self.schedule(due, TimerKind::Sla(self.conversations[c].id.clone()));
            self.conversations[c].sla = Some((kind, due));
        }
    }

    /// An operator answered: a running target is met, by them.
    pub(super) fn sla_met(&mut self, c: usize, op: &str) {
        if let Some((kind, _)) = self.conversations[c].sla.take() {
            self.cancel(TimerKind::Sla(self.conversations[c].id.clone()));
            let line = self.conversations[c].line.clone();
            record(&mut self.line_rec_mut(&line).sla, kind, true);
            record(&mut self.op_record_mut(op).sla, kind, true);
        }
    }

    /// A target's deadline passed: missed, by whoever holds the conversation now.
    pub(super) fn sla_missed(&mut self, c: usize) {
        let Some((kind, due_at)) = self.conversations[c].sla.take() else {
            return;
        };
        let holder = match &self.conversations[c].at {
            Where::Assigned { op, .. } => Some(op.clone()),
            _ => None,
        };
        let line = self.conversations[c].line.clone();
        record(&mut self.line_rec_mut(&line).sla, kind, false);
        if let Some(o) = &holder {
            record(&mut self.op_record_mut(o).sla, kind, false);
        }
        self.emit(DecisionKind::SlaBreached {
            conversation: self.cid(c),
            operator: holder.map(|o| o.as_str().into()),
            kind,
            due_at,
        });
    }

    /// A new session meets its line's bot, if the line has one that joins it.
    pub(super) fn bot_joins(&mut self, c: usize) -> bool {
        let Some(bot) = self.conv_line(c).cfg.bot.clone() else {
            return false;
        };
        let client = self.conversations[c].client.clone();
        let contacts = self.client(&client).map_or(0, |cl| cl.contacts);
        if bot.join == BotJoin::FirstContact && contacts > 1 {
            return false;
        }
        let deadline = bot.handoff_after_secs.and_then(|s| self.after(s));
        if let Some(at) = deadline {
            self.schedule(at, TimerKind::Bot(self.conversations[c].id.clone()));
        }
        self.conversations[c].at = Where::WithBot {
            bot: bot.bot.clone(),
            deadline,
        };
        self.emit(DecisionKind::BotAssigned {
            conversation: self.cid(c),
            bot: bot.bot,
        });
        true
    }

    pub(super) fn bot_left(&mut self, c: usize, bot: String, reason: BotLeftReason) {
        self.emit(DecisionKind::BotLeft {
            conversation: self.cid(c),
            bot,
            reason,
        });
    }

    /// The bot's turn ends (hand-off or timeout): to the queue, or closed, as the line's bot
    /// (if it still has one) says.
    pub(super) fn bot_leaves(&mut self, c: usize, reason: BotLeftReason) {
        if !matches!(self.conversations[c].at, Where::WithBot { .. }) {
            return;
        }
        let Where::WithBot { bot, .. } = self.leave(c) else {
            unreachable!("checked above");
        };
        self.bot_left(c, bot, reason);
        let on_leave = self
            .conv_line(c)
            .cfg
            .bot
            .as_ref()
            .map_or(BotLeave::Queue, |b| b.on_leave);
        match on_leave {
            BotLeave::Close => self.close(c, CloseReason::Bot),
            _ => self.route(c),
        }
    }
}
