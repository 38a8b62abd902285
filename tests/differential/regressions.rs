//! Minimal cases the differential test found (engine bugs, fixed or not yet), and the model's
//! working hours against the documented daylight-saving rules.

use super::*;

/// Regression (engine bug found by the differential test, fixed): at 09:30 the line closes
/// and the assignment made at 09:29 expires. The line's closing was scheduled last (the upsert
/// at 09:29:10 set it again), and the engine used to fire the expiry first, with the line
/// still open, routing the conversation to `o2` on a line that is closed at 09:30 ("while a
/// line is closed nothing is routed automatically"). Lines open and close before any other
/// deadline of the instant: `unassigned v1 o1 no_answer`, then `queued v1 l1 off_hours`.
#[test]
pub(super) fn regression_no_routing_on_a_line_at_the_instant_it_closes() {
    let steps = parse_steps(
        r#"
        +0s {"type":"upsert_operator","operator":"o1"}
        +0s {"type":"upsert_operator","operator":"o2"}
        +0s {"type":"presence","operator":"o1","status":"online"}
        +0s {"type":"presence","operator":"o2","status":"online"}
        +0s {"type":"upsert_line","line":"l1","mode":"strict","queue":["o1","o2"],"offer_timeout_secs":60,"schedule":{"time_zone":"UTC","weekly":{"mon":[["09:00","09:30"]]}}}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +1740s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +1750s {"type":"upsert_line","line":"l1","mode":"strict","queue":["o1","o2"],"offer_timeout_secs":60,"schedule":{"time_zone":"UTC","weekly":{"mon":[["09:00","09:30"]]}}}
        +1800s handle_timeout
        "#,
    );
    let (transcript, agree) = replay(&steps);
    assert!(agree, "{transcript}");
    assert!(
        transcript
            .contains(r#""type":"queued","conversation":"v1","line":"l1","reason":"off_hours""#),
        "{transcript}"
    );
}

/// The same-instant rule, on both sides of a line's hours: whether or not the line's own
/// deadline was set again after the others of its instant (the upsert at 09:29:10), its
/// closing comes first (the expiring assignment is not routed on the closed line) and so does
/// its opening (the bot's turn ends on an open line, so the conversation goes to `o1` rather
/// than being queued `off_hours`).
#[test]
pub(super) fn lines_open_and_close_before_other_deadlines_of_the_instant() {
    let world = r#"
        +0s {"type":"upsert_operator","operator":"o1"}
        +0s {"type":"upsert_operator","operator":"o2"}
        +0s {"type":"presence","operator":"o1","status":"online"}
        +0s {"type":"presence","operator":"o2","status":"online"}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +1740s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
    "#;
    let closing = r#"{"type":"upsert_line","line":"l1","mode":"strict","queue":["o1","o2"],"offer_timeout_secs":60,"schedule":{"time_zone":"UTC","weekly":{"mon":[["09:00","09:30"]]}}}"#;
    let opening = r#"{"type":"upsert_line","line":"l1","queue":["o1"],"bot":{"bot":"b","handoff_after_secs":60},"schedule":{"time_zone":"UTC","weekly":{"mon":[["09:30","10:00"]]}}}"#;
    for (line, expected) in [
        (
            closing,
            r#""type":"queued","conversation":"v1","line":"l1","reason":"off_hours""#,
        ),
        (
            opening,
            r#""type":"assigned","conversation":"v1","line":"l1","operator":"o1""#,
        ),
    ] {
        for upsert_again in [true, false] {
            let mut text = format!("+0s {line}\n{world}\n");
            if upsert_again {
                text += &format!("+1750s {line}\n");
            }
            text += "+1800s handle_timeout\n";
            let (transcript, agree) = replay(&parse_steps(&text));
            assert!(agree, "{transcript}");
            assert!(transcript.contains(expected), "{transcript}");
        }
    }
}

/// Found by the differential test: lines `l1` and `l2` open at 09:30 with `v2` (waiting since
/// 09:10 on `l2`, for `o1`) and `v1` (since 09:11:40 on `l1`, for `o1` or `o2`) waiting; `o1`
/// has room for one, and `o2`'s absence ends at 09:30 too, as does `v3`'s `unanswered` reply
/// on an unrelated line. The lines that open at an instant route their waiting
/// conversations as soon as the openings of that instant are done, longest waiting first
/// across them and before any other deadline of the instant: `v2` goes to `o1`, `v1` waits
/// (`o2` is still absent), and once the absence has ended `v1` goes to `o2`. (The engine used
/// to route them after the instant's other deadlines, and then only when no unrelated
/// deadline such as `v3`'s reply was due: the outcome depended on it.)
#[test]
pub(super) fn lines_that_open_route_before_other_deadlines_of_the_instant() {
    let steps = parse_steps(
        r#"
        +0s {"type":"upsert_operator","operator":"o1","max_open":1}
        +0s {"type":"upsert_operator","operator":"o2"}
        +0s {"type":"presence","operator":"o1","status":"online"}
        +0s {"type":"presence","operator":"o2","status":"online"}
        +0s {"type":"upsert_line","line":"l1","mode":"strict","queue":["o1","o2"],"schedule":{"time_zone":"UTC","weekly":{"mon":[["09:30","10:00"]]}}}
        +0s {"type":"upsert_line","line":"l2","mode":"strict","queue":["o1"],"schedule":{"time_zone":"UTC","weekly":{"mon":[["09:30","10:00"]]}}}
        +0s {"type":"upsert_line","line":"l3","auto_replies":{"unanswered_after_secs":60}}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"connect_channel","channel":"c2","line":"l2"}
        +0s {"type":"connect_channel","channel":"c3","line":"l3"}
        +5s {"type":"absence","operator":"o2","from":"+0s","until":"+1800s"}
        +600s {"type":"message_in","conversation":"v2","client":"cl2","channel":"c2"}
        +700s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +1740s {"type":"message_in","conversation":"v3","client":"cl3","channel":"c3"}
        +1800s handle_timeout
        "#,
    );
    let (transcript, agree) = replay(&steps);
    assert!(agree, "{transcript}");
    let at_0930: Vec<&str> = transcript
        .lines()
        .filter(|l| l.contains("09:30:00Z"))
        .collect();
    let expected = [
        r#""type":"assigned","conversation":"v2","line":"l2","operator":"o1""#,
        r#""type":"assigned","conversation":"v1","line":"l1","operator":"o2""#,
        r#""type":"auto_reply","conversation":"v3""#,
    ];
    assert_eq!(at_0930.len(), expected.len(), "{transcript}");
    for (line, want) in at_0930.iter().zip(expected) {
        assert!(line.contains(want), "{transcript}");
    }
}

