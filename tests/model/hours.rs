//! Working hours, evaluated the obvious way: the intervals of each local date are turned
//! into instants one by one, and questions are answered by looking at the dates around.

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;
use routeline::{DayHours, ScheduleConfig};

/// How many local dates are searched for the next change (the engine's "two years").
const HORIZON_DAYS: u64 = 800;
/// A change further away than this is reported as none.
const LIMIT_DAYS: u64 = HORIZON_DAYS - 3;

/// A line's working hours, checked.
#[derive(Clone, Debug)]
pub struct Hours {
    tz: Tz,
    /// Minutes since local midnight, Monday first.
    weekly: [Vec<(u32, u32)>; 7],
    dates: Vec<NaiveDate>,
    yearly: Vec<(u32, u32)>,
    overrides: Vec<(NaiveDate, Vec<(u32, u32)>)>,
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `HH:MM`, two digits each, up to `24:00`.
fn minutes(s: &str) -> Result<u32, String> {
    let bad = || Err(format!("bad time {s}"));
    if s.len() != 5 || s.as_bytes()[2] != b':' {
        return bad();
    }
    let (Some(h), Some(m)) = (digits(&s[..2]), digits(&s[3..])) else {
        return bad();
    };
    if m > 59 || h > 24 || (h == 24 && m > 0) {
        return bad();
    }
    Ok(h * 60 + m)
}

fn day(hours: &DayHours) -> Result<Vec<(u32, u32)>, String> {
    let mut out = Vec::new();
    for [a, b] in hours {
        let (a, b) = (minutes(a)?, minutes(b)?);
        if a >= b {
            return Err(format!("empty interval {a}..{b}"));
        }
        out.push((a, b));
    }
    Ok(out)
}

/// `YYYY-MM-DD`.
fn full_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if s.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(&s[..4])? as i32, digits(&s[5..7])?, digits(&s[8..])?)
}

/// `MM-DD`, any day some year has (02-29 included).
fn month_day(s: &str) -> Option<(u32, u32)> {
    if s.len() != 5 || s.as_bytes()[2] != b'-' {
        return None;
    }
    let (m, d) = (digits(&s[..2])?, digits(&s[3..])?);
    NaiveDate::from_ymd_opt(2000, m, d).map(|_| (m, d))
}

impl Hours {
    pub fn parse(cfg: &ScheduleConfig) -> Result<Self, String> {
        let tz: Tz = cfg
            .time_zone
            .parse()
            .map_err(|_| format!("unknown zone {}", cfg.time_zone))?;
        let w = &cfg.weekly;
        let weekly = [
            day(&w.mon)?,
            day(&w.tue)?,
            day(&w.wed)?,
            day(&w.thu)?,
            day(&w.fri)?,
            day(&w.sat)?,
            day(&w.sun)?,
        ];
        let mut dates = Vec::new();
        let mut yearly = Vec::new();
        for h in &cfg.holidays {
            match (full_date(h), month_day(h)) {
                (Some(d), _) => dates.push(d),
                (None, Some(md)) => yearly.push(md),
                (None, None) => return Err(format!("bad holiday {h}")),
            }
        }
        let mut overrides: Vec<(NaiveDate, Vec<(u32, u32)>)> = Vec::new();
        for o in &cfg.overrides {
            let d = full_date(&o.date).ok_or_else(|| format!("bad date {}", o.date))?;
            if overrides.iter().any(|(x, _)| *x == d) {
                return Err(format!("{d} overridden twice"));
            }
            overrides.push((d, day(&o.hours)?));
        }
        Ok(Hours {
            tz,
            weekly,
            dates,
            yearly,
            overrides,
        })
    }

    /// The hours of a local date: its override, else none on a holiday, else its weekday's.
    fn hours_on(&self, date: NaiveDate) -> Vec<(u32, u32)> {
        if let Some((_, h)) = self.overrides.iter().find(|(d, _)| *d == date) {
            return h.clone();
        }
        if self.dates.contains(&date) || self.yearly.contains(&(date.month(), date.day())) {
            return Vec::new();
        }
        self.weekly[date.weekday().num_days_from_monday() as usize].clone()
    }

