//! Support lines (source article 002, Omnidesk; DESIGN §6): staff who rarely work with chats —
//! line-2 experts, people on the phones — write to a client now and then, and rules hand the
//! chat to the chat team (line 1) when the client answers. Statuses, completed sessions, the
//! responsible ("Mine"), and the two rule lists.
//!
//! The chat team's line `chats` offers every chat to everyone of group `line1` at once (mode
//! `all`: the article's "New" tab, where everybody is notified); anna and boris are line 1,
//! lev is line 2. The article's four examples are the rules of [`article_rules`].

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use routeline::{
    Action, ConversationState, Decision, Error, Input, LineConfig, Mode, OperatorConfig, Rule,
    RuleEvent, RuleList, RuleLists, Status,
};

#[allow(dead_code)]
mod scenario_support;
use scenario_support::{
    NOTHING, Notation, When, chan, close, describe, inc, line, offline, online, op_cfg, reply, take,
};

// ---- time and notation ----------------------------------------------------------------------

/// `"09:00"` on 2026-03-02, in UTC.
fn u(s: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(&format!("2026-03-02 {s}"), "%Y-%m-%d %H:%M")
        .unwrap_or_else(|e| panic!("bad test time {s}: {e}"))
        .and_utc()
}

fn tm(at: DateTime<Utc>) -> String {
    assert_eq!((at.month(), at.day(), at.second()), (3, 2, 0));
    at.format("%H:%M").to_string()
}

impl When for &str {
    fn instant(self) -> DateTime<Utc> {
        u(self)
    }
}

struct Clock;

impl Notation for Clock {
    fn time(at: DateTime<Utc>) -> String {
        tm(at)
    }

    fn show(d: &Decision) -> String {
        describe(&d.kind, tm)
    }
}

type Sim = scenario_support::Sim<Clock>;

// ---- the article's world ----------------------------------------------------------------------

fn rule(name: &str, when: serde_json::Value, then: serde_json::Value) -> Rule {
    serde_json::from_value(serde_json::json!({ "name": name, "when": when, "then": then }))
        .expect("a rule as DESIGN §6 writes it")
}

/// The article's examples, as rules (DESIGN §6, "The article, as rules"); rule 4 is optional.
fn article_rules(with_rule_4: bool) -> RuleLists {
    let mut changed = vec![
        rule(
            "2-line2-reactivates",
            serde_json::json!({"event":["operator_message"],"author_groups":["line2"],"reactivated":true}),
            serde_json::json!([{"action":"complete"},{"action":"status","status":"waiting"},{"action":"assign","operator":"anna"}]),
        ),
        rule(
            "3-line2-answers",
            serde_json::json!({"event":["operator_message"],"author_groups":["line2"],"responsible_groups":["line2"]}),
            serde_json::json!([{"action":"complete"},{"action":"status","status":"waiting"},{"action":"assign","operator":"anna"}]),
        ),
    ];
    if with_rule_4 {
        changed.push(rule(
            "4-back-to-mine",
            serde_json::json!({"event":["client_message"],"reactivated":true,"responsible_groups":["line1"]}),
            serde_json::json!([{"action":"assign_responsible"}]),
        ));
    }
    RuleLists {
        incoming: vec![rule(
            "1-line2-outbound",
            serde_json::json!({"event":["operator_message"],"author_groups":["line2"]}),
            serde_json::json!([{"action":"route","line":"chats"},{"action":"stop"}]),
        )],
        changed,
    }
}

/// anna and boris (line 1) and lev (line 2), online; the chat team's line `chats` (mode all,
/// ten minutes to answer) with channel `wa`; the article's rules.
fn chat_team(with_rule_4: bool) -> Sim {
    let mut s = Sim::new();
    for (o, group) in [("anna", "line1"), ("boris", "line1"), ("lev", "line2")] {
        s.at("09:00", op_cfg(OperatorConfig::new(o).group(group)));
        s.at("09:00", online(o));
    }
    s.at(
        "09:00",
        line(
            LineConfig::new("chats")
                .mode(Mode::All)
                .group("line1")
                .offer_timeout_secs(600),
        ),
    );
    s.at("09:00", chan("wa", "chats"));
    assert_eq!(
        s.at("09:00", Input::SetRules(article_rules(with_rule_4))),
        NOTHING
    );
    s
}

fn out(k: &str, o: &str) -> Input {
    // A line-2 expert writes to a client: into a known chat, or one that is closed.
    Input::MessageOut {
        conversation: k.into(),
        operator: o.into(),
        client: None,
        channel: None,
    }
}

