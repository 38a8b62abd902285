//! The audit of membership: group members, queue references, channel lists, pins, and every
//! pool's ready set and eligible count, rebuilt from the facts alone.

use std::collections::{BTreeMap, BTreeSet};

use crate::index::QueueRef;
use crate::index::pools::{PoolRef, Pos};
use crate::index::waiting::Bucket;
use crate::model::conversation::Place;
use crate::model::ids::{ChanIdx, ClientIdx, ConvIdx, GroupIdx, Idx, LineIdx, OpIdx};
use crate::routing::modes::Key;
use crate::state::State;
use crate::wire::config::{Mode, QueueEntry};

/// One routing domain rebuilt from first principles: a line's members, or the members a
/// restricted channel allows on the line its pool serves, each with their position.
pub(super) struct RebuiltPool {
    pool: PoolRef,
    line: LineIdx,
    members: BTreeMap<OpIdx, Pos>,
}

/// The members of every group, by creation order.
pub(super) type Members = Vec<BTreeSet<(u64, OpIdx)>>;

/// Every line's queue resolved from its configuration (empty for a removed line).
pub(super) type Queues = Vec<Vec<QueueRef>>;

impl State {
    /// The members of every group, by creation order, from the operators' own group lists;
    /// checks on the way that a removed operator keeps no groups and no slots.
    pub(super) fn group_members_from_scratch(&self) -> Result<Members, String> {
        let facts = &self.core.facts;
        let mut members: Members = vec![BTreeSet::new(); facts.group_ids.len()];
        for (o, op) in facts.ops.iter() {
            if op.exists {
                for &g in &op.groups {
                    members[g.ix()].insert((op.created, o));
                }
            } else if !op.groups.is_empty() || !self.core.idx.ops[o].slots.is_empty() {
                return Err(format!(
                    "removed operator {} keeps groups or slots",
                    facts.op_name(o)
                ));
            }
        }
        Ok(members)
    }

    /// Every line's queue resolved from its configuration's entries by id, and compared with
    /// the one the engine keeps.
    pub(super) fn queues_from_scratch(&self) -> Result<Queues, String> {
        let facts = &self.core.facts;
        let mut queues = vec![Vec::new(); facts.lines.len()];
        for (l, line) in facts.lines.iter() {
            let Some(line) = line else { continue };
            let queue: Option<Vec<QueueRef>> = line
                .config
                .queue
                .iter()
                .map(|e| match e {
                    QueueEntry::Operator(id) => facts.op_ids.get(id.as_str()).map(QueueRef::Op),
                    QueueEntry::Group { group } => {
                        facts.group_ids.get(group.as_str()).map(QueueRef::Group)
                    }
                })
                .collect();
            let queue = queue.ok_or_else(|| {
                format!(
                    "line {}: its queue names an id never interned",
                    line.config.line
                )
            })?;
            if queue != self.core.idx.lines[l].queue {
                return Err(format!("line {}: queue out of step", line.config.line));
            }
            queues[l.ix()] = queue;
        }
        Ok(queues)
    }

    /// Every pool of every line with its members, from scratch: for each line, its own pool,
    /// then the pools of the restricted channels whose pool serves it, by channel index.
    pub(super) fn pools_from_scratch(&self, groups: &Members, queues: &Queues) -> Vec<RebuiltPool> {
        let facts = &self.core.facts;
        // The restricted channels by the line their pool serves, in one pass over channels.
        let mut restricted: Vec<Vec<ChanIdx>> = vec![Vec::new(); facts.lines.len()];
        for (ch, chan) in facts.chans.iter() {
            if let (Some(l), Some(_)) = (chan.pool_line, &chan.restrict) {
                if let Some(list) = restricted.get_mut(l.ix()) {
                    list.push(ch);
                }
            }
        }
        let mut out = Vec::new();
        for (l, line) in facts.lines.iter() {
            if line.is_none() {
                continue;
            }
            let members = self.members_from_scratch(&queues[l.ix()], groups);
            // A channel's members: the line's members its list names (each once).
            let channels: Vec<RebuiltPool> = restricted[l.ix()]
                .iter()
                .map(|&ch| RebuiltPool {
                    pool: PoolRef::Channel(ch),
                    line: l,
                    members: (facts.chans[ch].restrict.iter().flatten())
                        .filter_map(|&o| members.get(&o).map(|&pos| (o, pos)))
                        .collect(),
                })
                .collect();
            out.push(RebuiltPool {
                pool: PoolRef::Line(l),
                line: l,
                members,
            });
            out.extend(channels);
        }
        out
    }

