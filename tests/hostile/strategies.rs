//! The lines fed to the replay: valid ones, valid ones with one thing wrong (rule lists deep
//! inside too), garbage, and a world to start from.

use super::*;

/// Extreme instants: the ends of chrono's range and just inside them, the Unix epoch, year
/// 9999 and year 0.
pub(super) fn extreme_times() -> Vec<DateTime<Utc>> {
    let max = DateTime::<Utc>::MAX_UTC;
    let min = DateTime::<Utc>::MIN_UTC;
    let p = |s: &str| s.parse::<DateTime<Utc>>().expect("valid time");
    vec![
        max,
        max - TimeDelta::seconds(1),
        max - TimeDelta::seconds(30),
        max - TimeDelta::seconds(59),
        max - TimeDelta::seconds(3_600),
        max - TimeDelta::seconds(43_199),
        max - TimeDelta::seconds(86_400),
        min,
        min + TimeDelta::seconds(1),
        p("1970-01-01T00:00:00Z"),
        p("9999-12-31T23:59:59Z"),
        p("0000-01-01T00:00:00Z"),
    ]
}

pub(super) fn time() -> BoxedStrategy<DateTime<Utc>> {
    prop_oneof![
        8 => (0i64..=3 * 86_400).prop_map(|s| common::base_time() + TimeDelta::seconds(s)),
        2 => select(extreme_times()),
    ]
    .boxed()
}

pub(super) fn valid_value() -> BoxedStrategy<Value> {
    (common::input(), time())
        .prop_map(|(input, at)| {
            let line = common::step_at(at, input).to_json_line();
            serde_json::from_str(&line).expect("own lines parse")
        })
        .boxed()
}

pub(super) fn time_value() -> BoxedStrategy<Value> {
    prop_oneof![
        select(extreme_times()).prop_map(|t| serde_json::to_value(t).expect("times serialise")),
        select(vec![
            json!(""),
            json!("yesterday"),
            json!("2026-13-01T00:00:00Z"),
            json!("2026-02-30T00:00:00Z"),
            json!("2026-03-02"),
            json!("2026-03-02T09:00:00"),
            json!("2026-03-02T09:00:00+25:00"),
            json!("2026-03-02T09:00:00+03:00"),
            json!("2026-03-02T24:00:00Z"),
            json!("2026-03-02T23:59:60Z"),
            json!("2026-03-02 09:00:00Z"),
            json!("+262144-01-01T00:00:00Z"),
            json!("+262143-12-31T23:59:59.999999999Z"),
            json!("-262144-01-01T00:00:00Z"),
            json!("99999999999-01-01T00:00:00Z"),
            json!(1_772_442_000),
            json!(-1),
            json!(null),
            json!({"secs": 0}),
        ]),
    ]
    .boxed()
}

pub(super) fn junk_string() -> BoxedStrategy<String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".into()),
        Just("\u{0}".into()),
        Just("оператор-Анна".into()),
        Just("🙂‍↔️👩🏽‍💻".into()),
        Just("\u{202e}rtl\u{200b}".into()),
        Just("o1 ".into()),
        "\\PC{0,12}",
        (1_000usize..20_000).prop_map(|n| "x".repeat(n)),
        (100usize..3_000).prop_map(|n| "я🙂".repeat(n)),
    ]
    .boxed()
}

pub(super) fn junk_value() -> BoxedStrategy<Value> {
    prop_oneof![
        select(vec![
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(-1),
            json!(-5),
            json!(4_294_967_295u64),
            json!(4_294_967_296u64),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1e300),
            json!(-1e300),
            json!(0.5),
            json!(59),
            json!(60),
            json!(43_200),
            json!(43_201),
            json!([]),
            json!({}),
            json!([1, "two", null]),
            json!({"a": [1, {"b": null}], "group": {"group": "g1"}}),
            json!({"group": "g1"}),
            json!([{"group": "g1"}, "o1", {"group": ""}]),
            json!(["o1", "o1", "o1"]),
            json!("strict"),
            json!("ALL"),
            json!("online"),
            json!("whatsapp"),
        ]),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u32>().prop_map(|n| json!(n)),
        junk_string().prop_map(Value::String),
        junk_string().prop_map(|s| json!([s])),
        time_value(),
    ]
    .boxed()
}

