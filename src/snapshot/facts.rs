//! The snapshot format: the stored facts of the core and of every feature, gathered into the
//! JSON layout of format version 1. Nothing derived is in it; restoring rebuilds every index
//! (`restore.rs`).
//!
//! Field names and their order are the format: a field added later must have a default, so
//! that snapshots written before it still read.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::features::sla::{SlaCounters, SlaPending};
use crate::index::timers::TimerKey;
use crate::index::waiting::Bucket;
use crate::model::conversation::{Answer, Place};
use crate::model::ids::{
    ChanIdx, ClientIdx, ConvIdx, DEFAULT_SEED, GroupIdx, Idx, Interner, LineIdx, OpIdx,
};
use crate::model::operator::{AbsenceWindow, PROFILES};
use crate::queue::priority::Wait;
use crate::state::State;
use crate::wire::config::{EngineSettings, LineConfig};
use crate::wire::decision::{AssignReason, Decision, SlaKind};
use crate::wire::ids::RoleId;
use crate::wire::ids::{ChannelId, ClientId, ConversationId, GroupId, LineId, OperatorId};
use crate::wire::input::Presence;
use crate::wire::queue::{Request, RoleConfig};
use crate::wire::rules::{RuleLists, Status};

/// The whole engine state as a snapshot records it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Saved {
    pub(crate) clock: Option<DateTime<Utc>>,
    pub(crate) past_inputs: u64,
    pub(crate) seq: u64,
    /// The seed of the key host ids are hashed with (absent before there was one).
    #[serde(default = "default_seed")]
    pub(crate) seed: u64,
    pub(crate) op_ids: Interner<OperatorId, OpIdx>,
    pub(crate) ops: Vec<SavedOperator>,
    pub(crate) line_ids: Interner<LineId, LineIdx>,
    pub(crate) lines: Vec<Option<SavedLine>>,
    pub(crate) chan_ids: Interner<ChannelId, ChanIdx>,
    pub(crate) chans: Vec<SavedChannel>,
    pub(crate) group_ids: Interner<GroupId, GroupIdx>,
    pub(crate) groups: Vec<SavedGroup>,
    /// By slot; `null` for the slot of a client that was forgotten.
    pub(crate) client_ids: Interner<ClientId, ClientIdx>,
    pub(crate) clients: Vec<Option<SavedClient>>,
    /// By slot; `null` for the slot of a conversation that was forgotten.
    pub(crate) conv_ids: Interner<ConversationId, ConvIdx>,
    pub(crate) convs: Vec<Option<SavedConversation>>,
    pub(crate) timers: SavedTimers,
    pub(crate) out: VecDeque<Decision>,
    /// How many conversations were ever opened (absent before forgetting: as many as there
    /// are).
    #[serde(default)]
    pub(crate) births: Option<u64>,
    /// The engine-wide settings (absent before there were any: the defaults).
    #[serde(default)]
    pub(crate) settings: EngineSettings,
    /// The rule lists, as the host gave them (absent before there were rules: none).
    #[serde(default)]
    pub(crate) rules: RuleLists,
    /// The roles (absent before there were roles: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) roles: Vec<RoleConfig>,
    /// The last handling times per line and request kind, oldest first (absent before the
    /// queue panel: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) handled: Vec<SavedHandled>,
}

/// One line's last handling times of one request kind.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SavedHandled {
    pub(crate) line: LineIdx,
    pub(crate) request: Request,
    pub(crate) secs: Vec<u64>,
}

/// When a client's wait began, for a conversation placed and not yet confirmed.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct SavedWait {
    pub(crate) since: DateTime<Utc>,
    pub(crate) seq: u64,
}

/// A callback order's current attempt.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct SavedOrder {
    pub(crate) attempt: u32,
    pub(crate) due_at: DateTime<Utc>,
}

