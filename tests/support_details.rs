//! Support lines (DESIGN §6), the details beside the article's examples and the rule lists
//! (`support_rules.rs`): the answer clock that starts only when the client awaits a reply,
//! completed sessions and what re-activates them, what a completed conversation holds
//! (nothing), refused inputs, and snapshots. The world and the scripts (see [`run`]) are
//! shared with `support_rules.rs` (`support_world/`); line `care` (on channel `mail`) has response targets of 5 and 10
//! minutes, an `unanswered` reply after 20 and closes after an hour without a word.

use routeline::{ConversationState, Engine, Input, OperatorLoad, Status};

#[allow(dead_code)]
mod scenario_support;
#[allow(dead_code)]
mod support_world;
use scenario_support::Notation;
use support_world::{Clock, Sim, input, play, run, u};

/// The world without rules, then `steps`.
fn world(steps: &str) -> Sim {
    play("{}", steps)
}

/// k1 on `sales`: the client wrote at 09:01, anna answered at 09:02, and it was completed at
/// 09:03 — anna is its responsible; the client does not await a reply.
const COMPLETED_K1: &str = "
    09:01 in k1 wa => assigned k1 sales anna routed by 09:11
    09:02 out k1 anna =>
    09:03 complete k1 => unassigned k1 anna completed; completed k1 sales anna
";

/// k1's responsible, `-` for none.
fn responsible(s: &Sim) -> String {
    let responsible = s.conv("k1").responsible;
    responsible.map_or("-".into(), |o| o.to_string())
}

/// k1's running response target, as `FirstResponse 09:06`, `-` for none.
fn target(s: &Sim) -> String {
    let due = s.conv("k1").sla_due;
    due.map_or("-".into(), |(kind, at)| {
        format!("{kind:?} {}", Clock::time(at))
    })
}

// ---- No answer clock while nobody awaits an answer --------------------------------------------

#[test]
fn a_transfer_to_a_line_after_an_answer_is_placed_without_a_clock_and_never_moves_on() {
    let steps = "
        09:01 in k1 wa
        09:02 out k1 anna
        09:03 transfer k1 line sales => unassigned k1 anna transferred; assigned k1 sales boris routed
        # Hours pass: no `no_answer`, no cycling between anna and boris.
        15:00 tick =>
        23:00 tick =>
    ";
    let s = world(steps);
    assert_eq!((s.conv("k1").deadline, s.e.poll_timeout()), (None, None));
}

#[test]
fn the_client_writing_to_an_unconfirmed_placement_starts_its_clock_and_says_so() {
    let steps = "
        09:01 in k1 wa
        09:02 out k1 anna
        09:03 transfer k1 line sales
        12:00 in k1 wa => assigned k1 sales boris routed by 12:10
        # The clock runs now: boris did not answer, so it moves on.
        12:10 tick => unassigned k1 boris no_answer; assigned k1 sales anna routed by 12:20
    ";
    world(steps);
}

#[test]
fn an_offer_to_everyone_without_a_clock_gets_its_expiry_when_the_client_writes() {
    let steps = "
        09:01 in k1 wa
        09:02 out k1 lev
        09:03 transfer k1 line chats => unassigned k1 lev transferred; offered k1 chats [anna boris]
        20:00 tick =>
        20:01 in k1 wa => offered k1 chats [anna boris] by 20:11
    ";
    world(steps);
}

#[test]
fn the_clock_starting_re_announces_the_same_holder_with_the_same_reason() {
    let steps = r#"
        09:00 {"type":"pin_client","client":"c-k1","operator":"anna"}
        09:01 in k1 sms => assigned k1 vip anna pinned by 09:11
        09:02 take k1 lev
        09:03 out k1 lev
        09:04 transfer k1 line vip => unassigned k1 lev transferred; assigned k1 vip anna pinned
        10:01 in k1 sms => assigned k1 vip anna pinned by 10:11
    "#;
    world(steps);
}

