//! Hostile input through the JSON Lines replay: random bytes, truncated and mutated lines,
//! wrong types, huge and negative numbers, unknown fields and types, bad and extreme dates,
//! duplicate keys, nested junk, very long, unicode and empty ids, rule lists malformed deep
//! inside (DESIGN §6) — mixed with valid lines so that the engine reaches interesting states.
//!
//! For every line: nothing panics; every output line is a JSON object; a line that fails
//! produces exactly one `{"type":"error","line_no":N,…}` line with the engine's clock as `at`
//! and leaves the engine unchanged; a line that succeeds prints exactly the decisions the
//! engine made; `verify_invariants()` holds and every query answers.

#[path = "../examples/replay.rs"]
#[allow(dead_code)]
mod replay;

mod common;
#[path = "hostile/strategies.rs"]
mod strategies;

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use proptest::sample::select;
use routeline::{Decision, Engine};
use serde_json::{Value, json};
use strategies::*;

const DEFAULT_CASES: u32 = 64;

fn config() -> ProptestConfig {
    common::config(DEFAULT_CASES)
}

/// Feeds one line through `replay::process_line` and checks everything about its output.
fn feed(engine: &mut Engine, line_no: usize, line: &str) -> Result<(), String> {
    let before = format!("{engine:?}");
    let before_now = engine.now();

    // What the line should do, judged on a twin of the engine.
    let expected: Option<Vec<String>> = if line.trim().is_empty() {
        Some(Vec::new())
    } else {
        match replay::parse_line(line) {
            Err(_) => None,
            Ok((at, input)) => {
                let mut twin = engine.clone();
                match twin.handle(at, input) {
                    Err(_) => None,
                    Ok(()) => Some(
                        std::iter::from_fn(|| twin.poll_decision())
                            .map(|d| serde_json::to_string(&d).expect("decisions serialise"))
                            .collect(),
                    ),
                }
            }
        }
    };

    let mut out = Vec::new();
    replay::process_line(engine, line_no, line, &mut out)
        .map_err(|e| format!("line {line_no}: process_line failed: {e}"))?;
    let text =
        String::from_utf8(out).map_err(|e| format!("line {line_no}: output not UTF-8: {e}"))?;
    let lines: Vec<&str> = text.lines().collect();
    let mut values = Vec::new();
    for l in &lines {
        let v: Value = serde_json::from_str(l)
            .map_err(|e| format!("line {line_no}: output is not JSON ({e}): {l}"))?;
        if !v.is_object() {
            return Err(format!("line {line_no}: output is not an object: {l}"));
        }
        values.push(v);
    }
    let errors = values.iter().filter(|v| v["type"] == "error").count();

    match expected {
        None => {
            if lines.len() != 1 || errors != 1 {
                return Err(format!(
                    "line {line_no} fails, but its output is not exactly one error line: {lines:?}"
                ));
            }
            let v = &values[0];
            if v["line_no"] != json!(line_no) {
                return Err(format!(
                    "line {line_no}: error line has line_no {}",
                    v["line_no"]
                ));
            }
            if !v["error"].is_string() {
                return Err(format!("line {line_no}: error line without message: {v}"));
            }
            let at = serde_json::to_value(before_now).expect("times serialise");
            if v["at"] != at {
                return Err(format!(
                    "line {line_no}: error line at {}, engine clock {at}",
                    v["at"]
                ));
            }
            if format!("{engine:?}") != before {
                return Err(format!("line {line_no}: a failing line changed the engine"));
            }
        }
        Some(decisions) => {
            if errors != 0 {
                return Err(format!(
                    "line {line_no} succeeds but printed an error: {lines:?}"
                ));
            }
            if lines != decisions {
                return Err(format!(
                    "line {line_no}: printed {lines:?}, the engine decided {decisions:?}"
                ));
            }
            for l in &lines {
                serde_json::from_str::<Decision>(l).map_err(|e| {
                    format!("line {line_no}: decision does not parse back ({e}): {l}")
                })?;
            }
        }
    }

    engine
        .verify_invariants()
        .map_err(|e| format!("line {line_no}: verify_invariants: {e}"))?;
    exercise_queries(engine);
    Ok(())
}

/// Every query, on everything the engine knows: none may panic.
fn exercise_queries(engine: &Engine) {
    for o in engine.operators() {
        let _ = engine.operator(o.as_str());
    }
    for l in engine.lines() {
        let _ = engine.waiting(l.as_str());
        let _ = engine.line_counters(l.as_str());
    }
    for c in engine.conversations() {
        if let Some(v) = engine.conversation(c.as_str()) {
            let _ = engine.pinned_operator(v.client.as_str());
        }
    }
    let _ = engine.poll_timeout();
    let _ = engine.past_inputs();
}

