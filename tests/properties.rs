//! Property tests: random `(time, Input)` sequences over a small universe of ids, checked
//! against the invariants of DESIGN §4 after every step.
//!
//! - `invariants_hold_after_every_step`: the engine's own audit (`verify_invariants`: 1, 4, 7,
//!   8), failed inputs change nothing (9), the clock never goes backwards, `poll_timeout` after
//!   `handle_timeout(t)` is later than `t` (7), routed assignments respect caps (2) and
//!   eligibility (3) — membership, channel list, active, availability, line open by its
//!   working hours —, `always` pinning (6), `all`-mode offers go only to eligible operators with
//!   room, answer deadlines are `at + offer_timeout_secs` for automatic assignments and absent
//!   for manual ones, an independent work-conservation check (4), and the decision stream alone
//!   tells where every conversation is (DESIGN §1: with an operator, offered, with the bot,
//!   waiting in which line, closed) — reconciled with `conversation()` after every step; and
//!   no deadline disappears in silence (DESIGN §1): every `answer_by` in the decision stream
//!   ends with the holder's own accept, take or answer, a transfer naming the holder, or a
//!   later decision about that conversation (`assigned` naming the holder again without one
//!   when the assignment becomes final by itself).
//! - `tick_cadence_does_not_matter` (11): ticking at every deadline, never, or at random times
//!   gives the same decisions up to the last successful input.
//! - `replay_is_deterministic` (10, first half): two fresh engines, same decisions, same state.
//!
//! Case counts default to a value that runs quickly in a debug build; set `PROPTEST_CASES` to
//! run more.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeDelta, Utc};
use common::{Step, scenario};
use proptest::prelude::*;
use routeline::{
    AssignReason, CountTowardCap, Decision, DecisionKind, Engine, Input, LineConfig, Mode,
    OnExhausted, OperatorConfig, PinnedPolicy, Presence, QueueEntry,
};

/// The default number of cases per property (overridden by `PROPTEST_CASES`).
const DEFAULT_CASES: u32 = 96;
/// At most this many random steps after the setup.
const MAX_STEPS: usize = 60;

fn config() -> ProptestConfig {
    common::config(DEFAULT_CASES)
}

// ---- shadow configuration ------------------------------------------------------------------

/// A channel as last connected.
#[derive(Clone, Debug)]
struct ShadowChannel {
    operators: Option<Vec<String>>,
    /// The line its operator list applies to: the last one it was connected to, until that line
    /// is removed.
    pool_line: Option<String>,
}

/// The configuration the test sent, as of the last successful inputs.
#[derive(Clone, Debug, Default)]
struct Shadow {
    ops: BTreeMap<String, OperatorConfig>,
    lines: BTreeMap<String, LineConfig>,
    chans: BTreeMap<String, ShadowChannel>,
}

impl Shadow {
    fn apply(&mut self, input: &Input) {
        match input {
            Input::UpsertOperator(cfg) => {
                self.ops.insert(cfg.operator.to_string(), cfg.clone());
            }
            Input::RemoveOperator { operator } => {
                self.ops.remove(operator.as_str());
            }
            Input::UpsertLine(cfg) => {
                self.lines.insert(cfg.line.to_string(), (**cfg).clone());
            }
            Input::RemoveLine { line } => {
                self.lines.remove(line.as_str());
                for ch in self.chans.values_mut() {
                    if ch.pool_line.as_deref() == Some(line.as_str()) {
                        ch.pool_line = None;
                    }
                }
            }
            Input::ConnectChannel(cfg) => {
                self.chans.insert(
                    cfg.channel.to_string(),
                    ShadowChannel {
                        operators: cfg
                            .operators
                            .as_ref()
                            .map(|v| v.iter().map(|o| o.to_string()).collect()),
                        pool_line: Some(cfg.line.to_string()),
                    },
                );
            }
            _ => {}
        }
    }

    fn member(&self, line: &LineConfig, op: &str) -> bool {
        let Some(cfg) = self.ops.get(op) else {
            return false;
        };
        line.queue.iter().any(|e| match e {
            QueueEntry::Operator(o) => o.as_str() == op,
            QueueEntry::Group { group } => cfg.groups.contains(group),
        })
    }

    fn allowed_on_channel(&self, channel: &str, line: &str, op: &str) -> bool {
        match self.chans.get(channel) {
            Some(ch) if ch.pool_line.as_deref() == Some(line) => ch
                .operators
                .as_ref()
                .is_none_or(|list| list.iter().any(|o| o == op)),
            _ => true,
        }
    }

