//! The engine against the reference model (`tests/model/mod.rs`: plain vectors, linear
//! scans) on the same workloads, so that the ratio is the headline (issue 3: at least 100× the
//! model at 10 000 operators). `{mode}` is each of `strict`, `evenly`, `balanced` and `all`; in
//! `all`, every offer is accepted at once by the first operator it names, so an iteration is
//! an arrival offered to every operator with room, its accept, and a close.
//!
//! - `pool/{mode}/{engine,model}/N` — N online operators in one line (cap 4), each holding 2
//!   open conversations; one iteration is an arrival that gets routed and the close of the
//!   oldest open conversation. Engine: N = 100 … 100 000; model: N = 100 … 10 000.
//! - `waiting/{mode}/{engine,model}/W` — 100 online operators at their cap of 1 and W
//!   conversations waiting; one iteration closes the oldest assigned conversation (the head of
//!   the queue takes its place) and a new arrival joins the end of the queue. Engine: W = 1 …
//!   100 000; model: W = 1 … 1 000.
//!
//! Both get exactly the same inputs and make the same decisions: the workload follows the
//! decisions (it closes the oldest conversation it saw assigned), and every run first plays a
//! small pool and a small queue through both side by side and checks that every decision
//! agrees, setup included (the differential test proves it on random inputs). Conversation ids
//! come from a fixed ring (an arrival reopens a closed conversation), so neither implementation
//! grows while it is measured.
//!
//! The world is built in an order that is cheap for the model, which answers every routing
//! question from scratch — one routed arrival costs it O(N² + N·C) at N operators and C open
//! conversations, and every input retries each waiting conversation:
//! - the standing population is opened by the operators themselves (an outbound `message_out`
//!   with client and channel is assigned to its author at once: 2 per operator, round-robin)
//!   instead of being routed one arrival at a time, which was O(N³) for the model — about a
//!   day at N = 10 000;
//! - the waiting conversations arrive while the channel is connected with an empty operator
//!   list (no automatic distribution: each one waits at once, and retrying it is a few
//!   lookups); then the channel is connected again for every member of the line, and they stay
//!   waiting (everyone is at the cap). Routed one by one, each arrival would retry every
//!   conversation already waiting against every operator: 90 s for 1 000 of them.
//!
//! What the model costs per iteration is what it is: about 7 s at 10 000 operators (20 000
//! open conversations), against about 2 µs for the engine. Its benchmarks sample flat, one
//! iteration per sample when that is all the time allows (criterion then warns that 10 samples
//! do not fit the target time: 11 iterations, warm-up included, is the least it runs). The
//! model is not run with 100 000 operators (by extrapolation, over ten minutes per iteration
//! after half an hour of setup, which is quadratic too), nor with a queue of more than 1 000
//! (each iteration retries every waiting conversation), nor on a queue at 10 000 operators
//! (14 s per iteration with a single conversation waiting). A full run takes about 10 minutes
//! on two cores; the 10 000-operator pools alone about 6:
//!
//! ```text
//! cargo bench --bench versus_model
//! cargo bench --bench versus_model -- 'pool/.*/10000$'
//! ```
//!
//! Under `cargo test --benches` (no `--bench` flag) only the smallest sizes run, once each,
//! after the side-by-side check.

use std::collections::VecDeque;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main,
    measurement::WallTime,
};
use routeline::{
    ChannelConfig, ClientId, ConversationId, Decision, DecisionKind, Engine, Input, LineConfig,
    Mode, OperatorConfig, OperatorId, Presence,
};

#[path = "../tests/model/mod.rs"]
#[allow(unused_imports)]
mod model;

/// What both implementations offer the workload.
trait Router {
    fn feed(&mut self, now: DateTime<Utc>, input: Input) -> Vec<Decision>;
}

impl Router for Engine {
    fn feed(&mut self, now: DateTime<Utc>, input: Input) -> Vec<Decision> {
        self.handle(now, input)
            .expect("the workload sends valid inputs");
        std::iter::from_fn(|| self.poll_decision()).collect()
    }
}

impl Router for model::Model {
    fn feed(&mut self, now: DateTime<Utc>, input: Input) -> Vec<Decision> {
        self.handle(now, &input)
            .expect("the workload sends valid inputs");
        self.drain()
    }
}

/// Both side by side, checking that they decide the same.
struct Both(Engine, model::Model);

impl Router for Both {
    fn feed(&mut self, now: DateTime<Utc>, input: Input) -> Vec<Decision> {
        let engine = self.0.feed(now, input.clone());
        let model = self.1.feed(now, input.clone());
        assert_eq!(engine, model, "engine and model differ on {input:?}");
        engine
    }
}

fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("a valid fixed date")
}

const LINE: &str = "line";
const CHANNEL: &str = "wa";

/// A workload on one line: a ring of conversations (client `k{j}` writes in conversation
/// `k{j}`), of which a window is open at every iteration boundary.
struct Work<R> {
    router: R,
    now: DateTime<Utc>,
    operators: Vec<OperatorId>,
    convs: Vec<ConversationId>,
    clients: Vec<ClientId>,
    /// The ring slot of the next arrival.
    next: usize,
    /// The conversations assigned so far and not closed by the workload, oldest first.
    assigned: VecDeque<ConversationId>,
}

impl<R: Router> Work<R> {
    /// `operators` online members of one line in `mode` with `cap`, through one channel; the
    /// ring holds `open + 1` conversations.
    fn new(router: R, mode: Mode, operators: usize, cap: u32, open: usize) -> Self {
        let ring = open + 1;
        let mut w = Work {
            router,
            now: t0(),
            operators: (0..operators)
                .map(|o| OperatorId::from(format!("op-{o}")))
                .collect(),
            convs: (0..ring)
                .map(|j| ConversationId::from(format!("k{j}")))
                .collect(),
            clients: (0..ring).map(|j| ClientId::from(format!("k{j}"))).collect(),
            next: 0,
            assigned: VecDeque::new(),
        };
        w.feed(Input::from(
            LineConfig::new(LINE)
                .mode(mode)
                .group("agents")
                .max_open_per_operator(cap),
        ));
        w.feed(Input::ConnectChannel(ChannelConfig::new(CHANNEL, LINE)));
        for o in w.operators.clone() {
            w.feed(Input::UpsertOperator(
                OperatorConfig::new(o.clone()).group("agents"),
            ));
            w.feed(Input::Presence {
                operator: o,
                status: Presence::Online,
            });
        }
        w
    }

    /// Feeds an input, and accepts every `all`-mode offer it makes at once, by the first
    /// operator offered (as the fastest operator on a broadcast line would).
    fn feed(&mut self, input: Input) -> Vec<Decision> {
        let decisions = self.router.feed(self.now, input);
        let mut accepts = Vec::new();
        for d in &decisions {
            match &d.kind {
                DecisionKind::Assigned { conversation, .. } => {
                    self.assigned.push_back(conversation.clone());
                }
                DecisionKind::Offered {
                    conversation,
                    operators,
                    ..
                } => {
                    if let Some(first) = operators.first() {
                        accepts.push(Input::Accept {
                            conversation: conversation.clone(),
                            operator: first.clone(),
                        });
                    }
                }
                _ => {}
            }
        }
        for accept in accepts {
            self.feed(accept);
        }
        decisions
    }

    /// The next ring slot, which is closed (or new).
    fn slot(&mut self) -> usize {
        let j = self.next;
        self.next = (self.next + 1) % self.convs.len();
        j
    }

    /// Every operator opens `per_operator` conversations of their own (round-robin), each
    /// assigned to them at once.
    fn standing(&mut self, per_operator: usize) {
        for _ in 0..per_operator {
            for o in 0..self.operators.len() {
                let j = self.slot();
                self.feed(Input::MessageOut {
                    conversation: self.convs[j].clone(),
                    operator: self.operators[o].clone(),
                    client: Some(self.clients[j].clone()),
                    channel: Some(CHANNEL.into()),
                });
            }
        }
    }

    /// `waiting` conversations arrive while the channel distributes nothing; then it is
    /// connected again for every member of the line (they keep waiting if nobody has room).
    fn queue(&mut self, waiting: usize) {
        let off = ChannelConfig::new(CHANNEL, LINE).operators(std::iter::empty::<OperatorId>());
        self.feed(Input::ConnectChannel(off));
        for _ in 0..waiting {
            self.arrive();
        }
        self.feed(Input::ConnectChannel(ChannelConfig::new(CHANNEL, LINE)));
    }

    /// A client writes in the next ring slot: a new (or reopened) conversation, routed.
    fn arrive(&mut self) {
        let j = self.slot();
        let decisions = self.feed(Input::MessageIn {
            conversation: self.convs[j].clone(),
            client: self.clients[j].clone(),
            channel: CHANNEL.into(),
            request: None,
        });
        let routed = |d: &Decision| match &d.kind {
            DecisionKind::Assigned { conversation, .. }
            | DecisionKind::Offered { conversation, .. }
            | DecisionKind::Queued { conversation, .. } => *conversation == self.convs[j],
            _ => false,
        };
        debug_assert!(
            decisions.iter().any(routed),
            "the arrival was an open conversation: the ring is too small"
        );
    }

