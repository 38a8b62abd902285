//! The contact-centre queue (DESIGN §7, article 003) as a supervisor sees and steers it: the
//! order of the queue — priorities by channel and request type, VIP clients, aging, and the
//! client's wait kept across a return to the queue — what the queue panel shows, roles and
//! permissions (MANGO's operators, supervisors and administrators; Teletype's owner, deputy
//! and assistant of article 001), and snapshots. Calls, message kinds, abandonment, callback
//! orders and interception are in `contact_centre.rs`.
//!
//! The world: anna (role `operator`) and boris (no role) answer line `desk` (strict, 10
//! minutes to answer; phone `ph`, WhatsApp `wa`, callback widget `web`) and line `hall`
//! (everyone at once; phone `hp`). Line `back` (callback widget `bw`) names only lev, who does
//! not exist: whatever goes there waits. vera is a `supervisor` and olga an `administrator`,
//! in no line.

use routeline::Engine;

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
{"type":"upsert_role","role":"operator","permissions":["take","transfer","spam","close"]}
{"type":"upsert_role","role":"supervisor","permissions":["take","transfer","spam","close","intercept","manage_clients"],"scope":"all"}
{"type":"upsert_role","role":"administrator","permissions":["configure","pin_clients","manage_clients","take","intercept","transfer","spam","close","callbacks"],"scope":"all"}
{"type":"upsert_operator","operator":"anna","roles":["operator"]}
{"type":"upsert_operator","operator":"boris"}
{"type":"upsert_operator","operator":"vera","roles":["supervisor"]}
{"type":"upsert_operator","operator":"olga","roles":["administrator"]}
online anna
online boris
online vera
online olga
{"type":"upsert_line","line":"desk","mode":"strict","queue":["anna","boris"],"offer_timeout_secs":600}
{"type":"upsert_line","line":"hall","mode":"all","queue":["anna","boris"],"offer_timeout_secs":600}
{"type":"upsert_line","line":"back","mode":"strict","queue":["lev"]}
{"type":"connect_channel","channel":"ph","line":"desk","kind":"phone"}
{"type":"connect_channel","channel":"wa","line":"desk","kind":"whatsapp"}
{"type":"connect_channel","channel":"web","line":"desk","kind":"widget"}
{"type":"connect_channel","channel":"hp","line":"hall","kind":"phone"}
{"type":"connect_channel","channel":"bw","line":"back","kind":"widget"}
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

/// A line's waiting queue as the panel lists it: `k1 call 50, k2 text 0 vip`.
fn panel(s: &Sim, line: &str) -> String {
    let mut shown = Vec::new();
    for (i, w) in
        s.e.waiting(line)
            .expect("a known line")
            .into_iter()
            .enumerate()
    {
        assert_eq!(w.position, i + 1);
        let (kind, vip) = (
            serde_json::to_value(w.request).unwrap(),
            [" vip", ""][usize::from(!w.vip)],
        );
        shown.push(format!(
            "{} {} {}{vip}",
            w.conversation,
            kind.as_str().unwrap(),
            w.priority
        ));
    }
    shown.join(", ")
}

/// When the conversation's client began waiting, as the panel says.
fn since(s: &Sim, line: &str, k: &str) -> String {
    let entries = s.e.waiting(line).expect("a known line").into_iter();
    Day::time(
        entries
            .filter(|w| w.conversation.as_str() == k)
            .map(|w| w.since)
            .next()
            .expect(k),
    )
}

// ---- Priority by channel and request type, VIP clients, aging ---------------------------------