/// A valid line with one thing wrong (or odd but valid).
pub(super) fn mutated_line() -> BoxedStrategy<String> {
    (
        valid_value(),
        0u8..14,
        any::<prop::sample::Index>(),
        junk_value(),
        junk_string(),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(mut v, kind, pick, junk, s, cut)| {
            let obj = v.as_object_mut().expect("inputs are objects");
            let keys: Vec<String> = obj.keys().cloned().collect();
            let key = pick.get(&keys).clone();
            match kind {
                // A field of the wrong type or value.
                0..=2 => {
                    obj.insert(key, junk);
                }
                // An id field replaced by an odd string.
                3 | 4 => {
                    let ids = [
                        "operator",
                        "line",
                        "channel",
                        "client",
                        "conversation",
                        "to_operator",
                        "to_line",
                    ];
                    let k = keys
                        .iter()
                        .find(|k| ids.contains(&k.as_str()))
                        .cloned()
                        .unwrap_or(key);
                    obj.insert(k, Value::String(s));
                }
                // An unknown field.
                5 => {
                    obj.insert(format!("{key}_typo"), junk);
                }
                // An unknown or missing type.
                6 => {
                    if pick.index(2) == 0 {
                        obj.remove("type");
                    } else {
                        obj.insert("type".into(), junk);
                    }
                }
                // A missing or bad time.
                7 => {
                    obj.remove("at");
                }
                8 | 9 => {
                    obj.insert("at".into(), junk);
                }
                // Absence windows and times at the ends of time.
                10 => {
                    for k in ["at", "from", "until"] {
                        if obj.contains_key(k) || k == "at" {
                            obj.insert(k.into(), junk.clone());
                        }
                    }
                }
                // A duplicate key (the later one wins in a JSON value).
                11 => {
                    let text = serde_json::to_string(&v).expect("values serialise");
                    let dup = format!("{{{}:{},", json!(key), junk);
                    return text.replacen('{', &dup, 1);
                }
                // The whole line nested or wrapped.
                12 => {
                    return match pick.index(3) {
                        0 => json!([v]).to_string(),
                        1 => {
                            json!({ "at": v["at"].clone(), "type": "tick", "junk": v }).to_string()
                        }
                        _ => format!("{v} {v}"),
                    };
                }
                // Truncated.
                _ => {
                    let text = serde_json::to_string(&v).expect("values serialise");
                    let mut n = cut.index(text.len().max(1));
                    while !text.is_char_boundary(n) {
                        n -= 1;
                    }
                    return text[..n].to_string();
                }
            }
            serde_json::to_string(&v).expect("values serialise")
        })
        .boxed()
}

pub(super) fn garbage_line() -> BoxedStrategy<String> {
    let tokens = vec![
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "\"at\"",
        "\"type\"",
        "\"tick\"",
        "\"presence\"",
        "\"operator\"",
        "\"o1\"",
        "null",
        "true",
        "-",
        "1",
        "0",
        "e",
        "9999999999999999999",
        "\"2026-03-02T09:00:00Z\"",
        "\"",
        "\\",
        "\\u0000",
        "\\ud800",
        " ",
        "\t",
    ];
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        prop::collection::vec(select(tokens), 0..40).prop_map(|t| t.concat()),
        "\\PC{0,80}",
        (1usize..5_000).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n))),
        (1usize..2_000).prop_map(|n| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n))),
        Just("   ".to_string()),
        Just(String::new()),
    ]
    .boxed()
}

