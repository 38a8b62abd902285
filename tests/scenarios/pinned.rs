//! Pinned operator (001: always / try to / ignore).

use super::*;

#[test]
fn pinned_always_waits_for_inactive_pinned_operator() {
    // 001 "Always assign to the pinned operator"; DESIGN: "while the pinned operator is
    // inactive they wait (queued reason waiting_for_pinned). Nobody else ever gets them
    // automatically."
    let mut s = world(
        strict(&["boris", "anna"])
            .pinned_policy(PinnedPolicy::Always)
            .offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, op_cfg(OperatorConfig::new("anna").active(false)));
    s.at(0, pin("c1", "anna"));
    assert_eq!(
        s.at(1, inc_from("k1", "c1", "wa")),
        ["queued k1 sales waiting_for_pinned"]
    );
    assert_eq!(
        s.at(2, inc("k2")),
        ["assigned k2 sales boris routed by 12m"]
    );
    s.at(3, accept("k2", "boris"));
    assert_eq!(s.tick(100), NOTHING);
    assert_eq!(s.waiting("sales"), ["k1"]);
    // An `always`-pinned assignment has no answer deadline.
    assert_eq!(
        s.at(101, op_cfg(OperatorConfig::new("anna"))),
        ["assigned k1 sales anna pinned"]
    );
    assert_eq!(s.deadline("k1"), None);
}

#[test]
fn pinned_always_ignores_presence_cap_and_membership() {
    // DESIGN: "the client's conversations go only to the pinned operator, whatever their load
    // or presence".
    let mut s = world(
        strict(&["boris"])
            .pinned_policy(PinnedPolicy::Always)
            .offer_timeout_secs(600)
            .max_open_per_operator(1),
        &["anna", "boris"],
    );
    s.at(0, outbound("k0", "anna", "c0", "wa"));
    s.at(0, offline("anna"));
    s.at(0, pin("c1", "anna"));
    assert_eq!(
        s.at(1, inc_from("k1", "c1", "wa")),
        ["assigned k1 sales anna pinned"]
    );
    assert_eq!(s.open_load("anna"), 2);
    // Final at once: nothing moves, whatever happens to anna's presence.
    assert_eq!(s.e.poll_timeout(), None);
    assert_eq!(s.at(2, away("anna")), NOTHING);
    assert_eq!(s.holder("k1").as_deref(), Some("anna"));
}

#[test]
fn pinning_a_waiting_conversation_places_it_with_the_pinned_operator() {
    let mut s = world(
        strict(&["boris"]).pinned_policy(PinnedPolicy::Always),
        &["anna", "boris"],
    );
    s.at(0, offline("boris"));
    assert_eq!(
        s.at(1, inc_from("k1", "c1", "wa")),
        ["queued k1 sales no_eligible_operator"]
    );
    assert_eq!(
        s.at(2, pin("c1", "anna")),
        ["assigned k1 sales anna pinned"]
    );
    assert_eq!(
        s.e.pinned_operator("c1").map(|o| o.to_string()).as_deref(),
        Some("anna")
    );
}

#[test]
fn unpinning_lets_a_conversation_waiting_for_its_pinned_operator_route_normally() {
    let mut s = world(
        strict(&["boris", "anna"]).pinned_policy(PinnedPolicy::Always),
        &["anna", "boris"],
    );
    s.at(0, op_cfg(OperatorConfig::new("anna").active(false)));
    s.at(0, pin("c1", "anna"));
    assert_eq!(
        s.at(1, inc_from("k1", "c1", "wa")),
        ["queued k1 sales waiting_for_pinned"]
    );
    assert_eq!(s.at(2, unpin("c1")), ["assigned k1 sales boris routed"]);
    assert_eq!(s.e.pinned_operator("c1"), None);
}

#[test]
fn changing_pinned_policy_reroutes_waiting_conversations_at_once() {
    // DESIGN: "waiting conversations are routed again under the new settings at once".
    let mut s = world(
        strict(&["boris", "anna"]).pinned_policy(PinnedPolicy::Always),
        &["anna", "boris"],
    );
    s.at(0, op_cfg(OperatorConfig::new("anna").active(false)));
    s.at(0, pin("c1", "anna"));
    s.at(1, inc_from("k1", "c1", "wa"));
    assert_eq!(
        s.at(
            2,
            line(strict(&["boris", "anna"]).pinned_policy(PinnedPolicy::Prefer))
        ),
        ["assigned k1 sales boris routed"]
    );
}

#[test]
fn pinned_prefer_goes_to_the_pinned_operator_when_eligible_and_under_cap() {
    // 001 "Try to assign to the pinned operator — if they are online and below the maximum".
    let mut s = world(
        strict(&["boris", "anna"]).offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, pin("c1", "anna"));
    assert_eq!(
        s.at(1, inc_from("k1", "c1", "wa")),
        ["assigned k1 sales anna pinned by 11m"]
    );
    // Unanswered, it moves on like any assignment (`prefer` gives no exemption).
    assert_eq!(
        s.tick(11),
        [
            "unassigned k1 anna no_answer",
            "assigned k1 sales boris routed by 21m"
        ]
    );
}

#[test]
fn pinned_prefer_falls_back_when_pinned_is_at_cap() {
    let mut s = world(
        strict(&["boris", "anna"]).max_open_per_operator(1),
        &["anna", "boris"],
    );
    s.at(0, outbound("k0", "anna", "c0", "wa"));
    s.at(0, pin("c1", "anna"));
    assert_eq!(
        s.at(1, inc_from("k1", "c1", "wa")),
        ["assigned k1 sales boris routed"]
    );
}

#[test]
fn pinned_prefer_falls_back_when_pinned_is_offline() {
    let mut s = world(strict(&["boris", "anna"]), &["anna", "boris"]);
    s.at(0, offline("anna"));
    s.at(0, pin("c1", "anna"));
    assert_eq!(
        s.at(1, inc_from("k1", "c1", "wa")),
        ["assigned k1 sales boris routed"]
    );
}

#[test]
fn pinned_prefer_is_the_default_policy() {
    let mut s = world(strict(&["boris", "anna"]), &["anna", "boris"]);
    s.at(0, pin("c1", "anna"));
    assert_eq!(
        s.at(1, inc_from("k1", "c1", "wa")),
        ["assigned k1 sales anna pinned"]
    );
}

#[test]
fn pinned_ignore_routes_normally() {
    let mut s = world(
        strict(&["boris", "anna"]).pinned_policy(PinnedPolicy::Ignore),
        &["anna", "boris"],
    );
    s.at(0, pin("c1", "anna"));
    assert_eq!(
        s.at(1, inc_from("k1", "c1", "wa")),
        ["assigned k1 sales boris routed"]
    );
}

#[test]
fn pin_client_to_unknown_operator_is_an_error() {
    // DESIGN: "pin_client to an unknown operator is an error."
    let mut s = world(strict(&["anna"]), &["anna"]);
    assert_eq!(
        s.err(1, pin("c1", "zoe")),
        Error::UnknownOperator("zoe".into())
    );
    assert_eq!(s.e.pinned_operator("c1"), None);
}

#[test]
fn clients_need_no_input_of_their_own() {
    // DESIGN: "Clients need no input of their own: a client exists once named."
    let mut s = world(strict(&["anna"]), &["anna"]);
    assert_eq!(s.at(0, pin("never-seen", "anna")), NOTHING);
    assert_eq!(s.at(0, unpin("also-never-seen")), NOTHING);
}
