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

// =============================================================================================
// Working hours
// =============================================================================================

#[test]
fn line_without_schedule_is_always_open() {
    // Issue: "A line without a schedule is always open." A Sunday, 03:00 UTC.
    let mut s = world("03-08 03:00", sales(&["anna"]), &["anna"]);
    assert_eq!(
        s.e.poll_timeout(),
        None,
        "no schedule, no schedule deadline"
    );
    assert_eq!(s.hours("sales", "03-08 03:00"), hours(true, None));
    assert_eq!(s.hours("sales", "2030-12-25 23:59"), hours(true, None));
    assert!(s.counters("sales").open);
    assert_eq!(
        s.at("03-08 03:00", inc("k1")),
        ["03-08 03:00 assigned k1 sales anna routed"]
    );
    assert_eq!(s.e.line_hours("nowhere", u("03-08 03:00")), None);
}

#[test]
fn split_shift_closes_for_lunch() {
    // Issue: "several intervals a day (split shifts)". Moscow 09–13 and 14–18 = 06–10, 11–15 UTC.
    let mut s = world(
        "03-02 05:00",
        sales(&["anna"]).schedule(moscow_split()),
        &["anna"],
    );
    assert!(!s.counters("sales").open);
    assert_eq!(s.timeout().as_deref(), Some("03-02 06:00"));
    assert_eq!(
        s.at("03-02 09:30", inc("k1")),
        ["03-02 09:30 assigned k1 sales anna routed"]
    );
    assert!(s.counters("sales").open);
    assert_eq!(s.timeout().as_deref(), Some("03-02 10:00"));
    assert_eq!(s.tick("03-02 10:00"), NOTHING);
    assert!(!s.counters("sales").open, "lunch");
    assert_eq!(
        s.at("03-02 10:15", inc("k2")),
        ["03-02 10:15 queued k2 sales off_hours"]
    );
    assert_eq!(s.timeout().as_deref(), Some("03-02 11:00"));
    assert_eq!(s.tick("03-02 10:59:59"), NOTHING);
    assert_eq!(
        s.tick("03-02 11:00"),
        ["03-02 11:00 assigned k2 sales anna routed"]
    );
    assert_eq!(s.timeout().as_deref(), Some("03-02 15:00"));
    assert_eq!(
        s.hours("sales", "03-02 09:59:59"),
        hours(true, Some("03-02 10:00"))
    );
    assert_eq!(
        s.hours("sales", "03-02 10:00"),
        hours(false, Some("03-02 11:00"))
    );
}

#[test]
fn weekday_left_out_is_a_day_off() {
    // Issue: "weekdays left out are days off". Moscow, Monday and Wednesday only.
    let schedule = ScheduleConfig::new("Europe/Moscow")
        .hours(Weekday::Mon, "09:00", "18:00")
        .hours(Weekday::Wed, "09:00", "18:00");
    let mut s = world(
        "03-02 07:00",
        sales(&["anna"]).schedule(schedule),
        &["anna"],
    );
    assert!(s.counters("sales").open, "Monday 10:00 in Moscow");
    assert_eq!(
        s.at("03-03 07:00", inc("k1")),
        ["03-03 07:00 queued k1 sales off_hours"],
        "Tuesday is a day off"
    );
    assert_eq!(
        s.hours("sales", "03-03 07:00"),
        hours(false, Some("03-04 06:00"))
    );
    assert_eq!(s.timeout().as_deref(), Some("03-04 06:00"));
    assert_eq!(
        s.tick("03-04 06:00"),
        ["03-04 06:00 assigned k1 sales anna routed"]
    );
    // Thursday to Sunday off: from Wednesday's close, the next opening is Monday.
    assert_eq!(
        s.hours("sales", "03-04 15:00"),
        hours(false, Some("03-09 06:00"))
    );
    assert_eq!(
        s.hours("sales", "03-07 12:00"),
        hours(false, Some("03-09 06:00"))
    );
}

#[test]
fn yearly_holiday_recurs() {
    // Issue: "a holiday is a full date or a MM-DD that recurs every year". UTC, weekdays
    // 09–18; 03-04 every year, and 2026-03-05 once.
    let schedule = ScheduleConfig::new("UTC")
        .weekdays("09:00", "18:00")
        .holiday("03-04")
        .holiday("2026-03-05");
    let mut s = world(
        "03-03 10:00",
        sales(&["anna"]).schedule(schedule),
        &["anna"],
    );
    assert_eq!(
        s.at("03-04 10:00", inc("k1")),
        ["03-04 10:00 queued k1 sales off_hours"],
        "Wednesday 2026-03-04 is a holiday"
    );
    assert_eq!(
        s.timeout().as_deref(),
        Some("03-06 09:00"),
        "Thursday 2026-03-05 is a holiday too"
    );
    assert_eq!(
        s.tick("03-06 09:00"),
        ["03-06 09:00 assigned k1 sales anna routed"]
    );
    // A year later: 2027-03-04 (a Thursday) is off again; 2027-03-05 (a Friday) is not.
    assert_eq!(
        s.hours("sales", "2027-03-04 10:00"),
        hours(false, Some("2027-03-05 09:00"))
    );
    assert_eq!(
        s.hours("sales", "2027-03-05 10:00"),
        hours(true, Some("2027-03-05 18:00"))
    );
    // And the engine itself, a year on, in one call: catching up is bounded by work, not by
    // calendar time (DESIGN §1), and a year of line hours is a few hundred changes.
    assert_eq!(
        s.at("2027-03-04 10:00", inc("k2")),
        ["2027-03-04 10:00 queued k2 sales off_hours"]
    );
    assert_eq!(
        s.tick("2027-03-05 09:00"),
        ["2027-03-05 09:00 assigned k2 sales anna routed"]
    );
}

#[test]
fn override_replaces_one_dates_hours() {
    // Issue: "an override replaces one date's hours". UTC, weekdays 09–18; Wednesday 03-04
    // only 12–14; Thursday 03-05 closed; Saturday 03-07 10–12; Friday 03-06 is a yearly
    // holiday whose 2026 date is overridden to 15–16 (the override wins).
    let schedule = ScheduleConfig::new("UTC")
        .weekdays("09:00", "18:00")
        .holiday("03-06")
        .override_date("2026-03-04", &[("12:00", "14:00")])
        .override_date("2026-03-05", &[])
        .override_date("2026-03-06", &[("15:00", "16:00")])
        .override_date("2026-03-07", &[("10:00", "12:00")]);
    let mut s = world(
        "03-04 08:00",
        sales(&["anna"]).schedule(schedule),
        &["anna"],
    );
    assert_eq!(
        s.at("03-04 10:00", inc("k1")),
        ["03-04 10:00 queued k1 sales off_hours"]
    );
    assert_eq!(s.timeout().as_deref(), Some("03-04 12:00"));
    assert_eq!(
        s.tick("03-04 12:00"),
        ["03-04 12:00 assigned k1 sales anna routed"]
    );
    assert_eq!(
        s.at("03-04 14:30", inc("k2")),
        ["03-04 14:30 queued k2 sales off_hours"]
    );
    assert_eq!(
        s.timeout().as_deref(),
        Some("03-06 15:00"),
        "Thursday closed"
    );
    assert_eq!(
        s.tick("03-06 15:00"),
        ["03-06 15:00 assigned k2 sales anna routed"]
    );
    assert_eq!(
        s.at("03-07 10:30", inc("k3")),
        ["03-07 10:30 assigned k3 sales anna routed"],
        "a Saturday opened by its override"
    );
    assert_eq!(s.timeout().as_deref(), Some("03-07 12:00"));
    // One date only: the next Wednesday, and the same day a year later, keep the usual hours.
    assert_eq!(
        s.hours("sales", "03-11 10:00"),
        hours(true, Some("03-11 18:00"))
    );
    assert_eq!(
        s.hours("sales", "2027-03-04 10:00"),
        hours(true, Some("2027-03-04 18:00"))
    );
    assert_eq!(
        s.hours("sales", "2027-03-06 10:00"),
        hours(false, Some("2027-03-08 09:00")),
        "the yearly holiday is back (and a Saturday) where no override names the date"
    );
}

#[test]
fn closed_line_queues_off_hours_and_routes_in_order_at_opening() {
    // Issue: "While a line is closed, conversations are not routed automatically: they wait
    // (queued reason off_hours) … at opening time (a deadline) the waiting ones are routed in
    // order."
    let mut s = world(
        "03-02 04:00",
        sales(&["anna", "boris"])
            .max_open_per_operator(1)
            .schedule(moscow_office()),
        &["anna", "boris"],
    );
    assert_eq!(
        s.at("03-02 05:00", inc("k1")),
        ["03-02 05:00 queued k1 sales off_hours"]
    );
    assert_eq!(
        s.at("03-02 05:10", inc("k2")),
        ["03-02 05:10 queued k2 sales off_hours"]
    );
    assert_eq!(
        s.at("03-02 05:20", inc("k3")),
        ["03-02 05:20 queued k3 sales off_hours"]
    );
    assert_eq!(
        s.at("03-02 05:30", inc("k1")),
        NOTHING,
        "writing again keeps its place"
    );
    assert_eq!(s.waiting("sales"), ["k1", "k2", "k3"]);
    assert_eq!(
        s.counters("sales").oldest_waiting_since,
        Some(u("03-02 05:00"))
    );
    assert_eq!(s.timeout().as_deref(), Some("03-02 06:00"));
    assert_eq!(
        s.tick("03-02 06:00"),
        [
            "03-02 06:00 assigned k1 sales anna routed",
            "03-02 06:00 assigned k2 sales boris routed"
        ]
    );
    assert_eq!(s.waiting("sales"), ["k3"], "no room left: k3 waits on");
    assert_eq!(
        s.at("03-02 06:10", close("k1")),
        [
            "03-02 06:10 closed k1 closed",
            "03-02 06:10 assigned k3 sales anna routed"
        ]
    );
}