/// A `set_rules`, `set_status` or `complete` (DESIGN §6) with something wrong deep inside:
/// an unknown field or value in a rule, a condition or an action, a wrong type, a `closed`
/// status, a missing name, `then` empty or not a list, too many rules, `unless` nested.
pub(super) fn malformed_support_line() -> BoxedStrategy<String> {
    let rules = (common::set_rules_of(common::line()), time()).prop_map(|(input, at)| {
        let line = common::step_at(at, input).to_json_line();
        serde_json::from_str::<Value>(&line).expect("own lines parse")
    });
    (
        rules,
        0u8..16,
        any::<prop::sample::Index>(),
        junk_value(),
        (2usize..300, time()),
    )
        .prop_map(|(mut v, kind, pick, junk, (n, at))| {
            let at = serde_json::to_value(at).expect("times serialise");
            match kind {
                // `set_status` and `complete` with a status that is none.
                0 => {
                    return json!({"at": at, "type": "set_status", "conversation": "v1", "status": "closed"})
                        .to_string();
                }
                1 => {
                    return json!({"at": at, "type": "complete", "conversation": "v1", "status": junk})
                        .to_string();
                }
                // Many rules (more than 256 is an error), each valid.
                2 => {
                    let many: Vec<Value> = (0..n)
                        .map(|i| json!({"name": format!("m{i}"), "then": [{"action": "stop"}]}))
                        .collect();
                    return json!({"at": at, "type": "set_rules", "changed": many}).to_string();
                }
                // A list that is no list.
                3 => {
                    v["incoming"] = junk;
                    return v.to_string();
                }
                _ => {}
            }
            // Something wrong in one rule (a valid one added when there is none).
            let list = if pick.index(2) == 0 { "incoming" } else { "changed" };
            if !v[list].is_array() || v[list].as_array().is_some_and(|a| a.is_empty()) {
                v[list] = json!([{"name": "x", "when": {"event": ["client_message"]}, "then": [{"action": "stop"}]}]);
            }
            let rules = v[list].as_array_mut().expect("a list");
            let i = pick.index(rules.len());
            let rule = &mut rules[i];
            match kind {
                4 => rule["when"]["typo"] = junk,
                5 => rule["when"]["event"] = json!(["client_msg"]),
                6 => rule["when"]["status"] = json!(["closed"]),
                7 => rule["when"][pick.get(&["author", "line", "has_responsible", "reactivated", "vip", "channel_kind"]).to_string()] = junk,
                8 => rule["then"] = junk,
                9 => rule["then"] = json!([{"action": "status", "status": "closed"}]),
                10 => rule["then"] = json!([{"action": "teleport"}]),
                11 => rule["then"] = json!([{"action": "route", "line": "l1", "operator": "o1"}]),
                12 => {
                    rule.as_object_mut().expect("a rule").remove("name");
                }
                13 => rule["name"] = junk,
                14 => rule["unless"] = json!({"unless": {"event": []}}),
                _ => rule["extra"] = junk,
            }
            v.to_string()
        })
        .boxed()
}

pub(super) fn hostile_line() -> BoxedStrategy<String> {
    prop_oneof![
        6 => valid_value().prop_map(|v| v.to_string()),
        5 => mutated_line(),
        2 => malformed_support_line(),
        2 => garbage_line(),
    ]
    .boxed()
}

/// A world to route in, as JSON lines: operators online, a line with an offer timeout, rule
/// lists (DESIGN §6).
pub(super) fn world() -> Vec<String> {
    [
        r#"{"at":"2026-03-02T09:00:00Z","type":"upsert_operator","operator":"o1","groups":["g1"]}"#,
        r#"{"at":"2026-03-02T09:00:00Z","type":"upsert_operator","operator":"o2","max_open":1}"#,
        r#"{"at":"2026-03-02T09:00:00Z","type":"upsert_line","line":"l1","mode":"strict","queue":["o2",{"group":"g1"}],"offer_timeout_secs":60}"#,
        r#"{"at":"2026-03-02T09:00:00Z","type":"upsert_line","line":"l2","mode":"all","queue":["o1","o2","o3"],"offer_timeout_secs":43200}"#,
        r#"{"at":"2026-03-02T09:00:00Z","type":"connect_channel","channel":"c1","line":"l1"}"#,
        r#"{"at":"2026-03-02T09:00:00Z","type":"connect_channel","channel":"c2","line":"l2"}"#,
        r#"{"at":"2026-03-02T09:00:00Z","type":"presence","operator":"o1","status":"online"}"#,
        r#"{"at":"2026-03-02T09:00:00Z","type":"presence","operator":"o2","status":"online"}"#,
        r#"{"at":"2026-03-02T09:00:00Z","type":"set_rules","incoming":[{"name":"w1","when":{"event":["operator_message"]},"then":[{"action":"route","line":"l2"},{"action":"stop"}]}],"changed":[{"name":"w2","when":{"event":["client_message"],"reactivated":true},"then":[{"action":"assign_responsible"}]},{"name":"w3","when":{"status":["waiting"]},"unless":{"completed":true},"then":[{"action":"complete"}]}]}"#,
    ]
    .into_iter()
    .map(String::from)
    .collect()
}