/// Regression (engine bug found by the differential test, fixed): a working-hours time must
/// be `HH:MM` (`9:00` is refused), yet `+9:00` was taken for 09:00 — the hour went through
/// `u32::from_str`, which accepts a sign. The generator writes no such times. (The engine
/// also took `2026-3-5` for a `YYYY-MM-DD` holiday or override date; the model refuses that
/// too.)
#[test]
pub(super) fn regression_a_signed_time_is_not_hh_mm() {
    let steps = parse_steps(
        r#"
        +0s {"type":"upsert_line","line":"l1","schedule":{"time_zone":"UTC","weekly":{"mon":[["+9:00","10:00"]]}}}
        +0s {"type":"upsert_line","line":"l1","schedule":{"time_zone":"UTC","weekly":{},"holidays":["2026-3-5"]}}
        "#,
    );
    let (transcript, agree) = replay(&steps);
    assert!(agree, "{transcript}");
    assert_eq!(transcript.matches("DIFFERENT").count(), 0, "{transcript}");
}

/// Regression (engine bug found by the differential test and, independently, by the §6
/// detail tests; fixed): a rule's `route` on a completed conversation records the new line
/// (`completed` again, line `l2`), and the line's count of completed conversations moves with
/// it. The engine used to move only the count of open conversations: its audit failed at once,
/// and the client's message re-activating the conversation took `l2`'s count below zero — a
/// panic in a debug build. DESIGN §6: "records the line; it is routed there when
/// re-activated".
#[test]
pub(super) fn regression_route_moves_a_completed_conversation_to_another_line() {
    let steps = parse_steps(
        r#"
        +0s {"type":"upsert_operator","operator":"o1"}
        +0s {"type":"presence","operator":"o1","status":"online"}
        +0s {"type":"upsert_line","line":"l1"}
        +0s {"type":"upsert_line","line":"l2","queue":["o1"]}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"set_rules","changed":[{"name":"r1","when":{"event":["complete"]},"then":[{"action":"route","line":"l2"}]}]}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +60s {"type":"complete","conversation":"v1"}
        +120s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        "#,
    );
    let (transcript, agree) = replay(&steps);
    assert!(agree, "{transcript}");
    assert!(
        transcript.contains(
            r#""type":"assigned","conversation":"v1","line":"l2","operator":"o1","reason":"routed""#
        ),
        "{transcript}"
    );
}

