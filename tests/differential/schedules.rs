//! Where a case starts, and the time-aware settings of the lines it makes: working hours in
//! a few zones around the current time (sometimes invalid), automatic replies, response
//! targets, a bot, ratings, the inactivity close.

use super::*;

// ---- time zones and where a case starts ------------------------------------------------------

/// The zones working hours are given in: no DST (Moscow, UTC), a one-hour change (New York)
/// and a half-hour change (Lord Howe).
pub(super) const ZONES: [&str; 4] = [
    "Europe/Moscow",
    "America/New_York",
    "Australia/Lord_Howe",
    "UTC",
];

/// Where a case starts (seconds after [`base`]) and the zone whose clock change is near then.
#[derive(Clone, Copy, Debug)]
pub(super) struct Start {
    pub(super) at: i64,
    pub(super) zone: Option<&'static str>,
}

pub(super) fn secs_at(rfc3339: &str) -> i64 {
    secs_of(rfc3339.parse().expect("valid RFC 3339"))
}

/// Mostly Monday 2026-03-02 09:00Z; sometimes an hour or so before a daylight-saving change:
/// New York springs forward at 2026-03-08T07:00Z (02:00 → 03:00) and falls back at
/// 2026-11-01T06:00Z (02:00 → 01:00); Lord Howe falls back at 2026-04-04T15:00Z (02:00 →
/// 01:30) and springs forward at 2026-10-03T15:30Z (02:00 → 02:30).
pub(super) fn start() -> BoxedStrategy<Start> {
    let at = |s: &str, zone: &'static str| Start {
        at: secs_at(s),
        zone: Some(zone),
    };
    weighted(vec![
        (8, Start { at: 0, zone: None }),
        (1, at("2026-03-08T06:00:00Z", "America/New_York")),
        (1, at("2026-11-01T04:50:00Z", "America/New_York")),
        (1, at("2026-04-04T14:00:00Z", "Australia/Lord_Howe")),
        (1, at("2026-10-03T14:40:00Z", "Australia/Lord_Howe")),
    ])
}

// ---- time-aware line settings -------------------------------------------------------------