#[test]
fn lines_opening_at_the_same_instant_route_longest_waiting_first() {
    // DESIGN §1: "When capacity appears for several waiting conversations at once …, the one
    // that has waited longest, across all lines, is placed first." Two lines sharing anna
    // (cap 1) open at the same instant: ky has waited longer than kx.
    let mut s = Sim::new();
    let w = "03-02 04:00";
    s.at(w, op_cfg(OperatorConfig::new("anna").max_open(1)));
    s.at(w, online("anna"));
    s.at(w, line(named("x", &["anna"]).schedule(moscow_office())));
    s.at(w, line(named("y", &["anna"]).schedule(moscow_office())));
    s.at(w, chan("wx", "x"));
    s.at(w, chan("wy", "y"));
    assert_eq!(
        s.at("03-02 05:00", inc_from("ky", "c-1", "wy")),
        ["03-02 05:00 queued ky y off_hours"]
    );
    assert_eq!(
        s.at("03-02 05:10", inc_from("kx", "c-2", "wx")),
        ["03-02 05:10 queued kx x off_hours"]
    );
    assert_eq!(
        s.tick("03-02 06:00"),
        ["03-02 06:00 assigned ky y anna routed"]
    );
}

#[test]
fn manual_take_works_while_closed() {
    // Issue: "manual take still works" while the line is closed. Saturday.
    let mut s = world(
        "03-07 10:00",
        sales(&["anna", "boris"]).schedule(moscow_office()),
        &["anna", "boris"],
    );
    assert_eq!(
        s.at("03-07 10:00", inc("k1")),
        ["03-07 10:00 queued k1 sales off_hours"]
    );
    assert_eq!(
        s.at("03-07 10:01", inc("k2")),
        ["03-07 10:01 queued k2 sales off_hours"]
    );
    assert_eq!(
        s.at("03-07 10:05", take("k1", "boris")),
        ["03-07 10:05 assigned k1 sales boris taken"]
    );
    assert_eq!(
        s.at("03-07 10:06", reply("k2", "anna")),
        ["03-07 10:06 assigned k2 sales anna taken"],
        "answering is taking"
    );
    assert_eq!(
        s.at("03-07 10:07", outbound("k3", "anna", "c-3", "wa")),
        ["03-07 10:07 assigned k3 sales anna outbound"]
    );
    assert!(s.waiting("sales").is_empty());
    assert_eq!(
        s.tick("03-09 06:00"),
        NOTHING,
        "nothing left for the opening"
    );
    assert_eq!(s.op("anna").load.open, 2);
    assert_eq!(s.op("boris").load.open, 1);
}

#[test]
fn schedule_change_by_upsert_applies_at_once() {
    // DESIGN: a line's changed settings apply at once to its waiting conversations. Opening
    // the line (dropping its schedule) routes those waiting off hours, in order.
    let mut s = world(
        "03-07 10:00",
        sales(&["anna"]).schedule(moscow_office()),
        &["anna"],
    );
    s.at("03-07 10:00", inc("k1"));
    s.at("03-07 10:01", inc("k2"));
    assert_eq!(
        s.at("03-07 10:02", line(sales(&["anna"]))),
        [
            "03-07 10:02 assigned k1 sales anna routed",
            "03-07 10:02 assigned k2 sales anna routed"
        ]
    );
    assert_eq!(
        s.e.poll_timeout(),
        None,
        "the old schedule's deadline is gone"
    );
    // And closing it again queues new ones.
    assert_eq!(
        s.at(
            "03-07 10:03",
            line(sales(&["anna"]).schedule(moscow_office()))
        ),
        NOTHING
    );
    assert_eq!(
        s.at("03-07 10:04", inc("k3")),
        ["03-07 10:04 queued k3 sales off_hours"]
    );
    assert_eq!(s.timeout().as_deref(), Some("03-09 06:00"));
}

#[test]
fn line_open_around_the_clock_has_no_next_change() {
    // Issue: "when does that next change"; `LineHours::next_change` is `None` when no change
    // comes within two years. Hours 00:00–24:00 every day never change.
    let all_week = ScheduleConfig::new("UTC")
        .weekdays("00:00", "24:00")
        .hours(Weekday::Sat, "00:00", "24:00")
        .hours(Weekday::Sun, "00:00", "24:00");
    let mut s = world(
        "03-02 09:00",
        sales(&["anna"]).schedule(all_week),
        &["anna"],
    );
    assert!(s.counters("sales").open);
    assert_eq!(
        s.at("03-08 03:00", inc("k1")),
        ["03-08 03:00 assigned k1 sales anna routed"]
    );
    assert_eq!(s.hours("sales", "03-02 09:00"), hours(true, None));
}

// ---- daylight saving ----------------------------------------------------------------------

#[test]
fn new_york_spring_forward_opens_at_first_instant_after_gap() {
    // 2026-03-08 02:00 EST jumps to 03:00 EDT: 02:30 does not exist that night, so a line
    // that opens at 02:30 opens at the first instant after the gap, 03:00 EDT = 07:00 UTC.
    let schedule = ScheduleConfig::new("America/New_York")
        .hours(Weekday::Sat, "02:30", "10:00")
        .hours(Weekday::Sun, "02:30", "10:00");
    let mut s = world(
        "03-07 00:00",
        sales(&["anna"]).schedule(schedule),
        &["anna"],
    );
    // Saturday, still EST (UTC-5): 02:30 = 07:30 UTC.
    assert_eq!(
        s.at("03-07 07:00", inc("k1")),
        ["03-07 07:00 queued k1 sales off_hours"]
    );
    assert_eq!(
        s.tick("03-07 07:30"),
        ["03-07 07:30 assigned k1 sales anna routed"]
    );
    assert_eq!(
        s.hours("sales", "03-07 12:00"),
        hours(true, Some("03-07 15:00"))
    );
    // Sunday: 01:30 EST = 06:30 UTC, closed; the line opens at 07:00 UTC.
    assert_eq!(
        s.at("03-08 06:30", inc("k2")),
        ["03-08 06:30 queued k2 sales off_hours"]
    );
    assert_eq!(s.timeout().as_deref(), Some("03-08 07:00"));
    assert_eq!(s.tick("03-08 06:59:59"), NOTHING);
    assert_eq!(
        s.tick("03-08 07:00"),
        ["03-08 07:00 assigned k2 sales anna routed"]
    );
    // It closes at 10:00 EDT = 14:00 UTC, and next Saturday opens at 02:30 EDT = 06:30 UTC.
    assert_eq!(s.timeout().as_deref(), Some("03-08 14:00"));
    assert_eq!(
        s.hours("sales", "03-08 06:59:59"),
        hours(false, Some("03-08 07:00"))
    );
    assert_eq!(
        s.hours("sales", "03-08 07:00"),
        hours(true, Some("03-08 14:00"))
    );
    assert_eq!(
        s.hours("sales", "03-08 14:00"),
        hours(false, Some("03-14 06:30"))
    );
    // Engine choice: hours that lie wholly inside the gap (02:10–02:50 both become 03:00 EDT)
    // open nothing that night.
    let gap = ScheduleConfig::new("America/New_York").hours(Weekday::Sun, "02:10", "02:50");
    assert_eq!(
        s.at("03-08 14:00", line(named("gap", &[]).schedule(gap))),
        NOTHING
    );
    assert_eq!(
        s.hours("gap", "03-08 05:00"),
        hours(false, Some("03-15 06:10"))
    );
}

#[test]
fn new_york_fall_back_uses_earlier_instant() {
    // 2026-11-01 02:00 EDT falls back to 01:00 EST: 01:30 happens at 05:30 UTC (EDT) and again
    // at 06:30 UTC (EST). A boundary at 01:30 is the earlier instant, 05:30 UTC — for a line
    // that opens then ("opener", Sundays 01:30–12:00) and one that closes then ("closer",
    // Sundays 00:00–01:30).
    let mut s = Sim::new();
    let w = "10-31 12:00";
    for o in ["anna", "boris"] {
        s.at(w, op(o));
        s.at(w, online(o));
    }
    let opener = ScheduleConfig::new("America/New_York").hours(Weekday::Sun, "01:30", "12:00");
    let closer = ScheduleConfig::new("America/New_York").hours(Weekday::Sun, "00:00", "01:30");
    assert_eq!(
        s.at(w, line(named("opener", &["anna"]).schedule(opener))),
        NOTHING
    );
    assert_eq!(
        s.at(w, line(named("closer", &["boris"]).schedule(closer))),
        NOTHING
    );
    assert_eq!(s.at(w, chan("wa", "opener")), NOTHING);
    assert_eq!(s.at(w, chan("tg", "closer")), NOTHING);

    // 01:00 EDT: both closed … the opener opens at 05:30 UTC, not 06:30.
    assert_eq!(
        s.at("11-01 05:00", inc("k1")),
        ["11-01 05:00 queued k1 opener off_hours"]
    );
    assert_eq!(
        s.hours("opener", "11-01 05:00"),
        hours(false, Some("11-01 05:30"))
    );
    // The closer opened at 00:00 EDT (04:00 UTC) and closes at the first 01:30.
    assert_eq!(
        s.at("11-01 05:20", inc_from("k2", "c-2", "tg")),
        ["11-01 05:20 assigned k2 closer boris routed"]
    );
    assert_eq!(
        s.hours("closer", "11-01 05:20"),
        hours(true, Some("11-01 05:30"))
    );
    assert_eq!(s.timeout().as_deref(), Some("11-01 05:30"));
    assert_eq!(
        s.tick("11-01 05:30"),
        ["11-01 05:30 assigned k1 opener anna routed"]
    );
    assert_eq!(
        s.hours("opener", "11-01 05:30"),
        hours(true, Some("11-01 17:00")),
        "closes at 12:00 EST"
    );
    // 06:15 UTC is 01:15 EST, a local time inside "00:00–01:30" on the wall clock, but the
    // line closed at the earlier 01:30 and stays closed until next Sunday 00:00 EST.
    assert_eq!(
        s.at("11-01 06:15", inc_from("k3", "c-3", "tg")),
        ["11-01 06:15 queued k3 closer off_hours"]
    );
    assert_eq!(
        s.hours("closer", "11-01 06:15"),
        hours(false, Some("11-08 05:00"))
    );
    assert_eq!(
        s.tick("11-08 05:00"),
        ["11-08 05:00 assigned k3 closer boris routed"]
    );
}

