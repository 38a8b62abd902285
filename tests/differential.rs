//! Differential test: the engine against the deliberately simple reference model in
//! `tests/model/mod.rs`, driven with the same random inputs by `proptest-state-machine`.
//!
//! After every step the two must agree on whether the input was rejected, on the decisions
//! made (compared as JSON lines), on the next deadline and on the clock; the engine must also
//! pass its own brute-force audit, and conversations and loads must look the same through the
//! engine's queries as in the model.
//!
//! The reference state of the state machine is the model itself, so the generator can aim
//! `accept`, `take`, `close` … at conversations that exist. Failing cases shrink to a short
//! list of steps, printed one per line as `+<secs>s <input as JSON>` (times in seconds after
//! 2026-03-02T09:00:00Z; absence windows likewise). `replay_file` (ignored) replays such a
//! list side by side, and `DIFFERENTIAL_TRACE=1` prints every step with its decisions.
//!
//! `PROPTEST_CASES` overrides the number of cases (default 128).

mod model;

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, TimeDelta, Utc};
use model::Model;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use routeline::{
    ChannelConfig, CountTowardCap, Decision, Engine, Input, LineConfig, Mode, OnExhausted,
    OperatorConfig, PinnedPolicy, Presence, QueueEntry,
};

// ---- the universe ------------------------------------------------------------------------

const LINES: [&str; 3] = ["l1", "l2", "l3"];
const CHANNELS: [&str; 3] = ["c1", "c2", "c3"];
const CLIENTS: [&str; 4] = ["cl1", "cl2", "cl3", "cl4"];
const GROUPS: [&str; 2] = ["g1", "g2"];
/// Conversation ids; a new one comes with a random client and (mostly) a connected channel.
const CONVS: [&str; 6] = ["v1", "v2", "v3", "v4", "v5", "v6"];
/// The first steps mostly build a world to route in.
const SETUP_STEPS: usize = 14;

fn base() -> DateTime<Utc> {
    "2026-03-02T09:00:00Z".parse().expect("valid RFC 3339")
}

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

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", offset(self.at), describe(&self.action))
    }
}

/// An action as one readable line: the input's JSON with absence times as offsets.
fn describe(action: &Action) -> String {
    match action {
        Action::Timeout => "handle_timeout".to_string(),
        Action::Input(input) => {
            let mut v = serde_json::to_value(input).expect("inputs serialise");
            if let Input::Absence { from, until, .. } = input {
                let obj = v.as_object_mut().expect("an object");
                obj.insert("from".into(), offset(secs_of(*from)).into());
                obj.insert("until".into(), offset(secs_of(*until)).into());
            }
            v.to_string()
        }
    }
}

/// What the generator picks before the step's time is known (absence windows are relative to it).
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)] // test data, a few dozen per case
enum Gen {
    Input(Input),
    Absence { op: String, from: i64, len: i64 },
    Timeout,
}

fn weighted<T: Clone + fmt::Debug + 'static>(items: Vec<(u32, T)>) -> BoxedStrategy<T> {
    Union::new_weighted(
        items
            .into_iter()
            .map(|(w, x)| (w, Just(x).boxed()))
            .collect(),
    )
    .boxed()
}

fn op() -> BoxedStrategy<String> {
    weighted(vec![(4, "o1"), (4, "o2"), (4, "o3"), (3, "o4"), (1, "o5")])
        .prop_map(String::from)
        .boxed()
}

fn line() -> BoxedStrategy<String> {
    weighted(vec![(6, "l1"), (5, "l2"), (1, "l3")])
        .prop_map(String::from)
        .boxed()
}

fn channel() -> BoxedStrategy<String> {
    select(CHANNELS.to_vec()).prop_map(String::from).boxed()
}

fn client() -> BoxedStrategy<String> {
    select(CLIENTS.to_vec()).prop_map(String::from).boxed()
}

fn group() -> BoxedStrategy<String> {
    select(GROUPS.to_vec()).prop_map(String::from).boxed()
}

