//! Corrupt and tampered snapshots: an error, never a panic, and never an unsound engine.

use super::*;

/// Restores a possibly corrupt snapshot, if it was read; what is accepted must be sound. Says
/// whether the snapshot got as far as `Engine::restore`.
pub(super) fn restore_if_read(
    read: Result<Snapshot, serde_json::Error>,
) -> Result<bool, TestCaseError> {
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
pub(super) struct Edit {
    /// Which node of the state tree, in pre-order.
    node: prop::sample::Index,
    /// What to do to it (the choice depends on the node's kind).
    op: u8,
    /// Which element, key, character or other string it concerns.
    pick: prop::sample::Index,
}

pub(super) fn edit() -> impl Strategy<Value = Edit> {
    (
        any::<prop::sample::Index>(),
        any::<u8>(),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(node, op, pick)| Edit { node, op, pick })
}

/// How a corrupted snapshot is delivered to the reader.
#[derive(Clone, Debug)]
pub(super) enum Delivery {
    /// As a `serde_json::Value` (`state` first).
    Value,
    /// As JSON text, `version` first, after these raw byte edits.
    Text(Vec<(prop::sample::Index, u8)>),
    /// As JSON text, `version` first, with these digits in it changed to other digits and
    /// letters to other letters: still JSON, mostly.
    Tokens(Vec<(prop::sample::Index, u8)>),
}

pub(super) fn delivery() -> impl Strategy<Value = Delivery> {
    let edits = || prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4);
    prop_oneof![
        3 => Just(Delivery::Value),
        3 => Just(Delivery::Text(Vec::new())),
        2 => edits().prop_map(Delivery::Tokens),
        2 => edits().prop_map(Delivery::Text),
    ]
}

pub(super) fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count_nodes).sum(),
        Value::Object(o) => o.values().map(count_nodes).sum(),
        _ => 0,
    }
}

pub(super) fn nth_node(v: &mut Value, n: usize) -> Option<&mut Value> {
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

pub(super) fn collect_strings(v: &Value, out: &mut Vec<String>) {
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
pub(super) fn apply(state: &mut Value, edit: &Edit, strings: &[String]) {
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
pub(super) fn corrupt_read_restore(
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
pub(super) fn corrupt_snapshots_are_errors_not_panics() {
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
pub(super) fn tampered_numbers_are_refused_or_sound() {
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

pub(super) fn collect_numbers(v: &mut Value, out: &mut Vec<()>) {
    match v {
        Value::Number(_) => out.push(()),
        Value::Array(a) => a.iter_mut().for_each(|x| collect_numbers(x, out)),
        Value::Object(o) => o.values_mut().for_each(|x| collect_numbers(x, out)),
        _ => {}
    }
}

pub(super) fn set_number(v: &mut Value, target: usize, value: u64, k: &mut usize) {
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
