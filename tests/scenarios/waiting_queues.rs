//! Waiting queues: order, reasons, blocking.

use super::*;

#[test]
fn longest_waiting_placed_first_across_lines() {
    // DESIGN: "When capacity appears for several waiting conversations at once (an operator in
    // four lines comes online), the one that has waited longest, across all lines, is placed
    // first."
    let mut s = Sim::new();
    s.at(0, op_cfg(OperatorConfig::new("anna").max_open(2)));
    for l in ["l1", "l2", "l3", "l4"] {
        s.at(0, line(LineConfig::new(l).member("anna")));
        s.at(0, chan(&format!("ch-{l}"), l));
    }
    for (m, (k, l)) in [("kc", "l3"), ("ka", "l1"), ("kd", "l4"), ("kb", "l2")]
        .into_iter()
        .enumerate()
    {
        assert_eq!(
            s.at(m as i64, inc_from(k, &format!("c-{k}"), &format!("ch-{l}"))),
            [format!("queued {k} {l} no_eligible_operator")]
        );
    }
    assert_eq!(
        s.at(5, online("anna")),
        ["assigned kc l3 anna routed", "assigned ka l1 anna routed"]
    );
    assert_eq!(
        s.at(6, close("kc")),
        ["closed kc closed", "assigned kd l4 anna routed"]
    );
    assert_eq!(s.waiting("l2"), ["kb"]);
}

#[test]
fn waiting_conversations_leave_a_line_in_arrival_order() {
    // 003: text requests are handled oldest first; DESIGN §4.5.
    let mut s = world(strict(&["anna"]).max_open_per_operator(1), &["anna"]);
    s.at(0, inc("k1"));
    s.at(1, inc("k2"));
    s.at(2, inc("k3"));
    s.at(3, inc("k4"));
    assert_eq!(s.waiting("sales"), ["k2", "k3", "k4"]);
    assert_eq!(
        s.at(4, close("k1")),
        ["closed k1 closed", "assigned k2 sales anna routed"]
    );
    assert_eq!(
        s.at(5, close("k2")),
        ["closed k2 closed", "assigned k3 sales anna routed"]
    );
}

#[test]
fn blocked_conversation_does_not_hold_back_those_behind_it() {
    // DESIGN: "routing a waiting conversation is never skipped because another one ahead of it
    // cannot be placed (e.g. a pinned one waiting for its operator)".
    let mut s = world(
        strict(&["boris", "anna"]).pinned_policy(PinnedPolicy::Always),
        &["anna", "boris"],
    );
    s.at(0, op_cfg(OperatorConfig::new("anna").active(false)));
    s.at(0, offline("boris"));
    s.at(0, pin("c1", "anna"));
    assert_eq!(
        s.at(1, inc_from("k1", "c1", "wa")),
        ["queued k1 sales waiting_for_pinned"]
    );
    assert_eq!(s.at(2, inc("k2")), ["queued k2 sales no_eligible_operator"]);
    assert_eq!(s.at(3, online("boris")), ["assigned k2 sales boris routed"]);
    assert_eq!(s.waiting("sales"), ["k1"]);
}

#[test]
fn channel_restricted_conversation_does_not_hold_back_those_behind_it() {
    let mut s = world(strict(&["anna", "boris"]), &["anna", "boris"]);
    s.at(0, chan_ops("wa", "sales", &["boris"]));
    s.at(0, chan("tg", "sales"));
    s.at(0, offline("anna"));
    s.at(0, offline("boris"));
    s.at(1, inc("k1"));
    s.at(2, inc_from("k2", "c2", "tg"));
    assert_eq!(s.at(3, online("anna")), ["assigned k2 sales anna routed"]);
    assert_eq!(s.waiting("sales"), ["k1"]);
    assert_eq!(s.at(4, online("boris")), ["assigned k1 sales boris routed"]);
}

