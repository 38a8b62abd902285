//! Lines and channels (004: each channel connects to exactly one open line).

use super::*;

#[test]
fn channel_connects_to_exactly_one_line() {
    let mut s = world(strict(&["anna"]), &["anna", "boris"]);
    s.at(0, line(renamed(strict(&["boris"]), "support")));
    assert_eq!(
        s.err(1, chan("wa", "support")),
        Error::ChannelOnAnotherLine {
            channel: "wa".into(),
            connected_to: "sales".into(),
            requested: "support".into()
        }
    );
    // Reconnecting to the same line only reconfigures it.
    assert_eq!(s.at(2, chan("wa", "sales")), NOTHING);
    assert_eq!(s.at(3, disconnect("wa")), NOTHING);
    assert_eq!(s.at(4, chan("wa", "support")), NOTHING);
    assert_eq!(s.at(5, inc("k1")), ["assigned k1 support boris routed"]);
}

#[test]
fn connect_channel_to_unknown_line_is_an_error() {
    // DESIGN: "A channel's line must exist."
    let mut s = world(strict(&["anna"]), &["anna"]);
    assert_eq!(
        s.err(1, chan("tg", "nowhere")),
        Error::UnknownLine("nowhere".into())
    );
}

#[test]
fn disconnected_channel_keeps_its_conversations_but_rejects_new_messages() {
    // DESIGN: "Disconnecting a channel leaves its open conversations on their line; a new
    // message_in on it is an error until it is connected again."
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(0, inc("k1"));
    assert_eq!(s.at(1, disconnect("wa")), NOTHING);
    assert_eq!(s.holder("k1").as_deref(), Some("anna"));
    assert_eq!(s.conv("k1").line.as_str(), "sales");
    assert_eq!(s.err(2, inc("k1")), Error::ChannelDisconnected("wa".into()));
    assert_eq!(s.err(2, inc("k2")), Error::ChannelDisconnected("wa".into()));
    // The operator can still work on it.
    assert_eq!(s.at(3, reply("k1", "anna")), NOTHING);
    s.at(4, chan("wa", "sales"));
    assert_eq!(s.at(5, inc("k1")), NOTHING);
}

#[test]
fn message_on_unknown_channel_is_an_error() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    assert_eq!(
        s.err(1, inc_from("k1", "c1", "nope")),
        Error::UnknownChannel("nope".into())
    );
    assert_eq!(
        s.err(1, disconnect("nope")),
        Error::UnknownChannel("nope".into())
    );
}

#[test]
fn remove_line_fails_while_channels_connected_then_closes_conversations() {
    // DESIGN: "remove_line fails while channels are connected to the line (disconnect them
    // first); the line's open conversations are then closed (closed reason line_removed)."
    let mut s = world(lc(Mode::All, &["anna"]), &["anna"]);
    s.at(0, chan("tg", "sales"));
    s.at(0, chan_ops("vk", "sales", &[]));
    s.at(1, inc("k1"));
    s.at(1, accept("k1", "anna"));
    assert_eq!(
        s.at(2, inc_from("k2", "c2", "tg")),
        ["offered k2 sales [anna]"]
    );
    assert_eq!(
        s.at(3, inc_from("k3", "c3", "vk")),
        ["queued k3 sales no_operators_for_channel"]
    );
    assert_eq!(
        s.err(3, remove_line("sales")),
        Error::LineHasChannels {
            line: "sales".into(),
            channels: vec!["wa".into(), "tg".into(), "vk".into()]
        }
    );
    s.at(4, disconnect("wa"));
    s.at(4, disconnect("vk"));
    assert_eq!(
        s.err(4, remove_line("sales")),
        Error::LineHasChannels {
            line: "sales".into(),
            channels: vec!["tg".into()]
        }
    );
    s.at(5, disconnect("tg"));
    assert_eq!(
        s.at(6, remove_line("sales")),
        [
            "closed k1 line_removed",
            "closed k2 line_removed",
            "closed k3 line_removed"
        ]
    );
    assert_eq!(s.open_load("anna"), 0);
    assert!(s.op("anna").offers.is_empty());
    assert!(s.e.lines().is_empty());
    assert_eq!(s.e.waiting("sales"), None);
    assert_eq!(s.e.line_counters("sales"), None);
    assert_eq!(
        s.err(7, remove_line("sales")),
        Error::UnknownLine("sales".into())
    );
    // The line can be created again; a client writing into a closed conversation reopens it
    // there.
    s.at(8, line(strict(&["anna"])));
    s.at(8, chan("wa", "sales"));
    assert_eq!(s.at(9, inc("k1")), ["assigned k1 sales anna routed"]);
}

