//! Scenario tests: one rule per test, written against the Rust API and named after the rule.
//!
//! The rules come from DESIGN.md (§1 "Details that are easy to get wrong", §3, §4) and the source
//! articles retold in `domain/SUMMARY.md`: 000 (Bitrix24, a substitute for days off), 001
//! (Teletype, automatic distribution) and 004 (Bitrix24, open line settings).
//!
//! Every step goes through [`Sim`] (in `scenario_support`), which after each input or tick also
//! - calls `verify_invariants`,
//! - follows the decision stream like a host would and checks that it alone tells where every
//!   conversation is (DESIGN: "The decision stream alone tells a host where every conversation
//!   is"): an `assigned` never comes while someone still holds or is offered the conversation,
//!   an `unassigned` names the holder, and the engine's own view agrees after every step.
//!
//! Steps are written at minutes after [`base`]; decisions as `"<what>"`, without their time.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use routeline::{
    ChannelConfig, ConversationState, CountTowardCap, Decision, Engine, Error, Input, LineConfig,
    MAX_OFFER_TIMEOUT_SECS, MIN_OFFER_TIMEOUT_SECS, Mode, OnExhausted, OperatorConfig, OperatorId,
    OperatorLoad, PinnedPolicy, Presence,
};

mod scenario_support;
use scenario_support::{
    NOTHING, Notation, When, chan, close, inc, inc_from, line, offline, online, op, op_cfg,
    outbound, reply, spam, take, transfer_to,
};

#[path = "../examples/replay.rs"]
#[allow(dead_code)]
mod replay;

// ---- time ---------------------------------------------------------------------------------

/// Monday 2 March 2026, 09:00 UTC: minute 0 of every scenario.
fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// `mins` minutes after the base time.
fn t(mins: i64) -> DateTime<Utc> {
    base() + TimeDelta::minutes(mins)
}

/// A step at minute `m`.
impl When for i64 {
    fn instant(self) -> DateTime<Utc> {
        t(self)
    }
}

/// A step at an exact moment, for the seconds between minutes.
impl When for DateTime<Utc> {
    fn instant(self) -> DateTime<Utc> {
        self
    }
}

/// Decisions without their own time: `assigned k1 sales anna routed by 720m`, `queued k1 sales
/// at_capacity`, …
struct Minutes;

impl Notation for Minutes {
    /// A moment as minutes (or seconds) after the base time, for compact decision strings.
    fn time(at: DateTime<Utc>) -> String {
        let s = (at - base()).num_seconds();
        if s % 60 == 0 {
            format!("{}m", s / 60)
        } else {
            format!("{s}s")
        }
    }
}

type Sim = scenario_support::Sim<Minutes>;

const TWELVE_HOURS: u32 = 43_200;

// ---- inputs -------------------------------------------------------------------------------

fn chan_ops(ch: &str, l: &str, ops: &[&str]) -> Input {
    Input::ConnectChannel(ChannelConfig::new(ch, l).operators(ops.iter().copied()))
}
fn presence(o: &str, status: Presence) -> Input {
    Input::Presence {
        operator: o.into(),
        status,
    }
}
fn away(o: &str) -> Input {
    presence(o, Presence::Away)
}
fn accept(k: &str, o: &str) -> Input {
    Input::Accept {
        conversation: k.into(),
        operator: o.into(),
    }
}
fn transfer_line(k: &str, l: &str) -> Input {
    Input::Transfer {
        conversation: k.into(),
        to_operator: None,
        to_line: Some(l.into()),
    }
}
fn pin(client: &str, o: &str) -> Input {
    Input::PinClient {
        client: client.into(),
        operator: o.into(),
    }
}
fn unpin(client: &str) -> Input {
    Input::UnpinClient {
        client: client.into(),
    }
}
fn absence(o: &str, from: i64, until: i64) -> Input {
    Input::Absence {
        operator: o.into(),
        from: t(from),
        until: t(until),
    }
}
fn clear_absences(o: &str) -> Input {
    Input::ClearAbsences { operator: o.into() }
}
fn workday_started(o: &str) -> Input {
    Input::WorkdayStarted { operator: o.into() }
}
fn workday_ended(o: &str) -> Input {
    Input::WorkdayEnded { operator: o.into() }
}
fn remove_op(o: &str) -> Input {
    Input::RemoveOperator { operator: o.into() }
}
fn remove_line(l: &str) -> Input {
    Input::RemoveLine { line: l.into() }
}
fn disconnect(ch: &str) -> Input {
    Input::DisconnectChannel { channel: ch.into() }
}

/// Line `sales` in `mode` with these members, in order.
fn lc(mode: Mode, members: &[&str]) -> LineConfig {
    members
        .iter()
        .fold(LineConfig::new("sales").mode(mode), |l, m| l.member(*m))
}
fn strict(members: &[&str]) -> LineConfig {
    lc(Mode::Strict, members)
}
/// The same configuration for another line.
fn renamed(mut cfg: LineConfig, id: &str) -> LineConfig {
    cfg.line = id.into();
    cfg
}

// ---- the harness --------------------------------------------------------------------------

impl Sim {
    /// The `at` of every decision of the last step.
    fn ats(&self) -> Vec<DateTime<Utc>> {
        self.last.iter().map(|d| d.at).collect()
    }

