//! The random steps drawn over the world of `world.rs`, and how a drawn step becomes a
//! concrete wire input against the engine's state of the moment (so that `accept` names what
//! rings, `callback_result` the holder of an order …).

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use routeline::{ConversationState, ConversationView, Engine, Request};
use serde_json::{Value, json};

use super::world::{
    ACTORS, CLIENTS, CONVS, LINES, OPS, ROLES, ROOT, Step, base_time, chat_line, desk_line,
    operator, role,
};

/// Conversations that come by `message_in` (the others are callback orders).
const CHATS: usize = 14;
/// Callback orders: widget conversations.
const ORDERS: [usize; 5] = [6, 7, 14, 15, 16];

/// Who an input names as its operator.
#[derive(Clone, Copy, Debug)]
pub enum Who {
    /// Whoever holds the conversation, or the first it is offered to (else anna).
    Holder,
    /// One of `OPS` (or root for 4).
    Op(usize),
}

/// Which conversation an input names: any of `CONVS`, or the `n`-th (modulo their number)
/// of those the input makes sense for as the engine stands (ringing ones for `accept`, held
/// callback orders for `callback_result` …), else any.
#[derive(Clone, Copy, Debug)]
pub enum Pick {
    Any(usize),
    Live(usize),
}

/// Who makes the input.
#[derive(Clone, Copy, Debug)]
pub enum By {
    Host,
    /// One of `ACTORS`.
    Actor(usize),
    /// The operator the input names (their own fact), or the host when it names none.
    Itself,
}

/// What a drawn step does.
#[derive(Clone, Debug)]
pub enum Act {
    /// `message_in`; `request` 0: left out, 1: text, 2: call; `stranger`: another client.
    In {
        conv: usize,
        request: u8,
        stranger: bool,
    },
    Out {
        conv: Pick,
        who: Who,
        ids: bool,
    },
    Accept {
        conv: Pick,
        who: Who,
    },
    Take {
        conv: Pick,
        who: Who,
    },
    TransferOp {
        conv: Pick,
        who: Who,
    },
    TransferLine {
        conv: Pick,
        line: usize,
    },
    Close(Pick),
    Spam(Pick),
    Abandon(Pick),
    Client {
        client: usize,
        vip: bool,
    },
    /// `due` 0: left out, 1: now, 2: in 2 minutes, 3: in 20 minutes, 4: 5 minutes ago.
    CallbackRequest {
        order: usize,
        due: u8,
    },
    /// `result` 0: connected, 1: no_answer, 2: busy, 3: failed.
    CallbackResult {
        conv: Pick,
        who: Who,
        result: u8,
    },
    Intercept {
        conv: Pick,
        who: Who,
    },
    /// `status` 0, 1, 2: online, 3: away, 4: offline.
    Presence {
        op: usize,
        status: u8,
    },
    UpsertOperator {
        op: usize,
        variant: usize,
    },
    RemoveOperator(usize),
    UpsertRole(usize),
    RemoveRole(usize),
    Pin {
        client: usize,
        op: usize,
    },
    Unpin(usize),
    UpsertLine {
        line: usize,
        variant: usize,
    },
    Tick,
    /// `handle_timeout` at the step's time.
    Timeout,
}

/// A drawn step: time passing, who makes it, and what it does.
#[derive(Clone, Debug)]
pub struct Gen {
    /// Seconds after the previous step (negative: an input stamped in the past).
    pub dt: i64,
    pub by: By,
    pub act: Act,
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![3 => Just(Who::Holder), 2 => (0usize..5).prop_map(Who::Op)]
}

