//! The scenario harness shared by `scenarios.rs`, `time_aware.rs`, the support-line and the
//! contact-centre tests: [`Sim`], decisions as short strings, and the inputs they write.
//!
//! Each file keeps its own way of writing time: it implements [`When`] for the moments its
//! steps name (minutes after a base time, or `"MM-DD HH:MM"`) and [`Notation`] for how its
//! decisions read, and calls `scenario_support::Sim<ItsNotation>` its `Sim`.

use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use routeline::{
    ChannelConfig, ConversationState, ConversationView, Decision, DecisionKind, Engine, Error,
    Input, LineConfig, OperatorConfig, OperatorView,
};
use serde_json::{Value, json};

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

/// `assigned k1 sales anna routed by <time>`, `queued k1 sales at_capacity`, `sla_breached k1
/// anna first_response due <time>`, `callback_scheduled k1 sales due <time> attempt 2`, …,
/// with moments written by `time`: the decision's wire fields in a fixed order.
pub fn describe(kind: &DecisionKind, time: fn(DateTime<Utc>) -> String) -> String {
    let v = serde_json::to_value(kind).expect("decisions serialise");
    let f = |k: &str| match &v[k] {
        Value::String(s) => s.clone(),
        Value::Array(a) => {
            let names: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
            format!("[{}]", names.join(" "))
        }
        Value::Null => "-".into(),
        x => x.to_string(),
    };
    let at = |k: &str| {
        let s = v[k].as_str()?;
        Some(time(s.parse().expect("decision times are RFC 3339")))
    };
    let by = |k: &str| at(k).map_or(String::new(), |t| format!(" by {t}"));
    let due = || at("due_at").expect("a due time");
    let (c, line, op, reason) = (f("conversation"), f("line"), f("operator"), f("reason"));
    match v["type"].as_str().expect("a tagged decision") {
        "assigned" => format!("assigned {c} {line} {op} {reason}{}", by("answer_by")),
        "offered" => format!("offered {c} {line} {}{}", f("operators"), by("expires_at")),
        "offer_withdrawn" => format!("withdrawn {c} {op} {reason}"),
        "unassigned" => format!("unassigned {c} {op} {reason}"),
        "queued" => format!("queued {c} {line} {reason}"),
        "closed" => format!("closed {c} {reason}"),
        "auto_reply" => format!("auto_reply {c} {line} {}", f("kind")),
        "sla_breached" => format!("sla_breached {c} {op} {} due {}", f("kind"), due()),
        "bot_assigned" => format!("bot_assigned {c} {}", f("bot")),
        "bot_left" => format!("bot_left {c} {} {reason}", f("bot")),
        "rating_requested" => format!("rating_requested {c}"),
        "rule_applied" => format!("rule_applied {c} {} {}", f("list"), f("rule")),
        "status_changed" => format!("status_changed {c} {}", f("status")),
        "completed" => format!("completed {c} {line} {}", f("responsible")),
        "callback_scheduled" => {
            format!(
                "callback_scheduled {c} {line} due {} attempt {}",
                due(),
                f("attempt")
            )
        }
        _ => format!("{kind:?}"),
    }
}

// ---- inputs -------------------------------------------------------------------------------

/// An input from its wire JSON.
fn wire(v: Value) -> Input {
    serde_json::from_value(v).unwrap_or_else(|e| panic!("not an input: {e}"))
}

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
    wire(json!({"type":"presence","operator":o,"status":"online"}))
}
pub fn offline(o: &str) -> Input {
    wire(json!({"type":"presence","operator":o,"status":"offline"}))
}
/// A message from client `c-<k>` on channel `wa`.
pub fn inc(k: &str) -> Input {
    inc_from(k, &format!("c-{k}"), "wa")
}
pub fn inc_from(k: &str, client: &str, ch: &str) -> Input {
    wire(json!({"type":"message_in","conversation":k,"client":client,"channel":ch}))
}
pub fn reply(k: &str, o: &str) -> Input {
    wire(json!({"type":"message_out","conversation":k,"operator":o}))
}
pub fn outbound(k: &str, o: &str, client: &str, ch: &str) -> Input {
    wire(json!({"type":"message_out","conversation":k,"operator":o,"client":client,"channel":ch}))
}
pub fn take(k: &str, o: &str) -> Input {
    wire(json!({"type":"take","conversation":k,"operator":o}))
}
pub fn transfer_to(k: &str, o: &str) -> Input {
    wire(json!({"type":"transfer","conversation":k,"to_operator":o}))
}
pub fn close(k: &str) -> Input {
    wire(json!({"type":"close","conversation":k}))
}
pub fn spam(k: &str) -> Input {
    wire(json!({"type":"spam","conversation":k}))
}