    fn holder(&self, k: &str) -> Option<String> {
        self.conv(k).operator.map(|o| o.to_string())
    }

    fn deadline(&self, k: &str) -> Option<DateTime<Utc>> {
        self.conv(k).deadline
    }

    fn open_load(&self, o: &str) -> u32 {
        self.op(o).load.open
    }
}

/// Operators created in this order and online, `line` upserted and channel `wa` connected to
/// it, all at minute 0 and without a decision.
fn world(cfg: LineConfig, ops: &[&str]) -> Sim {
    Sim::world(0, cfg, ops)
}

// =============================================================================================
// Article 000 — Bitrix24: the main employee first, the substitute second, strictly in order.
// =============================================================================================

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

// ---- on_exhausted ---------------------------------------------------------------------------

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

// =============================================================================================
// Queue modes (004: evenly, strictly in order, all at once; balanced beyond the sources)
// =============================================================================================

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

// =============================================================================================
// Offer timeout range (004: "from 1 minute to 12 hours")
// =============================================================================================

#[test]
fn offer_timeout_must_be_between_1_minute_and_12_hours() {
    assert_eq!(
        (MIN_OFFER_TIMEOUT_SECS, MAX_OFFER_TIMEOUT_SECS),
        (60, 43_200)
    );
    let mut s = world(strict(&["anna"]).offer_timeout_secs(600), &["anna"]);
    for bad in [0, 1, 59, 43_201, 86_400, u32::MAX] {
        assert_eq!(
            s.err(1, line(strict(&["anna"]).offer_timeout_secs(bad))),
            Error::InvalidOfferTimeout {
                line: "sales".into(),
                secs: bad
            }
        );
        assert_eq!(
            s.err(1, line(LineConfig::new("new").offer_timeout_secs(bad))),
            Error::InvalidOfferTimeout {
                line: "new".into(),
                secs: bad
            }
        );
    }
    assert!(!s.e.lines().iter().any(|l| l.as_str() == "new"));
    // The old setting survived the rejected upserts.
    assert_eq!(s.at(2, inc("k1")), ["assigned k1 sales anna routed by 12m"]);
    assert_eq!(
        s.at(3, line(strict(&["anna"]).offer_timeout_secs(60))),
        NOTHING
    );
    assert_eq!(s.at(3, inc("k2")), ["assigned k2 sales anna routed by 4m"]);
    s.at(3, accept("k2", "anna"));
    assert_eq!(
        s.at(4, line(strict(&["anna"]).offer_timeout_secs(43_200))),
        NOTHING
    );
    assert_eq!(
        s.at(4, inc("k3")),
        ["assigned k3 sales anna routed by 724m"]
    );
}

// =============================================================================================
// Caps (001: maximum number of requests per operator)
// =============================================================================================

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

// =============================================================================================
// Pinned operator (001: always / try to / ignore)
// =============================================================================================

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

// =============================================================================================
// Operators per channel (001)
// =============================================================================================

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

// =============================================================================================
// Queue of employees and departments (004), groups
// =============================================================================================

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

// =============================================================================================
// Lines and channels (004: each channel connects to exactly one open line)
// =============================================================================================

#[test]
fn channel_connects_to_exactly_one_line() {
    let mut s = world(strict(&["anna"]), &["anna", "boris"]);
    s.at(0, line(renamed(strict(&["boris"]), "support")));
    assert_eq!(
        s.err(1, chan("wa", "support")),
        Error::ChannelOnAnotherLine {
            channel: "wa".into(),
            connected_to: "sales".into(),
            requested: "support".into()
        }
    );
    // Reconnecting to the same line only reconfigures it.
    assert_eq!(s.at(2, chan("wa", "sales")), NOTHING);
    assert_eq!(s.at(3, disconnect("wa")), NOTHING);
    assert_eq!(s.at(4, chan("wa", "support")), NOTHING);
    assert_eq!(s.at(5, inc("k1")), ["assigned k1 support boris routed"]);
}

#[test]
fn connect_channel_to_unknown_line_is_an_error() {
    // DESIGN: "A channel's line must exist."
    let mut s = world(strict(&["anna"]), &["anna"]);
    assert_eq!(
        s.err(1, chan("tg", "nowhere")),
        Error::UnknownLine("nowhere".into())
    );
}

#[test]
fn disconnected_channel_keeps_its_conversations_but_rejects_new_messages() {
    // DESIGN: "Disconnecting a channel leaves its open conversations on their line; a new
    // message_in on it is an error until it is connected again."
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(0, inc("k1"));
    assert_eq!(s.at(1, disconnect("wa")), NOTHING);
    assert_eq!(s.holder("k1").as_deref(), Some("anna"));
    assert_eq!(s.conv("k1").line.as_str(), "sales");
    assert_eq!(s.err(2, inc("k1")), Error::ChannelDisconnected("wa".into()));
    assert_eq!(s.err(2, inc("k2")), Error::ChannelDisconnected("wa".into()));
    // The operator can still work on it.
    assert_eq!(s.at(3, reply("k1", "anna")), NOTHING);
    s.at(4, chan("wa", "sales"));
    assert_eq!(s.at(5, inc("k1")), NOTHING);
}

