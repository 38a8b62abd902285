//! Read-only views for UIs, supervisors and tests.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::decision::SlaKind;
use crate::engine::Engine;
use crate::id::{ChannelId, ClientId, ConversationId, LineId, OperatorId};
use crate::input::Presence;
use crate::state::{ConvIdx, ConvState};

/// A conversation waiting in a line's queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WaitingEntry {
    /// The conversation.
    pub conversation: ConversationId,
    /// Its client.
    pub client: ClientId,
    /// Its channel.
    pub channel: ChannelId,
    /// When it entered the queue.
    pub since: DateTime<Utc>,
    /// Whole seconds it has waited, as of the engine's clock (its time in queue).
    pub waited_secs: i64,
}

/// An operator's load counters, each over all lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OperatorLoad {
    /// Open conversations the operator is responsible for.
    pub open: u32,
    /// Of those, the ones where the client spoke last.
    pub awaiting_reply: u32,
    /// Of those, the ones no operator has answered yet.
    pub unanswered: u32,
}

/// An operator as the engine sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OperatorView {
    /// The operator.
    pub operator: OperatorId,
    /// Active (not dismissed, seat paid).
    pub active: bool,
    /// Presence.
    pub presence: Presence,
    /// Work day started.
    pub workday_started: bool,
    /// Inside an absence window now.
    pub absent: bool,
    /// The operator's own cap.
    pub max_open: Option<u32>,
    /// Load counters.
    pub load: OperatorLoad,
    /// Conversations the operator is responsible for, confirmed or not.
    pub conversations: Vec<ConversationId>,
    /// Conversations offered to the operator in mode `all`.
    pub offers: Vec<ConversationId>,
    /// Response-time targets met and missed by this operator.
    pub sla: SlaCounts,
}

/// Where a conversation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationState {
    /// Waiting in its line's queue.
    Waiting,
    /// Offered to several operators (mode `all`).
    Offered,
    /// Assigned to an operator (with an answer deadline until confirmed).
    Assigned,
    /// With the line's chat-bot.
    WithBot,
    /// Closed.
    Closed,
}

/// A conversation as the engine sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConversationView {
    /// The conversation.
    pub conversation: ConversationId,
    /// Its client.
    pub client: ClientId,
    /// Its channel.
    pub channel: ChannelId,
    /// Its line (the last one, for a closed conversation).
    pub line: LineId,
    /// Where it is.
    pub state: ConversationState,
    /// The operator responsible for it.
    pub operator: Option<OperatorId>,
    /// The answer deadline of an unconfirmed assignment, or the expiry of an `all`-mode offer.
    pub deadline: Option<DateTime<Utc>>,
    /// Who it is offered to (mode `all`).
    pub offered_to: Vec<OperatorId>,
    /// The client spoke last.
    pub awaiting_reply: bool,
    /// An operator has answered since it (re)opened.
    pub answered: bool,
    /// The response-time target running now, and when it is due.
    pub sla_due: Option<(SlaKind, DateTime<Utc>)>,
    /// The client's rating of the current (or last) session.
    pub rating: Option<u8>,
}

/// Response-time targets met and missed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SlaCounts {
    /// First answers given in time.
    pub first_response_met: u64,
    /// First answers that came too late (or never, the deadline having passed).
    pub first_response_missed: u64,
    /// Next answers given in time.
    pub next_response_met: u64,
    /// Next answers that came too late.
    pub next_response_missed: u64,
}

impl From<crate::state::SlaCounters> for SlaCounts {
    fn from(c: crate::state::SlaCounters) -> Self {
        Self {
            first_response_met: c.first_response_met,
            first_response_missed: c.first_response_missed,
            next_response_met: c.next_response_met,
            next_response_missed: c.next_response_missed,
        }
    }
}

/// Whether a line is open at a moment, by its working hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineHours {
    /// Open at that moment (a line without a schedule is always open).
    pub open: bool,
    /// The next moment after it at which the line opens or closes; `None` without a schedule
    /// (or when that is more than two years away).
    pub next_change: Option<DateTime<Utc>>,
}

/// A line's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LineCounters {
    /// Conversations waiting in the queue.
    pub waiting: usize,
    /// Conversations awaiting an answer to an offer: unconfirmed assignments and `all` offers.
    pub offered: u32,
    /// Conversations with a final assignment.
    pub assigned: u32,
    /// When the longest-waiting conversation entered the queue.
    pub oldest_waiting_since: Option<DateTime<Utc>>,
    /// How long, in whole seconds, the longest-waiting conversation has waited.
    pub oldest_wait_secs: Option<i64>,
    /// Conversations with the line's chat-bot.
    pub with_bot: u32,
    /// Open now, by the line's working hours.
    pub open: bool,
    /// Response-time targets met and missed on this line.
    pub sla: SlaCounts,
}

impl Engine {
    fn waited(&self, since: DateTime<Utc>) -> i64 {
        self.st
            .clock
            .map_or(0, |now| (now - since).num_seconds().max(0))
    }

