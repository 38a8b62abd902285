//! Read-only helpers for the generators and the comparisons with the engine's queries.

use super::*;

/// A simple view of a conversation, for comparing with the engine's queries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvSummary {
    /// `waiting`, `offered`, `assigned`, `with_bot`, `completed`, `scheduled` or `closed`.
    pub state: String,
    pub line: String,
    pub operator: Option<String>,
    pub offered_to: Vec<String>,
    /// An answer deadline, an offer's expiry, the bot's, or when a scheduled order is due.
    pub deadline: Option<DateTime<Utc>>,
    pub awaiting_reply: bool,
    pub answered: bool,
    pub sla_due: Option<(SlaKind, DateTime<Utc>)>,
    pub rating: Option<u8>,
    pub status: Status,
    pub responsible: Option<String>,
    pub request: Request,
}

/// A simple view of a line, for comparing with the engine's queries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineSummary {
    pub open: bool,
    pub with_bot: u32,
    pub sla: SlaCounts,
    pub completed: u32,
    pub waiting: usize,
    pub waiting_texts: u32,
    pub waiting_calls: u32,
    pub waiting_callbacks: u32,
    pub scheduled_callbacks: u32,
}

/// An entry of a line's waiting queue as the panel shows it (DESIGN §7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitingSummary {
    pub conversation: String,
    pub client: String,
    pub channel: String,
    pub since: DateTime<Utc>,
    pub waited_secs: i64,
    pub position: usize,
    pub request: Request,
    pub vip: bool,
    /// The effective priority at the clock, rounded down.
    pub priority: i64,
    pub estimated_wait_secs: Option<u64>,
}

/// A callback order as the panel lists it (DESIGN §7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderSummary {
    pub conversation: String,
    pub client: String,
    pub due_at: DateTime<Utc>,
    pub attempt: u32,
    pub max_attempts: u32,
    /// As [`ConvSummary::state`].
    pub state: String,
    pub operator: Option<String>,
}

impl Model {
    /// Every conversation ever opened, in order of first mention, with its client and channel.
    pub fn known_conversations(&self) -> Vec<(String, String, String)> {
        self.conversations
            .iter()
            .map(|c| (c.id.clone(), c.client.clone(), c.channel.clone()))
            .collect()
    }

    /// `forget_closed_after_secs` and `max_renewals_per_call` as the last `engine_settings`
    /// left them.
    pub fn settings(&self) -> (Option<u64>, u32) {
        (self.forget_after, self.max_renewals)
    }

    /// Whether nothing can start renewing on its own: no offer or unconfirmed assignment
    /// pending, nobody waiting and nobody with a bot. Then letting any amount of time pass
    /// fires only what is scheduled now and the lines' openings and closings.
    pub fn is_quiet(&self) -> bool {
        !self
            .timers
            .iter()
            .any(|t| matches!(t.kind, TimerKind::Offer(_)))
            && !self.conversations.iter().any(|c| {
                matches!(
                    c.at,
                    Where::Waiting { .. } | Where::WithBot { .. } | Where::Limbo
                )
            })
    }

    /// A known client's pin, contacts and last operator; `None` for a client the model does
    /// not know (never named, or forgotten).
    pub fn client_summary(&self, id: &str) -> Option<(Option<String>, u64, Option<String>)> {
        self.client(id)
            .map(|c| (c.pinned.clone(), c.contacts, c.last_operator.clone()))
    }

    /// Open conversations, in order of first mention.
    pub fn open_conversations(&self) -> Vec<String> {
        self.conversations
            .iter()
            .filter(|c| c.at != Where::Closed)
            .map(|c| c.id.clone())
            .collect()
    }

