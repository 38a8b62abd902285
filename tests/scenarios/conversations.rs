//! Conversations: messages, take, transfer, close.

use super::*;

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