/// Whether a line would jump the clock far past a pending deadline. Such a jump is skipped to
/// keep cases fast: deadlines fire one by one as of their own time, so a renewing offer (mode
/// `all`, or `on_exhausted: cycle`) fires once per offer timeout across the gap, up to the
/// engine's 30-day catch-up bound (see `far_future_timestamp_with_a_renewing_offer_returns_promptly`
/// and the `catch_up_*` tests).
fn far_jump(engine: &Engine, line: &str) -> bool {
    let Ok((at, _)) = replay::parse_line(line) else {
        return false;
    };
    engine
        .poll_timeout()
        .is_some_and(|t| at.signed_duration_since(t) > TimeDelta::days(7))
}

fn run(lines: &[String]) -> Result<(), String> {
    let mut engine = Engine::new();
    for (i, line) in lines.iter().enumerate() {
        if far_jump(&engine, line) {
            continue;
        }
        feed(&mut engine, i + 1, line)?;
    }
    // Let time run through what is scheduled.
    for _ in 0..8 {
        let Some(t) = engine.poll_timeout() else {
            break;
        };
        engine.handle_timeout(t);
        while engine.poll_decision().is_some() {}
        engine
            .verify_invariants()
            .map_err(|e| format!("after handle_timeout({t}): {e}"))?;
    }
    exercise_queries(&engine);
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Hostile lines from an empty engine.
    #[test]
    fn hostile_lines_from_scratch(lines in prop::collection::vec(hostile_line(), 1..60)) {
        run(&lines).map_err(TestCaseError::fail)?;
    }

    /// Hostile lines into a world where conversations are routed and offered.
    #[test]
    fn hostile_lines_into_a_world(lines in prop::collection::vec(hostile_line(), 1..60)) {
        let all: Vec<String> = world().into_iter().chain(lines).collect();
        run(&all).map_err(TestCaseError::fail)?;
    }
}

// ---- targeted cases ---------------------------------------------------------------------------