// ---- the contact-centre scripts (`contact_centre*.rs`, run by `Sim::script`) ---------------

/// `"09:00"` or `"09:00:30"` on 2026-03-02 (a Monday), in UTC.
#[allow(dead_code)]
pub fn day(s: &str) -> DateTime<Utc> {
    let at = format!("2026-03-02 {s}{}", if s.len() == 5 { ":00" } else { "" });
    let at = chrono::NaiveDateTime::parse_from_str(&at, "%Y-%m-%d %H:%M:%S");
    at.unwrap_or_else(|e| panic!("bad test time {s}: {e}"))
        .and_utc()
}

/// Moments as `HH:MM` (`HH:MM:SS` off the minute) of that one day.
#[allow(dead_code)]
pub struct Day;

impl Notation for Day {
    fn time(at: DateTime<Utc>) -> String {
        assert_eq!(at.date_naive(), day("00:00").date_naive());
        let seconds = chrono::Timelike::second(&at) != 0;
        at.format(if seconds { "%H:%M:%S" } else { "%H:%M" })
            .to_string()
    }
}

/// A step's input: wire JSON, or `in k1 wa` (client `c-k1` writes on `wa`; a fourth word names
/// another client), `call k1 ph` / `text k1 ph` (the same, naming the request kind), `order
/// k1 web` (a callback order of `c-k1`, due now or at a fourth word's time), `result k1 anna
/// busy`, `out|take|accept|intercept k1 anna`, `transfer k1 anna`, `transfer k1 line back`,
/// `close|spam|abandon k1`, `online|offline anna`, `vip c-1`, `unvip c-1`, `pin c-1 anna`.
#[allow(dead_code)]
pub fn short(s: &str) -> Input {
    let w: Vec<&str> = s.split_whitespace().collect();
    let arg = |i: usize| w.get(i).copied().unwrap_or("");
    let (k, o, own) = (arg(1), arg(2), format!("c-{}", arg(1)));
    let client = w.get(3).map_or(own.clone(), |c| c.to_string());
    wire(match w[0] {
        _ if s.starts_with('{') => serde_json::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}")),
        "in" => json!({"type":"message_in","conversation":k,"client":client,"channel":o}),
        "call" | "text" => {
            json!({"type":"message_in","conversation":k,"client":client,"channel":o,"request":w[0]})
        }
        "order" => {
            let due = w.get(3).map(|t| day(t));
            json!({"type":"callback_request","conversation":k,"client":own,"channel":o,"due_at":due})
        }
        "result" => json!({"type":"callback_result","conversation":k,"operator":o,"result":w[3]}),
        "out" => json!({"type":"message_out","conversation":k,"operator":o}),
        "take" | "accept" | "intercept" => json!({"type":w[0],"conversation":k,"operator":o}),
        "transfer" if o == "line" => json!({"type":"transfer","conversation":k,"to_line":w[3]}),
        "transfer" => json!({"type":"transfer","conversation":k,"to_operator":o}),
        "close" | "spam" | "abandon" => json!({"type":w[0],"conversation":k}),
        "online" | "offline" => json!({"type":"presence","operator":k,"status":w[0]}),
        "vip" | "unvip" => json!({"type":"upsert_client","client":k,"vip":w[0] == "vip"}),
        "pin" => json!({"type":"pin_client","client":k,"operator":o}),
        _ => panic!("not a step: {s}"),
    })
}

/// A moment as such (for scripts, whose files read their own notation of moments).
#[derive(Clone, Copy)]
#[allow(dead_code)] // the files that do not run scripts
struct At(DateTime<Utc>);

