//! The checked run: one engine driven step by step, with properties 1–5a of
//! `queue_properties.rs` checked after every step (each switched on by its own test);
//! property 3 is in `order.rs`, property 4 in `scheduled.rs`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use routeline::{
    AssignReason, ConversationState, Decision, DecisionKind, Engine, Error, Request, WaitingEntry,
};
use serde_json::Value;

use super::order::Order;
use super::world::{ALL_PERMISSIONS, LINES, Step, wire};

/// Which properties a run checks.
#[derive(Clone, Copy, Debug, Default)]
pub struct Checks {
    /// 1: `verify_invariants()` after every step.
    pub invariants: bool,
    /// 2: a call takes the whole operator.
    pub calls: bool,
    /// 3: conversations leave a line's queue in its order.
    pub order: bool,
    /// 4: scheduled callback orders are in no queue and held by nobody, and counted.
    pub scheduled: bool,
    /// 5a: a denied input changes nothing (and a ghost actor is denied what needs a role).
    pub denied: bool,
}

/// What the test knows of the configuration, from the inputs that succeeded.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Each line's configuration as last upserted.
    pub lines: BTreeMap<String, Value>,
    /// Each role's permissions and whether its scope is `all`.
    pub roles: BTreeMap<String, (BTreeSet<String>, bool)>,
    /// Each operator's roles as their configuration names them.
    pub op_roles: BTreeMap<String, Vec<String>>,
    /// The VIP clients.
    pub vip: BTreeSet<String>,
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

impl Model {
    /// Takes in an input that succeeded.
    pub fn apply(&mut self, json: &Value) {
        let s = |k: &str| json[k].as_str().unwrap_or_default().to_string();
        match json["type"].as_str().unwrap_or_default() {
            "upsert_line" => {
                self.lines.insert(s("line"), json.clone());
            }
            "upsert_role" => {
                let perms = strs(&json["permissions"]).into_iter().collect();
                self.roles
                    .insert(s("role"), (perms, json["scope"].as_str() == Some("all")));
            }
            "remove_role" => {
                self.roles.remove(&s("role"));
            }
            "upsert_operator" => {
                self.op_roles.insert(s("operator"), strs(&json["roles"]));
            }
            "remove_operator" => {
                self.op_roles.remove(&s("operator"));
            }
            "upsert_client" => {
                if json["vip"].as_bool() == Some(true) {
                    self.vip.insert(s("client"));
                } else {
                    self.vip.remove(&s("client"));
                }
            }
            _ => {}
        }
    }

    /// Whether `op` exists, is active and has a defined role granting every permission over
    /// every conversation.
    pub fn fully_granted(&self, engine: &Engine, op: &str) -> bool {
        engine.operator(op).is_some_and(|v| v.active)
            && self.op_roles.get(op).is_some_and(|roles| {
                roles.iter().any(|r| {
                    self.roles.get(r).is_some_and(|(perms, all)| {
                        *all && ALL_PERMISSIONS.iter().all(|p| perms.contains(*p))
                    })
                })
            })
    }

    /// The line's pinned policy.
    pub fn pinned_policy(&self, line: &str) -> &str {
        self.lines
            .get(line)
            .and_then(|l| l["pinned_policy"].as_str())
            .unwrap_or("prefer")
    }

    /// Whether the line sends a conversation whose candidates were all tried back to the
    /// queue (`requeue`), where the operators it tried cannot take it.
    pub fn requeues(&self, line: &str) -> bool {
        self.lines
            .get(line)
            .is_some_and(|l| l["on_exhausted"].as_str() == Some("requeue"))
    }

    /// Whether an `assigned` with this reason on this line is automatic routing (`always`
    /// pinning is not: it takes the pinned operator whatever they hold).
    pub fn routed(&self, reason: AssignReason, line: &str) -> bool {
        match reason {
            AssignReason::Routed | AssignReason::LastOperator => true,
            AssignReason::Pinned => self.pinned_policy(line) != "always",
            _ => false,
        }
    }
}