fn conv() -> impl Strategy<Value = Pick> {
    prop_oneof![
        1 => (0usize..CONVS.len()).prop_map(Pick::Any),
        3 => (0usize..CONVS.len()).prop_map(Pick::Live),
    ]
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        16 => (0usize..CHATS, prop_oneof![2 => Just(0u8), 1 => Just(1u8), 2 => Just(2u8)],
               prop::bool::weighted(0.05))
            .prop_map(|(conv, request, stranger)| Act::In { conv, request, stranger }),
        4 => (conv(), who(), any::<bool>()).prop_map(|(conv, who, ids)| Act::Out { conv, who, ids }),
        10 => (conv(), who()).prop_map(|(conv, who)| Act::Accept { conv, who }),
        3 => (conv(), who()).prop_map(|(conv, who)| Act::Take { conv, who }),
        2 => (conv(), who()).prop_map(|(conv, who)| Act::TransferOp { conv, who }),
        2 => (conv(), 0usize..2).prop_map(|(conv, line)| Act::TransferLine { conv, line }),
        8 => conv().prop_map(Act::Close),
        1 => conv().prop_map(Act::Spam),
        3 => conv().prop_map(Act::Abandon),
        2 => (0usize..CLIENTS.len(), any::<bool>()).prop_map(|(client, vip)| Act::Client { client, vip }),
        5 => (0usize..ORDERS.len(), 0u8..5).prop_map(|(order, due)| Act::CallbackRequest { order, due }),
        8 => (conv(), prop_oneof![4 => Just(Who::Holder), 1 => (0usize..4).prop_map(Who::Op)], 0u8..4)
            .prop_map(|(conv, who, result)| Act::CallbackResult { conv, who, result }),
        3 => (conv(), (0usize..4).prop_map(Who::Op)).prop_map(|(conv, who)| Act::Intercept { conv, who }),
        6 => (0usize..4, 0u8..5).prop_map(|(op, status)| Act::Presence { op, status }),
        2 => (0usize..5, 0usize..6).prop_map(|(op, variant)| Act::UpsertOperator { op, variant }),
        1 => (0usize..4).prop_map(Act::RemoveOperator),
        2 => (0usize..7).prop_map(Act::UpsertRole),
        1 => (0usize..ROLES.len() + 1).prop_map(Act::RemoveRole),
        1 => (0usize..CLIENTS.len(), 0usize..4).prop_map(|(client, op)| Act::Pin { client, op }),
        1 => (0usize..CLIENTS.len()).prop_map(Act::Unpin),
        2 => (0usize..2, 0usize..4).prop_map(|(line, variant)| Act::UpsertLine { line, variant }),
        1 => Just(Act::Tick),
        3 => Just(Act::Timeout),
    ]
}

fn dt() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => Just(0i64),
        5 => 1i64..60,
        4 => 60i64..400,
        1 => 400i64..2000,
        1 => -40i64..0,
    ]
}

fn by() -> impl Strategy<Value = By> {
    prop_oneof![
        6 => Just(By::Host),
        2 => (0usize..ACTORS.len()).prop_map(By::Actor),
        1 => Just(By::Itself),
    ]
}

/// A run: the variants `desk` and `chat` start with, and the drawn steps.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub desk: usize,
    pub chat: usize,
    pub gens: Vec<Gen>,
}

/// A busy queue: mostly arrivals, answers, closes and presence — what fills a waiting queue
/// and frees capacity for it — with a little of everything else.
fn busy_act() -> impl Strategy<Value = Act> {
    prop_oneof![
        20 => (0usize..CHATS, prop_oneof![3 => Just(0u8), 2 => Just(2u8)], Just(false))
            .prop_map(|(conv, request, stranger)| Act::In { conv, request, stranger }),
        10 => (conv(), Just(Who::Holder)).prop_map(|(conv, who)| Act::Accept { conv, who }),
        10 => conv().prop_map(Act::Close),
        10 => (0usize..4, 0u8..5).prop_map(|(op, status)| Act::Presence { op, status }),
        4 => conv().prop_map(Act::Abandon),
        4 => (0usize..ORDERS.len(), 0u8..5).prop_map(|(order, due)| Act::CallbackRequest { order, due }),
        6 => (conv(), Just(Who::Holder), 0u8..4)
            .prop_map(|(conv, who, result)| Act::CallbackResult { conv, who, result }),
        2 => (conv(), who()).prop_map(|(conv, who)| Act::Take { conv, who }),
        2 => (conv(), 0usize..2).prop_map(|(conv, line)| Act::TransferLine { conv, line }),
        1 => (conv(), who()).prop_map(|(conv, who)| Act::TransferOp { conv, who }),
        2 => (0usize..CLIENTS.len(), any::<bool>()).prop_map(|(client, vip)| Act::Client { client, vip }),
        2 => (0usize..4, 0usize..6).prop_map(|(op, variant)| Act::UpsertOperator { op, variant }),
        1 => (0usize..2, 0usize..4).prop_map(|(line, variant)| Act::UpsertLine { line, variant }),
        1 => (0usize..CLIENTS.len(), 0usize..4).prop_map(|(client, op)| Act::Pin { client, op }),
        4 => Just(Act::Timeout),
        1 => Just(Act::Tick),
    ]
}

