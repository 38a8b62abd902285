//! A brute-force audit of the engine's invariants (DESIGN §4), for tests and debugging.
//!
//! Every index the engine keeps incrementally is rebuilt here from first principles and
//! compared, so a test that calls [`Engine::verify_invariants`] after every step catches an
//! index that drifted at the step that broke it.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::Mode;
use crate::engine::Engine;
use crate::routing::Plan;
use crate::state::{
    Bucket, ChanIdx, ConvIdx, ConvState, Key, LineIdx, Load, OpIdx, PoolRef, Pos, QueueRef, State,
};

impl Engine {
    /// Checks the engine's internal invariants by brute force and says which one is broken.
    ///
    /// Checked: every open conversation is in exactly one place (invariant 1); every load
    /// counter equals the conversations it counts (8); the eligibility indices equal a
    /// from-scratch recomputation, so no operator is picked who is ineligible or at cap (2, 3);
    /// no conversation waits while it could be placed (4); no deadline is due or lost (7).
    /// Slow — it rebuilds every index — so meant for tests, fuzzing and debugging.
    ///
    /// # Errors
    /// A description of the first broken invariant found, which is always a bug in routeline.
    pub fn verify_invariants(&self) -> Result<(), String> {
        self.st.audit()
    }
}

/// One routing domain rebuilt from first principles: a line's members, or the members a
/// restricted channel allows on the line its pool serves, each with their position.
struct RebuiltPool {
    pool: PoolRef,
    line: LineIdx,
    members: BTreeMap<OpIdx, Pos>,
}

// Cost: every check below is linear in the size of the state (operators, their groups and
// slots, queue entries, channel lists, conversations and their offers, deadlines), times a log
// for ordered sets. Nothing loops over operators inside a loop over lines, pools or
// conversations, and membership questions go to a set or map built once, never to a `Vec`.
impl State {
    fn audit(&self) -> Result<(), String> {
        let members = self.group_members_from_scratch()?;
        let pools = self.pools_from_scratch(&members);
        self.audit_references(&members, &pools)?;
        self.audit_conversations()?;
        self.audit_pools(&pools)?;
        self.audit_timers()?;
        self.audit_work_conservation()
    }

    /// The members of every group, by creation order, from the operators' own group lists;
    /// checks on the way that a removed operator keeps no groups and no slots.
    fn group_members_from_scratch(&self) -> Result<Vec<BTreeSet<(u64, OpIdx)>>, String> {
        let mut members: Vec<BTreeSet<(u64, OpIdx)>> = vec![BTreeSet::new(); self.groups.len()];
        for (o, op) in self.ops.iter().enumerate() {
            if op.exists {
                for &g in &op.groups {
                    members[g as usize].insert((op.created, o as u32));
                }
            } else if !op.groups.is_empty() || !op.slots.is_empty() {
                return Err(format!(
                    "removed operator {} keeps groups or slots",
                    self.op_name(o as u32)
                ));
            }
        }
        Ok(members)
    }

