//! A day in a busy contact centre, as a recorded stream of inputs.
//!
//! An event-driven simulation drives a real engine: Poisson arrivals on four channels of one
//! `balanced` line at about 85 % occupancy, operators answering (sometimes too late, so offers
//! time out and move on), clients writing back, conversations closing, operators taking breaks.
//! The simulation reads the engine's decisions to know who holds what, and records every input
//! it sends; replaying the recording on a copy of the warmed-up engine reproduces the same run,
//! which is what the benchmark times. Deterministic: a fixed-seed SplitMix64 drives it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use routeline::{
    ChannelConfig, ChannelId, ClientId, ConversationId, DecisionKind, Engine, EngineSettings,
    Input, LineConfig, Mode, OperatorConfig, OperatorId, Presence,
};

/// The shape of a simulated day.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Operators, all members of the one line.
    pub operators: usize,
    /// Open conversations the arrival rate is tuned for (Little's law).
    pub open: usize,
    /// Simulated hours recorded after the warm-up.
    pub hours: u32,
    /// Simulated hours before recording starts, to reach the steady state.
    pub warm_up_hours: u32,
    /// The engine's `forget_closed_after_secs`; `None`: its default (30 days).
    pub retention_secs: Option<u64>,
}

/// A warmed-up engine and the inputs of the recorded period.
pub struct Workload {
    /// The engine after the warm-up, ready to replay `events`.
    pub engine: Engine,
    /// The recorded inputs, in order.
    pub events: Vec<(DateTime<Utc>, Input)>,
}

/// Mean seconds an operator takes to answer; the offer timeout is 60 s.
const REPLY_MEAN: f64 = 25.0;
/// Mean seconds between a client's messages.
const CLIENT_MEAN: f64 = 45.0 * 60.0;
/// Chance the client writes again after an answer (else the conversation closes).
const CONTINUE: f64 = 0.75;
/// Mean seconds from the last answer to the close.
const CLOSE_MEAN: f64 = 10.0 * 60.0;
/// Mean seconds between an operator's breaks, and a break's mean length.
const BREAK_EVERY: f64 = 2.0 * 3600.0;
const BREAK_MEAN: f64 = 10.0 * 60.0;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Exponentially distributed, in milliseconds.
    fn exp_ms(&mut self, mean_secs: f64) -> i64 {
        (-(1.0 - self.unit()).ln() * mean_secs * 1000.0) as i64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Arrival,
    Reply { conv: usize, op: usize },
    ClientWrites { conv: usize },
    Close { conv: usize },
    BreakStarts { op: usize },
    BreakEnds { op: usize },
}

struct Sim {
    engine: Engine,
    rng: Rng,
    t0: DateTime<Utc>,
    heap: BinaryHeap<Reverse<(i64, u64, Event)>>,
    seq: u64,
    ops: Vec<OperatorId>,
    op_index: std::collections::HashMap<OperatorId, usize>,
    channels: Vec<ChannelId>,
    clients: Vec<ClientId>,
    /// Open conversations by number: the id and who holds it. Closed ones are dropped, so that
    /// the simulation's own memory follows the open work, as the engine's does.
    convs: std::collections::HashMap<usize, (ConversationId, Option<usize>)>,
    conv_index: std::collections::HashMap<ConversationId, usize>,
    /// Conversations opened so far: the next one's number.
    opened: usize,
    arrival_mean: f64,
    recording: Option<Vec<(DateTime<Utc>, Input)>>,
}

impl Sim {
    /// Who holds open conversation `c`.
    fn holder_mut(&mut self, c: usize) -> &mut Option<usize> {
        &mut self
            .convs
            .get_mut(&c)
            .expect("decisions name open conversations")
            .1
    }

    fn at(&self, ms: i64) -> DateTime<Utc> {
        self.t0 + TimeDelta::milliseconds(ms)
    }

    fn schedule(&mut self, ms: i64, event: Event) {
        self.seq += 1;
        self.heap.push(Reverse((ms, self.seq, event)));
    }

    fn send(&mut self, ms: i64, input: Input) {
        let now = self.at(ms);
        if let Some(rec) = &mut self.recording {
            rec.push((now, input.clone()));
        }
        self.engine
            .handle(now, input)
            .expect("the simulation only sends valid inputs");
        self.react(ms);
    }

