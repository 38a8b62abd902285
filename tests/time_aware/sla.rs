//! SLA: first and next response targets, breaches, met counts, business-hours-only clocks.

use super::*;

#[test]
fn first_response_breach_names_responsible_operator() {
    // Issue: "sla_breached {conversation, operator (when someone is responsible), kind,
    // due_at} once per missed target".
    let mut s = world(
        "03-02 09:00",
        sales(&["anna"]).sla(sla(Some(600), None, false)),
        &["anna", "boris"],
    );
    assert_eq!(
        s.at("03-02 09:00", inc("k1")),
        ["03-02 09:00 assigned k1 sales anna routed"]
    );
    assert_eq!(
        s.conv("k1").sla_due,
        Some((SlaKind::FirstResponse, u("03-02 09:10")))
    );
    s.at("03-02 09:01", offline("anna"));
    assert_eq!(
        s.at("03-02 09:02", inc("k2")),
        ["03-02 09:02 queued k2 sales no_eligible_operator"]
    );
    assert_eq!(
        s.tick("03-02 09:12"),
        [
            "03-02 09:10 sla_breached k1 anna first_response due 03-02 09:10",
            "03-02 09:12 sla_breached k2 - first_response due 03-02 09:12"
        ]
    );
    assert_eq!(s.conv("k1").sla_due, None);
    assert_eq!(s.e.poll_timeout(), None, "once per missed target");
    assert_eq!(s.at("03-02 09:13", reply("k1", "anna")), NOTHING);
    assert_eq!(
        s.at("03-02 09:14", take("k2", "boris")),
        ["03-02 09:14 assigned k2 sales boris taken"]
    );
    assert_eq!(s.at("03-02 09:15", reply("k2", "boris")), NOTHING);
    assert_eq!(s.counters("sales").sla, counts(0, 2, 0, 0));
    assert_eq!(s.op("anna").sla, counts(0, 1, 0, 0));
    assert_eq!(
        s.op("boris").sla,
        counts(0, 0, 0, 0),
        "nobody held k2 when it was missed"
    );
}

#[test]
fn next_response_breach() {
    // 004 KPI: "time to each next answer; past it, the reply is overdue".
    let mut s = world(
        "03-02 09:00",
        sales(&["anna"]).sla(sla(None, Some(300), false)),
        &["anna"],
    );
    s.at("03-02 09:00", inc("k1"));
    assert_eq!(s.conv("k1").sla_due, None, "no first-response target");
    assert_eq!(s.at("03-02 09:01", reply("k1", "anna")), NOTHING);
    assert_eq!(s.at("03-02 09:02", inc("k1")), NOTHING);
    assert_eq!(
        s.conv("k1").sla_due,
        Some((SlaKind::NextResponse, u("03-02 09:07")))
    );
    assert_eq!(
        s.tick("03-02 09:07"),
        ["03-02 09:07 sla_breached k1 anna next_response due 03-02 09:07"]
    );
    assert_eq!(
        s.at("03-02 09:08", inc("k1")),
        NOTHING,
        "the same unanswered message"
    );
    assert_eq!(s.conv("k1").sla_due, None);
    s.at("03-02 09:09", reply("k1", "anna"));
    s.at("03-02 09:10", inc("k1"));
    assert_eq!(
        s.conv("k1").sla_due,
        Some((SlaKind::NextResponse, u("03-02 09:15")))
    );
    assert_eq!(s.at("03-02 09:14", reply("k1", "anna")), NOTHING);
    assert_eq!(s.tick("03-02 09:20"), NOTHING);
    assert_eq!(s.counters("sales").sla, counts(0, 0, 1, 1));
    assert_eq!(s.op("anna").sla, counts(0, 0, 1, 1));
}

