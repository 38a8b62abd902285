//! Long-running hosts (issue 10, DESIGN §1 "Settled after the first release"): memory bounded
//! by the open work, catching up bounded by work, no deadline that disappears in silence, the
//! client's last operator, and keyed ids. Each test is named after the behaviour it holds the
//! engine to.

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use routeline::{
    BotConfig, BotJoin, Decision, Engine, EngineSettings, Error, Input, LineConfig, Mode,
    OnExhausted, PinnedPolicy, ScheduleConfig, SlaConfig,
};

// Shared with the scenario files, which use more of it.
#[allow(dead_code)]
#[path = "../scenario_support/mod.rs"]
mod scenario_support;
use scenario_support::{
    NOTHING, Notation, When, close, describe, inc, inc_from, line, offline, reply,
};

// ---- time and notation ----------------------------------------------------------------------

/// `"03-02 09:00"` (2026) or `"2027-11-04 10:00"`, in UTC.
fn u(s: &str) -> DateTime<Utc> {
    let full = if s.as_bytes().get(4) == Some(&b'-') {
        s.to_owned()
    } else {
        format!("2026-{s}")
    };
    NaiveDateTime::parse_from_str(&full, "%Y-%m-%d %H:%M")
        .unwrap_or_else(|e| panic!("bad test time {s}: {e}"))
        .and_utc()
}

fn tm(at: DateTime<Utc>) -> String {
    let mut s = if at.year() == 2026 {
        at.format("%m-%d %H:%M").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M").to_string()
    };
    if at.second() != 0 {
        s += &format!(":{:02}", at.second());
    }
    s
}

impl When for &str {
    fn instant(self) -> DateTime<Utc> {
        u(self)
    }
}

struct Calendar;

impl Notation for Calendar {
    fn time(at: DateTime<Utc>) -> String {
        tm(at)
    }

    fn show(d: &Decision) -> String {
        format!("{} {}", tm(d.at), describe(&d.kind, tm))
    }
}

type Sim = scenario_support::Sim<Calendar>;

impl Sim {
    fn timeout(&self) -> Option<String> {
        self.e.poll_timeout().map(tm)
    }
}

fn world(when: &str, cfg: LineConfig, ops: &[&str]) -> Sim {
    Sim::world(when, cfg, ops)
}

fn sales(members: &[&str]) -> LineConfig {
    members
        .iter()
        .fold(LineConfig::new("sales"), |l, m| l.member(*m))
}

fn settings(forget: Option<u64>, renewals: u32) -> Input {
    Input::EngineSettings(
        EngineSettings::default()
            .forget_closed_after_secs(forget)
            .max_renewals_per_call(renewals),
    )
}

fn forget_after(secs: u64) -> Input {
    settings(Some(secs), routeline::DEFAULT_MAX_RENEWALS_PER_CALL)
}

fn pin(client: &str, o: &str) -> Input {
    Input::PinClient {
        client: client.into(),
        operator: o.into(),
    }
}

fn known(s: &Sim, k: &str) -> bool {
    s.e.conversation(k).is_some()
}

// ---- the tests, by topic -------------------------------------------------------------------

mod catching_up;
mod deadlines;
mod keyed_ids;
mod last_operator;
mod memory;
