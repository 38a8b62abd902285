//! Rebuilding every derived index from restored facts, as the engine keeps them.

use super::corruption::{Corruption, Entity, ensure};
use super::restore::restore_timer;
use crate::index::QueueRef;
use crate::index::pools::PoolRef;
use crate::index::timers::Timer;
use crate::index::waiting::Bucket;
use crate::model::conversation::Place;
use crate::state::State;
use crate::wire::config::QueueEntry;

/// Builds every derived index from the facts, as the engine keeps them.
pub(super) fn rebuild_indices(st: &mut State) -> Result<(), Corruption> {
    let core = &mut st.core;
    for l in core.facts.lines.indices() {
        let Some(line) = &core.facts.lines[l] else {
            continue;
        };
        let mut queue = Vec::with_capacity(line.config.queue.len());
        for (entry, e) in line.config.queue.iter().enumerate() {
            let entry = u32::try_from(entry).map_err(|_| Corruption::Inconsistent {
                kind: Entity::Line,
                id: line.config.line.to_string(),
                problem: "queue too long",
            })?;
            let dangling = |refers_to| Corruption::Dangling {
                kind: Entity::Line,
                id: line.config.line.to_string(),
                refers_to,
            };
            let r = match e {
                QueueEntry::Operator(id) => {
                    let o = core
                        .facts
                        .op_ids
                        .get(id.as_str())
                        .ok_or_else(|| dangling(Entity::Operator))?;
                    core.idx.ops[o].direct_refs.push((l, entry));
                    QueueRef::Op(o)
                }
                QueueEntry::Group { group } => {
                    let g = core
                        .facts
                        .group_ids
                        .get(group.as_str())
                        .ok_or_else(|| dangling(Entity::Group))?;
                    core.idx.groups[g].refs.push((l, entry));
                    QueueRef::Group(g)
                }
            };
            queue.push(r);
        }
        core.idx.lines[l].queue = queue;
    }
    for (o, op) in core.facts.ops.iter() {
        if op.exists {
            for &g in &op.groups {
                core.idx.groups[g].members.insert((op.created, o));
            }
        }
        for w in &op.absences {
            for key in w.timers.into_iter().flatten() {
                restore_timer(&mut core.timers, key, Timer::Absence(o))?;
            }
        }
    }
    for (ch, chan) in core.facts.chans.iter() {
        for &o in chan.restrict.iter().flatten() {
            core.idx.ops[o].chan_refs.push(ch);
        }
        if let Some(l) = chan.line {
            core.idx.lines[l].channels.insert(ch);
        }
    }
    for (cl, client) in core.facts.clients.iter() {
        if let Some(o) = client.pinned {
            core.idx.ops[o].pinned_clients.insert(cl);
        }
    }
    for c in core.facts.convs.indices() {
        if !core.facts.conv_ids.is_live(c) {
            continue;
        }
        let (client, line) = (core.facts.convs[c].client, core.facts.convs[c].line);
        core.idx.client_convs[client].push(c);
        let place = std::mem::replace(&mut core.facts.convs[c].place, Place::Limbo);
        if let Place::Closed { .. } = place {
            core.facts.convs[c].place = place;
            continue;
        }
        core.idx.lines[line].open += 1;
        match place {
            Place::Waiting { bucket, .. } => {
                if let Bucket::Pool(PoolRef::Channel(ch)) | Bucket::Voice(PoolRef::Channel(ch)) =
                    bucket
                {
                    ensure(core.facts.chans[ch].pool_line == Some(line), || {
                        Corruption::Inconsistent {
                            kind: Entity::Conversation,
                            id: core.facts.conv_name(c).to_string(),
                            problem: "waits in a channel queue of another line",
                        }
                    })?;
                }
                let wait = core.facts.waits.get(&c).copied();
                let w = wait.ok_or_else(|| Corruption::Inconsistent {
                    kind: Entity::Conversation,
                    id: core.facts.conv_name(c).to_string(),
                    problem: "waiting with no wait under way",
                })?;
                let key = core.wait_key(c, w);
                core.place_waiting(c, key, bucket);
            }
            Place::Assigned { op, reason, answer } => {
                if let Some(key) = answer.deadline() {
                    restore_timer(&mut core.timers, key, Timer::Offer(c))?;
                }
                if answer.is_final() {
                    core.idx.lines[line].assigned += 1;
                } else {
                    core.idx.lines[line].offered += 1;
                }
                core.facts.convs[c].place = Place::Assigned { op, reason, answer };
                // The holder is the responsible (a snapshot from before responsibles has none).
                core.facts.convs[c].responsible = Some(op);
                core.idx.ops[op].held.insert(c);
                if core.facts.convs[c].request.is_voice() {
                    core.idx.ops[op].voice += 1;
                }
                core.adjust_load(op, c, true);
            }
            Place::Offered {
                ops,
                deadline,
                unclocked,
            } => {
                if let Some(key) = deadline {
                    restore_timer(&mut core.timers, key, Timer::Offer(c))?;
                }
                core.idx.lines[line].offered += 1;
                for &o in &ops {
                    core.idx.ops[o].offers.insert(c);
                }
                core.facts.convs[c].place = Place::Offered {
                    ops,
                    deadline,
                    unclocked,
                };
            }
            Place::WithBot { bot, deadline } => {
                if let Some(key) = deadline {
                    restore_timer(&mut core.timers, key, Timer::Bot(c))?;
                }
                core.idx.lines[line].with_bot += 1;
                core.facts.convs[c].place = Place::WithBot { bot, deadline };
            }
            Place::Completed => {
                core.idx.lines[line].completed += 1;
                core.facts.convs[c].place = Place::Completed;
            }
            Place::Scheduled { due } => {
                restore_timer(&mut core.timers, due, Timer::Callback(c))?;
                core.idx.lines[line].scheduled += 1;
                core.facts.convs[c].place = Place::Scheduled { due };
            }
            Place::Closed { .. } | Place::Limbo => {}
        }
    }
    for o in core.facts.ops.indices() {
        core.reslot(o);
    }
    core.idx.dirty.clear();
    // Written before clients were forgotten, a snapshot may know a client with no
    // conversation and no pin (pinned once, then unpinned): one with nothing to keep.
    for cl in st.core.facts.clients.indices() {
        if st.core.facts.client_ids.is_live(cl) {
            st.forget_client_if_idle(cl);
        }
    }
    Ok(())
}
