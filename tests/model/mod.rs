//! A deliberately simple reference model of routeline's routing rules (DESIGN.md §1 and the
//! README's "Decisions where the sources are silent"), for differential testing.
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
//!   (by an earlier firing of it). Before firing a renewal when the call has already fired
//!   `max_renewals_per_call` of them, the call stops: a `tick` returns with the clock at the
//!   last deadline it fired (unchanged if none fired) and that deadline still pending; any
//!   other input is refused ([`ModelError::CatchUpBound`]) and nothing changes.
//!   `handle_timeout` is never bounded;
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
//! Where the engine was found to contradict DESIGN.md the model follows DESIGN.md: an
//! unanswered assignment that reaches its deadline is planned anew as if its holder had
//! already let go of it, so in mode `all` the holder, who has room again, is among those the
//! renewed offer goes to ("renewed to whoever is eligible then"). And a call that meets the
//! renewal bound stops before the renewal past it even between two deadlines of one instant,
//! as its rule says; the engine finishes the instant first (`differential.rs`,
//! `regression_renewal_bound_splits_an_instant`).

#![allow(dead_code)]

use chrono::{DateTime, TimeDelta, Utc};
use routeline::{
    AssignReason, AutoReplyKind, BotJoin, BotLeave, BotLeftReason, ChannelConfig, CloseReason,
    CountTowardCap, Decision, DecisionKind, Input, LineConfig, Mode, OnExhausted, OperatorConfig,
    PinnedPolicy, Presence, QueueEntry, QueueReason, SlaKind, UnassignReason, WithdrawReason,
};

pub mod hours {
    //! Working hours, evaluated the obvious way: the intervals of each local date are turned
    //! into instants one by one, and questions are answered by looking at the dates around.

    use chrono::{
        DateTime, Datelike, Days, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc,
    };
    use chrono_tz::Tz;
    use routeline::{DayHours, ScheduleConfig};

    /// How many local dates are searched for the next change (the engine's "two years").
    const HORIZON_DAYS: u64 = 800;
    /// A change further away than this is reported as none.
    const LIMIT_DAYS: u64 = HORIZON_DAYS - 3;

    /// A line's working hours, checked.
    #[derive(Clone, Debug)]
    pub struct Hours {
        tz: Tz,
        /// Minutes since local midnight, Monday first.
        weekly: [Vec<(u32, u32)>; 7],
        dates: Vec<NaiveDate>,
        yearly: Vec<(u32, u32)>,
        overrides: Vec<(NaiveDate, Vec<(u32, u32)>)>,
    }

    fn digits(s: &str) -> Option<u32> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    }

    /// `HH:MM`, two digits each, up to `24:00`.
    fn minutes(s: &str) -> Result<u32, String> {
        let bad = || Err(format!("bad time {s}"));
        if s.len() != 5 || s.as_bytes()[2] != b':' {
            return bad();
        }
        let (Some(h), Some(m)) = (digits(&s[..2]), digits(&s[3..])) else {
            return bad();
        };
        if m > 59 || h > 24 || (h == 24 && m > 0) {
            return bad();
        }
        Ok(h * 60 + m)
    }

    fn day(hours: &DayHours) -> Result<Vec<(u32, u32)>, String> {
        let mut out = Vec::new();
        for [a, b] in hours {
            let (a, b) = (minutes(a)?, minutes(b)?);
            if a >= b {
                return Err(format!("empty interval {a}..{b}"));
            }
            out.push((a, b));
        }
        Ok(out)
    }

    /// `YYYY-MM-DD`.
    fn full_date(s: &str) -> Option<NaiveDate> {
        let b = s.as_bytes();
        if s.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        NaiveDate::from_ymd_opt(digits(&s[..4])? as i32, digits(&s[5..7])?, digits(&s[8..])?)
    }

    /// `MM-DD`, any day some year has (02-29 included).
    fn month_day(s: &str) -> Option<(u32, u32)> {
        if s.len() != 5 || s.as_bytes()[2] != b'-' {
            return None;
        }
        let (m, d) = (digits(&s[..2])?, digits(&s[3..])?);
        NaiveDate::from_ymd_opt(2000, m, d).map(|_| (m, d))
    }

    impl Hours {
        pub fn parse(cfg: &ScheduleConfig) -> Result<Self, String> {
            let tz: Tz = cfg
                .time_zone
                .parse()
                .map_err(|_| format!("unknown zone {}", cfg.time_zone))?;
            let w = &cfg.weekly;
            let weekly = [
                day(&w.mon)?,
                day(&w.tue)?,
                day(&w.wed)?,
                day(&w.thu)?,
                day(&w.fri)?,
                day(&w.sat)?,
                day(&w.sun)?,
            ];
            let mut dates = Vec::new();
            let mut yearly = Vec::new();
            for h in &cfg.holidays {
                match (full_date(h), month_day(h)) {
                    (Some(d), _) => dates.push(d),
                    (None, Some(md)) => yearly.push(md),
                    (None, None) => return Err(format!("bad holiday {h}")),
                }
            }
            let mut overrides: Vec<(NaiveDate, Vec<(u32, u32)>)> = Vec::new();
            for o in &cfg.overrides {
                let d = full_date(&o.date).ok_or_else(|| format!("bad date {}", o.date))?;
                if overrides.iter().any(|(x, _)| *x == d) {
                    return Err(format!("{d} overridden twice"));
                }
                overrides.push((d, day(&o.hours)?));
            }
            Ok(Hours {
                tz,
                weekly,
                dates,
                yearly,
                overrides,
            })
        }

        /// The hours of a local date: its override, else none on a holiday, else its weekday's.
        fn hours_on(&self, date: NaiveDate) -> Vec<(u32, u32)> {
            if let Some((_, h)) = self.overrides.iter().find(|(d, _)| *d == date) {
                return h.clone();
            }
            if self.dates.contains(&date) || self.yearly.contains(&(date.month(), date.day())) {
                return Vec::new();
            }
            self.weekly[date.weekday().num_days_from_monday() as usize].clone()
        }

        /// The local wall-clock time at an instant.
        fn local(&self, t: DateTime<Utc>) -> NaiveDateTime {
            t.with_timezone(&self.tz).naive_local()
        }

        /// The first instant whose local time is `local` or later: the instant itself when it
        /// occurs once, the earlier one when it occurs twice, and the moment the clocks jump
        /// when it falls in a gap.
        fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
            // The UTC offsets in force a day before and a day after (changes are months apart).
            let mut offsets: Vec<i64> = [-1i64, 1]
                .iter()
                .map(|&d| {
                    let probe = local + TimeDelta::days(d);
                    i64::from(
                        self.tz
                            .offset_from_utc_datetime(&probe)
                            .fix()
                            .local_minus_utc(),
                    )
                })
                .collect();
            offsets.dedup();
            let at = |off: i64| Utc.from_utc_datetime(&(local - TimeDelta::seconds(off)));
            let exact = offsets
                .iter()
                .map(|&off| at(off))
                .filter(|&u| self.local(u) == local)
                .min();
            if let Some(u) = exact {
                return u;
            }
            // In a gap: before `lo` the local time is still short of it, at `hi` already past.
            let (min, max) = (
                *offsets.iter().min().expect("two offsets"),
                *offsets.iter().max().expect("two offsets"),
            );
            let (mut lo, mut hi) = (at(max), at(min));
            assert!(self.local(lo) < local && self.local(hi) >= local);
            while hi - lo > TimeDelta::seconds(1) {
                let mid = lo + TimeDelta::seconds((hi - lo).num_seconds() / 2);
                if self.local(mid) >= local {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            hi
        }

        /// The open intervals of a local date, as instants (those that are not empty).
        fn intervals(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
            let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
            self.hours_on(date)
                .into_iter()
                .map(|(a, b)| {
                    let at = |m: u32| self.instant(midnight + TimeDelta::minutes(i64::from(m)));
                    (at(a), at(b))
                })
                .filter(|(a, b)| a < b)
                .collect()
        }

        fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
            self.local(t).date()
        }

        /// Whether the line is open at `t`: an interval of a local date around it holds it.
        pub fn is_open(&self, t: DateTime<Utc>) -> bool {
            // A date's intervals lie between its midnight and the next.
            let d = self.local_date(t);
            [d - Days::new(1), d, d + Days::new(1)]
                .into_iter()
                .any(|date| self.intervals(date).iter().any(|&(a, b)| a <= t && t < b))
        }

        /// The first instant after `t` at which the line opens or closes: the first interval
        /// end after `t` where being open differs from now; `None` if none within two years.
        pub fn next_change(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
            let now = self.is_open(t);
            let first = self.local_date(t) - Days::new(1);
            let limit = t + TimeDelta::days(LIMIT_DAYS as i64);
            // The intervals of the dates around the one looked at: an interval end on date
            // `d` can only lie in intervals of dates `d - 1` to `d + 1`.
            let mut around: std::collections::VecDeque<Vec<(DateTime<Utc>, DateTime<Utc>)>> = (0
                ..3)
                .map(|k| self.intervals(first - Days::new(1) + Days::new(k)))
                .collect();
            for i in 0..HORIZON_DAYS {
                let date = first + Days::new(i);
                // Now dates `date - 1` to `date + 1`.
                if i > 0 {
                    around.pop_front();
                    around.push_back(self.intervals(date + Days::new(1)));
                }
                let mut ends: Vec<DateTime<Utc>> = around[1]
                    .iter()
                    .flat_map(|&(a, b)| [a, b])
                    .filter(|&e| e > t)
                    .collect();
                ends.sort();
                let open_at =
                    |e: DateTime<Utc>| around.iter().flatten().any(|&(a, b)| a <= e && e < b);
                if let Some(e) = ends.into_iter().find(|&e| open_at(e) != now) {
                    return (e < limit).then_some(e);
                }
            }
            None
        }

        /// The instant at which `secs` seconds of open time have passed since `from`; `None`
        /// if the line does not open again.
        pub fn add_open_secs(&self, from: DateTime<Utc>, secs: u32) -> Option<DateTime<Utc>> {
            let mut left = TimeDelta::seconds(i64::from(secs));
            let mut t = from;
            loop {
                let next = self.next_change(t);
                if !self.is_open(t) {
                    t = next?;
                    continue;
                }
                match next {
                    Some(e) if e - t < left => {
                        left -= e - t;
                        t = e;
                    }
                    _ => return Some(t + left),
                }
            }
        }
    }
}

