//! Differential test: the engine against the deliberately simple reference model in
//! `tests/model/mod.rs`, driven with the same random inputs by `proptest-state-machine`.
//!
//! After every step the two must agree on whether the input was rejected (and, when it was
//! refused for meeting the renewal bound, `Error::CatchUpBound`, on every field of that
//! error), on the decisions made (compared as JSON lines), on the next deadline and on the
//! clock; the engine must also pass its own brute-force audit, and conversations, loads and
//! pins must look the same through the engine's queries as in the model — which
//! conversations it knows, in order of first mention, with their clients and channels, and
//! that every other id of the universe is unknown (forgotten ones included).
//!
//! The reference state of the state machine is the model itself, so the generator can aim
//! `accept`, `take`, `close`, `bot_handoff`, `rating` … at conversations that exist. Failing
//! cases shrink to a short list of steps, printed one per line as `+<secs>s <input as JSON>`
//! (times in seconds after 2026-03-02T09:00:00Z; absence windows likewise). `replay_file`
//! (ignored) replays such a list side by side, and `DIFFERENTIAL_TRACE=1` prints every step
//! with its decisions.
//!
//! Time-aware lines are covered too: lines get working hours in a few zones (Moscow, New
//! York, Lord Howe, UTC) with intervals a few minutes to a few hours around the current time,
//! so that lines open and close during a case, sometimes with holidays and overrides on the
//! current local date, sometimes invalid; automatic replies, response targets, a bot, ratings
//! and the inactivity close with short durations (sometimes zero, an error); and the inputs
//! `bot_handoff` and `rating`. A case starts either on Monday 2026-03-02 or shortly before a
//! daylight-saving change in New York or Lord Howe, so that intervals fall into gaps and
//! folds. Besides the comparisons above, every automatic routing (`assigned` reason `routed`,
//! `pinned` or `last_operator`, and `offered`) must happen while the line's hours, evaluated
//! afresh, say it is open; and the lines' open state, next change, bot and response-target
//! counters, and the operators' response-target counters must agree.
//!
//! Long-running hosts (issue 10) are covered too. Cases often set `engine_settings` early
//! (and now and then later, which re-times the forgetting of closed conversations):
//! `forget_closed_after_secs` mostly a few minutes, so that closed conversations — and idle
//! clients, with their contacts and last operator — are forgotten within a case and their
//! ids (a small set) come back as new conversations; `max_renewals_per_call` mostly small,
//! so that one call meets the bound on renewals (offers renewed, line hours changing) within
//! a case: a `tick` then stops at the last deadline it fired, any other input is refused
//! with `Error::CatchUpBound`. A step cut short that way is often followed by ticks at the
//! same time, to go on. Now and then a step jumps days to months ahead (see
//! [`BIG_JUMP_ONE_IN`]) — across schedules, response targets, inactivity closes and the
//! default 30 days of forgetting — when the bound is small enough, or when nothing can renew
//! on its own, for that to stay cheap (`handle_timeout`, which is never bounded, only then).
//! `pin_client` is often aimed at the holder of an unconfirmed assignment, so that pinning
//! under `always` makes it final; the engine gets a random seed (which must change nothing).
//! The focused tests below the state machine (`forgotten_conversation_id_opens_a_new_
//! conversation`, `catch_up_stops_at_the_renewal_bound_and_ticks_continue`,
//! `kept_deadline_is_announced` …) check each rule of issue 10 on a small case, engine and
//! model side by side.
//!
//! Support lines (DESIGN §6) are covered too: `set_rules` with a small vocabulary of rules
//! (`tests/common/rules.rs`: a few keys a rule, two to four rules a list, now and then a
//! mistake), `set_status`, `complete`, and steps aimed at re-activating completed
//! conversations (a message or a take), at placing a conversation again while its client awaits
//! no reply (a transfer to a line after an answer) and at the client writing into such an
//! unclocked placement; the conversations' status and responsible, the completed place and
//! the lines' counts of completed conversations must agree. `support.rs` checks the article's
//! rules and the details of §6 on small cases, engine and model side by side.
//!
//! The contact-centre queue (DESIGN §7) is covered too, in every case and more in
//! `contact_centre_matches_model`, whose longer cases have phones and widgets, lines mostly
//! without hours, with existing members, priorities and a VIP bonus, and operators mostly
//! taking one conversation at a time (`differential/queue_steps.rs`): request kinds, calls
//! that take the whole operator, VIP clients (`upsert_client`), priority rules and aging
//! compared as exact fractions, a client's wait kept when the conversation comes back to its
//! queue (behind a more urgent one, silently, and `queued` after the drain), callback orders
//! (due now, earlier or later; results from whoever dials or anyone; retries; the scheduled
//! place; `take` and `transfer` of a scheduled order), `intercept`, `abandon`, roles
//! (`upsert_role`, `remove_role`, operators' roles) and inputs made by an actor (a third of
//! the inputs about a conversation), refused with the actor and the permission compared.
//! After every step the panel (`waiting(line)` with positions, effective priorities and
//! estimated waits), the counters by kind and `callbacks(line)` must agree. `centre.rs`
//! replays article 003's golden file through both and checks, on small cases, what the
//! random cases reach only now and then (a conversation coming back behind a VIP, the
//! estimated wait after ten closes, a retry at once, interception by role).
//!
//! The inputs are built with the generators of `tests/common`, aimed by what the model knows.
//! When the engine has a known bug, a generated step that runs into it is left out (by the
//! state machine's preconditions) until it is fixed; none is left out now. The `regression_*`
//! tests and `lines_that_open_route_before_other_deadlines_of_the_instant` replay the minimal
//! cases the differential test found.
//!
//! `PROPTEST_CASES` overrides the number of cases (default 128).

