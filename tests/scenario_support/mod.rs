//! The scenario harness shared by `scenarios.rs` and `time_aware.rs`: [`Sim`], decisions as
//! short strings, and the inputs both write.
//!
//! Each file keeps its own way of writing time: it implements [`When`] for the moments its
//! steps name (minutes after a base time, or `"MM-DD HH:MM"`) and [`Notation`] for how its
//! decisions read, and calls `scenario_support::Sim<ItsNotation>` its `Sim`.

use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use routeline::{
    ChannelConfig, ConversationState, ConversationView, Decision, DecisionKind, Engine, Error,
    Input, LineConfig, OperatorConfig, OperatorView, Presence,
};
use serde::Serialize;

pub const NOTHING: [&str; 0] = [];

// ---- time ---------------------------------------------------------------------------------

/// A moment as a test file writes it.
pub trait When: Copy {
    fn instant(self) -> DateTime<Utc>;
}

/// How a test file writes moments and decisions.
pub trait Notation {
    /// A moment, as in a decision's `by …` and in failure messages.
    fn time(at: DateTime<Utc>) -> String;

    /// A decision as the file compares it: by default what happened, without its own `at`.
    fn show(d: &Decision) -> String {
        describe(&d.kind, Self::time)
    }
}

// ---- decisions as short strings -----------------------------------------------------------

/// The wire name of a reason enum.
fn name<T: Serialize>(x: &T) -> String {
    serde_json::to_value(x)
        .unwrap()
        .as_str()
        .expect("reasons serialise as strings")
        .to_owned()
}

/// `assigned k1 sales anna routed by <time>`, `queued k1 sales at_capacity`, `sla_breached k1
/// anna first_response due <time>`, …, with moments written by `time`.
pub fn describe(kind: &DecisionKind, time: fn(DateTime<Utc>) -> String) -> String {
    match kind {
        DecisionKind::Assigned {
            conversation,
            line,
            operator,
            reason,
            answer_by,
        } => {
            let mut s = format!("assigned {conversation} {line} {operator} {}", name(reason));
            if let Some(by) = answer_by {
                s += &format!(" by {}", time(*by));
            }
            s
        }
        DecisionKind::Offered {
            conversation,
            line,
            operators,
            expires_at,
        } => {
            let ops: Vec<&str> = operators.iter().map(|o| o.as_str()).collect();
            let mut s = format!("offered {conversation} {line} [{}]", ops.join(" "));
            if let Some(by) = expires_at {
                s += &format!(" by {}", time(*by));
            }
            s
        }
        DecisionKind::OfferWithdrawn {
            conversation,
            operator,
            reason,
        } => format!("withdrawn {conversation} {operator} {}", name(reason)),
        DecisionKind::Unassigned {
            conversation,
            operator,
            reason,
        } => format!("unassigned {conversation} {operator} {}", name(reason)),
        DecisionKind::Queued {
            conversation,
            line,
            reason,
        } => format!("queued {conversation} {line} {}", name(reason)),
        DecisionKind::Closed {
            conversation,
            reason,
        } => format!("closed {conversation} {}", name(reason)),
        DecisionKind::AutoReply {
            conversation,
            line,
            kind,
        } => format!("auto_reply {conversation} {line} {}", name(kind)),
        DecisionKind::SlaBreached {
            conversation,
            operator,
            kind,
            due_at,
        } => format!(
            "sla_breached {conversation} {} {} due {}",
            operator.as_ref().map_or("-", |o| o.as_str()),
            name(kind),
            time(*due_at)
        ),
        DecisionKind::BotAssigned { conversation, bot } => {
            format!("bot_assigned {conversation} {bot}")
        }
        DecisionKind::BotLeft {
            conversation,
            bot,
            reason,
        } => format!("bot_left {conversation} {bot} {}", name(reason)),
        DecisionKind::RatingRequested { conversation } => {
            format!("rating_requested {conversation}")
        }
        DecisionKind::RuleApplied {
            conversation,
            list,
            rule,
        } => format!("rule_applied {conversation} {} {rule}", name(list)),
        DecisionKind::StatusChanged {
            conversation,
            status,
        } => format!("status_changed {conversation} {}", name(status)),
        DecisionKind::Completed {
            conversation,
            line,
            responsible,
        } => format!(
            "completed {conversation} {line} {}",
            responsible.as_ref().map_or("-", |o| o.as_str())
        ),
        other => format!("{other:?}"),
    }
}

