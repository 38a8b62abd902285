//! The machine's floor: one load whose address depends on the previous one, over a random
//! cycle through 1 MiB, 4 MiB and 64 MiB of memory — what reading a conversation, an operator
//! or an id's hash entry picked at random costs when the working set is larger than the cache.
//! At 10 000 operators and 100 000 open conversations the records alone are tens of megabytes,
//! so each input of the day workload (`benches/workload.rs`) pays a few of these in a row; its
//! throughput is read against these figures.
//!
//! ```text
//! cargo bench --bench machine
//! ```
//!
//! Under `cargo test --benches` (no `--bench` flag) only a 64 KiB cycle runs, once.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// A random cycle through `lines` 64-byte cache lines: the slot of each line (one `usize` at
/// the start of every eighth) holds the index of the next, so following it from 0 makes one
/// dependent load per step, each to a line chosen at random (a fixed-seed shuffle).
fn random_cycle(lines: usize) -> Vec<usize> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut order: Vec<usize> = (0..lines).collect();
    for i in (1..lines).rev() {
        // xorshift64
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let mut chain = vec![0; lines * 8];
    for k in 0..lines {
        chain[order[k] * 8] = order[(k + 1) % lines] * 8;
    }
    chain
}

fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

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
        let chain = random_cycle(bytes / 64);
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

criterion_group!(benches, bench_dependent_loads);
criterion_main!(benches);
