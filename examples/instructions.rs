//! Runs one benchmark workload a fixed number of times, for counting instructions with
//! callgrind (wall-clock time on a shared virtual machine moves ±30 %; instruction counts do
//! not). Only the measured part is collected: callgrind's `--toggle-collect` names the
//! `measured_*` functions below, so setting up the pool or simulating the warm-up is not
//! counted.
//!
//! ```text
//! cargo build --release --example instructions
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect='*measured_*' \
//!     target/release/examples/instructions steady strict 10000 20000
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect='*measured_*' \
//!     target/release/examples/instructions day 10000,100000,1,3
//! ```
//!
//! Divide the `Collected` total by the number of inputs the program prints: `steady` runs its
//! given number of steps (two inputs each, an arrival and a close, three with an accept; a
//! fifth argument sets that many non-matching rules in each rule list), `day` replays the
//! recorded inputs of the workload bench's shape `operators,open,hours,warm_up`, `queue` and
//! `mixed` run the contact-centre fixtures of `benches/queue.rs`.

use std::hint::black_box;

use routeline::{Engine, Input, Mode};

#[path = "../benches/support/queue.rs"]
mod queue;
#[path = "../benches/support/steady.rs"]
#[allow(dead_code)]
mod steady;
#[path = "../benches/support/workload.rs"]
mod workload;

#[inline(never)]
fn measured_steady(fixture: &mut steady::Fixture, steps: usize) -> usize {
    let mut decisions = 0;
    for _ in 0..steps {
        decisions += fixture.step();
    }
    decisions
}

#[inline(never)]
fn measured_backlog(fixture: &mut queue::Backlog, steps: usize) -> usize {
    (0..steps).map(|_| fixture.step()).sum()
}

#[inline(never)]
fn measured_mixed(fixture: &mut queue::Mixed, steps: usize) -> usize {
    (0..steps).map(|_| fixture.step()).sum()
}

#[inline(never)]
fn measured_day(engine: &mut Engine, events: Vec<(chrono::DateTime<chrono::Utc>, Input)>) -> usize {
    workload::replay(engine, events)
}

fn usage() -> ! {
    eprintln!(
        "usage: instructions steady <strict|evenly|balanced> <operators> <steps> [rules per list]\n       \
         instructions day <operators,open,hours,warm_up_hours[,retention_secs]>\n       \
         instructions queue <fifo|priorities> <waiting> <steps>\n       \
         instructions mixed <operators> <steps>"
    );
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["steady", mode, operators, steps] | ["steady", mode, operators, steps, _] => {
            let mode = match mode {
                "strict" => Mode::Strict,
                "evenly" => Mode::Evenly,
                "balanced" => Mode::Balanced,
                _ => usage(),
            };
            let operators: usize = operators.parse().unwrap_or_else(|_| usage());
            let steps: usize = steps.parse().unwrap_or_else(|_| usage());
            let mut fixture = steady::Fixture::new(mode, 1, operators, None, false);
            if let Some(rules) = args.get(4) {
                fixture.set_rules(rules.parse().unwrap_or_else(|_| usage()));
            }
            let decisions = black_box(measured_steady(&mut fixture, steps));
            println!("steps {steps} inputs {} decisions {decisions}", 2 * steps);
        }
        ["queue", order, waiting, steps] => {
            let priorities = match order {
                "fifo" => false,
                "priorities" => true,
                _ => usage(),
            };
            let waiting: usize = waiting.parse().unwrap_or_else(|_| usage());
            let steps: usize = steps.parse().unwrap_or_else(|_| usage());
            let mut fixture = queue::Backlog::new(waiting, priorities);
            let decisions = black_box(measured_backlog(&mut fixture, steps));
            // Each step: a close, an accept, an arrival.
            println!("steps {steps} inputs {} decisions {decisions}", 3 * steps);
        }
        ["mixed", operators, steps] => {
            let operators: usize = operators.parse().unwrap_or_else(|_| usage());
            let steps: usize = steps.parse().unwrap_or_else(|_| usage());
            let mut fixture = queue::Mixed::new(operators);
            let decisions = black_box(measured_mixed(&mut fixture, steps));
            println!("steps {steps} decisions {decisions} (an arrival, an accept, a close each)");
        }
        ["day", shape] => {
            let n: Vec<usize> = shape
                .split(',')
                .map(|f| f.trim().parse().unwrap_or_else(|_| usage()))
                .collect();
            let (&[operators, open, hours, warm_up_hours], retention) =
                (n.get(..4).unwrap_or_else(|| usage()), n.get(4))
            else {
                usage()
            };
            let day = workload::day(
                workload::Shape {
                    operators,
                    open,
                    hours: hours as u32,
                    warm_up_hours: warm_up_hours as u32,
                    retention_secs: retention.map(|&r| r as u64),
                },
                42,
            );
            let mut engine = day.engine.clone();
            let inputs = day.events.len();
            let decisions = black_box(measured_day(&mut engine, day.events));
            println!("inputs {inputs} decisions {decisions}");
        }
        _ => usage(),
    }
}
