//! Snapshots (invariant 10): snapshot → serialise → restore → continue gives exactly the
//! decisions of never stopping, whatever the order of the snapshot's keys; an unknown version or
//! a corrupt snapshot is an error, never a panic. The scenarios (`tests/common`) include rule
//! lists, statuses and completed sessions (DESIGN §6), so a split falls between a rule list
//! and the inputs it runs for, and while conversations are completed, waiting or unclocked.

mod common;
#[path = "snapshots/corrupt.rs"]
mod corrupt;

use std::cell::Cell;

use chrono::{DateTime, Utc};
use common::{Step, scenario};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use routeline::{Engine, Input, SNAPSHOT_VERSION, Snapshot, SnapshotError};
use serde_json::Value;

/// Feeds steps to an engine, returning every decision as a JSON line; between steps it fires
/// deadlines at `poll_timeout` while they fall before the next step.
fn run(engine: &mut Engine, steps: &[Step]) -> Vec<String> {
    let mut out = Vec::new();
    for step in steps {
        while let Some(t) = engine.poll_timeout().filter(|&t| t <= step.at) {
            engine.handle_timeout(t);
            drain(engine, &mut out);
        }
        let _ = engine.handle(step.at, step.input.clone());
        drain(engine, &mut out);
    }
    out
}

fn drain(engine: &mut Engine, out: &mut Vec<String>) {
    while let Some(d) = engine.poll_decision() {
        out.push(serde_json::to_string(&d).expect("decisions serialise"));
    }
}

/// How a snapshot travels between the engine that writes it and the one restored from it.
#[derive(Clone, Copy, Debug)]
enum Via {
    /// JSON text as written: `version` first.
    Text,
    /// JSON text with the keys swapped: `state` first.
    StateFirst,
    /// A `serde_json::Value`, which sorts keys, so `state` comes first.
    Value,
    /// Not serialised at all: `Engine::snapshot()` handed straight to `Engine::restore`.
    InProcess,
}

/// The snapshot's JSON text with its two keys swapped, the state's text untouched.
fn state_first(json: &str) -> String {
    let prefix = format!("{{\"version\":{SNAPSHOT_VERSION},\"state\":");
    let state = json
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix('}'))
        .unwrap_or_else(|| panic!("a snapshot is written version first: {json}"));
    format!("{{\"state\":{state},\"version\":{SNAPSHOT_VERSION}}}")
}

fn read_back(engine: &Engine, via: Via) -> Snapshot {
    if let Via::InProcess = via {
        return engine.snapshot();
    }
    let json = serde_json::to_string(&engine.snapshot()).expect("snapshots serialise");
    match via {
        Via::Text => serde_json::from_str(&json).expect("a snapshot reads back"),
        Via::StateFirst => {
            serde_json::from_str(&state_first(&json)).expect("a snapshot reads back, state first")
        }
        Via::Value => {
            let value = serde_json::to_value(engine.snapshot()).expect("snapshots serialise");
            let keys: Vec<_> = value.as_object().expect("an object").keys().collect();
            assert_eq!(keys, ["state", "version"], "a Value sorts the keys");
            serde_json::from_value(value).expect("a snapshot reads back through a Value")
        }
        Via::InProcess => unreachable!("returned above"),
    }
}

fn round_trip(engine: &Engine, via: Via) -> Engine {
    let restored =
        Engine::restore(read_back(engine, via)).expect("a snapshot of a sound engine restores");
    restored
        .verify_invariants()
        .expect("a restored engine is sound");
    restored
}

