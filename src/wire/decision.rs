//! What the engine tells the host: where conversations go, and why.
//!
//! Serialised with an internal `"type"` tag in `snake_case` and the moment the decision takes
//! effect in `"at"`, exactly as the wire format of DESIGN §3 names them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{ConversationId, LineId, OperatorId};
use super::rules::{RuleList, Status};

/// One decision, stamped with the moment it takes effect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// When the decision takes effect: the input's time, or the deadline that caused it.
    pub at: DateTime<Utc>,
    /// What was decided.
    #[serde(flatten)]
    pub kind: DecisionKind,
}

/// What was decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DecisionKind {
    /// A conversation is now the responsibility of an operator.
    Assigned {
        /// The conversation.
        conversation: ConversationId,
        /// Its line.
        line: LineId,
        /// The operator now responsible.
        operator: OperatorId,
        /// Why.
        reason: AssignReason,
        /// The deadline by which the operator must answer, or it moves on. Absent when the
        /// assignment is final, and for two kinds of unconfirmed one: while nobody awaits an
        /// answer (the operator spoke last, or nobody has), so that it cannot move on every
        /// timeout — it is announced again with `answer_by` when the client writes; and for a
        /// call or callback that rings until its holder accepts it, with no deadline (on a line
        /// without an offer timeout, or pinned under `always`, transferred, given by a rule's
        /// `assign` or kept by `keep_last`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answer_by: Option<DateTime<Utc>>,
    },
    /// A conversation is offered to several operators at once (mode `all`).
    Offered {
        /// The conversation.
        conversation: ConversationId,
        /// Its line.
        line: LineId,
        /// Everyone it is offered to, in queue order.
        operators: Vec<OperatorId>,
        /// When the offer expires and is renewed. Absent when the line has no offer timeout,
        /// and while nobody awaits an answer (the operator spoke last, or nobody has) — it is
        /// announced again with `expires_at` when the client writes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<DateTime<Utc>>,
    },
    /// An `all`-mode offer to one operator is withdrawn.
    OfferWithdrawn {
        /// The conversation.
        conversation: ConversationId,
        /// The operator who loses the offer.
        operator: OperatorId,
        /// Why.
        reason: WithdrawReason,
    },
    /// A conversation leaves the operator who was responsible for it.
    Unassigned {
        /// The conversation.
        conversation: ConversationId,
        /// The operator it leaves.
        operator: OperatorId,
        /// Why.
        reason: UnassignReason,
    },
    /// A conversation enters a line's waiting queue.
    Queued {
        /// The conversation.
        conversation: ConversationId,
        /// The line whose queue it waits in.
        line: LineId,
        /// Why it could not be placed.
        reason: QueueReason,
    },
    /// A conversation is closed.
    Closed {
        /// The conversation.
        conversation: ConversationId,
        /// Why.
        reason: CloseReason,
    },
    /// The host should send the client an automatic reply (the engine decides when; the host
    /// owns the texts).
    AutoReply {
        /// The conversation.
        conversation: ConversationId,
        /// Its line.
        line: LineId,
        /// Which reply.
        kind: AutoReplyKind,
    },
    /// A response-time target was missed.
    SlaBreached {
        /// The conversation.
        conversation: ConversationId,
        /// The operator responsible at that moment, when someone is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        operator: Option<OperatorId>,
        /// Which target.
        kind: SlaKind,
        /// When the answer was due.
        due_at: DateTime<Utc>,
    },
    /// A chat-bot takes the conversation first.
    BotAssigned {
        /// The conversation.
        conversation: ConversationId,
        /// The bot.
        bot: String,
    },
    /// The chat-bot's turn ended; the conversation is routed (or closed) next.
    BotLeft {
        /// The conversation.
        conversation: ConversationId,
        /// The bot.
        bot: String,
        /// Why.
        reason: BotLeftReason,
    },
    /// The host should ask the client to rate the conversation.
    RatingRequested {
        /// The conversation.
        conversation: ConversationId,
    },
    /// A rule's conditions held for the input about this conversation; its actions follow.
    RuleApplied {
        /// The conversation.
        conversation: ConversationId,
        /// The list the rule is in.
        list: RuleList,
        /// The rule's name.
        rule: String,
    },
    /// A conversation's status changed.
    StatusChanged {
        /// The conversation.
        conversation: ConversationId,
        /// Its status now.
        status: Status,
    },
    /// A conversation's session ended without closing it; emitted again whenever a completed
    /// conversation's line or responsible changes.
    Completed {
        /// The conversation.
        conversation: ConversationId,
        /// Its line.
        line: LineId,
        /// Its responsible, when it has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        responsible: Option<OperatorId>,
    },
    /// A callback order is scheduled: it starts waiting at `due_at` (now, when due at once).
    CallbackScheduled {
        /// The order.
        conversation: ConversationId,
        /// Its line.
        line: LineId,
        /// When it falls due.
        due_at: DateTime<Utc>,
        /// Which attempt this is (1 for the first).
        attempt: u32,
    },
}

