//! The contact-centre queue (DESIGN §7): a conversation that comes back to the queue — its
//! call rang out, its holder left, its offers expired — keeps its place, and so does everyone
//! before it: the capacity its holder lets go goes to the most urgent conversation waiting,
//! which may be another one.

#[allow(dead_code)]
mod scenario_support;
use scenario_support::{Day, day, short};

type Sim = scenario_support::Sim<Day>;

fn run(s: &mut Sim, script: &str) {
    s.script(script, day, short);
}

/// boris alone on line `desk` (10 minutes to answer, a VIP bonus of 100); phone `ph`.
fn desk(mode: &str) -> Sim {
    let mut s = Sim::new();
    let world = format!(
        r#"
        09:00 {{"type":"upsert_operator","operator":"boris","max_open":1}} =>
        09:00 {{"type":"upsert_operator","operator":"anna","max_open":1}} =>
        09:00 online boris =>
        09:00 {{"type":"upsert_line","line":"desk","mode":"{mode}","queue":["boris"],"offer_timeout_secs":600,"priority":{{"vip":100}}}} =>
        09:00 {{"type":"connect_channel","channel":"ph","line":"desk","kind":"phone"}} =>
        09:00 vip c-k2 =>
    "#
    );
    run(&mut s, &world);
    s
}

#[test]
fn a_call_that_rings_out_goes_back_behind_a_vip_who_waited_and_the_vip_gets_the_operator() {
    let mut s = desk("strict");
    let steps = "
        09:01 call k1 ph => assigned k1 desk boris routed by 09:11
        09:02 call k2 ph => queued k2 desk at_capacity
        # k1 rings out: boris is free again, and the VIP waiting before k1's place gets him.
        09:11 tick => unassigned k1 boris no_answer; assigned k2 desk boris routed by 09:21; queued k1 desk at_capacity
        09:12 accept k2 boris =>
        # When boris is free again, k1 is next, with the place it had.
        09:15 close k2 => closed k2 closed; assigned k1 desk boris routed by 09:25
    ";
    run(&mut s, steps);
}

#[test]
fn a_text_whose_holder_went_offline_waits_behind_a_more_urgent_one_when_nobody_else_can_take_it() {
    let mut s = desk("strict");
    let steps = "
        09:00 online anna =>
        09:00 {\"type\":\"upsert_line\",\"line\":\"desk\",\"mode\":\"strict\",\"queue\":[\"boris\",\"anna\"],\"offer_timeout_secs\":600,\"priority\":{\"vip\":100}} =>
        09:01 in k1 ph => assigned k1 desk boris routed by 09:11
        09:02 in k3 ph => assigned k3 desk anna routed by 09:12
        09:03 in k2 ph => queued k2 desk at_capacity
        # boris leaves: anna is full, so k1 waits — behind the VIP k2.
        09:04 offline boris => unassigned k1 boris unavailable; queued k1 desk at_capacity
        09:05 close k3 => closed k3 closed; assigned k2 desk anna routed by 09:15
    ";
    run(&mut s, steps);
}

#[test]
fn a_conversation_that_comes_back_first_in_line_is_placed_at_once_as_before() {
    let mut s = desk("strict");
    let steps = "
        09:00 online anna =>
        09:00 {\"type\":\"upsert_line\",\"line\":\"desk\",\"mode\":\"strict\",\"queue\":[\"boris\",\"anna\"],\"offer_timeout_secs\":600,\"priority\":{\"vip\":100}} =>
        09:01 call k2 ph => assigned k2 desk boris routed by 09:11
        09:02 call k1 ph => assigned k1 desk anna routed by 09:12
        # The VIP's call rings out at boris: nothing waits before it, so it moves on at once.
        09:11 tick => unassigned k2 boris no_answer; assigned k2 desk boris routed by 09:21
    ";
    run(&mut s, steps);
}

#[test]
fn a_call_that_rings_out_does_not_take_back_the_operator_from_a_vip_text_waiting_before_it() {
    let mut s = Sim::new();
    let steps = r#"
        09:00 {"type":"upsert_operator","operator":"anna"} =>
        09:00 online anna =>
        09:00 {"type":"upsert_line","line":"desk","mode":"strict","queue":["anna"],"offer_timeout_secs":120,"priority":{"rules":[{"request":"call","priority":50},{"channel_kind":"whatsapp","priority":10}],"vip":100,"aging_secs":6}} =>
        09:00 {"type":"connect_channel","channel":"ph","line":"desk","kind":"phone"} =>
        09:00 {"type":"connect_channel","channel":"wa","line":"desk","kind":"whatsapp"} =>
        09:00 vip c-k1 =>
        09:00 call k2 ph => assigned k2 desk anna routed by 09:02
        09:00:10 in k1 wa => queued k1 desk at_capacity
        # The VIP text (110) is more urgent than the call (50) that rang out: it gets anna.
        09:02 tick => unassigned k2 anna no_answer; assigned k1 desk anna routed by 09:04; queued k2 desk at_capacity
    "#;
    run(&mut s, steps);
}
