//! The inputs about operators — their configuration, removal, presence, work day and
//! absences — and what a change of availability does to the work they hold.

use chrono::{DateTime, Utc};

use crate::index::timers::Timer;
use crate::model::conversation::Place;
use crate::model::ids::OpIdx;
use crate::model::operator::{AbsenceWindow, PROFILES};
use crate::state::State;
use crate::wire::config::OperatorConfig;
use crate::wire::decision::{UnassignReason, WithdrawReason};
use crate::wire::input::Presence;

impl State {
    pub(crate) fn upsert_operator(&mut self, cfg: OperatorConfig) {
        let o = self.core.intern_op(&cfg.operator);
        let before = self.core.facts.ops[o].availability();
        if !self.core.facts.ops[o].exists {
            let created = if self.core.facts.ops[o].created == 0 {
                self.core.next_seq()
            } else {
                self.core.facts.ops[o].created
            };
            let op = &mut self.core.facts.ops[o];
            op.exists = true;
            op.created = created;
        }
        let mut groups = Vec::with_capacity(cfg.groups.len());
        for g in &cfg.groups {
            let gi = self.core.intern_group(g);
            if !groups.contains(&gi) {
                groups.push(gi);
            }
        }
        let created = self.core.facts.ops[o].created;
        let old_groups = std::mem::take(&mut self.core.facts.ops[o].groups);
        for &g in &old_groups {
            if !groups.contains(&g) {
                self.core.idx.groups[g].members.remove(&(created, o));
            }
        }
        for &g in &groups {
            self.core.idx.groups[g].members.insert((created, o));
        }
        let op = &mut self.core.facts.ops[o];
        op.groups = groups;
        op.max_open = cfg.max_open;
        op.active = cfg.active;
        self.access.set_roles(o, cfg.roles);
        self.core.reslot(o);
        self.availability_changed(o, before);
    }

    pub(crate) fn remove_operator(&mut self, o: OpIdx) {
        let unpinned = std::mem::take(&mut self.core.idx.ops[o].pinned_clients);
        for &cl in &unpinned {
            self.core.facts.clients[cl].pinned = None;
        }
        let created = self.core.facts.ops[o].created;
        for g in std::mem::take(&mut self.core.facts.ops[o].groups) {
            self.core.idx.groups[g].members.remove(&(created, o));
        }
        for w in std::mem::take(&mut self.core.facts.ops[o].absences) {
            for key in w.timers.into_iter().flatten() {
                self.core.timers.cancel(key);
            }
        }
        self.access.set_roles(o, Vec::new());
        let op = &mut self.core.facts.ops[o];
        op.exists = false;
        op.presence = Presence::Offline;
        op.workday = false;
        op.in_absence = false;
        op.max_open = None;
        op.active = true;
        self.core.reslot(o);

        // In the order the conversations were first mentioned, as everywhere one input moves
        // several.
        let held = self.core.idx.ops[o].held.iter().copied().collect();
        for c in self.core.facts.by_birth(held) {
            self.core.leave(c);
            self.core.emit_unassigned(c, o, UnassignReason::Removed);
            self.route(c);
        }
        let offers = self.core.idx.ops[o].offers.iter().copied().collect();
        for c in self.core.facts.by_birth(offers) {
            self.withdraw_one(c, o, WithdrawReason::Removed);
        }
        let pinned: Vec<_> = self.core.idx.ops[o]
            .pinned_waiting
            .values()
            .copied()
            .collect();
        for c in pinned {
            self.retry_waiting(c);
        }
        self.responsible_removed(o);
        for cl in unpinned {
            self.forget_client_if_idle(cl);
        }
    }

    pub(crate) fn set_presence(&mut self, o: OpIdx, status: Presence) {
        let before = self.core.facts.ops[o].availability();
        self.core.facts.ops[o].presence = status;
        self.availability_changed(o, before);
    }

    pub(crate) fn set_workday(&mut self, o: OpIdx, started: bool) {
        let before = self.core.facts.ops[o].availability();
        self.core.facts.ops[o].workday = started;
        self.availability_changed(o, before);
    }

    pub(crate) fn add_absence(&mut self, o: OpIdx, from: DateTime<Utc>, until: DateTime<Utc>) {
        let now = self.core.now();
        if until <= now {
            // Entirely in the past: it can change nothing.
            return;
        }
        let start = (from > now).then(|| self.core.timers.schedule(from, Timer::Absence(o)));
        let end = self.core.timers.schedule(until, Timer::Absence(o));
        self.core.facts.ops[o].absences.push(AbsenceWindow {
            from,
            until,
            timers: [start, Some(end)],
        });
        self.absences_changed(o);
    }

    pub(crate) fn clear_absences(&mut self, o: OpIdx) {
        for w in std::mem::take(&mut self.core.facts.ops[o].absences) {
            for key in w.timers.into_iter().flatten() {
                self.core.timers.cancel(key);
            }
        }
        self.absences_changed(o);
    }

    /// An absence window of the operator started or ended (a deadline), or the windows changed.
    pub(crate) fn absences_changed(&mut self, o: OpIdx) {
        let now = self.core.now();
        let before = self.core.facts.ops[o].availability();
        let timers = &self.core.timers;
        let op = &mut self.core.facts.ops[o];
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
        let after = self.core.facts.ops[o].availability();
        if before == after {
            return;
        }
        for p in 0..PROFILES {
            if !before[p] && after[p] {
                // Coming back makes them "not yet tried" again on the lines of this profile.
                // compared for equality only: wrapping is harmless
                let epoch = &mut self.core.facts.ops[o].epoch[p];
                *epoch = epoch.wrapping_add(1);
            }
        }
        self.core.rekey(o);
        let (facts, index) = (&self.core.facts, &self.core.idx.ops[o]);
        let op = &facts.ops[o];
        let lose: Vec<_> = index
            .held
            .iter()
            .copied()
            .filter(|&c| {
                let conv = &facts.convs[c];
                let line = &facts.line(conv.line).config;
                // An `always`-pinned call ringing at them stays: routing would give it
                // straight back, whatever their presence (a pinned text is final already).
                let pinned_here = facts.always_pinned(c) == Some(o) && op.is_active();
                matches!(conv.place, Place::Assigned { answer, .. } if !answer.is_final())
                    && !op.available_on(line)
                    && !pinned_here
            })
            .collect();
        let withdraw: Vec<_> = index
            .offers
            .iter()
            .copied()
            .filter(|&c| !op.available_on(&facts.line_of(c).config))
            .collect();
        for c in self.core.facts.by_birth(lose) {
            self.move_on(c, UnassignReason::Unavailable);
        }
        for c in self.core.facts.by_birth(withdraw) {
            self.withdraw_one(c, o, WithdrawReason::Unavailable);
        }
    }
}