use hours::Hours;

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
}

#[derive(Clone, Debug)]
struct Client {
    id: String,
    pinned: Option<String>,
    last_operator: Option<String>,
    /// How many sessions the client opened by writing (new or reopened conversations).
    contacts: u64,
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
        /// The answer deadline of an unconfirmed assignment.
        deadline: Option<DateTime<Utc>>,
    },
    Offered {
        ops: Vec<String>,
        deadline: Option<DateTime<Utc>>,
    },
    /// With a line's chat-bot (named here: the line's bot may change meanwhile).
    WithBot {
        bot: String,
        deadline: Option<DateTime<Utc>>,
    },
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

/// A simple view of a conversation, for comparing with the engine's queries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvSummary {
    /// `waiting`, `offered`, `assigned`, `with_bot` or `closed`.
    pub state: String,
    pub line: String,
    pub operator: Option<String>,
    pub offered_to: Vec<String>,
    pub deadline: Option<DateTime<Utc>>,
    pub awaiting_reply: bool,
    pub answered: bool,
    pub sla_due: Option<(SlaKind, DateTime<Utc>)>,
    pub rating: Option<u8>,
}

/// A simple view of a line, for comparing with the engine's queries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineSummary {
    pub open: bool,
    pub with_bot: u32,
    pub sla: SlaCounts,
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
    /// Whether the last call stopped at the renewal bound between two deadlines of one instant
    /// (see [`Model::split_an_instant`]).
    split_instant: bool,
    /// Conversations closed with a retention of zero, forgotten once the input or deadline
    /// that closed them is done.
    forget_soon: Vec<String>,
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
            split_instant: false,
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

impl Model {
    pub fn new() -> Self {
        Self::default()
    }

    // ---- the engine's face -----------------------------------------------------------------

    /// Applies one input at `now` (never before the model's clock). A rejected input changes
    /// nothing at all: it is validated before anything changes, and when deadlines must fire
    /// first the work is done on a copy that is kept only on success. Catching up is bounded
    /// by renewals only (see the module's documentation): a `tick` stops at the bound, any
    /// other input is refused there.
    pub fn handle(&mut self, now: DateTime<Utc>, input: &Input) -> Result<(), ModelError> {
        self.call += 1;
        self.split_instant = false;
        let at = match self.clock {
            Some(clock) if clock > now => clock,
            _ => now,
        };
        let bound = Some(self.max_renewals);
        if matches!(input, Input::Tick) {
            // As far as the bound lets it go; the clock stays at the last deadline fired when
            // it stops short.
            match self.fire_due(at, bound) {
                Ok(()) => self.clock = Some(at),
                Err(reached) => self.split_instant = Some(reached) == self.clock,
            }
            self.place_waiting();
            return Ok(());
        }
        if self.timers.iter().any(|t| t.at <= at) {
            // Deadlines due by then fire first and the input is judged after them; on a copy,
            // so that a rejected input fires nothing either.
            let mut next = self.clone();
            if let Err(reached) = next.fire_due(at, bound) {
                self.split_instant = Some(reached) == next.clock;
                return Err(ModelError::CatchUpBound {
                    at: now,
                    clock: self.clock.unwrap_or(at),
                    renewals: self.max_renewals,
                    reached,
                });
            }
            next.validate(input)?;
            next.clock = Some(at);
            next.apply(input);
            next.place_waiting();
            *self = next;
        } else {
            self.validate(input)?;
            self.clock = Some(at);
            self.apply(input);
            self.place_waiting();
        }
        Ok(())
    }

    /// Whether the last call stopped at the renewal bound before a renewal due at the very
    /// instant of the last deadline it fired (so that deadlines of one instant were split
    /// between two calls). A renewal falls due a minute or more after the firing that set it,
    /// so this happens only when several renewals share an instant.
    pub fn split_an_instant(&self) -> bool {
        self.split_instant
    }

    /// Breaches of "nothing routed automatically on a closed line" since the last call.
    pub fn take_violations(&mut self) -> Vec<String> {
        std::mem::take(&mut self.violations)
    }

    /// Lets time pass: fires every deadline due at or before `now`, each as of its own time,
    /// however far away and however many renewals that takes.
    pub fn handle_timeout(&mut self, now: DateTime<Utc>) {
        if self.clock.is_some_and(|clock| now < clock) {
            return;
        }
        self.call += 1;
        let unbounded = self.fire_due(now, None);
        debug_assert!(unbounded.is_ok(), "an unbounded call never stops");
        self.clock = Some(now);
    }

    /// The earliest pending deadline.
    pub fn poll_timeout(&self) -> Option<DateTime<Utc>> {
        self.timers.iter().map(|t| t.at).min()
    }

    /// Every decision made since the last drain, oldest first.
    pub fn drain(&mut self) -> Vec<Decision> {
        std::mem::take(&mut self.out)
    }

    /// The model's clock.
    pub fn now(&self) -> Option<DateTime<Utc>> {
        self.clock
    }

    // ---- read-only helpers for generators and comparisons ----------------------------------

    /// Every conversation ever opened, in order of first mention, with its client and channel.
    pub fn known_conversations(&self) -> Vec<(String, String, String)> {
        self.conversations
            .iter()
            .map(|c| (c.id.clone(), c.client.clone(), c.channel.clone()))
            .collect()
    }

    /// `forget_closed_after_secs` and `max_renewals_per_call` as the last `engine_settings`
    /// left them.
    pub fn settings(&self) -> (Option<u64>, u32) {
        (self.forget_after, self.max_renewals)
    }

    /// Whether nothing can start renewing on its own: no offer or unconfirmed assignment
    /// pending, nobody waiting and nobody with a bot. Then letting any amount of time pass
    /// fires only what is scheduled now and the lines' openings and closings.
    pub fn is_quiet(&self) -> bool {
        !self
            .timers
            .iter()
            .any(|t| matches!(t.kind, TimerKind::Offer(_)))
            && !self.conversations.iter().any(|c| {
                matches!(
                    c.at,
                    Where::Waiting { .. } | Where::WithBot { .. } | Where::Limbo
                )
            })
    }

    /// A known client's pin, contacts and last operator; `None` for a client the model does
    /// not know (never named, or forgotten).
    pub fn client_summary(&self, id: &str) -> Option<(Option<String>, u64, Option<String>)> {
        self.client(id)
            .map(|c| (c.pinned.clone(), c.contacts, c.last_operator.clone()))
    }

    /// Open conversations, in order of first mention.
    pub fn open_conversations(&self) -> Vec<String> {
        self.conversations
            .iter()
            .filter(|c| c.at != Where::Closed)
            .map(|c| c.id.clone())
            .collect()
    }

