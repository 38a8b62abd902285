//! Article 000 — Bitrix24: the main employee first, the substitute second, strictly in
//! order. Strict mode, the availability check (offline, dismissed, absent), absences and
//! the work day, and how an assignment is confirmed.

use super::*;

/// Found by the differential test while trying out position-only ready-set keys: when a new queue
/// makes two operators trade places, both must stay ready (had a position alone identified its
/// operator in a ready set, whoever rejoined first would have been dropped).
#[test]
fn operators_trading_queue_places_both_stay_ready() {
    let mut s = world(strict(&["boris", "anna"]), &["anna", "boris"]);
    assert_eq!(s.at(1, line(strict(&["anna", "boris"]))), NOTHING);
    assert_eq!(s.at(2, inc("k1")), ["assigned k1 sales anna routed"]);
    // Boris alone moves into the place Anna left, while Anna leaves the line.
    assert_eq!(s.at(3, line(strict(&["vera", "boris"]))), NOTHING);
    assert_eq!(s.at(4, inc("k2")), ["assigned k2 sales boris routed"]);
}

#[test]
fn strict_mode_assigns_first_eligible_member_in_queue_order() {
    // 004: "strictly in order (first in the queue …)"; queue order, not creation order.
    let mut s = world(strict(&["boris", "anna"]), &["anna", "boris"]);
    assert_eq!(s.at(0, inc("k1")), ["assigned k1 sales boris routed"]);
    assert_eq!(s.at(1, inc("k2")), ["assigned k2 sales boris routed"]);
}

#[test]
fn strict_mode_substitute_sees_nothing_while_main_employee_is_at_work() {
    // 000: "while the main employee is at work, the substitute must not see them".
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(TWELVE_HOURS),
        &["anna", "boris"],
    );
    for (i, k) in ["k1", "k2", "k3"].into_iter().enumerate() {
        let m = i as i64;
        assert_eq!(
            s.at(m, inc(k)),
            [format!("assigned {k} sales anna routed by {}m", m + 720)]
        );
    }
    assert_eq!(s.op("boris").conversations.len(), 0);
    assert_eq!(s.op("boris").offers.len(), 0);
}

#[test]
fn strict_mode_moves_to_substitute_after_offer_timeout() {
    // 000 steps 1–3: the request goes to the first; if they do not answer within the set time
    // (12 hours recommended), it goes to the duty employee.
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(TWELVE_HOURS),
        &["anna", "boris"],
    );
    assert_eq!(
        s.at(0, inc("k1")),
        ["assigned k1 sales anna routed by 720m"]
    );
    assert_eq!(s.e.poll_timeout(), Some(t(720)));
    assert_eq!(s.tick(719), NOTHING);
    assert_eq!(
        s.tick(720),
        [
            "unassigned k1 anna no_answer",
            "assigned k1 sales boris routed by 1440m"
        ]
    );
    assert_eq!(s.ats(), [t(720), t(720)]);
    // The substitute answers: the assignment is confirmed, nothing moves any more.
    assert_eq!(s.at(721, accept("k1", "boris")), NOTHING);
    assert_eq!(s.deadline("k1"), None);
    assert_eq!(s.e.poll_timeout(), None);
    assert_eq!(s.tick(5000), NOTHING);
    assert_eq!(s.holder("k1").as_deref(), Some("boris"));
}

#[test]
fn availability_check_moves_offer_early_when_main_employee_goes_offline() {
    // 000 step 4: "If any check fails, the request moves to the duty employee earlier than the
    // timeout."
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(TWELVE_HOURS),
        &["anna", "boris"],
    );
    assert_eq!(
        s.at(0, inc("k1")),
        ["assigned k1 sales anna routed by 720m"]
    );
    assert_eq!(
        s.at(5, offline("anna")),
        [
            "unassigned k1 anna unavailable",
            "assigned k1 sales boris routed by 725m"
        ]
    );
    assert_eq!(s.e.poll_timeout(), Some(t(725)));
    // Back at work, the main employee gets the next one; k1 stays with the substitute.
    assert_eq!(s.at(10, online("anna")), NOTHING);
    assert_eq!(
        s.at(11, inc("k2")),
        ["assigned k2 sales anna routed by 731m"]
    );
    assert_eq!(s.holder("k1").as_deref(), Some("boris"));
}

