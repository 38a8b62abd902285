//! Calls and callback orders (DESIGN §7): picking up, `abandon`, `intercept`, VIP clients,
//! and callback orders with their attempts.

use super::*;
use routeline::{CallbackResult, ClientConfig};

impl Model {
    /// An operator picked up a call or callback order (accepted, took or intercepted it, or
    /// the client answered the dial): the operator's answer, as a message is for a text — the
    /// client awaits nothing now, the running target is met and the unanswered streak ends (no
    /// inactivity clock: a call ends when the host closes it). Nothing for a text.
    pub(super) fn picked_up(&mut self, c: usize, op: &str) {
        if !self.is_voice(c) {
            return;
        }
        self.operator_answered(c, op);
    }

    /// An operator's answer (their message, or picking up a call).
    pub(super) fn operator_answered(&mut self, c: usize, op: &str) {
        let id = self.conversations[c].id.clone();
        let conv = &mut self.conversations[c];
        conv.awaiting_reply = false;
        conv.answered = true;
        self.sla_met(c, op);
        self.cancel(TimerKind::Unanswered(id.clone()));
        self.cancel(TimerKind::Inactivity(id.clone()));
        // Never for a call: a caller is on the line, not gone quiet.
        if let Some(secs) = self.conv_line(c).cfg.auto_close_after_secs {
            if let Some(at) = self.after(secs).filter(|_| !self.is_voice(c)) {
                self.schedule(at, TimerKind::Inactivity(id));
            }
        }
    }

    /// The client left before being served: whoever held it or was offered it loses it (no
    /// `bot_left` for the bot, as for `close`), and it closes.
    pub(super) fn abandon(&mut self, c: usize) {
        if !matches!(self.conversations[c].at, Where::WithBot { .. }) {
            self.leave_telling(c, None, Moved::ABANDONED);
        }
        self.close(c, CloseReason::Abandoned);
    }

    /// `intercept`: the call ringing at someone else goes to `op`, final.
    pub(super) fn intercept(&mut self, c: usize, op: &str) {
        self.leave_telling(c, None, Moved::INTERCEPTED);
        self.assign(c, op, AssignReason::Intercepted, true);
        self.picked_up(c, op);
    }

    /// Whether the conversation is a call or order ringing: an unconfirmed assignment or open
    /// offers; with whom.
    pub(super) fn ringing_at(&self, c: usize) -> Option<Vec<String>> {
        if !self.is_voice(c) {
            return None;
        }
        match &self.conversations[c].at {
            Where::Assigned { op, answer, .. } if !answer.is_final() => Some(vec![op.clone()]),
            Where::Offered { ops, .. } => Some(ops.clone()),
            _ => None,
        }
    }

    /// `upsert_client`: the client's attributes; a client left with nothing to keep is
    /// forgotten at once.
    pub(super) fn upsert_client(&mut self, cfg: &ClientConfig) {
        let id = cfg.client.as_str();
        self.client_mut(id).vip = cfg.vip;
        self.forget_client_if_idle(id);
    }

    // ---- callback orders -------------------------------------------------------------------

    /// `callback_request`: a new order (or a closed conversation opened again as one), a
    /// contact of its client, `open`, awaiting nothing; announced, then scheduled or routed.
    pub(super) fn callback_request(
        &mut self,
        id: &str,
        client: &str,
        channel: &str,
        due_at: Option<DateTime<Utc>>,
    ) {
        let c = match self.conv_index(id) {
            None => self.open(id, client, channel, Request::Callback),
            Some(c) => {
                self.reopen(c, Request::Callback);
                c
            }
        };
        self.client_mut(client).contacts += 1;
        let conv = &mut self.conversations[c];
        conv.awaiting_reply = false;
        conv.answered = false;
        self.set_status(c, Status::Open);
        let now = self.now_();
        let due = due_at.map_or(now, |d| d.max(now));
        self.schedule_attempt(c, 1, due);
        if due > now {
            self.conversations[c].at = Where::Scheduled { due };
            self.schedule(due, TimerKind::Callback(id.to_string()));
        } else {
            self.route(c);
        }
    }

    /// The order's attempt `attempt` falls due at `due`: recorded and announced; who was
    /// tried is forgotten.
    fn schedule_attempt(&mut self, c: usize, attempt: u32, due: DateTime<Utc>) {
        let conv = &mut self.conversations[c];
        conv.order = Some((attempt, due));
        conv.tried.clear();
        self.emit(DecisionKind::CallbackScheduled {
            conversation: self.cid(c),
            line: self.lid(c),
            due_at: due,
            attempt,
        });
    }

    /// A scheduled order falls due: its wait starts now and it is routed like a call.
    pub(super) fn callback_due(&mut self, c: usize) {
        if !matches!(self.conversations[c].at, Where::Scheduled { .. }) {
            return;
        }
        self.leave(c);
        self.conversations[c].tried.clear();
        self.route(c);
    }

    /// `callback_result` from the holder: `connected` confirms the dial (a call from now on);
    /// anything else ends the attempt — the next one is scheduled, or the order closes with its
    /// attempts used up.
    pub(super) fn callback_result(&mut self, c: usize, op: &str, result: CallbackResult) {
        if result == CallbackResult::Connected {
            self.confirm(c);
            self.conversations[c].request = Request::Call;
            self.operator_answered(c, op);
            return;
        }
        self.leave(c);
        self.unassigned(c, op, UnassignReason::AttemptFailed);
        let cfg = self.line_of(c).callback.unwrap_or_default();
        let (attempt, _) = self.conversations[c].order.expect("a callback order");
        if attempt >= cfg.max_attempts {
            self.close(c, CloseReason::AttemptsExhausted);
            return;
        }
        let now = self.now_();
        let due = self.after(cfg.retry_after_secs).unwrap_or(now);
        self.conversations[c].wait = None;
        self.schedule_attempt(c, attempt + 1, due);
        if due > now {
            self.conversations[c].at = Where::Scheduled { due };
            let id = self.conversations[c].id.clone();
            self.schedule(due, TimerKind::Callback(id));
        } else {
            self.begin_wait(c);
            self.route_back(c);
        }
    }
}
