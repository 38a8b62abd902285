//! The wire format through the replay parser.

use super::*;

#[test]
fn unknown_mode_policy_or_field_is_rejected_by_the_parser() {
    // DESIGN: "Unknown fields are rejected — a typo must not silently remove a cap."
    let at = r#""at":"2026-03-02T09:00:00Z""#;
    let bad = [
        format!(r#"{{{at},"type":"upsert_line","line":"sales","mode":"random"}}"#),
        format!(r#"{{{at},"type":"upsert_line","line":"sales","pinned_policy":"sometimes"}}"#),
        format!(r#"{{{at},"type":"upsert_line","line":"sales","on_exhausted":"drop"}}"#),
        format!(r#"{{{at},"type":"upsert_line","line":"sales","count_toward_cap":"all"}}"#),
        format!(r#"{{{at},"type":"upsert_line","line":"sales","max_open_per_operater":5}}"#),
        format!(r#"{{{at},"type":"upsert_operator","operator":"anna","max_opn":1}}"#),
        format!(r#"{{{at},"type":"presence","operator":"anna","status":"busy"}}"#),
        format!(r#"{{{at},"type":"hello"}}"#),
        format!(r#"{{{at},"type":"message_in","conversation":"k1","client":"c1"}}"#),
        r#"{"type":"tick"}"#.to_string(),
        r#"{"at":"yesterday","type":"tick"}"#.to_string(),
        "not json".to_string(),
        "[1,2]".to_string(),
    ];
    for line in &bad {
        assert!(replay::parse_line(line).is_err(), "accepted: {line}");
    }
    let good = format!(
        r#"{{{at},"type":"upsert_line","line":"sales","mode":"all","queue":["anna",{{"group":"g"}}],"offer_timeout_secs":60,"pinned_policy":"always","on_exhausted":"requeue","count_toward_cap":"unanswered"}}"#
    );
    let (when, input) = replay::parse_line(&good).unwrap();
    assert_eq!(when, base());
    let Input::UpsertLine(cfg) = input else {
        panic!("not an upsert_line")
    };
    assert_eq!(cfg.mode, Mode::All);
    assert_eq!(cfg.pinned_policy, PinnedPolicy::Always);
    assert_eq!(cfg.on_exhausted, OnExhausted::Requeue);
    assert_eq!(cfg.count_toward_cap, CountTowardCap::Unanswered);
}

#[test]
fn replay_error_line_leaves_state_unchanged_and_carries_the_engine_clock() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(3, inc("k1"));
    let before = format!("{:?}", s.e);
    let mut out = Vec::new();
    let typo = r#"{"at":"2026-03-02T10:00:00Z","type":"upsert_line","line":"sales","queue":["anna"],"max_open_per_operater":1}"#;
    replay::process_line(&mut s.e, 7, typo, &mut out).unwrap();
    let engine_error =
        r#"{"at":"2026-03-02T10:00:00Z","type":"presence","operator":"zoe","status":"online"}"#;
    replay::process_line(&mut s.e, 8, engine_error, &mut out).unwrap();
    assert_eq!(format!("{:?}", s.e), before);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for (l, n) in lines.iter().zip([7, 8]) {
        assert_eq!(l["type"], "error");
        assert_eq!(l["at"], "2026-03-02T09:03:00Z");
        assert_eq!(l["line_no"], n);
    }
    assert!(
        lines[0]["error"]
            .as_str()
            .unwrap()
            .contains("max_open_per_operater")
    );
    assert_eq!(lines[1]["error"], "unknown operator `zoe`");
    // Before the first input the clock is null.
    let mut fresh = Engine::new();
    let mut out = Vec::new();
    replay::process_line(&mut fresh, 1, "{", &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(v["at"].is_null());
}