#[test]
fn lord_howe_half_hour_shift() {
    // Australia/Lord_Howe shifts by 30 minutes: +10:30 standard, +11:00 in summer.
    // 2026-04-05 02:00 (+11) falls back to 01:30 (+10:30): local 01:30–02:00 happens twice.
    // 2026-10-04 02:00 (+10:30) jumps to 02:30 (+11): local 02:00–02:30 does not exist.
    // Sundays 01:45–02:15 local:
    //   05 Apr: 01:45 is ambiguous → the earlier, 14:45 UTC (+11); 02:15 (+10:30) = 15:45 UTC:
    //           a whole hour open.
    //   12 Apr: 01:45–02:15 (+10:30) = 15:15–15:45 UTC (11 Apr).
    //   04 Oct: 01:45 (+10:30) = 15:15 UTC; 02:15 does not exist → the first instant after the
    //           gap, 02:30 (+11) = 15:30 UTC: fifteen minutes open.
    //   11 Oct: 01:45–02:15 (+11) = 14:45–15:15 UTC (10 Oct).
    let schedule = ScheduleConfig::new("Australia/Lord_Howe").hours(Weekday::Sun, "01:45", "02:15");
    let mut s = world(
        "04-04 12:00",
        sales(&["anna"]).schedule(schedule),
        &["anna"],
    );
    assert_eq!(s.timeout().as_deref(), Some("04-04 14:45"));
    assert_eq!(
        s.at("04-04 14:40", inc("k1")),
        ["04-04 14:40 queued k1 sales off_hours"]
    );
    assert_eq!(
        s.tick("04-04 14:45"),
        ["04-04 14:45 assigned k1 sales anna routed"]
    );
    // 15:40 UTC is 02:10 (+10:30), after the fall back: still open.
    assert_eq!(
        s.at("04-04 15:40", inc("k2")),
        ["04-04 15:40 assigned k2 sales anna routed"]
    );
    assert_eq!(s.timeout().as_deref(), Some("04-04 15:45"));
    assert_eq!(
        s.at("04-04 15:50", inc("k3")),
        ["04-04 15:50 queued k3 sales off_hours"]
    );
    assert_eq!(s.timeout().as_deref(), Some("04-11 15:15"));
    assert_eq!(
        s.tick("04-11 15:15"),
        ["04-11 15:15 assigned k3 sales anna routed"]
    );
    assert_eq!(
        s.hours("sales", "04-11 15:15"),
        hours(true, Some("04-11 15:45"))
    );
    // The October jump.
    assert_eq!(
        s.hours("sales", "10-03 15:00"),
        hours(false, Some("10-03 15:15"))
    );
    assert_eq!(
        s.hours("sales", "10-03 15:15"),
        hours(true, Some("10-03 15:30"))
    );
    assert_eq!(
        s.hours("sales", "10-03 15:29:59"),
        hours(true, Some("10-03 15:30"))
    );
    assert_eq!(
        s.hours("sales", "10-03 15:30"),
        hours(false, Some("10-10 14:45"))
    );
    assert_eq!(
        s.hours("sales", "10-10 14:45"),
        hours(true, Some("10-10 15:15"))
    );
}

#[test]
fn moscow_has_no_dst() {
    // Europe/Moscow is UTC+3 all year: 09:00 opens at 06:00 UTC before and after the dates on
    // which Europe (29 Mar, 25 Oct 2026) and the United States (8 Mar, 1 Nov) change their
    // clocks. Berlin, for contrast, does move.
    let mut s = world(
        "03-27 12:00",
        sales(&["anna"]).schedule(moscow_office()),
        &["anna"],
    );
    let berlin = ScheduleConfig::new("Europe/Berlin").weekdays("09:00", "18:00");
    assert_eq!(
        s.at("03-27 12:00", line(named("berlin", &[]).schedule(berlin))),
        NOTHING
    );
    for (before, monday) in [
        ("03-06 12:00", "03-09 06:00"),
        ("03-27 12:00", "03-30 06:00"),
        ("10-23 12:00", "10-26 06:00"),
        ("10-30 12:00", "11-02 06:00"),
    ] {
        // Friday evening in Moscow (15:00): the line closes at 18:00 = 15:00 UTC …
        assert_eq!(
            s.hours("sales", before),
            hours(true, Some(&before.replace("12:00", "15:00"))),
            "{before}"
        );
        // … and opens on Monday at 06:00 UTC.
        assert_eq!(
            s.hours("sales", &before.replace("12:00", "15:00")),
            hours(false, Some(monday)),
            "{before}"
        );
    }
    assert_eq!(
        s.hours("berlin", "03-27 18:00"),
        hours(false, Some("03-30 07:00")),
        "Berlin on summer time"
    );
    assert_eq!(
        s.hours("berlin", "03-20 18:00"),
        hours(false, Some("03-23 08:00")),
        "Berlin on winter time"
    );
    // The engine across the European change: Saturday's conversation waits for Monday 06:00.
    assert_eq!(
        s.at("03-28 10:00", inc("k1")),
        ["03-28 10:00 queued k1 sales off_hours"]
    );
    assert_eq!(s.timeout().as_deref(), Some("03-30 06:00"));
    assert_eq!(
        s.tick("03-30 06:00"),
        ["03-30 06:00 assigned k1 sales anna routed"]
    );
}

#[test]
fn line_hours_query_reports_open_and_next_change() {
    // Issue: "Query: is a line open at t, and when does that next change." A pure question,
    // about any moment, past or future.
    let schedule = ScheduleConfig::new("UTC")
        .hours(Weekday::Mon, "09:00", "13:00")
        .hours(Weekday::Mon, "13:00", "24:00")
        .hours(Weekday::Tue, "00:00", "02:00");
    let mut s = world(
        "03-02 12:00",
        sales(&["anna"]).schedule(schedule),
        &["anna"],
    );
    s.at(
        "03-02 12:00",
        line(named("never", &[]).schedule(ScheduleConfig::new("UTC"))),
    );
    s.at("03-02 12:00", line(named("always", &[])));
    let before = format!("{:?}", s.e);
    // Touching intervals (13:00, and 24:00 into Tuesday's 00:00) are one opening.
    assert_eq!(
        s.hours("sales", "03-02 10:00"),
        hours(true, Some("03-03 02:00"))
    );
    assert_eq!(
        s.hours("sales", "03-02 23:00"),
        hours(true, Some("03-03 02:00"))
    );
    // At the opening instant the line is open; at the closing instant it is closed.
    assert_eq!(
        s.hours("sales", "03-02 09:00"),
        hours(true, Some("03-03 02:00"))
    );
    assert_eq!(
        s.hours("sales", "03-02 08:59:59"),
        hours(false, Some("03-02 09:00"))
    );
    assert_eq!(
        s.hours("sales", "03-03 02:00"),
        hours(false, Some("03-09 09:00"))
    );
    // In the past of the engine's clock, too.
    assert_eq!(
        s.hours("sales", "02-23 08:00"),
        hours(false, Some("02-23 09:00"))
    );
    // A schedule with no hours is never open and never changes; no schedule is always open.
    assert_eq!(s.hours("never", "03-02 12:00"), hours(false, None));
    assert_eq!(s.hours("always", "03-02 12:00"), hours(true, None));
    assert_eq!(format!("{:?}", s.e), before, "a query changes nothing");
    // The counters agree with the query as of the engine's clock.
    assert!(s.counters("sales").open);
    assert!(!s.counters("never").open);
    assert!(s.counters("always").open);
}

// =============================================================================================
// Automatic replies
// =============================================================================================

#[test]
fn welcome_on_first_client_message_only() {
    // Issue: "welcome on a conversation's first client message". 004: "an automatic reply to
    // the client's first message".
    let cfg = sales(&["anna"]).auto_replies(AutoReplies {
        welcome: true,
        ..replies()
    });
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    assert_eq!(
        s.at("03-02 09:00", inc("k1")),
        [
            "03-02 09:00 auto_reply k1 sales welcome",
            "03-02 09:00 assigned k1 sales anna routed"
        ]
    );
    assert_eq!(s.at("03-02 09:01", inc("k1")), NOTHING);
    assert_eq!(s.at("03-02 09:02", reply("k1", "anna")), NOTHING);
    assert_eq!(s.at("03-02 09:03", inc("k1")), NOTHING);
    // The same client's next conversation has a first message of its own.
    assert_eq!(
        s.at("03-02 09:04", inc_from("k2", "c-k1", "wa")),
        [
            "03-02 09:04 auto_reply k2 sales welcome",
            "03-02 09:04 assigned k2 sales anna routed"
        ]
    );
    // Engine choice: a conversation the operator started gets no welcome when the client
    // answers it.
    assert_eq!(
        s.at("03-02 09:05", outbound("k3", "anna", "c-3", "wa")),
        ["03-02 09:05 assigned k3 sales anna outbound"]
    );
    assert_eq!(s.at("03-02 09:06", inc_from("k3", "c-3", "wa")), NOTHING);
    // Engine choice: a closed conversation that the client reopens is a new session, welcomed
    // again.
    assert_eq!(
        s.at("03-02 09:07", close("k1")),
        ["03-02 09:07 closed k1 closed"]
    );
    assert_eq!(
        s.at("03-02 09:08", inc("k1")),
        [
            "03-02 09:08 auto_reply k1 sales welcome",
            "03-02 09:08 assigned k1 sales anna routed"
        ]
    );
}

#[test]
fn off_hours_reply_once_per_closed_period() {
    // Issue: "off_hours when a client writes while the line is closed" — once per closed
    // period and conversation, not for every message. Moscow split shift.
    let cfg = sales(&["anna", "boris"])
        .schedule(moscow_split())
        .auto_replies(AutoReplies {
            off_hours: true,
            ..replies()
        });
    let mut s = world("03-02 05:00", cfg, &["anna", "boris"]);
    assert_eq!(
        s.at("03-02 05:10", inc("k1")),
        [
            "03-02 05:10 auto_reply k1 sales off_hours",
            "03-02 05:10 queued k1 sales off_hours"
        ]
    );
    assert_eq!(s.at("03-02 05:20", inc("k1")), NOTHING);
    assert_eq!(
        s.at("03-02 05:25", inc("k2")),
        [
            "03-02 05:25 auto_reply k2 sales off_hours",
            "03-02 05:25 queued k2 sales off_hours"
        ]
    );
    assert_eq!(
        s.tick("03-02 06:00"),
        [
            "03-02 06:00 assigned k1 sales anna routed",
            "03-02 06:00 assigned k2 sales boris routed"
        ]
    );
    assert_eq!(s.at("03-02 07:00", inc("k1")), NOTHING, "open");
    // Lunch is a new closed period.
    assert_eq!(
        s.at("03-02 10:10", inc("k1")),
        ["03-02 10:10 auto_reply k1 sales off_hours"]
    );
    assert_eq!(s.at("03-02 10:20", inc("k1")), NOTHING);
    assert_eq!(s.at("03-02 11:10", inc("k1")), NOTHING, "open again");
    // So is the evening.
    assert_eq!(
        s.at("03-02 15:30", inc("k1")),
        ["03-02 15:30 auto_reply k1 sales off_hours"]
    );
    assert_eq!(s.at("03-02 15:40", inc("k1")), NOTHING);
    assert_eq!(
        s.at("03-02 16:00", inc("k2")),
        ["03-02 16:00 auto_reply k2 sales off_hours"]
    );
}

