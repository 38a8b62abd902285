//! The queue modes: how each orders a pool's ready operators, and how a pick reads that order.
//! The one place that knows the modes.

use super::Plan;
use crate::index::pools::{PoolRef, Pos};
use crate::index::waiting::Bucket;
use crate::model::ids::{ConvIdx, OpIdx};
use crate::state::Core;
use crate::wire::config::{LineConfig, Mode};
use crate::wire::decision::{AssignReason, QueueReason};

/// The order of a pool's ready set. Fields a mode does not use are zero, so one ordered set
/// serves every mode: `strict` (and `all`) sort by position, `evenly` by last assignment then
/// position, `balanced` by load, then last assignment, then position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key {
    pub(crate) load: u32,
    pub(crate) last: u64,
    pub(crate) pos: Pos,
    pub(crate) op: OpIdx,
}

impl Core {
    /// Whether an operator at `pos` in a pool of `line` is eligible, their key in its ready
    /// set if they are also under cap and hold no call (DESIGN §7), and whether they are free
    /// for a call besides (they hold nothing at all).
    pub(crate) fn ready_key(
        &self,
        o: OpIdx,
        line: &LineConfig,
        pos: Pos,
        holds_nothing: bool,
    ) -> (bool, Option<Key>, bool) {
        let op = &self.facts.ops[o];
        if !op.available_on(line) {
            return (false, None, false);
        }
        if !self.has_room_on(o, line) || self.idx.ops[o].voice > 0 {
            return (true, None, false);
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
                load: self.idx.ops[o].load.get(line.count_toward_cap),
                last: op.last_assigned,
                pos,
                op: o,
            },
        };
        (true, Some(key), holds_nothing)
    }

    /// The line's mode picks from the pool's ready set: every ready operator in mode `all`,
    /// else the first in the mode's order not yet tried. With nobody to pick, the plan says
    /// why the conversation waits — or that everyone with room was tried.
    ///
    /// A call or callback picks only among operators who hold nothing (the pool's free set)
    /// and waits in the pool's voice bucket.
    pub(crate) fn pick(&self, c: ConvIdx, pool: PoolRef, mode: Mode) -> Plan {
        let p = self.pool(pool);
        let voice = self.facts.convs[c].request.is_voice();
        let (ready, bucket) = if voice {
            (&p.free, Bucket::Voice(pool))
        } else {
            (&p.ready, Bucket::Pool(pool))
        };
        if mode == Mode::All {
            if !ready.is_empty() {
                return Plan::Offer(ready.iter().map(|k| k.op).collect());
            }
        } else if let Some(k) = ready.iter().find(|k| !self.tried(c, k.op)) {
            return Plan::Assign {
                op: k.op,
                reason: AssignReason::Routed,
                final_: false,
            };
        } else if self.has_live_tried(c) {
            return Plan::Exhausted(bucket);
        }
        let reason = if p.eligible > 0 {
            QueueReason::AtCapacity
        } else {
            QueueReason::NoEligibleOperator
        };
        Plan::Wait(reason, bucket)
    }
}