#[test]
fn sla_met_counts_per_line_and_operator() {
    // Issue: "Per line and per operator counters of met and missed targets in the queries."
    let mut s = Sim::new();
    let w = "03-02 09:00";
    for o in ["anna", "boris", "carol"] {
        s.at(w, op(o));
        s.at(w, online(o));
    }
    s.at(
        w,
        line(sales(&["anna", "boris"]).sla(sla(Some(600), Some(600), false))),
    );
    s.at(
        w,
        line(named("support", &["carol"]).sla(sla(Some(600), None, false))),
    );
    s.at(w, chan("wa", "sales"));
    s.at(w, chan("tg", "support"));
    assert_eq!(
        s.at("03-02 09:00", inc("k1")),
        ["03-02 09:00 assigned k1 sales anna routed"]
    );
    assert_eq!(
        s.at("03-02 09:01", inc("k2")),
        ["03-02 09:01 assigned k2 sales boris routed"]
    );
    assert_eq!(
        s.at("03-02 09:02", inc_from("k3", "c-3", "tg")),
        ["03-02 09:02 assigned k3 support carol routed"]
    );
    assert_eq!(s.at("03-02 09:05", reply("k1", "anna")), NOTHING);
    assert_eq!(s.at("03-02 09:06", inc("k1")), NOTHING);
    assert_eq!(
        s.conv("k1").sla_due,
        Some((SlaKind::NextResponse, u("03-02 09:16")))
    );
    assert_eq!(s.at("03-02 09:08", reply("k1", "anna")), NOTHING);
    assert_eq!(s.at("03-02 09:10", reply("k3", "carol")), NOTHING);
    assert_eq!(
        s.tick("03-02 09:11"),
        ["03-02 09:11 sla_breached k2 boris first_response due 03-02 09:11"]
    );
    assert_eq!(s.at("03-02 09:12", reply("k2", "boris")), NOTHING);
    // Whoever answers in time is credited, even when taking it over by answering.
    assert_eq!(
        s.at("03-02 09:13", inc("k4")),
        ["03-02 09:13 assigned k4 sales anna routed"]
    );
    assert_eq!(
        s.at("03-02 09:14", reply("k4", "boris")),
        [
            "03-02 09:14 unassigned k4 anna taken_over",
            "03-02 09:14 assigned k4 sales boris taken"
        ]
    );
    assert_eq!(s.counters("sales").sla, counts(2, 1, 1, 0));
    assert_eq!(s.counters("support").sla, counts(1, 0, 0, 0));
    assert_eq!(s.op("anna").sla, counts(1, 0, 1, 0));
    assert_eq!(s.op("boris").sla, counts(1, 1, 0, 0));
    assert_eq!(s.op("carol").sla, counts(1, 0, 0, 0));
}

#[test]
fn business_hours_only_sla_clock_pauses_while_closed() {
    // Issue: "with business_hours_only the clock runs only while the line is open". Moscow
    // weekdays 09–18 (06–15 UTC); 30 minutes to the first answer. `night` has the same hours
    // but counts every minute.
    let mut s = Sim::new();
    let w = "03-06 14:00";
    s.at(w, op("anna"));
    s.at(w, online("anna"));
    s.at(
        w,
        line(
            sales(&["anna"])
                .schedule(moscow_office())
                .sla(sla(Some(1800), None, true)),
        ),
    );
    s.at(
        w,
        line(
            named("night", &["anna"])
                .schedule(moscow_office())
                .sla(sla(Some(1800), None, false)),
        ),
    );
    s.at(w, chan("wa", "sales"));
    s.at(w, chan("tg", "night"));
    // Friday 17:50 Moscow: 10 open minutes today, 20 on Monday.
    assert_eq!(
        s.at("03-06 14:50", inc("k1")),
        ["03-06 14:50 assigned k1 sales anna routed"]
    );
    assert_eq!(
        s.conv("k1").sla_due,
        Some((SlaKind::FirstResponse, u("03-09 06:20")))
    );
    assert_eq!(
        s.at("03-06 14:50", inc_from("k3", "c-3", "tg")),
        ["03-06 14:50 assigned k3 night anna routed"]
    );
    assert_eq!(
        s.conv("k3").sla_due,
        Some((SlaKind::FirstResponse, u("03-06 15:20")))
    );
    assert_eq!(
        s.tick("03-06 15:20"),
        ["03-06 15:20 sla_breached k3 anna first_response due 03-06 15:20"]
    );
    // Saturday: the clock starts at Monday's opening.
    assert_eq!(
        s.at("03-07 10:00", inc("k2")),
        ["03-07 10:00 queued k2 sales off_hours"]
    );
    assert_eq!(
        s.conv("k2").sla_due,
        Some((SlaKind::FirstResponse, u("03-09 06:30")))
    );
    assert_eq!(
        s.tick("03-09 06:30"),
        [
            "03-09 06:00 assigned k2 sales anna routed",
            "03-09 06:20 sla_breached k1 anna first_response due 03-09 06:20",
            "03-09 06:30 sla_breached k2 anna first_response due 03-09 06:30"
        ]
    );
    assert_eq!(s.counters("sales").sla, counts(0, 2, 0, 0));
    assert_eq!(s.counters("night").sla, counts(0, 1, 0, 0));
}