#[path = "differential/catch_up.rs"]
mod catch_up;
#[path = "differential/centre.rs"]
mod centre;
mod common;
#[path = "differential/compare.rs"]
mod compare;
#[path = "differential/forgetting.rs"]
mod forgetting;
#[path = "differential/generate.rs"]
mod generate;
mod model;
#[path = "differential/queue_steps.rs"]
mod queue_steps;
#[path = "differential/regressions.rs"]
mod regressions;
#[path = "differential/replay.rs"]
mod replay;
#[path = "differential/schedules.rs"]
mod schedules;
#[path = "differential/support.rs"]
mod support;

use compare::*;
use generate::*;
use queue_steps::{centre_line_config, centre_operator_config};
use replay::*;
use schedules::*;

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use common::{
    CHANNELS, CLIENTS, CONVS, LINES, LineExtras, absence_of, accept_of, base_time as base,
    bot_handoff_of, channel, channel_config_on, clear_absences_of, client, close_of, complete_of,
    conv, disconnect_channel_of, engine_settings, line, line_core, op, operator_config,
    pin_client_of, presence, presence_of, rating_of, remove_line_of, remove_operator_of, roles,
    set_rules_of, set_status_of, spam_of, status, step_at, take_of, transfer_of, unpin_client_of,
    weighted, workday_ended_of, workday_started_of,
};
use model::{Model, ModelError};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use routeline::{
    AutoReplies, BotConfig, BotJoin, BotLeave, DEFAULT_FORGET_CLOSED_AFTER_SECS,
    DEFAULT_MAX_RENEWALS_PER_CALL, Decision, Engine, Error, Input, LineConfig, Mode,
    OperatorConfig, Presence, QueueEntry, RatingConfig, Request, ScheduleConfig, ScheduleOverride,
    SlaConfig,
};

// ---- the universe ------------------------------------------------------------------------
//
// The ids of `tests/common`: operators o1–o6, lines l1–l3, channels c1–c3, clients cl1–cl4,
// groups g1 and g2 (and one nobody belongs to), conversations v1–v6. A new conversation comes
// with a random client and (mostly) a connected channel.

/// The first steps mostly build a world to route in.
const SETUP_STEPS: usize = 14;

/// One step in this many jumps a day to a few months ahead, when that stays cheap (see
/// [`big_jump_allowed`]). 0 turns big jumps off.
const BIG_JUMP_ONE_IN: u32 = 30;

