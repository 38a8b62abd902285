//! A deliberately simple reference model of routeline's routing rules (DESIGN.md §1 and
//! docs/DECISIONS.md, "Decisions where the sources are silent"), for differential testing.
//!
//! Written for obviousness, not speed: plain vectors of structs keyed by string ids, linear
//! scans everywhere, and every routing question (who is a member, who is eligible, who has
//! room, what an operator's load is, who comes first) answered from scratch each time it is
//! asked. There are no indices, no cached counters and no "dirty" bookkeeping: after every
//! input and every deadline the model simply retries every waiting conversation, longest
//! waiting first, until nothing more can be placed.
//!
//! It covers the time-aware lines too (README "Time-aware lines"): working hours, automatic
//! replies, response-time targets, the chat-bot first line, ratings and the inactivity close.
//! Working hours are evaluated by [`hours`], written independently of the engine's schedule
//! code: a local wall-clock time stands for the first instant whose local time is at or past
//! it (so the earlier of two, or the moment the clocks jump over a gap), a line is open at `t`
//! when one of the intervals of the local dates around `t` holds it, and it next changes at the
//! first interval end after `t` where that answer differs.
//!
//! Self-contained on purpose (routeline's public types, chrono, chrono-tz and std only) so
//! that benches can pull it in with `#[path = "../tests/model/mod.rs"] mod model;`.
//!
//! Ordering conventions the documents leave open follow the engine:
//! - one sequence number orders waiting entries, assignments ("least recently assigned") and
//!   operator creation (group members follow it);
//! - at one instant, the lines' openings and closings fire first (in the order they were
//!   scheduled), so that everything else of that instant sees each line as its hours say;
//!   once the last of them has fired, the lines that opened then route their waiting
//!   conversations, longest waiting first across those lines, before any other deadline of
//!   the instant fires; the other deadlines of the instant (offers, absences, automatic
//!   replies, response targets, the bot's turn, the inactivity close) then fire in the order
//!   they were scheduled;
//! - a line's open or closed state changes when its own deadline fires (or an upsert changes
//!   its hours);
//! - when one input affects several conversations of an operator, their conversations are
//!   handled in order of first mention, then their offers;
//! - an operator becomes "not yet tried" again for a conversation when they come back under
//!   the availability profile of its line: each line is of one of three profiles — no check
//!   (existing and active is enough), presence (also outside absences and online) or work day
//!   (also outside absences with a started work day) — and an operator's epoch for a profile
//!   moves on whenever they go from unavailable to available under it;
//! - a new or reopened session (a client's message) does, in this order: the `welcome` and
//!   `off_hours` replies, starts the first-response target and the `unanswered` clock, then
//!   meets the bot or is routed; an operator's answer credits a running target, ends the
//!   unanswered streak and restarts the inactivity clock (the engine states this order once,
//!   in its lifecycle hooks, `src/lifecycle.rs`);
//! - `handle` catches up however far its input is stamped past the clock: every deadline due
//!   by then fires, in this one call. Only *renewals* are bounded: a deadline that fires counts
//!   as one when it is an offer deadline (an unconfirmed assignment's answer, an `all`-mode
//!   offer's expiry) or a line's opening or closing, and was scheduled during the same call
//!   (by an earlier firing of it). A call that has fired `max_renewals_per_call` of them stops
//!   at the end of the instant it is in, never inside one (DECISIONS "Long-running hosts"):
//!   before firing a renewal due later than the clock; a `tick` then returns with the clock at
//!   the last deadline it fired (unchanged if none fired) and that renewal still pending; any
//!   other input is refused ([`ModelError::CatchUpBound`], `reached` the renewal's time) and
//!   nothing changes. `handle_timeout` is never bounded;
//! - a conversation that closes (for whatever reason) gets a forget deadline at closed-at +
//!   `forget_closed_after_secs` (none when that is `null` or past the end of time), scheduled
//!   as it closes and so ordered among the deadlines of its instant by that moment; reopening
//!   it cancels the deadline. With a retention of 0 there is no deadline: it is forgotten
//!   once the input or deadline that closed it is done (no deadline is left due after a
//!   call), those closed together in the order they closed. A forgotten conversation is
//!   forgotten silently: its id is unknown from then on, and a later mention of it is a new
//!   conversation, last in the order of first mention. Its client is forgotten too (contacts, last operator) when the model
//!   then knows no conversation of theirs and they have no pin; unpinning a client (also by
//!   removing their operator) forgets them at once on the same condition;
//! - an `engine_settings` that changes `forget_closed_after_secs` re-times every closed
//!   conversation in order of first mention: the old deadline is cancelled, and one past due
//!   by the new value is forgotten within the input, the others get a new deadline (in that
//!   order); one that leaves the value as it was re-times nothing;
//! - the client's last operator is whoever was named by the latest of: an `assigned` without
//!   an answer deadline (final at once), an unconfirmed assignment becoming confirmed (the
//!   holder's accept, take or answer, a transfer naming the holder, the deadline kept, the
//!   pin under `always`), or a `message_out` (its author). Closing changes nothing, nor does
//!   the holder's take, accept or transfer to themselves of an assignment already final;
//! - an unconfirmed assignment that stays with its holder at its deadline (`keep_last` with
//!   nobody else to try, reason `routed`; the client's `always`-pinned operator, reason
//!   `pinned`) is announced again as `assigned` without `answer_by`; so is one held by the
//!   operator a `pin_client` pins the client to, on a line pinning `always` (reason `pinned`,
//!   the client's conversations in order of first mention, before waiting ones are placed).
//!   Neither counts as a new assignment for "least recently assigned".
//!
//! Support lines (DESIGN §6, `support.rs`), as the spec words them, with these orders:
//! - the status: a new conversation starts `open`; opening or reopening it (a client's or an
//!   operator's message) makes it `open`, and so does every client message; every change
//!   emits `status_changed`;
//! - a client's message that opens or reopens a conversation: contacts + 1, `open`, the rating
//!   forgotten, `welcome`; then `off_hours`, the first-response target, the `unanswered` clock;
//!   then the `incoming` list; then — only if no rule placed, completed or closed it — the bot
//!   or routing. One that re-activates a completed conversation: `open`, `off_hours`, a first-
//!   (nobody answered since it opened) or next-response target, the `unanswered` clock, the
//!   `changed` list (`reactivated`), then routing on its line if still unplaced (no bot, no
//!   `welcome`, no contact counted). A follow-up: `open`; an unclocked placement starts its
//!   clock and is announced again; `off_hours`; then the existing clocks; the `changed` list
//!   after the input;
//! - every other input about a conversation takes effect first and then runs its list:
//!   `message_out` (`incoming` when it opens or reopens one, else `changed`), `take`, `accept`,
//!   `transfer`, `set_status`, `complete`; no other input runs a list;
//! - `complete` (and the rule action): the holder's `unassigned` (or each `offer_withdrawn`, or
//!   `bot_left`), the clocks stop silently, `status_changed`, `completed`; who was tried is
//!   forgotten (re-activation routes it afresh, like a reopened conversation);
//! - the responsible is whoever an assignment names (unconfirmed ones too); it stays when the
//!   assignment ends, through completion, close and reopen, and is cleared when the operator
//!   is removed: after what they held was unassigned and routed and the conversations waiting
//!   for them as their pin were placed, a completed conversation says so (`completed` without
//!   responsible), in order of first mention;
//! - a placement of a conversation whose client does not await a reply has no clock: an
//!   assignment without `answer_by` that is still unconfirmed, an offer without `expires_at`;
//!   pinning the client under `always` does not announce it (no deadline was told), and a line
//!   without an offer timeout when the client writes leaves it without one.
//!
//! The contact-centre queue (DESIGN §7, `calls.rs`, `queue.rs`, `access.rs`), as the spec and
//! DECISIONS ("The contact-centre queue") word it, with these orders:
//! - a conversation has a request kind (`text`, `call`, `callback`); a call or callback order
//!   ("voice") is routed only to an operator holding nothing (assigned, confirmed or not), and
//!   nothing is routed to an operator holding one; it counts 1 toward every load counter;
//! - a voice placement rings until its holder picks it up: routed ones against the line's
//!   offer timeout whatever the client did (none without one), and `always`-pinned,
//!   transferred, rule-assigned and kept ones with no deadline, unconfirmed; picking it up
//!   (`accept`, `take`, `intercept`, `callback_result` `connected`) is the operator's answer,
//!   as a message is for a text;
//! - a client's wait begins when routing first queues the conversation, offers it or assigns
//!   it unconfirmed, and ends at a confirmed assignment, completion, close, or a callback
//!   order scheduled again; a waiting conversation's urgency is its effective priority at the
//!   clock (base + waited ÷ aging, exactly), then its wait's start, then the wait's sequence
//!   number; the drain places the most urgent first, across all lines;
//! - a conversation that comes back to its queue (unanswered, its holder unavailable or
//!   removed, its offers expired or withdrawn, a callback retried at once) is planned as usual;
//!   when the plan would place it but a more urgent conversation waits for the same pool (the
//!   channel when the channel's list applies, else the line; not one waiting for an `always`
//!   pin), it takes its place in the queue silently, and after the drain `queued` says so only
//!   if it still waits (the reason its plan gives then, `at_capacity` for a placement);
//! - a callback order: `callback_scheduled`, then (due now) routed like a call, or scheduled
//!   (in no queue) until due, when its wait starts at the due time; a failed attempt:
//!   `unassigned` (`attempt_failed`), then `callback_scheduled` again (routed afresh) or
//!   `closed` (`attempts_exhausted`);
//! - an input naming an actor is judged after the deadlines due by then: its permission first
//!   (refused with [`ModelError::Denied`]), then validation.
//!
//! Where the engine was found to contradict DESIGN.md the model follows DESIGN.md: an
//! unanswered assignment that reaches its deadline is planned anew as if its holder had
//! already let go of it, so in mode `all` the holder, who has room again, is among those the
//! renewed offer goes to ("renewed to whoever is eligible then").

