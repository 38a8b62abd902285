//! Property tests of the contact-centre queue (DESIGN §7) over random input sequences: calls
//! and callback orders beside texts, priorities with VIP and aging, callback attempts,
//! interception, abandonment, roles and permissions with actors, pins, presence, time jumps
//! and ticks — in the small world `queue_properties/world.rs` describes (two lines, `desk`
//! with priorities and callback settings, `chat` without; phones, messengers, a restricted
//! channel and two callback widgets). Inputs are built as wire JSON and parsed with serde, so
//! the tests do not depend on the Rust types' fields.
//!
//! Properties, and how each was shown able to fail — by a temporary mutation of a scratch copy
//! of the crate in /tmp (never of `src/`), each caught by the property's own test (which
//! checks only that property):
//! 1. `verify_invariants()` is Ok after every step. — `callback_due` not decrementing the
//!    line's count of scheduled orders (`src/queue/callbacks.rs`): the audit fails.
//! 2. A call or callback is routed automatically (`assigned` `routed` / `last_operator` /
//!    `pinned` under `prefer`, or `offered`) only to an operator who holds no other active
//!    conversation at that moment, and nothing is routed automatically to an operator holding
//!    a call or callback. Holdings are followed through the decision stream from the queries
//!    before the step, and must agree with the queries after it. — `ready_key` without
//!    `|| self.idx.ops[o].voice > 0` (a text goes to an operator on a call), and `pick`
//!    taking calls from the pool's `ready` set instead of `free` (a callback goes to an
//!    operator holding a text).
//! 3. The order of a line's queue (`queue_properties/order.rs`): `waiting(line)` is sorted by
//!    the §7 key computed from the configuration (priority rules, VIP, aging), with the
//!    panel's `priority` and `vip` right; `since` is kept across a return to the queue; and
//!    conversations leave in queue order (invariant 5): one placed while another ahead of it
//!    stays waiting needs a reason (a call behind which a text went to an operator who was
//!    not free, a pin, a restricted channel, `requeue`) — with only plain texts waiting, what
//!    leaves is a prefix of the queue. This covers a conversation coming back to the queue
//!    after ringing out, too, against waiting ones of either kind. — The drain walking each
//!    bucket from its back (`src/routing/drain.rs`); `route_back` without its `waits_behind`
//!    test (the bug fixed in fff1075), and asking it about the returning conversation's own
//!    bucket only (the engine at fff1075, fixed in 3559dc5: a call that rang out took its
//!    operator again while a VIP text waited); `begin_wait` always starting a new wait; the
//!    aging key's sign flipped. None of these fails property 1.
//! 4. A scheduled callback order is in no queue and held or offered by nobody, is a
//!    `callback`, is due after the clock, shows as scheduled in `callbacks(line)`, and
//!    `line_counters(line).scheduled_callbacks` counts exactly them; attempts count as
//!    §7 says (1 for a request, due when asked; one more only after `attempt_failed`, due
//!    `retry_after_secs` later; `attempts_exhausted` only after the last one failed), and
//!    `callbacks(line)` shows them. — `line_counters` reporting the waiting callbacks as
//!    `scheduled_callbacks`; `callback_result` closing an order one attempt too late
//!    (`attempt > max_attempts`). Property 1 passes both.
//! 5. An input denied to its actor (`PermissionDenied`) changes nothing — snapshot JSON,
//!    clock, no decisions — and an actor who does not exist is denied exactly what needs a
//!    permission; an actor whose role grants every permission over all conversations gets
//!    exactly the decisions the host gets without an actor (two engines side by side). — A
//!    denial moving the clock (`src/engine/mod.rs`), and a denial that keeps the deadlines
//!    fired before it (`fire_then_validate`); `permit` refusing `transfer` under scope `all`.
//! 6. Snapshot (through JSON) → restore → continue gives the same results and decisions as
//!    never stopping, split at a random step, sometimes with decisions not yet polled; the
//!    restored engine's snapshot equals the one it came from, and both runs end in the same
//!    state. — `restore` giving every callback order attempt 1: caught by the round trip,
//!    and, with both snapshot comparisons switched off, by the decisions alone.
//! 7. Tick cadence does not matter (DESIGN §4 invariant 11): `handle_timeout` at every
//!    deadline, at most one before halfway to the next input, or never between inputs gives
//!    the same results and decisions up to the last successful input. — Callback orders
//!    falling due as of the time passed to rather than their own (`pass_time`); properties 1
//!    and 6 pass.
//!
//! Each run draws its steps from one of three mixes (`queue_properties/draw.rs`): everything,
//! a busy queue (arrivals, answers, closes, presence), or callback orders through their
//! attempts; property 3 always draws a busy queue, property 4 callback orders.
//!
//! Case counts default to 64 (a few seconds in a debug build); set `PROPTEST_CASES` for more.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use routeline::Engine;