#[test]
fn availability_check_moves_offer_early_when_main_employee_is_dismissed() {
    // 000: "the operator is not dismissed"; DESIGN: "an operator made inactive loses their
    // unanswered assignments, like anyone who becomes unavailable".
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(TWELVE_HOURS),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.at(5, op_cfg(OperatorConfig::new("anna").active(false))),
        [
            "unassigned k1 anna unavailable",
            "assigned k1 sales boris routed by 725m"
        ]
    );
    assert!(!s.op("anna").active);
}

#[test]
fn availability_check_moves_offer_early_when_vacation_starts() {
    // 000: "is not on vacation"; an absence window that starts later takes effect at its start.
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(TWELVE_HOURS),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(s.at(0, absence("anna", 10, 100)), NOTHING);
    assert!(!s.op("anna").absent);
    assert_eq!(s.e.poll_timeout(), Some(t(10)));
    assert_eq!(
        s.tick(10),
        [
            "unassigned k1 anna unavailable",
            "assigned k1 sales boris routed by 730m"
        ]
    );
    assert_eq!(s.ats(), [t(10), t(10)]);
    assert!(s.op("anna").absent);
}

#[test]
fn operator_on_vacation_is_skipped() {
    // 000: the availability check skips an operator on vacation; after it they are back.
    let mut s = world(strict(&["anna", "boris"]), &["anna", "boris"]);
    assert_eq!(s.at(0, absence("anna", -60, 60)), NOTHING);
    assert!(s.op("anna").absent);
    assert_eq!(s.at(1, inc("k1")), ["assigned k1 sales boris routed"]);
    assert_eq!(s.tick(60), NOTHING);
    assert!(!s.op("anna").absent);
    assert_eq!(s.at(61, inc("k2")), ["assigned k2 sales anna routed"]);
}

#[test]
fn vacation_end_places_waiting_conversations() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(0, absence("anna", 0, 60));
    assert_eq!(s.at(1, inc("k1")), ["queued k1 sales no_eligible_operator"]);
    assert_eq!(s.tick(60), ["assigned k1 sales anna routed"]);
    assert_eq!(s.ats(), [t(60)]);
}

#[test]
fn absences_add_up_and_clear_absences_removes_them_all() {
    // DESIGN: "Absences add up; clear_absences removes them all."
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(0, absence("anna", 10, 20));
    s.at(0, absence("anna", 30, 40));
    s.tick(15);
    assert!(s.op("anna").absent);
    s.tick(25);
    assert!(!s.op("anna").absent);
    s.tick(35);
    assert!(s.op("anna").absent);
    assert_eq!(
        s.at(36, inc("k1")),
        ["queued k1 sales no_eligible_operator"]
    );
    assert_eq!(
        s.at(37, clear_absences("anna")),
        ["assigned k1 sales anna routed"]
    );
    assert!(!s.op("anna").absent);
    assert_eq!(
        s.e.poll_timeout(),
        None,
        "cleared absences leave no deadline"
    );
    // A later window added after clearing works again.
    s.at(38, absence("anna", 50, 60));
    assert_eq!(s.e.poll_timeout(), Some(t(50)));
}

#[test]
fn require_workday_uses_work_day_not_presence() {
    // 000: "has started the work day (if time tracking is on) or is online".
    let mut s = world(
        strict(&["anna", "boris"])
            .require_workday(true)
            .offer_timeout_secs(600),
        &["anna", "boris"],
    );
    // anna is online but has not started her day; boris started his but is offline.
    s.at(0, offline("boris"));
    s.at(0, workday_started("boris"));
    assert_eq!(
        s.at(1, inc("k1")),
        ["assigned k1 sales boris routed by 11m"]
    );
    assert_eq!(s.at(2, workday_started("anna")), NOTHING);
    assert_eq!(s.at(3, inc("k2")), ["assigned k2 sales anna routed by 13m"]);
    // Ending the work day is leaving: the unanswered assignment moves on at once.
    assert_eq!(
        s.at(4, workday_ended("anna")),
        [
            "unassigned k2 anna unavailable",
            "assigned k2 sales boris routed by 14m"
        ]
    );
    assert!(s.op("boris").workday_started);
}