#![allow(dead_code)]

use chrono::{DateTime, TimeDelta, Utc};
use routeline::{
    AssignReason, AutoReplyKind, BotJoin, BotLeave, BotLeftReason, ChannelConfig, CloseReason,
    CountTowardCap, Decision, DecisionKind, Input, LineConfig, Mode, OnExhausted, OperatorConfig,
    Permission, PinnedPolicy, Presence, QueueEntry, QueueReason, Request, RoleConfig, RuleEvent,
    RuleList, RuleLists, SlaKind, Status, UnassignReason, WithdrawReason,
};

mod access;
mod calls;
mod conversations;
mod face;
mod features;
pub mod hours;
mod moves;
mod operators;
mod queries;
mod queue;
mod routing;
mod support;
mod time;
mod validate;

use hours::Hours;
use moves::Moved;
pub use queries::{ConvSummary, LineSummary, OrderSummary, WaitingSummary};

/// `forget_closed_after_secs` by default: 30 days (the engine's
/// `DEFAULT_FORGET_CLOSED_AFTER_SECS`, written out here, not borrowed, like every rule of the
/// model).
pub const DEFAULT_FORGET_SECS: u64 = 2_592_000;

/// `max_renewals_per_call` by default (the engine's `DEFAULT_MAX_RENEWALS_PER_CALL`).
pub const DEFAULT_MAX_RENEWALS: u32 = 100_000;

