//! A deliberately simple reference model of routeline's routing rules (DESIGN.md §1 and the
//! README's "Decisions where the sources are silent"), for differential testing.
//!
//! Written for obviousness, not speed: plain vectors of structs keyed by string ids, linear
//! scans everywhere, and every routing question (who is a member, who is eligible, who has
//! room, what an operator's load is, who comes first) answered from scratch each time it is
//! asked. There are no indices, no cached counters and no "dirty" bookkeeping: after every
//! input and every deadline the model simply retries every waiting conversation, longest
//! waiting first, until nothing more can be placed.
//!
//! Self-contained on purpose (routeline's public types, chrono and std only) so that benches
//! can pull it in with `#[path = "../tests/model/mod.rs"] mod model;`.
//!
//! Ordering conventions the documents leave open follow the engine:
//! - one sequence number orders waiting entries, assignments ("least recently assigned") and
//!   operator creation (group members follow it);
//! - deadlines due at the same instant fire in the order they were scheduled;
//! - when one input affects several conversations of an operator, their conversations are
//!   handled in order of first mention, then their offers;
//! - an operator becomes "not yet tried" again for a conversation when they come back under
//!   the availability profile of its line: each line is of one of three profiles — no check
//!   (existing and active is enough), presence (also outside absences and online) or work day
//!   (also outside absences with a started work day) — and an operator's epoch for a profile
//!   moves on whenever they go from unavailable to available under it.
//!
//! Where the engine was found to contradict DESIGN.md the model follows DESIGN.md: an
//! unanswered assignment that reaches its deadline is planned anew as if its holder had
//! already let go of it, so in mode `all` the holder, who has room again, is among those the
//! renewed offer goes to ("renewed to whoever is eligible then").

#![allow(dead_code)]

use chrono::{DateTime, TimeDelta, Utc};
use routeline::{
    AssignReason, ChannelConfig, CloseReason, CountTowardCap, Decision, DecisionKind, Input,
    LineConfig, Mode, OnExhausted, OperatorConfig, PinnedPolicy, Presence, QueueEntry, QueueReason,
    UnassignReason, WithdrawReason,
};

/// Why the model rejected an input (only whether it did is compared with the engine).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, ModelError> {
    Err(ModelError(msg.into()))
}

#[derive(Clone, Debug)]
struct Operator {
    id: String,
    /// Created by `upsert_operator` and not removed since.
    exists: bool,
    /// Sequence number of the first creation (0: never created). Kept across removal.
    created: u64,
    max_open: Option<u32>,
    groups: Vec<String>,
    active: bool,
    presence: Presence,
    workday: bool,
    /// Absence windows `[from, until)` that have not ended yet.
    absences: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Inside an absence window, as of the last time the windows were looked at (an input
    /// touching them, or one of their start / end deadlines firing).
    in_absence: bool,
    /// Per availability profile: moves on whenever the operator comes back under it.
    epoch: [u32; 3],
    /// Sequence number of the last assignment to this operator (0: never).
    last_assigned: u64,
}

impl Operator {
    fn new(id: &str) -> Self {
        Operator {
            id: id.to_string(),
            exists: false,
            created: 0,
            max_open: None,
            groups: Vec::new(),
            active: true,
            presence: Presence::Offline,
            workday: false,
            absences: Vec::new(),
            in_absence: false,
            epoch: [0; 3],
            last_assigned: 0,
        }
    }

    /// Whether the operator is available under each availability profile (see [`profile`]).
    fn availability(&self) -> [bool; 3] {
        let active = self.exists && self.active;
        [
            active,
            active && !self.in_absence && self.presence == Presence::Online,
            active && !self.in_absence && self.workday,
        ]
    }
}

/// A line's availability profile: what makes an operator available on it. 0: no check (the
/// active flag only); 1: the check with presence `online`; 2: the check with a work day.
fn profile(line: &LineConfig) -> usize {
    match (line.check_availability, line.require_workday) {
        (false, _) => 0,
        (true, false) => 1,
        (true, true) => 2,
    }
}

#[derive(Clone, Debug)]
struct Channel {
    id: String,
    /// The line it is connected to now.
    line: Option<String>,
    /// The line its operator list applies to: the last line it was connected to (until that
    /// line is removed).
    list_line: Option<String>,
    /// `None`: every member of the line; `Some(empty)`: no automatic distribution.
    operators: Option<Vec<String>>,
}

#[derive(Clone, Debug)]
struct Client {
    id: String,
    pinned: Option<String>,
    last_operator: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
enum Where {
    Closed,
    /// Being moved, only ever seen inside one input.
    Limbo,
    Waiting {
        since: DateTime<Utc>,
        seq: u64,
    },
    Assigned {
        op: String,
        /// The answer deadline of an unconfirmed assignment.
        deadline: Option<DateTime<Utc>>,
    },
    Offered {
        ops: Vec<String>,
        deadline: Option<DateTime<Utc>>,
    },
}

#[derive(Clone, Debug)]
struct Conversation {
    id: String,
    client: String,
    channel: String,
    line: String,
    at: Where,
    awaiting_reply: bool,
    answered: bool,
    /// Operators tried since the last fresh routing, with their epochs when tried.
    tried: Vec<(String, [u32; 3])>,
}

#[derive(Clone, Debug, PartialEq)]
enum TimerKind {
    Offer(String),
    Absence(String),
}

#[derive(Clone, Debug)]
struct Timer {
    at: DateTime<Utc>,
    /// Scheduling order, for deadlines due at the same instant.
    seq: u64,
    kind: TimerKind,
}

/// Where a conversation should go now.
#[derive(Clone, Debug, PartialEq)]
enum Plan {
    Assign {
        op: String,
        reason: AssignReason,
        final_: bool,
    },
    Offer(Vec<String>),
    Wait(QueueReason),
    /// Every eligible operator with room has been tried.
    Exhausted,
}

/// A simple view of a conversation, for comparing with the engine's queries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvSummary {
    /// `waiting`, `offered`, `assigned` or `closed`.
    pub state: String,
    pub line: String,
    pub operator: Option<String>,
    pub offered_to: Vec<String>,
    pub deadline: Option<DateTime<Utc>>,
    pub awaiting_reply: bool,
    pub answered: bool,
}

/// The reference model.
#[derive(Clone, Debug, Default)]
pub struct Model {
    clock: Option<DateTime<Utc>>,
    seq: u64,
    timer_seq: u64,
    operators: Vec<Operator>,
    lines: Vec<LineConfig>,
    channels: Vec<Channel>,
    clients: Vec<Client>,
    conversations: Vec<Conversation>,
    timers: Vec<Timer>,
    out: Vec<Decision>,
}

impl Model {
    pub fn new() -> Self {
        Self::default()
    }