#[test]
fn message_on_unknown_channel_is_an_error() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    assert_eq!(
        s.err(1, inc_from("k1", "c1", "nope")),
        Error::UnknownChannel("nope".into())
    );
    assert_eq!(
        s.err(1, disconnect("nope")),
        Error::UnknownChannel("nope".into())
    );
}

#[test]
fn remove_line_fails_while_channels_connected_then_closes_conversations() {
    // DESIGN: "remove_line fails while channels are connected to the line (disconnect them
    // first); the line's open conversations are then closed (closed reason line_removed)."
    let mut s = world(lc(Mode::All, &["anna"]), &["anna"]);
    s.at(0, chan("tg", "sales"));
    s.at(0, chan_ops("vk", "sales", &[]));
    s.at(1, inc("k1"));
    s.at(1, accept("k1", "anna"));
    assert_eq!(
        s.at(2, inc_from("k2", "c2", "tg")),
        ["offered k2 sales [anna]"]
    );
    assert_eq!(
        s.at(3, inc_from("k3", "c3", "vk")),
        ["queued k3 sales no_operators_for_channel"]
    );
    assert_eq!(
        s.err(3, remove_line("sales")),
        Error::LineHasChannels {
            line: "sales".into(),
            channels: vec!["wa".into(), "tg".into(), "vk".into()]
        }
    );
    s.at(4, disconnect("wa"));
    s.at(4, disconnect("vk"));
    assert_eq!(
        s.err(4, remove_line("sales")),
        Error::LineHasChannels {
            line: "sales".into(),
            channels: vec!["tg".into()]
        }
    );
    s.at(5, disconnect("tg"));
    assert_eq!(
        s.at(6, remove_line("sales")),
        [
            "closed k1 line_removed",
            "closed k2 line_removed",
            "closed k3 line_removed"
        ]
    );
    assert_eq!(s.open_load("anna"), 0);
    assert!(s.op("anna").offers.is_empty());
    assert!(s.e.lines().is_empty());
    assert_eq!(s.e.waiting("sales"), None);
    assert_eq!(s.e.line_counters("sales"), None);
    assert_eq!(
        s.err(7, remove_line("sales")),
        Error::UnknownLine("sales".into())
    );
    // The line can be created again; a client writing into a closed conversation reopens it
    // there.
    s.at(8, line(strict(&["anna"])));
    s.at(8, chan("wa", "sales"));
    assert_eq!(s.at(9, inc("k1")), ["assigned k1 sales anna routed"]);
}

#[test]
fn remove_line_closing_a_held_conversation_while_another_waits_does_not_panic() {
    // DESIGN §2: "No input, however malformed, may panic the engine." Closing k1 frees room
    // for anna in the very line being removed, where k2 waits.
    let mut s = world(strict(&["anna"]).max_open_per_operator(1), &["anna"]);
    s.at(1, inc("k1"));
    assert_eq!(s.at(2, inc("k2")), ["queued k2 sales at_capacity"]);
    s.at(3, disconnect("wa"));
    assert_eq!(
        s.at(4, remove_line("sales")),
        ["closed k1 line_removed", "closed k2 line_removed"]
    );
    assert_eq!(s.open_load("anna"), 0);
}

#[test]
fn changing_line_queue_keeps_current_assignments_and_deadlines() {
    // DESIGN: "Changing a line's queue or mode leaves current assignments and their deadlines
    // as they are".
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.at(
            1,
            line(lc(Mode::Balanced, &["boris"]).offer_timeout_secs(60))
        ),
        NOTHING
    );
    assert_eq!(s.holder("k1").as_deref(), Some("anna"));
    assert_eq!(s.deadline("k1"), Some(t(10)));
    assert_eq!(s.tick(9), NOTHING);
    assert_eq!(
        s.tick(10),
        [
            "unassigned k1 anna no_answer",
            "assigned k1 sales boris routed by 11m"
        ]
    );
}

#[test]
fn upsert_line_replaces_whole_configuration_and_reroutes_waiting_at_once() {
    // DESIGN: "An upsert replaces the whole configuration … a field left out returns to its
    // default"; "waiting conversations are routed again under the new settings at once".
    let mut s = world(strict(&["anna"]).max_open_per_operator(1), &["anna"]);
    s.at(0, inc("k1"));
    assert_eq!(s.at(1, inc("k2")), ["queued k2 sales at_capacity"]);
    assert_eq!(
        s.at(2, line(strict(&["anna"]))),
        ["assigned k2 sales anna routed"]
    );
}

