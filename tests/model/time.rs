//! Closing and forgetting, placing waiting conversations, and deadlines.

use super::*;

impl Model {
    /// Closes an open conversation (or one in limbo): its clocks stop silently; the line may
    /// ask for a rating.
    pub(super) fn close(&mut self, c: usize, reason: CloseReason) {
        self.leave(c);
        self.record_handling(c);
        let now = self.now_();
        let id = self.conversations[c].id.clone();
        let conv = &mut self.conversations[c];
        conv.at = Where::Closed;
        conv.closed_at = Some(now);
        conv.wait = None;
        conv.tried.clear();
        conv.sla = None;
        self.cancel(TimerKind::Sla(id.clone()));
        self.cancel(TimerKind::Unanswered(id.clone()));
        self.cancel(TimerKind::Inactivity(id.clone()));
        match self.forget_at(now) {
            // No deadline is left due after a call: forgotten once the closing is done.
            Some(at) if at <= now => self.forget_soon.push(id),
            Some(at) => self.schedule(at, TimerKind::Forget(id)),
            None => {}
        }
        self.emit(DecisionKind::Closed {
            conversation: self.cid(c),
            reason,
        });
        let asks = self
            .conv_line(c)
            .cfg
            .rating
            .as_ref()
            .is_some_and(|r| r.request_on_close);
        if asks && matches!(reason, CloseReason::Closed | CloseReason::Inactivity) {
            self.emit(DecisionKind::RatingRequested {
                conversation: self.cid(c),
            });
        }
    }

    /// When a conversation closed at `closed_at` is to be forgotten (`None`: never, or past
    /// the end of time).
    pub(super) fn forget_at(&self, closed_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let secs = i64::try_from(self.forget_after?).ok()?;
        closed_at.checked_add_signed(TimeDelta::try_seconds(secs)?)
    }

    /// Forgets the conversations that closed with nothing to wait for (a retention of zero),
    /// in the order they closed.
    pub(super) fn forget_closed_now(&mut self) {
        for id in std::mem::take(&mut self.forget_soon) {
            if let Some(c) = self.conv_index(&id) {
                self.forget(c);
            }
        }
    }

    /// Forgets a closed conversation, and its client if nothing is left of them.
    pub(super) fn forget(&mut self, c: usize) {
        let conv = self.conversations.remove(c);
        debug_assert!(
            conv.at == Where::Closed,
            "only closed conversations are forgotten"
        );
        debug_assert!(
            !self.timers.iter().any(|t| match &t.kind {
                TimerKind::Offer(id)
                | TimerKind::Unanswered(id)
                | TimerKind::Sla(id)
                | TimerKind::Bot(id)
                | TimerKind::Inactivity(id)
                | TimerKind::Callback(id)
                | TimerKind::Forget(id) => *id == conv.id,
                _ => false,
            }),
            "a closed conversation has no deadline left but its forgetting"
        );
        self.forget_client_if_idle(&conv.client);
    }

    /// Forgets a client the model knows no conversation of and who has nothing the host set
    /// (a pin, VIP).
    pub(super) fn forget_client_if_idle(&mut self, client: &str) {
        let idle = !self.conversations.iter().any(|c| c.client == client)
            && self
                .client(client)
                .is_none_or(|cl| cl.pinned.is_none() && !cl.vip);
        if idle {
            self.clients.retain(|cl| cl.id != client);
        }
    }

    /// `forget_closed_after_secs` changed: every closed conversation is forgotten at its new
    /// time, at once if that has passed, in order of first mention.
    pub(super) fn retime_forgetting(&mut self) {
        let now = self.now_();
        let closed: Vec<String> = self
            .conversations
            .iter()
            .filter(|c| c.at == Where::Closed)
            .map(|c| c.id.clone())
            .collect();
        for id in closed {
            self.cancel(TimerKind::Forget(id.clone()));
            let c = self.conv_index(&id).expect("forgotten only below");
            let closed_at = self.conversations[c]
                .closed_at
                .expect("a closed conversation knows when it closed");
            match self.forget_at(closed_at) {
                Some(at) if at <= now => self.forget(c),
                Some(at) => self.schedule(at, TimerKind::Forget(id)),
                None => {}
            }
        }
    }

    /// Work conservation: every waiting conversation, most urgent first across all lines, is
    /// placed if it can be; one that cannot be placed holds nobody back. Repeated until
    /// nothing moves. Then those that came back to their queue silently and still wait say so.
    ///
    /// Lines that opened at an instant whose openings and closings are still firing wait for
    /// the last of them (see [`Model::fire_due`]).
    pub(super) fn place_waiting(&mut self) {
        let opened = self.opened.clone();
        self.place_waiting_on(|line| !opened.iter().any(|l| l == line));
        self.announce_returns();
    }

    /// The lines that opened at this instant: their waiting conversations, longest waiting
    /// first across all of them, are placed if they can be (as [`Model::place_waiting`]).
    pub(super) fn place_opened(&mut self) {
        let opened = std::mem::take(&mut self.opened);
        self.place_waiting_on(|line| opened.iter().any(|l| l == line));
    }