fn complete(k: &str, status: Option<Status>) -> Input {
    Input::Complete {
        conversation: k.into(),
        status,
    }
}

fn set_status(k: &str, status: Status) -> Input {
    Input::SetStatus {
        conversation: k.into(),
        status,
    }
}

/// A chat the client opened at 09:01 and anna answered, then completed (status `waiting`):
/// anna is its responsible.
fn answered_then_completed(s: &mut Sim) {
    s.at("09:01", inc("k1"));
    s.at("09:02", reply("k1", "anna"));
    assert_eq!(
        s.at("09:03", complete("k1", Some(Status::Waiting))),
        [
            "unassigned k1 anna completed",
            "status_changed k1 waiting",
            "completed k1 chats anna",
        ]
    );
}

// =============================================================================================
// The article's examples
// =============================================================================================

#[test]
fn example_1_a_line2_expert_writing_into_a_closed_chat_hands_it_to_the_chat_team() {
    // Article 002, example 1: "A rare-chat employee writes into a chat that was completed as
    // closed: the message creates a new chat with the author as responsible. An
    // incoming-requests rule changes the responsible so that, if the client answers, the chat
    // is fixed on a chat person."
    let mut s = chat_team(false);
    s.at("09:01", inc("k1"));
    s.at("09:02", reply("k1", "anna"));
    s.at("09:03", close("k1"));
    assert_eq!(
        s.at("09:10", out("k1", "lev")),
        [
            "assigned k1 chats lev outbound",
            "rule_applied k1 incoming 1-line2-outbound",
            "unassigned k1 lev rule",
            // The client awaits no reply (lev spoke last): no clock, nothing moves on.
            "offered k1 chats [anna boris]",
        ]
    );
    assert_eq!(s.tick("09:40"), NOTHING);
    // The client answers: the clock starts, and whoever of line 1 accepts gets it.
    assert_eq!(
        s.at("09:41", inc("k1")),
        ["offered k1 chats [anna boris] by 09:51"]
    );
    assert_eq!(
        s.at(
            "09:42",
            Input::Accept {
                conversation: "k1".into(),
                operator: "boris".into()
            }
        ),
        [
            "withdrawn k1 anna accepted_elsewhere",
            "assigned k1 chats boris accepted"
        ]
    );
}

#[test]
fn example_2_a_line2_expert_writing_into_a_completed_chat_completes_it_again_for_line_1() {
    // Example 2: "A line-2 employee writes into a completed chat whose status is waiting or
    // open: the message re-activates it. A changed-requests rule completes the chat, sets
    // status waiting and changes the responsible to a chat person."
    let mut s = chat_team(false);
    answered_then_completed(&mut s);
    assert_eq!(
        s.at("09:20", out("k1", "lev")),
        [
            "assigned k1 chats lev outbound",
            "rule_applied k1 changed 2-line2-reactivates",
            "unassigned k1 lev rule",
            "completed k1 chats lev",
            "completed k1 chats anna",
        ]
    );
    let v = s.conv("k1");
    assert_eq!(v.state, ConversationState::Completed);
    assert_eq!(v.status, Status::Waiting);
    assert_eq!(v.responsible.as_ref().map(|o| o.as_str()), Some("anna"));
    // Not in anyone's "Mine" now (completed), nor "New".
    assert!(s.op("anna").conversations.is_empty());
    assert!(s.waiting("chats").is_empty());
}

#[test]
fn example_3_a_line2_expert_answering_first_gives_the_chat_back_to_line_1() {
    // Example 3: "A line-2 employee answers first in a chat not fixed on anyone, or writes into
    // an active chat of a line-1 person and becomes responsible: a rule completes the chat,
    // sets waiting and gives it back to line 1."
    let mut s = chat_team(false);
    assert_eq!(
        s.at("09:01", inc("k1")),
        ["offered k1 chats [anna boris] by 09:11"]
    );
    assert_eq!(
        s.at("09:02", out("k1", "lev")),
        [
            "withdrawn k1 anna accepted_elsewhere",
            "withdrawn k1 boris accepted_elsewhere",
            "assigned k1 chats lev taken",
            "rule_applied k1 changed 3-line2-answers",
            "unassigned k1 lev rule",
            "completed k1 chats lev",
            "status_changed k1 waiting",
            "completed k1 chats anna",
        ]
    );
    // Or into anna's active chat: he takes it over, and the rule gives it back.
    s.at("09:10", inc("k2"));
    s.at(
        "09:11",
        Input::Accept {
            conversation: "k2".into(),
            operator: "anna".into(),
        },
    );
    assert_eq!(
        s.at("09:12", out("k2", "lev")),
        [
            "unassigned k2 anna taken_over",
            "assigned k2 chats lev taken",
            "rule_applied k2 changed 3-line2-answers",
            "unassigned k2 lev rule",
            "completed k2 chats lev",
            "status_changed k2 waiting",
            "completed k2 chats anna",
        ]
    );
}

