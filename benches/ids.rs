//! Ids from the outside world, built to collide: what crafted conversation ids cost.
//!
//! Each iteration opens 20 000 conversations on a fresh copy of a small engine (one line, 100
//! operators) and closes them again — 40 000 inputs — once with ordinary 32-character ids of
//! letters and digits, once with ids of the same shape built so that all of them have the same
//! FxHash (`support/collide.rs`). The engine hashes ids with a keyed hash (SipHash-1-3, keyed
//! by `Engine::with_seed`), so the crafted ids cost what ordinary ones do; compare the two
//! times side by side (target: at most 2×).
//!
//! ```text
//! cargo bench --bench ids
//! ```

use std::hint::black_box;

use chrono::{DateTime, TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use routeline::{
    ChannelConfig, ChannelId, ClientId, ConversationId, Engine, Input, LineConfig, Mode,
    OperatorConfig, Presence,
};

#[path = "support/collide.rs"]
mod collide;

/// How many conversations each iteration opens and closes.
const CONVERSATIONS: usize = 20_000;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("a valid fixed date")
}

/// A line of 100 online operators with room for everything, and a channel.
fn base() -> Engine {
    let mut engine = Engine::new();
    let mut line = LineConfig::new("support").mode(Mode::Evenly);
    for o in 0..100 {
        let id = format!("op-{o}");
        engine
            .handle(
                now(),
                Input::UpsertOperator(OperatorConfig::new(id.as_str())),
            )
            .expect("a valid operator");
        engine
            .handle(
                now(),
                Input::Presence {
                    operator: id.as_str().into(),
                    status: Presence::Online,
                },
            )
            .expect("a known operator");
        line = line.member(id.as_str());
    }
    engine
        .handle(now(), Input::from(line))
        .expect("a valid line");
    engine
        .handle(
            now(),
            Input::ConnectChannel(ChannelConfig::new("web", "support")),
        )
        .expect("a valid channel");
    while engine.poll_decision().is_some() {}
    engine
}

/// Opens every conversation, then closes every one, draining decisions.
fn open_and_close(engine: &mut Engine, ids: &[(ConversationId, ClientId)], web: &ChannelId) {
    for (conversation, client) in ids {
        engine
            .handle(
                now(),
                Input::MessageIn {
                    conversation: conversation.clone(),
                    client: client.clone(),
                    channel: web.clone(),
                    request: None,
                },
            )
            .expect("a new conversation");
        while let Some(d) = engine.poll_decision() {
            black_box(d);
        }
    }
    for (conversation, _) in ids {
        engine
            .handle(
                now(),
                Input::Close {
                    conversation: conversation.clone(),
                },
            )
            .expect("an open conversation");
        while let Some(d) = engine.poll_decision() {
            black_box(d);
        }
    }
}

fn bench_ids(c: &mut Criterion) {
    let full = std::env::args().any(|a| a == "--bench");
    // Under `cargo test --benches` a small set keeps CI fast.
    let n = if full { CONVERSATIONS } else { 200 };
    let engine = base();
    let web = ChannelId::from("web");
    let sets = [
        ("ordinary", collide::ordinary_ids(n)),
        ("colliding", collide::colliding_ids(n)),
    ];
    let mut group = c.benchmark_group("ids");
    group.sample_size(10);
    for (name, ids) in sets {
        let distinct: std::collections::BTreeSet<_> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len(), "{name} ids are distinct");
        // Each conversation from its own client, whose id collides too.
        let ids: Vec<(ConversationId, ClientId)> = ids
            .iter()
            .map(|id| (id.as_str().into(), id.as_str().into()))
            .collect();
        group.bench_function(format!("{name}_{n}"), |b| {
            b.iter_batched(
                || engine.clone(),
                |mut engine| open_and_close(&mut engine, &ids, &web),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench_ids);
criterion_main!(benches);
