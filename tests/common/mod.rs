//! Shared generators for the property, hostile-input, snapshot and differential tests: random
//! `(time, Input)` sequences over a small universe of ids, so that operators, lines, channels,
//! clients and conversations interact often; and builders of each kind of input from
//! strategies for the ids it names (`*_of`), which the differential test aims at what exists.

#![allow(dead_code)]

mod inputs;
mod lines;
mod queue;
mod rules;

pub use inputs::*;
pub use lines::*;
#[allow(unused_imports)] // not every test crate uses every generator
pub use queue::*;
pub use rules::*;

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use routeline::{
    AutoReplies, BotConfig, BotJoin, BotLeave, ChannelConfig, CountTowardCap,
    DEFAULT_FORGET_CLOSED_AFTER_SECS, DEFAULT_MAX_RENEWALS_PER_CALL, DayHours, EngineSettings,
    Input, LineConfig, Mode, OnExhausted, OperatorConfig, PinnedPolicy, Presence, QueueEntry,
    RatingConfig, ScheduleConfig, ScheduleOverride, SlaConfig,
};

/// The number of cases per property: `PROPTEST_CASES`, or `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A proptest configuration with [`cases`] cases that writes nothing beside the tests:
/// failures are reported with their shrunk input.
pub fn config(default_cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(default_cases),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Operators that are usually created (`o6` rarely: mostly named before it exists).
pub const OPS: [&str; 6] = ["o1", "o2", "o3", "o4", "o5", "o6"];
pub const LINES: [&str; 3] = ["l1", "l2", "l3"];
pub const CHANNELS: [&str; 3] = ["c1", "c2", "c3"];
pub const CLIENTS: [&str; 4] = ["cl1", "cl2", "cl3", "cl4"];
pub const GROUPS: [&str; 2] = ["g1", "g2"];
/// Conversations, each with the client and channel it usually comes with.
pub const CONVS: [(&str, &str, &str); 6] = [
    ("v1", "cl1", "c1"),
    ("v2", "cl2", "c1"),
    ("v3", "cl3", "c2"),
    ("v4", "cl1", "c2"),
    ("v5", "cl4", "c3"),
    ("v6", "cl2", "c3"),
];

/// The time of the first step.
pub fn base_time() -> DateTime<Utc> {
    "2026-03-02T09:00:00Z".parse().expect("valid RFC 3339")
}

/// Absence windows are generated relative to this instant and rebased onto the step's time.
fn epoch() -> DateTime<Utc> {
    "2000-01-01T00:00:00Z".parse().expect("valid RFC 3339")
}

/// One input at its (absolute) time, as the host would stamp it.
#[derive(Clone, PartialEq, Eq)]
pub struct Step {
    pub at: DateTime<Utc>,
    pub input: Input,
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "({}, {:?})",
            self.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            self.input
        )
    }
}

impl Step {
    /// The step as one JSON line of the wire format (`"at"` plus the input's fields).
    pub fn to_json_line(&self) -> String {
        let mut v = serde_json::to_value(&self.input).expect("inputs serialise");
        let obj = v.as_object_mut().expect("inputs serialise as objects");
        obj.insert(
            "at".into(),
            serde_json::to_value(self.at).expect("times serialise"),
        );
        serde_json::to_string(&v).expect("values serialise")
    }
}

/// One of `items`, chosen by weight.
pub fn weighted<T: Clone + fmt::Debug + 'static>(items: Vec<(u32, T)>) -> BoxedStrategy<T> {
    Union::new_weighted(
        items
            .into_iter()
            .map(|(w, x)| (w, Just(x).boxed()))
            .collect(),
    )
    .boxed()
}

pub fn op() -> BoxedStrategy<String> {
    weighted(vec![
        (4, "o1"),
        (4, "o2"),
        (4, "o3"),
        (3, "o4"),
        (2, "o5"),
        (1, "o6"),
    ])
    .prop_map(String::from)
    .boxed()
}