#[test]
fn example_4_the_client_answering_a_completed_chat_goes_straight_to_its_responsible() {
    // Example 4 (optional): "a rule that fixes re-activated chats on the line-1 person already
    // responsible, so they go straight to Mine instead of New (otherwise everyone is
    // notified)".
    let mut s = chat_team(true);
    answered_then_completed(&mut s);
    assert_eq!(
        s.at("09:30", inc("k1")),
        [
            "status_changed k1 open",
            "rule_applied k1 changed 4-back-to-mine",
            "assigned k1 chats anna rule by 09:40",
        ]
    );
    let names: Vec<String> = s
        .op("anna")
        .conversations
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(names, ["k1"], "anna's Mine");
}

#[test]
fn without_rule_4_a_re_activated_chat_goes_to_everyone() {
    let mut s = chat_team(false);
    answered_then_completed(&mut s);
    assert_eq!(
        s.at("09:30", inc("k1")),
        [
            "status_changed k1 open",
            "offered k1 chats [anna boris] by 09:40"
        ]
    );
}

#[test]
fn rule_4_with_the_responsible_offline_leaves_it_to_everyone() {
    // "when they are available": no re-opened chat goes to an offline agent.
    let mut s = chat_team(true);
    answered_then_completed(&mut s);
    s.at("09:20", offline("anna"));
    assert_eq!(
        s.at("09:30", inc("k1")),
        [
            "status_changed k1 open",
            "rule_applied k1 changed 4-back-to-mine",
            "offered k1 chats [boris] by 09:40",
        ]
    );
}

// =============================================================================================
// Statuses, completed sessions, the responsible
// =============================================================================================