fn default_seed() -> u64 {
    DEFAULT_SEED
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SavedOperator {
    pub(crate) exists: bool,
    pub(crate) created: u64,
    pub(crate) max_open: Option<u32>,
    pub(crate) groups: Vec<GroupIdx>,
    pub(crate) active: bool,
    pub(crate) presence: Presence,
    pub(crate) workday: bool,
    pub(crate) absences: Vec<SavedAbsence>,
    pub(crate) in_absence: bool,
    pub(crate) epoch: [u32; PROFILES],
    pub(crate) last_assigned: u64,
    #[serde(default)]
    pub(crate) sla: SavedSlaCounters,
    /// Its roles (absent before there were roles: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) roles: Vec<RoleId>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct SavedAbsence {
    pub(crate) from: DateTime<Utc>,
    pub(crate) until: DateTime<Utc>,
    pub(crate) timers: [Option<TimerKey>; 2],
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SavedLine {
    pub(crate) config: LineConfig,
    #[serde(default)]
    pub(crate) schedule_timer: Option<TimerKey>,
    #[serde(default)]
    pub(crate) closed_period: u64,
    #[serde(default)]
    pub(crate) sla: SavedSlaCounters,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct SavedChannel {
    pub(crate) line: Option<LineIdx>,
    pub(crate) pool_line: Option<LineIdx>,
    pub(crate) kind: Option<String>,
    pub(crate) restrict: Option<Vec<OpIdx>>,
}

/// A group has no facts of its own: its members come from the operators' settings.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct SavedGroup {}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct SavedClient {
    pub(crate) pinned: Option<OpIdx>,
    pub(crate) last_operator: Option<OpIdx>,
    #[serde(default)]
    pub(crate) contacts: u64,
    /// Absent before there were VIP clients: not one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) vip: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SavedConversation {
    pub(crate) state: SavedPlace,
    pub(crate) client: ClientIdx,
    pub(crate) channel: ChanIdx,
    pub(crate) line: LineIdx,
    pub(crate) awaiting_reply: bool,
    pub(crate) answered: bool,
    #[serde(default)]
    pub(crate) rating: Option<u8>,
    pub(crate) tried: Vec<(OpIdx, [u32; PROFILES])>,
    #[serde(default)]
    pub(crate) sla: Option<SavedSla>,
    #[serde(default)]
    pub(crate) unanswered_timer: Option<TimerKey>,
    #[serde(default)]
    pub(crate) inactivity_timer: Option<TimerKey>,
    #[serde(default)]
    pub(crate) off_hours_period: Option<u64>,
    /// Its place in the order of first mention (absent before forgetting: its slot).
    #[serde(default)]
    pub(crate) born: Option<u64>,
    /// When a closed conversation closed (absent before forgetting: taken as the clock).
    #[serde(default)]
    pub(crate) closed_at: Option<DateTime<Utc>>,
    /// When a closed conversation is forgotten.
    #[serde(default)]
    pub(crate) forget_timer: Option<TimerKey>,
    /// Open or waiting (absent before there were statuses: open).
    #[serde(default)]
    pub(crate) status: Status,
    /// Its responsible when nobody holds it (absent before there were responsibles: none).
    #[serde(default)]
    pub(crate) responsible: Option<OpIdx>,
    /// A text, a call or a callback order (absent before there were kinds: a text).
    #[serde(default, skip_serializing_if = "is_text")]
    pub(crate) request: Request,
    /// When its client's wait began, placed and not yet confirmed (absent: no wait under
    /// way; a waiting conversation's is in its place).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) wait: Option<SavedWait>,
    /// When it was first placed in its session (absent: not placed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) placed_at: Option<DateTime<Utc>>,
    /// A callback order's current attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) order: Option<SavedOrder>,
}

fn is_text(r: &Request) -> bool {
    *r == Request::Text
}

/// Where a conversation is, as the snapshot names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SavedPlace {
    Closed,
    Limbo,
    Waiting {
        since: DateTime<Utc>,
        seq: u64,
        bucket: Bucket,
    },
    Assigned {
        op: OpIdx,
        deadline: Option<TimerKey>,
        /// Without a deadline: unconfirmed all the same, its clock not started (absent before
        /// there were such: final).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        unconfirmed: bool,
        /// Why it was given (absent before it was kept: `routed`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<AssignReason>,
    },
    Offered {
        ops: Box<[OpIdx]>,
        deadline: Option<TimerKey>,
        /// Without a deadline because nobody awaited an answer (absent before there were
        /// such: because the line has no offer timeout).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        unclocked: bool,
    },
    WithBot {
        bot: Box<str>,
        deadline: Option<TimerKey>,
    },
    Completed,
    Scheduled {
        due: TimerKey,
    },
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct SavedSla {
    pub(crate) kind: SlaKind,
    pub(crate) due: DateTime<Utc>,
    pub(crate) timer: TimerKey,
}

#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub(crate) struct SavedSlaCounters {
    pub(crate) first_response_met: u64,
    pub(crate) first_response_missed: u64,
    pub(crate) next_response_met: u64,
    pub(crate) next_response_missed: u64,
}

#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub(crate) struct SavedTimers {
    pub(crate) seq: u64,
}

