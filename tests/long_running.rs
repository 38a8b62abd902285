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

// =============================================================================================
// 1. Memory bounded by open work, not by the engine's age
// =============================================================================================

#[test]
fn a_closed_conversation_is_forgotten_after_the_retention_and_its_id_opens_a_new_one() {
    let mut s = world("03-02 09:00", sales(&["anna", "boris"]), &["anna", "boris"]);
    assert_eq!(s.at("03-02 09:00", forget_after(3600)), NOTHING);
    assert_eq!(
        s.at("03-02 09:00", inc("k1")),
        ["03-02 09:00 assigned k1 sales anna routed"]
    );
    assert_eq!(
        s.at("03-02 10:00", close("k1")),
        ["03-02 10:00 closed k1 closed"]
    );
    // Forgetting is a deadline at exactly closed-at + N, and emits nothing.
    assert_eq!(s.timeout().as_deref(), Some("03-02 11:00"));
    assert_eq!(s.tick("03-02 10:59"), NOTHING);
    assert!(known(&s, "k1"));
    assert_eq!(s.tick("03-02 11:00"), NOTHING);
    assert!(!known(&s, "k1"));
    assert!(s.e.conversations().is_empty());
    assert_eq!(s.e.poll_timeout(), None);
    // The id, written again by anyone on any channel, is a new conversation.
    assert_eq!(
        s.at("03-02 11:05", inc_from("k1", "someone-else", "wa")),
        ["03-02 11:05 assigned k1 sales boris routed"]
    );
    assert_eq!(
        s.e.conversation("k1").unwrap().client.as_str(),
        "someone-else"
    );
}