#[path = "queue_properties/checks.rs"]
mod checks;
#[path = "queue_properties/draw.rs"]
mod draw;
#[path = "queue_properties/order.rs"]
mod order;
#[path = "queue_properties/scheduled.rs"]
mod scheduled;
#[path = "queue_properties/world.rs"]
mod world;

use checks::{Checks, Model, Run, drain, json};
use draw::{Mix, Scenario, any_scenario, next_time, resolve, scenario};
use world::{ACTORS, Step, setup, wire};

/// At most this many random steps after the world is set up.
const MAX_STEPS: usize = 70;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Runs a scenario with some of properties 1–5 checked after every step.
fn checked(sc: &Scenario, checks: Checks) -> Result<(), TestCaseError> {
    let mut run = Run::new(checks);
    for s in setup(sc.desk, sc.chat) {
        run.step(s).map_err(TestCaseError::fail)?;
    }
    let mut prev = world::base_time();
    for g in &sc.gens {
        let at = next_time(prev, g);
        prev = at;
        let s = resolve(&run.engine, at, g);
        run.step(s).map_err(TestCaseError::fail)?;
    }
    Ok(())
}

/// The scenario's concrete steps: each drawn step resolved against the state a plain run
/// (no checks) has before it.
fn concrete(sc: &Scenario) -> Vec<Step> {
    let mut engine = Engine::new();
    let mut steps = setup(sc.desk, sc.chat);
    for s in &steps {
        let _ = s.apply(&mut engine);
    }
    let mut prev = world::base_time();
    for g in &sc.gens {
        let at = next_time(prev, g);
        prev = at;
        let s = resolve(&engine, at, g);
        let _ = s.apply(&mut engine);
        drain(&mut engine);
        steps.push(s);
    }
    steps
}

/// One step's result and decisions, as text.
type Outcome = (String, Vec<String>);

fn outcome(engine: &mut Engine, result: Result<(), routeline::Error>) -> Outcome {
    (
        format!("{result:?}"),
        drain(engine).iter().map(json).collect(),
    )
}

fn snapshot_json(engine: &Engine) -> String {
    serde_json::to_string(&engine.snapshot()).expect("snapshots serialise")
}

/// Where two snapshots' JSON first differ, with some context.
fn where_they_differ(a: &str, b: &str) -> String {
    let i = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let from = a[..i].char_indices().rev().nth(80).map_or(0, |(j, _)| j);
    let show = |s: &str| s[from..].chars().take(200).collect::<String>();
    format!("…{}\nvs\n…{}", show(a), show(b))
}

/// The first step where two runs differ, for failure messages.
fn first_difference(a: &[Outcome], b: &[Outcome], steps: &[Step]) -> String {
    let i = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len());
    format!(
        "first difference at step {i} ({}):\n  {:?}\nvs\n  {:?}\n-- steps:\n{}",
        steps.get(i).map(Step::wire).unwrap_or_default(),
        a.get(i),
        b.get(i),
        wire(steps)
    )
}

