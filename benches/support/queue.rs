//! The contact-centre queue fixtures (DESIGN §7) shared by `benches/queue.rs` and
//! `examples/instructions.rs`:
//!
//! - [`Backlog`]: one line with a long waiting queue and one operator who frees capacity each
//!   step — a close, then the drain places the head of the queue, and a new arrival joins the
//!   back, so the queue stays as long. FIFO (no priorities) or with priorities: rules by
//!   channel kind and request, a VIP bonus for one client in eight, and aging.
//! - [`Mixed`]: calls and chats in one line of many operators: every fourth arrival is a
//!   call, each arrival is accepted, the oldest open conversation closes.

use std::hint::black_box;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use routeline::{
    ChannelConfig, ClientConfig, ConversationId, DecisionKind, Engine, Input, LineConfig, Mode,
    OperatorConfig, Presence, PriorityConfig, PriorityRule, Request,
};

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("a valid fixed date")
}

fn drain(engine: &mut Engine) -> usize {
    let mut n = 0;
    while let Some(d) = engine.poll_decision() {
        n += 1;
        black_box(d);
    }
    n
}

const CHANNELS: [(&str, &str); 4] = [
    ("wa", "whatsapp"),
    ("tg", "telegram"),
    ("web", "widget"),
    ("tel", "phone"),
];

/// A long waiting queue drained one placement a step.
pub struct Backlog {
    engine: Engine,
    now: DateTime<Utc>,
    /// The conversation the operator holds.
    held: ConversationId,
    /// The next conversation number to arrive.
    next: usize,
}

impl Backlog {
    /// One operator (cap 1), `waiting` conversations waiting behind the one they hold; with
    /// `priorities`, the line orders them by channel kind, request and VIP, with aging.
    pub fn new(waiting: usize, priorities: bool) -> Self {
        let now = start();
        let mut engine = Engine::new();
        let mut handle = |input: Input| {
            engine
                .handle(now, input)
                .expect("benchmark setup input is valid");
        };
        handle(Input::UpsertOperator(OperatorConfig::new("op").max_open(1)));
        let mut line = LineConfig::new("queue").mode(Mode::Strict).member("op");
        if priorities {
            let rule = |request, kind: Option<&str>, priority| PriorityRule {
                request,
                channel_kind: kind.map(str::to_string),
                channel: None,
                priority,
            };
            line = line.priority(PriorityConfig {
                rules: vec![
                    rule(Some(Request::Call), None, 50),
                    rule(None, Some("whatsapp"), 10),
                    rule(None, Some("telegram"), 5),
                ],
                vip: Some(100),
                aging_secs: Some(6),
            });
        }
        handle(Input::from(line));
        for (channel, kind) in CHANNELS {
            handle(Input::ConnectChannel(
                ChannelConfig::new(channel, "queue").kind(kind),
            ));
        }
        for c in (0..waiting + 1).filter(|c| c % 8 == 0) {
            handle(Input::UpsertClient(
                ClientConfig::new(format!("client-{c}")).vip(true),
            ));
        }
        handle(Input::Presence {
            operator: "op".into(),
            status: Presence::Online,
        });
        let mut fixture = Backlog {
            engine,
            now,
            held: ConversationId::from("conv-0"),
            next: 0,
        };
        for _ in 0..=waiting {
            fixture.arrive();
        }
        drain(&mut fixture.engine);
        fixture
    }

    /// Conversation `next` arrives (a call on the phone channel, else a text), one second
    /// after the last.
    fn arrive(&mut self) -> usize {
        let n = self.next;
        self.next += 1;
        let (channel, _) = CHANNELS[n % CHANNELS.len()];
        self.now += TimeDelta::seconds(1);
        self.engine
            .handle(
                self.now,
                Input::MessageIn {
                    conversation: format!("conv-{n}").into(),
                    client: format!("client-{n}").into(),
                    channel: channel.into(),
                    request: (channel == "tel").then_some(Request::Call),
                },
            )
            .expect("message_in on a connected channel");
        drain(&mut self.engine)
    }