fn conv() -> BoxedStrategy<String> {
    select(CONVS.to_vec()).prop_map(String::from).boxed()
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

fn cap() -> BoxedStrategy<Option<u32>> {
    weighted(vec![(5, None), (1, Some(0)), (3, Some(1)), (2, Some(2))])
}

fn operator_config() -> BoxedStrategy<OperatorConfig> {
    (
        op(),
        cap(),
        prop::collection::vec(group(), 0..=2),
        weighted(vec![(4, true), (1, false)]),
    )
        .prop_map(|(id, cap, groups, active)| {
            let mut cfg = OperatorConfig::new(id.as_str());
            cfg.max_open = cap;
            cfg.groups = groups.into_iter().map(Into::into).collect();
            cfg.active = active;
            cfg
        })
        .boxed()
}

fn queue_entry() -> BoxedStrategy<QueueEntry> {
    prop_oneof![
        5 => op().prop_map(|o| QueueEntry::Operator(o.into())),
        2 => group().prop_map(|g| QueueEntry::Group { group: g.into() }),
    ]
    .boxed()
}

/// A line's configuration.
fn line_config() -> BoxedStrategy<LineConfig> {
    (
        (
            line(),
            select(vec![Mode::Strict, Mode::Evenly, Mode::Balanced, Mode::All]),
            prop::collection::vec(queue_entry(), 0..=4),
            // Mostly valid timeouts (short ones, so that deadlines fire), rarely invalid ones.
            weighted(vec![
                (3, None),
                (4, Some(60)),
                (2, Some(120)),
                (1, Some(600)),
                (1, Some(30)),
            ]),
            cap(),
        ),
        (
            select(vec![
                PinnedPolicy::Always,
                PinnedPolicy::Prefer,
                PinnedPolicy::Ignore,
            ]),
            weighted(vec![(4, true), (1, false)]),
            weighted(vec![(3, false), (1, true)]),
            select(vec![
                OnExhausted::Cycle,
                OnExhausted::KeepLast,
                OnExhausted::Requeue,
            ]),
            select(vec![
                CountTowardCap::Open,
                CountTowardCap::AwaitingReply,
                CountTowardCap::Unanswered,
            ]),
            any::<bool>(),
        ),
    )
        .prop_map(
            move |(
                (id, mode, queue, timeout, cap),
                (pinned, check, workday, exhausted, count, last),
            )| {
                let mut cfg = LineConfig::new(id.as_str());
                cfg.mode = mode;
                cfg.queue = queue;
                cfg.offer_timeout_secs = timeout;
                cfg.max_open_per_operator = cap;
                cfg.pinned_policy = pinned;
                cfg.check_availability = check;
                cfg.require_workday = workday;
                cfg.on_exhausted = exhausted;
                cfg.count_toward_cap = count;
                cfg.prefer_last_operator = last;
                cfg
            },
        )
        .boxed()
}

fn channel_config(k: &Known) -> BoxedStrategy<ChannelConfig> {
    (
        channel(),
        k.line(),
        prop_oneof![
            5 => Just(None),
            1 => Just(Some(Vec::new())),
            3 => prop::collection::vec(op(), 1..=3).prop_map(Some),
        ],
    )
        .prop_map(|(ch, l, ops)| {
            let mut cfg = ChannelConfig::new(ch.as_str(), l.as_str());
            cfg.operators = ops.map(|v| v.into_iter().map(Into::into).collect());
            cfg
        })
        .boxed()
}

fn presence() -> BoxedStrategy<Presence> {
    weighted(vec![
        (4, Presence::Online),
        (1, Presence::Away),
        (2, Presence::Offline),
    ])
}

/// What the model knows, to aim inputs at things that exist (most of the time).
struct Known {
    ops: Vec<String>,
    lines: Vec<String>,
    /// Connected channels.
    channels: Vec<String>,
    /// Every conversation ever opened, with its client and channel.
    convs: Vec<(String, String, String)>,
    open: Vec<String>,
    /// (conversation, operator) pairs that could be accepted.
    pending: Vec<(String, String)>,
    not_online: Vec<String>,
    not_at_work: Vec<String>,
    /// Lines with no channel connected (which may be removed).
    bare_lines: Vec<String>,
}

impl Known {
    fn of(model: &Model) -> Self {
        Known {
            ops: model.existing_operators(),
            lines: model.existing_lines(),
            channels: model
                .connected_channels()
                .into_iter()
                .map(|(c, _)| c)
                .collect(),
            convs: model.known_conversations(),
            open: model.open_conversations(),
            pending: model.pending_pairs(),
            not_online: model.operators_not_online(),
            not_at_work: model.operators_not_at_work(),
            bare_lines: {
                let connected = model.connected_channels();
                model
                    .existing_lines()
                    .into_iter()
                    .filter(|l| !connected.iter().any(|(_, cl)| cl == l))
                    .collect()
            },
        }
    }

    fn op(&self) -> BoxedStrategy<String> {
        one_of_or(self.ops.clone(), op())
    }

    /// An operator, often one who holds an unanswered assignment or an offer right now (so
    /// that availability changes take work away).
    fn busy_op(&self) -> BoxedStrategy<String> {
        let mut busy: Vec<String> = self.pending.iter().map(|p| p.1.clone()).collect();
        busy.dedup();
        if busy.is_empty() {
            self.op()
        } else {
            prop_oneof![2 => select(busy), 3 => self.op()].boxed()
        }
    }

    fn line(&self) -> BoxedStrategy<String> {
        one_of_or(self.lines.clone(), line())
    }

    fn channel(&self) -> BoxedStrategy<String> {
        one_of_or(self.channels.clone(), channel())
    }

    fn open_conv(&self) -> BoxedStrategy<String> {
        one_of_or(self.open.clone(), conv())
    }

    /// A conversation id with the client and channel a message about it would name: its own
    /// when known, else a client and (mostly) a connected channel; sometimes anything at all.
    fn conv_client_channel(&self) -> BoxedStrategy<(String, String, String)> {
        let convs = self.convs.clone();
        let fresh = (conv(), client(), self.channel())
            .prop_map(move |(v, cl, ch)| match convs.iter().find(|c| c.0 == v) {
                Some(known) => known.clone(),
                None => (v, cl, ch),
            })
            .boxed();
        let anything = (conv(), client(), channel()).boxed();
        prop_oneof![12 => fresh, 1 => anything].boxed()
    }

    fn message_in(&self) -> BoxedStrategy<Gen> {
        self.conv_client_channel()
            .prop_map(|(v, cl, ch)| {
                Gen::Input(Input::MessageIn {
                    conversation: v.into(),
                    client: cl.into(),
                    channel: ch.into(),
                })
            })
            .boxed()
    }

    fn message_out(&self) -> BoxedStrategy<Gen> {
        let target = prop_oneof![
            2 => (self.open_conv(), client(), channel()).boxed(),
            1 => self.conv_client_channel(),
        ];
        (target, self.op(), 0u8..6)
            .prop_map(|((v, cl, ch), o, shape)| {
                let (client, channel) = match shape {
                    0..=2 => (None, None),
                    3 | 4 => (Some(cl.into()), Some(ch.into())),
                    _ => (Some(cl.into()), None),
                };
                Gen::Input(Input::MessageOut {
                    conversation: v.into(),
                    operator: o.into(),
                    client,
                    channel,
                })
            })
            .boxed()
    }

    fn transfer(&self) -> BoxedStrategy<Gen> {
        (self.open_conv(), self.op(), self.line(), 0u8..10)
            .prop_map(|(v, o, l, shape)| {
                let (to_operator, to_line) = match shape {
                    0..=3 => (Some(o.into()), None),
                    4..=7 => (None, Some(l.into())),
                    8 => (Some(o.into()), Some(l.into())),
                    _ => (None, None),
                };
                Gen::Input(Input::Transfer {
                    conversation: v.into(),
                    to_operator,
                    to_line,
                })
            })
            .boxed()
    }

    fn accept(&self) -> BoxedStrategy<Gen> {
        let random = (self.open_conv(), self.op()).boxed();
        let pair = if self.pending.is_empty() {
            random
        } else {
            prop_oneof![5 => select(self.pending.clone()), 1 => random].boxed()
        };
        pair.prop_map(|(c, o)| {
            Gen::Input(Input::Accept {
                conversation: c.into(),
                operator: o.into(),
            })
        })
        .boxed()
    }

    fn absence(&self) -> BoxedStrategy<Gen> {
        (
            self.busy_op(),
            // Mostly whole half-minutes, so that windows start and end with offer deadlines.
            prop_oneof![
                2 => Just(0i64),
                3 => (-20i64..=-1).prop_map(|k| k * 30),
                4 => (1i64..=30).prop_map(|k| k * 30),
                1 => -600i64..=900,
            ],
            prop_oneof![
                6 => (1i64..=40).prop_map(|k| k * 30),
                2 => 1i64..=1200,
                1 => Just(0i64),
                1 => -600i64..=-1,
            ],
        )
            .prop_map(|(op, from, len)| Gen::Absence { op, from, len })
            .boxed()
    }
}

/// A weighted choice, leaving out options of weight 0.
fn union(options: Vec<(u32, BoxedStrategy<Gen>)>) -> BoxedStrategy<Gen> {
    Union::new_weighted(options.into_iter().filter(|(w, _)| *w > 0).collect()).boxed()
}

fn input(i: BoxedStrategy<Input>) -> BoxedStrategy<Gen> {
    i.prop_map(Gen::Input).boxed()
}

/// Any action, weighted by what the model knows: the first steps mostly build a world
/// (operators, lines, channels, presence); then conversations arrive and move.
fn action(model: &Model, setup: bool) -> BoxedStrategy<Gen> {
    let k = Known::of(model);
    let upsert_operator = || {
        (operator_config(), k.busy_op())
            .prop_map(|(mut cfg, id)| {
                cfg.operator = id.into();
                Gen::Input(Input::UpsertOperator(cfg))
            })
            .boxed()
    };
    let upsert_line = || input(line_config().prop_map(Input::UpsertLine).boxed());
    let connect = || input(channel_config(&k).prop_map(Input::ConnectChannel).boxed());
    let presence = input(
        (k.busy_op(), presence())
            .prop_map(|(o, s)| Input::Presence {
                operator: o.into(),
                status: s,
            })
            .boxed(),
    );
    let workday_started = || {
        input(
            k.op()
                .prop_map(|o| Input::WorkdayStarted { operator: o.into() })
                .boxed(),
        )
    };
    if setup {
        // Build what is missing: operators o1–o4, lines l1 and l2, channels connected,
        // operators online and at work.
        let missing_ops: Vec<&str> = ["o1", "o2", "o3", "o4"]
            .into_iter()
            .filter(|o| !k.ops.iter().any(|x| x == o))
            .collect();
        let missing_lines: Vec<&str> = ["l1", "l2"]
            .into_iter()
            .filter(|l| !k.lines.iter().any(|x| x == l))
            .collect();
        let unconnected: Vec<&str> = CHANNELS
            .into_iter()
            .filter(|c| !k.channels.iter().any(|x| x == c))
            .collect();
        let mut options = vec![
            (2, k.message_in()),
            (1, upsert_operator()),
            (1, upsert_line()),
        ];
        if !missing_ops.is_empty() {
            let ids = select(missing_ops);
            options.push((
                8,
                (ids, operator_config())
                    .prop_map(|(id, mut cfg)| {
                        cfg.operator = id.into();
                        Gen::Input(Input::UpsertOperator(cfg))
                    })
                    .boxed(),
            ));
        }
        if !missing_lines.is_empty() {
            options.push((
                6,
                (select(missing_lines), line_config())
                    .prop_map(|(id, mut cfg)| {
                        cfg.line = id.into();
                        Gen::Input(Input::UpsertLine(cfg))
                    })
                    .boxed(),
            ));
        }
        if !unconnected.is_empty() && !k.lines.is_empty() {
            options.push((
                6,
                (
                    select(unconnected),
                    select(k.lines.clone()),
                    channel_config(&k),
                )
                    .prop_map(|(id, line, mut cfg)| {
                        cfg.channel = id.into();
                        cfg.line = line.into();
                        Gen::Input(Input::ConnectChannel(cfg))
                    })
                    .boxed(),
            ));
        }
        if !k.not_online.is_empty() {
            options.push((
                6,
                select(k.not_online.clone())
                    .prop_map(|o| {
                        Gen::Input(Input::Presence {
                            operator: o.into(),
                            status: Presence::Online,
                        })
                    })
                    .boxed(),
            ));
        }
        if !k.not_at_work.is_empty() {
            options.push((
                2,
                select(k.not_at_work.clone())
                    .prop_map(|o| Gen::Input(Input::WorkdayStarted { operator: o.into() }))
                    .boxed(),
            ));
        }
        return union(options);
    }
    union(vec![
        (2, upsert_operator()),
        (
            1,
            input(
                k.busy_op()
                    .prop_map(|o| Input::RemoveOperator { operator: o.into() })
                    .boxed(),
            ),
        ),
        (2, upsert_line()),
        (
            1,
            input(
                one_of_or(k.bare_lines.clone(), k.line())
                    .prop_map(|l| Input::RemoveLine { line: l.into() })
                    .boxed(),
            ),
        ),
        (3, connect()),
        (
            2,
            input(
                k.channel()
                    .prop_map(|c| Input::DisconnectChannel { channel: c.into() })
                    .boxed(),
            ),
        ),
        (
            2,
            input(
                (client(), k.op())
                    .prop_map(|(c, o)| Input::PinClient {
                        client: c.into(),
                        operator: o.into(),
                    })
                    .boxed(),
            ),
        ),
        (
            1,
            input(
                client()
                    .prop_map(|c| Input::UnpinClient { client: c.into() })
                    .boxed(),
            ),
        ),
        (7, presence),
        (2, workday_started()),
        (
            2,
            input(
                k.busy_op()
                    .prop_map(|o| Input::WorkdayEnded { operator: o.into() })
                    .boxed(),
            ),
        ),
        (3, k.absence()),
        (
            1,
            input(
                k.op()
                    .prop_map(|o| Input::ClearAbsences { operator: o.into() })
                    .boxed(),
            ),
        ),
        (12, k.message_in()),
        (5, k.message_out()),
        (8, k.accept()),
        (
            3,
            input(
                (k.open_conv(), k.op())
                    .prop_map(|(c, o)| Input::Take {
                        conversation: c.into(),
                        operator: o.into(),
                    })
                    .boxed(),
            ),
        ),
        (4, k.transfer()),
        (
            3,
            input(
                k.open_conv()
                    .prop_map(|c| Input::Close {
                        conversation: c.into(),
                    })
                    .boxed(),
            ),
        ),
        (
            1,
            input(
                k.open_conv()
                    .prop_map(|c| Input::Spam {
                        conversation: c.into(),
                    })
                    .boxed(),
            ),
        ),
        (2, Just(Gen::Input(Input::Tick)).boxed()),
        (3, Just(Gen::Timeout).boxed()),
    ])
}

/// Seconds from the latest time so far: often none or a little, sometimes past an offer
/// timeout, sometimes back in time (an input stamped in the past).
fn time_step() -> BoxedStrategy<i64> {
    prop_oneof![
        4 => Just(0i64),
        4 => 1i64..=30,
        // Whole tens of seconds: deadlines and absence boundaries often coincide.
        3 => (1i64..=20).prop_map(|k| k * 10),
        1 => 201i64..=1500,
        2 => -300i64..=-1,
    ]
    .boxed()
}

// ---- the reference state machine: the model --------------------------------------------

/// What the model did with the last step.
#[derive(Clone, Debug)]
enum Outcome {
    None,
    Done {
        accepted: bool,
        error: Option<String>,
        decisions: Vec<Decision>,
    },
    Panicked(String),
}

#[derive(Clone)]
struct RefState {
    model: Model,
    /// The latest step time so far.
    now: i64,
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
        Just(RefState {
            model: Model::new(),
            now: 0,
            steps: 0,
            last: Outcome::None,
        })
        .boxed()
    }

    fn transitions(state: &RefState) -> BoxedStrategy<Step> {
        let now = state.now;
        let setup = state.steps < SETUP_STEPS;
        let deadline = state.model.poll_timeout().map(secs_of);
        // Sometimes exactly at the next deadline.
        let to_deadline = weighted(vec![(5, false), (1, true)]);
        (time_step(), to_deadline, action(&state.model, setup))
            .prop_map(move |(dt, to_deadline, g)| {
                let at = match deadline {
                    Some(d) if to_deadline => d,
                    _ => now + dt,
                };
                let action = match g {
                    Gen::Input(i) => Action::Input(i),
                    Gen::Timeout => Action::Timeout,
                    Gen::Absence { op, from, len } => Action::Input(Input::Absence {
                        operator: op.into(),
                        from: time(at + from),
                        until: time(at + from + len),
                    }),
                };
                Step { at, action }
            })
            .boxed()
    }

    fn preconditions(_state: &RefState, _step: &Step) -> bool {
        true
    }

    fn apply(mut state: RefState, step: &Step) -> RefState {
        state.now = state.now.max(step.at);
        state.steps += 1;
        let mut model = state.model.clone();
        let run = catch_unwind(AssertUnwindSafe(|| {
            let result = match &step.action {
                Action::Input(i) => model.handle(time(step.at), i),
                Action::Timeout => {
                    model.handle_timeout(time(step.at));
                    Ok(())
                }
            };
            let decisions = model.drain();
            (result, decisions)
        }));
        match run {
            Ok((result, decisions)) => {
                state.model = model;
                state.last = Outcome::Done {
                    accepted: result.is_ok(),
                    error: result.err().map(|e| e.0),
                    decisions,
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

// ---- the system under test: the engine ---------------------------------------------------

struct Sut {
    engine: Engine,
    history: Vec<String>,
}

struct Differential;

fn json_lines(ds: &[Decision]) -> Vec<String> {
    ds.iter()
        .map(|d| serde_json::to_string(d).expect("decisions serialise"))
        .collect()
}

impl Sut {
    fn fail(&self, what: String) -> ! {
        panic!(
            "engine and model disagree: {what}\nthe engine's own audit: {:?}\nsteps (seconds \
             after {}):\n{}",
            self.engine.verify_invariants(),
            base(),
            self.history.join("\n")
        );
    }

    /// Conversations and loads look the same through the engine's queries as in the model.
    fn compare_state(&self, model: &Model) {
        for (id, _, _) in model.known_conversations() {
            let m = model.conversation_summary(&id).expect("known to the model");
            let Some(e) = self.engine.conversation(&id) else {
                self.fail(format!("{id} is unknown to the engine"));
            };
            // "waiting", "offered", "assigned", "closed" (the model knows no bots).
            let e_state = format!("{:?}", e.state).to_lowercase();
            let e_summary = model::ConvSummary {
                state: e_state.as_str().to_string(),
                line: e.line.as_str().to_string(),
                operator: e.operator.map(|o| o.as_str().to_string()),
                offered_to: e
                    .offered_to
                    .iter()
                    .map(|o| o.as_str().to_string())
                    .collect(),
                deadline: e.deadline,
                awaiting_reply: e.awaiting_reply,
                answered: e.answered,
            };
            if e_summary != m {
                self.fail(format!(
                    "conversation {id}:\n  engine {e_summary:?}\n  model  {m:?}"
                ));
            }
        }
        for o in model.existing_operators() {
            let m = model.operator_load(&o).expect("exists in the model");
            let Some(v) = self.engine.operator(&o) else {
                self.fail(format!("operator {o} does not exist in the engine"));
            };
            let e = (v.load.open, v.load.awaiting_reply, v.load.unanswered);
            if e != m {
                self.fail(format!("load of {o}: engine {e:?}, model {m:?}"));
            }
        }
        if self.engine.operators().len() != model.existing_operators().len() {
            self.fail(format!(
                "existing operators: engine {:?}, model {:?}",
                self.engine.operators(),
                model.existing_operators()
            ));
        }
        for l in LINES {
            let e: Vec<String> = self
                .engine
                .waiting(l)
                .unwrap_or_default()
                .into_iter()
                .map(|w| w.conversation.as_str().to_string())
                .collect();
            let m = model.waiting_on(l);
            if e != m {
                self.fail(format!("waiting on {l}: engine {e:?}, model {m:?}"));
            }
        }
    }
}

impl StateMachineTest for Differential {
    type SystemUnderTest = Sut;
    type Reference = Reference;

    fn init_test(_: &RefState) -> Sut {
        Sut {
            engine: Engine::new(),
            history: Vec::new(),
        }
    }

    fn apply(mut sut: Sut, after: &RefState, step: Step) -> Sut {
        sut.history.push(format!("  {step:?}"));
        let result = match &step.action {
            Action::Input(i) => sut.engine.handle(time(step.at), i.clone()),
            Action::Timeout => {
                sut.engine.handle_timeout(time(step.at));
                Ok(())
            }
        };
        let decisions: Vec<Decision> = std::iter::from_fn(|| sut.engine.poll_decision()).collect();
        let (accepted, error, expected) = match &after.last {
            Outcome::Done {
                accepted,
                error,
                decisions,
            } => (*accepted, error.clone(), decisions.clone()),
            Outcome::Panicked(msg) => sut.fail(format!("the model panicked: {msg}")),
            Outcome::None => sut.fail("no model outcome".to_string()),
        };
        if result.is_ok() != accepted {
            sut.fail(format!(
                "accepted? engine {:?}, model {:?}",
                result.map_err(|e| e.to_string()),
                error
            ));
        }
        if std::env::var_os("DIFFERENTIAL_TRACE").is_some() {
            eprintln!(
                "{} -> {}\n    {}",
                sut.history.last().map_or("", |h| h.as_str()),
                if accepted { "ok" } else { "rejected" },
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
        sut.compare_state(&after.model);
        sut
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(128)
}

prop_state_machine! {
    #![proptest_config(Config {
        cases: cases(),
        max_shrink_iters: 4096,
        failure_persistence: None,
        .. Config::default()
    })]

    #[test]
    fn engine_matches_model(sequential 20..=50 => Differential);
}

// ---- replaying a list of steps ----------------------------------------------------------

/// Parses steps as a failure prints them (`+<secs>s <input JSON>` or `+<secs>s
/// handle_timeout`, one a line, offsets possibly negative; blank lines, indentation and
/// trailing commas ignored).
fn parse_steps(text: &str) -> Vec<Step> {
    let secs = |s: &str| -> i64 {
        s.trim_start_matches('+')
            .trim_end_matches('s')
            .parse()
            .unwrap_or_else(|_| panic!("not a time offset: {s}"))
    };
    text.lines()
        .map(|l| l.trim().trim_end_matches(','))
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (at, rest) = l.split_once(' ').expect("`+<secs>s <action>`");
            let action = if rest == "handle_timeout" {
                Action::Timeout
            } else {
                let mut v: serde_json::Value = serde_json::from_str(rest).expect("an input");
                for f in ["from", "until"] {
                    if let Some(t) = v.get(f).and_then(|x| x.as_str()).map(str::to_string) {
                        if t.ends_with('s') {
                            v[f] = serde_json::to_value(time(secs(&t))).expect("a time");
                        }
                    }
                }
                Action::Input(serde_json::from_value(v).expect("an input"))
            };
            Step {
                at: secs(at),
                action,
            }
        })
        .collect()
}

/// Runs steps through the engine and the model side by side; returns a transcript and
/// whether they agreed throughout (acceptance, decisions, next deadline, the engine's audit).
fn replay(steps: &[Step]) -> (String, bool) {
    let mut engine = Engine::new();
    let mut model = Model::new();
    let mut out = String::new();
    let mut agree = true;
    for step in steps {
        let (e, m) = match &step.action {
            Action::Timeout => {
                engine.handle_timeout(time(step.at));
                model.handle_timeout(time(step.at));
                (Ok(()), Ok(()))
            }
            Action::Input(i) => (
                engine
                    .handle(time(step.at), i.clone())
                    .map_err(|e| e.to_string()),
                model.handle(time(step.at), i).map_err(|e| e.0),
            ),
        };
        let ed = json_lines(&std::iter::from_fn(|| engine.poll_decision()).collect::<Vec<_>>());
        let md = json_lines(&model.drain());
        let (et, mt) = (engine.poll_timeout(), model.poll_timeout());
        let audit = engine.verify_invariants();
        let same = e.is_ok() == m.is_ok() && ed == md && et == mt && audit.is_ok();
        agree &= same;
        out += &format!("{step:?}\n");
        if same {
            for d in &ed {
                out += &format!("    {d}\n");
            }
        } else {
            out += &format!("  DIFFERENT  engine {e:?}, model {m:?}\n");
            for d in &ed {
                out += &format!("    engine {d}\n");
            }
            for d in &md {
                out += &format!("    model  {d}\n");
            }
            out += &format!("    poll_timeout: engine {et:?}, model {mt:?}; audit {audit:?}\n");
        }
    }
    (out, agree)
}

/// A debugging aid: `DIFFERENTIAL_REPLAY=<file> cargo test --test differential replay_file --
/// --ignored --nocapture` replays the steps of a failure (copied from its output) through the
/// engine and the model side by side.
#[test]
#[ignore = "a debugging aid: set DIFFERENTIAL_REPLAY to a file of steps"]
fn replay_file() {
    let path = std::env::var("DIFFERENTIAL_REPLAY").expect("DIFFERENTIAL_REPLAY=<file>");
    let text = std::fs::read_to_string(&path).expect("a readable file");
    let (transcript, agree) = replay(&parse_steps(&text));
    println!("{transcript}");
    assert!(agree, "the engine and the model disagree");
}

/// Regression for engine bug 2 (fixed): an unconfirmed assignment on a line switched to `all`
/// expires while the holder is at their cap; the renewed offer must include the holder, who
/// has room again once the conversation leaves them.
#[test]
fn all_mode_expiry_after_mode_switch() {
    let steps = parse_steps(
        r#"
        +0s {"type":"upsert_operator","operator":"o4"}
        +0s {"type":"presence","operator":"o4","status":"online"}
        +0s {"type":"upsert_line","line":"l1","mode":"strict","queue":["o4"],"offer_timeout_secs":60,"max_open_per_operator":1}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +10s {"type":"upsert_line","line":"l1","mode":"all","queue":["o4"],"offer_timeout_secs":60,"max_open_per_operator":1}
        +60s handle_timeout
        "#,
    );
    let (transcript, agree) = replay(&steps);
    assert!(agree, "{transcript}");
}

/// Engine bug 2 again, through a `prefer` pin on an `all` line.
#[test]
fn all_mode_expiry_of_a_pinned_assignment() {
    let steps = parse_steps(
        r#"
        +0s {"type":"upsert_operator","operator":"o4"}
        +0s {"type":"presence","operator":"o4","status":"online"}
        +0s {"type":"upsert_line","line":"l1","mode":"all","queue":["o4"],"offer_timeout_secs":60,"max_open_per_operator":1}
        +0s {"type":"connect_channel","channel":"c1","line":"l1"}
        +0s {"type":"pin_client","client":"cl1","operator":"o4"}
        +0s {"type":"message_in","conversation":"v1","client":"cl1","channel":"c1"}
        +60s handle_timeout
        "#,
    );
    let (transcript, agree) = replay(&steps);
    assert!(agree, "{transcript}");
}