/// Property 5, second half: engine `a` gets each input as an actor the model says holds a
/// role granting everything over all conversations (when there is one), engine `b` the
/// same input from the host; they must agree on every result and decision.
fn granted_actor_side_by_side(sc: &Scenario) -> Result<(), TestCaseError> {
    let steps = concrete(sc);
    let (mut a, mut b) = (Engine::new(), Engine::new());
    let mut model = Model::default();
    let mut used = Vec::new();
    let (mut out_a, mut out_b) = (Vec::new(), Vec::new());
    for (i, s) in steps.iter().enumerate() {
        let granted: Vec<&str> = ACTORS
            .iter()
            .copied()
            .filter(|o| model.fully_granted(&a, o))
            .collect();
        let (ra, rb) = match s {
            Step::Input { at, .. } if !granted.is_empty() => {
                let actor = granted[i % granted.len()];
                used.push(format!("step {i} as {actor}"));
                let input = s.input().expect("an input");
                (a.handle_as(*at, actor, input.clone()), b.handle(*at, input))
            }
            _ => (s.apply(&mut a), s.apply(&mut b)),
        };
        if ra.is_ok() {
            if let Some(j) = s.json() {
                model.apply(j);
            }
        }
        out_a.push(outcome(&mut a, ra));
        out_b.push(outcome(&mut b, rb));
        if out_a.last() != out_b.last() {
            return Err(TestCaseError::fail(format!(
                "5: a fully granted actor and the host disagree ({})\n{}",
                used.last().map_or("", String::as_str),
                first_difference(&out_a, &out_b, &steps[..=i])
            )));
        }
    }
    Ok(())
}

/// Property 6.
fn snapshot_split(sc: &Scenario, split: Index, undrained: bool) -> Result<(), TestCaseError> {
    let steps = concrete(sc);
    let mut engine = Engine::new();
    let reference: Vec<Outcome> = steps
        .iter()
        .map(|s| {
            let r = s.apply(&mut engine);
            outcome(&mut engine, r)
        })
        .collect();
    let reference_end = snapshot_json(&engine);

    let split = split.index(steps.len() + 1);
    let mut e = Engine::new();
    let mut out: Vec<Outcome> = Vec::new();
    let restart = |e: &mut Engine, out: &mut Vec<Outcome>| -> Result<(), TestCaseError> {
        let saved = snapshot_json(e);
        let snapshot = serde_json::from_str(&saved).map_err(|err| {
            TestCaseError::fail(format!("6: the snapshot does not read back: {err}"))
        })?;
        *e = Engine::restore(snapshot).map_err(|err| {
            TestCaseError::fail(format!(
                "6: restore at step {split} failed: {err}\n{}",
                wire(&steps)
            ))
        })?;
        let again = snapshot_json(e);
        if again != saved {
            return Err(TestCaseError::fail(format!(
                "6: the restored engine's snapshot differs from the one it came from: {}",
                where_they_differ(&saved, &again)
            )));
        }
        // Decisions not yet polled travel in the snapshot.
        if let Some(last) = out.last_mut() {
            last.1.extend(drain(e).iter().map(json));
        }
        Ok(())
    };
    for (i, s) in steps.iter().enumerate() {
        if i == split {
            restart(&mut e, &mut out)?;
        }
        let r = s.apply(&mut e);
        if undrained && i + 1 == split {
            out.push((format!("{r:?}"), Vec::new()));
        } else {
            out.push(outcome(&mut e, r));
        }
    }
    if split == steps.len() {
        restart(&mut e, &mut out)?;
    }
    if out != reference {
        return Err(TestCaseError::fail(format!(
            "6: restored at step {split} (undrained: {undrained}), the run differs\n{}",
            first_difference(&reference, &out, &steps)
        )));
    }
    let end = snapshot_json(&e);
    if end != reference_end {
        return Err(TestCaseError::fail(format!(
            "6: restored at step {split}, the run ends in another state: {}\n{}",
            where_they_differ(&reference_end, &end),
            wire(&steps)
        )));
    }
    Ok(())
}

