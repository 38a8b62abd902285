//! `on_exhausted`: what a line does once every eligible member has been tried — `cycle`,
//! `keep_last`, `requeue` — in strict, evenly and balanced mode.

use super::*;

#[test]
fn on_exhausted_cycle_starts_again_from_the_top() {
    // DESIGN: `cycle` (the default) forgets who was tried and starts again from the top.
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(60),
        &["anna", "boris"],
    );
    assert_eq!(s.at(0, inc("k1")), ["assigned k1 sales anna routed by 1m"]);
    assert_eq!(
        s.tick(1),
        [
            "unassigned k1 anna no_answer",
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
            "assigned k1 sales boris routed by 4m"
        ]
    );
}

#[test]
fn on_exhausted_cycle_with_a_single_member_offers_it_again() {
    // Engine's choice where DESIGN is silent: the lone member gets it again, with a new deadline.
    let mut s = world(strict(&["anna"]).offer_timeout_secs(60), &["anna"]);
    s.at(0, inc("k1"));
    assert_eq!(
        s.tick(1),
        [
            "unassigned k1 anna no_answer",
            "assigned k1 sales anna routed by 2m"
        ]
    );
}

#[test]
fn on_exhausted_keep_last_makes_last_assignment_final() {
    // DESIGN: "keep_last makes the last assignment final (no more deadline)".
    let mut s = world(
        strict(&["anna", "boris"])
            .offer_timeout_secs(60)
            .on_exhausted(OnExhausted::KeepLast),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.tick(1),
        [
            "unassigned k1 anna no_answer",
            "assigned k1 sales boris routed by 2m"
        ]
    );
    // The deadline the host was told ends with a decision: boris keeps it, for good
    // (DESIGN §1, "No deadline disappears in silence").
    assert_eq!(s.tick(2), ["assigned k1 sales boris routed"]);
    assert_eq!(s.holder("k1").as_deref(), Some("boris"));
    assert_eq!(s.deadline("k1"), None);
    assert_eq!(s.e.poll_timeout(), None);
    let counters = s.e.line_counters("sales").unwrap();
    assert_eq!((counters.offered, counters.assigned), (0, 1));
}

#[test]
fn on_exhausted_requeue_queues_with_reason_exhausted_until_someone_new_is_eligible() {
    // DESIGN: "requeue puts the conversation back in the waiting queue (queued reason
    // exhausted) where only operators not yet tried … can take it."
    let mut s = world(
        strict(&["anna", "boris", "carol"])
            .offer_timeout_secs(60)
            .on_exhausted(OnExhausted::Requeue),
        &["anna", "boris", "carol"],
    );
    s.at(0, offline("carol"));
    s.at(0, inc("k1"));
    s.tick(1);
    assert_eq!(
        s.tick(2),
        ["unassigned k1 boris no_answer", "queued k1 sales exhausted"]
    );
    assert_eq!(s.waiting("sales"), ["k1"]);
    assert_eq!(s.e.poll_timeout(), None);
    // anna and boris are eligible with room, but were tried: k1 stays.
    assert_eq!(s.tick(10), NOTHING);
    // A new conversation is not held back by the requeued one.
    assert_eq!(
        s.at(11, inc("k2")),
        ["assigned k2 sales anna routed by 12m"]
    );
    s.at(11, accept("k2", "anna"));
    // Someone not yet tried becomes eligible: it goes there.
    assert_eq!(
        s.at(12, online("carol")),
        ["assigned k1 sales carol routed by 13m"]
    );
}

#[test]
fn on_exhausted_requeue_tried_operator_who_leaves_and_returns_can_take_it() {
    // DESIGN: "… or who become eligible again after leaving, can take it."
    let mut s = world(
        strict(&["anna", "boris"])
            .offer_timeout_secs(60)
            .on_exhausted(OnExhausted::Requeue),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    s.tick(1);
    assert_eq!(
        s.tick(2),
        ["unassigned k1 boris no_answer", "queued k1 sales exhausted"]
    );
    assert_eq!(s.at(3, offline("boris")), NOTHING);
    assert_eq!(
        s.at(4, online("boris")),
        ["assigned k1 sales boris routed by 5m"]
    );
}

#[test]
fn on_exhausted_requeue_new_member_added_to_queue_takes_it() {
    let mut s = world(
        strict(&["anna"])
            .offer_timeout_secs(60)
            .on_exhausted(OnExhausted::Requeue),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.tick(1),
        ["unassigned k1 anna no_answer", "queued k1 sales exhausted"]
    );
    assert_eq!(
        s.at(
            2,
            line(
                strict(&["anna", "boris"])
                    .offer_timeout_secs(60)
                    .on_exhausted(OnExhausted::Requeue)
            )
        ),
        ["assigned k1 sales boris routed by 3m"]
    );
}

#[test]
fn on_exhausted_applies_to_evenly_mode() {
    // DESIGN: "on_exhausted applies to strict, evenly and balanced."
    let mut s = world(
        lc(Mode::Evenly, &["anna", "boris"])
            .offer_timeout_secs(60)
            .on_exhausted(OnExhausted::Requeue),
        &["anna", "boris"],
    );
    assert_eq!(s.at(0, inc("k1")), ["assigned k1 sales anna routed by 1m"]);
    assert_eq!(
        s.tick(1),
        [
            "unassigned k1 anna no_answer",
            "assigned k1 sales boris routed by 2m"
        ]
    );
    assert_eq!(
        s.tick(2),
        ["unassigned k1 boris no_answer", "queued k1 sales exhausted"]
    );
}

#[test]
fn on_exhausted_applies_to_balanced_mode() {
    let mut s = world(
        lc(Mode::Balanced, &["anna", "boris"])
            .offer_timeout_secs(60)
            .on_exhausted(OnExhausted::KeepLast),
        &["anna", "boris"],
    );
    assert_eq!(s.at(0, inc("k1")), ["assigned k1 sales anna routed by 1m"]);
    assert_eq!(
        s.tick(1),
        [
            "unassigned k1 anna no_answer",
            "assigned k1 sales boris routed by 2m"
        ]
    );
    assert_eq!(s.tick(2), ["assigned k1 sales boris routed"]);
    assert_eq!(s.deadline("k1"), None);
}

#[test]
fn unanswered_offer_in_evenly_mode_moves_on_as_in_strict() {
    // DESIGN evenly: "Unanswered offers move on as in strict."
    let mut s = world(
        lc(Mode::Evenly, &["anna", "boris", "carol"]).offer_timeout_secs(60),
        &["anna", "boris", "carol"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.tick(1),
        [
            "unassigned k1 anna no_answer",
            "assigned k1 sales boris routed by 2m"
        ]
    );
    assert_eq!(
        s.tick(2),
        [
            "unassigned k1 boris no_answer",
            "assigned k1 sales carol routed by 3m"
        ]
    );
}