    /// The members of a line with their positions, from scratch: an operator named in the
    /// queue is a member at (entry, 0), a group's members at (entry, creation order); one
    /// named twice keeps the earlier position.
    fn members_from_scratch(&self, queue: &[QueueRef], groups: &Members) -> BTreeMap<OpIdx, Pos> {
        let mut out: BTreeMap<OpIdx, Pos> = BTreeMap::new();
        let mut add = |o: OpIdx, pos: Pos| {
            out.entry(o)
                .and_modify(|p| *p = (*p).min(pos))
                .or_insert(pos);
        };
        for (entry, r) in queue.iter().enumerate() {
            let entry = entry as u32;
            match *r {
                QueueRef::Op(o) => {
                    if self.core.facts.ops[o].exists {
                        add(o, Pos { entry, sub: 0 });
                    }
                }
                // Only operators that exist are group members.
                QueueRef::Group(g) => {
                    for &(created, o) in &groups[g.ix()] {
                        add(
                            o,
                            Pos {
                                entry,
                                sub: created,
                            },
                        );
                    }
                }
            }
        }
        out
    }

    /// Every reverse reference equals what the forward one implies: group members and
    /// operators' groups, line queues and operators' direct references, channel lists and
    /// operators' channel references, pins, clients' conversations, operators' pool slots.
    pub(super) fn audit_references(
        &self,
        members: &Members,
        queues: &Queues,
        pools: &[RebuiltPool],
    ) -> Result<(), String> {
        let (facts, idx) = (&self.core.facts, &self.core.idx);
        let n_ops = facts.ops.len();
        let mut direct: Vec<Vec<(LineIdx, u32)>> = vec![Vec::new(); n_ops];
        let mut group_refs: Vec<Vec<(LineIdx, u32)>> = vec![Vec::new(); facts.group_ids.len()];
        let mut chan_refs: Vec<Vec<ChanIdx>> = vec![Vec::new(); n_ops];
        let mut pinned: Vec<BTreeSet<ClientIdx>> = vec![BTreeSet::new(); n_ops];
        let mut client_convs: Vec<Vec<ConvIdx>> = vec![Vec::new(); facts.clients.len()];
        // Each operator's expected slots: one per pool they are a member of, at their position.
        let mut slots: Vec<Vec<(PoolRef, Pos)>> = vec![Vec::new(); n_ops];
        for p in pools {
            for (&o, &pos) in &p.members {
                slots[o.ix()].push((p.pool, pos));
            }
        }
        for (l, line) in facts.lines.iter() {
            if line.is_none() {
                continue;
            }
            for (entry, r) in queues[l.ix()].iter().enumerate() {
                match *r {
                    QueueRef::Op(o) => direct[o.ix()].push((l, entry as u32)),
                    QueueRef::Group(g) => group_refs[g.ix()].push((l, entry as u32)),
                }
            }
        }
        for (ch, chan) in facts.chans.iter() {
            for &o in chan.restrict.iter().flatten() {
                chan_refs[o.ix()].push(ch);
            }
            if let Some(l) = chan.line {
                if chan.pool_line != Some(l)
                    || facts.lines[l].is_none()
                    || !idx.lines[l].channels.contains(&ch)
                {
                    return Err(format!(
                        "channel {} is not recorded on its line",
                        facts.chan_name(ch)
                    ));
                }
            }
        }
        for (c, conv) in facts.live_convs() {
            client_convs[conv.client.ix()].push(c);
        }
        for (cl, client) in facts.clients.iter() {
            if !facts.client_ids.is_live(cl) {
                if client.pinned.is_some() || !idx.client_convs[cl].is_empty() {
                    return Err(format!("the slot of forgotten client {cl:?} is not empty"));
                }
                continue;
            }
            if client.pinned.is_none() && !client.vip && client_convs[cl.ix()].is_empty() {
                return Err(format!(
                    "client {} has nothing left and was not forgotten",
                    facts.client_name(cl)
                ));
            }
            if let Some(o) = client.pinned {
                pinned[o.ix()].insert(cl);
            }
        }
        for g in (0..facts.group_ids.len()).map(GroupIdx::at) {
            let group = &idx.groups[g];
            if group.members != members[g.ix()] {
                return Err(format!(
                    "group {}: members out of step",
                    facts.group_ids.name(g)
                ));
            }
            let mut refs = group.refs.clone();
            refs.sort_unstable();
            if refs != group_refs[g.ix()] {
                return Err(format!(
                    "group {}: line references out of step",
                    facts.group_ids.name(g)
                ));
            }
        }
        for o in facts.ops.indices() {
            let index = &idx.ops[o];
            let name = || facts.op_name(o);
            let mut d = index.direct_refs.clone();
            d.sort_unstable();
            if d != direct[o.ix()] {
                return Err(format!(
                    "operator {}: direct queue references out of step",
                    name()
                ));
            }
            let mut cr = index.chan_refs.clone();
            cr.sort_unstable();
            if cr != chan_refs[o.ix()] {
                return Err(format!(
                    "operator {}: channel references out of step",
                    name()
                ));
            }
            if index.pinned_clients != pinned[o.ix()] {
                return Err(format!("operator {}: pinned clients out of step", name()));
            }
            // Pools only ever hold operators that exist, so a removed one expects none.
            let mut expect = std::mem::take(&mut slots[o.ix()]);
            let mut got: Vec<(PoolRef, Pos)> =
                index.slots.iter().map(|s| (s.pool, s.pos)).collect();
            got.sort_unstable();
            expect.sort_unstable();
            if got != expect {
                return Err(format!(
                    "operator {}: pool slots {got:?}, expected {expect:?}",
                    name()
                ));
            }
        }
        for cl in facts.clients.indices() {
            // The engine lists a client's conversations in the order they opened, which slots
            // reused after forgetting do not follow: compare as sets.
            let mut recorded = idx.client_convs[cl].clone();
            recorded.sort_unstable();
            if recorded != client_convs[cl.ix()] {
                return Err(format!(
                    "client {}: conversations out of step",
                    facts.client_name(cl)
                ));
            }
        }
        Ok(())
    }