#[test]
fn line_defaults_are_evenly_prefer_availability_cycle_open() {
    // DESIGN defaults: mode evenly, pinned prefer, check_availability true, require_workday
    // false, on_exhausted cycle, count open, prefer_last_operator false, no caps, no timeout.
    let cfg: LineConfig = serde_json::from_str(r#"{"line":"sales"}"#).unwrap();
    assert_eq!(cfg, LineConfig::new("sales"));
    assert_eq!(cfg.mode, Mode::Evenly);
    assert_eq!(cfg.pinned_policy, PinnedPolicy::Prefer);
    assert!(cfg.check_availability);
    assert!(!cfg.require_workday);
    assert_eq!(cfg.on_exhausted, OnExhausted::Cycle);
    assert_eq!(cfg.count_toward_cap, CountTowardCap::Open);
    assert!(!cfg.prefer_last_operator);
    assert_eq!(cfg.max_open_per_operator, None);
    assert_eq!(cfg.offer_timeout_secs, None);
    let opc: OperatorConfig = serde_json::from_str(r#"{"operator":"anna"}"#).unwrap();
    assert_eq!(opc, OperatorConfig::new("anna"));
    assert!(opc.active);
}

// =============================================================================================
// Operators
// =============================================================================================

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

// =============================================================================================
// Conversations: messages, take, transfer, close
// =============================================================================================

#[test]
fn message_in_on_an_open_conversation_continues_it_without_a_decision() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(0, inc("k1"));
    s.at(1, reply("k1", "anna"));
    assert!(!s.conv("k1").awaiting_reply);
    assert_eq!(s.at(2, inc("k1")), NOTHING);
    assert!(s.conv("k1").awaiting_reply);
    assert_eq!(s.e.conversations().len(), 1);
}

#[test]
fn message_in_naming_a_known_conversation_with_another_client_or_channel_is_an_error() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(0, chan("tg", "sales"));
    s.at(0, inc("k1"));
    assert_eq!(
        s.err(1, inc_from("k1", "c-x", "wa")),
        Error::ClientMismatch {
            conversation: "k1".into(),
            expected: "c-k1".into(),
            got: "c-x".into()
        }
    );
    assert_eq!(
        s.err(1, inc_from("k1", "c-k1", "tg")),
        Error::ChannelMismatch {
            conversation: "k1".into(),
            expected: "wa".into(),
            got: "tg".into()
        }
    );
}

#[test]
fn closed_conversation_reopened_by_client_is_routed_again() {
    let mut s = world(strict(&["anna", "boris"]), &["anna", "boris"]);
    s.at(0, inc("k1"));
    s.at(1, reply("k1", "anna"));
    assert_eq!(s.at(2, close("k1")), ["closed k1 closed"]);
    assert_eq!(s.conv("k1").state, ConversationState::Closed);
    assert_eq!(s.open_load("anna"), 0);
    assert_eq!(s.at(3, inc("k1")), ["assigned k1 sales anna routed"]);
    assert!(
        !s.conv("k1").answered,
        "reopened: nobody has answered since"
    );
}

#[test]
fn prefer_last_operator_for_reopened_conversation() {
    // Config: "Send a reopened conversation, or a new one from a client served before, to the
    // last operator who served the client when they are eligible and under cap."
    let cfg = lc(Mode::Evenly, &["anna", "boris"]).prefer_last_operator(true);
    let mut s = world(cfg, &["anna", "boris"]);
    s.at(0, inc_from("k1", "c1", "wa"));
    s.at(1, reply("k1", "anna"));
    s.at(2, close("k1"));
    // Evenly alone would pick boris (never assigned).
    assert_eq!(
        s.at(3, inc_from("k1", "c1", "wa")),
        ["assigned k1 sales anna last_operator"]
    );
    assert_eq!(
        s.at(4, inc_from("k2", "c1", "wa")),
        ["assigned k2 sales anna last_operator"]
    );
    assert_eq!(
        s.at(5, inc_from("k3", "c3", "wa")),
        ["assigned k3 sales boris routed"]
    );
}

#[test]
fn prefer_last_operator_is_off_by_default() {
    let mut s = world(lc(Mode::Evenly, &["anna", "boris"]), &["anna", "boris"]);
    s.at(0, inc_from("k1", "c1", "wa"));
    s.at(1, reply("k1", "anna"));
    s.at(2, close("k1"));
    assert_eq!(
        s.at(3, inc_from("k1", "c1", "wa")),
        ["assigned k1 sales boris routed"]
    );
}

#[test]
fn prefer_last_operator_falls_back_when_last_operator_is_unavailable() {
    let cfg = lc(Mode::Evenly, &["anna", "boris"]).prefer_last_operator(true);
    let mut s = world(cfg, &["anna", "boris"]);
    s.at(0, inc_from("k1", "c1", "wa"));
    s.at(1, close("k1"));
    s.at(2, offline("anna"));
    assert_eq!(
        s.at(3, inc_from("k1", "c1", "wa")),
        ["assigned k1 sales boris routed"]
    );
}

#[test]
fn take_from_another_operator_unassigns_them_first_and_is_final() {
    // DESIGN: "A transfer to a named operator, a take and an outbound conversation are final at
    // once (no answer deadline)."
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.at(1, take("k1", "boris")),
        [
            "unassigned k1 anna taken_over",
            "assigned k1 sales boris taken"
        ]
    );
    assert_eq!(s.deadline("k1"), None);
    assert_eq!(s.e.poll_timeout(), None);
}

#[test]
fn anyone_may_take_a_waiting_conversation_member_of_the_line_or_not() {
    // DESIGN: "Anyone may take a conversation or write into it, member of the line or not";
    // 003: "take into work".
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(0, offline("anna"));
    s.at(0, op("dave"));
    assert_eq!(s.at(1, inc("k1")), ["queued k1 sales no_eligible_operator"]);
    assert_eq!(
        s.at(2, take("k1", "dave")),
        ["assigned k1 sales dave taken"]
    );
    assert!(s.waiting("sales").is_empty());
}

