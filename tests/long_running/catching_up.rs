//! 2. Catching up bounded by work, not calendar time.

use super::*;

/// A line with weekly hours: Monday to Friday 09:00–18:00 in Moscow (06:00–15:00 UTC).
fn office() -> LineConfig {
    sales(&["anna"]).schedule(ScheduleConfig::new("Europe/Moscow").weekdays("09:00", "18:00"))
}

#[test]
fn configure_in_march_act_in_november_without_ticks() {
    let mut s = world("03-02 09:00", office(), &["anna"]);
    assert!(s.e.poll_timeout().is_some(), "the line's hours change next");
    // Eight months of opening and closing, applied by the next input.
    assert_eq!(
        s.at("11-04 10:00", inc("k1")),
        ["11-04 10:00 assigned k1 sales anna routed"]
    );
    assert_eq!(s.timeout().as_deref(), Some("11-04 15:00"));
}

#[test]
fn a_jump_of_months_fires_line_hours_response_targets_and_inactivity_closes_in_one_call() {
    let line = office()
        .sla(SlaConfig {
            first_response_secs: Some(600),
            next_response_secs: None,
            business_hours_only: false,
        })
        .auto_close_after_secs(3600);
    let mut s = world("03-02 09:00", line, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 09:01", reply("k1", "anna"));
    s.at("03-02 09:02", inc("k2"));
    // Months later, one input: k2's first-response target is missed at 09:12, k1 closes for
    // inactivity at 10:01, and everything else happened in between without a word.
    assert_eq!(
        s.at("06-01 09:00", inc("k3")),
        [
            "03-02 09:12 sla_breached k2 anna first_response due 03-02 09:12",
            "03-02 10:01 closed k1 inactivity",
            "06-01 09:00 assigned k3 sales anna routed",
        ]
    );
}

/// One operator, a 60-second offer that renews forever (`cycle`), and a bound of 10 renewals
/// a call.
fn renewing() -> Sim {
    let mut s = world(
        "03-02 09:00",
        sales(&["anna"]).offer_timeout_secs(60),
        &["anna"],
    );
    s.at("03-02 09:00", settings(None, 10));
    s.at("03-02 09:00", inc("k1"));
    s
}

#[test]
fn a_year_9999_timestamp_with_a_renewing_offer_costs_bounded_work() {
    let mut s = renewing();
    let before = format!("{:?}", s.e);
    // An input: refused, naming the bound; nothing changes.
    let err = s.err("9999-12-31 23:59", inc("k2"));
    assert_eq!(
        err,
        Error::CatchUpBound {
            at: u("9999-12-31 23:59"),
            clock: u("03-02 09:00"),
            renewals: 10,
            reached: u("03-02 09:12"),
        }
    );
    assert!(err.to_string().contains("tick"), "{err}");
    assert_eq!(format!("{:?}", s.e), before);
    // A tick goes as far as the bound allows and stops there: the expiry set before it (09:01)
    // and ten renewals, the clock at the last one.
    s.e.handle(u("9999-12-31 23:59"), Input::Tick).unwrap();
    assert_eq!(s.collect().len(), 2 * 11);
    assert_eq!(s.e.now(), Some(u("03-02 09:11")));
    assert_eq!(s.timeout().as_deref(), Some("03-02 09:12"));
}

#[test]
fn catching_up_in_ticks_gives_the_decisions_of_a_host_that_never_paused() {
    let end = u("03-02 10:00");
    let mut ticked = renewing();
    let mut expected = Vec::new();
    while let Some(t) = ticked.e.poll_timeout().filter(|&t| t <= end) {
        ticked.e.handle_timeout(t);
        expected.extend(std::iter::from_fn(|| ticked.e.poll_decision()));
    }
    ticked.e.handle_timeout(end);
    assert_eq!(
        expected.len(),
        2 * 60,
        "an expiry and an offer every minute"
    );

    let mut jumped = renewing();
    let mut got = Vec::new();
    let mut calls = 0;
    while jumped.e.poll_timeout().is_some_and(|t| t <= end) {
        jumped
            .e
            .handle(end, Input::Tick)
            .expect("a tick is never refused");
        got.extend(std::iter::from_fn(|| jumped.e.poll_decision()));
        calls += 1;
    }
    assert_eq!(calls, 6, "ten renewals a call (and the first expiry)");
    assert_eq!(got, expected);
    assert_eq!(jumped.e.now(), Some(end));
    assert_eq!(jumped.e.poll_timeout(), ticked.e.poll_timeout());
    // Then the input goes through.
    assert_eq!(
        jumped.at("03-02 10:00", reply("k1", "anna")),
        NOTHING,
        "anna's answer confirms the assignment she holds"
    );
}

#[test]
fn the_bound_counts_only_renewals_set_during_the_call() {
    // k1's first expiry (09:01) was set before the call: no renewal. It moves on (cycle, back
    // to anna) with a deadline at 09:02, set by this call: that one is the first renewal.
    let mut s = renewing();
    s.at("03-02 09:00", settings(None, 1));
    let err = s.err("03-02 09:03", inc("k2"));
    assert!(
        matches!(err, Error::CatchUpBound { renewals: 1, reached, .. } if reached == u("03-02 09:03")),
        "{err}"
    );
    assert_eq!(
        s.at("03-02 09:02", inc("k2")),
        [
            "03-02 09:01 unassigned k1 anna no_answer",
            "03-02 09:01 assigned k1 sales anna routed by 03-02 09:02",
            "03-02 09:02 unassigned k1 anna no_answer",
            "03-02 09:02 assigned k1 sales anna routed by 03-02 09:03",
            "03-02 09:02 assigned k2 sales anna routed by 03-02 09:03",
        ]
    );
}
