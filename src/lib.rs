// The crate's documentation is its README, so that each thing is said once and every example
// in it is a doc test.
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod access;
mod audit;
mod conversations;
mod engine;
mod features;
mod index;
mod lifecycle;
mod lines;
mod model;
mod operators;
mod query;
mod queue;
mod retention;
mod routing;
mod rules;
mod sessions;
mod snapshot;
mod state;
mod wire;

pub use engine::Engine;
pub use query::{
    ConversationState, ConversationView, LineCounters, LineHours, OperatorLoad, OperatorView,
    SlaCounts, WaitingEntry,
};
pub use queue::panel::{CallbackChannel, CallbackOrderView};
pub use snapshot::{Corruption, Entity, SNAPSHOT_VERSION, Sequence, Snapshot, SnapshotError};
pub use wire::config::{
    ChannelConfig, CountTowardCap, DEFAULT_FORGET_CLOSED_AFTER_SECS, DEFAULT_MAX_RENEWALS_PER_CALL,
    EngineSettings, LineConfig, MAX_OFFER_TIMEOUT_SECS, MIN_OFFER_TIMEOUT_SECS, Mode, OnExhausted,
    OperatorConfig, PinnedPolicy, QueueEntry,
};
pub use wire::decision::{
    AssignReason, AutoReplyKind, BotLeftReason, CloseReason, Decision, DecisionKind, QueueReason,
    SlaKind, UnassignReason, WithdrawReason,
};
pub use wire::error::{Error, ScheduleError};
pub use wire::ids::{ChannelId, ClientId, ConversationId, GroupId, LineId, OperatorId, RoleId};
pub use wire::input::{Input, Presence};
pub use wire::queue::{
    CallbackConfig, CallbackResult, ClientConfig, MAX_AGING_SECS, MAX_PRIORITY_RULES,
    PRIORITY_RANGE, Permission, PriorityConfig, PriorityRule, Request, RoleConfig, Scope,
};
pub use wire::rules::{
    Action, Conditions, MAX_RULES_PER_LIST, Rule, RuleEvent, RuleList, RuleLists, Status,
};
pub use wire::settings::{
    AutoReplies, BotConfig, BotJoin, BotLeave, DayHours, RatingConfig, ScheduleConfig,
    ScheduleOverride, SlaConfig, WeeklyHours,
};