fn lines_at(at: &str, inputs: &[&str]) -> Vec<String> {
    inputs
        .iter()
        .map(|i| format!(r#"{{"at":{},{}}}"#, json!(at), i))
        .collect()
}

fn max_minus(secs: i64) -> String {
    let t = DateTime::<Utc>::MAX_UTC - TimeDelta::seconds(secs);
    serde_json::to_value(t)
        .expect("times serialise")
        .as_str()
        .expect("a string")
        .to_string()
}

/// Offers, absences and ticks at the very end of representable time: deadlines would overflow.
#[test]
fn end_of_time() {
    let mut lines = world();
    let absence = format!(
        r#""type":"absence","operator":"o1","from":"2026-03-02T09:00:00Z","until":"{}""#,
        max_minus(0)
    );
    for secs in [43_199, 3_600, 59, 30, 1, 0] {
        lines.extend(lines_at(
            &max_minus(secs),
            &[
                &format!(r#""type":"message_in","conversation":"k{secs}","client":"c-{secs}","channel":"c1""#),
                &format!(r#""type":"message_in","conversation":"m{secs}","client":"d-{secs}","channel":"c2""#),
                &absence,
                r#""type":"presence","operator":"o2","status":"away""#,
                r#""type":"presence","operator":"o2","status":"online""#,
                r#""type":"clear_absences","operator":"o1""#,
                r#""type":"tick""#,
            ],
        ));
    }
    // Late inputs after the end of time, and accepting at the very end.
    lines.extend(lines_at(
        "2026-03-02T09:00:00Z",
        &[
            r#""type":"message_in","conversation":"late","client":"c-late","channel":"c1""#,
            r#""type":"accept","conversation":"m0","operator":"o1""#,
            r#""type":"take","conversation":"k0","operator":"o1""#,
            r#""type":"transfer","conversation":"k1","to_line":"l2""#,
            r#""type":"upsert_line","line":"l1","mode":"balanced","queue":["o1","o2"],"offer_timeout_secs":43200"#,
        ],
    ));
    run(&lines).unwrap();
    // The lines at the end of time were accepted, not rejected as bad dates.
    let mut engine = Engine::new();
    for (i, l) in lines.iter().enumerate() {
        feed(&mut engine, i + 1, l).unwrap();
    }
    assert_eq!(engine.now(), Some(DateTime::<Utc>::MAX_UTC));
    let k0 = engine
        .conversation("k0")
        .expect("opened at the end of time");
    assert_eq!(
        k0.deadline, None,
        "a deadline past the end of time does not exist"
    );
}

/// Working hours, auto-replies, SLA targets, a bot, ratings and auto-close near both ends of
/// representable time, where every timer they set would lie past the end.
#[test]
fn time_aware_lines_at_the_ends_of_time() {
    let line = r#""type":"upsert_line","line":"l3","mode":"strict","queue":["o1"],"offer_timeout_secs":60,
        "schedule":{"time_zone":"Australia/Lord_Howe","weekly":{"mon":[["09:00","18:00"]],"tue":[["00:00","24:00"]],
        "sat":[["22:00","24:00"]],"sun":[["00:00","02:00"]]},"holidays":["12-31"],"overrides":[{"date":"9999-12-31","hours":[]}]},
        "auto_replies":{"welcome":true,"off_hours":true,"no_operators":true,"unanswered_after_secs":60},
        "sla":{"first_response_secs":60,"next_response_secs":60,"business_hours_only":true},
        "bot":{"bot":"b","join":"always","handoff_after_secs":60,"on_leave":"queue"},
        "rating":{"request_on_close":true,"close_on_rating":true},"auto_close_after_secs":60"#
        .replace('\n', "");
    let max = DateTime::<Utc>::MAX_UTC;
    let min = DateTime::<Utc>::MIN_UTC;
    let ends: Vec<Vec<DateTime<Utc>>> = vec![
        [8 * 86_400, 86_400, 3_600, 61, 60, 59, 1, 0]
            .iter()
            .map(|&s| max - TimeDelta::seconds(s))
            .collect(),
        [0, 1, 59, 60, 3_600, 86_400]
            .iter()
            .map(|&s| min + TimeDelta::seconds(s))
            .collect(),
    ];
    for times in ends {
        let mut lines = Vec::new();
        for (i, t) in times.iter().enumerate() {
            let at = serde_json::to_value(t).expect("times serialise");
            let at = at.as_str().expect("a string");
            lines.extend(lines_at(
                at,
                &[
                    r#""type":"upsert_operator","operator":"o1""#,
                    &line,
                    r#""type":"connect_channel","channel":"c3","line":"l3""#,
                    r#""type":"presence","operator":"o1","status":"online""#,
                    r#""type":"workday_started","operator":"o1""#,
                    &format!(
                        r#""type":"message_in","conversation":"k{i}","client":"c{i}","channel":"c3""#
                    ),
                    &format!(r#""type":"bot_handoff","conversation":"k{i}""#),
                    &format!(r#""type":"message_out","conversation":"k{i}","operator":"o1""#),
                    &format!(
                        r#""type":"message_in","conversation":"k{i}","client":"c{i}","channel":"c3""#
                    ),
                    &format!(r#""type":"rating","conversation":"k{i}","score":5"#),
                    &format!(
                        r#""type":"message_out","conversation":"q{i}","operator":"o1","client":"c{i}","channel":"c3""#
                    ),
                    &format!(r#""type":"close","conversation":"q{i}""#),
                    r#""type":"tick""#,
                ],
            ));
        }
        run(&lines).unwrap();
    }
}

/// Engine bug: a schedule whose time zone lies east of UTC, set while the clock is within
/// hours of the end of representable time, panicked ("Local time out of range for
/// `NaiveDateTime`", in `apply_schedule`).
#[test]
fn schedule_east_of_utc_at_the_end_of_time() {
    run(&[r#"{"at":"+262142-12-31T21:00:00Z","type":"upsert_line","line":"l1","schedule":{"time_zone":"Europe/Moscow","weekly":{"mon":[["09:00","18:00"]]}}}"#.to_string()])
        .unwrap();
}

/// Engine bug: the same west of UTC at the start of representable time.
#[test]
fn schedule_west_of_utc_at_the_start_of_time() {
    run(&[r#"{"at":"-262143-01-01T00:00:00Z","type":"upsert_line","line":"l1","schedule":{"time_zone":"America/New_York","weekly":{"mon":[["00:00","18:00"]]}}}"#.to_string()])
        .unwrap();
}

/// Engine bug: within about two years of the end of representable time a schedule's next
/// change is no longer scheduled (`next_change` gives up when its search horizon would leave
/// the range), so the line's open flag goes stale and `verify_invariants` fails.
#[test]
fn schedule_changes_in_the_last_years_of_time() {
    run(&[
        r#"{"at":"+262141-06-01T00:00:00Z","type":"upsert_line","line":"l3","schedule":{"time_zone":"UTC","weekly":{"mon":[["09:00","18:00"]],"tue":[["09:00","18:00"]],"wed":[["09:00","18:00"]],"thu":[["09:00","18:00"]],"fri":[["09:00","18:00"]],"sat":[["09:00","18:00"]],"sun":[["09:00","18:00"]]}}}"#.to_string(),
        r#"{"at":"+262141-06-01T12:00:00Z","type":"tick"}"#.to_string(),
    ])
    .unwrap();
}

/// The beginning of representable time, then a jump to its end and back. (The line keeps its
/// last assignment: a renewing offer would fire once a minute across the whole jump.)
#[test]
fn start_of_time() {
    let min = serde_json::to_value(DateTime::<Utc>::MIN_UTC).expect("times serialise");
    let min = min.as_str().expect("a string");
    let mut lines = lines_at(
        min,
        &[
            r#""type":"upsert_operator","operator":"o1""#,
            r#""type":"upsert_line","line":"l1","queue":["o1"],"offer_timeout_secs":60,"on_exhausted":"keep_last""#,
            r#""type":"connect_channel","channel":"c1","line":"l1""#,
            r#""type":"presence","operator":"o1","status":"online""#,
            r#""type":"message_in","conversation":"k1","client":"c1","channel":"c1""#,
            r#""type":"absence","operator":"o1","from":"1970-01-01T00:00:00Z","until":"9999-12-31T23:59:59Z""#,
        ],
    );
    lines.extend(lines_at(
        &max_minus(0),
        &[r#""type":"message_in","conversation":"k2","client":"c2","channel":"c1""#],
    ));
    lines.extend(lines_at(min, &[r#""type":"tick""#]));
    run(&lines).unwrap();
    let mut engine = Engine::new();
    feed(&mut engine, 1, &lines[0]).unwrap();
    assert_eq!(engine.now(), Some(DateTime::<Utc>::MIN_UTC));
}

/// Error lines carry the engine's clock, `null` before the first input.
#[test]
fn error_lines_carry_the_clock() {
    let mut engine = Engine::new();
    let mut out = Vec::new();
    replay::process_line(&mut engine, 1, "not json", &mut out).unwrap();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["at"], Value::Null);
    assert_eq!(v["type"], "error");
    assert_eq!(v["line_no"], 1);
    let lines = world();
    for (i, l) in lines.iter().enumerate() {
        feed(&mut engine, i + 2, l).unwrap();
    }
    feed(
        &mut engine,
        100,
        r#"{"at":"2030-01-01T00:00:00Z","type":"presence","operator":"nobody","status":"online"}"#,
    )
    .unwrap();
    assert_eq!(
        engine.now(),
        Some("2026-03-02T09:00:00Z".parse().unwrap()),
        "a rejected input must not move the clock"
    );
}

/// Regression (found by fuzzing): deadlines fire one by one as of their own time, so a
/// conversation whose offer renews (`on_exhausted: cycle`, or mode `all`) expires and is
/// re-offered once per offer timeout across any gap. One tick stamped in year 9999 after a
/// 60-second offer meant about 4·10⁹ expiries in a single call. Now one call fires at most
/// `max_renewals_per_call` renewals (100 000 by default) and a tick stops there.
#[test]
fn far_future_timestamp_with_a_renewing_offer_returns_promptly() {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut engine = Engine::new();
        let mut lines = lines_at(
            "2026-03-02T09:00:00Z",
            &[
                r#""type":"upsert_operator","operator":"o1""#,
                r#""type":"upsert_line","line":"l1","queue":["o1"],"offer_timeout_secs":60"#,
                r#""type":"connect_channel","channel":"c1","line":"l1""#,
                r#""type":"presence","operator":"o1","status":"online""#,
                r#""type":"message_in","conversation":"k1","client":"c1","channel":"c1""#,
            ],
        );
        lines.extend(lines_at("9999-12-31T23:59:59Z", &[r#""type":"tick""#]));
        let mut out = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            replay::process_line(&mut engine, i + 1, l, &mut out).unwrap();
        }
        tx.send(engine.now()).ok();
    });
    let now = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("one tick stamped 9999-12-31 returned");
    // The first expiry (at 09:01) was set before the tick; then 100 000 renewals of the
    // 60-second offer fire, the last 100 000 minutes after it: the clock stands there.
    assert_eq!(now, Some(at("2026-05-10T19:41:00Z")));
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Unpinning a client who is not pinned — known or never seen — is accepted and changes
/// nothing: no decision, and no record made for a client the engine did not know (a stream of
/// junk `unpin_client` inputs cannot grow the engine).
#[test]
fn unpinning_a_client_who_is_not_pinned_changes_nothing() {
    let mut engine = Engine::new();
    for line in world() {
        feed(&mut engine, 0, &line).expect("the world is valid");
    }
    while engine.poll_decision().is_some() {}
    let before = serde_json::to_string(&engine.snapshot()).expect("snapshots serialise");
    let at = engine.now().expect("the world set the clock");
    for client in ["never-seen", "c-1"] {
        let line = json!({"at": at, "type": "unpin_client", "client": client}).to_string();
        feed(&mut engine, 1, &line).expect("unpinning is always accepted");
        assert_eq!(engine.poll_decision(), None);
    }
    let after = serde_json::to_string(&engine.snapshot()).expect("snapshots serialise");
    assert_eq!(after, before);
    assert!(!after.contains("never-seen"));
}