#[test]
fn a_placement_without_a_clock_is_still_unconfirmed_and_lost_by_a_holder_who_goes_offline() {
    let steps = "
        09:01 in k1 wa
        09:02 out k1 anna
        09:03 transfer k1 line sales
        # Still no clock: the client awaits no reply.
        10:00 offline boris => unassigned k1 boris unavailable; assigned k1 sales anna routed
        # An offer without expiry is lost the same way.
        10:01 in k2 wa
        10:02 out k2 lev
        10:03 transfer k2 line chats => unassigned k2 lev transferred; offered k2 chats [anna]
        10:04 offline anna => unassigned k1 anna unavailable; queued k1 sales no_eligible_operator; withdrawn k2 anna unavailable; queued k2 chats no_eligible_operator
    ";
    world(steps);
}

#[test]
fn a_placement_without_a_clock_that_its_holder_answers_is_final_and_never_re_announced() {
    let steps = "
        09:01 in k1 wa
        09:02 out k1 anna
        09:03 transfer k1 line sales
        09:04 out k1 boris =>
        09:05 in k1 wa =>
        20:00 tick =>
    ";
    world(steps);
}

#[test]
fn a_placement_without_a_clock_made_later_from_the_queue_has_no_clock_either() {
    let steps = "
        09:01 in k1 wa
        09:02 out k1 lev
        09:03 offline anna
        09:03 offline boris
        09:04 transfer k1 line sales => unassigned k1 lev transferred; queued k1 sales no_eligible_operator
        09:05 online boris => assigned k1 sales boris routed
        20:00 tick =>
    ";
    world(steps);
}

#[test]
fn a_client_writing_again_while_the_clock_runs_changes_nothing() {
    let steps = "09:01 in k1 wa => assigned k1 sales anna routed by 09:11\n09:05 in k1 wa =>";
    assert_eq!(world(steps).conv("k1").deadline, Some(u("09:11")));
}

// ---- Completing, and re-activating ------------------------------------------------------------

#[test]
fn completing_an_offer_to_everyone_withdraws_each_offer_and_a_waiting_one_just_completes() {
    let steps = "
        09:01 in k1 tg
        09:02 complete k1 waiting => withdrawn k1 anna completed; withdrawn k1 boris completed; status_changed k1 waiting; completed k1 chats -
        09:03 offline anna
        09:03 offline boris
        09:04 in k2 wa => queued k2 sales no_eligible_operator
        09:05 complete k2 => completed k2 sales -
    ";
    assert!(world(steps).waiting("sales").is_empty());
}

#[test]
fn completing_a_conversation_with_the_bot_ends_the_bots_turn_as_completed() {
    let steps = "
        09:01 in k1 web => auto_reply k1 bots welcome; bot_assigned k1 robo
        09:02 complete k1 => bot_left k1 robo completed; completed k1 bots -
    ";
    world(steps);
}

#[test]
fn an_operators_message_re_activates_a_completed_chat_as_their_final_outbound_one() {
    let steps = "
        09:04 status k1 waiting
        09:10 out k1 boris => assigned k1 sales boris outbound
        20:00 tick =>
    ";
    let s = world(&(COMPLETED_K1.to_owned() + steps));
    // Only a client's message opens it.
    assert_eq!(s.conv("k1").status, Status::Waiting);
}

#[test]
fn a_transfer_re_activates_a_completed_chat_to_the_operator_finally_or_to_the_line() {
    let steps = "
        09:10 transfer k1 boris => assigned k1 sales boris transferred
        20:00 tick =>
        20:01 complete k1
        # Routed on the named line; the client awaits no reply, so the offer has no expiry.
        20:02 transfer k1 line chats => offered k1 chats [anna boris]
    ";
    world(&(COMPLETED_K1.to_owned() + steps));
}

#[test]
fn close_and_spam_close_a_completed_conversation() {
    let steps = "
        09:10 close k1 => closed k1 closed
        09:11 in k2 wa
        09:12 complete k2
        09:13 spam k2 => closed k2 spam
    ";
    world(&(COMPLETED_K1.to_owned() + steps));
}

#[test]
fn a_client_message_re_activating_a_completed_chat_gets_no_welcome_and_no_bot() {
    let steps = "
        09:01 in k1 web => auto_reply k1 bots welcome; bot_assigned k1 robo
        09:02 take k1 anna => bot_left k1 robo handoff; assigned k1 bots anna taken
        09:03 complete k1
        09:10 in k1 web => assigned k1 bots anna routed by 09:20
    ";
    world(steps);
}

