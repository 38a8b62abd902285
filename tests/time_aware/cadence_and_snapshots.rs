//! Tick cadence and snapshots: the time-aware decisions do not depend on how often
//! the host ticks, and a snapshot taken in the middle of timers continues identically.

use super::*;

/// A line `sales` (Moscow split shift, every time-aware setting, offers with a timeout, the
/// bot on first contact) and a line `ny` (New York, across the spring-forward night, the bot
/// always, closing when it leaves), and traffic from Friday to Monday.
fn busy_script() -> Vec<(DateTime<Utc>, Input)> {
    let sales_cfg = LineConfig::new("sales")
        .mode(Mode::Strict)
        .member("anna")
        .member("boris")
        .offer_timeout_secs(3600)
        .schedule(moscow_split())
        .auto_replies(AutoReplies {
            welcome: true,
            off_hours: true,
            no_operators: true,
            unanswered_after_secs: Some(240),
        })
        .sla(sla(Some(900), Some(600), true))
        .bot(bot(BotJoin::FirstContact, Some(300), BotLeave::Queue))
        .rating(ratings(true, true))
        .auto_close_after_secs(1800);
    let ny_schedule = ScheduleConfig::new("America/New_York")
        .weekdays("09:00", "17:00")
        .hours(Weekday::Sat, "02:30", "10:00")
        .hours(Weekday::Sun, "02:30", "10:00");
    let ny_cfg = LineConfig::new("ny")
        .member("carol")
        .member("boris")
        .schedule(ny_schedule)
        .auto_replies(AutoReplies {
            off_hours: true,
            unanswered_after_secs: Some(600),
            ..replies()
        })
        .sla(sla(Some(300), Some(300), false))
        .bot(bot(BotJoin::FirstContact, Some(120), BotLeave::Close))
        .auto_close_after_secs(900);
    let mut v: Vec<(&str, Input)> = vec![
        ("03-06 05:00", op("anna")),
        ("03-06 05:00", op("boris")),
        ("03-06 05:00", op("carol")),
        ("03-06 05:00", line(sales_cfg)),
        ("03-06 05:00", line(ny_cfg)),
        ("03-06 05:00", chan("wa", "sales")),
        ("03-06 05:00", chan("tg", "ny")),
        ("03-06 05:00", online("anna")),
        ("03-06 05:30", inc_from("k1", "c-1", "wa")),
        ("03-06 05:40", inc_from("k2", "c-2", "wa")),
        ("03-06 05:43", handoff("k2")),
        ("03-06 06:20", inc_from("k3", "c-1", "wa")),
        ("03-06 06:30", online("boris")),
        ("03-06 06:31", reply("k2", "boris")),
        ("03-06 06:40", inc_from("k2", "c-2", "wa")),
        ("03-06 07:20", rating("k2", 4)),
        ("03-06 08:00", offline("anna")),
        ("03-06 08:01", offline("boris")),
        ("03-06 08:02", inc_from("k4", "c-4", "wa")),
        ("03-06 08:10", online("boris")),
        ("03-06 09:50", inc_from("k5", "c-5", "wa")),
        ("03-06 09:51", take("k5", "anna")),
        ("03-06 10:05", inc_from("k4", "c-4", "wa")),
        ("03-06 10:20", inc_from("k4", "c-4", "wa")),
        ("03-06 10:30", reply("k4", "boris")),
        ("03-06 11:30", inc_from("k4", "c-4", "wa")),
        ("03-06 13:55", inc_from("n1", "d-1", "tg")),
        ("03-06 14:10", online("carol")),
        ("03-06 14:12", inc_from("n2", "d-2", "tg")),
        ("03-06 14:13", handoff("n2")),
        ("03-06 14:20", inc_from("n3", "d-3", "tg")),
        ("03-06 14:21", handoff("n3")),
        ("03-06 14:25", reply("n3", "carol")),
        ("03-06 14:40", inc_from("n3", "d-3", "tg")),
        ("03-06 16:00", close("k4")),
        ("03-06 21:30", inc_from("n4", "d-4", "tg")),
        ("03-06 21:31", handoff("n4")),
        ("03-07 12:00", inc_from("n5", "d-5", "tg")),
        ("03-07 12:01", handoff("n5")),
        ("03-07 12:05", inc_from("k6", "c-6", "wa")),
        ("03-07 12:06", handoff("k6")),
        ("03-08 06:30", inc_from("n6", "d-6", "tg")),
        ("03-08 06:31", handoff("n6")),
        ("03-08 06:40", inc_from("n7", "d-1", "tg")),
        ("03-08 07:05", reply("n6", "carol")),
        ("03-08 07:30", inc_from("n6", "d-6", "tg")),
        ("03-08 15:00", Input::Tick),
        ("03-09 05:50", inc_from("k7", "c-7", "wa")),
        ("03-09 06:10", reply("k6", "anna")),
        ("03-09 06:20", inc_from("k6", "c-6", "wa")),
        ("03-09 07:00", reply("k6", "boris")),
        ("03-09 09:00", rating("k3", 5)),
        ("03-09 12:00", inc_from("k8", "c-8", "wa")),
    ];
    v.drain(..).map(|(w, i)| (u(w), i)).collect()
}