/// Why the model rejected an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelError {
    /// The input itself is wrong: an unknown id, an invalid setting, a conversation in the
    /// wrong state … (only that it was rejected is compared with the engine).
    Invalid(String),
    /// The input's actor may not make it (the engine's `Error::PermissionDenied`).
    Denied {
        actor: String,
        permission: Permission,
    },
    /// Catching up to the input's time would fire more renewals than one call may (the
    /// engine's `Error::CatchUpBound`, whose fields these are).
    CatchUpBound {
        /// The time the input was stamped with.
        at: DateTime<Utc>,
        /// The clock before the call.
        clock: DateTime<Utc>,
        /// `max_renewals_per_call`.
        renewals: u32,
        /// When the first renewal past the bound falls due.
        reached: DateTime<Utc>,
    },
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelError::Invalid(why) => f.write_str(why),
            ModelError::Denied { actor, permission } => {
                write!(f, "{actor} may not: it needs {permission}")
            }
            ModelError::CatchUpBound {
                at,
                clock,
                renewals,
                reached,
            } => write!(
                f,
                "catching up from {clock} to {at} fires more than {renewals} renewals (the \
                 first one over at {reached})"
            ),
        }
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, ModelError> {
    Err(ModelError::Invalid(msg.into()))
}

#[derive(Clone, Debug)]
struct Operator {
    id: String,
    /// Created by `upsert_operator` and not removed since.
    exists: bool,
    /// Sequence number of the first creation (0: never created). Kept across removal.
    created: u64,
    max_open: Option<u32>,
    groups: Vec<String>,
    active: bool,
    presence: Presence,
    workday: bool,
    /// Absence windows `[from, until)` that have not ended yet.
    absences: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Inside an absence window, as of the last time the windows were looked at (an input
    /// touching them, or one of their start / end deadlines firing).
    in_absence: bool,
    /// Per availability profile: moves on whenever the operator comes back under it.
    epoch: [u32; 3],
    /// Sequence number of the last assignment to this operator (0: never).
    last_assigned: u64,
    /// Response targets met and missed while this operator answered or held the
    /// conversation (kept across removal, like the record itself).
    sla: SlaCounts,
    /// Their roles (DESIGN §7), as their configuration names them (none once removed).
    roles: Vec<String>,
}

/// Response targets met and missed: first response met, missed; next response met, missed.
pub type SlaCounts = [u64; 4];

fn record(counts: &mut SlaCounts, kind: SlaKind, met: bool) {
    let i = match (kind, met) {
        (SlaKind::FirstResponse, true) => 0,
        (SlaKind::FirstResponse, false) => 1,
        (SlaKind::NextResponse, true) => 2,
        (_, _) => 3,
    };
    counts[i] += 1;
}

impl Operator {
    fn new(id: &str) -> Self {
        Operator {
            id: id.to_string(),
            exists: false,
            created: 0,
            max_open: None,
            groups: Vec::new(),
            active: true,
            presence: Presence::Offline,
            workday: false,
            absences: Vec::new(),
            in_absence: false,
            epoch: [0; 3],
            last_assigned: 0,
            sla: [0; 4],
            roles: Vec::new(),
        }
    }

