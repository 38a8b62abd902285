//! Support lines (DESIGN §6), the rule lists in detail: when each list runs, that a client's
//! message runs them before routing, what each action does to an active and to a completed
//! conversation, the reasons its decisions carry, and what makes each condition hold.
//!
//! The world (the same as in `support_details.rs`): anna and boris (group `line1`) and lev
//! (group `line2`), online. Line `sales` (strict, anna then boris, ten minutes to answer) on
//! channel `wa` (kind whatsapp); `chats` (mode all, group `line1`, ten minutes) on `tg`
//! (telegram); `bots` (strict, a welcome, the bot `robo`) on `web`; `vip` (strict, boris then
//! anna, the client's last operator first) on `sms`; `rated` (strict, closes on a rating) on
//! `form`; `care` (strict, response targets, an `unanswered` reply, an inactivity close) on
//! `mail`.
//!
//! Rules are written as `set_rules` takes them. A rule written without `then` gets the action
//! "assign the operator `nobody`" — who does not exist, so it does nothing but say that the
//! rule applied: the tests use such rules as markers. The steps are scripts (see [`run`]):
//! `09:02 status k1 waiting => status_changed k1 waiting; rule_applied k1 changed r` applies
//! the input at 09:02 and checks every decision it gives, in order.

#[allow(dead_code)]
mod scenario_support;
#[allow(dead_code)]
mod support_world;
use support_world::{play, run};

// ---- A client's message that opens or re-activates a conversation: the rules come first -------

#[test]
fn an_incoming_rule_that_closes_a_new_chat_leaves_the_welcome_but_no_bot_and_no_routing() {
    let rules = r#"{"incoming":[{"name":"shut","then":[{"action":"close"}]}]}"#;
    let steps = "09:01 in k1 web => auto_reply k1 bots welcome; rule_applied k1 incoming shut; closed k1 rule";
    play(rules, steps);
}

#[test]
fn an_incoming_rule_that_assigns_completes_or_routes_a_new_chat_replaces_routing_and_the_bot() {
    let rules = r#"{"incoming":[
        {"name":"web-to-boris","when":{"channel":["web"]},"then":[{"action":"assign","operator":"boris"}]},
        {"name":"wa-done","when":{"channel":["wa"]},"then":[{"action":"complete"}]},
        {"name":"tg-to-sales","when":{"channel":["tg"]},"then":[{"action":"status","status":"waiting"},{"action":"route","line":"sales"}]}]}"#;
    let steps = "
        09:01 in k1 web => auto_reply k1 bots welcome; rule_applied k1 incoming web-to-boris; assigned k1 bots boris rule
        # Final: no answer deadline.
        20:00 tick =>
        20:01 in k2 wa => rule_applied k2 incoming wa-done; completed k2 sales -
        20:02 in k3 tg => rule_applied k3 incoming tg-to-sales; status_changed k3 waiting; assigned k3 sales anna routed by 20:12
    ";
    play(rules, steps);
}

#[test]
fn a_changed_rule_on_a_re_activating_client_message_runs_once_before_routing() {
    let rules = r#"{"changed":[
        {"name":"back-to-chats","when":{"reactivated":true,"status":["open"],"line":["sales"]},"then":[{"action":"route","line":"chats"}]},
        {"name":"every-change"}]}"#;
    let steps = "
        09:01 in k1 wa
        09:02 out k1 anna
        09:03 complete k1 waiting
        # `waiting` turned `open` before the rules ran; it is routed on `chats` only.
        09:10 in k1 wa => status_changed k1 open; rule_applied k1 changed back-to-chats; offered k1 chats [anna boris] by 09:20; rule_applied k1 changed every-change
    ";
    play(rules, steps);
}

#[test]
fn a_changed_rule_that_closes_a_re_activated_chat_means_it_is_never_routed() {
    let rules =
        r#"{"changed":[{"name":"shut","when":{"reactivated":true},"then":[{"action":"close"}]}]}"#;
    let steps = "
        09:01 in k1 wa
        09:02 complete k1
        09:10 in k1 wa => rule_applied k1 changed shut; closed k1 rule
    ";
    play(rules, steps);
}

