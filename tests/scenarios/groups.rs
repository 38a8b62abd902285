//! Queue of employees and departments (004), groups.

use super::*;

#[test]
fn groups_expand_in_creation_order() {
    // DESIGN: "Members of a group follow the order in which the operators were first created."
    let mut s = world(
        LineConfig::new("sales")
            .mode(Mode::Strict)
            .group("dept")
            .offer_timeout_secs(60),
        &["carol", "anna", "boris"],
    );
    // Joining the group in another order changes nothing.
    for o in ["boris", "anna", "carol"] {
        s.at(0, op_cfg(OperatorConfig::new(o).group("dept")));
    }
    assert_eq!(s.at(0, inc("k1")), ["assigned k1 sales carol routed by 1m"]);
    assert_eq!(
        s.tick(1),
        [
            "unassigned k1 carol no_answer",
            "assigned k1 sales anna routed by 2m"
        ]
    );
    assert_eq!(
        s.tick(2),
        [
            "unassigned k1 anna no_answer",
            "assigned k1 sales boris routed by 3m"
        ]
    );
}

#[test]
fn operator_named_twice_keeps_the_first_position() {
    // DESIGN: "an operator named twice in a queue (directly and through a group) keeps the
    // first position."
    let cfg = LineConfig::new("sales")
        .mode(Mode::Strict)
        .member("carol")
        .group("g")
        .member("anna")
        .offer_timeout_secs(60);
    let mut s = world(cfg, &["boris", "anna", "carol"]);
    s.at(0, op_cfg(OperatorConfig::new("anna").group("g")));
    s.at(0, op_cfg(OperatorConfig::new("boris").group("g")));
    // Order: carol, then the group (boris, anna by creation); anna's direct entry adds nothing.
    assert_eq!(s.at(0, inc("k1")), ["assigned k1 sales carol routed by 1m"]);
    assert_eq!(
        s.tick(1),
        [
            "unassigned k1 carol no_answer",
            "assigned k1 sales boris routed by 2m"
        ]
    );
    assert_eq!(
        s.tick(2),
        [
            "unassigned k1 boris no_answer",
            "assigned k1 sales anna routed by 3m"
        ]
    );
    assert_eq!(
        s.tick(3),
        [
            "unassigned k1 anna no_answer",
            "assigned k1 sales carol routed by 4m"
        ]
    );
    // Named directly first, then through the group: the direct position counts.
    let mut s = world(
        LineConfig::new("sales")
            .mode(Mode::Strict)
            .member("anna")
            .group("g"),
        &["boris", "anna"],
    );
    s.at(0, op_cfg(OperatorConfig::new("anna").group("g")));
    s.at(0, op_cfg(OperatorConfig::new("boris").group("g")));
    assert_eq!(s.at(0, inc("k1")), ["assigned k1 sales anna routed"]);
}

#[test]
fn operator_joining_a_group_later_joins_the_line() {
    let mut s = world(
        LineConfig::new("sales").mode(Mode::Evenly).group("g"),
        &["anna"],
    );
    s.at(0, op_cfg(OperatorConfig::new("anna").group("g")));
    assert_eq!(s.at(1, inc("k1")), ["assigned k1 sales anna routed"]);
    s.at(2, op_cfg(OperatorConfig::new("dave").group("g")));
    s.at(2, online("dave"));
    assert_eq!(s.at(3, inc("k2")), ["assigned k2 sales dave routed"]);
    // Leaving the group (groups left out of an upsert return to none) leaves the line.
    s.at(4, op_cfg(OperatorConfig::new("dave")));
    assert_eq!(s.at(5, inc("k3")), ["assigned k3 sales anna routed"]);
}

#[test]
fn recreated_operator_keeps_first_creation_order_in_groups() {
    // DESIGN: "the order in which the operators were first created".
    let mut s = world(
        LineConfig::new("sales").mode(Mode::Strict).group("g"),
        &["anna", "boris"],
    );
    s.at(0, op_cfg(OperatorConfig::new("anna").group("g")));
    s.at(0, op_cfg(OperatorConfig::new("boris").group("g")));
    s.at(1, remove_op("anna"));
    s.at(2, op_cfg(OperatorConfig::new("anna").group("g")));
    s.at(2, online("anna"));
    assert_eq!(s.at(3, inc("k1")), ["assigned k1 sales anna routed"]);
}

#[test]
fn queue_may_name_an_operator_not_yet_created() {
    let mut s = world(strict(&["zoe", "anna"]), &["anna"]);
    assert_eq!(s.at(0, inc("k1")), ["assigned k1 sales anna routed"]);
    s.at(1, op("zoe"));
    s.at(1, online("zoe"));
    assert_eq!(s.at(2, inc("k2")), ["assigned k2 sales zoe routed"]);
}
