//! The contact-centre queue (DESIGN §7): what priorities cost, and calls beside chats.
//!
//! - `queue_placement/{fifo,priorities}/N` — N conversations wait for one operator who frees
//!   capacity each iteration: a close, the drain's placement of the head of the queue, its
//!   accept, and a new arrival at the back (`benches/support/queue.rs`, `Backlog`). With
//!   priorities the line orders by channel kind, request and VIP with aging; the static queue
//!   key keeps that an ordered-map operation. Target: within 2× of FIFO at 100 000 waiting.
//! - `calls_and_chats/N` — N operators in one `balanced` line, every fourth arrival a call
//!   (which only an operator holding nothing may take), each accepted, the oldest open one
//!   closed (`Mixed`).
//!
//! ```text
//! cargo bench --bench queue -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

#[path = "support/queue.rs"]
mod queue;

fn placement(c: &mut Criterion) {
    for (name, priorities) in [("fifo", false), ("priorities", true)] {
        let mut g = c.benchmark_group(format!("queue_placement/{name}"));
        for n in [1_000, 100_000] {
            let mut fixture = None;
            g.bench_function(BenchmarkId::from_parameter(n), |b| {
                let f = fixture.get_or_insert_with(|| queue::Backlog::new(n, priorities));
                b.iter(|| black_box(f.step()));
            });
        }
        g.finish();
    }
}

fn mixed(c: &mut Criterion) {
    let mut g = c.benchmark_group("calls_and_chats");
    for n in [1_000, 10_000] {
        let mut fixture = None;
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            let f = fixture.get_or_insert_with(|| queue::Mixed::new(n));
            b.iter(|| black_box(f.step()));
        });
    }
    g.finish();
}

criterion_group!(benches, placement, mixed);
criterion_main!(benches);
