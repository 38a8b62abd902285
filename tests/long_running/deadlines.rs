//! 3. No deadline disappears in silence.

use super::*;

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
