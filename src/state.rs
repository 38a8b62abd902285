//! The engine's state: interned entities and the bookkeeping that keeps their indices true.
//!
//! Every conversation move goes through [`State::leave`] and one of the `enter_*` methods, so
//! loads, line counters, waiting queues and deadlines can never drift apart.

use crate::chunked::ChunkedVec;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{CountTowardCap, LineConfig, Mode};
use crate::decision::{Decision, DecisionKind, QueueReason, SlaKind};
use crate::id::{ChannelId, ClientId, ConversationId, GroupId, Idx, Interner, LineId, OperatorId};
use crate::input::Presence;
use crate::schedule::Schedule;
use crate::timers::{Timer, TimerKey, Timers};

pub(crate) type OpIdx = Idx;
pub(crate) type LineIdx = Idx;
pub(crate) type ChanIdx = Idx;
pub(crate) type GroupIdx = Idx;
pub(crate) type ClientIdx = Idx;
pub(crate) type ConvIdx = Idx;

/// How many availability profiles there are (see [`profile`]).
pub(crate) const PROFILES: usize = 3;

/// A line's availability profile: what makes an operator available on it. 0: no check (only
/// the active flag counts); 1: the check with presence `online`; 2: the check with a started
/// work day. An operator "leaves and comes back" per profile: starting a work day is no return
/// for a line that looks at presence.
pub(crate) fn profile(line: &LineConfig) -> usize {
    match (line.check_availability, line.require_workday) {
        (false, _) => 0,
        (true, false) => 1,
        (true, true) => 2,
    }
}

/// An operator's position in a line's queue: the queue entry that names them, then (for a
/// group entry) their creation order. Sparse on purpose, so that adding one operator to a group
/// never renumbers the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Pos {
    pub(crate) entry: u32,
    pub(crate) sub: u64,
}

/// The order of a pool's ready set. Fields a mode does not use are zero, so one ordered set
/// serves every mode: `strict` sorts by position, `evenly` by last assignment then position,
/// `balanced` by load, then last assignment, then position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key {
    pub(crate) load: u32,
    pub(crate) last: u64,
    pub(crate) pos: Pos,
    pub(crate) op: OpIdx,
}

/// A routing domain: a line's members, or the members a restricted channel allows on its line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub(crate) enum PoolRef {
    Line(LineIdx),
    Channel(ChanIdx),
}

/// Where a waiting conversation is indexed for the drain, besides its line's queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub(crate) enum Bucket {
    Pool(PoolRef),
    Pinned(OpIdx),
}

/// Eligible members of one routing domain, and the conversations waiting for them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pool {
    /// Members that are eligible and under cap, in the line's mode order.
    pub(crate) ready: BTreeSet<Key>,
    /// How many members are eligible, cap aside (tells `at_capacity` from `no_eligible_operator`).
    pub(crate) eligible: u32,
    /// Conversations waiting for this domain, by waiting sequence.
    pub(crate) waiting: BTreeMap<u64, ConvIdx>,
}

/// One pool an operator belongs to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    pub(crate) pool: PoolRef,
    pub(crate) line: LineIdx,
    pub(crate) pos: Pos,
    /// The operator's key in the pool's ready set, when they are in it.
    pub(crate) key: Option<Key>,
    pub(crate) eligible: bool,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct AbsenceWindow {
    pub(crate) from: DateTime<Utc>,
    pub(crate) until: DateTime<Utc>,
    pub(crate) timers: [Option<TimerKey>; 2],
}

/// Load counters, each over all lines: open, awaiting reply, unanswered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Load {
    pub(crate) open: u32,
    pub(crate) awaiting_reply: u32,
    pub(crate) unanswered: u32,
}

impl Load {
    pub(crate) fn get(&self, count: CountTowardCap) -> u32 {
        match count {
            CountTowardCap::Open => self.open,
            CountTowardCap::AwaitingReply => self.awaiting_reply,
            CountTowardCap::Unanswered => self.unanswered,
        }
    }
}

