//! The public face of the engine: inputs in, decisions and deadlines out.

use chrono::{DateTime, TimeDelta, Utc};

use crate::conversation::Message;
use crate::decision::{BotLeftReason, CloseReason, Decision};
use crate::error::Error;
use crate::input::Input;
use crate::state::{ConvState, State};
use crate::timers::{Timer, TimerKey};

/// The routing engine: a deterministic state machine with no I/O.
///
/// Its methods fall into four groups:
///
/// - **inputs** — [`handle`](Self::handle) applies one [`Input`] at a time `now`;
///   [`handle_timeout`](Self::handle_timeout) lets time pass and fires due deadlines;
/// - **outputs** — [`poll_decision`](Self::poll_decision) drains the [`Decision`]s those calls
///   produced, oldest first; [`poll_timeout`](Self::poll_timeout) tells when the engine next
///   wants `handle_timeout`;
/// - **queries** on `&self` — [`waiting`](Self::waiting), [`operator`](Self::operator),
///   [`conversation`](Self::conversation), [`line_counters`](Self::line_counters),
///   [`past_inputs`](Self::past_inputs) and friends, for UIs and tests;
/// - **checks** — [`verify_invariants`](Self::verify_invariants), a brute-force audit for
///   tests and debugging.
///
/// After every `handle*` call, drain `poll_decision` until it returns `None`, then read
/// `poll_timeout` and arrange to call `handle_timeout` at that time (or whenever you like:
/// deadlines fire as of their own time, so tick cadence never changes the decisions).
#[derive(Clone, Debug)]
pub struct Engine {
    pub(crate) st: State,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// How far past its clock (in seconds: 30 days) [`handle`](Self::handle) catches up in one
    /// call while deadlines are due in between. Further than that, it refuses an input with
    /// [`Error::TooFarAhead`], and an [`Input::Tick`] catches up one step: to the clock plus
    /// this span, or to the earliest due deadline if that is later; the clock stops there
    /// (or reaches the tick's time when nothing is left due by then). Ticks repeated until
    /// [`poll_timeout`](Self::poll_timeout) passes the tick's time give exactly the decisions
    /// of a host that never paused. Jumps of any length are free when no deadline falls in
    /// between.
    pub const MAX_CATCH_UP_SECS: i64 = 30 * 24 * 3600;

    /// An engine with no operators, lines or conversations, whose clock starts at the first
    /// input.
    pub fn new() -> Self {
        Self { st: State::new() }
    }

    /// Applies one input at time `now`.
    ///
    /// Every deadline due at or before `now` fires first (as of its own time), then the input
    /// is applied, then waiting conversations are placed wherever capacity appeared. An input
    /// stamped earlier than the engine's clock is applied at the engine's clock and counted in
    /// [`past_inputs`](Self::past_inputs); it is never rejected.
    ///
    /// # Errors
    /// A caller's mistake — an unknown id, an invalid configuration, accepting an offer that
    /// was never made, an input stamped more than 30 days past the clock while deadlines are
    /// due in between ([`Error::TooFarAhead`]) — returns an [`Error`] naming what was wrong
    /// and leaves the engine exactly as it was: no decision, no deadline fired, not even the
    /// clock moved.
    pub fn handle(&mut self, now: DateTime<Utc>, input: Input) -> Result<(), Error> {
        if let Some((clock, deadline)) = self.st.beyond_catch_up(now) {
            if matches!(input, Input::Tick) {
                self.st.catch_up_step(now, clock, deadline);
                return Ok(());
            }
            return Err(Error::TooFarAhead {
                now,
                clock,
                deadline,
            });
        }
        let late = self.st.clock.is_some_and(|c| now < c);
        let at = self.st.clock.map_or(now, |c| c.max(now));
        let checked = if self.st.due_deadlines_may_decide(&input, at) {
            // The input's validity depends on what the due deadlines will do: judge it on a
            // copy that has fired them, and keep the copy only if the input passes. Hosts that
            // tick at `poll_timeout` never take this path.
            let mut trial = self.st.clone();
            trial.fire_due(at);
            let checked = trial.check(&input)?;
            self.st = trial;
            checked
        } else {
            let checked = self.st.check(&input)?;
            self.st.fire_due(at);
            checked
        };
        if late {
            self.st.past_inputs = self.st.past_inputs.saturating_add(1);
        }
        self.st.clock = Some(at);
        self.st.apply(input, checked);
        self.st.drain();
        Ok(())
    }

