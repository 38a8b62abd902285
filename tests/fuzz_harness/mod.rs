//! The checks behind the fuzz targets in `fuzz/` and the stable smoke test
//! `tests/fuzz_smoke.rs`, which both include this file with `#[path]` (it lives here, not in
//! `fuzz/`, so that the published package, which leaves `fuzz/` out, still has it).
//!
//! - [`run_sequence`] drives an [`Engine`] through a structured [`Scenario`] of `(time, input)`
//!   steps and holds it to its invariants after every step: `verify_invariants`, a rejected
//!   input leaves the engine exactly as it was, the clock never goes backwards, decisions are
//!   stamped in order and no later than the clock, `handle_timeout` leaves no due deadline and
//!   is idempotent, every input and decision survives the JSON wire format. At the end the
//!   engine is snapshotted to JSON, restored, and both copies continue through the last steps
//!   side by side with identical results.
//! - [`run_replay`] feeds raw bytes to the JSON Lines replay (`examples/replay.rs`), optionally
//!   after a snapshot at the start of the bytes, and to the snapshot parser: nothing may panic,
//!   a failed line changes nothing, and whatever was restored verifies and round-trips.

use std::fmt;

use arbitrary::{Arbitrary, Unstructured};
use chrono::{DateTime, TimeDelta, Utc};
use routeline::{
    Action as RuleAction, ChannelConfig, Conditions, Decision, Engine, Input, LineConfig, Mode,
    OnExhausted, OperatorConfig, OperatorId, Permission, PinnedPolicy, Presence, RoleConfig, Rule,
    RuleEvent, RuleLists, Scope, Snapshot, Status,
};

#[path = "../../examples/replay.rs"]
#[allow(dead_code)]
mod replay;

/// At most this many generated steps per scenario (the setup not counted).
pub const MAX_STEPS: usize = 150;

/// The time of the first step: the instant the `Arbitrary` impls of the crate generate
/// absence windows around.
pub fn base_time() -> DateTime<Utc> {
    "2026-03-02T09:00:00Z".parse().expect("valid RFC 3339")
}

/// How the clock moves before a step.
///
/// Never far forward: deadlines fire as of their own time, so a jump of years past a
/// renewing offer makes the engine replay every renewal in between (see the README's
/// "Running for months" and "Testing and fuzzing" sections). The extremes of chrono's range
/// are reached through [`Scenario::start`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// The same instant as the step before.
    Same,
    /// This many seconds later.
    Later(i64),
    /// This many seconds earlier (a late input); saturates at the start of chrono's range.
    Earlier(i64),
}

impl<'a> Arbitrary<'a> for When {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match u.int_in_range(0u8..=31)? {
            0..=11 => When::Same,
            12..=23 => When::Later(u.int_in_range(1..=600)?),
            24..=28 => When::Later(if u.ratio(1u8, 2)? {
                *u.choose(&[59, 60, 61, 299, 300, 301, 3_600, 43_200, 86_400])?
            } else {
                u.int_in_range(601..=6 * 3_600)?
            }),
            29..=30 => When::Earlier(u.int_in_range(1..=7_200)?),
            _ => When::Earlier(u.int_in_range(1..=i64::MAX)?),
        })
    }
}

impl When {
    fn apply(self, t: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            When::Same => t,
            When::Later(s) => TimeDelta::try_seconds(s)
                .and_then(|d| t.checked_add_signed(d))
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
            When::Earlier(s) => TimeDelta::try_seconds(s)
                .and_then(|d| t.checked_sub_signed(d))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
        }
    }
}

/// Where a scenario's clock starts: mostly [`base_time`], rarely within a month of either end
/// of chrono's range (where deadlines overflow) or anywhere at all.
fn start(u: &mut Unstructured<'_>) -> arbitrary::Result<DateTime<Utc>> {
    if u.ratio(7u8, 8)? {
        return Ok(base_time());
    }
    let month = TimeDelta::seconds(u.int_in_range(0..=30 * 86_400)?);
    Ok(match u.int_in_range(0u8..=2)? {
        0 => DateTime::<Utc>::MAX_UTC - month,
        1 => DateTime::<Utc>::MIN_UTC + month,
        _ => {
            let min = DateTime::<Utc>::MIN_UTC.timestamp();
            let max = DateTime::<Utc>::MAX_UTC.timestamp();
            DateTime::from_timestamp(u.int_in_range(min..=max)?, 0).unwrap_or_else(base_time)
        }
    })
}

