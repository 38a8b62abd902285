//! Memory over weeks of constant load: the day workload of `benches/workload.rs` run for many
//! simulated days, measuring the heap each day with a counting global allocator — the
//! engine's memory must follow the open work and the retention window, not the engine's age.
//!
//! ```text
//! cargo run --release --example long_run                       # 1000 operators, 10 000 open, 60 days, 1-day retention
//! cargo run --release --example long_run -- 100 1000 60 2592000 # the default 30-day retention
//! ```
//!
//! Arguments: `operators open days retention_secs` (the engine's `forget_closed_after_secs`).
//! Each simulated day it prints the conversations the engine knows (open and closed), the
//! heap live in the whole process (engine and simulation, whose own tables hold only open
//! conversations) and the heap a copy of the engine takes; at the end, the peak against day 10.

#[path = "../benches/support/workload.rs"]
#[allow(dead_code)]
mod workload;

#[path = "../benches/support/counting.rs"]
mod counting;
use counting::live;

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| {
            a.parse()
                .expect("whole numbers: operators open days retention_secs")
        })
        .collect();
    let arg = |i: usize, default: u64| args.get(i).copied().unwrap_or(default);
    let (operators, open, days, retention) =
        (arg(0, 1000), arg(1, 10_000), arg(2, 60), arg(3, 86_400));
    let shape = workload::Shape {
        operators: operators as usize,
        open: open as usize,
        hours: 0,
        warm_up_hours: 0,
        retention_secs: Some(retention),
    };
    println!(
        "{operators} operators, {open} open conversations aimed at, {days} days, \
         forget_closed_after_secs {retention}"
    );
    println!(
        "| day | known conversations | open | heap, whole process (MiB) | heap of an engine copy (MiB) |"
    );
    println!("|---|---|---|---|---|");
    let mut sim = workload::Running::new(shape, 42);
    let mut by_day = Vec::new();
    for day in 1..=days {
        sim.run_until_hours(day * 24);
        let engine = sim.engine();
        let counters = engine.line_counters("support").expect("the line exists");
        let open_now = counters.waiting + counters.offered as usize + counters.assigned as usize;
        let known = engine.conversations().len();
        let process = live();
        let before = live();
        let copy = engine.clone();
        let engine_bytes = live() - before;
        drop(copy);
        by_day.push((process, engine_bytes));
        println!(
            "| {day} | {known} | {open_now} | {:.1} | {:.1} |",
            mib(process),
            mib(engine_bytes)
        );
    }
    if let Some(&(day10, engine10)) = by_day.get(9) {
        let peak = by_day.iter().map(|d| d.0).max().unwrap_or(day10);
        let engine_peak = by_day.iter().map(|d| d.1).max().unwrap_or(engine10);
        println!(
            "peak / day 10: whole process {:.3}×, engine copy {:.3}×",
            peak as f64 / day10 as f64,
            engine_peak as f64 / engine10 as f64
        );
    }
}