/// Callback orders through their attempts: requests, results, time passing, and what else
/// moves an order (take, transfer, intercept, abandon).
fn orders_act() -> impl Strategy<Value = Act> {
    prop_oneof![
        8 => (0usize..ORDERS.len(), 0u8..5).prop_map(|(order, due)| Act::CallbackRequest { order, due }),
        10 => (conv(), Just(Who::Holder), 0u8..4)
            .prop_map(|(conv, who, result)| Act::CallbackResult { conv, who, result }),
        8 => (0usize..CHATS, prop_oneof![Just(0u8), Just(2u8)], Just(false))
            .prop_map(|(conv, request, stranger)| Act::In { conv, request, stranger }),
        4 => (conv(), Just(Who::Holder)).prop_map(|(conv, who)| Act::Accept { conv, who }),
        4 => conv().prop_map(Act::Close),
        4 => (0usize..4, 0u8..5).prop_map(|(op, status)| Act::Presence { op, status }),
        2 => conv().prop_map(Act::Abandon),
        2 => (conv(), who()).prop_map(|(conv, who)| Act::Take { conv, who }),
        2 => (conv(), 0usize..2).prop_map(|(conv, line)| Act::TransferLine { conv, line }),
        1 => (conv(), who()).prop_map(|(conv, who)| Act::TransferOp { conv, who }),
        2 => (conv(), (0usize..4).prop_map(Who::Op)).prop_map(|(conv, who)| Act::Intercept { conv, who }),
        1 => (0usize..2, 0usize..4).prop_map(|(line, variant)| Act::UpsertLine { line, variant }),
        6 => Just(Act::Timeout),
        1 => Just(Act::Tick),
    ]
}

/// Which steps a scenario draws.
#[derive(Clone, Copy, Debug)]
pub enum Mix {
    /// Everything (`act`).
    All,
    /// A busy queue (`busy_act`).
    Busy,
    /// Callback orders (`orders_act`).
    Orders,
}

/// Drawn runs of up to `max_steps` steps, of any mix.
pub fn any_scenario(max_steps: usize) -> impl Strategy<Value = Scenario> {
    prop_oneof![
        2 => Just(Mix::All),
        1 => Just(Mix::Busy),
        1 => Just(Mix::Orders),
    ]
    .prop_flat_map(move |mix| scenario(max_steps, mix))
}

/// Drawn runs of up to `max_steps` steps of the given mix.
pub fn scenario(max_steps: usize, mix: Mix) -> impl Strategy<Value = Scenario> {
    let act = match mix {
        Mix::All => act().boxed(),
        Mix::Busy => busy_act().boxed(),
        Mix::Orders => orders_act().boxed(),
    };
    (
        prop_oneof![3 => Just(0usize), 1 => 0usize..4],
        0usize..4,
        prop::collection::vec(
            (dt(), by(), act).prop_map(|(dt, by, act)| Gen { dt, by, act }),
            1..max_steps,
        ),
    )
        .prop_map(|(desk, chat, gens)| Scenario { desk, chat, gens })
}

// ---- from a drawn step to a concrete one -------------------------------------------------------

fn op_name(o: usize) -> &'static str {
    OPS.get(o).copied().unwrap_or(ROOT)
}

/// The operator `who` names for `conv`, as the engine stands.
fn resolve_who(engine: &Engine, conv: &str, who: Who) -> String {
    match who {
        Who::Op(o) => op_name(o).to_string(),
        Who::Holder => engine
            .conversation(conv)
            .and_then(|v| v.operator.or_else(|| v.offered_to.first().cloned()))
            .map_or_else(|| OPS[0].to_string(), |o| o.to_string()),
    }
}

/// The conversation a pick names; `fits` says which conversations the input makes sense for.
fn pick(engine: &Engine, p: Pick, fits: impl Fn(&ConversationView) -> bool) -> &'static str {
    match p {
        Pick::Any(i) => CONVS[i % CONVS.len()].0,
        Pick::Live(i) => {
            let live: Vec<&'static str> = CONVS
                .iter()
                .map(|c| c.0)
                .filter(|c| engine.conversation(c).is_some_and(|v| fits(&v)))
                .collect();
            if live.is_empty() {
                CONVS[i % CONVS.len()].0
            } else {
                live[i % live.len()]
            }
        }
    }
}

fn open(v: &ConversationView) -> bool {
    v.state != ConversationState::Closed
}

fn ringing(v: &ConversationView) -> bool {
    matches!(
        v.state,
        ConversationState::Assigned | ConversationState::Offered
    )
}