#[test]
fn off_hours_reply_for_another_lines_closed_period_after_transfer() {
    // "Once per closed period" is per line: a conversation told on Saturday that line `a` was
    // closed, and transferred on Monday to line `b`, must be told again when its client
    // writes while `b` is closed on Monday evening.
    let r = AutoReplies {
        off_hours: true,
        ..replies()
    };
    let mut s = Sim::new();
    let w = "03-07 10:00";
    for o in ["anna", "boris"] {
        s.at(w, op(o));
        s.at(w, online(o));
    }
    s.at(
        w,
        line(
            named("a", &["anna"])
                .schedule(moscow_office())
                .auto_replies(r.clone()),
        ),
    );
    s.at(w, chan("wa", "a"));
    assert_eq!(
        s.at("03-07 10:01", inc("k1")),
        [
            "03-07 10:01 auto_reply k1 a off_hours",
            "03-07 10:01 queued k1 a off_hours"
        ]
    );
    assert_eq!(
        s.tick("03-09 06:00"),
        ["03-09 06:00 assigned k1 a anna routed"]
    );
    s.at(
        "03-09 07:00",
        line(
            named("b", &["boris"])
                .schedule(moscow_office())
                .auto_replies(r),
        ),
    );
    assert_eq!(
        s.at(
            "03-09 07:01",
            Input::Transfer {
                conversation: "k1".into(),
                to_operator: None,
                to_line: Some("b".into()),
            }
        ),
        [
            "03-09 07:01 unassigned k1 anna transferred",
            "03-09 07:01 assigned k1 b boris routed"
        ]
    );
    assert_eq!(
        s.at("03-09 15:30", inc("k1")),
        ["03-09 15:30 auto_reply k1 b off_hours"]
    );
}

#[test]
fn no_operators_reply_when_nobody_eligible_in_working_hours() {
    // Issue: "no_operators when, in working hours with the availability check on, nobody is
    // eligible". 004: "an automatic reply is sent when a client wrote and the availability
    // check found all operators offline".
    let mut s = Sim::new();
    s.at(
        "03-02 07:00",
        op_cfg(OperatorConfig::new("anna").max_open(1)),
    );
    s.at(
        "03-02 07:00",
        line(
            sales(&["anna"])
                .schedule(moscow_office())
                .auto_replies(AutoReplies {
                    no_operators: true,
                    ..replies()
                }),
        ),
    );
    s.at("03-02 07:00", chan("wa", "sales"));
    assert_eq!(
        s.at("03-02 07:00", inc("k1")),
        [
            "03-02 07:00 queued k1 sales no_eligible_operator",
            "03-02 07:00 auto_reply k1 sales no_operators"
        ]
    );
    // Engine choice: once when it enters the queue, not again for each message while it waits.
    assert_eq!(s.at("03-02 07:01", inc("k1")), NOTHING);
    assert_eq!(
        s.at("03-02 07:05", online("anna")),
        ["03-02 07:05 assigned k1 sales anna routed"]
    );
    // Someone is eligible, only busy: no reply.
    assert_eq!(
        s.at("03-02 07:10", inc("k2")),
        ["03-02 07:10 queued k2 sales at_capacity"]
    );
    // Outside working hours: off_hours, and no no_operators reply.
    assert_eq!(s.at("03-02 16:00", offline("anna")), NOTHING);
    assert_eq!(
        s.at("03-02 16:05", inc("k3")),
        ["03-02 16:05 queued k3 sales off_hours"]
    );
}

#[test]
fn no_operators_reply_not_sent_without_availability_check() {
    // The no_operators reply belongs to the availability check: without it an offline member
    // is eligible, and a line with nobody at all in it sends no reply either.
    let replies_on = AutoReplies {
        no_operators: true,
        ..replies()
    };
    let mut s = Sim::new();
    s.at("03-02 09:00", op("anna"));
    s.at(
        "03-02 09:00",
        line(
            sales(&["anna"])
                .check_availability(false)
                .auto_replies(replies_on.clone()),
        ),
    );
    s.at(
        "03-02 09:00",
        line(
            named("empty", &[])
                .check_availability(false)
                .auto_replies(replies_on.clone()),
        ),
    );
    s.at("03-02 09:00", chan("wa", "sales"));
    s.at("03-02 09:00", chan("tg", "empty"));
    assert_eq!(
        s.at("03-02 09:01", inc("k1")),
        ["03-02 09:01 assigned k1 sales anna routed"],
        "anna is offline, but nobody checks"
    );
    assert_eq!(
        s.at("03-02 09:02", inc_from("k2", "c-2", "tg")),
        ["03-02 09:02 queued k2 empty no_eligible_operator"]
    );
    // The same empty line with the check on does reply.
    s.at(
        "03-02 09:03",
        line(named("empty", &[]).auto_replies(replies_on)),
    );
    assert_eq!(
        s.at("03-02 09:04", inc_from("k3", "c-3", "tg")),
        [
            "03-02 09:04 queued k3 empty no_eligible_operator",
            "03-02 09:04 auto_reply k3 empty no_operators"
        ]
    );
}

#[test]
fn unanswered_once_per_streak_not_per_tick() {
    // Issue: "unanswered when no operator has answered unanswered_after_secs after the client
    // wrote — once per unanswered streak, not once per tick".
    let cfg = sales(&["anna"]).auto_replies(AutoReplies {
        unanswered_after_secs: Some(300),
        ..replies()
    });
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    assert_eq!(
        s.at("03-02 09:00", inc("k1")),
        ["03-02 09:00 assigned k1 sales anna routed"]
    );
    assert_eq!(s.timeout().as_deref(), Some("03-02 09:05"));
    assert_eq!(s.tick("03-02 09:04:59"), NOTHING);
    assert_eq!(
        s.tick("03-02 09:05"),
        ["03-02 09:05 auto_reply k1 sales unanswered"]
    );
    assert_eq!(s.e.poll_timeout(), None);
    assert_eq!(
        s.at("03-02 09:06", inc("k1")),
        NOTHING,
        "still the same streak"
    );
    for when in ["03-02 09:11", "03-02 09:20", "03-02 12:00"] {
        assert_eq!(s.tick(when), NOTHING);
    }
    assert_eq!(s.e.poll_timeout(), None);
}

#[test]
fn unanswered_restarts_after_an_answer() {
    // A client message after an operator's answer starts a new streak; further client messages
    // do not push its deadline back.
    let cfg = sales(&["anna"]).auto_replies(AutoReplies {
        unanswered_after_secs: Some(300),
        ..replies()
    });
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    assert_eq!(s.at("03-02 09:02", reply("k1", "anna")), NOTHING);
    assert_eq!(s.e.poll_timeout(), None, "answered: no reply due");
    assert_eq!(s.at("03-02 09:10", inc("k1")), NOTHING);
    assert_eq!(s.timeout().as_deref(), Some("03-02 09:15"));
    assert_eq!(s.at("03-02 09:12", inc("k1")), NOTHING);
    assert_eq!(s.timeout().as_deref(), Some("03-02 09:15"));
    assert_eq!(
        s.tick("03-02 09:15"),
        ["03-02 09:15 auto_reply k1 sales unanswered"]
    );
    // Answered in time, the next streak sends nothing.
    s.at("03-02 09:20", reply("k1", "anna"));
    s.at("03-02 09:21", inc("k1"));
    assert_eq!(s.timeout().as_deref(), Some("03-02 09:26"));
    s.at("03-02 09:22", reply("k1", "anna"));
    assert_eq!(s.e.poll_timeout(), None);
    assert_eq!(s.tick("03-02 10:00"), NOTHING);
}

// =============================================================================================
// SLA
// =============================================================================================

#[test]
fn first_response_breach_names_responsible_operator() {
    // Issue: "sla_breached {conversation, operator (when someone is responsible), kind,
    // due_at} once per missed target".
    let mut s = world(
        "03-02 09:00",
        sales(&["anna"]).sla(sla(Some(600), None, false)),
        &["anna", "boris"],
    );
    assert_eq!(
        s.at("03-02 09:00", inc("k1")),
        ["03-02 09:00 assigned k1 sales anna routed"]
    );
    assert_eq!(
        s.conv("k1").sla_due,
        Some((SlaKind::FirstResponse, u("03-02 09:10")))
    );
    s.at("03-02 09:01", offline("anna"));
    assert_eq!(
        s.at("03-02 09:02", inc("k2")),
        ["03-02 09:02 queued k2 sales no_eligible_operator"]
    );
    assert_eq!(
        s.tick("03-02 09:12"),
        [
            "03-02 09:10 sla_breached k1 anna first_response due 03-02 09:10",
            "03-02 09:12 sla_breached k2 - first_response due 03-02 09:12"
        ]
    );
    assert_eq!(s.conv("k1").sla_due, None);
    assert_eq!(s.e.poll_timeout(), None, "once per missed target");
    assert_eq!(s.at("03-02 09:13", reply("k1", "anna")), NOTHING);
    assert_eq!(
        s.at("03-02 09:14", take("k2", "boris")),
        ["03-02 09:14 assigned k2 sales boris taken"]
    );
    assert_eq!(s.at("03-02 09:15", reply("k2", "boris")), NOTHING);
    assert_eq!(s.counters("sales").sla, counts(0, 2, 0, 0));
    assert_eq!(s.op("anna").sla, counts(0, 1, 0, 0));
    assert_eq!(
        s.op("boris").sla,
        counts(0, 0, 0, 0),
        "nobody held k2 when it was missed"
    );
}