/// `HH:MM`.
pub(super) fn hhmm(t: NaiveDateTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// A local interval as the hours of the dates it touches (`24:00` ending a date).
pub(super) fn pieces(from: NaiveDateTime, until: NaiveDateTime) -> Vec<(NaiveDate, [String; 2])> {
    let mut out = Vec::new();
    let mut a = from;
    while a < until {
        let midnight = (a.date() + TimeDelta::days(1))
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists");
        let b = until.min(midnight);
        let end = if b == midnight {
            "24:00".to_string()
        } else {
            hhmm(b)
        };
        out.push((a.date(), [hhmm(a), end]));
        a = b;
    }
    out
}

pub(super) fn day_mut(s: &mut ScheduleConfig, day: Weekday) -> &mut Vec<[String; 2]> {
    let w = &mut s.weekly;
    match day {
        Weekday::Mon => &mut w.mon,
        Weekday::Tue => &mut w.tue,
        Weekday::Wed => &mut w.wed,
        Weekday::Thu => &mut w.thu,
        Weekday::Fri => &mut w.fri,
        Weekday::Sat => &mut w.sat,
        Weekday::Sun => &mut w.sun,
    }
}

pub(super) const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// How a generated schedule is put together (see [`schedule`]).
#[derive(Clone, Debug)]
pub(super) struct Shape {
    pub(super) zone: &'static str,
    /// Intervals as (start, length) in minutes of local wall-clock time from now.
    pub(super) spans: Vec<(i64, i64)>,
    /// The spans are overrides of their dates (else weekly hours of their weekdays).
    pub(super) as_overrides: bool,
    /// The weekly hours repeat every day of the week.
    pub(super) every_day: bool,
    /// Under overrides, the weekly hours they replace: open all day every day, or else an
    /// early-morning hour and a half every day (so that the line keeps changing after the
    /// overridden dates).
    pub(super) all_day: bool,
    /// Today (local) is a holiday: 0 no, 1 as a full date, 2 as a yearly `MM-DD`.
    pub(super) holiday_today: u8,
    /// Holidays and overrides on other dates, which change nothing near now.
    pub(super) decoys: bool,
    /// 0: valid; else one of the mistakes in [`corrupt`].
    pub(super) mistake: u8,
}

/// One mistake that makes a schedule invalid.
pub(super) fn corrupt(s: &mut ScheduleConfig, mistake: u8, today: NaiveDate) {
    let bad = |a: &str, b: &str| [a.to_string(), b.to_string()];
    match mistake {
        1 => s.time_zone = "Mars/Olympus".into(),
        2 => s.time_zone = "Europe/Moskow".into(),
        3 => s.weekly.wed.push(bad("9:00", "10:00")),
        4 => s.weekly.thu.push(bad("10:00", "10:00")),
        5 => s.weekly.fri.push(bad("11:00", "10:00")),
        6 => s.weekly.sat.push(bad("10:00", "24:30")),
        7 => s.weekly.sun.push(bad("10:60", "11:00")),
        8 => s.holidays.push("13-01".into()),
        9 => s.holidays.push("2026-02-30".into()),
        10 => s.overrides.push(ScheduleOverride {
            date: "tomorrow".into(),
            hours: Vec::new(),
        }),
        _ => {
            let date = today.format("%Y-%m-%d").to_string();
            s.overrides.push(ScheduleOverride {
                date: date.clone(),
                hours: Vec::new(),
            });
            s.overrides.push(ScheduleOverride {
                date,
                hours: vec![bad("10:00", "11:00")],
            });
        }
    }
}

/// Working hours around `now` (seconds after [`base`]) as [`Shape`] says.
pub(super) fn build_schedule(now: i64, shape: &Shape) -> ScheduleConfig {
    let tz: Tz = shape.zone.parse().expect("a known zone");
    let local = time(now).with_timezone(&tz).naive_local();
    let local = local.with_second(0).expect("a valid second");
    let today = local.date();
    let mut s = ScheduleConfig::new(shape.zone);
    let mut overrides: Vec<(NaiveDate, Vec<[String; 2]>)> = Vec::new();
    if shape.as_overrides {
        let hours = if shape.all_day {
            ["00:00", "24:00"]
        } else {
            ["06:00", "07:30"]
        };
        for d in WEEK {
            day_mut(&mut s, d).push(hours.map(String::from));
        }
    }
    for &(from, len) in &shape.spans {
        let a = local + TimeDelta::minutes(from);
        for (date, hours) in pieces(a, a + TimeDelta::minutes(len)) {
            if shape.as_overrides {
                match overrides.iter_mut().find(|(d, _)| *d == date) {
                    Some((_, h)) => h.push(hours),
                    None => overrides.push((date, vec![hours])),
                }
            } else if shape.every_day {
                for d in WEEK {
                    day_mut(&mut s, d).push(hours.clone());
                }
            } else {
                day_mut(&mut s, date.weekday()).push(hours);
            }
        }
    }
    for (date, hours) in overrides {
        s.overrides.push(ScheduleOverride {
            date: date.format("%Y-%m-%d").to_string(),
            hours,
        });
    }
    match shape.holiday_today {
        1 => s.holidays.push(today.format("%Y-%m-%d").to_string()),
        2 => s.holidays.push(today.format("%m-%d").to_string()),
        _ => {}
    }
    if shape.decoys {
        s.holidays.push("01-01".into());
        s.holidays.push("2025-12-31".into());
        s.overrides.push(ScheduleOverride {
            date: "2027-01-07".into(),
            hours: vec![["10:00".to_string(), "12:00".to_string()]],
        });
    }
    if shape.mistake > 0 {
        corrupt(&mut s, shape.mistake, today);
    }
    s
}

/// A zone, the one whose clock change is near favoured.
pub(super) fn zone(near: Option<&'static str>) -> BoxedStrategy<&'static str> {
    let mut items: Vec<(u32, &'static str)> = ZONES.iter().map(|&z| (2, z)).collect();
    if let Some(z) = near {
        items.push((6, z));
    }
    weighted(items)
}

/// An interval of local time around now: mostly open now or opening soon, a few minutes to a
/// few hours long.
pub(super) fn span() -> BoxedStrategy<(i64, i64)> {
    (
        prop_oneof![
            3 => -120i64..=0,
            3 => 1i64..=60,
            1 => 61i64..=300,
        ],
        prop_oneof![
            1 => 1i64..=5,
            4 => 6i64..=90,
            2 => 91i64..=240,
        ],
    )
        .boxed()
}

/// Working hours around `now` (seconds after [`base`]).
pub(super) fn schedule(now: i64, near: Option<&'static str>) -> BoxedStrategy<ScheduleConfig> {
    (
        zone(near),
        prop::collection::vec(span(), 1..=3),
        weighted(vec![(5, false), (2, true)]),
        weighted(vec![(3, false), (1, true)]),
        // Around the clock (no next change: long searches) only rarely.
        weighted(vec![(11, false), (1, true)]),
        weighted(vec![(6, 0u8), (1, 1), (1, 2)]),
        weighted(vec![(5, false), (1, true)]),
        prop_oneof![14 => Just(0u8), 1 => 1u8..=11],
    )
        .prop_map(
            move |(
                zone,
                spans,
                as_overrides,
                every_day,
                all_day,
                holiday_today,
                decoys,
                mistake,
            )| {
                let shape = Shape {
                    zone,
                    spans,
                    as_overrides,
                    every_day,
                    all_day,
                    holiday_today,
                    decoys,
                    mistake,
                };
                build_schedule(now, &shape)
            },
        )
        .boxed()
}

/// A short duration or none (whole minutes mostly, so that deadlines coincide).
pub(super) fn duration(none: u32) -> BoxedStrategy<Option<u32>> {
    prop_oneof![
        none => Just(None),
        6 => (1u32..=15).prop_map(|k| Some(k * 60)),
        3 => (60u32..=900).prop_map(Some),
    ]
    .boxed()
}

/// The time-aware settings of a line: hours, automatic replies, response targets, a bot,
/// ratings and the inactivity close.
pub(super) fn time_aware(now: i64, near: Option<&'static str>) -> BoxedStrategy<LineExtras> {
    let schedule = prop_oneof![
        5 => Just(None),
        4 => schedule(now, near).prop_map(Some),
    ];
    let auto_replies = prop_oneof![
        1 => Just(None),
        2 => (any::<bool>(), any::<bool>(), any::<bool>(), duration(3)).prop_map(
            |(welcome, off_hours, no_operators, unanswered_after_secs)| {
                Some(AutoReplies {
                    welcome,
                    off_hours,
                    no_operators,
                    unanswered_after_secs,
                })
            }
        ),
    ];
    let sla = prop_oneof![
        1 => Just(None),
        1 => (duration(2), duration(3), any::<bool>()).prop_map(
            |(first_response_secs, next_response_secs, business_hours_only)| {
                Some(SlaConfig {
                    first_response_secs,
                    next_response_secs,
                    business_hours_only,
                })
            }
        ),
    ];
    let bot = prop_oneof![
        3 => Just(None),
        1 => (
            select(vec!["bot1", "bot2"]),
            select(vec![BotJoin::FirstContact, BotJoin::Always]),
            duration(2),
            weighted(vec![(3, BotLeave::Queue), (1, BotLeave::Close)]),
        )
            .prop_map(|(bot, join, handoff_after_secs, on_leave)| {
                Some(BotConfig {
                    bot: bot.to_string(),
                    join,
                    handoff_after_secs,
                    on_leave,
                })
            }),
    ];
    let rating = prop_oneof![
        1 => Just(None),
        1 => (any::<bool>(), weighted(vec![(2, false), (1, true)])).prop_map(
            |(request_on_close, close_on_rating)| {
                Some(RatingConfig {
                    request_on_close,
                    close_on_rating,
                })
            }
        ),
    ];
    // Now and then one duration is zero (an error).
    let zero = prop_oneof![24 => Just(0u8), 1 => 1u8..=5];
    (schedule, auto_replies, sla, bot, rating, duration(8), zero)
        .prop_map(
            |(schedule, auto_replies, sla, bot, rating, auto_close_after_secs, zero)| {
                let mut t = LineExtras {
                    schedule,
                    auto_replies,
                    sla,
                    bot,
                    rating,
                    auto_close_after_secs,
                };
                match zero {
                    0 => {}
                    1 => {
                        t.auto_replies
                            .get_or_insert_with(AutoReplies::default)
                            .unanswered_after_secs = Some(0)
                    }
                    2 => {
                        t.sla
                            .get_or_insert_with(SlaConfig::default)
                            .first_response_secs = Some(0)
                    }
                    3 => {
                        t.sla
                            .get_or_insert_with(SlaConfig::default)
                            .next_response_secs = Some(0)
                    }
                    4 => {
                        t.bot
                            .get_or_insert_with(|| BotConfig::new("bot1"))
                            .handoff_after_secs = Some(0)
                    }
                    _ => t.auto_close_after_secs = Some(0),
                }
                t
            },
        )
        .boxed()
}

/// A line's configuration, with time-aware settings around `now` (seconds after [`base`]) and
/// now and then priorities and callback settings (DESIGN §7).
pub(super) fn line_config(now: i64, near: Option<&'static str>) -> BoxedStrategy<LineConfig> {
    let modes = vec![Mode::Strict, Mode::Evenly, Mode::Balanced, Mode::All];
    (
        line_core(modes, offer_timeout()),
        time_aware(now, near),
        common::queue_settings(),
    )
        .prop_map(|(mut cfg, extras, (priority, callback))| {
            extras.apply(&mut cfg);
            cfg.priority = priority;
            cfg.callback = callback;
            cfg
        })
        .boxed()
}

/// Mostly valid offer timeouts, short ones so that deadlines fire; rarely an invalid one.
pub(super) fn offer_timeout() -> BoxedStrategy<Option<u32>> {
    weighted(vec![
        (3, None),
        (4, Some(60)),
        (2, Some(120)),
        (1, Some(600)),
        (1, Some(30)),
    ])
}