#[test]
fn transfer_to_operator_is_final_and_says_who_lost_it() {
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.at(1, transfer_to("k1", "boris")),
        [
            "unassigned k1 anna transferred",
            "assigned k1 sales boris transferred"
        ]
    );
    assert_eq!(s.deadline("k1"), None);
}

#[test]
fn transfer_to_line_routes_there_as_an_arrival_would() {
    let mut s = world(strict(&["anna"]), &["anna", "carol"]);
    s.at(
        0,
        line(renamed(strict(&["carol"]), "support").offer_timeout_secs(300)),
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.at(1, transfer_line("k1", "support")),
        [
            "unassigned k1 anna transferred",
            "assigned k1 support carol routed by 6m"
        ]
    );
    assert_eq!(s.conv("k1").line.as_str(), "support");
    s.at(1, accept("k1", "carol"));
    // A waiting conversation moves without an `unassigned`.
    s.at(2, offline("anna"));
    s.at(2, inc("k2"));
    assert_eq!(
        s.at(3, transfer_line("k2", "support")),
        ["assigned k2 support carol routed by 8m"]
    );
    s.at(3, accept("k2", "carol"));
    // Nobody there: it waits in the new line.
    s.at(4, offline("carol"));
    s.at(4, online("anna"));
    s.at(4, inc("k3"));
    assert_eq!(
        s.at(5, transfer_line("k3", "support")),
        [
            "unassigned k3 anna transferred",
            "queued k3 support no_eligible_operator"
        ]
    );
    assert_eq!(s.waiting("support"), ["k3"]);
}

#[test]
fn transfer_needs_exactly_one_target() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(0, inc("k1"));
    for (to_operator, to_line) in [(None, None), (Some("anna".into()), Some("sales".into()))] {
        assert_eq!(
            s.err(
                1,
                Input::Transfer {
                    conversation: "k1".into(),
                    to_operator,
                    to_line
                }
            ),
            Error::InvalidTransfer("k1".into())
        );
    }
    assert_eq!(
        s.err(1, transfer_line("k1", "nowhere")),
        Error::UnknownLine("nowhere".into())
    );
    assert_eq!(
        s.err(1, transfer_to("k1", "zoe")),
        Error::UnknownOperator("zoe".into())
    );
}

#[test]
fn close_and_spam_free_capacity() {
    let mut s = world(strict(&["anna"]).max_open_per_operator(1), &["anna"]);
    s.at(0, inc("k1"));
    s.at(0, inc("k2"));
    s.at(0, inc("k3"));
    assert_eq!(
        s.at(1, spam("k1")),
        ["closed k1 spam", "assigned k2 sales anna routed"]
    );
    // 003: mark as spam works on a waiting one too.
    assert_eq!(s.at(2, spam("k3")), ["closed k3 spam"]);
    assert!(s.waiting("sales").is_empty());
}

#[test]
fn take_or_transfer_of_a_closed_conversation_is_an_error() {
    let mut s = world(strict(&["anna", "boris"]), &["anna", "boris"]);
    s.at(0, inc("k1"));
    s.at(1, close("k1"));
    let closed = Error::ConversationClosed("k1".into());
    assert_eq!(s.err(2, take("k1", "boris")), closed);
    assert_eq!(s.err(2, transfer_to("k1", "boris")), closed);
    assert_eq!(s.err(2, transfer_line("k1", "sales")), closed);
    assert_eq!(s.err(2, close("k1")), closed);
    assert_eq!(s.err(2, spam("k1")), closed);
    assert_eq!(s.err(2, accept("k1", "anna")), closed);
}

#[test]
fn actions_on_an_unknown_conversation_are_errors() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    let unknown = Error::UnknownConversation("k9".into());
    assert_eq!(s.err(1, take("k9", "anna")), unknown);
    assert_eq!(s.err(1, accept("k9", "anna")), unknown);
    assert_eq!(s.err(1, transfer_to("k9", "anna")), unknown);
    assert_eq!(s.err(1, transfer_line("k9", "sales")), unknown);
    assert_eq!(s.err(1, close("k9")), unknown);
    assert_eq!(s.err(1, spam("k9")), unknown);
}

#[test]
fn inputs_naming_an_unknown_operator_are_errors() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(0, inc("k1"));
    let zoe = Error::UnknownOperator("zoe".into());
    assert_eq!(s.err(1, online("zoe")), zoe);
    assert_eq!(s.err(1, workday_started("zoe")), zoe);
    assert_eq!(s.err(1, workday_ended("zoe")), zoe);
    assert_eq!(s.err(1, absence("zoe", 1, 2)), zoe);
    assert_eq!(s.err(1, clear_absences("zoe")), zoe);
    assert_eq!(s.err(1, remove_op("zoe")), zoe);
    assert_eq!(s.err(1, take("k1", "zoe")), zoe);
    assert_eq!(s.err(1, accept("k1", "zoe")), zoe);
    assert_eq!(s.err(1, reply("k1", "zoe")), zoe);
    assert_eq!(s.err(1, outbound("k2", "zoe", "c2", "wa")), zoe);
    assert_eq!(s.err(1, pin("c1", "zoe")), zoe);
}