#[test]
fn remove_line_closing_a_held_conversation_while_another_waits_does_not_panic() {
    // DESIGN §2: "No input, however malformed, may panic the engine." Closing k1 frees room
    // for anna in the very line being removed, where k2 waits.
    let mut s = world(strict(&["anna"]).max_open_per_operator(1), &["anna"]);
    s.at(1, inc("k1"));
    assert_eq!(s.at(2, inc("k2")), ["queued k2 sales at_capacity"]);
    s.at(3, disconnect("wa"));
    assert_eq!(
        s.at(4, remove_line("sales")),
        ["closed k1 line_removed", "closed k2 line_removed"]
    );
    assert_eq!(s.open_load("anna"), 0);
}

#[test]
fn changing_line_queue_keeps_current_assignments_and_deadlines() {
    // DESIGN: "Changing a line's queue or mode leaves current assignments and their deadlines
    // as they are".
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.at(
            1,
            line(lc(Mode::Balanced, &["boris"]).offer_timeout_secs(60))
        ),
        NOTHING
    );
    assert_eq!(s.holder("k1").as_deref(), Some("anna"));
    assert_eq!(s.deadline("k1"), Some(t(10)));
    assert_eq!(s.tick(9), NOTHING);
    assert_eq!(
        s.tick(10),
        [
            "unassigned k1 anna no_answer",
            "assigned k1 sales boris routed by 11m"
        ]
    );
}

#[test]
fn upsert_line_replaces_whole_configuration_and_reroutes_waiting_at_once() {
    // DESIGN: "An upsert replaces the whole configuration … a field left out returns to its
    // default"; "waiting conversations are routed again under the new settings at once".
    let mut s = world(strict(&["anna"]).max_open_per_operator(1), &["anna"]);
    s.at(0, inc("k1"));
    assert_eq!(s.at(1, inc("k2")), ["queued k2 sales at_capacity"]);
    assert_eq!(
        s.at(2, line(strict(&["anna"]))),
        ["assigned k2 sales anna routed"]
    );
}

#[test]
fn line_defaults_are_evenly_prefer_availability_cycle_open() {
    // DESIGN defaults: mode evenly, pinned prefer, check_availability true, require_workday
    // false, on_exhausted cycle, count open, prefer_last_operator false, no caps, no timeout.
    let cfg: LineConfig = serde_json::from_str(r#"{"line":"sales"}"#).unwrap();
    assert_eq!(cfg, LineConfig::new("sales"));
    assert_eq!(cfg.mode, Mode::Evenly);
    assert_eq!(cfg.pinned_policy, PinnedPolicy::Prefer);
    assert!(cfg.check_availability);
    assert!(!cfg.require_workday);
    assert_eq!(cfg.on_exhausted, OnExhausted::Cycle);
    assert_eq!(cfg.count_toward_cap, CountTowardCap::Open);
    assert!(!cfg.prefer_last_operator);
    assert_eq!(cfg.max_open_per_operator, None);
    assert_eq!(cfg.offer_timeout_secs, None);
    let opc: OperatorConfig = serde_json::from_str(r#"{"operator":"anna"}"#).unwrap();
    assert_eq!(opc, OperatorConfig::new("anna"));
    assert!(opc.active);
}