    /// Whether the operator is available under each availability profile (see [`profile`]).
    fn availability(&self) -> [bool; 3] {
        let active = self.exists && self.active;
        [
            active,
            active && !self.in_absence && self.presence == Presence::Online,
            active && !self.in_absence && self.workday,
        ]
    }
}

/// A line's availability profile: what makes an operator available on it. 0: no check (the
/// active flag only); 1: the check with presence `online`; 2: the check with a work day.
fn profile(line: &LineConfig) -> usize {
    match (line.check_availability, line.require_workday) {
        (false, _) => 0,
        (true, false) => 1,
        (true, true) => 2,
    }
}

#[derive(Clone, Debug)]
struct Channel {
    id: String,
    /// The line it is connected to now.
    line: Option<String>,
    /// The line its operator list applies to: the last line it was connected to (until that
    /// line is removed).
    list_line: Option<String>,
    /// `None`: every member of the line; `Some(empty)`: no automatic distribution.
    operators: Option<Vec<String>>,
    /// Its kind as last connected (kept while disconnected).
    kind: Option<String>,
}

#[derive(Clone, Debug)]
struct Client {
    id: String,
    pinned: Option<String>,
    last_operator: Option<String>,
    /// How many sessions the client opened by writing (new or reopened conversations), or
    /// by ordering a callback.
    contacts: u64,
    /// Marked VIP by `upsert_client` (DESIGN §7).
    vip: bool,
}

/// A line: its configuration and what its working hours make of it.
#[derive(Clone, Debug)]
struct Line {
    cfg: LineConfig,
    /// Its working hours, checked (`None`: always open).
    hours: Option<Hours>,
    /// Open as of the last time its hours were looked at (an upsert, or its own deadline).
    open: bool,
    /// When `open` next changes (as of that time).
    next_change: Option<DateTime<Utc>>,
    /// The line's current (or last) closed period, an id unique across all lines.
    closed_period: u64,
    sla: SlaCounts,
    /// Handling times (whole seconds from a session's first placement to its close) of the
    /// last 50 conversations of each request kind closed on the line, oldest first.
    handled: [Vec<i64>; 3],
}

#[derive(Clone, Debug, PartialEq)]
enum Where {
    Closed,
    /// Being moved, only ever seen inside one input.
    Limbo,
    Waiting {
        since: DateTime<Utc>,
        seq: u64,
    },
    Assigned {
        op: String,
        /// Why it was assigned (an unclocked assignment is announced again with it).
        reason: AssignReason,
        answer: Answer,
    },
    Offered {
        ops: Vec<String>,
        deadline: Option<DateTime<Utc>>,
        /// Offered with no clock while nobody awaited an answer (DESIGN §6), on a line with an
        /// offer timeout: the clock starts when the client writes. (An offer on a line without
        /// an offer timeout has no deadline either, but no clock to start.)
        unclocked: bool,
    },
    /// With a line's chat-bot (named here: the line's bot may change meanwhile).
    WithBot {
        bot: String,
        deadline: Option<DateTime<Utc>>,
    },
    /// Its session completed (DESIGN §6): open, but in no queue and held by nobody.
    Completed,
    /// A callback order due later (DESIGN §7): open, in no queue.
    Scheduled {
        due: DateTime<Utc>,
    },
}

/// How an assignment is to be answered.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Answer {
    /// Final: nothing moves any more.
    Final,
    /// Unconfirmed, to be answered by then.
    Due(DateTime<Utc>),
    /// Unconfirmed, with no clock: placed while nobody awaited an answer (DESIGN §6).
    Unclocked,
    /// A call or callback ringing with no deadline until its holder picks it up (DESIGN §7):
    /// not a text's missing clock, so the client writing starts none.
    Ringing,
}

