//! Restoring: every reference in the recorded facts is checked first, so that rebuilding
//! cannot go out of bounds; then the facts are put back where each concept keeps them and
//! every index is built from them, as the engine would have built it.

use chrono::{DateTime, Utc};

use super::corruption::{Corruption, Entity, Sequence, ensure};
use super::facts::{Saved, SavedPlace};
use super::rebuild::rebuild_indices;
use crate::engine::validate::line_config;
use crate::features::schedule::hours::Hours;
use crate::index::pools::PoolRef;
use crate::index::timers::{Timer, TimerKey, Timers};
use crate::index::waiting::Bucket;
use crate::index::{GroupIndex, LineIndex, OpIndex};
use crate::model::client::Client;
use crate::model::conversation::{Answer, Conversation, Place};
use crate::model::ids::{ChanIdx, ClientIdx, ConvIdx, IdKeys, Idx, LineIdx, OpIdx};
use crate::model::line::{Channel, Line};
use crate::model::operator::Operator;
use crate::queue::priority::{Wait, WaitKey};
use crate::queue::{HANDLED_WINDOW, Order};
use crate::state::State;
use crate::wire::decision::AssignReason;
use crate::wire::queue::Request;

/// Sequences grow by one per event: no engine reaches 2^62, and one restored from above it
/// could overflow on its next input.
const MAX_SEQ: u64 = 1 << 62;