/// Fields marked `skip` are indices derived from the others: a snapshot leaves them out and
/// restoring rebuilds them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Operator {
    pub(crate) exists: bool,
    /// Order of first creation; group members follow it.
    pub(crate) created: u64,
    pub(crate) max_open: Option<u32>,
    pub(crate) groups: Vec<GroupIdx>,
    pub(crate) active: bool,
    pub(crate) presence: Presence,
    pub(crate) workday: bool,
    pub(crate) absences: Vec<AbsenceWindow>,
    pub(crate) in_absence: bool,
    /// Per availability profile (see [`profile`]), bumped whenever the operator becomes
    /// available again under it after leaving, which makes them "not yet tried" again for every
    /// conversation on a line of that profile that tried them before.
    pub(crate) epoch: [u32; PROFILES],
    /// Sequence of the last assignment (0: never assigned, older than everyone).
    pub(crate) last_assigned: u64,
    #[serde(skip)]
    pub(crate) load: Load,
    #[serde(skip)]
    pub(crate) held: BTreeSet<ConvIdx>,
    #[serde(skip)]
    pub(crate) offers: BTreeSet<ConvIdx>,
    /// Lines whose queue names this operator directly: (line, entry).
    #[serde(skip)]
    pub(crate) direct_refs: Vec<(LineIdx, u32)>,
    /// Channels whose operator list names this operator.
    #[serde(skip)]
    pub(crate) chan_refs: Vec<ChanIdx>,
    #[serde(skip)]
    pub(crate) slots: Vec<Slot>,
    /// Whether a pool they belong to counts awaiting-reply or unanswered conversations (for a
    /// cap or an order), so that a conversation's flags can move their key.
    #[serde(skip)]
    pub(crate) flags_matter: bool,
    #[serde(skip)]
    pub(crate) pinned_clients: BTreeSet<ClientIdx>,
    /// Conversations waiting for this operator as their `always`-pinned one.
    #[serde(skip)]
    pub(crate) pinned_waiting: BTreeMap<u64, ConvIdx>,
    /// Response-time targets this operator met and missed.
    #[serde(default)]
    pub(crate) sla: SlaCounters,
}

impl Operator {
    fn new() -> Self {
        Self {
            exists: false,
            created: 0,
            max_open: None,
            groups: Vec::new(),
            active: true,
            presence: Presence::Offline,
            workday: false,
            absences: Vec::new(),
            in_absence: false,
            epoch: [0; PROFILES],
            last_assigned: 0,
            load: Load::default(),
            held: BTreeSet::new(),
            offers: BTreeSet::new(),
            direct_refs: Vec::new(),
            chan_refs: Vec::new(),
            slots: Vec::new(),
            flags_matter: false,
            pinned_clients: BTreeSet::new(),
            pinned_waiting: BTreeMap::new(),
            sla: SlaCounters::default(),
        }
    }

    /// Available under a line's availability check (membership, channel and cap aside).
    pub(crate) fn available_on(&self, line: &LineConfig) -> bool {
        self.availability()[profile(line)]
    }