/// Line `desk` with `priority`, and nobody online: everything waits.
fn closed_desk(priority: &str) -> Sim {
    let line = desk(&format!(r#""priority":{priority}"#));
    world(&format!(
        "09:00 {line}\n09:00 offline anna\n09:00 offline boris"
    ))
}

#[test]
fn the_first_matching_rule_gives_the_base_priority_and_a_vip_client_adds_the_bonus() {
    let rules = r#"{"rules":[{"request":"call","priority":50},{"channel_kind":"whatsapp","priority":10},{"channel":"web","priority":5}],"vip":100}"#;
    let steps = r#"
        09:01 in k1 wa => queued k1 desk no_eligible_operator
        09:02 call k2 ph
        # A text on the phone: no rule matches. A call on WhatsApp: the first rule that does.
        09:03 in k3 ph
        09:04 vip c-k4 =>
        09:04 in k4 wa
        09:05 call k5 wa
        09:06 in k6 web
    "#;
    let mut s = closed_desk(rules);
    run(&mut s, steps);
    let queue = "k4 text 110 vip, k2 call 50, k5 call 50, k1 text 10, k6 text 5, k3 text 0";
    assert_eq!(panel(&s, "desk"), queue);
    // They leave the queue in that order as anna can take them, one at a time.
    let steps = r#"
        09:10 {"type":"upsert_operator","operator":"anna","max_open":1}
        09:10 online anna => assigned k4 desk anna routed by 09:20
        09:11 close k4 => closed k4 closed; assigned k2 desk anna routed by 09:21
        09:12 close k2 => closed k2 closed; assigned k5 desk anna routed by 09:22
        09:13 close k5 => closed k5 closed; assigned k1 desk anna routed by 09:23
    "#;
    run(&mut s, steps);
}

#[test]
fn without_aging_priorities_are_strict_classes_and_equal_ones_go_by_since_then_arrival() {
    // A rule with no keys matches everything; a negative priority goes last.
    let rules = r#"{"rules":[{"request":"call","priority":1},{"channel_kind":"widget","priority":-5},{"priority":0}]}"#;
    let mut s = closed_desk(rules);
    let step = "09:00 in k9 web\n09:01 in k2 wa\n09:01 in k1 wa\n17:00 call k3 ph\n23:59 tick";
    run(&mut s, step);
    assert_eq!(
        panel(&s, "desk"),
        "k3 call 1, k2 text 0, k1 text 0, k9 text -5"
    );
}

#[test]
fn with_aging_a_low_priority_that_waited_long_enough_passes_a_fresh_high_one() {
    // Each 6 seconds of waiting are worth a point: a text that waited 300 s is worth a call.
    let mut s = closed_desk(r#"{"rules":[{"request":"call","priority":50}],"aging_secs":6}"#);
    run(&mut s, "09:00:00 in k1 wa\n09:04:59 call k2 ph");
    assert_eq!(panel(&s, "desk"), "k2 call 50, k1 text 49");
    // At 09:05:00 the text is worth 50 exactly: level with a fresh call, ahead by its `since`.
    run(&mut s, "09:05:00 call k3 ph");
    assert_eq!(panel(&s, "desk"), "k2 call 50, k1 text 50, k3 call 50");
    // Six seconds later it is worth more than a fresh call.
    run(&mut s, "09:05:06 call k4 ph");
    assert_eq!(
        panel(&s, "desk"),
        "k2 call 51, k1 text 51, k3 call 51, k4 call 50"
    );
    let steps = r#"
        09:06 {"type":"upsert_operator","operator":"anna","max_open":1}
        09:06 online anna => assigned k2 desk anna routed by 09:16
        09:07 close k2 => closed k2 closed; assigned k1 desk anna routed by 09:17
    "#;
    run(&mut s, steps);
}

#[test]
fn a_vip_change_or_a_new_priority_setting_reorders_the_waiting_queue_at_once() {
    let mut s = closed_desk(r#"{"vip":20}"#);
    let step = "09:01 in k1 wa\n09:02 call k2 ph\n09:03 in k3 web\n09:04 vip c-k3 =>";
    run(&mut s, step);
    assert_eq!(panel(&s, "desk"), "k3 text 20 vip, k1 text 0, k2 call 0");
    // An upsert returns what it leaves out to its default: no longer VIP, back in place.
    let step = r#"09:05 {"type":"upsert_client","client":"c-k3"} =>"#;
    run(&mut s, step);
    assert_eq!(panel(&s, "desk"), "k1 text 0, k2 call 0, k3 text 0");
    let calls_first = desk(r#""priority":{"rules":[{"request":"call","priority":1}]}"#);
    run(&mut s, &format!("09:06 {calls_first} =>"));
    assert_eq!(panel(&s, "desk"), "k2 call 1, k1 text 0, k3 text 0");
    // A line without a priority setting orders by `since` alone.
    run(&mut s, &format!("09:07 {} =>", desk("")));
    assert_eq!(panel(&s, "desk"), "k1 text 0, k2 call 0, k3 text 0");
}

#[test]
fn across_lines_the_highest_effective_priority_at_that_instant_goes_first_exactly() {
    // anna, alone and with room for one, is in `desk` (aging a point a minute from 0) and in
    // `side` (3, no aging). k2 (desk) came first, k1 (side) a moment later, both at 09:00: at
    // 09:03 they are level, and the earlier arrival goes first.
    let side = r#"{"type":"upsert_line","line":"side","mode":"strict","queue":["anna"],"priority":{"rules":[{"priority":3}]}}"#;
    let cases = [
        "09:02:59 online anna => assigned k1 side anna routed",
        "09:03:00 online anna => assigned k2 desk anna routed by 09:13",
        "09:03:01 online anna => assigned k2 desk anna routed by 09:13:01",
    ];
    for case in cases {
        let mut s = closed_desk(r#"{"aging_secs":60}"#);
        let steps = format!(
            r#"09:00 {side}
            09:00 {{"type":"connect_channel","channel":"sd","line":"side","kind":"phone"}}
            09:00 {{"type":"upsert_operator","operator":"anna","max_open":1}}
            09:00 in k2 wa
            09:00 in k1 sd
            {case}"#
        );
        run(&mut s, &steps);
    }
}

#[test]
fn priorities_and_aging_out_of_range_are_errors_and_the_bounds_are_allowed() {
    let line = |p: &str| desk(&format!(r#""priority":{p}"#));
    let mut s = world("");
    let refused = "rules.priority 1000001, rules.priority -1000001, vip -1000001, vip 1000001, aging_secs 0, aging_secs 86401";
    for case in refused.split(", ") {
        let (field, value) = case.split_once(' ').unwrap();
        let p = match field {
            "rules.priority" => format!(r#"{{"rules":[{{"priority":{value}}}]}}"#),
            f => format!(r#"{{"{f}":{value}}}"#),
        };
        let e = format!(r#"InvalidPriority {{ line: "desk", field: "{field}", value: {value} }}"#);
        run(&mut s, &format!("09:01 {} => !{e}", line(&p)));
    }
    let none = desk(r#""callback":{"max_attempts":0}"#);
    let step = format!(r#"09:01 {none} => !InvalidCallbackAttempts("desk")"#);
    run(&mut s, &step);
    let bounds = r#"{"rules":[{"priority":1000000},{"priority":-1000000}],"vip":1000000,"aging_secs":86400}"#;
    let low = r#"{"vip":-1000000,"aging_secs":1}"#;
    let once = r#""callback":{"max_attempts":1,"retry_after_secs":0}"#;
    for allowed in [line(bounds), line(low), desk(once)] {
        run(&mut s, &format!("09:02 {allowed} =>"));
    }
}

// ---- The client's wait: `since` -----------------------------------------------------------------

#[test]
fn a_caller_whose_call_rang_out_keeps_their_place_in_the_queue() {
    // anna alone; a call that rings out goes back to the queue (`requeue`).
    let steps = format!(
        "
        09:00 {}
        09:00 offline boris
        09:01 call k1 ph => assigned k1 desk anna routed by 09:11
        09:02 call k2 ph => queued k2 desk at_capacity
        09:03 call k3 ph => queued k3 desk at_capacity
        09:11 tick => unassigned k1 anna no_answer; queued k1 desk exhausted; assigned k2 desk anna routed by 09:21
    ",
        desk(r#""on_exhausted":"requeue""#)
    );
    let s = world(&steps);
    // Back at the place its 09:01 call gave it, before k3 who called at 09:03. (Before DESIGN
    // §7 it went to the back, waiting since 09:11.)
    assert_eq!(panel(&s, "desk"), "k1 call 0, k3 call 0");
    assert_eq!(since(&s, "desk", "k1"), "09:01");
    assert_eq!(s.e.waiting("desk").unwrap()[0].waited_secs, 600);
}

#[test]
fn a_ringing_call_transferred_to_a_line_keeps_its_wait_a_confirmed_one_starts_anew() {
    let steps = "
        09:01 call k1 ph => assigned k1 desk anna routed by 09:11
        09:02 in k2 wa => assigned k2 desk boris routed by 09:12
        09:03 transfer k2 line back => unassigned k2 boris transferred; queued k2 back no_eligible_operator
        09:04 transfer k1 line back => unassigned k1 anna transferred; queued k1 back no_eligible_operator
    ";
    let mut s = world(steps);
    assert_eq!(panel(&s, "back"), "k1 call 0, k2 text 0");
    assert_eq!(since(&s, "back", "k1"), "09:01");
    // A confirmed assignment ends the wait: the next one starts when it comes back.
    let steps = "
        09:05 call k3 ph => assigned k3 desk anna routed by 09:15
        09:06 accept k3 anna =>
        09:07 in k4 wa => assigned k4 desk boris routed by 09:17
        09:08 out k4 boris =>
        09:09 transfer k3 line back
        09:10 transfer k4 line back
    ";
    run(&mut s, steps);
    assert_eq!(
        [since(&s, "back", "k3"), since(&s, "back", "k4")],
        ["09:09", "09:10"]
    );
}

#[test]
fn time_in_the_voice_menu_with_the_bot_is_not_waiting() {
    let steps = r#"
        09:00 {"type":"upsert_line","line":"back","mode":"strict","queue":["lev"],"bot":{"bot":"ivr"}}
        09:00 {"type":"connect_channel","channel":"bp","line":"back","kind":"phone"}
        09:01 call k1 bp => bot_assigned k1 ivr
        09:10 {"type":"bot_handoff","conversation":"k1"} => bot_left k1 ivr handoff; queued k1 back no_eligible_operator
    "#;
    assert_eq!(since(&world(steps), "back", "k1"), "09:10");
}

// ---- The queue panel ---------------------------------------------------------------------------

/// Steps from 10:00 on: conversations `h0`, `h1` … opened one after the other by `open`
/// (`call` or `in`) on channel `ch`, each accepted by anna and closed `secs` seconds later.
fn handled(open: &str, ch: &str, secs: &[u32]) -> String {
    let (mut steps, mut at) = (String::new(), day("10:00"));
    for (i, &d) in secs.iter().enumerate() {
        let done = at + chrono::TimeDelta::seconds(i64::from(d));
        let (t, end) = (at.format("%H:%M:%S"), done.format("%H:%M:%S"));
        steps += &format!("{t} {open} h{i} {ch}\n{t} accept h{i} anna =>\n");
        steps += &format!("{end} close h{i} => closed h{i} closed\n");
        at = done;
    }
    steps
}

/// Five calls at 18:00: two ring at anna and boris, three wait.
const FIVE_CALLS: &str =
    "18:00 call k1 ph\n18:00 call k2 ph\n18:00 call k3 ph\n18:00 call k4 ph\n18:00 call k5 ph";

/// The estimated waits of a line's queue, `-` while unknown.
fn estimates(s: &Sim, line: &str) -> Vec<String> {
    let entries = s.e.waiting(line).expect("a known line").into_iter();
    entries
        .map(|w| w.estimated_wait_secs.map_or("-".into(), |x| x.to_string()))
        .collect()
}

#[test]
fn the_estimated_wait_is_unknown_until_ten_closed_then_position_times_mean_over_capacity() {
    // Nine calls handled in a minute each; anna and boris each take a call, three wait.
    let mut s = world(&handled("call", "ph", &[60; 9]));
    run(&mut s, FIVE_CALLS);
    assert_eq!(estimates(&s, "desk"), ["-", "-", "-"]);
    // The tenth closes after a minute: k3 takes its place; mean 60 s, two operators free.
    let step = "18:01 close k1 => closed k1 closed; assigned k3 desk anna routed by 18:11";
    run(&mut s, step);
    assert_eq!(estimates(&s, "desk"), ["30", "60"]);
    // Capacity counts the eligible members: one call at a time without boris.
    let step = "18:02 offline boris => unassigned k2 boris unavailable; queued k2 desk at_capacity";
    run(&mut s, step);
    assert_eq!(estimates(&s, "desk"), ["60", "120", "180"]);
}

#[test]
fn the_mean_handling_time_is_over_the_last_fifty_closed_of_that_kind_and_texts_count_caps() {
    let mut secs = vec![600; 10];
    secs.extend([120; 50]);
    let mut s = world(&handled("call", "ph", &secs));
    let step = "21:00 call k1 ph\n21:00 call k2 ph\n21:00 call k3 ph\n21:00 in k4 wa";
    run(&mut s, step);
    assert_eq!(estimates(&s, "desk"), ["60", "-"]);
    // Texts: anna may hold two at once, boris (no cap) one — capacity three.
    let texts = handled("in", "wa", &[120; 10]);
    let steps = format!(
        r#"09:00 {{"type":"upsert_operator","operator":"anna","max_open":2,"roles":["operator"]}}
        {texts}
        11:00 {{"type":"connect_channel","channel":"wa","line":"desk","kind":"whatsapp","operators":[]}}
        11:01 in k1 wa => queued k1 desk no_operators_for_channel
        11:02 in k2 wa"#
    );
    assert_eq!(estimates(&world(&steps), "desk"), ["40", "80"]);
}

#[test]
fn the_estimated_wait_uses_the_exact_mean_handling_time() {
    let mut s = world(&handled("call", "ph", &[60; 9]));
    run(&mut s, FIVE_CALLS);
    // The tenth took 65 s: the mean is 60.5 s; ⌈1 × 60.5 ÷ 2⌉ = 31, ⌈2 × 60.5 ÷ 2⌉ = 61.
    run(&mut s, "18:01:05 close k1");
    assert_eq!(estimates(&s, "desk"), ["31", "61"]);
}

#[test]
fn the_counters_show_what_waits_by_kind_and_the_scheduled_orders() {
    let steps = "
        09:01 offline anna
        09:01 offline boris
        09:02 in k1 wa
        09:03 call k2 ph
        09:04 call k3 ph
        09:05 order k4 web
        09:06 order k5 web 10:00
        09:07 order k6 bw 10:00
    ";
    let s = world(steps);
    let c = s.e.line_counters("desk").unwrap();
    let counts = [
        c.waiting,
        c.waiting_texts as usize,
        c.waiting_calls as usize,
    ];
    assert_eq!(counts, [4, 1, 2]);
    assert_eq!((c.waiting_callbacks, c.scheduled_callbacks), (1, 1));
    assert_eq!(
        panel(&s, "desk"),
        "k1 text 0, k2 call 0, k3 call 0, k4 callback 0"
    );
}

// ---- Roles and permissions ---------------------------------------------------------------------

#[test]
fn an_operator_takes_transfers_marks_spam_and_closes_within_their_own_lines_only() {
    let steps = r#"
        09:01 call k1 ph => assigned k1 desk anna routed by 09:11
        09:02 in k2 wa => assigned k2 desk boris routed by 09:12
        09:03 as anna take k2 anna => unassigned k2 boris taken_over; assigned k2 desk anna taken
        09:04 as anna transfer k2 boris => unassigned k2 anna transferred; assigned k2 desk boris transferred
        09:05 as anna spam k2 => closed k2 spam
        09:06 in k3 wa
        09:06 transfer k3 line back
        # A refusal changes nothing, not even the clock: k1's deadline has not fired.
        09:20 as anna take k3 anna => !PermissionDenied { actor: "anna", permission: Take }
        09:20 as anna transfer k3 line desk => !PermissionDenied { actor: "anna", permission: Transfer }
        09:20 as anna spam k3 => !PermissionDenied { actor: "anna", permission: Spam }
        09:20 as anna close k3 => !PermissionDenied { actor: "anna", permission: Close }
        09:20 as anna {"type":"set_status","conversation":"k3","status":"waiting"} => !PermissionDenied { actor: "anna", permission: Close }
        09:20 as anna intercept k1 boris => !PermissionDenied { actor: "anna", permission: Intercept }
        09:20 as anna vip c-k3 => !PermissionDenied { actor: "anna", permission: ManageClients }
        09:20 as anna order k4 web => !PermissionDenied { actor: "anna", permission: Callbacks }
        09:20 as boris close k1 => !PermissionDenied { actor: "boris", permission: Close }
        09:20 as nobody close k1 => !PermissionDenied { actor: "nobody", permission: Close }
        09:20 tick => unassigned k1 anna no_answer; assigned k1 desk boris routed by 09:21
        # Assigned to her, it is hers wherever it is.
        09:20 transfer k3 anna => assigned k3 back anna transferred
        09:20 as anna close k3 => closed k3 closed
    "#;
    world(steps);
}

#[test]
fn a_supervisor_acts_on_every_conversation_and_an_administrator_may_do_everything() {
    let line = desk(r#""max_open_per_operator":2"#);
    let steps = format!(
        r#"
        09:01 in k1 wa
        09:01 transfer k1 line back
        09:02 as vera take k1 vera => assigned k1 back vera taken
        09:03 call k2 ph => assigned k2 desk anna routed by 09:13
        09:04 as vera intercept k2 vera => unassigned k2 anna intercepted; assigned k2 desk vera intercepted
        09:05 as vera vip c-k2 =>
        09:06 as vera pin c-k2 anna => !PermissionDenied {{ actor: "vera", permission: PinClients }}
        09:06 as vera {line} => !PermissionDenied {{ actor: "vera", permission: Configure }}
        09:06 as vera order k3 bw => !PermissionDenied {{ actor: "vera", permission: Callbacks }}
        09:06 as vera offline anna => !PermissionDenied {{ actor: "vera", permission: Configure }}
        09:07 as olga pin c-k2 anna =>
        09:07 as olga {line} =>
        09:07 as olga order k3 bw => callback_scheduled k3 back due 09:07 attempt 1; queued k3 back no_eligible_operator
        09:08 as olga close k1 => closed k1 closed
        09:09 as olga {{"type":"upsert_operator","operator":"olga","active":false,"roles":["administrator"]}} =>
        # Inactive, she may still report her own facts, and nothing else.
        09:10 as olga offline olga =>
        09:10 as olga close k3 => !PermissionDenied {{ actor: "olga", permission: Close }}
    "#
    );
    world(&steps);
}

#[test]
fn own_facts_need_no_permission_another_operators_need_configure_and_world_facts_none() {
    let steps = r#"
        09:01 as boris offline boris =>
        09:01 as boris online boris =>
        09:01 as boris {"type":"workday_started","operator":"boris"} =>
        09:01 as boris {"type":"absence","operator":"boris","from":"2026-03-03T00:00:00Z","until":"2026-03-04T00:00:00Z"} =>
        09:01 as boris {"type":"clear_absences","operator":"boris"} =>
        09:01 as boris {"type":"workday_ended","operator":"anna"} => !PermissionDenied { actor: "boris", permission: Configure }
        09:01 as nobody in k1 wa => assigned k1 desk anna routed by 09:11
        09:02 as boris accept k1 anna => !PermissionDenied { actor: "boris", permission: Configure }
        09:02 as anna accept k1 anna =>
        # Writing into anna's conversation takes it over: it happened.
        09:03 as boris out k1 boris => unassigned k1 anna taken_over; assigned k1 desk boris taken
        09:03 as anna out k1 boris => !PermissionDenied { actor: "anna", permission: Configure }
        09:04 order k2 web => callback_scheduled k2 desk due 09:04 attempt 1; assigned k2 desk anna routed by 09:14
        09:05 as boris result k2 anna busy => !PermissionDenied { actor: "boris", permission: Configure }
        09:05 as anna result k2 anna busy => unassigned k2 anna attempt_failed; callback_scheduled k2 desk due 09:15 attempt 2
        09:06 as nobody {"type":"rating","conversation":"k1","score":5} =>
        09:06 as nobody {"type":"bot_handoff","conversation":"k1"} => !NotWithBot("k1")
        09:06 as nobody abandon k2 => closed k2 abandoned
        09:06 as nobody {"type":"tick"} =>
        09:06 as nobody offline nobody => !UnknownOperator("nobody")
    "#;
    world(steps);
}

#[test]
fn a_role_grants_nothing_until_defined_and_upserts_replace_roles() {
    let steps = r#"
        09:00 {"type":"upsert_operator","operator":"boris","roles":["night"]}
        09:01 in k1 wa => assigned k1 desk anna routed by 09:11
        09:02 as boris take k1 boris => !PermissionDenied { actor: "boris", permission: Take }
        09:03 {"type":"upsert_role","role":"night","permissions":["take","callbacks"]} =>
        09:04 as boris take k1 boris => unassigned k1 anna taken_over; assigned k1 desk boris taken
        # Scope `own` reaches an order on a line whose queue includes the actor.
        09:05 as boris order k2 web => callback_scheduled k2 desk due 09:05 attempt 1; assigned k2 desk anna routed by 09:15
        09:05 as boris order k3 bw => !PermissionDenied { actor: "boris", permission: Callbacks }
        09:06 {"type":"remove_role","role":"night"} =>
        09:07 as boris take k2 boris => !PermissionDenied { actor: "boris", permission: Take }
        09:07 {"type":"remove_role","role":"night"} => !UnknownRole("night")
        09:08 {"type":"upsert_operator","operator":"anna"} =>
        09:09 as anna close k1 => !PermissionDenied { actor: "anna", permission: Close }
    "#;
    world(steps);
}

#[test]
fn teletype_owner_and_deputy_configure_and_pin_an_assistant_only_pins() {
    let steps = r#"
        09:00 {"type":"upsert_role","role":"owner","permissions":["configure","pin_clients"]}
        09:00 {"type":"upsert_role","role":"deputy","permissions":["configure","pin_clients"]}
        09:00 {"type":"upsert_role","role":"assistant","permissions":["pin_clients"]}
        09:00 {"type":"upsert_operator","operator":"tim","roles":["owner"]}
        09:00 {"type":"upsert_operator","operator":"dina","roles":["deputy"]}
        09:00 {"type":"upsert_operator","operator":"asya","roles":["assistant"]}
        09:01 in k1 wa => assigned k1 desk anna routed by 09:11
        # Scope `own`, in no line: configuring and pinning are not about a conversation.
        09:02 as tim {"type":"upsert_line","line":"desk","mode":"strict","queue":["anna","boris"],"offer_timeout_secs":600,"max_open_per_operator":1} =>
        09:02 as dina {"type":"upsert_role","role":"assistant","permissions":["pin_clients"]} =>
        09:02 as asya {"type":"upsert_line","line":"desk","mode":"strict","queue":["anna"]} => !PermissionDenied { actor: "asya", permission: Configure }
        09:03 as asya pin c-k1 boris =>
        09:03 as asya {"type":"unpin_client","client":"c-k1"} =>
        09:03 as dina pin c-k1 boris =>
        09:03 as asya take k1 asya => !PermissionDenied { actor: "asya", permission: Take }
        09:03 as tim vip c-k1 => !PermissionDenied { actor: "tim", permission: ManageClients }
    "#;
    world(steps);
}

// ---- Snapshots ----------------------------------------------------------------------------------

#[test]
fn a_restored_snapshot_continues_with_orders_ringing_calls_priorities_roles_and_handling_times() {
    let line = desk(
        r#""priority":{"rules":[{"request":"call","priority":5}],"vip":10,"aging_secs":60},"callback":{"max_attempts":2,"retry_after_secs":300}"#,
    );
    let before = format!(
        r#"{}
        11:00 {line}
        11:00 {{"type":"upsert_role","role":"night","permissions":["take"],"scope":"all"}}
        11:00 {{"type":"upsert_operator","operator":"boris","roles":["night"]}}
        11:01 vip c-k3
        11:01 call k1 ph
        11:02 call k2 ph
        11:03 in k3 wa
        11:04 call k4 ph
        11:05 order k5 web 11:30
        11:06 order k6 web"#,
        handled("call", "ph", &[60; 10])
    );
    let mut s = world(&before);
    let mut restored = Engine::restore(s.e.snapshot()).expect("the snapshot restores");
    let json = |e: &Engine| serde_json::to_string(&e.snapshot()).unwrap();
    assert_eq!(json(&restored), json(&s.e));
    assert_eq!(restored.waiting("desk"), s.e.waiting("desk"));
    let after = "
        11:07 as boris take k3 boris
        11:08 as anna take k4 anna
        11:09 as vera intercept k2 vera
        11:10 close k3
        11:11 tick
        11:12 as boris result k6 boris no_answer
        11:17 tick
        11:30 tick
        11:31 abandon k5
        12:00 tick
    ";
    let seen = s.all.len();
    run(&mut s, after);
    let original: Vec<String> = s.all[seen..].iter().map(Day::show).collect();
    let mut again = Vec::new();
    for step in after.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (t, what) = step.split_once(' ').unwrap();
        match what.strip_prefix("as ").and_then(|w| w.split_once(' ')) {
            _ if what == "tick" => restored.handle_timeout(day(t)),
            Some((actor, what)) => restored.handle_as(day(t), actor, short(what)).unwrap(),
            None => restored.handle(day(t), short(what)).unwrap(),
        }
        again.extend(std::iter::from_fn(|| restored.poll_decision()).map(|d| Day::show(&d)));
    }
    assert_eq!(again, original);
    assert_eq!(json(&restored), json(&s.e));
}