    /// The operator closes what they hold; the drain places the head of the queue with them;
    /// a new conversation arrives. Returns the decisions drained.
    pub fn step(&mut self) -> usize {
        self.engine
            .handle(
                self.now,
                Input::Close {
                    conversation: self.held.clone(),
                },
            )
            .expect("closing the held conversation");
        let mut decisions = 0;
        let mut placed = None;
        while let Some(d) = self.engine.poll_decision() {
            decisions += 1;
            if let DecisionKind::Assigned { conversation, .. } = d.kind {
                placed = Some(conversation);
            }
        }
        let placed = placed.expect("the drain placed the head of the queue");
        // A call rings until accepted: the operator picks up.
        self.engine
            .handle(
                self.now,
                Input::Accept {
                    conversation: placed.clone(),
                    operator: "op".into(),
                },
            )
            .expect("accepting what rings");
        decisions += drain(&mut self.engine);
        self.held = placed;
        decisions + self.arrive()
    }
}

/// Calls and chats mixed in one line of many operators.
pub struct Mixed {
    engine: Engine,
    now: DateTime<Utc>,
    /// Open conversations, oldest first.
    open: std::collections::VecDeque<ConversationId>,
    next: usize,
}

impl Mixed {
    /// `operators` online operators with cap 4 in mode `balanced`, and half their capacity
    /// open.
    pub fn new(operators: usize) -> Self {
        let now = start();
        let mut engine = Engine::new();
        let mut handle = |input: Input| {
            engine
                .handle(now, input)
                .expect("benchmark setup input is valid");
        };
        handle(Input::from(
            LineConfig::new("desk")
                .mode(Mode::Balanced)
                .group("agents")
                .max_open_per_operator(4),
        ));
        handle(Input::ConnectChannel(
            ChannelConfig::new("tel", "desk").kind("phone"),
        ));
        handle(Input::ConnectChannel(
            ChannelConfig::new("wa", "desk").kind("whatsapp"),
        ));
        for o in 0..operators {
            handle(Input::UpsertOperator(
                OperatorConfig::new(format!("op-{o}")).group("agents"),
            ));
            handle(Input::Presence {
                operator: format!("op-{o}").into(),
                status: Presence::Online,
            });
        }
        let mut fixture = Mixed {
            engine,
            now,
            open: Default::default(),
            next: 0,
        };
        for _ in 0..operators {
            fixture.arrive();
        }
        fixture
    }

    /// A client writes (every fourth a call); whoever gets it accepts.
    fn arrive(&mut self) -> usize {
        let n = self.next;
        self.next += 1;
        let call = n % 4 == 0;
        let id = ConversationId::from(format!("conv-{n}"));
        self.engine
            .handle(
                self.now,
                Input::MessageIn {
                    conversation: id.clone(),
                    client: format!("client-{n}").into(),
                    channel: if call { "tel" } else { "wa" }.into(),
                    request: call.then_some(Request::Call),
                },
            )
            .expect("message_in on a connected channel");
        let mut decisions = 0;
        let mut to = None;
        while let Some(d) = self.engine.poll_decision() {
            decisions += 1;
            if let DecisionKind::Assigned { operator, .. } = d.kind {
                to = Some(operator);
            }
        }
        if let Some(operator) = to {
            self.engine
                .handle(
                    self.now,
                    Input::Accept {
                        conversation: id.clone(),
                        operator,
                    },
                )
                .expect("accepting what rings");
            decisions += drain(&mut self.engine);
        }
        self.open.push_back(id);
        decisions
    }

    /// One conversation arrives, the oldest open one closes.
    pub fn step(&mut self) -> usize {
        let arrived = self.arrive();
        let oldest = self.open.pop_front().expect("conversations are open");
        self.engine
            .handle(
                self.now,
                Input::Close {
                    conversation: oldest,
                },
            )
            .expect("closing an open conversation");
        arrived + drain(&mut self.engine)
    }
}
