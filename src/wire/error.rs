//! Caller mistakes. A rejected input leaves the engine exactly as it was.
//!
//! Domain outcomes (nobody available, an offer expired) are [`Decision`](crate::Decision)s,
//! never errors.

use chrono::{DateTime, Utc};

use super::ids::{ChannelId, ClientId, ConversationId, LineId, OperatorId, RoleId};
use super::queue::{Permission, Request};
use super::rules::RuleList;

/// Why an input was rejected. Every variant names the offending ids.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input names an operator that does not exist.
    #[error("unknown operator `{0}`")]
    UnknownOperator(OperatorId),
    /// The input names a line that does not exist.
    #[error("unknown line `{0}`")]
    UnknownLine(LineId),
    /// The input names a channel that was never connected.
    #[error("unknown channel `{0}`")]
    UnknownChannel(ChannelId),
    /// The input names a conversation the engine has never seen or has forgotten (a closed
    /// conversation is forgotten `forget_closed_after_secs` after it closed).
    #[error("unknown conversation `{0}`")]
    UnknownConversation(ConversationId),
    /// The channel is connected to another line: disconnect it first.
    #[error(
        "channel `{channel}` is connected to line `{connected_to}`, not `{requested}`: disconnect it first"
    )]
    ChannelOnAnotherLine {
        /// The channel.
        channel: ChannelId,
        /// The line it is connected to.
        connected_to: LineId,
        /// The line the input asked for.
        requested: LineId,
    },
    /// A message arrived on a channel that is disconnected.
    #[error("channel `{0}` is not connected to any line")]
    ChannelDisconnected(ChannelId),
    /// The line still has channels connected: disconnect them first.
    #[error("line `{line}` still has channels connected: {channels:?}")]
    LineHasChannels {
        /// The line.
        line: LineId,
        /// The channels still connected to it.
        channels: Vec<ChannelId>,
    },
    /// The offer timeout lies outside 60..=43200 seconds.
    #[error("line `{line}`: offer_timeout_secs {secs} is outside 60..=43200")]
    InvalidOfferTimeout {
        /// The line.
        line: LineId,
        /// The rejected value.
        secs: u32,
    },
    /// A line's schedule is not valid (unknown time zone, a malformed time or date …).
    #[error("line `{line}`: invalid schedule: {reason}")]
    InvalidSchedule {
        /// The line.
        line: LineId,
        /// What is wrong with it.
        reason: ScheduleError,
    },
    /// A duration setting of a line is zero.
    #[error("line `{line}`: {field} must be at least 1 second")]
    InvalidDuration {
        /// The line.
        line: LineId,
        /// The setting, as the wire format names it.
        field: &'static str,
    },
    /// `bot_handoff` for a conversation that is not with a bot.
    #[error("conversation `{0}` is not with a bot")]
    NotWithBot(ConversationId),
    /// A rating outside 1..=5.
    #[error("conversation `{conversation}`: rating {score} is outside 1..=5")]
    InvalidScore {
        /// The conversation.
        conversation: ConversationId,
        /// The rejected score.
        score: u8,
    },
    /// An absence must end after it starts.
    #[error("operator `{operator}`: absence until {until} does not end after its start {from}")]
    InvalidAbsence {
        /// The operator.
        operator: OperatorId,
        /// The start given.
        from: DateTime<Utc>,
        /// The end given.
        until: DateTime<Utc>,
    },
    /// `accept` of a conversation that is not offered to that operator.
    #[error("conversation `{conversation}` is not offered to operator `{operator}`")]
    NotOffered {
        /// The conversation.
        conversation: ConversationId,
        /// The operator who tried to accept.
        operator: OperatorId,
    },
    /// The conversation is closed: it cannot be taken, transferred, closed or accepted.
    #[error("conversation `{0}` is closed")]
    ConversationClosed(ConversationId),
    /// A `message_out` would open a conversation but names no client or no channel.
    #[error(
        "conversation `{0}` is unknown or closed: an outbound message_out needs client and channel"
    )]
    OutboundNeedsClientAndChannel(ConversationId),
    /// A message names a known conversation with another client.
    #[error("conversation `{conversation}` belongs to client `{expected}`, not `{got}`")]
    ClientMismatch {
        /// The conversation.
        conversation: ConversationId,
        /// Its client.
        expected: ClientId,
        /// The client the input named.
        got: ClientId,
    },
    /// A message names a known conversation with another channel.
    #[error("conversation `{conversation}` came through channel `{expected}`, not `{got}`")]
    ChannelMismatch {
        /// The conversation.
        conversation: ConversationId,
        /// Its channel.
        expected: ChannelId,
        /// The channel the input named.
        got: ChannelId,
    },
    /// A transfer must name exactly one of `to_operator` and `to_line`.
    #[error("transfer of conversation `{0}` must name exactly one of to_operator and to_line")]
    InvalidTransfer(ConversationId),
    /// Catching up to the input's time would fire more renewals than one call may
    /// ([`EngineSettings::max_renewals_per_call`](crate::EngineSettings::max_renewals_per_call)):
    /// a pause of that length is more often a mistyped timestamp than a real one. Send `tick`
    /// at that time until [`Engine::poll_timeout`](crate::Engine::poll_timeout) passes it
    /// (each goes as far as the bound allows), then the input again.
    #[error(
        "catching up from {clock} to {at} fires more than {renewals} renewals (the engine's \
         max_renewals_per_call; the first one over falls due at {reached}): send tick at {at} \
         until poll_timeout passes it, then the input again"
    )]
    CatchUpBound {
        /// The time the input was stamped with.
        at: DateTime<Utc>,
        /// The engine's clock.
        clock: DateTime<Utc>,
        /// The bound that was reached.
        renewals: u32,
        /// When the first renewal past the bound falls due.
        reached: DateTime<Utc>,
    },
    /// `complete` of a conversation that is already completed.
    #[error("conversation `{0}` is already completed")]
    AlreadyCompleted(ConversationId),
    /// Two rules have the same name (names are unique across both lists).
    #[error("rule `{0}` is named twice")]
    DuplicateRuleName(String),
    /// A rule has an empty name.
    #[error("a rule has an empty name")]
    EmptyRuleName,
    /// A rule does nothing.
    #[error("rule `{0}` has nothing in `then`")]
    EmptyRule(String),
    /// A rule list is longer than [`MAX_RULES_PER_LIST`](crate::MAX_RULES_PER_LIST).
    #[error("the {list:?} list has {count} rules, more than 256")]
    TooManyRules {
        /// The list.
        list: RuleList,
        /// How many rules it has.
        count: usize,
    },
    /// A rule names a line that does not exist.
    #[error("rule `{rule}` names line `{line}`, which does not exist")]
    RuleNamesUnknownLine {
        /// The rule.
        rule: String,
        /// The line.
        line: LineId,
    },
    /// `remove_line` of a line a rule names.
    #[error("line `{line}` is named by rule `{rule}`: change the rules first")]
    LineInRules {
        /// The line.
        line: LineId,
        /// The first rule that names it.
        rule: String,
    },
    /// An engine setting is out of its range.
    #[error("engine_settings: {field} must be at least 1")]
    InvalidEngineSetting {
        /// The setting, as the wire format names it.
        field: &'static str,
    },
    /// A line's `priority` setting is out of its range (priorities and `vip` in
    /// −1 000 000..=1 000 000, `aging_secs` in 1..=86 400, at most 256 `rules`).
    #[error("line `{line}`: priority {field} = {value} is out of range")]
    InvalidPriority {
        /// The line.
        line: LineId,
        /// The field, as the wire format names it (`rules.priority`, `vip`, `aging_secs`).
        field: &'static str,
        /// The value refused.
        value: i64,
    },
    /// A line's `callback.max_attempts` is 0.
    #[error("line `{0}`: callback max_attempts must be at least 1")]
    InvalidCallbackAttempts(LineId),
    /// `message_in` gives a request kind the conversation cannot take: `callback` (orders come
    /// only through `callback_request`), or a kind other than the open conversation's.
    #[error("conversation `{conversation}` cannot take request kind {request:?} here")]
    RequestMismatch {
        /// The conversation.
        conversation: ConversationId,
        /// The kind given.
        request: Request,
    },
    /// `message_in` names an open callback order, or `callback_request` an open conversation.
    #[error("conversation `{0}` is open as {1:?}: a callback order and a message cannot share it")]
    CallbackConflict(ConversationId, Request),
    /// `callback_result` for a conversation that is not a callback order.
    #[error("conversation `{0}` is not a callback order")]
    NotACallback(ConversationId),
    /// `callback_result` from an operator who does not hold the order.
    #[error("operator `{operator}` does not hold callback order `{conversation}`")]
    NotHeldBy {
        /// The order.
        conversation: ConversationId,
        /// The operator.
        operator: OperatorId,
    },
    /// `intercept` of a conversation that is not a call or callback ringing at someone: one
    /// waiting, confirmed, scheduled, or a text.
    #[error("conversation `{0}` is not a call ringing at someone")]
    NotRinging(ConversationId),
    /// `intercept` by the operator it is ringing at (`accept` serves).
    #[error("conversation `{conversation}` is ringing at `{operator}` already: accept it")]
    RingingAtInterceptor {
        /// The conversation.
        conversation: ConversationId,
        /// The operator.
        operator: OperatorId,
    },
    /// `remove_role` of a role that does not exist.
    #[error("unknown role `{0}`")]
    UnknownRole(RoleId),
    /// The input's actor may not do this: unknown, inactive, or without a role granting the
    /// permission within its scope. Nothing changed, not even the clock.
    #[error("operator `{actor}` may not do this: it needs permission `{permission}`")]
    PermissionDenied {
        /// The actor named by the input.
        actor: OperatorId,
        /// The permission it needed.
        permission: Permission,
    },
}

/// What is wrong with a line's schedule. Each variant carries the text that was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// `time_zone` is not an IANA time zone name.
    #[error("unknown time zone `{0}`")]
    UnknownTimeZone(String),
    /// A time is not `HH:MM` (with `24:00` allowed to end a day).
    #[error("time `{0}` is not HH:MM")]
    NotATime(String),
    /// An interval does not end after it starts.
    #[error("interval {from}–{until} does not end after it starts")]
    EmptyInterval {
        /// Its start.
        from: String,
        /// Its end.
        until: String,
    },
    /// A holiday is neither `YYYY-MM-DD` nor `MM-DD`.
    #[error("holiday `{0}` is neither YYYY-MM-DD nor MM-DD")]
    NotAHoliday(String),
    /// An override's date is not `YYYY-MM-DD`.
    #[error("override date `{0}` is not YYYY-MM-DD")]
    NotADate(String),
    /// Two overrides name the same date.
    #[error("date `{0}` is overridden twice")]
    OverriddenTwice(String),
}
