//! Snapshots (invariant 10): snapshot → serialise → restore → continue gives exactly the
//! decisions of never stopping, whatever the order of the snapshot's keys; an unknown version or
//! a corrupt snapshot is an error, never a panic.

mod common;

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

/// Restores a possibly corrupt snapshot, if it was read; what is accepted must be sound. Says
/// whether the snapshot got as far as `Engine::restore`.
fn restore_if_read(read: Result<Snapshot, serde_json::Error>) -> Result<bool, TestCaseError> {
    let Ok(snapshot) = read else {
        return Ok(false);
    };
    if let Ok(restored) = Engine::restore(snapshot) {
        prop_assert!(restored.verify_invariants().is_ok());
    }
    Ok(true)
}

/// Below this many cases (`PROPTEST_CASES`), chance alone could starve `Engine::restore`, so
/// the share that reaches it is not checked.
const ENOUGH_CASES: usize = 32;

/// One change to a snapshot's state tree that keeps it well-formed JSON.
#[derive(Clone, Debug)]
struct Edit {
    /// Which node of the state tree, in pre-order.
    node: prop::sample::Index,
    /// What to do to it (the choice depends on the node's kind).
    op: u8,
    /// Which element, key, character or other string it concerns.
    pick: prop::sample::Index,
}

fn edit() -> impl Strategy<Value = Edit> {
    (
        any::<prop::sample::Index>(),
        any::<u8>(),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(node, op, pick)| Edit { node, op, pick })
}

/// How a corrupted snapshot is delivered to the reader.
#[derive(Clone, Debug)]
enum Delivery {
    /// As a `serde_json::Value` (`state` first).
    Value,
    /// As JSON text, `version` first, after these raw byte edits.
    Text(Vec<(prop::sample::Index, u8)>),
    /// As JSON text, `version` first, with these digits in it changed to other digits and
    /// letters to other letters: still JSON, mostly.
    Tokens(Vec<(prop::sample::Index, u8)>),
}

fn delivery() -> impl Strategy<Value = Delivery> {
    let edits = || prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4);
    prop_oneof![
        3 => Just(Delivery::Value),
        3 => Just(Delivery::Text(Vec::new())),
        2 => edits().prop_map(Delivery::Tokens),
        2 => edits().prop_map(Delivery::Text),
    ]
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count_nodes).sum(),
        Value::Object(o) => o.values().map(count_nodes).sum(),
        _ => 0,
    }
}

