//! Long-running hosts (issue 10), catching up and deadlines: months in one call, the bound on
//! renewals, kept deadlines announced, the client's last operator.

use super::*;

/// "Configure in March, act in November": an input stamped months after the clock fires
/// everything due in between — line hours opening and closing, response targets, the
/// inactivity close, forgetting — in one call, with the default bound.
#[test]
pub(super) fn months_of_catch_up_apply_in_one_call() {
    let mut both = Both::new(0);
    both.run(
        r#"
        +0s {"type":"upsert_operator","operator":"o1"}
        +0s {"type":"presence","operator":"o1","status":"online"}
        +0s {"type":"upsert_line","line":"l1","queue":["o1"],"schedule":{"time_zone":"Europe/Moscow","weekly":{"mon":[["09:00","18:00"]],"tue":[["09:00","18:00"]],"wed":[["09:00","18:00"]],"thu":[["09:00","18:00"]],"fri":[["09:00","18:00"]]}},"sla":{"first_response_secs":600},"auto_close_after_secs":3600}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +60s {"type":"message_in","conversation":"v2","client":"cl2","channel":"c1"}
        +60s {"type":"message_out","conversation":"v2","operator":"o1"}
        "#,
    );
    // Eight months later, with no tick in between.
    let out = both.run(
        r#"+21000000s {"type":"message_in","conversation":"v3","client":"cl3","channel":"c1"}"#,
    );
    assert!(out[0].0.is_ok(), "{out:?}");
    let all = out[0].1.join("\n");
    assert!(
        all.contains(r#""type":"sla_breached","conversation":"v1""#),
        "{all}"
    );
    assert!(
        all.contains(r#""type":"closed","conversation":"v2","reason":"inactivity""#),
        "{all}"
    );
    assert!(
        both.engine.conversation("v2").is_none(),
        "forgotten after 30 days"
    );
}

/// Only renewals are bounded: offers renewed (here an `all` offer every minute) and line
/// hours changing, when an earlier firing of the same call set them. An input whose catching
/// up would pass `max_renewals_per_call` is refused with `Error::CatchUpBound` and changes
/// nothing; a `tick` goes as far as the bound allows and stops with the clock at the last
/// deadline it fired; ticks repeated at the same time go on, and the decisions are those of
/// a host that never paused.
#[test]
pub(super) fn catch_up_stops_at_the_renewal_bound_and_ticks_continue() {
    let world = r#"
        +0s {"type":"engine_settings","max_renewals_per_call":3}
        +0s {"type":"upsert_operator","operator":"o1"}
        +0s {"type":"presence","operator":"o1","status":"online"}
        +0s {"type":"upsert_line","line":"l1","mode":"all","queue":["o1"],"offer_timeout_secs":60}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
    "#;
    let mut both = Both::new(0);
    both.run(world);
    // Less than a minute past the clock can never meet the bound.
    let out = both.run(r#"+59s {"type":"presence","operator":"o1","status":"online"}"#);
    assert!(out[0].0.is_ok());
    let away = r#"+600s {"type":"presence","operator":"o1","status":"away"}"#;
    let out = both.run(away);
    // 60 (set by an earlier call), then 120, 180, 240 (renewals 1–3); 300 would be the 4th.
    assert_eq!(
        out[0].0,
        Err(Error::CatchUpBound {
            at: time(600),
            clock: time(59),
            renewals: 3,
            reached: time(300),
        })
    );
    assert!(out[0].1.is_empty());
    assert_eq!(both.engine.now(), Some(time(59)));
    assert_eq!(both.engine.poll_timeout(), Some(time(60)));
    let mut decisions = Vec::new();
    for (clock, next) in [(240, 300), (480, 540), (600, 660)] {
        let out = both.run("+600s {\"type\":\"tick\"}");
        assert_eq!(out[0].0, Ok(()));
        decisions.extend(out[0].1.clone());
        assert_eq!(both.engine.now(), Some(time(clock)));
        assert_eq!(both.engine.poll_timeout(), Some(time(next)));
    }
    let out = both.run(away);
    assert_eq!(out[0].0, Ok(()));
    decisions.extend(out[0].1.clone());
    // The same as never pausing.
    let mut never = Both::new(0);
    never.run(world);
    never.run(r#"+59s {"type":"presence","operator":"o1","status":"online"}"#);
    let mut expected = Vec::new();
    for t in (60..=600).step_by(60) {
        expected.extend(never.run(&format!("+{t}s handle_timeout"))[0].1.clone());
    }
    expected.extend(never.run(away)[0].1.clone());
    assert_eq!(decisions, expected);
    // `handle_timeout` is never bounded.
    let mut untimed = Both::new(0);
    untimed.run(world);
    untimed.run("+86400s handle_timeout");
    assert_eq!(untimed.engine.now(), Some(time(86_400)));
    assert_eq!(untimed.engine.poll_timeout(), Some(time(86_460)));
}

/// Line hours count as renewals too: a line open one minute in every two, across a day.
#[test]
pub(super) fn line_hours_count_as_renewals() {
    let mut both = Both::new(0);
    let mut hours = Vec::new();
    for h in 0..24 {
        for m in (0..60).step_by(2) {
            hours.push(format!(r#"["{h:02}:{m:02}","{h:02}:{:02}"]"#, m + 1));
        }
    }
    let day = format!("[{}]", hours.join(","));
    both.run(&format!(
        r#"
        +0s {{"type":"engine_settings","max_renewals_per_call":10}}
        +0s {{"type":"upsert_line","line":"l1","schedule":{{"time_zone":"UTC","weekly":{{"mon":{day},"tue":{day}}}}}}}
        "#
    ));
    let out = both.run(r#"+3600s {"type":"upsert_operator","operator":"o1"}"#);
    assert!(
        matches!(out[0].0, Err(Error::CatchUpBound { renewals: 10, .. })),
        "{out:?}"
    );
    let out = both.run(r#"+3600s {"type":"tick"}"#);
    assert_eq!(out[0].0, Ok(()));
    // The first change (set by the upsert) and ten renewals: a minute each.
    assert_eq!(both.engine.now(), Some(time(11 * 60)));
}

/// An unconfirmed assignment that reaches its deadline and stays with its holder is
/// announced: `assigned` naming the holder again without `answer_by` — reason `routed` when
/// `keep_last` keeps it, `pinned` when the holder is the client's `always`-pinned operator.
#[test]
pub(super) fn kept_deadline_is_announced() {
    let mut both = Both::new(0);
    let out = both.run(
        r#"
        +0s {"type":"upsert_operator","operator":"o1"}
        +0s {"type":"presence","operator":"o1","status":"online"}
        +0s {"type":"upsert_line","line":"l1","mode":"strict","queue":["o1"],"offer_timeout_secs":60,"on_exhausted":"keep_last"}
        +0s {"type":"upsert_line","line":"l2","mode":"strict","queue":["o1"],"offer_timeout_secs":60,"pinned_policy":"prefer"}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"connect_channel","channel":"c2","line":"l2"}
        +0s {"type":"pin_client","client":"cl2","operator":"o1"}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +0s {"type":"message_in","conversation":"v2","client":"cl2","channel":"c2"}
        +10s {"type":"upsert_line","line":"l2","mode":"strict","queue":["o1"],"offer_timeout_secs":60,"pinned_policy":"always"}
        +60s handle_timeout
        "#,
    );
    let last = &out.last().expect("steps").1;
    assert_eq!(
        last,
        &[
            r#"{"at":"2026-03-02T09:01:00Z","type":"assigned","conversation":"v1","line":"l1","operator":"o1","reason":"routed"}"#,
            r#"{"at":"2026-03-02T09:01:00Z","type":"assigned","conversation":"v2","line":"l2","operator":"o1","reason":"pinned"}"#,
        ]
    );
    assert_eq!(both.engine.poll_timeout(), None);
}

/// Pinning a client under `always` while their new pinned operator holds the client's
/// conversation unanswered makes that assignment final, and says so at the `pin_client`.
#[test]
pub(super) fn pinning_under_always_confirms_the_holders_assignment() {
    let mut both = Both::new(0);
    let out = both.run(
        r#"
        +0s {"type":"upsert_operator","operator":"o1"}
        +0s {"type":"upsert_operator","operator":"o2"}
        +0s {"type":"presence","operator":"o1","status":"online"}
        +0s {"type":"presence","operator":"o2","status":"online"}
        +0s {"type":"upsert_line","line":"l1","mode":"strict","queue":["o1","o2"],"offer_timeout_secs":60,"pinned_policy":"always"}
        +0s {"type":"upsert_line","line":"l2","mode":"strict","queue":["o1"],"offer_timeout_secs":60}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"connect_channel","channel":"c2","line":"l2"}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c2"}
        +0s {"type":"message_in","conversation":"v2","client":"cl1","channel":"c1"}
        +0s {"type":"message_in","conversation":"v3","client":"cl1","channel":"c1"}
        +0s {"type":"accept","conversation":"v2","operator":"o1"}
        +10s {"type":"pin_client","client":"cl1","operator":"o1"}
        "#,
    );
    // v1 is on a `prefer` line, v2 already confirmed: only v3 is announced.
    assert_eq!(
        out.last().expect("steps").1,
        [
            r#"{"at":"2026-03-02T09:00:10Z","type":"assigned","conversation":"v3","line":"l1","operator":"o1","reason":"pinned"}"#
        ]
    );
    assert_eq!(
        both.engine.poll_timeout(),
        Some(time(60)),
        "v1's deadline is left"
    );
}

/// The client's last operator is whoever the latest final assignment or confirmation of
/// any of their conversations named, or who last wrote to them — not who held a
/// conversation when it closed; an unconfirmed assignment that ends unanswered never counts.
#[test]
pub(super) fn last_operator_is_the_latest_final_assignment_or_message() {
    let mut both = Both::new(0);
    let out = both.run(
        r#"
        +0s {"type":"upsert_operator","operator":"o1"}
        +0s {"type":"upsert_operator","operator":"o2"}
        +0s {"type":"upsert_operator","operator":"o3"}
        +0s {"type":"presence","operator":"o1","status":"online"}
        +0s {"type":"presence","operator":"o2","status":"online"}
        +0s {"type":"presence","operator":"o3","status":"online"}
        +0s {"type":"upsert_line","line":"l1","mode":"evenly","queue":["o1","o2","o3"],"prefer_last_operator":true}
        +0s {"type":"upsert_line","line":"l2","mode":"strict","queue":["o3"],"offer_timeout_secs":60}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"connect_channel","channel":"c2","line":"l2"}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +1s {"type":"message_in","conversation":"v2","client":"cl1","channel":"c1"}
        +2s {"type":"message_out","conversation":"v1","operator":"o2"}
        +3s {"type":"message_in","conversation":"v3","client":"cl1","channel":"c1"}
        +4s {"type":"message_in","conversation":"v4","client":"cl1","channel":"c2"}
        +70s {"type":"message_in","conversation":"v5","client":"cl1","channel":"c1"}
        "#,
    );
    // The step's `assigned` of a new conversation (after whatever fell due before it).
    let assigned = |i: usize| out[i].1.last().cloned().unwrap_or_default();
    // v1 went to o1 for good: o1 is cl1's last operator at once, though v1 is open.
    assert!(
        assigned(10).contains(r#""operator":"o1","reason":"routed""#),
        "{out:?}"
    );
    assert!(
        assigned(11).contains(r#""operator":"o1","reason":"last_operator""#),
        "{out:?}"
    );
    // o2 wrote to the client (taking v1 over): now o2.
    assert!(
        assigned(13).contains(r#""operator":"o2","reason":"last_operator""#),
        "{out:?}"
    );
    // v4's unconfirmed assignment to o3 ended unanswered (and was offered to o3 again): still
    // o2.
    assert!(
        out[15].1[0].contains(r#""type":"unassigned","conversation":"v4""#),
        "{out:?}"
    );
    assert!(
        assigned(15).contains(
            r#""conversation":"v5","line":"l1","operator":"o2","reason":"last_operator""#
        ),
        "{out:?}"
    );
}

/// An `assigned` announcing that an assignment is now final (a kept deadline, a pin under
/// `always`) is not a new assignment: "least recently assigned" stays as it was. Here `o1`
/// was given `v2` before `o2` got `v3`, and `v2`'s kept deadline does not change that: `v4`
/// goes to `o1` on the `evenly` line.
#[test]
pub(super) fn an_announced_final_assignment_is_not_a_new_one() {
    let mut both = Both::new(0);
    let out = both.run(
        r#"
        +0s {"type":"upsert_operator","operator":"o1"}
        +0s {"type":"upsert_operator","operator":"o2"}
        +0s {"type":"presence","operator":"o1","status":"online"}
        +0s {"type":"presence","operator":"o2","status":"online"}
        +0s {"type":"upsert_line","line":"l1","mode":"strict","queue":["o1"],"offer_timeout_secs":60,"on_exhausted":"keep_last"}
        +0s {"type":"upsert_line","line":"l2","mode":"evenly","queue":["o1","o2"]}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"connect_channel","channel":"c2","line":"l2"}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c2"}
        +0s {"type":"message_in","conversation":"v2","client":"cl2","channel":"c1"}
        +0s {"type":"message_in","conversation":"v3","client":"cl3","channel":"c2"}
        +60s handle_timeout
        +70s {"type":"message_in","conversation":"v4","client":"cl4","channel":"c2"}
        "#,
    );
    assert!(
        out[11].1[0]
            .contains(r#""conversation":"v2","line":"l1","operator":"o1","reason":"routed"}"#)
    );
    assert!(out[12].1[0].contains(r#""conversation":"v4","line":"l2","operator":"o1""#));
}

/// The holder's `take`, `accept` or transfer to themselves of an assignment that is already
/// final changes nothing, not even the client's last operator: only an assignment *becoming*
/// final or confirmed, or a message, counts. `o2` wrote to `cl1` after `o1` got `v1` for
/// good, so `o2` stays the last operator.
#[test]
pub(super) fn confirming_a_final_assignment_again_is_no_event() {
    let mut both = Both::new(0);
    let out = both.run(
        r#"
        +0s {"type":"upsert_operator","operator":"o1"}
        +0s {"type":"upsert_operator","operator":"o2"}
        +0s {"type":"presence","operator":"o1","status":"online"}
        +0s {"type":"presence","operator":"o2","status":"online"}
        +0s {"type":"upsert_line","line":"l1","mode":"strict","queue":["o1","o2"],"prefer_last_operator":true}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +1s {"type":"message_out","conversation":"v2","operator":"o2","client":"cl1","channel":"c1"}
        +2s {"type":"take","conversation":"v1","operator":"o1"}
        +2s {"type":"accept","conversation":"v1","operator":"o1"}
        +2s {"type":"transfer","conversation":"v1","to_operator":"o1"}
        +3s {"type":"message_in","conversation":"v3","client":"cl1","channel":"c1"}
        "#,
    );
    for (result, decisions) in &out[8..11] {
        assert!(result.is_ok() && decisions.is_empty(), "{out:?}");
    }
    assert!(
        out[11].1[0].contains(r#""operator":"o2","reason":"last_operator""#),
        "{out:?}"
    );
}

/// Found by the differential test, settled for the engine (DECISIONS "Long-running hosts"): a
/// call that has fired `max_renewals_per_call` renewals stops at the end of the instant it is
/// in, never inside one. Two conversations cycle on a line that opens at 03:00Z the next day,
/// each offered again every minute; with `max_renewals_per_call` 3, a `tick` a day later fires
/// the renewals at 03:01 (v5, v3) and at 03:02 (v5, then v3 — the fourth, still inside the
/// instant of the third) and stops before 03:03, with the clock at 03:02 and `poll_timeout`
/// 03:03. Any other input in the tick's place is refused with `reached` 03:03; ticks at the
/// same time then go on from there.
#[test]
pub(super) fn renewal_bound_stops_at_the_end_of_an_instant() {
    let world = r#"
        +0s {"type":"upsert_line","line":"l1","mode":"strict","offer_timeout_secs":60,"queue":["o4"],"schedule":{"time_zone":"UTC","weekly":{"tue":[["03:00","04:30"]]}}}
        +0s {"type":"upsert_operator","operator":"o4"}
        +0s {"type":"engine_settings","max_renewals_per_call":3}
        +0s {"type":"connect_channel","channel":"c3","line":"l1"}
        +0s {"type":"presence","operator":"o4","status":"online"}
        +0s {"type":"message_in","conversation":"v5","client":"cl1","channel":"c3"}
        +0s {"type":"message_in","conversation":"v3","client":"cl1","channel":"c3"}
    "#;
    let at = |hhmm: &str| -> DateTime<Utc> {
        format!("2026-03-03T{hhmm}:00Z")
            .parse()
            .expect("valid RFC 3339")
    };
    let mut both = Both::new(0);
    both.run(world);
    let out = both.run(r#"+93600s {"type":"tick"}"#);
    assert!(out[0].0.is_ok(), "{out:?}");
    let renewals_at = |t: &str| {
        out[0]
            .1
            .iter()
            .filter(|d| d.contains(&format!(r#""at":"2026-03-03T{t}:00Z","type":"assigned""#)))
            .count()
    };
    assert_eq!(
        (renewals_at("03:01"), renewals_at("03:02")),
        (2, 2),
        "{out:?}"
    );
    assert_eq!(both.engine.now(), Some(at("03:02")));
    assert_eq!(both.engine.poll_timeout(), Some(at("03:03")));
    // Any other input in the tick's place is refused, changing nothing: in a fresh engine
    // where the tick stopped, at 03:03 …
    let mut fresh = Both::new(0);
    fresh.run(world);
    let presence = r#"+93600s {"type":"presence","operator":"o4","status":"online"}"#;
    let out = fresh.run(presence);
    assert!(
        matches!(out[0].0, Err(Error::CatchUpBound { reached, renewals: 3, .. }) if reached == at("03:03")),
        "{out:?}"
    );
    // … and after the tick, whose pending deadlines are no renewals of the next call (set by
    // an earlier one): 03:03 fires uncounted, 03:04 and 03:05 count four, and the call stops
    // before 03:06.
    let out = both.run(presence);
    assert!(
        matches!(out[0].0, Err(Error::CatchUpBound { reached, .. }) if reached == at("03:06")),
        "{out:?}"
    );
    assert_eq!(both.engine.now(), Some(at("03:02")));
    // Ticks at the same time go on, as far.
    let out = both.run(r#"+93600s {"type":"tick"}"#);
    assert!(out[0].1.iter().any(|d| d.contains("03:05:00Z")), "{out:?}");
    assert_eq!(both.engine.now(), Some(at("03:05")));
    assert_eq!(both.engine.poll_timeout(), Some(at("03:06")));
}

/// Regression (engine bug found by the differential test, fixed): `v1` is answered at 09:00 on
/// a line that closes it after 10 minutes of inactivity; the client writes again at 09:10:00,
/// the very instant of the inactivity close. Deadlines due by an input's time fire first and
/// the input is judged after them (DESIGN §1), so `v1` closes and the message reopens it
/// (`closed` inactivity, then `assigned` v1 to o1). The engine used to emit only the
/// `closed`, losing the message, when the previous call was less than a minute earlier (the
/// `handle_timeout` at 09:09:50 here).
#[test]
pub(super) fn regression_message_in_as_a_deadline_closes_the_conversation() {
    let steps = parse_steps(
        r#"
        +0s {"type":"upsert_operator","operator":"o1"}
        +0s {"type":"presence","operator":"o1","status":"online"}
        +0s {"type":"upsert_line","line":"l1","queue":["o1"],"auto_close_after_secs":600}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +0s {"type":"message_out","conversation":"v1","operator":"o1"}
        +590s handle_timeout
        +600s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        "#,
    );
    let (transcript, agree) = replay(&steps);
    assert!(agree, "{transcript}");
    assert!(
        transcript.contains(r#""type":"closed","conversation":"v1","reason":"inactivity""#)
            && transcript
                .contains(r#""type":"assigned","conversation":"v1","line":"l1","operator":"o1""#),
        "{transcript}"
    );
}
