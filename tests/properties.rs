//! Property tests: random `(time, Input)` sequences over a small universe of ids, checked
//! against the invariants of DESIGN §4 after every step.
//!
//! - `invariants_hold_after_every_step`: the engine's own audit (`verify_invariants`: 1, 4, 7,
//!   8), failed inputs change nothing (9), the clock never goes backwards, `poll_timeout` after
//!   `handle_timeout(t)` is later than `t` (7), routed assignments respect caps (2) and
//!   eligibility (3) — membership, channel list, active, availability, line open by its
//!   working hours —, `always` pinning (6), `all`-mode offers go only to eligible operators with
//!   room, answer deadlines are `at + offer_timeout_secs` for automatic assignments and absent
//!   for manual ones (a rule's `assign` is manual, its `assign_responsible` automatic), an independent work-conservation check (4), and the decision stream alone
//!   tells where every conversation is (DESIGN §1: with an operator, offered, with the bot,
//!   waiting in which line, completed, closed) — reconciled with `conversation()` after every step; and
//!   no deadline disappears in silence (DESIGN §1): every `answer_by` in the decision stream
//!   ends with the holder's own accept, take or answer, a transfer naming the holder, or a
//!   later decision about that conversation (`assigned` naming the holder again without one
//!   when the assignment becomes final by itself).
//!   Answer deadlines follow DESIGN §6 too: a placement of a conversation whose client awaits
//!   no reply has none (and no `expires_at`); naming the same place again — the holder with
//!   or without a deadline, the same operators with an expiry — is no new placement, and the
//!   clock may start so only at the client's message. The support lines' invariants
//!   (`properties/support.rs`): rule lists run only for the inputs they are for, each rule at
//!   most once and in list order; a completed conversation holds nothing and no load counts
//!   it; the responsible is the holder; every change of status, and only a change, is told.
//! - `tick_cadence_does_not_matter` (11): ticking at every deadline, never, or at random times
//!   gives the same decisions up to the last successful input — with rule lists, statuses and
//!   completed sessions in the scenarios.
//! - `replay_is_deterministic` (10, first half): two fresh engines, same decisions, same state.
//!
//! Case counts default to a value that runs quickly in a debug build; set `PROPTEST_CASES` to
//! run more.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeDelta, Utc};
use common::{Step, scenario};
use proptest::prelude::*;
use routeline::{
    AssignReason, CountTowardCap, Decision, DecisionKind, Engine, Input, LineConfig, Mode,
    OnExhausted, OperatorConfig, PinnedPolicy, Presence, QueueEntry, RuleLists, Status,
};

/// The default number of cases per property (overridden by `PROPTEST_CASES`).
const DEFAULT_CASES: u32 = 96;
/// At most this many random steps after the setup.
const MAX_STEPS: usize = 60;

fn config() -> ProptestConfig {
    common::config(DEFAULT_CASES)
}

#[path = "properties/routing.rs"]
mod routing;
#[path = "properties/shadow.rs"]
mod shadow;
#[path = "properties/support.rs"]
mod support;
#[path = "properties/views.rs"]
mod views;

use shadow::*;
use views::*;

// ---- the checked run -------------------------------------------------------------------------

struct Harness {
    engine: Engine,
    shadow: Shadow,
    view: HostView,
    told: Told,
    last_decision_at: Option<DateTime<Utc>>,
    /// Every decision so far, for failure messages.
    log: Vec<String>,
}

fn drain(engine: &mut Engine) -> Vec<Decision> {
    std::iter::from_fn(|| engine.poll_decision()).collect()
}

fn json(d: &Decision) -> String {
    serde_json::to_string(d).expect("decisions serialise")
}

impl Harness {
    fn new() -> Self {
        Self {
            engine: Engine::new(),
            shadow: Shadow::default(),
            view: HostView::default(),
            told: Told::default(),
            last_decision_at: None,
            log: Vec::new(),
        }
    }