/// With a `max_renewals_per_call` up to this, one call fires few enough renewals for a big
/// jump to be cheap whatever is pending.
const SMALL_BOUND: u32 = 1000;

fn time(secs: i64) -> DateTime<Utc> {
    base() + TimeDelta::seconds(secs)
}

fn secs_of(t: DateTime<Utc>) -> i64 {
    (t - base()).num_seconds()
}

/// `+90s`, `-30s`: a time as an offset from [`base`].
fn offset(secs: i64) -> String {
    if secs < 0 {
        format!("{secs}s")
    } else {
        format!("+{secs}s")
    }
}

// ---- transitions -------------------------------------------------------------------------

/// What a step does.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // test data, a few dozen per case
enum Action {
    Input(Input),
    /// An input an operator made (`handle_as`, the wire's `"actor"`).
    As(String, Input),
    /// `handle_timeout` at the step's time.
    Timeout,
}

/// One step: an action at a time, in seconds after [`base`] (earlier than a previous step's
/// time for an input stamped in the past).
#[derive(Clone)]
struct Step {
    at: i64,
    action: Action,
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", offset(self.at), describe(&self.action))
    }
}

/// An action as one readable line: the input's JSON (with its actor) with absence and due
/// times as offsets.
fn describe(action: &Action) -> String {
    let (actor, input) = match action {
        Action::Timeout => return "handle_timeout".to_string(),
        Action::Input(input) => (None, input),
        Action::As(actor, input) => (Some(actor), input),
    };
    let mut v = serde_json::to_value(input).expect("inputs serialise");
    let obj = v.as_object_mut().expect("an object");
    if let Input::Absence { from, until, .. } = input {
        obj.insert("from".into(), offset(secs_of(*from)).into());
        obj.insert("until".into(), offset(secs_of(*until)).into());
    }
    if let Input::CallbackRequest {
        due_at: Some(due), ..
    } = input
    {
        obj.insert("due_at".into(), offset(secs_of(*due)).into());
    }
    if let Some(actor) = actor {
        obj.insert("actor".into(), actor.as_str().into());
    }
    v.to_string()
}

/// Applies a step's action to the model.
fn model_apply(model: &mut Model, step: &Step) -> Result<(), ModelError> {
    match &step.action {
        Action::Input(i) => model.handle(time(step.at), i),
        Action::As(actor, i) => model.handle_as(time(step.at), Some(actor), i),
        Action::Timeout => {
            model.handle_timeout(time(step.at));
            Ok(())
        }
    }
}

/// Applies a step's action to the engine.
fn engine_apply(engine: &mut Engine, step: &Step) -> Result<(), Error> {
    match &step.action {
        Action::Input(i) => engine.handle(time(step.at), i.clone()),
        Action::As(actor, i) => engine.handle_as(time(step.at), actor.as_str(), i.clone()),
        Action::Timeout => {
            engine.handle_timeout(time(step.at));
            Ok(())
        }
    }
}

/// One of `items` (favoured), or anything `fallback` gives.
fn one_of_or<T: Clone + fmt::Debug + 'static>(
    items: Vec<T>,
    fallback: BoxedStrategy<T>,
) -> BoxedStrategy<T> {
    if items.is_empty() {
        fallback
    } else {
        prop_oneof![3 => select(items), 1 => fallback].boxed()
    }
}

// ---- the reference state machine: the model --------------------------------------------

/// What the model did with the last step.
#[derive(Clone, Debug)]
enum Outcome {
    None,
    Done {
        /// Why the model refused the input, if it did.
        error: Option<ModelError>,
        decisions: Vec<Decision>,
        /// Automatic routings on a line closed by its hours (see [`Model::take_violations`]).
        violations: Vec<String>,
    },
    Panicked(String),
}

#[derive(Clone)]
struct RefState {
    model: Model,
    /// The latest step time so far (before the first step: where the case starts), except
    /// that a step cut short by the renewal bound counts only as far as the model's clock got
    /// (so that the steps after a refused far-ahead input do not all go that far too).
    now: i64,
    /// The time of the last step cut short by the renewal bound, until the clock gets there:
    /// the next steps often tick at that time, to go on.
    target: Option<i64>,
    /// The zone whose daylight-saving change is near the start, if any.
    near: Option<&'static str>,
    /// The engine's seed (which changes no decision).
    seed: u64,
    /// A case of the contact centre (DESIGN §7): small steps, no big jumps, lines mostly
    /// without hours, phones and widgets, more of the queue's inputs.
    centre: bool,
    steps: usize,
    last: Outcome,
}