pub fn line() -> BoxedStrategy<String> {
    weighted(vec![(5, "l1"), (4, "l2"), (1, "l3")])
        .prop_map(String::from)
        .boxed()
}

pub fn channel() -> BoxedStrategy<String> {
    weighted(vec![(4, "c1"), (4, "c2"), (2, "c3")])
        .prop_map(String::from)
        .boxed()
}

pub fn client() -> BoxedStrategy<String> {
    select(CLIENTS.to_vec()).prop_map(String::from).boxed()
}

pub fn group() -> BoxedStrategy<String> {
    select(GROUPS.to_vec()).prop_map(String::from).boxed()
}

fn conv_index() -> BoxedStrategy<usize> {
    (0..CONVS.len()).boxed()
}

/// A conversation id.
pub fn conv() -> BoxedStrategy<String> {
    conv_index().prop_map(|i| CONVS[i].0.to_string()).boxed()
}

pub fn presence() -> BoxedStrategy<Presence> {
    weighted(vec![
        (4, Presence::Online),
        (1, Presence::Away),
        (2, Presence::Offline),
    ])
}

/// An absence with times relative to [`epoch`] (rebased onto the step's time later):
/// mostly valid windows around "now", sometimes empty or reversed ones.
fn absence() -> BoxedStrategy<Input> {
    absence_of(
        op(),
        (-7200i64..=10_800).boxed(),
        prop_oneof![
            6 => 1i64..=14_400,
            1 => Just(0i64),
            1 => -3600i64..=-1,
        ]
        .boxed(),
    )
}

fn message_in() -> BoxedStrategy<Input> {
    message_in_of(
        prop_oneof![
            5 => conv_index().prop_map(|i| {
                let (v, cl, ch) = CONVS[i];
                (v.to_string(), cl.to_string(), ch.to_string())
            }),
            // Another client or channel than the conversation's usual one.
            1 => (conv_index(), client(), channel())
                .prop_map(|(i, cl, ch)| (CONVS[i].0.to_string(), cl, ch)),
        ]
        .boxed(),
    )
}

fn message_out() -> BoxedStrategy<Input> {
    (conv_index(), op(), 0u8..6, client(), channel())
        .prop_map(|(i, o, shape, cl, ch)| {
            let (v, ucl, uch) = CONVS[i];
            let (client, channel) = match shape {
                0 | 1 => (None, None),
                2 | 3 => (Some(ucl.into()), Some(uch.into())),
                4 => (Some(cl.into()), Some(ch.into())),
                _ => (Some(ucl.into()), None),
            };
            Input::MessageOut {
                conversation: v.into(),
                operator: o.into(),
                client,
                channel,
            }
        })
        .boxed()
}

/// Any input, weighted toward the ones that make conversations move.
pub fn input() -> BoxedStrategy<Input> {
    Union::new_weighted(vec![
        (5, operator_config().prop_map(Input::UpsertOperator).boxed()),
        (1, remove_operator_of(op())),
        (5, line_config().prop_map(Input::from).boxed()),
        (1, remove_line_of(line())),
        (4, channel_config().prop_map(Input::ConnectChannel).boxed()),
        (2, disconnect_channel_of(channel())),
        (3, pin_client_of(client(), op())),
        (1, unpin_client_of(client())),
        (10, presence_of(op(), presence())),
        (3, workday_started_of(op())),
        (2, workday_ended_of(op())),
        (3, absence()),
        (1, clear_absences_of(op())),
        (16, message_in()),
        (7, message_out()),
        (10, accept_of((conv(), op()).boxed())),
        (3, take_of(conv(), op())),
        (4, transfer_of(conv(), op(), line())),
        (5, close_of(conv())),
        (1, spam_of(conv())),
        (2, bot_handoff_of(conv())),
        (
            2,
            rating_of(
                conv(),
                weighted(vec![(1, 0u8), (5, 1), (2, 3), (5, 5), (1, 6)]),
            ),
        ),
        (3, Just(Input::Tick).boxed()),
        (3, set_status_of(conv(), status())),
        (4, complete_of(conv())),
        (1, set_rules_of(line())),
    ])
    .boxed()
}

