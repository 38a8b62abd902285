//! Lines and channels: queue membership, configuration changes and removal.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::{ChannelConfig, LineConfig, QueueEntry};
use crate::decision::{CloseReason, DecisionKind};
use crate::error::Error;
use crate::id::{ChannelId, LineId};
use crate::state::{
    Bucket, ChanIdx, ConvIdx, ConvState, Line, LineIdx, OpIdx, Pool, PoolRef, QueueRef, State,
};
use crate::timers::Timer;

impl State {
    pub(crate) fn require_line(&self, id: &LineId) -> Result<LineIdx, Error> {
        self.line_idx(id.as_str())
            .ok_or_else(|| Error::UnknownLine(id.clone()))
    }

    pub(crate) fn require_chan(&self, id: &ChannelId) -> Result<ChanIdx, Error> {
        self.chan_ids
            .get(id)
            .ok_or_else(|| Error::UnknownChannel(id.clone()))
    }

    /// The operators a queue names, directly or through groups (existing ones only).
    fn queue_members(&self, queue: &[QueueRef]) -> BTreeSet<OpIdx> {
        let mut out = BTreeSet::new();
        for r in queue {
            match *r {
                QueueRef::Op(o) => {
                    if self.ops[o as usize].exists {
                        out.insert(o);
                    }
                }
                QueueRef::Group(g) => {
                    out.extend(self.groups[g as usize].members.iter().map(|m| m.1))
                }
            }
        }
        out
    }

    fn drop_queue_refs(&mut self, l: LineIdx, queue: &[QueueRef]) {
        for r in queue {
            match *r {
                QueueRef::Op(o) => self.ops[o as usize].direct_refs.retain(|x| x.0 != l),
                QueueRef::Group(g) => self.groups[g as usize].refs.retain(|x| x.0 != l),
            }
        }
    }

    /// Every conversation waiting on line `l` gets another chance, in arrival order, after a
    /// change of the line's settings (the queue, the mode, a cap, the pinned policy …).
    pub(crate) fn retry_line(&mut self, l: LineIdx) {
        let waiting: Vec<ConvIdx> = self.line(l).waiting.values().copied().collect();
        for c in waiting {
            self.retry_waiting(c);
        }
    }

    pub(crate) fn upsert_line(&mut self, cfg: LineConfig) {
        let l = self.intern_line(&cfg.line);
        let new = self.lines[l as usize].is_none();
        let old_queue = match &self.lines[l as usize] {
            Some(line) => line.queue.clone(),
            None => {
                self.lines[l as usize] = Some(Line {
                    config: cfg.clone(),
                    queue: Vec::new(),
                    pool: Pool::default(),
                    waiting: BTreeMap::new(),
                    channels: BTreeSet::new(),
                    open: 0,
                    offered: 0,
                    assigned: 0,
                    with_bot: 0,
                    schedule: None,
                    is_open: false,
                    schedule_timer: None,
                    closed_period: 0,
                    sla: Default::default(),
                });
                Vec::new()
            }
        };
        let mut affected = self.queue_members(&old_queue);
        self.drop_queue_refs(l, &old_queue);

        let mut queue = Vec::with_capacity(cfg.queue.len());
        for (entry, e) in cfg.queue.iter().enumerate() {
            let entry = u32::try_from(entry).unwrap_or(u32::MAX);
            let r = match e {
                QueueEntry::Operator(id) => {
                    let o = self.intern_op(id);
                    self.ops[o as usize].direct_refs.push((l, entry));
                    QueueRef::Op(o)
                }
                QueueEntry::Group { group } => {
                    let g = self.intern_group(group);
                    self.groups[g as usize].refs.push((l, entry));
                    QueueRef::Group(g)
                }
            };
            queue.push(r);
        }
        affected.extend(self.queue_members(&queue));
        let line = self.line_mut(l);
        line.config = cfg;
        line.queue = queue;
        self.apply_schedule(l, new);
        for o in affected {
            self.reslot(o);
        }
        self.retry_line(l);
    }

    pub(crate) fn check_remove_line(&self, id: &LineId) -> Result<LineIdx, Error> {
        let l = self.require_line(id)?;
        let channels = &self.line(l).channels;
        if !channels.is_empty() {
            return Err(Error::LineHasChannels {
                line: id.clone(),
                channels: channels
                    .iter()
                    .map(|&c| self.chan_ids.name(c).clone())
                    .collect(),
            });
        }
        Ok(l)
    }

    pub(crate) fn remove_line(&mut self, l: LineIdx) {
        // Rare enough to scan every conversation rather than index each line's open ones.
        let open: Vec<ConvIdx> = (0..self.convs.len() as ConvIdx)
            .filter(|&c| {
                let conv = &self.convs[c as usize];
                conv.line == l && conv.state != ConvState::Closed
            })
            .collect();
        for c in open {
            self.close(c, CloseReason::LineRemoved);
        }
        let queue = std::mem::take(&mut self.line_mut(l).queue);
        let members = self.queue_members(&queue);
        self.drop_queue_refs(l, &queue);
        for chan in &mut self.chans {
            if chan.pool_line == Some(l) {
                chan.pool_line = None;
            }
        }
        for o in members {
            self.reslot(o);
        }
        if let Some(key) = self.line_mut(l).schedule_timer.take() {
            self.timers.cancel(key);
        }
        self.lines[l as usize] = None;
    }