/// Engine bug found by `time_properties` (its "nothing is routed automatically while the line
/// is closed" caught it on a closed line) and left out of `engine_matches_model` by
/// [`known_engine_bug`]: `v1` is offered in mode `all` on a line with no offer timeout (no
/// `expires_at`: it never expires), then the line gains an offer timeout ("changing a line's
/// queue or mode leaves current assignments and their deadlines as they are", DESIGN §1), then
/// the client writes again. The offer was not made while nobody awaited an answer — the client
/// had just written — so it is no placement without a clock (DESIGN §6, "No answer clock while
/// nobody awaits an answer"), and nothing is announced. The engine cannot tell such an offer
/// from one made without a clock (both have no deadline, `Place::Offered { deadline: None }` in
/// `start_answer_clock`, `src/routing/offers.rs`): it starts a clock and announces `offered`
/// again with `expires_at` — on a line that may be closed by then, or no longer in mode `all`.
#[test]
pub(super) fn regression_an_offer_without_a_timeout_gets_no_clock_when_the_line_gains_one() {
    let steps = parse_steps(
        r#"
        +0s {"type":"upsert_operator","operator":"o1"}
        +0s {"type":"presence","operator":"o1","status":"online"}
        +0s {"type":"upsert_line","line":"l1","mode":"all","queue":["o1"]}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +10s {"type":"upsert_line","line":"l1","mode":"all","queue":["o1"],"offer_timeout_secs":60}
        +20s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        "#,
    );
    let (transcript, agree) = replay(&steps);
    assert!(agree, "{transcript}");
}

/// The seed of the id hash changes no decision.
#[test]
pub(super) fn seed_changes_no_decision() {
    let steps = r#"
        +0s {"type":"upsert_operator","operator":"o1","max_open":1}
        +0s {"type":"upsert_operator","operator":"o2"}
        +0s {"type":"presence","operator":"o1","status":"online"}
        +0s {"type":"presence","operator":"o2","status":"online"}
        +0s {"type":"upsert_line","line":"l1","mode":"balanced","queue":["o2","o1"],"offer_timeout_secs":60}
        +0s {"type":"upsert_line","line":"l2","mode":"all","queue":["o1","o2"],"offer_timeout_secs":120}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"connect_channel","channel":"c2","line":"l2"}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +0s {"type":"message_in","conversation":"v2","client":"cl2","channel":"c2"}
        +0s {"type":"message_in","conversation":"v3","client":"cl3","channel":"c1"}
        +30s {"type":"close","conversation":"v1"}
        +600s handle_timeout
    "#;
    let runs: Vec<_> = [0, 1, 42, u64::MAX]
        .into_iter()
        .map(|seed| Both::new(seed).run(steps))
        .collect();
    for run in &runs[1..] {
        assert_eq!(run, &runs[0]);
    }
}

/// Regression for engine bug 2 (fixed): an unconfirmed assignment on a line switched to `all`
/// expires while the holder is at their cap; the renewed offer must include the holder, who
/// has room again once the conversation leaves them.
#[test]
pub(super) fn all_mode_expiry_after_mode_switch() {
    let steps = parse_steps(
        r#"
        +0s {"type":"upsert_operator","operator":"o4"}
        +0s {"type":"presence","operator":"o4","status":"online"}
        +0s {"type":"upsert_line","line":"l1","mode":"strict","queue":["o4"],"offer_timeout_secs":60,"max_open_per_operator":1}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +10s {"type":"upsert_line","line":"l1","mode":"all","queue":["o4"],"offer_timeout_secs":60,"max_open_per_operator":1}
        +60s handle_timeout
        "#,
    );
    let (transcript, agree) = replay(&steps);
    assert!(agree, "{transcript}");
}

