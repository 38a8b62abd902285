//! Generators of the configuration: operators, lines (routing and time-aware settings),
//! channels.

use super::*;

/// A cap: mostly none or small.
pub fn small_cap() -> BoxedStrategy<Option<u32>> {
    weighted(vec![
        (4, None),
        (1, Some(0)),
        (3, Some(1)),
        (2, Some(2)),
        (1, Some(3)),
    ])
}

pub(super) fn valid_offer_timeout() -> BoxedStrategy<Option<u32>> {
    weighted(vec![
        (4, None),
        (4, Some(60)),
        (3, Some(300)),
        (1, Some(43_200)),
    ])
}

/// Mostly valid offer timeouts, sometimes out of range (rejected).
pub(super) fn offer_timeout() -> BoxedStrategy<Option<u32>> {
    prop_oneof![
        10 => valid_offer_timeout(),
        1 => select(vec![Some(0), Some(30), Some(59), Some(43_201), Some(50_000)]),
    ]
    .boxed()
}

pub fn operator_config() -> BoxedStrategy<OperatorConfig> {
    (
        op(),
        small_cap(),
        prop::collection::vec(group(), 0..=2),
        weighted(vec![(6, true), (1, false)]),
    )
        .prop_map(|(id, cap, groups, active)| {
            let mut cfg = OperatorConfig::new(id.as_str());
            cfg.max_open = cap;
            cfg.groups = groups.into_iter().map(Into::into).collect();
            cfg.active = active;
            cfg
        })
        .boxed()
}

pub fn queue_entry() -> BoxedStrategy<QueueEntry> {
    prop_oneof![
        4 => op().prop_map(|o| QueueEntry::Operator(o.into())),
        1 => group().prop_map(|g| QueueEntry::Group { group: g.into() }),
        // A group nobody belongs to.
        1 => Just(QueueEntry::Group { group: "g-empty".into() }),
    ]
    .boxed()
}

/// The time-aware settings of a line.
#[derive(Clone, Debug)]
pub struct LineExtras {
    pub schedule: Option<ScheduleConfig>,
    pub auto_replies: Option<AutoReplies>,
    pub sla: Option<SlaConfig>,
    pub bot: Option<BotConfig>,
    pub rating: Option<RatingConfig>,
    pub auto_close_after_secs: Option<u32>,
}

impl LineExtras {
    /// Sets the line's time-aware settings to these.
    pub fn apply(self, cfg: &mut LineConfig) {
        cfg.schedule = self.schedule;
        cfg.auto_replies = self.auto_replies;
        cfg.sla = self.sla;
        cfg.bot = self.bot;
        cfg.rating = self.rating;
        cfg.auto_close_after_secs = self.auto_close_after_secs;
    }
}

pub(super) fn day_hours() -> BoxedStrategy<DayHours> {
    let h = |v: &[(&str, &str)]| -> DayHours {
        v.iter()
            .map(|(a, b)| [a.to_string(), b.to_string()])
            .collect()
    };
    weighted(vec![
        (12, h(&[])),
        (16, h(&[("09:00", "18:00")])),
        (8, h(&[("00:00", "24:00")])),
        (8, h(&[("09:00", "13:00"), ("14:00", "18:00")])),
        (8, h(&[("08:30", "09:30"), ("10:00", "10:05")])),
        (4, h(&[("22:00", "24:00"), ("00:00", "02:00")])),
        (1, h(&[("18:00", "09:00")])),
        (1, h(&[("25:00", "26:00")])),
    ])
}

pub(super) fn schedule() -> BoxedStrategy<ScheduleConfig> {
    (
        weighted(vec![
            (3, "UTC"),
            (2, "Europe/Moscow"),
            (2, "America/New_York"),
            (1, "Australia/Lord_Howe"),
            (1, "Mars/Olympus_Mons"),
        ]),
        prop::collection::vec(day_hours(), 7),
        weighted(vec![
            (4, vec![]),
            (1, vec!["2026-03-03"]),
            (1, vec!["03-02"]),
            (1, vec!["2026-02-30"]),
        ]),
        weighted(vec![
            (4, None),
            (1, Some(("2026-03-02", vec![["10:00", "12:00"]]))),
            (1, Some(("2026-03-04", vec![]))),
        ]),
    )
        .prop_map(|(tz, days, holidays, overrides)| {
            let mut s = ScheduleConfig::new(tz);
            let w = &mut s.weekly;
            for (slot, hours) in [
                &mut w.mon, &mut w.tue, &mut w.wed, &mut w.thu, &mut w.fri, &mut w.sat, &mut w.sun,
            ]
            .into_iter()
            .zip(days)
            {
                *slot = hours;
            }
            s.holidays = holidays.into_iter().map(String::from).collect();
            s.overrides = overrides
                .into_iter()
                .map(|(date, hours)| ScheduleOverride {
                    date: date.into(),
                    hours: hours
                        .iter()
                        .map(|[a, b]| [a.to_string(), b.to_string()])
                        .collect(),
                })
                .collect();
            s
        })
        .boxed()
}

