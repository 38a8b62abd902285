//! Lookups, and every routing question answered from scratch: eligibility, room, the plan.

use super::*;

impl Model {
    // ---- lookups -----------------------------------------------------------------------------

    pub(super) fn now_(&self) -> DateTime<Utc> {
        self.clock
            .expect("the clock is set before any input or deadline is applied")
    }

    pub(super) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// An operator record, existing or not (a removed operator keeps its record).
    pub(super) fn op_record(&self, id: &str) -> Option<&Operator> {
        self.operators.iter().find(|o| o.id == id)
    }

    pub(super) fn op_record_mut(&mut self, id: &str) -> &mut Operator {
        if !self.operators.iter().any(|o| o.id == id) {
            self.operators.push(Operator::new(id));
        }
        self.operators
            .iter_mut()
            .find(|o| o.id == id)
            .expect("just added")
    }

    /// An existing operator.
    pub(super) fn op(&self, id: &str) -> Option<&Operator> {
        self.op_record(id).filter(|o| o.exists)
    }

    pub(super) fn line(&self, id: &str) -> Option<&LineConfig> {
        self.line_rec(id).map(|l| &l.cfg)
    }

    pub(super) fn line_rec(&self, id: &str) -> Option<&Line> {
        self.lines.iter().find(|l| l.cfg.line.as_str() == id)
    }

    pub(super) fn line_rec_mut(&mut self, id: &str) -> &mut Line {
        self.lines
            .iter_mut()
            .find(|l| l.cfg.line.as_str() == id)
            .expect("an existing line")
    }

    /// The line of a conversation (which exists while the conversation is open).
    pub(super) fn conv_line(&self, c: usize) -> &Line {
        self.line_rec(&self.conversations[c].line)
            .expect("an open conversation's line exists")
    }

    pub(super) fn line_of(&self, c: usize) -> &LineConfig {
        self.line(&self.conversations[c].line)
            .expect("an open conversation's line exists")
    }

