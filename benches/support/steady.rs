//! The steady-state routing fixture shared by `benches/routing.rs` and
//! `examples/instructions.rs`: a pool of online operators, a standing population of open
//! conversations, and one routed conversation per [`Fixture::step`] (an arrival and a close).

use std::hint::black_box;

use chrono::{DateTime, TimeZone, Utc};
use routeline::{
    AutoReplies, ChannelConfig, ChannelId, ClientId, ConversationId, DecisionKind, Engine, Input,
    LineConfig, Mode, OperatorConfig, OperatorId, Presence, RatingConfig, RuleLists,
    ScheduleConfig, SlaConfig,
};

/// The line's cap per operator; the standing population is half of it per operator.
pub const CAP: u32 = 4;

/// One benchmark's pool and the ring of conversations it cycles through.
pub struct Fixture {
    engine: Engine,
    /// A fixed instant: the engine's clock never moves, so no deadline ever fires.
    now: DateTime<Utc>,
    convs: Vec<ConversationId>,
    clients: Vec<ClientId>,
    /// One channel per line; ring slot `j` writes through `channels[j % lines]`.
    channels: Vec<ChannelId>,
    /// Accept every arrival (offer timeout or mode `all`).
    accept: bool,
    /// How many conversations are open at every iteration boundary.
    open: usize,
    /// The ring slot of the oldest open conversation.
    head: usize,
}

impl Fixture {
    /// `operators` online operators, each a member of `lines` lines in `mode` with cap [`CAP`],
    /// and `operators * CAP / 2` open conversations.
    pub fn new(
        mode: Mode,
        lines: usize,
        operators: usize,
        offer_timeout: Option<u32>,
        time_aware: bool,
    ) -> Self {
        let now = Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .expect("a valid fixed date");
        let mut engine = Engine::new();
        let mut handle = |input: Input| {
            engine
                .handle(now, input)
                .expect("benchmark setup input is valid");
        };

        // Operator `o` is in group `g-{o % lines}`; line `k` lists the groups starting at
        // `g-{k}`, so every operator is a member of every line, at a different place in each.
        let mut channels = Vec::with_capacity(lines);
        for k in 0..lines {
            let mut cfg = LineConfig::new(format!("line-{k}"))
                .mode(mode)
                .max_open_per_operator(CAP);
            for g in 0..lines {
                cfg = cfg.group(format!("g-{}", (k + g) % lines));
            }
            if let Some(secs) = offer_timeout {
                cfg = cfg.offer_timeout_secs(secs);
            }
            if time_aware {
                cfg = time_aware_settings(cfg);
            }
            handle(Input::from(cfg));
            let channel = ChannelId::from(format!("wa-{k}"));
            handle(Input::ConnectChannel(ChannelConfig::new(
                channel.clone(),
                format!("line-{k}"),
            )));
            channels.push(channel);
        }
        for o in 0..operators {
            let operator = OperatorId::from(format!("op-{o}"));
            handle(Input::UpsertOperator(
                OperatorConfig::new(operator.clone()).group(format!("g-{}", o % lines)),
            ));
            handle(Input::Presence {
                operator,
                status: Presence::Online,
            });
        }

        let open = operators * CAP as usize / 2;
        let ring = open + 1;
        let mut fixture = Fixture {
            engine,
            now,
            convs: (0..ring)
                .map(|j| ConversationId::from(format!("conv-{j}")))
                .collect(),
            clients: (0..ring)
                .map(|j| ClientId::from(format!("client-{j}")))
                .collect(),
            channels,
            accept: offer_timeout.is_some() || mode == Mode::All,
            open,
            head: 1,
        };
        // Open every ring slot once (so the timed loop interns nothing), then close slot 0:
        // slots 1..=open stay open and slot 0 is the next to reopen.
        for j in 0..ring {
            let (_, routed) = fixture.arrive(j);
            assert!(
                routed,
                "conversation {j} of the standing population was not routed"
            );
        }
        fixture.close(0);
        // One untimed iteration, checked: the steady state really routes every arrival.
        let slot = fixture.head + fixture.open;
        let (_, routed) = fixture.arrive(slot % ring);
        assert!(routed, "a steady-state arrival was not routed");
        fixture.close(fixture.head);
        fixture.head += 1;
        fixture
    }

