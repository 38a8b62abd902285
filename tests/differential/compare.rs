//! What is compared besides the decisions: conversations, loads, lines and waiting queues
//! through the engine's queries, what each remembers, and how an input was refused.

use super::*;
use routeline::{CallbackOrderView, ConversationState, Permission, WaitingEntry};

pub(super) struct Sut {
    pub(super) engine: Engine,
    pub(super) history: Vec<String>,
}

pub(super) fn sla_counts(c: &routeline::SlaCounts) -> model::SlaCounts {
    [
        c.first_response_met,
        c.first_response_missed,
        c.next_response_met,
        c.next_response_missed,
    ]
}

/// How a refusal is compared: that the input was invalid (the reason is not compared), that
/// its actor may not make it (with the actor and the permission), or that it met the renewal
/// bound, with every field of the error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    Invalid,
    Denied {
        actor: String,
        permission: Permission,
    },
    CatchUpBound {
        at: DateTime<Utc>,
        clock: DateTime<Utc>,
        renewals: u32,
        reached: DateTime<Utc>,
    },
}

pub(super) fn engine_refusal(e: &Error) -> Refusal {
    match e {
        Error::CatchUpBound {
            at,
            clock,
            renewals,
            reached,
        } => Refusal::CatchUpBound {
            at: *at,
            clock: *clock,
            renewals: *renewals,
            reached: *reached,
        },
        Error::PermissionDenied { actor, permission } => Refusal::Denied {
            actor: actor.to_string(),
            permission: *permission,
        },
        _ => Refusal::Invalid,
    }
}

pub(super) fn model_refusal(e: &ModelError) -> Refusal {
    match e {
        ModelError::CatchUpBound {
            at,
            clock,
            renewals,
            reached,
        } => Refusal::CatchUpBound {
            at: *at,
            clock: *clock,
            renewals: *renewals,
            reached: *reached,
        },
        ModelError::Denied { actor, permission } => Refusal::Denied {
            actor: actor.clone(),
            permission: *permission,
        },
        ModelError::Invalid(_) => Refusal::Invalid,
    }
}

pub(super) fn json_lines(ds: &[Decision]) -> Vec<String> {
    ds.iter()
        .map(|d| serde_json::to_string(d).expect("decisions serialise"))
        .collect()
}

impl Sut {
    pub(super) fn fail(&self, what: String) -> ! {
        panic!(
            "engine and model disagree: {what}\nthe engine's own audit: {:?}\nsteps (seconds \
             after {}; the engine's seed {}, which should change nothing):\n{}",
            self.engine.verify_invariants(),
            base(),
            self.engine.seed(),
            self.history.join("\n")
        );
    }