impl fmt::Debug for RefState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RefState {{ after {} steps }}", self.steps)
    }
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = RefState;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<RefState> {
        (start(), any::<u64>(), any::<bool>())
            .prop_map(|(start, seed, centre)| RefState {
                model: Model::new(),
                now: start.at,
                target: None,
                near: start.zone,
                seed,
                centre,
                steps: 0,
                last: Outcome::None,
            })
            .boxed()
    }

    fn transitions(state: &RefState) -> BoxedStrategy<Step> {
        let now = state.now;
        let setup = state.steps < SETUP_STEPS;
        let deadline = state.model.poll_timeout().map(secs_of);
        // Sometimes exactly at the next deadline; sometimes on a whole minute, as working
        // hours and most durations are, so that deadlines meet openings and closings.
        let when = weighted(vec![(10, 0u8), (2, 1), (2, 2)]);
        let g = action(&state.model, setup, now, state.near, state.centre);
        let big = if BIG_JUMP_ONE_IN == 0 || state.centre {
            Just(None).boxed()
        } else {
            prop_oneof![
                BIG_JUMP_ONE_IN - 1 => Just(None),
                1 => big_jump().prop_map(Some),
            ]
            .boxed()
        };
        let model = state.model.clone();
        let dt = match state.centre {
            true => queue_steps::centre_time_step(),
            false => time_step(),
        };
        let step = (dt, big, when, g)
            .prop_map(move |(dt, big, when, g)| {
                let dt = match big {
                    Some(big) if big_jump_allowed(&model, &g) => big,
                    _ => dt,
                };
                let at = match (deadline, when) {
                    (Some(d), 1) => d,
                    (_, 2) => (now + dt.max(0)).div_euclid(60) * 60 + 60,
                    _ => now + dt,
                };
                let action = match g {
                    // Absence windows and due times are generated around the step's time.
                    Action::Input(i) => Action::Input(step_at(time(at), i).input),
                    Action::As(a, i) => Action::As(a, step_at(time(at), i).input),
                    Action::Timeout => Action::Timeout,
                };
                Step { at, action }
            })
            .boxed();
        match state.target {
            // Going on where a step was cut short.
            Some(at) => prop_oneof![
                1 => Just(Step { at, action: Action::Input(Input::Tick) }),
                2 => step,
            ]
            .boxed(),
            None => step,
        }
    }

    fn apply(mut state: RefState, step: &Step) -> RefState {
        state.steps += 1;
        let mut model = state.model.clone();
        let run = catch_unwind(AssertUnwindSafe(|| {
            let result = model_apply(&mut model, step);
            let decisions = model.drain();
            let violations = model.take_violations();
            (result, decisions, violations)
        }));
        match run {
            Ok((result, decisions, violations)) => {
                let clock = model.now().map_or(state.now, secs_of);
                let cut_short = match &step.action {
                    Action::Input(Input::Tick) | Action::As(_, Input::Tick) => clock < step.at,
                    Action::Input(_) | Action::As(..) => {
                        matches!(result, Err(ModelError::CatchUpBound { .. }))
                    }
                    Action::Timeout => false,
                };
                state.now = state.now.max(if cut_short { clock } else { step.at });
                if cut_short {
                    state.target = Some(step.at);
                } else if state.target.is_some_and(|t| clock >= t) {
                    state.target = None;
                }
                state.model = model;
                state.last = Outcome::Done {
                    error: result.err(),
                    decisions,
                    violations,
                };
            }
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                state.last = Outcome::Panicked(msg);
            }
        }
        state
    }
}

/// The cases of the contact centre only (see [`RefState::centre`]), made longer, so that a
/// line sees ten conversations of a kind close (the panel's estimated wait) and conversations
/// come back to a queue where more urgent ones wait.
struct Centre;