/// How a run lets time pass between inputs.
#[derive(Clone, Copy, Debug)]
enum Cadence {
    /// `handle_timeout` at every `poll_timeout` due before the next input.
    EveryDeadline,
    /// `handle_timeout` on a fixed grid of this many seconds.
    Every(i64),
    /// Never: the inputs alone carry time.
    Never,
}

/// Lets time pass before an input at `until`, in the given cadence.
fn pass_time(e: &mut Engine, cadence: Cadence, until: DateTime<Utc>, out: &mut Vec<Decision>) {
    match cadence {
        Cadence::EveryDeadline => {
            while let Some(d) = e.poll_timeout().filter(|&d| d <= until) {
                e.handle_timeout(d);
                out.extend(std::iter::from_fn(|| e.poll_decision()));
                e.verify_invariants().unwrap();
                assert!(e.poll_timeout().is_none_or(|n| n > d));
            }
        }
        Cadence::Every(step) => {
            let Some(mut now) = e.now() else { return };
            loop {
                now += TimeDelta::seconds(step);
                if now >= until {
                    break;
                }
                e.handle_timeout(now);
                out.extend(std::iter::from_fn(|| e.poll_decision()));
                e.verify_invariants().unwrap();
            }
        }
        Cadence::Never => {}
    }
}

/// Runs the inputs from `engine` on, in `cadence`: the decisions.
fn run_script(
    e: &mut Engine,
    script: &[(DateTime<Utc>, Input)],
    cadence: Cadence,
) -> Vec<Decision> {
    let mut out = Vec::new();
    for (now, input) in script {
        pass_time(e, cadence, *now, &mut out);
        e.handle(*now, input.clone())
            .unwrap_or_else(|err| panic!("{input:?} at {}: {err}", tm(*now)));
        out.extend(std::iter::from_fn(|| e.poll_decision()));
        e.verify_invariants().unwrap();
    }
    out
}