    /// A client writes in ring slot `j` (closed or new), and the operator it goes to accepts
    /// when the line needs it. Returns the number of decisions drained and whether the
    /// conversation was assigned or offered (not queued).
    fn arrive(&mut self, j: usize) -> (usize, bool) {
        let conversation = &self.convs[j];
        self.engine
            .handle(
                self.now,
                Input::MessageIn {
                    conversation: conversation.clone(),
                    client: self.clients[j].clone(),
                    channel: self.channels[j % self.channels.len()].clone(),
                    request: None,
                },
            )
            .expect("message_in on a connected channel");
        let mut decisions = 0;
        let mut winner = None;
        while let Some(d) = self.engine.poll_decision() {
            decisions += 1;
            match d.kind {
                DecisionKind::Assigned { operator, .. } => winner = Some(operator),
                // Mode `all`: a different operator wins each time.
                DecisionKind::Offered { operators, .. } => {
                    winner = operators.get(j % operators.len().max(1)).cloned();
                }
                kind => {
                    black_box(kind);
                }
            }
        }
        let routed = winner.is_some();
        if let (true, Some(operator)) = (self.accept, winner) {
            self.engine
                .handle(
                    self.now,
                    Input::Accept {
                        conversation: conversation.clone(),
                        operator,
                    },
                )
                .expect("accepting an offer that was just made");
            while let Some(d) = self.engine.poll_decision() {
                decisions += 1;
                black_box(d);
            }
        }
        (decisions, routed)
    }

    /// Closes the conversation in ring slot `j`. Returns the number of decisions drained.
    fn close(&mut self, j: usize) -> usize {
        self.engine
            .handle(
                self.now,
                Input::Close {
                    conversation: self.convs[j].clone(),
                },
            )
            .expect("closing an open conversation");
        let mut decisions = 0;
        while let Some(d) = self.engine.poll_decision() {
            decisions += 1;
            black_box(d);
        }
        decisions
    }

    /// Sets `n` rules in each list (DESIGN §6) that every arrival evaluates and none matches
    /// (each asks for a channel kind no channel has), so a step pays for reading the lists
    /// and nothing else changes.
    pub fn set_rules(&mut self, n: usize) {
        let rule = |list: &str, i: usize| {
            serde_json::json!({
                "name": format!("{list}-{i}"),
                "when": {"event": ["client_message", "operator_message"],
                         "channel_kind": [format!("kind-{i}")]},
                "then": [{"action": "status", "status": "waiting"}],
            })
        };
        let lists = serde_json::json!({
            "incoming": (0..n).map(|i| rule("incoming", i)).collect::<Vec<_>>(),
            "changed": (0..n).map(|i| rule("changed", i)).collect::<Vec<_>>(),
        });
        let lists: RuleLists = serde_json::from_value(lists).expect("well-formed rule lists");
        self.engine
            .handle(self.now, Input::SetRules(lists))
            .expect("rules naming no line are valid");
        while self.engine.poll_decision().is_some() {}
    }

    /// One routed conversation: the next ring slot arrives, the oldest open one closes.
    pub fn step(&mut self) -> usize {
        let ring = self.convs.len();
        let (arrived, _) = self.arrive((self.head + self.open) % ring);
        let closed = self.close(self.head);
        self.head = (self.head + 1) % ring;
        arrived + closed
    }
}

/// Working hours (open at the benchmark's fixed instant, a Monday 09:00 UTC), welcome and
/// unanswered auto-replies, business-hours SLA targets, a rating request on close and an
/// inactivity close: every arrival arms two timers and every close cancels them.
pub fn time_aware_settings(cfg: LineConfig) -> LineConfig {
    cfg.schedule(
        ScheduleConfig::new("Europe/Moscow")
            .weekdays("08:00", "20:00")
            .holiday("01-01"),
    )
    .auto_replies(AutoReplies {
        welcome: true,
        off_hours: true,
        no_operators: true,
        unanswered_after_secs: Some(300),
    })
    .sla(SlaConfig {
        first_response_secs: Some(600),
        next_response_secs: Some(900),
        business_hours_only: true,
    })
    .rating(RatingConfig {
        request_on_close: true,
        close_on_rating: false,
    })
    .auto_close_after_secs(3_600)
}