#[test]
fn absence_must_end_after_it_starts() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    for (from, until) in [(10, 10), (10, 5)] {
        assert_eq!(
            s.err(1, absence("anna", from, until)),
            Error::InvalidAbsence {
                operator: "anna".into(),
                from: t(from),
                until: t(until)
            }
        );
    }
}

#[test]
fn accept_of_an_offer_not_made_to_that_operator_is_an_error() {
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.err(1, accept("k1", "boris")),
        Error::NotOffered {
            conversation: "k1".into(),
            operator: "boris".into()
        }
    );
    // A waiting conversation was offered to nobody.
    s.at(2, offline("anna"));
    s.at(2, offline("boris"));
    s.at(3, inc("k2"));
    assert_eq!(
        s.err(4, accept("k2", "anna")),
        Error::NotOffered {
            conversation: "k2".into(),
            operator: "anna".into()
        }
    );
}

#[test]
fn message_out_by_other_operator_takes_over() {
    // DESIGN: "An operator who answers (message_out) a conversation someone else holds or has
    // been offered takes it over, as take would".
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(600),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.at(1, reply("k1", "boris")),
        [
            "unassigned k1 anna taken_over",
            "assigned k1 sales boris taken"
        ]
    );
    assert_eq!(s.deadline("k1"), None);
    assert!(s.conv("k1").answered);
}

#[test]
fn message_out_into_a_waiting_conversation_takes_it() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(0, offline("anna"));
    s.at(0, op("dave"));
    s.at(1, inc("k1"));
    assert_eq!(
        s.at(2, reply("k1", "dave")),
        ["assigned k1 sales dave taken"]
    );
}

#[test]
fn outbound_message_opens_conversation_assigned_to_author() {
    // Seed 002 example 1; DESIGN: outbound conversations are final at once, caps ignored.
    let mut s = world(strict(&["anna"]).offer_timeout_secs(600), &["anna"]);
    s.at(0, op_cfg(OperatorConfig::new("dave").max_open(0)));
    assert_eq!(
        s.at(1, outbound("k9", "dave", "c9", "wa")),
        ["assigned k9 sales dave outbound"]
    );
    let v = s.conv("k9");
    assert_eq!(v.deadline, None);
    assert!(v.answered);
    assert!(!v.awaiting_reply);
    assert_eq!(v.client.as_str(), "c9");
    // The client answers: it stays with its author.
    assert_eq!(s.at(2, inc_from("k9", "c9", "wa")), NOTHING);
    assert_eq!(s.holder("k9").as_deref(), Some("dave"));
}

#[test]
fn outbound_message_out_without_client_and_channel_is_an_error() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    let needs = Error::OutboundNeedsClientAndChannel("k9".into());
    assert_eq!(s.err(1, reply("k9", "anna")), needs);
    let client_only = Input::MessageOut {
        conversation: "k9".into(),
        operator: "anna".into(),
        client: Some("c9".into()),
        channel: None,
    };
    assert_eq!(s.err(1, client_only), needs);
    let channel_only = Input::MessageOut {
        conversation: "k9".into(),
        operator: "anna".into(),
        client: None,
        channel: Some("wa".into()),
    };
    assert_eq!(s.err(1, channel_only), needs);
    assert_eq!(
        s.err(1, outbound("k9", "anna", "c9", "nope")),
        Error::UnknownChannel("nope".into())
    );
    s.at(2, disconnect("wa"));
    assert_eq!(
        s.err(3, outbound("k9", "anna", "c9", "wa")),
        Error::ChannelDisconnected("wa".into())
    );
}

#[test]
fn message_out_into_closed_conversation_reopens_as_outbound() {
    // DESIGN: "A message_out into a closed conversation reopens it as an outbound one, assigned
    // to its author (seed 002, example 1)."
    let mut s = world(strict(&["anna"]), &["anna", "boris"]);
    s.at(0, inc("k1"));
    s.at(1, close("k1"));
    assert_eq!(
        s.at(2, reply("k1", "boris")),
        ["assigned k1 sales boris outbound"]
    );
    assert_eq!(s.deadline("k1"), None);
    assert_eq!(s.conv("k1").state, ConversationState::Assigned);
}

#[test]
fn unassigned_before_every_move() {
    // DESIGN: "whenever a conversation leaves an operator — no answer, unavailability,
    // transfer, take-over by someone else, removal — an unassigned decision says so before the
    // next assigned or queued." (Sim also checks this on every step of every test.)
    let mut s = world(
        strict(&["anna", "boris", "carol"]).offer_timeout_secs(60),
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
        s.at(1, offline("boris")),
        [
            "unassigned k1 boris unavailable",
            "assigned k1 sales carol routed by 2m"
        ]
    );
    assert_eq!(
        s.at(1, transfer_to("k1", "anna")),
        [
            "unassigned k1 carol transferred",
            "assigned k1 sales anna transferred"
        ]
    );
    assert_eq!(
        s.at(1, take("k1", "carol")),
        [
            "unassigned k1 anna taken_over",
            "assigned k1 sales carol taken"
        ]
    );
    assert_eq!(
        s.at(1, remove_op("carol")),
        [
            "unassigned k1 carol removed",
            "assigned k1 sales anna routed by 2m"
        ]
    );
    s.at(1, offline("anna"));
    assert_eq!(s.last.len(), 2);
    assert_eq!(
        s.e.conversation("k1").unwrap().state,
        ConversationState::Waiting
    );
}