fn via() -> impl Strategy<Value = Via> {
    prop_oneof![
        Just(Via::Text),
        Just(Via::StateFirst),
        Just(Via::Value),
        Just(Via::InProcess)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(96)))]

    /// Invariant 10: split a run at any point through a snapshot, and the decisions are those
    /// of never stopping — whichever key of the snapshot comes first.
    #[test]
    fn snapshot_restore_continue_equals_never_stopping(
        steps in scenario(40),
        split in any::<prop::sample::Index>(),
        via in via(),
    ) {
        let at = split.index(steps.len() + 1);
        let mut whole = Engine::new();
        let expected = run(&mut whole, &steps);

        let mut first = Engine::new();
        let mut got = run(&mut first, &steps[..at]);
        let mut second = round_trip(&first, via);
        got.extend(run(&mut second, &steps[at..]));
        prop_assert_eq!(got, expected);
        // and the two engines end in the same state (the facts a snapshot records)
        let facts = |e: &Engine| serde_json::to_string(&e.snapshot()).expect("snapshots serialise");
        prop_assert_eq!(facts(&second), facts(&whole));
    }
}

/// Inputs with their times.
type Inputs = Vec<(DateTime<Utc>, Input)>;

/// The inputs of `tests/data/mixed.jsonl` that parse, with their times.
fn mixed_inputs() -> Inputs {
    include_str!("data/mixed.jsonl")
        .lines()
        .filter_map(|line| {
            let mut v: Value = serde_json::from_str(line).ok()?;
            let at = v["at"].as_str()?.parse().ok()?;
            v.as_object_mut()?.remove("at");
            Some((at, serde_json::from_value(v).ok()?))
        })
        .collect()
}

/// Feeds inputs to an engine, returning its decisions as JSON lines (errors are ignored: they
/// are the same for both engines compared).
fn feed(engine: &mut Engine, inputs: &[(DateTime<Utc>, Input)]) -> Vec<String> {
    let mut out = Vec::new();
    for (at, input) in inputs {
        let _ = engine.handle(*at, input.clone());
        drain(engine, &mut out);
    }
    out
}

/// The engine after the first half of `mixed.jsonl`, the second half, and the decisions of
/// feeding the second half to the engine that never stopped.
fn half_way() -> (Engine, Inputs, Vec<String>) {
    let inputs = mixed_inputs();
    let (first, rest) = inputs.split_at(inputs.len() / 2);
    let mut engine = Engine::new();
    feed(&mut engine, first);
    let mut whole = Engine::new();
    feed(&mut whole, first);
    let expected = feed(&mut whole, rest);
    assert!(!expected.is_empty(), "the second half decides something");
    (engine, rest.to_vec(), expected)
}

fn read_err(json: &str) -> String {
    match serde_json::from_str::<Snapshot>(json) {
        Ok(_) => panic!("read: {json}"),
        Err(e) => e.to_string(),
    }
}

fn value_err(json: &str) -> String {
    let value: Value = serde_json::from_str(json).expect("well-formed JSON");
    match serde_json::from_value::<Snapshot>(value) {
        Ok(_) => panic!("read: {json}"),
        Err(e) => e.to_string(),
    }
}

/// A snapshot kept in a store that reorders keys (`jq -S`, Postgres `jsonb`) comes back with
/// `state` before `version`: it must read, restore and continue exactly as the original.
#[test]
fn regression_snapshot_keys_in_any_order() {
    let (engine, rest, expected) = half_way();
    let json = serde_json::to_string(&engine.snapshot()).unwrap();
    let swapped = state_first(&json);
    assert!(swapped.starts_with("{\"state\":"), "{swapped}");
    let snapshot: Snapshot = serde_json::from_str(&swapped).expect("state first reads");
    let mut restored = Engine::restore(snapshot).expect("and restores");
    assert_eq!(
        serde_json::to_string(&restored.snapshot()).unwrap(),
        json,
        "the same facts"
    );
    assert_eq!(feed(&mut restored, &rest), expected);
    restored.verify_invariants().unwrap();
}

/// `serde_json::to_value` then `from_value` (which sorts the keys, `state` first) gives back an
/// engine that continues exactly as the original.
#[test]
fn regression_snapshot_through_json_value() {
    let (engine, rest, expected) = half_way();
    let value = serde_json::to_value(engine.snapshot()).unwrap();
    let snapshot: Snapshot = serde_json::from_value(value).expect("a Value reads back");
    let mut restored = Engine::restore(snapshot).expect("and restores");
    assert_eq!(
        serde_json::to_string(&restored.snapshot()).unwrap(),
        serde_json::to_string(&engine.snapshot()).unwrap(),
    );
    assert_eq!(feed(&mut restored, &rest), expected);
}