    /// Lets time pass to `now`: fires every deadline due at or before it, in deadline order,
    /// each as of its own time. Idempotent; calling it early, late or twice is harmless, and a
    /// `now` earlier than the engine's clock does nothing.
    ///
    /// It fires *everything* due, however far `now` is: a self-renewing offer expires once per
    /// offer timeout, so a `now` in year 9999 would mean billions of expiries. Pass only times
    /// from your own clock; for times that come from outside (a replayed log, the wire), send
    /// [`Input::Tick`] through [`handle`](Self::handle) instead, which catches up at most
    /// [`MAX_CATCH_UP_SECS`](Self::MAX_CATCH_UP_SECS) per call.
    pub fn handle_timeout(&mut self, now: DateTime<Utc>) {
        if self.st.clock.is_some_and(|c| now < c) {
            return;
        }
        self.st.fire_due(now);
        self.st.clock = Some(now);
    }

    /// The next decision, oldest first; `None` when all have been drained.
    pub fn poll_decision(&mut self) -> Option<Decision> {
        self.st.out.pop_front()
    }

    /// The earliest moment at which the engine wants [`handle_timeout`](Self::handle_timeout);
    /// `None` when nothing is scheduled. A pure getter: only `handle` and `handle_timeout`
    /// change it. After `handle_timeout(t)` it is `None` or later than `t`.
    pub fn poll_timeout(&self) -> Option<DateTime<Utc>> {
        self.st.timers.next()
    }

    /// The engine's clock: the latest time it has seen (or, after a `tick` that caught up
    /// only one step, the end of that step), `None` before the first input.
    pub fn now(&self) -> Option<DateTime<Utc>> {
        self.st.clock
    }

    /// How many accepted inputs arrived stamped earlier than the engine's clock (and were
    /// applied at the clock instead).
    pub fn past_inputs(&self) -> u64 {
        self.st.past_inputs
    }
}

/// What validation found out, so that applying need not look it up again.
pub(crate) enum Checked {
    None,
    Op(u32),
    Line(u32),
    Conv(u32),
    ConvOp(u32, u32),
    Message(Message),
    MessageOut(u32, Message),
    Transfer(u32, Result<u32, u32>),
}

impl State {
    /// When `now` is more than [`Engine::MAX_CATCH_UP_SECS`] past the clock and a deadline is
    /// due by then: the clock and that deadline.
    fn beyond_catch_up(&self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let clock = self.clock?;
        let deadline = self.timers.next().filter(|&d| d <= now)?;
        let gap = now.signed_duration_since(clock);
        (gap > TimeDelta::seconds(Engine::MAX_CATCH_UP_SECS)).then_some((clock, deadline))
    }

    /// One bounded step of catching up towards `now` (see [`Engine::MAX_CATCH_UP_SECS`]).
    fn catch_up_step(&mut self, now: DateTime<Utc>, clock: DateTime<Utc>, deadline: DateTime<Utc>) {
        // `now` is more than the span past `clock`, so this cannot overflow.
        let span_end = clock + TimeDelta::seconds(Engine::MAX_CATCH_UP_SECS);
        let until = span_end.max(deadline).min(now);
        self.fire_due(until);
        let done = self.timers.next().is_none_or(|t| t > now);
        self.clock = Some(if done { now } else { until });
    }

