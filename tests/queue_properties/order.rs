//! Property 3: the order of a line's waiting queue, and the order in which conversations leave
//! it (DESIGN §4 invariant 5; §7 "Priority and VIP").
//!
//! - **The queue is sorted by the §7 key**, computed here from the line's configuration, the
//!   request kind, the channel's kind and the client's VIP flag: `since − base·N` with aging
//!   `N`, `(−base, since)` without, ties by `since`; the panel's `priority` is
//!   `base + ⌊(clock − since)/N⌋` and its `vip` the client's flag.
//! - **`since` is kept across a return to the queue**: a conversation whose wait the test
//!   knows (seen waiting, or opened by the step, or a callback order falling due at `due_at`)
//!   and to which only wait-continuing things happened since (an unanswered or withdrawn
//!   offer, an unavailable or removed holder, a new clocked offer or assignment, `queued`)
//!   shows the same `since` when it waits again.
//! - **Conversations leave in queue order**: when a conversation is placed by routing — from
//!   the queue, or coming back to it after its offer rang out — while another one of the same
//!   line that was ahead of it in the queue stays waiting, the one left behind must have had a
//!   reason it could not take that capacity: a call or callback behind which a text went to
//!   an operator who was not free, a pinned client, a restricted channel (either one's), or a
//!   line that requeues after every candidate was tried. With only plain texts waiting this
//!   is the strong form: what leaves is a prefix of the queue.
//!
//! Steps that change the order itself (VIP, priority settings) and the conversation the input
//! is about are not judged for leaving order.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use routeline::{
    ConversationState, Decision, DecisionKind, Engine, QueueReason, Request, UnassignReason,
    WaitingEntry, WithdrawReason,
};
use serde_json::Value;

use super::checks::{Before, Model, about, waiting};
use super::world::{RESTRICTED, Step, channel_kind};

/// What the test follows of waits and placements across steps.
#[derive(Clone, Debug, Default)]
pub struct Order {
    /// Conversation → when its client's current wait began, where the test knows it.
    since: BTreeMap<String, DateTime<Utc>>,
    /// Conversations placed since they last (re)opened: under `requeue`, such a conversation
    /// may wait for operators it has not tried.
    touched: BTreeSet<String>,
    /// Conversations whose last `queued` said `exhausted`.
    exhausted: BTreeSet<String>,
}

/// A place in a line's queue: the static key, then `since` (nanoseconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key(i128, i128);

fn nanos(t: DateTime<Utc>) -> i128 {
    i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos())
}

fn request_name(r: Request) -> Value {
    serde_json::to_value(r).expect("request kinds serialise")
}

/// The line's priority setting.
fn priority<'a>(model: &'a Model, line: &str) -> Option<&'a Value> {
    model
        .lines
        .get(line)
        .map(|l| &l["priority"])
        .filter(|p| p.is_object())
}

fn aging(model: &Model, line: &str) -> Option<i128> {
    priority(model, line)
        .and_then(|p| p["aging_secs"].as_u64())
        .map(i128::from)
}

/// The base priority of DESIGN §7: the first rule whose keys all match, plus the VIP bonus.
fn base(model: &Model, line: &str, request: Request, channel: &str, vip: bool) -> i128 {
    let Some(p) = priority(model, line) else {
        return 0;
    };
    let matches =
        |rule: &Value, key: &str, value: Value| rule.get(key).is_none_or(|want| *want == value);
    let rule = p["rules"].as_array().into_iter().flatten().find(|r| {
        matches(r, "request", request_name(request))
            && matches(r, "channel_kind", Value::from(channel_kind(channel)))
            && matches(r, "channel", Value::from(channel))
    });
    let mut b = rule.and_then(|r| r["priority"].as_i64()).unwrap_or(0);
    if vip {
        b += p["vip"].as_i64().unwrap_or(0);
    }
    i128::from(b)
}

/// A conversation's place in its line's queue.
struct Entry<'a> {
    conversation: &'a str,
    request: Request,
    channel: &'a str,
    client: &'a str,
    since: DateTime<Utc>,
}

impl<'a> Entry<'a> {
    fn of(w: &'a WaitingEntry) -> Self {
        Entry {
            conversation: w.conversation.as_str(),
            request: w.request,
            channel: w.channel.as_str(),
            client: w.client.as_str(),
            since: w.since,
        }
    }

    fn base(&self, model: &Model, line: &str) -> i128 {
        let vip = model.vip.contains(self.client);
        base(model, line, self.request, self.channel, vip)
    }

    fn key(&self, model: &Model, line: &str) -> Key {
        let b = self.base(model, line);
        let s = nanos(self.since);
        match aging(model, line) {
            Some(n) => Key(s - b * n * 1_000_000_000, s),
            None => Key(-b, s),
        }
    }

