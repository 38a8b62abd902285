//! Read-only views for UIs, supervisors and tests.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::engine::Engine;
use crate::features::sla::SlaCounters;
use crate::model::conversation::Place;
use crate::model::ids::{ConvIdx, LineIdx, OpIdx};
use crate::wire::decision::SlaKind;
use crate::wire::ids::{ChannelId, ClientId, ConversationId, LineId, OperatorId};
use crate::wire::input::Presence;
use crate::wire::queue::Request;
use crate::wire::rules::Status;

/// A conversation waiting in a line's queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WaitingEntry {
    /// The conversation.
    pub conversation: ConversationId,
    /// Its client.
    pub client: ClientId,
    /// Its channel.
    pub channel: ChannelId,
    /// When its client's current wait began: kept when it comes back to the queue after an
    /// unanswered or withdrawn offer, a holder who became unavailable, or a transfer
    /// (DESIGN §7).
    pub since: DateTime<Utc>,
    /// Whole seconds it has waited, as of the engine's clock (its time in queue).
    pub waited_secs: i64,
    /// Its place in the queue, from 1.
    pub position: usize,
    /// A text, a call or a callback order.
    pub request: Request,
    /// The client is VIP.
    pub vip: bool,
    /// Its effective priority at the engine's clock (base plus aging, rounded down).
    pub priority: i64,
    /// ⌈position × mean handling time ÷ capacity⌉ for its kind on the line; `None` until ten
    /// conversations of its kind have closed there, or while nobody could take one.
    pub estimated_wait_secs: Option<u64>,
}

/// An operator's load counters, each over all lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OperatorLoad {
    /// Open conversations the operator holds.
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
    /// Conversations the operator holds, confirmed or not (the "Mine" tab of article 002).
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
    /// Assigned to an operator (until confirmed, with an answer deadline when one runs).
    Assigned,
    /// With the line's chat-bot.
    WithBot,
    /// Its session completed without closing (DESIGN §6).
    Completed,
    /// A callback order scheduled for later (DESIGN §7).
    Scheduled,
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
    /// The operator holding it now: assigned to them, confirmed or not. `None` while it is
    /// offered, waiting, with the bot, scheduled, completed or closed — see `responsible` for
    /// whose it is then.
    pub operator: Option<OperatorId>,
    /// The deadline of where it is: the answer deadline of an unconfirmed assignment or the
    /// expiry of an `all`-mode offer (when it has one, as `answer_by` / `expires_at` say),
    /// `due_at` of a scheduled callback order, or when the chat-bot hands it over
    /// (`handoff_after_secs`).
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
    /// Open, or waiting for the client (DESIGN §6).
    pub status: Status,
    /// Whose it is: its holder while someone holds it, else the last operator who did (or one
    /// a rule named) — the operator whose "Mine" tab shows it.
    pub responsible: Option<OperatorId>,
    /// A text, a call or a callback order (DESIGN §7).
    pub request: Request,
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

impl From<SlaCounters> for SlaCounts {
    fn from(c: SlaCounters) -> Self {
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
    /// The earliest `since` among the waiting conversations: when the longest-waiting client's
    /// current wait began, which an unanswered or withdrawn offer or a transfer does not reset
    /// (DESIGN §7).
    pub oldest_waiting_since: Option<DateTime<Utc>>,
    /// How long, in whole seconds, the longest-waiting conversation has waited.
    pub oldest_wait_secs: Option<i64>,
    /// Conversations with the line's chat-bot.
    pub with_bot: u32,
    /// Open now, by the line's working hours.
    pub open: bool,
    /// Response-time targets met and missed on this line.
    pub sla: SlaCounts,
    /// Completed conversations on the line (DESIGN §6).
    pub completed: u32,
    /// Of the waiting conversations, the texts.
    pub waiting_texts: u32,
    /// Of the waiting conversations, the calls.
    pub waiting_calls: u32,
    /// Of the waiting conversations, the callback orders that fell due.
    pub waiting_callbacks: u32,
    /// Callback orders scheduled for later.
    pub scheduled_callbacks: u32,
}

impl Engine {
    /// Whether a line is open at `at` by its working hours, and when that next changes;
    /// `None` for an unknown line. A pure question: it changes nothing.
    pub fn line_hours(&self, line: &str, at: DateTime<Utc>) -> Option<LineHours> {
        let l = self.st.core.facts.line_idx(line)?;
        let schedule = self.st.features.schedule.line(l).hours();
        Some(LineHours {
            open: schedule.is_none_or(|s| s.is_open(at)),
            next_change: schedule.and_then(|s| s.next_change(at)),
        })
    }

