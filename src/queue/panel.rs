//! The queue panel (DESIGN §7, MANGO Office): a line's waiting queue with each entry's
//! position, kind, VIP mark, effective priority and estimated wait; the line's counters; and
//! its callback orders by widget.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::engine::Engine;
use crate::model::conversation::Place;
use crate::model::ids::{ConvIdx, LineIdx};
use crate::query::{ConversationState, LineCounters, WaitingEntry};
use crate::wire::ids::{ChannelId, ClientId, ConversationId, OperatorId};
use crate::wire::queue::Request;

/// A callback order as the panel shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CallbackOrderView {
    /// The order.
    pub conversation: ConversationId,
    /// The client to call back.
    pub client: ClientId,
    /// When the current attempt falls (or fell) due.
    pub due_at: DateTime<Utc>,
    /// The current attempt, from 1.
    pub attempt: u32,
    /// How many attempts the line allows.
    pub max_attempts: u32,
    /// Where it is: scheduled, waiting, offered or assigned (dialling).
    pub state: ConversationState,
    /// Who is dialling, when someone is.
    pub operator: Option<OperatorId>,
}

/// One widget's callback orders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CallbackChannel {
    /// The widget (channel) the orders came from.
    pub channel: ChannelId,
    /// Its orders, by due time.
    pub orders: Vec<CallbackOrderView>,
}

impl Engine {
    fn waited(&self, since: DateTime<Utc>) -> i64 {
        self.st
            .core
            .clock
            .map_or(0, |now| (now - since).num_seconds().max(0))
    }

    /// When a waiting conversation's wait began.
    fn since(&self, c: ConvIdx) -> DateTime<Utc> {
        let core = &self.st.core;
        core.facts
            .waits
            .get(&c)
            .map_or_else(|| core.clock.unwrap_or_default(), |w| w.since)
    }

    /// How many conversations of a kind the line's eligible members can hold at once: one
    /// call each; for texts each one's cap, 1 where there is none.
    fn capacity(&self, l: LineIdx, kind: Request) -> u64 {
        let st = &self.st;
        let line = &st.core.facts.line(l).config;
        let members = st.queue_members(&st.core.idx.lines[l].queue);
        members
            .into_iter()
            .filter(|&o| st.core.facts.ops[o].available_on(line))
            .map(|o| match kind {
                Request::Call | Request::Callback => 1,
                Request::Text => u64::from(st.core.facts.ops[o].cap_on(line).unwrap_or(1)),
            })
            .sum()
    }

    /// A line's waiting queue in order — priority first, then the longest wait — with each
    /// conversation's position, time in queue, kind, VIP mark, effective priority and
    /// estimated wait; `None` for an unknown line. It lists only waiting conversations, not
    /// those offered in mode `all`. For support lines (DESIGN §6) the "New" tab is this list
    /// plus what is offered (mode `all` notifies everyone): the offers come from
    /// `operator(id).offers` and `conversation(id).offered_to`.
    pub fn waiting(&self, line: &str) -> Option<Vec<WaitingEntry>> {
        let core = &self.st.core;
        let l = core.facts.line_idx(line)?;
        let mut capacity: [Option<u64>; 3] = [None; 3];
        let mut entries = Vec::new();
        for (i, &c) in core.idx.lines[l].waiting.values().enumerate() {
            let conv = &core.facts.convs[c];
            let since = self.since(c);
            let position = i + 1;
            let kind = conv.request;
            let cap = *capacity[kind as usize].get_or_insert_with(|| self.capacity(l, kind));
            let estimated_wait_secs = self
                .st
                .queue
                .mean_handling(l, kind)
                .filter(|_| cap > 0)
                .map(|(sum, count)| {
                    // ⌈position × (sum ÷ count) ÷ capacity⌉, exactly.
                    let total = position as u128 * sum;
                    let per = count * u128::from(cap);
                    u64::try_from(total.div_ceil(per)).unwrap_or(u64::MAX)
                });
            entries.push(WaitingEntry {
                conversation: core.facts.conv_name(c),
                client: core.facts.client_name(conv.client),
                channel: core.facts.chan_name(conv.channel),
                since,
                waited_secs: self.waited(since),
                position,
                request: kind,
                vip: core.facts.clients[conv.client].vip,
                priority: core.effective_priority(c),
                estimated_wait_secs,
            });
        }
        Some(entries)
    }

    /// A line's counters; `None` for an unknown line.
    pub fn line_counters(&self, line: &str) -> Option<LineCounters> {
        let core = &self.st.core;
        let l = core.facts.line_idx(line)?;
        let index = &core.idx.lines[l];
        let oldest = index.waiting.values().map(|&c| self.since(c)).min();
        Some(LineCounters {
            waiting: index.waiting.len(),
            offered: index.offered,
            assigned: index.assigned,
            oldest_waiting_since: oldest,
            oldest_wait_secs: oldest.map(|s| self.waited(s)),
            with_bot: index.with_bot,
            open: self.st.features.schedule.is_open(l),
            sla: self.st.features.sla.line(l).into(),
            completed: index.completed,
            waiting_texts: index.waiting_kinds[Request::Text as usize],
            waiting_calls: index.waiting_kinds[Request::Call as usize],
            waiting_callbacks: index.waiting_kinds[Request::Callback as usize],
            scheduled_callbacks: index.scheduled,
        })
    }

    /// A line's callback orders — scheduled and live — grouped by the widget they came from,
    /// each with its due time, attempt, attempts allowed and where it is; `None` for an
    /// unknown line.
    pub fn callbacks(&self, line: &str) -> Option<Vec<CallbackChannel>> {
        let core = &self.st.core;
        let l = core.facts.line_idx(line)?;
        let max_attempts = core
            .facts
            .line(l)
            .config
            .callback
            .unwrap_or_default()
            .max_attempts;
        let mut orders: Vec<(ConvIdx, _)> = self
            .st
            .queue
            .orders
            .iter()
            .filter(|&(&c, _)| core.facts.convs[c].line == l)
            .map(|(&c, &order)| (c, order))
            .collect();
        orders.sort_by_key(|&(c, order)| (order.due_at, core.facts.convs[c].born));
        let mut by_channel: BTreeMap<ChannelId, Vec<CallbackOrderView>> = BTreeMap::new();
        for (c, order) in orders {
            let conv = &core.facts.convs[c];
            let (state, operator) = match &conv.place {
                Place::Scheduled { .. } => (ConversationState::Scheduled, None),
                Place::Waiting { .. } | Place::Limbo => (ConversationState::Waiting, None),
                Place::Offered { .. } => (ConversationState::Offered, None),
                Place::Assigned { op, .. } => {
                    (ConversationState::Assigned, Some(core.facts.op_name(*op)))
                }
                Place::WithBot { .. } => (ConversationState::WithBot, None),
                Place::Completed => (ConversationState::Completed, None),
                Place::Closed { .. } => (ConversationState::Closed, None),
            };
            by_channel
                .entry(core.facts.chan_name(conv.channel))
                .or_default()
                .push(CallbackOrderView {
                    conversation: core.facts.conv_name(c),
                    client: core.facts.client_name(conv.client),
                    due_at: order.due_at,
                    attempt: order.attempt,
                    max_attempts,
                    state,
                    operator,
                });
        }
        Some(
            by_channel
                .into_iter()
                .map(|(channel, orders)| CallbackChannel { channel, orders })
                .collect(),
        )
    }
}