#[test]
fn an_unknown_version_is_a_clear_error() {
    let engine = Engine::new();
    let json = serde_json::to_string(&engine.snapshot()).unwrap();
    assert!(
        json.starts_with(&format!("{{\"version\":{SNAPSHOT_VERSION},")),
        "{json}"
    );
    let future = json.replacen(
        &format!("\"version\":{SNAPSHOT_VERSION}"),
        "\"version\":99",
        1,
    );
    let err = read_err(&future);
    assert!(err.contains("unsupported snapshot version 99"), "{err}");
    assert!(
        err.contains(&format!("this routeline reads version {SNAPSHOT_VERSION}")),
        "{err}"
    );
    // a version too large for any routeline is unsupported too, not out of range
    let err = read_err(r#"{"version":1099511627776,"state":{}}"#);
    assert!(
        err.contains("unsupported snapshot version 1099511627776"),
        "{err}"
    );
}

/// With `state` first, an unknown version is still reported as such when the state reads as this
/// version's, through text and through a `serde_json::Value` alike; a state that does not read
/// is reported by that failure, with a note that the version came after it.
#[test]
fn an_unknown_version_after_the_state_is_a_clear_error() {
    let (engine, _, _) = half_way();
    let json = serde_json::to_string(&engine.snapshot()).unwrap();
    let readable_future = state_first(&json).replacen(
        &format!("\"version\":{SNAPSHOT_VERSION}}}"),
        "\"version\":2}",
        1,
    );
    assert!(
        readable_future.ends_with(",\"version\":2}"),
        "{readable_future}"
    );
    let unreadable = [
        r#"{"state":{"ops":"a new layout","extra":[1,{"x":null}]},"version":2}"#,
        r#"{"state":[1,2,3],"version":2}"#,
        r#"{"state":{"nested":{"deeper":[{"a":1}]}},"annotations":{"by":"v2"},"version":2}"#,
    ];
    for err in [read_err(&readable_future), value_err(&readable_future)] {
        assert!(
            err.contains("unsupported snapshot version 2: this routeline reads version 1"),
            "{err}\n{readable_future}"
        );
    }
    for text in unreadable {
        for err in [read_err(text), value_err(text)] {
            assert!(
                err.contains("in a snapshot whose `state` comes before its `version`"),
                "{err}\n{text}"
            );
        }
    }
}

/// Missing, repeated and unknown keys, and a version that is not a number, are errors naming
/// the key, whichever the order.
#[test]
fn malformed_snapshot_keys_are_clear_errors() {
    let (engine, _, _) = half_way();
    let json = serde_json::to_string(&engine.snapshot()).unwrap();
    let state =
        serde_json::to_string(&serde_json::to_value(engine.snapshot()).unwrap()["state"]).unwrap();
    let v = SNAPSHOT_VERSION;
    let cases = [
        (
            format!(r#"{{"version":{v},"version":{v},"state":{state}}}"#),
            "duplicate field `version`",
        ),
        (
            format!(r#"{{"state":{state},"version":{v},"version":{v}}}"#),
            "duplicate field `version`",
        ),
        (
            format!(r#"{{"version":{v},"state":{state},"state":{state}}}"#),
            "duplicate field `state`",
        ),
        (
            format!(r#"{{"state":{state},"state":{state},"version":{v}}}"#),
            "duplicate field `state`",
        ),
        (format!(r#"{{"version":{v}}}"#), "missing field `state`"),
        (format!(r#"{{"state":{state}}}"#), "missing field `version`"),
        (r#"{"state":{}}"#.to_string(), "comes before its `version`"),
        ("{}".to_string(), "missing field `version`"),
        (
            format!(r#"{{"version":{v},"state":{state},"extra":1}}"#),
            "unknown field `extra`",
        ),
        (
            format!(r#"{{"extra":1,"state":{state},"version":{v}}}"#),
            "unknown field `extra`",
        ),
        (
            format!(r#"{{"version":"{v}","state":{state}}}"#),
            "snapshot format `version`",
        ),
        (
            format!(r#"{{"state":{state},"version":-1}}"#),
            "snapshot format `version`",
        ),
    ];
    for (text, expected) in &cases {
        let err = read_err(text);
        assert!(err.contains(expected), "{err}\n{text}");
    }
    // a Value cannot repeat a key, but the other cases read the same through one
    for (text, expected) in cases.iter().filter(|(_, e)| !e.starts_with("duplicate")) {
        let err = value_err(text);
        assert!(err.contains(expected), "{err}\n{text}");
    }
    // the unknown key is named with what is expected instead
    let err = read_err(&json.replacen("\"state\":", "\"extra\":0,\"state\":", 1));
    assert!(
        err.contains("unknown field `extra`, expected `version` or `state`"),
        "{err}"
    );
    // a state that does not read is reported as such, in either order
    for text in [
        format!(r#"{{"version":{v},"state":{{"ops":"nonsense"}}}}"#),
        format!(r#"{{"state":{{"ops":"nonsense"}},"version":{v}}}"#),
    ] {
        let err = read_err(&text);
        assert!(err.contains("invalid type"), "{err}\n{text}");
    }
}

#[test]
fn a_snapshot_naming_an_operator_twice_is_refused() {
    let text = include_str!("data/mixed.jsonl");
    let mut engine = Engine::new();
    let mut sink = Vec::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let at = v["at"].as_str().unwrap().parse().unwrap();
        let mut v = v;
        v.as_object_mut().unwrap().remove("at");
        if let Ok(input) = serde_json::from_value(v) {
            let _ = engine.handle(at, input);
        }
        while let Some(d) = engine.poll_decision() {
            sink.push(d);
        }
    }
    let json = serde_json::to_string(&engine.snapshot()).unwrap();
    let doubled = json.replacen(
        r#""op_ids":["anna","boris"]"#,
        r#""op_ids":["anna","anna"]"#,
        1,
    );
    assert_ne!(json, doubled);
    let err = read_err(&doubled);
    assert!(err.contains("listed twice"), "{err}");
    // the same, state first, where the state is held until the version is read
    let err = read_err(&state_first(&doubled));
    assert!(err.contains("listed twice"), "{err}");
    // an operator count that does not match the records is corrupt, not a panic
    let short = json.replacen(r#""op_ids":["anna","boris"]"#, r#""op_ids":["anna"]"#, 1);
    for text in [short.clone(), state_first(&short)] {
        let snapshot: Snapshot = serde_json::from_str(&text).unwrap();
        assert!(matches!(
            Engine::restore(snapshot),
            Err(SnapshotError::Corrupt(_))
        ));
    }
}

/// Sets every number under a key named by `pick` (and every element of such an array) to `to`.
fn set_counters(v: &mut Value, pick: &dyn Fn(&str) -> bool, to: u64) {
    match v {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if pick(key) {
                    match child {
                        Value::Number(_) => *child = Value::from(to),
                        Value::Array(items) => {
                            for item in items.iter_mut().filter(|i| i.is_number()) {
                                *item = Value::from(to);
                            }
                        }
                        _ => set_counters(child, pick, to),
                    }
                } else {
                    set_counters(child, pick, to);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| set_counters(i, pick, to)),
        _ => {}
    }
}

/// A restored engine whose counters stand at their limits goes on without overflowing (each
/// saturates, or wraps where it is only compared for equality), and sequences beyond what any
/// engine reaches are refused — found by restoring tampered snapshots and continuing.
#[test]
fn regression_restored_counters_at_their_limits_do_not_overflow() {
    let (engine, rest, _) = half_way();
    let mut v = serde_json::to_value(engine.snapshot()).unwrap();
    set_counters(
        &mut v,
        &|k: &str| {
            k == "contacts" || k == "past_inputs" || k.ends_with("_met") || k.ends_with("_missed")
        },
        u64::MAX,
    );
    set_counters(&mut v, &|k: &str| k == "epoch", u64::from(u32::MAX));
    let mut restored = Engine::restore(serde_json::from_value(v.clone()).unwrap())
        .expect("counters at their limits are sound");
    let clock = restored.now().expect("half way, the clock is set");
    feed(&mut restored, &rest);
    // a late input bumps the count of inputs stamped in the past
    restored
        .handle(clock, Input::Tick)
        .expect("a late tick is fine");
    assert_eq!(restored.past_inputs(), u64::MAX);

    for (path, what) in [
        (&["state", "seq"][..], "event sequence"),
        (&["state", "timers", "seq"][..], "deadline sequence"),
    ] {
        let mut tampered = v.clone();
        let mut at = &mut tampered;
        for key in path {
            at = &mut at[*key];
        }
        assert!(at.is_number(), "{path:?} is a number in a snapshot");
        *at = Value::from(u64::MAX);
        let err = Engine::restore(serde_json::from_value(tampered).unwrap())
            .expect_err("a sequence at its limit is refused");
        assert!(err.to_string().contains(what), "{err}");
    }
}

/// `Engine::restore(engine.snapshot())` in one process, with no serialising in between,
/// continues exactly as never stopping. The snapshot then still carried the derived indices,
/// which restoring added to instead of rebuilding, and the audit refused it ("line references
/// out of step") — found while timing a restore.
#[test]
fn regression_restore_without_serialising() {
    let (engine, rest, expected) = half_way();
    let mut restored = Engine::restore(engine.snapshot()).expect("an in-process snapshot restores");
    assert_eq!(feed(&mut restored, &rest), expected);
    let mut again = Engine::restore(restored.snapshot()).expect("and again");
    assert!(again.verify_invariants().is_ok());
    assert_eq!(
        serde_json::to_string(&again.snapshot()).unwrap(),
        serde_json::to_string(&restored.snapshot()).unwrap()
    );
    again.handle(again.now().unwrap(), Input::Tick).unwrap();
}

/// A snapshot whose conversation names a responsible operator who does not exist is corrupt.
/// Restore did not check the responsible of a conversation nobody held (the audit looked only
/// at held ones), so a tampered slot was accepted and the next query naming it panicked —
/// found by a review.
#[test]
fn regression_a_responsible_who_does_not_exist_is_refused() {
    let mut engine = Engine::new();
    let at =
        |m: u32| -> DateTime<Utc> { format!("2026-03-02T09:{m:02}:00Z").parse().expect("a time") };
    for (m, line) in [
        (0, r#"{"type":"upsert_operator","operator":"anna"}"#),
        (
            0,
            r#"{"type":"upsert_line","line":"chats","queue":["anna"]}"#,
        ),
        (
            0,
            r#"{"type":"connect_channel","channel":"wa","line":"chats"}"#,
        ),
        (
            0,
            r#"{"type":"presence","operator":"anna","status":"online"}"#,
        ),
        (
            1,
            r#"{"type":"message_in","conversation":"k1","client":"c1","channel":"wa"}"#,
        ),
        (
            2,
            r#"{"type":"accept","conversation":"k1","operator":"anna"}"#,
        ),
        (3, r#"{"type":"complete","conversation":"k1"}"#),
    ] {
        let input: Input = serde_json::from_str(line).expect("an input");
        engine.handle(at(m), input).expect("accepted");
    }
    let v = serde_json::to_value(engine.snapshot()).unwrap();
    assert_eq!(
        v["state"]["convs"][0]["responsible"], 0,
        "k1's responsible is anna"
    );
    // An operator slot far out of range, and the next one, which no operator has.
    for tampered in [999, 1] {
        let mut v = v.clone();
        v["state"]["convs"][0]["responsible"] = tampered.into();
        let snapshot: Snapshot = serde_json::from_value(v).unwrap();
        let Err(err) = Engine::restore(snapshot) else {
            panic!("a responsible who does not exist was restored");
        };
        assert!(matches!(err, SnapshotError::Corrupt(_)), "{err}");
    }
    let snapshot: Snapshot = serde_json::from_value(v).unwrap();
    let restored = Engine::restore(snapshot).expect("the untampered snapshot restores");
    assert!(restored.conversation("k1").is_some());
}
