//! The scale record: one engine with 100 000 operators and about 1 000 000 open conversations,
//! under the day workload of `benches/workload.rs` — bytes per open conversation, and the
//! distribution of the wall-clock cost of one input (with its decisions drained).
//!
//! ```text
//! cargo run --release --example scale                         # 100000 operators, 1000000 open
//! cargo run --release --example scale -- 10000 100000 10 1    # operators open warm_up_hours hours
//! ```
//!
//! Closed conversations are forgotten after 10 minutes here, so that the bytes counted are
//! those of the open work (with the default 30 days they are kept, ≈ 350 B each). The
//! operators' own bytes are measured first and subtracted.

use std::time::Instant;

use routeline::Input;

#[path = "../benches/support/workload.rs"]
#[allow(dead_code)]
mod workload;

#[path = "../benches/support/counting.rs"]
mod counting;
use counting::live;

/// The heap a copy of `value` takes.
fn size_of_copy<T: Clone>(value: &T) -> usize {
    let before = live();
    let copy = value.clone();
    let bytes = live() - before;
    drop(copy);
    bytes
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| {
            a.parse()
                .expect("whole numbers: operators open warm_up_hours hours")
        })
        .collect();
    let arg = |i: usize, default: u64| args.get(i).copied().unwrap_or(default);
    let (operators, open, warm, hours) =
        (arg(0, 100_000), arg(1, 1_000_000), arg(2, 10), arg(3, 1));
    let shape = |warm_up_hours, hours| workload::Shape {
        operators: operators as usize,
        open: open as usize,
        hours,
        warm_up_hours,
        retention_secs: Some(600),
    };
    // The operators and the line alone.
    let empty = workload::day(shape(0, 0), 42);
    let base = size_of_copy(&empty.engine);
    drop(empty);

    let started = Instant::now();
    let day = workload::day(shape(warm as u32, hours as u32), 42);
    let counters = day
        .engine
        .line_counters("support")
        .expect("the line exists");
    let open_now = counters.waiting + counters.offered as usize + counters.assigned as usize;
    let known = day.engine.conversations().len();
    let engine_bytes = size_of_copy(&day.engine);
    println!(
        "{operators} operators; after {warm} h: {open_now} open conversations ({known} known), \
         simulated in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "heap: engine {:.0} MiB, of which operators and line {:.1} MiB; per open conversation \
         {:.0} B (all known conversations counted against the open ones)",
        engine_bytes as f64 / 1048576.0,
        base as f64 / 1048576.0,
        (engine_bytes - base) as f64 / open_now as f64
    );

    let mut engine = day.engine.clone();
    let mut costs = Vec::with_capacity(day.events.len());
    let inputs = day.events.len();
    for (at, input) in day.events {
        let tick = matches!(input, Input::Tick);
        let t = Instant::now();
        if tick {
            engine.handle_timeout(at);
        } else {
            engine
                .handle(at, input)
                .expect("a recorded input is valid on the engine it was recorded from");
        }
        while engine.poll_decision().is_some() {}
        costs.push(t.elapsed().as_nanos() as u64);
    }
    let total: u64 = costs.iter().sum();
    costs.sort_unstable();
    println!(
        "{inputs} inputs over {hours} h: mean {:.0} ns, p50 {} ns, p99 {} ns, p99.9 {} ns, max {} ns \
         ({:.0} inputs/s)",
        total as f64 / inputs as f64,
        percentile(&costs, 0.50),
        percentile(&costs, 0.99),
        percentile(&costs, 0.999),
        costs.last().copied().unwrap_or(0),
        inputs as f64 / (total as f64 / 1e9)
    );
}
