//! Operators: upserting, removing, and what that does to their conversations, offers and
//! pinned clients.

use super::*;

#[test]
fn upsert_operator_keeps_presence_load_and_conversations() {
    // DESIGN: "upsert_operator changes an operator's settings … and nothing else".
    let mut s = world(strict(&["anna"]).offer_timeout_secs(600), &["anna"]);
    s.at(0, workday_started("anna"));
    s.at(0, absence("anna", 100, 200));
    s.at(1, inc("k1"));
    assert_eq!(
        s.at(2, op_cfg(OperatorConfig::new("anna").max_open(5))),
        NOTHING
    );
    let v = s.op("anna");
    assert_eq!(v.presence, Presence::Online);
    assert!(v.workday_started);
    assert_eq!(v.max_open, Some(5));
    assert_eq!(v.load.open, 1);
    assert_eq!(s.deadline("k1"), Some(t(11)));
    assert_eq!(s.e.poll_timeout(), Some(t(11)));
    s.at(3, accept("k1", "anna"));
    assert_eq!(
        s.e.poll_timeout(),
        Some(t(100)),
        "the absence survived the upsert"
    );
}

#[test]
fn upsert_operator_fields_left_out_return_to_default() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(0, op_cfg(OperatorConfig::new("anna").max_open(1)));
    s.at(1, inc("k1"));
    assert_eq!(s.at(1, inc("k2")), ["queued k2 sales at_capacity"]);
    assert_eq!(s.at(2, op("anna")), ["assigned k2 sales anna routed"]);
    assert_eq!(s.op("anna").max_open, None);
}

#[test]
fn remove_operator_reroutes_their_conversations() {
    // DESIGN: "remove_operator unassigns what the operator held (unassigned reason removed) and
    // routes it again."
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    s.at(0, accept("k1", "anna"));
    s.at(0, inc("k2"));
    assert_eq!(
        s.at(1, remove_op("anna")),
        [
            "unassigned k1 anna removed",
            "assigned k1 sales boris routed by 11m",
            "unassigned k2 anna removed",
            "assigned k2 sales boris routed by 11m"
        ]
    );
    assert!(s.e.operator("anna").is_none());
    assert!(!s.e.operators().iter().any(|o| o.as_str() == "anna"));
    assert_eq!(
        s.err(2, reply("k1", "anna")),
        Error::UnknownOperator("anna".into())
    );
    assert_eq!(
        s.err(2, remove_op("anna")),
        Error::UnknownOperator("anna".into())
    );
}

#[test]
fn remove_operator_withdraws_their_all_mode_offers() {
    let mut s = world(
        lc(Mode::All, &["anna", "boris"]).offer_timeout_secs(300),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(s.at(1, remove_op("anna")), ["withdrawn k1 anna removed"]);
    assert_eq!(
        s.at(2, remove_op("boris")),
        [
            "withdrawn k1 boris removed",
            "queued k1 sales no_eligible_operator"
        ]
    );
}

#[test]
fn removing_a_pinned_operator_unpins_their_clients() {
    // Engine's choice where DESIGN is silent: a pin cannot outlive its operator (pin_client to
    // an unknown operator is an error), so the client's waiting conversation routes normally.
    let mut s = world(
        strict(&["boris", "anna"]).pinned_policy(PinnedPolicy::Always),
        &["anna", "boris"],
    );
    s.at(0, op_cfg(OperatorConfig::new("anna").active(false)));
    s.at(0, pin("c1", "anna"));
    s.at(1, inc_from("k1", "c1", "wa"));
    assert_eq!(
        s.at(2, remove_op("anna")),
        ["assigned k1 sales boris routed"]
    );
    assert_eq!(s.e.pinned_operator("c1"), None);
}
