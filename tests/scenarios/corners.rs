//! More corners.

use super::*;

#[test]
fn without_availability_check_going_offline_does_not_move_an_unanswered_assignment() {
    // 000: the early move is what the availability check adds; without it only the timeout
    // moves a conversation on.
    let mut s = world(
        strict(&["anna", "boris"])
            .check_availability(false)
            .offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(s.at(1, offline("anna")), NOTHING);
    assert_eq!(s.at(2, absence("anna", 2, 50)), NOTHING);
    assert_eq!(s.holder("k1").as_deref(), Some("anna"));
    // Dismissal still moves it: an inactive operator is never eligible.
    assert_eq!(
        s.at(3, op_cfg(OperatorConfig::new("anna").active(false))),
        [
            "unassigned k1 anna unavailable",
            "assigned k1 sales boris routed by 13m"
        ]
    );
}

#[test]
fn all_mode_dismissed_operator_loses_offer() {
    let mut s = world(
        lc(Mode::All, &["anna", "boris"]).offer_timeout_secs(300),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.at(1, op_cfg(OperatorConfig::new("anna").active(false))),
        ["withdrawn k1 anna unavailable"]
    );
}

#[test]
fn all_mode_operator_coming_online_is_offered_every_waiting_conversation() {
    // Offers do not count as load, so one operator can be offered everything waiting.
    let mut s = world(lc(Mode::All, &["anna"]).offer_timeout_secs(300), &["anna"]);
    s.at(0, offline("anna"));
    s.at(1, inc("k1"));
    s.at(2, inc("k2"));
    assert_eq!(
        s.at(3, online("anna")),
        [
            "offered k1 sales [anna] by 8m",
            "offered k2 sales [anna] by 8m"
        ]
    );
}

#[test]
fn changing_mode_leaves_open_offers_until_they_expire() {
    // DESIGN: "Changing a line's queue or mode leaves current assignments and their deadlines
    // as they are".
    let mut s = world(
        lc(Mode::All, &["anna", "boris"]).offer_timeout_secs(300),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.at(1, line(strict(&["boris", "anna"]).offer_timeout_secs(300))),
        NOTHING
    );
    assert_eq!(s.conv("k1").state, ConversationState::Offered);
    assert_eq!(
        s.tick(5),
        [
            "withdrawn k1 anna expired",
            "withdrawn k1 boris expired",
            "assigned k1 sales boris routed by 10m"
        ]
    );
}

#[test]
fn reopened_conversation_routes_on_its_channels_current_line() {
    let mut s = world(strict(&["anna"]), &["anna", "carol"]);
    s.at(0, line(renamed(strict(&["carol"]), "support")));
    s.at(0, inc("k1"));
    s.at(1, close("k1"));
    s.at(2, disconnect("wa"));
    s.at(2, chan("wa", "support"));
    assert_eq!(s.at(3, inc("k1")), ["assigned k1 support carol routed"]);
}

#[test]
fn message_out_naming_another_client_or_channel_is_an_error() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(0, chan("tg", "sales"));
    s.at(0, inc("k1"));
    assert_eq!(
        s.err(1, outbound("k1", "anna", "c-x", "wa")),
        Error::ClientMismatch {
            conversation: "k1".into(),
            expected: "c-k1".into(),
            got: "c-x".into()
        }
    );
    assert_eq!(
        s.err(1, outbound("k1", "anna", "c-k1", "tg")),
        Error::ChannelMismatch {
            conversation: "k1".into(),
            expected: "wa".into(),
            got: "tg".into()
        }
    );
}

#[test]
fn failed_late_input_is_not_counted_as_past() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(10, inc("k1"));
    assert_eq!(
        s.err(5, online("zoe")),
        Error::UnknownOperator("zoe".into())
    );
    assert_eq!(s.e.past_inputs(), 0);
    s.at(5, offline("anna"));
    assert_eq!(s.e.past_inputs(), 1);
}

#[test]
fn transfer_to_a_line_in_all_mode_offers_it() {
    let mut s = world(strict(&["anna"]), &["anna", "boris", "carol"]);
    s.at(
        0,
        line(renamed(lc(Mode::All, &["boris", "carol"]), "support").offer_timeout_secs(120)),
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.at(1, transfer_line("k1", "support")),
        [
            "unassigned k1 anna transferred",
            "offered k1 support [boris carol] by 3m"
        ]
    );
}

