//! Time passing: every deadline fires here, as of its own time, whoever lets time pass — an
//! input's timestamp, a `tick`, or `handle_timeout`.
//!
//! Catching up is bounded by work, not by calendar time. A pause of months fires its line
//! hours, response targets and inactivity closes once each, in one call. Only a deadline that
//! a firing sets again — an offer moving on or renewed, a line's hours changing — can make one
//! call's work grow with the time it covers; those renewals are counted, and a call that has fired
//! `max_renewals_per_call` of them stops at the end of that instant (never inside one: what is
//! due at the clock is never left behind; one instant holds at most one renewal per
//! conversation and line, since each falls due a minute or more after the firing that set it).

use chrono::{DateTime, TimeDelta, Utc};

use super::validate::Valid;
use crate::index::timers::{Timer, TimerKey};
use crate::model::conversation::Place;
use crate::model::ids::{ConvIdx, OpIdx};
use crate::state::State;
use crate::wire::config::MIN_OFFER_TIMEOUT_SECS;
use crate::wire::decision::{BotLeftReason, CloseReason};
use crate::wire::error::Error;
use crate::wire::ids::OperatorId;
use crate::wire::input::Input;

/// How far one call lets time pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pace {
    /// Everything due (`handle_timeout`: the host's own clock).
    All,
    /// At most the engine's `max_renewals_per_call` renewals (inputs and ticks).
    Bounded,
}

/// How far time passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Passed {
    /// To the time asked for.
    Done,
    /// Only up to the renewal bound: the renewal past it falls due at `reached`, and the
    /// clock stands at the last deadline fired.
    Stopped { reached: DateTime<Utc> },
}

/// A renewal is set by a firing at least this long before it falls due: an offer's timeout is
/// at least a minute, and line hours change at whole minutes. So a call that covers less time
/// than this fires no renewal, and cannot meet the bound.
const SHORTEST_RENEWAL: TimeDelta = TimeDelta::seconds(MIN_OFFER_TIMEOUT_SECS as i64);

/// What an input is about, as far as deadlines could change whether it is valid.
enum Subject {
    /// Names no conversation whose deadlines matter.
    Nothing,
    /// A client's message or a rating: judged by whether the conversation is open, closed
    /// or forgotten, so what closes or forgets it matters.
    Known(ConvIdx),
    /// About where the conversation is: its own deadlines matter.
    Place(ConvIdx),
    /// An operator accepting it: also whatever places it, and the absences of those involved.
    Accept(ConvIdx, Option<OpIdx>),
}

impl Timer {
    /// Whether a firing sets this kind of deadline again (see the module docs).
    fn renews(self) -> bool {
        match self {
            Timer::Offer(_) | Timer::Schedule(_) => true,
            Timer::Absence(_)
            | Timer::Unanswered(_)
            | Timer::Sla(_)
            | Timer::Bot(_)
            | Timer::Inactivity(_)
            | Timer::Forget(_)
            // A callback's next attempt is set by an input (`callback_result`), never by a
            // firing.
            | Timer::Callback(_) => false,
        }
    }
}

impl State {
    /// Lets time pass to `to` (not earlier than the clock): fires every deadline due by then,
    /// each as of its own time, and sets the clock to `to` — or, at the pace of one call,
    /// stops before the renewal past the bound.
    pub(crate) fn pass_time(&mut self, to: DateTime<Utc>, pace: Pace) -> Passed {
        // Deadlines set from here on were set by this call's firings.
        let set_before = self.core.timers.seq();
        let mut renewals = 0u32;
        while let Some((key, timer)) = self.core.timers.pop_due(to) {
            if pace == Pace::Bounded && key.1 > set_before && timer.renews() {
                // Stop only between instants: the clock then stands at the last deadline
                // fired with nothing left due at it. (A renewal falls due a minute or more
                // after the firing that set it, so one instant holds only so many.)
                let later = self.core.clock.is_none_or(|c| key.0 > c);
                if renewals >= self.core.settings.max_renewals_per_call && later {
                    self.core.timers.put_back(key, timer);
                    return Passed::Stopped { reached: key.0 };
                }
                renewals = renewals.saturating_add(1);
            }
            self.fire_at(key.0, timer);
        }
        self.core.clock = Some(to);
        Passed::Done
    }

