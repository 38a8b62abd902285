//! Pools: for each line (and each channel whose operator list restricts its line), the members
//! that are eligible and under cap, ordered as the line's mode picks them. Updated when load,
//! presence or membership changes, so that routing reads the head of an ordered set.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::waiting::Bucket;
use crate::model::ids::{ChanIdx, ConvIdx, LineIdx, OpIdx};
use crate::queue::priority::WaitKey;
use crate::routing::modes::Key;
use crate::state::Core;
use crate::wire::config::CountTowardCap;

/// An operator's position in a line's queue: the queue entry that names them, then (for a
/// group entry) their creation order. Sparse on purpose, so that adding one operator to a group
/// never renumbers the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Pos {
    pub(crate) entry: u32,
    pub(crate) sub: u64,
}

/// A routing domain: a line's members, or the members a restricted channel allows on its line.
/// (Recorded in snapshots, by these names, in the bucket of a waiting conversation.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub(crate) enum PoolRef {
    Line(LineIdx),
    Channel(ChanIdx),
}

/// Eligible members of one routing domain, and the conversations waiting for them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pool {
    /// Members that are eligible and under cap, in the line's mode order.
    pub(crate) ready: BTreeSet<Key>,
    /// How many members are eligible, cap aside (tells `at_capacity` from `no_eligible_operator`).
    pub(crate) eligible: u32,
    /// Ready members who hold nothing (DESIGN §7: a call goes only to them), in the same
    /// order.
    pub(crate) free: BTreeSet<Key>,
    /// Texts waiting for this domain, in queue order.
    pub(crate) waiting: BTreeMap<WaitKey, ConvIdx>,
    /// Calls and callbacks waiting for this domain, in queue order.
    pub(crate) voice_waiting: BTreeMap<WaitKey, ConvIdx>,
}

/// One pool an operator belongs to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    pub(crate) pool: PoolRef,
    pub(crate) line: LineIdx,
    pub(crate) pos: Pos,
    /// The operator's key in the pool's ready set, when they are in it.
    pub(crate) key: Option<Key>,
    /// Whether they are in the pool's free set too (ready, holding nothing).
    pub(crate) free: bool,
    pub(crate) eligible: bool,
}

impl Core {
    pub(crate) fn pool(&self, p: PoolRef) -> &Pool {
        match p {
            PoolRef::Line(l) => &self.idx.lines[l].pool,
            PoolRef::Channel(c) => &self.idx.chans[c],
        }
    }

    pub(crate) fn pool_mut(&mut self, p: PoolRef) -> &mut Pool {
        match p {
            PoolRef::Line(l) => &mut self.idx.lines[l].pool,
            PoolRef::Channel(c) => &mut self.idx.chans[c],
        }
    }

    /// The routing domain of a conversation: its channel's pool when the channel is restricted
    /// on the conversation's line, else the line's.
    pub(crate) fn pool_of(&self, c: ConvIdx) -> PoolRef {
        let conv = &self.facts.convs[c];
        if self.facts.chans[conv.channel].restricts(conv.line) {
            PoolRef::Channel(conv.channel)
        } else {
            PoolRef::Line(conv.line)
        }
    }

    /// Recomputes an operator's place in every pool they belong to, after a change of load,
    /// last assignment, availability or line settings. Marks buckets where they became ready.
    pub(crate) fn rekey(&mut self, o: OpIdx) {
        let mut slots = std::mem::take(&mut self.idx.ops[o].slots);
        let mut flags_matter = false;
        let holds_nothing = self.idx.ops[o].held.is_empty();
        for slot in &mut slots {
            let (eligible, key, free) = {
                let line = &self.facts.line(slot.line).config;
                flags_matter |= line.count_toward_cap != CountTowardCap::Open;
                self.ready_key(o, line, slot.pos, holds_nothing)
            };
            if slot.key != key || slot.eligible != eligible || slot.free != free {
                let (was_ready, was_free) = (slot.key.is_some(), slot.free);
                let pool = self.pool_mut(slot.pool);
                if let Some(old) = slot.key {
                    pool.ready.remove(&old);
                    if was_free {
                        pool.free.remove(&old);
                    }
                }
                if let Some(new) = key {
                    pool.ready.insert(new);
                    if free {
                        pool.free.insert(new);
                    }
                }
                if slot.eligible {
                    pool.eligible -= 1;
                }
                if eligible {
                    pool.eligible += 1;
                }
                let (texts, calls) = (!pool.waiting.is_empty(), !pool.voice_waiting.is_empty());
                slot.key = key;
                slot.eligible = eligible;
                slot.free = free;
                if key.is_some() && !was_ready && texts {
                    self.idx.dirty.insert(Bucket::Pool(slot.pool));
                }
                if free && !was_free && calls {
                    self.idx.dirty.insert(Bucket::Voice(slot.pool));
                }
            }
        }
        let index = &mut self.idx.ops[o];
        index.slots = slots;
        index.flags_matter = flags_matter;
        if self.facts.ops[o].is_active() && !index.pinned_waiting.is_empty() {
            self.idx.dirty.insert(Bucket::Pinned(o));
        }
    }

    /// The lines an operator is a member of, with their position in each.
    fn memberships(&self, o: OpIdx) -> Vec<(LineIdx, Pos)> {
        let op = &self.facts.ops[o];
        let mut out: Vec<(LineIdx, Pos)> = Vec::new();
        if !op.exists {
            return out;
        }
        let mut add = |line: LineIdx, pos: Pos| match out.iter_mut().find(|(l, _)| *l == line) {
            Some((_, p)) => *p = (*p).min(pos),
            None => out.push((line, pos)),
        };
        for &(line, entry) in &self.idx.ops[o].direct_refs {
            add(line, Pos { entry, sub: 0 });
        }
        for &g in &op.groups {
            for &(line, entry) in &self.idx.groups[g].refs {
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
        let old = std::mem::take(&mut self.idx.ops[o].slots);
        for slot in &old {
            let pool = self.pool_mut(slot.pool);
            if let Some(key) = slot.key {
                pool.ready.remove(&key);
                pool.free.remove(&key);
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
                free: false,
            });
            for &c in &self.idx.ops[o].chan_refs {
                if self.facts.chans[c].restricts(line) {
                    slots.push(Slot {
                        pool: PoolRef::Channel(c),
                        line,
                        pos,
                        key: None,
                        eligible: false,
                        free: false,
                    });
                }
            }
        }
        self.idx.ops[o].slots = slots;
        self.rekey(o);
    }

    /// Whether an operator could be routed a conversation of this kind in a pool: ready for
    /// a text, free (ready and holding nothing) for a call or callback.
    pub(crate) fn can_take_in(&self, o: OpIdx, pool: PoolRef, voice: bool) -> bool {
        self.idx.ops[o]
            .slots
            .iter()
            .any(|s| s.pool == pool && s.key.is_some() && (!voice || s.free))
    }
}
