//! Waiting queues. A waiting conversation is in its line's queue (what `waiting(line)` shows)
//! and in one bucket the drain watches: the pool it waits for, or its `always`-pinned
//! operator. Both are ordered by waiting sequence.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::pools::PoolRef;
use crate::model::ids::{ConvIdx, LineIdx, OpIdx};
use crate::state::Core;

/// Where a waiting conversation is indexed for the drain, besides its line's queue.
/// (Recorded in snapshots with a waiting conversation, by these names.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub(crate) enum Bucket {
    Pool(PoolRef),
    Pinned(OpIdx),
}

impl Core {
    pub(crate) fn bucket_map(&mut self, b: Bucket) -> &mut BTreeMap<u64, ConvIdx> {
        match b {
            Bucket::Pool(p) => &mut self.pool_mut(p).waiting,
            Bucket::Pinned(o) => &mut self.idx.ops[o].pinned_waiting,
        }
    }

    pub(crate) fn bucket_ref(&self, b: Bucket) -> &BTreeMap<u64, ConvIdx> {
        match b {
            Bucket::Pool(p) => &self.pool(p).waiting,
            Bucket::Pinned(o) => &self.idx.ops[o].pinned_waiting,
        }
    }

    /// Indexes a conversation waiting on `line` at `seq` in `bucket`.
    pub(crate) fn index_waiting(&mut self, c: ConvIdx, line: LineIdx, seq: u64, bucket: Bucket) {
        self.bucket_map(bucket).insert(seq, c);
        self.idx.lines[line].waiting.insert(seq, c);
    }

    /// Takes a waiting conversation out of its line's queue and its bucket.
    pub(crate) fn unindex_waiting(&mut self, line: LineIdx, seq: u64, bucket: Bucket) {
        self.bucket_map(bucket).remove(&seq);
        self.idx.lines[line].waiting.remove(&seq);
    }
}