#[test]
fn re_activation_by_the_client_starts_a_first_response_target_when_nobody_had_answered() {
    let mut s = world("09:01 in k1 mail => assigned k1 care anna routed by 09:11");
    assert_eq!(target(&s), "FirstResponse 09:06");
    let steps = "
        # The target is cancelled silently.
        09:02 complete k1 => unassigned k1 anna completed; completed k1 care anna
        09:30 tick =>
        09:40 in k1 mail => assigned k1 care anna routed by 09:50
    ";
    run(&mut s, steps);
    assert_eq!(target(&s), "FirstResponse 09:45");
    let steps = "09:45 tick => sla_breached k1 anna first_response due 09:45";
    run(&mut s, steps);
}

#[test]
fn re_activation_by_the_client_starts_a_next_response_target_once_someone_had_answered() {
    let steps = "
        09:01 in k1 mail
        09:02 out k1 anna
        09:03 complete k1
        09:40 in k1 mail
    ";
    assert_eq!(target(&world(steps)), "NextResponse 09:50");
}

#[test]
fn reopening_a_closed_conversation_that_was_waiting_makes_it_open_and_says_so() {
    let mut s = world("09:01 in k1 wa\n09:02 status k1 waiting\n09:03 close k1");
    // Closing is not a status.
    assert_eq!(s.conv("k1").status, Status::Waiting);
    let steps = "
        09:10 in k1 wa => status_changed k1 open; assigned k1 sales anna routed by 09:20
        # By an operator's message too.
        09:11 status k1 waiting
        09:12 close k1
        09:13 out k1 boris => status_changed k1 open; assigned k1 sales boris outbound
    ";
    run(&mut s, steps);
}

#[test]
fn the_responsible_stays_through_waiting_again_and_goes_with_the_removed_operator() {
    let steps = "
        09:01 in k1 wa
        09:02 offline boris
        09:03 offline anna => unassigned k1 anna unavailable; queued k1 sales no_eligible_operator
    ";
    let mut s = world(steps);
    assert_eq!(responsible(&s), "anna", "the last holder");
    let steps = r#"
        09:04 complete k1 waiting
        09:05 {"type":"remove_operator","operator":"anna"} => completed k1 sales -
    "#;
    run(&mut s, steps);
    assert_eq!(responsible(&s), "-");
    assert_eq!(s.conv("k1").status, Status::Waiting);
}

// ---- A completed conversation holds nothing ---------------------------------------------------

#[test]
fn a_completed_conversation_counts_toward_no_load_and_shows_where_it_stands() {
    let steps = "09:01 in k1 wa\n09:02 out k1 anna\n09:03 in k1 wa\n09:04 complete k1 waiting";
    let mut s = world(steps);
    let anna = s.op("anna");
    assert_eq!(anna.load, OperatorLoad::default());
    assert!(anna.conversations.is_empty() && anna.offers.is_empty());
    let c = s.e.line_counters("sales").unwrap();
    let counts = (c.waiting, c.offered, c.assigned, c.completed);
    assert_eq!(counts, (0, 0, 0, 1));
    let v = s.conv("k1");
    assert_eq!(v.state, ConversationState::Completed);
    assert_eq!(v.status, Status::Waiting);
    assert_eq!((v.operator, v.deadline, v.offered_to), (None, None, vec![]));
    assert_eq!(responsible(&s), "anna");
    // Whether the client awaits a reply survives completion; no deadline is left for it.
    assert!(v.awaiting_reply);
    assert_eq!(s.e.poll_timeout(), None);
    // Nothing that moves operators or queues moves it.
    let steps = r#"
        09:05 offline anna =>
        09:06 {"type":"upsert_line","line":"sales","mode":"evenly","queue":["boris"]} =>
    "#;
    run(&mut s, steps);
    assert_eq!(s.conv("k1").state, ConversationState::Completed);
    assert_eq!(responsible(&s), "anna");
}

