//! Working hours, compiled: a line's weekly hours in an IANA time zone, with days off,
//! holidays and one-date overrides, correct across daylight-saving changes.
//!
//! # Local times that do not exist, or exist twice
//!
//! A boundary is a local wall-clock time on a date. When the clocks jump forward and that local
//! time does not exist (it falls in the gap), the boundary is the first instant after the gap —
//! the moment of the jump. When the clocks go back and the local time occurs twice, the boundary
//! is the earlier of the two instants. So a line that opens at 02:30 opens at 03:00 (new time) on
//! the night New York springs forward, and one that closes at 01:30 closes at the first 01:30 on
//! the night it falls back.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone,
    Utc,
};
use chrono_tz::Tz;

use crate::wire::error::ScheduleError;
use crate::wire::settings::{DayHours, ScheduleConfig};

/// Checks the schedule and compiles it for fast evaluation.
pub(crate) fn compile(config: &ScheduleConfig) -> Result<Hours, ScheduleError> {
    let tz: Tz = config
        .time_zone
        .parse()
        .map_err(|_| ScheduleError::UnknownTimeZone(config.time_zone.clone()))?;
    let w = &config.weekly;
    let mut weekly: [Vec<(u32, u32)>; 7] = Default::default();
    for (i, day) in [&w.mon, &w.tue, &w.wed, &w.thu, &w.fri, &w.sat, &w.sun]
        .into_iter()
        .enumerate()
    {
        weekly[i] = parse_day(day)?;
    }
    let mut dates = BTreeSet::new();
    let mut yearly = BTreeSet::new();
    for h in &config.holidays {
        if let Some(d) = parse_date(h) {
            dates.insert(d);
        } else {
            let (m, d) = h
                .split_once('-')
                .and_then(|(m, d)| Some((m.parse::<u32>().ok()?, d.parse::<u32>().ok()?)))
                .filter(|&(m, d)| NaiveDate::from_ymd_opt(2000, m, d).is_some() && h.len() == 5)
                .ok_or_else(|| ScheduleError::NotAHoliday(h.clone()))?;
            yearly.insert((m, d));
        }
    }
    let mut overrides = BTreeMap::new();
    for o in &config.overrides {
        let d = parse_date(&o.date).ok_or_else(|| ScheduleError::NotADate(o.date.clone()))?;
        if overrides.insert(d, parse_day(&o.hours)?).is_some() {
            return Err(ScheduleError::OverriddenTwice(o.date.clone()));
        }
    }
    Ok(Hours {
        tz,
        weekly,
        dates,
        yearly,
        overrides,
    })
}

