//! Routing: where a conversation should go, and the moves that take it there.
//!
//! [`State::plan`] is the pipeline — `always` pins, working hours, the pinned policy, a
//! channel without operators, the last operator, then the line's mode — and decides without
//! changing anything; [`State::apply_plan`] carries a plan out. The modes' orders and picks
//! are in [`modes`]; the moves that keep facts and indices in step in [`moves`]; what happens
//! to offers and assignments in [`offers`]; placing waiting conversations when capacity
//! appears in [`drain`].
//!
//! Every pick reads the first entries of a pool's ordered ready set, so its cost is `O(log n)`
//! in the pool size (plus the few operators already tried), never a scan.

pub(crate) mod drain;
pub(crate) mod modes;
pub(crate) mod moves;
pub(crate) mod offers;

use crate::index::pools::PoolRef;
use crate::index::waiting::Bucket;
use crate::model::ids::{ConvIdx, OpIdx};
use crate::state::State;
use crate::wire::config::{OnExhausted, PinnedPolicy};
use crate::wire::decision::{AssignReason, QueueReason};

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
        let core = &self.core;
        let conv = &core.facts.convs[c];
        let line = &core.facts.line(conv.line).config;
        let client = &core.facts.clients[conv.client];
        let pool = core.pool_of(c);
        let voice = conv.request.is_voice();
        // Calls and callbacks wait apart from texts: they need an operator holding nothing.
        let bucket = if voice {
            Bucket::Voice(pool)
        } else {
            Bucket::Pool(pool)
        };

        // As `Facts::always_pinned`, from the line and client already at hand (the hot path).
        let always = client
            .pinned
            .filter(|_| line.pinned_policy == PinnedPolicy::Always);
        if let Some(p) = always {
            if !core.facts.ops[p].is_active() {
                return Plan::Wait(QueueReason::WaitingForPinned, Bucket::Pinned(p));
            }
        }
        if !self.features.schedule.is_open(conv.line) {
            return Plan::Wait(QueueReason::OffHours, bucket);
        }

        if let Some(p) = client.pinned {
            match line.pinned_policy {
                PinnedPolicy::Always => {
                    return if core.facts.ops[p].is_active() {
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
                    if core.can_take_in(p, pool, voice) && !core.tried(c, p) {
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
            if core.facts.chans[ch]
                .restrict
                .as_ref()
                .is_some_and(Vec::is_empty)
            {
                return Plan::Wait(QueueReason::NoOperatorsForChannel, bucket);
            }
        }

        if line.prefer_last_operator {
            if let Some(q) = client.last_operator {
                if core.can_take_in(q, pool, voice) && !core.tried(c, q) {
                    return Plan::Assign {
                        op: q,
                        reason: AssignReason::LastOperator,
                        final_: false,
                    };
                }
            }
        }

        core.pick(c, pool, line.mode)
    }

    /// The plan for a conversation routed again: on a line that does not requeue, having
    /// tried everyone starts the round again (`cycle`, and `keep_last` with nobody to keep).
    pub(crate) fn replan(&mut self, c: ConvIdx) -> Plan {
        let plan = self.plan(c);
        if let Plan::Exhausted(_) = plan {
            if self.core.facts.line_of(c).config.on_exhausted != OnExhausted::Requeue {
                self.core.facts.convs[c].tried.clear();
                return self.plan(c);
            }
        }
        plan
    }

    /// Routes a conversation that is in limbo (new, reopened, or just unassigned).
    pub(crate) fn route(&mut self, c: ConvIdx) {
        let plan = self.plan(c);
        self.apply_plan(c, plan);
    }

    /// A conversation whose placement ended unanswered, or whose holder or offers left, comes
    /// back to its queue with its place (DESIGN §7): it is placed again at once, unless a more
    /// urgent conversation waits for the same capacity — then it takes its place in the queue,
    /// and the drain places the queue in its order (a caller whose call rang out does not take
    /// the operator from a VIP waiting before it); `queued` follows only if it is still
    /// waiting then.
    pub(crate) fn route_back(&mut self, c: ConvIdx) {
        let plan = self.replan(c);
        if let Plan::Assign { final_: false, .. } | Plan::Offer(_) = plan {
            let pool = self.core.pool_of(c);
            let bucket = if self.core.facts.convs[c].request.is_voice() {
                Bucket::Voice(pool)
            } else {
                Bucket::Pool(pool)
            };
            // Either kind waiting before it may take the capacity just let go.
            if self
                .core
                .waits_behind(c, [Bucket::Pool(pool), Bucket::Voice(pool)])
            {
                self.core.enter_waiting(c, bucket);
                self.core.idx.dirty.insert(Bucket::Pool(pool));
                self.core.idx.dirty.insert(Bucket::Voice(pool));
                self.core.idx.returning.push(c);
                return;
            }
        }
        self.apply_plan(c, plan);
    }

    /// Carries out a plan for a conversation in limbo.
    pub(crate) fn apply_plan(&mut self, c: ConvIdx, plan: Plan) {
        match plan {
            Plan::Assign { op, reason, final_ } => self.assign(c, op, reason, final_),
            Plan::Offer(ops) => self.offer(c, ops),
            Plan::Wait(reason, bucket) => {
                self.core.enter_waiting(c, bucket);
                self.queued(c, reason);
            }
            Plan::Exhausted(bucket) => {
                let line = self.core.facts.convs[c].line;
                match self.core.facts.line(line).config.on_exhausted {
                    OnExhausted::Requeue => {
                        self.core.enter_waiting(c, bucket);
                        self.queued(c, QueueReason::Exhausted);
                    }
                    // `keep_last` keeps an assignment that times out (see `assignment_expired`);
                    // when the last one left instead, there is nothing to keep: start over.
                    OnExhausted::Cycle | OnExhausted::KeepLast => {
                        self.core.facts.convs[c].tried.clear();
                        let plan = self.plan(c);
                        debug_assert!(!matches!(plan, Plan::Exhausted(_)));
                        self.apply_plan(c, plan);
                    }
                }
            }
        }
    }
}
