//! 5. Keyed hashing of ids.

use super::*;

fn run(mut engine: Engine) -> (Vec<Decision>, Engine) {
    let mut s = Sim::new();
    std::mem::swap(&mut s.e, &mut engine);
    let mut out = Vec::new();
    for o in ["anna", "boris"] {
        s.at("03-02 09:00", scenario_support::op(o));
        s.at("03-02 09:00", scenario_support::online(o));
    }
    s.at("03-02 09:00", line(sales(&["anna", "boris"])));
    s.at("03-02 09:00", scenario_support::chan("wa", "sales"));
    for k in 0..40 {
        s.at("03-02 09:01", inc(&format!("conversation-{k}")));
        if k % 3 == 0 {
            s.at("03-02 09:02", close(&format!("conversation-{k}")));
        }
    }
    out.extend(s.all.iter().cloned());
    (out, s.e)
}

#[test]
fn the_seed_changes_no_decision_and_a_snapshot_keeps_it() {
    let (plain, _) = run(Engine::new());
    let (seeded, engine) = run(Engine::with_seed(0x5eed_1234_abcd_0001));
    assert_eq!(plain, seeded);
    assert_eq!(engine.seed(), 0x5eed_1234_abcd_0001);
    let restored = Engine::restore(engine.snapshot()).unwrap();
    assert_eq!(restored.seed(), 0x5eed_1234_abcd_0001);
    let json = serde_json::to_string(&engine.snapshot()).unwrap();
    let read = Engine::restore(serde_json::from_str(&json).unwrap()).unwrap();
    assert_eq!(read.seed(), 0x5eed_1234_abcd_0001);
    assert!(read.conversation("conversation-1").is_some());
    assert_ne!(Engine::new().seed(), 0x5eed_1234_abcd_0001);
}

/// Found by the tick-cadence property: pinning a client whose closed conversation's line was
/// removed looked the removed line up (a panic).
#[test]
fn regression_pinning_a_client_with_a_conversation_on_a_removed_line() {
    let mut s = world("03-02 09:00", sales(&["anna"]), &["anna"]);
    s.at("03-02 09:00", inc_from("k1", "ivan", "wa"));
    s.at(
        "03-02 09:00",
        Input::DisconnectChannel {
            channel: "wa".into(),
        },
    );
    assert_eq!(
        s.at(
            "03-02 09:00",
            Input::RemoveLine {
                line: "sales".into()
            }
        ),
        ["03-02 09:00 closed k1 line_removed"]
    );
    assert_eq!(s.at("03-02 09:01", pin("ivan", "anna")), NOTHING);
}
