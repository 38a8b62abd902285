//! A brute-force audit of the engine's invariants (DESIGN §4), for tests and debugging.
//!
//! Every index the engine keeps incrementally is rebuilt here from the facts alone and
//! compared, so a test that calls [`Engine::verify_invariants`] after every step catches an
//! index that drifted at the step that broke it. Restoring a snapshot runs it too.
//!
//! Cost: every check is linear in the size of the state (operators, their groups and slots,
//! queue entries, channel lists, conversations and their offers, deadlines), times a log for
//! ordered sets. Nothing loops over operators inside a loop over lines, pools or
//! conversations, and membership questions go to a set or map built once, never to a `Vec`.

mod pools;

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::Engine;
use crate::index::loads::Load;
use crate::index::waiting::Bucket;
use crate::model::conversation::Place;
use crate::model::ids::{ConvIdx, LineIdx, OpIdx};
use crate::routing::Plan;
use crate::state::State;
use crate::wire::queue::Request;

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

impl State {
    fn audit(&self) -> Result<(), String> {
        let members = self.group_members_from_scratch()?;
        let queues = self.queues_from_scratch()?;
        let pools = self.pools_from_scratch(&members, &queues);
        self.audit_references(&members, &queues, &pools)?;
        self.audit_conversations()?;
        self.audit_pools(&pools)?;
        self.audit_timers()?;
        self.audit_work_conservation()
    }

