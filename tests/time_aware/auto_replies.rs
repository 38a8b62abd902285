//! Automatic replies: welcome, off hours, no operators, unanswered.

use super::*;

#[test]
fn welcome_on_first_client_message_only() {
    // Issue: "welcome on a conversation's first client message". 004: "an automatic reply to
    // the client's first message".
    let cfg = sales(&["anna"]).auto_replies(AutoReplies {
        welcome: true,
        ..replies()
    });
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    assert_eq!(
        s.at("03-02 09:00", inc("k1")),
        [
            "03-02 09:00 auto_reply k1 sales welcome",
            "03-02 09:00 assigned k1 sales anna routed"
        ]
    );
    assert_eq!(s.at("03-02 09:01", inc("k1")), NOTHING);
    assert_eq!(s.at("03-02 09:02", reply("k1", "anna")), NOTHING);
    assert_eq!(s.at("03-02 09:03", inc("k1")), NOTHING);
    // The same client's next conversation has a first message of its own.
    assert_eq!(
        s.at("03-02 09:04", inc_from("k2", "c-k1", "wa")),
        [
            "03-02 09:04 auto_reply k2 sales welcome",
            "03-02 09:04 assigned k2 sales anna routed"
        ]
    );
    // Engine choice: a conversation the operator started gets no welcome when the client
    // answers it.
    assert_eq!(
        s.at("03-02 09:05", outbound("k3", "anna", "c-3", "wa")),
        ["03-02 09:05 assigned k3 sales anna outbound"]
    );
    assert_eq!(s.at("03-02 09:06", inc_from("k3", "c-3", "wa")), NOTHING);
    // Engine choice: a closed conversation that the client reopens is a new session, welcomed
    // again.
    assert_eq!(
        s.at("03-02 09:07", close("k1")),
        ["03-02 09:07 closed k1 closed"]
    );
    assert_eq!(
        s.at("03-02 09:08", inc("k1")),
        [
            "03-02 09:08 auto_reply k1 sales welcome",
            "03-02 09:08 assigned k1 sales anna routed"
        ]
    );
}

#[test]
fn off_hours_reply_once_per_closed_period() {
    // Issue: "off_hours when a client writes while the line is closed" — once per closed
    // period and conversation, not for every message. Moscow split shift.
    let cfg = sales(&["anna", "boris"])
        .schedule(moscow_split())
        .auto_replies(AutoReplies {
            off_hours: true,
            ..replies()
        });
    let mut s = world("03-02 05:00", cfg, &["anna", "boris"]);
    assert_eq!(
        s.at("03-02 05:10", inc("k1")),
        [
            "03-02 05:10 auto_reply k1 sales off_hours",
            "03-02 05:10 queued k1 sales off_hours"
        ]
    );
    assert_eq!(s.at("03-02 05:20", inc("k1")), NOTHING);
    assert_eq!(
        s.at("03-02 05:25", inc("k2")),
        [
            "03-02 05:25 auto_reply k2 sales off_hours",
            "03-02 05:25 queued k2 sales off_hours"
        ]
    );
    assert_eq!(
        s.tick("03-02 06:00"),
        [
            "03-02 06:00 assigned k1 sales anna routed",
            "03-02 06:00 assigned k2 sales boris routed"
        ]
    );
    assert_eq!(s.at("03-02 07:00", inc("k1")), NOTHING, "open");
    // Lunch is a new closed period.
    assert_eq!(
        s.at("03-02 10:10", inc("k1")),
        ["03-02 10:10 auto_reply k1 sales off_hours"]
    );
    assert_eq!(s.at("03-02 10:20", inc("k1")), NOTHING);
    assert_eq!(s.at("03-02 11:10", inc("k1")), NOTHING, "open again");
    // So is the evening.
    assert_eq!(
        s.at("03-02 15:30", inc("k1")),
        ["03-02 15:30 auto_reply k1 sales off_hours"]
    );
    assert_eq!(s.at("03-02 15:40", inc("k1")), NOTHING);
    assert_eq!(
        s.at("03-02 16:00", inc("k2")),
        ["03-02 16:00 auto_reply k2 sales off_hours"]
    );
}

