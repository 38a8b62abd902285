//! Queue modes (004: evenly, strictly in order, all at once; balanced beyond the sources).

use super::*;

#[test]
fn evenly_rotates_least_recently_assigned() {
    // DESIGN: "it spreads new work by rotation, not by counting open dialogs".
    let mut s = world(
        lc(Mode::Evenly, &["anna", "boris", "carol"]),
        &["anna", "boris", "carol"],
    );
    assert_eq!(s.at(0, inc("k1")), ["assigned k1 sales anna routed"]);
    assert_eq!(s.at(1, inc("k2")), ["assigned k2 sales boris routed"]);
    assert_eq!(s.at(2, inc("k3")), ["assigned k3 sales carol routed"]);
    // boris and carol are now idle while anna still has k1: rotation, not load, decides.
    s.at(3, close("k2"));
    s.at(3, close("k3"));
    assert_eq!(s.at(4, inc("k4")), ["assigned k4 sales anna routed"]);
    assert_eq!(s.at(5, inc("k5")), ["assigned k5 sales boris routed"]);
}

#[test]
fn evenly_ties_go_in_queue_order() {
    let mut s = world(lc(Mode::Evenly, &["boris", "anna"]), &["anna", "boris"]);
    assert_eq!(s.at(0, inc("k1")), ["assigned k1 sales boris routed"]);
}

#[test]
fn evenly_operator_never_assigned_is_older_than_everyone() {
    // DESIGN: "an operator never assigned anything is older than everyone else".
    let mut s = world(lc(Mode::Evenly, &["anna", "boris"]), &["anna", "boris"]);
    s.at(0, inc("k1"));
    s.at(1, inc("k2"));
    s.at(2, inc("k3"));
    s.at(3, op("dave"));
    s.at(3, online("dave"));
    s.at(3, line(lc(Mode::Evenly, &["anna", "boris", "dave"])));
    assert_eq!(s.at(4, inc("k4")), ["assigned k4 sales dave routed"]);
    assert_eq!(s.at(5, inc("k5")), ["assigned k5 sales boris routed"]);
}

#[test]
fn evenly_counts_manual_assignments() {
    // DESIGN: "Least recently assigned counts every assignment the engine made or recorded, on
    // any line, automatic or manual".
    let mut s = world(lc(Mode::Evenly, &["anna", "boris"]), &["anna", "boris"]);
    assert_eq!(
        s.at(0, outbound("k0", "anna", "c-0", "wa")),
        ["assigned k0 sales anna outbound"]
    );
    assert_eq!(s.at(1, inc("k1")), ["assigned k1 sales boris routed"]);
    assert_eq!(s.at(2, inc("k2")), ["assigned k2 sales anna routed"]);
}

#[test]
fn evenly_counts_assignments_on_other_lines() {
    let mut s = world(lc(Mode::Evenly, &["anna", "boris"]), &["anna", "boris"]);
    s.at(0, line(LineConfig::new("support").member("anna")));
    s.at(0, chan("tg", "support"));
    assert_eq!(
        s.at(1, inc_from("s1", "c-s1", "tg")),
        ["assigned s1 support anna routed"]
    );
    assert_eq!(s.at(2, inc("k1")), ["assigned k1 sales boris routed"]);
}

#[test]
fn balanced_picks_fewest_open() {
    // DESIGN balanced: "the eligible member with the lowest load … ties go to the one assigned
    // least recently, then queue order."
    let mut s = world(lc(Mode::Balanced, &["anna", "boris"]), &["anna", "boris"]);
    assert_eq!(s.at(0, inc("k1")), ["assigned k1 sales anna routed"]);
    assert_eq!(s.at(1, inc("k2")), ["assigned k2 sales boris routed"]);
    // 1–1: anna was assigned least recently.
    assert_eq!(s.at(2, inc("k3")), ["assigned k3 sales anna routed"]);
    // 2–1: boris has fewer.
    assert_eq!(s.at(3, inc("k4")), ["assigned k4 sales boris routed"]);
    assert_eq!(s.at(4, inc("k5")), ["assigned k5 sales anna routed"]);
    s.at(5, close("k1"));
    s.at(5, close("k3"));
    s.at(5, close("k5"));
    // 0–2: anna, although she was assigned most recently.
    assert_eq!(s.at(6, inc("k6")), ["assigned k6 sales anna routed"]);
    assert_eq!(s.at(7, inc("k7")), ["assigned k7 sales anna routed"]);
}

