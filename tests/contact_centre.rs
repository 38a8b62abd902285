//! The contact-centre queue (DESIGN §7, MANGO Office's queue panel of article 003): calls that
//! take the whole operator and ring until accepted, the kinds a message may name, abandoned
//! calls, callback orders with their attempts, and interception. The order of the queue
//! (priorities, VIP, aging, the client's wait), the panel, roles and permissions, and
//! snapshots are in `contact_centre_roles.rs`.
//!
//! The world: anna and boris answer line `desk` (strict, 10 minutes to answer; a phone `ph`, a
//! WhatsApp `wa` and a callback widget `web`), line `hall` (everyone at once; `hp` phone, `ht`
//! Telegram) and line `quiet` (strict, no offer timeout; `qp` phone, `qt` Telegram). Line
//! `back` names only lev, who does not exist: whatever goes there waits. vera is in no line.

use routeline::Request;

#[allow(dead_code)]
mod scenario_support;
use scenario_support::{Day, Notation, day, short};

// ---- time, notation, scripts, the world -------------------------------------------------------

type Sim = scenario_support::Sim<Day>;

/// Runs a script of steps `HH:MM input`, `HH:MM as lev input` or `HH:MM tick`, each with the
/// decisions it must give after `=>`, or `=> !Error` (see `Sim::script`).
fn run(s: &mut Sim, script: &str) {
    s.script(script, day, short);
}

const WORLD: &str = r#"
{"type":"upsert_operator","operator":"anna"}
{"type":"upsert_operator","operator":"boris"}
{"type":"upsert_operator","operator":"vera"}
online anna
online boris
online vera
{"type":"upsert_line","line":"desk","mode":"strict","queue":["anna","boris"],"offer_timeout_secs":600}
{"type":"upsert_line","line":"hall","mode":"all","queue":["anna","boris"],"offer_timeout_secs":600}
{"type":"upsert_line","line":"quiet","mode":"strict","queue":["anna","boris"]}
{"type":"upsert_line","line":"back","mode":"strict","queue":["lev"]}
{"type":"connect_channel","channel":"ph","line":"desk","kind":"phone"}
{"type":"connect_channel","channel":"wa","line":"desk","kind":"whatsapp"}
{"type":"connect_channel","channel":"web","line":"desk","kind":"widget"}
{"type":"connect_channel","channel":"hp","line":"hall","kind":"phone"}
{"type":"connect_channel","channel":"ht","line":"hall","kind":"telegram"}
{"type":"connect_channel","channel":"qp","line":"quiet","kind":"phone"}
{"type":"connect_channel","channel":"qt","line":"quiet","kind":"telegram"}
"#;

/// The world, then `steps`.
fn world(steps: &str) -> Sim {
    let mut s = Sim::new();
    for step in WORLD.lines().filter(|l| !l.is_empty()) {
        run(&mut s, &format!("09:00 {step} =>"));
    }
    run(&mut s, steps);
    s
}

/// `upsert_line` of `desk` as the world has it, with `extra` fields (JSON, without braces).
fn desk(extra: &str) -> String {
    let base = r#""type":"upsert_line","line":"desk","mode":"strict","queue":["anna","boris"],"offer_timeout_secs":600"#;
    let sep = if extra.is_empty() { "" } else { "," };
    format!("{{{base}{sep}{extra}}}")
}

// ---- A call takes the whole operator ----------------------------------------------------------

#[test]
fn a_call_is_routed_only_to_an_operator_who_holds_nothing_else() {
    let steps = "
        09:01 in k1 wa => assigned k1 desk anna routed by 09:11
        # anna holds a text: the call passes her by.
        09:02 call k2 ph => assigned k2 desk boris routed by 09:12
        # Everyone eligible holds something: the call waits, at capacity.
        09:03 call k3 ph => queued k3 desk at_capacity
        09:04 close k1 => closed k1 closed; assigned k3 desk anna routed by 09:14
    ";
    world(steps);
}

