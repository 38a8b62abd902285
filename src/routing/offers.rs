//! Assignments and offers: making them, and what happens when they are answered, expire,
//! or lose their operator.

use chrono::{DateTime, TimeDelta, Utc};

use super::Plan;
use super::moves::By;
use crate::index::timers::Timer;
use crate::model::conversation::{Answer, Place};
use crate::model::ids::{ConvIdx, LineIdx, OpIdx};
use crate::state::{Core, State};
use crate::wire::config::OnExhausted;
use crate::wire::decision::{
    AssignReason, BotLeftReason, DecisionKind, UnassignReason, WithdrawReason,
};

/// Why a conversation left its place, as each kind of place says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Moved {
    pub(crate) unassigned: UnassignReason,
    pub(crate) withdrawn: WithdrawReason,
    pub(crate) bot: BotLeftReason,
}

impl Moved {
    /// Someone else took it (took, accepted, answered).
    pub(crate) fn taken_over() -> Self {
        Self {
            unassigned: UnassignReason::TakenOver,
            withdrawn: WithdrawReason::AcceptedElsewhere,
            bot: BotLeftReason::Handoff,
        }
    }

    /// It was transferred.
    pub(crate) fn transferred() -> Self {
        Self {
            unassigned: UnassignReason::Transferred,
            ..Self::taken_over()
        }
    }

    /// A rule moved it.
    pub(crate) fn by_rule() -> Self {
        Self {
            unassigned: UnassignReason::Rule,
            withdrawn: WithdrawReason::Rule,
            bot: BotLeftReason::Rule,
        }
    }

    /// The client left (`abandon`; a conversation with the bot closes without `bot_left`,
    /// as on `close`).
    pub(crate) fn abandoned() -> Self {
        Self {
            unassigned: UnassignReason::Abandoned,
            withdrawn: WithdrawReason::Abandoned,
            bot: BotLeftReason::Handoff,
        }
    }

    /// Another operator intercepted the ringing call.
    pub(crate) fn intercepted() -> Self {
        Self {
            unassigned: UnassignReason::Intercepted,
            withdrawn: WithdrawReason::Intercepted,
            bot: BotLeftReason::Handoff,
        }
    }

    /// It was completed.
    pub(crate) fn completed() -> Self {
        Self {
            unassigned: UnassignReason::Completed,
            withdrawn: WithdrawReason::Completed,
            bot: BotLeftReason::Completed,
        }
    }
}

impl Core {
    /// When an offer made now on a line expires: `None` without an offer timeout, and also at
    /// the very end of representable time, where an offer simply never expires.
    pub(crate) fn offer_deadline(&self, line: LineIdx) -> Option<DateTime<Utc>> {
        let secs = self.facts.line(line).config.offer_timeout_secs?;
        self.now()
            .checked_add_signed(TimeDelta::seconds(i64::from(secs)))
    }

    /// How an automatic placement of a conversation is to be answered: final on a line
    /// without an offer timeout; by the line's deadline when the client awaits a reply; with
    /// no clock while nobody does (the operator spoke last, or nobody has), so that it cannot
    /// move on every timeout (DESIGN §6).
    fn answer_clock(&self, c: ConvIdx) -> By {
        let conv = &self.facts.convs[c];
        match self.offer_deadline(conv.line) {
            None if conv.request.is_voice() => By::Unclocked,
            None => By::Final,
            // A caller is always waiting for an answer (DESIGN §7).
            Some(at) if conv.awaiting_reply || conv.request.is_voice() => By::At(at),
            Some(_) => By::Unclocked,
        }
    }

    pub(crate) fn emit_unassigned(&mut self, c: ConvIdx, o: OpIdx, reason: UnassignReason) {
        self.emit(DecisionKind::Unassigned {
            conversation: self.facts.conv_name(c),
            operator: self.facts.op_name(o),
            reason,
        });
    }

    pub(crate) fn emit_withdrawn(&mut self, c: ConvIdx, o: OpIdx, reason: WithdrawReason) {
        self.emit(DecisionKind::OfferWithdrawn {
            conversation: self.facts.conv_name(c),
            operator: self.facts.op_name(o),
            reason,
        });
    }