impl Answer {
    fn deadline(self) -> Option<DateTime<Utc>> {
        match self {
            Answer::Due(at) => Some(at),
            Answer::Final | Answer::Unclocked | Answer::Ringing => None,
        }
    }

    fn is_final(self) -> bool {
        self == Answer::Final
    }
}

#[derive(Clone, Debug)]
struct Conversation {
    id: String,
    client: String,
    channel: String,
    line: String,
    at: Where,
    awaiting_reply: bool,
    answered: bool,
    /// Operators tried since the last fresh routing, with their epochs when tried.
    tried: Vec<(String, [u32; 3])>,
    /// The running response target and when it is due.
    sla: Option<(SlaKind, DateTime<Utc>)>,
    /// The closed period in which the `off_hours` reply was last sent.
    off_hours_period: Option<u64>,
    /// The client's rating of the current (or last) session.
    rating: Option<u8>,
    /// When it last closed (while it is closed).
    closed_at: Option<DateTime<Utc>>,
    /// `open` or `waiting` (kept while closed).
    status: Status,
    /// Its responsible (DESIGN §6): its holder, else the last one, or whom a rule named.
    responsible: Option<String>,
    /// When the client's current wait began, and its place in arrival order (DESIGN §7): from
    /// the first time it was queued, offered or assigned unconfirmed until an assignment is
    /// final or confirmed, or it completes or closes. A conversation that comes back to the
    /// queue keeps its place.
    wait: Option<(DateTime<Utc>, u64)>,
    /// What it is (DESIGN §7).
    request: Request,
    /// A callback order's current attempt (from 1) and when it falls (or fell) due; kept
    /// while it is a callback.
    order: Option<(u32, DateTime<Utc>)>,
    /// When the session was first placed (assigned or offered), for its handling time.
    placed_at: Option<DateTime<Utc>>,
}