impl ReferenceStateMachine for Centre {
    type State = RefState;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<RefState> {
        Reference::init_state()
            .prop_map(|mut state| {
                state.centre = true;
                state
            })
            .boxed()
    }

    fn transitions(state: &RefState) -> BoxedStrategy<Step> {
        Reference::transitions(state)
    }

    fn apply(state: RefState, step: &Step) -> RefState {
        Reference::apply(state, step)
    }
}

// ---- the system under test: the engine ---------------------------------------------------

/// The engine against the model, whose cases `R` draws.
struct Differential<R>(std::marker::PhantomData<R>);

type CentreDifferential = Differential<Centre>;

impl<R> StateMachineTest for Differential<R>
where
    R: ReferenceStateMachine<State = RefState, Transition = Step>,
{
    type SystemUnderTest = Sut;
    type Reference = R;

    fn init_test(state: &RefState) -> Sut {
        Sut {
            engine: Engine::with_seed(state.seed),
            history: Vec::new(),
        }
    }

    fn apply(mut sut: Sut, after: &RefState, step: Step) -> Sut {
        sut.history.push(format!("  {step:?}"));
        let result = engine_apply(&mut sut.engine, &step);
        let decisions: Vec<Decision> = std::iter::from_fn(|| sut.engine.poll_decision()).collect();
        let (error, expected, violations) = match &after.last {
            Outcome::Done {
                error,
                decisions,
                violations,
            } => (error.clone(), decisions.clone(), violations.clone()),
            Outcome::Panicked(msg) => sut.fail(format!("the model panicked: {msg}")),
            Outcome::None => sut.fail("no model outcome".to_string()),
        };
        // Whether each refused the input, and for meeting the renewal bound; other reasons for
        // a refusal are not compared.
        let e_refusal = result.as_ref().err().map(engine_refusal);
        let m_refusal = error.as_ref().map(model_refusal);
        if e_refusal != m_refusal {
            sut.fail(format!(
                "refused? engine {:?}, model {:?}",
                result.map_err(|e| e.to_string()),
                error.map(|e| e.to_string())
            ));
        }
        if std::env::var_os("DIFFERENTIAL_TRACE").is_some() {
            eprintln!(
                "{} -> {}\n    {}",
                sut.history.last().map_or("", |h| h.as_str()),
                error
                    .as_ref()
                    .map_or("ok".to_string(), |e| format!("rejected: {e}")),
                json_lines(&decisions).join("\n    ")
            );
        }
        let (got, want) = (json_lines(&decisions), json_lines(&expected));
        if got != want {
            sut.fail(format!(
                "decisions of the last step:\n engine:\n   {}\n model:\n   {}",
                got.join("\n   "),
                want.join("\n   ")
            ));
        }
        if sut.engine.poll_timeout() != after.model.poll_timeout() {
            sut.fail(format!(
                "poll_timeout: engine {:?}, model {:?}",
                sut.engine.poll_timeout(),
                after.model.poll_timeout()
            ));
        }
        if sut.engine.now() != after.model.now() {
            sut.fail(format!(
                "clock: engine {:?}, model {:?}",
                sut.engine.now(),
                after.model.now()
            ));
        }
        if let Err(e) = sut.engine.verify_invariants() {
            sut.fail(format!("engine invariant broken: {e}"));
        }
        if !violations.is_empty() {
            sut.fail(format!(
                "routed automatically while the line is closed:\n  {}",
                violations.join("\n  ")
            ));
        }
        sut.compare_state(&after.model);
        sut
    }
}

prop_state_machine! {
    #![proptest_config(Config {
        cases: common::cases(128),
        max_shrink_iters: 4096,
        failure_persistence: None,
        .. Config::default()
    })]

    #[test]
    fn engine_matches_model(sequential 20..=50 => Differential<Reference>);
}

prop_state_machine! {
    #![proptest_config(Config {
        cases: common::cases(128) / 4,
        max_shrink_iters: 4096,
        failure_persistence: None,
        .. Config::default()
    })]

    #[test]
    fn contact_centre_matches_model(sequential 60..=120 => CentreDifferential);
}