    /// A line's waiting queue in order, with each conversation's time in queue; `None` for an
    /// unknown line.
    pub fn waiting(&self, line: &str) -> Option<Vec<WaitingEntry>> {
        let l = self.st.line_idx(line)?;
        Some(
            self.st
                .line(l)
                .waiting
                .values()
                .map(|&c| {
                    let conv = &self.st.convs[c as usize];
                    let since = match conv.state {
                        ConvState::Waiting { since, .. } => since,
                        _ => self.st.clock.unwrap_or_default(),
                    };
                    WaitingEntry {
                        conversation: self.st.conv_name(c),
                        client: self.st.client_ids.name(conv.client).clone(),
                        channel: self.st.chan_ids.name(conv.channel).clone(),
                        since,
                        waited_secs: self.waited(since),
                    }
                })
                .collect(),
        )
    }

    /// A line's counters; `None` for an unknown line.
    pub fn line_counters(&self, line: &str) -> Option<LineCounters> {
        let l = self.st.line_idx(line)?;
        let line = self.st.line(l);
        let oldest =
            line.waiting
                .values()
                .next()
                .and_then(|&c| match self.st.convs[c as usize].state {
                    ConvState::Waiting { since, .. } => Some(since),
                    _ => None,
                });
        Some(LineCounters {
            waiting: line.waiting.len(),
            offered: line.offered,
            assigned: line.assigned,
            oldest_waiting_since: oldest,
            oldest_wait_secs: oldest.map(|s| self.waited(s)),
            with_bot: line.with_bot,
            open: line.is_open,
            sla: line.sla.into(),
        })
    }

    /// Whether a line is open at `at` by its working hours, and when that next changes;
    /// `None` for an unknown line. A pure question: it changes nothing.
    pub fn line_hours(&self, line: &str, at: DateTime<Utc>) -> Option<LineHours> {
        let l = self.st.line_idx(line)?;
        let schedule = self.st.line(l).schedule.as_ref();
        Some(LineHours {
            open: schedule.is_none_or(|s| s.is_open(at)),
            next_change: schedule.and_then(|s| s.next_change(at)),
        })
    }

    /// An operator's state, load and conversations; `None` for an unknown operator.
    pub fn operator(&self, operator: &str) -> Option<OperatorView> {
        let o = self.st.op(operator)?;
        let op = &self.st.ops[o as usize];
        let names = |set: &std::collections::BTreeSet<ConvIdx>| {
            set.iter().map(|&c| self.st.conv_name(c)).collect()
        };
        Some(OperatorView {
            operator: self.st.op_name(o),
            active: op.active,
            presence: op.presence,
            workday_started: op.workday,
            absent: op.in_absence,
            max_open: op.max_open,
            load: OperatorLoad {
                open: op.load.open,
                awaiting_reply: op.load.awaiting_reply,
                unanswered: op.load.unanswered,
            },
            conversations: names(&op.held),
            offers: names(&op.offers),
            sla: op.sla.into(),
        })
    }

    /// A conversation's state and responsible operator; `None` for an unknown conversation.
    pub fn conversation(&self, conversation: &str) -> Option<ConversationView> {
        let c = self.st.conv_ids.get(conversation)?;
        let conv = &self.st.convs[c as usize];
        let (state, operator, deadline, offered_to) = match &conv.state {
            ConvState::Waiting { .. } | ConvState::Limbo => {
                (ConversationState::Waiting, None, None, Vec::new())
            }
            ConvState::Assigned { op, deadline } => (
                ConversationState::Assigned,
                Some(self.st.op_name(*op)),
                deadline.map(|k| k.0),
                Vec::new(),
            ),
            ConvState::Offered { ops, deadline } => (
                ConversationState::Offered,
                None,
                deadline.map(|k| k.0),
                ops.iter().map(|&o| self.st.op_name(o)).collect(),
            ),
            ConvState::Closed => (ConversationState::Closed, None, None, Vec::new()),
            ConvState::WithBot { deadline, .. } => (
                ConversationState::WithBot,
                None,
                deadline.map(|k| k.0),
                Vec::new(),
            ),
        };
        Some(ConversationView {
            conversation: self.st.conv_name(c),
            client: self.st.client_ids.name(conv.client).clone(),
            channel: self.st.chan_ids.name(conv.channel).clone(),
            line: self.st.line_name(conv.line),
            state,
            operator,
            deadline,
            offered_to,
            awaiting_reply: conv.awaiting_reply,
            answered: conv.answered,
            sla_due: conv.sla.as_ref().map(|p| (p.kind, p.due)),
            rating: conv.rating,
        })
    }

    /// Every existing operator's id, in order of first mention.
    pub fn operators(&self) -> Vec<OperatorId> {
        (0..self.st.ops.len() as u32)
            .filter(|&o| self.st.ops[o as usize].exists)
            .map(|o| self.st.op_name(o))
            .collect()
    }

    /// Every existing line's id, in order of first mention.
    pub fn lines(&self) -> Vec<LineId> {
        (0..self.st.lines.len() as u32)
            .filter(|&l| self.st.lines[l as usize].is_some())
            .map(|l| self.st.line_name(l))
            .collect()
    }

    /// Every conversation's id the engine has seen, in order of first mention.
    pub fn conversations(&self) -> Vec<ConversationId> {
        (0..self.st.convs.len() as u32)
            .map(|c| self.st.conv_name(c))
            .collect()
    }

    /// The operator a client is pinned to, if any.
    pub fn pinned_operator(&self, client: &str) -> Option<OperatorId> {
        let cl = self.st.client_ids.get(client)?;
        self.st.clients[cl as usize]
            .pinned
            .map(|o| self.st.op_name(o))
    }
}