    /// Reads the engine's decisions: who holds what, and when they will answer.
    fn react(&mut self, ms: i64) {
        while let Some(d) = self.engine.poll_decision() {
            match d.kind {
                DecisionKind::Assigned {
                    conversation,
                    operator,
                    ..
                } => {
                    let c = self.conv_index[&conversation];
                    let o = self.op_index[&operator];
                    self.holder_mut(c).replace(o);
                    let when = ms.max((d.at - self.t0).num_milliseconds());
                    let delay = self.rng.exp_ms(REPLY_MEAN);
                    self.schedule(when + delay, Event::Reply { conv: c, op: o });
                }
                DecisionKind::Unassigned { conversation, .. }
                | DecisionKind::Closed { conversation, .. } => {
                    let c = self.conv_index[&conversation];
                    self.holder_mut(c).take();
                }
                _ => {}
            }
        }
    }

    fn step(&mut self) -> Option<i64> {
        let Reverse((ms, _, event)) = self.heap.pop()?;
        match event {
            Event::Arrival => {
                let c = self.opened;
                self.opened += 1;
                let id = ConversationId::new(format!("k{c}"));
                self.convs.insert(c, (id.clone(), None));
                self.conv_index.insert(id.clone(), c);
                let client = self.clients[self.rng.below(self.clients.len())].clone();
                let channel = self.channels[self.rng.below(self.channels.len())].clone();
                self.send(
                    ms,
                    Input::MessageIn {
                        conversation: id,
                        client,
                        channel,
                        request: None,
                    },
                );
                let next = ms + self.rng.exp_ms(self.arrival_mean);
                self.schedule(next, Event::Arrival);
            }
            Event::Reply { conv, op } => {
                // Only the operator who still holds it answers; a late answer after the offer
                // moved on is dropped (the conversation found someone else).
                if self.convs.get(&conv).is_some_and(|&(_, h)| h == Some(op)) {
                    self.send(
                        ms,
                        Input::MessageOut {
                            conversation: self.convs[&conv].0.clone(),
                            operator: self.ops[op].clone(),
                            client: None,
                            channel: None,
                        },
                    );
                    if self.rng.unit() < CONTINUE {
                        let next = ms + self.rng.exp_ms(CLIENT_MEAN);
                        self.schedule(next, Event::ClientWrites { conv });
                    } else {
                        let next = ms + self.rng.exp_ms(CLOSE_MEAN);
                        self.schedule(next, Event::Close { conv });
                    }
                }
            }
            Event::ClientWrites { conv } => {
                let id = self.convs[&conv].0.clone();
                let view = self.engine.conversation(id.as_str()).expect("known");
                self.send(
                    ms,
                    Input::MessageIn {
                        conversation: id,
                        client: view.client,
                        channel: view.channel,
                        request: None,
                    },
                );
                if let Some(op) = self.convs[&conv].1 {
                    let next = ms + self.rng.exp_ms(REPLY_MEAN);
                    self.schedule(next, Event::Reply { conv, op });
                }
            }
            Event::Close { conv } => {
                let (id, _) = self.convs[&conv].clone();
                self.send(
                    ms,
                    Input::Close {
                        conversation: id.clone(),
                    },
                );
                self.convs.remove(&conv);
                self.conv_index.remove(&id);
            }
            Event::BreakStarts { op } => {
                let operator = self.ops[op].clone();
                self.send(
                    ms,
                    Input::Presence {
                        operator,
                        status: Presence::Away,
                    },
                );
                let next = ms + self.rng.exp_ms(BREAK_MEAN);
                self.schedule(next, Event::BreakEnds { op });
            }
            Event::BreakEnds { op } => {
                let operator = self.ops[op].clone();
                self.send(
                    ms,
                    Input::Presence {
                        operator,
                        status: Presence::Online,
                    },
                );
                let next = ms + self.rng.exp_ms(BREAK_EVERY);
                self.schedule(next, Event::BreakStarts { op });
            }
        }
        Some(ms)
    }

    /// Runs until `until_ms`, firing the engine's deadlines (offer timeouts) on time.
    fn run_until(&mut self, until_ms: i64) {
        loop {
            let next_event = self.heap.peek().map(|Reverse((ms, _, _))| *ms);
            let next_deadline = self
                .engine
                .poll_timeout()
                .map(|t| (t - self.t0).num_milliseconds());
            match (next_event, next_deadline) {
                (_, Some(d)) if d <= until_ms && next_event.is_none_or(|e| d <= e) => {
                    let now = self.at(d);
                    if let Some(rec) = &mut self.recording {
                        rec.push((now, Input::Tick));
                    }
                    self.engine.handle_timeout(now);
                    self.react(d);
                }
                (Some(e), _) if e <= until_ms => {
                    self.step();
                }
                _ => break,
            }
        }
    }
}