#[test]
fn tick_cadence_does_not_change_time_aware_decisions() {
    // DESIGN §3/§4.11: deadlines fire as of their own time, so the decisions do not depend on
    // how often the host ticks — schedules, auto-replies, SLA, bot and inactivity included.
    let script = busy_script();
    let reference = run_script(&mut Engine::new(), &script, Cadence::EveryDeadline);
    for cadence in [
        Cadence::Never,
        Cadence::Every(7 * 60),
        Cadence::Every(3 * 3600),
    ] {
        let other = run_script(&mut Engine::new(), &script, cadence);
        assert_eq!(
            other.iter().map(show).collect::<Vec<_>>(),
            reference.iter().map(show).collect::<Vec<_>>(),
            "{cadence:?}"
        );
        assert_eq!(other, reference, "{cadence:?}");
    }
    // The script exercises every time-aware decision.
    let lines: Vec<String> = reference.iter().map(show).collect();
    let kinds: BTreeSet<String> = reference.iter().map(type_of).collect();
    for kind in [
        "assigned",
        "unassigned",
        "queued",
        "closed",
        "auto_reply",
        "sla_breached",
        "bot_assigned",
        "bot_left",
        "rating_requested",
    ] {
        assert!(kinds.contains(kind), "no {kind} in\n{}", lines.join("\n"));
    }
    for needle in [
        "auto_reply k1 sales welcome",
        "sales off_hours",
        "no_operators",
        "unanswered",
        "next_response",
        "bot_left n1 helper timeout",
        "closed n1 bot",
        "closed k2 rated",
        "inactivity",
        "03-08 06:40 queued n7 ny off_hours",
        "03-08 07:00 assigned n7 ny boris routed",
    ] {
        assert!(
            lines.iter().any(|l| l.contains(needle)),
            "no `{needle}` in\n{}",
            lines.join("\n")
        );
    }
}

#[test]
fn snapshot_in_the_middle_of_timers_continues_identically() {
    // DESIGN §2/§4.10: snapshot → restore → continue gives the same decisions as never
    // stopping, with schedule, bot, SLA, unanswered, offer and inactivity deadlines pending.
    let script = busy_script();
    let reference = run_script(&mut Engine::new(), &script, Cadence::EveryDeadline);
    let mut checked = 0;
    for split in 1..script.len() {
        let mut first = Engine::new();
        let mut out = run_script(&mut first, &script[..split], Cadence::EveryDeadline);
        let json = serde_json::to_string(&first.snapshot()).expect("a snapshot serialises");
        let snapshot: Snapshot = serde_json::from_str(&json).expect("and reads back");
        let mut restored = Engine::restore(snapshot).expect("a snapshot restores");
        assert_eq!(
            restored.poll_timeout(),
            first.poll_timeout(),
            "split {split}"
        );
        assert_eq!(restored.now(), first.now());
        for k in first.conversations() {
            assert_eq!(
                restored.conversation(k.as_str()),
                first.conversation(k.as_str()),
                "{k}"
            );
        }
        for l in ["sales", "ny"] {
            assert_eq!(restored.line_counters(l), first.line_counters(l));
        }
        // Points where several kinds of deadline are pending across the snapshot.
        let view = |k: &str| first.conversation(k).unwrap();
        match tm(script[split - 1].0).as_str() {
            "03-06 14:12" => {
                // n2's bot deadline and SLA; offers on sales; both lines open until their
                // evening deadlines.
                assert_eq!(view("n2").deadline, Some(u("03-06 14:14")));
                assert_eq!(view("n2").sla_due.map(|d| d.1), Some(u("03-06 14:17")));
                assert_eq!(view("k1").deadline, Some(u("03-06 15:00")));
                assert!(first.line_counters("sales").unwrap().open);
                assert!(first.line_counters("ny").unwrap().open);
                checked += 1;
            }
            "03-09 05:50" => {
                // k7 with the bot (and an unanswered reply due), its business-hours SLA
                // running from the opening at 06:00.
                assert_eq!(view("k7").state, ConversationState::WithBot);
                assert_eq!(view("k7").deadline, Some(u("03-09 05:55")));
                assert_eq!(
                    view("k7").sla_due,
                    Some((SlaKind::FirstResponse, u("03-09 06:15")))
                );
                checked += 1;
            }
            "03-09 07:00" => {
                // Offers with answer deadlines, and k6's inactivity close at 07:30.
                assert_eq!(view("k1").deadline, Some(u("03-09 08:00")));
                assert!(view("k6").answered && !view("k6").awaiting_reply);
                checked += 1;
            }
            _ => {}
        }
        out.extend(run_script(
            &mut restored,
            &script[split..],
            Cadence::EveryDeadline,
        ));
        assert_eq!(
            out.iter().map(show).collect::<Vec<_>>(),
            reference.iter().map(show).collect::<Vec<_>>(),
            "split after input {split}"
        );
    }
    assert_eq!(checked, 3);
}