    /// Whether deadlines due by `at` could change whether `input` is valid — so that it must
    /// be judged after firing them, on a copy. Only inputs about one conversation can be
    /// affected, and only by that conversation's own deadlines (an expiring offer, the bot's
    /// turn, an inactivity close), by the absences of the operator accepting it, or — for a
    /// conversation that waits — by anything that places it. Everything else is judged on the
    /// state as it is, with no copy.
    fn due_deadlines_may_decide(&self, input: &Input, at: DateTime<Utc>) -> bool {
        if self.timers.next().is_none_or(|t| t > at) {
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
            _ => return false,
        };
        let Some(c) = self.conv_ids.get(conversation) else {
            return false;
        };
        let due = |k: Option<TimerKey>| k.is_some_and(|k| k.0 <= at);
        let conv = &self.convs[c as usize];
        let own = match &conv.state {
            ConvState::Assigned { deadline, .. }
            | ConvState::Offered { deadline, .. }
            | ConvState::WithBot { deadline, .. } => due(*deadline),
            _ => false,
        };
        if own || due(conv.inactivity_timer.as_deref().copied()) {
            return true;
        }
        let Some(operator) = accepting else {
            return false;
        };
        // Whether an accept is valid also depends on where the conversation is: a waiting one
        // may be placed by any deadline, an assigned or offered one lost by absences.
        if matches!(
            conv.state,
            ConvState::Waiting { .. } | ConvState::WithBot { .. }
        ) {
            return true;
        }
        let holders: Vec<u32> = match &conv.state {
            ConvState::Assigned { op, .. } => vec![*op],
            ConvState::Offered { ops, .. } => ops.to_vec(),
            _ => Vec::new(),
        };
        holders
            .into_iter()
            .chain(self.op(operator.as_str()))
            .any(|o| {
                self.ops[o as usize]
                    .absences
                    .iter()
                    .any(|w| w.timers.iter().any(|&k| due(k)))
            })
    }

    /// Fires every deadline due at or before `now`, each as of its own time, placing waiting
    /// conversations after each.
    pub(crate) fn fire_due(&mut self, now: DateTime<Utc>) {
        while let Some((at, timer)) = self.timers.pop_due(now) {
            self.clock = Some(self.clock.map_or(at, |c| c.max(at)));
            match timer {
                Timer::Offer(c) => match self.convs[c as usize].state {
                    ConvState::Assigned { op, .. } => self.assignment_expired(c, op),
                    ConvState::Offered { .. } => self.offer_expired(c),
                    _ => {}
                },
                Timer::Absence(o) => self.absences_changed(o),
                Timer::Schedule(l) => self.schedule_fired(l),
                Timer::Unanswered(c) => self.unanswered_fired(c),
                Timer::Sla(c) => self.sla_fired(c),
                Timer::Bot(c) => {
                    if let ConvState::WithBot { deadline, .. } = &mut self.convs[c as usize].state {
                        *deadline = None;
                        self.bot_leaves(c, BotLeftReason::Timeout);
                    }
                }
                Timer::Inactivity(c) => self.inactivity_fired(c),
            }
            // Lines that opened at this instant route their waiting conversations together,
            // longest waiting first, before any other deadline of the instant fires.
            if !self.timers.schedule_due_at(at) {
                self.route_opened_lines();
            }
            self.drain();
        }
    }

    /// Validates an input against the current state, changing nothing.
    fn check(&self, input: &Input) -> Result<Checked, Error> {
        Ok(match input {
            Input::UpsertOperator(_) | Input::Tick | Input::UnpinClient { .. } => Checked::None,
            Input::UpsertLine(cfg) => {
                cfg.validate()?;
                Checked::None
            }
            Input::RemoveOperator { operator }
            | Input::PinClient { operator, .. }
            | Input::Presence { operator, .. }
            | Input::WorkdayStarted { operator }
            | Input::WorkdayEnded { operator }
            | Input::ClearAbsences { operator } => Checked::Op(self.require_op(operator)?),
            Input::Absence {
                operator,
                from,
                until,
            } => Checked::Op(self.check_absence(operator, *from, *until)?),
            Input::RemoveLine { line } => Checked::Line(self.check_remove_line(line)?),
            Input::ConnectChannel(cfg) => Checked::Line(self.check_connect(cfg)?),
            Input::DisconnectChannel { channel } => Checked::Line(self.require_chan(channel)?),
            Input::MessageIn {
                conversation,
                client,
                channel,
            } => Checked::Message(self.check_message_in(conversation, client, channel)?),
            Input::MessageOut {
                conversation,
                operator,
                client,
                channel,
            } => {
                let (o, m) = self.check_message_out(
                    conversation,
                    operator,
                    client.as_ref(),
                    channel.as_ref(),
                )?;
                Checked::MessageOut(o, m)
            }
            Input::Accept {
                conversation,
                operator,
            } => {
                let (c, o) = self.check_accept(conversation, operator)?;
                Checked::ConvOp(c, o)
            }
            Input::Take {
                conversation,
                operator,
            } => {
                let c = self.require_open(conversation)?;
                Checked::ConvOp(c, self.require_op(operator)?)
            }
            Input::Transfer {
                conversation,
                to_operator,
                to_line,
            } => {
                let (c, to) =
                    self.check_transfer(conversation, to_operator.as_ref(), to_line.as_ref())?;
                Checked::Transfer(c, to)
            }
            Input::Close { conversation } | Input::Spam { conversation } => {
                Checked::Conv(self.require_open(conversation)?)
            }
            Input::BotHandoff { conversation } => {
                let c = self.require_open(conversation)?;
                if !matches!(self.convs[c as usize].state, ConvState::WithBot { .. }) {
                    return Err(Error::NotWithBot(conversation.clone()));
                }
                Checked::Conv(c)
            }
            Input::Rating {
                conversation,
                score,
            } => {
                let c = self.require_conv(conversation)?;
                if !(1..=5).contains(score) {
                    return Err(Error::InvalidScore {
                        conversation: conversation.clone(),
                        score: *score,
                    });
                }
                Checked::Conv(c)
            }
        })
    }

