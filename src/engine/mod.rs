//! The public face of the engine: inputs in, decisions and deadlines out. Every input goes
//! the same way: deadlines due by its time fire, it is validated (`validate.rs`: on a copy
//! when what fires could change its validity), applied (`apply.rs`), and waiting conversations
//! are placed wherever capacity appeared (`routing/drain.rs`).

mod apply;
mod time;
pub(crate) mod validate;

use chrono::{DateTime, Utc};

use crate::state::State;
use crate::wire::decision::Decision;
use crate::wire::error::Error;
use crate::wire::input::Input;

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
        let clock = self.st.core.clock;
        let late = clock.is_some_and(|c| now < c);
        let at = clock.map_or(now, |c| c.max(now));
        let valid = if self.st.due_deadlines_may_decide(&input, at) {
            // The input's validity depends on what the due deadlines will do: judge it on a
            // copy that has fired them, and keep the copy only if the input passes. Hosts that
            // tick at `poll_timeout` never take this path.
            let mut trial = self.st.clone();
            trial.advance(at);
            let valid = trial.validate(input)?;
            self.st = trial;
            valid
        } else {
            let valid = self.st.validate(input)?;
            self.st.advance(at);
            valid
        };
        if late {
            self.st.core.past_inputs = self.st.core.past_inputs.saturating_add(1);
        }
        self.st.apply(valid);
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
        if self.st.core.clock.is_some_and(|c| now < c) {
            return;
        }
        self.st.advance(now);
    }

    /// The next decision, oldest first; `None` when all have been drained.
    pub fn poll_decision(&mut self) -> Option<Decision> {
        self.st.core.out.pop_front()
    }

    /// The earliest moment at which the engine wants [`handle_timeout`](Self::handle_timeout);
    /// `None` when nothing is scheduled. A pure getter: only `handle` and `handle_timeout`
    /// change it. After `handle_timeout(t)` it is `None` or later than `t`.
    pub fn poll_timeout(&self) -> Option<DateTime<Utc>> {
        self.st.core.timers.next()
    }

    /// The engine's clock: the latest time it has seen (or, after a `tick` that caught up
    /// only one step, the end of that step), `None` before the first input.
    pub fn now(&self) -> Option<DateTime<Utc>> {
        self.st.core.clock
    }

    /// How many accepted inputs arrived stamped earlier than the engine's clock (and were
    /// applied at the clock instead).
    pub fn past_inputs(&self) -> u64 {
        self.st.core.past_inputs
    }
}
