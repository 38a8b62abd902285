//! Picking the operator: pinned policy, last operator, queue modes, offers and their expiry,
//! and the drain that places waiting conversations whenever capacity appears.
//!
//! Every pick reads the first entries of a pool's ordered ready set, so its cost is
//! `O(log n)` in the pool size (plus the few operators already tried), never a scan.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::config::{Mode, OnExhausted, PinnedPolicy};
use crate::decision::{
    AssignReason, BotLeftReason, DecisionKind, QueueReason, UnassignReason, WithdrawReason,
};
use crate::state::{Bucket, ConvIdx, ConvState, LineIdx, OpIdx, PoolRef, State};

/// Where a conversation should go now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    Assign {
        op: OpIdx,
        reason: AssignReason,
        /// No answer deadline (an `always`-pinned assignment).
        final_: bool,
    },
    Offer(Vec<OpIdx>),
    Wait(QueueReason, Bucket),
    /// Every eligible operator with room has been tried; `on_exhausted` decides.
    Exhausted(Bucket),
}

impl State {
    /// Decides where a conversation should go, without changing anything.
    pub(crate) fn plan(&self, c: ConvIdx) -> Plan {
        let conv = &self.convs[c as usize];
        let line = &self.line(conv.line).config;
        let client = &self.clients[conv.client as usize];
        let pool = self.pool_of(c);

        let always = client
            .pinned
            .filter(|_| line.pinned_policy == PinnedPolicy::Always);
        if let Some(p) = always {
            let op = &self.ops[p as usize];
            if !(op.exists && op.active) {
                return Plan::Wait(QueueReason::WaitingForPinned, Bucket::Pinned(p));
            }
        }
        if !self.line(conv.line).is_open {
            return Plan::Wait(QueueReason::OffHours, Bucket::Pool(pool));
        }

        if let Some(p) = client.pinned {
            match line.pinned_policy {
                PinnedPolicy::Always => {
                    let op = &self.ops[p as usize];
                    return if op.exists && op.active {
                        Plan::Assign {
                            op: p,
                            reason: AssignReason::Pinned,
                            final_: true,
                        }
                    } else {
                        Plan::Wait(QueueReason::WaitingForPinned, Bucket::Pinned(p))
                    };
                }
                PinnedPolicy::Prefer => {
                    if self.is_ready_in(p, pool) && !self.tried(c, p) {
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

        if let PoolRef::Channel(ch) = pool {
            if self.chans[ch as usize]
                .restrict
                .as_ref()
                .is_some_and(Vec::is_empty)
            {
                return Plan::Wait(QueueReason::NoOperatorsForChannel, Bucket::Pool(pool));
            }
        }

        if line.prefer_last_operator {
            if let Some(q) = client.last_operator {
                if self.is_ready_in(q, pool) && !self.tried(c, q) {
                    return Plan::Assign {
                        op: q,
                        reason: AssignReason::LastOperator,
                        final_: false,
                    };
                }
            }
        }

        let p = self.pool(pool);
        if line.mode == Mode::All {
            if !p.ready.is_empty() {
                return Plan::Offer(p.ready.iter().map(|k| k.op).collect());
            }
        } else if let Some(k) = p.ready.iter().find(|k| !self.tried(c, k.op)) {
            return Plan::Assign {
                op: k.op,
                reason: AssignReason::Routed,
                final_: false,
            };
        } else if self.has_live_tried(c) {
            return Plan::Exhausted(Bucket::Pool(pool));
        }
        let reason = if p.eligible > 0 {
            QueueReason::AtCapacity
        } else {
            QueueReason::NoEligibleOperator
        };
        Plan::Wait(reason, Bucket::Pool(pool))
    }

    /// Routes a conversation that is in limbo (new, reopened, or just unassigned).
    pub(crate) fn route(&mut self, c: ConvIdx) {
        let plan = self.plan(c);
        self.apply_plan(c, plan);
    }

    /// Carries out a plan for a conversation in limbo.
    pub(crate) fn apply_plan(&mut self, c: ConvIdx, plan: Plan) {
        match plan {
            Plan::Assign { op, reason, final_ } => self.assign(c, op, reason, final_),
            Plan::Offer(ops) => self.offer(c, ops),
            Plan::Wait(reason, bucket) => {
                self.enter_waiting(c, bucket);
                self.emit_queued(c, reason);
            }
            Plan::Exhausted(bucket) => {
                let line = self.convs[c as usize].line;
                match self.line(line).config.on_exhausted {
                    OnExhausted::Requeue => {
                        self.enter_waiting(c, bucket);
                        self.emit_queued(c, QueueReason::Exhausted);
                    }
                    // `keep_last` keeps an assignment that times out (see `offer_expired`);
                    // when the last one left instead, there is nothing to keep: start over.
                    OnExhausted::Cycle | OnExhausted::KeepLast => {
                        self.convs[c as usize].tried.clear();
                        let plan = self.plan(c);
                        debug_assert!(!matches!(plan, Plan::Exhausted(_)));
                        self.apply_plan(c, plan);
                    }
                }
            }
        }
    }

    /// When an offer made now on a line expires: `None` without an offer timeout, and also at
    /// the very end of representable time, where an offer simply never expires.
    fn offer_deadline(&self, line: LineIdx) -> Option<DateTime<Utc>> {
        let secs = self.line(line).config.offer_timeout_secs?;
        self.now()
            .checked_add_signed(TimeDelta::seconds(i64::from(secs)))
    }

    /// Assigns a conversation in limbo and says so.
    pub(crate) fn assign(&mut self, c: ConvIdx, o: OpIdx, reason: AssignReason, final_: bool) {
        let line = self.convs[c as usize].line;
        let answer_by = if final_ {
            None
        } else {
            self.offer_deadline(line)
        };
        self.enter_assigned(c, o, answer_by);
        self.emit(DecisionKind::Assigned {
            conversation: self.conv_name(c),
            line: self.line_name(line),
            operator: self.op_name(o),
            reason,
            answer_by,
        });
    }

    fn offer(&mut self, c: ConvIdx, ops: Vec<OpIdx>) {
        let line = self.convs[c as usize].line;
        let expires_at = self.offer_deadline(line);
        self.emit(DecisionKind::Offered {
            conversation: self.conv_name(c),
            line: self.line_name(line),
            operators: ops.iter().map(|&o| self.op_name(o)).collect(),
            expires_at,
        });
        self.enter_offered(c, ops, expires_at);
    }

    /// A waiting conversation gets another chance: placed if it can be, else it keeps its place
    /// in the line (moving to another bucket if what it waits for changed). Emits nothing when
    /// it stays.
    pub(crate) fn retry_waiting(&mut self, c: ConvIdx) {
        let ConvState::Waiting { since, seq, bucket } = self.convs[c as usize].state else {
            return;
        };
        let mut plan = self.plan(c);
        if let Plan::Exhausted(_) = plan {
            let line = self.convs[c as usize].line;
            if self.line(line).config.on_exhausted != OnExhausted::Requeue {
                self.convs[c as usize].tried.clear();
                plan = self.plan(c);
            }
        }
        match plan {
            Plan::Assign { .. } | Plan::Offer(_) => {
                self.leave(c);
                self.apply_plan(c, plan);
            }
            Plan::Wait(_, to) | Plan::Exhausted(to) => {
                if to != bucket {
                    self.leave(c);
                    self.place_waiting(c, since, seq, to);
                }
            }
        }
    }

    /// Whether a bucket still exists (a line removed by the same input takes its buckets along).
    fn bucket_live(&self, b: Bucket) -> bool {
        match b {
            Bucket::Pool(PoolRef::Line(l)) => self.lines[l as usize].is_some(),
            Bucket::Pool(PoolRef::Channel(_)) | Bucket::Pinned(_) => true,
        }
    }

    /// Whether a bucket could place anything now.
    fn bucket_open(&self, b: Bucket) -> bool {
        match b {
            Bucket::Pool(p) => {
                let line = match p {
                    PoolRef::Line(l) => Some(l),
                    PoolRef::Channel(ch) => self.chans[ch as usize].pool_line,
                };
                line.is_some_and(|l| self.line(l).is_open) && !self.pool(p).ready.is_empty()
            }
            Bucket::Pinned(o) => {
                let op = &self.ops[o as usize];
                op.exists && op.active
            }
        }
    }

    /// Places waiting conversations wherever capacity appeared, the longest waiting first across
    /// every line; one that cannot be placed never holds back those behind it.
    pub(crate) fn drain(&mut self) {
        while !self.dirty.is_empty() {
            let dirty = std::mem::take(&mut self.dirty);
            let mut heap = BinaryHeap::new();
            for b in dirty.into_iter().filter(|&b| self.bucket_live(b)) {
                if let Some((&seq, _)) = self.bucket_ref(b).first_key_value() {
                    heap.push(Reverse((seq, b)));
                }
            }
            while let Some(Reverse((seq, b))) = heap.pop() {
                if !self.bucket_open(b) {
                    continue;
                }
                if let Some(&c) = self.bucket_ref(b).get(&seq) {
                    self.retry_waiting(c);
                }
                if let Some((&next, _)) = self.bucket_ref(b).range(seq + 1..).next() {
                    heap.push(Reverse((next, b)));
                }
            }
        }
    }

    /// The holder of an unanswered assignment leaves it (no answer, unavailable): it moves to
    /// the next eligible operator not yet tried.
    pub(crate) fn move_on(&mut self, c: ConvIdx, reason: UnassignReason) {
        let ConvState::Assigned { op, .. } = self.leave(c) else {
            return;
        };
        self.emit_unassigned(c, op, reason);
        self.mark_tried(c, op);
        self.route(c);
    }

    /// An unanswered assignment reached its deadline.
    pub(crate) fn assignment_expired(&mut self, c: ConvIdx, holder: OpIdx) {
        self.mark_tried(c, holder);
        let plan = self.plan(c);
        let line = self.convs[c as usize].line;
        let keep = match &plan {
            Plan::Exhausted(_) => self.line(line).config.on_exhausted == OnExhausted::KeepLast,
            // Only an `always` pin picks the holder again: nobody else could take it anyway.
            Plan::Assign { op, .. } => *op == holder,
            _ => false,
        };
        if keep {
            self.confirm(c);
            return;
        }
        self.leave(c);
        self.emit_unassigned(c, holder, UnassignReason::NoAnswer);
        // Planned again now that the holder let go: their load no longer counts this
        // conversation (an `all`-mode renewal may offer it to them again).
        self.route(c);
    }

    /// An `all`-mode offer reached its deadline: withdrawn and renewed to whoever is eligible.
    pub(crate) fn offer_expired(&mut self, c: ConvIdx) {
        let ConvState::Offered { ops, .. } = self.leave(c) else {
            return;
        };
        for o in ops {
            self.emit_withdrawn(c, o, WithdrawReason::Expired);
        }
        self.route(c);
    }

    /// One operator loses an `all`-mode offer; with no offer left the conversation is routed
    /// again.
    pub(crate) fn withdraw_one(&mut self, c: ConvIdx, o: OpIdx, reason: WithdrawReason) {
        let ConvState::Offered { ops, .. } = &mut self.convs[c as usize].state else {
            return;
        };
        *ops = ops.iter().copied().filter(|&x| x != o).collect();
        let empty = ops.is_empty();
        self.ops[o as usize].offers.remove(&c);
        self.emit_withdrawn(c, o, reason);
        if empty {
            self.leave(c);
            self.route(c);
        }
    }

    /// A manual move to a named operator (accept, take, answer, transfer): final at once, caps
    /// ignored. Whoever held or was offered the conversation loses it first.
    pub(crate) fn give_to(
        &mut self,
        c: ConvIdx,
        o: OpIdx,
        reason: AssignReason,
        unassign: UnassignReason,
    ) {
        if let ConvState::Assigned { op, .. } = self.convs[c as usize].state {
            if op == o {
                self.confirm(c);
                return;
            }
        }
        self.leave_with_decisions(c, Some(o), unassign);
        self.assign(c, o, reason, true);
    }

    /// Takes a conversation out of its place, telling the host who lost it.
    pub(crate) fn leave_with_decisions(
        &mut self,
        c: ConvIdx,
        winner: Option<OpIdx>,
        unassign: UnassignReason,
    ) -> Option<OpIdx> {
        match self.leave(c) {
            ConvState::Assigned { op, .. } => {
                self.emit_unassigned(c, op, unassign);
                Some(op)
            }
            ConvState::Offered { ops, .. } => {
                for x in ops {
                    if Some(x) != winner {
                        self.emit_withdrawn(c, x, WithdrawReason::AcceptedElsewhere);
                    }
                }
                None
            }
            ConvState::WithBot { bot, .. } => {
                self.emit(DecisionKind::BotLeft {
                    conversation: self.conv_name(c),
                    bot: bot.into(),
                    reason: BotLeftReason::Handoff,
                });
                None
            }
            _ => None,
        }
    }

    pub(crate) fn emit_unassigned(&mut self, c: ConvIdx, o: OpIdx, reason: UnassignReason) {
        self.emit(DecisionKind::Unassigned {
            conversation: self.conv_name(c),
            operator: self.op_name(o),
            reason,
        });
    }

    pub(crate) fn emit_withdrawn(&mut self, c: ConvIdx, o: OpIdx, reason: WithdrawReason) {
        self.emit(DecisionKind::OfferWithdrawn {
            conversation: self.conv_name(c),
            operator: self.op_name(o),
            reason,
        });
    }
}
