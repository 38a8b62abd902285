//! Working hours: lines without a schedule, split shifts, days off, holidays, overrides,
//! routing while closed and at opening, manual take while closed, schedule changes.

use super::*;

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