    /// [`Model::place_waiting`] for the conversations waiting on the lines `on` picks.
    pub(super) fn place_waiting_on(&mut self, on: impl Fn(&str) -> bool) {
        loop {
            let waiting = self.by_urgency(&on);
            let mut moved = false;
            for c in waiting {
                let mut plan = self.plan(c);
                if plan == Plan::Exhausted && self.line_of(c).on_exhausted != OnExhausted::Requeue {
                    self.conversations[c].tried.clear();
                    plan = self.plan(c);
                }
                if matches!(plan, Plan::Assign { .. } | Plan::Offer(_)) {
                    self.leave(c);
                    self.apply_plan(c, plan);
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
    }

    // ---- deadlines ---------------------------------------------------------------------------

    /// Fires every deadline due at or before `now`, in order, each as of its own time, and
    /// places waiting conversations after each. At each instant the lines' openings and
    /// closings come first; once the last of them has fired, the lines that opened place
    /// their waiting conversations, longest waiting first across them, and only then does
    /// the next deadline of the instant fire.
    ///
    /// With a `bound`, once it has fired that many renewals (offers or lines' hours scheduled
    /// during this call) it stops before the next renewal due later than the clock — at the
    /// end of an instant, never inside one — and returns when that renewal falls due; it stays
    /// pending.
    pub(super) fn fire_due(
        &mut self,
        now: DateTime<Utc>,
        bound: Option<u32>,
    ) -> Result<(), DateTime<Utc>> {
        let mut renewals: u32 = 0;
        loop {
            let next = self
                .timers
                .iter()
                .enumerate()
                .filter(|(_, t)| t.at <= now)
                .min_by_key(|(_, t)| (t.at, !matches!(t.kind, TimerKind::Hours(_)), t.seq))
                .map(|(i, _)| i);
            let Some(i) = next else {
                break;
            };
            let t = &self.timers[i];
            if t.call == self.call && t.kind.renews() {
                // Only between instants: nothing due at the clock is left behind.
                let later = self.clock.is_none_or(|clock| t.at > clock);
                if later && bound.is_some_and(|b| renewals >= b) {
                    return Err(t.at);
                }
                renewals += 1;
            }
            let timer = self.timers.remove(i);
            self.clock = Some(match self.clock {
                Some(clock) if clock > timer.at => clock,
                _ => timer.at,
            });
            let conv =
                |m: &Self, id: &str| m.conv_index(id).expect("timers name known conversations");
            match timer.kind {
                TimerKind::Offer(id) => {
                    let c = conv(self, &id);
                    match self.conversations[c].at.clone() {
                        Where::Assigned { op, .. } => self.assignment_expired(c, &op),
                        Where::Offered { .. } => self.offer_expired(c),
                        _ => {}
                    }
                }
                TimerKind::Absence(op) => self.absences_changed(&op),
                TimerKind::Hours(line) => self.hours_changed(&line),
                TimerKind::Unanswered(id) => {
                    let c = conv(self, &id);
                    self.auto_reply(c, AutoReplyKind::Unanswered);
                }
                TimerKind::Sla(id) => {
                    let c = conv(self, &id);
                    self.sla_missed(c);
                }
                TimerKind::Bot(id) => {
                    let c = conv(self, &id);
                    self.bot_leaves(c, BotLeftReason::Timeout);
                }
                TimerKind::Inactivity(id) => {
                    let c = conv(self, &id);
                    self.close(c, CloseReason::Inactivity);
                }
                TimerKind::Forget(id) => {
                    let c = conv(self, &id);
                    self.forget(c);
                }
                TimerKind::Callback(id) => {
                    let c = conv(self, &id);
                    self.callback_due(c);
                }
            }
            self.forget_closed_now();
            let hours_left = self
                .timers
                .iter()
                .any(|t| t.at == timer.at && matches!(t.kind, TimerKind::Hours(_)));
            if !hours_left {
                self.place_opened();
            }
            self.place_waiting();
        }
        Ok(())
    }

    /// An unanswered assignment reached its deadline: the next one not yet tried gets it;
    /// with everyone tried, `on_exhausted` decides (`keep_last` keeps it).
    pub(super) fn assignment_expired(&mut self, c: usize, holder: &str) {
        self.mark_tried(c, holder);
        // Plan as if the holder had let go of it.
        let was = std::mem::replace(&mut self.conversations[c].at, Where::Limbo);
        let plan = self.plan(c);
        let keep = match &plan {
            Plan::Exhausted if self.line_of(c).on_exhausted == OnExhausted::KeepLast => {
                Some(AssignReason::Routed)
            }
            // Only an `always` pin picks the holder again: nobody else could take it anyway.
            Plan::Assign { op, .. } if op == holder => Some(AssignReason::Pinned),
            _ => None,
        };
        self.conversations[c].at = was;
        if let Some(reason) = keep {
            // Kept: final now, and said so.
            self.finalize(c, reason);
            return;
        }
        self.leave(c);
        self.unassigned(c, holder, UnassignReason::NoAnswer);
        self.route_back_with(c, plan);
    }

    /// An `all`-mode offer expired: every offer withdrawn, then renewed to whoever is eligible.
    pub(super) fn offer_expired(&mut self, c: usize) {
        if let Where::Offered { ops, .. } = self.leave(c) {
            for o in ops {
                self.withdrawn(c, &o, WithdrawReason::Expired);
            }
            self.route_back(c);
        }
    }
}