#[test]
fn a_completed_conversation_frees_its_operators_cap() {
    let steps = r#"
        09:00 {"type":"upsert_operator","operator":"anna","max_open":1}
        09:01 in k1 wa
        09:02 in k2 wa => assigned k2 sales boris routed by 09:12
        09:03 complete k1
        09:04 in k3 wa => assigned k3 sales anna routed by 09:14
    "#;
    world(steps);
}

#[test]
fn a_completed_conversation_has_no_response_target_unanswered_reply_or_inactivity_close() {
    let mut s = world("09:01 in k1 mail\n09:02 out k1 anna\n09:03 in k1 mail");
    assert_eq!(target(&s), "NextResponse 09:13");
    let steps = "
        09:04 complete k1 => unassigned k1 anna completed; completed k1 care anna
        23:00 tick =>
    ";
    run(&mut s, steps);
    assert_eq!(s.e.poll_timeout(), None);
}

#[test]
fn removing_its_line_closes_a_completed_conversation() {
    let steps = r#"
        09:04 {"type":"disconnect_channel","channel":"wa"}
        09:05 {"type":"remove_line","line":"sales"} => closed k1 line_removed
    "#;
    world(&(COMPLETED_K1.to_owned() + steps));
}

// ---- Refused inputs change nothing ------------------------------------------------------------

fn snapshot_json(e: &Engine) -> String {
    serde_json::to_string(&e.snapshot()).expect("a snapshot serialises")
}