pub fn drain(engine: &mut Engine) -> Vec<Decision> {
    std::iter::from_fn(|| engine.poll_decision()).collect()
}

pub fn json(d: &Decision) -> String {
    serde_json::to_string(d).expect("decisions serialise")
}

fn snapshot_json(engine: &Engine) -> String {
    serde_json::to_string(&engine.snapshot()).expect("snapshots serialise")
}

/// Who holds and who is offered what, followed through a decision stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Walk {
    /// Conversation → the operator holding it.
    pub held: BTreeMap<String, String>,
    /// Conversation → the operators it is offered to.
    pub offers: BTreeMap<String, BTreeSet<String>>,
}

impl Walk {
    /// As the queries say.
    pub fn of(engine: &Engine) -> Self {
        let mut w = Walk::default();
        for o in engine.operators() {
            let v = engine.operator(o.as_str()).expect("a listed operator");
            for c in v.conversations {
                w.held.insert(c.to_string(), o.to_string());
            }
            for c in v.offers {
                w.offers
                    .entry(c.to_string())
                    .or_default()
                    .insert(o.to_string());
            }
        }
        w
    }

    /// What `o` holds besides `c`.
    pub fn others<'a>(&'a self, o: &str, c: &str) -> Vec<&'a str> {
        self.held
            .iter()
            .filter(|(k, v)| v.as_str() == o && k.as_str() != c)
            .map(|(k, _)| k.as_str())
            .collect()
    }

    /// Takes one decision in.
    pub fn apply(&mut self, d: &Decision) -> Result<(), String> {
        match &d.kind {
            DecisionKind::Assigned {
                conversation,
                operator,
                ..
            } => {
                self.held
                    .insert(conversation.to_string(), operator.to_string());
                self.offers.remove(conversation.as_str());
            }
            DecisionKind::Offered {
                conversation,
                operators,
                ..
            } => {
                self.offers.insert(
                    conversation.to_string(),
                    operators.iter().map(ToString::to_string).collect(),
                );
            }
            DecisionKind::OfferWithdrawn {
                conversation,
                operator,
                ..
            } => {
                if let Some(set) = self.offers.get_mut(conversation.as_str()) {
                    set.remove(operator.as_str());
                    if set.is_empty() {
                        self.offers.remove(conversation.as_str());
                    }
                }
            }
            DecisionKind::Unassigned {
                conversation,
                operator,
                ..
            } => {
                if self.held.get(conversation.as_str()) != Some(&operator.to_string()) {
                    return Err(format!(
                        "unassigned {conversation} from {operator}, who did not hold it"
                    ));
                }
                self.held.remove(conversation.as_str());
            }
            DecisionKind::Closed { conversation, .. }
            | DecisionKind::Completed { conversation, .. } => {
                self.held.remove(conversation.as_str());
                self.offers.remove(conversation.as_str());
            }
            _ => {}
        }
        Ok(())
    }
}

/// What the checks need to know of the state before a step.
pub struct Before {
    pub clock: Option<DateTime<Utc>>,
    /// The engine itself, for a failed input's snapshot (a clone costs less than a
    /// snapshot every step).
    pub engine: Option<Engine>,
    pub waiting: BTreeMap<&'static str, Vec<WaitingEntry>>,
    pub walk: Walk,
    pub pinned: BTreeSet<String>,
    /// The lines' configurations.
    pub lines: BTreeMap<String, Value>,
    /// Where the conversation the input is about was.
    pub about: Option<ConversationState>,
}

impl Before {
    fn of(engine: &Engine, model: &Model, step: &Step) -> Self {
        Self {
            clock: engine.now(),
            engine: step.json().map(|_| engine.clone()),
            waiting: waiting(engine),
            walk: Walk::of(engine),
            pinned: pinned(engine),
            lines: model.lines.clone(),
            about: step
                .conversation()
                .and_then(|c| engine.conversation(c))
                .map(|v| v.state),
        }
    }
}

