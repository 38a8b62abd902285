//! 1. Memory bounded by open work, not by the engine's age.

use super::*;

#[test]
fn a_closed_conversation_is_forgotten_after_the_retention_and_its_id_opens_a_new_one() {
    let mut s = world("03-02 09:00", sales(&["anna", "boris"]), &["anna", "boris"]);
    assert_eq!(s.at("03-02 09:00", forget_after(3600)), NOTHING);
    assert_eq!(
        s.at("03-02 09:00", inc("k1")),
        ["03-02 09:00 assigned k1 sales anna routed"]
    );
    assert_eq!(
        s.at("03-02 10:00", close("k1")),
        ["03-02 10:00 closed k1 closed"]
    );
    // Forgetting is a deadline at exactly closed-at + N, and emits nothing.
    assert_eq!(s.timeout().as_deref(), Some("03-02 11:00"));
    assert_eq!(s.tick("03-02 10:59"), NOTHING);
    assert!(known(&s, "k1"));
    assert_eq!(s.tick("03-02 11:00"), NOTHING);
    assert!(!known(&s, "k1"));
    assert!(s.e.conversations().is_empty());
    assert_eq!(s.e.poll_timeout(), None);
    // The id, written again by anyone on any channel, is a new conversation.
    assert_eq!(
        s.at("03-02 11:05", inc_from("k1", "someone-else", "wa")),
        ["03-02 11:05 assigned k1 sales boris routed"]
    );
    assert_eq!(
        s.e.conversation("k1").unwrap().client.as_str(),
        "someone-else"
    );
}

#[test]
fn retention_defaults_to_thirty_days_and_null_keeps_closed_conversations_forever() {
    let mut s = world("03-02 09:00", sales(&["anna"]), &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 10:00", close("k1"));
    assert_eq!(s.timeout().as_deref(), Some("04-01 10:00"));
    // `null` keeps them: the deadline goes, and a year later the conversation is still known.
    assert_eq!(s.at("03-02 10:01", settings(None, 1)), NOTHING);
    assert_eq!(s.e.poll_timeout(), None);
    s.tick("2027-03-02 10:00");
    assert!(known(&s, "k1"));
    // Back to the default (a field left out returns to it): more than 30 days have passed,
    // so it is forgotten at once.
    let defaults: Input = serde_json::from_str(r#"{"type":"engine_settings"}"#).unwrap();
    assert_eq!(s.at("2027-03-02 10:01", defaults), NOTHING);
    assert!(!known(&s, "k1"));
}

#[test]
fn changing_the_retention_retimes_every_closed_conversation() {
    let mut s = world("03-02 09:00", sales(&["anna"]), &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 09:01", inc("k2"));
    s.at("03-02 10:00", close("k1"));
    s.at("03-02 10:15", close("k2"));
    assert_eq!(s.at("03-02 10:20", forget_after(600)), NOTHING);
    assert!(!known(&s, "k1"), "closed 20 minutes ago: past the new span");
    assert!(known(&s, "k2"));
    assert_eq!(s.timeout().as_deref(), Some("03-02 10:25"));
    s.tick("03-02 10:25");
    assert!(!known(&s, "k2"));
}

#[test]
fn reopening_a_closed_conversation_cancels_its_forgetting() {
    let mut s = world("03-02 09:00", sales(&["anna"]), &["anna"]);
    s.at("03-02 09:00", forget_after(3600));
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 10:00", close("k1"));
    assert_eq!(
        s.at("03-02 10:30", inc("k1")),
        ["03-02 10:30 assigned k1 sales anna routed"]
    );
    assert_eq!(s.e.poll_timeout(), None);
    s.tick("03-02 12:00");
    assert!(known(&s, "k1"));
}

#[test]
fn an_idle_client_is_forgotten_with_their_last_conversation_unless_pinned() {
    // A client unseen for that long is new again: a bot that meets first contacts only meets
    // them again, and they have no last operator.
    let line = sales(&["anna"]).bot(BotConfig {
        bot: "helper".into(),
        join: BotJoin::FirstContact,
        handoff_after_secs: None,
        on_leave: Default::default(),
    });
    let mut s = world("03-02 09:00", line, &["anna"]);
    s.at("03-02 09:00", forget_after(60));
    assert_eq!(
        s.at("03-02 09:00", inc_from("k1", "ivan", "wa")),
        ["03-02 09:00 bot_assigned k1 helper"]
    );
    s.at("03-02 09:01", close("k1"));
    // A second conversation while the first is still known: not a first contact.
    assert_eq!(
        s.at("03-02 09:01", inc_from("k2", "ivan", "wa")),
        ["03-02 09:01 assigned k2 sales anna routed"]
    );
    s.at("03-02 09:02", close("k2"));
    s.tick("03-02 09:03");
    assert!(!known(&s, "k1") && !known(&s, "k2"));
    assert_eq!(
        s.at("03-02 09:10", inc_from("k3", "ivan", "wa")),
        ["03-02 09:10 bot_assigned k3 helper"],
        "ivan is new again"
    );
    // Pinned, the client is kept: what the host set on them is worth keeping.
    s.at("03-02 09:11", pin("olga", "anna"));
    s.at("03-02 09:11", inc_from("k4", "olga", "wa"));
    s.at("03-02 09:12", close("k4"));
    s.tick("03-02 09:20");
    assert!(!known(&s, "k4"));
    assert_eq!(
        s.at("03-02 09:21", inc_from("k5", "olga", "wa")),
        ["03-02 09:21 assigned k5 sales anna pinned"],
        "olga is no first contact: she was kept"
    );
}

#[test]
fn conversations_keep_their_order_of_first_mention_when_slots_are_reused() {
    // DESIGN §1: one input that moves several conversations of an operator handles them in
    // the order they were first mentioned. k3 takes the slot k1 left, but was mentioned after
    // k2.
    let mut s = world(
        "03-02 09:00",
        sales(&["anna"]).offer_timeout_secs(600),
        &["anna"],
    );
    s.at("03-02 09:00", forget_after(0));
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 09:01", inc("k2"));
    s.at("03-02 09:02", close("k1"));
    s.tick("03-02 09:02");
    assert!(!known(&s, "k1"));
    s.at("03-02 09:03", inc("k3"));
    assert_eq!(
        s.at("03-02 09:04", offline("anna")),
        [
            "03-02 09:04 unassigned k2 anna unavailable",
            "03-02 09:04 queued k2 sales no_eligible_operator",
            "03-02 09:04 unassigned k3 anna unavailable",
            "03-02 09:04 queued k3 sales no_eligible_operator",
        ]
    );
    assert_eq!(s.waiting("sales"), ["k2", "k3"]);
    let ids: Vec<String> = s.e.conversations().iter().map(|c| c.to_string()).collect();
    assert_eq!(ids, ["k2", "k3"]);
}

#[test]
fn engine_settings_out_of_range_are_refused_and_change_nothing() {
    let mut s = world("03-02 09:00", sales(&["anna"]), &["anna"]);
    assert_eq!(
        s.err("03-02 09:00", settings(Some(60), 0)),
        Error::InvalidEngineSetting {
            field: "max_renewals_per_call"
        }
    );
    let typo = serde_json::from_str::<Input>(r#"{"type":"engine_settings","forget_after":1}"#);
    assert!(typo.unwrap_err().to_string().contains("unknown field"));
}
