//! Scenario tests: one rule per test, written against the Rust API and named after the rule.
//!
//! The rules come from DESIGN.md (§1 "Details that are easy to get wrong", §3, §4) and the source
//! articles retold in `domain/SUMMARY.md`: 000 (Bitrix24, a substitute for days off), 001
//! (Teletype, automatic distribution) and 004 (Bitrix24, open line settings).
//!
//! Every step goes through [`Sim`] (in `scenario_support`), which after each input or tick also
//! - calls `verify_invariants`,
//! - follows the decision stream like a host would and checks that it alone tells where every
//!   conversation is (DESIGN: "The decision stream alone tells a host where every conversation
//!   is"): an `assigned` never comes while someone still holds or is offered the conversation,
//!   an `unassigned` names the holder, and the engine's own view agrees after every step.
//!
//! Steps are written at minutes after [`base`]; decisions as `"<what>"`, without their time.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use routeline::{
    ChannelConfig, ConversationState, CountTowardCap, Decision, Engine, Error, Input, LineConfig,
    MAX_OFFER_TIMEOUT_SECS, MIN_OFFER_TIMEOUT_SECS, Mode, OnExhausted, OperatorConfig, OperatorId,
    OperatorLoad, PinnedPolicy, Presence,
};

#[path = "../scenario_support/mod.rs"]
mod scenario_support;
use scenario_support::{
    NOTHING, Notation, When, chan, close, inc, inc_from, line, offline, online, op, op_cfg,
    outbound, reply, spam, take, transfer_to,
};

#[path = "../../examples/replay.rs"]
#[allow(dead_code)]
mod replay;

// ---- time ---------------------------------------------------------------------------------

/// Monday 2 March 2026, 09:00 UTC: minute 0 of every scenario.
fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// `mins` minutes after the base time.
fn t(mins: i64) -> DateTime<Utc> {
    base() + TimeDelta::minutes(mins)
}

/// A step at minute `m`.
impl When for i64 {
    fn instant(self) -> DateTime<Utc> {
        t(self)
    }
}

/// A step at an exact moment, for the seconds between minutes.
impl When for DateTime<Utc> {
    fn instant(self) -> DateTime<Utc> {
        self
    }
}

/// Decisions without their own time: `assigned k1 sales anna routed by 720m`, `queued k1 sales
/// at_capacity`, …
struct Minutes;

impl Notation for Minutes {
    /// A moment as minutes (or seconds) after the base time, for compact decision strings.
    fn time(at: DateTime<Utc>) -> String {
        let s = (at - base()).num_seconds();
        if s % 60 == 0 {
            format!("{}m", s / 60)
        } else {
            format!("{s}s")
        }
    }
}

type Sim = scenario_support::Sim<Minutes>;

const TWELVE_HOURS: u32 = 43_200;

// ---- inputs -------------------------------------------------------------------------------

fn chan_ops(ch: &str, l: &str, ops: &[&str]) -> Input {
    Input::ConnectChannel(ChannelConfig::new(ch, l).operators(ops.iter().copied()))
}
fn presence(o: &str, status: Presence) -> Input {
    Input::Presence {
        operator: o.into(),
        status,
    }
}
fn away(o: &str) -> Input {
    presence(o, Presence::Away)
}
fn accept(k: &str, o: &str) -> Input {
    Input::Accept {
        conversation: k.into(),
        operator: o.into(),
    }
}
fn transfer_line(k: &str, l: &str) -> Input {
    Input::Transfer {
        conversation: k.into(),
        to_operator: None,
        to_line: Some(l.into()),
    }
}
fn pin(client: &str, o: &str) -> Input {
    Input::PinClient {
        client: client.into(),
        operator: o.into(),
    }
}
fn unpin(client: &str) -> Input {
    Input::UnpinClient {
        client: client.into(),
    }
}
fn absence(o: &str, from: i64, until: i64) -> Input {
    Input::Absence {
        operator: o.into(),
        from: t(from),
        until: t(until),
    }
}
fn clear_absences(o: &str) -> Input {
    Input::ClearAbsences { operator: o.into() }
}
fn workday_started(o: &str) -> Input {
    Input::WorkdayStarted { operator: o.into() }
}
fn workday_ended(o: &str) -> Input {
    Input::WorkdayEnded { operator: o.into() }
}
fn remove_op(o: &str) -> Input {
    Input::RemoveOperator { operator: o.into() }
}
fn remove_line(l: &str) -> Input {
    Input::RemoveLine { line: l.into() }
}
fn disconnect(ch: &str) -> Input {
    Input::DisconnectChannel { channel: ch.into() }
}

/// Line `sales` in `mode` with these members, in order.
fn lc(mode: Mode, members: &[&str]) -> LineConfig {
    members
        .iter()
        .fold(LineConfig::new("sales").mode(mode), |l, m| l.member(*m))
}
fn strict(members: &[&str]) -> LineConfig {
    lc(Mode::Strict, members)
}
/// The same configuration for another line.
fn renamed(mut cfg: LineConfig, id: &str) -> LineConfig {
    cfg.line = id.into();
    cfg
}

// ---- the harness --------------------------------------------------------------------------

impl Sim {
    /// The `at` of every decision of the last step.
    fn ats(&self) -> Vec<DateTime<Utc>> {
        self.last.iter().map(|d| d.at).collect()
    }

    fn holder(&self, k: &str) -> Option<String> {
        self.conv(k).operator.map(|o| o.to_string())
    }

    fn deadline(&self, k: &str) -> Option<DateTime<Utc>> {
        self.conv(k).deadline
    }

    fn open_load(&self, o: &str) -> u32 {
        self.op(o).load.open
    }
}

/// Operators created in this order and online, `line` upserted and channel `wa` connected to
/// it, all at minute 0 and without a decision.
fn world(cfg: LineConfig, ops: &[&str]) -> Sim {
    Sim::world(0, cfg, ops)
}

// ---- the tests, by topic -------------------------------------------------------------------

mod caps;
mod channel_operators;
mod conversations;
mod corners;
mod groups;
mod lines_and_channels;
mod offer_timeout;
mod on_exhausted;
mod operators;
mod pinned;
mod queue_modes;
mod substitute;
mod time;
mod waiting_queues;
mod wire_format;