// ---- Each action, on an active and on a completed conversation --------------------------------

const TO_ANNA: &str = r#"{"changed":[{"name":"to-anna","when":{"event":["status"]},"then":[{"action":"assign","operator":"anna"}]}]}"#;

#[test]
fn assign_gives_an_active_chat_to_the_operator_finally_whatever_their_cap() {
    let steps = r#"
        09:00 {"type":"upsert_operator","operator":"anna","max_open":1}
        09:01 in k1 wa
        09:02 out k1 anna
        09:03 in k2 wa => assigned k2 sales boris routed by 09:13
        09:04 status k2 waiting => status_changed k2 waiting; rule_applied k2 changed to-anna; unassigned k2 boris rule; assigned k2 sales anna rule
        20:00 tick =>
    "#;
    assert_eq!(play(TO_ANNA, steps).op("anna").load.open, 2);
}

#[test]
fn assign_naming_the_unconfirmed_holder_makes_it_final_and_a_final_one_stays_silent() {
    let steps = "
        09:01 in k1 wa => assigned k1 sales anna routed by 09:11
        09:02 status k1 waiting => status_changed k1 waiting; rule_applied k1 changed to-anna; assigned k1 sales anna rule
        20:00 tick =>
        20:01 status k1 open => status_changed k1 open; rule_applied k1 changed to-anna
    ";
    play(TO_ANNA, steps);
}

#[test]
fn assign_on_an_active_chat_makes_the_clients_last_operator_but_on_a_completed_one_it_does_not() {
    let steps = "
        # Active: anna's final assignment makes her c-k1's last operator.
        09:01 in k1 sms => assigned k1 vip boris routed by 09:11
        09:02 status k1 waiting
        09:03 close k1
        09:04 in k2 sms c-k1 => assigned k2 vip anna last_operator by 09:14
        # Completed: anna is only recorded as responsible; boris, who answered, stays the last.
        09:05 in k3 sms
        09:06 out k3 boris
        09:07 complete k3
        09:08 status k3 waiting => status_changed k3 waiting; rule_applied k3 changed to-anna; completed k3 vip anna
        09:09 close k3
        09:10 in k4 sms c-k3 => assigned k4 vip boris last_operator by 09:20
    ";
    play(TO_ANNA, steps);
}

#[test]
fn assign_of_an_unknown_or_inactive_operator_does_nothing_but_the_rule_still_applies() {
    let rules = r#"{"changed":[{"name":"ghost"},{"name":"dismissed","then":[{"action":"assign","operator":"lev"}]}]}"#;
    let steps = r#"
        09:00 {"type":"upsert_operator","operator":"lev","active":false}
        09:01 in k1 wa
        09:02 status k1 waiting => status_changed k1 waiting; rule_applied k1 changed ghost; rule_applied k1 changed dismissed
        09:03 out k1 anna
        09:04 complete k1 => unassigned k1 anna completed; completed k1 sales anna; rule_applied k1 changed ghost; rule_applied k1 changed dismissed
    "#;
    let s = play(rules, steps);
    assert_eq!(s.conv("k1").responsible, Some("anna".into()));
}

#[test]
fn assign_responsible_does_nothing_while_the_responsible_is_offline_or_the_chat_completed() {
    let rules = r#"{"changed":[{"name":"mine","when":{"event":["status"]},"then":[{"action":"assign_responsible"}]}]}"#;
    let steps = "
        09:01 in k1 wa
        09:02 offline boris
        09:03 offline anna => unassigned k1 anna unavailable; queued k1 sales no_eligible_operator
        09:04 status k1 waiting => status_changed k1 waiting; rule_applied k1 changed mine
        09:05 complete k1
        09:06 online anna
        09:07 status k1 open => status_changed k1 open; rule_applied k1 changed mine
    ";
    play(rules, steps);
}