    /// Conversations and loads look the same through the engine's queries as in the model.
    pub(super) fn compare_state(&self, model: &Model) {
        if let Err(what) = compare_memory(&self.engine, model) {
            self.fail(what);
        }
        for (id, client, channel) in model.known_conversations() {
            let m = model.conversation_summary(&id).expect("known to the model");
            let Some(e) = self.engine.conversation(&id) else {
                self.fail(format!("{id} is unknown to the engine"));
            };
            if (e.client.as_str(), e.channel.as_str()) != (client.as_str(), channel.as_str()) {
                self.fail(format!(
                    "conversation {id}: engine with {} on {}, model with {client} on {channel}",
                    e.client, e.channel
                ));
            }
            let e_summary = model::ConvSummary {
                state: state_name(e.state),
                line: e.line.as_str().to_string(),
                operator: e.operator.map(|o| o.as_str().to_string()),
                offered_to: e
                    .offered_to
                    .iter()
                    .map(|o| o.as_str().to_string())
                    .collect(),
                deadline: e.deadline,
                awaiting_reply: e.awaiting_reply,
                answered: e.answered,
                sla_due: e.sla_due,
                rating: e.rating,
                status: e.status,
                responsible: e.responsible.map(|o| o.as_str().to_string()),
                request: e.request,
            };
            if e_summary != m {
                self.fail(format!(
                    "conversation {id}:\n  engine {e_summary:?}\n  model  {m:?}"
                ));
            }
        }
        for o in model.existing_operators() {
            let m = model.operator_load(&o).expect("exists in the model");
            let Some(v) = self.engine.operator(&o) else {
                self.fail(format!("operator {o} does not exist in the engine"));
            };
            let e = (v.load.open, v.load.awaiting_reply, v.load.unanswered);
            if e != m {
                self.fail(format!("load of {o}: engine {e:?}, model {m:?}"));
            }
            let (e, m) = (sla_counts(&v.sla), model.operator_sla(&o));
            if Some(e) != m {
                self.fail(format!(
                    "response targets of {o}: engine {e:?}, model {m:?}"
                ));
            }
        }
        if self.engine.operators().len() != model.existing_operators().len() {
            self.fail(format!(
                "existing operators: engine {:?}, model {:?}",
                self.engine.operators(),
                model.existing_operators()
            ));
        }
        // The same lines exist (the engine lists them in order of first mention).
        let mut e_lines: Vec<String> = self.engine.lines().iter().map(|l| l.to_string()).collect();
        let mut m_lines = model.existing_lines();
        e_lines.sort();
        m_lines.sort();
        if e_lines != m_lines {
            self.fail(format!("lines: engine {e_lines:?}, model {m_lines:?}"));
        }
        for l in model.existing_lines() {
            let m = model.line_summary(&l).expect("exists in the model");
            let c = self.engine.line_counters(&l).expect("exists in the engine");
            let e = model::LineSummary {
                open: c.open,
                with_bot: c.with_bot,
                sla: sla_counts(&c.sla),
                completed: c.completed,
                waiting: c.waiting,
                waiting_texts: c.waiting_texts,
                waiting_calls: c.waiting_calls,
                waiting_callbacks: c.waiting_callbacks,
                scheduled_callbacks: c.scheduled_callbacks,
            };
            if e != m {
                self.fail(format!("line {l}:\n  engine {e:?}\n  model  {m:?}"));
            }
            let Some(now) = self.engine.now() else {
                continue;
            };
            let h = self.engine.line_hours(&l, now).expect("exists");
            let e = (h.open, h.next_change);
            let m = model.line_hours_now(&l).expect("exists in the model");
            if e != m {
                self.fail(format!(
                    "hours of line {l} at {now}: engine {e:?}, model {m:?}"
                ));
            }
            // One more moment within a day or two of now (a different one each step), asked
            // of both evaluations afresh.
            if let Some(hours) = model.line_hours(&l) {
                let t =
                    now + TimeDelta::seconds((now.timestamp() * 7919).rem_euclid(172_800) - 3600);
                let e = self.engine.line_hours(&l, t).expect("exists").open;
                if e != hours.is_open(t) {
                    self.fail(format!(
                        "line {l} open at {t}? engine {e}, model {}",
                        hours.is_open(t)
                    ));
                }
            }
        }
        for l in LINES {
            let e: Vec<model::WaitingSummary> = self
                .engine
                .waiting(l)
                .unwrap_or_default()
                .into_iter()
                .map(waiting_summary)
                .collect();
            let m = model.waiting_entries(l);
            if e != m {
                self.fail(format!("waiting on {l}:\n  engine {e:#?}\n  model  {m:#?}"));
            }
            let e: Vec<(String, Vec<model::OrderSummary>)> = self
                .engine
                .callbacks(l)
                .unwrap_or_default()
                .into_iter()
                .map(|g| {
                    let orders = g.orders.into_iter().map(order_summary).collect();
                    (g.channel.to_string(), orders)
                })
                .collect();
            let m = model.callback_orders(l);
            if e != m {
                self.fail(format!(
                    "callback orders of {l}:\n  engine {e:#?}\n  model  {m:#?}"
                ));
            }
        }
    }
}

/// The name a query gives a conversation's state (`waiting`, `scheduled` …).
fn state_name(state: ConversationState) -> String {
    let v = serde_json::to_value(state).expect("a state serialises");
    v.as_str().unwrap_or_default().to_string()
}

fn waiting_summary(w: WaitingEntry) -> model::WaitingSummary {
    model::WaitingSummary {
        conversation: w.conversation.to_string(),
        client: w.client.to_string(),
        channel: w.channel.to_string(),
        since: w.since,
        waited_secs: w.waited_secs,
        position: w.position,
        request: w.request,
        vip: w.vip,
        priority: w.priority,
        estimated_wait_secs: w.estimated_wait_secs,
    }
}

fn order_summary(o: CallbackOrderView) -> model::OrderSummary {
    model::OrderSummary {
        conversation: o.conversation.to_string(),
        client: o.client.to_string(),
        due_at: o.due_at,
        attempt: o.attempt,
        max_attempts: o.max_attempts,
        state: state_name(o.state),
        operator: o.operator.map(|op| op.to_string()),
    }
}

/// What each remembers: the same conversations, in order of first mention (every other id of
/// the universe, forgotten ones included, unknown to the engine), and the same pins.
pub(super) fn compare_memory(engine: &Engine, model: &Model) -> Result<(), String> {
    let e: Vec<String> = engine
        .conversations()
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    let m: Vec<String> = model
        .known_conversations()
        .into_iter()
        .map(|c| c.0)
        .collect();
    if e != m {
        return Err(format!("known conversations: engine {e:?}, model {m:?}"));
    }
    for (id, _, _) in CONVS {
        if !m.iter().any(|k| k == id) && engine.conversation(id).is_some() {
            return Err(format!(
                "{id} is forgotten by the model, known to the engine"
            ));
        }
    }
    for cl in CLIENTS {
        let e = engine.pinned_operator(cl).map(|o| o.as_str().to_string());
        let m = model.client_summary(cl).and_then(|c| c.0);
        if e != m {
            return Err(format!("pin of {cl}: engine {e:?}, model {m:?}"));
        }
    }
    Ok(())
}
