//! 4. The client's last operator.

use super::*;

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