#[test]
fn assign_responsible_does_nothing_when_the_responsible_has_no_room() {
    let rules = r#"{"changed":[{"name":"mine","when":{"event":["client_message"],"reactivated":true},"then":[{"action":"assign_responsible"}]}]}"#;
    let steps = r#"
        09:00 {"type":"upsert_operator","operator":"anna","max_open":1}
        09:00 offline boris
        09:01 in k1 wa
        09:02 out k1 anna
        09:03 complete k1
        09:04 in k2 wa => assigned k2 sales anna routed by 09:14
        09:05 in k1 wa => rule_applied k1 changed mine; queued k1 sales at_capacity
    "#;
    play(rules, steps);
}

#[test]
fn assign_responsible_gives_a_reopened_chat_to_its_responsible_with_an_answer_deadline() {
    let rules = r#"{"incoming":[{"name":"mine","then":[{"action":"assign_responsible"}]}]}"#;
    let steps = "
        09:01 in k1 wa => rule_applied k1 incoming mine; assigned k1 sales anna routed by 09:11
        09:02 out k1 anna
        09:03 close k1
        # The responsible survives the close; the rule places it before routing would.
        09:04 in k1 wa => rule_applied k1 incoming mine; assigned k1 sales anna rule by 09:14
    ";
    play(rules, steps);
}

#[test]
fn route_without_a_line_routes_again_on_its_own_line_where_the_holder_counts_as_tried() {
    let rules =
        r#"{"changed":[{"name":"again","when":{"event":["status"]},"then":[{"action":"route"}]}]}"#;
    let steps = "
        09:01 in k1 wa
        09:02 status k1 waiting => status_changed k1 waiting; rule_applied k1 changed again; unassigned k1 anna rule; assigned k1 sales boris routed by 09:12
    ";
    play(rules, steps);
}

#[test]
fn route_on_a_completed_chat_records_the_line_and_the_client_message_routes_it_there() {
    let rules = r#"{"changed":[{"name":"to-chats","when":{"event":["status"],"completed":true},"then":[{"action":"route","line":"chats"}]}]}"#;
    let steps = "
        09:01 in k1 wa
        09:02 out k1 anna
        09:03 complete k1
        09:04 status k1 waiting => status_changed k1 waiting; rule_applied k1 changed to-chats; completed k1 chats anna
    ";
    let mut s = play(rules, steps);
    assert_eq!(s.e.line_counters("sales").unwrap().completed, 0);
    assert_eq!(s.e.line_counters("chats").unwrap().completed, 1);
    let steps = "09:10 in k1 wa => status_changed k1 open; offered k1 chats [anna boris] by 09:20";
    run(&mut s, steps);
}

#[test]
fn complete_withdraws_offers_for_the_rule_and_does_nothing_to_a_completed_chat() {
    let rules = r#"{"changed":[{"name":"finish","when":{"event":["status"]},"then":[{"action":"complete"}]}]}"#;
    let steps = "
        09:01 in k1 tg
        09:02 status k1 waiting => status_changed k1 waiting; rule_applied k1 changed finish; withdrawn k1 anna rule; withdrawn k1 boris rule; completed k1 chats -
        09:03 status k1 open => status_changed k1 open; rule_applied k1 changed finish
    ";
    play(rules, steps);
}

#[test]
fn close_ends_everything_at_once_even_the_rest_of_its_own_rule() {
    let rules = r#"{"changed":[
        {"name":"shut","when":{"event":["take","status"]},"then":[{"action":"close"},{"action":"status","status":"waiting"}]},
        {"name":"after"}]}"#;
    let steps = "
        09:01 in k1 wa
        09:02 take k1 boris => unassigned k1 anna taken_over; assigned k1 sales boris taken; rule_applied k1 changed shut; closed k1 rule
        # On a completed conversation too.
        09:03 in k2 wa
        09:04 complete k2
        09:05 status k2 open => rule_applied k2 changed shut; closed k2 rule
    ";
    play(rules, steps);
}