impl When for At {
    fn instant(self) -> DateTime<Utc> {
        self.0
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
    /// A callback order scheduled for later (DESIGN §7): in no queue.
    Scheduled,
    Closed,
}

/// An engine driven step by step. After each input or tick it calls `verify_invariants`, and
/// follows the decision stream like a host would, checking that it alone tells where every
/// conversation is (DESIGN: "The decision stream alone tells a host where every conversation
/// is"): an `assigned` never comes while someone still holds or is offered the conversation,
/// an `unassigned` names the holder, and the engine's own view agrees after every step.
///
/// It also holds the engine to DESIGN §7's "`since` is when the client's current wait began":
/// a conversation that comes back to its queue after an unanswered or withdrawn offer or an
/// unavailable holder — with nothing in between that could have ended the wait — waits with
/// the `since` it had.
pub struct Sim<N> {
    pub e: Engine,
    /// The decisions of the last step.
    pub last: Vec<Decision>,
    /// Every decision so far.
    pub all: Vec<Decision>,
    places: BTreeMap<String, Place>,
    /// The `since` of conversations seen waiting whose wait has certainly not ended since.
    waits: BTreeMap<String, DateTime<Utc>>,
    notation: PhantomData<N>,
}

impl<N: Notation> Sim<N> {
    pub fn new() -> Self {
        Self {
            e: Engine::new(),
            last: Vec::new(),
            all: Vec::new(),
            places: BTreeMap::new(),
            waits: BTreeMap::new(),
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
        self.at_by(when, None, input)
    }

    /// Applies an input an operator made (`handle_as`, DESIGN §7) that must succeed.
    #[allow(dead_code)]
    pub fn at_as(&mut self, when: impl When, actor: &str, input: Input) -> Vec<String> {
        self.at_by(when, Some(actor), input)
    }

    /// `handle`, or `handle_as` when an actor is named.
    fn handle(&mut self, at: DateTime<Utc>, by: Option<&str>, i: Input) -> Result<(), Error> {
        match by {
            Some(actor) => self.e.handle_as(at, actor, i),
            None => self.e.handle(at, i),
        }
    }

    fn at_by(&mut self, when: impl When, actor: Option<&str>, input: Input) -> Vec<String> {
        let now = when.instant();
        // An input about a conversation, other than a client's message, may end its client's
        // wait (an `accept` does so silently): its `since` is no longer followed.
        let wire = serde_json::to_value(&input).expect("inputs serialise");
        if wire["type"] != "message_in" {
            self.forget_wait(&wire);
        }
        if let Err(e) = self.handle(now, actor, input.clone()) {
            panic!("{input:?} at {} by {actor:?} failed: {e}", N::time(now));
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
        self.err_by(when, None, input)
    }

    /// Applies an input an operator made that must fail, checked as [`Sim::err`] does.
    #[allow(dead_code)]
    pub fn err_as(&mut self, when: impl When, actor: &str, input: Input) -> Error {
        self.err_by(when, Some(actor), input)
    }

    fn err_by(&mut self, when: impl When, actor: Option<&str>, input: Input) -> Error {
        let before = format!("{:?}", self.e);
        let timeout = self.e.poll_timeout();
        let err = match self.handle(when.instant(), actor, input.clone()) {
            Ok(()) => panic!("{input:?} by {actor:?} should fail"),
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

    /// Runs a script: a step a line — `T input`, `T as lev input` (an operator's input,
    /// `handle_as`) or `T tick`, with `T` a moment `when` reads and an input `input` reads —
    /// then optionally `=>` and the decisions it must give, separated by `; ` (nothing after
    /// `=>`: no decision at all), or `=> !Error`: the error it fails with (as `Debug` writes
    /// it), having changed nothing, snapshot included. A line starting with `#` is a comment.
    #[allow(dead_code)]
    pub fn script(&mut self, s: &str, when: fn(&str) -> DateTime<Utc>, input: fn(&str) -> Input) {
        let lines = s.lines().map(str::trim);
        for line in lines.filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (step, expected) = match line.split_once("=>") {
                Some((step, expected)) => (step.trim(), Some(expected.trim())),
                None => (line, None),
            };
            let (t, what) = step.split_once(' ').expect("a moment and a step");
            let (actor, what) = match what.strip_prefix("as ") {
                Some(rest) => rest.split_once(' ').map(|(a, w)| (Some(a), w)).unwrap(),
                None => (None, what),
            };
            let t = At(when(t));
            if let Some(error) = expected.and_then(|e| e.strip_prefix('!')) {
                let before = serde_json::to_string(&self.e.snapshot()).unwrap();
                let got = self.err_by(t, actor, input(what));
                assert_eq!(format!("{got:?}"), error, "at `{step}`");
                let after = serde_json::to_string(&self.e.snapshot()).unwrap();
                assert!(after == before, "the refused `{step}` changed the snapshot");
                continue;
            }
            let got = match what {
                "tick" => self.tick(t),
                _ => self.at_by(t, actor, input(what)),
            };
            if let Some(expected) = expected {
                assert_eq!(got.join("; "), expected, "at `{step}`");
            }
        }
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

    /// Stops following the `since` of the conversation an input or decision (on the wire) is
    /// about.
    fn forget_wait(&mut self, wire: &Value) {
        if let Some(k) = wire["conversation"].as_str() {
            self.waits.remove(k);
        }
    }

    /// Whether, after this decision, the conversation's wait certainly goes on (DESIGN §7):
    /// it was queued, offered or placed with an answer deadline, or lost an unanswered
    /// placement. Anything else may have ended it.
    fn wait_goes_on(v: &Value) -> bool {
        let reason = v["reason"].as_str().unwrap_or("");
        match v["type"].as_str().unwrap_or("") {
            "queued" | "offered" | "auto_reply" | "sla_breached" => true,
            "assigned" => !v["answer_by"].is_null(),
            "unassigned" => matches!(reason, "no_answer" | "unavailable"),
            "offer_withdrawn" => matches!(reason, "expired" | "unavailable" | "removed"),
            _ => false,
        }
    }

    /// Follows one decision as a host would, failing on any that a host could not follow.
    fn follow(&mut self, d: &Decision) {
        let wire = serde_json::to_value(d).expect("decisions serialise");
        if !Self::wait_goes_on(&wire) {
            self.forget_wait(&wire);
        }
        let s = N::show(d);
        let field = |f: &str| wire[f].as_str().unwrap_or_default().to_owned();
        let (k, op) = (field("conversation"), field("operator"));
        let here = self.places.get(&k).cloned();
        let ensure_free = || {
            if let Some(p @ (Place::Assigned(_) | Place::Offered(_) | Place::Bot(_))) = &here {
                panic!("`{s}` while {p:?}");
            }
        };
        let next = match wire["type"].as_str().expect("a tagged decision") {
            "assigned" => {
                match &here {
                    // The holder named again: without a deadline, the assignment is now final
                    // (DESIGN §1, "No deadline disappears in silence") or a call rings on
                    // without one (DESIGN §7); with one, its clock started when the client
                    // wrote (DESIGN §6).
                    Some(Place::Assigned(o)) if *o != op => {
                        panic!("`{s}` while {o} still holds it (no `unassigned` first)")
                    }
                    Some(Place::Offered(ops)) if ops.iter().any(|o| *o != op) => {
                        panic!("`{s}` while still offered to {ops:?} (no `offer_withdrawn` first)")
                    }
                    Some(Place::Bot(b)) => panic!("`{s}` while the bot {b} has it"),
                    _ => {}
                }
                Place::Assigned(op)
            }
            "offered" => {
                let ops = wire["operators"].as_array().expect("operators");
                let ops = ops
                    .iter()
                    .filter_map(|o| o.as_str().map(str::to_owned))
                    .collect();
                let ops = Place::Offered(ops);
                // The same offer again, with its clock started (DESIGN §6), or a new one.
                if here.as_ref() != Some(&ops) {
                    ensure_free();
                }
                ops
            }
            "offer_withdrawn" => match here {
                Some(Place::Offered(mut ops)) if ops.contains(&op) => {
                    ops.remove(&op);
                    if ops.is_empty() {
                        Place::Limbo
                    } else {
                        Place::Offered(ops)
                    }
                }
                p => panic!("`{s}` while {p:?}"),
            },
            "unassigned" | "bot_left" => match here {
                Some(Place::Assigned(o)) if o == op => Place::Limbo,
                Some(Place::Bot(b)) if b == field("bot") => Place::Limbo,
                p => panic!("`{s}` while {p:?}"),
            },
            "closed" => Place::Closed,
            other => {
                let next = match other {
                    "queued" => Place::Waiting(field("line")),
                    "completed" => Place::Completed,
                    "callback_scheduled" => Place::Scheduled,
                    "bot_assigned" => Place::Bot(field("bot")),
                    _ => return,
                };
                ensure_free();
                next
            }
        };
        self.places.insert(k, next);
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
                Place::Scheduled => v.state == ConversationState::Scheduled,
            };
            assert!(
                agrees,
                "decisions say {k} is {place:?}, the engine says {:?} (operator {:?}, offered to {:?}, line {})",
                v.state, v.operator, v.offered_to, v.line
            );
        }
        // DESIGN §7: a conversation back in the queue keeps its client's `since`.
        for l in self.e.lines() {
            for w in self.e.waiting(l.as_str()).expect("a known line") {
                let k = w.conversation.to_string();
                let since = *self.waits.entry(k.clone()).or_insert(w.since);
                assert_eq!(
                    N::time(w.since),
                    N::time(since),
                    "{k} waits again with another `since`, though nothing ended its wait"
                );
            }
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
