//! The small world the queue properties run in, and its steps as wire JSON.
//!
//! Lines (their configurations vary by `upsert_line` steps):
//! - `desk` — strict, 2 minutes to answer, cap 1, the client's last operator preferred,
//!   priorities (calls 50, callbacks 30, WhatsApp 10, VIP +100, aging 6 s) and callback
//!   settings (2 attempts, 5 minutes apart); members anna, boris, vera. Channels: `ph` phone,
//!   `wa` WhatsApp, `web` callback widget, `wr` WhatsApp restricted to anna.
//! - `chat` — no priorities, `always` pins in most variants (evenly, all, strict with
//!   `requeue`, balanced without offer timeout); members group `g1` (anna, vera) and lev, or
//!   others. Channels: `tg` Telegram, `cp` phone, `cw` callback widget (default callback
//!   settings).
//!
//! Operators anna, boris, vera and lev answer; root is an administrator in no line. Roles
//! `agent` (own), `supervisor` (all) and `admin` (every permission, all); `ghost` names an
//! operator who never exists, `phantom` a role never defined.

use chrono::{DateTime, Utc};
use routeline::{Engine, Input};
use serde_json::{Value, json};

pub const OPS: [&str; 4] = ["anna", "boris", "vera", "lev"];
pub const ROOT: &str = "root";
/// Who may be named as an actor.
pub const ACTORS: [&str; 6] = ["anna", "boris", "vera", "lev", "root", "ghost"];
pub const LINES: [&str; 2] = ["desk", "chat"];
pub const CLIENTS: [&str; 4] = ["c1", "c2", "c3", "c4"];
pub const ROLES: [&str; 3] = ["agent", "supervisor", "admin"];
/// Every permission there is.
pub const ALL_PERMISSIONS: [&str; 9] = [
    "configure",
    "pin_clients",
    "manage_clients",
    "take",
    "intercept",
    "transfer",
    "spam",
    "close",
    "callbacks",
];
/// Channels with an explicit operator list.
pub const RESTRICTED: [&str; 1] = ["wr"];
/// Each channel's line and kind.
pub const CHANNELS: [(&str, &str, &str); 7] = [
    ("ph", "desk", "phone"),
    ("wa", "desk", "whatsapp"),
    ("web", "desk", "widget"),
    ("wr", "desk", "whatsapp"),
    ("tg", "chat", "telegram"),
    ("cp", "chat", "phone"),
    ("cw", "chat", "widget"),
];

/// A channel's kind.
pub fn channel_kind(channel: &str) -> &'static str {
    CHANNELS.iter().find(|c| c.0 == channel).map_or("", |c| c.2)
}

/// Conversations and their home client and channel. k7, k8 and b1–b3 come through callback
/// widgets; b1–b3 only by `callback_request`.
pub const CONVS: [(&str, &str, &str); 17] = [
    ("k1", "c1", "wa"),
    ("k2", "c2", "ph"),
    ("k3", "c3", "wa"),
    ("k4", "c4", "tg"),
    ("k5", "c1", "cp"),
    ("k6", "c2", "wr"),
    ("k7", "c3", "web"),
    ("k8", "c4", "cw"),
    ("k9", "c2", "ph"),
    ("k10", "c3", "tg"),
    ("k11", "c4", "wa"),
    ("k12", "c1", "tg"),
    ("k13", "c2", "wa"),
    ("k14", "c4", "tg"),
    ("b1", "c1", "web"),
    ("b2", "c2", "web"),
    ("b3", "c4", "cw"),
];

/// 2026-03-02T09:00:00Z, a Monday.
pub fn base_time() -> DateTime<Utc> {
    DateTime::from_timestamp(1_772_442_000, 0).expect("a valid time")
}