#[test]
fn off_hours_reply_for_another_lines_closed_period_after_transfer() {
    // "Once per closed period" is per line: a conversation told on Saturday that line `a` was
    // closed, and transferred on Monday to line `b`, must be told again when its client
    // writes while `b` is closed on Monday evening.
    let r = AutoReplies {
        off_hours: true,
        ..replies()
    };
    let mut s = Sim::new();
    let w = "03-07 10:00";
    for o in ["anna", "boris"] {
        s.at(w, op(o));
        s.at(w, online(o));
    }
    s.at(
        w,
        line(
            named("a", &["anna"])
                .schedule(moscow_office())
                .auto_replies(r.clone()),
        ),
    );
    s.at(w, chan("wa", "a"));
    assert_eq!(
        s.at("03-07 10:01", inc("k1")),
        [
            "03-07 10:01 auto_reply k1 a off_hours",
            "03-07 10:01 queued k1 a off_hours"
        ]
    );
    assert_eq!(
        s.tick("03-09 06:00"),
        ["03-09 06:00 assigned k1 a anna routed"]
    );
    s.at(
        "03-09 07:00",
        line(
            named("b", &["boris"])
                .schedule(moscow_office())
                .auto_replies(r),
        ),
    );
    assert_eq!(
        s.at(
            "03-09 07:01",
            Input::Transfer {
                conversation: "k1".into(),
                to_operator: None,
                to_line: Some("b".into()),
            }
        ),
        [
            "03-09 07:01 unassigned k1 anna transferred",
            "03-09 07:01 assigned k1 b boris routed"
        ]
    );
    assert_eq!(
        s.at("03-09 15:30", inc("k1")),
        ["03-09 15:30 auto_reply k1 b off_hours"]
    );
}

#[test]
fn no_operators_reply_when_nobody_eligible_in_working_hours() {
    // Issue: "no_operators when, in working hours with the availability check on, nobody is
    // eligible". 004: "an automatic reply is sent when a client wrote and the availability
    // check found all operators offline".
    let mut s = Sim::new();
    s.at(
        "03-02 07:00",
        op_cfg(OperatorConfig::new("anna").max_open(1)),
    );
    s.at(
        "03-02 07:00",
        line(
            sales(&["anna"])
                .schedule(moscow_office())
                .auto_replies(AutoReplies {
                    no_operators: true,
                    ..replies()
                }),
        ),
    );
    s.at("03-02 07:00", chan("wa", "sales"));
    assert_eq!(
        s.at("03-02 07:00", inc("k1")),
        [
            "03-02 07:00 queued k1 sales no_eligible_operator",
            "03-02 07:00 auto_reply k1 sales no_operators"
        ]
    );
    // Engine choice: once when it enters the queue, not again for each message while it waits.
    assert_eq!(s.at("03-02 07:01", inc("k1")), NOTHING);
    assert_eq!(
        s.at("03-02 07:05", online("anna")),
        ["03-02 07:05 assigned k1 sales anna routed"]
    );
    // Someone is eligible, only busy: no reply.
    assert_eq!(
        s.at("03-02 07:10", inc("k2")),
        ["03-02 07:10 queued k2 sales at_capacity"]
    );
    // Outside working hours: off_hours, and no no_operators reply.
    assert_eq!(s.at("03-02 16:00", offline("anna")), NOTHING);
    assert_eq!(
        s.at("03-02 16:05", inc("k3")),
        ["03-02 16:05 queued k3 sales off_hours"]
    );
}

