//! Ratings and the inactivity close (and the errors of invalid time-aware inputs).

use super::*;

#[test]
fn rating_requested_on_close() {
    // DESIGN §3: "With request_on_close, close emits closed (reason closed) and then
    // rating_requested". 004: "after the dialog, ask the client to rate it".
    let cfg = sales(&["anna"]).rating(ratings(true, false));
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 09:00", inc("k2"));
    assert_eq!(
        s.at("03-02 09:05", close("k1")),
        [
            "03-02 09:05 closed k1 closed",
            "03-02 09:05 rating_requested k1"
        ]
    );
    // Engine choice: no rating request for spam.
    assert_eq!(
        s.at("03-02 09:06", spam("k2")),
        ["03-02 09:06 closed k2 spam"]
    );
    // A line without the setting asks for nothing.
    s.at("03-02 09:07", line(sales(&["anna"])));
    s.at("03-02 09:08", inc("k3"));
    assert_eq!(
        s.at("03-02 09:09", close("k3")),
        ["03-02 09:09 closed k3 closed"]
    );
}

#[test]
fn close_on_rating() {
    // DESIGN §3: "With close_on_rating, a rating that arrives while the conversation is still
    // open closes it (closed reason rated)". 004: "option to close the session as soon as the
    // client rates".
    let mut s = Sim::new();
    let w = "03-02 09:00";
    s.at(w, op("anna"));
    s.at(w, online("anna"));
    s.at(w, line(sales(&["anna"]).rating(ratings(true, true))));
    s.at(
        w,
        line(named("plain", &["anna"]).rating(ratings(false, false))),
    );
    s.at(w, chan("wa", "sales"));
    s.at(w, chan("tg", "plain"));
    s.at("03-02 09:00", inc("k1"));
    assert_eq!(
        s.at("03-02 09:05", rating("k1", 5)),
        ["03-02 09:05 closed k1 rated"],
        "rated: closed, and no rating request"
    );
    assert_eq!(s.conv("k1").rating, Some(5));
    assert_eq!(s.op("anna").load.open, 0);
    // Without close_on_rating a rating is only recorded.
    s.at("03-02 09:06", inc_from("k2", "c-2", "tg"));
    assert_eq!(s.at("03-02 09:07", rating("k2", 3)), NOTHING);
    assert_eq!(s.conv("k2").state, ConversationState::Assigned);
    assert_eq!(s.conv("k2").rating, Some(3));
}

#[test]
fn rating_of_closed_conversation_recorded_silently() {
    // DESIGN §3: "a rating for a closed conversation is recorded and emits nothing".
    let cfg = sales(&["anna"]).rating(ratings(true, true));
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    assert_eq!(
        s.at("03-02 09:05", close("k1")),
        [
            "03-02 09:05 closed k1 closed",
            "03-02 09:05 rating_requested k1"
        ]
    );
    assert_eq!(s.at("03-02 09:10", rating("k1", 4)), NOTHING);
    assert_eq!(s.conv("k1").rating, Some(4));
    assert_eq!(s.conv("k1").state, ConversationState::Closed);
    // Engine choices: a second rating replaces the first; a reopened conversation is a new
    // session with no rating yet.
    assert_eq!(s.at("03-02 09:11", rating("k1", 2)), NOTHING);
    assert_eq!(s.conv("k1").rating, Some(2));
    assert_eq!(
        s.at("03-02 09:20", inc("k1")),
        ["03-02 09:20 assigned k1 sales anna routed"]
    );
    assert_eq!(s.conv("k1").rating, None);
}

#[test]
fn rating_outside_1_to_5_is_an_error() {
    let cfg = sales(&["anna"])
        .rating(ratings(true, true))
        .sla(sla(Some(600), None, false));
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    // Stamped after the SLA deadline: a rejected input fires no deadline either.
    for score in [0, 6, u8::MAX] {
        assert_eq!(
            s.err("03-02 09:20", rating("k1", score)),
            Error::InvalidScore {
                conversation: "k1".into(),
                score
            }
        );
    }
    assert_eq!(
        s.err("03-02 09:20", rating("zz", 3)),
        Error::UnknownConversation("zz".into())
    );
    assert_eq!(
        s.tick("03-02 09:20"),
        ["03-02 09:10 sla_breached k1 anna first_response due 03-02 09:10"]
    );
    for score in [1, 5] {
        assert!(s.e.handle(u("03-02 09:21"), rating("k1", score)).is_ok());
        s.collect();
    }
}