fn desk_base() -> Value {
    json!({"type":"upsert_line","line":"desk","mode":"strict","queue":["anna","boris","vera"],
        "offer_timeout_secs":120,"max_open_per_operator":1,"prefer_last_operator":true,
        "priority":{"rules":[{"request":"call","priority":50},{"request":"callback","priority":30},
            {"channel_kind":"whatsapp","priority":10}],"vip":100,"aging_secs":6},
        "callback":{"max_attempts":2,"retry_after_secs":300}})
}

/// `desk` as configured by variant `v` (0 is the world's).
pub fn desk_line(v: usize) -> Value {
    let mut l = desk_base();
    match v % 4 {
        0 => {}
        // Only the cap changes: the queue's order stays.
        1 => l["max_open_per_operator"] = json!(2),
        // Strict classes (no aging), a channel rule.
        2 => {
            l["priority"] = json!({"rules":[{"request":"call","priority":5},
                {"channel":"wr","priority":7}],"vip":20});
        }
        _ => {
            l["mode"] = json!("balanced");
            l["offer_timeout_secs"] = json!(60);
            l["count_toward_cap"] = json!("awaiting_reply");
        }
    }
    l
}

/// `chat` as configured by variant `v`.
pub fn chat_line(v: usize) -> Value {
    match v % 4 {
        0 => json!({"type":"upsert_line","line":"chat","mode":"evenly",
            "queue":[{"group":"g1"},"lev"],"offer_timeout_secs":60,"pinned_policy":"always"}),
        1 => json!({"type":"upsert_line","line":"chat","mode":"all",
            "queue":[{"group":"g1"},"lev"],"offer_timeout_secs":300,"pinned_policy":"always"}),
        2 => json!({"type":"upsert_line","line":"chat","mode":"strict",
            "queue":["lev","boris","vera"],"offer_timeout_secs":90,"on_exhausted":"requeue"}),
        _ => json!({"type":"upsert_line","line":"chat","mode":"balanced",
            "queue":["boris",{"group":"g1"}],"pinned_policy":"always"}),
    }
}

/// Operator `o` (an index into `OPS`, or 4 for root) as configured by variant `v` (0 is the
/// world's).
pub fn operator(o: usize, v: usize) -> Value {
    let mut cfg = match o {
        0 => json!({"operator":"anna","max_open":3,"groups":["g1"],"roles":["agent"]}),
        1 => json!({"operator":"boris","max_open":2,"roles":["supervisor"]}),
        2 => json!({"operator":"vera","max_open":2,"groups":["g1"]}),
        3 => json!({"operator":"lev","max_open":1,"roles":["agent"]}),
        _ => json!({"operator":ROOT,"roles":["admin"]}),
    };
    cfg["type"] = json!("upsert_operator");
    let map = cfg.as_object_mut().expect("an object");
    match v % 6 {
        0 => {}
        1 => {
            map.insert("max_open".into(), json!(1));
        }
        2 => {
            map.remove("roles");
            map.remove("max_open");
        }
        3 => {
            map.insert("active".into(), json!(false));
        }
        4 => {
            map.insert("roles".into(), json!(["admin"]));
        }
        _ => {
            map.insert("groups".into(), json!(["g1"]));
            map.insert("max_open".into(), json!(2));
            map.insert("roles".into(), json!(["supervisor", "phantom"]));
        }
    }
    cfg
}

/// Role variants for `upsert_role`.
pub fn role(v: usize) -> Value {
    match v % 7 {
        0 => json!({"type":"upsert_role","role":"agent",
            "permissions":["take","transfer","spam","close","callbacks"]}),
        1 => json!({"type":"upsert_role","role":"agent","permissions":["take"],"scope":"all"}),
        2 => json!({"type":"upsert_role","role":"supervisor",
            "permissions":["take","transfer","spam","close","intercept","manage_clients","callbacks"],
            "scope":"all"}),
        3 => json!({"type":"upsert_role","role":"supervisor","permissions":["intercept","take"]}),
        4 => {
            json!({"type":"upsert_role","role":"admin","permissions":ALL_PERMISSIONS,"scope":"all"})
        }
        5 => json!({"type":"upsert_role","role":"admin",
            "permissions":&ALL_PERMISSIONS[1..],"scope":"all"}),
        _ => json!({"type":"upsert_role","role":"admin","permissions":ALL_PERMISSIONS}),
    }
}