#[test]
fn while_an_operator_holds_a_call_nothing_else_is_routed_to_them_but_manual_actions_still_work() {
    let steps = "
        09:01 call k1 ph => assigned k1 desk anna routed by 09:11
        09:02 accept k1 anna =>
        09:03 in k2 wa => assigned k2 desk boris routed by 09:13
        09:04 in k3 wa => assigned k3 desk boris routed by 09:14
        # A take ignores it, as it ignores caps.
        09:05 take k3 anna => unassigned k3 boris taken_over; assigned k3 desk anna taken
        09:06 close k1 => closed k1 closed
        09:07 in k4 wa => assigned k4 desk anna routed by 09:17
    ";
    world(steps);
}

#[test]
fn open_offers_do_not_count_as_holding_and_mode_all_offers_a_call_only_to_who_holds_nothing() {
    let steps = "
        09:01 call k1 hp => offered k1 hall [anna boris] by 09:11
        # Offered a call is not holding one: anna is still free for a call of another line.
        09:02 call k2 ph => assigned k2 desk anna routed by 09:12
        09:03 call k3 hp => offered k3 hall [boris] by 09:13
        09:04 in k4 ht => offered k4 hall [boris] by 09:14
    ";
    world(steps);
}

#[test]
fn a_waiting_call_does_not_hold_back_the_texts_behind_it() {
    let steps = r#"
        09:00 {"type":"upsert_line","line":"desk","mode":"strict","queue":["anna","boris"],"offer_timeout_secs":600,"priority":{"rules":[{"request":"call","priority":50}]}}
        09:01 in k1 wa => assigned k1 desk anna routed by 09:11
        09:02 in k2 wa => assigned k2 desk anna routed by 09:12
        09:03 take k2 boris => unassigned k2 anna taken_over; assigned k2 desk boris taken
        09:04 call k3 ph => queued k3 desk at_capacity
        # anna has room for a text but is not free: the text behind the call gets her.
        09:05 in k4 wa => assigned k4 desk anna routed by 09:15
        09:06 close k2 => closed k2 closed; assigned k3 desk boris routed by 09:16
    "#;
    world(steps);
}

#[test]
fn a_call_counts_one_toward_every_load_counter_while_it_is_open() {
    let load = |s: &Sim| {
        let l = s.op("anna").load;
        [l.open, l.awaiting_reply, l.unanswered]
    };
    let mut s = world("09:01 call k1 ph => assigned k1 desk anna routed by 09:11");
    assert_eq!(load(&s), [1, 1, 1]);
    run(&mut s, "09:02 accept k1 anna =>\n09:03 out k1 anna =>");
    assert_eq!(load(&s), [1, 1, 1]);
    run(&mut s, "09:04 close k1 => closed k1 closed");
    assert_eq!(load(&s), [0, 0, 0]);
}

// ---- A call rings until it is accepted ---------------------------------------------------------