/// What a step does.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // a test harness: clarity over a few bytes per step
pub enum Action {
    /// `Engine::handle(at, input)`.
    Input(Input),
    /// `Engine::handle_as(at, actor, input)`: an input an operator made (DESIGN §7).
    As(OperatorId, Input),
    /// `Engine::handle_timeout(at)`.
    Timeout,
}

impl<'a> Arbitrary<'a> for Action {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        if u.ratio(1u8, 10)? {
            Ok(Action::Timeout)
        } else if u.ratio(1u8, 6)? {
            Ok(Action::As(OperatorId::arbitrary(u)?, Input::arbitrary(u)?))
        } else {
            Ok(Action::Input(Input::arbitrary(u)?))
        }
    }
}

/// One generated step: move the clock, then act.
#[derive(Clone, Debug, PartialEq, Eq, Arbitrary)]
pub struct Step {
    /// How the clock moves first.
    pub when: When,
    /// What happens then.
    pub action: Action,
}

/// A structured fuzz input: an optional fixed setup, then generated steps; the engine is
/// snapshotted and restored before the last `tail` of them.
#[derive(Clone, PartialEq, Eq)]
pub struct Scenario {
    /// The time of the first step (and of the setup).
    pub start: DateTime<Utc>,
    /// Start with [`setup`]: three online operators, three lines, four channels.
    pub setup: bool,
    /// How many of the last steps run after the snapshot, on both engines.
    pub tail: usize,
    /// The generated steps.
    pub steps: Vec<Step>,
}

impl<'a> Arbitrary<'a> for Scenario {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let start = start(u)?;
        let setup = u.ratio(3u8, 4)?;
        let tail = u.int_in_range(0..=8)?;
        let mut steps = Vec::new();
        while !u.is_empty() && steps.len() < MAX_STEPS {
            match Step::arbitrary(u) {
                Ok(step) => steps.push(step),
                Err(_) => break,
            }
        }
        Ok(Scenario {
            start,
            setup,
            tail,
            steps,
        })
    }
}

/// A fixed start that gives generated inputs something to interact with: `anna`, `boris` and
/// `vera` online (`vera` in group `line1`, capped at 2); line `sales` (strict, anna then group
/// line1, 300 s to answer, requeue when exhausted), `support` (all, 60 s, pinned `always`),
/// `vip` (balanced, 2 per operator, no timeout); channels `wa-1` and `mail` (only boris) on
/// sales, `tg-1` on support, `web` on vip; and rule lists (DESIGN §6): an operator of `line2`
/// opening a conversation hands it to `support`, a client re-activating a completed one goes to
/// its responsible, and `waiting` set by hand completes it; roles (DESIGN §7): anna an
/// `operator` (take, on her own lines), vera a `supervisor` (intercept, transfer, close, all).
pub fn setup() -> Vec<Input> {
    let op = |id: &str| Input::UpsertOperator(OperatorConfig::new(id));
    let online = |id: &str| Input::Presence {
        operator: id.into(),
        status: Presence::Online,
    };
    vec![
        op("anna"),
        op("boris"),
        Input::UpsertOperator(OperatorConfig::new("vera").group("line1").max_open(2)),
        Input::from(
            LineConfig::new("sales")
                .mode(Mode::Strict)
                .member("anna")
                .group("line1")
                .offer_timeout_secs(300)
                .on_exhausted(OnExhausted::Requeue),
        ),
        Input::from(
            LineConfig::new("support")
                .mode(Mode::All)
                .member("boris")
                .member("vera")
                .member("anna")
                .offer_timeout_secs(60)
                .pinned_policy(PinnedPolicy::Always),
        ),
        Input::from(
            LineConfig::new("vip")
                .mode(Mode::Balanced)
                .member("vera")
                .member("boris")
                .max_open_per_operator(2),
        ),
        Input::ConnectChannel(ChannelConfig::new("wa-1", "sales").kind("whatsapp")),
        Input::ConnectChannel(ChannelConfig::new("mail", "sales").operators(["boris"])),
        Input::ConnectChannel(ChannelConfig::new("tg-1", "support")),
        Input::ConnectChannel(ChannelConfig::new("web", "vip")),
        online("anna"),
        online("boris"),
        online("vera"),
        Input::SetRules(rules()),
        Input::UpsertRole(RoleConfig::new("operator").permission(Permission::Take)),
        Input::UpsertRole(
            RoleConfig::new("supervisor")
                .permission(Permission::Intercept)
                .permission(Permission::Transfer)
                .permission(Permission::Close)
                .scope(Scope::All),
        ),
        Input::UpsertOperator(OperatorConfig::new("anna").role("operator")),
        Input::UpsertOperator(
            OperatorConfig::new("vera")
                .group("line1")
                .max_open(2)
                .role("supervisor"),
        ),
    ]
}

