//! The brute-force audit on a large, varied engine: it accepts a sound one (live and restored
//! from a snapshot) and still refuses a snapshot corrupted in ways only the audit can see.
//!
//! Large enough that every index is long (hundreds of operators, thousands of conversations,
//! restricted channels, `all`-mode offers to many operators, waiting queues, pins, removed
//! operators), small enough to run in a few seconds in a debug build.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use routeline::{
    ChannelConfig, Engine, Input, LineConfig, Mode, OperatorConfig, Presence, Snapshot,
};
use serde_json::{Value, json};

const OPERATORS: usize = 400;
const SUPPORT: usize = 2_400;
const SALES: usize = 150;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("a valid fixed date")
}

fn handle(engine: &mut Engine, at: DateTime<Utc>, input: Input) {
    engine.handle(at, input).expect("a valid input");
    while engine.poll_decision().is_some() {}
}

fn op(i: usize) -> String {
    format!("op{i}")
}

/// A `balanced` line with a direct member, a group and two restricted channels; an `all` line
/// offering to a smaller group; more conversations than the operators have room for.
fn big_engine() -> Engine {
    let now = start();
    let mut engine = Engine::new();
    let support = LineConfig::new("support")
        .mode(Mode::Balanced)
        .member(op(7).as_str())
        .group("agents")
        .max_open_per_operator(4);
    let sales = LineConfig::new("sales")
        .mode(Mode::All)
        .group("seniors")
        .offer_timeout_secs(60)
        .max_open_per_operator(3);
    handle(&mut engine, now, Input::from(support));
    handle(&mut engine, now, Input::from(sales));
    for i in 0..OPERATORS {
        let mut config = OperatorConfig::new(op(i).as_str()).group("agents");
        if i < OPERATORS / 2 {
            config = config.group("seniors");
        }
        handle(&mut engine, now, Input::UpsertOperator(config));
        handle(
            &mut engine,
            now,
            Input::Presence {
                operator: op(i).as_str().into(),
                status: Presence::Online,
            },
        );
    }
    let channels = [
        ChannelConfig::new("whatsapp", "support"),
        ChannelConfig::new("telegram", "support").operators((0..100).map(op)),
        ChannelConfig::new("web", "support").operators((100..150).map(op)),
        ChannelConfig::new("email", "support"),
        ChannelConfig::new("shop", "sales"),
        ChannelConfig::new("vip", "sales").operators((0..10).map(op)),
    ];
    for channel in channels {
        handle(&mut engine, now, Input::ConnectChannel(channel));
    }
    for i in 0..20 {
        handle(
            &mut engine,
            now,
            Input::PinClient {
                client: format!("c{i}").into(),
                operator: op(i * 3).as_str().into(),
            },
        );
    }
    // `all` offers first, while the seniors have room for them.
    for i in 0..SALES {
        handle(
            &mut engine,
            now,
            Input::MessageIn {
                conversation: format!("s{i}").into(),
                client: format!("b{i}").into(),
                channel: if i % 5 == 0 { "vip" } else { "shop" }.into(),
                request: None,
            },
        );
    }
    let support_channels = ["whatsapp", "telegram", "web", "email"];
    for i in 0..SUPPORT {
        let at = now + TimeDelta::milliseconds(1 + i as i64);
        handle(
            &mut engine,
            at,
            Input::MessageIn {
                conversation: format!("k{i}").into(),
                client: format!("c{i}").into(),
                channel: support_channels[i % 4].into(),
                request: None,
            },
        );
    }
    let later = now + TimeDelta::seconds(5);
    // Some offers accepted, some conversations closed, some operators gone or away.
    for i in (0..SALES).step_by(7) {
        let _ = engine.handle(
            later,
            Input::Accept {
                conversation: format!("s{i}").into(),
                operator: op(i % 10).as_str().into(),
            },
        );
        while engine.poll_decision().is_some() {}
    }
    for i in (0..SUPPORT).step_by(10) {
        handle(
            &mut engine,
            later,
            Input::Close {
                conversation: format!("k{i}").into(),
            },
        );
    }
    for i in [399, 398, 150, 7] {
        handle(
            &mut engine,
            later,
            Input::RemoveOperator {
                operator: op(i).as_str().into(),
            },
        );
    }
    for i in 300..310 {
        handle(
            &mut engine,
            later,
            Input::Presence {
                operator: op(i).as_str().into(),
                status: Presence::Offline,
            },
        );
    }
    engine
}

fn snapshot_json(engine: &Engine) -> Value {
    serde_json::to_value(engine.snapshot()).expect("a snapshot serialises")
}

fn restore(json: Value) -> Result<Engine, String> {
    let snapshot: Snapshot = serde_json::from_value(json).map_err(|e| e.to_string())?;
    Engine::restore(snapshot).map_err(|e| e.to_string())
}

#[test]
fn a_large_sound_engine_passes_the_audit_live_and_restored() {
    let engine = big_engine();
    let support = engine.line_counters("support").expect("the line exists");
    let sales = engine.line_counters("sales").expect("the line exists");
    assert!(support.waiting > 0 && support.assigned > 0, "{support:?}");
    assert!(sales.offered > 0, "{sales:?}");
    engine
        .verify_invariants()
        .expect("the live engine is sound");

    let json = snapshot_json(&engine);
    let restored = restore(json.clone()).expect("its snapshot restores");
    restored
        .verify_invariants()
        .expect("the restored engine is sound");
    assert_eq!(snapshot_json(&restored), json, "restoring changes nothing");
}

#[test]
fn the_audit_still_refuses_a_large_corrupt_snapshot() {
    let engine = big_engine();
    let json = snapshot_json(&engine);

    // The clock moved past pending offer deadlines that never fired.
    let mut late = json.clone();
    late["state"]["clock"] = json!("2026-03-02T10:00:00Z");
    let err = restore(late).map(|_| ()).expect_err("a missed deadline");
    assert!(err.contains("did not fire"), "{err}");

    // An assigned conversation put back in its line's queue, though its operator now has room.
    let mut queued = json.clone();
    let state = &mut queued["state"];
    let seq = state["seq"].as_u64().expect("a sequence") + 1;
    state["seq"] = json!(seq);
    let convs = state["convs"].as_array_mut().expect("conversations");
    let conv = convs
        .iter_mut()
        .find(|c| !c["state"]["assigned"].is_null() && c["channel"] == json!(0))
        .expect("an assigned conversation on an unrestricted channel");
    conv["state"] = json!({
        "waiting": {
            "since": "2026-03-02T09:00:05Z",
            "seq": seq,
            "bucket": { "Pool": { "Line": conv["line"] } },
        }
    });
    let err = restore(queued)
        .map(|_| ())
        .expect_err("a placeable conversation waits");
    assert!(err.contains("could be placed"), "{err}");
}