    /// (conversation, operator) pairs an operator could accept: unconfirmed assignments and
    /// `all`-mode offers.
    pub fn pending_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for c in &self.conversations {
            match &c.at {
                Where::Assigned {
                    op,
                    deadline: Some(_),
                } => out.push((c.id.clone(), op.clone())),
                Where::Offered { ops, .. } => {
                    for o in ops {
                        out.push((c.id.clone(), o.clone()));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Unconfirmed assignments (with an answer deadline), in order of first mention: the
    /// conversation, its client and its holder.
    pub fn unconfirmed_assignments(&self) -> Vec<(String, String, String)> {
        self.conversations
            .iter()
            .filter_map(|c| match &c.at {
                Where::Assigned {
                    op,
                    deadline: Some(_),
                } => Some((c.id.clone(), c.client.clone(), op.clone())),
                _ => None,
            })
            .collect()
    }

    /// Lines holding an unconfirmed assignment (one with an answer deadline).
    pub fn lines_with_unconfirmed_assignments(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.conversations {
            if let Where::Assigned {
                deadline: Some(_), ..
            } = c.at
            {
                if !out.contains(&c.line) {
                    out.push(c.line.clone());
                }
            }
        }
        out
    }

    /// Existing operators, in order of first mention.
    pub fn existing_operators(&self) -> Vec<String> {
        self.operators
            .iter()
            .filter(|o| o.exists)
            .map(|o| o.id.clone())
            .collect()
    }

    /// Existing lines, in order of creation.
    pub fn existing_lines(&self) -> Vec<String> {
        self.lines
            .iter()
            .map(|l| l.cfg.line.as_str().to_string())
            .collect()
    }

    /// The configurations of the existing lines, in order of creation.
    pub fn line_configs(&self) -> Vec<LineConfig> {
        self.lines.iter().map(|l| l.cfg.clone()).collect()
    }

    /// Conversations with a bot now, in order of first mention.
    pub fn with_bot(&self) -> Vec<String> {
        self.conversations
            .iter()
            .filter(|c| matches!(c.at, Where::WithBot { .. }))
            .map(|c| c.id.clone())
            .collect()
    }

    /// An existing line's open state, bot count and response-target counts.
    pub fn line_summary(&self, id: &str) -> Option<LineSummary> {
        let l = self.line_rec(id)?;
        let with_bot = self
            .conversations
            .iter()
            .filter(|c| c.line == id && matches!(c.at, Where::WithBot { .. }))
            .count();
        Some(LineSummary {
            open: l.open,
            with_bot: with_bot as u32,
            sla: l.sla,
        })
    }

    /// Whether an existing line is open now and when that next changes, as found when its
    /// hours were last looked at (still true: every deadline up to now has fired).
    pub fn line_hours_now(&self, id: &str) -> Option<(bool, Option<DateTime<Utc>>)> {
        self.line_rec(id).map(|l| (l.open, l.next_change))
    }

    /// A line's working hours (`None` for an unknown line or one without hours).
    pub fn line_hours(&self, id: &str) -> Option<&Hours> {
        self.line_rec(id)?.hours.as_ref()
    }

    /// An operator's response-target counts (kept across removal); `None` if never seen.
    pub fn operator_sla(&self, id: &str) -> Option<SlaCounts> {
        self.op_record(id).map(|o| o.sla)
    }

    /// Channels connected now, with their line.
    pub fn connected_channels(&self) -> Vec<(String, String)> {
        self.channels
            .iter()
            .filter_map(|c| c.line.clone().map(|l| (c.id.clone(), l)))
            .collect()
    }

    /// Existing operators whose presence is not `online`.
    pub fn operators_not_online(&self) -> Vec<String> {
        self.operators
            .iter()
            .filter(|o| o.exists && o.presence != Presence::Online)
            .map(|o| o.id.clone())
            .collect()
    }

    /// Existing operators whose work day has not started.
    pub fn operators_not_at_work(&self) -> Vec<String> {
        self.operators
            .iter()
            .filter(|o| o.exists && !o.workday)
            .map(|o| o.id.clone())
            .collect()
    }

    /// A conversation as a simple summary; `None` for an unknown one.
    pub fn conversation_summary(&self, id: &str) -> Option<ConvSummary> {
        let c = self.conversations.iter().find(|c| c.id == id)?;
        let (state, operator, offered_to, deadline) = match &c.at {
            Where::Closed => ("closed", None, Vec::new(), None),
            Where::WithBot { deadline, .. } => ("with_bot", None, Vec::new(), *deadline),
            Where::Limbo | Where::Waiting { .. } => ("waiting", None, Vec::new(), None),
            Where::Assigned { op, deadline } => {
                ("assigned", Some(op.clone()), Vec::new(), *deadline)
            }
            Where::Offered { ops, deadline } => ("offered", None, ops.clone(), *deadline),
        };
        Some(ConvSummary {
            state: state.to_string(),
            line: c.line.clone(),
            operator,
            offered_to,
            deadline,
            awaiting_reply: c.awaiting_reply,
            answered: c.answered,
            sla_due: c.sla,
            rating: c.rating,
        })
    }

    /// An existing operator's load counters (open, awaiting reply, unanswered).
    pub fn operator_load(&self, id: &str) -> Option<(u32, u32, u32)> {
        self.op(id)?;
        Some((
            self.load(id, CountTowardCap::Open),
            self.load(id, CountTowardCap::AwaitingReply),
            self.load(id, CountTowardCap::Unanswered),
        ))
    }

    /// A line's waiting conversations, longest waiting first.
    pub fn waiting_on(&self, line: &str) -> Vec<String> {
        let mut w: Vec<(u64, String)> = self
            .conversations
            .iter()
            .filter(|c| c.line == line)
            .filter_map(|c| match c.at {
                Where::Waiting { seq, .. } => Some((seq, c.id.clone())),
                _ => None,
            })
            .collect();
        w.sort();
        w.into_iter().map(|(_, id)| id).collect()
    }

    // ---- lookups -----------------------------------------------------------------------------

    fn now_(&self) -> DateTime<Utc> {
        self.clock
            .expect("the clock is set before any input or deadline is applied")
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// An operator record, existing or not (a removed operator keeps its record).
    fn op_record(&self, id: &str) -> Option<&Operator> {
        self.operators.iter().find(|o| o.id == id)
    }

    fn op_record_mut(&mut self, id: &str) -> &mut Operator {
        if !self.operators.iter().any(|o| o.id == id) {
            self.operators.push(Operator::new(id));
        }
        self.operators
            .iter_mut()
            .find(|o| o.id == id)
            .expect("just added")
    }

    /// An existing operator.
    fn op(&self, id: &str) -> Option<&Operator> {
        self.op_record(id).filter(|o| o.exists)
    }

    fn line(&self, id: &str) -> Option<&LineConfig> {
        self.line_rec(id).map(|l| &l.cfg)
    }

    fn line_rec(&self, id: &str) -> Option<&Line> {
        self.lines.iter().find(|l| l.cfg.line.as_str() == id)
    }

    fn line_rec_mut(&mut self, id: &str) -> &mut Line {
        self.lines
            .iter_mut()
            .find(|l| l.cfg.line.as_str() == id)
            .expect("an existing line")
    }

    /// The line of a conversation (which exists while the conversation is open).
    fn conv_line(&self, c: usize) -> &Line {
        self.line_rec(&self.conversations[c].line)
            .expect("an open conversation's line exists")
    }

    fn line_of(&self, c: usize) -> &LineConfig {
        self.line(&self.conversations[c].line)
            .expect("an open conversation's line exists")
    }

    fn channel(&self, id: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.id == id)
    }

    fn client(&self, id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.id == id)
    }

    fn client_mut(&mut self, id: &str) -> &mut Client {
        if !self.clients.iter().any(|c| c.id == id) {
            self.clients.push(Client {
                id: id.to_string(),
                pinned: None,
                last_operator: None,
                contacts: 0,
            });
        }
        self.clients
            .iter_mut()
            .find(|c| c.id == id)
            .expect("just added")
    }

    fn conv_index(&self, id: &str) -> Option<usize> {
        self.conversations.iter().position(|c| c.id == id)
    }

    fn emit(&mut self, kind: DecisionKind) {
        let at = self.now_();
        self.out.push(Decision { at, kind });
    }

    fn schedule(&mut self, at: DateTime<Utc>, kind: TimerKind) {
        self.timer_seq += 1;
        self.timers.push(Timer {
            at,
            seq: self.timer_seq,
            call: self.call,
            kind,
        });
    }

    fn cancel(&mut self, kind: TimerKind) {
        self.timers.retain(|t| t.kind != kind);
    }

    fn has_timer(&self, kind: &TimerKind) -> bool {
        self.timers.iter().any(|t| t.kind == *kind)
    }

    /// `secs` seconds from now (`None` past the end of time).
    fn after(&self, secs: u32) -> Option<DateTime<Utc>> {
        self.now_()
            .checked_add_signed(TimeDelta::seconds(i64::from(secs)))
    }

    // ---- eligibility, from scratch -----------------------------------------------------------

    /// How many open conversations the operator is responsible for, counted as `count` says.
    fn load(&self, op: &str, count: CountTowardCap) -> u32 {
        let mut n = 0;
        for c in &self.conversations {
            if let Where::Assigned { op: holder, .. } = &c.at {
                if holder == op {
                    let counts = match count {
                        CountTowardCap::Open => true,
                        CountTowardCap::AwaitingReply => c.awaiting_reply,
                        CountTowardCap::Unanswered => !c.answered,
                    };
                    if counts {
                        n += 1;
                    }
                }
            }
        }
        n
    }

    /// Available under the line's availability check (membership, channel and cap aside):
    /// active, and — when the line checks — outside absences and online, or with a started
    /// work day if the line tracks work time.
    fn available_on(&self, op: &str, line: &LineConfig) -> bool {
        self.op(op).is_some_and(|o| o.availability()[profile(line)])
    }

    fn has_room_on(&self, op: &str, line: &LineConfig) -> bool {
        let own = self.op(op).and_then(|o| o.max_open);
        let cap = match (own, line.max_open_per_operator) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match cap {
            None => true,
            Some(cap) => self.load(op, line.count_toward_cap) < cap,
        }
    }

    /// The line's members in queue order: each entry in turn, a group's members in order of
    /// creation, an operator named twice keeping the first place. Existing operators only.
    fn members(&self, line: &LineConfig) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for entry in &line.queue {
            match entry {
                QueueEntry::Operator(id) => {
                    if self.op(id.as_str()).is_some() && !out.iter().any(|m| m == id.as_str()) {
                        out.push(id.as_str().to_string());
                    }
                }
                QueueEntry::Group { group } => {
                    let mut in_group: Vec<&Operator> = self
                        .operators
                        .iter()
                        .filter(|o| o.exists && o.groups.iter().any(|g| g == group.as_str()))
                        .collect();
                    in_group.sort_by_key(|o| o.created);
                    for o in in_group {
                        if !out.contains(&o.id) {
                            out.push(o.id.clone());
                        }
                    }
                }
            }
        }
        out
    }

    /// The channel's operator list, when it restricts this conversation: the channel's list
    /// applies on the line it was (last) connected to.
    fn channel_list(&self, c: usize) -> Option<&Vec<String>> {
        let conv = &self.conversations[c];
        let chan = self.channel(&conv.channel)?;
        if chan.list_line.as_deref() == Some(conv.line.as_str()) {
            chan.operators.as_ref()
        } else {
            None
        }
    }

    /// Who may serve this conversation automatically, in queue order: members of its line,
    /// allowed on its channel.
    fn candidates(&self, c: usize) -> Vec<String> {
        let members = self.members(self.line_of(c));
        match self.channel_list(c) {
            Some(list) => members.into_iter().filter(|m| list.contains(m)).collect(),
            None => members,
        }
    }

    /// Eligible for this conversation and under cap.
    fn ready_for(&self, c: usize, op: &str) -> bool {
        let line = self.line_of(c);
        self.candidates(c).iter().any(|m| m == op)
            && self.available_on(op, line)
            && self.has_room_on(op, line)
    }

    /// Tried for this conversation, and not come back since (under its line's profile).
    fn tried(&self, c: usize, op: &str) -> bool {
        let Some(o) = self.op_record(op) else {
            return false;
        };
        let p = profile(self.line_of(c));
        self.conversations[c]
            .tried
            .iter()
            .any(|(t, e)| t == op && e[p] == o.epoch[p])
    }

    fn any_still_tried(&self, c: usize) -> bool {
        self.conversations[c]
            .tried
            .iter()
            .any(|(t, _)| self.tried(c, t))
    }

    fn mark_tried(&mut self, c: usize, op: &str) {
        let epoch = self.op_record(op).map_or([0; 3], |o| o.epoch);
        let tried = &mut self.conversations[c].tried;
        tried.retain(|(t, _)| t != op);
        tried.push((op.to_string(), epoch));
    }

    /// Decides where a conversation should go now, changing nothing.
    fn plan(&self, c: usize) -> Plan {
        let conv = &self.conversations[c];
        let line = self.line_of(c);
        let client = self.client(&conv.client);
        let pinned = client.and_then(|cl| cl.pinned.clone());
        let last_operator = client.and_then(|cl| cl.last_operator.clone());

        // While the line is closed nothing is routed; an `always` pin to an operator who is
        // inactive or gone is the first reason given, though.
        let pinned_gone = pinned.as_ref().is_some_and(|p| {
            line.pinned_policy == PinnedPolicy::Always && !self.op(p).is_some_and(|o| o.active)
        });
        if pinned_gone {
            return Plan::Wait(QueueReason::WaitingForPinned);
        }
        if !self.conv_line(c).open {
            return Plan::Wait(QueueReason::OffHours);
        }

        if let Some(p) = pinned {
            match line.pinned_policy {
                PinnedPolicy::Always => {
                    // Whatever their load, presence, membership or channel list.
                    let active = self.op(&p).is_some_and(|o| o.active);
                    return if active {
                        Plan::Assign {
                            op: p,
                            reason: AssignReason::Pinned,
                            final_: true,
                        }
                    } else {
                        Plan::Wait(QueueReason::WaitingForPinned)
                    };
                }
                PinnedPolicy::Prefer => {
                    if self.ready_for(c, &p) && !self.tried(c, &p) {
                        return Plan::Assign {
                            op: p,
                            reason: AssignReason::Pinned,
                            final_: false,
                        };
                    }
                }
                PinnedPolicy::Ignore => {}
            }
        }

        if self.channel_list(c).is_some_and(|l| l.is_empty()) {
            return Plan::Wait(QueueReason::NoOperatorsForChannel);
        }

        if line.prefer_last_operator {
            if let Some(q) = last_operator {
                if self.ready_for(c, &q) && !self.tried(c, &q) {
                    return Plan::Assign {
                        op: q,
                        reason: AssignReason::LastOperator,
                        final_: false,
                    };
                }
            }
        }

        let candidates = self.candidates(c);
        let mut ready: Vec<(u32, u64, usize, String)> = Vec::new();
        for (pos, m) in candidates.iter().enumerate() {
            if self.available_on(m, line) && self.has_room_on(m, line) {
                let last = self.op(m).map_or(0, |o| o.last_assigned);
                let load = self.load(m, line.count_toward_cap);
                let key = match line.mode {
                    Mode::Strict | Mode::All => (0, 0, pos),
                    Mode::Evenly => (0, last, pos),
                    Mode::Balanced => (load, last, pos),
                };
                ready.push((key.0, key.1, key.2, m.clone()));
            }
        }
        ready.sort();

        if line.mode == Mode::All {
            if !ready.is_empty() {
                return Plan::Offer(ready.into_iter().map(|r| r.3).collect());
            }
        } else if let Some(r) = ready.iter().find(|r| !self.tried(c, &r.3)) {
            return Plan::Assign {
                op: r.3.clone(),
                reason: AssignReason::Routed,
                final_: false,
            };
        } else if self.any_still_tried(c) {
            return Plan::Exhausted;
        }

        if candidates.iter().any(|m| self.available_on(m, line)) {
            Plan::Wait(QueueReason::AtCapacity)
        } else {
            Plan::Wait(QueueReason::NoEligibleOperator)
        }
    }

    // ---- moving conversations ----------------------------------------------------------------

    /// Takes a conversation out of where it is (into limbo), cancelling its deadline. Returns
    /// where it was.
    fn leave(&mut self, c: usize) -> Where {
        let id = self.conversations[c].id.clone();
        self.cancel(TimerKind::Offer(id.clone()));
        self.cancel(TimerKind::Bot(id));
        std::mem::replace(&mut self.conversations[c].at, Where::Limbo)
    }

    fn cid(&self, c: usize) -> routeline::ConversationId {
        self.conversations[c].id.as_str().into()
    }

    fn lid(&self, c: usize) -> routeline::LineId {
        self.conversations[c].line.as_str().into()
    }

    fn offer_deadline(&self, c: usize) -> Option<DateTime<Utc>> {
        let secs = self.line_of(c).offer_timeout_secs?;
        self.now_()
            .checked_add_signed(TimeDelta::seconds(i64::from(secs)))
    }

    /// Assigns a conversation in limbo and says so.
    fn assign(&mut self, c: usize, op: &str, reason: AssignReason, final_: bool) {
        if matches!(
            reason,
            AssignReason::Routed | AssignReason::Pinned | AssignReason::LastOperator
        ) {
            self.check_open_for_routing(c, "assigned");
        }
        let answer_by = if final_ { None } else { self.offer_deadline(c) };
        if let Some(at) = answer_by {
            self.schedule(at, TimerKind::Offer(self.conversations[c].id.clone()));
        }
        self.conversations[c].at = Where::Assigned {
            op: op.to_string(),
            deadline: answer_by,
        };
        let seq = self.next_seq();
        self.op_record_mut(op).last_assigned = seq;
        if answer_by.is_none() {
            // Final at once: the client's last operator.
            self.set_last_operator(c, op);
        }
        self.emit(DecisionKind::Assigned {
            conversation: self.cid(c),
            line: self.lid(c),
            operator: op.into(),
            reason,
            answer_by,
        });
    }

    fn offer(&mut self, c: usize, ops: Vec<String>) {
        self.check_open_for_routing(c, "offered");
        let expires_at = self.offer_deadline(c);
        self.emit(DecisionKind::Offered {
            conversation: self.cid(c),
            line: self.lid(c),
            operators: ops.iter().map(|o| o.as_str().into()).collect(),
            expires_at,
        });
        if let Some(at) = expires_at {
            self.schedule(at, TimerKind::Offer(self.conversations[c].id.clone()));
        }
        self.conversations[c].at = Where::Offered {
            ops,
            deadline: expires_at,
        };
    }

    /// Records a breach when the conversation's line is closed now by its hours, evaluated
    /// afresh from its configuration.
    fn check_open_for_routing(&mut self, c: usize, what: &str) {
        let now = self.now_();
        let line = self.conv_line(c);
        let Some(cfg) = &line.cfg.schedule else {
            return;
        };
        let hours = Hours::parse(cfg).expect("a line's hours were checked when set");
        if !hours.is_open(now) {
            let v = format!(
                "{what} {} on line {} at {now}, which its hours say is closed",
                self.conversations[c].id, self.conversations[c].line
            );
            self.violations.push(v);
        }
    }

    fn enqueue(&mut self, c: usize, reason: QueueReason) {
        let seq = self.next_seq();
        self.conversations[c].at = Where::Waiting {
            since: self.now_(),
            seq,
        };
        self.emit(DecisionKind::Queued {
            conversation: self.cid(c),
            line: self.lid(c),
            reason,
        });
        // Nobody eligible in working hours, under the availability check.
        let line = self.conv_line(c);
        if reason == QueueReason::NoEligibleOperator
            && line.open
            && line.cfg.check_availability
            && line
                .cfg
                .auto_replies
                .as_ref()
                .is_some_and(|r| r.no_operators)
        {
            self.auto_reply(c, AutoReplyKind::NoOperators);
        }
    }

    fn auto_reply(&mut self, c: usize, kind: AutoReplyKind) {
        self.emit(DecisionKind::AutoReply {
            conversation: self.cid(c),
            line: self.lid(c),
            kind,
        });
    }

    fn apply_plan(&mut self, c: usize, plan: Plan) {
        match plan {
            Plan::Assign { op, reason, final_ } => self.assign(c, &op, reason, final_),
            Plan::Offer(ops) => self.offer(c, ops),
            Plan::Wait(reason) => self.enqueue(c, reason),
            Plan::Exhausted => match self.line_of(c).on_exhausted {
                OnExhausted::Requeue => self.enqueue(c, QueueReason::Exhausted),
                // Nothing to keep (the last one left): forget who was tried, from the top.
                OnExhausted::Cycle | OnExhausted::KeepLast => {
                    self.conversations[c].tried.clear();
                    let plan = self.plan(c);
                    self.apply_plan(c, plan);
                }
            },
        }
    }

    /// Routes a conversation in limbo.
    fn route(&mut self, c: usize) {
        let plan = self.plan(c);
        self.apply_plan(c, plan);
    }

    fn unassigned(&mut self, c: usize, op: &str, reason: UnassignReason) {
        self.emit(DecisionKind::Unassigned {
            conversation: self.cid(c),
            operator: op.into(),
            reason,
        });
    }

    fn withdrawn(&mut self, c: usize, op: &str, reason: WithdrawReason) {
        self.emit(DecisionKind::OfferWithdrawn {
            conversation: self.cid(c),
            operator: op.into(),
            reason,
        });
    }

    /// Makes an unconfirmed assignment final (silently); its holder is now the client's last
    /// operator.
    fn confirm(&mut self, c: usize) {
        if let Where::Assigned { op, deadline } = self.conversations[c].at.clone() {
            if deadline.is_some() {
                self.leave(c);
                self.set_last_operator(c, &op);
                self.conversations[c].at = Where::Assigned { op, deadline: None };
            }
        }
    }

    /// Makes an unconfirmed assignment final and says so: `assigned` naming the holder again,
    /// without `answer_by` (not a new assignment: "least recently assigned" stays as it was).
    fn finalize(&mut self, c: usize, reason: AssignReason) {
        let Where::Assigned {
            op,
            deadline: Some(_),
        } = self.conversations[c].at.clone()
        else {
            return;
        };
        self.confirm(c);
        self.emit(DecisionKind::Assigned {
            conversation: self.cid(c),
            line: self.lid(c),
            operator: op.as_str().into(),
            reason,
            answer_by: None,
        });
    }

    /// The conversation's client's last operator is now `op`.
    fn set_last_operator(&mut self, c: usize, op: &str) {
        let client = self.conversations[c].client.clone();
        self.client_mut(&client).last_operator = Some(op.to_string());
    }

    /// Takes a conversation from wherever it is, telling who lost it. Returns the operator
    /// who held it.
    fn leave_telling(
        &mut self,
        c: usize,
        winner: Option<&str>,
        unassign: UnassignReason,
    ) -> Option<String> {
        match self.leave(c) {
            Where::Assigned { op, .. } => {
                self.unassigned(c, &op, unassign);
                Some(op)
            }
            Where::Offered { ops, .. } => {
                for o in ops {
                    if Some(o.as_str()) != winner {
                        self.withdrawn(c, &o, WithdrawReason::AcceptedElsewhere);
                    }
                }
                None
            }
            // An operator stepping in (or a transfer) ends the bot's turn.
            Where::WithBot { bot, .. } => {
                self.bot_left(c, bot, BotLeftReason::Handoff);
                None
            }
            _ => None,
        }
    }

    /// A manual move to a named operator: final at once, caps ignored; the holder of an
    /// unanswered assignment confirms it silently.
    fn give_to(&mut self, c: usize, op: &str, reason: AssignReason, unassign: UnassignReason) {
        if let Where::Assigned { op: holder, .. } = &self.conversations[c].at {
            if holder == op {
                self.confirm(c);
                return;
            }
        }
        self.leave_telling(c, Some(op), unassign);
        self.assign(c, op, reason, true);
    }

    /// The holder of an unanswered assignment lets it go (became unavailable): next one.
    fn move_on(&mut self, c: usize, reason: UnassignReason) {
        if let Where::Assigned { op, .. } = self.leave(c) {
            self.unassigned(c, &op, reason);
            self.mark_tried(c, &op);
            self.route(c);
        }
    }

    /// One operator loses an `all`-mode offer; with nobody left it is routed again.
    fn withdraw_one(&mut self, c: usize, op: &str, reason: WithdrawReason) {
        let Where::Offered { ops, .. } = &mut self.conversations[c].at else {
            return;
        };
        ops.retain(|o| o != op);
        let empty = ops.is_empty();
        self.withdrawn(c, op, reason);
        if empty {
            self.leave(c);
            self.route(c);
        }
    }

    /// Closes an open conversation (or one in limbo): its clocks stop silently; the line may
    /// ask for a rating.
    fn close(&mut self, c: usize, reason: CloseReason) {
        self.leave(c);
        let now = self.now_();
        let id = self.conversations[c].id.clone();
        let conv = &mut self.conversations[c];
        conv.at = Where::Closed;
        conv.closed_at = Some(now);
        conv.tried.clear();
        conv.sla = None;
        self.cancel(TimerKind::Sla(id.clone()));
        self.cancel(TimerKind::Unanswered(id.clone()));
        self.cancel(TimerKind::Inactivity(id.clone()));
        match self.forget_at(now) {
            // No deadline is left due after a call: forgotten once the closing is done.
            Some(at) if at <= now => self.forget_soon.push(id),
            Some(at) => self.schedule(at, TimerKind::Forget(id)),
            None => {}
        }
        self.emit(DecisionKind::Closed {
            conversation: self.cid(c),
            reason,
        });
        let asks = self
            .conv_line(c)
            .cfg
            .rating
            .as_ref()
            .is_some_and(|r| r.request_on_close);
        if asks && matches!(reason, CloseReason::Closed | CloseReason::Inactivity) {
            self.emit(DecisionKind::RatingRequested {
                conversation: self.cid(c),
            });
        }
    }

    /// When a conversation closed at `closed_at` is to be forgotten (`None`: never, or past
    /// the end of time).
    fn forget_at(&self, closed_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let secs = i64::try_from(self.forget_after?).ok()?;
        closed_at.checked_add_signed(TimeDelta::try_seconds(secs)?)
    }

    /// Forgets the conversations that closed with nothing to wait for (a retention of zero),
    /// in the order they closed.
    fn forget_closed_now(&mut self) {
        for id in std::mem::take(&mut self.forget_soon) {
            if let Some(c) = self.conv_index(&id) {
                self.forget(c);
            }
        }
    }

    /// Forgets a closed conversation, and its client if nothing is left of them.
    fn forget(&mut self, c: usize) {
        let conv = self.conversations.remove(c);
        debug_assert!(
            conv.at == Where::Closed,
            "only closed conversations are forgotten"
        );
        debug_assert!(
            !self.timers.iter().any(|t| match &t.kind {
                TimerKind::Offer(id)
                | TimerKind::Unanswered(id)
                | TimerKind::Sla(id)
                | TimerKind::Bot(id)
                | TimerKind::Inactivity(id)
                | TimerKind::Forget(id) => *id == conv.id,
                _ => false,
            }),
            "a closed conversation has no deadline left but its forgetting"
        );
        self.forget_client_if_idle(&conv.client);
    }

    /// Forgets a client the model knows no conversation of and who has no pin.
    fn forget_client_if_idle(&mut self, client: &str) {
        let idle = !self.conversations.iter().any(|c| c.client == client)
            && self.client(client).is_none_or(|cl| cl.pinned.is_none());
        if idle {
            self.clients.retain(|cl| cl.id != client);
        }
    }

    /// `forget_closed_after_secs` changed: every closed conversation is forgotten at its new
    /// time, at once if that has passed, in order of first mention.
    fn retime_forgetting(&mut self) {
        let now = self.now_();
        let closed: Vec<String> = self
            .conversations
            .iter()
            .filter(|c| c.at == Where::Closed)
            .map(|c| c.id.clone())
            .collect();
        for id in closed {
            self.cancel(TimerKind::Forget(id.clone()));
            let c = self.conv_index(&id).expect("forgotten only below");
            let closed_at = self.conversations[c]
                .closed_at
                .expect("a closed conversation knows when it closed");
            match self.forget_at(closed_at) {
                Some(at) if at <= now => self.forget(c),
                Some(at) => self.schedule(at, TimerKind::Forget(id)),
                None => {}
            }
        }
    }

    /// Work conservation: every waiting conversation, longest waiting first across all lines,
    /// is placed if it can be; one that cannot be placed holds nobody back. Repeated until
    /// nothing moves.
    ///
    /// Lines that opened at an instant whose openings and closings are still firing wait for
    /// the last of them (see [`Model::fire_due`]).
    fn place_waiting(&mut self) {
        let opened = self.opened.clone();
        self.place_waiting_on(|line| !opened.iter().any(|l| l == line));
    }

    /// The lines that opened at this instant: their waiting conversations, longest waiting
    /// first across all of them, are placed if they can be (as [`Model::place_waiting`]).
    fn place_opened(&mut self) {
        let opened = std::mem::take(&mut self.opened);
        self.place_waiting_on(|line| opened.iter().any(|l| l == line));
    }

    /// [`Model::place_waiting`] for the conversations waiting on the lines `on` picks.
    fn place_waiting_on(&mut self, on: impl Fn(&str) -> bool) {
        loop {
            let mut waiting: Vec<(u64, usize)> = self
                .conversations
                .iter()
                .enumerate()
                .filter(|(_, c)| on(&c.line))
                .filter_map(|(i, c)| match c.at {
                    Where::Waiting { seq, .. } => Some((seq, i)),
                    _ => None,
                })
                .collect();
            waiting.sort();
            let mut moved = false;
            for (_, c) in waiting {
                let mut plan = self.plan(c);
                if plan == Plan::Exhausted && self.line_of(c).on_exhausted != OnExhausted::Requeue {
                    self.conversations[c].tried.clear();
                    plan = self.plan(c);
                }
                if matches!(plan, Plan::Assign { .. } | Plan::Offer(_)) {
                    self.leave(c);
                    self.apply_plan(c, plan);
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
    }

    // ---- deadlines ---------------------------------------------------------------------------

    /// Fires every deadline due at or before `now`, in order, each as of its own time, and
    /// places waiting conversations after each. At each instant the lines' openings and
    /// closings come first; once the last of them has fired, the lines that opened place
    /// their waiting conversations, longest waiting first across them, and only then does
    /// the next deadline of the instant fire.
    ///
    /// With a `bound`, it stops before firing a renewal (an offer or a line's hours,
    /// scheduled during this call) when it has fired that many already, and returns when that
    /// renewal falls due; it stays pending.
    fn fire_due(&mut self, now: DateTime<Utc>, bound: Option<u32>) -> Result<(), DateTime<Utc>> {
        let mut renewals: u32 = 0;
        loop {
            let next = self
                .timers
                .iter()
                .enumerate()
                .filter(|(_, t)| t.at <= now)
                .min_by_key(|(_, t)| (t.at, !matches!(t.kind, TimerKind::Hours(_)), t.seq))
                .map(|(i, _)| i);
            let Some(i) = next else {
                break;
            };
            let t = &self.timers[i];
            if t.call == self.call && t.kind.renews() {
                if bound.is_some_and(|b| renewals >= b) {
                    return Err(t.at);
                }
                renewals += 1;
            }
            let timer = self.timers.remove(i);
            self.clock = Some(match self.clock {
                Some(clock) if clock > timer.at => clock,
                _ => timer.at,
            });
            let conv =
                |m: &Self, id: &str| m.conv_index(id).expect("timers name known conversations");
            match timer.kind {
                TimerKind::Offer(id) => {
                    let c = conv(self, &id);
                    match self.conversations[c].at.clone() {
                        Where::Assigned { op, .. } => self.assignment_expired(c, &op),
                        Where::Offered { .. } => self.offer_expired(c),
                        _ => {}
                    }
                }
                TimerKind::Absence(op) => self.absences_changed(&op),
                TimerKind::Hours(line) => self.hours_changed(&line),
                TimerKind::Unanswered(id) => {
                    let c = conv(self, &id);
                    self.auto_reply(c, AutoReplyKind::Unanswered);
                }
                TimerKind::Sla(id) => {
                    let c = conv(self, &id);
                    self.sla_missed(c);
                }
                TimerKind::Bot(id) => {
                    let c = conv(self, &id);
                    self.bot_leaves(c, BotLeftReason::Timeout);
                }
                TimerKind::Inactivity(id) => {
                    let c = conv(self, &id);
                    self.close(c, CloseReason::Inactivity);
                }
                TimerKind::Forget(id) => {
                    let c = conv(self, &id);
                    self.forget(c);
                }
            }
            self.forget_closed_now();
            let hours_left = self
                .timers
                .iter()
                .any(|t| t.at == timer.at && matches!(t.kind, TimerKind::Hours(_)));
            if !hours_left {
                self.place_opened();
            }
            self.place_waiting();
        }
        Ok(())
    }

    /// An unanswered assignment reached its deadline: the next one not yet tried gets it;
    /// with everyone tried, `on_exhausted` decides (`keep_last` keeps it).
    fn assignment_expired(&mut self, c: usize, holder: &str) {
        self.mark_tried(c, holder);
        // Plan as if the holder had let go of it.
        let was = std::mem::replace(&mut self.conversations[c].at, Where::Limbo);
        let plan = self.plan(c);
        let keep = match &plan {
            Plan::Exhausted if self.line_of(c).on_exhausted == OnExhausted::KeepLast => {
                Some(AssignReason::Routed)
            }
            // Only an `always` pin picks the holder again: nobody else could take it anyway.
            Plan::Assign { op, .. } if op == holder => Some(AssignReason::Pinned),
            _ => None,
        };
        self.conversations[c].at = was;
        if let Some(reason) = keep {
            // Kept: final now, and said so.
            self.finalize(c, reason);
            return;
        }
        self.leave(c);
        self.unassigned(c, holder, UnassignReason::NoAnswer);
        self.apply_plan(c, plan);
    }

    /// An `all`-mode offer expired: every offer withdrawn, then renewed to whoever is eligible.
    fn offer_expired(&mut self, c: usize) {
        if let Where::Offered { ops, .. } = self.leave(c) {
            for o in ops {
                self.withdrawn(c, &o, WithdrawReason::Expired);
            }
            self.route(c);
        }
    }

    // ---- operators ---------------------------------------------------------------------------

    /// After a change to what makes an operator available: coming back under a profile makes
    /// them "not yet tried" again on lines of that profile; unanswered assignments and offers
    /// on lines where they are no longer available move on.
    fn availability_changed(&mut self, op: &str, before: [bool; 3]) {
        let after = self.op_record_mut(op).availability();
        if before == after {
            return;
        }
        for p in 0..3 {
            if !before[p] && after[p] {
                self.op_record_mut(op).epoch[p] += 1;
            }
        }
        let mut lose = Vec::new();
        let mut withdraw = Vec::new();
        for (i, conv) in self.conversations.iter().enumerate() {
            let available = || self.available_on(op, self.line_of(i));
            match &conv.at {
                Where::Assigned {
                    op: holder,
                    deadline: Some(_),
                } if holder == op && !available() => lose.push(i),
                Where::Offered { ops, .. } if ops.iter().any(|o| o == op) && !available() => {
                    withdraw.push(i)
                }
                _ => {}
            }
        }
        for c in lose {
            self.move_on(c, UnassignReason::Unavailable);
        }
        for c in withdraw {
            self.withdraw_one(c, op, WithdrawReason::Unavailable);
        }
    }

    fn upsert_operator(&mut self, cfg: &OperatorConfig) {
        let id = cfg.operator.as_str();
        let before = self.op_record_mut(id).availability();
        if !self.op_record_mut(id).exists {
            let first = self.op_record_mut(id).created == 0;
            let seq = if first { self.next_seq() } else { 0 };
            let o = self.op_record_mut(id);
            o.exists = true;
            if first {
                o.created = seq;
            }
        }
        let mut groups: Vec<String> = Vec::new();
        for g in &cfg.groups {
            if !groups.iter().any(|x| x == g.as_str()) {
                groups.push(g.as_str().to_string());
            }
        }
        let o = self.op_record_mut(id);
        o.groups = groups;
        o.max_open = cfg.max_open;
        o.active = cfg.active;
        self.availability_changed(id, before);
    }

    fn remove_operator(&mut self, id: &str) {
        let mut unpinned = Vec::new();
        for cl in &mut self.clients {
            if cl.pinned.as_deref() == Some(id) {
                cl.pinned = None;
                unpinned.push(cl.id.clone());
            }
        }
        for cl in unpinned {
            self.forget_client_if_idle(&cl);
        }
        self.timers
            .retain(|t| t.kind != TimerKind::Absence(id.to_string()));
        let o = self.op_record_mut(id);
        o.exists = false;
        o.groups.clear();
        o.absences.clear();
        o.in_absence = false;
        o.presence = Presence::Offline;
        o.workday = false;
        o.max_open = None;
        o.active = true;
        let held: Vec<usize> = (0..self.conversations.len())
            .filter(
                |&i| matches!(&self.conversations[i].at, Where::Assigned { op, .. } if op == id),
            )
            .collect();
        for c in held {
            self.leave(c);
            self.unassigned(c, id, UnassignReason::Removed);
            self.route(c);
        }
        let offered: Vec<usize> = (0..self.conversations.len())
            .filter(|&i| {
                matches!(&self.conversations[i].at, Where::Offered { ops, .. } if ops.iter().any(|o| o == id))
            })
            .collect();
        for c in offered {
            self.withdraw_one(c, id, WithdrawReason::Removed);
        }
    }

    fn set_presence(&mut self, id: &str, status: Presence) {
        let before = self.op_record_mut(id).availability();
        self.op_record_mut(id).presence = status;
        self.availability_changed(id, before);
    }

    fn set_workday(&mut self, id: &str, started: bool) {
        let before = self.op_record_mut(id).availability();
        self.op_record_mut(id).workday = started;
        self.availability_changed(id, before);
    }

    fn add_absence(&mut self, id: &str, from: DateTime<Utc>, until: DateTime<Utc>) {
        let now = self.now_();
        if until <= now {
            // Already over: it changes nothing.
            return;
        }
        if from > now {
            self.schedule(from, TimerKind::Absence(id.to_string()));
        }
        self.schedule(until, TimerKind::Absence(id.to_string()));
        self.op_record_mut(id).absences.push((from, until));
        self.absences_changed(id);
    }

    fn clear_absences(&mut self, id: &str) {
        self.timers
            .retain(|t| t.kind != TimerKind::Absence(id.to_string()));
        self.op_record_mut(id).absences.clear();
        self.absences_changed(id);
    }

    /// Looks at the operator's absence windows again, as of now.
    fn absences_changed(&mut self, id: &str) {
        let now = self.now_();
        let before = self.op_record_mut(id).availability();
        let o = self.op_record_mut(id);
        o.absences.retain(|&(_, until)| until > now);
        o.in_absence = o
            .absences
            .iter()
            .any(|&(from, until)| from <= now && now < until);
        self.availability_changed(id, before);
    }

    // ---- lines and channels ------------------------------------------------------------------

    fn upsert_line(&mut self, cfg: &LineConfig) {
        let id = cfg.line.as_str();
        let new = self.line_rec(id).is_none();
        if new {
            self.lines.push(Line {
                cfg: cfg.clone(),
                hours: None,
                open: false,
                next_change: None,
                closed_period: 0,
                sla: [0; 4],
            });
        } else {
            self.line_rec_mut(id).cfg = cfg.clone();
        }
        self.look_at_hours(id, new);
    }

    /// Looks at a line's hours as of now: whether it is open, and when that next changes
    /// (its deadline). Going from open to closed, or being created closed, starts a new
    /// closed period.
    fn look_at_hours(&mut self, id: &str, new: bool) {
        let now = self.now_();
        self.cancel(TimerKind::Hours(id.to_string()));
        let hours = self
            .line_rec(id)
            .and_then(|l| l.cfg.schedule.as_ref())
            .map(|s| Hours::parse(s).expect("checked when set"));
        let open = hours.as_ref().is_none_or(|h| h.is_open(now));
        let next = hours.as_ref().and_then(|h| h.next_change(now));
        if let Some(at) = next {
            self.schedule(at, TimerKind::Hours(id.to_string()));
        }
        let was_open = self.line_rec(id).is_some_and(|l| l.open);
        let period = if !open && (new || was_open) {
            self.periods += 1;
            Some(self.periods)
        } else {
            None
        };
        let line = self.line_rec_mut(id);
        line.hours = hours;
        line.open = open;
        line.next_change = next;
        if let Some(p) = period {
            line.closed_period = p;
        }
    }

    /// A line's hours open or close it now.
    fn hours_changed(&mut self, id: &str) {
        let Some(was_open) = self.line_rec(id).map(|l| l.open) else {
            return;
        };
        self.look_at_hours(id, false);
        if self.line_rec(id).is_some_and(|l| l.open) && !was_open {
            self.opened.push(id.to_string());
        }
    }

    fn remove_line(&mut self, id: &str) {
        for c in 0..self.conversations.len() {
            let conv = &self.conversations[c];
            if conv.line == id && conv.at != Where::Closed {
                self.close(c, CloseReason::LineRemoved);
            }
        }
        for ch in &mut self.channels {
            if ch.list_line.as_deref() == Some(id) {
                ch.list_line = None;
            }
        }
        self.cancel(TimerKind::Hours(id.to_string()));
        self.lines.retain(|l| l.cfg.line.as_str() != id);
    }

    fn connect_channel(&mut self, cfg: &ChannelConfig) {
        let operators = cfg.operators.as_ref().map(|ops| {
            let mut v: Vec<String> = Vec::new();
            for o in ops {
                if !v.iter().any(|x| x == o.as_str()) {
                    v.push(o.as_str().to_string());
                }
            }
            v
        });
        let line = cfg.line.as_str().to_string();
        let channel = Channel {
            id: cfg.channel.as_str().to_string(),
            line: Some(line.clone()),
            list_line: Some(line),
            operators,
        };
        match self.channels.iter_mut().find(|c| c.id == channel.id) {
            Some(c) => *c = channel,
            None => self.channels.push(channel),
        }
    }

    // ---- validation --------------------------------------------------------------------------

    fn need_op(&self, id: &str) -> Result<(), ModelError> {
        match self.op(id) {
            Some(_) => Ok(()),
            None => err(format!("unknown operator {id}")),
        }
    }

    fn need_line(&self, id: &str) -> Result<(), ModelError> {
        match self.line(id) {
            Some(_) => Ok(()),
            None => err(format!("unknown line {id}")),
        }
    }

    /// A known channel that is connected now; returns its line.
    fn need_connected(&self, id: &str) -> Result<String, ModelError> {
        match self.channel(id) {
            None => err(format!("unknown channel {id}")),
            Some(ch) => match &ch.line {
                Some(l) => Ok(l.clone()),
                None => err(format!("channel {id} is disconnected")),
            },
        }
    }

    fn need_open(&self, id: &str) -> Result<usize, ModelError> {
        match self.conv_index(id) {
            None => err(format!("unknown conversation {id}")),
            Some(c) if self.conversations[c].at == Where::Closed => {
                err(format!("conversation {id} is closed"))
            }
            Some(c) => Ok(c),
        }
    }

    fn validate(&self, input: &Input) -> Result<(), ModelError> {
        match input {
            Input::UpsertOperator(_) | Input::UnpinClient { .. } | Input::Tick => Ok(()),
            Input::EngineSettings(settings) => {
                if settings.max_renewals_per_call == 0 {
                    return err("max_renewals_per_call must be at least 1");
                }
                Ok(())
            }
            Input::UpsertLine(cfg) => {
                if let Some(secs) = cfg.offer_timeout_secs {
                    if !(60..=43_200).contains(&secs) {
                        return err(format!("offer timeout {secs} out of range"));
                    }
                }
                let durations = [
                    cfg.auto_replies
                        .as_ref()
                        .and_then(|a| a.unanswered_after_secs),
                    cfg.sla.as_ref().and_then(|s| s.first_response_secs),
                    cfg.sla.as_ref().and_then(|s| s.next_response_secs),
                    cfg.bot.as_ref().and_then(|b| b.handoff_after_secs),
                    cfg.auto_close_after_secs,
                ];
                if durations.contains(&Some(0)) {
                    return err("a duration of zero seconds");
                }
                match &cfg.schedule {
                    Some(s) => Hours::parse(s).map(|_| ()).map_err(ModelError::Invalid),
                    None => Ok(()),
                }
            }
            Input::RemoveOperator { operator }
            | Input::PinClient { operator, .. }
            | Input::Presence { operator, .. }
            | Input::WorkdayStarted { operator }
            | Input::WorkdayEnded { operator }
            | Input::ClearAbsences { operator } => self.need_op(operator.as_str()),
            Input::Absence {
                operator,
                from,
                until,
            } => {
                self.need_op(operator.as_str())?;
                if until <= from {
                    return err("absence ends before it starts");
                }
                Ok(())
            }
            Input::RemoveLine { line } => {
                self.need_line(line.as_str())?;
                if self
                    .channels
                    .iter()
                    .any(|c| c.line.as_deref() == Some(line.as_str()))
                {
                    return err(format!("line {line} still has channels"));
                }
                Ok(())
            }
            Input::ConnectChannel(cfg) => {
                self.need_line(cfg.line.as_str())?;
                if let Some(ch) = self.channel(cfg.channel.as_str()) {
                    if let Some(on) = &ch.line {
                        if on != cfg.line.as_str() {
                            return err(format!("channel {} is on line {on}", cfg.channel));
                        }
                    }
                }
                Ok(())
            }
            Input::DisconnectChannel { channel } => match self.channel(channel.as_str()) {
                Some(_) => Ok(()),
                None => err(format!("unknown channel {channel}")),
            },
            Input::MessageIn {
                conversation,
                client,
                channel,
            } => {
                self.need_connected(channel.as_str())?;
                if let Some(c) = self.conv_index(conversation.as_str()) {
                    let conv = &self.conversations[c];
                    if conv.client != client.as_str() || conv.channel != channel.as_str() {
                        return err("message_in with another client or channel");
                    }
                }
                Ok(())
            }
            Input::MessageOut {
                conversation,
                operator,
                client,
                channel,
            } => {
                self.need_op(operator.as_str())?;
                match self.conv_index(conversation.as_str()) {
                    None => match (client, channel) {
                        (Some(_), Some(ch)) => self.need_connected(ch.as_str()).map(|_| ()),
                        _ => err("an outbound message_out needs client and channel"),
                    },
                    Some(c) => {
                        let conv = &self.conversations[c];
                        if client.as_ref().is_some_and(|cl| cl.as_str() != conv.client) {
                            return err("message_out with another client");
                        }
                        if channel
                            .as_ref()
                            .is_some_and(|ch| ch.as_str() != conv.channel)
                        {
                            return err("message_out with another channel");
                        }
                        if conv.at == Where::Closed {
                            self.need_connected(&conv.channel)?;
                        }
                        Ok(())
                    }
                }
            }
            Input::Accept {
                conversation,
                operator,
            } => {
                let c = self.need_open(conversation.as_str())?;
                self.need_op(operator.as_str())?;
                let offered = match &self.conversations[c].at {
                    Where::Assigned { op, .. } => op == operator.as_str(),
                    Where::Offered { ops, .. } => ops.iter().any(|o| o == operator.as_str()),
                    _ => false,
                };
                if offered {
                    Ok(())
                } else {
                    err(format!("{conversation} is not offered to {operator}"))
                }
            }
            Input::Take {
                conversation,
                operator,
            } => {
                self.need_open(conversation.as_str())?;
                self.need_op(operator.as_str())
            }
            Input::Transfer {
                conversation,
                to_operator,
                to_line,
            } => {
                self.need_open(conversation.as_str())?;
                match (to_operator, to_line) {
                    (Some(op), None) => self.need_op(op.as_str()),
                    (None, Some(line)) => self.need_line(line.as_str()),
                    _ => err("a transfer names exactly one of to_operator and to_line"),
                }
            }
            Input::Close { conversation } | Input::Spam { conversation } => {
                self.need_open(conversation.as_str()).map(|_| ())
            }
            Input::BotHandoff { conversation } => {
                let c = self.need_open(conversation.as_str())?;
                match self.conversations[c].at {
                    Where::WithBot { .. } => Ok(()),
                    _ => err(format!("{conversation} is not with a bot")),
                }
            }
            Input::Rating {
                conversation,
                score,
            } => {
                if self.conv_index(conversation.as_str()).is_none() {
                    return err(format!("unknown conversation {conversation}"));
                }
                if !(1..=5).contains(score) {
                    return err(format!("score {score} outside 1..=5"));
                }
                Ok(())
            }
            _ => err("an input the model does not know"),
        }
    }

    // ---- applying ----------------------------------------------------------------------------

    fn apply(&mut self, input: &Input) {
        self.apply_input(input);
        self.forget_closed_now();
    }

    fn apply_input(&mut self, input: &Input) {
        match input {
            Input::UpsertOperator(cfg) => self.upsert_operator(cfg),
            Input::RemoveOperator { operator } => self.remove_operator(operator.as_str()),
            Input::UpsertLine(cfg) => self.upsert_line(cfg),
            Input::RemoveLine { line } => self.remove_line(line.as_str()),
            Input::ConnectChannel(cfg) => self.connect_channel(cfg),
            Input::DisconnectChannel { channel } => {
                if let Some(ch) = self.channels.iter_mut().find(|c| c.id == channel.as_str()) {
                    ch.line = None;
                }
            }
            Input::PinClient { client, operator } => {
                self.pin_client(client.as_str(), operator.as_str())
            }
            Input::UnpinClient { client } => {
                if let Some(cl) = self.clients.iter_mut().find(|cl| cl.id == client.as_str()) {
                    cl.pinned = None;
                }
                self.forget_client_if_idle(client.as_str());
            }
            Input::EngineSettings(settings) => {
                let changed = settings.forget_closed_after_secs != self.forget_after;
                self.forget_after = settings.forget_closed_after_secs;
                self.max_renewals = settings.max_renewals_per_call;
                if changed {
                    self.retime_forgetting();
                }
            }
            Input::Presence { operator, status } => self.set_presence(operator.as_str(), *status),
            Input::WorkdayStarted { operator } => self.set_workday(operator.as_str(), true),
            Input::WorkdayEnded { operator } => self.set_workday(operator.as_str(), false),
            Input::Absence {
                operator,
                from,
                until,
            } => self.add_absence(operator.as_str(), *from, *until),
            Input::ClearAbsences { operator } => self.clear_absences(operator.as_str()),
            Input::MessageIn {
                conversation,
                client,
                channel,
            } => self.message_in(conversation.as_str(), client.as_str(), channel.as_str()),
            Input::MessageOut {
                conversation,
                operator,
                client,
                channel,
            } => self.message_out(
                conversation.as_str(),
                operator.as_str(),
                client.as_ref().map(|c| c.as_str()),
                channel.as_ref().map(|c| c.as_str()),
            ),
            Input::Accept {
                conversation,
                operator,
            } => {
                let c = self.conv_index(conversation.as_str()).expect("validated");
                self.give_to(
                    c,
                    operator.as_str(),
                    AssignReason::Accepted,
                    UnassignReason::TakenOver,
                );
            }
            Input::Take {
                conversation,
                operator,
            } => {
                let c = self.conv_index(conversation.as_str()).expect("validated");
                self.give_to(
                    c,
                    operator.as_str(),
                    AssignReason::Taken,
                    UnassignReason::TakenOver,
                );
            }
            Input::Transfer {
                conversation,
                to_operator,
                to_line,
            } => {
                let c = self.conv_index(conversation.as_str()).expect("validated");
                match (to_operator, to_line) {
                    (Some(op), _) => self.give_to(
                        c,
                        op.as_str(),
                        AssignReason::Transferred,
                        UnassignReason::Transferred,
                    ),
                    (None, Some(line)) => self.transfer_to_line(c, line.as_str()),
                    (None, None) => {}
                }
            }
            Input::Close { conversation } => {
                let c = self.conv_index(conversation.as_str()).expect("validated");
                self.close(c, CloseReason::Closed);
            }
            Input::Spam { conversation } => {
                let c = self.conv_index(conversation.as_str()).expect("validated");
                self.close(c, CloseReason::Spam);
            }
            Input::BotHandoff { conversation } => {
                let c = self.conv_index(conversation.as_str()).expect("validated");
                self.bot_leaves(c, BotLeftReason::Handoff);
            }
            Input::Rating {
                conversation,
                score,
            } => {
                let c = self.conv_index(conversation.as_str()).expect("validated");
                self.rate(c, *score);
            }
            Input::Tick => {}
            _ => {}
        }
    }

    /// Pins a client; on lines pinning `always`, their conversations held unanswered by that
    /// operator become final, and say so.
    fn pin_client(&mut self, client: &str, op: &str) {
        self.client_mut(client).pinned = Some(op.to_string());
        for c in 0..self.conversations.len() {
            let conv = &self.conversations[c];
            if conv.client != client {
                continue;
            }
            let held = matches!(
                &conv.at,
                Where::Assigned { op: holder, deadline: Some(_) } if holder == op
            );
            if held && self.line_of(c).pinned_policy == PinnedPolicy::Always {
                self.finalize(c, AssignReason::Pinned);
            }
        }
    }

    /// Opens a new conversation on the channel's line, in limbo.
    fn open(&mut self, id: &str, client: &str, channel: &str) -> usize {
        let line = self
            .channel(channel)
            .and_then(|c| c.line.clone())
            .expect("validated: the channel is connected");
        self.client_mut(client);
        self.conversations.push(Conversation {
            id: id.to_string(),
            client: client.to_string(),
            channel: channel.to_string(),
            line,
            at: Where::Limbo,
            awaiting_reply: false,
            answered: false,
            tried: Vec::new(),
            sla: None,
            off_hours_period: None,
            rating: None,
            closed_at: None,
        });
        self.conversations.len() - 1
    }

    /// A closed conversation opens again on its channel's current line, in limbo.
    fn reopen(&mut self, c: usize) {
        let line = self
            .channel(&self.conversations[c].channel)
            .and_then(|ch| ch.line.clone())
            .expect("validated: the channel is connected");
        self.cancel(TimerKind::Forget(self.conversations[c].id.clone()));
        let conv = &mut self.conversations[c];
        conv.line = line;
        conv.tried.clear();
        conv.rating = None;
        conv.closed_at = None;
        conv.at = Where::Limbo;
    }

    fn message_in(&mut self, id: &str, client: &str, channel: &str) {
        let c = match self.conv_index(id) {
            None => self.open(id, client, channel),
            Some(c) if self.conversations[c].at == Where::Closed => {
                self.reopen(c);
                c
            }
            Some(c) => {
                // The client speaks in an open conversation: it now awaits a reply. Writing
                // after an answer starts a new unanswered streak (and the next-response
                // target).
                let conv = &mut self.conversations[c];
                let (was_awaiting, answered) = (conv.awaiting_reply, conv.answered);
                conv.awaiting_reply = true;
                self.off_hours_reply(c);
                self.cancel(TimerKind::Inactivity(id.to_string()));
                if !was_awaiting {
                    self.start_unanswered(c);
                    if answered {
                        self.start_sla(c, SlaKind::NextResponse);
                    }
                }
                return;
            }
        };
        // A new session.
        self.client_mut(client).contacts += 1;
        let conv = &mut self.conversations[c];
        conv.awaiting_reply = true;
        conv.answered = false;
        if self
            .conv_line(c)
            .cfg
            .auto_replies
            .as_ref()
            .is_some_and(|r| r.welcome)
        {
            self.auto_reply(c, AutoReplyKind::Welcome);
        }
        self.off_hours_reply(c);
        self.start_sla(c, SlaKind::FirstResponse);
        self.start_unanswered(c);
        if !self.bot_joins(c) {
            self.route(c);
        }
    }

    /// The client wrote while the line is closed: the `off_hours` reply, once per
    /// conversation and closed period.
    fn off_hours_reply(&mut self, c: usize) {
        let line = self.conv_line(c);
        if line.open || !line.cfg.auto_replies.as_ref().is_some_and(|r| r.off_hours) {
            return;
        }
        let period = line.closed_period;
        if self.conversations[c].off_hours_period != Some(period) {
            self.conversations[c].off_hours_period = Some(period);
            self.auto_reply(c, AutoReplyKind::OffHours);
        }
    }

    /// A streak of client messages without an answer starts: the `unanswered` reply is due
    /// after the line's delay (unless a streak is running).
    fn start_unanswered(&mut self, c: usize) {
        let Some(secs) = self
            .conv_line(c)
            .cfg
            .auto_replies
            .as_ref()
            .and_then(|r| r.unanswered_after_secs)
        else {
            return;
        };
        let kind = TimerKind::Unanswered(self.conversations[c].id.clone());
        if self.has_timer(&kind) {
            return;
        }
        if let Some(at) = self.after(secs) {
            self.schedule(at, kind);
        }
    }

    /// A response target starts (unless one runs): due after its seconds, counting only open
    /// time with `business_hours_only` on a line with hours.
    fn start_sla(&mut self, c: usize, kind: SlaKind) {
        if self.conversations[c].sla.is_some() {
            return;
        }
        let now = self.now_();
        let line = self.conv_line(c);
        let Some(sla) = &line.cfg.sla else {
            return;
        };
        let secs = match kind {
            SlaKind::FirstResponse => sla.first_response_secs,
            _ => sla.next_response_secs,
        };
        let Some(secs) = secs else {
            return;
        };
        let due = match (&line.hours, sla.business_hours_only) {
            (Some(h), true) => h.add_open_secs(now, secs),
            _ => self.after(secs),
        };
        if let Some(due) = due {
            self.schedule(due, TimerKind::Sla(self.conversations[c].id.clone()));
            self.conversations[c].sla = Some((kind, due));
        }
    }

    /// An operator answered: a running target is met, by them.
    fn sla_met(&mut self, c: usize, op: &str) {
        if let Some((kind, _)) = self.conversations[c].sla.take() {
            self.cancel(TimerKind::Sla(self.conversations[c].id.clone()));
            let line = self.conversations[c].line.clone();
            record(&mut self.line_rec_mut(&line).sla, kind, true);
            record(&mut self.op_record_mut(op).sla, kind, true);
        }
    }

    /// A target's deadline passed: missed, by whoever holds the conversation now.
    fn sla_missed(&mut self, c: usize) {
        let Some((kind, due_at)) = self.conversations[c].sla.take() else {
            return;
        };
        let holder = match &self.conversations[c].at {
            Where::Assigned { op, .. } => Some(op.clone()),
            _ => None,
        };
        let line = self.conversations[c].line.clone();
        record(&mut self.line_rec_mut(&line).sla, kind, false);
        if let Some(o) = &holder {
            record(&mut self.op_record_mut(o).sla, kind, false);
        }
        self.emit(DecisionKind::SlaBreached {
            conversation: self.cid(c),
            operator: holder.map(|o| o.as_str().into()),
            kind,
            due_at,
        });
    }

    /// A new session meets its line's bot, if the line has one that joins it.
    fn bot_joins(&mut self, c: usize) -> bool {
        let Some(bot) = self.conv_line(c).cfg.bot.clone() else {
            return false;
        };
        let client = self.conversations[c].client.clone();
        let contacts = self.client(&client).map_or(0, |cl| cl.contacts);
        if bot.join == BotJoin::FirstContact && contacts > 1 {
            return false;
        }
        let deadline = bot.handoff_after_secs.and_then(|s| self.after(s));
        if let Some(at) = deadline {
            self.schedule(at, TimerKind::Bot(self.conversations[c].id.clone()));
        }
        self.conversations[c].at = Where::WithBot {
            bot: bot.bot.clone(),
            deadline,
        };
        self.emit(DecisionKind::BotAssigned {
            conversation: self.cid(c),
            bot: bot.bot,
        });
        true
    }

    fn bot_left(&mut self, c: usize, bot: String, reason: BotLeftReason) {
        self.emit(DecisionKind::BotLeft {
            conversation: self.cid(c),
            bot,
            reason,
        });
    }

    /// The bot's turn ends (hand-off or timeout): to the queue, or closed, as the line's bot
    /// (if it still has one) says.
    fn bot_leaves(&mut self, c: usize, reason: BotLeftReason) {
        if !matches!(self.conversations[c].at, Where::WithBot { .. }) {
            return;
        }
        let Where::WithBot { bot, .. } = self.leave(c) else {
            unreachable!("checked above");
        };
        self.bot_left(c, bot, reason);
        let on_leave = self
            .conv_line(c)
            .cfg
            .bot
            .as_ref()
            .map_or(BotLeave::Queue, |b| b.on_leave);
        match on_leave {
            BotLeave::Close => self.close(c, CloseReason::Bot),
            _ => self.route(c),
        }
    }

    /// The client rated the conversation: recorded; an open one closes if the line says so.
    fn rate(&mut self, c: usize, score: u8) {
        self.conversations[c].rating = Some(score);
        if self.conversations[c].at == Where::Closed {
            return;
        }
        if self
            .conv_line(c)
            .cfg
            .rating
            .as_ref()
            .is_some_and(|r| r.close_on_rating)
        {
            self.close(c, CloseReason::Rated);
        }
    }

    fn message_out(&mut self, id: &str, op: &str, client: Option<&str>, channel: Option<&str>) {
        let c = match self.conv_index(id) {
            None => {
                let c = self.open(id, client.expect("validated"), channel.expect("validated"));
                Some(c)
            }
            Some(c) if self.conversations[c].at == Where::Closed => {
                self.reopen(c);
                Some(c)
            }
            Some(_) => None,
        };
        if let Some(c) = c {
            // An outbound conversation, assigned to its author for good.
            let conv = &mut self.conversations[c];
            conv.awaiting_reply = false;
            conv.answered = true;
            self.assign(c, op, AssignReason::Outbound, true);
        } else {
            let c = self.conv_index(id).expect("known");
            let conv = &mut self.conversations[c];
            conv.awaiting_reply = false;
            conv.answered = true;
            let reason = match &self.conversations[c].at {
                Where::Offered { ops, .. } if ops.iter().any(|o| o == op) => AssignReason::Accepted,
                _ => AssignReason::Taken,
            };
            self.give_to(c, op, reason, UnassignReason::TakenOver);
        }
        let c = self.conv_index(id).expect("known");
        let client = self.conversations[c].client.clone();
        self.client_mut(&client).last_operator = Some(op.to_string());
        // An answer: the running target is met, the unanswered streak ends, and the
        // inactivity clock starts again.
        self.sla_met(c, op);
        self.cancel(TimerKind::Unanswered(id.to_string()));
        self.cancel(TimerKind::Inactivity(id.to_string()));
        if let Some(secs) = self.conv_line(c).cfg.auto_close_after_secs {
            if let Some(at) = self.after(secs) {
                self.schedule(at, TimerKind::Inactivity(id.to_string()));
            }
        }
    }

    /// To a line: routed there as an arrival, the operator who held it counted as tried.
    fn transfer_to_line(&mut self, c: usize, line: &str) {
        let holder = self.leave_telling(c, None, UnassignReason::Transferred);
        let conv = &mut self.conversations[c];
        conv.line = line.to_string();
        conv.tried.clear();
        if let Some(h) = holder {
            self.mark_tried(c, &h);
        }
        self.route(c);
    }
}