    /// The cap a line applies to this operator.
    pub(crate) fn cap_on(&self, line: &LineConfig) -> Option<u32> {
        match (self.max_open, line.max_open_per_operator) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Under the cap a line applies.
    pub(crate) fn has_room_on(&self, line: &LineConfig) -> bool {
        self.cap_on(line)
            .is_none_or(|cap| self.load.get(line.count_toward_cap) < cap)
    }

    /// Whether the operator is available under each availability profile, for telling when
    /// they come back.
    pub(crate) fn availability(&self) -> [bool; PROFILES] {
        let base = self.exists && self.active;
        let present = base && !self.in_absence;
        [
            base,
            present && self.presence == Presence::Online,
            present && self.workday,
        ]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum QueueRef {
    Op(OpIdx),
    Group(GroupIdx),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Line {
    pub(crate) config: LineConfig,
    #[serde(skip)]
    pub(crate) queue: Vec<QueueRef>,
    #[serde(skip)]
    pub(crate) pool: Pool,
    /// The line's waiting queue, by waiting sequence (arrival order).
    #[serde(skip)]
    pub(crate) waiting: BTreeMap<u64, ConvIdx>,
    /// Channels connected to the line.
    #[serde(skip)]
    pub(crate) channels: BTreeSet<ChanIdx>,
    /// Open conversations on the line.
    #[serde(skip)]
    pub(crate) open: u32,
    #[serde(skip)]
    pub(crate) offered: u32,
    #[serde(skip)]
    pub(crate) assigned: u32,
    /// Conversations with the line's bot.
    #[serde(skip)]
    pub(crate) with_bot: u32,
    /// The compiled working hours (from `config.schedule`).
    #[serde(skip)]
    pub(crate) schedule: Option<Schedule>,
    /// Open as of the engine's clock (derived from the schedule).
    #[serde(skip)]
    pub(crate) is_open: bool,
    /// The deadline at which the line next opens or closes.
    #[serde(default)]
    pub(crate) schedule_timer: Option<TimerKey>,
    /// The id of the line's current (or last) closed period, unique across lines, so that the
    /// off-hours reply goes once per period.
    #[serde(default)]
    pub(crate) closed_period: u64,
    /// Response-time targets met and missed on this line.
    #[serde(default)]
    pub(crate) sla: SlaCounters,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Channel {
    /// The line it is connected to.
    pub(crate) line: Option<LineIdx>,
    /// The line its restriction (and pool) serves: the last one it was connected to.
    pub(crate) pool_line: Option<LineIdx>,
    pub(crate) kind: Option<String>,
    pub(crate) restrict: Option<Vec<OpIdx>>,
    #[serde(skip)]
    pub(crate) pool: Pool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Group {
    /// Members by creation order.
    #[serde(skip)]
    pub(crate) members: BTreeSet<(u64, OpIdx)>,
    /// Lines whose queue names the group: (line, entry).
    #[serde(skip)]
    pub(crate) refs: Vec<(LineIdx, u32)>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Client {
    pub(crate) pinned: Option<OpIdx>,
    pub(crate) last_operator: Option<OpIdx>,
    /// How many times a conversation of this client opened (new or reopened).
    #[serde(default)]
    pub(crate) contacts: u64,
    #[serde(skip)]
    pub(crate) convs: Vec<ConvIdx>,
}

/// Where a conversation is. One enum, so a conversation cannot be in two places.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ConvState {
    Closed,
    /// Between two places while the engine moves it; never seen outside one input.
    Limbo,
    Waiting {
        since: DateTime<Utc>,
        seq: u64,
        bucket: Bucket,
    },
    Assigned {
        op: OpIdx,
        /// The answer deadline of an unconfirmed assignment.
        deadline: Option<TimerKey>,
    },
    Offered {
        ops: Box<[OpIdx]>,
        deadline: Option<TimerKey>,
    },
    /// With the line's chat-bot, until it hands over or its time runs out.
    WithBot {
        bot: Box<str>,
        deadline: Option<TimerKey>,
    },
}

/// One conversation. Laid out for the hot path: the first 64-byte line holds what every input
/// about it reads (where it is, its client, channel, line and flags); the second the parts only
/// some features touch, the rarely set ones boxed. Records are 64-byte aligned, so each input
/// touches at most two adjacent cache lines. (Snapshots carry the same fields by name; their
/// order in this declaration, and so in the JSON, does not matter to restoring.)
#[derive(Clone, Debug, Serialize, Deserialize)]
#[repr(C, align(64))]
pub(crate) struct Conversation {
    pub(crate) state: ConvState,
    pub(crate) client: ClientIdx,
    pub(crate) channel: ChanIdx,
    pub(crate) line: LineIdx,
    /// The client spoke last.
    pub(crate) awaiting_reply: bool,
    /// An operator has answered since the conversation (re)opened.
    pub(crate) answered: bool,
    /// The client's rating.
    #[serde(default)]
    pub(crate) rating: Option<u8>,
    /// Operators already tried since the last fresh routing, with their epochs at the time.
    pub(crate) tried: Vec<(OpIdx, [u32; PROFILES])>,
    /// The pending response-time target, if any.
    #[serde(default)]
    pub(crate) sla: Option<Box<SlaPending>>,
    /// The `unanswered` auto-reply deadline of the current unanswered streak.
    #[serde(default)]
    pub(crate) unanswered_timer: Option<Box<TimerKey>>,
    /// The inactivity close deadline.
    #[serde(default)]
    pub(crate) inactivity_timer: Option<Box<TimerKey>>,
    /// The closed period of its line in which the off-hours reply was last sent.
    #[serde(default)]
    pub(crate) off_hours_period: Option<u64>,
}

/// A response-time target that is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SlaPending {
    pub(crate) kind: SlaKind,
    pub(crate) due: DateTime<Utc>,
    pub(crate) timer: TimerKey,
}

/// Response-time targets met and missed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SlaCounters {
    pub(crate) first_response_met: u64,
    pub(crate) first_response_missed: u64,
    pub(crate) next_response_met: u64,
    pub(crate) next_response_missed: u64,
}

impl SlaCounters {
    pub(crate) fn record(&mut self, kind: SlaKind, met: bool) {
        let c = match (kind, met) {
            (SlaKind::FirstResponse, true) => &mut self.first_response_met,
            (SlaKind::FirstResponse, false) => &mut self.first_response_missed,
            (SlaKind::NextResponse, true) => &mut self.next_response_met,
            (SlaKind::NextResponse, false) => &mut self.next_response_missed,
        };
        *c = c.saturating_add(1);
    }
}

/// The whole engine state except the decision queue.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct State {
    pub(crate) clock: Option<DateTime<Utc>>,
    pub(crate) past_inputs: u64,
    pub(crate) seq: u64,
    pub(crate) op_ids: Interner<OperatorId>,
    pub(crate) ops: Vec<Operator>,
    pub(crate) line_ids: Interner<LineId>,
    pub(crate) lines: Vec<Option<Line>>,
    pub(crate) chan_ids: Interner<ChannelId>,
    pub(crate) chans: Vec<Channel>,
    pub(crate) group_ids: Interner<GroupId>,
    pub(crate) groups: Vec<Group>,
    pub(crate) client_ids: Interner<ClientId>,
    pub(crate) clients: ChunkedVec<Client>,
    pub(crate) conv_ids: Interner<ConversationId>,
    pub(crate) convs: ChunkedVec<Conversation>,
    pub(crate) timers: Timers,
    /// Buckets where capacity may have appeared since the last drain.
    #[serde(skip)]
    pub(crate) dirty: BTreeSet<Bucket>,
    /// Lines that opened at the instant being processed (routed once it is done).
    #[serde(skip)]
    pub(crate) opened: Vec<LineIdx>,
    pub(crate) out: VecDeque<Decision>,
}

impl State {
    pub(crate) fn new() -> Self {
        Self {
            clock: None,
            past_inputs: 0,
            seq: 0,
            op_ids: Interner::new(),
            ops: Vec::new(),
            line_ids: Interner::new(),
            lines: Vec::new(),
            chan_ids: Interner::new(),
            chans: Vec::new(),
            group_ids: Interner::new(),
            groups: Vec::new(),
            client_ids: Interner::new(),
            clients: ChunkedVec::new(),
            conv_ids: Interner::new(),
            convs: ChunkedVec::new(),
            timers: Timers::default(),
            dirty: BTreeSet::new(),
            opened: Vec::new(),
            out: VecDeque::new(),
        }
    }

    /// The engine's clock. Only called while handling an input or a deadline, which set it.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock
            .expect("the clock is set before any input or deadline is processed")
    }

    /// `secs` seconds from now; `None` past the end of representable time.
    pub(crate) fn after(&self, secs: u32) -> Option<DateTime<Utc>> {
        self.now()
            .checked_add_signed(chrono::TimeDelta::seconds(i64::from(secs)))
    }

    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub(crate) fn emit(&mut self, kind: DecisionKind) {
        let at = self.now();
        self.out.push_back(Decision { at, kind });
    }

    // ---- interning -------------------------------------------------------------------------

    pub(crate) fn intern_op(&mut self, id: &OperatorId) -> OpIdx {
        let (i, new) = self.op_ids.intern(id);
        if new {
            self.ops.push(Operator::new());
        }
        i
    }

    pub(crate) fn intern_line(&mut self, id: &LineId) -> LineIdx {
        let (i, new) = self.line_ids.intern(id);
        if new {
            self.lines.push(None);
        }
        i
    }

    pub(crate) fn intern_chan(&mut self, id: &ChannelId) -> ChanIdx {
        let (i, new) = self.chan_ids.intern(id);
        if new {
            self.chans.push(Channel::default());
        }
        i
    }

    pub(crate) fn intern_group(&mut self, id: &GroupId) -> GroupIdx {
        let (i, new) = self.group_ids.intern(id);
        if new {
            self.groups.push(Group::default());
        }
        i
    }

    pub(crate) fn intern_client(&mut self, id: &ClientId) -> ClientIdx {
        let (i, new) = self.client_ids.intern(id);
        if new {
            self.clients.push(Client::default());
        }
        i
    }

    /// An existing operator's index.
    pub(crate) fn op<Q>(&self, id: &Q) -> Option<OpIdx>
    where
        OperatorId: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.op_ids.get(id).filter(|&i| self.ops[i as usize].exists)
    }

    /// An existing line's index.
    pub(crate) fn line_idx(&self, id: &str) -> Option<LineIdx> {
        self.line_ids
            .get(id)
            .filter(|&i| self.lines[i as usize].is_some())
    }

    pub(crate) fn line(&self, l: LineIdx) -> &Line {
        self.lines[l as usize]
            .as_ref()
            .expect("only lines that exist are referenced by live state")
    }

    pub(crate) fn line_mut(&mut self, l: LineIdx) -> &mut Line {
        self.lines[l as usize]
            .as_mut()
            .expect("only lines that exist are referenced by live state")
    }

    pub(crate) fn op_name(&self, o: OpIdx) -> OperatorId {
        self.op_ids.name(o).clone()
    }

    pub(crate) fn line_name(&self, l: LineIdx) -> LineId {
        self.line_ids.name(l).clone()
    }

    pub(crate) fn conv_name(&self, c: ConvIdx) -> ConversationId {
        self.conv_ids.name(c).clone()
    }

    pub(crate) fn pool(&self, p: PoolRef) -> &Pool {
        match p {
            PoolRef::Line(l) => &self.line(l).pool,
            PoolRef::Channel(c) => &self.chans[c as usize].pool,
        }
    }

    pub(crate) fn pool_mut(&mut self, p: PoolRef) -> &mut Pool {
        match p {
            PoolRef::Line(l) => &mut self.line_mut(l).pool,
            PoolRef::Channel(c) => &mut self.chans[c as usize].pool,
        }
    }

    pub(crate) fn bucket_map(&mut self, b: Bucket) -> &mut BTreeMap<u64, ConvIdx> {
        match b {
            Bucket::Pool(p) => &mut self.pool_mut(p).waiting,
            Bucket::Pinned(o) => &mut self.ops[o as usize].pinned_waiting,
        }
    }

    pub(crate) fn bucket_ref(&self, b: Bucket) -> &BTreeMap<u64, ConvIdx> {
        match b {
            Bucket::Pool(p) => &self.pool(p).waiting,
            Bucket::Pinned(o) => &self.ops[o as usize].pinned_waiting,
        }
    }

    /// The routing domain of a conversation: its channel's pool when the channel is restricted
    /// on the conversation's line, else the line's.
    pub(crate) fn pool_of(&self, c: ConvIdx) -> PoolRef {
        let conv = &self.convs[c as usize];
        let chan = &self.chans[conv.channel as usize];
        if chan.restrict.is_some() && chan.pool_line == Some(conv.line) {
            PoolRef::Channel(conv.channel)
        } else {
            PoolRef::Line(conv.line)
        }
    }

    // ---- pool membership and keys ---------------------------------------------------------

    /// The key an operator has in a pool of `line` at `pos`, if they are eligible and under cap.
    fn key_for(&self, o: OpIdx, line: &LineConfig, pos: Pos) -> (bool, Option<Key>) {
        let op = &self.ops[o as usize];
        if !op.available_on(line) {
            return (false, None);
        }
        if !op.has_room_on(line) {
            return (true, None);
        }
        let key = match line.mode {
            Mode::Strict | Mode::All => Key {
                load: 0,
                last: 0,
                pos,
                op: o,
            },
            Mode::Evenly => Key {
                load: 0,
                last: op.last_assigned,
                pos,
                op: o,
            },
            Mode::Balanced => Key {
                load: op.load.get(line.count_toward_cap),
                last: op.last_assigned,
                pos,
                op: o,
            },
        };
        (true, Some(key))
    }

    /// Recomputes an operator's place in every pool they belong to, after a change of load,
    /// last assignment, availability or line settings. Marks buckets where they became ready.
    pub(crate) fn rekey(&mut self, o: OpIdx) {
        let mut slots = std::mem::take(&mut self.ops[o as usize].slots);
        let mut flags_matter = false;
        for slot in &mut slots {
            let (eligible, key) = {
                let line = &self.line(slot.line).config;
                flags_matter |= line.count_toward_cap != CountTowardCap::Open;
                self.key_for(o, line, slot.pos)
            };
            if slot.key != key || slot.eligible != eligible {
                let was_ready = slot.key.is_some();
                let pool = self.pool_mut(slot.pool);
                if let Some(old) = slot.key {
                    pool.ready.remove(&old);
                }
                if let Some(new) = key {
                    pool.ready.insert(new);
                }
                if slot.eligible {
                    pool.eligible -= 1;
                }
                if eligible {
                    pool.eligible += 1;
                }
                let has_waiting = !pool.waiting.is_empty();
                slot.key = key;
                slot.eligible = eligible;
                if key.is_some() && !was_ready && has_waiting {
                    self.dirty.insert(Bucket::Pool(slot.pool));
                }
            }
        }
        self.ops[o as usize].slots = slots;
        self.ops[o as usize].flags_matter = flags_matter;
        let op = &self.ops[o as usize];
        if op.exists && op.active && !op.pinned_waiting.is_empty() {
            self.dirty.insert(Bucket::Pinned(o));
        }
    }

    /// The lines an operator is a member of, with their position in each.
    fn memberships(&self, o: OpIdx) -> Vec<(LineIdx, Pos)> {
        let op = &self.ops[o as usize];
        let mut out: Vec<(LineIdx, Pos)> = Vec::new();
        if !op.exists {
            return out;
        }
        let mut add = |line: LineIdx, pos: Pos| match out.iter_mut().find(|(l, _)| *l == line) {
            Some((_, p)) => *p = (*p).min(pos),
            None => out.push((line, pos)),
        };
        for &(line, entry) in &op.direct_refs {
            add(line, Pos { entry, sub: 0 });
        }
        for &g in &op.groups {
            for &(line, entry) in &self.groups[g as usize].refs {
                add(
                    line,
                    Pos {
                        entry,
                        sub: op.created,
                    },
                );
            }
        }
        out.sort_unstable();
        out
    }

    /// Recomputes which pools an operator belongs to, after a change of membership (queue,
    /// groups, channel lists, existence), and their place in each.
    pub(crate) fn reslot(&mut self, o: OpIdx) {
        let old = std::mem::take(&mut self.ops[o as usize].slots);
        for slot in &old {
            let pool = self.pool_mut(slot.pool);
            if let Some(key) = slot.key {
                pool.ready.remove(&key);
            }
            if slot.eligible {
                pool.eligible -= 1;
            }
        }
        let mut slots = Vec::new();
        for (line, pos) in self.memberships(o) {
            slots.push(Slot {
                pool: PoolRef::Line(line),
                line,
                pos,
                key: None,
                eligible: false,
            });
            for &c in &self.ops[o as usize].chan_refs {
                let chan = &self.chans[c as usize];
                if chan.pool_line == Some(line) && chan.restrict.is_some() {
                    slots.push(Slot {
                        pool: PoolRef::Channel(c),
                        line,
                        pos,
                        key: None,
                        eligible: false,
                    });
                }
            }
        }
        self.ops[o as usize].slots = slots;
        self.rekey(o);
    }

    /// Whether an operator is in a pool's ready set (eligible, member, under cap).
    pub(crate) fn is_ready_in(&self, o: OpIdx, pool: PoolRef) -> bool {
        self.ops[o as usize]
            .slots
            .iter()
            .any(|s| s.pool == pool && s.key.is_some())
    }

    // ---- conversation moves ---------------------------------------------------------------

    fn adjust_load(&mut self, o: OpIdx, c: ConvIdx, add: bool) {
        let conv = &self.convs[c as usize];
        let (awaiting, unanswered) = (conv.awaiting_reply, !conv.answered);
        let load = &mut self.ops[o as usize].load;
        let d = |v: &mut u32| {
            if add { *v += 1 } else { *v -= 1 }
        };
        d(&mut load.open);
        if awaiting {
            d(&mut load.awaiting_reply);
        }
        if unanswered {
            d(&mut load.unanswered);
        }
    }

    /// Counts a conversation its operator holds in their load (restoring a snapshot).
    pub(crate) fn add_load(&mut self, o: OpIdx, c: ConvIdx) {
        self.adjust_load(o, c, true);
    }

    /// Changes a conversation's flags, keeping its holder's load counters true.
    pub(crate) fn set_flags(&mut self, c: ConvIdx, awaiting_reply: bool, answered: bool) {
        let holder = match self.convs[c as usize].state {
            ConvState::Assigned { op, .. } => Some(op),
            _ => None,
        };
        if let Some(o) = holder {
            self.adjust_load(o, c, false);
        }
        let conv = &mut self.convs[c as usize];
        let changed = conv.awaiting_reply != awaiting_reply || conv.answered != answered;
        conv.awaiting_reply = awaiting_reply;
        conv.answered = answered;
        if let Some(o) = holder {
            self.adjust_load(o, c, true);
            if changed && self.ops[o as usize].flags_matter {
                self.rekey(o);
            }
        }
    }

    /// Takes a conversation out of wherever it is, into `Limbo` (or leaves it `Closed`).
    /// Emits nothing: the caller says why it moved.
    pub(crate) fn leave(&mut self, c: ConvIdx) -> ConvState {
        let line = self.convs[c as usize].line;
        let old = std::mem::replace(&mut self.convs[c as usize].state, ConvState::Limbo);
        match &old {
            ConvState::Closed | ConvState::Limbo => {}
            ConvState::Waiting { seq, bucket, .. } => {
                self.bucket_map(*bucket).remove(seq);
                self.line_mut(line).waiting.remove(seq);
            }
            ConvState::Assigned { op, deadline } => {
                if let Some(key) = deadline {
                    self.timers.cancel(*key);
                    self.line_mut(line).offered -= 1;
                } else {
                    self.line_mut(line).assigned -= 1;
                }
                self.adjust_load(*op, c, false);
                self.ops[*op as usize].held.remove(&c);
                self.rekey(*op);
            }
            ConvState::Offered { ops, deadline } => {
                if let Some(key) = deadline {
                    self.timers.cancel(*key);
                }
                self.line_mut(line).offered -= 1;
                for o in ops {
                    self.ops[*o as usize].offers.remove(&c);
                }
            }
            ConvState::WithBot { deadline, .. } => {
                if let Some(key) = deadline {
                    self.timers.cancel(*key);
                }
                self.line_mut(line).with_bot -= 1;
            }
        }
        old
    }

    pub(crate) fn enter_waiting(&mut self, c: ConvIdx, bucket: Bucket) {
        debug_assert_eq!(self.convs[c as usize].state, ConvState::Limbo);
        let seq = self.next_seq();
        let since = self.now();
        self.place_waiting(c, since, seq, bucket);
    }

    /// Puts a conversation in limbo into a waiting queue with a given place in it.
    pub(crate) fn place_waiting(
        &mut self,
        c: ConvIdx,
        since: DateTime<Utc>,
        seq: u64,
        bucket: Bucket,
    ) {
        let line = self.convs[c as usize].line;
        self.bucket_map(bucket).insert(seq, c);
        self.line_mut(line).waiting.insert(seq, c);
        self.convs[c as usize].state = ConvState::Waiting { since, seq, bucket };
    }

    /// Assigns a conversation in limbo, with an answer deadline or final.
    pub(crate) fn enter_assigned(
        &mut self,
        c: ConvIdx,
        o: OpIdx,
        answer_by: Option<DateTime<Utc>>,
    ) {
        debug_assert_eq!(self.convs[c as usize].state, ConvState::Limbo);
        let line = self.convs[c as usize].line;
        let deadline = answer_by.map(|at| self.timers.schedule(at, Timer::Offer(c)));
        if deadline.is_some() {
            self.line_mut(line).offered += 1;
        } else {
            self.line_mut(line).assigned += 1;
        }
        self.convs[c as usize].state = ConvState::Assigned { op: o, deadline };
        let seq = self.next_seq();
        let op = &mut self.ops[o as usize];
        op.last_assigned = seq;
        op.held.insert(c);
        self.adjust_load(o, c, true);
        self.rekey(o);
    }

    /// Offers a conversation in limbo to several operators (mode `all`).
    pub(crate) fn enter_offered(
        &mut self,
        c: ConvIdx,
        ops: Vec<OpIdx>,
        expires: Option<DateTime<Utc>>,
    ) {
        debug_assert_eq!(self.convs[c as usize].state, ConvState::Limbo);
        let line = self.convs[c as usize].line;
        let deadline = expires.map(|at| self.timers.schedule(at, Timer::Offer(c)));
        self.line_mut(line).offered += 1;
        for &o in &ops {
            self.ops[o as usize].offers.insert(c);
        }
        self.convs[c as usize].state = ConvState::Offered {
            ops: ops.into(),
            deadline,
        };
    }

    /// Makes an unanswered assignment final (confirmed, or kept by `keep_last`).
    pub(crate) fn confirm(&mut self, c: ConvIdx) {
        let line = self.convs[c as usize].line;
        if let ConvState::Assigned { deadline, .. } = &mut self.convs[c as usize].state {
            if let Some(key) = deadline.take() {
                self.timers.cancel(key);
                let line = self.line_mut(line);
                line.offered -= 1;
                line.assigned += 1;
            }
        }
    }

    pub(crate) fn enter_closed(&mut self, c: ConvIdx) {
        debug_assert_eq!(self.convs[c as usize].state, ConvState::Limbo);
        let line = self.convs[c as usize].line;
        if let Some(l) = self.lines[line as usize].as_mut() {
            l.open -= 1;
        }
        let conv = &mut self.convs[c as usize];
        conv.state = ConvState::Closed;
        conv.tried.clear();
        self.cancel_sla(c);
        self.stop_unanswered(c);
        self.stop_inactivity(c);
    }

    /// Emits `queued` for a conversation that has just entered a waiting queue.
    pub(crate) fn emit_queued(&mut self, c: ConvIdx, reason: QueueReason) {
        let line = self.convs[c as usize].line;
        self.emit(DecisionKind::Queued {
            conversation: self.conv_name(c),
            line: self.line_name(line),
            reason,
        });
        self.no_operators_reply(c, reason);
    }

    /// The availability profile of a conversation's line.
    fn conv_profile(&self, c: ConvIdx) -> usize {
        profile(&self.line(self.convs[c as usize].line).config)
    }

    /// Whether the operator was tried for this conversation and has not left and come back
    /// (under its line's availability profile) since.
    pub(crate) fn tried(&self, c: ConvIdx, o: OpIdx) -> bool {
        let p = self.conv_profile(c);
        let epoch = self.ops[o as usize].epoch[p];
        self.convs[c as usize]
            .tried
            .iter()
            .any(|&(t, e)| t == o && e[p] == epoch)
    }

    pub(crate) fn mark_tried(&mut self, c: ConvIdx, o: OpIdx) {
        let epoch = self.ops[o as usize].epoch;
        let tried = &mut self.convs[c as usize].tried;
        tried.retain(|&(t, _)| t != o);
        tried.push((o, epoch));
    }

    pub(crate) fn has_live_tried(&self, c: ConvIdx) -> bool {
        let p = self.conv_profile(c);
        self.convs[c as usize]
            .tried
            .iter()
            .any(|&(t, e)| self.ops[t as usize].epoch[p] == e[p])
    }
}