pub fn waiting(engine: &Engine) -> BTreeMap<&'static str, Vec<WaitingEntry>> {
    LINES
        .iter()
        .map(|&l| (l, engine.waiting(l).unwrap_or_default()))
        .collect()
}

pub fn pinned(engine: &Engine) -> BTreeSet<String> {
    super::world::CLIENTS
        .iter()
        .filter(|c| engine.pinned_operator(c).is_some())
        .map(|c| c.to_string())
        .collect()
}

/// One engine driven step by step, checked after each.
pub struct Run {
    pub engine: Engine,
    pub checks: Checks,
    pub model: Model,
    /// The concrete steps so far, for failure messages.
    pub steps: Vec<Step>,
    order: Order,
    /// Each open callback order's attempt, from `callback_scheduled`.
    pub attempts: BTreeMap<String, u32>,
}

impl Run {
    pub fn new(checks: Checks) -> Self {
        Self {
            engine: Engine::new(),
            checks,
            model: Model::default(),
            steps: Vec::new(),
            order: Order::default(),
            attempts: BTreeMap::new(),
        }
    }

    /// Applies a step and checks it; the error names the property, with the steps so far.
    pub fn step(&mut self, step: Step) -> Result<(), String> {
        self.steps.push(step);
        let step = self.steps.last().expect("just pushed").clone();
        self.checked(&step).map_err(|e| {
            format!(
                "{e}\n-- steps (JSON lines; handle_timeout is a call, not an input):\n{}",
                wire(&self.steps)
            )
        })
    }

    fn checked(&mut self, step: &Step) -> Result<(), String> {
        let before = Before::of(&self.engine, &self.model, step);
        let granted = step
            .actor()
            .is_some_and(|a| self.model.fully_granted(&self.engine, a));
        let result = step.apply(&mut self.engine);
        let ds = drain(&mut self.engine);
        let log = || ds.iter().map(json).collect::<Vec<_>>().join("\n");
        match &result {
            Err(e) => {
                // Invariant 9, and property 5a for a denied input: nothing changes, not even
                // the clock, and nothing is decided.
                let denied = matches!(e, Error::PermissionDenied { .. });
                let p = if denied { "5a (denied input)" } else { "inv 9" };
                if !ds.is_empty() {
                    return Err(format!(
                        "{p}: failed input ({e}) made decisions:\n{}",
                        log()
                    ));
                }
                if self.checks.denied || !denied {
                    if self.engine.now() != before.clock {
                        return Err(format!(
                            "{p}: failed input ({e}) moved the clock from {:?} to {:?}",
                            before.clock,
                            self.engine.now()
                        ));
                    }
                    let old = before.engine.as_ref().map(snapshot_json);
                    if Some(snapshot_json(&self.engine)) != old {
                        return Err(format!("{p}: failed input ({e}) changed the snapshot"));
                    }
                }
                if self.checks.denied && denied && granted {
                    return Err(format!(
                        "5: {e}, but the actor holds a role granting everything over all"
                    ));
                }
            }
            Ok(()) => {
                if let Some(json) = step.json() {
                    self.model.apply(json);
                }
            }
        }
        if self.checks.denied {
            self.check_ghost(step, &result)?;
        }
        if self.checks.invariants {
            self.engine
                .verify_invariants()
                .map_err(|e| format!("1: verify_invariants: {e}\ndecisions:\n{}", log()))?;
        }
        if self.checks.calls {
            self.check_calls(&before, &ds)
                .map_err(|e| format!("2: {e}\ndecisions:\n{}", log()))?;
        }
        if self.checks.order && result.is_ok() {
            self.order
                .check(&self.engine, &self.model, &before, step, &ds)
                .map_err(|e| format!("3: {e}\ndecisions:\n{}", log()))?;
        }
        if self.checks.scheduled {
            self.check_attempts(step, &ds)
                .and_then(|()| self.check_scheduled(&ds))
                .map_err(|e| format!("4: {e}\ndecisions:\n{}", log()))?;
        }
        Ok(())
    }