    fn cap(&self, line: &LineConfig, op: &str) -> Option<u32> {
        let own = self.ops.get(op).and_then(|c| c.max_open);
        match (own, line.max_open_per_operator) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

fn load_of(engine: &Engine, op: &str, count: CountTowardCap) -> u32 {
    let Some(v) = engine.operator(op) else {
        return 0;
    };
    match count {
        CountTowardCap::Open => v.load.open,
        CountTowardCap::AwaitingReply => v.load.awaiting_reply,
        CountTowardCap::Unanswered => v.load.unanswered,
    }
}

/// How much a conversation adds to a counter, by its current flags.
fn weight(engine: &Engine, conversation: &str, count: CountTowardCap) -> u32 {
    let Some(v) = engine.conversation(conversation) else {
        return 0;
    };
    match count {
        CountTowardCap::Open => 1,
        CountTowardCap::AwaitingReply => u32::from(v.awaiting_reply),
        CountTowardCap::Unanswered => u32::from(!v.answered),
    }
}

/// Whether an operator passes the availability part of eligibility on a line.
fn available(engine: &Engine, line: &LineConfig, op: &str) -> bool {
    let Some(v) = engine.operator(op) else {
        return false;
    };
    v.active
        && (!line.check_availability
            || (!v.absent
                && if line.require_workday {
                    v.workday_started
                } else {
                    v.presence == Presence::Online
                }))
}

/// Per operator: active, absent, presence, work day started.
type Aspects = BTreeMap<String, (bool, bool, Presence, bool)>;

/// What makes an operator available, to tell whether it changed during a step.
fn aspects(engine: &Engine) -> Aspects {
    engine
        .operators()
        .into_iter()
        .filter_map(|o| {
            let v = engine.operator(o.as_str())?;
            Some((
                o.to_string(),
                (v.active, v.absent, v.presence, v.workday_started),
            ))
        })
        .collect()
}

fn conv_of(d: &Decision) -> Option<&str> {
    match &d.kind {
        DecisionKind::Assigned { conversation, .. }
        | DecisionKind::Offered { conversation, .. }
        | DecisionKind::OfferWithdrawn { conversation, .. }
        | DecisionKind::Unassigned { conversation, .. }
        | DecisionKind::Queued { conversation, .. }
        | DecisionKind::Closed { conversation, .. }
        | DecisionKind::BotAssigned { conversation, .. }
        | DecisionKind::BotLeft { conversation, .. } => Some(conversation.as_str()),
        _ => None,
    }
}

/// Whether a later decision of the same step mentions the conversation.
fn mentioned_after(ds: &[Decision], i: usize, conversation: &str) -> bool {
    ds[i + 1..].iter().any(|d| conv_of(d) == Some(conversation))
}

fn deadline(at: DateTime<Utc>, line: &LineConfig) -> Option<DateTime<Utc>> {
    line.offer_timeout_secs
        .and_then(|s| at.checked_add_signed(TimeDelta::seconds(i64::from(s))))
}

// ---- the host's view, from decisions alone --------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
enum Place {
    /// Left an operator or lost its last offer; must be placed before the step ends.
    Limbo,
    Waiting(String),
    Assigned(String),
    Offered(BTreeSet<String>),
    /// With the line's chat-bot.
    Bot,
    Closed,
}

/// Where every conversation is, as far as a host that reads only the decisions can tell.
#[derive(Clone, Debug, Default)]
struct HostView {
    places: BTreeMap<String, Place>,
}

impl HostView {
    fn apply(&mut self, d: &Decision, input: Option<&Input>) -> Result<(), String> {
        let Some(c) = conv_of(d) else {
            return Ok(());
        };
        let prev = self.places.get(c).cloned();
        let next = match &d.kind {
            DecisionKind::Assigned { operator, .. } => {
                match &prev {
                    Some(Place::Assigned(o)) if o != operator.as_str() => {
                        return Err(format!(
                            "{c} assigned to {operator} while the host still sees it with {o} (no `unassigned`)"
                        ));
                    }
                    Some(Place::Offered(s)) if s.iter().any(|o| o != operator.as_str()) => {
                        return Err(format!(
                            "{c} assigned to {operator} while offers to {s:?} were not withdrawn"
                        ));
                    }
                    _ => {}
                }
                Place::Assigned(operator.to_string())
            }
            DecisionKind::Offered { operators, .. } => {
                match &prev {
                    Some(Place::Assigned(o)) => {
                        return Err(format!("{c} offered while the host still sees it with {o}"));
                    }
                    Some(Place::Offered(s)) if !s.is_empty() => {
                        return Err(format!(
                            "{c} offered again while offers to {s:?} were not withdrawn"
                        ));
                    }
                    _ => {}
                }
                Place::Offered(operators.iter().map(|o| o.to_string()).collect())
            }
            DecisionKind::OfferWithdrawn { operator, .. } => match prev {
                Some(Place::Offered(s)) if s.contains(operator.as_str()) => {
                    let mut s = s;
                    s.remove(operator.as_str());
                    Place::Offered(s)
                }
                p => {
                    return Err(format!(
                        "offer of {c} to {operator} withdrawn, but the host sees {p:?}"
                    ));
                }
            },
            DecisionKind::Unassigned { operator, .. } => match prev {
                Some(Place::Assigned(o)) if o == operator.as_str() => Place::Limbo,
                p => {
                    return Err(format!(
                        "{c} unassigned from {operator}, but the host sees {p:?}"
                    ));
                }
            },
            DecisionKind::Queued { line, .. } => {
                let transferred = matches!(input, Some(Input::Transfer { conversation, to_line: Some(_), .. }) if conversation.as_str() == c);
                match &prev {
                    Some(Place::Assigned(o)) => {
                        return Err(format!("{c} queued while the host still sees it with {o}"));
                    }
                    Some(Place::Offered(s)) if !s.is_empty() => {
                        return Err(format!(
                            "{c} queued while offers to {s:?} were not withdrawn"
                        ));
                    }
                    Some(Place::Waiting(l)) if l == line.as_str() && !transferred => {
                        return Err(format!("{c} queued again while waiting in {l}"));
                    }
                    _ => {}
                }
                Place::Waiting(line.to_string())
            }
            DecisionKind::BotAssigned { .. } => {
                match &prev {
                    Some(Place::Assigned(o)) => {
                        return Err(format!(
                            "{c} given to the bot while the host still sees it with {o}"
                        ));
                    }
                    Some(Place::Offered(s)) if !s.is_empty() => {
                        return Err(format!(
                            "{c} given to the bot while offers to {s:?} were not withdrawn"
                        ));
                    }
                    Some(Place::Bot) => {
                        return Err(format!("{c} given to the bot twice"));
                    }
                    _ => {}
                }
                Place::Bot
            }
            DecisionKind::BotLeft { .. } => match prev {
                Some(Place::Bot) => Place::Limbo,
                p => return Err(format!("the bot left {c}, but the host sees {p:?}")),
            },
            DecisionKind::Closed { .. } => match prev {
                None | Some(Place::Closed) => {
                    return Err(format!("{c} closed, but the host sees {prev:?}"));
                }
                Some(_) => Place::Closed,
            },
            _ => return Ok(()),
        };
        self.places.insert(c.to_string(), next);
        Ok(())
    }

    /// The host's view must match the engine's at the end of every step.
    fn reconcile(&self, engine: &Engine) -> Result<(), String> {
        use routeline::ConversationState as S;
        for c in engine.conversations() {
            let v = engine
                .conversation(c.as_str())
                .ok_or_else(|| format!("conversations() lists {c} but conversation() does not"))?;
            let p = self.places.get(c.as_str());
            let ok = match (v.state, p) {
                (S::Waiting, Some(Place::Waiting(l))) => *l == v.line.as_str(),
                (S::Assigned, Some(Place::Assigned(o))) => {
                    v.operator.as_ref().map(|x| x.as_str()) == Some(o.as_str())
                }
                (S::Offered, Some(Place::Offered(s))) => {
                    !s.is_empty() && *s == v.offered_to.iter().map(|o| o.to_string()).collect()
                }
                (S::WithBot, Some(Place::Bot)) => true,
                (S::Closed, Some(Place::Closed)) => true,
                _ => false,
            };
            if !ok {
                return Err(format!(
                    "the engine has {c} as {:?} (line {}, operator {:?}, offered to {:?}), the decision stream says {p:?}",
                    v.state, v.line, v.operator, v.offered_to
                ));
            }
        }
        Ok(())
    }
}

// ---- answer deadlines the host was told --------------------------------------------------------

/// Every `answer_by` the decision stream announced and nothing has ended yet: conversation →
/// (holder, deadline).
#[derive(Clone, Debug, Default)]
struct Told {
    deadlines: BTreeMap<String, (String, DateTime<Utc>)>,
}

impl Told {
    /// Follows one step's decisions and input; returns the indices of the decisions that name
    /// a holder again without a deadline (its assignment became final). Fails when a deadline
    /// the host was told is no longer the engine's and nothing said so.
    fn follow(
        &mut self,
        ds: &[Decision],
        input: Option<&Input>,
        engine: &Engine,
    ) -> Result<BTreeSet<usize>, String> {
        let mut final_again = BTreeSet::new();
        for (i, d) in ds.iter().enumerate() {
            let about = match &d.kind {
                DecisionKind::Assigned {
                    conversation,
                    operator,
                    answer_by,
                    ..
                } => {
                    let held = self.deadlines.remove(conversation.as_str());
                    if answer_by.is_none() && held.is_some_and(|(h, _)| h == operator.as_str()) {
                        final_again.insert(i);
                    }
                    if let Some(by) = answer_by {
                        self.deadlines
                            .insert(conversation.to_string(), (operator.to_string(), *by));
                    }
                    continue;
                }
                DecisionKind::Offered { conversation, .. }
                | DecisionKind::OfferWithdrawn { conversation, .. }
                | DecisionKind::Unassigned { conversation, .. }
                | DecisionKind::Queued { conversation, .. }
                | DecisionKind::Closed { conversation, .. }
                | DecisionKind::BotAssigned { conversation, .. }
                | DecisionKind::BotLeft { conversation, .. } => conversation,
                _ => continue,
            };
            self.deadlines.remove(about.as_str());
        }
        // The holder's own accept, take or answer, or a transfer naming the holder: the host
        // named the final holder itself.
        let own = match input {
            Some(
                Input::Accept {
                    conversation,
                    operator,
                }
                | Input::Take {
                    conversation,
                    operator,
                }
                | Input::MessageOut {
                    conversation,
                    operator,
                    ..
                },
            ) => Some((conversation, operator)),
            Some(Input::Transfer {
                conversation,
                to_operator: Some(operator),
                ..
            }) => Some((conversation, operator)),
            _ => None,
        };
        if let Some((c, o)) = own {
            if self
                .deadlines
                .get(c.as_str())
                .is_some_and(|(h, _)| h == o.as_str())
            {
                self.deadlines.remove(c.as_str());
            }
        }
        for (c, (holder, by)) in &self.deadlines {
            let v = engine.conversation(c);
            let still = v.as_ref().is_some_and(|v| {
                v.operator.as_ref().map(|o| o.as_str()) == Some(holder.as_str())
                    && v.deadline == Some(*by)
            });
            if !still {
                return Err(format!(
                    "the answer_by {by} of {c} with {holder} ended with no decision saying so; \
                     the engine has {v:?}"
                ));
            }
        }
        Ok(final_again)
    }
}

// ---- the checked run -------------------------------------------------------------------------

struct Harness {
    engine: Engine,
    shadow: Shadow,
    view: HostView,
    told: Told,
    last_decision_at: Option<DateTime<Utc>>,
    /// Every decision so far, for failure messages.
    log: Vec<String>,
}

fn drain(engine: &mut Engine) -> Vec<Decision> {
    std::iter::from_fn(|| engine.poll_decision()).collect()
}

fn json(d: &Decision) -> String {
    serde_json::to_string(d).expect("decisions serialise")
}

impl Harness {
    fn new() -> Self {
        Self {
            engine: Engine::new(),
            shadow: Shadow::default(),
            view: HostView::default(),
            told: Told::default(),
            last_decision_at: None,
            log: Vec::new(),
        }
    }

    fn input_step(&mut self, step: &Step) -> Result<(), String> {
        let before = format!("{:?}", self.engine);
        let before_now = self.engine.now();
        let before_past = self.engine.past_inputs();
        let result = self.engine.handle(step.at, step.input.clone());
        let ds = drain(&mut self.engine);
        match result {
            Err(e) => {
                if !ds.is_empty() {
                    return Err(format!(
                        "inv 9: failed input ({e}) produced decisions: {:?}",
                        ds.iter().map(json).collect::<Vec<_>>()
                    ));
                }
                if format!("{:?}", self.engine) != before {
                    return Err(format!("inv 9: failed input ({e}) changed the engine"));
                }
                self.engine
                    .verify_invariants()
                    .map_err(|e| format!("verify_invariants: {e}"))
            }
            Ok(()) => {
                self.shadow.apply(&step.input);
                let expect_now = before_now.map_or(step.at, |n| n.max(step.at));
                if self.engine.now() != Some(expect_now) {
                    return Err(format!(
                        "clock is {:?} after an input at {} (was {before_now:?})",
                        self.engine.now(),
                        step.at
                    ));
                }
                let late = before_now.is_some_and(|n| step.at < n);
                if self.engine.past_inputs() != before_past + u64::from(late) {
                    return Err(format!(
                        "past_inputs went from {before_past} to {} (late: {late})",
                        self.engine.past_inputs()
                    ));
                }
                self.after_step(&ds, Some(&step.input), None)
            }
        }
    }

    fn timeout_step(&mut self, t: DateTime<Utc>) -> Result<(), String> {
        let before_now = self.engine.now();
        let before = aspects(&self.engine);
        self.engine.handle_timeout(t);
        let ds = drain(&mut self.engine);
        if let Some(next) = self.engine.poll_timeout() {
            if next <= t {
                return Err(format!(
                    "inv 7: poll_timeout() is {next} after handle_timeout({t})"
                ));
            }
        }
        let expect_now = before_now.map_or(t, |n| n.max(t));
        if self.engine.now() != Some(expect_now) {
            return Err(format!(
                "clock is {:?} after handle_timeout({t}) (was {before_now:?})",
                self.engine.now()
            ));
        }
        self.after_step(&ds, None, Some(&before))
    }

    fn after_step(
        &mut self,
        ds: &[Decision],
        input: Option<&Input>,
        aspects_before: Option<&Aspects>,
    ) -> Result<(), String> {
        for d in ds {
            self.log.push(json(d));
        }
        self.engine
            .verify_invariants()
            .map_err(|e| format!("verify_invariants: {e}"))?;
        let now = self.engine.now();
        for d in ds {
            if self.last_decision_at.is_some_and(|last| d.at < last) || Some(d.at) > now {
                return Err(format!(
                    "decision time {} out of order (previous {:?}, clock {now:?})",
                    d.at, self.last_decision_at
                ));
            }
            self.last_decision_at = Some(d.at);
        }
        for d in ds {
            self.view
                .apply(d, input)
                .map_err(|e| format!("decision stream: {e}"))?;
        }
        self.view.reconcile(&self.engine)?;
        let final_again = self.told.follow(ds, input, &self.engine)?;
        let aspects_after = aspects_before.map(|_| aspects(&self.engine));
        let changed = |op: &str| match (aspects_before, &aspects_after) {
            (Some(b), Some(a)) => b.get(op) != a.get(op),
            _ => false,
        };
        self.check_routing(ds, &changed, &final_again)?;
        self.check_work_conservation()
    }

    /// The load an operator had right after decision `i`, or less: the load at the end of the
    /// step minus what later assignments still in effect added.
    fn load_after(&self, ds: &[Decision], i: usize, op: &str, count: CountTowardCap) -> u32 {
        let mut load = load_of(&self.engine, op, count);
        for (j, d) in ds.iter().enumerate().skip(i + 1) {
            if let DecisionKind::Assigned {
                conversation,
                operator,
                ..
            } = &d.kind
            {
                let held = self
                    .engine
                    .conversation(conversation.as_str())
                    .is_some_and(|v| v.operator.as_ref().map(|o| o.as_str()) == Some(op));
                if operator.as_str() == op && held && !mentioned_after(ds, j, conversation.as_str())
                {
                    load = load.saturating_sub(weight(&self.engine, conversation.as_str(), count));
                }
            }
        }
        load
    }

    /// Eligibility (inv 3) and cap (inv 2) of an automatic placement at decision `i`.
    #[allow(clippy::too_many_arguments)]
    fn check_placement(
        &self,
        ds: &[Decision],
        i: usize,
        what: &str,
        line_id: &str,
        line: &LineConfig,
        channel: &str,
        op: &str,
        room_needed: bool,
        availability_changed: bool,
    ) -> Result<(), String> {
        if !self.shadow.member(line, op) {
            return Err(format!(
                "inv 3: {what} to {op}, who is not a member of line {line_id}"
            ));
        }
        if !self.shadow.allowed_on_channel(channel, line_id, op) {
            return Err(format!(
                "inv 3: {what} to {op}, who is not allowed on channel {channel}"
            ));
        }
        if !availability_changed && !available(&self.engine, line, op) {
            return Err(format!(
                "inv 3: {what} to {op}, who is not available: {:?}",
                self.engine.operator(op)
            ));
        }
        if let Some(cap) = self.shadow.cap(line, op) {
            let load = self.load_after(ds, i, op, line.count_toward_cap);
            let over = if room_needed { load >= cap } else { load > cap };
            if over {
                return Err(format!(
                    "inv 2: {what} to {op}: {:?} load {load} vs cap {cap} ({:?})",
                    line.count_toward_cap,
                    self.engine.operator(op).map(|v| v.load)
                ));
            }
        }
        Ok(())
    }

    fn check_routing(
        &self,
        ds: &[Decision],
        changed: &dyn Fn(&str) -> bool,
        final_again: &BTreeSet<usize>,
    ) -> Result<(), String> {
        for (i, d) in ds.iter().enumerate() {
            if final_again.contains(&i) {
                // The holder named again without a deadline: no new placement to check.
                continue;
            }
            match &d.kind {
                DecisionKind::Assigned {
                    conversation,
                    line,
                    operator,
                    reason,
                    answer_by,
                } => {
                    let what = format!("assigned {conversation} ({reason:?})");
                    let conv = self
                        .engine
                        .conversation(conversation.as_str())
                        .ok_or_else(|| format!("{what}: unknown conversation"))?;
                    let cfg = self
                        .shadow
                        .lines
                        .get(line.as_str())
                        .ok_or_else(|| format!("{what}: on unknown line {line}"))?;
                    let pinned = self.engine.pinned_operator(conv.client.as_str());
                    let automatic = matches!(
                        reason,
                        AssignReason::Routed | AssignReason::Pinned | AssignReason::LastOperator
                    );
                    let always = cfg.pinned_policy == PinnedPolicy::Always;
                    // Answer deadlines.
                    let expect_by = match reason {
                        AssignReason::Routed | AssignReason::LastOperator => deadline(d.at, cfg),
                        AssignReason::Pinned if !always => deadline(d.at, cfg),
                        _ => None,
                    };
                    if *answer_by != expect_by {
                        return Err(format!(
                            "{what} to {operator}: answer_by {answer_by:?}, expected {expect_by:?}"
                        ));
                    }
                    if automatic && always && pinned.is_some() {
                        let p = pinned.as_ref().map(|p| p.as_str());
                        if p != Some(operator.as_str()) || *reason != AssignReason::Pinned {
                            return Err(format!(
                                "inv 6: {what} to {operator}, but client {} is always-pinned to {p:?}",
                                conv.client
                            ));
                        }
                    }
                    if *reason == AssignReason::Pinned {
                        if pinned.as_ref().map(|p| p.as_str()) != Some(operator.as_str()) {
                            return Err(format!(
                                "{what} to {operator}, but the client's pin is {pinned:?}"
                            ));
                        }
                        if cfg.pinned_policy == PinnedPolicy::Ignore {
                            return Err(format!(
                                "{what} on line {line} whose pinned policy is ignore"
                            ));
                        }
                    }
                    if *reason == AssignReason::LastOperator && !cfg.prefer_last_operator {
                        return Err(format!(
                            "{what} on line {line} without prefer_last_operator"
                        ));
                    }
                    let open = self
                        .engine
                        .line_hours(line.as_str(), d.at)
                        .is_none_or(|h| h.open);
                    if automatic && !open {
                        return Err(format!(
                            "{what} to {operator} at {} while line {line} is closed",
                            d.at
                        ));
                    }
                    if *reason == AssignReason::Routed && cfg.mode == Mode::All {
                        return Err(format!("{what} on line {line} in mode all"));
                    }
                    let in_effect = !mentioned_after(ds, i, conversation.as_str())
                        && conv.operator.as_ref().map(|o| o.as_str()) == Some(operator.as_str());
                    let exempt = *reason == AssignReason::Pinned && always;
                    if automatic && !exempt && in_effect {
                        self.check_placement(
                            ds,
                            i,
                            &what,
                            line.as_str(),
                            cfg,
                            conv.channel.as_str(),
                            operator.as_str(),
                            false,
                            changed(operator.as_str()),
                        )?;
                    }
                }
                DecisionKind::Offered {
                    conversation,
                    line,
                    operators,
                    expires_at,
                } => {
                    let what = format!("offered {conversation}");
                    let conv = self
                        .engine
                        .conversation(conversation.as_str())
                        .ok_or_else(|| format!("{what}: unknown conversation"))?;
                    let cfg = self
                        .shadow
                        .lines
                        .get(line.as_str())
                        .ok_or_else(|| format!("{what}: on unknown line {line}"))?;
                    if cfg.mode != Mode::All {
                        return Err(format!("{what} on line {line} in mode {:?}", cfg.mode));
                    }
                    if !self
                        .engine
                        .line_hours(line.as_str(), d.at)
                        .is_none_or(|h| h.open)
                    {
                        return Err(format!("{what} at {} while line {line} is closed", d.at));
                    }
                    if *expires_at != deadline(d.at, cfg) {
                        return Err(format!("{what}: expires_at {expires_at:?}"));
                    }
                    let distinct: BTreeSet<_> = operators.iter().collect();
                    if operators.is_empty() || distinct.len() != operators.len() {
                        return Err(format!("{what} to {operators:?}"));
                    }
                    if cfg.pinned_policy == PinnedPolicy::Always
                        && self.engine.pinned_operator(conv.client.as_str()).is_some()
                    {
                        return Err(format!(
                            "inv 6: {what} to {operators:?}, but client {} is always-pinned",
                            conv.client
                        ));
                    }
                    let in_effect = !mentioned_after(ds, i, conversation.as_str())
                        && conv.offered_to == *operators;
                    if in_effect {
                        for op in operators {
                            self.check_placement(
                                ds,
                                i,
                                &what,
                                line.as_str(),
                                cfg,
                                conv.channel.as_str(),
                                op.as_str(),
                                true,
                                changed(op.as_str()),
                            )?;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Inv 4, from outside: nothing waits while an eligible member has room for it (except
    /// `requeue`d lines, whose tried operators the queries do not show).
    fn check_work_conservation(&self) -> Result<(), String> {
        for (line_id, cfg) in &self.shadow.lines {
            let waiting = self
                .engine
                .waiting(line_id)
                .ok_or_else(|| format!("waiting({line_id}) is None for an existing line"))?;
            let now = self.engine.now().expect("a clock once a line exists");
            if !self.engine.line_hours(line_id, now).is_none_or(|h| h.open) {
                continue;
            }
            for w in waiting {
                let pinned = self.engine.pinned_operator(w.client.as_str());
                if cfg.pinned_policy == PinnedPolicy::Always {
                    if let Some(p) = pinned {
                        if self.engine.operator(p.as_str()).is_some_and(|v| v.active) {
                            return Err(format!(
                                "inv 4: {} waits in {line_id} although its always-pinned operator {p} is active",
                                w.conversation
                            ));
                        }
                        continue;
                    }
                }
                if cfg.on_exhausted == OnExhausted::Requeue {
                    continue;
                }
                for op in self.shadow.ops.keys() {
                    let room = self
                        .shadow
                        .cap(cfg, op)
                        .is_none_or(|cap| load_of(&self.engine, op, cfg.count_toward_cap) < cap);
                    if self.shadow.member(cfg, op)
                        && self
                            .shadow
                            .allowed_on_channel(w.channel.as_str(), line_id, op)
                        && available(&self.engine, cfg, op)
                        && room
                    {
                        return Err(format!(
                            "inv 4: {} waits in {line_id} although {op} is eligible with room",
                            w.conversation
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Feeds the steps, ticking at every deadline due before the next input, and checks
/// everything after every input and every tick.
fn run_checked(steps: &[Step]) -> Result<(), String> {
    let mut h = Harness::new();
    let fail = |h: &Harness, what: String, e: String| {
        let tail = h.log.len().saturating_sub(12);
        format!(
            "{what}: {e}\nlast decisions:\n  {}",
            h.log[tail..].join("\n  ")
        )
    };
    for (i, step) in steps.iter().enumerate() {
        while let Some(t) = h.engine.poll_timeout() {
            if t > step.at {
                break;
            }
            if h.engine.now().is_some_and(|n| t < n) {
                return Err(format!(
                    "before step {i}: poll_timeout() {t} is before the clock {:?}",
                    h.engine.now()
                ));
            }
            h.timeout_step(t)
                .map_err(|e| fail(&h, format!("tick at {t} before step {i}"), e))?;
        }
        h.input_step(step)
            .map_err(|e| fail(&h, format!("step {i} {step:?}"), e))?;
    }
    // Let a few more deadlines pass (offers may renew for ever).
    for _ in 0..12 {
        let Some(t) = h.engine.poll_timeout() else {
            break;
        };
        h.timeout_step(t)
            .map_err(|e| fail(&h, format!("final tick at {t}"), e))?;
    }
    Ok(())
}

// ---- cadence and determinism ------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Cadence {
    /// `handle_timeout(poll_timeout())` at every deadline before the next input.
    EveryDeadline,
    /// Never between inputs.
    Never,
    /// At pseudo-random times, seeded.
    Random(u64),
}

struct Run {
    stream: Vec<String>,
    ok: Vec<bool>,
    /// The stream's length after each input.
    prefix: Vec<usize>,
    state: String,
}

fn next_rand(s: &mut u64) -> u64 {
    // xorshift64*
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    s.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

fn run_stream(steps: &[Step], cadence: Cadence) -> Run {
    let mut engine = Engine::new();
    let mut run = Run {
        stream: Vec::new(),
        ok: Vec::new(),
        prefix: Vec::new(),
        state: String::new(),
    };
    // Ticking past a later input's stamp would legitimately change how that (late) input is
    // applied, so ticks stay at or before every later input's time.
    let mut bound = vec![DateTime::<Utc>::MAX_UTC; steps.len()];
    let mut min = DateTime::<Utc>::MAX_UTC;
    for (i, s) in steps.iter().enumerate().rev() {
        min = min.min(s.at);
        bound[i] = min;
    }
    let mut rng = match cadence {
        Cadence::Random(seed) => seed | 1,
        _ => 1,
    };
    for (i, step) in steps.iter().enumerate() {
        match cadence {
            Cadence::Never => {}
            Cadence::EveryDeadline => {
                while let Some(t) = engine.poll_timeout() {
                    if t > bound[i] || engine.now().is_some_and(|n| t < n) {
                        break;
                    }
                    engine.handle_timeout(t);
                    run.stream.extend(drain(&mut engine).iter().map(json));
                }
            }
            Cadence::Random(_) => {
                let n = next_rand(&mut rng) % 4;
                let mut last = None;
                for _ in 0..n {
                    let r = next_rand(&mut rng);
                    let t = match (r % 4, engine.poll_timeout(), last) {
                        (0, Some(t), _) if t <= bound[i] => t,
                        (1, _, Some(t)) => t,
                        _ => {
                            let lo = engine.now().unwrap_or(bound[i]) - TimeDelta::hours(1);
                            let span = (bound[i] - lo).num_seconds().max(0);
                            let back = (r >> 8) as i64 % (span + 1);
                            bound[i] - TimeDelta::seconds(back)
                        }
                    };
                    last = Some(t);
                    engine.handle_timeout(t);
                    run.stream.extend(drain(&mut engine).iter().map(json));
                }
            }
        }
        run.ok
            .push(engine.handle(step.at, step.input.clone()).is_ok());
        run.stream.extend(drain(&mut engine).iter().map(json));
        run.prefix.push(run.stream.len());
    }
    run.state = format!("{engine:?}");
    run
}

/// The decisions up to (and including) the last successful input.
fn settled(run: &Run) -> &[String] {
    let end = run
        .ok
        .iter()
        .rposition(|&ok| ok)
        .map_or(0, |i| run.prefix[i]);
    &run.stream[..end]
}

fn compare(a: &Run, b: &Run, names: (&str, &str)) -> Result<(), String> {
    if a.ok != b.ok {
        let i = a.ok.iter().zip(&b.ok).position(|(x, y)| x != y);
        return Err(format!(
            "inputs succeeded differently ({} vs {}) at step {i:?}",
            names.0, names.1
        ));
    }
    let (sa, sb) = (settled(a), settled(b));
    if sa != sb {
        let i = sa
            .iter()
            .zip(sb)
            .position(|(x, y)| x != y)
            .unwrap_or(sa.len().min(sb.len()));
        let step = a.prefix.iter().position(|&p| p > i);
        return Err(format!(
            "decision streams differ ({} vs {}) at decision {i} (input step {step:?}):\n  {}: {:?}\n  {}: {:?}\n  lengths {} vs {}",
            names.0,
            names.1,
            names.0,
            sa.get(i),
            names.1,
            sb.get(i),
            sa.len(),
            sb.len()
        ));
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn invariants_hold_after_every_step(steps in scenario(MAX_STEPS)) {
        run_checked(&steps).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn tick_cadence_does_not_matter(steps in scenario(MAX_STEPS), seed in any::<u64>()) {
        let every = run_stream(&steps, Cadence::EveryDeadline);
        let never = run_stream(&steps, Cadence::Never);
        let random = run_stream(&steps, Cadence::Random(seed));
        compare(&every, &never, ("every deadline", "never")).map_err(TestCaseError::fail)?;
        compare(&never, &random, ("never", "random")).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn replay_is_deterministic(steps in scenario(MAX_STEPS)) {
        let a = run_stream(&steps, Cadence::Never);
        let b = run_stream(&steps, Cadence::Never);
        prop_assert_eq!(a.ok, b.ok);
        prop_assert!(a.stream == b.stream, "decision streams differ");
        prop_assert!(a.state == b.state, "final engine states differ");
    }
}

// ---- regressions: shrunk cases the properties found, kept as fixed inputs -------------------

/// Parses JSON Lines of the wire format (`"at"` plus the input's fields) into steps.
fn steps_from_jsonl(text: &str) -> Vec<Step> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).expect("valid JSON");
            let at = v
                .as_object_mut()
                .and_then(|o| o.remove("at"))
                .expect("a line has \"at\"");
            Step {
                at: serde_json::from_value(at).expect("an RFC 3339 time"),
                input: serde_json::from_value(v).expect("a valid input"),
            }
        })
        .collect()
}

fn check_all(jsonl: &str) {
    let steps = steps_from_jsonl(jsonl);
    if let Err(e) = run_checked(&steps) {
        panic!("{e}");
    }
    let every = run_stream(&steps, Cadence::EveryDeadline);
    let never = run_stream(&steps, Cadence::Never);
    compare(&every, &never, ("every deadline", "never")).unwrap();
}

/// Removing a line while one of its conversations waits behind an operator at cap panicked
/// (a removed line's bucket was drained).
#[test]
fn regression_remove_line_with_a_waiting_conversation() {
    check_all(
        r#"
{"at":"2026-03-02T09:00:00Z","type":"upsert_operator","operator":"o1"}
{"at":"2026-03-02T09:00:00Z","type":"upsert_line","line":"l2","queue":["o1"],"max_open_per_operator":1}
{"at":"2026-03-02T09:00:00Z","type":"connect_channel","channel":"c2","line":"l2"}
{"at":"2026-03-02T09:00:00Z","type":"presence","operator":"o1","status":"online"}
{"at":"2026-03-02T09:00:00Z","type":"message_in","conversation":"v3","client":"cl3","channel":"c2"}
{"at":"2026-03-02T09:00:00Z","type":"message_in","conversation":"v4","client":"cl1","channel":"c2"}
{"at":"2026-03-02T09:00:00Z","type":"disconnect_channel","channel":"c2"}
{"at":"2026-03-02T09:00:00Z","type":"remove_line","line":"l2"}
"#,
    );
}

/// A `requeue`d conversation stayed waiting although a work day that the line does not look
/// at made its operator "not yet tried" again (inv 4).
#[test]
fn regression_requeued_conversation_and_an_unrelated_workday() {
    check_all(
        r#"
{"at":"2026-03-02T09:00:00Z","type":"upsert_operator","operator":"o1"}
{"at":"2026-03-02T09:00:00Z","type":"upsert_line","line":"l2","mode":"strict","queue":["o1"],"offer_timeout_secs":60,"on_exhausted":"requeue"}
{"at":"2026-03-02T09:00:00Z","type":"connect_channel","channel":"c3","line":"l2"}
{"at":"2026-03-02T09:00:00Z","type":"presence","operator":"o1","status":"online"}
{"at":"2026-03-02T09:00:00Z","type":"message_in","conversation":"v5","client":"cl4","channel":"c3"}
{"at":"2026-03-02T09:01:01Z","type":"workday_started","operator":"o1"}
"#,
    );
}

/// Mode `all`: an unanswered single assignment (here by `prefer_last_operator`) expires while
/// its holder is at cap *because of that very conversation*; it is queued `at_capacity` and
/// stays waiting although the holder has room once it left (inv 4).
#[test]
fn regression_all_mode_expiry_of_an_assignment_that_filled_the_cap() {
    check_all(
        r#"
{"at":"2026-03-02T09:00:00Z","type":"upsert_operator","operator":"o2"}
{"at":"2026-03-02T09:00:00Z","type":"upsert_line","line":"l1","mode":"all","queue":["o2"],"offer_timeout_secs":60,"max_open_per_operator":1,"prefer_last_operator":true}
{"at":"2026-03-02T09:00:00Z","type":"connect_channel","channel":"c1","line":"l1"}
{"at":"2026-03-02T09:00:00Z","type":"presence","operator":"o2","status":"online"}
{"at":"2026-03-02T09:00:00Z","type":"message_out","conversation":"v1","operator":"o2","client":"cl1","channel":"c1"}
{"at":"2026-03-02T09:00:00Z","type":"close","conversation":"v1"}
{"at":"2026-03-02T09:00:00Z","type":"message_in","conversation":"v2","client":"cl1","channel":"c1"}
{"at":"2026-03-02T09:01:00Z","type":"tick"}
"#,
    );
}

/// The same after a change of mode to `all` that left an unanswered assignment in place.
#[test]
fn regression_mode_changed_to_all_then_the_assignment_expires_at_cap() {
    check_all(
        r#"
{"at":"2026-03-02T09:00:00Z","type":"upsert_operator","operator":"o2","max_open":1}
{"at":"2026-03-02T09:00:00Z","type":"upsert_line","line":"l1","mode":"strict","queue":["o2"],"offer_timeout_secs":60}
{"at":"2026-03-02T09:00:00Z","type":"connect_channel","channel":"c1","line":"l1"}
{"at":"2026-03-02T09:00:00Z","type":"presence","operator":"o2","status":"online"}
{"at":"2026-03-02T09:00:00Z","type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
{"at":"2026-03-02T09:00:00Z","type":"upsert_line","line":"l1","mode":"all","queue":["o2"]}
{"at":"2026-03-02T09:01:01Z","type":"tick"}
"#,
    );
}

/// Runs a JSON Lines file (`ROUTELINE_STEPS=path`) through every check of the properties:
/// `ROUTELINE_STEPS=case.jsonl cargo test --test properties check_file -- --ignored`.
#[test]
#[ignore = "a tool: needs ROUTELINE_STEPS"]
fn check_file() {
    let Ok(path) = std::env::var("ROUTELINE_STEPS") else {
        return;
    };
    check_all(&std::fs::read_to_string(path).expect("a readable file"));
}
