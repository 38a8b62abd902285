//! Callback orders (DESIGN §7): a widget's request to be called back, scheduled, dialled by
//! an operator who holds nothing else, retried after a failed attempt, and removed once its
//! attempts are used up — as MANGO Office does.

use chrono::{DateTime, TimeDelta, Utc};

use super::Order;
use crate::lifecycle::Opener;
use crate::model::conversation::{Place, Target};
use crate::model::ids::{ConvIdx, OpIdx};
use crate::state::State;
use crate::wire::decision::{CloseReason, DecisionKind, UnassignReason};
use crate::wire::ids::ConversationId;
use crate::wire::queue::{CallbackResult, Request};

impl State {
    /// A callback order opens (a new conversation, or a closed one) and is scheduled for
    /// `due_at` — now, when left out or past. No incoming rules, welcome, bot or response
    /// target run for an order: nobody wrote.
    pub(crate) fn callback_request(
        &mut self,
        id: &ConversationId,
        target: Target,
        due_at: Option<DateTime<Utc>>,
    ) {
        let c = match target {
            Target::New {
                client,
                channel,
                line,
            } => self.open_conversation(id, &client, channel, line),
            Target::Reopen { conv, line } => {
                self.reopen(conv, line);
                conv
            }
            // Validation refuses an order naming an open conversation.
            Target::Open(_) => return,
        };
        let cl = self.core.facts.convs[c].client;
        let contacts = &mut self.core.facts.clients[cl].contacts;
        *contacts = contacts.saturating_add(1);
        self.core.facts.convs[c].request = Request::Callback;
        self.core.set_flags(c, false, false);
        self.opened(c, Opener::Order);
        let now = self.core.now();
        let due = due_at.filter(|&t| t > now).unwrap_or(now);
        self.schedule_attempt(c, due, 1);
    }

    /// Attempt `attempt` of an order in limbo falls due at `due`: said, then scheduled, or
    /// routed at once when due now.
    fn schedule_attempt(&mut self, c: ConvIdx, due: DateTime<Utc>, attempt: u32) {
        self.queue.orders.insert(
            c,
            Order {
                attempt,
                due_at: due,
            },
        );
        let line = self.core.facts.convs[c].line;
        self.core.emit(DecisionKind::CallbackScheduled {
            conversation: self.core.facts.conv_name(c),
            line: self.core.facts.line_name(line),
            due_at: due,
            attempt,
        });
        // Each attempt is routed afresh: it was the client who did not answer; and its wait
        // begins when it falls due.
        self.core.facts.convs[c].tried.clear();
        self.core.end_wait(c);
        if due > self.core.now() {
            self.core.enter_scheduled(c, due);
        } else if attempt == 1 {
            self.route(c);
        } else {
            // A retry due at once comes back to the queue behind whoever waited before it
            // for the operator who just let it go.
            self.core.begin_wait(c);
            self.route_back(c);
        }
    }

    /// A scheduled order taken or transferred before its time is dialled now: its current
    /// attempt falls due now, as `callbacks(line)` then shows.
    pub(crate) fn dial_now_if_scheduled(&mut self, c: ConvIdx) {
        if let Place::Scheduled { .. } = self.core.facts.convs[c].place {
            let now = self.core.now();
            if let Some(order) = self.queue.orders.get_mut(&c) {
                order.due_at = now;
            }
        }
    }

    /// A scheduled order falls due: its wait begins now, and it is routed like a call.
    pub(crate) fn callback_due(&mut self, c: ConvIdx) {
        if let Place::Scheduled { .. } = self.core.facts.convs[c].place {
            // The deadline has fired: nothing to cancel.
            self.core.facts.convs[c].place = Place::Limbo;
            let line = self.core.facts.convs[c].line;
            self.core.idx.lines[line].scheduled -= 1;
            self.route(c);
        }
    }

    /// The holder reports how their attempt went: `connected` confirms the assignment (it is
    /// a call from now on); anything else ends the attempt, and the next one is scheduled or
    /// the order closes with its attempts used up.
    pub(crate) fn callback_result(&mut self, c: ConvIdx, o: OpIdx, result: CallbackResult) {
        if result == CallbackResult::Connected {
            self.core.confirm(c);
            self.core.facts.convs[c].request = Request::Call;
            self.queue.orders.remove(&c);
            self.picked_up(c, o);
            return;
        }
        self.core.leave(c);
        self.core
            .emit_unassigned(c, o, UnassignReason::AttemptFailed);
        let cfg = self
            .core
            .facts
            .line_of(c)
            .config
            .callback
            .unwrap_or_default();
        let attempt = self.queue.orders.get(&c).map_or(1, |order| order.attempt);
        if attempt >= cfg.max_attempts {
            self.closed(c, CloseReason::AttemptsExhausted);
            return;
        }
        let now = self.core.now();
        let due = now
            .checked_add_signed(TimeDelta::seconds(i64::from(cfg.retry_after_secs)))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.schedule_attempt(c, due, attempt + 1);
    }
}