    /// An operator who does not exist is denied every input that needs a permission, and
    /// nothing else (DESIGN §7: facts of the world need none).
    fn check_ghost(&self, step: &Step, result: &Result<(), Error>) -> Result<(), String> {
        if step.actor() != Some("ghost") {
            return Ok(());
        }
        let kind = step.json().and_then(|j| j["type"].as_str()).unwrap_or("");
        let fact = matches!(kind, "message_in" | "abandon" | "tick");
        let denied = matches!(result, Err(Error::PermissionDenied { .. }));
        if fact == denied {
            return Err(format!(
                "5: `{kind}` by an operator who does not exist gave {result:?}"
            ));
        }
        Ok(())
    }

    fn kind(&self, c: &str) -> Request {
        self.engine
            .conversation(c)
            .map_or(Request::Text, |v| v.request)
    }

    /// Property 2. Holdings are followed through the decision stream from the queries
    /// before the step, so each automatic placement is judged at its own moment; after the
    /// step the followed holdings must equal the queries.
    fn check_calls(&self, before: &Before, ds: &[Decision]) -> Result<(), String> {
        let mut walk = before.walk.clone();
        let judge = |walk: &Walk, o: &str, c: &str, how: &str| {
            let others = walk.others(o, c);
            let kind = self.kind(c);
            if kind.is_voice() && !others.is_empty() {
                return Err(format!(
                    "{kind:?} {c} {how} {o}, who holds {others:?} at that moment"
                ));
            }
            if let Some(v) = others.iter().find(|k| self.kind(k).is_voice()) {
                return Err(format!(
                    "{kind:?} {c} {how} {o}, who holds the {:?} {v} at that moment",
                    self.kind(v)
                ));
            }
            Ok(())
        };
        for d in ds {
            match &d.kind {
                DecisionKind::Assigned {
                    conversation,
                    line,
                    operator,
                    reason,
                    ..
                } => {
                    let (c, o) = (conversation.as_str(), operator.as_str());
                    // The same holder again is an announcement (now final, or now with a
                    // clock), not a placement.
                    let again = walk.held.get(c).is_some_and(|h| h == o);
                    if self.model.routed(*reason, line.as_str()) && !again {
                        judge(&walk, o, c, &format!("routed ({reason:?}) at {} to", d.at))?;
                    }
                }
                DecisionKind::Offered {
                    conversation,
                    operators,
                    ..
                } => {
                    let c = conversation.as_str();
                    let old = walk.offers.get(c).cloned().unwrap_or_default();
                    for o in operators {
                        if !old.contains(o.as_str()) {
                            judge(&walk, o.as_str(), c, &format!("offered at {} to", d.at))?;
                        }
                    }
                }
                _ => {}
            }
            walk.apply(d)?;
        }
        let now = Walk::of(&self.engine);
        if walk != now {
            return Err(format!(
                "the decision stream says {walk:?}; the queries say {now:?}"
            ));
        }
        Ok(())
    }
}

/// The conversation a decision about a conversation's place is about.
pub fn about(d: &Decision) -> Option<&routeline::ConversationId> {
    match &d.kind {
        DecisionKind::Assigned { conversation, .. }
        | DecisionKind::Offered { conversation, .. }
        | DecisionKind::OfferWithdrawn { conversation, .. }
        | DecisionKind::Unassigned { conversation, .. }
        | DecisionKind::Queued { conversation, .. }
        | DecisionKind::Closed { conversation, .. }
        | DecisionKind::CallbackScheduled { conversation, .. }
        | DecisionKind::Completed { conversation, .. } => Some(conversation),
        _ => None,
    }
}
