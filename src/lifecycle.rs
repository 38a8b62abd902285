//! The lifecycle hooks: the one ordered list of what happens at each conversation event, and
//! the only way a feature hears of one.
//!
//! | hook | when | what runs, in this order |
//! |---|---|---|
//! | [`opened`](State::opened) | a conversation opens or reopens (a client's or an operator's message) | the status becomes `open`; ratings forget the last session; on a client's message, the `welcome` reply |
//! | [`client_wrote`](State::client_wrote) | a client's message | the status becomes `open`; a follow-up starts the answer clock of a placement that had none; the `off_hours` reply; the inactivity close stops; a new session starts its first-response target, then the `unanswered` clock; a re-activation (DESIGN §6) starts a first- or next-response target, then the `unanswered` clock; a message after an answer starts the `unanswered` clock, then the next-response target |
//! | [`client_session_started`](State::client_session_started) | after both and after the rules, for a session a client's message opened or re-activated that no rule placed | the bot joins (new sessions only), or routing places it |
//! | [`operator_answered`](State::operator_answered) | an operator's message | the running target is met; the `unanswered` clock stops; the inactivity clock restarts |
//! | [`queued`](State::queued) | a conversation enters a waiting queue | `queued`; the `no_operators` reply |
//! | [`placed`](State::placed) | a conversation is assigned or offered | (no feature listens yet: the hook is where one will) |
//! | [`session_completed`](State::session_completed) | a conversation's session completes (`complete`, a rule) | the response target is cancelled silently, the `unanswered` and inactivity clocks stop |
//! | [`closed`](State::closed) | a conversation closes | its handling time counts toward the queue panel's estimated wait (a callback order ends); the response target is cancelled, the `unanswered` and inactivity clocks stop; `closed`; `rating_requested`; with a retention of zero, *forgotten* at once |
//! | [`forgotten`](State::forgotten) | a closed conversation is forgotten (`retention.rs`) | ratings and the off-hours reply drop what they kept of it |
//! | [`bot_leaves`](State::bot_leaves) | the bot hands over or times out | `bot_left`; the queue or a close, as the line says |
//!
//! The rule lists (`src/rules/`) run after the input's own effect — for a client's message that
//! opens or re-activates a conversation, after `client_wrote` and before
//! `client_session_started`, so that a rule which places the conversation pre-empts routing.
//!
//! So a new session on a client's message runs: `welcome`, `off_hours`, first-response
//! target, `unanswered` clock, then bot or routing. The reference model
//! (`tests/model/mod.rs`) follows the same order.

use crate::model::conversation::Place;
use crate::model::ids::{ConvIdx, OpIdx};
use crate::state::State;
use crate::wire::decision::{BotLeftReason, CloseReason, DecisionKind, QueueReason, SlaKind};
use crate::wire::queue::Request;
use crate::wire::rules::Status;
use crate::wire::settings::BotLeave;

/// Who opened a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Opener {
    Client,
    Operator,
    /// A callback order (DESIGN §7): nobody wrote.
    Order,
}

/// Where a client's message falls in its conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClientMessage {
    /// It opened the session (a new conversation, or a closed one reopened).
    OpensSession,
    /// It re-activated a completed conversation; `answered`: an operator has answered since
    /// the conversation opened.
    Reactivates { answered: bool },
    /// It continues an open one; the flags are those before it.
    FollowUp { was_awaiting: bool, answered: bool },
}

impl State {
    /// A conversation opened or reopened, in limbo.
    pub(crate) fn opened(&mut self, c: ConvIdx, by: Opener) {
        // A reopened conversation starts open, and its handling time anew.
        self.set_status(c, Status::Open);
        self.core.facts.convs[c].placed_at = None;
        self.features.rating.reopened(c);
        if by == Opener::Client {
            self.features.replies.welcome(&mut self.core, c);
        }
    }

