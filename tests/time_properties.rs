//! Property tests for time-aware lines over random input sequences:
//!
//! - nothing is routed automatically while its line is closed;
//! - every `unanswered` auto-reply and every `sla_breached` is justified by the inputs: a client
//!   message that opened the streak exactly the configured time before (or, for a business-hours
//!   target, at least that long before), no operator answer and no completion since (DESIGN §6:
//!   completing stops both; a client's message re-activating the conversation starts them
//!   again), and only one per streak;
//! - tick cadence still does not matter;
//! - the engine's own audit holds after every step.

mod common;

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc, Weekday};
use common::{Step, scenario};
use proptest::prelude::*;
use proptest::sample::select;
use routeline::{
    AssignReason, AutoReplies, AutoReplyKind, BotConfig, BotJoin, BotLeave, Decision, DecisionKind,
    Engine, Input, LineConfig, RatingConfig, ScheduleConfig, SlaConfig, SlaKind,
};

/// A time-aware configuration for one of the generator's lines.
fn time_aware_line() -> BoxedStrategy<LineConfig> {
    let schedule = prop_oneof![
        2 => Just(None),
        3 => (select(vec!["UTC", "Europe/Moscow", "America/New_York", "Australia/Lord_Howe"]),
              0u32..24, 1u32..6, 0u32..3)
            .prop_map(|(zone, start, len, gap)| {
                // Two short shifts a day, every day, so that lines open and close within the
                // generated time steps.
                let h = |x: u32| if x >= 24 { "24:00".to_string() } else { format!("{x:02}:00") };
                let mut s = ScheduleConfig::new(zone);
                for d in [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun] {
                    let a = start;
                    let b = (start + len).min(24);
                    if a < b {
                        s = s.hours(d, &h(a), &h(b));
                    }
                    let c = (b + gap + 1).min(23);
                    let e = (c + len).min(24);
                    if c < e && c >= b {
                        s = s.hours(d, &h(c), &h(e));
                    }
                }
                Some(s)
            }),
    ];
    let secs = || prop_oneof![Just(None), (60u32..=900).prop_map(Some)];
    (
        (
            common::line(),
            prop_oneof![
                Just(routeline::Mode::Strict),
                Just(routeline::Mode::Evenly),
                Just(routeline::Mode::Balanced),
                Just(routeline::Mode::All)
            ],
            prop::collection::vec(common::op(), 0..4),
            prop_oneof![Just(None), Just(Some(60u32)), Just(Some(300))],
            any::<bool>(),
        ),
        schedule,
        (any::<bool>(), any::<bool>(), any::<bool>(), secs()),
        (secs(), secs(), any::<bool>()),
        prop_oneof![2 => Just(None), 1 => (any::<bool>(), secs(), any::<bool>()).prop_map(Some)],
        (any::<bool>(), any::<bool>(), secs()),
    )
        .prop_map(
            |(
                (line, mode, queue, timeout, check),
                schedule,
                (welcome, off, none, unanswered),
                (first, next, business),
                bot,
                (request, close, auto_close),
            )| {
                let mut cfg = LineConfig::new(line.as_str())
                    .mode(mode)
                    .check_availability(check);
                for o in queue {
                    cfg = cfg.member(o.as_str());
                }
                cfg.offer_timeout_secs = timeout;
                cfg.schedule = schedule;
                cfg.auto_replies = Some(AutoReplies {
                    welcome,
                    off_hours: off,
                    no_operators: none,
                    unanswered_after_secs: unanswered,
                });
                cfg.sla = Some(SlaConfig {
                    first_response_secs: first,
                    next_response_secs: next,
                    business_hours_only: business,
                });
                cfg.bot = bot.map(|(first_contact, after, close)| BotConfig {
                    bot: "faq".into(),
                    join: if first_contact {
                        BotJoin::FirstContact
                    } else {
                        BotJoin::Always
                    },
                    handoff_after_secs: after,
                    on_leave: if close {
                        BotLeave::Close
                    } else {
                        BotLeave::Queue
                    },
                });
                cfg.rating = Some(RatingConfig {
                    request_on_close: request,
                    close_on_rating: close,
                });
                cfg.auto_close_after_secs = auto_close;
                cfg
            },
        )
        .boxed()
}