#[test]
fn bot_handoff_of_conversation_not_with_bot_is_an_error() {
    let cfg = sales(&["anna"]).bot(bot(BotJoin::Always, Some(120), BotLeave::Queue));
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 09:00:30", handoff("k1"));
    assert_eq!(
        s.err("03-02 09:01", handoff("k1")),
        Error::NotWithBot("k1".into()),
        "assigned"
    );
    s.at("03-02 09:01", close("k1"));
    assert_eq!(
        s.err("03-02 09:01", handoff("k1")),
        Error::ConversationClosed("k1".into())
    );
    assert_eq!(
        s.err("03-02 09:01", handoff("zz")),
        Error::UnknownConversation("zz".into())
    );
    // Stamped after the bot's own deadline: the timeout would have ended its turn first, so
    // the handoff fails — and the timeout has not fired either.
    s.at("03-02 09:05", inc("k2"));
    assert_eq!(
        s.err("03-02 09:08", handoff("k2")),
        Error::NotWithBot("k2".into())
    );
    assert_eq!(s.conv("k2").state, ConversationState::WithBot);
    assert_eq!(
        s.tick("03-02 09:08"),
        [
            "03-02 09:07 bot_left k2 helper timeout",
            "03-02 09:07 assigned k2 sales anna routed"
        ]
    );
    // A waiting conversation is not with the bot either.
    s.at("03-02 09:09", offline("anna"));
    s.at("03-02 09:10", inc("k3"));
    s.at("03-02 09:11", handoff("k3"));
    assert_eq!(s.conv("k3").state, ConversationState::Waiting);
    assert_eq!(
        s.err("03-02 09:12", handoff("k3")),
        Error::NotWithBot("k3".into())
    );
}

#[test]
fn invalid_schedule_is_an_error() {
    // Issue: an unknown zone, a bad time, a bad holiday are refused, and change nothing — for
    // an existing line and for a new one.
    let mut s = world("03-02 09:00", sales(&["anna"]), &["anna"]);
    let utc = || ScheduleConfig::new("UTC");
    let bad: Vec<(ScheduleConfig, &str)> = vec![
        (ScheduleConfig::new("Mars/Olympus"), "Mars/Olympus"),
        (ScheduleConfig::new("Europe/Moskow"), "Europe/Moskow"),
        (ScheduleConfig::new(""), "time zone"),
        (utc().hours(Weekday::Mon, "9:00", "18:00"), "9:00"),
        (utc().hours(Weekday::Mon, "09:00", "25:00"), "25:00"),
        (utc().hours(Weekday::Mon, "09:00", "24:30"), "24:30"),
        (utc().hours(Weekday::Mon, "09:60", "18:00"), "09:60"),
        (utc().hours(Weekday::Mon, "nine", "18:00"), "nine"),
        (utc().hours(Weekday::Tue, "18:00", "09:00"), "18:00"),
        (utc().hours(Weekday::Tue, "10:00", "10:00"), "10:00"),
        (utc().holiday("13-01"), "13-01"),
        (utc().holiday("02-30"), "02-30"),
        (utc().holiday("2026-02-30"), "2026-02-30"),
        (utc().holiday("03/08"), "03/08"),
        (utc().holiday("3-8"), "3-8"),
        (utc().override_date("tomorrow", &[]), "tomorrow"),
        (
            utc().override_date("2026-03-04", &[("14:00", "12:00")]),
            "14:00",
        ),
        (
            utc()
                .override_date("2026-03-04", &[])
                .override_date("2026-03-04", &[("10:00", "11:00")]),
            "2026-03-04",
        ),
    ];
    for (schedule, offending) in bad {
        for id in ["sales", "new"] {
            let cfg = named(id, &["anna"]).schedule(schedule.clone());
            match s.err("03-02 09:01", line(cfg)) {
                Error::InvalidSchedule { line, reason } => {
                    assert_eq!(line.as_str(), id);
                    assert!(
                        reason.to_string().contains(offending),
                        "{schedule:?}: `{reason}` should name `{offending}`"
                    );
                }
                other => panic!("{schedule:?}: expected InvalidSchedule, got {other:?}"),
            }
        }
    }
    assert_eq!(names(s.e.lines()), ["sales"]);
    assert_eq!(s.e.poll_timeout(), None, "the line still has no schedule");
    // The edges that are valid: "24:00" ends a day, "00:00" starts one, a leap day recurs.
    let fine = utc()
        .hours(Weekday::Mon, "00:00", "24:00")
        .holiday("02-29")
        .holiday("2028-02-29");
    assert_eq!(
        s.at("03-02 09:02", line(sales(&["anna"]).schedule(fine))),
        NOTHING
    );
}