    /// Every pool's ready set and eligible count equal a recomputation from the facts, and its
    /// waiting entries are conversations waiting in it.
    pub(super) fn audit_pools(&self, pools: &[RebuiltPool]) -> Result<(), String> {
        let core = &self.core;
        for RebuiltPool {
            pool,
            line: l,
            members,
        } in pools
        {
            let (pool, l) = (*pool, *l);
            let line = &core.facts.line(l).config;
            let mut ready = BTreeSet::new();
            let mut free = BTreeSet::new();
            let mut eligible = 0;
            for (&o, &pos) in members {
                let op = &core.facts.ops[o];
                if !op.available_on(line) {
                    continue;
                }
                eligible += 1;
                // Holding a call, an operator takes nothing else automatically (DESIGN §7).
                let held = &core.idx.ops[o].held;
                let holds_voice = held.iter().any(|&c| core.facts.convs[c].request.is_voice());
                if !core.has_room_on(o, line) || holds_voice {
                    continue;
                }
                let (load, last) = match line.mode {
                    Mode::Strict | Mode::All => (0, 0),
                    Mode::Evenly => (0, op.last_assigned),
                    Mode::Balanced => (
                        core.idx.ops[o].load.get(line.count_toward_cap),
                        op.last_assigned,
                    ),
                };
                let key = Key {
                    load,
                    last,
                    pos,
                    op: o,
                };
                ready.insert(key);
                if held.is_empty() {
                    free.insert(key);
                }
            }
            let p = core.pool(pool);
            if p.ready != ready {
                return Err(format!(
                    "line {}: pool {pool:?} ready set {:?} differs from recomputed {:?}",
                    core.facts.line_name(l),
                    p.ready,
                    ready
                ));
            }
            if p.free != free {
                return Err(format!(
                    "line {}: pool {pool:?} free set {:?} differs from recomputed {free:?}",
                    core.facts.line_name(l),
                    p.free,
                ));
            }
            if p.eligible != eligible {
                return Err(format!(
                    "line {}: pool {pool:?} eligible count {} != {eligible}",
                    core.facts.line_name(l),
                    p.eligible
                ));
            }
            let entries = p.waiting.iter().map(|e| (e, Bucket::Pool(pool)));
            let voice = p.voice_waiting.iter().map(|e| (e, Bucket::Voice(pool)));
            for ((&key, &c), bucket) in entries.chain(voice) {
                let ok = matches!(core.facts.convs[c].place, Place::Waiting { key: k, bucket: b } if k == key && b == bucket);
                if !ok {
                    return Err(format!(
                        "pool {pool:?} has stale waiting entry {}",
                        core.facts.conv_name(c)
                    ));
                }
            }
        }
        Ok(())
    }
}