    pub(super) fn channel(&self, id: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.id == id)
    }

    pub(super) fn client(&self, id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.id == id)
    }

    pub(super) fn client_mut(&mut self, id: &str) -> &mut Client {
        if !self.clients.iter().any(|c| c.id == id) {
            self.clients.push(Client {
                id: id.to_string(),
                pinned: None,
                last_operator: None,
                contacts: 0,
                vip: false,
            });
        }
        self.clients
            .iter_mut()
            .find(|c| c.id == id)
            .expect("just added")
    }

    pub(super) fn conv_index(&self, id: &str) -> Option<usize> {
        self.conversations.iter().position(|c| c.id == id)
    }

    pub(super) fn emit(&mut self, kind: DecisionKind) {
        let at = self.now_();
        self.out.push(Decision { at, kind });
    }

    pub(super) fn schedule(&mut self, at: DateTime<Utc>, kind: TimerKind) {
        self.timer_seq += 1;
        self.timers.push(Timer {
            at,
            seq: self.timer_seq,
            call: self.call,
            kind,
        });
    }

    pub(super) fn cancel(&mut self, kind: TimerKind) {
        self.timers.retain(|t| t.kind != kind);
    }

    pub(super) fn has_timer(&self, kind: &TimerKind) -> bool {
        self.timers.iter().any(|t| t.kind == *kind)
    }

    /// `secs` seconds from now (`None` past the end of time).
    pub(super) fn after(&self, secs: u32) -> Option<DateTime<Utc>> {
        self.now_()
            .checked_add_signed(TimeDelta::seconds(i64::from(secs)))
    }

    // ---- eligibility, from scratch -----------------------------------------------------------

    /// How many open conversations the operator is responsible for, counted as `count` says
    /// (a call or callback counts toward every counter).
    pub(super) fn load(&self, op: &str, count: CountTowardCap) -> u32 {
        let mut n = 0;
        for c in &self.conversations {
            if let Where::Assigned { op: holder, .. } = &c.at {
                if holder == op {
                    let counts = match count {
                        _ if c.request != Request::Text => true,
                        CountTowardCap::Open => true,
                        CountTowardCap::AwaitingReply => c.awaiting_reply,
                        CountTowardCap::Unanswered => !c.answered,
                    };
                    if counts {
                        n += 1;
                    }
                }
            }
        }
        n
    }

    /// Available under the line's availability check (membership, channel and cap aside):
    /// active, and — when the line checks — outside absences and online, or with a started
    /// work day if the line tracks work time.
    pub(super) fn available_on(&self, op: &str, line: &LineConfig) -> bool {
        self.op(op).is_some_and(|o| o.availability()[profile(line)])
    }

    pub(super) fn has_room_on(&self, op: &str, line: &LineConfig) -> bool {
        let own = self.op(op).and_then(|o| o.max_open);
        let cap = match (own, line.max_open_per_operator) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match cap {
            None => true,
            Some(cap) => self.load(op, line.count_toward_cap) < cap,
        }
    }

    /// The line's members in queue order: each entry in turn, a group's members in order of
    /// creation, an operator named twice keeping the first place. Existing operators only.
    pub(super) fn members(&self, line: &LineConfig) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for entry in &line.queue {
            match entry {
                QueueEntry::Operator(id) => {
                    if self.op(id.as_str()).is_some() && !out.iter().any(|m| m == id.as_str()) {
                        out.push(id.as_str().to_string());
                    }
                }
                QueueEntry::Group { group } => {
                    let mut in_group: Vec<&Operator> = self
                        .operators
                        .iter()
                        .filter(|o| o.exists && o.groups.iter().any(|g| g == group.as_str()))
                        .collect();
                    in_group.sort_by_key(|o| o.created);
                    for o in in_group {
                        if !out.contains(&o.id) {
                            out.push(o.id.clone());
                        }
                    }
                }
            }
        }
        out
    }

    /// The channel's operator list, when it restricts this conversation: the channel's list
    /// applies on the line it was (last) connected to.
    pub(super) fn channel_list(&self, c: usize) -> Option<&Vec<String>> {
        let conv = &self.conversations[c];
        let chan = self.channel(&conv.channel)?;
        if chan.list_line.as_deref() == Some(conv.line.as_str()) {
            chan.operators.as_ref()
        } else {
            None
        }
    }

    /// The capacity a conversation waits for: its pinned operator, when it waits for an
    /// `always` pin to an operator who is inactive or gone; else its pool — the channel, when
    /// the channel's operator list applies on its line, or else the line.
    pub(super) fn waits_for(&self, c: usize) -> (u8, String) {
        let line = self.line_of(c);
        let pinned = self
            .client(&self.conversations[c].client)
            .and_then(|cl| cl.pinned.clone());
        if let Some(p) = pinned {
            if line.pinned_policy == PinnedPolicy::Always && !self.op(&p).is_some_and(|o| o.active)
            {
                return (0, p);
            }
        }
        self.pool(c)
    }

    /// A conversation's pool: its channel when the channel's list applies, else its line.
    pub(super) fn pool(&self, c: usize) -> (u8, String) {
        let conv = &self.conversations[c];
        match self.channel_list(c) {
            Some(_) => (1, conv.channel.clone()),
            None => (2, conv.line.clone()),
        }
    }

    /// Whether a conversation in limbo that is coming back to its queue would wait behind a
    /// more urgent one waiting for the same pool (its wait, kept, against theirs), whatever
    /// either's kind.
    pub(super) fn waits_behind(&self, c: usize) -> bool {
        if self.conversations[c].wait.is_none() {
            return false;
        }
        let pool = self.pool(c);
        self.conversations.iter().enumerate().any(|(i, w)| {
            i != c
                && matches!(w.at, Where::Waiting { .. })
                && self.waits_for(i) == pool
                && self.more_urgent(i, c)
        })
    }

    /// Who may serve this conversation automatically, in queue order: members of its line,
    /// allowed on its channel.
    pub(super) fn candidates(&self, c: usize) -> Vec<String> {
        let members = self.members(self.line_of(c));
        match self.channel_list(c) {
            Some(list) => members.into_iter().filter(|m| list.contains(m)).collect(),
            None => members,
        }
    }

    /// Whether the conversation is a call or a callback order (DESIGN §7).
    pub(super) fn is_voice(&self, c: usize) -> bool {
        self.conversations[c].request != Request::Text
    }

    /// What the operator holds (assigned, confirmed or not): anything, and a call or callback.
    pub(super) fn holding(&self, op: &str) -> (bool, bool) {
        let mut held = (false, false);
        for c in &self.conversations {
            if matches!(&c.at, Where::Assigned { op: holder, .. } if holder == op) {
                held.0 = true;
                held.1 |= c.request != Request::Text;
            }
        }
        held
    }

    /// Available on the conversation's line with room for it: under cap, and, for a call or
    /// callback, holding nothing; for a text, holding no call or callback.
    pub(super) fn fits(&self, c: usize, op: &str) -> bool {
        let line = self.line_of(c);
        let (anything, voice) = self.holding(op);
        let free = if self.is_voice(c) { !anything } else { !voice };
        self.available_on(op, line) && self.has_room_on(op, line) && free
    }

    /// Eligible for this conversation and with room for it.
    pub(super) fn ready_for(&self, c: usize, op: &str) -> bool {
        self.candidates(c).iter().any(|m| m == op) && self.fits(c, op)
    }

    /// Tried for this conversation, and not come back since (under its line's profile).
    pub(super) fn tried(&self, c: usize, op: &str) -> bool {
        let Some(o) = self.op_record(op) else {
            return false;
        };
        let p = profile(self.line_of(c));
        self.conversations[c]
            .tried
            .iter()
            .any(|(t, e)| t == op && e[p] == o.epoch[p])
    }

    pub(super) fn any_still_tried(&self, c: usize) -> bool {
        self.conversations[c]
            .tried
            .iter()
            .any(|(t, _)| self.tried(c, t))
    }

    pub(super) fn mark_tried(&mut self, c: usize, op: &str) {
        let epoch = self.op_record(op).map_or([0; 3], |o| o.epoch);
        let tried = &mut self.conversations[c].tried;
        tried.retain(|(t, _)| t != op);
        tried.push((op.to_string(), epoch));
    }

    /// Decides where a conversation should go now, changing nothing.
    pub(super) fn plan(&self, c: usize) -> Plan {
        let conv = &self.conversations[c];
        let line = self.line_of(c);
        let client = self.client(&conv.client);
        let pinned = client.and_then(|cl| cl.pinned.clone());
        let last_operator = client.and_then(|cl| cl.last_operator.clone());

        // While the line is closed nothing is routed; an `always` pin to an operator who is
        // inactive or gone is the first reason given, though.
        let pinned_gone = pinned.as_ref().is_some_and(|p| {
            line.pinned_policy == PinnedPolicy::Always && !self.op(p).is_some_and(|o| o.active)
        });
        if pinned_gone {
            return Plan::Wait(QueueReason::WaitingForPinned);
        }
        if !self.conv_line(c).open {
            return Plan::Wait(QueueReason::OffHours);
        }

        if let Some(p) = pinned {
            match line.pinned_policy {
                PinnedPolicy::Always => {
                    // Whatever their load, presence, membership or channel list.
                    let active = self.op(&p).is_some_and(|o| o.active);
                    return if active {
                        Plan::Assign {
                            op: p,
                            reason: AssignReason::Pinned,
                            final_: true,
                        }
                    } else {
                        Plan::Wait(QueueReason::WaitingForPinned)
                    };
                }
                PinnedPolicy::Prefer => {
                    if self.ready_for(c, &p) && !self.tried(c, &p) {
                        return Plan::Assign {
                            op: p,
                            reason: AssignReason::Pinned,
                            final_: false,
                        };
                    }
                }
                PinnedPolicy::Ignore => {}
            }
        }

        if self.channel_list(c).is_some_and(|l| l.is_empty()) {
            return Plan::Wait(QueueReason::NoOperatorsForChannel);
        }

        if line.prefer_last_operator {
            if let Some(q) = last_operator {
                if self.ready_for(c, &q) && !self.tried(c, &q) {
                    return Plan::Assign {
                        op: q,
                        reason: AssignReason::LastOperator,
                        final_: false,
                    };
                }
            }
        }

        let candidates = self.candidates(c);
        let mut ready: Vec<(u32, u64, usize, String)> = Vec::new();
        for (pos, m) in candidates.iter().enumerate() {
            if self.fits(c, m) {
                let last = self.op(m).map_or(0, |o| o.last_assigned);
                let load = self.load(m, line.count_toward_cap);
                let key = match line.mode {
                    Mode::Strict | Mode::All => (0, 0, pos),
                    Mode::Evenly => (0, last, pos),
                    Mode::Balanced => (load, last, pos),
                };
                ready.push((key.0, key.1, key.2, m.clone()));
            }
        }
        ready.sort();

        if line.mode == Mode::All {
            if !ready.is_empty() {
                return Plan::Offer(ready.into_iter().map(|r| r.3).collect());
            }
        } else if let Some(r) = ready.iter().find(|r| !self.tried(c, &r.3)) {
            return Plan::Assign {
                op: r.3.clone(),
                reason: AssignReason::Routed,
                final_: false,
            };
        } else if self.any_still_tried(c) {
            return Plan::Exhausted;
        }

        if candidates.iter().any(|m| self.available_on(m, line)) {
            Plan::Wait(QueueReason::AtCapacity)
        } else {
            Plan::Wait(QueueReason::NoEligibleOperator)
        }
    }
}