/// The concrete step a drawn one makes at `at`, against the engine's state before it.
pub fn resolve(engine: &Engine, at: DateTime<Utc>, g: &Gen) -> Step {
    let json = match &g.act {
        Act::Timeout => return Step::Timeout { at },
        &Act::In {
            conv,
            request,
            stranger,
        } => {
            let (k, cl, ch) = CONVS[conv];
            let cl = if stranger {
                CLIENTS[(conv + 1) % 4]
            } else {
                cl
            };
            let mut v = json!({"type":"message_in","conversation":k,"client":cl,"channel":ch});
            match request {
                1 => v["request"] = json!("text"),
                2 => v["request"] = json!("call"),
                _ => {}
            }
            v
        }
        &Act::Out { conv, who, ids } => {
            let k = pick(engine, conv, open);
            let &(_, cl, ch) = CONVS.iter().find(|c| c.0 == k).expect("a known id");
            let mut v = json!({"type":"message_out","conversation":k,
                "operator":resolve_who(engine, k, who)});
            if ids {
                v["client"] = json!(cl);
                v["channel"] = json!(ch);
            }
            v
        }
        &Act::Accept { conv, who } => {
            let k = pick(engine, conv, ringing);
            json!({"type":"accept","conversation":k,"operator":resolve_who(engine, k, who)})
        }
        &Act::Take { conv, who } => {
            let k = pick(engine, conv, open);
            json!({"type":"take","conversation":k,"operator":resolve_who(engine, k, who)})
        }
        &Act::TransferOp { conv, who } => {
            let k = pick(engine, conv, open);
            json!({"type":"transfer","conversation":k,"to_operator":resolve_who(engine, k, who)})
        }
        &Act::TransferLine { conv, line } => {
            json!({"type":"transfer","conversation":pick(engine, conv, open),"to_line":LINES[line]})
        }
        &Act::Close(conv) => {
            let held = |v: &ConversationView| v.state == ConversationState::Assigned;
            json!({"type":"close","conversation":pick(engine, conv, held)})
        }
        &Act::Spam(conv) => json!({"type":"spam","conversation":pick(engine, conv, open)}),
        &Act::Abandon(conv) => {
            json!({"type":"abandon","conversation":pick(engine, conv, open)})
        }
        &Act::Client { client, vip } => {
            json!({"type":"upsert_client","client":CLIENTS[client],"vip":vip})
        }
        &Act::CallbackRequest { order, due } => {
            let (k, cl, ch) = CONVS[ORDERS[order]];
            let mut v =
                json!({"type":"callback_request","conversation":k,"client":cl,"channel":ch});
            let due_at = match due {
                1 => Some(at),
                2 => Some(at + TimeDelta::seconds(120)),
                3 => Some(at + TimeDelta::seconds(1200)),
                4 => Some(at - TimeDelta::seconds(300)),
                _ => None,
            };
            if let Some(t) = due_at {
                v["due_at"] = json!(t.to_rfc3339());
            }
            v
        }
        &Act::CallbackResult { conv, who, result } => {
            let k = pick(engine, conv, |v| {
                v.request == Request::Callback && v.state == ConversationState::Assigned
            });
            let result = ["connected", "no_answer", "busy", "failed"][usize::from(result % 4)];
            json!({"type":"callback_result","conversation":k,
                "operator":resolve_who(engine, k, who),"result":result})
        }
        &Act::Intercept { conv, who } => {
            let k = pick(engine, conv, |v| v.request.is_voice() && ringing(v));
            json!({"type":"intercept","conversation":k,"operator":resolve_who(engine, k, who)})
        }
        &Act::Presence { op, status } => {
            let status = ["online", "online", "online", "away", "offline"][usize::from(status % 5)];
            json!({"type":"presence","operator":op_name(op),"status":status})
        }
        &Act::UpsertOperator { op, variant } => operator(op, variant),
        &Act::RemoveOperator(op) => json!({"type":"remove_operator","operator":op_name(op)}),
        &Act::UpsertRole(v) => role(v),
        &Act::RemoveRole(r) => {
            json!({"type":"remove_role","role":ROLES.get(r).copied().unwrap_or("phantom")})
        }
        &Act::Pin { client, op } => {
            json!({"type":"pin_client","client":CLIENTS[client],"operator":op_name(op)})
        }
        &Act::Unpin(client) => json!({"type":"unpin_client","client":CLIENTS[client]}),
        &Act::UpsertLine { line, variant } => {
            if line == 0 {
                desk_line(variant)
            } else {
                chat_line(variant)
            }
        }
        Act::Tick => json!({"type":"tick"}),
    };
    let actor = match g.by {
        By::Host => None,
        By::Actor(a) => Some(ACTORS[a].to_string()),
        By::Itself => json
            .get("operator")
            .and_then(Value::as_str)
            .filter(|_| json["type"] != "upsert_operator" && json["type"] != "remove_operator")
            .map(String::from),
    };
    Step::Input { at, actor, json }
}

/// The time of the next drawn step: `dt` after the previous step's time (never before the
/// world's).
pub fn next_time(prev: DateTime<Utc>, g: &Gen) -> DateTime<Utc> {
    (prev + TimeDelta::seconds(g.dt)).max(base_time())
}