fn conversation() -> BoxedStrategy<String> {
    select(vec!["v1", "v2", "v3", "v4", "v5", "v6"])
        .prop_map(String::from)
        .boxed()
}

/// Inputs only time-aware lines have.
fn extra_input() -> BoxedStrategy<Input> {
    prop_oneof![
        4 => time_aware_line().prop_map(Input::from),
        1 => conversation().prop_map(|c| Input::BotHandoff { conversation: c.as_str().into() }),
        1 => (conversation(), 0u8..=6).prop_map(|(c, score)| Input::Rating {
            conversation: c.as_str().into(),
            score,
        }),
    ]
    .boxed()
}

/// Core scenarios with time-aware line configurations and inputs mixed in.
fn steps() -> BoxedStrategy<Vec<Step>> {
    (
        scenario(35),
        prop::collection::vec((any::<prop::sample::Index>(), extra_input()), 1..8),
    )
        .prop_map(|(mut steps, extras)| {
            for (i, input) in extras {
                let at = i.index(steps.len() + 1);
                let t = if at < steps.len() {
                    steps[at].at
                } else {
                    steps.last().map_or_else(common::base_time, |s| s.at)
                };
                steps.insert(at, Step { at: t, input });
            }
            steps
        })
        .boxed()
}

/// What the test remembers of a conversation's current streaks.
#[derive(Clone, Debug, Default)]
struct Shadow {
    /// Start of the unanswered streak and the reply delay armed then.
    unanswered: Option<(DateTime<Utc>, Option<u32>)>,
    unanswered_sent: bool,
    /// The running target: kind, start, seconds, business hours only.
    sla: Option<(SlaKind, DateTime<Utc>, u32, bool)>,
}

struct Checker {
    engine: Engine,
    lines: BTreeMap<String, LineConfig>,
    /// Each channel's line as last connected.
    channels: BTreeMap<String, String>,
    convs: BTreeMap<String, Shadow>,
    /// Where each conversation was last placed, as the decisions said (`assigned o1`,
    /// `offered [o1, o2]`), until it left that place.
    placed: BTreeMap<String, String>,
}

impl Checker {
    fn new() -> Self {
        Self {
            engine: Engine::new(),
            lines: BTreeMap::new(),
            channels: BTreeMap::new(),
            convs: BTreeMap::new(),
            placed: BTreeMap::new(),
        }
    }

    fn drain(&mut self) -> Vec<Decision> {
        std::iter::from_fn(|| self.engine.poll_decision()).collect()
    }