// =============================================================================================
// Time
// =============================================================================================

#[test]
fn input_stamped_in_the_past_is_applied_at_engine_clock_and_counted() {
    // DESIGN §2: "an input stamped earlier than the engine's clock is applied at the engine's
    // clock and counted in the metrics — never rejected".
    let mut s = world(strict(&["anna"]).offer_timeout_secs(600), &["anna"]);
    s.at(10, online("anna"));
    assert_eq!(s.e.past_inputs(), 0);
    assert_eq!(s.at(5, inc("k1")), ["assigned k1 sales anna routed by 20m"]);
    assert_eq!(s.ats(), [t(10)]);
    assert_eq!(s.e.past_inputs(), 1);
    assert_eq!(s.e.now(), Some(t(10)));
    // Same-time inputs are not late.
    s.at(10, inc("k2"));
    assert_eq!(s.e.past_inputs(), 1);
    // handle_timeout in the past does nothing.
    assert_eq!(s.tick(3), NOTHING);
    assert_eq!(s.e.now(), Some(t(10)));
}

#[test]
fn failed_input_does_not_move_the_clock_or_fire_deadlines() {
    // DESIGN: "An input that fails changes nothing — not even the engine's clock … — and fires
    // no deadline."
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(60),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.err(500, online("zoe")),
        Error::UnknownOperator("zoe".into())
    );
    assert_eq!(s.e.now(), Some(t(0)));
    assert_eq!(s.e.poll_timeout(), Some(t(1)));
    assert_eq!(s.holder("k1").as_deref(), Some("anna"));
    assert_eq!(s.e.past_inputs(), 0);
    // The next good input fires the due deadlines first, each as of its own time.
    assert_eq!(
        s.at(2, inc("k2")),
        [
            "unassigned k1 anna no_answer",
            "assigned k1 sales boris routed by 2m",
            "unassigned k1 boris no_answer",
            "assigned k1 sales anna routed by 3m",
            "assigned k2 sales anna routed by 3m"
        ]
    );
    assert_eq!(s.ats(), [t(1), t(1), t(2), t(2), t(2)]);
}

#[test]
fn accept_arriving_after_the_deadline_fails_and_fires_nothing() {
    // The deadline moved k1 to boris before anna's late accept: rejected, and the rejection
    // leaves even the due deadline unfired.
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(120),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(
        s.err(3, accept("k1", "anna")),
        Error::NotOffered {
            conversation: "k1".into(),
            operator: "anna".into()
        }
    );
    assert_eq!(s.e.poll_timeout(), Some(t(2)));
    assert_eq!(s.holder("k1").as_deref(), Some("anna"));
    // boris's accept at the same late time is valid once the deadline has fired.
    assert_eq!(
        s.at(3, accept("k1", "boris")),
        [
            "unassigned k1 anna no_answer",
            "assigned k1 sales boris routed by 4m"
        ]
    );
    assert_eq!(s.deadline("k1"), None);
}

#[test]
fn deadlines_fire_as_of_their_own_time_in_deadline_order() {
    // DESIGN §3: "a late handle_timeout(now) processes every due deadline in deadline order with
    // the engine's clock set to each deadline in turn".
    let mut s = world(
        strict(&["anna", "boris", "carol"]).offer_timeout_secs(60),
        &["anna", "boris", "carol"],
    );
    s.at(0, inc("k1"));
    s.at(t(0) + TimeDelta::seconds(30), inc("k2"));
    assert_eq!(
        s.tick(2),
        [
            "unassigned k1 anna no_answer",
            "assigned k1 sales boris routed by 2m",
            "unassigned k2 anna no_answer",
            "assigned k2 sales boris routed by 150s",
            "unassigned k1 boris no_answer",
            "assigned k1 sales carol routed by 3m"
        ]
    );
    let secs: Vec<i64> = s
        .ats()
        .iter()
        .map(|a| (*a - base()).num_seconds())
        .collect();
    assert_eq!(secs, [60, 60, 90, 90, 120, 120]);
    assert_eq!(s.e.poll_timeout(), Some(t(2) + TimeDelta::seconds(30)));
}

#[test]
fn tick_cadence_does_not_change_decisions() {
    // DESIGN §4.11.
    fn run(step_secs: Option<i64>) -> Vec<Decision> {
        let mut s = world(
            strict(&["anna", "boris"])
                .offer_timeout_secs(90)
                .max_open_per_operator(2),
            &["anna", "boris"],
        );
        s.at(0, inc("k1"));
        s.at(1, inc("k2"));
        s.at(1, absence("boris", 3, 5));
        if let Some(step) = step_secs {
            let mut now = t(1);
            while now < t(10) {
                now = (now + TimeDelta::seconds(step)).min(t(10));
                s.e.handle_timeout(now);
                s.collect();
            }
        }
        s.at(10, inc("k3"));
        s.all
    }
    let every_second = run(Some(1));
    assert_eq!(run(Some(7)), every_second);
    assert_eq!(run(Some(600)), every_second);
    assert_eq!(run(None), every_second);
    assert!(every_second.len() > 6, "{every_second:?}");
}

