//! # routeline
//!
//! The routing brain of a contact centre or an omnichannel inbox: it decides which operator
//! gets each customer conversation, when an unanswered one moves on to the next operator, when
//! it waits, and what the host should do about it. It does no I/O — the host feeds it
//! timestamped [`Input`]s and drains [`Decision`]s.
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use routeline::{
//!     ChannelConfig, DecisionKind, Engine, Input, LineConfig, Mode, OperatorConfig, Presence,
//! };
//!
//! let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
//! let mut engine = Engine::new();
//! let now = t("2026-03-02T09:00:00Z");
//!
//! // The main employee first, the substitute second; 12 hours to answer.
//! engine.handle(now, Input::UpsertOperator(OperatorConfig::new("anna")))?;
//! engine.handle(now, Input::UpsertOperator(OperatorConfig::new("boris")))?;
//! engine.handle(now, Input::from(
//!     LineConfig::new("sales").mode(Mode::Strict).member("anna").member("boris")
//!         .offer_timeout_secs(43_200),
//! ))?;
//! engine.handle(now, Input::ConnectChannel(ChannelConfig::new("wa-1", "sales")))?;
//! engine.handle(now, Input::Presence { operator: "anna".into(), status: Presence::Online })?;
//! engine.handle(now, Input::Presence { operator: "boris".into(), status: Presence::Online })?;
//!
//! // A client writes: anna gets it, with 12 hours to answer.
//! engine.handle(now, Input::MessageIn {
//!     conversation: "k1".into(), client: "c-42".into(), channel: "wa-1".into(),
//! })?;
//! let d = engine.poll_decision().unwrap();
//! assert!(matches!(d.kind, DecisionKind::Assigned { ref operator, .. } if operator.as_str() == "anna"));
//!
//! // anna goes offline before answering: the availability check moves it to boris at once.
//! engine.handle(t("2026-03-02T09:05:00Z"),
//!     Input::Presence { operator: "anna".into(), status: Presence::Offline })?;
//! let kinds: Vec<_> = std::iter::from_fn(|| engine.poll_decision()).map(|d| d.kind).collect();
//! assert!(matches!(&kinds[..], [
//!     DecisionKind::Unassigned { .. },
//!     DecisionKind::Assigned { operator, .. },
//! ] if operator.as_str() == "boris"));
//! # Ok::<(), routeline::Error>(())
//! ```
//!
//! # The run loop
//!
//! 1. When something happens — a client writes, an operator answers, comes online, an admin
//!    changes a line — call [`Engine::handle`] with the time it happened and the [`Input`].
//! 2. Drain [`Engine::poll_decision`] until it returns `None`, and act on each [`Decision`]:
//!    show the conversation to its operator, notify, send an auto-reply …
//! 3. Read [`Engine::poll_timeout`]; when that moment comes (and no input came first), call
//!    [`Engine::handle_timeout`], then go to 2.
//!
//! # The model
//!
//! A **line** is a routing queue with its own settings: member operators and groups in order, a
//! [`Mode`] (`strict`, `evenly`, `balanced`, `all`), an offer timeout, caps, a
//! [`PinnedPolicy`], the availability check. A **channel** (a WhatsApp number, a web widget)
//! connects to exactly one line and may restrict which operators serve it. An **operator** has
//! presence, an active flag, a work day, absences, groups and a cap. A **conversation** is one
//! customer request from first message to close: it waits in its line's queue, is assigned to
//! one operator (with an answer deadline until they accept or answer), or is offered to several
//! at once in mode `all`.
//!
//! # Time
//!
//! The engine never reads a clock. Time passes only through the `now` given to
//! [`Engine::handle`] and [`Engine::handle_timeout`]; it never goes backwards — an input stamped
//! earlier than the engine's clock is applied at the clock and counted in
//! [`Engine::past_inputs`]. Deadlines fire as of their own time, whenever the host gets round to
//! it, so the decisions do not depend on how often it ticks. [`Engine::handle`] catches up at
//! most [`Engine::MAX_CATCH_UP_SECS`] (30 days) per call while deadlines are due: further than
//! that it refuses an input with [`Error::TooFarAhead`], and an [`Input::Tick`] catches up one
//! step, so a host (or a replayed log) catches up in steps.
//!
//! # Determinism
//!
//! The same inputs at the same times give the same decisions, bit for bit, on every machine:
//! no hash-order iteration where order can leak out, no clock, no randomness, no threads.
//!
//! # Errors and panics
//!
//! A caller's mistake (an unknown id, an invalid configuration, accepting an offer that was
//! never made) returns an [`Error`] naming the offending ids and leaves the engine exactly as it
//! was. A domain outcome — nobody available, an offer expired — is a [`Decision`], never an
//! error. No input, however malformed, panics the engine; internal invariants are stated with
//! `expect` messages saying why they hold, and [`Engine::verify_invariants`] audits them by
//! brute force.
//!
//! # Wire format
//!
//! [`Input`] and [`Decision`] serialise with serde as JSON objects with an internal `"type"`
//! tag, exactly as the crate's design names them; `examples/replay.rs` speaks them as JSON Lines
//! on stdin and stdout.
//!
//! # Performance
//!
//! Picking an operator reads the head of an ordered index of eligible operators with room,
//! kept per line (and per restricted channel) and updated when load, presence or membership
//! changes: `O(log n)` in the pool size, never a scan of the pool. Mode `all` is the exception
//! by nature: its cost grows with the number of operators offered.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

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
mod routing;
mod snapshot;
mod state;
mod wire;

/// The README's examples, compiled and run as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use engine::Engine;
pub use query::{
    ConversationState, ConversationView, LineCounters, LineHours, OperatorLoad, OperatorView,
    SlaCounts, WaitingEntry,
};
pub use snapshot::{Corruption, Entity, SNAPSHOT_VERSION, Snapshot, SnapshotError};
pub use wire::config::{
    ChannelConfig, CountTowardCap, LineConfig, MAX_OFFER_TIMEOUT_SECS, MIN_OFFER_TIMEOUT_SECS,
    Mode, OnExhausted, OperatorConfig, PinnedPolicy, QueueEntry,
};
pub use wire::decision::{
    AssignReason, AutoReplyKind, BotLeftReason, CloseReason, Decision, DecisionKind, QueueReason,
    SlaKind, UnassignReason, WithdrawReason,
};
pub use wire::error::{Error, ScheduleError};
pub use wire::ids::{ChannelId, ClientId, ConversationId, GroupId, LineId, OperatorId};
pub use wire::input::{Input, Presence};
pub use wire::settings::{
    AutoReplies, BotConfig, BotJoin, BotLeave, DayHours, RatingConfig, ScheduleConfig,
    ScheduleOverride, SlaConfig, WeeklyHours,
};
