//! Support lines (DESIGN §6) on small cases, the engine and the model side by side ([`Both`]
//! asserts that they agree after every step), each checking one rule of the spec by the
//! decisions it must give: the article's rules, the order of `complete`, the answer clock of a
//! placement made while nobody awaits an answer, `assign_responsible`, and the responsible
//! through close, reopen and removal.

use super::*;

/// `o1`, `o2` (group `g1`, the chat team) and `o3` (group `g2`, line 2) online; line `l1`
/// (mode `all`, queue `g1`, offers of ten minutes) on channel `c1`, whatever `mode` and
/// `timeout` say otherwise; line `l2` of `o3`.
fn chat_team(extra: &str) -> Both {
    let mut both = Both::new(3);
    both.run(&format!(
        r#"
        +0s {{"type":"upsert_operator","operator":"o1","groups":["g1"]}}
        +0s {{"type":"upsert_operator","operator":"o2","groups":["g1"]}}
        +0s {{"type":"upsert_operator","operator":"o3","groups":["g2"]}}
        +0s {{"type":"presence","operator":"o1","status":"online"}}
        +0s {{"type":"presence","operator":"o2","status":"online"}}
        +0s {{"type":"presence","operator":"o3","status":"online"}}
        +0s {{"type":"upsert_line","line":"l1","mode":"all","queue":[{{"group":"g1"}}],"offer_timeout_secs":600{extra}}}
        +0s {{"type":"upsert_line","line":"l2","queue":["o3"]}}
        +0s {{"type":"connect_channel","channel":"c1","line":"l1"}}
        +0s {{"type":"connect_channel","channel":"c2","line":"l2"}}
        "#
    ));
    both
}

/// The article's four rules (DESIGN §6, "The article, as rules"), with `o3` for lev (group
/// `g2`, line 2) and `g1` for line 1.
const ARTICLE_RULES: &str = r#"{"type":"set_rules",
    "incoming":[{"name":"1","when":{"event":["operator_message"],"author_groups":["g2"]},"then":[{"action":"route","line":"l1"},{"action":"stop"}]}],
    "changed":[
      {"name":"2","when":{"event":["operator_message"],"author_groups":["g2"],"reactivated":true},"then":[{"action":"complete"},{"action":"status","status":"waiting"},{"action":"assign","operator":"o1"}]},
      {"name":"3","when":{"event":["operator_message"],"author_groups":["g2"],"responsible_groups":["g2"]},"then":[{"action":"complete"},{"action":"status","status":"waiting"},{"action":"assign","operator":"o1"}]},
      {"name":"4","when":{"event":["client_message"],"reactivated":true,"responsible_groups":["g1"]},"then":[{"action":"assign_responsible"}]}]}"#;