#[test]
fn stop_lets_the_rest_of_its_own_rule_run_and_ends_the_list() {
    let rules = r#"{"changed":[
        {"name":"halt","when":{"event":["status"]},"then":[{"action":"stop"},{"action":"status","status":"waiting"}]},
        {"name":"after"}]}"#;
    let steps = "
        09:01 in k1 wa
        09:02 status k1 open => rule_applied k1 changed halt; status_changed k1 waiting
        # The next input runs the list again; another event is not stopped.
        09:03 status k1 open => status_changed k1 open; rule_applied k1 changed halt; status_changed k1 waiting
        09:04 out k1 anna => rule_applied k1 changed after
    ";
    play(rules, steps);
}

#[test]
fn a_later_rule_sees_what_an_earlier_one_did() {
    let rules = r#"{"changed":[
        {"name":"wait","when":{"event":["take"]},"then":[{"action":"status","status":"waiting"}]},
        {"name":"waiting","when":{"status":["waiting"]}}]}"#;
    let steps = "
        09:01 in k1 wa
        09:02 take k1 boris => unassigned k1 anna taken_over; assigned k1 sales boris taken; rule_applied k1 changed wait; status_changed k1 waiting; rule_applied k1 changed waiting
    ";
    play(rules, steps);
}

#[test]
fn a_rule_moving_or_completing_a_chat_with_the_bot_ends_its_turn_for_the_rule() {
    let rules = r#"{"changed":[
        {"name":"hand","when":{"event":["status"],"status":["waiting"]},"then":[{"action":"assign","operator":"boris"}]},
        {"name":"done","when":{"event":["status"],"status":["open"]},"then":[{"action":"complete"}]},
        {"name":"again","when":{"event":["client_message"]},"then":[{"action":"route"}]}]}"#;
    let steps = "
        09:01 in k1 web
        09:02 status k1 waiting => status_changed k1 waiting; rule_applied k1 changed hand; bot_left k1 robo rule; assigned k1 bots boris rule
        09:03 in k2 web
        09:04 status k2 open => rule_applied k2 changed done; bot_left k2 robo rule; completed k2 bots -
        # `route` hands it to the line's operators, not to the bot again.
        09:05 in k3 web
        09:06 in k3 web => rule_applied k3 changed again; bot_left k3 robo rule; assigned k3 bots anna routed by 09:16
    ";
    play(rules, steps);
}

// ---- Conditions -------------------------------------------------------------------------------

#[test]
fn unless_blocks_only_when_every_key_holds_and_an_empty_one_blocks_nothing() {
    let rules = r#"{"changed":[
        {"name":"u","when":{},"unless":{"status":["waiting"],"line":["chats"]}},
        {"name":"empty-unless","unless":{}},
        {"name":"empty-when","when":{"line":[]}}]}"#;
    let steps = "
        09:01 in k1 wa
        09:01 in k2 tg
        09:02 status k1 waiting => status_changed k1 waiting; rule_applied k1 changed u; rule_applied k1 changed empty-unless
        09:03 status k2 open => rule_applied k2 changed u; rule_applied k2 changed empty-unless
        09:04 status k2 waiting => status_changed k2 waiting; rule_applied k2 changed empty-unless
    ";
    play(rules, steps);
}

#[test]
fn the_author_of_a_transfer_does_not_exist_so_neither_author_nor_unless_author_holds() {
    let rules = r#"{"changed":[
        {"name":"by-anna","when":{"author":["anna"]}},
        {"name":"by-line1","when":{"author_groups":["line1"]}},
        {"name":"not-by-anna","unless":{"author":["anna"]}}]}"#;
    let steps = "
        09:01 in k1 wa
        09:02 transfer k1 boris => unassigned k1 anna transferred; assigned k1 sales boris transferred; rule_applied k1 changed not-by-anna
        09:03 take k1 anna => unassigned k1 boris taken_over; assigned k1 sales anna taken; rule_applied k1 changed by-anna; rule_applied k1 changed by-line1
    ";
    play(rules, steps);
}

