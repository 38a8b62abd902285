//! Routing cost against pool size: "routing must not scan the operator pool".
//!
//! Every benchmark runs a **steady state**: one iteration is one routed conversation — a
//! `message_in` that the engine assigns (or, in mode `all`, offers) and one `close` of the
//! oldest open conversation — with every decision drained, as a host must. A standing population
//! of open conversations (every operator holds half the line's cap on average, cap
//! [`CAP`]) makes caps and loads real. Conversation ids come from a fixed ring: a `message_in` on
//! a closed conversation reopens it, so memory does not grow per iteration. Operators are online
//! and the line has no offer timeout (assignments are final at once), except in the
//! `steady_state_offer_12h` group, where each arrival is also accepted.
//!
//! Groups (the last part of each name is the number of operators):
//!
//! - `steady_state/{strict,evenly,balanced}/N` — one line, N operators.
//! - `steady_state_4_lines/{strict,evenly,balanced}/N` — every operator a member of 4 lines
//!   (in a different order in each), arrivals spread round-robin over the lines.
//! - `steady_state_offer_12h/{strict,evenly,balanced}/N` — as `steady_state`, with a 12-hour
//!   offer timeout; each arrival is accepted by its operator (arrival + accept + close).
//! - `steady_state_time_aware/{strict,evenly,balanced}/N` — as `steady_state`, on a line with
//!   working hours, auto-replies, business-hours SLA targets, a rating request and an
//!   inactivity close: each arrival arms timers and each close cancels them (the issue's
//!   "schedules and timers keep routing within the core targets").
//! - `steady_state/all/N` — mode `all`: each arrival is offered to every operator with room and
//!   accepted by one of them (arrival + accept + close). Its cost grows with the number of
//!   operators offered by nature, so it runs on smaller pools and reports throughput in
//!   *operators offered* (`Throughput::Elements(N)`); time per iteration / N = time per offered
//!   operator (a few operators at their cap are not offered, so this slightly understates it).
//!
//! - `steady_state_rules/strict/R` — as `steady_state/strict/10000`, with R rules in each of
//!   the two rule lists (DESIGN §6), none of which matches: every arrival reads the `incoming`
//!   list, so this is the cost of rules per input (R = 0, 10, 100).
//!
//! The pool is set up once per benchmark, outside the timed loop, and only when the benchmark
//! actually runs (not when a filter skips it). Targets: under 1 µs per routed conversation at
//! 10 000 operators, at most 2× growth from 100 to 100 000.
//!
//! ```text
//! cargo bench --bench routing -- --warm-up-time 1 --measurement-time 3
//! cargo bench --bench routing -- steady_state/strict    # one group
//! ```

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use routeline::Mode;

#[path = "support/steady.rs"]
mod steady;

use steady::Fixture;

/// Pool sizes for the modes whose routing must not scan the pool.
const SIZES: [usize; 4] = [100, 1_000, 10_000, 100_000];
/// Pool sizes for mode `all`, whose cost is linear in the operators offered.
const ALL_SIZES: [usize; 3] = [10, 100, 1_000];
/// The longest offer timeout, as article 000 recommends.
const TWELVE_HOURS: u32 = 43_200;

/// Runs one steady-state benchmark per size in `group/mode/size`.
fn steady_state(
    c: &mut Criterion,
    group: &str,
    mode: Mode,
    lines: usize,
    offer_timeout: Option<u32>,
    sizes: &[usize],
) {
    steady_state_with(c, group, mode, lines, offer_timeout, false, sizes);
}

/// As [`steady_state`], optionally with [`time_aware_settings`] on every line.
fn steady_state_with(
    c: &mut Criterion,
    group: &str,
    mode: Mode,
    lines: usize,
    offer_timeout: Option<u32>,
    time_aware: bool,
    sizes: &[usize],
) {
    let name = format!("{group}/{mode:?}").to_lowercase();
    let mut g = c.benchmark_group(name);
    for &n in sizes {
        if mode == Mode::All {
            g.throughput(Throughput::Elements(n as u64));
        }
        // Built on first use: criterion calls the closure once per sample, and not at all
        // when a filter skips the benchmark.
        let mut fixture = None;
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            let f = fixture
                .get_or_insert_with(|| Fixture::new(mode, lines, n, offer_timeout, time_aware));
            b.iter(|| black_box(f.step()));
        });
    }
    g.finish();
}

fn one_line(c: &mut Criterion) {
    for mode in [Mode::Strict, Mode::Evenly, Mode::Balanced] {
        steady_state(c, "steady_state", mode, 1, None, &SIZES);
    }
}

fn all_mode(c: &mut Criterion) {
    steady_state(c, "steady_state", Mode::All, 1, None, &ALL_SIZES);
}

fn four_lines(c: &mut Criterion) {
    for mode in [Mode::Strict, Mode::Evenly, Mode::Balanced] {
        steady_state(c, "steady_state_4_lines", mode, 4, None, &SIZES);
    }
}

fn offer_timeout(c: &mut Criterion) {
    for mode in [Mode::Strict, Mode::Evenly, Mode::Balanced] {
        steady_state(
            c,
            "steady_state_offer_12h",
            mode,
            1,
            Some(TWELVE_HOURS),
            &SIZES,
        );
    }
}

fn time_aware(c: &mut Criterion) {
    for mode in [Mode::Strict, Mode::Evenly, Mode::Balanced] {
        steady_state_with(c, "steady_state_time_aware", mode, 1, None, true, &SIZES);
    }
}

/// The cost of rule lists an arrival reads and none of whose rules matches.
fn rules(c: &mut Criterion) {
    let mut g = c.benchmark_group("steady_state_rules/strict");
    for r in [0, 10, 100] {
        let mut fixture = None;
        g.bench_function(BenchmarkId::from_parameter(r), |b| {
            let f = fixture.get_or_insert_with(|| {
                let mut f = Fixture::new(Mode::Strict, 1, 10_000, None, false);
                f.set_rules(r);
                f
            });
            b.iter(|| black_box(f.step()));
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    one_line,
    all_mode,
    four_lines,
    offer_timeout,
    time_aware,
    rules
);
criterion_main!(benches);