impl From<SlaCounters> for SavedSlaCounters {
    fn from(c: SlaCounters) -> Self {
        Self {
            first_response_met: c.first_response_met,
            first_response_missed: c.first_response_missed,
            next_response_met: c.next_response_met,
            next_response_missed: c.next_response_missed,
        }
    }
}

impl From<SavedSlaCounters> for SlaCounters {
    fn from(c: SavedSlaCounters) -> Self {
        Self {
            first_response_met: c.first_response_met,
            first_response_missed: c.first_response_missed,
            next_response_met: c.next_response_met,
            next_response_missed: c.next_response_missed,
        }
    }
}

impl SavedPlace {
    fn of(place: &Place, wait: Option<Wait>) -> Self {
        match place.clone() {
            Place::Closed { .. } => SavedPlace::Closed,
            Place::Limbo => SavedPlace::Limbo,
            Place::Waiting { bucket, .. } => {
                // A waiting conversation always has its wait (the audit holds it).
                let w = wait.unwrap_or(Wait {
                    since: DateTime::<Utc>::MIN_UTC,
                    seq: 0,
                });
                SavedPlace::Waiting {
                    since: w.since,
                    seq: w.seq,
                    bucket,
                }
            }
            Place::Assigned { op, reason, answer } => SavedPlace::Assigned {
                op,
                deadline: answer.deadline(),
                unconfirmed: answer == Answer::Unclocked,
                reason: Some(reason),
            },
            Place::Completed => SavedPlace::Completed,
            Place::Offered {
                ops,
                deadline,
                unclocked,
            } => SavedPlace::Offered {
                ops,
                deadline,
                unclocked,
            },
            Place::WithBot { bot, deadline } => SavedPlace::WithBot { bot, deadline },
            Place::Scheduled { due } => SavedPlace::Scheduled { due },
        }
    }
}

impl From<&AbsenceWindow> for SavedAbsence {
    fn from(w: &AbsenceWindow) -> Self {
        Self {
            from: w.from,
            until: w.until,
            timers: w.timers,
        }
    }
}

impl From<SavedAbsence> for AbsenceWindow {
    fn from(w: SavedAbsence) -> Self {
        Self {
            from: w.from,
            until: w.until,
            timers: w.timers,
        }
    }
}

impl From<SavedSla> for SlaPending {
    fn from(p: SavedSla) -> Self {
        Self {
            kind: p.kind,
            due: p.due,
            timer: p.timer,
        }
    }
}

impl From<SlaPending> for SavedSla {
    fn from(p: SlaPending) -> Self {
        Self {
            kind: p.kind,
            due: p.due,
            timer: p.timer,
        }
    }
}