    /// Deadlines fall due before the input: they fire first, and the input is judged as of
    /// its time, after them. When what fires could change the verdict, or catching up could
    /// reach the renewal bound, that happens on a copy, kept only if the input passes — so a
    /// refused input changes nothing. Hosts that tick at `poll_timeout` never take this path.
    pub(crate) fn fire_then_validate(
        &mut self,
        input: &Input,
        actor: Option<&OperatorId>,
        at: DateTime<Utc>,
    ) -> Result<Valid, Error> {
        let clock = self.core.clock;
        let verdict = self.validate_as(input, actor);
        let subject = match &verdict {
            Ok(valid) => subject_of(valid),
            Err(_) => self.subject_of_input(input),
        };
        let may_renew = clock.is_some_and(|c| self.may_reach_bound(c, at));
        // Under scope `own` an actor's permission depends on where conversations are, which
        // any deadline may change (a line opening places one).
        let actor_judged = actor.is_some() && !matches!(subject, Subject::Nothing);
        if !may_renew && !actor_judged && !self.due_may_decide(subject, at) {
            let valid = verdict?;
            self.pass_time(at, Pace::All);
            return Ok(valid);
        }
        let mut trial = self.clone();
        if let Passed::Stopped { reached } = trial.pass_time(at, Pace::Bounded) {
            return Err(Error::CatchUpBound {
                at,
                clock: clock.unwrap_or(at),
                renewals: self.core.settings.max_renewals_per_call,
                reached,
            });
        }
        let valid = trial.validate_as(input, actor)?;
        *self = trial;
        Ok(valid)
    }

    /// Whether catching up from `clock` to `at` could fire `max_renewals_per_call` renewals —
    /// judged cheaply, so that the common pause copies nothing. A renewal falls due a minute
    /// or more after the firing that set it, so each chain of renewals fires at most once a
    /// minute; a chain starts from a conversation placed without confirmation, waiting, with
    /// the bot or scheduled, or from a line's hours.
    fn may_reach_bound(&self, clock: DateTime<Utc>, at: DateTime<Utc>) -> bool {
        if at - clock < SHORTEST_RENEWAL {
            return false;
        }
        let minutes = (at - clock).num_minutes().unsigned_abs().saturating_add(1);
        let facts = &self.core.facts;
        let chains: u64 = facts
            .lines
            .iter()
            .filter(|(_, line)| line.is_some())
            .map(|(l, _)| {
                let index = &self.core.idx.lines[l];
                let live = index.offered + index.with_bot + index.scheduled;
                u64::from(live) + index.waiting.len() as u64 + 1
            })
            .sum();
        chains.saturating_mul(minutes) >= u64::from(self.core.settings.max_renewals_per_call)
    }

    /// What an input that failed validation names (looked up again: failures are rare).
    fn subject_of_input(&self, input: &Input) -> Subject {
        let conv = |id| self.core.facts.conv_ids.get(id);
        match input {
            Input::Accept {
                conversation,
                operator,
            } => conv(conversation).map_or(Subject::Nothing, |c| {
                Subject::Accept(c, self.core.facts.op(operator.as_str()))
            }),
            Input::Take { conversation, .. }
            | Input::Transfer { conversation, .. }
            | Input::Close { conversation }
            | Input::Spam { conversation }
            | Input::MessageOut { conversation, .. }
            | Input::BotHandoff { conversation }
            | Input::SetStatus { conversation, .. }
            | Input::Complete { conversation, .. }
            | Input::Abandon { conversation } => {
                conv(conversation).map_or(Subject::Nothing, Subject::Place)
            }
            // Whether it is ringing, and at whom, is what an accept depends on too.
            Input::CallbackResult {
                conversation,
                operator,
                ..
            }
            | Input::Intercept {
                conversation,
                operator,
            } => conv(conversation).map_or(Subject::Nothing, |c| {
                Subject::Accept(c, self.core.facts.op(operator.as_str()))
            }),
            Input::MessageIn { conversation, .. }
            | Input::Rating { conversation, .. }
            | Input::CallbackRequest { conversation, .. } => {
                conv(conversation).map_or(Subject::Nothing, Subject::Known)
            }
            // No deadline creates or removes an operator, a line, a channel or a client the
            // host can name, or connects a channel; whether these are valid does not depend on
            // what fires first.
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
            | Input::EngineSettings(_)
            | Input::SetRules(_)
            | Input::UpsertClient(_)
            | Input::UpsertRole(_)
            | Input::RemoveRole { .. }
            | Input::Tick => Subject::Nothing,
        }
    }