#[test]
fn without_require_workday_presence_decides_and_work_day_is_ignored() {
    let mut s = world(strict(&["anna", "boris"]), &["anna", "boris"]);
    s.at(0, offline("anna"));
    s.at(0, workday_started("anna"));
    assert_eq!(s.at(1, inc("k1")), ["assigned k1 sales boris routed"]);
}

#[test]
fn away_operator_receives_nothing() {
    // 001: operators who "set themselves not online … receive nothing".
    let mut s = world(strict(&["anna", "boris"]), &["anna", "boris"]);
    s.at(0, away("anna"));
    assert_eq!(s.at(1, inc("k1")), ["assigned k1 sales boris routed"]);
    assert_eq!(s.op("anna").presence, Presence::Away);
}

#[test]
fn dismissed_operator_gets_nothing() {
    // 000 "not dismissed", 001 "not paid … receive nothing" — even without the availability
    // check, an inactive operator is never eligible.
    let mut s = world(strict(&["anna", "boris"]), &["anna", "boris"]);
    s.at(0, op_cfg(OperatorConfig::new("anna").active(false)));
    assert_eq!(s.at(1, inc("k1")), ["assigned k1 sales boris routed"]);
    s.at(
        2,
        line(strict(&["anna", "boris"]).check_availability(false)),
    );
    assert_eq!(s.at(3, inc("k2")), ["assigned k2 sales boris routed"]);
    s.at(4, op_cfg(OperatorConfig::new("boris").active(false)));
    assert_eq!(s.at(5, inc("k3")), ["queued k3 sales no_eligible_operator"]);
}

#[test]
fn check_availability_off_routes_to_offline_and_absent_operators() {
    let mut s = world(
        strict(&["anna", "boris"]).check_availability(false),
        &["anna", "boris"],
    );
    s.at(0, offline("anna"));
    s.at(0, absence("anna", 0, 100));
    assert_eq!(s.at(1, inc("k1")), ["assigned k1 sales anna routed"]);
}

#[test]
fn going_offline_does_not_move_a_confirmed_assignment() {
    // Only unanswered assignments move on when their operator becomes unavailable.
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(s.at(1, accept("k1", "anna")), NOTHING);
    assert_eq!(s.at(2, offline("anna")), NOTHING);
    assert_eq!(s.holder("k1").as_deref(), Some("anna"));
    assert_eq!(s.open_load("anna"), 1);
}

#[test]
fn accept_confirms_assignment_cancels_deadline_and_emits_nothing() {
    // DESIGN: "accept, take or an answer by the operator who holds an unanswered assignment
    // confirms it: the deadline is cancelled … No decision is emitted for it."
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(s.deadline("k1"), Some(t(10)));
    assert_eq!(s.e.line_counters("sales").unwrap().offered, 1);
    assert_eq!(s.at(1, accept("k1", "anna")), NOTHING);
    assert_eq!(s.deadline("k1"), None);
    assert_eq!(s.e.poll_timeout(), None);
    let counters = s.e.line_counters("sales").unwrap();
    assert_eq!((counters.offered, counters.assigned), (0, 1));
    assert_eq!(s.tick(100), NOTHING);
}

#[test]
fn answer_by_holder_confirms_assignment() {
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(s.at(1, reply("k1", "anna")), NOTHING);
    assert_eq!(s.deadline("k1"), None);
    assert!(s.conv("k1").answered);
    assert!(!s.conv("k1").awaiting_reply);
    assert_eq!(s.tick(100), NOTHING);
}

#[test]
fn take_by_holder_confirms_assignment() {
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(s.at(1, take("k1", "anna")), NOTHING);
    assert_eq!(s.deadline("k1"), None);
    assert_eq!(s.tick(100), NOTHING);
}