// ---- inputs -------------------------------------------------------------------------------

pub fn op(o: &str) -> Input {
    Input::UpsertOperator(OperatorConfig::new(o))
}
pub fn op_cfg(cfg: OperatorConfig) -> Input {
    Input::UpsertOperator(cfg)
}
pub fn line(cfg: LineConfig) -> Input {
    Input::from(cfg)
}
pub fn chan(ch: &str, l: &str) -> Input {
    Input::ConnectChannel(ChannelConfig::new(ch, l))
}
pub fn online(o: &str) -> Input {
    Input::Presence {
        operator: o.into(),
        status: Presence::Online,
    }
}
pub fn offline(o: &str) -> Input {
    Input::Presence {
        operator: o.into(),
        status: Presence::Offline,
    }
}
/// A message from client `c-<k>` on channel `wa`.
pub fn inc(k: &str) -> Input {
    inc_from(k, &format!("c-{k}"), "wa")
}
pub fn inc_from(k: &str, client: &str, ch: &str) -> Input {
    Input::MessageIn {
        conversation: k.into(),
        client: client.into(),
        channel: ch.into(),
        request: None,
    }
}
pub fn reply(k: &str, o: &str) -> Input {
    Input::MessageOut {
        conversation: k.into(),
        operator: o.into(),
        client: None,
        channel: None,
    }
}
pub fn outbound(k: &str, o: &str, client: &str, ch: &str) -> Input {
    Input::MessageOut {
        conversation: k.into(),
        operator: o.into(),
        client: Some(client.into()),
        channel: Some(ch.into()),
    }
}
pub fn take(k: &str, o: &str) -> Input {
    Input::Take {
        conversation: k.into(),
        operator: o.into(),
    }
}
pub fn transfer_to(k: &str, o: &str) -> Input {
    Input::Transfer {
        conversation: k.into(),
        to_operator: Some(o.into()),
        to_line: None,
    }
}
pub fn close(k: &str) -> Input {
    Input::Close {
        conversation: k.into(),
    }
}
pub fn spam(k: &str) -> Input {
    Input::Spam {
        conversation: k.into(),
    }
}

// ---- the harness --------------------------------------------------------------------------

/// Where a host that only reads decisions believes a conversation is.
#[derive(Clone, Debug, PartialEq)]
enum Place {
    /// Just left an operator, an offer or the bot: the next decision must place it.
    Limbo,
    Waiting(String),
    Assigned(String),
    Offered(BTreeSet<String>),
    Bot(String),
    /// Its session completed (DESIGN §6).
    Completed,
    Closed,
}

/// An engine driven step by step. After each input or tick it calls `verify_invariants`, and
/// follows the decision stream like a host would, checking that it alone tells where every
/// conversation is (DESIGN: "The decision stream alone tells a host where every conversation
/// is"): an `assigned` never comes while someone still holds or is offered the conversation,
/// an `unassigned` names the holder, and the engine's own view agrees after every step.
pub struct Sim<N> {
    pub e: Engine,
    /// The decisions of the last step.
    pub last: Vec<Decision>,
    /// Every decision so far.
    pub all: Vec<Decision>,
    places: BTreeMap<String, Place>,
    notation: PhantomData<N>,
}

impl<N: Notation> Sim<N> {
    pub fn new() -> Self {
        Self {
            e: Engine::new(),
            last: Vec::new(),
            all: Vec::new(),
            places: BTreeMap::new(),
            notation: PhantomData,
        }
    }

    /// Operators created in this order and online, `cfg` upserted and channel `wa` connected
    /// to it, all at `when` and without a decision.
    pub fn world(when: impl When, cfg: LineConfig, ops: &[&str]) -> Self {
        let mut s = Self::new();
        for o in ops {
            assert_eq!(s.at(when, op(o)), NOTHING);
            assert_eq!(s.at(when, online(o)), NOTHING);
        }
        let id = cfg.line.to_string();
        assert_eq!(s.at(when, line(cfg)), NOTHING);
        assert_eq!(s.at(when, chan("wa", &id)), NOTHING);
        s
    }