#[test]
fn zero_duration_is_an_error() {
    // A duration of zero seconds is a mistake, named by its wire field.
    let mut s = world("03-02 09:00", sales(&["anna"]), &["anna"]);
    let cases: Vec<(LineConfig, &str)> = vec![
        (
            sales(&["anna"]).auto_replies(AutoReplies {
                unanswered_after_secs: Some(0),
                ..replies()
            }),
            "auto_replies.unanswered_after_secs",
        ),
        (
            sales(&["anna"]).sla(sla(Some(0), None, false)),
            "sla.first_response_secs",
        ),
        (
            sales(&["anna"]).sla(sla(Some(60), Some(0), true)),
            "sla.next_response_secs",
        ),
        (
            sales(&["anna"]).bot(bot(BotJoin::Always, Some(0), BotLeave::Queue)),
            "bot.handoff_after_secs",
        ),
        (
            sales(&["anna"]).auto_close_after_secs(0),
            "auto_close_after_secs",
        ),
    ];
    for (cfg, field) in cases {
        assert_eq!(
            s.err("03-02 09:01", line(cfg)),
            Error::InvalidDuration {
                line: "sales".into(),
                field
            }
        );
    }
    // One second is fine.
    assert_eq!(
        s.at(
            "03-02 09:02",
            line(sales(&["anna"]).auto_close_after_secs(1))
        ),
        NOTHING
    );
}

#[test]
fn auto_close_after_inactivity() {
    // Issue: "a conversation whose client has not written for that long after an operator's
    // answer closes (closed reason inactivity)".
    let cfg = sales(&["anna"])
        .auto_close_after_secs(600)
        .rating(ratings(true, false));
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 09:00", inc("k2"));
    assert_eq!(
        s.e.poll_timeout(),
        None,
        "not answered yet: no inactivity clock"
    );
    s.at("03-02 09:01", reply("k1", "anna"));
    assert_eq!(s.timeout().as_deref(), Some("03-02 09:11"));
    s.at("03-02 09:05", reply("k1", "anna"));
    assert_eq!(
        s.timeout().as_deref(),
        Some("03-02 09:15"),
        "each answer restarts it"
    );
    assert_eq!(s.tick("03-02 09:11"), NOTHING);
    assert_eq!(
        s.tick("03-02 09:15"),
        [
            "03-02 09:15 closed k1 inactivity",
            "03-02 09:15 rating_requested k1"
        ]
    );
    assert_eq!(s.tick("03-02 12:00"), NOTHING, "k2 was never answered");
    assert_eq!(s.conv("k2").state, ConversationState::Assigned);
}

#[test]
fn client_message_cancels_inactivity_close() {
    let cfg = sales(&["anna"]).auto_close_after_secs(600);
    let mut s = world("03-02 09:00", cfg, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 09:01", reply("k1", "anna"));
    assert_eq!(s.timeout().as_deref(), Some("03-02 09:11"));
    assert_eq!(s.at("03-02 09:05", inc("k1")), NOTHING);
    assert_eq!(s.e.poll_timeout(), None);
    assert_eq!(s.tick("03-02 10:00"), NOTHING);
    s.at("03-02 10:01", reply("k1", "anna"));
    assert_eq!(s.tick("03-02 10:11"), ["03-02 10:11 closed k1 inactivity"]);
}