impl Saved {
    /// Gathers the facts of the core and of every feature.
    pub(crate) fn of(st: &State) -> Self {
        let (core, features) = (&st.core, &st.features);
        let facts = &core.facts;
        let ops = facts
            .ops
            .iter()
            .map(|(o, op)| SavedOperator {
                exists: op.exists,
                created: op.created,
                max_open: op.max_open,
                groups: op.groups.clone(),
                active: op.active,
                presence: op.presence,
                workday: op.workday,
                absences: op.absences.iter().map(SavedAbsence::from).collect(),
                in_absence: op.in_absence,
                epoch: op.epoch,
                last_assigned: op.last_assigned,
                sla: features.sla.op(o).into(),
                roles: st.access.op_roles.get(&o).cloned().unwrap_or_default(),
            })
            .collect();
        let lines = facts
            .lines
            .iter()
            .map(|(l, line)| {
                line.as_ref().map(|line| {
                    let hours = features.schedule.line(l);
                    SavedLine {
                        config: line.config.clone(),
                        schedule_timer: hours.timer(),
                        closed_period: hours.closed_period(),
                        sla: features.sla.line(l).into(),
                    }
                })
            })
            .collect();
        let chans = facts
            .chans
            .iter()
            .map(|(_, ch)| SavedChannel {
                line: ch.line,
                pool_line: ch.pool_line,
                kind: ch.kind.clone(),
                restrict: ch.restrict.clone(),
            })
            .collect();
        let clients = facts
            .clients
            .iter()
            .map(|(cl, client)| {
                facts.client_ids.is_live(cl).then_some(SavedClient {
                    pinned: client.pinned,
                    last_operator: client.last_operator,
                    contacts: client.contacts,
                    vip: client.vip,
                })
            })
            .collect();
        let closed = |place: &Place| match *place {
            Place::Closed { at, forget } => (Some(at), forget),
            _ => (None, None),
        };
        let convs = facts
            .convs
            .iter()
            .map(|(c, conv)| {
                let (closed_at, forget_timer) = closed(&conv.place);
                let wait = facts.waits.get(&c).copied();
                let waiting = matches!(conv.place, Place::Waiting { .. });
                facts.conv_ids.is_live(c).then(|| SavedConversation {
                    state: SavedPlace::of(&conv.place, wait),
                    client: conv.client,
                    channel: conv.channel,
                    line: conv.line,
                    awaiting_reply: conv.awaiting_reply,
                    answered: conv.answered,
                    rating: features.rating.score(c),
                    tried: conv.tried.clone(),
                    sla: features.sla.pending(c).map(SavedSla::from),
                    unanswered_timer: features.replies.unanswered_deadline(c),
                    inactivity_timer: features.inactivity.deadline(c),
                    off_hours_period: features.replies.off_hours_period(c),
                    born: Some(conv.born),
                    closed_at,
                    forget_timer,
                    status: conv.status,
                    responsible: conv.responsible,
                    request: conv.request,
                    wait: wait.filter(|_| !waiting).map(|w| SavedWait {
                        since: w.since,
                        seq: w.seq,
                    }),
                    placed_at: conv.placed_at,
                    order: st.queue.orders.get(&c).map(|o| SavedOrder {
                        attempt: o.attempt,
                        due_at: o.due_at,
                    }),
                })
            })
            .collect();
        Saved {
            clock: core.clock,
            past_inputs: core.past_inputs,
            seq: core.seq,
            seed: facts.seed,
            op_ids: facts.op_ids.clone(),
            ops,
            line_ids: facts.line_ids.clone(),
            lines,
            chan_ids: facts.chan_ids.clone(),
            chans,
            group_ids: facts.group_ids.clone(),
            groups: vec![SavedGroup {}; facts.group_ids.len()],
            client_ids: facts.client_ids.clone(),
            clients,
            conv_ids: facts.conv_ids.clone(),
            convs,
            timers: SavedTimers {
                seq: core.timers.seq(),
            },
            out: core.out.clone(),
            births: Some(facts.births),
            settings: core.settings.clone(),
            rules: st.rules.given().clone(),
            roles: st.access.roles.values().cloned().collect(),
            handled: saved_handled(st),
        }
    }
}

/// The queue's handling times, by line slot and kind, so that a snapshot is the same JSON
/// however the map iterates.
fn saved_handled(st: &State) -> Vec<SavedHandled> {
    let out: Vec<SavedHandled> = st
        .queue
        .handled
        .iter()
        .enumerate()
        .flat_map(|(l, kinds)| {
            let line = LineIdx::at(l);
            Request::ALL.into_iter().filter_map(move |request| {
                let h = &kinds[request as usize];
                (!h.secs.is_empty()).then(|| SavedHandled {
                    line,
                    request,
                    secs: h.secs.iter().copied().collect(),
                })
            })
        })
        .collect();
    out
}