#[test]
fn next_response_breach() {
    // 004 KPI: "time to each next answer; past it, the reply is overdue".
    let mut s = world(
        "03-02 09:00",
        sales(&["anna"]).sla(sla(None, Some(300), false)),
        &["anna"],
    );
    s.at("03-02 09:00", inc("k1"));
    assert_eq!(s.conv("k1").sla_due, None, "no first-response target");
    assert_eq!(s.at("03-02 09:01", reply("k1", "anna")), NOTHING);
    assert_eq!(s.at("03-02 09:02", inc("k1")), NOTHING);
    assert_eq!(
        s.conv("k1").sla_due,
        Some((SlaKind::NextResponse, u("03-02 09:07")))
    );
    assert_eq!(
        s.tick("03-02 09:07"),
        ["03-02 09:07 sla_breached k1 anna next_response due 03-02 09:07"]
    );
    assert_eq!(
        s.at("03-02 09:08", inc("k1")),
        NOTHING,
        "the same unanswered message"
    );
    assert_eq!(s.conv("k1").sla_due, None);
    s.at("03-02 09:09", reply("k1", "anna"));
    s.at("03-02 09:10", inc("k1"));
    assert_eq!(
        s.conv("k1").sla_due,
        Some((SlaKind::NextResponse, u("03-02 09:15")))
    );
    assert_eq!(s.at("03-02 09:14", reply("k1", "anna")), NOTHING);
    assert_eq!(s.tick("03-02 09:20"), NOTHING);
    assert_eq!(s.counters("sales").sla, counts(0, 0, 1, 1));
    assert_eq!(s.op("anna").sla, counts(0, 0, 1, 1));
}

#[test]
fn sla_met_counts_per_line_and_operator() {
    // Issue: "Per line and per operator counters of met and missed targets in the queries."
    let mut s = Sim::new();
    let w = "03-02 09:00";
    for o in ["anna", "boris", "carol"] {
        s.at(w, op(o));
        s.at(w, online(o));
    }
    s.at(
        w,
        line(sales(&["anna", "boris"]).sla(sla(Some(600), Some(600), false))),
    );
    s.at(
        w,
        line(named("support", &["carol"]).sla(sla(Some(600), None, false))),
    );
    s.at(w, chan("wa", "sales"));
    s.at(w, chan("tg", "support"));
    assert_eq!(
        s.at("03-02 09:00", inc("k1")),
        ["03-02 09:00 assigned k1 sales anna routed"]
    );
    assert_eq!(
        s.at("03-02 09:01", inc("k2")),
        ["03-02 09:01 assigned k2 sales boris routed"]
    );
    assert_eq!(
        s.at("03-02 09:02", inc_from("k3", "c-3", "tg")),
        ["03-02 09:02 assigned k3 support carol routed"]
    );
    assert_eq!(s.at("03-02 09:05", reply("k1", "anna")), NOTHING);
    assert_eq!(s.at("03-02 09:06", inc("k1")), NOTHING);
    assert_eq!(
        s.conv("k1").sla_due,
        Some((SlaKind::NextResponse, u("03-02 09:16")))
    );
    assert_eq!(s.at("03-02 09:08", reply("k1", "anna")), NOTHING);
    assert_eq!(s.at("03-02 09:10", reply("k3", "carol")), NOTHING);
    assert_eq!(
        s.tick("03-02 09:11"),
        ["03-02 09:11 sla_breached k2 boris first_response due 03-02 09:11"]
    );
    assert_eq!(s.at("03-02 09:12", reply("k2", "boris")), NOTHING);
    // Whoever answers in time is credited, even when taking it over by answering.
    assert_eq!(
        s.at("03-02 09:13", inc("k4")),
        ["03-02 09:13 assigned k4 sales anna routed"]
    );
    assert_eq!(
        s.at("03-02 09:14", reply("k4", "boris")),
        [
            "03-02 09:14 unassigned k4 anna taken_over",
            "03-02 09:14 assigned k4 sales boris taken"
        ]
    );
    assert_eq!(s.counters("sales").sla, counts(2, 1, 1, 0));
    assert_eq!(s.counters("support").sla, counts(1, 0, 0, 0));
    assert_eq!(s.op("anna").sla, counts(1, 0, 1, 0));
    assert_eq!(s.op("boris").sla, counts(1, 1, 0, 0));
    assert_eq!(s.op("carol").sla, counts(1, 0, 0, 0));
}

#[test]
fn business_hours_only_sla_clock_pauses_while_closed() {
    // Issue: "with business_hours_only the clock runs only while the line is open". Moscow
    // weekdays 09–18 (06–15 UTC); 30 minutes to the first answer. `night` has the same hours
    // but counts every minute.
    let mut s = Sim::new();
    let w = "03-06 14:00";
    s.at(w, op("anna"));
    s.at(w, online("anna"));
    s.at(
        w,
        line(
            sales(&["anna"])
                .schedule(moscow_office())
                .sla(sla(Some(1800), None, true)),
        ),
    );
    s.at(
        w,
        line(
            named("night", &["anna"])
                .schedule(moscow_office())
                .sla(sla(Some(1800), None, false)),
        ),
    );
    s.at(w, chan("wa", "sales"));
    s.at(w, chan("tg", "night"));
    // Friday 17:50 Moscow: 10 open minutes today, 20 on Monday.
    assert_eq!(
        s.at("03-06 14:50", inc("k1")),
        ["03-06 14:50 assigned k1 sales anna routed"]
    );
    assert_eq!(
        s.conv("k1").sla_due,
        Some((SlaKind::FirstResponse, u("03-09 06:20")))
    );
    assert_eq!(
        s.at("03-06 14:50", inc_from("k3", "c-3", "tg")),
        ["03-06 14:50 assigned k3 night anna routed"]
    );
    assert_eq!(
        s.conv("k3").sla_due,
        Some((SlaKind::FirstResponse, u("03-06 15:20")))
    );
    assert_eq!(
        s.tick("03-06 15:20"),
        ["03-06 15:20 sla_breached k3 anna first_response due 03-06 15:20"]
    );
    // Saturday: the clock starts at Monday's opening.
    assert_eq!(
        s.at("03-07 10:00", inc("k2")),
        ["03-07 10:00 queued k2 sales off_hours"]
    );
    assert_eq!(
        s.conv("k2").sla_due,
        Some((SlaKind::FirstResponse, u("03-09 06:30")))
    );
    assert_eq!(
        s.tick("03-09 06:30"),
        [
            "03-09 06:00 assigned k2 sales anna routed",
            "03-09 06:20 sla_breached k1 anna first_response due 03-09 06:20",
            "03-09 06:30 sla_breached k2 anna first_response due 03-09 06:30"
        ]
    );
    assert_eq!(s.counters("sales").sla, counts(0, 2, 0, 0));
    assert_eq!(s.counters("night").sla, counts(0, 1, 0, 0));
}

// =============================================================================================
// Chat-bot first line
// =============================================================================================

#[test]
fn bot_first_line_then_queue_on_handoff() {
    // Issue: "a new conversation goes to the bot first (bot_assigned); input bot_handoff …
    // ends the bot's turn (bot_left reason handoff), then the conversation is routed".
    let cfg = sales(&["anna"])
        .bot(bot(BotJoin::Always, None, BotLeave::Queue))
        .auto_replies(AutoReplies {
            welcome: true,
            ..replies()
        });
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    assert_eq!(
        s.at("03-02 09:00", inc("k1")),
        [
            "03-02 09:00 auto_reply k1 sales welcome",
            "03-02 09:00 bot_assigned k1 helper"
        ]
    );
    assert_eq!(s.conv("k1").state, ConversationState::WithBot);
    assert_eq!(s.counters("sales").with_bot, 1);
    assert_eq!(
        s.e.poll_timeout(),
        None,
        "no handoff_after_secs: no deadline"
    );
    assert_eq!(s.at("03-02 09:01", inc("k1")), NOTHING);
    assert_eq!(
        s.at("03-02 09:05", handoff("k1")),
        [
            "03-02 09:05 bot_left k1 helper handoff",
            "03-02 09:05 assigned k1 sales anna routed"
        ]
    );
    assert_eq!(s.counters("sales").with_bot, 0);
    // Handed off with nobody there: it waits like any arrival.
    s.at("03-02 09:06", offline("anna"));
    assert_eq!(
        s.at("03-02 09:07", inc("k2")),
        [
            "03-02 09:07 auto_reply k2 sales welcome",
            "03-02 09:07 bot_assigned k2 helper"
        ]
    );
    assert_eq!(
        s.at("03-02 09:08", handoff("k2")),
        [
            "03-02 09:08 bot_left k2 helper handoff",
            "03-02 09:08 queued k2 sales no_eligible_operator"
        ]
    );
}

#[test]
fn bot_timeout_leaves() {
    // Issue: "the timeout ends the bot's turn (bot_left reason timeout)".
    let cfg = sales(&["anna"]).bot(bot(BotJoin::Always, Some(120), BotLeave::Queue));
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    assert_eq!(
        s.at("03-02 09:00", inc("k1")),
        ["03-02 09:00 bot_assigned k1 helper"]
    );
    assert_eq!(s.conv("k1").deadline, Some(u("03-02 09:02")));
    assert_eq!(
        s.at("03-02 09:01", inc("k2")),
        ["03-02 09:01 bot_assigned k2 helper"]
    );
    assert_eq!(
        s.at("03-02 09:01:30", handoff("k2")),
        [
            "03-02 09:01:30 bot_left k2 helper handoff",
            "03-02 09:01:30 assigned k2 sales anna routed"
        ]
    );
    assert_eq!(s.timeout().as_deref(), Some("03-02 09:02"));
    assert_eq!(
        s.tick("03-02 09:02"),
        [
            "03-02 09:02 bot_left k1 helper timeout",
            "03-02 09:02 assigned k1 sales anna routed"
        ]
    );
    assert_eq!(
        s.e.poll_timeout(),
        None,
        "k2's bot deadline went with the handoff"
    );
    assert_eq!(s.tick("03-02 09:03"), NOTHING);
}

