//! Conversations and their lifecycle: where each one is.

use chrono::{DateTime, Utc};

use super::ids::{ChanIdx, ClientIdx, ConvIdx, LineIdx, OpIdx};
use super::operator::PROFILES;
use crate::index::timers::TimerKey;
use crate::index::waiting::Bucket;
use crate::queue::priority::WaitKey;
use crate::wire::decision::AssignReason;
use crate::wire::ids::ClientId;
use crate::wire::queue::Request;
use crate::wire::rules::Status;

/// Where a conversation is. One enum, so a conversation cannot be in two places.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// Closed at `at`; forgotten at the `forget` deadline (none while the engine keeps
    /// closed conversations forever).
    Closed {
        at: DateTime<Utc>,
        forget: Option<TimerKey>,
    },
    /// Between two places while the engine moves it; never seen outside one input.
    Limbo,
    /// In its line's waiting queue (and in one bucket the drain watches), at `key`; when
    /// the wait began is in `Facts::waits`.
    Waiting { key: WaitKey, bucket: Bucket },
    Assigned {
        op: OpIdx,
        /// Why it was given (said again when its clock starts).
        reason: AssignReason,
        answer: Answer,
    },
    /// Offered to several operators at once (mode `all`).
    Offered {
        ops: Box<[OpIdx]>,
        deadline: Option<TimerKey>,
        /// No deadline because nobody awaited an answer (DESIGN §6), not because the line
        /// has no offer timeout: the clock starts when the client writes.
        unclocked: bool,
    },
    /// With the line's chat-bot, until it hands over or its time runs out.
    WithBot {
        bot: Box<str>,
        deadline: Option<TimerKey>,
    },
    /// Its session ended without closing it (DESIGN §6): in no queue, held by nobody, until a
    /// message or a take re-activates it.
    Completed,
    /// A callback order due later (DESIGN §7): in no queue until `due`.
    Scheduled { due: TimerKey },
}

/// Where an assignment stands with its operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    /// Final: confirmed, or final when made.
    Final,
    /// Unconfirmed, to be answered by this deadline.
    Due(TimerKey),
    /// Unconfirmed, with no clock: nobody awaits an answer (DESIGN §6), until the client
    /// writes.
    Unclocked,
}

impl Answer {
    pub(crate) fn deadline(self) -> Option<TimerKey> {
        match self {
            Answer::Due(key) => Some(key),
            Answer::Final | Answer::Unclocked => None,
        }
    }

    pub(crate) fn is_final(self) -> bool {
        self == Answer::Final
    }
}

impl Place {
    /// The operator holding it, if it is assigned.
    pub(crate) fn holder(&self) -> Option<OpIdx> {
        match self {
            Place::Assigned { op, .. } => Some(*op),
            _ => None,
        }
    }

    /// The deadline of the place itself: an answer deadline, an offer's expiry, the bot's turn,
    /// the moment a closed conversation is forgotten.
    pub(crate) fn deadline(&self) -> Option<TimerKey> {
        match self {
            Place::Assigned { answer, .. } => answer.deadline(),
            Place::Offered { deadline, .. } | Place::WithBot { deadline, .. } => *deadline,
            Place::Closed { forget, .. } => *forget,
            Place::Scheduled { due } => Some(*due),
            Place::Limbo | Place::Waiting { .. } | Place::Completed => None,
        }
    }
}

/// One conversation: the stored facts every input about it reads. Features keep their own
/// per-conversation state (`features/`). Records are 64-byte aligned, so each input touches
/// at most two adjacent cache lines.
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub(crate) struct Conversation {
    pub(crate) place: Place,
    pub(crate) client: ClientIdx,
    pub(crate) channel: ChanIdx,
    pub(crate) line: LineIdx,
    /// The client spoke last.
    pub(crate) awaiting_reply: bool,
    /// An operator has answered since the conversation (re)opened.
    pub(crate) answered: bool,
    /// A text, a call or a callback order (DESIGN §7).
    pub(crate) request: Request,
    /// Operators already tried since the last fresh routing, with their epochs at the time.
    pub(crate) tried: Vec<(OpIdx, [u32; PROFILES])>,
    /// Open or waiting for the client (DESIGN §6); kept while closed, so that reopening can
    /// say it changed.
    pub(crate) status: Status,
    /// Its holder while someone holds it, else the last operator who did (or one a rule
    /// named): the "Mine" of support lines.
    pub(crate) responsible: Option<OpIdx>,
    /// When its id was first mentioned, in the order of all conversations' (the order in
    /// which one input that affects several conversations handles them; a slot reused after
    /// forgetting does not make a conversation older).
    pub(crate) born: u64,
    /// When it was first placed (assigned or offered) in its current session: its handling
    /// time runs from then to its close (the queue panel's estimated wait).
    pub(crate) placed_at: Option<DateTime<Utc>>,
}

impl Conversation {
    /// A conversation that has just opened on `line`, in limbo.
    pub(crate) fn new(client: ClientIdx, channel: ChanIdx, line: LineIdx, born: u64) -> Self {
        Self {
            born,
            status: Status::Open,
            responsible: None,
            place: Place::Limbo,
            client,
            channel,
            line,
            awaiting_reply: false,
            answered: false,
            request: Request::Text,
            tried: Vec::new(),
            placed_at: None,
        }
    }

    pub(crate) fn is_open(&self) -> bool {
        !matches!(self.place, Place::Closed { .. })
    }
}

/// Where a validated message goes, with what validation found on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// A new conversation of `client`, on a connected channel and the line it is connected to.
    New {
        client: ClientId,
        channel: ChanIdx,
        line: LineIdx,
    },
    /// A closed conversation, reopened on the line its channel is connected to.
    Reopen { conv: ConvIdx, line: LineIdx },
    /// An open conversation.
    Open(ConvIdx),
}

impl Target {
    /// The conversation it names, if the engine knows it.
    pub(crate) fn known(&self) -> Option<ConvIdx> {
        match *self {
            Target::New { .. } => None,
            Target::Reopen { conv, .. } | Target::Open(conv) => Some(conv),
        }
    }
}

#[cfg(test)]
mod tests {
    /// Records are 64-byte aligned and two cache lines long: a field added must fit, or every
    /// conversation grows by another 64 bytes.
    #[test]
    fn a_conversation_record_is_two_cache_lines() {
        assert_eq!(std::mem::size_of::<super::Conversation>(), 128);
    }
}