    pub(crate) fn check_connect(&self, cfg: &ChannelConfig) -> Result<LineIdx, Error> {
        let l = self.require_line(&cfg.line)?;
        if let Some(c) = self.chan_ids.get(&cfg.channel) {
            if let Some(on) = self.chans[c as usize].line {
                if on != l {
                    return Err(Error::ChannelOnAnotherLine {
                        channel: cfg.channel.clone(),
                        connected_to: self.line_name(on),
                        requested: cfg.line.clone(),
                    });
                }
            }
        }
        Ok(l)
    }

    pub(crate) fn connect_channel(&mut self, l: LineIdx, cfg: ChannelConfig) {
        let ch = self.intern_chan(&cfg.channel);
        let restrict = cfg.operators.as_ref().map(|ops| {
            let mut v: Vec<OpIdx> = Vec::with_capacity(ops.len());
            for id in ops {
                let o = self.intern_op(id);
                if !v.contains(&o) {
                    v.push(o);
                }
            }
            v
        });
        let chan = &mut self.chans[ch as usize];
        let old_restrict = std::mem::replace(&mut chan.restrict, restrict);
        let old_pool_line = chan.pool_line.replace(l);
        chan.line = Some(l);
        chan.kind = cfg.kind;
        let new_restrict = chan.restrict.clone();

        let mut affected: BTreeSet<OpIdx> = BTreeSet::new();
        for o in old_restrict.iter().flatten() {
            self.ops[*o as usize].chan_refs.retain(|&x| x != ch);
            affected.insert(*o);
        }
        for o in new_restrict.iter().flatten() {
            self.ops[*o as usize].chan_refs.push(ch);
            affected.insert(*o);
        }
        self.line_mut(l).channels.insert(ch);
        for o in affected {
            self.reslot(o);
        }

        // Conversations of this channel waiting on its old or new line may now belong to
        // another bucket (or be placeable): give each another chance, in arrival order.
        let mut lines = vec![l];
        if let Some(old) = old_pool_line.filter(|&x| x != l) {
            if self.lines[old as usize].is_some() {
                lines.push(old);
            }
        }
        let mut waiting: Vec<(u64, _)> = Vec::new();
        for line in lines {
            waiting.extend(
                self.line(line)
                    .waiting
                    .iter()
                    .filter(|&(_, &c)| self.convs[c as usize].channel == ch)
                    .map(|(&s, &c)| (s, c)),
            );
        }
        waiting.sort_unstable();
        for (_, c) in waiting {
            self.retry_waiting(c);
        }
        self.dirty.insert(Bucket::Pool(PoolRef::Line(l)));
        self.dirty.insert(Bucket::Pool(PoolRef::Channel(ch)));
    }

    pub(crate) fn disconnect_channel(&mut self, ch: ChanIdx) {
        if let Some(l) = self.chans[ch as usize].line.take() {
            self.line_mut(l).channels.remove(&ch);
        }
    }

    /// Closes an open conversation and says so.
    pub(crate) fn close(&mut self, c: ConvIdx, reason: CloseReason) {
        if let ConvState::Assigned { op, .. } = self.leave(c) {
            let client = self.convs[c as usize].client;
            self.clients[client as usize].last_operator = Some(op);
        }
        self.close_from_limbo(c, reason);
    }

    /// Closes a conversation in limbo and says so (and asks for a rating if the line wants).
    pub(crate) fn close_from_limbo(&mut self, c: ConvIdx, reason: CloseReason) {
        self.enter_closed(c);
        self.emit(DecisionKind::Closed {
            conversation: self.conv_name(c),
            reason,
        });
        self.after_close(c, reason);
    }

    /// Sets a line's working hours as of now: whether it is open, and when that next changes.
    fn apply_schedule(&mut self, l: LineIdx, new: bool) {
        let now = self.now();
        let schedule = self.line(l).config.validate().ok().flatten();
        if let Some(key) = self.line_mut(l).schedule_timer.take() {
            self.timers.cancel(key);
        }
        let open = schedule.as_ref().is_none_or(|s| s.is_open(now));
        let next = schedule.as_ref().and_then(|s| s.next_change(now));
        let timer = next.map(|t| self.timers.schedule(t, Timer::Schedule(l)));
        if !open && (new || self.line(l).is_open) {
            // A closed period gets an id unique across all lines (and their re-creations).
            let period = self.next_seq();
            self.line_mut(l).closed_period = period;
        }
        let line = self.line_mut(l);
        line.is_open = open;
        line.schedule = schedule;
        line.schedule_timer = timer;
    }

    /// A line's schedule opens or closes it now.
    pub(crate) fn schedule_fired(&mut self, l: LineIdx) {
        if self.lines[l as usize].is_none() {
            return;
        }
        self.line_mut(l).schedule_timer = None;
        let was_open = self.line(l).is_open;
        self.apply_schedule(l, false);
        if self.line(l).is_open && !was_open {
            // Routed once every deadline of this instant has fired, together with the other
            // lines opening at the same instant: longest waiting first across all of them.
            self.opened.push(l);
        }
    }

    /// The waiting conversations of the lines that opened at this instant get their chance,
    /// longest waiting first across all of them.
    pub(crate) fn route_opened_lines(&mut self) {
        let opened = std::mem::take(&mut self.opened);
        let mut waiting: Vec<(u64, ConvIdx)> = Vec::new();
        for l in opened {
            if let Some(line) = &self.lines[l as usize] {
                waiting.extend(line.waiting.iter().map(|(&s, &c)| (s, c)));
            }
        }
        waiting.sort_unstable();
        waiting.dedup();
        for (_, c) in waiting {
            self.retry_waiting(c);
        }
    }
}