    /// An operator's state, load and conversations; `None` for an unknown operator. Its
    /// `conversations` are the "Mine" tab of support lines (DESIGN §6): those fixed on them.
    pub fn operator(&self, operator: &str) -> Option<OperatorView> {
        let core = &self.st.core;
        let o = core.facts.op(operator)?;
        let op = &core.facts.ops[o];
        let index = &core.idx.ops[o];
        let names = |set: &std::collections::BTreeSet<ConvIdx>| {
            let convs = core.facts.by_birth(set.iter().copied().collect());
            convs.into_iter().map(|c| core.facts.conv_name(c)).collect()
        };
        Some(OperatorView {
            operator: core.facts.op_name(o),
            active: op.active,
            presence: op.presence,
            workday_started: op.workday,
            absent: op.in_absence,
            max_open: op.max_open,
            load: OperatorLoad {
                open: index.load.open,
                awaiting_reply: index.load.awaiting_reply,
                unanswered: index.load.unanswered,
            },
            conversations: names(&index.held),
            offers: names(&index.offers),
            sla: self.st.features.sla.op(o).into(),
        })
    }

    /// A conversation's state, holder and responsible operator; `None` for a conversation
    /// never seen or forgotten.
    pub fn conversation(&self, conversation: &str) -> Option<ConversationView> {
        let core = &self.st.core;
        let c = core.facts.conv_ids.get(conversation)?;
        let conv = &core.facts.convs[c];
        let (state, operator, deadline, offered_to) = match &conv.place {
            Place::Waiting { .. } | Place::Limbo => {
                (ConversationState::Waiting, None, None, Vec::new())
            }
            Place::Assigned { op, answer, .. } => (
                ConversationState::Assigned,
                Some(core.facts.op_name(*op)),
                answer.deadline().map(|k| k.0),
                Vec::new(),
            ),
            Place::Completed => (ConversationState::Completed, None, None, Vec::new()),
            Place::Offered { ops, deadline, .. } => (
                ConversationState::Offered,
                None,
                deadline.map(|k| k.0),
                ops.iter().map(|&o| core.facts.op_name(o)).collect(),
            ),
            Place::Closed { .. } => (ConversationState::Closed, None, None, Vec::new()),
            Place::Scheduled { due } => {
                (ConversationState::Scheduled, None, Some(due.0), Vec::new())
            }
            Place::WithBot { deadline, .. } => (
                ConversationState::WithBot,
                None,
                deadline.map(|k| k.0),
                Vec::new(),
            ),
        };
        Some(ConversationView {
            conversation: core.facts.conv_name(c),
            client: core.facts.client_name(conv.client),
            channel: core.facts.chan_name(conv.channel),
            line: core.facts.line_name(conv.line),
            state,
            operator,
            deadline,
            offered_to,
            awaiting_reply: conv.awaiting_reply,
            answered: conv.answered,
            sla_due: self.st.features.sla.pending(c).map(|p| (p.kind, p.due)),
            rating: self.st.features.rating.score(c),
            status: conv.status,
            responsible: conv.responsible.map(|o| core.facts.op_name(o)),
            request: conv.request,
        })
    }

    /// Every existing operator's id, in order of first mention.
    pub fn operators(&self) -> Vec<OperatorId> {
        let facts = &self.st.core.facts;
        facts
            .ops
            .iter()
            .filter(|(_, op)| op.exists)
            .map(|(o, _): (OpIdx, _)| facts.op_name(o))
            .collect()
    }

    /// Every existing line's id, in order of first mention.
    pub fn lines(&self) -> Vec<LineId> {
        let facts = &self.st.core.facts;
        facts
            .lines
            .iter()
            .filter(|(_, line)| line.is_some())
            .map(|(l, _): (LineIdx, _)| facts.line_name(l))
            .collect()
    }

    /// Every conversation's id the engine knows — open, or closed and not yet forgotten — in
    /// order of first mention.
    pub fn conversations(&self) -> Vec<ConversationId> {
        let facts = &self.st.core.facts;
        let convs = facts.live_convs().map(|(c, _)| c).collect();
        facts
            .by_birth(convs)
            .into_iter()
            .map(|c| facts.conv_name(c))
            .collect()
    }

    /// The operator a client is pinned to, if any.
    pub fn pinned_operator(&self, client: &str) -> Option<OperatorId> {
        let facts = &self.st.core.facts;
        let cl = facts.client_ids.get(client)?;
        facts.clients[cl].pinned.map(|o| facts.op_name(o))
    }
}
