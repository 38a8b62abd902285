//! Time passing: every deadline fires here, as of its own time, whoever lets time pass — an
//! input's timestamp, a `tick`, or `handle_timeout`.

use chrono::{DateTime, TimeDelta, Utc};

use super::Engine;
use crate::index::timers::{Timer, TimerKey};
use crate::model::conversation::Place;
use crate::state::State;
use crate::wire::decision::{BotLeftReason, CloseReason};
use crate::wire::input::Input;

impl State {
    /// Lets time pass to `to` (not earlier than the clock): fires every deadline due by then,
    /// each as of its own time, and sets the clock to `to`.
    pub(crate) fn advance(&mut self, to: DateTime<Utc>) {
        self.fire_due(to);
        self.core.clock = Some(to);
    }

    /// When `now` is more than [`Engine::MAX_CATCH_UP_SECS`] past the clock and a deadline is
    /// due by then: the clock and that deadline.
    pub(crate) fn beyond_catch_up(
        &self,
        now: DateTime<Utc>,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let clock = self.core.clock?;
        let deadline = self.core.timers.next().filter(|&d| d <= now)?;
        let gap = now.signed_duration_since(clock);
        (gap > TimeDelta::seconds(Engine::MAX_CATCH_UP_SECS)).then_some((clock, deadline))
    }

    /// One bounded step of catching up towards `now` (see [`Engine::MAX_CATCH_UP_SECS`]).
    pub(crate) fn catch_up_step(
        &mut self,
        now: DateTime<Utc>,
        clock: DateTime<Utc>,
        deadline: DateTime<Utc>,
    ) {
        // `now` is more than the span past `clock`, so this cannot overflow.
        let span_end = clock + TimeDelta::seconds(Engine::MAX_CATCH_UP_SECS);
        let until = span_end.max(deadline).min(now);
        self.fire_due(until);
        let done = self.core.timers.next().is_none_or(|t| t > now);
        self.core.clock = Some(if done { now } else { until });
    }

    /// Whether deadlines due by `at` could change whether `input` is valid — so that it must
    /// be judged after firing them, on a copy. Only inputs about one conversation can be
    /// affected, and only by that conversation's own deadlines (an expiring offer, the bot's
    /// turn, an inactivity close), by the absences of the operator accepting it, or — for a
    /// conversation that waits — by anything that places it. Everything else is judged on the
    /// state as it is, with no copy.
    pub(crate) fn due_deadlines_may_decide(&self, input: &Input, at: DateTime<Utc>) -> bool {
        if self.core.timers.next().is_none_or(|t| t > at) {
            return false;
        }
        let (conversation, accepting) = match input {
            Input::Accept {
                conversation,
                operator,
            } => (conversation, Some(operator)),
            Input::Take { conversation, .. }
            | Input::Transfer { conversation, .. }
            | Input::Close { conversation }
            | Input::Spam { conversation }
            | Input::MessageOut { conversation, .. }
            | Input::BotHandoff { conversation } => (conversation, None),
            // No deadline creates or removes an operator, a line, a channel or a
            // conversation, or connects a channel; so whether these are valid does not
            // depend on what fires first. A client's message is valid in every place its
            // conversation can be in, and a rating may name a closed conversation.
            Input::UpsertOperator(_)
            | Input::RemoveOperator { .. }
            | Input::UpsertLine(_)
            | Input::RemoveLine { .. }
            | Input::ConnectChannel(_)
            | Input::DisconnectChannel { .. }
            | Input::PinClient { .. }
            | Input::UnpinClient { .. }
            | Input::Presence { .. }
            | Input::WorkdayStarted { .. }
            | Input::WorkdayEnded { .. }
            | Input::Absence { .. }
            | Input::ClearAbsences { .. }
            | Input::MessageIn { .. }
            | Input::Rating { .. }
            | Input::Tick => return false,
        };
        let facts = &self.core.facts;
        let Some(c) = facts.conv_ids.get(conversation) else {
            return false;
        };
        let due = |k: Option<TimerKey>| k.is_some_and(|k| k.0 <= at);
        let conv = &facts.convs[c];
        if due(conv.place.deadline()) || due(self.features.inactivity.deadline(c)) {
            return true;
        }
        let Some(operator) = accepting else {
            return false;
        };
        // Whether an accept is valid also depends on where the conversation is: a waiting one
        // may be placed by any deadline, an assigned or offered one lost by absences.
        let holders: Vec<_> = match &conv.place {
            Place::Waiting { .. } | Place::WithBot { .. } => return true,
            Place::Assigned { op, .. } => vec![*op],
            Place::Offered { ops, .. } => ops.to_vec(),
            Place::Closed | Place::Limbo => Vec::new(),
        };
        holders
            .into_iter()
            .chain(facts.op(operator.as_str()))
            .any(|o| {
                facts.ops[o]
                    .absences
                    .iter()
                    .any(|w| w.timers.iter().any(|&k| due(k)))
            })
    }

    /// Fires every deadline due at or before `now`, each as of its own time, placing waiting
    /// conversations after each.
    pub(crate) fn fire_due(&mut self, now: DateTime<Utc>) {
        while let Some((at, timer)) = self.core.timers.pop_due(now) {
            self.core.clock = Some(self.core.clock.map_or(at, |c| c.max(at)));
            self.fire(timer);
            // Lines that opened at this instant route their waiting conversations together,
            // longest waiting first, before any other deadline of the instant fires.
            if !self.core.timers.schedule_due_at(at) {
                self.route_opened_lines();
            }
            self.drain();
        }
    }

    /// One deadline fires.
    fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::Offer(c) => match self.core.facts.convs[c].place {
                Place::Assigned { op, .. } => self.assignment_expired(c, op),
                Place::Offered { .. } => self.offer_expired(c),
                Place::Closed | Place::Limbo | Place::Waiting { .. } | Place::WithBot { .. } => {}
            },
            Timer::Absence(o) => self.absences_changed(o),
            Timer::Schedule(l) => self.features.schedule.fired(&mut self.core, l),
            Timer::Unanswered(c) => self.features.replies.unanswered_fired(&mut self.core, c),
            Timer::Sla(c) => self.features.sla.fired(&mut self.core, c),
            Timer::Bot(c) => {
                if let Place::WithBot { deadline, .. } = &mut self.core.facts.convs[c].place {
                    *deadline = None;
                    self.bot_leaves(c, BotLeftReason::Timeout);
                }
            }
            Timer::Inactivity(c) => {
                if self.features.inactivity.fired(&self.core, c) {
                    self.close(c, CloseReason::Inactivity);
                }
            }
        }
    }
}