/// `n` rules named `r0`, `r1` …, comma-separated.
fn many(n: usize) -> String {
    let rules = (0..n).map(|i| format!(r#"{{"name":"r{i}","then":[{{"action":"stop"}}]}}"#));
    rules.collect::<Vec<_>>().join(",")
}

#[test]
fn every_refused_support_line_input_leaves_the_engine_as_it_was() {
    let rules =
        r#"{"changed":[{"name":"keep","when":{"event":["status"]},"then":[{"action":"stop"}]}]}"#;
    let mut s = play(rules, COMPLETED_K1);
    run(&mut s, "09:04 in k2 wa\n09:05 close k2");
    let refused = r#"
        status k2 open => ConversationClosed("k2")
        complete k1 => AlreadyCompleted("k1")
        complete k2 => ConversationClosed("k2")
        complete k9 => UnknownConversation("k9")
        accept k1 anna => NotOffered { conversation: "k1", operator: "anna" }
        {"type":"set_rules","incoming":[{"name":"b","then":[{"action":"stop"}]}],"changed":[{"name":"b","then":[{"action":"stop"}]}]} => DuplicateRuleName("b")
        {"type":"set_rules","changed":[{"name":"","then":[{"action":"stop"}]}]} => EmptyRuleName
        {"type":"set_rules","changed":[{"name":"e","then":[]}]} => EmptyRule("e")
        {"type":"set_rules","changed":[{"name":"n","unless":{"line":["nowhere"]},"then":[{"action":"stop"}]}]} => RuleNamesUnknownLine { rule: "n", line: "nowhere" }
        {"type":"set_rules","incoming":[{"name":"m","then":[{"action":"route","line":"nowhere"}]}]} => RuleNamesUnknownLine { rule: "m", line: "nowhere" }
    "#;
    let too_many = format!(
        r#"{{"type":"set_rules","changed":[{}]}} => TooManyRules {{ list: Changed, count: 257 }}"#,
        many(257)
    );
    let refused = refused.lines().map(str::trim).filter(|l| !l.is_empty());
    let refused = refused.chain([too_many.as_str()]);
    for (i, line) in refused.enumerate() {
        let (step, expected) = line.split_once(" => ").unwrap();
        let before = snapshot_json(&s.e);
        // A minute later each time: a refused input does not move the clock either.
        let at = u("09:10") + chrono::TimeDelta::minutes(i as i64);
        let err = s.e.handle(at, input(step)).expect_err(step);
        assert_eq!(format!("{err:?}"), expected);
        assert_eq!(snapshot_json(&s.e), before, "{step} changed the engine");
        assert!(s.e.poll_decision().is_none(), "{step} emitted a decision");
    }
    // The rules that were are still the rules; 256 rules a list are allowed.
    run(
        &mut s,
        "09:30 status k1 open => rule_applied k1 changed keep",
    );
    let most = many(256);
    run(
        &mut s,
        &format!(r#"09:31 {{"type":"set_rules","incoming":[{most}]}} =>"#),
    );
    let unreadable = r#"
        {"type":"set_rules","changed":[{"name":"x","when":{"event":["close"]},"then":[{"action":"stop"}]}]}
        {"type":"set_rules","changed":[{"name":"x","then":[{"action":"status","status":"closed"}]}]}
        {"type":"set_status","conversation":"k1","status":"closed"}
        {"type":"set_rules","changed":[{"name":"x","when":{"completd":true},"then":[{"action":"stop"}]}]}
    "#;
    for bad in unreadable.lines().map(str::trim).filter(|l| !l.is_empty()) {
        assert!(serde_json::from_str::<Input>(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_line_named_only_in_a_rules_condition_cannot_be_removed() {
    let rules = r#"{"changed":[{"name":"not-chats","unless":{"line":["chats"]},"then":[{"action":"stop"}]}]}"#;
    let steps = r#"09:01 {"type":"disconnect_channel","channel":"tg"}"#;
    let mut s = play(rules, steps);
    let err = s.err("09:02", input(r#"{"type":"remove_line","line":"chats"}"#));
    let err = format!("{err:?}");
    assert_eq!(err, r#"LineInRules { line: "chats", rule: "not-chats" }"#);
    let steps = r#"
        09:03 {"type":"set_rules"} =>
        09:04 {"type":"remove_line","line":"chats"} =>
    "#;
    run(&mut s, steps);
}

// ---- Snapshots --------------------------------------------------------------------------------

/// Applies a script's steps to a bare engine, unchecked; returns its decisions as the scripts
/// write them.
fn replay(e: &mut Engine, script: &str) -> Vec<String> {
    for line in script.lines().map(|l| l.split("=>").next().unwrap().trim()) {
        let Some((t, what)) = line.split_once(' ') else {
            continue;
        };
        match what {
            "tick" => e.handle_timeout(u(t)),
            _ => e.handle(u(t), input(what)).expect(line),
        }
    }
    let decisions = std::iter::from_fn(|| e.poll_decision());
    decisions.map(|d| Clock::show(&d)).collect()
}

#[test]
fn a_restored_snapshot_keeps_rules_statuses_completed_sessions_and_responsibles() {
    let rules = r#"{"changed":[
        {"name":"back-to-anna","when":{"event":["client_message"],"reactivated":true,"responsible":["anna"]},"then":[{"action":"assign_responsible"}]},
        {"name":"waiting-is-annas","when":{"event":["status"],"completed":true,"status":["waiting"]},"then":[{"action":"assign","operator":"anna"}]}]}"#;
    let before = "
        09:01 in k1 wa
        09:02 out k1 anna
        09:03 complete k1 waiting
        09:04 in k2 wa
        09:05 take k2 boris
        09:06 complete k2
        09:07 status k2 waiting => status_changed k2 waiting; rule_applied k2 changed waiting-is-annas; completed k2 sales anna
        09:08 in k3 wa
        09:09 out k3 anna
        09:09 transfer k3 line sales => unassigned k3 anna transferred; assigned k3 sales boris routed
    ";
    let mut s = play(rules, before);
    let mut restored = Engine::restore(s.e.snapshot()).expect("the snapshot restores");
    assert_eq!(snapshot_json(&restored), snapshot_json(&s.e));
    let after = r#"
        09:10 in k1 wa => status_changed k1 open; rule_applied k1 changed back-to-anna; assigned k1 sales anna rule by 09:20
        09:11 in k2 wa => status_changed k2 open; rule_applied k2 changed back-to-anna; assigned k2 sales anna rule by 09:21
        09:12 in k3 wa => assigned k3 sales boris routed by 09:22
        09:25 tick
        09:26 status k3 waiting
        09:27 {"type":"remove_operator","operator":"boris"}
        10:30 tick
    "#;
    let seen = s.all.len();
    run(&mut s, after);
    let original: Vec<String> = s.all[seen..].iter().map(Clock::show).collect();
    assert_eq!(replay(&mut restored, after), original);
    assert_eq!(snapshot_json(&restored), snapshot_json(&s.e));
}