#[test]
fn no_operators_reply_not_sent_without_availability_check() {
    // The no_operators reply belongs to the availability check: without it an offline member
    // is eligible, and a line with nobody at all in it sends no reply either.
    let replies_on = AutoReplies {
        no_operators: true,
        ..replies()
    };
    let mut s = Sim::new();
    s.at("03-02 09:00", op("anna"));
    s.at(
        "03-02 09:00",
        line(
            sales(&["anna"])
                .check_availability(false)
                .auto_replies(replies_on.clone()),
        ),
    );
    s.at(
        "03-02 09:00",
        line(
            named("empty", &[])
                .check_availability(false)
                .auto_replies(replies_on.clone()),
        ),
    );
    s.at("03-02 09:00", chan("wa", "sales"));
    s.at("03-02 09:00", chan("tg", "empty"));
    assert_eq!(
        s.at("03-02 09:01", inc("k1")),
        ["03-02 09:01 assigned k1 sales anna routed"],
        "anna is offline, but nobody checks"
    );
    assert_eq!(
        s.at("03-02 09:02", inc_from("k2", "c-2", "tg")),
        ["03-02 09:02 queued k2 empty no_eligible_operator"]
    );
    // The same empty line with the check on does reply.
    s.at(
        "03-02 09:03",
        line(named("empty", &[]).auto_replies(replies_on)),
    );
    assert_eq!(
        s.at("03-02 09:04", inc_from("k3", "c-3", "tg")),
        [
            "03-02 09:04 queued k3 empty no_eligible_operator",
            "03-02 09:04 auto_reply k3 empty no_operators"
        ]
    );
}

#[test]
fn unanswered_once_per_streak_not_per_tick() {
    // Issue: "unanswered when no operator has answered unanswered_after_secs after the client
    // wrote — once per unanswered streak, not once per tick".
    let cfg = sales(&["anna"]).auto_replies(AutoReplies {
        unanswered_after_secs: Some(300),
        ..replies()
    });
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    assert_eq!(
        s.at("03-02 09:00", inc("k1")),
        ["03-02 09:00 assigned k1 sales anna routed"]
    );
    assert_eq!(s.timeout().as_deref(), Some("03-02 09:05"));
    assert_eq!(s.tick("03-02 09:04:59"), NOTHING);
    assert_eq!(
        s.tick("03-02 09:05"),
        ["03-02 09:05 auto_reply k1 sales unanswered"]
    );
    assert_eq!(s.e.poll_timeout(), None);
    assert_eq!(
        s.at("03-02 09:06", inc("k1")),
        NOTHING,
        "still the same streak"
    );
    for when in ["03-02 09:11", "03-02 09:20", "03-02 12:00"] {
        assert_eq!(s.tick(when), NOTHING);
    }
    assert_eq!(s.e.poll_timeout(), None);
}

#[test]
fn unanswered_restarts_after_an_answer() {
    // A client message after an operator's answer starts a new streak; further client messages
    // do not push its deadline back.
    let cfg = sales(&["anna"]).auto_replies(AutoReplies {
        unanswered_after_secs: Some(300),
        ..replies()
    });
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    assert_eq!(s.at("03-02 09:02", reply("k1", "anna")), NOTHING);
    assert_eq!(s.e.poll_timeout(), None, "answered: no reply due");
    assert_eq!(s.at("03-02 09:10", inc("k1")), NOTHING);
    assert_eq!(s.timeout().as_deref(), Some("03-02 09:15"));
    assert_eq!(s.at("03-02 09:12", inc("k1")), NOTHING);
    assert_eq!(s.timeout().as_deref(), Some("03-02 09:15"));
    assert_eq!(
        s.tick("03-02 09:15"),
        ["03-02 09:15 auto_reply k1 sales unanswered"]
    );
    // Answered in time, the next streak sends nothing.
    s.at("03-02 09:20", reply("k1", "anna"));
    s.at("03-02 09:21", inc("k1"));
    assert_eq!(s.timeout().as_deref(), Some("03-02 09:26"));
    s.at("03-02 09:22", reply("k1", "anna"));
    assert_eq!(s.e.poll_timeout(), None);
    assert_eq!(s.tick("03-02 10:00"), NOTHING);
}
