//! Waiting queues. A waiting conversation is in its line's queue (what `waiting(line)` shows)
//! and in one bucket the drain watches: the texts or the calls of the pool it waits for, or
//! its `always`-pinned operator. All are ordered by the conversation's place in its line's
//! queue ([`WaitKey`]: priority, then when the wait began, then arrival).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::pools::PoolRef;
use crate::model::ids::{ConvIdx, LineIdx, OpIdx};
use crate::queue::priority::WaitKey;
use crate::state::Core;

/// Where a waiting conversation is indexed for the drain, besides its line's queue.
/// (Recorded in snapshots with a waiting conversation, by these names.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub(crate) enum Bucket {
    /// Texts waiting for a pool: placed when one of its operators has room.
    Pool(PoolRef),
    /// Calls and callbacks waiting for a pool: placed when one of its operators holds
    /// nothing (DESIGN §7).
    Voice(PoolRef),
    Pinned(OpIdx),
}

impl Core {
    pub(crate) fn bucket_map(&mut self, b: Bucket) -> &mut BTreeMap<WaitKey, ConvIdx> {
        match b {
            Bucket::Pool(p) => &mut self.pool_mut(p).waiting,
            Bucket::Voice(p) => &mut self.pool_mut(p).voice_waiting,
            Bucket::Pinned(o) => &mut self.idx.ops[o].pinned_waiting,
        }
    }

    pub(crate) fn bucket_ref(&self, b: Bucket) -> &BTreeMap<WaitKey, ConvIdx> {
        match b {
            Bucket::Pool(p) => &self.pool(p).waiting,
            Bucket::Voice(p) => &self.pool(p).voice_waiting,
            Bucket::Pinned(o) => &self.idx.ops[o].pinned_waiting,
        }
    }

    /// Indexes a conversation waiting on `line` at `key` in `bucket`.
    pub(crate) fn index_waiting(
        &mut self,
        c: ConvIdx,
        line: LineIdx,
        key: WaitKey,
        bucket: Bucket,
    ) {
        self.bucket_map(bucket).insert(key, c);
        let kind = self.facts.convs[c].request as usize;
        let index = &mut self.idx.lines[line];
        index.waiting.insert(key, c);
        index.waiting_kinds[kind] += 1;
    }

    /// Takes a waiting conversation out of its line's queue and its bucket.
    pub(crate) fn unindex_waiting(
        &mut self,
        c: ConvIdx,
        line: LineIdx,
        key: WaitKey,
        bucket: Bucket,
    ) {
        self.bucket_map(bucket).remove(&key);
        let kind = self.facts.convs[c].request as usize;
        let index = &mut self.idx.lines[line];
        index.waiting.remove(&key);
        index.waiting_kinds[kind] -= 1;
    }
}
