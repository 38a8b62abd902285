//! Caps (001: maximum number of requests per operator).

use super::*;

#[test]
fn max_open_per_operator_stops_automatic_assignment_but_take_still_works() {
    // 001: "once reached, no more are assigned automatically, but the operator may still take
    // one manually"; DESIGN: manual actions "ignore caps but still count toward load".
    let mut s = world(strict(&["anna"]).max_open_per_operator(1), &["anna"]);
    assert_eq!(s.at(0, inc("k1")), ["assigned k1 sales anna routed"]);
    assert_eq!(s.at(1, inc("k2")), ["queued k2 sales at_capacity"]);
    assert_eq!(
        s.at(2, take("k2", "anna")),
        ["assigned k2 sales anna taken"]
    );
    assert_eq!(s.open_load("anna"), 2);
    assert_eq!(s.at(3, inc("k3")), ["queued k3 sales at_capacity"]);
    // 2 → 1 open: still at the cap of 1.
    assert_eq!(s.at(4, close("k1")), ["closed k1 closed"]);
    assert_eq!(
        s.at(5, close("k2")),
        ["closed k2 closed", "assigned k3 sales anna routed"]
    );
}

#[test]
fn the_smaller_of_operator_cap_and_line_cap_applies() {
    // Own cap 2, line cap 5 → 2.
    let mut s = world(strict(&["anna"]).max_open_per_operator(5), &["anna"]);
    s.at(0, op_cfg(OperatorConfig::new("anna").max_open(2)));
    s.at(1, inc("k1"));
    s.at(1, inc("k2"));
    assert_eq!(s.at(1, inc("k3")), ["queued k3 sales at_capacity"]);
    // Own cap 3, line cap 5 → 3: room for k3.
    assert_eq!(
        s.at(2, op_cfg(OperatorConfig::new("anna").max_open(3))),
        ["assigned k3 sales anna routed"]
    );
    // Own cap 3, line cap 1 → 1.
    let mut s = world(strict(&["anna"]).max_open_per_operator(1), &["anna"]);
    s.at(0, op_cfg(OperatorConfig::new("anna").max_open(3)));
    s.at(1, inc("k1"));
    assert_eq!(s.at(1, inc("k2")), ["queued k2 sales at_capacity"]);
}

#[test]
fn raising_the_operator_cap_places_waiting_conversations() {
    let mut s = world(strict(&["anna"]).max_open_per_operator(5), &["anna"]);
    s.at(0, op_cfg(OperatorConfig::new("anna").max_open(1)));
    s.at(1, inc("k1"));
    assert_eq!(s.at(1, inc("k2")), ["queued k2 sales at_capacity"]);
    assert_eq!(
        s.at(2, op_cfg(OperatorConfig::new("anna").max_open(3))),
        ["assigned k2 sales anna routed"]
    );
}

#[test]
fn operator_cap_counts_load_over_all_lines() {
    // DESIGN: "an operator keeps three counters, each over all lines".
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(0, op_cfg(OperatorConfig::new("anna").max_open(1)));
    s.at(0, line(LineConfig::new("support").member("anna")));
    s.at(0, chan("tg", "support"));
    assert_eq!(
        s.at(1, inc_from("s1", "c-s1", "tg")),
        ["assigned s1 support anna routed"]
    );
    assert_eq!(s.at(2, inc("k1")), ["queued k1 sales at_capacity"]);
}

#[test]
fn queue_reason_at_capacity_versus_no_eligible_operator() {
    let mut s = world(
        strict(&["anna", "boris"]).max_open_per_operator(1),
        &["anna", "boris"],
    );
    s.at(0, offline("boris"));
    s.at(1, inc("k1"));
    assert_eq!(s.at(2, inc("k2")), ["queued k2 sales at_capacity"]);
    s.at(3, offline("anna"));
    assert_eq!(s.at(4, inc("k3")), ["queued k3 sales no_eligible_operator"]);
}

#[test]
fn count_toward_cap_awaiting_reply() {
    // DESIGN: only conversations where the client spoke last count.
    let mut s = world(
        strict(&["anna"])
            .max_open_per_operator(1)
            .count_toward_cap(CountTowardCap::AwaitingReply),
        &["anna"],
    );
    assert_eq!(s.at(0, inc("k1")), ["assigned k1 sales anna routed"]);
    assert_eq!(s.at(1, inc("k2")), ["queued k2 sales at_capacity"]);
    // anna answers k1: the client no longer waits on her there, so she has room.
    assert_eq!(
        s.at(2, reply("k1", "anna")),
        ["assigned k2 sales anna routed"]
    );
    // The client of k1 writes again: it counts again (above the cap: nothing is taken away).
    assert_eq!(s.at(3, inc_from("k1", "c-k1", "wa")), NOTHING);
    let load = s.op("anna").load;
    assert_eq!((load.open, load.awaiting_reply, load.unanswered), (2, 2, 1));
    assert_eq!(s.at(4, inc("k3")), ["queued k3 sales at_capacity"]);
}

#[test]
fn count_toward_cap_unanswered() {
    // DESIGN: only conversations with no operator answer yet count.
    let mut s = world(
        strict(&["anna"])
            .max_open_per_operator(1)
            .count_toward_cap(CountTowardCap::Unanswered),
        &["anna"],
    );
    s.at(0, inc("k1"));
    assert_eq!(s.at(1, inc("k2")), ["queued k2 sales at_capacity"]);
    assert_eq!(
        s.at(2, reply("k1", "anna")),
        ["assigned k2 sales anna routed"]
    );
    // A client writing again into an answered conversation does not make it unanswered.
    assert_eq!(s.at(3, inc_from("k1", "c-k1", "wa")), NOTHING);
    assert_eq!(s.at(4, inc("k3")), ["queued k3 sales at_capacity"]);
    assert_eq!(
        s.at(5, reply("k2", "anna")),
        ["assigned k3 sales anna routed"]
    );
    let load = s.op("anna").load;
    assert_eq!((load.open, load.awaiting_reply, load.unanswered), (3, 2, 1));
}

#[test]
fn manual_transfer_ignores_caps_but_counts_toward_load() {
    let mut s = world(
        strict(&["anna", "boris"]).max_open_per_operator(1),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    s.at(0, inc("k2"));
    assert_eq!(s.holder("k2").as_deref(), Some("boris"));
    assert_eq!(
        s.at(1, transfer_to("k2", "anna")),
        [
            "unassigned k2 boris transferred",
            "assigned k2 sales anna transferred"
        ]
    );
    assert_eq!(s.open_load("anna"), 2);
    assert_eq!(s.open_load("boris"), 0);
}