    /// A client wrote into the conversation.
    pub(crate) fn client_wrote(&mut self, c: ConvIdx, message: ClientMessage) {
        self.set_status(c, Status::Open);
        if let ClientMessage::FollowUp { .. } = message {
            self.start_answer_clock(c);
        }
        let line = self.core.facts.convs[c].line;
        let hours = self.features.schedule.line(line);
        self.features.replies.off_hours(&mut self.core, c, hours);
        self.features.inactivity.stop(&mut self.core, c);
        // The order in which the two deadlines are set decides which fires first when they
        // fall due at the same instant; each case keeps the order it always had.
        match message {
            ClientMessage::Reactivates { answered } => {
                let kind = if answered {
                    SlaKind::NextResponse
                } else {
                    SlaKind::FirstResponse
                };
                let hours = self.features.schedule.line(line);
                self.features.sla.start(&mut self.core, c, kind, hours);
                self.features.replies.start_unanswered(&mut self.core, c);
            }
            ClientMessage::OpensSession => {
                let hours = self.features.schedule.line(line);
                self.features
                    .sla
                    .start(&mut self.core, c, SlaKind::FirstResponse, hours);
                self.features.replies.start_unanswered(&mut self.core, c);
            }
            ClientMessage::FollowUp {
                was_awaiting: false,
                answered,
            } => {
                // A new unanswered streak: the client wrote after an answer.
                self.features.replies.start_unanswered(&mut self.core, c);
                if answered {
                    let hours = self.features.schedule.line(line);
                    self.features
                        .sla
                        .start(&mut self.core, c, SlaKind::NextResponse, hours);
                }
            }
            ClientMessage::FollowUp {
                was_awaiting: true, ..
            } => {}
        }
    }

    /// A session a client's message opened (in limbo) meets the line's bot, or is routed.
    pub(crate) fn client_session_started(&mut self, c: ConvIdx) {
        if !self.features.bot.joins(&mut self.core, c) {
            self.route(c);
        }
    }

    /// An operator wrote into the conversation.
    pub(crate) fn operator_answered(&mut self, c: ConvIdx, o: OpIdx) {
        self.features.sla.answered(&mut self.core, c, o);
        self.features.replies.stop_unanswered(&mut self.core, c);
        self.features.inactivity.restart(&mut self.core, c);
    }

    /// A conversation has just entered a waiting queue.
    pub(crate) fn queued(&mut self, c: ConvIdx, reason: QueueReason) {
        let line = self.core.facts.convs[c].line;
        self.core.emit(DecisionKind::Queued {
            conversation: self.core.facts.conv_name(c),
            line: self.core.facts.line_name(line),
            reason,
        });
        // A callback order has nobody to reply to: its client wrote nothing.
        if self.core.facts.convs[c].request != Request::Callback {
            let open = self.features.schedule.is_open(line);
            self.features
                .replies
                .no_operators(&mut self.core, c, reason, open);
        }
    }

    /// A conversation has just been assigned or offered. No feature listens yet.
    pub(crate) fn placed(&mut self, _c: ConvIdx) {}

    /// A conversation in limbo closes, and says so.
    pub(crate) fn closed(&mut self, c: ConvIdx, reason: CloseReason) {
        let forget_now = self.core.enter_closed(c);
        self.queue.closed(&mut self.core, c);
        self.features.sla.cancel(&mut self.core, c);
        self.features.replies.stop_unanswered(&mut self.core, c);
        self.features.inactivity.stop(&mut self.core, c);
        self.core.emit(DecisionKind::Closed {
            conversation: self.core.facts.conv_name(c),
            reason,
        });
        self.features.rating.closed(&mut self.core, c, reason);
        if forget_now {
            self.forget(c);
        }
    }

    /// A conversation's session completed (DESIGN §6): no answer is pending any more.
    pub(crate) fn session_completed(&mut self, c: ConvIdx) {
        self.features.sla.cancel(&mut self.core, c);
        self.features.replies.stop_unanswered(&mut self.core, c);
        self.features.inactivity.stop(&mut self.core, c);
    }

    /// A closed conversation is about to be forgotten: the features drop what they kept.
    pub(crate) fn forgotten(&mut self, c: ConvIdx) {
        self.features.rating.forgotten(c);
        self.features.replies.forgotten(c);
    }

    /// The bot's turn ends: the conversation goes to the queue, or closes.
    pub(crate) fn bot_leaves(&mut self, c: ConvIdx, reason: BotLeftReason) {
        let Place::WithBot { bot, .. } = self.core.leave(c) else {
            return;
        };
        self.core.emit(DecisionKind::BotLeft {
            conversation: self.core.facts.conv_name(c),
            bot: bot.into(),
            reason,
        });
        match self.features.bot.on_leave(&self.core, c) {
            BotLeave::Queue => self.route(c),
            BotLeave::Close => self.closed(c, CloseReason::Bot),
        }
    }
}
