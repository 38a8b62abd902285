//! Measures the engine's memory per operator and per open conversation with a counting global
//! allocator — measured, not estimated.
//!
//! ```text
//! cargo run --release --example memory
//! cargo run --release --example memory -- 70000 140000   # other conversation counts
//! ```
//!
//! It builds 10 000 online operators on one `balanced` line (cap 12, four channels; more when
//! the conversations would not fit), then opens 100 000 conversations (or each count given on
//! the command line) from as many clients, twice: with final assignments (no offer timeout),
//! and with a 60-second offer timeout (every assignment then carries a pending deadline). It
//! prints the bytes live on the heap per operator and per open conversation, and what a closed
//! conversation keeps (the engine remembers closed conversations so that a client's message can
//! reopen them).

use chrono::{TimeZone, Utc};
use routeline::{ChannelConfig, Engine, Input, LineConfig, Mode, OperatorConfig, Presence};

#[path = "../benches/support/counting.rs"]
mod counting;
use counting::live;

const OPERATORS: usize = 10_000;
const CONVERSATIONS: usize = 100_000;
/// The cap per operator at 100 000 conversations (room for 120 000).
const CAP: usize = 12;

struct Measure {
    per_operator: f64,
    per_open: f64,
    per_closed: f64,
}

fn measure(conversations: usize, offer_timeout: Option<u32>) -> Result<Measure, routeline::Error> {
    let now = Utc
        .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("a valid fixed date");
    let start = live();
    let mut engine = Engine::new();
    let mut line = LineConfig::new("support")
        .mode(Mode::Balanced)
        .group("agents")
        .max_open_per_operator(CAP.max(conversations.div_ceil(OPERATORS) + 1) as u32);
    if let Some(secs) = offer_timeout {
        line = line.offer_timeout_secs(secs);
    }
    engine.handle(now, Input::from(line))?;
    for kind in ["whatsapp", "telegram", "web_chat", "email"] {
        engine.handle(
            now,
            Input::ConnectChannel(ChannelConfig::new(format!("{kind}-1"), "support").kind(kind)),
        )?;
    }
    let with_line = live();
    for i in 0..OPERATORS {
        let id = format!("op{i}");
        engine.handle(
            now,
            Input::UpsertOperator(OperatorConfig::new(id.as_str()).group("agents")),
        )?;
        engine.handle(
            now,
            Input::Presence {
                operator: id.as_str().into(),
                status: Presence::Online,
            },
        )?;
    }
    let with_operators = live();
    let channels = ["whatsapp-1", "telegram-1", "web_chat-1", "email-1"];
    for i in 0..conversations {
        engine.handle(
            now,
            Input::MessageIn {
                conversation: format!("k{i}").into(),
                client: format!("c{i}").into(),
                channel: channels[i % 4].into(),
                request: None,
            },
        )?;
        while engine.poll_decision().is_some() {}
    }
    let with_open = live();
    let counters = engine.line_counters("support").unwrap_or_default();
    assert_eq!(
        counters.assigned as usize + counters.offered as usize,
        conversations,
        "every conversation is placed"
    );
    for i in 0..conversations {
        engine.handle(
            now,
            Input::Close {
                conversation: format!("k{i}").into(),
            },
        )?;
        while engine.poll_decision().is_some() {}
    }
    let with_closed = live();
    drop(engine);
    let _ = start;
    Ok(Measure {
        per_operator: (with_operators - with_line) as f64 / OPERATORS as f64,
        per_open: (with_open - with_operators) as f64 / conversations as f64,
        per_closed: (with_closed as f64 - with_operators as f64) / conversations as f64,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut counts = Vec::new();
    for arg in std::env::args().skip(1) {
        counts.push(
            arg.parse::<usize>()
                .map_err(|e| format!("a conversation count, not `{arg}`: {e}"))?,
        );
    }
    if counts.is_empty() {
        counts.push(CONVERSATIONS);
    }
    println!("{OPERATORS} operators; conversations from as many clients; bytes live on the heap:");
    println!(
        "| conversations | assignments | per operator | per open conversation | per closed conversation |"
    );
    println!("|---|---|---|---|---|");
    for &n in &counts {
        for (name, timeout) in [("final at once", None), ("60 s offer timeout", Some(60))] {
            let m = measure(n, timeout)?;
            println!(
                "| {n} | {name} | {:.0} | {:.0} | {:.0} |",
                m.per_operator, m.per_open, m.per_closed
            );
        }
    }
    Ok(())
}