#[test]
fn operator_in_several_lines_serves_each_with_its_own_settings() {
    // 000 setting: several open lines; each line applies its own mode and timeout.
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(
        0,
        line(renamed(lc(Mode::Evenly, &["anna", "boris"]), "support")),
    );
    s.at(0, chan("tg", "support"));
    assert_eq!(s.at(1, inc("k1")), ["assigned k1 sales anna routed by 11m"]);
    // evenly on support: boris was never assigned anything.
    assert_eq!(
        s.at(2, inc_from("s1", "c-s1", "tg")),
        ["assigned s1 support boris routed"]
    );
    assert_eq!(s.op("anna").conversations.len(), 1);
}

#[test]
fn keep_last_is_not_undone_by_an_availability_change_that_does_not_matter_to_the_line() {
    // DESIGN: "keep_last makes the last assignment final (no more deadline)". anna never left
    // this line (it checks presence, not the work day): starting her work day must not make
    // her "not yet tried" again.
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
    assert_eq!(s.at(1, workday_started("anna")), NOTHING);
    assert_eq!(s.tick(2), ["assigned k1 sales boris routed"]);
    assert_eq!(s.holder("k1").as_deref(), Some("boris"));
    assert_eq!(s.deadline("k1"), None);
}

#[test]
fn requeued_conversation_does_not_go_back_to_a_tried_operator_who_never_left() {
    // DESIGN: with requeue "only operators not yet tried, or who become eligible again after
    // leaving, can take it". Starting a work day on a presence-checked line is not leaving and
    // coming back.
    let mut s = world(
        strict(&["anna"])
            .offer_timeout_secs(60)
            .on_exhausted(OnExhausted::Requeue),
        &["anna"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.tick(1),
        ["unassigned k1 anna no_answer", "queued k1 sales exhausted"]
    );
    assert_eq!(s.at(2, workday_started("anna")), NOTHING);
    // The same settings again: waiting conversations are routed again, and k1 still waits.
    assert_eq!(
        s.at(
            3,
            line(
                strict(&["anna"])
                    .offer_timeout_secs(60)
                    .on_exhausted(OnExhausted::Requeue)
            )
        ),
        NOTHING
    );
    assert_eq!(s.waiting("sales"), ["k1"]);
}

#[test]
fn overlapping_absences_keep_the_operator_absent_until_the_last_one_ends() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(0, absence("anna", 10, 30));
    s.at(0, absence("anna", 20, 40));
    s.tick(30);
    assert!(s.op("anna").absent);
    assert_eq!(
        s.at(31, inc("k1")),
        ["queued k1 sales no_eligible_operator"]
    );
    assert_eq!(s.tick(40), ["assigned k1 sales anna routed"]);
    assert_eq!(s.ats(), [t(40)]);
}

#[test]
fn operator_created_later_takes_waiting_work_at_once_on_a_line_without_availability_check() {
    let mut s = world(strict(&["zoe"]).check_availability(false), &[]);
    assert_eq!(s.at(1, inc("k1")), ["queued k1 sales no_eligible_operator"]);
    assert_eq!(s.at(2, op("zoe")), ["assigned k1 sales zoe routed"]);
}

#[test]
fn accept_at_the_very_deadline_is_too_late() {
    // DESIGN §3: "handle(now, input) first fires every deadline ≤ now, then applies the input".
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(60),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.err(1, accept("k1", "anna")),
        Error::NotOffered {
            conversation: "k1".into(),
            operator: "anna".into()
        }
    );
    assert_eq!(
        s.at(t(1) - TimeDelta::seconds(1), accept("k1", "anna")),
        NOTHING
    );
    assert_eq!(s.holder("k1").as_deref(), Some("anna"));
}

#[test]
fn absence_starting_now_moves_an_unanswered_assignment_at_once() {
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.at(2, absence("anna", 2, 100)),
        [
            "unassigned k1 anna unavailable",
            "assigned k1 sales boris routed by 12m"
        ]
    );
    // An absence entirely in the past changes nothing.
    assert_eq!(s.at(3, absence("boris", -100, -50)), NOTHING);
    assert!(!s.op("boris").absent);
}