#[test]
fn bot_on_leave_close() {
    // Issue: "then the conversation is routed (or closed, per on_leave, reason bot)".
    let cfg = sales(&["anna"])
        .bot(bot(BotJoin::Always, Some(60), BotLeave::Close))
        .rating(ratings(true, false));
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 09:00", inc("k2"));
    // Engine choice: no rating request for a conversation the bot closed.
    assert_eq!(
        s.at("03-02 09:00:30", handoff("k1")),
        [
            "03-02 09:00:30 bot_left k1 helper handoff",
            "03-02 09:00:30 closed k1 bot"
        ]
    );
    assert_eq!(
        s.tick("03-02 09:01"),
        [
            "03-02 09:01 bot_left k2 helper timeout",
            "03-02 09:01 closed k2 bot"
        ]
    );
    assert_eq!(s.op("anna").load.open, 0);
    assert_eq!(s.counters("sales").with_bot, 0);
}

#[test]
fn bot_first_contact_only() {
    // Issue: "first_contact: only a client's first conversation meets the bot". 004: "connect
    // the bot at the start of every conversation or only on the first contact".
    let cfg = sales(&["anna"]).bot(bot(BotJoin::FirstContact, None, BotLeave::Queue));
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    assert_eq!(
        s.at("03-02 09:00", inc_from("k1", "c-1", "wa")),
        ["03-02 09:00 bot_assigned k1 helper"]
    );
    assert_eq!(
        s.at("03-02 09:01", handoff("k1")),
        [
            "03-02 09:01 bot_left k1 helper handoff",
            "03-02 09:01 assigned k1 sales anna routed"
        ]
    );
    s.at("03-02 09:02", close("k1"));
    assert_eq!(
        s.at("03-02 09:03", inc_from("k2", "c-1", "wa")),
        ["03-02 09:03 assigned k2 sales anna routed"],
        "c-1's second conversation"
    );
    assert_eq!(
        s.at("03-02 09:04", inc_from("k3", "c-2", "wa")),
        ["03-02 09:04 bot_assigned k3 helper"],
        "c-2's first"
    );
    // Engine choice: reopening the first conversation is not a first contact either.
    assert_eq!(
        s.at("03-02 09:05", inc_from("k1", "c-1", "wa")),
        ["03-02 09:05 assigned k1 sales anna routed"]
    );
    // Engine choice: only conversations the client opened count as contacts, so a client
    // first reached by an operator's outbound message meets the bot when they first write.
    assert_eq!(
        s.at("03-02 09:06", outbound("k4", "anna", "c-3", "wa")),
        ["03-02 09:06 assigned k4 sales anna outbound"]
    );
    assert_eq!(
        s.at("03-02 09:07", inc_from("k5", "c-3", "wa")),
        ["03-02 09:07 bot_assigned k5 helper"]
    );
}

#[test]
fn bot_works_off_hours_then_queues_off_hours() {
    // Engine choice (the issue is silent): the bot takes new conversations whatever the
    // working hours; handed off while the line is closed, the conversation waits off_hours.
    let cfg = sales(&["anna"]).schedule(moscow_office()).bot(bot(
        BotJoin::Always,
        Some(300),
        BotLeave::Queue,
    ));
    let mut s = world("03-07 10:00", cfg, &["anna"]);
    assert_eq!(
        s.at("03-07 10:00", inc("k1")),
        ["03-07 10:00 bot_assigned k1 helper"]
    );
    assert_eq!(
        s.tick("03-07 10:05"),
        [
            "03-07 10:05 bot_left k1 helper timeout",
            "03-07 10:05 queued k1 sales off_hours"
        ]
    );
    assert_eq!(
        s.tick("03-09 06:00"),
        ["03-09 06:00 assigned k1 sales anna routed"]
    );
}

#[test]
fn bot_not_counted_against_caps() {
    // Issue: "The bot is never counted as an operator or against a cap."
    let mut s = Sim::new();
    let w = "03-02 09:00";
    s.at(w, op_cfg(OperatorConfig::new("anna").max_open(1)));
    s.at(w, online("anna"));
    s.at(
        w,
        line(sales(&["anna"]).bot(bot(BotJoin::Always, None, BotLeave::Queue))),
    );
    s.at(w, chan("wa", "sales"));
    for (when, k) in [
        ("03-02 09:00", "k1"),
        ("03-02 09:01", "k2"),
        ("03-02 09:02", "k3"),
    ] {
        assert_eq!(
            s.at(when, inc(k)),
            [format!("{when} bot_assigned {k} helper")]
        );
    }
    let c = s.counters("sales");
    assert_eq!((c.with_bot, c.assigned, c.offered, c.waiting), (3, 0, 0, 0));
    assert_eq!(s.op("anna").load.open, 0);
    assert_eq!(names(s.e.operators()), ["anna"]);
    assert!(s.e.operator("helper").is_none());
    assert_eq!(
        s.at("03-02 09:03", handoff("k1")),
        [
            "03-02 09:03 bot_left k1 helper handoff",
            "03-02 09:03 assigned k1 sales anna routed"
        ]
    );
    assert_eq!(
        s.at("03-02 09:04", handoff("k2")),
        [
            "03-02 09:04 bot_left k2 helper handoff",
            "03-02 09:04 queued k2 sales at_capacity"
        ]
    );
    assert_eq!(s.counters("sales").with_bot, 1);
    assert_eq!(s.op("anna").load.open, 1);
}

#[test]
fn operator_taking_from_bot_ends_bots_turn() {
    // An operator who steps in (take, answer, transfer to them) ends the bot's turn: bot_left
    // reason handoff, then the assignment; the bot's deadline goes with it.
    let cfg = sales(&["anna", "boris"]).bot(bot(BotJoin::Always, Some(600), BotLeave::Queue));
    let mut s = world("03-02 09:00", cfg, &["anna", "boris"]);
    for k in ["k1", "k2", "k3", "k4"] {
        s.at("03-02 09:00", inc(k));
    }
    assert_eq!(
        s.at("03-02 09:01", take("k1", "boris")),
        [
            "03-02 09:01 bot_left k1 helper handoff",
            "03-02 09:01 assigned k1 sales boris taken"
        ]
    );
    assert_eq!(
        s.at("03-02 09:02", reply("k2", "anna")),
        [
            "03-02 09:02 bot_left k2 helper handoff",
            "03-02 09:02 assigned k2 sales anna taken"
        ]
    );
    assert_eq!(
        s.at("03-02 09:03", transfer_to("k3", "boris")),
        [
            "03-02 09:03 bot_left k3 helper handoff",
            "03-02 09:03 assigned k3 sales boris transferred"
        ]
    );
    // Engine choice: closing a conversation the bot has emits only `closed`.
    assert_eq!(
        s.at("03-02 09:04", close("k4")),
        ["03-02 09:04 closed k4 closed"]
    );
    assert_eq!(s.counters("sales").with_bot, 0);
    // No bot deadline is left; the one deadline is k4's being forgotten, 30 days after it
    // closed (DESIGN §1, "Closed conversations are not kept forever").
    assert_eq!(
        s.e.poll_timeout(),
        Some("2026-04-01T09:04:00Z".parse().unwrap())
    );
    assert_eq!(s.tick("03-02 09:10"), NOTHING);
}

// =============================================================================================
// Ratings and the inactivity close
// =============================================================================================

#[test]
fn rating_requested_on_close() {
    // DESIGN §3: "With request_on_close, close emits closed (reason closed) and then
    // rating_requested". 004: "after the dialog, ask the client to rate it".
    let cfg = sales(&["anna"]).rating(ratings(true, false));
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 09:00", inc("k2"));
    assert_eq!(
        s.at("03-02 09:05", close("k1")),
        [
            "03-02 09:05 closed k1 closed",
            "03-02 09:05 rating_requested k1"
        ]
    );
    // Engine choice: no rating request for spam.
    assert_eq!(
        s.at("03-02 09:06", spam("k2")),
        ["03-02 09:06 closed k2 spam"]
    );
    // A line without the setting asks for nothing.
    s.at("03-02 09:07", line(sales(&["anna"])));
    s.at("03-02 09:08", inc("k3"));
    assert_eq!(
        s.at("03-02 09:09", close("k3")),
        ["03-02 09:09 closed k3 closed"]
    );
}

#[test]
fn close_on_rating() {
    // DESIGN §3: "With close_on_rating, a rating that arrives while the conversation is still
    // open closes it (closed reason rated)". 004: "option to close the session as soon as the
    // client rates".
    let mut s = Sim::new();
    let w = "03-02 09:00";
    s.at(w, op("anna"));
    s.at(w, online("anna"));
    s.at(w, line(sales(&["anna"]).rating(ratings(true, true))));
    s.at(
        w,
        line(named("plain", &["anna"]).rating(ratings(false, false))),
    );
    s.at(w, chan("wa", "sales"));
    s.at(w, chan("tg", "plain"));
    s.at("03-02 09:00", inc("k1"));
    assert_eq!(
        s.at("03-02 09:05", rating("k1", 5)),
        ["03-02 09:05 closed k1 rated"],
        "rated: closed, and no rating request"
    );
    assert_eq!(s.conv("k1").rating, Some(5));
    assert_eq!(s.op("anna").load.open, 0);
    // Without close_on_rating a rating is only recorded.
    s.at("03-02 09:06", inc_from("k2", "c-2", "tg"));
    assert_eq!(s.at("03-02 09:07", rating("k2", 3)), NOTHING);
    assert_eq!(s.conv("k2").state, ConversationState::Assigned);
    assert_eq!(s.conv("k2").rating, Some(3));
}

#[test]
fn rating_of_closed_conversation_recorded_silently() {
    // DESIGN §3: "a rating for a closed conversation is recorded and emits nothing".
    let cfg = sales(&["anna"]).rating(ratings(true, true));
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    assert_eq!(
        s.at("03-02 09:05", close("k1")),
        [
            "03-02 09:05 closed k1 closed",
            "03-02 09:05 rating_requested k1"
        ]
    );
    assert_eq!(s.at("03-02 09:10", rating("k1", 4)), NOTHING);
    assert_eq!(s.conv("k1").rating, Some(4));
    assert_eq!(s.conv("k1").state, ConversationState::Closed);
    // Engine choices: a second rating replaces the first; a reopened conversation is a new
    // session with no rating yet.
    assert_eq!(s.at("03-02 09:11", rating("k1", 2)), NOTHING);
    assert_eq!(s.conv("k1").rating, Some(2));
    assert_eq!(
        s.at("03-02 09:20", inc("k1")),
        ["03-02 09:20 assigned k1 sales anna routed"]
    );
    assert_eq!(s.conv("k1").rating, None);
}

