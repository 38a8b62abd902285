//! Operators, lines and channels.

use super::*;

impl Model {
    // ---- operators ---------------------------------------------------------------------------

    /// After a change to what makes an operator available: coming back under a profile makes
    /// them "not yet tried" again on lines of that profile; unanswered assignments and offers
    /// on lines where they are no longer available move on.
    pub(super) fn availability_changed(&mut self, op: &str, before: [bool; 3]) {
        let after = self.op_record_mut(op).availability();
        if before == after {
            return;
        }
        for p in 0..3 {
            if !before[p] && after[p] {
                self.op_record_mut(op).epoch[p] += 1;
            }
        }
        let mut lose = Vec::new();
        let mut withdraw = Vec::new();
        for (i, conv) in self.conversations.iter().enumerate() {
            let available = || self.available_on(op, self.line_of(i));
            // An `always`-pinned call stays with its active pinned operator, whatever their
            // presence: routing would give it straight back.
            let pinned_here = || {
                self.line_of(i).pinned_policy == PinnedPolicy::Always
                    && self
                        .client(&conv.client)
                        .and_then(|cl| cl.pinned.as_deref())
                        == Some(op)
                    && self.op(op).is_some_and(|o| o.active)
            };
            match &conv.at {
                Where::Assigned {
                    op: holder, answer, ..
                } if holder == op && !answer.is_final() && !available() && !pinned_here() => {
                    lose.push(i)
                }
                Where::Offered { ops, .. } if ops.iter().any(|o| o == op) && !available() => {
                    withdraw.push(i)
                }
                _ => {}
            }
        }
        for c in lose {
            self.move_on(c, UnassignReason::Unavailable);
        }
        for c in withdraw {
            self.withdraw_one(c, op, WithdrawReason::Unavailable);
        }
    }

    pub(super) fn upsert_operator(&mut self, cfg: &OperatorConfig) {
        let id = cfg.operator.as_str();
        let before = self.op_record_mut(id).availability();
        if !self.op_record_mut(id).exists {
            let first = self.op_record_mut(id).created == 0;
            let seq = if first { self.next_seq() } else { 0 };
            let o = self.op_record_mut(id);
            o.exists = true;
            if first {
                o.created = seq;
            }
        }
        let mut groups: Vec<String> = Vec::new();
        for g in &cfg.groups {
            if !groups.iter().any(|x| x == g.as_str()) {
                groups.push(g.as_str().to_string());
            }
        }
        let o = self.op_record_mut(id);
        o.groups = groups;
        o.max_open = cfg.max_open;
        o.active = cfg.active;
        o.roles = cfg.roles.iter().map(|r| r.as_str().to_string()).collect();
        self.availability_changed(id, before);
    }

    pub(super) fn remove_operator(&mut self, id: &str) {
        let mut unpinned = Vec::new();
        for cl in &mut self.clients {
            if cl.pinned.as_deref() == Some(id) {
                cl.pinned = None;
                unpinned.push(cl.id.clone());
            }
        }
        for cl in unpinned {
            self.forget_client_if_idle(&cl);
        }
        self.timers
            .retain(|t| t.kind != TimerKind::Absence(id.to_string()));
        let o = self.op_record_mut(id);
        o.exists = false;
        o.groups.clear();
        o.absences.clear();
        o.in_absence = false;
        o.presence = Presence::Offline;
        o.workday = false;
        o.max_open = None;
        o.active = true;
        o.roles.clear();
        let held: Vec<usize> = (0..self.conversations.len())
            .filter(
                |&i| matches!(&self.conversations[i].at, Where::Assigned { op, .. } if op == id),
            )
            .collect();
        for c in held {
            self.leave(c);
            self.unassigned(c, id, UnassignReason::Removed);
            self.route_back(c);
        }
        let offered: Vec<usize> = (0..self.conversations.len())
            .filter(|&i| {
                matches!(&self.conversations[i].at, Where::Offered { ops, .. } if ops.iter().any(|o| o == id))
            })
            .collect();
        for c in offered {
            self.withdraw_one(c, id, WithdrawReason::Removed);
        }
        // Conversations waiting for them as their pin can be placed now; then they are
        // nobody's responsible any more, and a completed conversation says so.
        self.place_waiting();
        for c in 0..self.conversations.len() {
            if self.conversations[c].responsible.as_deref() == Some(id) {
                self.set_responsible(c, None);
            }
        }
    }

    pub(super) fn set_presence(&mut self, id: &str, status: Presence) {
        let before = self.op_record_mut(id).availability();
        self.op_record_mut(id).presence = status;
        self.availability_changed(id, before);
    }

