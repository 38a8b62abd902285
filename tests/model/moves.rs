//! Moving conversations between places, and saying so.

use super::*;

impl Model {
    // ---- moving conversations ----------------------------------------------------------------

    /// Takes a conversation out of where it is (into limbo), cancelling its deadline. Returns
    /// where it was.
    pub(super) fn leave(&mut self, c: usize) -> Where {
        let id = self.conversations[c].id.clone();
        self.cancel(TimerKind::Offer(id.clone()));
        self.cancel(TimerKind::Bot(id.clone()));
        self.cancel(TimerKind::Callback(id.clone()));
        self.unannounced.retain(|u| *u != id);
        std::mem::replace(&mut self.conversations[c].at, Where::Limbo)
    }

    pub(super) fn cid(&self, c: usize) -> routeline::ConversationId {
        self.conversations[c].id.as_str().into()
    }

    pub(super) fn lid(&self, c: usize) -> routeline::LineId {
        self.conversations[c].line.as_str().into()
    }

    pub(super) fn offer_deadline(&self, c: usize) -> Option<DateTime<Utc>> {
        let secs = self.line_of(c).offer_timeout_secs?;
        self.now_()
            .checked_add_signed(TimeDelta::seconds(i64::from(secs)))
    }

    /// How an automatic placement made now is to be answered: final without an offer
    /// timeout; by its deadline while the client awaits a reply; else with no clock (DESIGN
    /// §6: nobody awaits an answer, so nothing may move on every timeout). A call or callback
    /// rings: by its deadline whatever the client did (a caller always awaits an answer), or
    /// with none without an offer timeout.
    pub(super) fn answer_for(&self, c: usize) -> Answer {
        match self.offer_deadline(c) {
            None if self.is_voice(c) => Answer::Ringing,
            None => Answer::Final,
            Some(at) if self.is_voice(c) || self.conversations[c].awaiting_reply => Answer::Due(at),
            Some(_) => Answer::Unclocked,
        }
    }

    /// Assigns a conversation in limbo and says so. A call or callback given to someone who
    /// did not pick it up themselves (pinned under `always`, transferred, given by a rule)
    /// rings with no deadline instead of being final.
    pub(super) fn assign(&mut self, c: usize, op: &str, reason: AssignReason, final_: bool) {
        if matches!(
            reason,
            AssignReason::Routed | AssignReason::Pinned | AssignReason::LastOperator
        ) {
            self.check_open_for_routing(c, "assigned");
        }
        let picked_up = matches!(
            reason,
            AssignReason::Accepted
                | AssignReason::Taken
                | AssignReason::Intercepted
                | AssignReason::Outbound
        );
        let answer = match final_ {
            true if self.is_voice(c) && !picked_up => Answer::Ringing,
            true => Answer::Final,
            false => self.answer_for(c),
        };
        self.placed(c);
        let answer_by = answer.deadline();
        if answer.is_final() {
            self.conversations[c].wait = None;
        } else {
            self.begin_wait(c);
        }
        if let Some(at) = answer_by {
            self.schedule(at, TimerKind::Offer(self.conversations[c].id.clone()));
        }
        self.conversations[c].at = Where::Assigned {
            op: op.to_string(),
            reason,
            answer,
        };
        // Whoever holds it is its responsible (DESIGN §6), confirmed or not.
        self.conversations[c].responsible = Some(op.to_string());
        let seq = self.next_seq();
        self.op_record_mut(op).last_assigned = seq;
        if answer.is_final() {
            // Final at once: the client's last operator.
            self.set_last_operator(c, op);
        }
        self.emit(DecisionKind::Assigned {
            conversation: self.cid(c),
            line: self.lid(c),
            operator: op.into(),
            reason,
            answer_by,
        });
    }

    pub(super) fn offer(&mut self, c: usize, ops: Vec<String>) {
        self.check_open_for_routing(c, "offered");
        self.placed(c);
        self.begin_wait(c);
        let answer = self.answer_for(c);
        let expires_at = answer.deadline();
        self.emit(DecisionKind::Offered {
            conversation: self.cid(c),
            line: self.lid(c),
            operators: ops.iter().map(|o| o.as_str().into()).collect(),
            expires_at,
        });
        if let Some(at) = expires_at {
            self.schedule(at, TimerKind::Offer(self.conversations[c].id.clone()));
        }
        self.conversations[c].at = Where::Offered {
            ops,
            deadline: expires_at,
            unclocked: answer == Answer::Unclocked,
        };
    }