    /// Every pool of every line with its members, from scratch: for each line, its own pool,
    /// then the pools of the restricted channels whose pool serves it, by channel index.
    fn pools_from_scratch(&self, groups: &[BTreeSet<(u64, OpIdx)>]) -> Vec<RebuiltPool> {
        // The restricted channels by the line their pool serves, in one pass over channels.
        let mut restricted: Vec<Vec<ChanIdx>> = vec![Vec::new(); self.lines.len()];
        for (ch, chan) in self.chans.iter().enumerate() {
            if let (Some(l), Some(_)) = (chan.pool_line, &chan.restrict) {
                if let Some(list) = restricted.get_mut(l as usize) {
                    list.push(ch as u32);
                }
            }
        }
        let mut out = Vec::new();
        for (l, line) in self.lines.iter().enumerate() {
            if line.is_none() {
                continue;
            }
            let l = l as u32;
            let members = self.members_from_scratch(l, groups);
            // A channel's members: the line's members its list names (each once).
            let channels: Vec<RebuiltPool> = restricted[l as usize]
                .iter()
                .map(|&ch| RebuiltPool {
                    pool: PoolRef::Channel(ch),
                    line: l,
                    members: (self.chans[ch as usize].restrict.iter().flatten())
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

    /// Every reverse reference equals what the forward one implies: group members and
    /// operators' groups, line queues and operators' direct references, channel lists and
    /// operators' channel references, pins, clients' conversations, operators' pool slots.
    fn audit_references(
        &self,
        members: &[BTreeSet<(u64, OpIdx)>],
        pools: &[RebuiltPool],
    ) -> Result<(), String> {
        let mut direct: Vec<Vec<(u32, u32)>> = vec![Vec::new(); self.ops.len()];
        let mut group_refs: Vec<Vec<(u32, u32)>> = vec![Vec::new(); self.groups.len()];
        let mut chan_refs: Vec<Vec<u32>> = vec![Vec::new(); self.ops.len()];
        let mut pinned: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); self.ops.len()];
        let mut client_convs: Vec<Vec<u32>> = vec![Vec::new(); self.clients.len()];
        // Each operator's expected slots: one per pool they are a member of, at their position.
        let mut slots: Vec<Vec<(PoolRef, Pos)>> = vec![Vec::new(); self.ops.len()];
        for p in pools {
            for (&o, &pos) in &p.members {
                slots[o as usize].push((p.pool, pos));
            }
        }
        for (l, line) in self.lines.iter().enumerate() {
            let Some(line) = line else { continue };
            for (entry, r) in line.queue.iter().enumerate() {
                match *r {
                    QueueRef::Op(o) => direct[o as usize].push((l as u32, entry as u32)),
                    QueueRef::Group(g) => group_refs[g as usize].push((l as u32, entry as u32)),
                }
            }
        }
        for (ch, chan) in self.chans.iter().enumerate() {
            for &o in chan.restrict.iter().flatten() {
                chan_refs[o as usize].push(ch as u32);
            }
            if let Some(l) = chan.line {
                if chan.pool_line != Some(l)
                    || !self.lines[l as usize]
                        .as_ref()
                        .is_some_and(|x| x.channels.contains(&(ch as u32)))
                {
                    return Err(format!(
                        "channel {} is not recorded on its line",
                        self.chan_ids.name(ch as u32)
                    ));
                }
            }
        }
        for (cl, client) in self.clients.iter().enumerate() {
            if let Some(o) = client.pinned {
                pinned[o as usize].insert(cl as u32);
            }
        }
        for (c, conv) in self.convs.iter().enumerate() {
            client_convs[conv.client as usize].push(c as u32);
        }
        for (g, group) in self.groups.iter().enumerate() {
            if group.members != members[g] {
                return Err(format!(
                    "group {}: members out of step",
                    self.group_ids.name(g as u32)
                ));
            }
            let mut refs = group.refs.clone();
            refs.sort_unstable();
            if refs != group_refs[g] {
                return Err(format!(
                    "group {}: line references out of step",
                    self.group_ids.name(g as u32)
                ));
            }
        }
        for (o, op) in self.ops.iter().enumerate() {
            let name = || self.op_name(o as u32);
            let mut d = op.direct_refs.clone();
            d.sort_unstable();
            if d != direct[o] {
                return Err(format!(
                    "operator {}: direct queue references out of step",
                    name()
                ));
            }
            let mut cr = op.chan_refs.clone();
            cr.sort_unstable();
            if cr != chan_refs[o] {
                return Err(format!(
                    "operator {}: channel references out of step",
                    name()
                ));
            }
            if op.pinned_clients != pinned[o] {
                return Err(format!("operator {}: pinned clients out of step", name()));
            }
            // Pools only ever hold operators that exist, so a removed one expects none.
            let mut expect = std::mem::take(&mut slots[o]);
            let mut got: Vec<(PoolRef, Pos)> = op.slots.iter().map(|s| (s.pool, s.pos)).collect();
            got.sort_unstable();
            expect.sort_unstable();
            if got != expect {
                return Err(format!(
                    "operator {}: pool slots {got:?}, expected {expect:?}",
                    name()
                ));
            }
        }
        for (cl, client) in self.clients.iter().enumerate() {
            if client.convs != client_convs[cl] {
                return Err(format!(
                    "client {}: conversations out of step",
                    self.client_ids.name(cl as u32)
                ));
            }
        }
        Ok(())
    }

    fn audit_conversations(&self) -> Result<(), String> {
        let mut loads: BTreeMap<OpIdx, Load> = BTreeMap::new();
        // Per line: offered, assigned, with the bot, open.
        let mut counts: BTreeMap<u32, (u32, u32, u32, u32)> = BTreeMap::new();
        // Every (operator, conversation) offer the conversations record, for the reverse check
        // below: an `all`-mode offer can name every operator, so no scanning its list per
        // operator.
        let mut offered: BTreeSet<(OpIdx, ConvIdx)> = BTreeSet::new();
        for (c, conv) in self.convs.iter().enumerate() {
            let c = c as u32;
            let name = || self.conv_name(c);
            let open = conv.state != ConvState::Closed;
            if open {
                if self.lines[conv.line as usize].is_none() {
                    return Err(format!("{}: open on a line that does not exist", name()));
                }
                counts.entry(conv.line).or_default().3 += 1;
            }
            match &conv.state {
                ConvState::Closed => {}
                ConvState::Limbo => return Err(format!("{}: left in limbo", name())),
                ConvState::Waiting { seq, bucket, .. } => {
                    if self.line(conv.line).waiting.get(seq) != Some(&c) {
                        return Err(format!("{}: waiting but not in its line's queue", name()));
                    }
                    if self.bucket_ref(*bucket).get(seq) != Some(&c) {
                        return Err(format!(
                            "{}: waiting but not in its bucket {bucket:?}",
                            name()
                        ));
                    }
                }
                ConvState::Assigned { op, deadline } => {
                    if !self.ops[*op as usize].held.contains(&c) {
                        return Err(format!("{}: assigned but not held by its operator", name()));
                    }
                    let e = counts.entry(conv.line).or_default();
                    if deadline.is_some() {
                        e.0 += 1;
                    } else {
                        e.1 += 1;
                    }
                    let l = loads.entry(*op).or_default();
                    l.open += 1;
                    l.awaiting_reply += u32::from(conv.awaiting_reply);
                    l.unanswered += u32::from(!conv.answered);
                }
                ConvState::WithBot { .. } => {
                    counts.entry(conv.line).or_default().2 += 1;
                }
                ConvState::Offered { ops, .. } => {
                    if ops.is_empty() {
                        return Err(format!("{}: offered to nobody", name()));
                    }
                    for &o in ops {
                        if !self.ops[o as usize].offers.contains(&c) {
                            return Err(format!("{}: offer not recorded on its operator", name()));
                        }
                        offered.insert((o, c));
                    }
                    counts.entry(conv.line).or_default().0 += 1;
                }
            }
        }
        for (o, op) in self.ops.iter().enumerate() {
            let o = o as u32;
            let expect = loads.get(&o).copied().unwrap_or_default();
            if op.load != expect {
                return Err(format!(
                    "operator {}: load {:?}, but holds {:?}",
                    self.op_name(o),
                    op.load,
                    expect
                ));
            }
            for &c in &op.held {
                if !matches!(self.convs[c as usize].state, ConvState::Assigned { op, .. } if op == o)
                {
                    return Err(format!(
                        "operator {} holds {} wrongly",
                        self.op_name(o),
                        self.conv_name(c)
                    ));
                }
            }
            for &c in &op.offers {
                // `offered` holds (o, c) exactly when conversation c is an offer that names o.
                if !offered.contains(&(o, c)) {
                    return Err(format!(
                        "operator {} has a stale offer of {}",
                        self.op_name(o),
                        self.conv_name(c)
                    ));
                }
            }
            for (&seq, &c) in &op.pinned_waiting {
                let ok = matches!(self.convs[c as usize].state, ConvState::Waiting { seq: s, bucket: Bucket::Pinned(p), .. } if s == seq && p == o);
                if !ok {
                    return Err(format!("stale pinned waiting entry {}", self.conv_name(c)));
                }
            }
        }
        for (l, line) in self.lines.iter().enumerate() {
            let Some(line) = line else { continue };
            let actual = counts.get(&(l as u32)).copied().unwrap_or_default();
            let recorded = (line.offered, line.assigned, line.with_bot, line.open);
            if recorded != actual {
                return Err(format!(
                    "line {}: counters (offered, assigned, with bot, open) {recorded:?}, actual \
                     {actual:?}",
                    self.line_name(l as u32),
                ));
            }
            for (&seq, &c) in &line.waiting {
                if !matches!(self.convs[c as usize].state, ConvState::Waiting { seq: s, .. } if s == seq)
                {
                    return Err(format!("line queue has stale entry {}", self.conv_name(c)));
                }
            }
        }
        Ok(())
    }

    /// The members of a line with their positions, from scratch: an operator named in the
    /// queue is a member at (entry, 0), a group's members at (entry, creation order); one
    /// named twice keeps the earlier position. `groups` is [`Self::group_members_from_scratch`].
    fn members_from_scratch(
        &self,
        l: u32,
        groups: &[BTreeSet<(u64, OpIdx)>],
    ) -> BTreeMap<OpIdx, Pos> {
        let mut out: BTreeMap<OpIdx, Pos> = BTreeMap::new();
        let mut add = |o: OpIdx, pos: Pos| {
            out.entry(o)
                .and_modify(|p| *p = (*p).min(pos))
                .or_insert(pos);
        };
        for (entry, r) in self.line(l).queue.iter().enumerate() {
            let entry = entry as u32;
            match *r {
                QueueRef::Op(o) => {
                    if self.ops[o as usize].exists {
                        add(o, Pos { entry, sub: 0 });
                    }
                }
                // Only operators that exist are group members.
                QueueRef::Group(g) => {
                    for &(created, o) in &groups[g as usize] {
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

    fn audit_pools(&self, pools: &[RebuiltPool]) -> Result<(), String> {
        for RebuiltPool {
            pool,
            line: l,
            members,
        } in pools
        {
            let (pool, l) = (*pool, *l);
            let line = self.line(l);
            let mut ready = BTreeSet::new();
            let mut eligible = 0;
            for (&o, &pos) in members {
                let op = &self.ops[o as usize];
                if !op.available_on(&line.config) {
                    continue;
                }
                eligible += 1;
                if !op.has_room_on(&line.config) {
                    continue;
                }
                let (load, last) = match line.config.mode {
                    Mode::Strict | Mode::All => (0, 0),
                    Mode::Evenly => (0, op.last_assigned),
                    Mode::Balanced => (op.load.get(line.config.count_toward_cap), op.last_assigned),
                };
                ready.insert(Key {
                    load,
                    last,
                    pos,
                    op: o,
                });
            }
            let p = self.pool(pool);
            if p.ready != ready {
                return Err(format!(
                    "line {}: pool {pool:?} ready set {:?} differs from recomputed {:?}",
                    self.line_name(l),
                    p.ready,
                    ready
                ));
            }
            if p.eligible != eligible {
                return Err(format!(
                    "line {}: pool {pool:?} eligible count {} != {eligible}",
                    self.line_name(l),
                    p.eligible
                ));
            }
            for (&seq, &c) in &p.waiting {
                let ok = matches!(self.convs[c as usize].state, ConvState::Waiting { seq: s, bucket: Bucket::Pool(b), .. } if s == seq && b == pool);
                if !ok {
                    return Err(format!(
                        "pool {pool:?} has stale waiting entry {}",
                        self.conv_name(c)
                    ));
                }
            }
        }
        Ok(())
    }

    fn audit_timers(&self) -> Result<(), String> {
        self.timers.audit_heads()?;
        if let (Some(next), Some(now)) = (self.timers.next(), self.clock) {
            if next <= now {
                return Err(format!("deadline {next} is due at {now} but did not fire"));
            }
        }
        let mut expected = 0;
        for conv in &self.convs {
            let key = match &conv.state {
                ConvState::Assigned { deadline, .. }
                | ConvState::Offered { deadline, .. }
                | ConvState::WithBot { deadline, .. } => *deadline,
                _ => None,
            };
            let others = [
                conv.sla.as_ref().map(|p| p.timer),
                conv.unanswered_timer.as_deref().copied(),
                conv.inactivity_timer.as_deref().copied(),
            ];
            for k in std::iter::once(key).chain(others).flatten() {
                expected += 1;
                if !self.timers.contains(&k) {
                    return Err("a conversation's deadline is not scheduled".into());
                }
            }
        }
        for op in &self.ops {
            for w in &op.absences {
                expected += w.timers.iter().flatten().count();
            }
        }
        for line in self.lines.iter().flatten() {
            if let Some(k) = line.schedule_timer {
                expected += 1;
                if !self.timers.contains(&k) {
                    return Err(format!(
                        "line {}: schedule deadline not scheduled",
                        line.config.line
                    ));
                }
            }
            if let (Some(s), Some(now)) = (&line.schedule, self.clock) {
                if s.is_open(now) != line.is_open {
                    return Err(format!(
                        "line {}: open={} but its schedule says otherwise",
                        line.config.line, line.is_open
                    ));
                }
            } else if !line.is_open {
                return Err(format!(
                    "line {}: closed without a schedule",
                    line.config.line
                ));
            }
        }
        if expected != self.timers.len() {
            return Err(format!(
                "{} deadlines scheduled, {expected} expected",
                self.timers.len()
            ));
        }
        Ok(())
    }

    fn audit_work_conservation(&self) -> Result<(), String> {
        for line in self.lines.iter().flatten() {
            for &c in line.waiting.values() {
                let plan = self.plan(c);
                if matches!(plan, Plan::Assign { .. } | Plan::Offer(_)) {
                    return Err(format!(
                        "{} waits although it could be placed now: {plan:?}",
                        self.conv_name(c)
                    ));
                }
            }
        }
        Ok(())
    }
}