    /// Takes a conversation out of its place, telling the host who lost it and why (the
    /// `winner`, who gets it next, keeps their offer). Returns who held it.
    pub(crate) fn leave_with_decisions(
        &mut self,
        c: ConvIdx,
        winner: Option<OpIdx>,
        why: Moved,
    ) -> Option<OpIdx> {
        match self.leave(c) {
            Place::Assigned { op, .. } => {
                self.emit_unassigned(c, op, why.unassigned);
                Some(op)
            }
            Place::Offered { ops, .. } => {
                for x in ops {
                    if Some(x) != winner {
                        self.emit_withdrawn(c, x, why.withdrawn);
                    }
                }
                None
            }
            Place::WithBot { bot, .. } => {
                self.emit(DecisionKind::BotLeft {
                    conversation: self.facts.conv_name(c),
                    bot: bot.into(),
                    reason: why.bot,
                });
                None
            }
            Place::Closed { .. }
            | Place::Limbo
            | Place::Waiting { .. }
            | Place::Completed
            | Place::Scheduled { .. } => None,
        }
    }
}

/// Whether an assignment for this reason is the operator's own doing — it needs no
/// confirmation, a call included.
fn answered_by_holder(reason: AssignReason) -> bool {
    match reason {
        AssignReason::Accepted
        | AssignReason::Taken
        | AssignReason::Outbound
        | AssignReason::Intercepted => true,
        AssignReason::Routed
        | AssignReason::Pinned
        | AssignReason::LastOperator
        | AssignReason::Transferred
        | AssignReason::Rule => false,
    }
}

impl State {
    /// Assigns a conversation in limbo and says so. A final assignment of a call or callback
    /// that its operator did not make themselves (pinned, transferred, a rule's) rings until
    /// they accept it, with no deadline (DESIGN §7).
    pub(crate) fn assign(&mut self, c: ConvIdx, o: OpIdx, reason: AssignReason, final_: bool) {
        let line = self.core.facts.convs[c].line;
        let by = if !final_ {
            self.core.answer_clock(c)
        } else if self.core.facts.convs[c].request.is_voice() && !answered_by_holder(reason) {
            By::Unclocked
        } else {
            By::Final
        };
        let answer_by = match by {
            By::At(at) => Some(at),
            By::Final | By::Unclocked => None,
        };
        self.core.enter_assigned(c, o, reason, by);
        self.core.emit(DecisionKind::Assigned {
            conversation: self.core.facts.conv_name(c),
            line: self.core.facts.line_name(line),
            operator: self.core.facts.op_name(o),
            reason,
            answer_by,
        });
        self.placed(c);
    }

    /// Offers a conversation in limbo to several operators at once and says so.
    pub(crate) fn offer(&mut self, c: ConvIdx, ops: Vec<OpIdx>) {
        let line = self.core.facts.convs[c].line;
        let by = self.core.answer_clock(c);
        let expires_at = match by {
            By::At(at) => Some(at),
            By::Final | By::Unclocked => None,
        };
        self.core.emit(DecisionKind::Offered {
            conversation: self.core.facts.conv_name(c),
            line: self.core.facts.line_name(line),
            operators: ops.iter().map(|&o| self.core.facts.op_name(o)).collect(),
            expires_at,
        });
        self.core
            .enter_offered(c, ops, expires_at, by == By::Unclocked);
        self.placed(c);
    }

    /// The client wrote while their conversation's placement has no clock (it was placed while
    /// nobody awaited an answer): the clock starts, and the placement is announced again with
    /// its deadline — same holder and reason, or same operators.
    pub(crate) fn start_answer_clock(&mut self, c: ConvIdx) {
        // A call without a clock rings so on purpose (pinned, transferred, kept): a caller
        // speaking again changes nothing (DESIGN §7).
        if self.core.facts.convs[c].request.is_voice() {
            return;
        }
        let line = self.core.facts.convs[c].line;
        let unclocked = matches!(
            &self.core.facts.convs[c].place,
            Place::Assigned {
                answer: Answer::Unclocked,
                ..
            } | Place::Offered {
                unclocked: true,
                ..
            }
        );
        let Some(at) = unclocked.then(|| self.core.offer_deadline(line)).flatten() else {
            return;
        };
        let (conversation, line_id) = (
            self.core.facts.conv_name(c),
            self.core.facts.line_name(line),
        );
        match self.core.facts.convs[c].place.clone() {
            Place::Assigned { op, reason, .. } => {
                self.core.start_clock(c, at);
                self.core.emit(DecisionKind::Assigned {
                    conversation,
                    line: line_id,
                    operator: self.core.facts.op_name(op),
                    reason,
                    answer_by: Some(at),
                });
            }
            Place::Offered { ops, .. } => {
                let key = self.core.timers.schedule(at, Timer::Offer(c));
                if let Place::Offered {
                    deadline,
                    unclocked,
                    ..
                } = &mut self.core.facts.convs[c].place
                {
                    *deadline = Some(key);
                    *unclocked = false;
                }
                self.core.emit(DecisionKind::Offered {
                    conversation,
                    line: line_id,
                    operators: ops.iter().map(|&o| self.core.facts.op_name(o)).collect(),
                    expires_at: Some(at),
                });
            }
            _ => {}
        }
    }

