//! Working hours across daylight saving (New York, Lord Howe, Moscow) and the line hours
//! query.

use super::*;

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