#[test]
fn reactivated_holds_for_a_take_or_transfer_of_a_completed_chat_and_not_otherwise() {
    let rules = r#"{"changed":[{"name":"re","when":{"reactivated":true}},{"name":"not-re","when":{"reactivated":false}}]}"#;
    let steps = "
        09:01 in k1 wa
        09:02 complete k1 => unassigned k1 anna completed; completed k1 sales anna; rule_applied k1 changed not-re
        09:03 take k1 boris => assigned k1 sales boris taken; rule_applied k1 changed re
        09:04 take k1 anna => unassigned k1 boris taken_over; assigned k1 sales anna taken; rule_applied k1 changed not-re
        09:05 complete k1
        09:06 transfer k1 boris => assigned k1 sales boris transferred; rule_applied k1 changed re
    ";
    play(rules, steps);
}

#[test]
fn responsible_conditions_read_the_responsible_as_it_stands() {
    let rules = r#"{"changed":[
        {"name":"nobodys","when":{"has_responsible":false}},
        {"name":"someones","when":{"has_responsible":true}},
        {"name":"line2s","when":{"responsible_groups":["line2"]}},
        {"name":"levs","when":{"responsible":["lev"]}}]}"#;
    let steps = "
        09:01 in k1 tg
        09:02 status k1 waiting => status_changed k1 waiting; rule_applied k1 changed nobodys
        09:03 take k1 lev => withdrawn k1 anna accepted_elsewhere; withdrawn k1 boris accepted_elsewhere; assigned k1 chats lev taken; rule_applied k1 changed someones; rule_applied k1 changed line2s; rule_applied k1 changed levs
    ";
    play(rules, steps);
}

#[test]
fn status_and_completed_conditions_read_the_conversation_after_the_input() {
    let rules = r#"{"changed":[
        {"name":"waiting","when":{"status":["waiting"]}},
        {"name":"done","when":{"completed":true}},
        {"name":"active","when":{"completed":false}}]}"#;
    let steps = "
        09:01 in k1 wa
        09:02 status k1 waiting => status_changed k1 waiting; rule_applied k1 changed waiting; rule_applied k1 changed active
        09:03 complete k1 => unassigned k1 anna completed; completed k1 sales anna; rule_applied k1 changed waiting; rule_applied k1 changed done
    ";
    play(rules, steps);
}

#[test]
fn line_channel_and_channel_kind_conditions_read_where_the_conversation_is() {
    let rules = r#"{"changed":[
        {"name":"on-chats","when":{"line":["chats"]}},
        {"name":"on-wa","when":{"channel":["wa"]}},
        {"name":"telegram","when":{"channel_kind":["telegram"]}}]}"#;
    let steps = "
        09:01 in k1 wa
        09:01 in k2 tg
        09:02 status k1 open => rule_applied k1 changed on-wa
        09:03 status k2 open => rule_applied k2 changed on-chats; rule_applied k2 changed telegram
        # Transferred to `chats`, k1 is on that line, still on its channel.
        09:04 transfer k1 line chats => unassigned k1 anna transferred; offered k1 chats [anna boris] by 09:14; rule_applied k1 changed on-chats; rule_applied k1 changed on-wa
    ";
    play(rules, steps);
}

#[test]
fn operators_and_groups_named_in_rules_may_be_created_afterwards() {
    let rules = r#"{"changed":[
        {"name":"to-newbie","when":{"event":["status"]},"then":[{"action":"assign","operator":"newbie"}]},
        {"name":"line3-takes","when":{"event":["take"],"author_groups":["line3"]}}]}"#;
    let steps = r#"
        09:01 in k1 wa
        09:02 out k1 anna
        09:03 status k1 waiting => status_changed k1 waiting; rule_applied k1 changed to-newbie
        09:04 {"type":"upsert_operator","operator":"newbie","groups":["line3"]}
        09:05 status k1 open => status_changed k1 open; rule_applied k1 changed to-newbie; unassigned k1 anna rule; assigned k1 sales newbie rule
        09:06 take k1 boris => unassigned k1 newbie taken_over; assigned k1 sales boris taken
        09:07 take k1 newbie => unassigned k1 boris taken_over; assigned k1 sales newbie taken; rule_applied k1 changed line3-takes
    "#;
    play(rules, steps);
}