    fn input_step(&mut self, step: &Step) -> Result<(), String> {
        let before = format!("{:?}", self.engine);
        let before_now = self.engine.now();
        let before_past = self.engine.past_inputs();
        let result = self.engine.handle(step.at, step.input.clone());
        let ds = drain(&mut self.engine);
        match result {
            Err(e) => {
                if !ds.is_empty() {
                    return Err(format!(
                        "inv 9: failed input ({e}) produced decisions: {:?}",
                        ds.iter().map(json).collect::<Vec<_>>()
                    ));
                }
                if format!("{:?}", self.engine) != before {
                    return Err(format!("inv 9: failed input ({e}) changed the engine"));
                }
                self.engine
                    .verify_invariants()
                    .map_err(|e| format!("verify_invariants: {e}"))
            }
            Ok(()) => {
                self.shadow.apply(&step.input);
                let expect_now = before_now.map_or(step.at, |n| n.max(step.at));
                if self.engine.now() != Some(expect_now) {
                    return Err(format!(
                        "clock is {:?} after an input at {} (was {before_now:?})",
                        self.engine.now(),
                        step.at
                    ));
                }
                let late = before_now.is_some_and(|n| step.at < n);
                if self.engine.past_inputs() != before_past + u64::from(late) {
                    return Err(format!(
                        "past_inputs went from {before_past} to {} (late: {late})",
                        self.engine.past_inputs()
                    ));
                }
                self.after_step(&ds, Some(&step.input), None)
            }
        }
    }

    fn timeout_step(&mut self, t: DateTime<Utc>) -> Result<(), String> {
        let before_now = self.engine.now();
        let before = aspects(&self.engine);
        self.engine.handle_timeout(t);
        let ds = drain(&mut self.engine);
        if let Some(next) = self.engine.poll_timeout() {
            if next <= t {
                return Err(format!(
                    "inv 7: poll_timeout() is {next} after handle_timeout({t})"
                ));
            }
        }
        let expect_now = before_now.map_or(t, |n| n.max(t));
        if self.engine.now() != Some(expect_now) {
            return Err(format!(
                "clock is {:?} after handle_timeout({t}) (was {before_now:?})",
                self.engine.now()
            ));
        }
        self.after_step(&ds, None, Some(&before))
    }

    fn after_step(
        &mut self,
        ds: &[Decision],
        input: Option<&Input>,
        aspects_before: Option<&Aspects>,
    ) -> Result<(), String> {
        for d in ds {
            self.log.push(json(d));
        }
        self.engine
            .verify_invariants()
            .map_err(|e| format!("verify_invariants: {e}"))?;
        let now = self.engine.now();
        for d in ds {
            if self.last_decision_at.is_some_and(|last| d.at < last) || Some(d.at) > now {
                return Err(format!(
                    "decision time {} out of order (previous {:?}, clock {now:?})",
                    d.at, self.last_decision_at
                ));
            }
            self.last_decision_at = Some(d.at);
        }
        // Whether the input opens its conversation, as the host saw it before the step: new to
        // it, or closed.
        let opens = match input {
            Some(
                Input::MessageIn { conversation, .. } | Input::MessageOut { conversation, .. },
            ) => {
                matches!(
                    self.view.places.get(conversation.as_str()),
                    None | Some(Place::Closed)
                )
            }
            _ => false,
        };
        let mut again = BTreeSet::new();
        for i in 0..ds.len() {
            if self
                .view
                .apply(ds, i, input)
                .map_err(|e| format!("decision stream: {e}"))?
            {
                again.insert(i);
            }
        }
        self.view.reconcile(&self.engine)?;
        let final_again = self.told.follow(ds, input, &self.engine)?;
        again.extend(final_again);
        self.check_rule_runs(ds, input, opens)?;
        self.check_completed_place(ds)?;
        let aspects_after = aspects_before.map(|_| aspects(&self.engine));
        let changed = |op: &str| match (aspects_before, &aspects_after) {
            (Some(b), Some(a)) => b.get(op) != a.get(op),
            _ => false,
        };
        self.check_routing(ds, &changed, &again)?;
        self.check_work_conservation()
    }
}

