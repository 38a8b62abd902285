//! What the host tells the engine: configuration commands and events from the world.
//!
//! Serialised with an internal `"type"` tag in `snake_case`, exactly as the wire format of
//! DESIGN §3 names them. The time of an input is not part of it: it is the `now` given to
//! [`Engine::handle`](crate::Engine::handle) (the `"at"` of a JSON line).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::config::{ChannelConfig, EngineSettings, LineConfig, OperatorConfig};
use super::ids::{ChannelId, ClientId, ConversationId, LineId, OperatorId, RoleId};
use super::queue::{CallbackResult, ClientConfig, Request, RoleConfig};
use super::rules::{RuleLists, Status};

/// An operator's presence status.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
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
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
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
    /// Creates a line or replaces its configuration. Boxed because a line's configuration is
    /// several times larger than any other input, and every input is moved on each `handle`;
    /// `Input::from(config)` builds it.
    UpsertLine(Box<LineConfig>),
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
        #[cfg_attr(feature = "arbitrary", arbitrary(with = fuzz::time))]
        from: DateTime<Utc>,
        /// When it ends; must be later than `from`.
        #[cfg_attr(feature = "arbitrary", arbitrary(with = fuzz::time))]
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
        /// What the client's contact is (DESIGN §7): `call` for a call reaching the line.
        /// Given when the message opens or reopens a conversation (a reopened one takes the
        /// new kind, `text` when left out); left out on a follow-up it changes nothing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<Request>,
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
    /// An operator accepts what is put to them: an `all`-mode offer made to them (they get it,
    /// reason `accepted`, and the other offers are withdrawn), or their own unconfirmed
    /// assignment — a ringing call or callback, or a text awaiting their answer — which it
    /// confirms with no decision (the host already knows).
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
    /// The chat-bot hands the conversation over to the queue.
    BotHandoff {
        /// The conversation.
        conversation: ConversationId,
    },
    /// The client rated the conversation (1..=5).
    Rating {
        /// The conversation.
        conversation: ConversationId,
        /// The score.
        score: u8,
    },
    /// Time passed: the same as [`Engine::handle_timeout`](crate::Engine::handle_timeout),
    /// except that one tick fires at most
    /// [`EngineSettings::max_renewals_per_call`] renewals and stops there: after a long pause,
    /// tick again until [`Engine::poll_timeout`](crate::Engine::poll_timeout) passes the
    /// tick's time.
    Tick,
    /// Replaces the engine-wide settings (a field left out returns to its default).
    EngineSettings(EngineSettings),
    /// Sets an open conversation's status. An unchanged status emits nothing, but the input
    /// still runs the `changed` rules.
    SetStatus {
        /// The conversation.
        conversation: ConversationId,
        /// The status.
        status: Status,
    },
    /// Completes an active conversation's session without closing it: it leaves whoever held
    /// it or was offered it, and waits for a message or a take to re-activate it.
    Complete {
        /// The conversation.
        conversation: ConversationId,
        /// Its status from now, when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<Status>,
    },
    /// Replaces both rule lists of the engine.
    SetRules(RuleLists),
    /// The client left (hung up) before being served: the conversation closes, wherever it
    /// is (`closed` reason `abandoned`). A fact: whoever it was ringing at is free at once.
    Abandon {
        /// The conversation.
        conversation: ConversationId,
    },
    /// Sets a client's attributes (a field left out returns to its default).
    UpsertClient(ClientConfig),
    /// A callback order from a widget: a conversation of kind `callback`, scheduled for
    /// `due_at` (now when left out or past).
    CallbackRequest {
        /// The order's conversation id.
        conversation: ConversationId,
        /// The client to call back.
        client: ClientId,
        /// The widget (channel) it came from, which must be connected.
        channel: ChannelId,
        /// When to call.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "arbitrary", arbitrary(with = fuzz::maybe_time))]
        due_at: Option<DateTime<Utc>>,
    },
    /// How the holder's callback attempt went.
    CallbackResult {
        /// The order.
        conversation: ConversationId,
        /// The operator who dialled (its holder).
        operator: OperatorId,
        /// The outcome.
        result: CallbackResult,
    },
    /// Takes a call or callback that is ringing at someone else, for `operator` (final).
    Intercept {
        /// The conversation.
        conversation: ConversationId,
        /// The operator who takes it.
        operator: OperatorId,
    },
    /// Creates a role or replaces it.
    UpsertRole(RoleConfig),
    /// Removes a role; operators who had it keep its name, which grants nothing.
    RemoveRole {
        /// The role.
        role: RoleId,
    },
}

/// Biased generators for the `Arbitrary` derive.
#[cfg(feature = "arbitrary")]
mod fuzz {
    use arbitrary::{Result, Unstructured};
    use chrono::{DateTime, TimeDelta, Utc};

    /// 2026-03-02T09:00:00Z, where the fuzz harnesses start their clock.
    const BASE_SECS: i64 = 1_772_442_000;

    /// A time (for absence windows) mostly within two days before to two weeks after
    /// 2026-03-02T09:00:00Z, on whole minutes; one time in sixteen anything chrono can hold,
    /// the extremes included.
    pub(super) fn time(u: &mut Unstructured<'_>) -> Result<DateTime<Utc>> {
        let base = DateTime::from_timestamp(BASE_SECS, 0).expect("a valid timestamp");
        if u.ratio(15u8, 16)? {
            let minutes = u.int_in_range(-2 * 24 * 60..=14 * 24 * 60)?;
            return Ok(base + TimeDelta::minutes(minutes));
        }
        extreme(u)
    }

    /// Now and then no time at all.
    pub(super) fn maybe_time(u: &mut Unstructured<'_>) -> Result<Option<DateTime<Utc>>> {
        Ok(if u.arbitrary()? { Some(time(u)?) } else { None })
    }

    /// Anything chrono can hold, the extremes included.
    fn extreme(u: &mut Unstructured<'_>) -> Result<DateTime<Utc>> {
        Ok(match u.int_in_range(0u8..=3)? {
            0 => DateTime::<Utc>::MIN_UTC,
            1 => DateTime::<Utc>::MAX_UTC,
            _ => {
                let secs = u.int_in_range(
                    DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp(),
                )?;
                let nanos = u.int_in_range(0..=999_999_999)?;
                DateTime::from_timestamp(secs, nanos).unwrap_or(DateTime::<Utc>::MAX_UTC)
            }
        })
    }
}

impl From<LineConfig> for Input {
    /// `Input::UpsertLine` with this configuration.
    fn from(config: LineConfig) -> Self {
        Input::UpsertLine(Box::new(config))
    }
}
