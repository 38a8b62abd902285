//! Operators: configuration, presence, work day, absences, and what availability changes do to
//! the work they hold.

use chrono::{DateTime, Utc};

use crate::config::OperatorConfig;
use crate::decision::{UnassignReason, WithdrawReason};
use crate::error::Error;
use crate::id::OperatorId;
use crate::input::Presence;
use crate::state::{AbsenceWindow, ConvState, OpIdx, PROFILES, State};
use crate::timers::Timer;

impl State {
    pub(crate) fn require_op(&self, id: &OperatorId) -> Result<OpIdx, Error> {
        self.op(id)
            .ok_or_else(|| Error::UnknownOperator(id.clone()))
    }

    pub(crate) fn upsert_operator(&mut self, cfg: OperatorConfig) {
        let o = self.intern_op(&cfg.operator);
        let before = self.ops[o as usize].availability();
        if !self.ops[o as usize].exists {
            let created = if self.ops[o as usize].created == 0 {
                self.next_seq()
            } else {
                self.ops[o as usize].created
            };
            let op = &mut self.ops[o as usize];
            op.exists = true;
            op.created = created;
        }
        let mut groups = Vec::with_capacity(cfg.groups.len());
        for g in &cfg.groups {
            let gi = self.intern_group(g);
            if !groups.contains(&gi) {
                groups.push(gi);
            }
        }
        let created = self.ops[o as usize].created;
        let old_groups = std::mem::take(&mut self.ops[o as usize].groups);
        for &g in &old_groups {
            if !groups.contains(&g) {
                self.groups[g as usize].members.remove(&(created, o));
            }
        }
        for &g in &groups {
            self.groups[g as usize].members.insert((created, o));
        }
        let op = &mut self.ops[o as usize];
        op.groups = groups;
        op.max_open = cfg.max_open;
        op.active = cfg.active;
        self.reslot(o);
        self.availability_changed(o, before);
    }

    pub(crate) fn remove_operator(&mut self, o: OpIdx) {
        for cl in std::mem::take(&mut self.ops[o as usize].pinned_clients) {
            self.clients[cl as usize].pinned = None;
        }
        let created = self.ops[o as usize].created;
        for g in std::mem::take(&mut self.ops[o as usize].groups) {
            self.groups[g as usize].members.remove(&(created, o));
        }
        for w in std::mem::take(&mut self.ops[o as usize].absences) {
            for key in w.timers.into_iter().flatten() {
                self.timers.cancel(key);
            }
        }
        let op = &mut self.ops[o as usize];
        op.exists = false;
        op.presence = Presence::Offline;
        op.workday = false;
        op.in_absence = false;
        op.max_open = None;
        op.active = true;
        self.reslot(o);

        let held: Vec<_> = self.ops[o as usize].held.iter().copied().collect();
        for c in held {
            self.leave(c);
            self.emit_unassigned(c, o, UnassignReason::Removed);
            self.route(c);
        }
        let offers: Vec<_> = self.ops[o as usize].offers.iter().copied().collect();
        for c in offers {
            self.withdraw_one(c, o, WithdrawReason::Removed);
        }
        let pinned: Vec<_> = self.ops[o as usize]
            .pinned_waiting
            .values()
            .copied()
            .collect();
        for c in pinned {
            self.retry_waiting(c);
        }
    }

    pub(crate) fn set_presence(&mut self, o: OpIdx, status: Presence) {
        let before = self.ops[o as usize].availability();
        self.ops[o as usize].presence = status;
        self.availability_changed(o, before);
    }

    pub(crate) fn set_workday(&mut self, o: OpIdx, started: bool) {
        let before = self.ops[o as usize].availability();
        self.ops[o as usize].workday = started;
        self.availability_changed(o, before);
    }

    pub(crate) fn check_absence(
        &self,
        operator: &OperatorId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<OpIdx, Error> {
        let o = self.require_op(operator)?;
        if until <= from {
            return Err(Error::InvalidAbsence {
                operator: operator.clone(),
                from,
                until,
            });
        }
        Ok(o)
    }

    pub(crate) fn add_absence(&mut self, o: OpIdx, from: DateTime<Utc>, until: DateTime<Utc>) {
        let now = self.now();
        if until <= now {
            // Entirely in the past: it can change nothing.
            return;
        }
        let start = (from > now).then(|| self.timers.schedule(from, Timer::Absence(o)));
        let end = self.timers.schedule(until, Timer::Absence(o));
        self.ops[o as usize].absences.push(AbsenceWindow {
            from,
            until,
            timers: [start, Some(end)],
        });
        self.absences_changed(o);
    }

    pub(crate) fn clear_absences(&mut self, o: OpIdx) {
        for w in std::mem::take(&mut self.ops[o as usize].absences) {
            for key in w.timers.into_iter().flatten() {
                self.timers.cancel(key);
            }
        }
        self.absences_changed(o);
    }

    /// An absence window of the operator started or ended (a deadline), or the windows changed.
    pub(crate) fn absences_changed(&mut self, o: OpIdx) {
        let now = self.now();
        let before = self.ops[o as usize].availability();
        let timers = &self.timers;
        let op = &mut self.ops[o as usize];
        op.absences.retain(|w| w.until > now);
        for w in &mut op.absences {
            for t in &mut w.timers {
                if t.is_some_and(|k| !timers.contains(&k)) {
                    *t = None;
                }
            }
        }
        op.in_absence = op.absences.iter().any(|w| w.from <= now && now < w.until);
        self.availability_changed(o, before);
    }

    /// After any change to what makes an operator available: re-index them, and take away the
    /// unanswered assignments and offers of lines where they are no longer available.
    pub(crate) fn availability_changed(&mut self, o: OpIdx, before: [bool; PROFILES]) {
        let after = self.ops[o as usize].availability();
        if before == after {
            return;
        }
        for p in 0..PROFILES {
            if !before[p] && after[p] {
                // Coming back makes them "not yet tried" again on the lines of this profile.
                // compared for equality only: wrapping is harmless
                let epoch = &mut self.ops[o as usize].epoch[p];
                *epoch = epoch.wrapping_add(1);
            }
        }
        self.rekey(o);
        let op = &self.ops[o as usize];
        let lose: Vec<_> = op
            .held
            .iter()
            .copied()
            .filter(|&c| {
                let conv = &self.convs[c as usize];
                matches!(
                    conv.state,
                    ConvState::Assigned {
                        deadline: Some(_),
                        ..
                    }
                ) && !op.available_on(&self.line(conv.line).config)
            })
            .collect();
        let withdraw: Vec<_> = op
            .offers
            .iter()
            .copied()
            .filter(|&c| !op.available_on(&self.line(self.convs[c as usize].line).config))
            .collect();
        for c in lose {
            self.move_on(c, UnassignReason::Unavailable);
        }
        for c in withdraw {
            self.withdraw_one(c, o, WithdrawReason::Unavailable);
        }
    }
}
