//! Property 4: callback orders — scheduled ones in no queue and held by nobody, counted, and
//! their attempts as DESIGN §7 says.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use routeline::{CloseReason, ConversationState, Decision, DecisionKind, Request, UnassignReason};

use super::checks::{Run, Walk, about};
use super::world::{LINES, Step};

impl Run {
    /// Property 4, callback attempts: a new order is attempt 1, due when asked (now at the
    /// earliest); the next attempt follows only a failed one (`unassigned` reason
    /// `attempt_failed`) short of the line's `max_attempts`, numbered one more, due
    /// `retry_after_secs` later; an order closes with its attempts exhausted only after a
    /// failed attempt that reached `max_attempts` (or passed it: an order transferred to a
    /// line allowing fewer attempts); `callbacks(line)` shows each order's attempt and the
    /// line's `max_attempts`.
    pub fn check_attempts(&mut self, step: &Step, ds: &[Decision]) -> Result<(), String> {
        let callback = |line: &str| {
            let c = self.model.lines.get(line).map(|l| &l["callback"]);
            let get = |k: &str, default: u64| c.and_then(|c| c[k].as_u64()).unwrap_or(default);
            (get("max_attempts", 3), get("retry_after_secs", 600))
        };
        let request = step
            .json()
            .filter(|j| j["type"] == "callback_request")
            .map(|j| {
                let due = j["due_at"]
                    .as_str()
                    .map(|t| t.parse::<DateTime<Utc>>().expect("an RFC 3339 time"));
                (j["conversation"].as_str().unwrap_or_default(), due)
            });
        let mut failed: BTreeSet<&str> = BTreeSet::new();
        let mut updates: Vec<(String, Option<u32>)> = Vec::new();
        let current = |c: &str, updates: &[(String, Option<u32>)]| {
            updates
                .iter()
                .rev()
                .find(|(k, _)| k == c)
                .map_or_else(|| self.attempts.get(c).copied(), |(_, a)| *a)
        };
        for d in ds {
            match &d.kind {
                DecisionKind::CallbackScheduled {
                    conversation,
                    line,
                    due_at,
                    attempt,
                } => {
                    let c = conversation.as_str();
                    let (max, retry) = callback(line.as_str());
                    let (want, due) = if failed.remove(c) {
                        let n = current(c, &updates).unwrap_or(0);
                        if u64::from(n) >= max {
                            return Err(format!(
                                "{c} scheduled again after attempt {n} of {max} failed"
                            ));
                        }
                        (n + 1, d.at + chrono::TimeDelta::seconds(retry as i64))
                    } else if let Some((_, due)) = request.filter(|(k, _)| *k == c) {
                        (1, due.map_or(d.at, |t| t.max(d.at)))
                    } else {
                        return Err(format!(
                            "{c} scheduled (attempt {attempt}) without a request or a failed attempt"
                        ));
                    };
                    if *attempt != want || *due_at != due {
                        return Err(format!(
                            "{c} scheduled as attempt {attempt} due {due_at}, expected attempt \
                             {want} due {due}"
                        ));
                    }
                    updates.push((c.to_string(), Some(*attempt)));
                }
                DecisionKind::Unassigned {
                    conversation,
                    reason: UnassignReason::AttemptFailed,
                    ..
                } => {
                    failed.insert(conversation.as_str());
                }
                DecisionKind::Closed {
                    conversation,
                    reason,
                } => {
                    let c = conversation.as_str();
                    if *reason == CloseReason::AttemptsExhausted {
                        let line = self
                            .engine
                            .conversation(c)
                            .map(|v| v.line.to_string())
                            .unwrap_or_default();
                        let (max, _) = callback(&line);
                        let n = current(c, &updates);
                        // An order moved to a line that allows fewer attempts than it has
                        // used closes at its next failure.
                        if !failed.remove(c) || n.is_none_or(|n| u64::from(n) < max) {
                            return Err(format!(
                                "{c} closed with its attempts exhausted at attempt {n:?} of {max}"
                            ));
                        }
                    }
                    updates.push((c.to_string(), None));
                }
                _ => {}
            }
        }
        for (c, a) in updates {
            match a {
                Some(a) => self.attempts.insert(c, a),
                None => self.attempts.remove(&c),
            };
        }
        for l in LINES {
            let (max, _) = callback(l);
            for ch in self.engine.callbacks(l).unwrap_or_default() {
                for o in ch.orders {
                    let c = o.conversation.as_str();
                    if Some(o.attempt) != self.attempts.get(c).copied()
                        || u64::from(o.max_attempts) != max
                    {
                        return Err(format!(
                            "callbacks({l}) shows {c} at attempt {} of {}, expected {:?} of {max}",
                            o.attempt,
                            o.max_attempts,
                            self.attempts.get(c)
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Property 4.
    pub fn check_scheduled(&self, ds: &[Decision]) -> Result<(), String> {
        let e = &self.engine;
        let now = e.now();
        let mut in_queue = BTreeSet::new();
        for l in LINES {
            for w in e.waiting(l).unwrap_or_default() {
                in_queue.insert(w.conversation.to_string());
            }
        }
        let Walk { held, offers } = Walk::of(e);
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        let mut scheduled = BTreeSet::new();
        for c in e.conversations() {
            let v = e.conversation(c.as_str()).expect("a listed conversation");
            if v.state != ConversationState::Scheduled {
                continue;
            }
            let c = c.to_string();
            if v.request != Request::Callback {
                return Err(format!("{c} is scheduled but a {:?}", v.request));
            }
            if in_queue.contains(&c) {
                return Err(format!("{c} is scheduled and in a waiting queue"));
            }
            if held.contains_key(&c) || offers.contains_key(&c) {
                return Err(format!(
                    "{c} is scheduled and held by {:?} / offered to {:?}",
                    held.get(&c),
                    offers.get(&c)
                ));
            }
            if v.operator.is_some() || !v.offered_to.is_empty() {
                return Err(format!("{c} is scheduled with an operator: {v:?}"));
            }
            *counts.entry(v.line.to_string()).or_default() += 1;
            scheduled.insert(c);
        }
        for l in LINES {
            let n = counts.get(l).copied().unwrap_or(0);
            let counted = e.line_counters(l).map(|c| c.scheduled_callbacks);
            if counted.unwrap_or(0) != n {
                return Err(format!(
                    "line {l}: scheduled_callbacks {counted:?}, but {n} orders are scheduled"
                ));
            }
            for ch in e.callbacks(l).unwrap_or_default() {
                for o in ch.orders {
                    let s = o.state == ConversationState::Scheduled;
                    if s != scheduled.contains(o.conversation.as_str()) {
                        return Err(format!(
                            "callbacks({l}) shows {} as {:?}, the conversation disagrees",
                            o.conversation, o.state
                        ));
                    }
                    if s && now.is_some_and(|t| o.due_at <= t) {
                        return Err(format!(
                            "{} is still scheduled, due at {} (clock {now:?})",
                            o.conversation, o.due_at
                        ));
                    }
                }
            }
        }
        // An order scheduled for later in this step, with nothing decided about it since, is
        // scheduled now.
        for (i, d) in ds.iter().enumerate() {
            if let DecisionKind::CallbackScheduled {
                conversation,
                due_at,
                ..
            } = &d.kind
            {
                let later = ds[i + 1..].iter().any(|x| about(x) == Some(conversation));
                if !later
                    && now.is_some_and(|t| *due_at > t)
                    && !scheduled.contains(conversation.as_str())
                {
                    return Err(format!(
                        "{conversation} was scheduled for {due_at} but is not scheduled"
                    ));
                }
            }
        }
        Ok(())
    }
}