    fn restricted(&self) -> bool {
        RESTRICTED.contains(&self.channel)
    }
}

/// A conversation placed by routing in the step.
struct Placed {
    at: DateTime<Utc>,
    /// Someone it went to held nothing else at that moment (a call could have had them).
    free: bool,
}

fn show(list: &[WaitingEntry]) -> String {
    list.iter()
        .map(|w| {
            format!(
                "{}#{} {:?} prio {} since {}",
                w.conversation,
                w.position,
                w.request,
                w.priority,
                w.since.format("%H:%M:%S")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Order {
    /// Checks a step that succeeded, and follows it.
    pub fn check(
        &mut self,
        engine: &Engine,
        model: &Model,
        before: &Before,
        step: &Step,
        ds: &[Decision],
    ) -> Result<(), String> {
        let after = waiting(engine);
        self.sorted(engine, model, &after)?;

        let about_input = step.conversation();
        let kind = step.json().and_then(|j| j["type"].as_str()).unwrap_or("");
        let reorders = match kind {
            "upsert_client" => true,
            "upsert_line" => {
                let json = step.json().expect("an input");
                let line = json["line"].as_str().unwrap_or_default();
                before.lines.get(line).map(|l| &l["priority"]) != Some(&json["priority"])
            }
            _ => false,
        };
        // The input's own conversation: its wait is the input's business (a confirmation
        // ends it), except that an input opening it starts one at its first placement.
        let opens = matches!(kind, "message_in" | "callback_request")
            && before.about.is_none_or(|s| s == ConversationState::Closed);
        if let Some(c) = about_input {
            self.since.remove(c);
        }

        // The decisions in order: who came back to the queue, who was placed, and whether
        // each wait goes on.
        let mut walk = before.walk.clone();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut returned: BTreeSet<&str> = BTreeSet::new();
        let mut placed: BTreeMap<&str, Placed> = BTreeMap::new();
        let mut returning: Vec<(&str, &str, DateTime<Utc>, Placed)> = Vec::new();
        for d in ds {
            let Some(c) = about(d).map(|c| c.as_str()) else {
                continue;
            };
            let first_of_opened = opens && Some(c) == about_input && !seen.contains(c);
            let mut placement = |line: &'static str, free: bool| {
                if returned.contains(c) {
                    if let Some(&since) = self.since.get(c) {
                        returning.push((c, line, since, Placed { at: d.at, free }));
                    }
                }
                placed.entry(c).or_insert(Placed { at: d.at, free });
            };
            let continues = match &d.kind {
                DecisionKind::Assigned {
                    line,
                    operator,
                    reason,
                    answer_by,
                    ..
                } => {
                    let routed = model.routed(*reason, line.as_str());
                    let again = walk.held.get(c).is_some_and(|h| h == operator.as_str());
                    if routed && !again {
                        let free = walk.others(operator.as_str(), c).is_empty();
                        placement(line_name(line.as_str()), free);
                    }
                    routed && answer_by.is_some()
                }
                DecisionKind::Offered {
                    line, operators, ..
                } => {
                    let free = operators
                        .iter()
                        .any(|o| walk.others(o.as_str(), c).is_empty());
                    placement(line_name(line.as_str()), free);
                    true
                }
                DecisionKind::Queued { reason, .. } => {
                    if *reason == QueueReason::Exhausted {
                        self.exhausted.insert(c.to_string());
                    } else {
                        self.exhausted.remove(c);
                    }
                    true
                }
                DecisionKind::Unassigned { reason, .. } => {
                    let back = matches!(
                        reason,
                        UnassignReason::NoAnswer
                            | UnassignReason::Unavailable
                            | UnassignReason::Removed
                    );
                    if back {
                        returned.insert(c);
                    }
                    back
                }
                DecisionKind::OfferWithdrawn { reason, .. } => {
                    let back = matches!(
                        reason,
                        WithdrawReason::Expired
                            | WithdrawReason::Unavailable
                            | WithdrawReason::Removed
                    );
                    if back {
                        returned.insert(c);
                    }
                    back
                }
                DecisionKind::CallbackScheduled { due_at, .. } => {
                    // The next wait starts when the order falls due.
                    self.since.insert(c.to_string(), *due_at);
                    self.touched.remove(c);
                    returned.remove(c);
                    seen.insert(c);
                    walk.apply(d)?;
                    continue;
                }
                _ => false,
            };
            if matches!(
                d.kind,
                DecisionKind::Assigned { .. } | DecisionKind::Offered { .. }
            ) {
                self.touched.insert(c.to_string());
                self.exhausted.remove(c);
            }
            if matches!(d.kind, DecisionKind::Closed { .. }) {
                self.touched.remove(c);
                self.exhausted.remove(c);
            }
            if first_of_opened && continues {
                self.since.insert(c.to_string(), d.at);
            } else if !continues {
                self.since.remove(c);
            }
            seen.insert(c);
            walk.apply(d)?;
        }

        // `since` is kept: what waits now started waiting when the test says.
        for list in after.values() {
            for w in list {
                let c = w.conversation.as_str();
                if let Some(&s) = self.since.get(c) {
                    if s != w.since {
                        return Err(format!(
                            "{c} waits with since {}, but its wait began at {s}\nwaiting: {}",
                            w.since,
                            show(list)
                        ));
                    }
                }
                self.since.insert(c.to_string(), w.since);
            }
        }

        if reorders {
            return Ok(());
        }
        let pinned_now = super::checks::pinned(engine);
        for (&line, list) in &before.waiting {
            let still: BTreeSet<&str> = after[line]
                .iter()
                .map(|w| w.conversation.as_str())
                .collect();
            for (i, w) in list.iter().enumerate() {
                let a = Entry::of(w);
                let ac = a.conversation;
                if Some(ac) == about_input || !still.contains(ac) || placed.contains_key(ac) {
                    continue;
                }
                let excused = a.restricted()
                    || before.pinned.contains(a.client)
                    || pinned_now.contains(a.client)
                    || self.exhausted.contains(ac)
                    || (model.requeues(line) && self.touched.contains(ac));
                if excused {
                    continue;
                }
                let voice_behind_text =
                    |b: Request, p: &Placed| a.request.is_voice() && !b.is_voice() && !p.free;
                for v in &list[i + 1..] {
                    let b = Entry::of(v);
                    let Some(p) = placed.get(b.conversation) else {
                        continue;
                    };
                    if Some(b.conversation) == about_input
                        || b.restricted()
                        || voice_behind_text(b.request, p)
                    {
                        continue;
                    }
                    return Err(format!(
                        "on {line}, {} ({:?}, position {}) was placed at {} while {ac} \
                         ({:?}, position {}) ahead of it stays waiting\nwaiting before: {}",
                        b.conversation,
                        b.request,
                        v.position,
                        p.at,
                        a.request,
                        w.position,
                        show(list)
                    ));
                }
                for (c, l, since, p) in &returning {
                    let Some(view) = engine.conversation(c) else {
                        continue;
                    };
                    let b = Entry {
                        conversation: c,
                        request: view.request,
                        channel: view.channel.as_str(),
                        client: view.client.as_str(),
                        since: *since,
                    };
                    if *l != line
                        || *c == ac
                        || Some(*c) == about_input
                        || b.restricted()
                        || voice_behind_text(b.request, p)
                        || a.key(model, line) >= b.key(model, line)
                    {
                        continue;
                    }
                    return Err(format!(
                        "on {line}, {c} ({:?}, base {}, since {since}) came back to the queue \
                         and was placed again at {} while {ac} ({:?}, base {}, since {}), \
                         ahead of it, stays waiting\nwaiting before: {}",
                        b.request,
                        b.base(model, line),
                        p.at,
                        a.request,
                        a.base(model, line),
                        a.since,
                        show(list)
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every line's waiting queue is in the order of the §7 key, and the panel shows each
    /// entry's effective priority and VIP flag.
    fn sorted(
        &self,
        engine: &Engine,
        model: &Model,
        after: &BTreeMap<&'static str, Vec<WaitingEntry>>,
    ) -> Result<(), String> {
        let now = engine.now().expect("a step was handled");
        for (&line, list) in after {
            for (i, w) in list.iter().enumerate() {
                let e = Entry::of(w);
                if w.position != i + 1 {
                    return Err(format!(
                        "{line}: {} listed at position {}",
                        w.conversation, w.position
                    ));
                }
                let vip = model.vip.contains(e.client);
                let b = e.base(model, line);
                let expected = match aging(model, line) {
                    Some(n) => b + (nanos(now) - nanos(w.since)).div_euclid(n * 1_000_000_000),
                    None => b,
                };
                if w.vip != vip || i128::from(w.priority) != expected {
                    return Err(format!(
                        "{line}: {} shows vip {} priority {}, expected vip {vip} priority \
                         {expected}\nwaiting: {}",
                        w.conversation,
                        w.vip,
                        w.priority,
                        show(list)
                    ));
                }
                if let Some(prev) = i.checked_sub(1).map(|j| Entry::of(&list[j])) {
                    if prev.key(model, line) > e.key(model, line) {
                        return Err(format!(
                            "{line}: {} is listed before {} against the priority order\n\
                             waiting: {}",
                            prev.conversation,
                            e.conversation,
                            show(list)
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The line's name as one of the world's.
fn line_name(line: &str) -> &'static str {
    super::world::LINES
        .iter()
        .copied()
        .find(|l| *l == line)
        .unwrap_or("")
}