    /// Applies an input that must succeed; returns the decisions it produced.
    pub fn at(&mut self, when: impl When, input: Input) -> Vec<String> {
        let now = when.instant();
        if let Err(e) = self.e.handle(now, input.clone()) {
            panic!("{input:?} at {} failed: {e}", N::time(now));
        }
        let out = self.collect();
        // DESIGN §4.7: nothing is left due once an input has been handled.
        if let (Some(next), Some(clock)) = (self.e.poll_timeout(), self.e.now()) {
            assert!(
                next > clock,
                "poll_timeout {} is not after the clock",
                N::time(next)
            );
        }
        out
    }

    /// `handle_timeout` at `when`.
    pub fn tick(&mut self, when: impl When) -> Vec<String> {
        let now = when.instant();
        self.e.handle_timeout(now);
        let out = self.collect();
        if let Some(next) = self.e.poll_timeout() {
            assert!(
                next > now,
                "poll_timeout {} not after tick {}",
                N::time(next),
                N::time(now)
            );
        }
        out
    }

    /// Applies an input that must fail: returns the error, after checking that the engine is
    /// exactly as it was and emitted nothing.
    pub fn err(&mut self, when: impl When, input: Input) -> Error {
        let before = format!("{:?}", self.e);
        let timeout = self.e.poll_timeout();
        let err = match self.e.handle(when.instant(), input.clone()) {
            Ok(()) => panic!("{input:?} should fail"),
            Err(e) => e,
        };
        assert_eq!(
            format!("{:?}", self.e),
            before,
            "the failed input {input:?} changed the engine"
        );
        assert!(
            self.e.poll_decision().is_none(),
            "the failed input {input:?} emitted a decision"
        );
        assert_eq!(self.e.poll_timeout(), timeout);
        self.check();
        err
    }

    /// Takes the decisions of a step, follows and audits them.
    pub fn collect(&mut self) -> Vec<String> {
        self.last.clear();
        while let Some(d) = self.e.poll_decision() {
            self.follow(&d);
            self.last.push(d);
        }
        self.all.extend(self.last.iter().cloned());
        self.check();
        self.last.iter().map(N::show).collect()
    }