/// Feeds the steps, ticking at every deadline due before the next input, and checks
/// everything after every input and every tick.
fn run_checked(steps: &[Step]) -> Result<(), String> {
    let mut h = Harness::new();
    let fail = |h: &Harness, what: String, e: String| {
        let tail = h.log.len().saturating_sub(12);
        format!(
            "{what}: {e}\nlast decisions:\n  {}",
            h.log[tail..].join("\n  ")
        )
    };
    for (i, step) in steps.iter().enumerate() {
        while let Some(t) = h.engine.poll_timeout() {
            if t > step.at {
                break;
            }
            if h.engine.now().is_some_and(|n| t < n) {
                return Err(format!(
                    "before step {i}: poll_timeout() {t} is before the clock {:?}",
                    h.engine.now()
                ));
            }
            h.timeout_step(t)
                .map_err(|e| fail(&h, format!("tick at {t} before step {i}"), e))?;
        }
        h.input_step(step)
            .map_err(|e| fail(&h, format!("step {i} {step:?}"), e))?;
    }
    // Let a few more deadlines pass (offers may renew for ever).
    for _ in 0..12 {
        let Some(t) = h.engine.poll_timeout() else {
            break;
        };
        h.timeout_step(t)
            .map_err(|e| fail(&h, format!("final tick at {t}"), e))?;
    }
    Ok(())
}

// ---- cadence and determinism ------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Cadence {
    /// `handle_timeout(poll_timeout())` at every deadline before the next input.
    EveryDeadline,
    /// Never between inputs.
    Never,
    /// At pseudo-random times, seeded.
    Random(u64),
}

struct Run {
    stream: Vec<String>,
    ok: Vec<bool>,
    /// The stream's length after each input.
    prefix: Vec<usize>,
    state: String,
}