    /// Applies a validated input.
    fn apply(&mut self, input: Input, checked: Checked) {
        match (input, checked) {
            (Input::UpsertOperator(cfg), _) => self.upsert_operator(cfg),
            (Input::RemoveOperator { .. }, Checked::Op(o)) => self.remove_operator(o),
            (Input::UpsertLine(cfg), _) => self.upsert_line(*cfg),
            (Input::RemoveLine { .. }, Checked::Line(l)) => self.remove_line(l),
            (Input::ConnectChannel(cfg), Checked::Line(l)) => self.connect_channel(l, cfg),
            (Input::DisconnectChannel { .. }, Checked::Line(ch)) => self.disconnect_channel(ch),
            (Input::PinClient { client, .. }, Checked::Op(o)) => self.pin_client(&client, Some(o)),
            (Input::UnpinClient { client }, _) => self.pin_client(&client, None),
            (Input::Presence { status, .. }, Checked::Op(o)) => self.set_presence(o, status),
            (Input::WorkdayStarted { .. }, Checked::Op(o)) => self.set_workday(o, true),
            (Input::WorkdayEnded { .. }, Checked::Op(o)) => self.set_workday(o, false),
            (Input::Absence { from, until, .. }, Checked::Op(o)) => {
                self.add_absence(o, from, until)
            }
            (Input::ClearAbsences { .. }, Checked::Op(o)) => self.clear_absences(o),
            (
                Input::MessageIn {
                    conversation,
                    client,
                    channel,
                },
                Checked::Message(m),
            ) => self.message_in(&conversation, &client, &channel, m),
            (
                Input::MessageOut {
                    conversation,
                    client,
                    channel,
                    ..
                },
                Checked::MessageOut(o, m),
            ) => self.message_out(&conversation, o, client.as_ref(), channel.as_ref(), m),
            (Input::Accept { .. }, Checked::ConvOp(c, o)) => self.accept(c, o),
            (Input::Take { .. }, Checked::ConvOp(c, o)) => self.take(c, o),
            (Input::Transfer { .. }, Checked::Transfer(c, Ok(o))) => {
                self.transfer_to_operator(c, o)
            }
            (Input::Transfer { .. }, Checked::Transfer(c, Err(l))) => self.transfer_to_line(c, l),
            (Input::Close { .. }, Checked::Conv(c)) => self.close(c, CloseReason::Closed),
            (Input::Spam { .. }, Checked::Conv(c)) => self.close(c, CloseReason::Spam),
            (Input::BotHandoff { .. }, Checked::Conv(c)) => {
                self.bot_leaves(c, BotLeftReason::Handoff)
            }
            (Input::Rating { score, .. }, Checked::Conv(c)) => self.rate(c, score),
            (Input::Tick, _) => {}
            // `check` returns the matching variant for every input; the pairs above are total.
            (input, _) => debug_assert!(false, "unchecked input {input:?}"),
        }
    }
}