#[test]
fn retention_defaults_to_thirty_days_and_null_keeps_closed_conversations_forever() {
    let mut s = world("03-02 09:00", sales(&["anna"]), &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 10:00", close("k1"));
    assert_eq!(s.timeout().as_deref(), Some("04-01 10:00"));
    // `null` keeps them: the deadline goes, and a year later the conversation is still known.
    assert_eq!(s.at("03-02 10:01", settings(None, 1)), NOTHING);
    assert_eq!(s.e.poll_timeout(), None);
    s.tick("2027-03-02 10:00");
    assert!(known(&s, "k1"));
    // Back to the default (a field left out returns to it): more than 30 days have passed,
    // so it is forgotten at once.
    let defaults: Input = serde_json::from_str(r#"{"type":"engine_settings"}"#).unwrap();
    assert_eq!(s.at("2027-03-02 10:01", defaults), NOTHING);
    assert!(!known(&s, "k1"));
}

#[test]
fn changing_the_retention_retimes_every_closed_conversation() {
    let mut s = world("03-02 09:00", sales(&["anna"]), &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 09:01", inc("k2"));
    s.at("03-02 10:00", close("k1"));
    s.at("03-02 10:15", close("k2"));
    assert_eq!(s.at("03-02 10:20", forget_after(600)), NOTHING);
    assert!(!known(&s, "k1"), "closed 20 minutes ago: past the new span");
    assert!(known(&s, "k2"));
    assert_eq!(s.timeout().as_deref(), Some("03-02 10:25"));
    s.tick("03-02 10:25");
    assert!(!known(&s, "k2"));
}

#[test]
fn reopening_a_closed_conversation_cancels_its_forgetting() {
    let mut s = world("03-02 09:00", sales(&["anna"]), &["anna"]);
    s.at("03-02 09:00", forget_after(3600));
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 10:00", close("k1"));
    assert_eq!(
        s.at("03-02 10:30", inc("k1")),
        ["03-02 10:30 assigned k1 sales anna routed"]
    );
    assert_eq!(s.e.poll_timeout(), None);
    s.tick("03-02 12:00");
    assert!(known(&s, "k1"));
}

#[test]
fn an_idle_client_is_forgotten_with_their_last_conversation_unless_pinned() {
    // A client unseen for that long is new again: a bot that meets first contacts only meets
    // them again, and they have no last operator.
    let line = sales(&["anna"]).bot(BotConfig {
        bot: "helper".into(),
        join: BotJoin::FirstContact,
        handoff_after_secs: None,
        on_leave: Default::default(),
    });
    let mut s = world("03-02 09:00", line, &["anna"]);
    s.at("03-02 09:00", forget_after(60));
    assert_eq!(
        s.at("03-02 09:00", inc_from("k1", "ivan", "wa")),
        ["03-02 09:00 bot_assigned k1 helper"]
    );
    s.at("03-02 09:01", close("k1"));
    // A second conversation while the first is still known: not a first contact.
    assert_eq!(
        s.at("03-02 09:01", inc_from("k2", "ivan", "wa")),
        ["03-02 09:01 assigned k2 sales anna routed"]
    );
    s.at("03-02 09:02", close("k2"));
    s.tick("03-02 09:03");
    assert!(!known(&s, "k1") && !known(&s, "k2"));
    assert_eq!(
        s.at("03-02 09:10", inc_from("k3", "ivan", "wa")),
        ["03-02 09:10 bot_assigned k3 helper"],
        "ivan is new again"
    );
    // Pinned, the client is kept: what the host set on them is worth keeping.
    s.at("03-02 09:11", pin("olga", "anna"));
    s.at("03-02 09:11", inc_from("k4", "olga", "wa"));
    s.at("03-02 09:12", close("k4"));
    s.tick("03-02 09:20");
    assert!(!known(&s, "k4"));
    assert_eq!(
        s.at("03-02 09:21", inc_from("k5", "olga", "wa")),
        ["03-02 09:21 assigned k5 sales anna pinned"],
        "olga is no first contact: she was kept"
    );
}

#[test]
fn conversations_keep_their_order_of_first_mention_when_slots_are_reused() {
    // DESIGN §1: one input that moves several conversations of an operator handles them in
    // the order they were first mentioned. k3 takes the slot k1 left, but was mentioned after
    // k2.
    let mut s = world(
        "03-02 09:00",
        sales(&["anna"]).offer_timeout_secs(600),
        &["anna"],
    );
    s.at("03-02 09:00", forget_after(0));
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 09:01", inc("k2"));
    s.at("03-02 09:02", close("k1"));
    s.tick("03-02 09:02");
    assert!(!known(&s, "k1"));
    s.at("03-02 09:03", inc("k3"));
    assert_eq!(
        s.at("03-02 09:04", offline("anna")),
        [
            "03-02 09:04 unassigned k2 anna unavailable",
            "03-02 09:04 queued k2 sales no_eligible_operator",
            "03-02 09:04 unassigned k3 anna unavailable",
            "03-02 09:04 queued k3 sales no_eligible_operator",
        ]
    );
    assert_eq!(s.waiting("sales"), ["k2", "k3"]);
    let ids: Vec<String> = s.e.conversations().iter().map(|c| c.to_string()).collect();
    assert_eq!(ids, ["k2", "k3"]);
}

#[test]
fn engine_settings_out_of_range_are_refused_and_change_nothing() {
    let mut s = world("03-02 09:00", sales(&["anna"]), &["anna"]);
    assert_eq!(
        s.err("03-02 09:00", settings(Some(60), 0)),
        Error::InvalidEngineSetting {
            field: "max_renewals_per_call"
        }
    );
    let typo = serde_json::from_str::<Input>(r#"{"type":"engine_settings","forget_after":1}"#);
    assert!(typo.unwrap_err().to_string().contains("unknown field"));
}

// =============================================================================================
// 2. Catching up bounded by work, not calendar time
// =============================================================================================

/// A line with weekly hours: Monday to Friday 09:00–18:00 in Moscow (06:00–15:00 UTC).
fn office() -> LineConfig {
    sales(&["anna"]).schedule(ScheduleConfig::new("Europe/Moscow").weekdays("09:00", "18:00"))
}

#[test]
fn configure_in_march_act_in_november_without_ticks() {
    let mut s = world("03-02 09:00", office(), &["anna"]);
    assert!(s.e.poll_timeout().is_some(), "the line's hours change next");
    // Eight months of opening and closing, applied by the next input.
    assert_eq!(
        s.at("11-04 10:00", inc("k1")),
        ["11-04 10:00 assigned k1 sales anna routed"]
    );
    assert_eq!(s.timeout().as_deref(), Some("11-04 15:00"));
}

#[test]
fn a_jump_of_months_fires_line_hours_response_targets_and_inactivity_closes_in_one_call() {
    let line = office()
        .sla(SlaConfig {
            first_response_secs: Some(600),
            next_response_secs: None,
            business_hours_only: false,
        })
        .auto_close_after_secs(3600);
    let mut s = world("03-02 09:00", line, &["anna"]);
    s.at("03-02 09:00", inc("k1"));
    s.at("03-02 09:01", reply("k1", "anna"));
    s.at("03-02 09:02", inc("k2"));
    // Months later, one input: k2's first-response target is missed at 09:12, k1 closes for
    // inactivity at 10:01, and everything else happened in between without a word.
    assert_eq!(
        s.at("06-01 09:00", inc("k3")),
        [
            "03-02 09:12 sla_breached k2 anna first_response due 03-02 09:12",
            "03-02 10:01 closed k1 inactivity",
            "06-01 09:00 assigned k3 sales anna routed",
        ]
    );
}

/// One operator, a 60-second offer that renews forever (`cycle`), and a bound of 10 renewals
/// a call.
fn renewing() -> Sim {
    let mut s = world(
        "03-02 09:00",
        sales(&["anna"]).offer_timeout_secs(60),
        &["anna"],
    );
    s.at("03-02 09:00", settings(None, 10));
    s.at("03-02 09:00", inc("k1"));
    s
}

#[test]
fn a_year_9999_timestamp_with_a_renewing_offer_costs_bounded_work() {
    let mut s = renewing();
    let before = format!("{:?}", s.e);
    // An input: refused, naming the bound; nothing changes.
    let err = s.err("9999-12-31 23:59", inc("k2"));
    assert_eq!(
        err,
        Error::CatchUpBound {
            at: u("9999-12-31 23:59"),
            clock: u("03-02 09:00"),
            renewals: 10,
            reached: u("03-02 09:12"),
        }
    );
    assert!(err.to_string().contains("tick"), "{err}");
    assert_eq!(format!("{:?}", s.e), before);
    // A tick goes as far as the bound allows and stops there: the expiry set before it (09:01)
    // and ten renewals, the clock at the last one.
    s.e.handle(u("9999-12-31 23:59"), Input::Tick).unwrap();
    assert_eq!(s.collect().len(), 2 * 11);
    assert_eq!(s.e.now(), Some(u("03-02 09:11")));
    assert_eq!(s.timeout().as_deref(), Some("03-02 09:12"));
}

#[test]
fn catching_up_in_ticks_gives_the_decisions_of_a_host_that_never_paused() {
    let end = u("03-02 10:00");
    let mut ticked = renewing();
    let mut expected = Vec::new();
    while let Some(t) = ticked.e.poll_timeout().filter(|&t| t <= end) {
        ticked.e.handle_timeout(t);
        expected.extend(std::iter::from_fn(|| ticked.e.poll_decision()));
    }
    ticked.e.handle_timeout(end);
    assert_eq!(
        expected.len(),
        2 * 60,
        "an expiry and an offer every minute"
    );

    let mut jumped = renewing();
    let mut got = Vec::new();
    let mut calls = 0;
    while jumped.e.poll_timeout().is_some_and(|t| t <= end) {
        jumped
            .e
            .handle(end, Input::Tick)
            .expect("a tick is never refused");
        got.extend(std::iter::from_fn(|| jumped.e.poll_decision()));
        calls += 1;
    }
    assert_eq!(calls, 6, "ten renewals a call (and the first expiry)");
    assert_eq!(got, expected);
    assert_eq!(jumped.e.now(), Some(end));
    assert_eq!(jumped.e.poll_timeout(), ticked.e.poll_timeout());
    // Then the input goes through.
    assert_eq!(
        jumped.at("03-02 10:00", reply("k1", "anna")),
        NOTHING,
        "anna's answer confirms the assignment she holds"
    );
}

#[test]
fn the_bound_counts_only_renewals_set_during_the_call() {
    // k1's first expiry (09:01) was set before the call: no renewal. It moves on (cycle, back
    // to anna) with a deadline at 09:02, set by this call: that one is the first renewal.
    let mut s = renewing();
    s.at("03-02 09:00", settings(None, 1));
    let err = s.err("03-02 09:03", inc("k2"));
    assert!(
        matches!(err, Error::CatchUpBound { renewals: 1, reached, .. } if reached == u("03-02 09:03")),
        "{err}"
    );
    assert_eq!(
        s.at("03-02 09:02", inc("k2")),
        [
            "03-02 09:01 unassigned k1 anna no_answer",
            "03-02 09:01 assigned k1 sales anna routed by 03-02 09:02",
            "03-02 09:02 unassigned k1 anna no_answer",
            "03-02 09:02 assigned k1 sales anna routed by 03-02 09:03",
            "03-02 09:02 assigned k2 sales anna routed by 03-02 09:03",
        ]
    );
}

// =============================================================================================
// 3. No deadline disappears in silence
// =============================================================================================

#[test]
fn pinning_under_always_makes_the_holders_unanswered_assignment_final_and_says_so() {
    // Article 001: a pinned operator is the client's personal manager; under `always` nobody
    // else could take the conversation, so the answer deadline the host was told ends — with a
    // decision.
    let mut s = world(
        "03-02 09:00",
        sales(&["anna", "boris"])
            .mode(Mode::Strict)
            .offer_timeout_secs(600)
            .pinned_policy(PinnedPolicy::Always),
        &["anna", "boris"],
    );
    assert_eq!(
        s.at("03-02 09:00", inc_from("k1", "ivan", "wa")),
        ["03-02 09:00 assigned k1 sales anna routed by 03-02 09:10"]
    );
    assert_eq!(
        s.at("03-02 09:01", pin("ivan", "anna")),
        ["03-02 09:01 assigned k1 sales anna pinned"]
    );
    assert_eq!(s.e.conversation("k1").unwrap().deadline, None);
    assert_eq!(s.tick("03-02 09:10"), NOTHING);
}

#[test]
fn keep_last_says_the_kept_assignment_is_final_at_its_deadline() {
    let mut s = world(
        "03-02 09:00",
        sales(&["anna"])
            .offer_timeout_secs(60)
            .on_exhausted(OnExhausted::KeepLast),
        &["anna"],
    );
    s.at("03-02 09:00", inc("k1"));
    assert_eq!(
        s.tick("03-02 09:01"),
        ["03-02 09:01 assigned k1 sales anna routed"]
    );
    assert_eq!(s.e.conversation("k1").unwrap().deadline, None);
}

#[test]
fn a_line_switched_to_always_says_so_at_the_deadline() {
    let base = sales(&["anna", "boris"]).offer_timeout_secs(600);
    let mut s = world("03-02 09:00", base.clone(), &["anna", "boris"]);
    s.at("03-02 09:00", pin("ivan", "anna"));
    assert_eq!(
        s.at("03-02 09:00", inc_from("k1", "ivan", "wa")),
        ["03-02 09:00 assigned k1 sales anna pinned by 03-02 09:10"]
    );
    // The line's policy becomes `always`; the deadline stays as it is (DESIGN §1) until it
    // passes, and then anna keeps the conversation — out loud.
    s.at(
        "03-02 09:05",
        line(base.pinned_policy(PinnedPolicy::Always)),
    );
    assert_eq!(
        s.tick("03-02 09:10"),
        ["03-02 09:10 assigned k1 sales anna pinned"]
    );
}

// =============================================================================================
// 4. The client's last operator
// =============================================================================================

fn rotation() -> LineConfig {
    sales(&["anna", "boris"]).prefer_last_operator(true)
}

#[test]
fn an_operator_holding_the_clients_other_conversation_finally_is_the_last_operator() {
    let mut s = world("03-02 09:00", rotation(), &["anna", "boris"]);
    assert_eq!(
        s.at("03-02 09:00", inc_from("k1", "other", "wa")),
        ["03-02 09:00 assigned k1 sales anna routed"]
    );
    assert_eq!(
        s.at("03-02 09:01", inc_from("k2", "ivan", "wa")),
        ["03-02 09:01 assigned k2 sales boris routed"]
    );
    // By rotation anna is next; but boris holds ivan's other conversation, finally.
    assert_eq!(
        s.at("03-02 09:02", inc_from("k3", "ivan", "wa")),
        ["03-02 09:02 assigned k3 sales boris last_operator"]
    );
}

#[test]
fn an_unconfirmed_assignment_that_ended_unanswered_does_not_make_a_last_operator() {
    let mut s = world(
        "03-02 09:00",
        rotation().offer_timeout_secs(600),
        &["anna", "boris"],
    );
    assert_eq!(
        s.at("03-02 09:00", inc_from("k1", "ivan", "wa")),
        ["03-02 09:00 assigned k1 sales anna routed by 03-02 09:10"]
    );
    s.at("03-02 09:01", close("k1"));
    assert_eq!(
        s.at("03-02 09:02", inc_from("k2", "ivan", "wa")),
        ["03-02 09:02 assigned k2 sales boris routed by 03-02 09:12"],
        "anna never answered: rotation decides"
    );
}

#[test]
fn whoever_wrote_to_the_client_since_is_the_last_operator() {
    let mut s = world("03-02 09:00", rotation(), &["anna", "boris"]);
    s.at("03-02 09:00", inc_from("k1", "ivan", "wa"));
    assert_eq!(
        s.at("03-02 09:01", reply("k1", "boris")),
        [
            "03-02 09:01 unassigned k1 anna taken_over",
            "03-02 09:01 assigned k1 sales boris taken"
        ]
    );
    s.at("03-02 09:02", reply("k1", "anna"));
    s.at("03-02 09:03", close("k1"));
    assert_eq!(
        s.at("03-02 09:04", inc_from("k2", "ivan", "wa")),
        ["03-02 09:04 assigned k2 sales anna last_operator"]
    );
}

// =============================================================================================
// 5. Keyed hashing of ids
// =============================================================================================

fn run(mut engine: Engine) -> (Vec<Decision>, Engine) {
    let mut s = Sim::new();
    std::mem::swap(&mut s.e, &mut engine);
    let mut out = Vec::new();
    for o in ["anna", "boris"] {
        s.at("03-02 09:00", scenario_support::op(o));
        s.at("03-02 09:00", scenario_support::online(o));
    }
    s.at("03-02 09:00", line(sales(&["anna", "boris"])));
    s.at("03-02 09:00", scenario_support::chan("wa", "sales"));
    for k in 0..40 {
        s.at("03-02 09:01", inc(&format!("conversation-{k}")));
        if k % 3 == 0 {
            s.at("03-02 09:02", close(&format!("conversation-{k}")));
        }
    }
    out.extend(s.all.iter().cloned());
    (out, s.e)
}

#[test]
fn the_seed_changes_no_decision_and_a_snapshot_keeps_it() {
    let (plain, _) = run(Engine::new());
    let (seeded, engine) = run(Engine::with_seed(0x5eed_1234_abcd_0001));
    assert_eq!(plain, seeded);
    assert_eq!(engine.seed(), 0x5eed_1234_abcd_0001);
    let restored = Engine::restore(engine.snapshot()).unwrap();
    assert_eq!(restored.seed(), 0x5eed_1234_abcd_0001);
    let json = serde_json::to_string(&engine.snapshot()).unwrap();
    let read = Engine::restore(serde_json::from_str(&json).unwrap()).unwrap();
    assert_eq!(read.seed(), 0x5eed_1234_abcd_0001);
    assert!(read.conversation("conversation-1").is_some());
    assert_ne!(Engine::new().seed(), 0x5eed_1234_abcd_0001);
}

/// Found by the tick-cadence property: pinning a client whose closed conversation's line was
/// removed looked the removed line up (a panic).
#[test]
fn regression_pinning_a_client_with_a_conversation_on_a_removed_line() {
    let mut s = world("03-02 09:00", sales(&["anna"]), &["anna"]);
    s.at("03-02 09:00", inc_from("k1", "ivan", "wa"));
    s.at(
        "03-02 09:00",
        Input::DisconnectChannel {
            channel: "wa".into(),
        },
    );
    assert_eq!(
        s.at(
            "03-02 09:00",
            Input::RemoveLine {
                line: "sales".into()
            }
        ),
        ["03-02 09:00 closed k1 line_removed"]
    );
    assert_eq!(s.at("03-02 09:01", pin("ivan", "anna")), NOTHING);
}