    /// Records a breach when the conversation's line is closed now by its hours, evaluated
    /// afresh from its configuration.
    pub(super) fn check_open_for_routing(&mut self, c: usize, what: &str) {
        let now = self.now_();
        let line = self.conv_line(c);
        let Some(cfg) = &line.cfg.schedule else {
            return;
        };
        let hours = Hours::parse(cfg).expect("a line's hours were checked when set");
        if !hours.is_open(now) {
            let v = format!(
                "{what} {} on line {} at {now}, which its hours say is closed",
                self.conversations[c].id, self.conversations[c].line
            );
            self.violations.push(v);
        }
    }

    /// The session is placed: the first placement starts its handling time.
    pub(super) fn placed(&mut self, c: usize) {
        let now = self.now_();
        self.conversations[c].placed_at.get_or_insert(now);
    }

    /// The client's wait, begun now if none is under way.
    pub(super) fn begin_wait(&mut self, c: usize) -> (DateTime<Utc>, u64) {
        if let Some(w) = self.conversations[c].wait {
            return w;
        }
        let w = (self.now_(), self.next_seq());
        self.conversations[c].wait = Some(w);
        w
    }

    /// Puts a conversation in limbo in its line's queue, where its client's wait places it.
    pub(super) fn enqueue(&mut self, c: usize, reason: QueueReason) {
        let (since, seq) = self.begin_wait(c);
        self.conversations[c].at = Where::Waiting { since, seq };
        self.say_queued(c, reason);
    }

    /// `queued`, and the `no_operators` reply when nobody is eligible in working hours under
    /// the availability check (not to a callback order: its client wrote nothing).
    pub(super) fn say_queued(&mut self, c: usize, reason: QueueReason) {
        self.emit(DecisionKind::Queued {
            conversation: self.cid(c),
            line: self.lid(c),
            reason,
        });
        let line = self.conv_line(c);
        if reason == QueueReason::NoEligibleOperator
            && self.conversations[c].request != Request::Callback
            && line.open
            && line.cfg.check_availability
            && line
                .cfg
                .auto_replies
                .as_ref()
                .is_some_and(|r| r.no_operators)
        {
            self.auto_reply(c, AutoReplyKind::NoOperators);
        }
    }

    pub(super) fn auto_reply(&mut self, c: usize, kind: AutoReplyKind) {
        self.emit(DecisionKind::AutoReply {
            conversation: self.cid(c),
            line: self.lid(c),
            kind,
        });
    }

    pub(super) fn apply_plan(&mut self, c: usize, plan: Plan) {
        match plan {
            Plan::Assign { op, reason, final_ } => self.assign(c, &op, reason, final_),
            Plan::Offer(ops) => self.offer(c, ops),
            Plan::Wait(reason) => self.enqueue(c, reason),
            Plan::Exhausted => match self.line_of(c).on_exhausted {
                OnExhausted::Requeue => self.enqueue(c, QueueReason::Exhausted),
                // Nothing to keep (the last one left): forget who was tried, from the top.
                OnExhausted::Cycle | OnExhausted::KeepLast => {
                    self.conversations[c].tried.clear();
                    let plan = self.plan(c);
                    self.apply_plan(c, plan);
                }
            },
        }
    }

    /// Routes a conversation in limbo.
    pub(super) fn route(&mut self, c: usize) {
        let plan = self.plan(c);
        self.apply_plan(c, plan);
    }

    /// A conversation whose placement ended unanswered, or whose holder or offers left, comes
    /// back to its queue with its place (DESIGN §7, "since is when the client's current wait
    /// began"): it is placed again at once, unless a more urgent conversation waits for the
    /// same pool — then it takes its place in the queue silently, and the drain says whether
    /// it still waits ([`Model::announce_returns`]).
    pub(super) fn route_back(&mut self, c: usize) {
        let plan = self.plan(c);
        self.route_back_with(c, plan);
    }

    /// [`Model::route_back`] with the plan made already.
    pub(super) fn route_back_with(&mut self, c: usize, mut plan: Plan) {
        if plan == Plan::Exhausted && self.line_of(c).on_exhausted != OnExhausted::Requeue {
            self.conversations[c].tried.clear();
            plan = self.plan(c);
        }
        let placing = matches!(plan, Plan::Assign { final_: false, .. } | Plan::Offer(_));
        if placing && self.waits_behind(c) {
            let (since, seq) = self.begin_wait(c);
            self.conversations[c].at = Where::Waiting { since, seq };
            self.unannounced.push(self.conversations[c].id.clone());
            return;
        }
        self.apply_plan(c, plan);
    }

