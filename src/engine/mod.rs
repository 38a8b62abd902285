//! The public face of the engine: inputs in, decisions and deadlines out. Every input goes
//! the same way: deadlines due by its time fire, it is validated (`validate.rs`: on a copy
//! when what fires could change its validity), applied (`apply.rs`), and waiting conversations
//! are placed wherever capacity appeared (`routing/drain.rs`).

mod apply;
mod checks;
mod time;

use time::Pace;
pub(crate) mod validate;

use chrono::{DateTime, Utc};

use crate::model::ids::DEFAULT_SEED;
use crate::state::State;
use crate::wire::decision::Decision;
use crate::wire::error::Error;
use crate::wire::ids::OperatorId;
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
/// How to drive it is the crate docs' "The run loop".
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
    /// An engine with no operators, lines or conversations, whose clock starts at the first
    /// input.
    pub fn new() -> Self {
        Self::with_seed(DEFAULT_SEED)
    }

    /// An empty engine whose host ids are hashed with a key drawn from `seed`.
    ///
    /// Ids come from the outside world — phone numbers, user names — and with a hash whose key
    /// is known, anyone can craft thousands of ids that all collide, making every look-up walk
    /// through all of them. A host facing the internet should draw a seed at random once (from
    /// the operating system) and pass it here; it is kept in snapshots, so a restored engine
    /// goes on with it. The seed changes no decision: the engine is deterministic whatever it
    /// is. [`Engine::new`] uses a fixed seed.
    pub fn with_seed(seed: u64) -> Self {
        Self {
            st: State::new(seed),
        }
    }

    /// The seed host ids are hashed with (see [`with_seed`](Self::with_seed)).
    pub fn seed(&self) -> u64 {
        self.st.core.facts.seed
    }

    /// Applies one input at time `now`.
    ///
    /// Every deadline due at or before `now` fires first (as of its own time), then the input
    /// is applied, then waiting conversations are placed wherever capacity appeared. An input
    /// stamped earlier than the engine's clock is applied at the engine's clock and counted in
    /// [`past_inputs`](Self::past_inputs); it is never rejected.
    ///
    /// However long the pause before `now`, its deadlines fire in this one call — line hours
    /// opening and closing, response targets, inactivity closes — except that the renewals of
    /// offers and line hours one call fires are bounded
    /// ([`EngineSettings::max_renewals_per_call`](crate::EngineSettings::max_renewals_per_call)).
    /// An [`Input::Tick`] goes as far as that bound allows and stops there, with the clock at
    /// the last deadline it fired: tick again until [`poll_timeout`](Self::poll_timeout)
    /// passes the tick's time.
    ///
    /// # Errors
    /// A caller's mistake — an unknown id, an invalid configuration, accepting an offer that
    /// was never made, an input whose catching up would pass the renewal bound
    /// ([`Error::CatchUpBound`]) — returns an [`Error`] naming what was wrong and leaves the
    /// engine exactly as it was: no decision, no deadline fired, not even the clock moved.
    pub fn handle(&mut self, now: DateTime<Utc>, input: Input) -> Result<(), Error> {
        self.handle_from(now, None, input)
    }

    /// [`handle`](Self::handle) for an input an operator made (the wire's `"actor"`, DESIGN
    /// §7): it needs a role of theirs granting its permission within the role's scope. Facts
    /// of the world (a client's message, `abandon`, `rating`, `bot_handoff`, `tick`) need
    /// none, nor do the actor's own facts (their presence, work day and absences, accepting
    /// what rings at them, their own messages, the result of their own callback attempt).
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] when the actor does not exist, is inactive, or has no such
    /// role — nothing changes, not even the clock; otherwise as [`handle`](Self::handle).
    pub fn handle_as(
        &mut self,
        now: DateTime<Utc>,
        actor: impl Into<OperatorId>,
        input: Input,
    ) -> Result<(), Error> {
        let actor = actor.into();
        self.handle_from(now, Some(&actor), input)
    }

    fn handle_from(
        &mut self,
        now: DateTime<Utc>,
        actor: Option<&OperatorId>,
        input: Input,
    ) -> Result<(), Error> {
        let clock = self.st.core.clock;
        let late = clock.is_some_and(|c| now < c);
        let at = clock.map_or(now, |c| c.max(now));
        if matches!(input, Input::Tick) {
            // Time passes as far as one call may go; a tick is never refused (whoever sends
            // it: time passing is a fact of the world).
            let _stopped_at_the_bound = self.st.pass_time(at, Pace::Bounded);
        } else {
            let valid = if self.st.core.timers.due_by(at) {
                self.st.fire_then_validate(&input, actor, at)?
            } else {
                let valid = self.st.validate_as(&input, actor)?;
                self.st.core.clock = Some(at);
                valid
            };
            self.st.apply(valid);
            self.st.drain();
        }
        if late {
            self.st.core.past_inputs = self.st.core.past_inputs.saturating_add(1);
        }
        Ok(())
    }

    /// Lets time pass to `now`: fires every deadline due at or before it, in deadline order,
    /// each as of its own time. Idempotent; calling it early, late or twice is harmless, and a
    /// `now` earlier than the engine's clock does nothing.
    ///
    /// It fires *everything* due, however far `now` is: a self-renewing offer expires once per
    /// offer timeout, so a `now` in year 9999 would mean billions of expiries. Pass only times
    /// from your own clock; for times that come from outside (a replayed log, the wire), send
    /// [`Input::Tick`] through [`handle`](Self::handle) instead, which fires a bounded number
    /// of renewals per call. Both let time pass along the same path.
    pub fn handle_timeout(&mut self, now: DateTime<Utc>) {
        if self.st.core.clock.is_some_and(|c| now < c) {
            return;
        }
        let _never_bounded = self.st.pass_time(now, Pace::All);
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