    fn close_oldest(&mut self) {
        if let Some(c) = self.assigned.pop_front() {
            self.feed(Input::Close { conversation: c });
        }
    }

    fn step(&mut self) {
        self.arrive();
        self.close_oldest();
    }

    /// N operators (cap 4) holding 2 conversations each, after one untimed iteration (so
    /// that every timed arrival reopens a conversation).
    fn pool(router: R, mode: Mode, operators: usize) -> Self {
        let mut w = Work::new(router, mode, operators, 4, 2 * operators);
        w.standing(2);
        w.step();
        w
    }

    /// `operators` operators at their cap of 1, `waiting` conversations waiting, after one
    /// untimed iteration.
    fn waiting(router: R, mode: Mode, operators: usize, waiting: usize) -> Self {
        let mut w = Work::new(router, mode, operators, 1, operators + waiting);
        w.standing(1);
        w.queue(waiting);
        w.step();
        w
    }
}

/// The operators of the `waiting` benchmarks.
const WAITING_OPERATORS: usize = 100;

const MODES: [Mode; 4] = [Mode::Strict, Mode::Evenly, Mode::Balanced, Mode::All];

/// Plays a small pool and a small queue through the engine and the model side by side: the
/// same decisions, input by input (the setup included).
fn check_same_decisions(mode: Mode) {
    let both = || Both(Engine::new(), model::Model::new());
    let mut w = Work::pool(both(), mode, 20);
    for _ in 0..100 {
        w.step();
    }
    let mut w = Work::waiting(both(), mode, 10, 20);
    for _ in 0..50 {
        w.step();
    }
}

/// Engine benchmarks: fast, sampled as usual.
fn engine_config(g: &mut BenchmarkGroup<'_, WallTime>) {
    g.sampling_mode(SamplingMode::Auto)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
}

/// Model benchmarks: up to seconds per iteration, sampled flat.
fn model_config(g: &mut BenchmarkGroup<'_, WallTime>) {
    g.sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
}

fn group_name(kind: &str, mode: Mode) -> String {
    format!("{kind}/{mode:?}").to_lowercase()
}

fn pool(c: &mut Criterion) {
    let (engine_sizes, model_sizes): (&[usize], &[usize]) = if full_run() {
        (&[100, 1_000, 10_000, 100_000], &[100, 1_000, 10_000])
    } else {
        (&[100], &[100])
    };
    for mode in MODES {
        check_same_decisions(mode);
        let mut g = c.benchmark_group(group_name("pool", mode));
        g.sample_size(10);
        engine_config(&mut g);
        for &n in engine_sizes {
            // Built only when the benchmark runs (not when a filter skips it).
            let mut w = None;
            g.bench_function(BenchmarkId::new("engine", n), |b| {
                let w = w.get_or_insert_with(|| Work::pool(Engine::new(), mode, n));
                b.iter(|| w.step());
            });
        }
        model_config(&mut g);
        for &n in model_sizes {
            let mut w = None;
            g.bench_function(BenchmarkId::new("model", n), |b| {
                let w = w.get_or_insert_with(|| Work::pool(model::Model::new(), mode, n));
                b.iter(|| w.step());
            });
        }
        g.finish();
    }
}

fn waiting(c: &mut Criterion) {
    let (engine_sizes, model_sizes): (&[usize], &[usize]) = if full_run() {
        (&[1, 100, 1_000, 10_000, 100_000], &[1, 100, 1_000])
    } else {
        (&[1], &[1])
    };
    for mode in MODES {
        let mut g = c.benchmark_group(group_name("waiting", mode));
        g.sample_size(10);
        engine_config(&mut g);
        for &n in engine_sizes {
            let mut w = None;
            g.bench_function(BenchmarkId::new("engine", n), |b| {
                let w = w.get_or_insert_with(|| {
                    Work::waiting(Engine::new(), mode, WAITING_OPERATORS, n)
                });
                b.iter(|| w.step());
            });
        }
        model_config(&mut g);
        for &n in model_sizes {
            let mut w = None;
            g.bench_function(BenchmarkId::new("model", n), |b| {
                let w = w.get_or_insert_with(|| {
                    Work::waiting(model::Model::new(), mode, WAITING_OPERATORS, n)
                });
                b.iter(|| w.step());
            });
        }
        g.finish();
    }
}

criterion_group!(benches, pool, waiting);
criterion_main!(benches);