/// The rule lists of [`setup`].
fn rules() -> RuleLists {
    let rule = |name: &str, when: Conditions, then: Vec<RuleAction>| Rule {
        name: name.into(),
        when,
        unless: None,
        then,
    };
    RuleLists {
        incoming: vec![rule(
            "line2-hands-over",
            Conditions {
                event: Some(vec![RuleEvent::OperatorMessage]),
                author_groups: Some(vec!["line2".into()]),
                ..Conditions::default()
            },
            vec![
                RuleAction::Route {
                    line: Some("support".into()),
                },
                RuleAction::Stop,
            ],
        )],
        changed: vec![
            rule(
                "mine",
                Conditions {
                    event: Some(vec![RuleEvent::ClientMessage]),
                    reactivated: Some(true),
                    ..Conditions::default()
                },
                vec![RuleAction::AssignResponsible],
            ),
            rule(
                "waiting-completes",
                Conditions {
                    event: Some(vec![RuleEvent::Status]),
                    status: Some(vec![Status::Waiting]),
                    ..Conditions::default()
                },
                vec![RuleAction::Complete],
            ),
        ],
    }
}

impl Scenario {
    /// Every step with its absolute time, the setup first (all at the start).
    pub fn timeline(&self) -> Vec<(DateTime<Utc>, Action)> {
        let mut t = self.start;
        let mut out = Vec::new();
        if self.setup {
            out.extend(setup().into_iter().map(|i| (t, Action::Input(i))));
        }
        for step in &self.steps {
            t = step.when.apply(t);
            out.push((t, step.action.clone()));
        }
        out
    }

    /// The number of timeline entries run before the snapshot.
    fn split(&self, len: usize) -> usize {
        len - self.tail.min(self.steps.len())
    }
}

/// One step as a line of the replay's wire format (`handle_timeout` as a `tick`).
pub fn to_json_line(at: DateTime<Utc>, action: &Action) -> String {
    let mut value = match action {
        Action::Input(input) => serde_json::to_value(input).expect("inputs serialise"),
        Action::As(actor, input) => {
            let mut v = serde_json::to_value(input).expect("inputs serialise");
            let obj = v.as_object_mut().expect("inputs serialise as objects");
            obj.insert("actor".into(), actor.as_str().into());
            v
        }
        Action::Timeout => serde_json::json!({ "type": "tick" }),
    };
    let obj = value.as_object_mut().expect("inputs serialise as objects");
    obj.insert(
        "at".into(),
        serde_json::to_value(at).expect("times serialise"),
    );
    serde_json::to_string(&value).expect("values serialise")
}

/// Readable as the JSON Lines the replay example takes (`cargo fuzz fmt` prints this).
impl fmt::Debug for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let timeline = self.timeline();
        let split = self.split(timeline.len());
        writeln!(
            f,
            "# {} steps ({} setup); snapshot + restore before step {}; `tick` = handle_timeout",
            timeline.len(),
            if self.setup { setup().len() } else { 0 },
            split + 1
        )?;
        for (i, (at, action)) in timeline.iter().enumerate() {
            if i == split {
                writeln!(f, "# -- snapshot, restore; both engines continue --")?;
            }
            writeln!(f, "{}", to_json_line(*at, action))?;
        }
        Ok(())
    }
}

/// What one step did, to compare an engine with its restored copy.
#[derive(Debug, PartialEq)]
struct Outcome {
    result: Result<(), String>,
    decisions: Vec<Decision>,
    now: Option<DateTime<Utc>>,
    next: Option<DateTime<Utc>>,
}