    pub(super) fn set_workday(&mut self, id: &str, started: bool) {
        let before = self.op_record_mut(id).availability();
        self.op_record_mut(id).workday = started;
        self.availability_changed(id, before);
    }

    pub(super) fn add_absence(&mut self, id: &str, from: DateTime<Utc>, until: DateTime<Utc>) {
        let now = self.now_();
        if until <= now {
            // Already over: it changes nothing.
            return;
        }
        if from > now {
            self.schedule(from, TimerKind::Absence(id.to_string()));
        }
        self.schedule(until, TimerKind::Absence(id.to_string()));
        self.op_record_mut(id).absences.push((from, until));
        self.absences_changed(id);
    }

    pub(super) fn clear_absences(&mut self, id: &str) {
        self.timers
            .retain(|t| t.kind != TimerKind::Absence(id.to_string()));
        self.op_record_mut(id).absences.clear();
        self.absences_changed(id);
    }

    /// Looks at the operator's absence windows again, as of now.
    pub(super) fn absences_changed(&mut self, id: &str) {
        let now = self.now_();
        let before = self.op_record_mut(id).availability();
        let o = self.op_record_mut(id);
        o.absences.retain(|&(_, until)| until > now);
        o.in_absence = o
            .absences
            .iter()
            .any(|&(from, until)| from <= now && now < until);
        self.availability_changed(id, before);
    }

    // ---- lines and channels ------------------------------------------------------------------

    pub(super) fn upsert_line(&mut self, cfg: &LineConfig) {
        let id = cfg.line.as_str();
        let new = self.line_rec(id).is_none();
        if new {
            self.lines.push(Line {
                cfg: cfg.clone(),
                hours: None,
                open: false,
                next_change: None,
                closed_period: 0,
                sla: [0; 4],
                handled: Default::default(),
            });
        } else {
            self.line_rec_mut(id).cfg = cfg.clone();
        }
        self.look_at_hours(id, new);
    }

    /// Looks at a line's hours as of now: whether it is open, and when that next changes
    /// (its deadline). Going from open to closed, or being created closed, starts a new
    /// closed period.
    pub(super) fn look_at_hours(&mut self, id: &str, new: bool) {
        let now = self.now_();
        self.cancel(TimerKind::Hours(id.to_string()));
        let hours = self
            .line_rec(id)
            .and_then(|l| l.cfg.schedule.as_ref())
            .map(|s| Hours::parse(s).expect("checked when set"));
        let open = hours.as_ref().is_none_or(|h| h.is_open(now));
        let next = hours.as_ref().and_then(|h| h.next_change(now));
        if let Some(at) = next {
            self.schedule(at, TimerKind::Hours(id.to_string()));
        }
        let was_open = self.line_rec(id).is_some_and(|l| l.open);
        let period = if !open && (new || was_open) {
            self.periods += 1;
            Some(self.periods)
        } else {
            None
        };
        let line = self.line_rec_mut(id);
        line.hours = hours;
        line.open = open;
        line.next_change = next;
        if let Some(p) = period {
            line.closed_period = p;
        }
    }

    /// A line's hours open or close it now.
    pub(super) fn hours_changed(&mut self, id: &str) {
        let Some(was_open) = self.line_rec(id).map(|l| l.open) else {
            return;
        };
        self.look_at_hours(id, false);
        if self.line_rec(id).is_some_and(|l| l.open) && !was_open {
            self.opened.push(id.to_string());
        }
    }

    pub(super) fn remove_line(&mut self, id: &str) {
        for c in 0..self.conversations.len() {
            let conv = &self.conversations[c];
            if conv.line == id && conv.at != Where::Closed {
                self.close(c, CloseReason::LineRemoved);
            }
        }
        for ch in &mut self.channels {
            if ch.list_line.as_deref() == Some(id) {
                ch.list_line = None;
            }
        }
        self.cancel(TimerKind::Hours(id.to_string()));
        self.lines.retain(|l| l.cfg.line.as_str() != id);
    }

    pub(super) fn connect_channel(&mut self, cfg: &ChannelConfig) {
        let operators = cfg.operators.as_ref().map(|ops| {
            let mut v: Vec<String> = Vec::new();
            for o in ops {
                if !v.iter().any(|x| x == o.as_str()) {
                    v.push(o.as_str().to_string());
                }
            }
            v
        });
        let line = cfg.line.as_str().to_string();
        let channel = Channel {
            id: cfg.channel.as_str().to_string(),
            line: Some(line.clone()),
            list_line: Some(line),
            operators,
            kind: cfg.kind.clone(),
        };
        match self.channels.iter_mut().find(|c| c.id == channel.id) {
            Some(c) => *c = channel,
            None => self.channels.push(channel),
        }
    }
}
