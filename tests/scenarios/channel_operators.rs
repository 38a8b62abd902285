//! Operators per channel (001).

use super::*;

#[test]
fn channel_operator_list_restricts_who_serves() {
    // 001: "new requests from a channel go only to its operators".
    let mut s = world(
        strict(&["anna", "boris", "carol"]),
        &["anna", "boris", "carol"],
    );
    s.at(0, chan_ops("wa", "sales", &["carol", "boris"]));
    s.at(0, chan("tg", "sales"));
    // Queue order still decides among the channel's operators.
    assert_eq!(s.at(1, inc("k1")), ["assigned k1 sales boris routed"]);
    assert_eq!(
        s.at(2, inc_from("k2", "c2", "tg")),
        ["assigned k2 sales anna routed"]
    );
    s.at(3, offline("boris"));
    s.at(3, offline("carol"));
    assert_eq!(s.at(4, inc("k3")), ["queued k3 sales no_eligible_operator"]);
}

#[test]
fn empty_channel_operator_list_means_no_automatic_distribution() {
    // 001: "If no operators are chosen for a channel, its dialogs are not distributed
    // automatically"; taking one manually still works.
    let mut s = world(strict(&["anna", "boris"]), &["anna", "boris"]);
    s.at(0, chan_ops("wa", "sales", &[]));
    s.at(0, chan("tg", "sales"));
    assert_eq!(
        s.at(1, inc("k1")),
        ["queued k1 sales no_operators_for_channel"]
    );
    assert_eq!(
        s.at(2, inc_from("k2", "c2", "tg")),
        ["assigned k2 sales anna routed"]
    );
    assert_eq!(
        s.at(3, take("k1", "boris")),
        ["assigned k1 sales boris taken"]
    );
}

#[test]
fn channel_operator_list_may_name_an_operator_not_yet_created() {
    // DESIGN: "A line's queue (and a channel's operator list) may name operators that do not
    // exist yet: they take part once an upsert_operator creates them."
    let mut s = world(strict(&["anna", "zoe"]), &["anna"]);
    s.at(0, chan_ops("wa", "sales", &["zoe"]));
    assert_eq!(s.at(1, inc("k1")), ["queued k1 sales no_eligible_operator"]);
    assert_eq!(s.at(2, op("zoe")), NOTHING);
    assert_eq!(s.at(3, online("zoe")), ["assigned k1 sales zoe routed"]);
}

#[test]
fn channel_operator_who_is_not_a_line_member_is_not_eligible() {
    // DESIGN eligibility: a member of the line's queue AND allowed on the channel.
    let mut s = world(strict(&["anna"]), &["anna", "dave"]);
    s.at(0, chan_ops("wa", "sales", &["dave"]));
    assert_eq!(s.at(1, inc("k1")), ["queued k1 sales no_eligible_operator"]);
}

#[test]
fn reconnecting_a_channel_with_a_new_operator_list_reroutes_its_waiting_conversations() {
    let mut s = world(strict(&["anna", "boris"]), &["anna", "boris"]);
    s.at(0, chan_ops("wa", "sales", &[]));
    assert_eq!(
        s.at(1, inc("k1")),
        ["queued k1 sales no_operators_for_channel"]
    );
    assert_eq!(
        s.at(2, chan_ops("wa", "sales", &["boris"])),
        ["assigned k1 sales boris routed"]
    );
}