#[test]
fn a_client_message_turns_waiting_into_open_and_set_status_says_so_once() {
    let mut s = chat_team(false);
    s.at("09:01", inc("k1"));
    assert_eq!(
        s.at("09:02", set_status("k1", Status::Waiting)),
        ["status_changed k1 waiting"]
    );
    assert_eq!(s.at("09:03", set_status("k1", Status::Waiting)), NOTHING);
    assert_eq!(s.at("09:04", inc("k1")), ["status_changed k1 open"]);
    s.at("09:05", close("k1"));
    assert_eq!(
        s.err("09:06", set_status("k1", Status::Open)),
        Error::ConversationClosed("k1".into())
    );
    let closed: Result<Input, _> =
        serde_json::from_str(r#"{"type":"set_status","conversation":"k1","status":"closed"}"#);
    assert!(closed.is_err(), "closing is not a status");
}

#[test]
fn completing_what_is_not_active_is_an_error_that_changes_nothing() {
    let mut s = chat_team(false);
    answered_then_completed(&mut s);
    assert_eq!(
        s.err("09:10", complete("k1", None)),
        Error::AlreadyCompleted("k1".into())
    );
    assert_eq!(
        s.err(
            "09:10",
            Input::Accept {
                conversation: "k1".into(),
                operator: "anna".into()
            }
        ),
        Error::NotOffered {
            conversation: "k1".into(),
            operator: "anna".into()
        }
    );
    s.at("09:11", close("k1"));
    assert_eq!(
        s.err("09:12", complete("k1", None)),
        Error::ConversationClosed("k1".into())
    );
}

#[test]
fn a_take_re_activates_a_completed_chat_for_the_taker() {
    let mut s = chat_team(false);
    answered_then_completed(&mut s);
    assert_eq!(
        s.at("09:10", take("k1", "boris")),
        ["assigned k1 chats boris taken"]
    );
    assert_eq!(
        s.conv("k1").responsible.as_ref().map(|o| o.as_str()),
        Some("boris")
    );
}

#[test]
fn the_responsible_survives_close_and_reopen_and_goes_when_the_operator_does() {
    let mut s = chat_team(false);
    answered_then_completed(&mut s);
    s.at("09:10", close("k1"));
    assert_eq!(
        s.conv("k1").responsible.as_ref().map(|o| o.as_str()),
        Some("anna")
    );
    s.at("09:11", inc("k1"));
    assert_eq!(
        s.conv("k1").responsible.as_ref().map(|o| o.as_str()),
        Some("anna"),
        "offered, held by nobody: the last holder is still responsible"
    );
    s.at("09:12", complete("k1", None));
    assert_eq!(
        s.at(
            "09:13",
            Input::RemoveOperator {
                operator: "anna".into()
            }
        ),
        ["completed k1 chats -"]
    );
}

// =============================================================================================
// The rule lists
// =============================================================================================

#[test]
fn set_rules_refuses_what_would_be_ambiguous_and_changes_nothing() {
    let mut s = chat_team(false);
    let good = rule(
        "r1",
        serde_json::json!({}),
        serde_json::json!([{"action":"stop"}]),
    );
    let lists =
        |incoming: Vec<Rule>, changed: Vec<Rule>| Input::SetRules(RuleLists { incoming, changed });
    assert_eq!(
        s.err("09:01", lists(vec![good.clone()], vec![good.clone()])),
        Error::DuplicateRuleName("r1".into())
    );
    let mut empty = good.clone();
    empty.then.clear();
    assert_eq!(
        s.err("09:01", lists(vec![empty], vec![])),
        Error::EmptyRule("r1".into())
    );
    let mut nameless = good.clone();
    nameless.name.clear();
    assert_eq!(
        s.err("09:01", lists(vec![nameless], vec![])),
        Error::EmptyRuleName
    );
    let mut elsewhere = good.clone();
    elsewhere.then = vec![Action::Route {
        line: Some("nowhere".into()),
    }];
    assert_eq!(
        s.err("09:01", lists(vec![], vec![elsewhere])),
        Error::RuleNamesUnknownLine {
            rule: "r1".into(),
            line: "nowhere".into()
        }
    );
    let many = (0..257)
        .map(|i| {
            let mut r = good.clone();
            r.name = format!("r{i}");
            r
        })
        .collect();
    assert_eq!(
        s.err("09:01", lists(many, vec![])),
        Error::TooManyRules {
            list: RuleList::Incoming,
            count: 257
        }
    );
    for bad in [
        r#"{"type":"set_rules","incoming":[{"name":"x","when":{"evnt":[]},"then":[{"action":"stop"}]}]}"#,
        r#"{"type":"set_rules","incoming":[{"name":"x","when":{"event":["call"]},"then":[{"action":"stop"}]}]}"#,
        r#"{"type":"set_rules","incoming":[{"name":"x","then":[{"action":"status","status":"closed"}]}]}"#,
    ] {
        assert!(serde_json::from_str::<Input>(bad).is_err(), "{bad}");
    }
    // A rule names `chats`: the line cannot go.
    s.at(
        "09:02",
        Input::DisconnectChannel {
            channel: "wa".into(),
        },
    );
    assert_eq!(
        s.err(
            "09:03",
            Input::RemoveLine {
                line: "chats".into()
            }
        ),
        Error::LineInRules {
            line: "chats".into(),
            rule: "1-line2-outbound".into()
        }
    );
}

#[test]
fn rules_run_for_the_inputs_they_are_for_and_never_for_the_engines_own_changes() {
    // A rule for every event that closes nothing but says it ran.
    let mut s = chat_team(false);
    let noisy = RuleLists {
        incoming: vec![rule(
            "in",
            serde_json::json!({}),
            serde_json::json!([{"action":"status","status":"open"}]),
        )],
        changed: vec![rule(
            "ch",
            serde_json::json!({}),
            serde_json::json!([{"action":"status","status":"open"}]),
        )],
    };
    s.at("09:00", Input::SetRules(noisy));
    assert_eq!(
        s.at("09:01", inc("k1")),
        [
            "rule_applied k1 incoming in",
            "offered k1 chats [anna boris] by 09:11"
        ]
    );
    // The offer expires and renews (a deadline): no rule.
    assert_eq!(
        s.tick("09:11"),
        [
            "withdrawn k1 anna expired",
            "withdrawn k1 boris expired",
            "offered k1 chats [anna boris] by 09:21"
        ]
    );
    assert_eq!(
        s.at("09:12", reply("k1", "anna")),
        [
            "withdrawn k1 boris accepted_elsewhere",
            "assigned k1 chats anna accepted",
            "rule_applied k1 changed ch"
        ]
    );
    // Presence, close, rating: no rule.
    assert_eq!(s.at("09:13", offline("boris")), NOTHING);
    assert_eq!(s.at("09:14", close("k1")), ["closed k1 closed"]);
    let _ = RuleEvent::ALL;
}