#[test]
fn a_call_rings_until_its_holder_accepts_and_accepting_says_nothing() {
    let steps = "
        09:01 call k1 ph => assigned k1 desk anna routed by 09:11
        09:11 tick => unassigned k1 anna no_answer; assigned k1 desk boris routed by 09:21
        09:12 accept k1 boris =>
        12:00 tick =>
    ";
    let mut s = world(steps);
    assert_eq!((s.conv("k1").deadline, s.e.poll_timeout()), (None, None));
    run(&mut s, r#"12:01 intercept k1 vera => !NotRinging("k1")"#);
}

#[test]
fn without_an_offer_timeout_a_call_rings_with_no_deadline_and_never_becomes_final_by_itself() {
    let steps = "
        09:01 call k1 qp => assigned k1 quiet anna routed
        # A text on the same line is final at once.
        09:02 in k2 qt => assigned k2 quiet boris routed
        23:00 tick =>
    ";
    let mut s = world(steps);
    assert_eq!((s.conv("k1").deadline, s.e.poll_timeout()), (None, None));
    let c = s.e.line_counters("quiet").unwrap();
    let rings = (c.offered, c.assigned);
    assert_eq!(rings, (1, 1), "the call rings, the text is final");
    let steps = "
        # Still ringing: an unavailable holder loses it, and it can be intercepted.
        23:01 offline anna => unassigned k1 anna unavailable; queued k1 quiet at_capacity
        23:02 close k2 => closed k2 closed; assigned k1 quiet boris routed
        23:03 intercept k1 vera => unassigned k1 boris intercepted; assigned k1 quiet vera intercepted
    ";
    run(&mut s, steps);
}

#[test]
fn an_always_pinned_call_rings_with_no_deadline_and_pinning_re_announces_one_still_ringing() {
    let steps = &format!(
        r#"
        09:00 {}
        09:00 pin c-k1 anna =>
        09:00 in k0 wa => assigned k0 desk anna routed by 09:10
        # Pinning ignores what anna holds.
        09:01 call k1 ph => assigned k1 desk anna pinned
        09:02 out k0 anna =>
        10:00 tick =>
        10:01 accept k1 anna =>
        10:02 intercept k1 vera => !NotRinging("k1")
        10:03 call k2 ph => assigned k2 desk boris routed by 10:13
        10:04 pin c-k2 boris => assigned k2 desk boris pinned
        10:13 tick =>
        10:14 intercept k2 vera => unassigned k2 boris intercepted; assigned k2 desk vera intercepted
    "#,
        desk(r#""pinned_policy":"always""#)
    );
    world(steps);
}

#[test]
fn keep_last_keeps_a_call_ringing_at_the_last_operator() {
    let steps = &format!(
        r#"
        09:00 {}
        09:01 call k1 ph => assigned k1 desk anna routed by 09:11
        09:11 tick => unassigned k1 anna no_answer; assigned k1 desk boris routed by 09:21
        09:21 tick => assigned k1 desk boris routed
        12:00 tick =>
        12:01 intercept k1 vera => unassigned k1 boris intercepted; assigned k1 desk vera intercepted
        12:02 call k2 ph => assigned k2 desk anna routed by 12:12
        12:12 tick => unassigned k2 anna no_answer; assigned k2 desk boris routed by 12:22
        12:22 tick => assigned k2 desk boris routed
        12:23 accept k2 boris =>
        12:24 intercept k2 vera => !NotRinging("k2")
    "#,
        desk(r#""on_exhausted":"keep_last""#)
    );
    world(steps);
}

// ---- What a message says it is -----------------------------------------------------------------

#[test]
fn a_reopened_conversation_takes_the_kind_its_message_names_and_text_when_it_names_none() {
    let kind = |s: &Sim| s.conv("k1").request;
    let mut s = world("09:01 call k1 ph\n09:02 close k1");
    assert_eq!(kind(&s), Request::Call);
    let step = "09:03 in k1 ph => assigned k1 desk anna routed by 09:13";
    run(&mut s, step);
    assert_eq!(kind(&s), Request::Text);
    run(&mut s, "09:04 close k1\n09:05 call k1 ph");
    assert_eq!(kind(&s), Request::Call);
    // A follow-up that names no kind changes nothing; one naming the same kind neither.
    run(&mut s, "09:06 in k1 ph =>\n09:07 call k1 ph =>");
    assert_eq!(kind(&s), Request::Call);
    run(&mut s, "09:08 close k1\n09:09 text k1 ph");
    assert_eq!(kind(&s), Request::Text);
    // Outbound conversations are texts.
    let out = r#"{"type":"message_out","conversation":"k2","operator":"anna","client":"c-k2","channel":"ph"}"#;
    let step = &format!("09:10 {out} => assigned k2 desk anna outbound");
    run(&mut s, step);
    assert_eq!(s.conv("k2").request, Request::Text);
}

#[test]
fn another_kind_for_an_open_conversation_a_callback_kind_or_a_message_into_an_order_is_an_error() {
    let steps = r#"
        09:01 call k1 ph
        09:02 in k2 wa
        09:03 order k3 web 10:00
        09:04 text k1 ph => !RequestMismatch { conversation: "k1", request: Text }
        09:04 call k2 wa => !RequestMismatch { conversation: "k2", request: Call }
        09:04 {"type":"message_in","conversation":"k4","client":"c-k4","channel":"wa","request":"callback"} => !RequestMismatch { conversation: "k4", request: Callback }
        09:04 {"type":"message_in","conversation":"k2","client":"c-k2","channel":"wa","request":"callback"} => !RequestMismatch { conversation: "k2", request: Callback }
        09:04 in k3 web => !CallbackConflict("k3", Callback)
        09:04 call k3 web => !CallbackConflict("k3", Callback)
    "#;
    world(steps);
}

// ---- The client hangs up -----------------------------------------------------------------------

#[test]
fn an_abandoned_call_leaves_whoever_it_rang_at_without_a_no_answer_and_they_are_free_at_once() {
    let steps = "
        09:01 call k1 ph => assigned k1 desk anna routed by 09:11
        09:05 abandon k1 => unassigned k1 anna abandoned; closed k1 abandoned
        09:11 tick =>
        09:12 call k2 ph => assigned k2 desk anna routed by 09:22
        09:13 call k3 hp => offered k3 hall [boris] by 09:23
        09:14 abandon k3 => withdrawn k3 boris abandoned; closed k3 abandoned
    ";
    world(steps);
}

#[test]
fn anything_open_may_be_abandoned_a_closed_conversation_may_not() {
    let steps = r#"
        09:01 in k1 wa => assigned k1 desk anna routed by 09:11
        09:02 accept k1 anna
        09:03 abandon k1 => unassigned k1 anna abandoned; closed k1 abandoned
        09:04 transfer k1 line back => !ConversationClosed("k1")
        09:05 in k2 wa
        09:06 transfer k2 line back => unassigned k2 anna transferred; queued k2 back no_eligible_operator
        09:07 abandon k2 => closed k2 abandoned
        09:08 order k3 web 10:00 => callback_scheduled k3 desk due 10:00 attempt 1
        09:09 abandon k3 => closed k3 abandoned
        10:00 tick =>
        10:01 abandon k3 => !ConversationClosed("k3")
        10:01 abandon k9 => !UnknownConversation("k9")
    "#;
    let s = world(steps);
    assert_eq!(s.e.line_counters("desk").unwrap().scheduled_callbacks, 0);
}

// ---- The caller keeps their place ---------------------------------------------------------------

#[test]
fn a_call_back_in_the_queue_after_its_holder_or_offers_left_keeps_its_place() {
    let steps = "
        09:01 call k1 ph => assigned k1 desk anna routed by 09:11
        09:02 call k2 ph => assigned k2 desk boris routed by 09:12
        09:03 call k3 ph => queued k3 desk at_capacity
        09:04 offline anna => unassigned k1 anna unavailable; queued k1 desk at_capacity
    ";
    let mut s = world(steps);
    assert_eq!(s.waiting("desk"), ["k1", "k3"]);
    run(
        &mut s,
        "09:05 close k2 => closed k2 closed; assigned k1 desk boris routed by 09:15",
    );
    // Offers withdrawn from everyone: it waits since the call came in.
    let steps = "
        09:01 call k1 hp => offered k1 hall [anna boris] by 09:11
        09:02 offline anna => withdrawn k1 anna unavailable
        09:03 offline boris => withdrawn k1 boris unavailable; queued k1 hall no_eligible_operator
    ";
    let since = world(steps).e.waiting("hall").unwrap()[0].since;
    assert_eq!(since, day("09:01"));
}

// ---- Callback orders ---------------------------------------------------------------------------

/// `desk` with the callback setting `cb` (JSON), then `steps`.
fn orders(cb: &str, steps: &str) -> Sim {
    world(&format!(
        "09:00 {} =>\n{steps}",
        desk(&format!(r#""callback":{cb}"#))
    ))
}

/// A line's callback orders by widget: `web: k1 09:30 1/3 scheduled, k2 09:04 1/3 assigned anna`.
fn widgets(s: &Sim, line: &str) -> Vec<String> {
    let show = |ch: routeline::CallbackChannel| {
        let orders = ch.orders.iter().map(|o| {
            let state = serde_json::to_value(o.state).unwrap();
            let by = o
                .operator
                .as_ref()
                .map_or(String::new(), |x| format!(" {x}"));
            let (due, state) = (Day::time(o.due_at), state.as_str().unwrap().to_owned());
            format!(
                "{} {due} {}/{} {state}{by}",
                o.conversation, o.attempt, o.max_attempts
            )
        });
        format!("{}: {}", ch.channel, orders.collect::<Vec<_>>().join(", "))
    };
    s.e.callbacks(line)
        .expect("a known line")
        .into_iter()
        .map(show)
        .collect()
}

#[test]
fn an_order_due_later_waits_in_no_queue_then_from_its_due_time_is_routed_like_a_call() {
    let steps = "
        09:01 in k1 wa => assigned k1 desk anna routed by 09:11
        09:02 accept k1 anna
        09:03 order k2 web 09:30 => callback_scheduled k2 desk due 09:30 attempt 1
    ";
    let mut s = world(steps);
    let (v, c) = (s.conv("k2"), s.e.line_counters("desk").unwrap());
    let kind = format!("{:?} {:?}", v.state, v.request);
    assert_eq!(kind, "Scheduled Callback");
    assert_eq!(v.deadline, Some(day("09:30")));
    assert_eq!([c.waiting, c.scheduled_callbacks as usize], [0, 1]);
    let steps = "
        # Due: to the one who holds nothing.
        09:30 tick => assigned k2 desk boris routed by 09:40
        # Due when nobody can take it: it waits from its due time.
        09:31 order k3 web 09:35
        09:35 tick => queued k3 desk at_capacity
    ";
    run(&mut s, steps);
    assert_eq!(s.e.waiting("desk").unwrap()[0].since, day("09:35"));
}

#[test]
fn an_order_due_now_or_in_the_past_is_announced_and_routed_at_once() {
    let steps = "
        09:01 order k1 web => callback_scheduled k1 desk due 09:01 attempt 1; assigned k1 desk anna routed by 09:11
        09:02 order k2 web 08:00 => callback_scheduled k2 desk due 09:02 attempt 1; assigned k2 desk boris routed by 09:12
    ";
    world(steps);
}

#[test]
fn connected_confirms_the_dial_silently_and_the_order_is_a_call_from_then_on() {
    let steps = r#"
        09:01 order k1 web => callback_scheduled k1 desk due 09:01 attempt 1; assigned k1 desk anna routed by 09:11
        09:02 result k1 anna connected =>
        09:11 tick =>
        09:12 result k1 anna connected => !NotACallback("k1")
        09:12 intercept k1 vera => !NotRinging("k1")
    "#;
    let s = world(steps);
    assert_eq!(s.conv("k1").request, Request::Call);
    assert!(widgets(&s, "desk").is_empty());
}

#[test]
fn a_failed_attempt_is_retried_after_the_retry_delay_until_the_attempts_are_used_up() {
    // The defaults: three attempts, ten minutes apart.
    let steps = "
        09:01 order k1 web => callback_scheduled k1 desk due 09:01 attempt 1; assigned k1 desk anna routed by 09:11
        09:02 result k1 anna no_answer => unassigned k1 anna attempt_failed; callback_scheduled k1 desk due 09:12 attempt 2
        09:12 tick => assigned k1 desk anna routed by 09:22
        09:13 result k1 anna busy => unassigned k1 anna attempt_failed; callback_scheduled k1 desk due 09:23 attempt 3
    ";
    let mut s = world(steps);
    assert_eq!(widgets(&s, "desk"), ["web: k1 09:23 3/3 scheduled"]);
    let steps = "
        09:23 tick => assigned k1 desk anna routed by 09:33
        # Removed once its attempts are used up, as MANGO does.
        09:24 result k1 anna failed => unassigned k1 anna attempt_failed; closed k1 attempts_exhausted
    ";
    run(&mut s, steps);
    assert!(widgets(&s, "desk").is_empty());
    // A line's own setting; a retry may be due at once.
    let steps = "
        09:01 order k1 web => callback_scheduled k1 desk due 09:01 attempt 1; assigned k1 desk anna routed by 09:11
        09:02 result k1 anna busy => unassigned k1 anna attempt_failed; callback_scheduled k1 desk due 09:02 attempt 2; assigned k1 desk anna routed by 09:12
        09:03 result k1 anna busy => unassigned k1 anna attempt_failed; closed k1 attempts_exhausted
    ";
    orders(r#"{"max_attempts":2,"retry_after_secs":0}"#, steps);
}

#[test]
fn an_unanswered_dial_moves_on_without_using_an_attempt_and_each_attempt_is_routed_afresh() {
    let steps = "
        09:01 order k1 web => callback_scheduled k1 desk due 09:01 attempt 1; assigned k1 desk anna routed by 09:11
        09:11 tick => unassigned k1 anna no_answer; assigned k1 desk boris routed by 09:21
    ";
    let mut s = world(steps);
    assert_eq!(widgets(&s, "desk"), ["web: k1 09:01 1/3 assigned boris"]);
    // It was the client who did not answer: anna, who let it ring out, is first again.
    let steps = "
        09:12 result k1 boris no_answer => unassigned k1 boris attempt_failed; callback_scheduled k1 desk due 09:22 attempt 2
        09:22 tick => assigned k1 desk anna routed by 09:32
    ";
    run(&mut s, steps);
}

#[test]
fn an_order_due_while_its_line_is_closed_waits_off_hours_and_uses_no_attempt() {
    let hours = r#"{"time_zone":"UTC","weekly":{"mon":[["09:00","12:00"],["13:00","18:00"]]}}"#;
    let line = desk(&format!(
        r#""schedule":{hours},"callback":{{"max_attempts":1}}"#
    ));
    let steps = format!(
        "
        09:00 {line}
        11:00 order k1 web 12:30 => callback_scheduled k1 desk due 12:30 attempt 1
        12:30 tick => queued k1 desk off_hours
        13:00 tick => assigned k1 desk anna routed by 13:10
        13:01 result k1 anna no_answer => unassigned k1 anna attempt_failed; closed k1 attempts_exhausted
    "
    );
    world(&steps);
}

#[test]
fn a_call_waits_off_hours_or_on_a_channel_without_operators_and_then_only_for_a_free_operator() {
    let hours = r#"{"time_zone":"UTC","weekly":{"mon":[["09:00","12:00"],["13:00","18:00"]]}}"#;
    let steps = format!(
        r#"
        09:00 {}
        09:00 {{"type":"connect_channel","channel":"ph","line":"desk","kind":"phone","operators":[]}}
        09:01 in k1 wa => assigned k1 desk anna routed by 09:11
        09:02 call k2 ph => queued k2 desk no_operators_for_channel
        09:03 {{"type":"connect_channel","channel":"ph","line":"desk","kind":"phone","operators":["anna"]}} =>
        09:04 close k1 => closed k1 closed; assigned k2 desk anna routed by 09:14
        09:05 accept k2 anna
        12:10 in k3 wa => queued k3 desk off_hours
        12:11 call k4 ph => queued k4 desk off_hours
        13:00 tick => assigned k3 desk boris routed by 13:10
    "#,
        desk(&format!(r#""schedule":{hours}"#))
    );
    world(&steps);
}

#[test]
fn close_cancels_an_order_and_a_take_or_transfer_dials_a_scheduled_one_at_once() {
    let steps = "
        09:01 order k1 web 09:30
        09:02 close k1 => closed k1 closed
        09:30 tick =>
        09:31 order k2 web 10:00
        09:32 take k2 boris => assigned k2 desk boris taken
        09:33 result k2 boris no_answer => unassigned k2 boris attempt_failed; callback_scheduled k2 desk due 09:43 attempt 2
        # Transferred, it rings at anna until she dials.
        09:34 transfer k2 anna => assigned k2 desk anna transferred
        09:35 order k3 web 10:00
        09:36 transfer k3 line desk => assigned k3 desk boris routed by 09:46
    ";
    let mut s = world(steps);
    let c = s.e.line_counters("desk").unwrap();
    assert_eq!(c.scheduled_callbacks, 0);
    // Both are dialled now: their current attempts fell due when they were transferred.
    let orders = ["web: k2 09:34 2/3 assigned anna, k3 09:36 1/3 assigned boris"];
    assert_eq!(widgets(&s, "desk"), orders);
    run(&mut s, "09:43 tick =>\n09:44 result k2 anna connected =>");
}

#[test]
fn an_order_cannot_share_an_open_conversation_but_a_closed_one_opens_a_new_order() {
    let steps = r#"
        09:01 in k1 web => assigned k1 desk anna routed by 09:11
        09:02 order k1 web => !CallbackConflict("k1", Text)
        09:02 order k2 web 10:00
        09:03 order k2 web => !CallbackConflict("k2", Callback)
        09:03 result k1 anna busy => !NotACallback("k1")
        09:03 result k2 anna busy => !NotHeldBy { conversation: "k2", operator: "anna" }
        09:03 order k3 nowhere => !UnknownChannel("nowhere")
        09:04 close k1 => closed k1 closed
        09:05 order k1 web 10:00 => callback_scheduled k1 desk due 10:00 attempt 1
    "#;
    assert_eq!(world(steps).conv("k1").request, Request::Callback);
}

#[test]
fn no_welcome_bot_response_target_or_incoming_rule_runs_for_an_order() {
    let line = desk(
        r#""auto_replies":{"welcome":true},"bot":{"bot":"robo"},"sla":{"first_response_secs":300}"#,
    );
    let steps = format!(
        r#"
        09:00 {line}
        09:00 {{"type":"set_rules","incoming":[{{"name":"every","then":[{{"action":"stop"}}]}}]}}
        09:01 in k1 wa => auto_reply k1 desk welcome; rule_applied k1 incoming every; bot_assigned k1 robo
        09:02 order k2 web => callback_scheduled k2 desk due 09:02 attempt 1; assigned k2 desk anna routed by 09:12
    "#
    );
    let s = world(&steps);
    assert_eq!(s.conv("k2").sla_due, None);
}

#[test]
fn the_panel_lists_callback_orders_by_widget_with_due_time_attempt_and_place() {
    let steps = r#"
        09:00 {"type":"connect_channel","channel":"web2","line":"desk","kind":"widget"}
        09:01 order k1 web 09:30
        09:02 order k2 web2 09:20
        09:03 order k3 web 09:10
        09:04 order k4 web => callback_scheduled k4 desk due 09:04 attempt 1; assigned k4 desk anna routed by 09:14
    "#;
    let orders = [
        "web: k4 09:04 1/3 assigned anna, k3 09:10 1/3 scheduled, k1 09:30 1/3 scheduled",
        "web2: k2 09:20 1/3 scheduled",
    ];
    let s = world(steps);
    assert_eq!(widgets(&s, "desk"), orders);
    assert_eq!(s.e.line_counters("desk").unwrap().scheduled_callbacks, 3);
}

// ---- Interception ----------------------------------------------------------------------------------

#[test]
fn a_call_ringing_at_someone_else_is_intercepted_final_and_they_get_no_no_answer() {
    let steps = "
        09:01 call k1 ph => assigned k1 desk anna routed by 09:11
        09:02 intercept k1 vera => unassigned k1 anna intercepted; assigned k1 desk vera intercepted
        09:11 tick =>
        09:12 call k2 ph => assigned k2 desk anna routed by 09:22
        09:13 call k3 hp => offered k3 hall [boris] by 09:23
        09:14 intercept k3 vera => withdrawn k3 boris intercepted; assigned k3 hall vera intercepted
        # A dialled callback order rings too.
        09:15 order k4 web => callback_scheduled k4 desk due 09:15 attempt 1; assigned k4 desk boris routed by 09:25
        09:16 intercept k4 anna => unassigned k4 boris intercepted; assigned k4 desk anna intercepted
        09:17 result k4 anna no_answer => unassigned k4 anna attempt_failed; callback_scheduled k4 desk due 09:27 attempt 2
    ";
    let s = world(steps);
    assert_eq!(s.conv("k1").deadline, None);
}

#[test]
fn only_a_call_ringing_at_someone_else_can_be_intercepted() {
    let steps = r#"
        09:01 call k5 hp => offered k5 hall [anna boris] by 09:11
        09:01 in k1 wa => assigned k1 desk anna routed by 09:11
        09:01 call k2 ph => assigned k2 desk boris routed by 09:11
        09:02 call k3 ph => queued k3 desk at_capacity
        09:03 order k4 web 10:00
        09:04 intercept k1 vera => !NotRinging("k1")
        09:04 intercept k3 vera => !NotRinging("k3")
        09:04 intercept k4 vera => !NotRinging("k4")
        09:04 intercept k2 boris => !RingingAtInterceptor { conversation: "k2", operator: "boris" }
        09:04 intercept k5 anna => !RingingAtInterceptor { conversation: "k5", operator: "anna" }
        09:04 intercept k5 lev => !UnknownOperator("lev")
        09:04 intercept k9 vera => !UnknownConversation("k9")
        09:05 accept k2 boris =>
        09:06 intercept k2 vera => !NotRinging("k2")
        09:07 close k2
        09:08 intercept k2 vera => !ConversationClosed("k2")
        09:09 accept k5 anna => withdrawn k5 boris accepted_elsewhere; assigned k5 hall anna accepted
        09:09 intercept k5 vera => !NotRinging("k5")
    "#;
    world(steps);
}
