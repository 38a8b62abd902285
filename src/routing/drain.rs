//! Work conservation: waiting conversations are placed the moment capacity appears, longest
//! waiting first across every line, with no periodic sweep.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::Plan;
use crate::index::pools::PoolRef;
use crate::index::waiting::Bucket;
use crate::model::conversation::Place;
use crate::model::ids::{ClientIdx, ConvIdx, LineIdx};
use crate::state::State;
use crate::wire::config::OnExhausted;

impl State {
    /// A waiting conversation gets another chance: placed if it can be, else it keeps its place
    /// in the line (moving to another bucket if what it waits for changed). Emits nothing when
    /// it stays.
    pub(crate) fn retry_waiting(&mut self, c: ConvIdx) {
        let Place::Waiting { since, seq, bucket } = self.core.facts.convs[c].place else {
            return;
        };
        let mut plan = self.plan(c);
        if let Plan::Exhausted(_) = plan {
            if self.core.facts.line_of(c).config.on_exhausted != OnExhausted::Requeue {
                self.core.facts.convs[c].tried.clear();
                plan = self.plan(c);
            }
        }
        match plan {
            Plan::Assign { .. } | Plan::Offer(_) => {
                self.core.leave(c);
                self.apply_plan(c, plan);
            }
            Plan::Wait(_, to) | Plan::Exhausted(to) => {
                if to != bucket {
                    self.core.leave(c);
                    self.core.place_waiting(c, since, seq, to);
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

    /// A client's waiting conversations get another chance after their pin changed.
    pub(crate) fn retry_client(&mut self, cl: ClientIdx) {
        let convs = self.core.idx.client_convs[cl].clone();
        let mut waiting: Vec<(u64, ConvIdx)> = convs
            .into_iter()
            .filter_map(|c| match self.core.facts.convs[c].place {
                Place::Waiting { seq, .. } => Some((seq, c)),
                _ => None,
            })
            .collect();
        waiting.sort_unstable();
        for (_, c) in waiting {
            self.retry_waiting(c);
        }
    }

    /// The waiting conversations of the lines that opened at this instant get their chance,
    /// longest waiting first across all of them.
    pub(crate) fn route_opened_lines(&mut self) {
        let opened = self.features.schedule.take_opened();
        let mut waiting: Vec<(u64, ConvIdx)> = Vec::new();
        for l in opened {
            if self.core.facts.lines[l].is_some() {
                let queue = &self.core.idx.lines[l].waiting;
                waiting.extend(queue.iter().map(|(&s, &c)| (s, c)));
            }
        }
        waiting.sort_unstable();
        waiting.dedup();
        for (_, c) in waiting {
            self.retry_waiting(c);
        }
    }

    /// Whether a bucket still exists (a line removed by the same input takes its buckets along).
    fn bucket_live(&self, b: Bucket) -> bool {
        match b {
            Bucket::Pool(PoolRef::Line(l)) => self.core.facts.lines[l].is_some(),
            Bucket::Pool(PoolRef::Channel(_)) | Bucket::Pinned(_) => true,
        }
    }

    /// Whether a bucket could place anything now.
    fn bucket_open(&self, b: Bucket) -> bool {
        match b {
            Bucket::Pool(p) => {
                let line = match p {
                    PoolRef::Line(l) => Some(l),
                    PoolRef::Channel(ch) => self.core.facts.chans[ch].pool_line,
                };
                line.is_some_and(|l| self.features.schedule.is_open(l))
                    && !self.core.pool(p).ready.is_empty()
            }
            Bucket::Pinned(o) => self.core.facts.ops[o].is_active(),
        }
    }

    /// Places waiting conversations wherever capacity appeared, the longest waiting first across
    /// every line; one that cannot be placed never holds back those behind it.
    pub(crate) fn drain(&mut self) {
        while !self.core.idx.dirty.is_empty() {
            let dirty = std::mem::take(&mut self.core.idx.dirty);
            let mut heap = BinaryHeap::new();
            for b in dirty.into_iter().filter(|&b| self.bucket_live(b)) {
                if let Some((&seq, _)) = self.core.bucket_ref(b).first_key_value() {
                    heap.push(Reverse((seq, b)));
                }
            }
            while let Some(Reverse((seq, b))) = heap.pop() {
                if !self.bucket_open(b) {
                    continue;
                }
                if let Some(&c) = self.core.bucket_ref(b).get(&seq) {
                    self.retry_waiting(c);
                }
                if let Some((&next, _)) = self.core.bucket_ref(b).range(seq + 1..).next() {
                    heap.push(Reverse((next, b)));
                }
            }
        }
    }
}