/// A date written exactly `YYYY-MM-DD` (chrono alone would also take `2026-3-5`).
fn parse_date(s: &str) -> Option<NaiveDate> {
    let shape = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shape
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

/// Minutes since local midnight, `"HH:MM"`, with `"24:00"` allowed.
fn parse_time(s: &str) -> Result<u32, ScheduleError> {
    let bad = || ScheduleError::NotATime(s.to_string());
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let digits = |x: &str| x.len() == 2 && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn parse_day(day: &DayHours) -> Result<Vec<(u32, u32)>, ScheduleError> {
    let mut out = Vec::with_capacity(day.len());
    for [a, b] in day {
        let (from, until) = (parse_time(a)?, parse_time(b)?);
        if from >= until {
            return Err(ScheduleError::EmptyInterval {
                from: a.clone(),
                until: b.clone(),
            });
        }
        out.push((from, until));
    }
    out.sort_unstable();
    Ok(out)
}

/// A compiled schedule.
#[derive(Clone, Debug)]
pub(crate) struct Hours {
    tz: Tz,
    weekly: [Vec<(u32, u32)>; 7],
    dates: BTreeSet<NaiveDate>,
    yearly: BTreeSet<(u32, u32)>,
    overrides: BTreeMap<NaiveDate, Vec<(u32, u32)>>,
}

/// How far ahead to look for the next change: long enough for any yearly pattern.
const HORIZON_DAYS: u64 = 800;

impl Hours {
    /// The local hours of a date.
    fn hours_of(&self, date: NaiveDate) -> &[(u32, u32)] {
        if let Some(h) = self.overrides.get(&date) {
            return h;
        }
        if self.dates.contains(&date) || self.yearly.contains(&(date.month(), date.day())) {
            return &[];
        }
        &self.weekly[date.weekday().num_days_from_monday() as usize]
    }

    /// The instant of a local wall-clock time: the earlier one when it occurs twice, the first
    /// instant after the gap when it does not occur.
    fn instant(&self, date: NaiveDate, minutes: u32) -> Option<DateTime<Utc>> {
        let local: NaiveDateTime = date
            .and_hms_opt(0, 0, 0)?
            .checked_add_signed(TimeDelta::minutes(i64::from(minutes)))?;
        match self.tz.from_local_datetime(&local) {
            LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
            LocalResult::None => {
                // In a gap: the first local minute that exists again is the jump itself.
                (1..=24 * 60).find_map(|k| {
                    let later = local.checked_add_signed(TimeDelta::minutes(k))?;
                    self.tz
                        .from_local_datetime(&later)
                        .earliest()
                        .map(|t| t.with_timezone(&Utc))
                })
            }
        }
    }

    /// The open intervals of a local date, as instants.
    fn intervals(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        self.hours_of(date)
            .iter()
            .filter_map(|&(a, b)| {
                let (from, until) = (self.instant(date, a)?, self.instant(date, b)?);
                (from < until).then_some((from, until))
            })
            .collect()
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        // Not `with_timezone(..).date_naive()`: that panics where the local time lies beyond
        // the representable range, at the very ends of time.
        let utc = t.naive_utc();
        let offset = self.tz.offset_from_utc_datetime(&utc).fix();
        utc.checked_add_offset(offset).unwrap_or(utc).date()
    }

    /// Open intervals of the local dates from the day before `t`'s onward, merged where they
    /// touch, until `until` returns true for one.
    fn find(
        &self,
        t: DateTime<Utc>,
        mut until: impl FnMut((DateTime<Utc>, DateTime<Utc>)) -> bool,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let today = self.local_date(t);
        let start = today.checked_sub_days(Days::new(1)).unwrap_or(today);
        let mut pending: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
        for i in 0..HORIZON_DAYS {
            // At the end of representable time the search simply stops there.
            let Some(date) = start.checked_add_days(Days::new(i)) else {
                break;
            };
            let mut day = self.intervals(date);
            day.sort_unstable();
            for (a, b) in day {
                match pending {
                    Some((pa, pb)) if a <= pb => pending = Some((pa, pb.max(b))),
                    Some(p) => {
                        if until(p) {
                            return Some(p);
                        }
                        pending = Some((a, b));
                    }
                    None => pending = Some((a, b)),
                }
            }
        }
        pending.filter(|&p| until(p))
    }

    /// Whether the line is open at `t`.
    pub(crate) fn is_open(&self, t: DateTime<Utc>) -> bool {
        self.find(t, |(_, b)| b > t).is_some_and(|(a, _)| a <= t)
    }

    /// The first instant after `t` at which the line opens or closes; `None` if that does not
    /// happen within two years.
    pub(crate) fn next_change(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let (a, b) = self.find(t, |(_, b)| b > t)?;
        let change = if a <= t { b } else { a };
        // An interval still running at the end of the search (a line open around the clock)
        // ends there only because the search does: that is no change.
        let limit = t
            .checked_add_days(Days::new(HORIZON_DAYS - 3))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        (change < limit).then_some(change)
    }

    /// The instant at which `secs` seconds of open time have passed since `from`.
    pub(crate) fn add_open_secs(&self, from: DateTime<Utc>, secs: u32) -> Option<DateTime<Utc>> {
        let mut left = TimeDelta::seconds(i64::from(secs));
        let mut t = from;
        loop {
            let (a, b) = self.find(t, |(_, b)| b > t)?;
            let start = a.max(t);
            if b - start >= left {
                return start.checked_add_signed(left);
            }
            left -= b - start;
            t = b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    /// `config.compile()` reads as the tests were written.
    trait Compile {
        fn compile(&self) -> Result<Hours, ScheduleError>;
    }

    impl Compile for ScheduleConfig {
        fn compile(&self) -> Result<Hours, ScheduleError> {
            compile(self)
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().expect("valid RFC 3339")
    }

    #[test]
    fn split_shift_in_moscow() {
        let s = ScheduleConfig::new("Europe/Moscow")
            .hours(Weekday::Mon, "09:00", "13:00")
            .hours(Weekday::Mon, "14:00", "18:00")
            .compile()
            .unwrap();
        // 2026-03-02 is a Monday; Moscow is UTC+3 all year.
        assert!(!s.is_open(utc("2026-03-02T05:59:59Z")));
        assert!(s.is_open(utc("2026-03-02T06:00:00Z")));
        assert_eq!(
            s.next_change(utc("2026-03-02T06:00:00Z")),
            Some(utc("2026-03-02T10:00:00Z"))
        );
        assert!(!s.is_open(utc("2026-03-02T10:30:00Z")));
        assert_eq!(
            s.next_change(utc("2026-03-02T10:30:00Z")),
            Some(utc("2026-03-02T11:00:00Z"))
        );
        // Tuesday is a day off: the next opening is next Monday.
        assert_eq!(
            s.next_change(utc("2026-03-02T15:00:00Z")),
            Some(utc("2026-03-09T06:00:00Z"))
        );
    }

    #[test]
    fn adjacent_intervals_merge() {
        let s = ScheduleConfig::new("UTC")
            .hours(Weekday::Mon, "09:00", "13:00")
            .hours(Weekday::Mon, "13:00", "24:00")
            .hours(Weekday::Tue, "00:00", "02:00")
            .compile()
            .unwrap();
        assert_eq!(
            s.next_change(utc("2026-03-02T10:00:00Z")),
            Some(utc("2026-03-03T02:00:00Z"))
        );
    }

    #[test]
    fn new_york_gap_opens_at_the_jump_and_fold_closes_at_the_earlier() {
        // 2026-03-08: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist.
        let s = ScheduleConfig::new("America/New_York")
            .hours(Weekday::Sun, "02:30", "10:00")
            .compile()
            .unwrap();
        assert_eq!(
            s.next_change(utc("2026-03-08T00:00:00Z")),
            Some(utc("2026-03-08T07:00:00Z"))
        );
        assert!(!s.is_open(utc("2026-03-08T06:59:59Z")));
        assert!(s.is_open(utc("2026-03-08T07:00:00Z")));
        // 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:30 occurs at 05:30Z and 06:30Z.
        let s = ScheduleConfig::new("America/New_York")
            .hours(Weekday::Sun, "00:00", "01:30")
            .compile()
            .unwrap();
        assert_eq!(
            s.next_change(utc("2026-11-01T04:10:00Z")),
            Some(utc("2026-11-01T05:30:00Z"))
        );
        assert!(!s.is_open(utc("2026-11-01T06:00:00Z")));
    }

    #[test]
    fn lord_howe_half_hour_shift() {
        // 2026-10-04 02:00 (+10:30) jumps to 02:30 (+11:00): 02:15 does not exist.
        let s = ScheduleConfig::new("Australia/Lord_Howe")
            .hours(Weekday::Sun, "02:15", "12:00")
            .compile()
            .unwrap();
        assert_eq!(
            s.next_change(utc("2026-10-03T12:00:00Z")),
            Some(utc("2026-10-03T15:30:00Z"))
        );
        // 2026-04-05 02:00 (+11:00) falls back to 01:30 (+10:30): 01:45 occurs at 14:45Z and
        // 15:15Z on the 4th; the line closes at the earlier.
        let s = ScheduleConfig::new("Australia/Lord_Howe")
            .hours(Weekday::Sun, "00:00", "01:45")
            .compile()
            .unwrap();
        assert!(s.is_open(utc("2026-04-04T14:44:59Z")));
        assert_eq!(
            s.next_change(utc("2026-04-04T14:00:00Z")),
            Some(utc("2026-04-04T14:45:00Z"))
        );
    }

    #[test]
    fn holidays_and_overrides() {
        let s = ScheduleConfig::new("Europe/Moscow")
            .weekdays("09:00", "18:00")
            .holiday("2026-01-07")
            .holiday("05-09")
            .override_date("2026-12-31", &[("09:00", "15:00")])
            .compile()
            .unwrap();
        // 2026-01-07 is a Wednesday holiday.
        assert!(!s.is_open(utc("2026-01-07T10:00:00Z")));
        // 05-09 recurs: 2029-05-09 is a Wednesday.
        assert!(!s.is_open(utc("2029-05-09T10:00:00Z")));
        assert!(s.is_open(utc("2029-05-10T10:00:00Z")));
        // the override shortens New Year's Eve (Thursday) to 15:00 Moscow = 12:00Z.
        assert_eq!(
            s.next_change(utc("2026-12-31T08:00:00Z")),
            Some(utc("2026-12-31T12:00:00Z"))
        );
    }

    #[test]
    fn open_seconds_skip_closed_time() {
        let s = ScheduleConfig::new("UTC")
            .weekdays("09:00", "18:00")
            .compile()
            .unwrap();
        // Friday 17:55 + 10 open minutes = Monday 09:05.
        assert_eq!(
            s.add_open_secs(utc("2026-03-06T17:55:00Z"), 600),
            Some(utc("2026-03-09T09:05:00Z"))
        );
        // From a closed time, the clock starts at opening.
        assert_eq!(
            s.add_open_secs(utc("2026-03-07T12:00:00Z"), 60),
            Some(utc("2026-03-09T09:01:00Z"))
        );
    }

    #[test]
    fn bad_schedules_are_refused() {
        assert!(ScheduleConfig::new("Mars/Olympus").compile().is_err());
        assert!(
            ScheduleConfig::new("UTC")
                .hours(Weekday::Mon, "9:00", "10:00")
                .compile()
                .is_err()
        );
        assert!(
            ScheduleConfig::new("UTC")
                .hours(Weekday::Mon, "10:00", "10:00")
                .compile()
                .is_err()
        );
        assert!(
            ScheduleConfig::new("UTC")
                .hours(Weekday::Mon, "10:00", "24:30")
                .compile()
                .is_err()
        );
        assert!(
            ScheduleConfig::new("UTC")
                .holiday("13-01")
                .compile()
                .is_err()
        );
        assert!(
            ScheduleConfig::new("UTC")
                .holiday("2026-02-30")
                .compile()
                .is_err()
        );
        assert!(
            ScheduleConfig::new("UTC")
                .override_date("tomorrow", &[])
                .compile()
                .is_err()
        );
    }
}