/// Checks that every index in the recorded facts points at something that exists; returns
/// each line's compiled working hours.
fn check(s: &Saved) -> Result<Vec<Option<Hours>>, Corruption> {
    let (n_ops, n_lines, n_chans, n_groups, n_clients) = (
        s.ops.len(),
        s.lines.len(),
        s.chans.len(),
        s.groups.len(),
        s.clients.len(),
    );
    for (ids, records, kind) in [
        (s.op_ids.len(), n_ops, Entity::Operator),
        (s.line_ids.len(), n_lines, Entity::Line),
        (s.chan_ids.len(), n_chans, Entity::Channel),
        (s.group_ids.len(), n_groups, Entity::Group),
        (s.client_ids.len(), n_clients, Entity::Client),
        (s.conv_ids.len(), s.convs.len(), Entity::Conversation),
    ] {
        ensure(ids == records, || Corruption::Count(kind))?;
    }
    ensure(s.clock.is_some() || s.convs.is_empty(), || {
        Corruption::NoClock
    })?;
    ensure(s.seq <= MAX_SEQ, || Corruption::Sequence {
        which: Sequence::Event,
        value: s.seq,
    })?;
    ensure(s.timers.seq <= MAX_SEQ, || Corruption::Sequence {
        which: Sequence::Deadline,
        value: s.timers.seq,
    })?;
    let op_ok = |o: OpIdx| o.ix() < n_ops;
    let live_op = |o: OpIdx| op_ok(o) && s.ops[o.ix()].exists;
    let line_ok = |l: LineIdx| l.ix() < n_lines && s.lines[l.ix()].is_some();
    let dangling = |kind, id: String, refers_to| Corruption::Dangling {
        kind,
        id,
        refers_to,
    };
    let inconsistent = |kind, id: String, problem| Corruption::Inconsistent { kind, id, problem };
    for (o, op) in s.ops.iter().enumerate() {
        let id = || s.op_ids.name(OpIdx::at(o)).to_string();
        ensure(op.groups.iter().all(|g| g.ix() < n_groups), || {
            dangling(Entity::Operator, id(), Entity::Group)
        })?;
        ensure(op.created <= s.seq && op.last_assigned <= s.seq, || {
            inconsistent(Entity::Operator, id(), "sequence from the future")
        })?;
        ensure(op.absences.iter().all(|w| w.from < w.until), || {
            inconsistent(Entity::Operator, id(), "absence ends before it starts")
        })?;
    }
    let mut hours: Vec<Option<Hours>> = vec![None; n_lines];
    for (l, line) in s.lines.iter().enumerate() {
        let Some(line) = line else { continue };
        let name = s.line_ids.name(LineIdx::at(l));
        ensure(line.config.line.as_str() == name.as_str(), || {
            inconsistent(
                Entity::Line,
                name.to_string(),
                "carries the configuration of another",
            )
        })?;
        hours[l] = line_config(&line.config).map_err(|error| Corruption::LineConfig {
            line: name.clone(),
            error,
        })?;
    }
    for (ch, chan) in s.chans.iter().enumerate() {
        let id = || s.chan_ids.name(ChanIdx::at(ch)).to_string();
        ensure(
            chan.line.is_none_or(line_ok) && chan.pool_line.is_none_or(line_ok),
            || dangling(Entity::Channel, id(), Entity::Line),
        )?;
        ensure(chan.restrict.iter().flatten().all(|&o| op_ok(o)), || {
            dangling(Entity::Channel, id(), Entity::Operator)
        })?;
    }
    for (slots, records, kind) in [(
        &s.client_ids,
        s.clients.iter().map(Option::is_some).collect::<Vec<_>>(),
        Entity::Client,
    )] {
        for (i, live) in records.into_iter().enumerate() {
            ensure(slots.is_live(ClientIdx::at(i)) == live, || {
                Corruption::Inconsistent {
                    kind,
                    id: format!("slot {i}"),
                    problem: "an id without a record, or a record without an id",
                }
            })?;
        }
    }
    for (c, conv) in s.convs.iter().enumerate() {
        ensure(s.conv_ids.is_live(ConvIdx::at(c)) == conv.is_some(), || {
            Corruption::Inconsistent {
                kind: Entity::Conversation,
                id: format!("slot {c}"),
                problem: "an id without a record, or a record without an id",
            }
        })?;
    }
    let live_client = |cl: ClientIdx| cl.ix() < n_clients && s.clients[cl.ix()].is_some();
    for (cl, client) in s.clients.iter().enumerate() {
        let Some(client) = client else { continue };
        ensure(
            client.pinned.is_none_or(live_op) && client.last_operator.is_none_or(op_ok),
            || {
                dangling(
                    Entity::Client,
                    s.client_ids.name(ClientIdx::at(cl)).to_string(),
                    Entity::Operator,
                )
            },
        )?;
    }
    // Waits are ordered by their sequence: two sharing one would share a place in a queue.
    let mut wait_seqs = std::collections::BTreeSet::new();
    for (c, conv) in s.convs.iter().enumerate() {
        let Some(conv) = conv else { continue };
        let id = || s.conv_ids.name(ConvIdx::at(c)).to_string();
        let wait_seq = match &conv.state {
            SavedPlace::Waiting { seq, .. } => Some(*seq),
            _ => conv.wait.map(|w| w.seq),
        };
        if let Some(seq) = wait_seq {
            ensure(seq <= s.seq && wait_seqs.insert(seq), || {
                inconsistent(Entity::Conversation, id(), "a wait out of sequence")
            })?;
        }
        for (ok, refers_to) in [
            (live_client(conv.client), Entity::Client),
            (conv.channel.ix() < n_chans, Entity::Channel),
            (conv.line.ix() < n_lines, Entity::Line),
        ] {
            ensure(ok, || dangling(Entity::Conversation, id(), refers_to))?;
        }
        let born = conv.born.unwrap_or(c as u64);
        ensure(s.births.is_none_or(|b| born < b), || {
            inconsistent(Entity::Conversation, id(), "born after the births counted")
        })?;
        ensure(
            conv.forget_timer.is_none() || conv.state == SavedPlace::Closed,
            || inconsistent(Entity::Conversation, id(), "open, yet due to be forgotten"),
        )?;
        // A responsible is cleared when its operator is removed, so it names one who exists.
        ensure(
            conv.tried.iter().all(|&(o, _)| op_ok(o)) && conv.responsible.is_none_or(live_op),
            || dangling(Entity::Conversation, id(), Entity::Operator),
        )?;
        let placed = match &conv.state {
            SavedPlace::Closed => true,
            SavedPlace::Limbo => false,
            SavedPlace::Waiting { seq, bucket, .. } => {
                *seq <= s.seq
                    && match *bucket {
                        Bucket::Pinned(o) => op_ok(o),
                        Bucket::Pool(PoolRef::Line(l)) | Bucket::Voice(PoolRef::Line(l)) => {
                            line_ok(l)
                        }
                        Bucket::Pool(PoolRef::Channel(ch))
                        | Bucket::Voice(PoolRef::Channel(ch)) => ch.ix() < n_chans,
                    }
            }
            SavedPlace::Scheduled { .. } => conv.request == Request::Callback,
            SavedPlace::Assigned { op, .. } => live_op(*op),
            SavedPlace::WithBot { .. } | SavedPlace::Completed => true,
            SavedPlace::Offered { ops, .. } => {
                !ops.is_empty()
                    && ops.iter().all(|&o| live_op(o))
                    && ops.iter().enumerate().all(|(i, o)| !ops[..i].contains(o))
            }
        };
        ensure(placed, || {
            inconsistent(Entity::Conversation, id(), "impossible state")
        })?;
        ensure(
            conv.state == SavedPlace::Closed || line_ok(conv.line),
            || {
                inconsistent(
                    Entity::Conversation,
                    id(),
                    "open on a line that does not exist",
                )
            },
        )?;
    }
    ensure(s.settings.max_renewals_per_call > 0, || {
        Corruption::Settings
    })?;
    for h in &s.handled {
        ensure(line_ok(h.line) && h.secs.len() <= HANDLED_WINDOW, || {
            Corruption::Inconsistent {
                kind: Entity::Line,
                id: format!("slot {}", h.line.ix()),
                problem: "handling times of a line that does not exist, or too many",
            }
        })?;
    }
    Ok(hours)
}