#[test]
fn rating_outside_1_to_5_is_an_error() {
    let cfg = sales(&["anna"])
        .rating(ratings(true, true))
        .sla(sla(Some(600), None, false));
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    // Stamped after the SLA deadline: a rejected input fires no deadline either.
    for score in [0, 6, u8::MAX] {
        assert_eq!(
            s.err("03-02 09:20", rating("k1", score)),
            Error::InvalidScore {
                conversation: "k1".into(),
                score
            }
        );
    }
    assert_eq!(
        s.err("03-02 09:20", rating("zz", 3)),
        Error::UnknownConversation("zz".into())
    );
    assert_eq!(
        s.tick("03-02 09:20"),
        ["03-02 09:10 sla_breached k1 anna first_response due 03-02 09:10"]
    );
    for score in [1, 5] {
        assert!(s.e.handle(u("03-02 09:21"), rating("k1", score)).is_ok());
        s.collect();
    }
}

#[test]
fn bot_handoff_of_conversation_not_with_bot_is_an_error() {
    let cfg = sales(&["anna"]).bot(bot(BotJoin::Always, Some(120), BotLeave::Queue));
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 09:00:30", handoff("k1"));
    assert_eq!(
        s.err("03-02 09:01", handoff("k1")),
        Error::NotWithBot("k1".into()),
        "assigned"
    );
    s.at("03-02 09:01", close("k1"));
    assert_eq!(
        s.err("03-02 09:01", handoff("k1")),
        Error::ConversationClosed("k1".into())
    );
    assert_eq!(
        s.err("03-02 09:01", handoff("zz")),
        Error::UnknownConversation("zz".into())
    );
    // Stamped after the bot's own deadline: the timeout would have ended its turn first, so
    // the handoff fails — and the timeout has not fired either.
    s.at("03-02 09:05", inc("k2"));
    assert_eq!(
        s.err("03-02 09:08", handoff("k2")),
        Error::NotWithBot("k2".into())
    );
    assert_eq!(s.conv("k2").state, ConversationState::WithBot);
    assert_eq!(
        s.tick("03-02 09:08"),
        [
            "03-02 09:07 bot_left k2 helper timeout",
            "03-02 09:07 assigned k2 sales anna routed"
        ]
    );
    // A waiting conversation is not with the bot either.
    s.at("03-02 09:09", offline("anna"));
    s.at("03-02 09:10", inc("k3"));
    s.at("03-02 09:11", handoff("k3"));
    assert_eq!(s.conv("k3").state, ConversationState::Waiting);
    assert_eq!(
        s.err("03-02 09:12", handoff("k3")),
        Error::NotWithBot("k3".into())
    );
}

#[test]
fn invalid_schedule_is_an_error() {
    // Issue: an unknown zone, a bad time, a bad holiday are refused, and change nothing — for
    // an existing line and for a new one.
    let mut s = world("03-02 09:00", sales(&["anna"]), &["anna"]);
    let utc = || ScheduleConfig::new("UTC");
    let bad: Vec<(ScheduleConfig, &str)> = vec![
        (ScheduleConfig::new("Mars/Olympus"), "Mars/Olympus"),
        (ScheduleConfig::new("Europe/Moskow"), "Europe/Moskow"),
        (ScheduleConfig::new(""), "time zone"),
        (utc().hours(Weekday::Mon, "9:00", "18:00"), "9:00"),
        (utc().hours(Weekday::Mon, "09:00", "25:00"), "25:00"),
        (utc().hours(Weekday::Mon, "09:00", "24:30"), "24:30"),
        (utc().hours(Weekday::Mon, "09:60", "18:00"), "09:60"),
        (utc().hours(Weekday::Mon, "nine", "18:00"), "nine"),
        (utc().hours(Weekday::Tue, "18:00", "09:00"), "18:00"),
        (utc().hours(Weekday::Tue, "10:00", "10:00"), "10:00"),
        (utc().holiday("13-01"), "13-01"),
        (utc().holiday("02-30"), "02-30"),
        (utc().holiday("2026-02-30"), "2026-02-30"),
        (utc().holiday("03/08"), "03/08"),
        (utc().holiday("3-8"), "3-8"),
        (utc().override_date("tomorrow", &[]), "tomorrow"),
        (
            utc().override_date("2026-03-04", &[("14:00", "12:00")]),
            "14:00",
        ),
        (
            utc()
                .override_date("2026-03-04", &[])
                .override_date("2026-03-04", &[("10:00", "11:00")]),
            "2026-03-04",
        ),
    ];
    for (schedule, offending) in bad {
        for id in ["sales", "new"] {
            let cfg = named(id, &["anna"]).schedule(schedule.clone());
            match s.err("03-02 09:01", line(cfg)) {
                Error::InvalidSchedule { line, reason } => {
                    assert_eq!(line.as_str(), id);
                    assert!(
                        reason.to_string().contains(offending),
                        "{schedule:?}: `{reason}` should name `{offending}`"
                    );
                }
                other => panic!("{schedule:?}: expected InvalidSchedule, got {other:?}"),
            }
        }
    }
    assert_eq!(names(s.e.lines()), ["sales"]);
    assert_eq!(s.e.poll_timeout(), None, "the line still has no schedule");
    // The edges that are valid: "24:00" ends a day, "00:00" starts one, a leap day recurs.
    let fine = utc()
        .hours(Weekday::Mon, "00:00", "24:00")
        .holiday("02-29")
        .holiday("2028-02-29");
    assert_eq!(
        s.at("03-02 09:02", line(sales(&["anna"]).schedule(fine))),
        NOTHING
    );
}

#[test]
fn zero_duration_is_an_error() {
    // A duration of zero seconds is a mistake, named by its wire field.
    let mut s = world("03-02 09:00", sales(&["anna"]), &["anna"]);
    let cases: Vec<(LineConfig, &str)> = vec![
        (
            sales(&["anna"]).auto_replies(AutoReplies {
                unanswered_after_secs: Some(0),
                ..replies()
            }),
            "auto_replies.unanswered_after_secs",
        ),
        (
            sales(&["anna"]).sla(sla(Some(0), None, false)),
            "sla.first_response_secs",
        ),
        (
            sales(&["anna"]).sla(sla(Some(60), Some(0), true)),
            "sla.next_response_secs",
        ),
        (
            sales(&["anna"]).bot(bot(BotJoin::Always, Some(0), BotLeave::Queue)),
            "bot.handoff_after_secs",
        ),
        (
            sales(&["anna"]).auto_close_after_secs(0),
            "auto_close_after_secs",
        ),
    ];
    for (cfg, field) in cases {
        assert_eq!(
            s.err("03-02 09:01", line(cfg)),
            Error::InvalidDuration {
                line: "sales".into(),
                field
            }
        );
    }
    // One second is fine.
    assert_eq!(
        s.at(
            "03-02 09:02",
            line(sales(&["anna"]).auto_close_after_secs(1))
        ),
        NOTHING
    );
}

#[test]
fn auto_close_after_inactivity() {
    // Issue: "a conversation whose client has not written for that long after an operator's
    // answer closes (closed reason inactivity)".
    let cfg = sales(&["anna"])
        .auto_close_after_secs(600)
        .rating(ratings(true, false));
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 09:00", inc("k2"));
    assert_eq!(
        s.e.poll_timeout(),
        None,
        "not answered yet: no inactivity clock"
    );
    s.at("03-02 09:01", reply("k1", "anna"));
    assert_eq!(s.timeout().as_deref(), Some("03-02 09:11"));
    s.at("03-02 09:05", reply("k1", "anna"));
    assert_eq!(
        s.timeout().as_deref(),
        Some("03-02 09:15"),
        "each answer restarts it"
    );
    assert_eq!(s.tick("03-02 09:11"), NOTHING);
    assert_eq!(
        s.tick("03-02 09:15"),
        [
            "03-02 09:15 closed k1 inactivity",
            "03-02 09:15 rating_requested k1"
        ]
    );
    assert_eq!(s.tick("03-02 12:00"), NOTHING, "k2 was never answered");
    assert_eq!(s.conv("k2").state, ConversationState::Assigned);
}

#[test]
fn client_message_cancels_inactivity_close() {
    let cfg = sales(&["anna"]).auto_close_after_secs(600);
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 09:01", reply("k1", "anna"));
    assert_eq!(s.timeout().as_deref(), Some("03-02 09:11"));
    assert_eq!(s.at("03-02 09:05", inc("k1")), NOTHING);
    assert_eq!(s.e.poll_timeout(), None);
    assert_eq!(s.tick("03-02 10:00"), NOTHING);
    s.at("03-02 10:01", reply("k1", "anna"));
    assert_eq!(s.tick("03-02 10:11"), ["03-02 10:11 closed k1 inactivity"]);
}

// =============================================================================================
// Tick cadence and snapshots
// =============================================================================================