/// `forget_closed_after_secs`: mostly a few minutes or none at all (so that closed
/// conversations are forgotten within a short case, or right away), sometimes `None` (kept
/// forever), the default (30 days), a day or so, or so long that closed-at plus it lies past
/// the end of time (no deadline).
pub fn forget_after() -> BoxedStrategy<Option<u64>> {
    prop_oneof![
        2 => Just(Some(0u64)),
        6 => (1u64..=900).prop_map(Some),
        // Whole minutes, so that forgetting meets other deadlines of its instant.
        3 => (1u64..=15).prop_map(|k| Some(k * 60)),
        3 => Just(None),
        2 => Just(Some(DEFAULT_FORGET_CLOSED_AFTER_SECS)),
        1 => (3_600u64..=172_800).prop_map(Some),
        1 => select(vec![Some(i64::MAX as u64), Some(u64::MAX)]),
    ]
    .boxed()
}

/// `max_renewals_per_call`: mostly small (so that one call meets the bound within a case),
/// sometimes the default (100 000), a few hundred, or 0 (an error).
pub fn max_renewals() -> BoxedStrategy<u32> {
    prop_oneof![
        8 => 1u32..=40,
        2 => Just(DEFAULT_MAX_RENEWALS_PER_CALL),
        1 => 41u32..=1000,
        1 => Just(0u32),
    ]
    .boxed()
}

/// An `engine_settings` input with the settings `forget` and `renewals` give.
pub fn engine_settings_of(
    forget: BoxedStrategy<Option<u64>>,
    renewals: BoxedStrategy<u32>,
) -> BoxedStrategy<Input> {
    (forget, renewals)
        .prop_map(|(forget, renewals)| {
            Input::EngineSettings(
                EngineSettings::default()
                    .forget_closed_after_secs(forget)
                    .max_renewals_per_call(renewals),
            )
        })
        .boxed()
}

/// An `engine_settings` input: [`forget_after`] and [`max_renewals`], or every field left at
/// its default.
pub fn engine_settings() -> BoxedStrategy<Input> {
    prop_oneof![
        6 => engine_settings_of(forget_after(), max_renewals()),
        1 => Just(Input::EngineSettings(EngineSettings::default())),
    ]
    .boxed()
}