    /// The local wall-clock time at an instant.
    fn local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        t.with_timezone(&self.tz).naive_local()
    }

    /// The first instant whose local time is `local` or later: the instant itself when it
    /// occurs once, the earlier one when it occurs twice, and the moment the clocks jump
    /// when it falls in a gap.
    fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        // The UTC offsets in force a day before and a day after (changes are months apart).
        let mut offsets: Vec<i64> = [-1i64, 1]
            .iter()
            .map(|&d| {
                let probe = local + TimeDelta::days(d);
                i64::from(
                    self.tz
                        .offset_from_utc_datetime(&probe)
                        .fix()
                        .local_minus_utc(),
                )
            })
            .collect();
        offsets.dedup();
        let at = |off: i64| Utc.from_utc_datetime(&(local - TimeDelta::seconds(off)));
        let exact = offsets
            .iter()
            .map(|&off| at(off))
            .filter(|&u| self.local(u) == local)
            .min();
        if let Some(u) = exact {
            return u;
        }
        // In a gap: before `lo` the local time is still short of it, at `hi` already past.
        let (min, max) = (
            *offsets.iter().min().expect("two offsets"),
            *offsets.iter().max().expect("two offsets"),
        );
        let (mut lo, mut hi) = (at(max), at(min));
        assert!(self.local(lo) < local && self.local(hi) >= local);
        while hi - lo > TimeDelta::seconds(1) {
            let mid = lo + TimeDelta::seconds((hi - lo).num_seconds() / 2);
            if self.local(mid) >= local {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    }

    /// The open intervals of a local date, as instants (those that are not empty).
    fn intervals(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
        self.hours_on(date)
            .into_iter()
            .map(|(a, b)| {
                let at = |m: u32| self.instant(midnight + TimeDelta::minutes(i64::from(m)));
                (at(a), at(b))
            })
            .filter(|(a, b)| a < b)
            .collect()
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        self.local(t).date()
    }

    /// Whether the line is open at `t`: an interval of a local date around it holds it.
    pub fn is_open(&self, t: DateTime<Utc>) -> bool {
        // A date's intervals lie between its midnight and the next.
        let d = self.local_date(t);
        [d - Days::new(1), d, d + Days::new(1)]
            .into_iter()
            .any(|date| self.intervals(date).iter().any(|&(a, b)| a <= t && t < b))
    }

    /// The first instant after `t` at which the line opens or closes: the first interval
    /// end after `t` where being open differs from now; `None` if none within two years.
    pub fn next_change(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let now = self.is_open(t);
        let first = self.local_date(t) - Days::new(1);
        let limit = t + TimeDelta::days(LIMIT_DAYS as i64);
        // The intervals of the dates around the one looked at: an interval end on date
        // `d` can only lie in intervals of dates `d - 1` to `d + 1`.
        let mut around: std::collections::VecDeque<Vec<(DateTime<Utc>, DateTime<Utc>)>> = (0..3)
            .map(|k| self.intervals(first - Days::new(1) + Days::new(k)))
            .collect();
        for i in 0..HORIZON_DAYS {
            let date = first + Days::new(i);
            // Now dates `date - 1` to `date + 1`.
            if i > 0 {
                around.pop_front();
                around.push_back(self.intervals(date + Days::new(1)));
            }
            let mut ends: Vec<DateTime<Utc>> = around[1]
                .iter()
                .flat_map(|&(a, b)| [a, b])
                .filter(|&e| e > t)
                .collect();
            ends.sort();
            let open_at = |e: DateTime<Utc>| around.iter().flatten().any(|&(a, b)| a <= e && e < b);
            if let Some(e) = ends.into_iter().find(|&e| open_at(e) != now) {
                return (e < limit).then_some(e);
            }
        }
        None
    }

    /// The instant at which `secs` seconds of open time have passed since `from`; `None`
    /// if the line does not open again.
    pub fn add_open_secs(&self, from: DateTime<Utc>, secs: u32) -> Option<DateTime<Utc>> {
        let mut left = TimeDelta::seconds(i64::from(secs));
        let mut t = from;
        loop {
            let next = self.next_change(t);
            if !self.is_open(t) {
                t = next?;
                continue;
            }
            match next {
                Some(e) if e - t < left => {
                    left -= e - t;
                    t = e;
                }
                _ => return Some(t + left),
            }
        }
    }
}