/// The outcomes of the inputs (timeouts left out) and which succeeded. `tick`: 0 never lets
/// time pass between inputs, 1 calls `handle_timeout` at every deadline, 2 at most at one
/// deadline before halfway to the next input; ticks come only before inputs that `accepted`
/// says succeed, since a failed input fires nothing (as in `time_properties.rs`).
fn cadence_run(steps: &[Step], tick: u8, accepted: &[bool]) -> (Vec<Outcome>, Vec<bool>) {
    let mut engine = Engine::new();
    let mut out = Vec::new();
    let mut ok = Vec::new();
    let mut prev: Option<DateTime<Utc>> = None;
    for (i, s) in steps.iter().enumerate() {
        let will_succeed = accepted.get(i).copied().unwrap_or(false);
        let at = s.at();
        match tick {
            1 if will_succeed => {
                while let Some(t) = engine.poll_timeout().filter(|&t| t <= at) {
                    engine.handle_timeout(t);
                }
            }
            2 if will_succeed => {
                if let Some(p) = prev.filter(|&p| p < at) {
                    let half = p + (at - p) / 2;
                    if let Some(t) = engine.poll_timeout().filter(|&t| t <= half) {
                        engine.handle_timeout(t);
                    }
                }
            }
            _ => {}
        }
        let r = s.apply(&mut engine);
        ok.push(r.is_ok());
        prev = engine.now();
        out.push(outcome(&mut engine, r));
    }
    (out, ok)
}

fn cadence(sc: &Scenario) -> Result<(), TestCaseError> {
    let steps: Vec<Step> = concrete(sc)
        .into_iter()
        .filter(|s| matches!(s, Step::Input { .. }))
        .collect();
    let (never, accepted) = cadence_run(&steps, 0, &[]);
    for tick in [1, 2] {
        let (out, ok) = cadence_run(&steps, tick, &accepted);
        if out != never || ok != accepted {
            return Err(TestCaseError::fail(format!(
                "7: ticking ({tick}) changes the decisions\n{}",
                first_difference(&never, &out, &steps)
            )));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn p1_invariants_hold_after_every_step(sc in any_scenario(MAX_STEPS)) {
        checked(&sc, Checks { invariants: true, ..Checks::default() })?;
    }

    #[test]
    fn p2_a_call_takes_the_whole_operator(sc in any_scenario(MAX_STEPS)) {
        checked(&sc, Checks { calls: true, ..Checks::default() })?;
    }

    #[test]
    fn p3_conversations_leave_a_line_in_queue_order(sc in scenario(MAX_STEPS, Mix::Busy)) {
        checked(&sc, Checks { order: true, ..Checks::default() })?;
    }

    #[test]
    fn p4_scheduled_orders_are_in_no_queue_and_counted(sc in scenario(MAX_STEPS, Mix::Orders)) {
        checked(&sc, Checks { scheduled: true, ..Checks::default() })?;
    }

    #[test]
    fn p5_a_denied_input_changes_nothing(sc in any_scenario(MAX_STEPS)) {
        checked(&sc, Checks { denied: true, ..Checks::default() })?;
    }

    #[test]
    fn p5_a_fully_granted_actor_decides_as_the_host(sc in any_scenario(MAX_STEPS)) {
        granted_actor_side_by_side(&sc)?;
    }

    #[test]
    fn p6_snapshot_restore_continue_is_never_stopping(
        sc in any_scenario(MAX_STEPS),
        split in any::<Index>(),
        undrained in any::<bool>(),
    ) {
        snapshot_split(&sc, split, undrained)?;
    }

    #[test]
    fn p7_tick_cadence_does_not_matter(sc in any_scenario(MAX_STEPS)) {
        cadence(&sc)?;
    }
}