/// Simulates a warm-up and then records `shape.hours` of a busy day.
pub fn day(shape: Shape, seed: u64) -> Workload {
    let mut sim = start(shape, seed);
    let warm = i64::from(shape.warm_up_hours) * 3_600_000;
    sim.run_until(warm);
    let engine = sim.engine.clone();
    sim.recording = Some(Vec::new());
    sim.run_until(warm + i64::from(shape.hours) * 3_600_000);
    Workload {
        engine,
        events: sim.recording.take().unwrap_or_default(),
    }
}

/// A simulation that goes on as long as asked, recording nothing (for measuring memory over
/// weeks of simulated time).
#[allow(dead_code)]
pub struct Running(Sim);

#[allow(dead_code)]
impl Running {
    /// The engine set up for `shape`, at the start of the simulated time.
    pub fn new(shape: Shape, seed: u64) -> Self {
        Self(start(shape, seed))
    }

    /// Simulates up to `hours` after the start.
    pub fn run_until_hours(&mut self, hours: u64) {
        self.0.run_until(hours as i64 * 3_600_000);
    }

    pub fn engine(&self) -> &Engine {
        &self.0.engine
    }
}

/// The engine and the simulation for `shape`, at the start of the simulated time.
fn start(shape: Shape, seed: u64) -> Sim {
    let t0 = Utc
        .with_ymd_and_hms(2026, 3, 2, 0, 0, 0)
        .single()
        .expect("a valid fixed date");
    let ops: Vec<OperatorId> = (0..shape.operators)
        .map(|i| OperatorId::new(format!("op{i}")))
        .collect();
    // Little's law: open = arrival rate × mean lifetime; cap for ~85 % occupancy.
    let exchanges = 1.0 / (1.0 - CONTINUE);
    let lifetime = REPLY_MEAN + (exchanges - 1.0) * (CLIENT_MEAN + REPLY_MEAN) + CLOSE_MEAN;
    let arrival_mean = lifetime / shape.open as f64;
    let cap = ((shape.open as f64 / 0.85) / shape.operators as f64).ceil() as u32;

    let mut engine = Engine::new();
    for op in &ops {
        engine
            .handle(
                t0,
                Input::UpsertOperator(OperatorConfig::new(op.clone()).group("agents")),
            )
            .expect("valid operator");
        engine
            .handle(
                t0,
                Input::Presence {
                    operator: op.clone(),
                    status: Presence::Online,
                },
            )
            .expect("known operator");
    }
    engine
        .handle(
            t0,
            Input::from(
                LineConfig::new("support")
                    .mode(Mode::Balanced)
                    .group("agents")
                    .offer_timeout_secs(60)
                    .max_open_per_operator(cap),
            ),
        )
        .expect("valid line");
    let channels: Vec<ChannelId> = ["whatsapp", "telegram", "web", "email"]
        .iter()
        .map(|k| ChannelId::new(format!("{k}-1")))
        .collect();
    for (ch, kind) in channels
        .iter()
        .zip(["whatsapp", "telegram", "web_chat", "email"])
    {
        engine
            .handle(
                t0,
                Input::ConnectChannel(ChannelConfig::new(ch.clone(), "support").kind(kind)),
            )
            .expect("valid channel");
    }
    if let Some(secs) = shape.retention_secs {
        engine
            .handle(
                t0,
                Input::EngineSettings(
                    EngineSettings::default().forget_closed_after_secs(Some(secs)),
                ),
            )
            .expect("valid settings");
    }
    while engine.poll_decision().is_some() {}

    let mut sim = Sim {
        engine,
        rng: Rng(seed),
        t0,
        heap: BinaryHeap::new(),
        seq: 0,
        op_index: ops
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, o)| (o, i))
            .collect(),
        ops,
        channels,
        clients: (0..shape.open)
            .map(|i| ClientId::new(format!("c{i}")))
            .collect(),
        convs: std::collections::HashMap::new(),
        conv_index: std::collections::HashMap::new(),
        opened: 0,
        arrival_mean,
        recording: None,
    };
    sim.schedule(0, Event::Arrival);
    for op in 0..shape.operators {
        let first = sim.rng.exp_ms(BREAK_EVERY);
        sim.schedule(first, Event::BreakStarts { op });
    }
    sim
}

/// Feeds recorded inputs to an engine, draining its decisions as a host must; returns how many
/// decisions it made. Takes the inputs by value, as a host hands over each input it builds.
pub fn replay(engine: &mut Engine, events: Vec<(DateTime<Utc>, Input)>) -> usize {
    let mut decisions = 0;
    for (at, input) in events {
        if matches!(input, Input::Tick) {
            engine.handle_timeout(at);
        } else {
            engine
                .handle(at, input)
                .expect("a recorded input is valid on the engine it was recorded from");
        }
        while engine.poll_decision().is_some() {
            decisions += 1;
        }
    }
    decisions
}
