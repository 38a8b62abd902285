//! Work conservation: waiting conversations are placed the moment capacity appears, the most
//! urgent first across every line (the highest effective priority, then the longest wait —
//! DESIGN §7), with no periodic sweep.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ops::Bound;

use super::Plan;
use crate::index::pools::PoolRef;
use crate::index::waiting::Bucket;
use crate::model::conversation::Place;
use crate::model::ids::{ClientIdx, ConvIdx, LineIdx};
use crate::state::State;
use crate::wire::decision::QueueReason;

impl State {
    /// A waiting conversation gets another chance: placed if it can be, else it keeps its place
    /// in the line (moving to another bucket if what it waits for changed). Emits nothing when
    /// it stays.
    pub(crate) fn retry_waiting(&mut self, c: ConvIdx) {
        let Place::Waiting { key, bucket } = self.core.facts.convs[c].place else {
            return;
        };
        let plan = self.replan(c);
        match plan {
            Plan::Assign { .. } | Plan::Offer(_) => {
                self.core.leave(c);
                self.apply_plan(c, plan);
            }
            Plan::Wait(_, to) | Plan::Exhausted(to) => {
                if to != bucket {
                    self.core.leave(c);
                    self.core.place_waiting(c, key, to);
                }
            }
        }
    }

    /// Every conversation waiting on line `l` gets another chance, in arrival order, after a
    /// change of the line's settings (the queue, the mode, a cap, the pinned policy …).
    pub(crate) fn retry_line(&mut self, l: LineIdx) {
        let waiting: Vec<ConvIdx> = self.core.idx.lines[l].waiting.values().copied().collect();
        for c in waiting {
            self.retry_waiting(c);
        }
    }

    /// A client's waiting conversations get another chance after their pin changed, the most
    /// urgent first.
    pub(crate) fn retry_client(&mut self, cl: ClientIdx) {
        let convs = self.core.idx.client_convs[cl].clone();
        let waiting = convs
            .into_iter()
            .filter(|&c| matches!(self.core.facts.convs[c].place, Place::Waiting { .. }));
        for c in self.by_urgency(waiting.collect()) {
            self.retry_waiting(c);
        }
    }

    /// Waiting conversations, the most urgent first.
    pub(crate) fn by_urgency(&self, mut convs: Vec<ConvIdx>) -> Vec<ConvIdx> {
        convs.sort_by_cached_key(|&c| self.core.urgency(c));
        convs.dedup();
        convs
    }

    /// The waiting conversations of the lines that opened at this instant get their chance,
    /// the most urgent first across all of them.
    pub(crate) fn route_opened_lines(&mut self) {
        let opened = self.features.schedule.take_opened();
        let mut waiting: Vec<ConvIdx> = Vec::new();
        for l in opened {
            if self.core.facts.lines[l].is_some() {
                waiting.extend(self.core.idx.lines[l].waiting.values().copied());
            }
        }
        for c in self.by_urgency(waiting) {
            self.retry_waiting(c);
        }
    }

    /// Whether a bucket still exists (a line removed by the same input takes its buckets along).
    fn bucket_live(&self, b: Bucket) -> bool {
        match b {
            Bucket::Pool(PoolRef::Line(l)) | Bucket::Voice(PoolRef::Line(l)) => {
                self.core.facts.lines[l].is_some()
            }
            Bucket::Pool(PoolRef::Channel(_))
            | Bucket::Voice(PoolRef::Channel(_))
            | Bucket::Pinned(_) => true,
        }
    }

    /// Whether a bucket could place anything now.
    fn bucket_open(&self, b: Bucket) -> bool {
        let open = |p: PoolRef| {
            let line = match p {
                PoolRef::Line(l) => Some(l),
                PoolRef::Channel(ch) => self.core.facts.chans[ch].pool_line,
            };
            line.is_some_and(|l| self.features.schedule.is_open(l))
        };
        match b {
            Bucket::Pool(p) => open(p) && !self.core.pool(p).ready.is_empty(),
            Bucket::Voice(p) => open(p) && !self.core.pool(p).free.is_empty(),
            Bucket::Pinned(o) => self.core.facts.ops[o].is_active(),
        }
    }

    /// Places waiting conversations wherever capacity appeared, the most urgent first across
    /// every line; one that cannot be placed never holds back those behind it. Then says
    /// `queued` for those that came back to their queue during the input and still wait.
    pub(crate) fn drain(&mut self) {
        while !self.core.idx.dirty.is_empty() {
            let dirty = std::mem::take(&mut self.core.idx.dirty);
            let mut heap = BinaryHeap::new();
            for b in dirty.into_iter().filter(|&b| self.bucket_live(b)) {
                if let Some((&key, &c)) = self.core.bucket_ref(b).first_key_value() {
                    heap.push(Reverse((self.core.urgency(c), key, b)));
                }
            }
            while let Some(Reverse((_, key, b))) = heap.pop() {
                if !self.bucket_open(b) {
                    continue;
                }
                if let Bucket::Pinned(_) = b {
                    // Their pinned operator takes them all; across lines their keys do not
                    // compare, so they go by urgency.
                    let all = self.core.bucket_ref(b).values().copied().collect();
                    for c in self.by_urgency(all) {
                        self.retry_waiting(c);
                    }
                    continue;
                }
                if let Some(&c) = self.core.bucket_ref(b).get(&key) {
                    self.retry_waiting(c);
                }
                let next = self
                    .core
                    .bucket_ref(b)
                    .range((Bound::Excluded(key), Bound::Unbounded))
                    .next()
                    .map(|(&k, &c)| (k, c));
                if let Some((next, c)) = next {
                    heap.push(Reverse((self.core.urgency(c), next, b)));
                }
            }
        }
        for c in std::mem::take(&mut self.core.idx.returning) {
            if let Place::Waiting { .. } = self.core.facts.convs[c].place {
                // As when it came back: a line that does not requeue starts the round again.
                let reason = match self.replan(c) {
                    Plan::Wait(reason, _) => reason,
                    Plan::Exhausted(_) => QueueReason::Exhausted,
                    // Capacity it could take went to the queue before it.
                    Plan::Assign { .. } | Plan::Offer(_) => QueueReason::AtCapacity,
                };
                self.queued(c, reason);
            }
        }
    }
}