    /// (conversation, operator) pairs an operator could accept: unconfirmed assignments (with
    /// a clock or without) and `all`-mode offers.
    pub fn pending_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for c in &self.conversations {
            match &c.at {
                Where::Assigned { op, answer, .. } if !answer.is_final() => {
                    out.push((c.id.clone(), op.clone()))
                }
                Where::Offered { ops, .. } => {
                    for o in ops {
                        out.push((c.id.clone(), o.clone()));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Unconfirmed assignments (with an answer deadline), in order of first mention: the
    /// conversation, its client and its holder.
    pub fn unconfirmed_assignments(&self) -> Vec<(String, String, String)> {
        self.conversations
            .iter()
            .filter_map(|c| match &c.at {
                Where::Assigned {
                    op,
                    answer: Answer::Due(_),
                    ..
                } => Some((c.id.clone(), c.client.clone(), op.clone())),
                _ => None,
            })
            .collect()
    }

    /// Lines holding an unconfirmed assignment (one with an answer deadline).
    pub fn lines_with_unconfirmed_assignments(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.conversations {
            if let Where::Assigned {
                answer: Answer::Due(_),
                ..
            } = c.at
            {
                if !out.contains(&c.line) {
                    out.push(c.line.clone());
                }
            }
        }
        out
    }

    /// Existing operators, in order of first mention.
    pub fn existing_operators(&self) -> Vec<String> {
        self.operators
            .iter()
            .filter(|o| o.exists)
            .map(|o| o.id.clone())
            .collect()
    }

    /// Existing lines, in order of creation.
    pub fn existing_lines(&self) -> Vec<String> {
        self.lines
            .iter()
            .map(|l| l.cfg.line.as_str().to_string())
            .collect()
    }

    /// The configurations of the existing lines, in order of creation.
    pub fn line_configs(&self) -> Vec<LineConfig> {
        self.lines.iter().map(|l| l.cfg.clone()).collect()
    }

    /// Conversations with a bot now, in order of first mention.
    pub fn with_bot(&self) -> Vec<String> {
        self.conversations
            .iter()
            .filter(|c| matches!(c.at, Where::WithBot { .. }))
            .map(|c| c.id.clone())
            .collect()
    }

    /// An existing line's open state, bot count and response-target counts.
    pub fn line_summary(&self, id: &str) -> Option<LineSummary> {
        let l = self.line_rec(id)?;
        let with_bot = self
            .conversations
            .iter()
            .filter(|c| c.line == id && matches!(c.at, Where::WithBot { .. }))
            .count();
        let completed = self
            .conversations
            .iter()
            .filter(|c| c.line == id && c.at == Where::Completed)
            .count();
        let [texts, calls, callbacks, scheduled] = self.kind_counts(id);
        Some(LineSummary {
            open: l.open,
            with_bot: with_bot as u32,
            sla: l.sla,
            completed: completed as u32,
            waiting: (texts + calls + callbacks) as usize,
            waiting_texts: texts,
            waiting_calls: calls,
            waiting_callbacks: callbacks,
            scheduled_callbacks: scheduled,
        })
    }

    /// Whether an existing line is open now and when that next changes, as found when its
    /// hours were last looked at (still true: every deadline up to now has fired).
    pub fn line_hours_now(&self, id: &str) -> Option<(bool, Option<DateTime<Utc>>)> {
        self.line_rec(id).map(|l| (l.open, l.next_change))
    }

    /// A line's working hours (`None` for an unknown line or one without hours).
    pub fn line_hours(&self, id: &str) -> Option<&Hours> {
        self.line_rec(id)?.hours.as_ref()
    }

    /// An operator's response-target counts (kept across removal); `None` if never seen.
    pub fn operator_sla(&self, id: &str) -> Option<SlaCounts> {
        self.op_record(id).map(|o| o.sla)
    }

    /// Channels connected now, with their line.
    pub fn connected_channels(&self) -> Vec<(String, String)> {
        self.channels
            .iter()
            .filter_map(|c| c.line.clone().map(|l| (c.id.clone(), l)))
            .collect()
    }

    /// Existing operators whose presence is not `online`.
    pub fn operators_not_online(&self) -> Vec<String> {
        self.operators
            .iter()
            .filter(|o| o.exists && o.presence != Presence::Online)
            .map(|o| o.id.clone())
            .collect()
    }

    /// Existing operators whose work day has not started.
    pub fn operators_not_at_work(&self) -> Vec<String> {
        self.operators
            .iter()
            .filter(|o| o.exists && !o.workday)
            .map(|o| o.id.clone())
            .collect()
    }

    /// A conversation as a simple summary; `None` for an unknown one.
    pub fn conversation_summary(&self, id: &str) -> Option<ConvSummary> {
        let c = self.conversations.iter().find(|c| c.id == id)?;
        let (state, operator, offered_to, deadline) = match &c.at {
            Where::Closed => ("closed", None, Vec::new(), None),
            Where::WithBot { deadline, .. } => ("with_bot", None, Vec::new(), *deadline),
            Where::Limbo | Where::Waiting { .. } => ("waiting", None, Vec::new(), None),
            Where::Assigned { op, answer, .. } => {
                ("assigned", Some(op.clone()), Vec::new(), answer.deadline())
            }
            Where::Offered { ops, deadline, .. } => ("offered", None, ops.clone(), *deadline),
            Where::Completed => ("completed", None, Vec::new(), None),
            Where::Scheduled { due } => ("scheduled", None, Vec::new(), Some(*due)),
        };
        Some(ConvSummary {
            state: state.to_string(),
            line: c.line.clone(),
            operator,
            offered_to,
            deadline,
            awaiting_reply: c.awaiting_reply,
            answered: c.answered,
            sla_due: c.sla,
            rating: c.rating,
            status: c.status,
            responsible: c.responsible.clone(),
            request: c.request,
        })
    }

    /// An existing operator's load counters (open, awaiting reply, unanswered).
    pub fn operator_load(&self, id: &str) -> Option<(u32, u32, u32)> {
        self.op(id)?;
        Some((
            self.load(id, CountTowardCap::Open),
            self.load(id, CountTowardCap::AwaitingReply),
            self.load(id, CountTowardCap::Unanswered),
        ))
    }

    /// Completed conversations, in order of first mention.
    pub fn completed_conversations(&self) -> Vec<String> {
        self.conversations
            .iter()
            .filter(|c| c.at == Where::Completed)
            .map(|c| c.id.clone())
            .collect()
    }

    /// Open conversations that are not completed (those `complete` accepts), in order of
    /// first mention.
    pub fn active_conversations(&self) -> Vec<String> {
        self.conversations
            .iter()
            .filter(|c| !matches!(c.at, Where::Closed | Where::Completed))
            .map(|c| c.id.clone())
            .collect()
    }

    /// Open conversations whose placement has no answer clock (DESIGN §6): assignments
    /// unconfirmed without `answer_by`, offers without `expires_at`.
    pub fn unclocked_conversations(&self) -> Vec<String> {
        self.conversations
            .iter()
            .filter(|c| {
                matches!(
                    c.at,
                    Where::Assigned {
                        answer: Answer::Unclocked,
                        ..
                    } | Where::Offered {
                        unclocked: true,
                        ..
                    }
                )
            })
            .map(|c| c.id.clone())
            .collect()
    }

    /// Active conversations whose client does not await a reply (the operator spoke last, or
    /// nobody has): placed again, they get no answer clock.
    pub fn quiet_conversations(&self) -> Vec<String> {
        self.conversations
            .iter()
            .filter(|c| !matches!(c.at, Where::Closed | Where::Completed) && !c.awaiting_reply)
            .map(|c| c.id.clone())
            .collect()
    }

    /// (conversation, operator) pairs of whoever holds or is offered a conversation now.
    pub fn holders(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for c in &self.conversations {
            match &c.at {
                Where::Assigned { op, .. } => out.push((c.id.clone(), op.clone())),
                Where::Offered { ops, .. } => {
                    out.extend(ops.iter().map(|o| (c.id.clone(), o.clone())));
                }
                _ => {}
            }
        }
        out
    }

    /// Whether the conversation is offered with no expiry because its line had no offer
    /// timeout when it was offered (not for want of a client awaiting an answer).
    pub fn offered_without_timeout(&self, id: &str) -> bool {
        self.conversations.iter().any(|c| {
            c.id == id
                && matches!(
                    c.at,
                    Where::Offered {
                        deadline: None,
                        unclocked: false,
                        ..
                    }
                )
        })
    }

    /// The rule lists as the last `set_rules` left them.
    pub fn rules(&self) -> &RuleLists {
        &self.rules
    }

    /// Every known channel with its kind (kept while disconnected) and whether it is
    /// connected now.
    pub fn channel_kinds(&self) -> Vec<(String, Option<String>, bool)> {
        self.channels
            .iter()
            .map(|c| (c.id.clone(), c.kind.clone(), c.line.is_some()))
            .collect()
    }

    /// Open conversations with their request kind, in order of first mention.
    pub fn open_requests(&self) -> Vec<(String, Request)> {
        self.conversations
            .iter()
            .filter(|c| c.at != Where::Closed)
            .map(|c| (c.id.clone(), c.request))
            .collect()
    }

    /// Calls and orders ringing now (unconfirmed assignments, open offers), with whom.
    pub fn ringing(&self) -> Vec<(String, Vec<String>)> {
        (0..self.conversations.len())
            .filter_map(|c| Some((self.conversations[c].id.clone(), self.ringing_at(c)?)))
            .collect()
    }

    /// (order, holder) of the callback orders someone holds (dialling).
    pub fn dialling(&self) -> Vec<(String, String)> {
        self.conversations
            .iter()
            .filter(|c| c.request == Request::Callback)
            .filter_map(|c| match &c.at {
                Where::Assigned { op, .. } => Some((c.id.clone(), op.clone())),
                _ => None,
            })
            .collect()
    }

    /// Scheduled callback orders.
    pub fn scheduled_orders(&self) -> Vec<String> {
        self.conversations
            .iter()
            .filter(|c| matches!(c.at, Where::Scheduled { .. }))
            .map(|c| c.id.clone())
            .collect()
    }

    /// The roles defined now, in order of creation.
    pub fn role_names(&self) -> Vec<String> {
        self.roles.iter().map(|r| r.role.to_string()).collect()
    }

    /// Existing operators holding a role that is defined now.
    pub fn privileged_operators(&self) -> Vec<String> {
        self.operators
            .iter()
            .filter(|o| {
                o.exists
                    && o.roles
                        .iter()
                        .any(|r| self.roles.iter().any(|d| d.role.as_str() == r))
            })
            .map(|o| o.id.clone())
            .collect()
    }
}