fn next_rand(s: &mut u64) -> u64 {
    // xorshift64*
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    s.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

fn run_stream(steps: &[Step], cadence: Cadence) -> Run {
    let mut engine = Engine::new();
    let mut run = Run {
        stream: Vec::new(),
        ok: Vec::new(),
        prefix: Vec::new(),
        state: String::new(),
    };
    // Ticking past a later input's stamp would legitimately change how that (late) input is
    // applied, so ticks stay at or before every later input's time.
    let mut bound = vec![DateTime::<Utc>::MAX_UTC; steps.len()];
    let mut min = DateTime::<Utc>::MAX_UTC;
    for (i, s) in steps.iter().enumerate().rev() {
        min = min.min(s.at);
        bound[i] = min;
    }
    let mut rng = match cadence {
        Cadence::Random(seed) => seed | 1,
        _ => 1,
    };
    for (i, step) in steps.iter().enumerate() {
        match cadence {
            Cadence::Never => {}
            Cadence::EveryDeadline => {
                while let Some(t) = engine.poll_timeout() {
                    if t > bound[i] || engine.now().is_some_and(|n| t < n) {
                        break;
                    }
                    engine.handle_timeout(t);
                    run.stream.extend(drain(&mut engine).iter().map(json));
                }
            }
            Cadence::Random(_) => {
                let n = next_rand(&mut rng) % 4;
                let mut last = None;
                for _ in 0..n {
                    let r = next_rand(&mut rng);
                    let t = match (r % 4, engine.poll_timeout(), last) {
                        (0, Some(t), _) if t <= bound[i] => t,
                        (1, _, Some(t)) => t,
                        _ => {
                            let lo = engine.now().unwrap_or(bound[i]) - TimeDelta::hours(1);
                            let span = (bound[i] - lo).num_seconds().max(0);
                            let back = (r >> 8) as i64 % (span + 1);
                            bound[i] - TimeDelta::seconds(back)
                        }
                    };
                    last = Some(t);
                    engine.handle_timeout(t);
                    run.stream.extend(drain(&mut engine).iter().map(json));
                }
            }
        }
        run.ok
            .push(engine.handle(step.at, step.input.clone()).is_ok());
        run.stream.extend(drain(&mut engine).iter().map(json));
        run.prefix.push(run.stream.len());
    }
    run.state = format!("{engine:?}");
    run
}

/// The decisions up to (and including) the last successful input.
fn settled(run: &Run) -> &[String] {
    let end = run
        .ok
        .iter()
        .rposition(|&ok| ok)
        .map_or(0, |i| run.prefix[i]);
    &run.stream[..end]
}

fn compare(a: &Run, b: &Run, names: (&str, &str)) -> Result<(), String> {
    if a.ok != b.ok {
        let i = a.ok.iter().zip(&b.ok).position(|(x, y)| x != y);
        return Err(format!(
            "inputs succeeded differently ({} vs {}) at step {i:?}",
            names.0, names.1
        ));
    }
    let (sa, sb) = (settled(a), settled(b));
    if sa != sb {
        let i = sa
            .iter()
            .zip(sb)
            .position(|(x, y)| x != y)
            .unwrap_or(sa.len().min(sb.len()));
        let step = a.prefix.iter().position(|&p| p > i);
        return Err(format!(
            "decision streams differ ({} vs {}) at decision {i} (input step {step:?}):\n  {}: {:?}\n  {}: {:?}\n  lengths {} vs {}",
            names.0,
            names.1,
            names.0,
            sa.get(i),
            names.1,
            sb.get(i),
            sa.len(),
            sb.len()
        ));
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn invariants_hold_after_every_step(steps in scenario(MAX_STEPS)) {
        run_checked(&steps).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn tick_cadence_does_not_matter(steps in scenario(MAX_STEPS), seed in any::<u64>()) {
        let every = run_stream(&steps, Cadence::EveryDeadline);
        let never = run_stream(&steps, Cadence::Never);
        let random = run_stream(&steps, Cadence::Random(seed));
        compare(&every, &never, ("every deadline", "never")).map_err(TestCaseError::fail)?;
        compare(&never, &random, ("never", "random")).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn replay_is_deterministic(steps in scenario(MAX_STEPS)) {
        let a = run_stream(&steps, Cadence::Never);
        let b = run_stream(&steps, Cadence::Never);
        prop_assert_eq!(a.ok, b.ok);
        prop_assert!(a.stream == b.stream, "decision streams differ");
        prop_assert!(a.state == b.state, "final engine states differ");
    }
}

// ---- regressions: shrunk cases the properties found, kept as fixed inputs -------------------

/// Parses JSON Lines of the wire format (`"at"` plus the input's fields) into steps.
fn steps_from_jsonl(text: &str) -> Vec<Step> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).expect("valid JSON");
            let at = v
                .as_object_mut()
                .and_then(|o| o.remove("at"))
                .expect("a line has \"at\"");
            Step {
                at: serde_json::from_value(at).expect("an RFC 3339 time"),
                input: serde_json::from_value(v).expect("a valid input"),
            }
        })
        .collect()
}

fn check_all(jsonl: &str) {
    let steps = steps_from_jsonl(jsonl);
    if let Err(e) = run_checked(&steps) {
        panic!("{e}");
    }
    let every = run_stream(&steps, Cadence::EveryDeadline);
    let never = run_stream(&steps, Cadence::Never);
    compare(&every, &never, ("every deadline", "never")).unwrap();
}

/// Removing a line while one of its conversations waits behind an operator at cap panicked
/// (a removed line's bucket was drained).
#[test]
fn regression_remove_line_with_a_waiting_conversation() {
    check_all(
        r#"
{"at":"2026-03-02T09:00:00Z","type":"upsert_operator","operator":"o1"}
{"at":"2026-03-02T09:00:00Z","type":"upsert_line","line":"l2","queue":["o1"],"max_open_per_operator":1}
{"at":"2026-03-02T09:00:00Z","type":"connect_channel","channel":"c2","line":"l2"}
{"at":"2026-03-02T09:00:00Z","type":"presence","operator":"o1","status":"online"}
{"at":"2026-03-02T09:00:00Z","type":"message_in","conversation":"v3","client":"cl3","channel":"c2"}
{"at":"2026-03-02T09:00:00Z","type":"message_in","conversation":"v4","client":"cl1","channel":"c2"}
{"at":"2026-03-02T09:00:00Z","type":"disconnect_channel","channel":"c2"}
{"at":"2026-03-02T09:00:00Z","type":"remove_line","line":"l2"}
"#,
    );
}