    // ---- the engine's face -----------------------------------------------------------------

    /// Applies one input at `now` (never before the model's clock). A rejected input changes
    /// nothing at all: it is validated before anything changes, and when deadlines must fire
    /// first the work is done on a copy that is kept only on success.
    pub fn handle(&mut self, now: DateTime<Utc>, input: &Input) -> Result<(), ModelError> {
        let at = match self.clock {
            Some(clock) if clock > now => clock,
            _ => now,
        };
        if self.timers.iter().any(|t| t.at <= at) {
            // Deadlines due by then fire first and the input is judged after them; on a copy,
            // so that a rejected input fires nothing either.
            let mut next = self.clone();
            next.fire_due(at);
            next.validate(input)?;
            next.clock = Some(at);
            next.apply(input);
            next.place_waiting();
            *self = next;
        } else {
            self.validate(input)?;
            self.clock = Some(at);
            self.apply(input);
            self.place_waiting();
        }
        Ok(())
    }

    /// Lets time pass: fires every deadline due at or before `now`, each as of its own time.
    pub fn handle_timeout(&mut self, now: DateTime<Utc>) {
        if self.clock.is_some_and(|clock| now < clock) {
            return;
        }
        self.fire_due(now);
        self.clock = Some(now);
    }

    /// The earliest pending deadline.
    pub fn poll_timeout(&self) -> Option<DateTime<Utc>> {
        self.timers.iter().map(|t| t.at).min()
    }

    /// Every decision made since the last drain, oldest first.
    pub fn drain(&mut self) -> Vec<Decision> {
        std::mem::take(&mut self.out)
    }

    /// The model's clock.
    pub fn now(&self) -> Option<DateTime<Utc>> {
        self.clock
    }

    // ---- read-only helpers for generators and comparisons ----------------------------------

    /// Every conversation ever opened, in order of first mention, with its client and channel.
    pub fn known_conversations(&self) -> Vec<(String, String, String)> {
        self.conversations
            .iter()
            .map(|c| (c.id.clone(), c.client.clone(), c.channel.clone()))
            .collect()
    }

    /// Open conversations, in order of first mention.
    pub fn open_conversations(&self) -> Vec<String> {
        self.conversations
            .iter()
            .filter(|c| c.at != Where::Closed)
            .map(|c| c.id.clone())
            .collect()
    }