pub(super) fn secs() -> BoxedStrategy<Option<u32>> {
    weighted(vec![
        (3, None),
        (3, Some(60)),
        (2, Some(600)),
        (1, Some(3_600)),
        (1, Some(0)),
    ])
}

// Settings added later take their defaults.
#[allow(clippy::needless_update)]
pub(super) fn line_extras() -> BoxedStrategy<LineExtras> {
    (
        prop::option::weighted(0.2, schedule()),
        prop::option::weighted(
            0.15,
            (any::<bool>(), any::<bool>(), any::<bool>(), secs()).prop_map(|(w, o, n, u)| {
                AutoReplies {
                    welcome: w,
                    off_hours: o,
                    no_operators: n,
                    unanswered_after_secs: u,
                    ..AutoReplies::default()
                }
            }),
        ),
        prop::option::weighted(
            0.15,
            (secs(), secs(), any::<bool>()).prop_map(|(f, n, b)| SlaConfig {
                first_response_secs: f,
                next_response_secs: n,
                business_hours_only: b,
                ..SlaConfig::default()
            }),
        ),
        prop::option::weighted(
            0.12,
            (
                select(vec![BotJoin::FirstContact, BotJoin::Always]),
                secs(),
                select(vec![BotLeave::Queue, BotLeave::Close]),
            )
                .prop_map(|(join, handoff, leave)| {
                    let mut b = BotConfig::new("bot1");
                    b.join = join;
                    b.handoff_after_secs = handoff;
                    b.on_leave = leave;
                    b
                }),
        ),
        prop::option::weighted(
            0.12,
            (any::<bool>(), any::<bool>()).prop_map(|(r, c)| RatingConfig {
                request_on_close: r,
                close_on_rating: c,
                ..RatingConfig::default()
            }),
        ),
        prop::option::weighted(0.1, secs()).prop_map(Option::flatten),
    )
        .prop_map(
            |(schedule, auto_replies, sla, bot, rating, auto_close_after_secs)| LineExtras {
                schedule,
                auto_replies,
                sla,
                bot,
                rating,
                auto_close_after_secs,
            },
        )
        .boxed()
}

pub fn line_config() -> BoxedStrategy<LineConfig> {
    line_config_modes(vec![Mode::Strict, Mode::Evenly, Mode::Balanced, Mode::All])
}

pub fn line_config_modes(modes: Vec<Mode>) -> BoxedStrategy<LineConfig> {
    (line_core(modes, offer_timeout()), line_extras())
        .prop_map(|(mut cfg, extras)| {
            extras.apply(&mut cfg);
            cfg
        })
        .boxed()
}

/// A line's routing settings (no time-aware ones): one of `modes`, offer timeouts from
/// `timeout`, everything else anything.
pub fn line_core(
    modes: Vec<Mode>,
    timeout: BoxedStrategy<Option<u32>>,
) -> BoxedStrategy<LineConfig> {
    (
        line(),
        select(modes),
        prop::collection::vec(queue_entry(), 0..=5),
        timeout,
        small_cap(),
        select(vec![
            PinnedPolicy::Always,
            PinnedPolicy::Prefer,
            PinnedPolicy::Ignore,
        ]),
        weighted(vec![(4, true), (1, false)]),
        weighted(vec![(3, false), (1, true)]),
        select(vec![
            OnExhausted::Cycle,
            OnExhausted::KeepLast,
            OnExhausted::Requeue,
        ]),
        select(vec![
            CountTowardCap::Open,
            CountTowardCap::AwaitingReply,
            CountTowardCap::Unanswered,
        ]),
        any::<bool>(),
    )
        .prop_map(
            |(id, mode, queue, timeout, cap, pinned, check, workday, exhausted, count, last)| {
                let mut cfg = LineConfig::new(id.as_str());
                cfg.mode = mode;
                cfg.queue = queue;
                cfg.offer_timeout_secs = timeout;
                cfg.max_open_per_operator = cap;
                cfg.pinned_policy = pinned;
                cfg.check_availability = check;
                cfg.require_workday = workday;
                cfg.on_exhausted = exhausted;
                cfg.count_toward_cap = count;
                cfg.prefer_last_operator = last;
                cfg
            },
        )
        .boxed()
}

pub fn channel_config() -> BoxedStrategy<ChannelConfig> {
    channel_config_on(line())
}

/// A channel connected to a line `line` gives.
pub fn channel_config_on(line: BoxedStrategy<String>) -> BoxedStrategy<ChannelConfig> {
    (
        channel(),
        line,
        weighted(vec![
            (3, None),
            (1, Some("whatsapp")),
            (1, Some("web_chat")),
            (2, Some("phone")),
            (1, Some("widget")),
        ]),
        prop_oneof![
            3 => Just(None),
            1 => Just(Some(Vec::new())),
            2 => prop::collection::vec(op(), 1..=3).prop_map(Some),
        ],
    )
        .prop_map(|(ch, l, kind, ops)| {
            let mut cfg = ChannelConfig::new(ch.as_str(), l.as_str());
            cfg.kind = kind.map(String::from);
            cfg.operators = ops.map(|v| v.into_iter().map(Into::into).collect());
            cfg
        })
        .boxed()
}