/// A `requeue`d conversation stayed waiting although a work day that the line does not look
/// at made its operator "not yet tried" again (inv 4).
#[test]
fn regression_requeued_conversation_and_an_unrelated_workday() {
    check_all(
        r#"
{"at":"2026-03-02T09:00:00Z","type":"upsert_operator","operator":"o1"}
{"at":"2026-03-02T09:00:00Z","type":"upsert_line","line":"l2","mode":"strict","queue":["o1"],"offer_timeout_secs":60,"on_exhausted":"requeue"}
{"at":"2026-03-02T09:00:00Z","type":"connect_channel","channel":"c3","line":"l2"}
{"at":"2026-03-02T09:00:00Z","type":"presence","operator":"o1","status":"online"}
{"at":"2026-03-02T09:00:00Z","type":"message_in","conversation":"v5","client":"cl4","channel":"c3"}
{"at":"2026-03-02T09:01:01Z","type":"workday_started","operator":"o1"}
"#,
    );
}

/// Mode `all`: an unanswered single assignment (here by `prefer_last_operator`) expires while
/// its holder is at cap *because of that very conversation*; it is queued `at_capacity` and
/// stays waiting although the holder has room once it left (inv 4).
#[test]
fn regression_all_mode_expiry_of_an_assignment_that_filled_the_cap() {
    check_all(
        r#"
{"at":"2026-03-02T09:00:00Z","type":"upsert_operator","operator":"o2"}
{"at":"2026-03-02T09:00:00Z","type":"upsert_line","line":"l1","mode":"all","queue":["o2"],"offer_timeout_secs":60,"max_open_per_operator":1,"prefer_last_operator":true}
{"at":"2026-03-02T09:00:00Z","type":"connect_channel","channel":"c1","line":"l1"}
{"at":"2026-03-02T09:00:00Z","type":"presence","operator":"o2","status":"online"}
{"at":"2026-03-02T09:00:00Z","type":"message_out","conversation":"v1","operator":"o2","client":"cl1","channel":"c1"}
{"at":"2026-03-02T09:00:00Z","type":"close","conversation":"v1"}
{"at":"2026-03-02T09:00:00Z","type":"message_in","conversation":"v2","client":"cl1","channel":"c1"}
{"at":"2026-03-02T09:01:00Z","type":"tick"}
"#,
    );
}

/// The same after a change of mode to `all` that left an unanswered assignment in place.
#[test]
fn regression_mode_changed_to_all_then_the_assignment_expires_at_cap() {
    check_all(
        r#"
{"at":"2026-03-02T09:00:00Z","type":"upsert_operator","operator":"o2","max_open":1}
{"at":"2026-03-02T09:00:00Z","type":"upsert_line","line":"l1","mode":"strict","queue":["o2"],"offer_timeout_secs":60}
{"at":"2026-03-02T09:00:00Z","type":"connect_channel","channel":"c1","line":"l1"}
{"at":"2026-03-02T09:00:00Z","type":"presence","operator":"o2","status":"online"}
{"at":"2026-03-02T09:00:00Z","type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
{"at":"2026-03-02T09:00:00Z","type":"upsert_line","line":"l1","mode":"all","queue":["o2"]}
{"at":"2026-03-02T09:01:01Z","type":"tick"}
"#,
    );
}

/// Runs a JSON Lines file (`ROUTELINE_STEPS=path`) through every check of the properties:
/// `ROUTELINE_STEPS=case.jsonl cargo test --test properties check_file -- --ignored`.
#[test]
#[ignore = "a tool: needs ROUTELINE_STEPS"]
fn check_file() {
    let Ok(path) = std::env::var("ROUTELINE_STEPS") else {
        return;
    };
    check_all(&std::fs::read_to_string(path).expect("a readable file"));
}