#[test]
fn handle_timeout_is_idempotent_and_tick_input_is_the_same() {
    let mut s = world(
        strict(&["anna", "boris"]).offer_timeout_secs(60),
        &["anna", "boris"],
    );
    s.at(0, inc("k1"));
    assert_eq!(s.tick(0), NOTHING, "early: harmless");
    assert_eq!(s.tick(1).len(), 2);
    assert_eq!(s.tick(1), NOTHING, "twice: harmless");
    assert_eq!(
        s.at(2, Input::Tick),
        [
            "unassigned k1 boris no_answer",
            "assigned k1 sales anna routed by 3m"
        ]
    );
}

#[test]
fn identical_inputs_give_identical_decisions() {
    // DESIGN §2 Determinism / §4.10.
    fn run() -> String {
        let mut s = world(
            lc(Mode::All, &["anna", "boris", "carol"]).offer_timeout_secs(60),
            &["anna", "boris", "carol"],
        );
        for (i, k) in ["k1", "k2", "k3", "k4"].into_iter().enumerate() {
            s.at(i as i64, inc(k));
        }
        s.at(5, accept("k2", "carol"));
        s.at(6, offline("anna"));
        s.tick(20);
        serde_json::to_string(&s.all).unwrap()
    }
    assert_eq!(run(), run());
}

// =============================================================================================
// Waiting queues: order, reasons, blocking
// =============================================================================================

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

// =============================================================================================
// The wire format through the replay parser
// =============================================================================================

#[test]
fn unknown_mode_policy_or_field_is_rejected_by_the_parser() {
    // DESIGN: "Unknown fields are rejected — a typo must not silently remove a cap."
    let at = r#""at":"2026-03-02T09:00:00Z""#;
    let bad = [
        format!(r#"{{{at},"type":"upsert_line","line":"sales","mode":"random"}}"#),
        format!(r#"{{{at},"type":"upsert_line","line":"sales","pinned_policy":"sometimes"}}"#),
        format!(r#"{{{at},"type":"upsert_line","line":"sales","on_exhausted":"drop"}}"#),
        format!(r#"{{{at},"type":"upsert_line","line":"sales","count_toward_cap":"all"}}"#),
        format!(r#"{{{at},"type":"upsert_line","line":"sales","max_open_per_operater":5}}"#),
        format!(r#"{{{at},"type":"upsert_operator","operator":"anna","max_opn":1}}"#),
        format!(r#"{{{at},"type":"presence","operator":"anna","status":"busy"}}"#),
        format!(r#"{{{at},"type":"hello"}}"#),
        format!(r#"{{{at},"type":"message_in","conversation":"k1","client":"c1"}}"#),
        r#"{"type":"tick"}"#.to_string(),
        r#"{"at":"yesterday","type":"tick"}"#.to_string(),
        "not json".to_string(),
        "[1,2]".to_string(),
    ];
    for line in &bad {
        assert!(replay::parse_line(line).is_err(), "accepted: {line}");
    }
    let good = format!(
        r#"{{{at},"type":"upsert_line","line":"sales","mode":"all","queue":["anna",{{"group":"g"}}],"offer_timeout_secs":60,"pinned_policy":"always","on_exhausted":"requeue","count_toward_cap":"unanswered"}}"#
    );
    let (when, input) = replay::parse_line(&good).unwrap();
    assert_eq!(when, base());
    let Input::UpsertLine(cfg) = input else {
        panic!("not an upsert_line")
    };
    assert_eq!(cfg.mode, Mode::All);
    assert_eq!(cfg.pinned_policy, PinnedPolicy::Always);
    assert_eq!(cfg.on_exhausted, OnExhausted::Requeue);
    assert_eq!(cfg.count_toward_cap, CountTowardCap::Unanswered);
}

#[test]
fn replay_error_line_leaves_state_unchanged_and_carries_the_engine_clock() {
    let mut s = world(strict(&["anna"]), &["anna"]);
    s.at(3, inc("k1"));
    let before = format!("{:?}", s.e);
    let mut out = Vec::new();
    let typo = r#"{"at":"2026-03-02T10:00:00Z","type":"upsert_line","line":"sales","queue":["anna"],"max_open_per_operater":1}"#;
    replay::process_line(&mut s.e, 7, typo, &mut out).unwrap();
    let engine_error =
        r#"{"at":"2026-03-02T10:00:00Z","type":"presence","operator":"zoe","status":"online"}"#;
    replay::process_line(&mut s.e, 8, engine_error, &mut out).unwrap();
    assert_eq!(format!("{:?}", s.e), before);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for (l, n) in lines.iter().zip([7, 8]) {
        assert_eq!(l["type"], "error");
        assert_eq!(l["at"], "2026-03-02T09:03:00Z");
        assert_eq!(l["line_no"], n);
    }
    assert!(
        lines[0]["error"]
            .as_str()
            .unwrap()
            .contains("max_open_per_operater")
    );
    assert_eq!(lines[1]["error"], "unknown operator `zoe`");
    // Before the first input the clock is null.
    let mut fresh = Engine::new();
    let mut out = Vec::new();
    replay::process_line(&mut fresh, 1, "{", &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(v["at"].is_null());
}

// =============================================================================================
// More corners
// =============================================================================================

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