/// What a deadline is for; each names its conversation, operator or line.
#[derive(Clone, Debug, PartialEq)]
enum TimerKind {
    /// An unanswered assignment or an `all`-mode offer expires.
    Offer(String),
    /// An absence window of the operator starts or ends.
    Absence(String),
    /// The line opens or closes.
    Hours(String),
    /// The `unanswered` reply is due.
    Unanswered(String),
    /// The running response target is due.
    Sla(String),
    /// The bot's turn ends.
    Bot(String),
    /// The inactivity close is due.
    Inactivity(String),
    /// The closed conversation is forgotten.
    Forget(String),
    /// The scheduled callback order falls due.
    Callback(String),
}

#[derive(Clone, Debug)]
struct Timer {
    at: DateTime<Utc>,
    /// Scheduling order, for deadlines due at the same instant.
    seq: u64,
    /// The call (`handle` or `handle_timeout`) that scheduled it.
    call: u64,
    kind: TimerKind,
}

impl TimerKind {
    /// Whether firing it may schedule another of its kind, so that one call could go on
    /// firing them for as long as the time it covers: offers and line hours.
    fn renews(&self) -> bool {
        matches!(self, TimerKind::Offer(_) | TimerKind::Hours(_))
    }
}

/// Where a conversation should go now.
#[derive(Clone, Debug, PartialEq)]
enum Plan {
    Assign {
        op: String,
        reason: AssignReason,
        final_: bool,
    },
    Offer(Vec<String>),
    Wait(QueueReason),
    /// Every eligible operator with room has been tried.
    Exhausted,
}

/// The reference model.
#[derive(Clone, Debug)]
pub struct Model {
    clock: Option<DateTime<Utc>>,
    seq: u64,
    timer_seq: u64,
    /// Counts the calls (`handle`, `handle_timeout`), so that a deadline knows which call
    /// scheduled it.
    call: u64,
    /// `forget_closed_after_secs`.
    forget_after: Option<u64>,
    /// `max_renewals_per_call`.
    max_renewals: u32,
    /// Conversations closed with a retention of zero, forgotten once the input or deadline
    /// that closed them is done.
    forget_soon: Vec<String>,
    /// The rule lists (DESIGN §6), as `set_rules` gave them.
    rules: RuleLists,
    /// The roles (DESIGN §7), as `upsert_role` gave them, in order of creation.
    roles: Vec<RoleConfig>,
    /// Conversations that came back to their queue silently: `queued` follows after the drain
    /// if they still wait.
    unannounced: Vec<String>,
    operators: Vec<Operator>,
    lines: Vec<Line>,
    channels: Vec<Channel>,
    clients: Vec<Client>,
    conversations: Vec<Conversation>,
    timers: Vec<Timer>,
    out: Vec<Decision>,
    /// The last closed-period id given out.
    periods: u64,
    /// Lines that opened at the instant whose deadlines are firing: their waiting
    /// conversations are placed once the last opening or closing of that instant has fired.
    opened: Vec<String>,
    /// Breaches of "nothing routed automatically while a line is closed", found by
    /// evaluating the line's hours afresh whenever something is routed.
    violations: Vec<String>,
}

impl Default for Model {
    fn default() -> Self {
        Model {
            clock: None,
            seq: 0,
            timer_seq: 0,
            call: 0,
            forget_after: Some(DEFAULT_FORGET_SECS),
            max_renewals: DEFAULT_MAX_RENEWALS,
            forget_soon: Vec::new(),
            rules: RuleLists::default(),
            roles: Vec::new(),
            unannounced: Vec::new(),
            operators: Vec::new(),
            lines: Vec::new(),
            channels: Vec::new(),
            clients: Vec::new(),
            conversations: Vec::new(),
            timers: Vec::new(),
            out: Vec::new(),
            periods: 0,
            opened: Vec::new(),
            violations: Vec::new(),
        }
    }
}