// ---- When the lists run -----------------------------------------------------------------------

const EVERYTHING: &str = r#"{"incoming":[{"name":"in"}],"changed":[{"name":"ch"}]}"#;

#[test]
fn an_input_that_opens_a_conversation_runs_the_incoming_list_and_one_about_it_the_changed() {
    let steps = r#"
        09:01 in k1 wa => rule_applied k1 incoming in; assigned k1 sales anna routed by 09:11
        09:02 in k1 wa => rule_applied k1 changed ch
        09:03 out k1 anna => rule_applied k1 changed ch
        09:04 {"type":"message_out","conversation":"k2","operator":"boris","client":"c2","channel":"wa"} => assigned k2 sales boris outbound; rule_applied k2 incoming in
        09:05 close k2
        09:06 out k2 lev => assigned k2 sales lev outbound; rule_applied k2 incoming in
        # A closed conversation reopened by the client opens again: the incoming list.
        09:06 close k1
        09:06 in k1 wa => rule_applied k1 incoming in; assigned k1 sales anna routed by 09:16
        # A rule that does not place a new chat leaves it to the bot, after the rules.
        09:07 in k3 web => auto_reply k3 bots welcome; rule_applied k3 incoming in; bot_assigned k3 robo
        09:08 in k4 tg
        09:09 accept k4 boris => withdrawn k4 anna accepted_elsewhere; assigned k4 chats boris accepted; rule_applied k4 changed ch
    "#;
    play(EVERYTHING, steps);
}

#[test]
fn an_unchanged_status_emits_nothing_but_still_runs_the_changed_list() {
    let rules = r#"{"changed":[{"name":"status","when":{"event":["status"]}}]}"#;
    let steps = "09:01 in k1 wa\n09:02 status k1 open => rule_applied k1 changed status";
    play(rules, steps);
}

#[test]
fn no_rule_runs_for_deadlines_presence_configuration_close_spam_rating_handoff_or_ticks() {
    let steps = r#"
        09:01 in k1 wa
        09:11 tick => unassigned k1 anna no_answer; assigned k1 sales boris routed by 09:21
        09:12 offline boris => unassigned k1 boris unavailable; assigned k1 sales anna routed by 09:22
        09:13 offline anna => unassigned k1 anna unavailable; queued k1 sales no_eligible_operator
        # (The upsert leaves out the offer timeout: lev's assignment is final at once.)
        09:14 {"type":"upsert_line","line":"sales","queue":["lev"]} => assigned k1 sales lev routed
        09:15 {"type":"tick"} =>
        09:16 close k1 => closed k1 closed
        09:17 online anna =>
        09:20 in k2 web
        09:21 handoff k2 => bot_left k2 robo handoff; assigned k2 bots anna routed by 09:31
        09:22 in k3 form
        09:23 rate k3 5 => closed k3 rated
        09:24 spam k2 => closed k2 spam
    "#;
    play(EVERYTHING, steps);
}

#[test]
fn the_drain_after_the_rules_places_waiting_chats_on_what_a_rule_freed_without_rules() {
    let rules = r#"{"changed":[
        {"name":"finish","when":{"event":["status"]},"then":[{"action":"complete"}]},
        {"name":"on-complete","when":{"event":["complete"]}}]}"#;
    let steps = r#"
        09:00 {"type":"upsert_operator","operator":"anna","max_open":1}
        09:00 offline boris
        09:01 in k1 wa
        09:02 in k2 wa => queued k2 sales at_capacity
        09:03 status k1 waiting => status_changed k1 waiting; rule_applied k1 changed finish; unassigned k1 anna rule; completed k1 sales anna; assigned k2 sales anna routed by 09:13
    "#;
    play(rules, steps);
}