/// A line `sales` (Moscow split shift, every time-aware setting, offers with a timeout, the
/// bot on first contact) and a line `ny` (New York, across the spring-forward night, the bot
/// always, closing when it leaves), and traffic from Friday to Monday.
fn busy_script() -> Vec<(DateTime<Utc>, Input)> {
    let sales_cfg = LineConfig::new("sales")
        .mode(Mode::Strict)
        .member("anna")
        .member("boris")
        .offer_timeout_secs(3600)
        .schedule(moscow_split())
        .auto_replies(AutoReplies {
            welcome: true,
            off_hours: true,
            no_operators: true,
            unanswered_after_secs: Some(240),
        })
        .sla(sla(Some(900), Some(600), true))
        .bot(bot(BotJoin::FirstContact, Some(300), BotLeave::Queue))
        .rating(ratings(true, true))
        .auto_close_after_secs(1800);
    let ny_schedule = ScheduleConfig::new("America/New_York")
        .weekdays("09:00", "17:00")
        .hours(Weekday::Sat, "02:30", "10:00")
        .hours(Weekday::Sun, "02:30", "10:00");
    let ny_cfg = LineConfig::new("ny")
        .member("carol")
        .member("boris")
        .schedule(ny_schedule)
        .auto_replies(AutoReplies {
            off_hours: true,
            unanswered_after_secs: Some(600),
            ..replies()
        })
        .sla(sla(Some(300), Some(300), false))
        .bot(bot(BotJoin::FirstContact, Some(120), BotLeave::Close))
        .auto_close_after_secs(900);
    let mut v: Vec<(&str, Input)> = vec![
        ("03-06 05:00", op("anna")),
        ("03-06 05:00", op("boris")),
        ("03-06 05:00", op("carol")),
        ("03-06 05:00", line(sales_cfg)),
        ("03-06 05:00", line(ny_cfg)),
        ("03-06 05:00", chan("wa", "sales")),
        ("03-06 05:00", chan("tg", "ny")),
        ("03-06 05:00", online("anna")),
        ("03-06 05:30", inc_from("k1", "c-1", "wa")),
        ("03-06 05:40", inc_from("k2", "c-2", "wa")),
        ("03-06 05:43", handoff("k2")),
        ("03-06 06:20", inc_from("k3", "c-1", "wa")),
        ("03-06 06:30", online("boris")),
        ("03-06 06:31", reply("k2", "boris")),
        ("03-06 06:40", inc_from("k2", "c-2", "wa")),
        ("03-06 07:20", rating("k2", 4)),
        ("03-06 08:00", offline("anna")),
        ("03-06 08:01", offline("boris")),
        ("03-06 08:02", inc_from("k4", "c-4", "wa")),
        ("03-06 08:10", online("boris")),
        ("03-06 09:50", inc_from("k5", "c-5", "wa")),
        ("03-06 09:51", take("k5", "anna")),
        ("03-06 10:05", inc_from("k4", "c-4", "wa")),
        ("03-06 10:20", inc_from("k4", "c-4", "wa")),
        ("03-06 10:30", reply("k4", "boris")),
        ("03-06 11:30", inc_from("k4", "c-4", "wa")),
        ("03-06 13:55", inc_from("n1", "d-1", "tg")),
        ("03-06 14:10", online("carol")),
        ("03-06 14:12", inc_from("n2", "d-2", "tg")),
        ("03-06 14:13", handoff("n2")),
        ("03-06 14:20", inc_from("n3", "d-3", "tg")),
        ("03-06 14:21", handoff("n3")),
        ("03-06 14:25", reply("n3", "carol")),
        ("03-06 14:40", inc_from("n3", "d-3", "tg")),
        ("03-06 16:00", close("k4")),
        ("03-06 21:30", inc_from("n4", "d-4", "tg")),
        ("03-06 21:31", handoff("n4")),
        ("03-07 12:00", inc_from("n5", "d-5", "tg")),
        ("03-07 12:01", handoff("n5")),
        ("03-07 12:05", inc_from("k6", "c-6", "wa")),
        ("03-07 12:06", handoff("k6")),
        ("03-08 06:30", inc_from("n6", "d-6", "tg")),
        ("03-08 06:31", handoff("n6")),
        ("03-08 06:40", inc_from("n7", "d-1", "tg")),
        ("03-08 07:05", reply("n6", "carol")),
        ("03-08 07:30", inc_from("n6", "d-6", "tg")),
        ("03-08 15:00", Input::Tick),
        ("03-09 05:50", inc_from("k7", "c-7", "wa")),
        ("03-09 06:10", reply("k6", "anna")),
        ("03-09 06:20", inc_from("k6", "c-6", "wa")),
        ("03-09 07:00", reply("k6", "boris")),
        ("03-09 09:00", rating("k3", 5)),
        ("03-09 12:00", inc_from("k8", "c-8", "wa")),
    ];
    v.drain(..).map(|(w, i)| (u(w), i)).collect()
}

/// How a run lets time pass between inputs.
#[derive(Clone, Copy, Debug)]
enum Cadence {
    /// `handle_timeout` at every `poll_timeout` due before the next input.
    EveryDeadline,
    /// `handle_timeout` on a fixed grid of this many seconds.
    Every(i64),
    /// Never: the inputs alone carry time.
    Never,
}

/// Lets time pass before an input at `until`, in the given cadence.
fn pass_time(e: &mut Engine, cadence: Cadence, until: DateTime<Utc>, out: &mut Vec<Decision>) {
    match cadence {
        Cadence::EveryDeadline => {
            while let Some(d) = e.poll_timeout().filter(|&d| d <= until) {
                e.handle_timeout(d);
                out.extend(std::iter::from_fn(|| e.poll_decision()));
                e.verify_invariants().unwrap();
                assert!(e.poll_timeout().is_none_or(|n| n > d));
            }
        }
        Cadence::Every(step) => {
            let Some(mut now) = e.now() else { return };
            loop {
                now += TimeDelta::seconds(step);
                if now >= until {
                    break;
                }
                e.handle_timeout(now);
                out.extend(std::iter::from_fn(|| e.poll_decision()));
                e.verify_invariants().unwrap();
            }
        }
        Cadence::Never => {}
    }
}

/// Runs the inputs from `engine` on, in `cadence`: the decisions.
fn run_script(
    e: &mut Engine,
    script: &[(DateTime<Utc>, Input)],
    cadence: Cadence,
) -> Vec<Decision> {
    let mut out = Vec::new();
    for (now, input) in script {
        pass_time(e, cadence, *now, &mut out);
        e.handle(*now, input.clone())
            .unwrap_or_else(|err| panic!("{input:?} at {}: {err}", tm(*now)));
        out.extend(std::iter::from_fn(|| e.poll_decision()));
        e.verify_invariants().unwrap();
    }
    out
}

#[test]
fn tick_cadence_does_not_change_time_aware_decisions() {
    // DESIGN §3/§4.11: deadlines fire as of their own time, so the decisions do not depend on
    // how often the host ticks — schedules, auto-replies, SLA, bot and inactivity included.
    let script = busy_script();
    let reference = run_script(&mut Engine::new(), &script, Cadence::EveryDeadline);
    for cadence in [
        Cadence::Never,
        Cadence::Every(7 * 60),
        Cadence::Every(3 * 3600),
    ] {
        let other = run_script(&mut Engine::new(), &script, cadence);
        assert_eq!(
            other.iter().map(show).collect::<Vec<_>>(),
            reference.iter().map(show).collect::<Vec<_>>(),
            "{cadence:?}"
        );
        assert_eq!(other, reference, "{cadence:?}");
    }
    // The script exercises every time-aware decision.
    let lines: Vec<String> = reference.iter().map(show).collect();
    let kinds: BTreeSet<String> = reference.iter().map(type_of).collect();
    for kind in [
        "assigned",
        "unassigned",
        "queued",
        "closed",
        "auto_reply",
        "sla_breached",
        "bot_assigned",
        "bot_left",
        "rating_requested",
    ] {
        assert!(kinds.contains(kind), "no {kind} in\n{}", lines.join("\n"));
    }
    for needle in [
        "auto_reply k1 sales welcome",
        "sales off_hours",
        "no_operators",
        "unanswered",
        "next_response",
        "bot_left n1 helper timeout",
        "closed n1 bot",
        "closed k2 rated",
        "inactivity",
        "03-08 06:40 queued n7 ny off_hours",
        "03-08 07:00 assigned n7 ny boris routed",
    ] {
        assert!(
            lines.iter().any(|l| l.contains(needle)),
            "no `{needle}` in\n{}",
            lines.join("\n")
        );
    }
}

#[test]
fn snapshot_in_the_middle_of_timers_continues_identically() {
    // DESIGN §2/§4.10: snapshot → restore → continue gives the same decisions as never
    // stopping, with schedule, bot, SLA, unanswered, offer and inactivity deadlines pending.
    let script = busy_script();
    let reference = run_script(&mut Engine::new(), &script, Cadence::EveryDeadline);
    let mut checked = 0;
    for split in 1..script.len() {
        let mut first = Engine::new();
        let mut out = run_script(&mut first, &script[..split], Cadence::EveryDeadline);
        let json = serde_json::to_string(&first.snapshot()).expect("a snapshot serialises");
        let snapshot: Snapshot = serde_json::from_str(&json).expect("and reads back");
        let mut restored = Engine::restore(snapshot).expect("a snapshot restores");
        assert_eq!(
            restored.poll_timeout(),
            first.poll_timeout(),
            "split {split}"
        );
        assert_eq!(restored.now(), first.now());
        for k in first.conversations() {
            assert_eq!(
                restored.conversation(k.as_str()),
                first.conversation(k.as_str()),
                "{k}"
            );
        }
        for l in ["sales", "ny"] {
            assert_eq!(restored.line_counters(l), first.line_counters(l));
        }
        // Points where several kinds of deadline are pending across the snapshot.
        let view = |k: &str| first.conversation(k).unwrap();
        match tm(script[split - 1].0).as_str() {
            "03-06 14:12" => {
                // n2's bot deadline and SLA; offers on sales; both lines open until their
                // evening deadlines.
                assert_eq!(view("n2").deadline, Some(u("03-06 14:14")));
                assert_eq!(view("n2").sla_due.map(|d| d.1), Some(u("03-06 14:17")));
                assert_eq!(view("k1").deadline, Some(u("03-06 15:00")));
                assert!(first.line_counters("sales").unwrap().open);
                assert!(first.line_counters("ny").unwrap().open);
                checked += 1;
            }
            "03-09 05:50" => {
                // k7 with the bot (and an unanswered reply due), its business-hours SLA
                // running from the opening at 06:00.
                assert_eq!(view("k7").state, ConversationState::WithBot);
                assert_eq!(view("k7").deadline, Some(u("03-09 05:55")));
                assert_eq!(
                    view("k7").sla_due,
                    Some((SlaKind::FirstResponse, u("03-09 06:15")))
                );
                checked += 1;
            }
            "03-09 07:00" => {
                // Offers with answer deadlines, and k6's inactivity close at 07:30.
                assert_eq!(view("k1").deadline, Some(u("03-09 08:00")));
                assert!(view("k6").answered && !view("k6").awaiting_reply);
                checked += 1;
            }
            _ => {}
        }
        out.extend(run_script(
            &mut restored,
            &script[split..],
            Cadence::EveryDeadline,
        ));
        assert_eq!(
            out.iter().map(show).collect::<Vec<_>>(),
            reference.iter().map(show).collect::<Vec<_>>(),
            "split after input {split}"
        );
    }
    assert_eq!(checked, 3);
}