#[test]
fn requeued_conversation_does_not_hold_back_those_behind_it() {
    let mut s = world(
        strict(&["anna"])
            .max_open_per_operator(1)
            .offer_timeout_secs(60)
            .on_exhausted(OnExhausted::Requeue),
        &["anna"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.tick(1),
        ["unassigned k1 anna no_answer", "queued k1 sales exhausted"]
    );
    s.at(2, inc("k2"));
    s.at(2, accept("k2", "anna"));
    assert_eq!(s.at(3, inc("k3")), ["queued k3 sales at_capacity"]);
    assert_eq!(s.waiting("sales"), ["k1", "k3"]);
    assert_eq!(
        s.at(4, close("k2")),
        ["closed k2 closed", "assigned k3 sales anna routed by 5m"]
    );
    assert_eq!(s.waiting("sales"), ["k1"]);
}

#[test]
fn queued_is_emitted_once_while_a_conversation_waits() {
    // DESIGN: "queued is emitted when a conversation enters a waiting queue, not again while it
    // waits".
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(0, op_cfg(OperatorConfig::new("anna").max_open(0)));
    s.at(0, offline("anna"));
    assert_eq!(s.at(1, inc("k1")), ["queued k1 sales no_eligible_operator"]);
    // The reason it waits changes (now at capacity), but it still waits: no decision.
    assert_eq!(s.at(2, online("anna")), NOTHING);
    assert_eq!(s.at(3, inc("k2")), ["queued k2 sales at_capacity"]);
    assert_eq!(
        s.at(4, line(strict(&["anna"]).offer_timeout_secs(60))),
        NOTHING
    );
    assert_eq!(s.waiting("sales"), ["k1", "k2"]);
}

#[test]
fn queue_reason_priority_follows_the_listed_order() {
    // DESIGN: "when several reasons apply the first of waiting_for_pinned, off_hours,
    // no_operators_for_channel, exhausted, at_capacity, no_eligible_operator is given."
    let mut s = world(
        strict(&["anna", "boris"])
            .max_open_per_operator(0)
            .pinned_policy(PinnedPolicy::Always),
        &["anna", "boris"],
    );
    s.at(0, chan_ops("wa", "sales", &[]));
    s.at(0, op_cfg(OperatorConfig::new("anna").active(false)));
    s.at(0, pin("c1", "anna"));
    // Pinned to an inactive operator on a channel with nobody, everyone at cap.
    assert_eq!(
        s.at(1, inc_from("k1", "c1", "wa")),
        ["queued k1 sales waiting_for_pinned"]
    );
    // Channel with nobody, everyone at cap.
    assert_eq!(
        s.at(2, inc("k2")),
        ["queued k2 sales no_operators_for_channel"]
    );
    // at_capacity (boris) and no_eligible (anna inactive).
    s.at(3, chan("tg", "sales"));
    assert_eq!(
        s.at(3, inc_from("k3", "c3", "tg")),
        ["queued k3 sales at_capacity"]
    );
}

#[test]
fn exhausted_comes_before_at_capacity() {
    let mut s = world(
        strict(&["anna", "boris"])
            .max_open_per_operator(1)
            .offer_timeout_secs(60)
            .on_exhausted(OnExhausted::Requeue),
        &["anna", "boris"],
    );
    s.at(0, outbound("k0", "boris", "c0", "wa"));
    s.at(0, inc("k1"));
    // anna was tried; boris is eligible but at his cap.
    assert_eq!(
        s.tick(1),
        ["unassigned k1 anna no_answer", "queued k1 sales exhausted"]
    );
    // boris gets room: not tried, so he can take it.
    assert_eq!(
        s.at(2, close("k0")),
        ["closed k0 closed", "assigned k1 sales boris routed by 3m"]
    );
}

#[test]
fn waiting_query_and_line_counters_report_time_in_queue() {
    // 003: "time in queue" and counters of how many requests wait.
    let mut s = world(
        strict(&["anna", "boris"])
            .max_open_per_operator(1)
            .offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    s.at(0, accept("k1", "anna"));
    s.at(1, inc("k2"));
    s.at(2, inc("k3"));
    s.at(5, inc("k4"));
    let w = s.e.waiting("sales").unwrap();
    assert_eq!(w.len(), 2);
    assert_eq!(
        (w[0].conversation.as_str(), w[0].since, w[0].waited_secs),
        ("k3", t(2), 180)
    );
    assert_eq!((w[1].conversation.as_str(), w[1].waited_secs), ("k4", 0));
    assert_eq!(w[0].client.as_str(), "c-k3");
    assert_eq!(w[0].channel.as_str(), "wa");
    let c = s.e.line_counters("sales").unwrap();
    assert_eq!(c.waiting, 2);
    assert_eq!(c.offered, 1, "k2 awaits boris's answer");
    assert_eq!(c.assigned, 1, "k1 is confirmed");
    assert_eq!(c.oldest_waiting_since, Some(t(2)));
    assert_eq!(c.oldest_wait_secs, Some(180));
    assert_eq!(s.e.waiting("nowhere"), None);
}