#[test]
fn balanced_sorts_by_the_counter_count_toward_cap_names() {
    // DESIGN: "balanced sorts by that same counter".
    let mut s = world(
        lc(Mode::Balanced, &["anna", "boris"]).count_toward_cap(CountTowardCap::AwaitingReply),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    s.at(1, inc("k2"));
    s.at(2, inc("k3"));
    assert_eq!(s.holder("k1").as_deref(), Some("anna"));
    assert_eq!(s.holder("k3").as_deref(), Some("anna"));
    s.at(3, reply("k1", "anna"));
    s.at(3, reply("k3", "anna"));
    // anna: 2 open, 0 awaiting reply; boris: 1 open, 1 awaiting reply.
    assert_eq!(s.op("anna").load.awaiting_reply, 0);
    assert_eq!(s.at(4, inc("k4")), ["assigned k4 sales anna routed"]);
}

#[test]
fn all_mode_offers_to_every_eligible_member_at_once() {
    // 004: "all at once (to everyone in the queue)"; only eligible operators, in queue order.
    let mut s = world(
        lc(Mode::All, &["carol", "anna", "boris", "dave"]).offer_timeout_secs(300),
        &["anna", "boris", "carol", "dave"],
    );
    s.at(0, offline("dave"));
    assert_eq!(
        s.at(1, inc("k1")),
        ["offered k1 sales [carol anna boris] by 6m"]
    );
    assert_eq!(s.op("anna").offers.len(), 1);
    assert_eq!(s.conv("k1").deadline, Some(t(6)));
}

#[test]
fn all_mode_first_accept_wins_and_others_withdrawn() {
    // DESIGN: "The winner (by accept or by a reply) gets assigned reason accepted, after
    // offer_withdrawn for each of the others."
    let mut s = world(
        lc(Mode::All, &["anna", "boris", "carol"]).offer_timeout_secs(300),
        &["anna", "boris", "carol"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.at(1, accept("k1", "boris")),
        [
            "withdrawn k1 anna accepted_elsewhere",
            "withdrawn k1 carol accepted_elsewhere",
            "assigned k1 sales boris accepted"
        ]
    );
    assert_eq!(s.e.poll_timeout(), None);
    assert_eq!(s.deadline("k1"), None);
    assert!(s.op("anna").offers.is_empty());
    assert_eq!(s.open_load("boris"), 1);
    // Too late for carol.
    assert_eq!(
        s.err(2, accept("k1", "carol")),
        Error::NotOffered {
            conversation: "k1".into(),
            operator: "carol".into()
        }
    );
}

#[test]
fn all_mode_first_reply_wins() {
    // DESIGN: "in all mode the first to answer wins".
    let mut s = world(
        lc(Mode::All, &["anna", "boris", "carol"]).offer_timeout_secs(300),
        &["anna", "boris", "carol"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.at(1, reply("k1", "carol")),
        [
            "withdrawn k1 anna accepted_elsewhere",
            "withdrawn k1 boris accepted_elsewhere",
            "assigned k1 sales carol accepted"
        ]
    );
    assert!(s.conv("k1").answered);
}

#[test]
fn all_mode_offer_renewed_on_expiry() {
    // DESIGN: "At expiry every open offer is withdrawn (expired) and a new offered goes to
    // whoever is eligible then, with a new expires_at."
    let mut s = world(
        lc(Mode::All, &["anna", "boris", "carol"]).offer_timeout_secs(120),
        &["anna", "boris", "carol"],
    );
    s.at(0, offline("carol"));
    assert_eq!(s.at(0, inc("k1")), ["offered k1 sales [anna boris] by 2m"]);
    // carol comes online: she waits for the renewal (the offer is not widened in place).
    assert_eq!(s.at(1, online("carol")), NOTHING);
    assert_eq!(s.at(1, away("boris")), ["withdrawn k1 boris unavailable"]);
    assert_eq!(
        s.tick(2),
        [
            "withdrawn k1 anna expired",
            "offered k1 sales [anna carol] by 4m"
        ]
    );
    assert_eq!(s.ats(), [t(2), t(2)]);
    assert_eq!(s.e.poll_timeout(), Some(t(4)));
}

#[test]
fn all_mode_without_offer_timeout_never_expires() {
    let mut s = world(lc(Mode::All, &["anna", "boris"]), &["anna", "boris"]);
    assert_eq!(s.at(0, inc("k1")), ["offered k1 sales [anna boris]"]);
    assert_eq!(s.e.poll_timeout(), None);
    assert_eq!(s.tick(100_000), NOTHING);
}

#[test]
fn all_mode_offers_do_not_count_as_load_and_go_only_to_operators_with_room() {
    // DESIGN: "In all mode offers go only to eligible operators with room, and do not count as
    // load."
    let mut s = world(
        lc(Mode::All, &["anna", "boris"]).offer_timeout_secs(300),
        &["anna", "boris"],
    );
    s.at(0, op_cfg(OperatorConfig::new("anna").max_open(1)));
    for k in ["k1", "k2", "k3"] {
        assert_eq!(
            s.at(0, inc(k)),
            [format!("offered {k} sales [anna boris] by 5m")]
        );
    }
    assert_eq!(s.op("anna").load, OperatorLoad::default());
    assert_eq!(s.op("anna").offers.len(), 3);
    assert_eq!(
        s.at(1, accept("k1", "anna")),
        [
            "withdrawn k1 boris accepted_elsewhere",
            "assigned k1 sales anna accepted"
        ]
    );
    // anna is at her cap now: new offers skip her; her open offers stay.
    assert_eq!(s.at(2, inc("k4")), ["offered k4 sales [boris] by 7m"]);
    assert_eq!(s.op("anna").offers.len(), 2);
    // Accepting is manual: the cap does not stop it.
    assert_eq!(
        s.at(3, accept("k2", "anna")),
        [
            "withdrawn k2 boris accepted_elsewhere",
            "assigned k2 sales anna accepted"
        ]
    );
    assert_eq!(s.open_load("anna"), 2);
}

#[test]
fn all_mode_unavailable_operator_loses_offer() {
    let mut s = world(
        lc(Mode::All, &["anna", "boris", "carol"]).offer_timeout_secs(300),
        &["anna", "boris", "carol"],
    );
    s.at(0, inc("k1"));
    assert_eq!(s.at(1, offline("anna")), ["withdrawn k1 anna unavailable"]);
    assert_eq!(
        s.conv("k1").offered_to,
        [OperatorId::from("boris"), OperatorId::from("carol")]
    );
    // The offer keeps its expiry.
    assert_eq!(s.deadline("k1"), Some(t(5)));
}

#[test]
fn all_mode_last_offer_withdrawn_routes_again() {
    // DESIGN: "when no offer is left the conversation is routed again."
    let mut s = world(
        lc(Mode::All, &["anna", "boris"]).offer_timeout_secs(300),
        &["anna", "boris"],
    );
    s.at(0, offline("boris"));
    assert_eq!(s.at(0, inc("k1")), ["offered k1 sales [anna] by 5m"]);
    assert_eq!(
        s.at(1, offline("anna")),
        [
            "withdrawn k1 anna unavailable",
            "queued k1 sales no_eligible_operator"
        ]
    );
    assert_eq!(s.at(2, online("boris")), ["offered k1 sales [boris] by 7m"]);
}

#[test]
fn all_mode_expiry_with_nobody_with_room_queues() {
    // DESIGN: at expiry "… or the conversation is queued."
    let mut s = world(lc(Mode::All, &["anna"]).offer_timeout_secs(60), &["anna"]);
    s.at(0, op_cfg(OperatorConfig::new("anna").max_open(1)));
    s.at(0, inc("k1"));
    assert_eq!(
        s.at(0, outbound("k2", "anna", "c-k2", "wa")),
        ["assigned k2 sales anna outbound"]
    );
    assert_eq!(
        s.tick(1),
        ["withdrawn k1 anna expired", "queued k1 sales at_capacity"]
    );
    assert_eq!(
        s.at(2, close("k2")),
        ["closed k2 closed", "offered k1 sales [anna] by 3m"]
    );
}

#[test]
fn all_mode_take_by_someone_not_offered_withdraws_every_offer() {
    let mut s = world(
        lc(Mode::All, &["anna", "boris"]).offer_timeout_secs(300),
        &["anna", "boris"],
    );
    s.at(0, op("dave"));
    s.at(0, inc("k1"));
    assert_eq!(
        s.at(1, take("k1", "dave")),
        [
            "withdrawn k1 anna accepted_elsewhere",
            "withdrawn k1 boris accepted_elsewhere",
            "assigned k1 sales dave taken"
        ]
    );
}

#[test]
fn all_mode_accept_by_operator_not_offered_is_an_error() {
    let mut s = world(
        lc(Mode::All, &["anna", "boris"]).offer_timeout_secs(300),
        &["anna", "boris", "carol"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.err(1, accept("k1", "carol")),
        Error::NotOffered {
            conversation: "k1".into(),
            operator: "carol".into()
        }
    );
}

#[test]
fn closing_an_offered_conversation_emits_closed() {
    // Engine's choice: `closed` alone tells the host every offer of it is gone.
    let mut s = world(lc(Mode::All, &["anna", "boris"]), &["anna", "boris"]);
    s.at(0, inc("k1"));
    assert_eq!(s.at(1, close("k1")), ["closed k1 closed"]);
    assert!(s.op("anna").offers.is_empty());
}