    /// Whether deadlines due by `at` could change whether an input about `subject` is valid:
    /// the conversation's own deadlines (an expiring offer, the bot's turn, an inactivity
    /// close, its being forgotten); for an accept, also anything that places a waiting
    /// conversation, and the absences of the operators involved.
    fn due_may_decide(&self, subject: Subject, at: DateTime<Utc>) -> bool {
        let due = |k: Option<TimerKey>| k.is_some_and(|k| k.0 <= at);
        let facts = &self.core.facts;
        let (c, accepting) = match subject {
            Subject::Nothing => return false,
            // A message or a rating is judged by whether its conversation is open, closed or
            // forgotten: what closes it (the inactivity close, the bot leaving with a close)
            // or forgets it decides.
            Subject::Known(c) => {
                let closing = match facts.convs[c].place {
                    Place::Closed { forget, .. } => forget,
                    Place::WithBot { deadline, .. } => deadline,
                    _ => None,
                };
                return due(closing) || due(self.features.inactivity.deadline(c));
            }
            Subject::Place(c) => (c, None),
            Subject::Accept(c, o) => (c, Some(o)),
        };
        let conv = &facts.convs[c];
        if due(conv.place.deadline()) || due(self.features.inactivity.deadline(c)) {
            return true;
        }
        let Some(operator) = accepting else {
            return false;
        };
        let holders: Vec<OpIdx> = match &conv.place {
            Place::Waiting { .. } | Place::WithBot { .. } => return true,
            Place::Assigned { op, .. } => vec![*op],
            Place::Offered { ops, .. } => ops.to_vec(),
            Place::Closed { .. } | Place::Limbo | Place::Completed | Place::Scheduled { .. } => {
                Vec::new()
            }
        };
        holders.into_iter().chain(operator).any(|o| {
            facts.ops[o]
                .absences
                .iter()
                .any(|w| w.timers.iter().any(|&k| due(k)))
        })
    }

    /// One deadline fires as of its own time, then what it made possible: the lines that
    /// opened at this instant route their waiting conversations together, longest waiting
    /// first, before any other deadline of the instant fires; then the drain.
    fn fire_at(&mut self, at: DateTime<Utc>, timer: Timer) {
        self.core.clock = Some(self.core.clock.map_or(at, |c| c.max(at)));
        self.fire(timer);
        if !self.core.timers.schedule_due_at(at) {
            self.route_opened_lines();
        }
        self.drain();
    }

    /// One deadline fires.
    fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::Offer(c) => match self.core.facts.convs[c].place {
                Place::Assigned { op, .. } => self.assignment_expired(c, op),
                Place::Offered { .. } => self.offer_expired(c),
                Place::Closed { .. }
                | Place::Limbo
                | Place::Waiting { .. }
                | Place::WithBot { .. }
                | Place::Completed
                | Place::Scheduled { .. } => {}
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
            Timer::Forget(c) => {
                if let Place::Closed { forget, .. } = &mut self.core.facts.convs[c].place {
                    *forget = None;
                    self.forget(c);
                }
            }
            Timer::Callback(c) => self.callback_due(c),
        }
    }
}

/// What a validated input is about.
fn subject_of(valid: &Valid) -> Subject {
    match valid {
        Valid::Accept(c, o) => Subject::Accept(*c, Some(*o)),
        Valid::Take(c, _)
        | Valid::TransferToOperator(c, _)
        | Valid::TransferToLine(c, _)
        | Valid::Close(c, _)
        | Valid::BotHandoff(c)
        | Valid::SetStatus(c, _)
        | Valid::Complete(c, _)
        | Valid::Abandon(c) => Subject::Place(*c),
        Valid::CallbackResult(c, o, _) | Valid::Intercept(c, o) => Subject::Accept(*c, Some(*o)),
        Valid::CallbackRequest { target, .. } => {
            target.known().map_or(Subject::Nothing, Subject::Known)
        }
        Valid::MessageOut { target, .. } => target.known().map_or(Subject::Nothing, Subject::Place),
        Valid::MessageIn { target, .. } => target.known().map_or(Subject::Nothing, Subject::Known),
        Valid::Rating(c, _) => Subject::Known(*c),
        Valid::UpsertOperator(_)
        | Valid::RemoveOperator(_)
        | Valid::UpsertLine(_)
        | Valid::RemoveLine(_)
        | Valid::ConnectChannel(..)
        | Valid::DisconnectChannel(_)
        | Valid::PinClient(..)
        | Valid::UnpinClient(_)
        | Valid::Presence(..)
        | Valid::Workday(..)
        | Valid::Absence(..)
        | Valid::ClearAbsences(_)
        | Valid::EngineSettings(_)
        | Valid::SetRules(_)
        | Valid::UpsertClient(_)
        | Valid::UpsertRole(_)
        | Valid::RemoveRole(_)
        | Valid::Tick => Subject::Nothing,
    }
}
