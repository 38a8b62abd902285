//! Time: inputs stamped in the past, failed inputs and the clock, late accepts, deadlines firing
//! as of their own time, tick cadence and determinism.

use super::*;

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
