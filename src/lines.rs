//! The inputs about lines and channels: a line's configuration and removal, connecting and
//! disconnecting channels.

use std::collections::BTreeSet;

use crate::features::schedule::hours::Hours;
use crate::index::pools::PoolRef;
use crate::index::waiting::Bucket;
use crate::index::{LineIndex, QueueRef};
use crate::model::ids::{ChanIdx, ConvIdx, LineIdx, OpIdx};
use crate::model::line::Line;
use crate::state::State;
use crate::wire::config::{ChannelConfig, LineConfig, QueueEntry};
use crate::wire::decision::CloseReason;

impl State {
    /// The operators a queue names, directly or through groups (existing ones only).
    pub(crate) fn queue_members(&self, queue: &[QueueRef]) -> BTreeSet<OpIdx> {
        let mut out = BTreeSet::new();
        for r in queue {
            match *r {
                QueueRef::Op(o) => {
                    if self.core.facts.ops[o].exists {
                        out.insert(o);
                    }
                }
                QueueRef::Group(g) => {
                    out.extend(self.core.idx.groups[g].members.iter().map(|m| m.1))
                }
            }
        }
        out
    }

    fn drop_queue_refs(&mut self, l: LineIdx, queue: &[QueueRef]) {
        for r in queue {
            match *r {
                QueueRef::Op(o) => self.core.idx.ops[o].direct_refs.retain(|x| x.0 != l),
                QueueRef::Group(g) => self.core.idx.groups[g].refs.retain(|x| x.0 != l),
            }
        }
    }

    pub(crate) fn upsert_line(&mut self, cfg: LineConfig, hours: Option<Hours>) {
        let l = self.core.intern_line(&cfg.line);
        let new = self.core.facts.lines[l].is_none();
        let old_queue = std::mem::take(&mut self.core.idx.lines[l].queue);
        let mut affected = self.queue_members(&old_queue);
        self.drop_queue_refs(l, &old_queue);

        let mut queue = Vec::with_capacity(cfg.queue.len());
        for (entry, e) in cfg.queue.iter().enumerate() {
            let entry = u32::try_from(entry).unwrap_or(u32::MAX);
            let r = match e {
                QueueEntry::Operator(id) => {
                    let o = self.core.intern_op(id);
                    self.core.idx.ops[o].direct_refs.push((l, entry));
                    QueueRef::Op(o)
                }
                QueueEntry::Group { group } => {
                    let g = self.core.intern_group(group);
                    self.core.idx.groups[g].refs.push((l, entry));
                    QueueRef::Group(g)
                }
            };
            queue.push(r);
        }
        affected.extend(self.queue_members(&queue));
        self.core.facts.lines[l] = Some(Line { config: cfg });
        self.core.idx.lines[l].queue = queue;
        self.features.schedule.set(&mut self.core, l, hours, new);
        for o in affected {
            self.core.reslot(o);
        }
        // Its priorities may have changed: every waiting conversation takes its place anew.
        let waiting: Vec<ConvIdx> = self.core.idx.lines[l].waiting.values().copied().collect();
        for c in waiting {
            self.core.rekey_waiting(c);
        }
        self.retry_line(l);
    }

    pub(crate) fn remove_line(&mut self, l: LineIdx) {
        // Rare enough to scan every conversation rather than index each line's open ones.
        let open: Vec<ConvIdx> = self
            .core
            .facts
            .live_convs()
            .filter(|(_, conv)| conv.line == l && conv.is_open())
            .map(|(c, _)| c)
            .collect();
        for c in self.core.facts.by_birth(open) {
            self.close(c, CloseReason::LineRemoved);
        }
        let queue = std::mem::take(&mut self.core.idx.lines[l].queue);
        let members = self.queue_members(&queue);
        self.drop_queue_refs(l, &queue);
        for ch in self.core.facts.chans.indices() {
            let chan = &mut self.core.facts.chans[ch];
            if chan.pool_line == Some(l) {
                chan.pool_line = None;
            }
        }
        for o in members {
            self.core.reslot(o);
        }
        self.features.schedule.removed(&mut self.core, l);
        self.features.sla.line_removed(l);
        self.queue.line_removed(l);
        self.core.facts.lines[l] = None;
        // Nothing derived of the line is left (its queue, channels and conversations are
        // gone); a line created again under its id starts afresh.
        self.core.idx.lines[l] = LineIndex::default();
    }

    pub(crate) fn connect_channel(&mut self, l: LineIdx, cfg: ChannelConfig) {
        let ch = self.core.intern_chan(&cfg.channel);
        let restrict = cfg.operators.as_ref().map(|ops| {
            let mut v: Vec<OpIdx> = Vec::with_capacity(ops.len());
            for id in ops {
                let o = self.core.intern_op(id);
                if !v.contains(&o) {
                    v.push(o);
                }
            }
            v
        });
        let chan = &mut self.core.facts.chans[ch];
        let old_restrict = std::mem::replace(&mut chan.restrict, restrict);
        let old_pool_line = chan.pool_line.replace(l);
        chan.line = Some(l);
        let kind_changed = chan.kind != cfg.kind;
        chan.kind = cfg.kind;
        let new_restrict = chan.restrict.clone();

        let mut affected: BTreeSet<OpIdx> = BTreeSet::new();
        for o in old_restrict.iter().flatten() {
            self.core.idx.ops[*o].chan_refs.retain(|&x| x != ch);
            affected.insert(*o);
        }
        for o in new_restrict.iter().flatten() {
            self.core.idx.ops[*o].chan_refs.push(ch);
            affected.insert(*o);
        }
        self.core.idx.lines[l].channels.insert(ch);
        for o in affected {
            self.core.reslot(o);
        }

        // Conversations of this channel waiting on its old or new line may now belong to
        // another bucket (or be placeable): give each another chance, in arrival order.
        let mut lines = vec![l];
        if let Some(old) = old_pool_line.filter(|&x| x != l) {
            if self.core.facts.lines[old].is_some() {
                lines.push(old);
            }
        }
        let mut waiting: Vec<ConvIdx> = Vec::new();
        for line in lines {
            waiting.extend(
                self.core.idx.lines[line]
                    .waiting
                    .values()
                    .copied()
                    .filter(|&c| self.core.facts.convs[c].channel == ch),
            );
        }
        // The channel's kind may have changed, and with it the priority of its conversations
        // waiting on any line (one transferred elsewhere too). Rare enough to scan the queues.
        if kind_changed {
            let all: Vec<ConvIdx> = self
                .core
                .facts
                .lines
                .indices()
                .flat_map(|x| self.core.idx.lines[x].waiting.values().copied())
                .filter(|&c| self.core.facts.convs[c].channel == ch)
                .collect();
            for c in all {
                self.core.rekey_waiting(c);
            }
        }
        for c in self.by_urgency(waiting) {
            self.retry_waiting(c);
        }
        for pool in [PoolRef::Line(l), PoolRef::Channel(ch)] {
            self.core.idx.dirty.insert(Bucket::Pool(pool));
            self.core.idx.dirty.insert(Bucket::Voice(pool));
        }
    }

    pub(crate) fn disconnect_channel(&mut self, ch: ChanIdx) {
        if let Some(l) = self.core.facts.chans[ch].line.take() {
            self.core.idx.lines[l].channels.remove(&ch);
        }
    }
}
