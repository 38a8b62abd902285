//! Scenario tests for the time-aware lines: working hours (IANA zones, split shifts, days off,
//! holidays, overrides, daylight saving), automatic replies, SLA targets, the chat-bot first
//! line, ratings and the inactivity close. One rule per test, named after it.
//!
//! Sources: DESIGN.md §3 ("Names added by the time-aware lines" and the paragraph after it),
//! `domain/SUMMARY.md` article 004 (Bitrix24 open line settings) and the issue that asked for
//! them. Every step goes through [`Sim`] (in `scenario_support`), which calls
//! `verify_invariants` after each input or tick and follows the decision stream like a host
//! would. Decisions are written as `"<at> <what>"`, with `at` as `MM-DD HH:MM` in UTC (the year
//! added when it is not 2026, seconds when they are not zero).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDateTime, TimeDelta, Timelike, Utc, Weekday};
use routeline::{
    AutoReplies, BotConfig, BotJoin, BotLeave, ConversationState, Decision, Engine, Error, Input,
    LineConfig, LineCounters, LineHours, Mode, OperatorConfig, RatingConfig, ScheduleConfig,
    SlaConfig, SlaCounts, SlaKind, Snapshot,
};

#[path = "../scenario_support/mod.rs"]
mod scenario_support;
use scenario_support::{
    NOTHING, Notation, When, chan, close, describe, inc, inc_from, line, offline, online, op,
    op_cfg, outbound, reply, spam, take, transfer_to,
};

// ---- time ---------------------------------------------------------------------------------

/// `"03-02 09:00"` (2026), `"03-02 09:00:30"`, or `"2027-03-04 10:00"`, in UTC.
fn u(s: &str) -> DateTime<Utc> {
    let full = if s.as_bytes().get(4) == Some(&b'-') {
        s.to_owned()
    } else {
        format!("2026-{s}")
    };
    let fmt = if full.len() == 16 {
        "%Y-%m-%d %H:%M"
    } else {
        "%Y-%m-%d %H:%M:%S"
    };
    NaiveDateTime::parse_from_str(&full, fmt)
        .unwrap_or_else(|e| panic!("bad test time {s}: {e}"))
        .and_utc()
}

/// The inverse of [`u`].
fn tm(at: DateTime<Utc>) -> String {
    let mut s = if at.year() == 2026 {
        at.format("%m-%d %H:%M").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M").to_string()
    };
    if at.second() != 0 {
        s += &format!(":{:02}", at.second());
    }
    s
}

/// A step at `"03-02 09:00"`, as [`u`] reads it.
impl When for &str {
    fn instant(self) -> DateTime<Utc> {
        u(self)
    }
}

/// Moments as [`tm`] writes them, and each decision after its own.
struct Calendar;

impl Notation for Calendar {
    fn time(at: DateTime<Utc>) -> String {
        tm(at)
    }

    fn show(d: &Decision) -> String {
        show(d)
    }
}

type Sim = scenario_support::Sim<Calendar>;

// ---- decisions as short strings -----------------------------------------------------------

/// `03-02 09:00 assigned k1 sales anna routed`, `03-02 09:10 sla_breached k1 anna
/// first_response due 03-02 09:10`, …
fn show(d: &Decision) -> String {
    format!("{} {}", tm(d.at), describe(&d.kind, tm))
}

/// Ids as plain strings.
fn names<T: std::fmt::Display>(ids: Vec<T>) -> Vec<String> {
    ids.iter().map(|i| i.to_string()).collect()
}

/// The wire `type` of a decision.
fn type_of(d: &Decision) -> String {
    serde_json::to_value(d).unwrap()["type"]
        .as_str()
        .unwrap()
        .to_owned()
}

// ---- inputs -------------------------------------------------------------------------------

fn handoff(k: &str) -> Input {
    Input::BotHandoff {
        conversation: k.into(),
    }
}
fn rating(k: &str, score: u8) -> Input {
    Input::Rating {
        conversation: k.into(),
        score,
    }
}

// ---- configuration ------------------------------------------------------------------------

/// Line `sales` with these members, in order (mode `evenly`, the default).
fn sales(members: &[&str]) -> LineConfig {
    named("sales", members)
}
fn named(id: &str, members: &[&str]) -> LineConfig {
    members
        .iter()
        .fold(LineConfig::new(id), |l, m| l.member(*m))
}

/// Moscow (UTC+3 all year), Monday to Friday 09:00–18:00: 06:00–15:00 UTC.
fn moscow_office() -> ScheduleConfig {
    ScheduleConfig::new("Europe/Moscow").weekdays("09:00", "18:00")
}

/// Moscow, Monday to Friday 09:00–13:00 and 14:00–18:00: 06:00–10:00 and 11:00–15:00 UTC.
fn moscow_split() -> ScheduleConfig {
    ScheduleConfig::new("Europe/Moscow")
        .weekdays("09:00", "13:00")
        .weekdays("14:00", "18:00")
}

fn replies() -> AutoReplies {
    AutoReplies::default()
}

fn sla(first: Option<u32>, next: Option<u32>, business_hours_only: bool) -> SlaConfig {
    SlaConfig {
        first_response_secs: first,
        next_response_secs: next,
        business_hours_only,
    }
}

fn bot(join: BotJoin, handoff_after_secs: Option<u32>, on_leave: BotLeave) -> BotConfig {
    BotConfig {
        bot: "helper".into(),
        join,
        handoff_after_secs,
        on_leave,
    }
}

fn ratings(request_on_close: bool, close_on_rating: bool) -> RatingConfig {
    RatingConfig {
        request_on_close,
        close_on_rating,
    }
}

fn counts(fm: u64, fx: u64, nm: u64, nx: u64) -> SlaCounts {
    SlaCounts {
        first_response_met: fm,
        first_response_missed: fx,
        next_response_met: nm,
        next_response_missed: nx,
    }
}

fn hours(open: bool, next_change: Option<&str>) -> LineHours {
    LineHours {
        open,
        next_change: next_change.map(u),
    }
}

// ---- the harness --------------------------------------------------------------------------

impl Sim {
    fn counters(&self, l: &str) -> LineCounters {
        self.e.line_counters(l).expect("known line")
    }

    fn hours(&self, l: &str, at: &str) -> LineHours {
        self.e.line_hours(l, u(at)).expect("known line")
    }

    fn timeout(&self) -> Option<String> {
        self.e.poll_timeout().map(tm)
    }
}

/// Operators created in this order and online, `cfg` upserted and channel `wa` connected to
/// it, all at `when` and without a decision.
fn world(when: &str, cfg: LineConfig, ops: &[&str]) -> Sim {
    Sim::world(when, cfg, ops)
}

// ---- the tests, by topic -------------------------------------------------------------------

mod auto_replies;
mod bot;
mod cadence_and_snapshots;
mod daylight_saving;
mod ratings;
mod sla;
mod working_hours;