fn nth_node(v: &mut Value, n: usize) -> Option<&mut Value> {
    if n == 0 {
        return Some(v);
    }
    let mut n = n - 1;
    let children: Vec<&mut Value> = match v {
        Value::Array(a) => a.iter_mut().collect(),
        Value::Object(o) => o.values_mut().collect(),
        _ => return None,
    };
    for child in children {
        let size = count_nodes(child);
        if n < size {
            return nth_node(child, n);
        }
        n -= size;
    }
    None
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// Applies one edit to the state tree: numbers nudged, strings swapped for others of the
/// snapshot or misspelt, booleans flipped, nulls filled, array elements swapped, duplicated or
/// deleted, object keys deleted.
fn apply(state: &mut Value, edit: &Edit, strings: &[String]) {
    let n = edit.node.index(count_nodes(state));
    let Some(node) = nth_node(state, n) else {
        return;
    };
    let op = edit.op;
    match node {
        Value::Number(x) => {
            let x = x.as_u64().unwrap_or(0);
            *node = match op % 6 {
                0 => x.wrapping_add(1),
                1 => x.saturating_sub(1),
                2 => 0,
                3 => x.wrapping_mul(2),
                4 => u64::from(u32::MAX),
                _ => x ^ 1 << (op % 33),
            }
            .into();
        }
        Value::String(s) => match op % 3 {
            0 if !strings.is_empty() => *s = strings[edit.pick.index(strings.len())].clone(),
            1 if !s.is_empty() => {
                let mut chars: Vec<char> = s.chars().collect();
                let i = edit.pick.index(chars.len());
                chars[i] = if chars[i] == 'x' { 'y' } else { 'x' };
                *s = chars.into_iter().collect();
            }
            _ => s.clear(),
        },
        Value::Bool(b) => *b = !*b,
        Value::Null => {
            *node = match op % 3 {
                0 => 0.into(),
                1 => Value::Array(Vec::new()),
                _ => "o1".into(),
            }
        }
        Value::Array(a) if a.is_empty() => a.push(0.into()),
        Value::Array(a) => {
            let (len, i) = (a.len(), edit.pick.index(a.len()));
            match op % 4 {
                0 => a.swap(i, (i + 1) % len),
                1 => {
                    let copy = a[i].clone();
                    a.insert(i, copy);
                }
                2 => {
                    a.remove(i);
                }
                _ => a.reverse(),
            }
        }
        Value::Object(o) if o.is_empty() => {}
        Value::Object(o) => {
            let key = o.keys().nth(edit.pick.index(o.len())).cloned();
            if let Some(key) = key {
                if op % 2 == 0 {
                    o.remove(&key);
                } else {
                    o.insert(key, Value::Null);
                }
            }
        }
    }
}

/// Corrupts a snapshot (mostly in ways that keep it well-formed JSON), reads it and restores it:
/// returns whether it got as far as `Engine::restore`.
fn corrupt_read_restore(
    steps: &[Step],
    edits: &[Edit],
    delivery: &Delivery,
) -> Result<bool, TestCaseError> {
    let mut engine = Engine::new();
    run(&mut engine, steps);
    let mut v = serde_json::to_value(engine.snapshot()).expect("snapshots serialise");
    let mut strings = Vec::new();
    collect_strings(&v["state"], &mut strings);
    for edit in edits {
        apply(&mut v["state"], edit, &strings);
    }
    let read = match delivery {
        Delivery::Value => serde_json::from_value::<Snapshot>(v),
        Delivery::Text(bytes) | Delivery::Tokens(bytes) => {
            let json = format!(
                "{{\"version\":{SNAPSHOT_VERSION},\"state\":{}}}",
                v["state"]
            );
            let mut json = json.into_bytes();
            for (i, b) in bytes {
                let i = i.index(json.len());
                match delivery {
                    Delivery::Tokens(_) if json[i].is_ascii_digit() => {
                        json[i] = b'0' + b % 10;
                    }
                    Delivery::Tokens(_) if json[i].is_ascii_lowercase() => {
                        json[i] = b'a' + b % 26;
                    }
                    Delivery::Tokens(_) => {}
                    _ => json[i] = *b,
                }
            }
            serde_json::from_slice::<Snapshot>(&json)
        }
    };
    restore_if_read(read)
}

/// Whatever a snapshot turns into — changed numbers, strings, array elements or keys, or raw
/// bytes — reading and restoring never panics, and what is accepted is sound. Most of the
/// corruptions keep the snapshot readable (about half reach `Engine::restore`), and at least a
/// quarter of the cases must reach it, so that the property cannot hold vacuously.
#[test]
fn corrupt_snapshots_are_errors_not_panics() {
    let cases = common::cases(96);
    let mut runner = TestRunner::new(common::config(96));
    let (ran, restored) = (Cell::new(0usize), Cell::new(0usize));
    let strategy = (
        scenario(25),
        prop::collection::vec(edit(), 1..4),
        delivery(),
    );
    let result = runner.run(&strategy, |(steps, edits, delivery)| {
        let reached = corrupt_read_restore(&steps, &edits, &delivery)?;
        ran.set(ran.get() + 1);
        restored.set(restored.get() + usize::from(reached));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (ran, restored) = (ran.get(), restored.get());
    assert!(ran >= cases as usize, "{ran} cases ran");
    assert!(
        ran < ENOUGH_CASES || restored * 4 >= ran,
        "only {restored} of {ran} corrupt snapshots reached Engine::restore"
    );
}

/// Numbers changed inside an otherwise well-formed snapshot (indices out of range, sequences
/// from the future), read back through a `serde_json::Value`, are refused or restored soundly —
/// never a panic. Before tampering, the value must read back and restore, so that the tampered
/// ones are known to reach `Engine::restore` whenever their numbers still fit.
#[test]
fn tampered_numbers_are_refused_or_sound() {
    let cases = common::cases(96);
    let mut runner = TestRunner::new(common::config(96));
    let (ran, restored) = (Cell::new(0usize), Cell::new(0usize));
    let strategy = (
        scenario(25),
        any::<prop::sample::Index>(),
        prop_oneof![
            Just(0u64),
            Just(1),
            Just(2),
            Just(7),
            Just(u32::MAX as u64),
            any::<u64>()
        ],
    );
    let result = runner.run(&strategy, |(steps, which, value)| {
        let mut engine = Engine::new();
        run(&mut engine, &steps);
        let mut v = serde_json::to_value(engine.snapshot()).expect("snapshots serialise");
        let untampered = serde_json::from_value::<Snapshot>(v.clone());
        prop_assert!(untampered.is_ok(), "{:?}", untampered.err());
        let untampered = Engine::restore(untampered.expect("checked"));
        prop_assert!(untampered.is_ok(), "{:?}", untampered.err());
        let mut numbers = Vec::new();
        collect_numbers(&mut v, &mut numbers);
        if !numbers.is_empty() {
            let target = which.index(numbers.len());
            let mut k = 0;
            set_number(&mut v, target, value, &mut k);
        }
        let reached = restore_if_read(serde_json::from_value(v))?;
        ran.set(ran.get() + 1);
        restored.set(restored.get() + usize::from(reached));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (ran, restored) = (ran.get(), restored.get());
    assert!(ran >= cases as usize, "{ran} cases ran");
    assert!(
        ran < ENOUGH_CASES || restored * 4 >= ran,
        "only {restored} of {ran} tampered snapshots reached Engine::restore"
    );
}

fn collect_numbers(v: &mut Value, out: &mut Vec<()>) {
    match v {
        Value::Number(_) => out.push(()),
        Value::Array(a) => a.iter_mut().for_each(|x| collect_numbers(x, out)),
        Value::Object(o) => o.values_mut().for_each(|x| collect_numbers(x, out)),
        _ => {}
    }
}

fn set_number(v: &mut Value, target: usize, value: u64, k: &mut usize) {
    match v {
        Value::Number(_) => {
            if *k == target {
                *v = value.into();
            }
            *k += 1;
        }
        Value::Array(a) => a.iter_mut().for_each(|x| set_number(x, target, value, k)),
        Value::Object(o) => o.values_mut().for_each(|x| set_number(x, target, value, k)),
        _ => {}
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