/// The record in the slot of a forgotten conversation: nothing refers to it.
fn vacant() -> Conversation {
    let mut conv = Conversation::new(ClientIdx(0), ChanIdx(0), LineIdx(0), 0);
    conv.place = Place::Closed {
        at: DateTime::<Utc>::MIN_UTC,
        forget: None,
    };
    conv
}

/// Schedules a recorded deadline again.
pub(super) fn restore_timer(
    timers: &mut Timers,
    key: TimerKey,
    timer: Timer,
) -> Result<(), Corruption> {
    ensure(timers.restore(key, timer), || Corruption::Deadline)
}

/// The engine state a snapshot describes, with every index rebuilt.
pub(crate) fn restore(s: Saved) -> Result<State, Corruption> {
    let mut compiled = check(&s)?.into_iter();
    let mut st = State::new(s.seed);
    let keys = IdKeys::from_seed(s.seed);
    let Saved {
        clock,
        past_inputs,
        seq,
        seed: _,
        op_ids,
        ops,
        line_ids,
        lines,
        chan_ids,
        chans,
        group_ids,
        groups: _,
        client_ids,
        clients,
        conv_ids,
        convs,
        timers,
        out,
        births,
        settings,
        rules,
        roles,
        handled,
    } = s;
    let (core, features) = (&mut st.core, &mut st.features);
    core.clock = clock;
    core.past_inputs = past_inputs;
    core.seq = seq;
    core.timers = Timers::starting_at(timers.seq);
    core.out = out;

    let facts = &mut core.facts;
    facts.op_ids = op_ids.rekeyed(keys);
    facts.line_ids = line_ids.rekeyed(keys);
    facts.chan_ids = chan_ids.rekeyed(keys);
    facts.group_ids = group_ids.rekeyed(keys);
    facts.client_ids = client_ids.rekeyed(keys);
    facts.conv_ids = conv_ids.rekeyed(keys);
    for role in roles {
        st.access.upsert_role(role);
    }
    for h in handled {
        let kinds = st.queue.handled_mut(h.line);
        for secs in h.secs {
            kinds[h.request as usize].push(secs);
        }
    }
    for op in ops {
        let o = facts.ops.push(Operator {
            exists: op.exists,
            created: op.created,
            max_open: op.max_open,
            groups: op.groups,
            active: op.active,
            presence: op.presence,
            workday: op.workday,
            absences: op.absences.into_iter().map(Into::into).collect(),
            in_absence: op.in_absence,
            epoch: op.epoch,
            last_assigned: op.last_assigned,
        });
        core.idx.ops.push(OpIndex::default());
        features.sla.set_op(o, op.sla.into());
        st.access.set_roles(o, op.roles);
    }
    for line in lines {
        let l = facts.lines.push(None);
        core.idx.lines.push(LineIndex::default());
        let hours = compiled.next().flatten();
        let Some(line) = line else { continue };
        let is_open = match (&hours, clock) {
            (Some(h), Some(now)) => h.is_open(now),
            _ => true,
        };
        if let Some(key) = line.schedule_timer {
            restore_timer(&mut core.timers, key, Timer::Schedule(l))?;
        }
        features
            .schedule
            .restore(l, hours, is_open, line.schedule_timer, line.closed_period);
        features.sla.set_line(l, line.sla.into());
        facts.lines[l] = Some(Line {
            config: line.config,
        });
    }
    for ch in chans {
        facts.chans.push(Channel {
            line: ch.line,
            pool_line: ch.pool_line,
            kind: ch.kind,
            restrict: ch.restrict,
        });
        core.idx.chans.push(Default::default());
    }
    for _ in 0..facts.group_ids.len() {
        core.idx.groups.push(GroupIndex::default());
    }
    for cl in clients {
        let cl = cl.unwrap_or_default();
        facts.clients.push(Client {
            pinned: cl.pinned,
            last_operator: cl.last_operator,
            contacts: cl.contacts,
            vip: cl.vip,
        });
        core.idx.client_convs.push(Vec::new());
    }
    let n_convs = convs.len() as u64;
    facts.births = births.unwrap_or(n_convs);
    core.settings = settings;
    let (mut forgets, mut legacy) = (Vec::new(), Vec::new());
    for (slot, conv) in convs.into_iter().enumerate() {
        let Some(conv) = conv else {
            // The slot of a forgotten conversation: a record nothing refers to, until a new
            // conversation takes the slot.
            core.facts.convs.push(vacant());
            continue;
        };
        let mut wait = conv.wait.map(|w| Wait {
            since: w.since,
            seq: w.seq,
        });
        let place = match conv.state {
            SavedPlace::Closed => Place::Closed {
                // Written before conversations were forgotten, it closed as of the clock.
                at: conv.closed_at.or(clock).unwrap_or_default(),
                forget: conv.forget_timer,
            },
            SavedPlace::Limbo => Place::Limbo,
            SavedPlace::Waiting { since, seq, bucket } => {
                // Its place in the queue is derived: rebuilt with the indices.
                wait = Some(Wait { since, seq });
                Place::Waiting {
                    key: WaitKey::default(),
                    bucket,
                }
            }
            SavedPlace::Scheduled { due } => Place::Scheduled { due },
            SavedPlace::Assigned {
                op,
                deadline,
                unconfirmed,
                reason,
            } => Place::Assigned {
                op,
                reason: reason.unwrap_or(AssignReason::Routed),
                answer: match (deadline, unconfirmed) {
                    (Some(key), _) => Answer::Due(key),
                    (None, true) => Answer::Unclocked,
                    (None, false) => Answer::Final,
                },
            },
            SavedPlace::Completed => Place::Completed,
            SavedPlace::Offered {
                ops,
                deadline,
                unclocked,
            } => Place::Offered {
                ops,
                deadline,
                unclocked: unclocked && deadline.is_none(),
            },
            SavedPlace::WithBot { bot, deadline } => Place::WithBot { bot, deadline },
        };
        let c = core.facts.convs.push(Conversation {
            place,
            client: conv.client,
            channel: conv.channel,
            line: conv.line,
            awaiting_reply: conv.awaiting_reply,
            answered: conv.answered,
            tried: conv.tried,
            born: conv.born.unwrap_or(slot as u64),
            status: conv.status,
            responsible: conv.responsible,
            request: conv.request,
            placed_at: conv.placed_at,
        });
        if let Some(w) = wait {
            core.facts.waits.insert(c, w);
        }
        if let Some(order) = conv.order {
            st.queue.orders.insert(
                c,
                Order {
                    attempt: order.attempt,
                    due_at: order.due_at,
                },
            );
        }
        if let Place::Closed { forget, .. } = core.facts.convs[c].place {
            match (forget, conv.closed_at) {
                (Some(key), _) => forgets.push((key, c)),
                (None, None) => legacy.push(c),
                (None, Some(_)) => {}
            }
        }
        if let Some(score) = conv.rating {
            features.rating.restore(c, score);
        }
        if let Some(p) = conv.sla {
            restore_timer(&mut core.timers, p.timer, Timer::Sla(c))?;
            features.sla.restore_pending(c, p.into());
        }
        if let Some(key) = conv.unanswered_timer {
            restore_timer(&mut core.timers, key, Timer::Unanswered(c))?;
        }
        features
            .replies
            .restore(c, conv.unanswered_timer, conv.off_hours_period);
        if let Some(key) = conv.inactivity_timer {
            restore_timer(&mut core.timers, key, Timer::Inactivity(c))?;
            features.inactivity.restore(c, key);
        }
    }
    ensure(core.timers.restore_forgets(forgets), || {
        Corruption::Deadline
    })?;
    // Written before conversations were forgotten, a closed conversation closed as of the
    // clock: it is forgotten one retention from now.
    for c in legacy {
        if let Place::Closed { at, forget: None } = core.facts.convs[c].place {
            let forget = core
                .forget_deadline(at)
                .map(|t| core.timers.schedule(t, Timer::Forget(c)));
            core.facts.convs[c].place = Place::Closed { at, forget };
        }
    }
    rebuild_indices(&mut st)?;
    crate::rules::validate(&st.core, &rules).map_err(Corruption::Rules)?;
    st.rules = crate::rules::compile(&mut st.core, rules);
    Ok(st)
}
