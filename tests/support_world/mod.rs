//! The world and the script notation shared by the support-line tests (`support_details.rs`,
//! `support_rules.rs`): times as `HH:MM` of 2026-03-02, inputs in a short notation or as wire
//! JSON, scripts of steps with the decisions each must give, and the lines and channels both
//! files play in (described in `support_rules.rs`).

use chrono::{DateTime, NaiveDateTime, Utc};
use routeline::Input;
use serde_json::{Value, json};

use crate::scenario_support::{self, Notation, When};

/// `"09:00"` on 2026-03-02, in UTC.
pub fn u(s: &str) -> DateTime<Utc> {
    let at = NaiveDateTime::parse_from_str(&format!("2026-03-02 {s}"), "%Y-%m-%d %H:%M");
    at.unwrap_or_else(|e| panic!("bad test time {s}: {e}"))
        .and_utc()
}

impl When for &str {
    fn instant(self) -> DateTime<Utc> {
        u(self)
    }
}

/// Decisions as `scenario_support` writes them, moments as `HH:MM` of that one day.
pub struct Clock;

impl Notation for Clock {
    fn time(at: DateTime<Utc>) -> String {
        assert_eq!(at.date_naive(), u("00:00").date_naive());
        at.format("%H:%M").to_string()
    }
}

pub type Sim = scenario_support::Sim<Clock>;

/// An input in a script: wire JSON, or `in k1 wa` (client `c-k1` writes on channel `wa`; a
/// fourth word names another client), `out k1 anna` (anna writes), `take k1 anna`,
/// `accept k1 anna`, `transfer k1 anna`, `transfer k1 line chats`, `status k1 waiting`,
/// `complete k1` (optionally with a status), `close k1`, `spam k1`, `online anna`,
/// `offline anna`, `handoff k1` (the bot hands over), `rate k1 5`.
pub fn input(s: &str) -> Input {
    let w: Vec<&str> = s.split_whitespace().collect();
    let arg = |i: usize| w.get(i).copied().unwrap_or("");
    let (k, o) = (arg(1), arg(2));
    let client = w.get(3).map_or(format!("c-{k}"), |c| c.to_string());
    let wire = match w[0] {
        _ if s.starts_with('{') => serde_json::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}")),
        "in" => json!({"type":"message_in","conversation":k,"client":client,"channel":o}),
        "out" => json!({"type":"message_out","conversation":k,"operator":o}),
        "take" | "accept" => json!({"type":w[0],"conversation":k,"operator":o}),
        "transfer" if o == "line" => json!({"type":"transfer","conversation":k,"to_line":w[3]}),
        "transfer" => json!({"type":"transfer","conversation":k,"to_operator":o}),
        "status" => json!({"type":"set_status","conversation":k,"status":o}),
        "complete" if o.is_empty() => json!({"type":"complete","conversation":k}),
        "complete" => json!({"type":"complete","conversation":k,"status":o}),
        "close" | "spam" => json!({"type":w[0],"conversation":k}),
        "online" | "offline" => json!({"type":"presence","operator":k,"status":w[0]}),
        "handoff" => json!({"type":"bot_handoff","conversation":k}),
        "rate" => json!({"type":"rating","conversation":k,"score":o.parse::<u8>().unwrap()}),
        _ => panic!("not a step: {s}"),
    };
    serde_json::from_value(wire).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Runs a script: a step a line, `HH:MM input` or `HH:MM tick` (`handle_timeout`), then
/// optionally `=>` and the decisions it must give, separated by `; ` (nothing after `=>`: no
/// decision at all). A line starting with `#` is a comment.
pub fn run(s: &mut Sim, script: &str) {
    for line in script.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (step, expected) = match line.split_once("=>") {
            Some((step, expected)) => (step.trim(), Some(expected.trim())),
            None => (line, None),
        };
        let (t, what) = step.split_once(' ').expect("HH:MM and a step");
        let got = match what {
            "tick" => s.tick(t),
            _ => s.at(t, input(what)),
        };
        if let Some(expected) = expected {
            assert_eq!(got.join("; "), expected, "at `{step}`");
        }
    }
}

pub const WORLD: &str = r#"
{"type":"upsert_operator","operator":"anna","groups":["line1"]}
{"type":"upsert_operator","operator":"boris","groups":["line1"]}
{"type":"upsert_operator","operator":"lev","groups":["line2"]}
online anna
online boris
online lev
{"type":"upsert_line","line":"sales","mode":"strict","queue":["anna","boris"],"offer_timeout_secs":600}
{"type":"upsert_line","line":"chats","mode":"all","queue":[{"group":"line1"}],"offer_timeout_secs":600}
{"type":"upsert_line","line":"bots","mode":"strict","queue":["anna","boris"],"offer_timeout_secs":600,"auto_replies":{"welcome":true},"bot":{"bot":"robo"}}
{"type":"upsert_line","line":"vip","mode":"strict","queue":["boris","anna"],"offer_timeout_secs":600,"prefer_last_operator":true}
{"type":"upsert_line","line":"rated","mode":"strict","queue":["anna","boris"],"offer_timeout_secs":600,"rating":{"close_on_rating":true}}
{"type":"upsert_line","line":"care","mode":"strict","queue":["anna","boris"],"offer_timeout_secs":600,"sla":{"first_response_secs":300,"next_response_secs":600},"auto_replies":{"unanswered_after_secs":1200},"auto_close_after_secs":3600}
{"type":"connect_channel","channel":"wa","line":"sales","kind":"whatsapp"}
{"type":"connect_channel","channel":"tg","line":"chats","kind":"telegram"}
{"type":"connect_channel","channel":"web","line":"bots","kind":"widget"}
{"type":"connect_channel","channel":"sms","line":"vip","kind":"sms"}
{"type":"connect_channel","channel":"form","line":"rated","kind":"form"}
{"type":"connect_channel","channel":"mail","line":"care","kind":"email"}
"#;

/// The world with the rule lists `rules` (the body of `set_rules`; a rule without `then` is a
/// marker), then the script `steps`.
pub fn play(rules: &str, steps: &str) -> Sim {
    let mut s = Sim::new();
    for step in WORLD.lines().filter(|l| !l.is_empty()) {
        run(&mut s, &format!("09:00 {step} =>"));
    }
    let mut lists: Value = serde_json::from_str(rules).expect("rule lists as JSON");
    for list in lists.as_object_mut().expect("an object").values_mut() {
        for rule in list.as_array_mut().expect("a list") {
            if rule.get("then").is_none() {
                rule["then"] = json!([{"action":"assign","operator":"nobody"}]);
            }
        }
    }
    lists["type"] = "set_rules".into();
    run(&mut s, &format!("09:00 {lists} =>"));
    run(&mut s, steps);
    s
}
