//! The features of time-aware lines — working hours, automatic replies, response-time
//! targets, the chat-bot first line, ratings, the inactivity close. Each owns its own state
//! (per line, per conversation) and its deadlines, sees the core, and never another feature:
//! the lifecycle hooks (`lifecycle.rs`) call them in a fixed order and hand each what it needs
//! of the others.

pub(crate) mod bot;
pub(crate) mod inactivity;
pub(crate) mod rating;
pub(crate) mod replies;
pub(crate) mod schedule;
pub(crate) mod sla;

/// Every feature's state.
#[derive(Clone, Debug, Default)]
pub(crate) struct Features {
    pub(crate) schedule: schedule::Schedules,
    pub(crate) replies: replies::Replies,
    pub(crate) sla: sla::Sla,
    pub(crate) bot: bot::Bot,
    pub(crate) rating: rating::Ratings,
    pub(crate) inactivity: inactivity::Inactivity,
}
