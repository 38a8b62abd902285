//! Long-running hosts (issue 10), forgetting: closed conversations and idle clients are
//! forgotten after the retention, and the engine's settings.

use super::*;

/// The model's defaults for the engine settings are the engine's.
#[test]
pub(super) fn engine_settings_defaults_are_the_engines() {
    assert_eq!(model::DEFAULT_FORGET_SECS, DEFAULT_FORGET_CLOSED_AFTER_SECS);
    assert_eq!(model::DEFAULT_MAX_RENEWALS, DEFAULT_MAX_RENEWALS_PER_CALL);
    assert_eq!(DEFAULT_FORGET_CLOSED_AFTER_SECS, 2_592_000);
    assert_eq!(DEFAULT_MAX_RENEWALS_PER_CALL, 100_000);
    assert_eq!(
        Model::new().settings(),
        (Some(2_592_000), 100_000),
        "the model starts with the defaults"
    );
    // A field left out returns to its default; 0 renewals is refused, changing nothing.
    let mut both = Both::new(0);
    both.run(
        r#"
        +0s {"type":"engine_settings","forget_closed_after_secs":null,"max_renewals_per_call":7}
        +0s {"type":"engine_settings","forget_closed_after_secs":60}
        "#,
    );
    assert_eq!(both.model.settings(), (Some(60), 100_000));
    let out = both.run(r#"+0s {"type":"engine_settings","max_renewals_per_call":0}"#);
    assert!(
        matches!(
            out[0].0,
            Err(Error::InvalidEngineSetting {
                field: "max_renewals_per_call"
            })
        ),
        "{out:?}"
    );
    assert_eq!(both.model.settings(), (Some(60), 100_000));
}

/// A line `l1` of `o1` (online) on channel `c1`, routing at once with no offer timeout, and a
/// second line `l2` of `o1` on `c2`.
pub(super) const TWO_LINES: &str = r#"
    +0s {"type":"upsert_operator","operator":"o1"}
    +0s {"type":"presence","operator":"o1","status":"online"}
    +0s {"type":"upsert_line","line":"l1","queue":["o1"]}
    +0s {"type":"upsert_line","line":"l2","queue":["o1"]}
    +0s {"type":"connect_channel","channel":"c1","line":"l1"}
    +0s {"type":"connect_channel","channel":"c2","line":"l2"}
"#;

/// A closed conversation is forgotten `forget_closed_after_secs` after it closed, silently;
/// then its id is unknown (`rating`, a `message_out` without client and channel are
/// refused) and a `message_in` with it opens a new conversation, of any client on any
/// channel.
#[test]
pub(super) fn forgotten_conversation_id_opens_a_new_conversation() {
    let mut both = Both::new(7);
    both.run(r#"+0s {"type":"engine_settings","forget_closed_after_secs":300}"#);
    both.run(TWO_LINES);
    both.run(
        r#"
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +10s {"type":"close","conversation":"v1"}
        +309s handle_timeout
        "#,
    );
    assert_eq!(both.engine.poll_timeout(), Some(time(310)));
    assert!(both.engine.conversation("v1").is_some());
    let out = both.run("+310s handle_timeout");
    assert!(out[0].1.is_empty(), "forgetting emits nothing: {out:?}");
    assert!(both.engine.conversation("v1").is_none());
    assert!(both.engine.conversations().is_empty());
    assert_eq!(both.engine.poll_timeout(), None);
    let out = both.run(
        r#"
        +320s {"type":"rating","conversation":"v1","score":5}
        +320s {"type":"close","conversation":"v1"}
        +320s {"type":"message_out","conversation":"v1","operator":"o1"}
        +330s {"type":"message_in","conversation":"v1","client":"cl2","channel":"c2"}
        "#,
    );
    assert!(
        matches!(&out[0].0, Err(Error::UnknownConversation(v)) if v.as_str() == "v1"),
        "{out:?}"
    );
    assert!(
        matches!(&out[1].0, Err(Error::UnknownConversation(v)) if v.as_str() == "v1"),
        "{out:?}"
    );
    assert!(
        matches!(&out[2].0, Err(Error::OutboundNeedsClientAndChannel(v)) if v.as_str() == "v1"),
        "{out:?}"
    );
    assert!(out[3].0.is_ok(), "{out:?}");
    assert!(
        out[3].1[0].contains(
            r#""type":"assigned","conversation":"v1","line":"l2","operator":"o1","reason":"routed""#
        ),
        "{out:?}"
    );
    let v1 = both.engine.conversation("v1").expect("a new conversation");
    assert_eq!((v1.client.as_str(), v1.channel.as_str()), ("cl2", "c2"));
}

/// Reopening a closed conversation cancels its forgetting; closing it again starts the span
/// again. With `null` nothing is forgotten, however long.
#[test]
pub(super) fn reopening_cancels_forgetting() {
    let mut both = Both::new(0);
    both.run(r#"+0s {"type":"engine_settings","forget_closed_after_secs":300}"#);
    both.run(TWO_LINES);
    both.run(
        r#"
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +0s {"type":"message_in","conversation":"v2","client":"cl2","channel":"c1"}
        +10s {"type":"close","conversation":"v1"}
        +10s {"type":"close","conversation":"v2"}
        +100s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +200s {"type":"message_out","conversation":"v2","operator":"o1"}
        "#,
    );
    assert_eq!(both.engine.poll_timeout(), None);
    both.run(
        r#"
        +400s {"type":"close","conversation":"v1"}
        +699s handle_timeout
        "#,
    );
    assert!(both.engine.conversation("v1").is_some());
    both.run("+700s handle_timeout");
    assert!(both.engine.conversation("v1").is_none());
    assert!(both.engine.conversation("v2").is_some());
    both.run(
        r#"
        +800s {"type":"engine_settings","forget_closed_after_secs":null}
        +800s {"type":"close","conversation":"v2"}
        +99999999s {"type":"tick"}
        "#,
    );
    assert!(both.engine.conversation("v2").is_some());
}

/// Changing `forget_closed_after_secs` re-times every closed conversation at once (in order
/// of first mention): those past due by the new value are forgotten within the input, the
/// others get their new deadline; setting the same value again re-times nothing.
#[test]
pub(super) fn changing_forget_retimes_closed_conversations() {
    let mut both = Both::new(0);
    both.run(r#"+0s {"type":"engine_settings","forget_closed_after_secs":null}"#);
    both.run(TWO_LINES);
    both.run(
        r#"
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +0s {"type":"message_in","conversation":"v2","client":"cl2","channel":"c1"}
        +0s {"type":"message_in","conversation":"v3","client":"cl3","channel":"c1"}
        +10s {"type":"close","conversation":"v2"}
        +100s {"type":"close","conversation":"v1"}
        "#,
    );
    assert_eq!(both.engine.poll_timeout(), None);
    let out = both.run(r#"+200s {"type":"engine_settings","forget_closed_after_secs":150}"#);
    assert!(out[0].1.is_empty(), "{out:?}");
    let known: Vec<String> = both
        .engine
        .conversations()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(known, ["v1", "v3"]);
    assert_eq!(both.engine.poll_timeout(), Some(time(250)));
    // The same value again: nothing re-timed (the deadline stays where it was).
    both.run(
        r#"
        +210s {"type":"engine_settings","forget_closed_after_secs":150,"max_renewals_per_call":5}
        +220s {"type":"close","conversation":"v3"}
        "#,
    );
    assert_eq!(both.engine.poll_timeout(), Some(time(250)));
    // Longer: both deadlines move; then the default brings them to 30 days.
    both.run(r#"+230s {"type":"engine_settings","forget_closed_after_secs":1000}"#);
    assert_eq!(both.engine.poll_timeout(), Some(time(1100)));
    both.run(r#"+240s {"type":"engine_settings"}"#);
    assert_eq!(both.engine.poll_timeout(), Some(time(100 + 2_592_000)));
    // Zero: everything closed is forgotten at once.
    both.run(r#"+250s {"type":"engine_settings","forget_closed_after_secs":0}"#);
    assert!(both.engine.conversations().is_empty());
    assert_eq!(both.engine.poll_timeout(), None);
}

/// A client is forgotten with their last conversation (contacts, last operator): a bot that
/// joins on first contact joins again, and `prefer_last_operator` finds nobody. A pin keeps
/// the client; unpinning a client the engine knows no conversation of forgets them at once.
#[test]
pub(super) fn forgotten_client_starts_afresh() {
    let mut both = Both::new(0);
    both.run(
        r#"
        +0s {"type":"engine_settings","forget_closed_after_secs":60}
        +0s {"type":"upsert_operator","operator":"o1"}
        +0s {"type":"upsert_operator","operator":"o2"}
        +0s {"type":"presence","operator":"o1","status":"online"}
        +0s {"type":"presence","operator":"o2","status":"online"}
        +0s {"type":"upsert_line","line":"l1","mode":"strict","queue":["o1","o2"],"prefer_last_operator":true,"bot":{"bot":"b","join":"first_contact"}}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +0s {"type":"bot_handoff","conversation":"v1"}
        +5s {"type":"message_out","conversation":"v1","operator":"o2"}
        +10s {"type":"close","conversation":"v1"}
        "#,
    );
    // Remembered: no bot (second contact), and the last operator.
    let out =
        both.run(r#"+20s {"type":"message_in","conversation":"v2","client":"cl1","channel":"c1"}"#);
    assert!(
        out[0].1[0].contains(r#""type":"assigned","conversation":"v2","line":"l1","operator":"o2","reason":"last_operator""#),
        "{out:?}"
    );
    both.run(
        r#"
        +30s {"type":"close","conversation":"v2"}
        +90s handle_timeout
        "#,
    );
    assert_eq!(both.model.client_summary("cl1"), None, "forgotten");
    // A new client: the bot joins again, and routing is by the queue.
    let out = both.run(
        r#"
        +100s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +100s {"type":"bot_handoff","conversation":"v1"}
        "#,
    );
    assert!(out[0].1[0].contains(r#""type":"bot_assigned""#), "{out:?}");
    assert!(
        out[1].1[1].contains(r#""operator":"o1","reason":"routed""#),
        "{out:?}"
    );
    // A pin keeps the client through the forgetting of their conversations …
    both.run(
        r#"
        +110s {"type":"pin_client","client":"cl1","operator":"o2"}
        +120s {"type":"close","conversation":"v1"}
        +200s handle_timeout
        "#,
    );
    assert!(both.engine.conversations().is_empty());
    assert_eq!(
        both.model.client_summary("cl1"),
        Some((Some("o2".to_string()), 1, Some("o1".to_string())))
    );
    // … until it goes: then the client is forgotten at once, and meets the bot again.
    both.run(r#"+210s {"type":"unpin_client","client":"cl1"}"#);
    assert_eq!(both.model.client_summary("cl1"), None);
    let out = both
        .run(r#"+220s {"type":"message_in","conversation":"v3","client":"cl1","channel":"c1"}"#);
    assert!(out[0].1[0].contains(r#""type":"bot_assigned""#), "{out:?}");
    // Removing the operator a client is pinned to unpins (and so forgets) them too.
    both.run(
        r#"
        +230s {"type":"pin_client","client":"cl4","operator":"o2"}
        +230s {"type":"remove_operator","operator":"o2"}
        "#,
    );
    assert_eq!(both.model.client_summary("cl4"), None);
}

/// With a retention of zero a conversation is forgotten as it closes, within the input (or
/// deadline) that closes it: no deadline is left due after a call.
#[test]
pub(super) fn zero_retention_forgets_at_close() {
    let mut both = Both::new(0);
    both.run(r#"+0s {"type":"engine_settings","forget_closed_after_secs":0}"#);
    both.run(TWO_LINES);
    both.run(
        r#"
        +0s {"type":"upsert_line","line":"l2","queue":["o1"],"auto_close_after_secs":60}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +0s {"type":"message_in","conversation":"v2","client":"cl2","channel":"c2"}
        +0s {"type":"message_out","conversation":"v2","operator":"o1"}
        +10s {"type":"close","conversation":"v1"}
        "#,
    );
    assert!(both.engine.conversation("v1").is_none());
    assert_eq!(both.engine.poll_timeout(), Some(time(60)));
    let out = both.run("+60s handle_timeout");
    assert!(out[0].1[0].contains(r#""type":"closed","conversation":"v2","reason":"inactivity""#));
    assert!(both.engine.conversations().is_empty());
    assert_eq!(both.engine.poll_timeout(), None);
}