/// The world every run starts from, all at `base_time()` and without an actor.
pub fn setup(desk: usize, chat: usize) -> Vec<Step> {
    let mut inputs = vec![role(0), role(2), role(4)];
    for o in 0..=4 {
        inputs.push(operator(o, 0));
    }
    // vera and lev start offline: their coming online is capacity appearing for a queue.
    for o in ["anna", "boris", ROOT] {
        inputs.push(json!({"type":"presence","operator":o,"status":"online"}));
    }
    inputs.push(desk_line(desk));
    inputs.push(chat_line(chat));
    for (channel, line, kind) in CHANNELS {
        let mut c = json!({"type":"connect_channel","channel":channel,"line":line,"kind":kind});
        if RESTRICTED.contains(&channel) {
            c["operators"] = json!(["anna"]);
        }
        inputs.push(c);
    }
    inputs
        .into_iter()
        .map(|json| Step::Input {
            at: base_time(),
            actor: None,
            json,
        })
        .collect()
}

// ---- concrete steps ----------------------------------------------------------------------------

/// One concrete step: an input on the wire (with its time and actor), or a
/// `handle_timeout`.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Input {
        at: DateTime<Utc>,
        actor: Option<String>,
        json: Value,
    },
    Timeout {
        at: DateTime<Utc>,
    },
}

impl Step {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Step::Input { at, .. } | Step::Timeout { at } => *at,
        }
    }

    /// The input, parsed from its wire JSON.
    pub fn input(&self) -> Option<Input> {
        match self {
            Step::Input { json, .. } => {
                Some(serde_json::from_value(json.clone()).expect("generated inputs parse"))
            }
            Step::Timeout { .. } => None,
        }
    }

    pub fn json(&self) -> Option<&Value> {
        match self {
            Step::Input { json, .. } => Some(json),
            Step::Timeout { .. } => None,
        }
    }

    pub fn actor(&self) -> Option<&str> {
        match self {
            Step::Input { actor, .. } => actor.as_deref(),
            Step::Timeout { .. } => None,
        }
    }

    /// The conversation the input is about, if any.
    pub fn conversation(&self) -> Option<&str> {
        self.json()?.get("conversation")?.as_str()
    }

    /// The wire line: `{"at":…,"actor":…,"type":…}`, or `{"at":…,"type":"handle_timeout"}`.
    pub fn wire(&self) -> String {
        let at = self.at().to_rfc3339();
        match self {
            Step::Input { actor, json, .. } => {
                let mut line = serde_json::Map::new();
                line.insert("at".into(), json!(at));
                if let Some(a) = actor {
                    line.insert("actor".into(), json!(a));
                }
                for (k, v) in json.as_object().expect("inputs are objects") {
                    line.insert(k.clone(), v.clone());
                }
                Value::Object(line).to_string()
            }
            Step::Timeout { .. } => json!({"at":at,"type":"handle_timeout"}).to_string(),
        }
    }

    /// Applies the step; `Ok(())` for a timeout.
    pub fn apply(&self, engine: &mut Engine) -> Result<(), routeline::Error> {
        match self {
            Step::Timeout { at } => {
                engine.handle_timeout(*at);
                Ok(())
            }
            Step::Input { at, actor, .. } => {
                let input = self.input().expect("an input");
                match actor {
                    Some(a) => engine.handle_as(*at, a.as_str(), input),
                    None => engine.handle(*at, input),
                }
            }
        }
    }
}

/// The steps as JSON lines, for failure messages.
pub fn wire(steps: &[Step]) -> String {
    steps.iter().map(|s| s.wire() + "\n").collect()
}