    /// Every conversation's place agrees with the indices, and every counter with the places.
    fn audit_conversations(&self) -> Result<(), String> {
        let (facts, idx) = (&self.core.facts, &self.core.idx);
        let mut loads: BTreeMap<OpIdx, Load> = BTreeMap::new();
        // Per line: offered, assigned, with the bot, open, completed.
        let mut counts: BTreeMap<LineIdx, (u32, u32, u32, u32, u32)> = BTreeMap::new();
        // Every (operator, conversation) offer the conversations record, for the reverse check
        // below: an `all`-mode offer can name every operator, so no scanning its list per
        // operator.
        let mut offered: BTreeSet<(OpIdx, ConvIdx)> = BTreeSet::new();
        // Per operator, the calls and callbacks they hold; per line, waiting conversations by
        // kind and scheduled orders.
        let mut voice: BTreeMap<OpIdx, u32> = BTreeMap::new();
        let mut kinds: BTreeMap<LineIdx, [u32; 3]> = BTreeMap::new();
        let mut scheduled: BTreeMap<LineIdx, u32> = BTreeMap::new();
        for &c in facts.waits.keys() {
            let ok = facts.conv_ids.is_live(c)
                && match &facts.convs[c].place {
                    Place::Waiting { .. } | Place::Offered { .. } => true,
                    Place::Assigned { answer, .. } => !answer.is_final(),
                    _ => false,
                };
            if !ok {
                return Err(format!(
                    "{}: a wait under way, but not waiting",
                    facts.conv_name(c)
                ));
            }
        }
        for &c in self.queue.orders.keys() {
            let conv = &facts.convs[c];
            if !facts.conv_ids.is_live(c) || !conv.is_open() || conv.request != Request::Callback {
                return Err(format!("{}: a stale callback order", facts.conv_name(c)));
            }
        }
        for (c, conv) in facts.live_convs() {
            if conv.is_open()
                && conv.request == Request::Callback
                && !self.queue.orders.contains_key(&c)
            {
                return Err(format!(
                    "{}: a callback order with no attempts",
                    facts.conv_name(c)
                ));
            }
        }
        for (c, conv) in facts.live_convs() {
            let name = || facts.conv_name(c);
            if !facts.client_ids.is_live(conv.client) {
                return Err(format!("{}: its client was forgotten", name()));
            }
            if conv.responsible.is_some_and(|o| !facts.ops[o].exists) {
                return Err(format!("{}: its responsible was removed", name()));
            }
            if conv.is_open() {
                if facts.lines[conv.line].is_none() {
                    return Err(format!("{}: open on a line that does not exist", name()));
                }
                counts.entry(conv.line).or_default().3 += 1;
            }
            match &conv.place {
                Place::Closed { .. } => {}
                Place::Limbo => return Err(format!("{}: left in limbo", name())),
                Place::Waiting { key, bucket } => {
                    let Some(&w) = facts.waits.get(&c) else {
                        return Err(format!("{}: waiting with no wait under way", name()));
                    };
                    if self.core.wait_key(c, w) != *key {
                        return Err(format!("{}: waiting at a stale place", name()));
                    }
                    kinds.entry(conv.line).or_default()[conv.request as usize] += 1;
                    if idx.lines[conv.line].waiting.get(key) != Some(&c) {
                        return Err(format!("{}: waiting but not in its line's queue", name()));
                    }
                    if conv.request.is_voice() != matches!(bucket, Bucket::Voice(_))
                        && !matches!(bucket, Bucket::Pinned(_))
                    {
                        return Err(format!("{}: waiting in a bucket of the wrong kind", name()));
                    }
                    if self.core.bucket_ref(*bucket).get(key) != Some(&c) {
                        return Err(format!(
                            "{}: waiting but not in its bucket {bucket:?}",
                            name()
                        ));
                    }
                }
                Place::Assigned { op, answer, .. } => {
                    if !idx.ops[*op].held.contains(&c) {
                        return Err(format!("{}: assigned but not held by its operator", name()));
                    }
                    if conv.responsible != Some(*op) {
                        return Err(format!("{}: its holder is not its responsible", name()));
                    }
                    if conv.request.is_voice() {
                        *voice.entry(*op).or_default() += 1;
                    }
                    if answer.is_final() && facts.waits.contains_key(&c) {
                        return Err(format!("{}: confirmed, yet its wait goes on", name()));
                    }
                    let e = counts.entry(conv.line).or_default();
                    if !answer.is_final() {
                        e.0 += 1;
                    } else {
                        e.1 += 1;
                    }
                    // A call counts toward every load counter (DESIGN §7).
                    let voice = conv.request.is_voice();
                    loads.entry(*op).or_default().adjust(
                        conv.awaiting_reply || voice,
                        conv.answered && !voice,
                        true,
                    );
                }
                Place::WithBot { .. } => {
                    counts.entry(conv.line).or_default().2 += 1;
                }
                Place::Completed => {
                    counts.entry(conv.line).or_default().4 += 1;
                }
                Place::Scheduled { .. } => {
                    if conv.request != Request::Callback {
                        return Err(format!("{}: scheduled but not a callback order", name()));
                    }
                    *scheduled.entry(conv.line).or_default() += 1;
                }
                Place::Offered { ops, .. } => {
                    if ops.is_empty() {
                        return Err(format!("{}: offered to nobody", name()));
                    }
                    for &o in ops {
                        if !idx.ops[o].offers.contains(&c) {
                            return Err(format!("{}: offer not recorded on its operator", name()));
                        }
                        offered.insert((o, c));
                    }
                    counts.entry(conv.line).or_default().0 += 1;
                }
            }
        }
        for o in facts.ops.indices() {
            let index = &idx.ops[o];
            let expect = loads.get(&o).copied().unwrap_or_default();
            if index.load != expect {
                return Err(format!(
                    "operator {}: load {:?}, but holds {:?}",
                    facts.op_name(o),
                    index.load,
                    expect
                ));
            }
            if index.voice != voice.get(&o).copied().unwrap_or(0) {
                return Err(format!(
                    "operator {}: calls held miscounted",
                    facts.op_name(o)
                ));
            }
            for &c in &index.held {
                if facts.convs[c].place.holder() != Some(o) {
                    return Err(format!(
                        "operator {} holds {} wrongly",
                        facts.op_name(o),
                        facts.conv_name(c)
                    ));
                }
            }
            for &c in &index.offers {
                // `offered` holds (o, c) exactly when conversation c is an offer that names o.
                if !offered.contains(&(o, c)) {
                    return Err(format!(
                        "operator {} has a stale offer of {}",
                        facts.op_name(o),
                        facts.conv_name(c)
                    ));
                }
            }
            for (&key, &c) in &index.pinned_waiting {
                let ok = matches!(facts.convs[c].place, Place::Waiting { key: k, bucket: Bucket::Pinned(p) } if k == key && p == o);
                if !ok {
                    return Err(format!("stale pinned waiting entry {}", facts.conv_name(c)));
                }
            }
        }
        for (l, line) in facts.lines.iter() {
            if line.is_none() {
                continue;
            }
            let index = &idx.lines[l];
            let actual = counts.get(&l).copied().unwrap_or_default();
            let recorded = (
                index.offered,
                index.assigned,
                index.with_bot,
                index.open,
                index.completed,
            );
            if recorded != actual {
                return Err(format!(
                    "line {}: counters (offered, assigned, with bot, open, completed) \
                     {recorded:?}, actual {actual:?}",
                    facts.line_name(l),
                ));
            }
            for (&key, &c) in &index.waiting {
                if !matches!(facts.convs[c].place, Place::Waiting { key: k, .. } if k == key) {
                    return Err(format!("line queue has stale entry {}", facts.conv_name(c)));
                }
            }
            let actual = (
                kinds.get(&l).copied().unwrap_or_default(),
                scheduled.get(&l).copied().unwrap_or_default(),
            );
            if (index.waiting_kinds, index.scheduled) != actual {
                return Err(format!(
                    "line {}: waiting by kind and scheduled {:?}, actual {actual:?}",
                    facts.line_name(l),
                    (index.waiting_kinds, index.scheduled)
                ));
            }
        }
        Ok(())
    }