    /// (conversation, operator) pairs an operator could accept: unconfirmed assignments and
    /// `all`-mode offers.
    pub fn pending_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for c in &self.conversations {
            match &c.at {
                Where::Assigned {
                    op,
                    deadline: Some(_),
                } => out.push((c.id.clone(), op.clone())),
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

    /// Lines holding an unconfirmed assignment (one with an answer deadline).
    pub fn lines_with_unconfirmed_assignments(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.conversations {
            if let Where::Assigned {
                deadline: Some(_), ..
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
            .map(|l| l.line.as_str().to_string())
            .collect()
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
            Where::Limbo | Where::Waiting { .. } => ("waiting", None, Vec::new(), None),
            Where::Assigned { op, deadline } => {
                ("assigned", Some(op.clone()), Vec::new(), *deadline)
            }
            Where::Offered { ops, deadline } => ("offered", None, ops.clone(), *deadline),
        };
        Some(ConvSummary {
            state: state.to_string(),
            line: c.line.clone(),
            operator,
            offered_to,
            deadline,
            awaiting_reply: c.awaiting_reply,
            answered: c.answered,
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

    /// A line's waiting conversations, longest waiting first.
    pub fn waiting_on(&self, line: &str) -> Vec<String> {
        let mut w: Vec<(u64, String)> = self
            .conversations
            .iter()
            .filter(|c| c.line == line)
            .filter_map(|c| match c.at {
                Where::Waiting { seq, .. } => Some((seq, c.id.clone())),
                _ => None,
            })
            .collect();
        w.sort();
        w.into_iter().map(|(_, id)| id).collect()
    }

    // ---- lookups -----------------------------------------------------------------------------

    fn now_(&self) -> DateTime<Utc> {
        self.clock
            .expect("the clock is set before any input or deadline is applied")
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// An operator record, existing or not (a removed operator keeps its record).
    fn op_record(&self, id: &str) -> Option<&Operator> {
        self.operators.iter().find(|o| o.id == id)
    }

    fn op_record_mut(&mut self, id: &str) -> &mut Operator {
        if !self.operators.iter().any(|o| o.id == id) {
            self.operators.push(Operator::new(id));
        }
        self.operators
            .iter_mut()
            .find(|o| o.id == id)
            .expect("just added")
    }

    /// An existing operator.
    fn op(&self, id: &str) -> Option<&Operator> {
        self.op_record(id).filter(|o| o.exists)
    }

    fn line(&self, id: &str) -> Option<&LineConfig> {
        self.lines.iter().find(|l| l.line.as_str() == id)
    }

    fn line_of(&self, c: usize) -> &LineConfig {
        self.line(&self.conversations[c].line)
            .expect("an open conversation's line exists")
    }

    fn channel(&self, id: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.id == id)
    }

    fn client(&self, id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.id == id)
    }

    fn client_mut(&mut self, id: &str) -> &mut Client {
        if !self.clients.iter().any(|c| c.id == id) {
            self.clients.push(Client {
                id: id.to_string(),
                pinned: None,
                last_operator: None,
            });
        }
        self.clients
            .iter_mut()
            .find(|c| c.id == id)
            .expect("just added")
    }

    fn conv_index(&self, id: &str) -> Option<usize> {
        self.conversations.iter().position(|c| c.id == id)
    }

    fn emit(&mut self, kind: DecisionKind) {
        let at = self.now_();
        self.out.push(Decision { at, kind });
    }

    fn schedule(&mut self, at: DateTime<Utc>, kind: TimerKind) {
        self.timer_seq += 1;
        self.timers.push(Timer {
            at,
            seq: self.timer_seq,
            kind,
        });
    }

    // ---- eligibility, from scratch -----------------------------------------------------------

    /// How many open conversations the operator is responsible for, counted as `count` says.
    fn load(&self, op: &str, count: CountTowardCap) -> u32 {
        let mut n = 0;
        for c in &self.conversations {
            if let Where::Assigned { op: holder, .. } = &c.at {
                if holder == op {
                    let counts = match count {
                        CountTowardCap::Open => true,
                        CountTowardCap::AwaitingReply => c.awaiting_reply,
                        CountTowardCap::Unanswered => !c.answered,
                    };
                    if counts {
                        n += 1;
                    }
                }
            }
        }
        n
    }

    /// Available under the line's availability check (membership, channel and cap aside):
    /// active, and — when the line checks — outside absences and online, or with a started
    /// work day if the line tracks work time.
    fn available_on(&self, op: &str, line: &LineConfig) -> bool {
        self.op(op).is_some_and(|o| o.availability()[profile(line)])
    }

    fn has_room_on(&self, op: &str, line: &LineConfig) -> bool {
        let own = self.op(op).and_then(|o| o.max_open);
        let cap = match (own, line.max_open_per_operator) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match cap {
            None => true,
            Some(cap) => self.load(op, line.count_toward_cap) < cap,
        }
    }

    /// The line's members in queue order: each entry in turn, a group's members in order of
    /// creation, an operator named twice keeping the first place. Existing operators only.
    fn members(&self, line: &LineConfig) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for entry in &line.queue {
            match entry {
                QueueEntry::Operator(id) => {
                    if self.op(id.as_str()).is_some() && !out.iter().any(|m| m == id.as_str()) {
                        out.push(id.as_str().to_string());
                    }
                }
                QueueEntry::Group { group } => {
                    let mut in_group: Vec<&Operator> = self
                        .operators
                        .iter()
                        .filter(|o| o.exists && o.groups.iter().any(|g| g == group.as_str()))
                        .collect();
                    in_group.sort_by_key(|o| o.created);
                    for o in in_group {
                        if !out.contains(&o.id) {
                            out.push(o.id.clone());
                        }
                    }
                }
            }
        }
        out
    }

    /// The channel's operator list, when it restricts this conversation: the channel's list
    /// applies on the line it was (last) connected to.
    fn channel_list(&self, c: usize) -> Option<&Vec<String>> {
        let conv = &self.conversations[c];
        let chan = self.channel(&conv.channel)?;
        if chan.list_line.as_deref() == Some(conv.line.as_str()) {
            chan.operators.as_ref()
        } else {
            None
        }
    }

    /// Who may serve this conversation automatically, in queue order: members of its line,
    /// allowed on its channel.
    fn candidates(&self, c: usize) -> Vec<String> {
        let members = self.members(self.line_of(c));
        match self.channel_list(c) {
            Some(list) => members.into_iter().filter(|m| list.contains(m)).collect(),
            None => members,
        }
    }

    /// Eligible for this conversation and under cap.
    fn ready_for(&self, c: usize, op: &str) -> bool {
        let line = self.line_of(c);
        self.candidates(c).iter().any(|m| m == op)
            && self.available_on(op, line)
            && self.has_room_on(op, line)
    }

    /// Tried for this conversation, and not come back since (under its line's profile).
    fn tried(&self, c: usize, op: &str) -> bool {
        let Some(o) = self.op_record(op) else {
            return false;
        };
        let p = profile(self.line_of(c));
        self.conversations[c]
            .tried
            .iter()
            .any(|(t, e)| t == op && e[p] == o.epoch[p])
    }

    fn any_still_tried(&self, c: usize) -> bool {
        self.conversations[c]
            .tried
            .iter()
            .any(|(t, _)| self.tried(c, t))
    }

    fn mark_tried(&mut self, c: usize, op: &str) {
        let epoch = self.op_record(op).map_or([0; 3], |o| o.epoch);
        let tried = &mut self.conversations[c].tried;
        tried.retain(|(t, _)| t != op);
        tried.push((op.to_string(), epoch));
    }

    /// Decides where a conversation should go now, changing nothing.
    fn plan(&self, c: usize) -> Plan {
        let conv = &self.conversations[c];
        let line = self.line_of(c);
        let client = self.client(&conv.client);
        let pinned = client.and_then(|cl| cl.pinned.clone());
        let last_operator = client.and_then(|cl| cl.last_operator.clone());

        if let Some(p) = pinned {
            match line.pinned_policy {
                PinnedPolicy::Always => {
                    // Whatever their load, presence, membership or channel list.
                    let active = self.op(&p).is_some_and(|o| o.active);
                    return if active {
                        Plan::Assign {
                            op: p,
                            reason: AssignReason::Pinned,
                            final_: true,
                        }
                    } else {
                        Plan::Wait(QueueReason::WaitingForPinned)
                    };
                }
                PinnedPolicy::Prefer => {
                    if self.ready_for(c, &p) && !self.tried(c, &p) {
                        return Plan::Assign {
                            op: p,
                            reason: AssignReason::Pinned,
                            final_: false,
                        };
                    }
                }
                PinnedPolicy::Ignore => {}
            }
        }

        if self.channel_list(c).is_some_and(|l| l.is_empty()) {
            return Plan::Wait(QueueReason::NoOperatorsForChannel);
        }

        if line.prefer_last_operator {
            if let Some(q) = last_operator {
                if self.ready_for(c, &q) && !self.tried(c, &q) {
                    return Plan::Assign {
                        op: q,
                        reason: AssignReason::LastOperator,
                        final_: false,
                    };
                }
            }
        }

        let candidates = self.candidates(c);
        let mut ready: Vec<(u32, u64, usize, String)> = Vec::new();
        for (pos, m) in candidates.iter().enumerate() {
            if self.available_on(m, line) && self.has_room_on(m, line) {
                let last = self.op(m).map_or(0, |o| o.last_assigned);
                let load = self.load(m, line.count_toward_cap);
                let key = match line.mode {
                    Mode::Strict | Mode::All => (0, 0, pos),
                    Mode::Evenly => (0, last, pos),
                    Mode::Balanced => (load, last, pos),
                };
                ready.push((key.0, key.1, key.2, m.clone()));
            }
        }
        ready.sort();

        if line.mode == Mode::All {
            if !ready.is_empty() {
                return Plan::Offer(ready.into_iter().map(|r| r.3).collect());
            }
        } else if let Some(r) = ready.iter().find(|r| !self.tried(c, &r.3)) {
            return Plan::Assign {
                op: r.3.clone(),
                reason: AssignReason::Routed,
                final_: false,
            };
        } else if self.any_still_tried(c) {
            return Plan::Exhausted;
        }

        if candidates.iter().any(|m| self.available_on(m, line)) {
            Plan::Wait(QueueReason::AtCapacity)
        } else {
            Plan::Wait(QueueReason::NoEligibleOperator)
        }
    }

    // ---- moving conversations ----------------------------------------------------------------

    /// Takes a conversation out of where it is (into limbo), cancelling its deadline. Returns
    /// where it was.
    fn leave(&mut self, c: usize) -> Where {
        let id = self.conversations[c].id.clone();
        self.timers
            .retain(|t| t.kind != TimerKind::Offer(id.clone()));
        std::mem::replace(&mut self.conversations[c].at, Where::Limbo)
    }

    fn cid(&self, c: usize) -> routeline::ConversationId {
        self.conversations[c].id.as_str().into()
    }

    fn lid(&self, c: usize) -> routeline::LineId {
        self.conversations[c].line.as_str().into()
    }

    fn offer_deadline(&self, c: usize) -> Option<DateTime<Utc>> {
        let secs = self.line_of(c).offer_timeout_secs?;
        self.now_()
            .checked_add_signed(TimeDelta::seconds(i64::from(secs)))
    }

    /// Assigns a conversation in limbo and says so.
    fn assign(&mut self, c: usize, op: &str, reason: AssignReason, final_: bool) {
        let answer_by = if final_ { None } else { self.offer_deadline(c) };
        if let Some(at) = answer_by {
            self.schedule(at, TimerKind::Offer(self.conversations[c].id.clone()));
        }
        self.conversations[c].at = Where::Assigned {
            op: op.to_string(),
            deadline: answer_by,
        };
        let seq = self.next_seq();
        self.op_record_mut(op).last_assigned = seq;
        self.emit(DecisionKind::Assigned {
            conversation: self.cid(c),
            line: self.lid(c),
            operator: op.into(),
            reason,
            answer_by,
        });
    }

    fn offer(&mut self, c: usize, ops: Vec<String>) {
        let expires_at = self.offer_deadline(c);
        self.emit(DecisionKind::Offered {
            conversation: self.cid(c),
            line: self.lid(c),
            operators: ops.iter().map(|o| o.as_str().into()).collect(),
            expires_at,
        });
        if let Some(at) = expires_at {
            self.schedule(at, TimerKind::Offer(self.conversations[c].id.clone()));
        }
        self.conversations[c].at = Where::Offered {
            ops,
            deadline: expires_at,
        };
    }

    fn enqueue(&mut self, c: usize, reason: QueueReason) {
        let seq = self.next_seq();
        self.conversations[c].at = Where::Waiting {
            since: self.now_(),
            seq,
        };
        self.emit(DecisionKind::Queued {
            conversation: self.cid(c),
            line: self.lid(c),
            reason,
        });
    }

    fn apply_plan(&mut self, c: usize, plan: Plan) {
        match plan {
            Plan::Assign { op, reason, final_ } => self.assign(c, &op, reason, final_),
            Plan::Offer(ops) => self.offer(c, ops),
            Plan::Wait(reason) => self.enqueue(c, reason),
            Plan::Exhausted => match self.line_of(c).on_exhausted {
                OnExhausted::Requeue => self.enqueue(c, QueueReason::Exhausted),
                // Nothing to keep (the last one left): forget who was tried, from the top.
                OnExhausted::Cycle | OnExhausted::KeepLast => {
                    self.conversations[c].tried.clear();
                    let plan = self.plan(c);
                    self.apply_plan(c, plan);
                }
            },
        }
    }

    /// Routes a conversation in limbo.
    fn route(&mut self, c: usize) {
        let plan = self.plan(c);
        self.apply_plan(c, plan);
    }

    fn unassigned(&mut self, c: usize, op: &str, reason: UnassignReason) {
        self.emit(DecisionKind::Unassigned {
            conversation: self.cid(c),
            operator: op.into(),
            reason,
        });
    }

    fn withdrawn(&mut self, c: usize, op: &str, reason: WithdrawReason) {
        self.emit(DecisionKind::OfferWithdrawn {
            conversation: self.cid(c),
            operator: op.into(),
            reason,
        });
    }

    /// Makes an unconfirmed assignment final.
    fn confirm(&mut self, c: usize) {
        if let Where::Assigned { op, deadline } = self.conversations[c].at.clone() {
            if deadline.is_some() {
                self.leave(c);
                self.conversations[c].at = Where::Assigned { op, deadline: None };
            }
        }
    }

    /// Takes a conversation from wherever it is, telling who lost it. Returns the operator
    /// who held it.
    fn leave_telling(
        &mut self,
        c: usize,
        winner: Option<&str>,
        unassign: UnassignReason,
    ) -> Option<String> {
        match self.leave(c) {
            Where::Assigned { op, .. } => {
                self.unassigned(c, &op, unassign);
                Some(op)
            }
            Where::Offered { ops, .. } => {
                for o in ops {
                    if Some(o.as_str()) != winner {
                        self.withdrawn(c, &o, WithdrawReason::AcceptedElsewhere);
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// A manual move to a named operator: final at once, caps ignored; the holder of an
    /// unanswered assignment confirms it silently.
    fn give_to(&mut self, c: usize, op: &str, reason: AssignReason, unassign: UnassignReason) {
        if let Where::Assigned { op: holder, .. } = &self.conversations[c].at {
            if holder == op {
                self.confirm(c);
                return;
            }
        }
        self.leave_telling(c, Some(op), unassign);
        self.assign(c, op, reason, true);
    }

    /// The holder of an unanswered assignment lets it go (became unavailable): next one.
    fn move_on(&mut self, c: usize, reason: UnassignReason) {
        if let Where::Assigned { op, .. } = self.leave(c) {
            self.unassigned(c, &op, reason);
            self.mark_tried(c, &op);
            self.route(c);
        }
    }

    /// One operator loses an `all`-mode offer; with nobody left it is routed again.
    fn withdraw_one(&mut self, c: usize, op: &str, reason: WithdrawReason) {
        let Where::Offered { ops, .. } = &mut self.conversations[c].at else {
            return;
        };
        ops.retain(|o| o != op);
        let empty = ops.is_empty();
        self.withdrawn(c, op, reason);
        if empty {
            self.leave(c);
            self.route(c);
        }
    }

    fn close(&mut self, c: usize, reason: CloseReason) {
        if let Where::Assigned { op, .. } = self.leave(c) {
            let client = self.conversations[c].client.clone();
            self.client_mut(&client).last_operator = Some(op);
        }
        let conv = &mut self.conversations[c];
        conv.at = Where::Closed;
        conv.tried.clear();
        self.emit(DecisionKind::Closed {
            conversation: self.cid(c),
            reason,
        });
    }

    /// Work conservation: every waiting conversation, longest waiting first across all lines,
    /// is placed if it can be; one that cannot be placed holds nobody back. Repeated until
    /// nothing moves.
    fn place_waiting(&mut self) {
        loop {
            let mut waiting: Vec<(u64, usize)> = self
                .conversations
                .iter()
                .enumerate()
                .filter_map(|(i, c)| match c.at {
                    Where::Waiting { seq, .. } => Some((seq, i)),
                    _ => None,
                })
                .collect();
            waiting.sort();
            let mut moved = false;
            for (_, c) in waiting {
                let mut plan = self.plan(c);
                if plan == Plan::Exhausted && self.line_of(c).on_exhausted != OnExhausted::Requeue {
                    self.conversations[c].tried.clear();
                    plan = self.plan(c);
                }
                if matches!(plan, Plan::Assign { .. } | Plan::Offer(_)) {
                    self.leave(c);
                    self.apply_plan(c, plan);
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
    }

    // ---- deadlines ---------------------------------------------------------------------------

    fn fire_due(&mut self, now: DateTime<Utc>) {
        loop {
            let next = self
                .timers
                .iter()
                .enumerate()
                .filter(|(_, t)| t.at <= now)
                .min_by_key(|(_, t)| (t.at, t.seq))
                .map(|(i, _)| i);
            let Some(i) = next else {
                break;
            };
            let timer = self.timers.remove(i);
            self.clock = Some(match self.clock {
                Some(clock) if clock > timer.at => clock,
                _ => timer.at,
            });
            match timer.kind {
                TimerKind::Offer(id) => {
                    let c = self
                        .conv_index(&id)
                        .expect("timers name known conversations");
                    match self.conversations[c].at.clone() {
                        Where::Assigned { op, .. } => self.assignment_expired(c, &op),
                        Where::Offered { .. } => self.offer_expired(c),
                        _ => {}
                    }
                }
                TimerKind::Absence(op) => self.absences_changed(&op),
            }
            self.place_waiting();
        }
    }

    /// An unanswered assignment reached its deadline: the next one not yet tried gets it;
    /// with everyone tried, `on_exhausted` decides (`keep_last` keeps it).
    fn assignment_expired(&mut self, c: usize, holder: &str) {
        self.mark_tried(c, holder);
        // Plan as if the holder had let go of it.
        let was = std::mem::replace(&mut self.conversations[c].at, Where::Limbo);
        let plan = self.plan(c);
        let keep = match &plan {
            Plan::Exhausted => self.line_of(c).on_exhausted == OnExhausted::KeepLast,
            // Only an `always` pin picks the holder again: nobody else could take it anyway.
            Plan::Assign { op, .. } => op == holder,
            _ => false,
        };
        self.conversations[c].at = was;
        if keep {
            self.confirm(c);
            return;
        }
        self.leave(c);
        self.unassigned(c, holder, UnassignReason::NoAnswer);
        self.apply_plan(c, plan);
    }

    /// An `all`-mode offer expired: every offer withdrawn, then renewed to whoever is eligible.
    fn offer_expired(&mut self, c: usize) {
        if let Where::Offered { ops, .. } = self.leave(c) {
            for o in ops {
                self.withdrawn(c, &o, WithdrawReason::Expired);
            }
            self.route(c);
        }
    }

    // ---- operators ---------------------------------------------------------------------------

    /// After a change to what makes an operator available: coming back under a profile makes
    /// them "not yet tried" again on lines of that profile; unanswered assignments and offers
    /// on lines where they are no longer available move on.
    fn availability_changed(&mut self, op: &str, before: [bool; 3]) {
        let after = self.op_record_mut(op).availability();
        if before == after {
            return;
        }
        for p in 0..3 {
            if !before[p] && after[p] {
                self.op_record_mut(op).epoch[p] += 1;
            }
        }
        let mut lose = Vec::new();
        let mut withdraw = Vec::new();
        for (i, conv) in self.conversations.iter().enumerate() {
            let available = || self.available_on(op, self.line_of(i));
            match &conv.at {
                Where::Assigned {
                    op: holder,
                    deadline: Some(_),
                } if holder == op && !available() => lose.push(i),
                Where::Offered { ops, .. } if ops.iter().any(|o| o == op) && !available() => {
                    withdraw.push(i)
                }
                _ => {}
            }
        }
        for c in lose {
            self.move_on(c, UnassignReason::Unavailable);
        }
        for c in withdraw {
            self.withdraw_one(c, op, WithdrawReason::Unavailable);
        }
    }

    fn upsert_operator(&mut self, cfg: &OperatorConfig) {
        let id = cfg.operator.as_str();
        let before = self.op_record_mut(id).availability();
        if !self.op_record_mut(id).exists {
            let first = self.op_record_mut(id).created == 0;
            let seq = if first { self.next_seq() } else { 0 };
            let o = self.op_record_mut(id);
            o.exists = true;
            if first {
                o.created = seq;
            }
        }
        let mut groups: Vec<String> = Vec::new();
        for g in &cfg.groups {
            if !groups.iter().any(|x| x == g.as_str()) {
                groups.push(g.as_str().to_string());
            }
        }
        let o = self.op_record_mut(id);
        o.groups = groups;
        o.max_open = cfg.max_open;
        o.active = cfg.active;
        self.availability_changed(id, before);
    }

    fn remove_operator(&mut self, id: &str) {
        for cl in &mut self.clients {
            if cl.pinned.as_deref() == Some(id) {
                cl.pinned = None;
            }
        }
        self.timers
            .retain(|t| t.kind != TimerKind::Absence(id.to_string()));
        let o = self.op_record_mut(id);
        o.exists = false;
        o.groups.clear();
        o.absences.clear();
        o.in_absence = false;
        o.presence = Presence::Offline;
        o.workday = false;
        o.max_open = None;
        o.active = true;
        let held: Vec<usize> = (0..self.conversations.len())
            .filter(
                |&i| matches!(&self.conversations[i].at, Where::Assigned { op, .. } if op == id),
            )
            .collect();
        for c in held {
            self.leave(c);
            self.unassigned(c, id, UnassignReason::Removed);
            self.route(c);
        }
        let offered: Vec<usize> = (0..self.conversations.len())
            .filter(|&i| {
                matches!(&self.conversations[i].at, Where::Offered { ops, .. } if ops.iter().any(|o| o == id))
            })
            .collect();
        for c in offered {
            self.withdraw_one(c, id, WithdrawReason::Removed);
        }
    }

    fn set_presence(&mut self, id: &str, status: Presence) {
        let before = self.op_record_mut(id).availability();
        self.op_record_mut(id).presence = status;
        self.availability_changed(id, before);
    }

    fn set_workday(&mut self, id: &str, started: bool) {
        let before = self.op_record_mut(id).availability();
        self.op_record_mut(id).workday = started;
        self.availability_changed(id, before);
    }

    fn add_absence(&mut self, id: &str, from: DateTime<Utc>, until: DateTime<Utc>) {
        let now = self.now_();
        if until <= now {
            // Already over: it changes nothing.
            return;
        }
        if from > now {
            self.schedule(from, TimerKind::Absence(id.to_string()));
        }
        self.schedule(until, TimerKind::Absence(id.to_string()));
        self.op_record_mut(id).absences.push((from, until));
        self.absences_changed(id);
    }

    fn clear_absences(&mut self, id: &str) {
        self.timers
            .retain(|t| t.kind != TimerKind::Absence(id.to_string()));
        self.op_record_mut(id).absences.clear();
        self.absences_changed(id);
    }

    /// Looks at the operator's absence windows again, as of now.
    fn absences_changed(&mut self, id: &str) {
        let now = self.now_();
        let before = self.op_record_mut(id).availability();
        let o = self.op_record_mut(id);
        o.absences.retain(|&(_, until)| until > now);
        o.in_absence = o
            .absences
            .iter()
            .any(|&(from, until)| from <= now && now < until);
        self.availability_changed(id, before);
    }

    // ---- lines and channels ------------------------------------------------------------------

    fn upsert_line(&mut self, cfg: &LineConfig) {
        match self.lines.iter_mut().find(|l| l.line == cfg.line) {
            Some(l) => *l = cfg.clone(),
            None => self.lines.push(cfg.clone()),
        }
    }

    fn remove_line(&mut self, id: &str) {
        for c in 0..self.conversations.len() {
            let conv = &self.conversations[c];
            if conv.line == id && conv.at != Where::Closed {
                self.close(c, CloseReason::LineRemoved);
            }
        }
        for ch in &mut self.channels {
            if ch.list_line.as_deref() == Some(id) {
                ch.list_line = None;
            }
        }
        self.lines.retain(|l| l.line.as_str() != id);
    }

    fn connect_channel(&mut self, cfg: &ChannelConfig) {
        let operators = cfg.operators.as_ref().map(|ops| {
            let mut v: Vec<String> = Vec::new();
            for o in ops {
                if !v.iter().any(|x| x == o.as_str()) {
                    v.push(o.as_str().to_string());
                }
            }
            v
        });
        let line = cfg.line.as_str().to_string();
        let channel = Channel {
            id: cfg.channel.as_str().to_string(),
            line: Some(line.clone()),
            list_line: Some(line),
            operators,
        };
        match self.channels.iter_mut().find(|c| c.id == channel.id) {
            Some(c) => *c = channel,
            None => self.channels.push(channel),
        }
    }

    // ---- validation --------------------------------------------------------------------------

    fn need_op(&self, id: &str) -> Result<(), ModelError> {
        match self.op(id) {
            Some(_) => Ok(()),
            None => err(format!("unknown operator {id}")),
        }
    }

    fn need_line(&self, id: &str) -> Result<(), ModelError> {
        match self.line(id) {
            Some(_) => Ok(()),
            None => err(format!("unknown line {id}")),
        }
    }

    /// A known channel that is connected now; returns its line.
    fn need_connected(&self, id: &str) -> Result<String, ModelError> {
        match self.channel(id) {
            None => err(format!("unknown channel {id}")),
            Some(ch) => match &ch.line {
                Some(l) => Ok(l.clone()),
                None => err(format!("channel {id} is disconnected")),
            },
        }
    }

    fn need_open(&self, id: &str) -> Result<usize, ModelError> {
        match self.conv_index(id) {
            None => err(format!("unknown conversation {id}")),
            Some(c) if self.conversations[c].at == Where::Closed => {
                err(format!("conversation {id} is closed"))
            }
            Some(c) => Ok(c),
        }
    }

    fn validate(&self, input: &Input) -> Result<(), ModelError> {
        match input {
            Input::UpsertOperator(_) | Input::UnpinClient { .. } | Input::Tick => Ok(()),
            Input::UpsertLine(cfg) => match cfg.offer_timeout_secs {
                Some(secs) if !(60..=43_200).contains(&secs) => {
                    err(format!("offer timeout {secs} out of range"))
                }
                _ => Ok(()),
            },
            Input::RemoveOperator { operator }
            | Input::PinClient { operator, .. }
            | Input::Presence { operator, .. }
            | Input::WorkdayStarted { operator }
            | Input::WorkdayEnded { operator }
            | Input::ClearAbsences { operator } => self.need_op(operator.as_str()),
            Input::Absence {
                operator,
                from,
                until,
            } => {
                self.need_op(operator.as_str())?;
                if until <= from {
                    return err("absence ends before it starts");
                }
                Ok(())
            }
            Input::RemoveLine { line } => {
                self.need_line(line.as_str())?;
                if self
                    .channels
                    .iter()
                    .any(|c| c.line.as_deref() == Some(line.as_str()))
                {
                    return err(format!("line {line} still has channels"));
                }
                Ok(())
            }
            Input::ConnectChannel(cfg) => {
                self.need_line(cfg.line.as_str())?;
                if let Some(ch) = self.channel(cfg.channel.as_str()) {
                    if let Some(on) = &ch.line {
                        if on != cfg.line.as_str() {
                            return err(format!("channel {} is on line {on}", cfg.channel));
                        }
                    }
                }
                Ok(())
            }
            Input::DisconnectChannel { channel } => match self.channel(channel.as_str()) {
                Some(_) => Ok(()),
                None => err(format!("unknown channel {channel}")),
            },
            Input::MessageIn {
                conversation,
                client,
                channel,
            } => {
                self.need_connected(channel.as_str())?;
                if let Some(c) = self.conv_index(conversation.as_str()) {
                    let conv = &self.conversations[c];
                    if conv.client != client.as_str() || conv.channel != channel.as_str() {
                        return err("message_in with another client or channel");
                    }
                }
                Ok(())
            }
            Input::MessageOut {
                conversation,
                operator,
                client,
                channel,
            } => {
                self.need_op(operator.as_str())?;
                match self.conv_index(conversation.as_str()) {
                    None => match (client, channel) {
                        (Some(_), Some(ch)) => self.need_connected(ch.as_str()).map(|_| ()),
                        _ => err("an outbound message_out needs client and channel"),
                    },
                    Some(c) => {
                        let conv = &self.conversations[c];
                        if client.as_ref().is_some_and(|cl| cl.as_str() != conv.client) {
                            return err("message_out with another client");
                        }
                        if channel
                            .as_ref()
                            .is_some_and(|ch| ch.as_str() != conv.channel)
                        {
                            return err("message_out with another channel");
                        }
                        if conv.at == Where::Closed {
                            self.need_connected(&conv.channel)?;
                        }
                        Ok(())
                    }
                }
            }
            Input::Accept {
                conversation,
                operator,
            } => {
                let c = self.need_open(conversation.as_str())?;
                self.need_op(operator.as_str())?;
                let offered = match &self.conversations[c].at {
                    Where::Assigned { op, .. } => op == operator.as_str(),
                    Where::Offered { ops, .. } => ops.iter().any(|o| o == operator.as_str()),
                    _ => false,
                };
                if offered {
                    Ok(())
                } else {
                    err(format!("{conversation} is not offered to {operator}"))
                }
            }
            Input::Take {
                conversation,
                operator,
            } => {
                self.need_open(conversation.as_str())?;
                self.need_op(operator.as_str())
            }
            Input::Transfer {
                conversation,
                to_operator,
                to_line,
            } => {
                self.need_open(conversation.as_str())?;
                match (to_operator, to_line) {
                    (Some(op), None) => self.need_op(op.as_str()),
                    (None, Some(line)) => self.need_line(line.as_str()),
                    _ => err("a transfer names exactly one of to_operator and to_line"),
                }
            }
            Input::Close { conversation } | Input::Spam { conversation } => {
                self.need_open(conversation.as_str()).map(|_| ())
            }
            _ => err("an input the model does not know"),
        }
    }

    // ---- applying ----------------------------------------------------------------------------

    fn apply(&mut self, input: &Input) {
        match input {
            Input::UpsertOperator(cfg) => self.upsert_operator(cfg),
            Input::RemoveOperator { operator } => self.remove_operator(operator.as_str()),
            Input::UpsertLine(cfg) => self.upsert_line(cfg),
            Input::RemoveLine { line } => self.remove_line(line.as_str()),
            Input::ConnectChannel(cfg) => self.connect_channel(cfg),
            Input::DisconnectChannel { channel } => {
                if let Some(ch) = self.channels.iter_mut().find(|c| c.id == channel.as_str()) {
                    ch.line = None;
                }
            }
            Input::PinClient { client, operator } => {
                self.client_mut(client.as_str()).pinned = Some(operator.as_str().to_string());
            }
            Input::UnpinClient { client } => self.client_mut(client.as_str()).pinned = None,
            Input::Presence { operator, status } => self.set_presence(operator.as_str(), *status),
            Input::WorkdayStarted { operator } => self.set_workday(operator.as_str(), true),
            Input::WorkdayEnded { operator } => self.set_workday(operator.as_str(), false),
            Input::Absence {
                operator,
                from,
                until,
            } => self.add_absence(operator.as_str(), *from, *until),
            Input::ClearAbsences { operator } => self.clear_absences(operator.as_str()),
            Input::MessageIn {
                conversation,
                client,
                channel,
            } => self.message_in(conversation.as_str(), client.as_str(), channel.as_str()),
            Input::MessageOut {
                conversation,
                operator,
                client,
                channel,
            } => self.message_out(
                conversation.as_str(),
                operator.as_str(),
                client.as_ref().map(|c| c.as_str()),
                channel.as_ref().map(|c| c.as_str()),
            ),
            Input::Accept {
                conversation,
                operator,
            } => {
                let c = self.conv_index(conversation.as_str()).expect("validated");
                self.give_to(
                    c,
                    operator.as_str(),
                    AssignReason::Accepted,
                    UnassignReason::TakenOver,
                );
            }
            Input::Take {
                conversation,
                operator,
            } => {
                let c = self.conv_index(conversation.as_str()).expect("validated");
                self.give_to(
                    c,
                    operator.as_str(),
                    AssignReason::Taken,
                    UnassignReason::TakenOver,
                );
            }
            Input::Transfer {
                conversation,
                to_operator,
                to_line,
            } => {
                let c = self.conv_index(conversation.as_str()).expect("validated");
                match (to_operator, to_line) {
                    (Some(op), _) => self.give_to(
                        c,
                        op.as_str(),
                        AssignReason::Transferred,
                        UnassignReason::Transferred,
                    ),
                    (None, Some(line)) => self.transfer_to_line(c, line.as_str()),
                    (None, None) => {}
                }
            }
            Input::Close { conversation } => {
                let c = self.conv_index(conversation.as_str()).expect("validated");
                self.close(c, CloseReason::Closed);
            }
            Input::Spam { conversation } => {
                let c = self.conv_index(conversation.as_str()).expect("validated");
                self.close(c, CloseReason::Spam);
            }
            Input::Tick => {}
            _ => {}
        }
    }

    /// Opens a new conversation on the channel's line, in limbo.
    fn open(&mut self, id: &str, client: &str, channel: &str) -> usize {
        let line = self
            .channel(channel)
            .and_then(|c| c.line.clone())
            .expect("validated: the channel is connected");
        self.client_mut(client);
        self.conversations.push(Conversation {
            id: id.to_string(),
            client: client.to_string(),
            channel: channel.to_string(),
            line,
            at: Where::Limbo,
            awaiting_reply: false,
            answered: false,
            tried: Vec::new(),
        });
        self.conversations.len() - 1
    }

    /// A closed conversation opens again on its channel's current line, in limbo.
    fn reopen(&mut self, c: usize) {
        let line = self
            .channel(&self.conversations[c].channel)
            .and_then(|ch| ch.line.clone())
            .expect("validated: the channel is connected");
        let conv = &mut self.conversations[c];
        conv.line = line;
        conv.tried.clear();
        conv.at = Where::Limbo;
    }

    fn message_in(&mut self, id: &str, client: &str, channel: &str) {
        let c = match self.conv_index(id) {
            None => self.open(id, client, channel),
            Some(c) if self.conversations[c].at == Where::Closed => {
                self.reopen(c);
                c
            }
            Some(c) => {
                // The client speaks in an open conversation: it now awaits a reply.
                self.conversations[c].awaiting_reply = true;
                return;
            }
        };
        let conv = &mut self.conversations[c];
        conv.awaiting_reply = true;
        conv.answered = false;
        self.route(c);
    }

    fn message_out(&mut self, id: &str, op: &str, client: Option<&str>, channel: Option<&str>) {
        let c = match self.conv_index(id) {
            None => {
                let c = self.open(id, client.expect("validated"), channel.expect("validated"));
                Some(c)
            }
            Some(c) if self.conversations[c].at == Where::Closed => {
                self.reopen(c);
                Some(c)
            }
            Some(_) => None,
        };
        if let Some(c) = c {
            // An outbound conversation, assigned to its author for good.
            let conv = &mut self.conversations[c];
            conv.awaiting_reply = false;
            conv.answered = true;
            self.assign(c, op, AssignReason::Outbound, true);
        } else {
            let c = self.conv_index(id).expect("known");
            let conv = &mut self.conversations[c];
            conv.awaiting_reply = false;
            conv.answered = true;
            let reason = match &self.conversations[c].at {
                Where::Offered { ops, .. } if ops.iter().any(|o| o == op) => AssignReason::Accepted,
                _ => AssignReason::Taken,
            };
            self.give_to(c, op, reason, UnassignReason::TakenOver);
        }
        let c = self.conv_index(id).expect("known");
        let client = self.conversations[c].client.clone();
        self.client_mut(&client).last_operator = Some(op.to_string());
    }

    /// To a line: routed there as an arrival, the operator who held it counted as tried.
    fn transfer_to_line(&mut self, c: usize, line: &str) {
        let holder = self.leave_telling(c, None, UnassignReason::Transferred);
        let conv = &mut self.conversations[c];
        conv.line = line.to_string();
        conv.tried.clear();
        if let Some(h) = holder {
            self.mark_tried(c, &h);
        }
        self.route(c);
    }
}
