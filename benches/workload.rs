//! A day-long workload, measured in events per second.
//!
//! 10 000 operators on one `balanced` line with a 60-second offer timeout, about 100 000 open
//! conversations at about 85 % occupancy, Poisson arrivals on four channels, answers (some too
//! late, so offers time out and move on), clients writing back, closes, and operators taking
//! breaks — see `benches/support/workload.rs`. The simulation runs once (warm-up, then one
//! recorded day); the benchmark replays the recorded day on a copy of the warmed-up engine,
//! draining every decision, and criterion reports the throughput in inputs per second. The
//! copies of the engine and of the inputs are made outside the timed part, as a host builds each
//! input once and hands it over.
//!
//! ```text
//! cargo bench --bench workload
//! ```
//!
//! Under `cargo test --benches` (no `--bench` flag) a small day is used so CI stays fast.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

#[path = "support/workload.rs"]
mod workload;

use workload::Shape;

fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn bench_day(c: &mut Criterion) {
    let shape = if full_run() {
        Shape {
            operators: 10_000,
            open: 100_000,
            hours: 24,
            warm_up_hours: 10,
        }
    } else {
        Shape {
            operators: 100,
            open: 1_000,
            hours: 1,
            warm_up_hours: 1,
        }
    };
    let day = workload::day(shape, 42);
    let open = day
        .engine
        .line_counters("support")
        .map_or(0, |l| l.waiting + l.offered as usize + l.assigned as usize);
    eprintln!(
        "workload: {} operators, {} open conversations after warm-up, {} recorded inputs over {} h",
        shape.operators,
        open,
        day.events.len(),
        shape.hours
    );
    let mut group = c.benchmark_group("day");
    group.sample_size(10);
    group.throughput(Throughput::Elements(day.events.len() as u64));
    group.bench_function(format!("{}_operators", shape.operators), |b| {
        b.iter_batched(
            || (day.engine.clone(), day.events.clone()),
            |(mut engine, events)| workload::replay(&mut engine, events),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// The machine's floor: one load whose address depends on the previous one, over a random
/// cycle through `bytes` of memory — what reading a conversation, an operator or an id's hash
/// entry picked at random costs when the working set is larger than the cache. At 10 000
/// operators and 100 000 open conversations the records alone are tens of megabytes, so each
/// input of the day workload pays a few of these in a row.
fn bench_dependent_loads(c: &mut Criterion) {
    const STEPS: usize = 10_000;
    let sizes: &[usize] = if full_run() {
        &[1 << 20, 4 << 20, 64 << 20]
    } else {
        &[1 << 16]
    };
    let mut group = c.benchmark_group("machine");
    group.throughput(Throughput::Elements(STEPS as u64));
    for &bytes in sizes {
        let chain = workload::random_cycle(bytes / 64, 7);
        group.bench_function(format!("dependent_load_{}KiB", bytes >> 10), |b| {
            let mut at = 0;
            b.iter(|| {
                for _ in 0..STEPS {
                    at = chain[at];
                }
                at
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_day, bench_dependent_loads);
criterion_main!(benches);
