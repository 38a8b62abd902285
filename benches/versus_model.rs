//! The engine against the reference model (`tests/model/mod.rs`: plain vectors, linear
//! scans) on the same workloads, so that the ratio is the headline.
//!
//! - `pool/{engine,model}/{mode}/N` — N online operators in one line (cap 4, a standing
//!   population of 2 open conversations each); one iteration is an arrival that gets routed and
//!   the close of the oldest open conversation.
//! - `waiting/{engine,model}/{mode}/W` — 100 operators at their cap of 1 and W conversations
//!   waiting; one iteration closes an assigned conversation (the head of the queue takes its
//!   place) and a new arrival joins the end of the queue.
//!
//! Both run exactly the same inputs (the workload follows the decisions, and the two make the
//! same ones — that is what the differential test proves). The model's cost grows with the pool
//! and the queue by design — faster than linearly: its setup alone for 10 000 operators does not
//! finish in minutes — so it runs on sizes up to 1 000; the engine up to 100 000.
//!
//! ```text
//! cargo bench --bench versus_model
//! ```
//!
//! Under `cargo test --benches` (no `--bench` flag) only the smallest sizes run.

use std::collections::VecDeque;

use chrono::{DateTime, TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use routeline::{
    ChannelConfig, ConversationId, Decision, DecisionKind, Engine, Input, LineConfig, Mode,
    OperatorConfig, Presence,
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

fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("a valid fixed date")
}

/// A routing workload on one line: the conversations assigned so far, oldest first.
struct Work<R> {
    router: R,
    now: DateTime<Utc>,
    next: usize,
    assigned: VecDeque<ConversationId>,
}

impl<R: Router> Work<R> {
    fn new(router: R, mode: Mode, operators: usize, cap: u32) -> Self {
        let mut w = Work {
            router,
            now: t0(),
            next: 0,
            assigned: VecDeque::new(),
        };
        let now = w.now;
        w.router.feed(
            now,
            Input::from(
                LineConfig::new("line")
                    .mode(mode)
                    .group("agents")
                    .max_open_per_operator(cap),
            ),
        );
        w.router
            .feed(now, Input::ConnectChannel(ChannelConfig::new("wa", "line")));
        for o in 0..operators {
            let id = format!("op-{o}");
            w.router.feed(
                now,
                Input::UpsertOperator(OperatorConfig::new(id.as_str()).group("agents")),
            );
            w.router.feed(
                now,
                Input::Presence {
                    operator: id.as_str().into(),
                    status: Presence::Online,
                },
            );
        }
        w
    }

    fn track(&mut self, decisions: Vec<Decision>) {
        for d in decisions {
            if let DecisionKind::Assigned { conversation, .. } = d.kind {
                self.assigned.push_back(conversation);
            }
        }
    }

    fn arrive(&mut self) {
        let id = format!("k{}", self.next);
        self.next += 1;
        let decisions = self.router.feed(
            self.now,
            Input::MessageIn {
                conversation: id.as_str().into(),
                client: id.as_str().into(),
                channel: "wa".into(),
            },
        );
        self.track(decisions);
    }

    fn close_oldest(&mut self) {
        if let Some(c) = self.assigned.pop_front() {
            let decisions = self.router.feed(self.now, Input::Close { conversation: c });
            self.track(decisions);
        }
    }

    fn step(&mut self) {
        self.arrive();
        self.close_oldest();
    }
}

fn pool(c: &mut Criterion) {
    let (engine_sizes, model_sizes): (&[usize], &[usize]) = if full_run() {
        (&[100, 1_000, 10_000, 100_000], &[100, 1_000])
    } else {
        (&[100], &[100])
    };
    for mode in [Mode::Strict, Mode::Evenly, Mode::Balanced] {
        let mut g = c.benchmark_group(format!("pool/{mode:?}").to_lowercase());
        g.sample_size(10);
        for &n in engine_sizes {
            let mut w = None;
            g.bench_function(BenchmarkId::new("engine", n), |b| {
                let w = w.get_or_insert_with(|| {
                    let mut w = Work::new(Engine::new(), mode, n, 4);
                    for _ in 0..2 * n {
                        w.arrive();
                    }
                    w
                });
                b.iter(|| w.step());
            });
        }
        for &n in model_sizes {
            let mut w = None;
            g.bench_function(BenchmarkId::new("model", n), |b| {
                let w = w.get_or_insert_with(|| {
                    let mut w = Work::new(model::Model::new(), mode, n, 4);
                    for _ in 0..2 * n {
                        w.arrive();
                    }
                    w
                });
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
    const OPERATORS: usize = 100;
    for mode in [Mode::Strict, Mode::Evenly, Mode::Balanced] {
        let mut g = c.benchmark_group(format!("waiting/{mode:?}").to_lowercase());
        g.sample_size(10);
        for (name, sizes) in [("engine", engine_sizes), ("model", model_sizes)] {
            for &w_len in sizes {
                let mut eng = None;
                let mut mdl = None;
                g.bench_function(BenchmarkId::new(name, w_len), |b| {
                    let fill = |w: &mut dyn FnMut()| {
                        for _ in 0..OPERATORS + w_len {
                            w();
                        }
                    };
                    if name == "engine" {
                        let w = eng.get_or_insert_with(|| {
                            let mut w = Work::new(Engine::new(), mode, OPERATORS, 1);
                            fill(&mut || w.arrive());
                            w
                        });
                        b.iter(|| w.step());
                    } else {
                        let w = mdl.get_or_insert_with(|| {
                            let mut w = Work::new(model::Model::new(), mode, OPERATORS, 1);
                            fill(&mut || w.arrive());
                            w
                        });
                        b.iter(|| w.step());
                    }
                });
            }
        }
        g.finish();
    }
}

criterion_group!(benches, pool, waiting);
criterion_main!(benches);