/// Which automatic reply to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AutoReplyKind {
    /// To a conversation's first client message.
    Welcome,
    /// The client wrote while the line is closed (once per closed period).
    OffHours,
    /// In working hours with the availability check on, nobody is eligible.
    NoOperators,
    /// No operator has answered `unanswered_after_secs` after the client wrote.
    Unanswered,
}

/// Which response-time target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SlaKind {
    /// The first operator answer of a conversation.
    FirstResponse,
    /// The operator answer to a client message that came after an answer.
    NextResponse,
}

/// Why a chat-bot left a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BotLeftReason {
    /// The host said so (`bot_handoff`), or an operator stepped in.
    Handoff,
    /// `handoff_after_secs` passed.
    Timeout,
    /// A rule moved or completed the conversation.
    Rule,
    /// The conversation was completed.
    Completed,
}

/// Why a conversation was assigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AssignReason {
    /// Picked by the line's queue mode.
    Routed,
    /// The client's pinned operator.
    Pinned,
    /// The last operator who served the client (`prefer_last_operator`).
    LastOperator,
    /// The winner of an `all`-mode offer (by accepting or by answering).
    Accepted,
    /// Taken manually (or by an operator answering a conversation held by someone else).
    Taken,
    /// Transferred to this operator.
    Transferred,
    /// Opened by the operator's own outbound message.
    Outbound,
    /// Given by a rule's `assign` or `assign_responsible`.
    Rule,
    /// Intercepted while ringing at someone else (`intercept`).
    Intercepted,
}

/// Why an `all`-mode offer was withdrawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WithdrawReason {
    /// Someone else got the conversation: accepted it, answered it, took it, or it was
    /// transferred. (A conversation closed while offered — by `close`, `spam`, a rule's `close`
    /// or otherwise — emits only `closed`: it ends every offer with it. `abandon` alone first
    /// withdraws each offer, reason `abandoned`. `complete` does not close: it withdraws them,
    /// reason `completed`, or `rule` when a rule completes the conversation.)
    AcceptedElsewhere,
    /// The offer expired unanswered.
    Expired,
    /// The operator became unavailable.
    Unavailable,
    /// The operator was removed.
    Removed,
    /// A rule moved the conversation.
    Rule,
    /// The conversation was completed.
    Completed,
    /// The client left before being served (`abandon`).
    Abandoned,
    /// Another operator intercepted the ringing call.
    Intercepted,
}

/// Why a conversation left its operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum UnassignReason {
    /// The operator did not answer by the deadline.
    NoAnswer,
    /// The operator became unavailable before answering.
    Unavailable,
    /// The conversation was transferred.
    Transferred,
    /// Another operator took it (or answered it).
    TakenOver,
    /// The operator was removed.
    Removed,
    /// A rule moved the conversation.
    Rule,
    /// The conversation was completed.
    Completed,
    /// The client left before being served (`abandon`).
    Abandoned,
    /// Another operator intercepted the ringing call.
    Intercepted,
    /// The callback attempt failed (`callback_result` other than `connected`).
    AttemptFailed,
}

/// Why a conversation waits in a line's queue. When several apply, the first listed is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum QueueReason {
    /// Pinned with policy `always` to an operator who is inactive.
    WaitingForPinned,
    /// The line is closed (working hours).
    OffHours,
    /// The channel's operator list is explicitly empty: no automatic distribution.
    NoOperatorsForChannel,
    /// Every eligible operator was tried (`on_exhausted` `requeue`).
    Exhausted,
    /// Eligible operators exist but none has room: for a text, each is at their cap or holds a
    /// call or callback; for a call or callback, each holds something or is at their cap (a
    /// call goes only to an operator who holds nothing). Also given to a conversation that came
    /// back to its queue when the capacity it could take went to those waiting before it.
    AtCapacity,
    /// Nobody is eligible.
    NoEligibleOperator,
}

/// Why a conversation was closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CloseReason {
    /// Closed by the host (an operator or the client ended it).
    Closed,
    /// Marked as spam.
    Spam,
    /// Its line was removed.
    LineRemoved,
    /// Closed because the client rated it.
    Rated,
    /// Closed because the client stopped writing.
    Inactivity,
    /// Closed when the chat-bot left.
    Bot,
    /// Closed by a rule.
    Rule,
    /// The client left before being served (`abandon`).
    Abandoned,
    /// A callback order used up its attempts.
    AttemptsExhausted,
}