/// A world to route in: operators o1–o4 (o5 sometimes), lines l1 and l2 (with valid offer
/// timeouts), channels c1–c3 connected to them, most operators online, and mostly rule lists
/// (DESIGN §6). Every part can shrink away.
fn setup() -> BoxedStrategy<Vec<Input>> {
    let op_cfg = |id: &'static str| {
        operator_config()
            .prop_map(move |mut cfg| {
                cfg.operator = id.into();
                cfg
            })
            .boxed()
    };
    let line_cfg = |id: &'static str| {
        (line_config(), valid_offer_timeout())
            .prop_map(move |(mut cfg, timeout)| {
                cfg.line = id.into();
                cfg.offer_timeout_secs = timeout;
                cfg
            })
            .boxed()
    };
    let chan_cfg = |id: &'static str| {
        (channel_config(), select(vec!["l1", "l2"]))
            .prop_map(move |(mut cfg, l)| {
                cfg.channel = id.into();
                cfg.line = l.into();
                cfg
            })
            .boxed()
    };
    let online = |id: &'static str| {
        prop_oneof![
            5 => Just(Some(Input::Presence { operator: id.into(), status: Presence::Online })),
            1 => Just(Some(Input::WorkdayStarted { operator: id.into() })),
            2 => Just(None),
        ]
        .boxed()
    };
    let some = |w: f64, s: BoxedStrategy<Input>| prop::option::weighted(w, s).boxed();
    (
        (
            some(0.95, op_cfg("o1").prop_map(Input::UpsertOperator).boxed()),
            some(0.95, op_cfg("o2").prop_map(Input::UpsertOperator).boxed()),
            some(0.9, op_cfg("o3").prop_map(Input::UpsertOperator).boxed()),
            some(0.8, op_cfg("o4").prop_map(Input::UpsertOperator).boxed()),
            some(0.4, op_cfg("o5").prop_map(Input::UpsertOperator).boxed()),
        ),
        (
            some(0.95, line_cfg("l1").prop_map(Input::from).boxed()),
            some(0.8, line_cfg("l2").prop_map(Input::from).boxed()),
        ),
        (
            some(0.95, chan_cfg("c1").prop_map(Input::ConnectChannel).boxed()),
            some(0.9, chan_cfg("c2").prop_map(Input::ConnectChannel).boxed()),
            some(0.6, chan_cfg("c3").prop_map(Input::ConnectChannel).boxed()),
        ),
        (
            online("o1"),
            online("o2"),
            online("o3"),
            online("o4"),
            online("o5"),
        ),
        // Rule lists over the lines the setup makes, more often than not.
        some(
            0.6,
            set_rules_of(select(vec!["l1", "l2"]).prop_map(String::from).boxed()),
        ),
    )
        .prop_map(|(ops, lines, chans, presence, rules)| {
            [ops.0, ops.1, ops.2, ops.3, ops.4]
                .into_iter()
                .chain([lines.0, lines.1])
                .chain([chans.0, chans.1, chans.2])
                .chain([presence.0, presence.1, presence.2, presence.3, presence.4])
                .chain([rules])
                .flatten()
                .collect()
        })
        .boxed()
}

/// Seconds between two inputs: mostly small, sometimes hours, occasionally negative (an input
/// stamped in the past).
pub fn time_step() -> BoxedStrategy<i64> {
    prop_oneof![
        3 => Just(0i64),
        4 => 1i64..=60,
        3 => 61i64..=600,
        2 => 601i64..=3600,
        1 => 3601i64..=10_800,
        1 => -900i64..=-1,
    ]
    .boxed()
}

/// The input at time `at`, with an absence window or a callback order's due time (generated
/// relative to the epoch) moved to lie around `at`; kept as generated where that would leave
/// representable time.
pub fn step_at(at: DateTime<Utc>, mut input: Input) -> Step {
    if let Input::Absence { from, until, .. } = &mut input {
        let moved = at
            .checked_add_signed(*from - epoch())
            .zip(at.checked_add_signed(*until - epoch()));
        if let Some((f, u)) = moved {
            *from = f;
            *until = u;
        }
    }
    if let Input::CallbackRequest {
        due_at: Some(due), ..
    } = &mut input
    {
        if let Some(d) = at.checked_add_signed(*due - epoch()) {
            *due = d;
        }
    }
    Step { at, input }
}

/// A time `secs` seconds after the epoch that [`step_at`] rebases times onto the step's.
pub fn epoch_plus(secs: i64) -> DateTime<Utc> {
    epoch() + TimeDelta::seconds(secs)
}

/// Turns `(seconds since the previous step, input)` pairs into absolute steps, rebasing
/// absence windows onto the step's time.
pub fn to_steps(raw: Vec<(i64, Input)>) -> Vec<Step> {
    let mut t = base_time();
    raw.into_iter()
        .map(|(dt, input)| {
            t += TimeDelta::seconds(dt);
            step_at(t, input)
        })
        .collect()
}

/// A scenario: a short setup (at time steps of zero) followed by up to `max_body` random steps.
pub fn scenario(max_body: usize) -> BoxedStrategy<Vec<Step>> {
    (
        setup(),
        prop::collection::vec((time_step(), input()), 0..=max_body),
    )
        .prop_map(|(setup, body)| {
            let raw = setup
                .into_iter()
                .map(|i| (0, i))
                .chain(body)
                .collect::<Vec<_>>();
            to_steps(raw)
        })
        .boxed()
}
