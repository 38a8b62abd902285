//! Conversations and their lifecycle: where each one is.

use chrono::{DateTime, Utc};

use super::ids::{ChanIdx, ClientIdx, ConvIdx, LineIdx, OpIdx};
use super::operator::PROFILES;
use crate::index::timers::TimerKey;
use crate::index::waiting::Bucket;

/// Where a conversation is. One enum, so a conversation cannot be in two places.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    Closed,
    /// Between two places while the engine moves it; never seen outside one input.
    Limbo,
    /// In its line's waiting queue (and in one bucket the drain watches).
    Waiting {
        since: DateTime<Utc>,
        seq: u64,
        bucket: Bucket,
    },
    Assigned {
        op: OpIdx,
        /// The answer deadline of an unconfirmed assignment.
        deadline: Option<TimerKey>,
    },
    /// Offered to several operators at once (mode `all`).
    Offered {
        ops: Box<[OpIdx]>,
        deadline: Option<TimerKey>,
    },
    /// With the line's chat-bot, until it hands over or its time runs out.
    WithBot {
        bot: Box<str>,
        deadline: Option<TimerKey>,
    },
}

impl Place {
    /// The operator holding it, if it is assigned.
    pub(crate) fn holder(&self) -> Option<OpIdx> {
        match self {
            Place::Assigned { op, .. } => Some(*op),
            _ => None,
        }
    }

    /// The deadline of the place itself: an answer deadline, an offer's expiry, the bot's turn.
    pub(crate) fn deadline(&self) -> Option<TimerKey> {
        match self {
            Place::Assigned { deadline, .. }
            | Place::Offered { deadline, .. }
            | Place::WithBot { deadline, .. } => *deadline,
            Place::Closed | Place::Limbo | Place::Waiting { .. } => None,
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
    /// Operators already tried since the last fresh routing, with their epochs at the time.
    pub(crate) tried: Vec<(OpIdx, [u32; PROFILES])>,
}

impl Conversation {
    /// A conversation that has just opened on `line`, in limbo.
    pub(crate) fn new(client: ClientIdx, channel: ChanIdx, line: LineIdx) -> Self {
        Self {
            place: Place::Limbo,
            client,
            channel,
            line,
            awaiting_reply: false,
            answered: false,
            tried: Vec::new(),
        }
    }

    pub(crate) fn is_open(&self) -> bool {
        self.place != Place::Closed
    }
}

/// A validated message's conversation: new (interned when applied) or known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Known {
    New,
    Known(ConvIdx),
}
