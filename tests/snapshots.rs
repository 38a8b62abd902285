//! Snapshots (invariant 10): snapshot → serialise → restore → continue gives exactly the
//! decisions of never stopping; an unknown version or a corrupt snapshot is an error, never a
//! panic.

mod common;

use common::{Step, scenario};
use proptest::prelude::*;
use routeline::{Engine, SNAPSHOT_VERSION, Snapshot, SnapshotError};

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

fn round_trip(engine: &Engine) -> Engine {
    let json = serde_json::to_string(&engine.snapshot()).expect("snapshots serialise");
    let snapshot: Snapshot = serde_json::from_str(&json).expect("a snapshot reads back");
    let restored = Engine::restore(snapshot).expect("a snapshot of a sound engine restores");
    restored
        .verify_invariants()
        .expect("a restored engine is sound");
    restored
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(96)))]

    /// Invariant 10: split a run at any point through a snapshot, and the decisions are those
    /// of never stopping.
    #[test]
    fn snapshot_restore_continue_equals_never_stopping(
        steps in scenario(40),
        split in any::<prop::sample::Index>(),
    ) {
        let at = split.index(steps.len() + 1);
        let mut whole = Engine::new();
        let expected = run(&mut whole, &steps);

        let mut first = Engine::new();
        let mut got = run(&mut first, &steps[..at]);
        let mut second = round_trip(&first);
        got.extend(run(&mut second, &steps[at..]));
        prop_assert_eq!(got, expected);
        // and the two engines end in the same state (the facts a snapshot records)
        let facts = |e: &Engine| serde_json::to_string(&e.snapshot()).expect("snapshots serialise");
        prop_assert_eq!(facts(&second), facts(&whole));
    }

    /// Whatever bytes a snapshot turns into, reading and restoring never panics; what is
    /// accepted is sound.
    #[test]
    fn corrupt_snapshots_are_errors_not_panics(
        steps in scenario(25),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut engine = Engine::new();
        run(&mut engine, &steps);
        let mut bytes = serde_json::to_vec(&engine.snapshot()).expect("snapshots serialise");
        for (i, b) in edits {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        if let Ok(snapshot) = serde_json::from_slice::<Snapshot>(&bytes) {
            if let Ok(restored) = Engine::restore(snapshot) {
                prop_assert!(restored.verify_invariants().is_ok());
            }
        }
    }

    /// Numbers changed inside an otherwise well-formed snapshot (indices out of range,
    /// sequences from the future) are refused or restored soundly — never a panic.
    #[test]
    fn tampered_numbers_are_refused_or_sound(
        steps in scenario(25),
        which in any::<prop::sample::Index>(),
        value in prop_oneof![Just(0u64), Just(1), Just(2), Just(7), Just(u32::MAX as u64), any::<u64>()],
    ) {
        let mut engine = Engine::new();
        run(&mut engine, &steps);
        let mut v = serde_json::to_value(engine.snapshot()).expect("snapshots serialise");
        let mut numbers = Vec::new();
        collect_numbers(&mut v, &mut numbers);
        if !numbers.is_empty() {
            let target = which.index(numbers.len());
            let mut k = 0;
            set_number(&mut v, target, value, &mut k);
        }
        let snapshot: Result<Snapshot, _> = serde_json::from_value(v);
        if let Ok(snapshot) = snapshot {
            if let Ok(restored) = Engine::restore(snapshot) {
                prop_assert!(restored.verify_invariants().is_ok());
            }
        }
    }
}

fn collect_numbers(v: &mut serde_json::Value, out: &mut Vec<()>) {
    match v {
        serde_json::Value::Number(_) => out.push(()),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| collect_numbers(x, out)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| collect_numbers(x, out)),
        _ => {}
    }
}

fn set_number(v: &mut serde_json::Value, target: usize, value: u64, k: &mut usize) {
    match v {
        serde_json::Value::Number(_) => {
            if *k == target {
                *v = value.into();
            }
            *k += 1;
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| set_number(x, target, value, k)),
        serde_json::Value::Object(o) => {
            o.values_mut().for_each(|x| set_number(x, target, value, k))
        }
        _ => {}
    }
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
    let err = serde_json::from_str::<Snapshot>(&future)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unsupported snapshot version 99"), "{err}");
    let missing = r#"{"state":{}}"#;
    let err = serde_json::from_str::<Snapshot>(missing)
        .unwrap_err()
        .to_string();
    assert!(err.contains("must start with its `version`"), "{err}");
}

#[test]
fn a_snapshot_naming_an_operator_twice_is_refused() {
    let text = include_str!("data/mixed.jsonl");
    let mut engine = Engine::new();
    let mut sink = Vec::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
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
    let err = serde_json::from_str::<Snapshot>(&doubled)
        .unwrap_err()
        .to_string();
    assert!(err.contains("listed twice"), "{err}");
    // an operator count that does not match the records is corrupt, not a panic
    let short = json.replacen(r#""op_ids":["anna","boris"]"#, r#""op_ids":["anna"]"#, 1);
    let snapshot: Snapshot = serde_json::from_str(&short).unwrap();
    assert!(matches!(
        Engine::restore(snapshot),
        Err(SnapshotError::Corrupt(_))
    ));
}
