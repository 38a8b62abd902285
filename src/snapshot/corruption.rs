//! What a corrupt snapshot is refused with: the entity, the sequence or the invariant a
//! restore found wrong, named so that an operator of the host can find it in the JSON.

use std::fmt;

use crate::wire::error::Error;
use crate::wire::ids::LineId;

/// A kind of entity a snapshot records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Entity {
    /// An operator.
    Operator,
    /// A line.
    Line,
    /// A channel.
    Channel,
    /// A group.
    Group,
    /// A client.
    Client,
    /// A conversation.
    Conversation,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entity::Operator => "operator",
            Entity::Line => "line",
            Entity::Channel => "channel",
            Entity::Group => "group",
            Entity::Client => "client",
            Entity::Conversation => "conversation",
        })
    }
}

/// One of the engine's sequence counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Sequence {
    /// The sequence that orders waiting, assignments and operator creation.
    Event,
    /// The sequence of deadlines.
    Deadline,
}

impl fmt::Display for Sequence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Sequence::Event => "event",
            Sequence::Deadline => "deadline",
        })
    }
}

/// What is wrong with a corrupt snapshot.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Corruption {
    /// The ids of a kind and its records differ in number.
    #[error("{0} ids and records differ in number")]
    Count(Entity),
    /// Conversations are recorded but the clock never started.
    #[error("conversations but no clock")]
    NoClock,
    /// A sequence counter lies beyond what any engine reaches (2^62), so that continuing
    /// could overflow it.
    #[error("{which} sequence {value} is beyond any real engine's")]
    Sequence {
        /// Which counter.
        which: Sequence,
        /// The recorded value.
        value: u64,
    },
    /// A record refers to an entity the snapshot does not have.
    #[error("{kind} {id}: unknown {refers_to}")]
    Dangling {
        /// The kind of the record.
        kind: Entity,
        /// Its id.
        id: String,
        /// The kind of what it refers to.
        refers_to: Entity,
    },
    /// A record contradicts itself or the rest.
    #[error("{kind} {id}: {problem}")]
    Inconsistent {
        /// The kind of the record.
        kind: Entity,
        /// Its id.
        id: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// A line's configuration is not valid.
    #[error("{error}")]
    LineConfig {
        /// The line.
        line: LineId,
        /// Why its configuration would be refused.
        error: Error,
    },
    /// Two deadlines have the same key, or one's sequence is past the deadline sequence.
    #[error("a deadline is recorded twice")]
    Deadline,
    /// The rule lists would be refused (a line they name does not exist, a name repeats …).
    #[error("rules: {0}")]
    Rules(Error),
    /// The engine-wide settings are out of range.
    #[error("engine_settings: max_renewals_per_call must be at least 1")]
    Settings,
    /// The audit found an invariant broken in what the snapshot describes.
    #[error("{0}")]
    BrokenInvariant(String),
}

pub(super) fn ensure(ok: bool, corruption: impl FnOnce() -> Corruption) -> Result<(), Corruption> {
    if ok { Ok(()) } else { Err(corruption()) }
}