    /// Checks one batch of decisions, all made under the current line settings.
    fn check(&mut self, decisions: &[Decision]) -> Result<(), TestCaseError> {
        for d in decisions {
            // The same place named again is no routing (an assignment made final, or the
            // answer clock of a placement made while nobody awaited an answer starting when the
            // client writes, DESIGN §6): only new placements must find their line open.
            let place = match &d.kind {
                DecisionKind::Assigned {
                    conversation,
                    operator,
                    ..
                } => Some((conversation, format!("assigned {operator}"))),
                DecisionKind::Offered {
                    conversation,
                    operators,
                    ..
                } => Some((conversation, format!("offered {operators:?}"))),
                _ => None,
            };
            if let Some((c, p)) = place {
                if self.placed.insert(c.to_string(), p.clone()) == Some(p) {
                    continue;
                }
            }
            match &d.kind {
                DecisionKind::Assigned {
                    line,
                    reason: AssignReason::Routed | AssignReason::Pinned | AssignReason::LastOperator,
                    conversation,
                    ..
                }
                | DecisionKind::Offered {
                    line, conversation, ..
                } => {
                    let hours = self.engine.line_hours(line.as_str(), d.at);
                    prop_assert!(
                        hours.is_none_or(|h| h.open),
                        "{conversation} routed automatically on closed line {line} at {}",
                        d.at
                    );
                }
                DecisionKind::AutoReply {
                    conversation,
                    kind: AutoReplyKind::Unanswered,
                    ..
                } => {
                    let s = self.convs.entry(conversation.to_string()).or_default();
                    let Some((start, Some(secs))) = s.unanswered else {
                        return Err(TestCaseError::fail(format!(
                            "unanswered reply for {conversation} at {} without a streak",
                            d.at
                        )));
                    };
                    prop_assert!(!s.unanswered_sent, "second unanswered reply in one streak");
                    prop_assert_eq!(d.at, start + TimeDelta::seconds(i64::from(secs)));
                    s.unanswered_sent = true;
                }
                DecisionKind::SlaBreached {
                    conversation,
                    kind,
                    due_at,
                    ..
                } => {
                    let s = self.convs.entry(conversation.to_string()).or_default();
                    let Some((k, start, secs, business)) = s.sla.take() else {
                        return Err(TestCaseError::fail(format!(
                            "sla_breached for {conversation} at {} without a running target",
                            d.at
                        )));
                    };
                    prop_assert_eq!(*kind, k);
                    prop_assert_eq!(*due_at, d.at);
                    let earliest = start + TimeDelta::seconds(i64::from(secs));
                    if business {
                        prop_assert!(*due_at >= earliest);
                    } else {
                        prop_assert_eq!(*due_at, earliest);
                    }
                }
                DecisionKind::Closed { conversation, .. } => {
                    self.convs.remove(conversation.as_str());
                    self.placed.remove(conversation.as_str());
                }
                DecisionKind::Unassigned { conversation, .. }
                | DecisionKind::OfferWithdrawn { conversation, .. }
                | DecisionKind::Queued { conversation, .. }
                | DecisionKind::BotAssigned { conversation, .. }
                | DecisionKind::BotLeft { conversation, .. } => {
                    self.placed.remove(conversation.as_str());
                }
                // A completed session has no streak and no target (DESIGN §6): both stop
                // silently, the `complete` input's or a rule's.
                DecisionKind::Completed { conversation, .. } => {
                    self.convs.remove(conversation.as_str());
                    self.placed.remove(conversation.as_str());
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn step(&mut self, step: &Step) -> Result<(), TestCaseError> {
        // Deadlines first, under the settings in force before the input.
        self.engine.handle_timeout(step.at);
        let fired = self.drain();
        self.check(&fired)?;
        let before = match &step.input {
            Input::MessageIn { conversation, .. } | Input::MessageOut { conversation, .. } => {
                self.engine.conversation(conversation.as_str())
            }
            _ => None,
        };
        let ok = self.engine.handle(step.at, step.input.clone()).is_ok();
        let now = self.engine.now().expect("an input was handled");
        if ok {
            match &step.input {
                Input::UpsertLine(cfg) => {
                    self.lines.insert(cfg.line.to_string(), (**cfg).clone());
                }
                Input::RemoveLine { line } => {
                    self.lines.remove(line.as_str());
                }
                Input::ConnectChannel(cfg) => {
                    self.channels
                        .insert(cfg.channel.to_string(), cfg.line.to_string());
                }
                Input::MessageIn {
                    conversation,
                    channel,
                    ..
                } => {
                    let opened = before
                        .as_ref()
                        .is_none_or(|v| v.state == routeline::ConversationState::Closed);
                    // A completed conversation the message re-activates starts a streak and a
                    // target whoever spoke last: first response if nobody has answered since
                    // it opened, next response otherwise (DESIGN §6).
                    let reactivated = before
                        .as_ref()
                        .is_some_and(|v| v.state == routeline::ConversationState::Completed);
                    let was_awaiting = before.as_ref().is_some_and(|v| v.awaiting_reply);
                    let answered = before.as_ref().is_some_and(|v| v.answered);
                    // The clocks start on the conversation's line before its rules run (a
                    // rule may move it in the same input): the channel's line for a new
                    // session, its own otherwise.
                    let line = match &before {
                        Some(v) if !opened => Some(v.line.to_string()),
                        _ => self.channels.get(channel.as_str()).cloned(),
                    };
                    let cfg = line.and_then(|l| self.lines.get(&l)).cloned();
                    let s = self.convs.entry(conversation.to_string()).or_default();
                    if opened || reactivated {
                        *s = Shadow::default();
                    }
                    if opened || reactivated || !was_awaiting {
                        let secs = cfg
                            .as_ref()
                            .and_then(|c| c.auto_replies.as_ref())
                            .and_then(|a| a.unanswered_after_secs);
                        if s.unanswered.is_none() {
                            s.unanswered = Some((now, secs));
                            s.unanswered_sent = false;
                        }
                        let kind = if opened || (reactivated && !answered) {
                            Some(SlaKind::FirstResponse)
                        } else if answered {
                            Some(SlaKind::NextResponse)
                        } else {
                            None
                        };
                        if let (Some(kind), None, Some(sla)) =
                            (kind, s.sla, cfg.as_ref().and_then(|c| c.sla.as_ref()))
                        {
                            let secs = match kind {
                                SlaKind::FirstResponse => sla.first_response_secs,
                                _ => sla.next_response_secs,
                            };
                            if let Some(secs) = secs {
                                let business = sla.business_hours_only
                                    && cfg.as_ref().is_some_and(|c| c.schedule.is_some());
                                s.sla = Some((kind, now, secs, business));
                            }
                        }
                    }
                }
                Input::MessageOut { conversation, .. } => {
                    let s = self.convs.entry(conversation.to_string()).or_default();
                    *s = Shadow::default();
                }
                _ => {}
            }
        }
        let decisions = self.drain();
        if ok {
            self.check(&decisions)?;
        } else {
            prop_assert!(decisions.is_empty(), "a failed input made decisions");
        }
        if let Err(e) = self.engine.verify_invariants() {
            return Err(TestCaseError::fail(format!("invariant broken: {e}")));
        }
        Ok(())
    }
}

/// The decisions of a run, as JSON lines, and which steps were accepted. `tick` decides how
/// often time is let pass between inputs (0: never, 1: at every deadline, 2: at most one
/// deadline before halfway to the next input); ticks come only before inputs that `accepted`
/// says succeed, since a failed input fires nothing (invariant 11 is about everything up to the
/// last successful input).
fn run(steps: &[Step], tick: u8, accepted: &[bool]) -> (Vec<String>, Vec<bool>) {
    let mut engine = Engine::new();
    let mut out = Vec::new();
    let mut ok = Vec::new();
    let mut prev: Option<DateTime<Utc>> = None;
    for (i, step) in steps.iter().enumerate() {
        let will_succeed = accepted.get(i).copied().unwrap_or(false);
        match tick {
            1 if will_succeed => {
                while let Some(t) = engine.poll_timeout().filter(|&t| t <= step.at) {
                    engine.handle_timeout(t);
                }
            }
            2 if will_succeed => {
                // Only deadlines, never a moment with nothing due: such a tick would tell the
                // engine the time, and a later input stamped earlier would be applied then.
                if let Some(p) = prev.filter(|&p| p < step.at) {
                    let half = p + (step.at - p) / 2;
                    if let Some(t) = engine.poll_timeout().filter(|&t| t <= half) {
                        engine.handle_timeout(t);
                    }
                }
            }
            _ => {}
        }
        ok.push(engine.handle(step.at, step.input.clone()).is_ok());
        prev = engine.now();
        out.extend(
            std::iter::from_fn(|| engine.poll_decision())
                .map(|d| serde_json::to_string(&d).expect("decisions serialise")),
        );
    }
    (out, ok)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(96)))]

    #[test]
    fn time_aware_decisions_are_justified(steps in steps()) {
        let mut checker = Checker::new();
        for step in &steps {
            checker.step(step)?;
        }
    }

    #[test]
    fn tick_cadence_does_not_matter_for_time_aware_lines(steps in steps()) {
        let (never, accepted) = run(&steps, 0, &[]);
        prop_assert_eq!(&run(&steps, 1, &accepted), &(never.clone(), accepted.clone()));
        prop_assert_eq!(&run(&steps, 2, &accepted), &(never, accepted.clone()));
    }
}