    /// After a drain: those that came back to their queue silently and still wait are
    /// `queued`, with the reason their plan gives now (`at_capacity` for a placement), in the
    /// order they came back.
    pub(super) fn announce_returns(&mut self) {
        for id in std::mem::take(&mut self.unannounced) {
            let Some(c) = self.conv_index(&id) else {
                continue;
            };
            if !matches!(self.conversations[c].at, Where::Waiting { .. }) {
                continue;
            }
            let mut plan = self.plan(c);
            if plan == Plan::Exhausted && self.line_of(c).on_exhausted != OnExhausted::Requeue {
                self.conversations[c].tried.clear();
                plan = self.plan(c);
            }
            let reason = match plan {
                Plan::Wait(reason) => reason,
                Plan::Exhausted => QueueReason::Exhausted,
                Plan::Assign { .. } | Plan::Offer(_) => QueueReason::AtCapacity,
            };
            self.say_queued(c, reason);
        }
    }

    pub(super) fn unassigned(&mut self, c: usize, op: &str, reason: UnassignReason) {
        self.emit(DecisionKind::Unassigned {
            conversation: self.cid(c),
            operator: op.into(),
            reason,
        });
    }

    pub(super) fn withdrawn(&mut self, c: usize, op: &str, reason: WithdrawReason) {
        self.emit(DecisionKind::OfferWithdrawn {
            conversation: self.cid(c),
            operator: op.into(),
            reason,
        });
    }

    /// Makes an unconfirmed assignment final (silently); its holder is now the client's last
    /// operator.
    pub(super) fn confirm(&mut self, c: usize) {
        if let Where::Assigned { op, reason, answer } = self.conversations[c].at.clone() {
            if !answer.is_final() {
                self.leave(c);
                self.set_last_operator(c, &op);
                self.conversations[c].wait = None;
                self.conversations[c].at = Where::Assigned {
                    op,
                    reason,
                    answer: Answer::Final,
                };
            }
        }
    }

    /// Makes an unconfirmed assignment (with a clock or without) final and says so: `assigned`
    /// naming the holder again, without `answer_by` (not a new assignment: "least recently
    /// assigned" stays as it was). A call or callback is not final until picked up: it rings
    /// on without a deadline, said the same way.
    pub(super) fn finalize(&mut self, c: usize, reason: AssignReason) {
        let Where::Assigned { op, answer, .. } = self.conversations[c].at.clone() else {
            return;
        };
        if answer.is_final() {
            return;
        }
        if self.is_voice(c) {
            self.ring_on(c);
        } else {
            self.confirm(c);
        }
        self.emit(DecisionKind::Assigned {
            conversation: self.cid(c),
            line: self.lid(c),
            operator: op.as_str().into(),
            reason,
            answer_by: None,
        });
    }

    /// A call or callback ringing against a deadline rings on without one (silently).
    pub(super) fn ring_on(&mut self, c: usize) {
        let id = self.conversations[c].id.clone();
        self.cancel(TimerKind::Offer(id));
        if let Where::Assigned { answer, .. } = &mut self.conversations[c].at {
            *answer = Answer::Ringing;
        }
    }

    /// The conversation's client's last operator is now `op`.
    pub(super) fn set_last_operator(&mut self, c: usize, op: &str) {
        let client = self.conversations[c].client.clone();
        self.client_mut(&client).last_operator = Some(op.to_string());
    }

    /// Takes a conversation from wherever it is, telling who lost it and why (`winner`, who
    /// gets it next, keeps their offer). Returns the operator who held it.
    pub(super) fn leave_telling(
        &mut self,
        c: usize,
        winner: Option<&str>,
        why: Moved,
    ) -> Option<String> {
        match self.leave(c) {
            Where::Assigned { op, .. } => {
                self.unassigned(c, &op, why.unassigned);
                Some(op)
            }
            Where::Offered { ops, .. } => {
                for o in ops {
                    if Some(o.as_str()) != winner {
                        self.withdrawn(c, &o, why.withdrawn);
                    }
                }
                None
            }
            Where::WithBot { bot, .. } => {
                self.bot_left(c, bot, why.bot);
                None
            }
            _ => None,
        }
    }

    /// A manual move to a named operator: final at once, caps ignored; the holder of an
    /// unanswered assignment confirms it silently.
    pub(super) fn give_to(&mut self, c: usize, op: &str, reason: AssignReason, why: Moved) {
        if let Where::Assigned { op: holder, .. } = &self.conversations[c].at {
            if holder == op {
                // A call too: the host named the final holder itself (DESIGN §1).
                self.confirm(c);
                return;
            }
        }
        self.dial_now_if_scheduled(c);
        self.leave_telling(c, Some(op), why);
        self.assign(c, op, reason, true);
    }

    /// A scheduled callback order taken or transferred is dialled now: its current attempt
    /// falls due now.
    fn dial_now_if_scheduled(&mut self, c: usize) {
        if matches!(self.conversations[c].at, Where::Scheduled { .. }) {
            let now = self.now_();
            if let Some((_, due)) = &mut self.conversations[c].order {
                *due = now;
            }
        }
    }

