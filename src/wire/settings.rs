//! The settings of time-aware lines (`upsert_line` fields `schedule`, `auto_replies`, `sla`,
//! `bot`, `rating`): plain data with their serde names. What the engine does with them lives
//! with each feature in `features/`.

use chrono::Weekday;
use serde::{Deserialize, Serialize};

/// Hours of one day: `[["09:00","13:00"],["14:00","18:00"]]`; `"24:00"` may end a day.
pub type DayHours = Vec<[String; 2]>;

/// The weekly hours of a line; a weekday left out is a day off.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    /// Monday.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mon: DayHours,
    /// Tuesday.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tue: DayHours,
    /// Wednesday.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wed: DayHours,
    /// Thursday.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thu: DayHours,
    /// Friday.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fri: DayHours,
    /// Saturday.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sat: DayHours,
    /// Sunday.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sun: DayHours,
}

/// One date's hours replacing the usual ones (an empty list closes the date).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct ScheduleOverride {
    /// The date, `YYYY-MM-DD`.
    pub date: String,
    /// Its hours.
    #[serde(default)]
    pub hours: DayHours,
}

/// A line's working hours (`"schedule"` on `upsert_line`). A line without one is always open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    /// An IANA time zone, such as `Europe/Moscow`.
    pub time_zone: String,
    /// Hours per weekday.
    #[serde(default)]
    pub weekly: WeeklyHours,
    /// Days off: a full date `YYYY-MM-DD`, or `MM-DD` recurring every year.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<String>,
    /// Dates whose hours differ from the usual.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<ScheduleOverride>,
}

impl ScheduleConfig {
    /// A schedule in `time_zone` with no hours yet (always closed until hours are added).
    pub fn new(time_zone: impl Into<String>) -> Self {
        Self {
            time_zone: time_zone.into(),
            weekly: WeeklyHours::default(),
            holidays: Vec::new(),
            overrides: Vec::new(),
        }
    }

    /// Adds an interval to a weekday's hours.
    pub fn hours(mut self, day: Weekday, from: &str, until: &str) -> Self {
        let w = &mut self.weekly;
        let list = match day {
            Weekday::Mon => &mut w.mon,
            Weekday::Tue => &mut w.tue,
            Weekday::Wed => &mut w.wed,
            Weekday::Thu => &mut w.thu,
            Weekday::Fri => &mut w.fri,
            Weekday::Sat => &mut w.sat,
            Weekday::Sun => &mut w.sun,
        };
        list.push([from.to_string(), until.to_string()]);
        self
    }

    /// Adds an interval to every weekday from Monday to Friday.
    pub fn weekdays(mut self, from: &str, until: &str) -> Self {
        for d in [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ] {
            self = self.hours(d, from, until);
        }
        self
    }

    /// Adds a holiday (`YYYY-MM-DD`, or `MM-DD` every year).
    pub fn holiday(mut self, date: &str) -> Self {
        self.holidays.push(date.to_string());
        self
    }

    /// Replaces one date's hours (`hours` empty: closed that date).
    pub fn override_date(mut self, date: &str, hours: &[(&str, &str)]) -> Self {
        self.overrides.push(ScheduleOverride {
            date: date.to_string(),
            hours: hours
                .iter()
                .map(|(a, b)| [a.to_string(), b.to_string()])
                .collect(),
        });
        self
    }
}

/// Which automatic replies a line asks for (`"auto_replies"` on `upsert_line`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct AutoReplies {
    /// Reply to the first client message of every conversation (new or reopened).
    #[serde(default)]
    pub welcome: bool,
    /// Reply when a client writes while the line is closed (once per closed period).
    #[serde(default)]
    pub off_hours: bool,
    /// Reply when, in working hours with the availability check on, nobody is eligible.
    #[serde(default)]
    pub no_operators: bool,
    /// Reply when no operator has answered this many seconds after the client wrote (once per
    /// unanswered streak).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unanswered_after_secs: Option<u32>,
}

/// A line's response-time targets (`"sla"` on `upsert_line`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct SlaConfig {
    /// Seconds from a conversation's first client message to the first operator answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_secs: Option<u32>,
    /// Seconds from a client message that follows an answer to the next answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_response_secs: Option<u32>,
    /// Count only time while the line is open (by its schedule).
    #[serde(default)]
    pub business_hours_only: bool,
}

/// When a line's bot joins a conversation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "snake_case")]
pub enum BotJoin {
    /// Only a client's first contact (their first conversation, the first time it opens).
    FirstContact,
    /// Every conversation, every time it (re)opens.
    #[default]
    Always,
}

/// What happens when the bot's turn ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "snake_case")]
pub enum BotLeave {
    /// The conversation is routed to the line's operators.
    #[default]
    Queue,
    /// The conversation closes (`closed` reason `bot`).
    Close,
}

/// A line's chat-bot (`"bot"` on `upsert_line`). The bot is never an operator: it counts
/// toward no cap and is never routed to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct BotConfig {
    /// The bot's name, passed back to the host in `bot_assigned` and `bot_left`.
    pub bot: String,
    /// When it joins. Default `always`.
    #[serde(default)]
    pub join: BotJoin,
    /// Seconds after which the bot's turn ends on its own; `None`: only `bot_handoff` ends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff_after_secs: Option<u32>,
    /// What happens when its turn ends. Default `queue`.
    #[serde(default)]
    pub on_leave: BotLeave,
}

impl BotConfig {
    /// A bot that joins every conversation and leaves only on `bot_handoff`, to the queue.
    pub fn new(bot: impl Into<String>) -> Self {
        Self {
            bot: bot.into(),
            join: BotJoin::Always,
            handoff_after_secs: None,
            on_leave: BotLeave::Queue,
        }
    }
}

/// A line's rating behaviour (`"rating"` on `upsert_line`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct RatingConfig {
    /// Ask the client for a rating when a conversation closes (`rating_requested` after
    /// `closed`, for reasons `closed` and `inactivity`).
    #[serde(default)]
    pub request_on_close: bool,
    /// Close a conversation as soon as its client rates it (`closed` reason `rated`).
    #[serde(default)]
    pub close_on_rating: bool,
}
