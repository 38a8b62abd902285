//! What the host tells the engine: configuration commands and events from the world.
//!
//! Serialised with an internal `"type"` tag in `snake_case`, exactly as the wire format of
//! DESIGN §3 names them. The time of an input is not part of it: it is the `now` given to
//! [`Engine::handle`](crate::Engine::handle) (the `"at"` of a JSON line).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{ChannelConfig, LineConfig, OperatorConfig};
use crate::id::{ChannelId, ClientId, ConversationId, LineId, OperatorId};

/// An operator's presence status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Online: can receive work under the availability check.
    Online,
    /// Away ("not online"): receives nothing under the availability check.
    Away,
    /// Offline: the state of an operator the engine has just met.
    #[default]
    Offline,
}

/// One input to the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Input {
    /// Creates an operator or replaces their configuration.
    UpsertOperator(OperatorConfig),
    /// Removes an operator; what they held is unassigned and routed again.
    RemoveOperator {
        /// The operator.
        operator: OperatorId,
    },
    /// Creates a line or replaces its configuration.
    UpsertLine(LineConfig),
    /// Removes a line with no connected channels; its open conversations close.
    RemoveLine {
        /// The line.
        line: LineId,
    },
    /// Connects a channel to a line (or reconfigures it on the same line).
    ConnectChannel(ChannelConfig),
    /// Disconnects a channel; its open conversations stay on their line.
    DisconnectChannel {
        /// The channel.
        channel: ChannelId,
    },
    /// Pins a client to an operator (their personal manager).
    PinClient {
        /// The client.
        client: ClientId,
        /// The operator, who must exist.
        operator: OperatorId,
    },
    /// Removes a client's pin.
    UnpinClient {
        /// The client.
        client: ClientId,
    },
    /// An operator's presence changed.
    Presence {
        /// The operator.
        operator: OperatorId,
        /// The new status.
        status: Presence,
    },
    /// An operator started their work day (time tracking).
    WorkdayStarted {
        /// The operator.
        operator: OperatorId,
    },
    /// An operator ended their work day.
    WorkdayEnded {
        /// The operator.
        operator: OperatorId,
    },
    /// An absence window (vacation, sick leave): `from` inclusive, `until` exclusive.
    /// Absences add up.
    Absence {
        /// The operator.
        operator: OperatorId,
        /// When the absence starts.
        from: DateTime<Utc>,
        /// When it ends; must be later than `from`.
        until: DateTime<Utc>,
    },
    /// Removes every absence of an operator.
    ClearAbsences {
        /// The operator.
        operator: OperatorId,
    },
    /// A client wrote: opens a new conversation, continues an open one or reopens a closed one.
    MessageIn {
        /// The conversation.
        conversation: ConversationId,
        /// The client who wrote.
        client: ClientId,
        /// The channel it came through, which must be connected.
        channel: ChannelId,
    },
    /// An operator wrote. On an unknown (or closed) conversation with `client` and `channel` it
    /// opens an outbound conversation assigned to its author.
    MessageOut {
        /// The conversation.
        conversation: ConversationId,
        /// The operator who wrote.
        operator: OperatorId,
        /// The client, needed when the message opens a new conversation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client: Option<ClientId>,
        /// The channel, needed when the message opens a new conversation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<ChannelId>,
    },
    /// An operator accepts an offer made to them.
    Accept {
        /// The conversation.
        conversation: ConversationId,
        /// The operator.
        operator: OperatorId,
    },
    /// An operator takes a conversation into work, whoever held it.
    Take {
        /// The conversation.
        conversation: ConversationId,
        /// The operator.
        operator: OperatorId,
    },
    /// A conversation is transferred to an operator or to a line.
    Transfer {
        /// The conversation.
        conversation: ConversationId,
        /// To a named operator: final at once, caps ignored. Exactly one of `to_operator` and
        /// `to_line` must be given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_operator: Option<OperatorId>,
        /// To a line: routed there as an arrival would be.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_line: Option<LineId>,
    },
    /// A conversation is closed.
    Close {
        /// The conversation.
        conversation: ConversationId,
    },
    /// A conversation is marked as spam (and closed).
    Spam {
        /// The conversation.
        conversation: ConversationId,
    },
    /// Time passed: the same as [`Engine::handle_timeout`](crate::Engine::handle_timeout).
    Tick,
}