    /// Follows one decision as a host would, failing on any that a host could not follow.
    fn follow(&mut self, d: &Decision) {
        let s = N::show(d);
        let ensure_free = |p: Option<&Place>| {
            if let Some(p @ (Place::Assigned(_) | Place::Offered(_) | Place::Bot(_))) = p {
                panic!("`{s}` while {p:?}");
            }
        };
        match &d.kind {
            DecisionKind::Assigned {
                conversation,
                operator,
                answer_by,
                ..
            } => {
                match self.places.get(conversation.as_str()) {
                    // The holder named again: without a deadline, the assignment is now final
                    // (DESIGN §1, "No deadline disappears in silence"); with one, its clock
                    // started when the client wrote (DESIGN §6).
                    Some(Place::Assigned(o)) if o == operator.as_str() => {
                        let _ = answer_by;
                    }
                    Some(Place::Assigned(o)) => {
                        panic!("`{s}` while {o} still holds it (no `unassigned` first)")
                    }
                    Some(Place::Offered(ops)) if ops.iter().any(|o| o != operator.as_str()) => {
                        panic!("`{s}` while still offered to {ops:?} (no `offer_withdrawn` first)")
                    }
                    Some(Place::Bot(b)) => panic!("`{s}` while the bot {b} has it"),
                    _ => {}
                }
                self.places.insert(
                    conversation.to_string(),
                    Place::Assigned(operator.to_string()),
                );
            }
            DecisionKind::Offered {
                conversation,
                operators,
                ..
            } => {
                let same: BTreeSet<String> = operators.iter().map(|o| o.to_string()).collect();
                // The same offer again, with its clock started (DESIGN §6), or a new one.
                if self.places.get(conversation.as_str()) != Some(&Place::Offered(same)) {
                    ensure_free(self.places.get(conversation.as_str()));
                }
                self.places.insert(
                    conversation.to_string(),
                    Place::Offered(operators.iter().map(|o| o.to_string()).collect()),
                );
            }
            DecisionKind::OfferWithdrawn {
                conversation,
                operator,
                ..
            } => match self.places.get_mut(conversation.as_str()) {
                Some(Place::Offered(ops)) if ops.contains(operator.as_str()) => {
                    ops.remove(operator.as_str());
                    if ops.is_empty() {
                        self.places.insert(conversation.to_string(), Place::Limbo);
                    }
                }
                p => panic!("`{s}` while {p:?}"),
            },
            DecisionKind::Unassigned {
                conversation,
                operator,
                ..
            } => match self.places.get(conversation.as_str()) {
                Some(Place::Assigned(o)) if o == operator.as_str() => {
                    self.places.insert(conversation.to_string(), Place::Limbo);
                }
                p => panic!("`{s}` while {p:?}"),
            },
            DecisionKind::Queued {
                conversation, line, ..
            } => {
                ensure_free(self.places.get(conversation.as_str()));
                self.places
                    .insert(conversation.to_string(), Place::Waiting(line.to_string()));
            }
            DecisionKind::Closed { conversation, .. } => {
                self.places.insert(conversation.to_string(), Place::Closed);
            }
            DecisionKind::Completed { conversation, .. } => {
                ensure_free(self.places.get(conversation.as_str()));
                self.places
                    .insert(conversation.to_string(), Place::Completed);
            }
            DecisionKind::BotAssigned { conversation, bot } => {
                ensure_free(self.places.get(conversation.as_str()));
                self.places
                    .insert(conversation.to_string(), Place::Bot(bot.clone()));
            }
            DecisionKind::BotLeft {
                conversation, bot, ..
            } => match self.places.get(conversation.as_str()) {
                Some(Place::Bot(b)) if b == bot => {
                    self.places.insert(conversation.to_string(), Place::Limbo);
                }
                p => panic!("`{s}` while {p:?}"),
            },
            _ => {}
        }
    }

    /// The engine's invariants, and the host's picture against the engine's own view.
    fn check(&mut self) {
        if let Err(e) = self.e.verify_invariants() {
            panic!("invariant broken: {e}");
        }
        // A closed conversation the engine forgot (DESIGN §1) is gone for the host too: its id
        // may come back as a new conversation.
        let engine = &self.e;
        self.places
            .retain(|k, p| *p != Place::Closed || engine.conversation(k).is_some());
        for k in self.e.conversations() {
            assert!(
                self.places.contains_key(k.as_str()),
                "{k} exists but no decision ever placed it"
            );
        }
        for (k, place) in &self.places {
            let v = self
                .e
                .conversation(k)
                .unwrap_or_else(|| panic!("decisions name {k} but the engine does not know it"));
            let agrees = match place {
                Place::Limbo => false,
                Place::Waiting(l) => v.state == ConversationState::Waiting && v.line.as_str() == l,
                Place::Assigned(o) => {
                    v.state == ConversationState::Assigned
                        && v.operator.as_ref().map(|x| x.as_str()) == Some(o.as_str())
                }
                Place::Offered(ops) => {
                    v.state == ConversationState::Offered
                        && v.offered_to
                            .iter()
                            .map(|o| o.to_string())
                            .collect::<BTreeSet<_>>()
                            == *ops
                }
                Place::Bot(_) => v.state == ConversationState::WithBot && v.operator.is_none(),
                Place::Closed => v.state == ConversationState::Closed,
                Place::Completed => v.state == ConversationState::Completed,
            };
            assert!(
                agrees,
                "decisions say {k} is {place:?}, the engine says {:?} (operator {:?}, offered to {:?}, line {})",
                v.state, v.operator, v.offered_to, v.line
            );
        }
    }

    pub fn conv(&self, k: &str) -> ConversationView {
        self.e.conversation(k).expect("known conversation")
    }

    pub fn op(&self, o: &str) -> OperatorView {
        self.e.operator(o).expect("known operator")
    }

    pub fn waiting(&self, l: &str) -> Vec<String> {
        self.e
            .waiting(l)
            .expect("known line")
            .iter()
            .map(|w| w.conversation.to_string())
            .collect()
    }
}