/// Runs one step and checks everything that must hold after it. `last_at` is the time of the
/// latest decision seen so far (decisions come in time order).
fn step(
    engine: &mut Engine,
    n: usize,
    at: DateTime<Utc>,
    action: &Action,
    last_at: &mut Option<DateTime<Utc>>,
) -> Outcome {
    let before = engine.clone();
    let clock = engine.now();
    let result = match action {
        Action::Input(input) | Action::As(_, input) => {
            let actor = match action {
                Action::As(actor, _) => Some(actor.clone()),
                _ => None,
            };
            let line = to_json_line(at, action);
            match replay::parse_line_as(&line) {
                Ok(parsed) => assert_eq!(
                    parsed,
                    (at, actor.clone(), input.clone()),
                    "step {n}: the input changed on its way through JSON: {line}"
                ),
                Err(e) => panic!("step {n}: the replay cannot read back {line}: {e}"),
            }
            let result = match &actor {
                Some(a) => engine.handle_as(at, a.as_str(), input.clone()),
                None => engine.handle(at, input.clone()),
            }
            .map_err(|e| e.to_string());
            if let Err(e) = &result {
                assert_eq!(
                    format!("{engine:?}"),
                    format!("{before:?}"),
                    "step {n}: the rejected input {input:?} changed the engine ({e})"
                );
            } else if matches!(input, Input::Tick)
                && engine.poll_timeout().is_some_and(|next| next <= at)
            {
                // A tick that met the renewal bound stops at the last deadline it fired.
                let now = engine.now().expect("a tick sets the clock");
                assert!(
                    clock.is_none_or(|c| c <= now) && now <= at,
                    "step {n}: a tick stopped at {now}, outside {clock:?}..={at}"
                );
            } else {
                assert_eq!(
                    engine.now(),
                    Some(clock.map_or(at, |c| c.max(at))),
                    "step {n}: the clock after an input is the later of the old clock and `now`"
                );
            }
            result
        }
        Action::Timeout => {
            engine.handle_timeout(at);
            if clock.is_none_or(|c| c <= at) {
                assert_eq!(
                    engine.now(),
                    Some(at),
                    "step {n}: handle_timeout sets the clock"
                );
                if let Some(next) = engine.poll_timeout() {
                    assert!(
                        next > at,
                        "step {n}: after handle_timeout({at}) a deadline at {next} is still due"
                    );
                }
            } else {
                assert_eq!(
                    format!("{engine:?}"),
                    format!("{before:?}"),
                    "step {n}: handle_timeout({at}) before the clock changed something"
                );
            }
            Ok(())
        }
    };
    if let Err(e) = engine.verify_invariants() {
        panic!("step {n}: {action:?} at {at} broke an invariant: {e}");
    }
    if let (Some(old), Some(new)) = (clock, engine.now()) {
        assert!(
            new >= old,
            "step {n}: the clock went back from {old} to {new}"
        );
    }
    let decisions: Vec<Decision> = std::iter::from_fn(|| engine.poll_decision()).collect();
    for (i, d) in decisions.iter().enumerate() {
        let now = engine
            .now()
            .expect("a decision was made, so time has passed");
        assert!(
            d.at <= now,
            "step {n}: decision {d:?} is stamped after the clock {now}"
        );
        if let Some(last) = *last_at {
            assert!(
                d.at >= last,
                "step {n}: decision {d:?} is stamped before an earlier one at {last}"
            );
        }
        *last_at = Some(d.at);
        if i >= 4 {
            // a renewal loop can make thousands: the wire format is checked on the first few
            continue;
        }
        let json = serde_json::to_string(d).expect("decisions serialise");
        let back: Decision = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("step {n}: decision {json} does not read back: {e}"));
        assert_eq!(
            &back, d,
            "step {n}: decision changed on its way through JSON"
        );
    }
    if matches!(action, Action::Timeout) && result.is_ok() {
        // idempotent: a second call at the same time changes nothing
        let once = format!("{engine:?}");
        engine.handle_timeout(at);
        assert_eq!(
            format!("{engine:?}"),
            once,
            "step {n}: a second handle_timeout({at}) changed the engine"
        );
    }
    Outcome {
        result,
        decisions,
        now: engine.now(),
        next: engine.poll_timeout(),
    }
}

/// Snapshots `engine` to JSON, restores it, and checks that the copy verifies and writes the
/// same snapshot. Returns the copy.
fn round_trip(engine: &Engine) -> Engine {
    let json = serde_json::to_string(&engine.snapshot()).expect("snapshots serialise");
    let snapshot: Snapshot = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("a snapshot the engine wrote does not parse: {e}\n{json}"));
    let restored = Engine::restore(snapshot)
        .unwrap_or_else(|e| panic!("a snapshot the engine wrote is refused: {e}\n{json}"));
    if let Err(e) = restored.verify_invariants() {
        panic!("a restored engine breaks an invariant: {e}\n{json}");
    }
    let again = serde_json::to_string(&restored.snapshot()).expect("snapshots serialise");
    assert_eq!(again, json, "a restored engine writes a different snapshot");
    restored
}