    /// Every deadline recorded anywhere is scheduled, nothing else is, none is overdue, and
    /// every line's open state is what its hours say.
    fn audit_timers(&self) -> Result<(), String> {
        let (core, features) = (&self.core, &self.features);
        core.timers.audit_heads()?;
        if let (Some(next), Some(now)) = (core.timers.next(), core.clock) {
            if next <= now {
                return Err(format!("deadline {next} is due at {now} but did not fire"));
            }
        }
        let mut expected = 0;
        for (c, conv) in core.facts.live_convs() {
            let others = [
                features.sla.pending(c).map(|p| p.timer),
                features.replies.unanswered_deadline(c),
                features.inactivity.deadline(c),
            ];
            for k in std::iter::once(conv.place.deadline())
                .chain(others)
                .flatten()
            {
                expected += 1;
                if !core.timers.contains(&k) {
                    return Err("a conversation's deadline is not scheduled".into());
                }
            }
        }
        for (_, op) in core.facts.ops.iter() {
            for w in &op.absences {
                expected += w.timers.iter().flatten().count();
            }
        }
        for (l, line) in core.facts.lines.iter() {
            let Some(line) = line else { continue };
            let hours = features.schedule.line(l);
            if let Some(k) = hours.timer() {
                expected += 1;
                if !core.timers.contains(&k) {
                    return Err(format!(
                        "line {}: schedule deadline not scheduled",
                        line.config.line
                    ));
                }
            }
            if let (Some(s), Some(now)) = (hours.hours(), core.clock) {
                if s.is_open(now) != hours.is_open() {
                    return Err(format!(
                        "line {}: open={} but its schedule says otherwise",
                        line.config.line,
                        hours.is_open()
                    ));
                }
            } else if !hours.is_open() {
                return Err(format!(
                    "line {}: closed without a schedule",
                    line.config.line
                ));
            }
        }
        if expected != core.timers.len() {
            return Err(format!(
                "{} deadlines scheduled, {expected} expected",
                core.timers.len()
            ));
        }
        Ok(())
    }

    /// No conversation waits while it could be placed now (invariant 4).
    fn audit_work_conservation(&self) -> Result<(), String> {
        for (l, line) in self.core.facts.lines.iter() {
            if line.is_none() {
                continue;
            }
            for &c in self.core.idx.lines[l].waiting.values() {
                let plan = self.plan(c);
                if matches!(plan, Plan::Assign { .. } | Plan::Offer(_)) {
                    return Err(format!(
                        "{} waits although it could be placed now: {plan:?}",
                        self.core.facts.conv_name(c)
                    ));
                }
            }
        }
        Ok(())
    }
}