    /// The holder of an unanswered assignment leaves it (no answer, unavailable): it moves to
    /// the next eligible operator not yet tried.
    pub(crate) fn move_on(&mut self, c: ConvIdx, reason: UnassignReason) {
        let Place::Assigned { op, .. } = self.core.leave(c) else {
            return;
        };
        self.core.emit_unassigned(c, op, reason);
        self.core.mark_tried(c, op);
        self.route_back(c);
    }

    /// An unanswered assignment reached its deadline.
    pub(crate) fn assignment_expired(&mut self, c: ConvIdx, holder: OpIdx) {
        self.core.mark_tried(c, holder);
        let plan = self.plan(c);
        let line = self.core.facts.convs[c].line;
        let keep = match &plan {
            Plan::Exhausted(_) => (self.core.facts.line(line).config.on_exhausted
                == OnExhausted::KeepLast)
                .then_some(AssignReason::Routed),
            // Only an `always` pin picks the holder again: nobody else could take it anyway.
            Plan::Assign { op, reason, .. } => (*op == holder).then_some(*reason),
            Plan::Offer(_) | Plan::Wait(..) => None,
        };
        if let Some(reason) = keep {
            self.keep_final(c, holder, reason);
            return;
        }
        self.core.leave(c);
        self.core
            .emit_unassigned(c, holder, UnassignReason::NoAnswer);
        // Planned again now that the holder let go: their load no longer counts this
        // conversation (an `all`-mode renewal may offer it to them again).
        self.route_back(c);
    }

    /// An `all`-mode offer reached its deadline: withdrawn and renewed to whoever is eligible.
    pub(crate) fn offer_expired(&mut self, c: ConvIdx) {
        let Place::Offered { ops, .. } = self.core.leave(c) else {
            return;
        };
        for o in ops {
            self.core.emit_withdrawn(c, o, WithdrawReason::Expired);
        }
        self.route_back(c);
    }

    /// One operator loses an `all`-mode offer; with no offer left the conversation is routed
    /// again.
    pub(crate) fn withdraw_one(&mut self, c: ConvIdx, o: OpIdx, reason: WithdrawReason) {
        let Place::Offered { ops, .. } = &mut self.core.facts.convs[c].place else {
            return;
        };
        *ops = ops.iter().copied().filter(|&x| x != o).collect();
        let empty = ops.is_empty();
        self.core.idx.ops[o].offers.remove(&c);
        self.core.emit_withdrawn(c, o, reason);
        if empty {
            self.core.leave(c);
            self.route_back(c);
        }
    }

    /// An unconfirmed assignment stays with its holder for good: the deadline the host was
    /// told ends, and `assigned` names the holder again without one (DESIGN §1). A call or
    /// callback keeps ringing, with no deadline, until its holder accepts it (DESIGN §7).
    pub(crate) fn keep_final(&mut self, c: ConvIdx, o: OpIdx, reason: AssignReason) {
        if self.core.facts.convs[c].request.is_voice() {
            self.core.stop_clock(c);
        } else {
            self.core.confirm(c);
        }
        let line = self.core.facts.convs[c].line;
        self.core.emit(DecisionKind::Assigned {
            conversation: self.core.facts.conv_name(c),
            line: self.core.facts.line_name(line),
            operator: self.core.facts.op_name(o),
            reason,
            answer_by: None,
        });
    }

    /// A manual move to a named operator (accept, take, answer, transfer): final at once, caps
    /// ignored. Whoever held or was offered the conversation loses it first.
    pub(crate) fn give_to(&mut self, c: ConvIdx, o: OpIdx, reason: AssignReason, why: Moved) {
        if self.core.facts.convs[c].place.holder() == Some(o) {
            self.core.confirm(c);
            return;
        }
        self.dial_now_if_scheduled(c);
        self.core.leave_with_decisions(c, Some(o), why);
        self.assign(c, o, reason, true);
    }

    /// Moves a conversation to a line and routes it there; the operator who held it counts as
    /// tried, so a move back into the same line goes to someone else when anyone can take it.
    pub(crate) fn move_to_line(&mut self, c: ConvIdx, l: LineIdx, why: Moved) {
        self.dial_now_if_scheduled(c);
        let holder = self.core.leave_with_decisions(c, None, why);
        self.core.set_line(c, l);
        self.core.facts.convs[c].tried.clear();
        if let Some(h) = holder {
            self.core.mark_tried(c, h);
        }
        self.route(c);
    }
}