/// The structured target: runs `scenario` with every check after every step, then snapshot,
/// restore, and the last `tail` steps on both engines with identical outcomes.
pub fn run_sequence(scenario: &Scenario) {
    let timeline = scenario.timeline();
    let split = scenario.split(timeline.len());
    let mut engine = Engine::new();
    let mut last_at = None;
    for (n, (at, action)) in timeline[..split].iter().enumerate() {
        step(&mut engine, n + 1, *at, action, &mut last_at);
    }
    let mut restored = round_trip(&engine);
    let mut restored_last_at = last_at;
    for (n, (at, action)) in timeline.iter().enumerate().skip(split) {
        let a = step(&mut engine, n + 1, *at, action, &mut last_at);
        let b = step(&mut restored, n + 1, *at, action, &mut restored_last_at);
        assert_eq!(
            a,
            b,
            "step {}: the restored engine diverged from the original",
            n + 1
        );
    }
}

/// How far past the next deadline a replayed line may jump (see [`too_far_ahead`]).
const MAX_CATCH_UP_SECS: i64 = 86_400;

/// Whether a line is stamped more than a day past the engine's next deadline. Such lines are
/// skipped: deadlines fire as of their own time, so the engine replays every expiry and
/// renewal of an offer in between (two decisions a minute with a 60 s timeout), and a byte
/// flipped in a year would keep the target busy for hours. The structured target never jumps
/// that far either.
fn too_far_ahead(engine: &Engine, line: &str) -> bool {
    let (Some(next), Ok((at, _))) = (engine.poll_timeout(), replay::parse_line(line)) else {
        return false;
    };
    next.checked_add_signed(TimeDelta::seconds(MAX_CATCH_UP_SECS))
        .is_some_and(|limit| at > limit)
}

/// The raw-bytes target. The bytes are parsed as a whole snapshot (restored if they are one);
/// then, if they start with a snapshot that restores, the replay starts from it and reads the
/// rest as JSON Lines, else it reads all of them from an empty engine.
pub fn run_replay(data: &[u8]) {
    if let Ok(snapshot) = serde_json::from_slice::<Snapshot>(data) {
        if let Ok(engine) = Engine::restore(snapshot) {
            round_trip(&engine);
        }
    }
    let mut stream = serde_json::Deserializer::from_slice(data).into_iter::<Snapshot>();
    let (mut engine, rest) = match stream.next() {
        Some(Ok(snapshot)) => match Engine::restore(snapshot) {
            Ok(engine) => (engine, &data[stream.byte_offset()..]),
            Err(_) => (Engine::new(), data),
        },
        _ => (Engine::new(), data),
    };
    if let Err(e) = engine.verify_invariants() {
        panic!("a restored engine breaks an invariant: {e}");
    }
    // a snapshot may carry decisions not yet polled: drain them, so that each line's output
    // is its own
    while engine.poll_decision().is_some() {}
    for (i, line) in rest.split(|&b| b == b'\n').enumerate() {
        let line = String::from_utf8_lossy(line);
        if too_far_ahead(&engine, &line) {
            continue;
        }
        let before = engine.clone();
        let mut out = Vec::new();
        replay::process_line(&mut engine, i + 1, &line, &mut out)
            .expect("writing to a Vec cannot fail");
        let out = String::from_utf8(out).expect("the replay writes UTF-8");
        for (j, printed) in out.lines().enumerate() {
            let value: serde_json::Value = serde_json::from_str(printed)
                .unwrap_or_else(|e| panic!("line {}: output {printed} is not JSON: {e}", i + 1));
            if value["type"] == "error" {
                assert_eq!(j, 0, "line {}: an error line after decisions", i + 1);
                assert_eq!(
                    format!("{engine:?}"),
                    format!("{before:?}"),
                    "line {}: the failed line {line:?} changed the engine",
                    i + 1
                );
            } else if let Err(e) = serde_json::from_value::<Decision>(value) {
                panic!("line {}: output {printed} is not a decision: {e}", i + 1);
            }
        }
        if let Err(e) = engine.verify_invariants() {
            panic!("line {} ({line:?}) broke an invariant: {e}", i + 1);
        }
    }
    round_trip(&engine);
}
