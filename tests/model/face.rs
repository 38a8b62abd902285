//! The engine's face: `handle`, `handle_timeout`, `poll_timeout`, draining decisions.

use super::*;

impl Model {
    pub fn new() -> Self {
        Self::default()
    }

    // ---- the engine's face -----------------------------------------------------------------

    /// Applies one input at `now` (never before the model's clock). A rejected input changes
    /// nothing at all: it is validated before anything changes, and when deadlines must fire
    /// first the work is done on a copy that is kept only on success. Catching up is bounded
    /// by renewals only (see the module's documentation): a `tick` stops at the bound, any
    /// other input is refused there.
    pub fn handle(&mut self, now: DateTime<Utc>, input: &Input) -> Result<(), ModelError> {
        self.handle_as(now, None, input)
    }

    /// [`Model::handle`] for an input an operator made (DESIGN §7): the actor's permission is
    /// checked after the deadlines due by then have fired and before the input is validated;
    /// a refusal changes nothing, not even the clock.
    pub fn handle_as(
        &mut self,
        now: DateTime<Utc>,
        actor: Option<&str>,
        input: &Input,
    ) -> Result<(), ModelError> {
        self.call += 1;
        let at = match self.clock {
            Some(clock) if clock > now => clock,
            _ => now,
        };
        let bound = Some(self.max_renewals);
        if matches!(input, Input::Tick) {
            // As far as the bound lets it go; the clock stays at the last deadline fired when
            // it stops short.
            if self.fire_due(at, bound).is_ok() {
                self.clock = Some(at);
            }
            self.place_waiting();
            return Ok(());
        }
        if self.timers.iter().any(|t| t.at <= at) {
            // Deadlines due by then fire first and the input is judged after them; on a copy,
            // so that a rejected input fires nothing either.
            let mut next = self.clone();
            if let Err(reached) = next.fire_due(at, bound) {
                return Err(ModelError::CatchUpBound {
                    at: now,
                    clock: self.clock.unwrap_or(at),
                    renewals: self.max_renewals,
                    reached,
                });
            }
            if let Some(actor) = actor {
                next.check_actor(actor, input)?;
            }
            next.validate(input)?;
            next.clock = Some(at);
            next.apply(input);
            next.place_waiting();
            *self = next;
        } else {
            if let Some(actor) = actor {
                self.check_actor(actor, input)?;
            }
            self.validate(input)?;
            self.clock = Some(at);
            self.apply(input);
            self.place_waiting();
        }
        Ok(())
    }

    /// Breaches of "nothing routed automatically on a closed line" since the last call.
    pub fn take_violations(&mut self) -> Vec<String> {
        std::mem::take(&mut self.violations)
    }

    /// Lets time pass: fires every deadline due at or before `now`, each as of its own time,
    /// however far away and however many renewals that takes.
    pub fn handle_timeout(&mut self, now: DateTime<Utc>) {
        if self.clock.is_some_and(|clock| now < clock) {
            return;
        }
        self.call += 1;
        let unbounded = self.fire_due(now, None);
        debug_assert!(unbounded.is_ok(), "an unbounded call never stops");
        self.clock = Some(now);
    }

    /// The earliest pending deadline.
    pub fn poll_timeout(&self) -> Option<DateTime<Utc>> {
        self.timers.iter().map(|t| t.at).min()
    }

    /// Every decision made since the last drain, oldest first.
    pub fn drain(&mut self) -> Vec<Decision> {
        std::mem::take(&mut self.out)
    }

    /// The model's clock.
    pub fn now(&self) -> Option<DateTime<Utc>> {
        self.clock
    }
}