#[test]
fn the_article_as_rules() {
    let mut both = chat_team("");
    both.run(&format!("+0s {}", ARTICLE_RULES.replace('\n', "")));
    // 1: lev writes into a closed chat; the rule hands it to line 1, offered with no clock.
    let out = both.run(
        r#"
        +60s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +120s {"type":"message_out","conversation":"v1","operator":"o1"}
        +180s {"type":"close","conversation":"v1"}
        +600s {"type":"message_out","conversation":"v1","operator":"o3"}
        +3000s handle_timeout
        +3060s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        "#,
    );
    assert!(
        says(
            &out[3].1,
            &[
                r#""assigned","conversation":"v1","line":"l1","operator":"o3","reason":"outbound""#,
                r#""rule_applied","conversation":"v1","list":"incoming","rule":"1""#,
                r#""unassigned","conversation":"v1","operator":"o3","reason":"rule""#,
                r#""offered","conversation":"v1","line":"l1","operators":["o1","o2"]}"#,
            ]
        ),
        "{out:?}"
    );
    assert!(out[4].1.is_empty(), "no clock, nothing moves: {out:?}");
    assert!(
        out[5].1[0].contains(
            r#""offered","conversation":"v1","line":"l1","operators":["o1","o2"],"expires_at":"2026-03-02T10:01:00Z""#
        ),
        "{out:?}"
    );
    // 3: lev answers first in a chat he now holds (taken over from line 1's offers): it is
    // completed, waiting, with o1 responsible.
    let out = both.run(r#"+3120s {"type":"message_out","conversation":"v1","operator":"o3"}"#);
    assert!(
        says(
            &out[0].1,
            &[
                r#""assigned","conversation":"v1","line":"l1","operator":"o3","reason":"taken""#,
                r#""rule":"3""#,
                r#""unassigned","conversation":"v1","operator":"o3","reason":"rule""#,
                r#""completed","conversation":"v1","line":"l1","responsible":"o3""#,
                r#""status_changed","conversation":"v1","status":"waiting""#,
                r#""completed","conversation":"v1","line":"l1","responsible":"o1""#,
            ]
        ),
        "{out:?}"
    );
    // 4: the client answers the completed chat: straight to its line-1 responsible.
    let out = both
        .run(r#"+3180s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}"#);
    assert!(
        says(
            &out[0].1,
            &[
                r#""status_changed","conversation":"v1","status":"open""#,
                r#""rule":"4""#,
                r#""assigned","conversation":"v1","line":"l1","operator":"o1","reason":"rule","answer_by""#,
            ]
        ),
        "{out:?}"
    );
    // 2: completed again by o1, then lev's message re-activates it: completed again, waiting,
    // o1 responsible (and no placement at all).
    let out = both.run(
        r#"
        +3240s {"type":"complete","conversation":"v1"}
        +3300s {"type":"message_out","conversation":"v1","operator":"o3"}
        "#,
    );
    assert!(
        says(
            &out[1].1,
            &[
                r#""assigned","conversation":"v1","line":"l1","operator":"o3","reason":"outbound""#,
                r#""rule":"2""#,
                r#""unassigned","conversation":"v1","operator":"o3","reason":"rule""#,
                r#""status_changed","conversation":"v1","status":"waiting""#,
                r#""completed","conversation":"v1","line":"l1","responsible":"o1""#,
            ]
        ),
        "{out:?}"
    );
    assert!(
        !out[1].1.iter().any(|d| d.contains(r#""rule":"3""#)),
        "{out:?}"
    );
}

#[test]
fn complete_tells_the_holder_then_the_status_then_completed() {
    let mut both = chat_team(r#","mode":"strict""#);
    let out = both.run(
        r#"
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +10s {"type":"complete","conversation":"v1","status":"waiting"}
        +20s {"type":"complete","conversation":"v1"}
        +30s {"type":"accept","conversation":"v1","operator":"o1"}
        +40s {"type":"set_status","conversation":"v1","status":"waiting"}
        "#,
    );
    assert!(
        says(
            &out[1].1,
            &[
                r#""unassigned","conversation":"v1","operator":"o1","reason":"completed""#,
                r#""status_changed","conversation":"v1","status":"waiting""#,
                r#""completed","conversation":"v1","line":"l1","responsible":"o1""#,
            ]
        ),
        "{out:?}"
    );
    assert!(out[2].0.is_err() && out[3].0.is_err(), "{out:?}");
    assert!(out[4].0.is_ok() && out[4].1.is_empty(), "{out:?}");
    assert_eq!(
        both.engine.poll_timeout(),
        None,
        "a completed conversation has no deadline"
    );
}

#[test]
fn a_placement_while_nobody_awaits_an_answer_has_no_clock_until_the_client_writes() {
    let mut both = chat_team(r#","mode":"strict","queue":["o1","o2"]"#);
    let out = both.run(
        r#"
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +10s {"type":"message_out","conversation":"v1","operator":"o1"}
        +20s {"type":"transfer","conversation":"v1","to_line":"l1"}
        +7200s handle_timeout
        +7210s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        "#,
    );
    assert!(
        out[2].1[1]
            .ends_with(r#""conversation":"v1","line":"l1","operator":"o2","reason":"routed"}"#),
        "{out:?}"
    );
    assert!(out[3].1.is_empty(), "{out:?}");
    assert!(
        out[4].1[0].contains(r#""assigned","conversation":"v1","line":"l1","operator":"o2","reason":"routed","answer_by":"2026-03-02T11:10:10Z""#),
        "{out:?}"
    );
    // Unconfirmed all along: the holder going offline loses it; the next one gets a clock
    // (the client awaits a reply now).
    let out = both.run(r#"+7220s {"type":"presence","operator":"o2","status":"offline"}"#);
    assert!(
        says(
            &out[0].1,
            &[
                r#""unassigned","conversation":"v1","operator":"o2","reason":"unavailable""#,
                r#""operator":"o1","reason":"routed","answer_by""#,
            ]
        ),
        "{out:?}"
    );
}

#[test]
fn assign_responsible_needs_the_responsible_ready_on_the_line() {
    let mut both = chat_team(r#","mode":"strict","queue":["o1","o2"],"max_open_per_operator":1"#);
    let rules = r#"+0s {"type":"set_rules","changed":[{"name":"mine","when":{"event":["client_message"],"reactivated":true},"then":[{"action":"assign_responsible"}]}]}"#;
    both.run(rules);
    let out = both.run(
        r#"
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +10s {"type":"message_out","conversation":"v1","operator":"o2"}
        +20s {"type":"complete","conversation":"v1"}
        +30s {"type":"message_in","conversation":"v2","client":"cl2","channel":"c1"}
        +30s {"type":"message_in","conversation":"v3","client":"cl3","channel":"c1"}
        +40s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        "#,
    );
    // o2, its responsible, is at the line's cap (v3): the rule does nothing, routing queues it.
    assert!(
        says(
            &out[5].1,
            &[
                r#""rule":"mine""#,
                r#""queued","conversation":"v1","line":"l1","reason":"at_capacity""#,
            ]
        ),
        "{out:?}"
    );
    // Completed again and o2's chat closed: o2 has room, and gets it with a clock.
    let out = both.run(
        r#"
        +50s {"type":"close","conversation":"v3"}
        +60s {"type":"complete","conversation":"v1"}
        +70s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        "#,
    );
    assert!(
        says(
            &out[2].1,
            &[
                r#""rule":"mine""#,
                r#""assigned","conversation":"v1","line":"l1","operator":"o2","reason":"rule","answer_by":"2026-03-02T09:11:10Z""#,
            ]
        ),
        "{out:?}"
    );
}

#[test]
fn the_responsible_survives_close_and_reopen_and_goes_with_the_operator() {
    let mut both = chat_team(r#","mode":"strict","queue":["o1"]"#);
    let out = both.run(
        r#"
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +0s {"type":"message_in","conversation":"v2","client":"cl2","channel":"c1"}
        +10s {"type":"complete","conversation":"v1"}
        +20s {"type":"close","conversation":"v2"}
        +30s {"type":"set_rules","incoming":[{"name":"who","when":{"responsible":["o1"]},"then":[{"action":"status","status":"waiting"}]}]}
        +40s {"type":"message_in","conversation":"v2","client":"cl2","channel":"c1"}
        +50s {"type":"remove_operator","operator":"o1"}
        "#,
    );
    assert!(
        says(&out[5].1, &[r#""rule":"who""#, r#""status":"waiting""#]),
        "{out:?}"
    );
    // v2 (held) is unassigned and waits; v1 (completed) says it has no responsible any more.
    assert!(
        says(
            &out[6].1,
            &[
                r#""unassigned","conversation":"v2","operator":"o1","reason":"removed""#,
                r#""completed","conversation":"v1","line":"l1"}"#,
            ]
        ),
        "{out:?}"
    );
    let v1 = both.engine.conversation("v1").expect("known");
    assert_eq!(v1.responsible, None);
}
