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
//! WORKLOAD_SHAPE=1000,10000,3,3 cargo bench --bench workload   # other shapes
//! ```
//!
//! `WORKLOAD_SHAPE` is `operators,open,hours,warm_up_hours[,retention_secs]` (default
//! `10000,100000,24,10`; the retention, the engine's `forget_closed_after_secs`, defaults to
//! the engine's 30 days).
//! Under `cargo test --benches` (no `--bench` flag) a small day is used so CI stays fast.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

#[path = "support/workload.rs"]
mod workload;

use workload::Shape;

fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// The shape named by `WORKLOAD_SHAPE=operators,open,hours,warm_up_hours`, if set.
fn shape_from_env() -> Option<Shape> {
    let text = std::env::var("WORKLOAD_SHAPE").ok()?;
    let n: Vec<u64> = text
        .split(',')
        .map(|f| {
            f.trim()
                .parse()
                .expect("WORKLOAD_SHAPE: four whole numbers, comma-separated")
        })
        .collect();
    let (&[operators, open, hours, warm_up_hours], retention) = (n.get(..4)?, n.get(4)) else {
        panic!(
            "WORKLOAD_SHAPE is operators,open,hours,warm_up_hours[,retention_secs], not `{text}`"
        );
    };
    if n.len() > 5 {
        panic!(
            "WORKLOAD_SHAPE is operators,open,hours,warm_up_hours[,retention_secs], not `{text}`"
        );
    }
    Some(Shape {
        operators: operators as usize,
        open: open as usize,
        hours: hours as u32,
        warm_up_hours: warm_up_hours as u32,
        retention_secs: retention.copied(),
    })
}

fn bench_day(c: &mut Criterion) {
    let shape = if full_run() {
        shape_from_env().unwrap_or(Shape {
            operators: 10_000,
            open: 100_000,
            hours: 24,
            warm_up_hours: 10,
            retention_secs: None,
        })
    } else {
        Shape {
            operators: 100,
            open: 1_000,
            hours: 1,
            warm_up_hours: 1,
            retention_secs: None,
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

criterion_group!(benches, bench_day);
criterion_main!(benches);