    /// To a line: routed there as an arrival, the operator who held it counted as tried.
    pub(super) fn move_to_line(&mut self, c: usize, line: &str, why: Moved) {
        self.dial_now_if_scheduled(c);
        let holder = self.leave_telling(c, None, why);
        let conv = &mut self.conversations[c];
        conv.line = line.to_string();
        conv.tried.clear();
        if let Some(h) = holder {
            self.mark_tried(c, &h);
        }
        self.route(c);
    }

    /// The client wrote into a conversation whose placement has no clock (placed while nobody
    /// awaited an answer): the clock starts and the placement is announced again with its
    /// deadline — the same holder and reason, or the same operators. Nothing without an offer
    /// timeout.
    pub(super) fn start_answer_clock(&mut self, c: usize) {
        let unclocked = matches!(
            self.conversations[c].at,
            Where::Assigned {
                answer: Answer::Unclocked,
                ..
            } | Where::Offered {
                unclocked: true,
                ..
            }
        );
        let Some(at) = unclocked.then(|| self.offer_deadline(c)).flatten() else {
            return;
        };
        self.schedule(at, TimerKind::Offer(self.conversations[c].id.clone()));
        match &mut self.conversations[c].at {
            Where::Assigned { op, reason, answer } => {
                *answer = Answer::Due(at);
                let (op, reason) = (op.clone(), *reason);
                self.emit(DecisionKind::Assigned {
                    conversation: self.cid(c),
                    line: self.lid(c),
                    operator: op.as_str().into(),
                    reason,
                    answer_by: Some(at),
                });
            }
            Where::Offered {
                ops,
                deadline,
                unclocked,
            } => {
                *deadline = Some(at);
                *unclocked = false;
                let operators = ops.iter().map(|o| o.as_str().into()).collect();
                self.emit(DecisionKind::Offered {
                    conversation: self.cid(c),
                    line: self.lid(c),
                    operators,
                    expires_at: Some(at),
                });
            }
            _ => {}
        }
    }

    /// The holder of an unanswered assignment lets it go (became unavailable): next one.
    pub(super) fn move_on(&mut self, c: usize, reason: UnassignReason) {
        if let Where::Assigned { op, .. } = self.leave(c) {
            self.unassigned(c, &op, reason);
            self.mark_tried(c, &op);
            self.route_back(c);
        }
    }

    /// One operator loses an `all`-mode offer; with nobody left it is routed again.
    pub(super) fn withdraw_one(&mut self, c: usize, op: &str, reason: WithdrawReason) {
        let Where::Offered { ops, .. } = &mut self.conversations[c].at else {
            return;
        };
        ops.retain(|o| o != op);
        let empty = ops.is_empty();
        self.withdrawn(c, op, reason);
        if empty {
            self.leave(c);
            self.route_back(c);
        }
    }
}

/// Why a conversation left its place, as each kind of place says it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Moved {
    pub(super) unassigned: UnassignReason,
    pub(super) withdrawn: WithdrawReason,
    pub(super) bot: BotLeftReason,
}

impl Moved {
    /// Someone else took it (took, accepted, answered).
    pub(super) const TAKEN_OVER: Moved = Moved {
        unassigned: UnassignReason::TakenOver,
        withdrawn: WithdrawReason::AcceptedElsewhere,
        bot: BotLeftReason::Handoff,
    };
    /// It was transferred.
    pub(super) const TRANSFERRED: Moved = Moved {
        unassigned: UnassignReason::Transferred,
        withdrawn: WithdrawReason::AcceptedElsewhere,
        bot: BotLeftReason::Handoff,
    };
    /// A rule moved it.
    pub(super) const RULE: Moved = Moved {
        unassigned: UnassignReason::Rule,
        withdrawn: WithdrawReason::Rule,
        bot: BotLeftReason::Rule,
    };
    /// It was completed.
    pub(super) const COMPLETED: Moved = Moved {
        unassigned: UnassignReason::Completed,
        withdrawn: WithdrawReason::Completed,
        bot: BotLeftReason::Completed,
    };
    /// The client left (never with the bot: `abandon` closes that silently).
    pub(super) const ABANDONED: Moved = Moved {
        unassigned: UnassignReason::Abandoned,
        withdrawn: WithdrawReason::Abandoned,
        bot: BotLeftReason::Handoff,
    };
    /// Someone intercepted the ringing call (never with the bot).
    pub(super) const INTERCEPTED: Moved = Moved {
        unassigned: UnassignReason::Intercepted,
        withdrawn: WithdrawReason::Intercepted,
        bot: BotLeftReason::Handoff,
    };
}