/// Engine bug 2 again, through a `prefer` pin on an `all` line.
#[test]
pub(super) fn all_mode_expiry_of_a_pinned_assignment() {
    let steps = parse_steps(
        r#"
        +0s {"type":"upsert_operator","operator":"o4"}
        +0s {"type":"presence","operator":"o4","status":"online"}
        +0s {"type":"upsert_line","line":"l1","mode":"all","queue":["o4"],"offer_timeout_secs":60,"max_open_per_operator":1}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"pin_client","client":"cl1","operator":"o4"}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +60s handle_timeout
        "#,
    );
    let (transcript, agree) = replay(&steps);
    assert!(agree, "{transcript}");
}

/// The model's working hours follow the documented daylight-saving rules on their own (the
/// examples of README "Time-aware lines" and the engine's schedule tests): a local time in the
/// spring-forward gap opens at the jump, one that occurs twice means the earlier instant.
#[test]
pub(super) fn model_hours_follow_the_daylight_saving_rules() {
    let u = |s: &str| -> DateTime<Utc> { s.parse().expect("valid RFC 3339") };
    let hours = |zone: &str, day: Weekday, spans: &[(&str, &str)]| {
        let mut s = ScheduleConfig::new(zone);
        for (a, b) in spans {
            s = s.hours(day, a, b);
        }
        model::hours::Hours::parse(&s).expect("valid hours")
    };
    // New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist.
    let h = hours("America/New_York", Weekday::Sun, &[("02:30", "10:00")]);
    assert_eq!(
        h.next_change(u("2026-03-08T00:00:00Z")),
        Some(u("2026-03-08T07:00:00Z"))
    );
    assert!(!h.is_open(u("2026-03-08T06:59:59Z")));
    assert!(h.is_open(u("2026-03-08T07:00:00Z")));
    // 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:30 is at 05:30Z and at 06:30Z.
    let h = hours("America/New_York", Weekday::Sun, &[("00:00", "01:30")]);
    assert_eq!(
        h.next_change(u("2026-11-01T04:10:00Z")),
        Some(u("2026-11-01T05:30:00Z"))
    );
    assert!(!h.is_open(u("2026-11-01T06:00:00Z")));
    // Lord Howe, 2026-10-04: 02:00 (+10:30) jumps to 02:30 (+11:00); 02:15 does not exist.
    let h = hours("Australia/Lord_Howe", Weekday::Sun, &[("02:15", "12:00")]);
    assert_eq!(
        h.next_change(u("2026-10-03T12:00:00Z")),
        Some(u("2026-10-03T15:30:00Z"))
    );
    // 2026-04-05: 02:00 (+11:00) falls back to 01:30 (+10:30); 01:45 is at 14:45Z and 15:15Z.
    let h = hours("Australia/Lord_Howe", Weekday::Sun, &[("00:00", "01:45")]);
    assert!(h.is_open(u("2026-04-04T14:44:59Z")));
    assert_eq!(
        h.next_change(u("2026-04-04T14:00:00Z")),
        Some(u("2026-04-04T14:45:00Z"))
    );
    // An interval wholly inside the gap is empty: that Sunday the line does not open.
    let h = hours("America/New_York", Weekday::Sun, &[("02:10", "02:50")]);
    assert_eq!(
        h.next_change(u("2026-03-08T00:00:00Z")),
        Some(u("2026-03-15T06:10:00Z"))
    );
    // Moscow (UTC+3, no DST), a split shift; and open seconds skip closed time.
    let h = hours(
        "Europe/Moscow",
        Weekday::Mon,
        &[("09:00", "13:00"), ("14:00", "18:00")],
    );
    assert_eq!(
        h.next_change(u("2026-03-02T10:30:00Z")),
        Some(u("2026-03-02T11:00:00Z"))
    );
    assert_eq!(
        h.add_open_secs(u("2026-03-02T09:55:00Z"), 600),
        Some(u("2026-03-02T11:05:00Z"))
    );
    // Open around the clock: no change within two years.
    let mut s = ScheduleConfig::new("UTC");
    for d in WEEK {
        s = s.hours(d, "00:00", "24:00");
    }
    let h = model::hours::Hours::parse(&s).expect("valid hours");
    assert_eq!(h.next_change(u("2026-03-02T09:00:00Z")), None);
}
