//! Offer timeout range (004: "from 1 minute to 12 hours").

use super::*;

#[test]
fn offer_timeout_must_be_between_1_minute_and_12_hours() {
    assert_eq!(
        (MIN_OFFER_TIMEOUT_SECS, MAX_OFFER_TIMEOUT_SECS),
        (60, 43_200)
    );
    let mut s = world(strict(&["anna"]).offer_timeout_secs(600), &["anna"]);
    for bad in [0, 1, 59, 43_201, 86_400, u32::MAX] {
        assert_eq!(
            s.err(1, line(strict(&["anna"]).offer_timeout_secs(bad))),
            Error::InvalidOfferTimeout {
                line: "sales".into(),
                secs: bad
            }
        );
        assert_eq!(
            s.err(1, line(LineConfig::new("new").offer_timeout_secs(bad))),
            Error::InvalidOfferTimeout {
                line: "new".into(),
                secs: bad
            }
        );
    }
    assert!(!s.e.lines().iter().any(|l| l.as_str() == "new"));
    // The old setting survived the rejected upserts.
    assert_eq!(s.at(2, inc("k1")), ["assigned k1 sales anna routed by 12m"]);
    assert_eq!(
        s.at(3, line(strict(&["anna"]).offer_timeout_secs(60))),
        NOTHING
    );
    assert_eq!(s.at(3, inc("k2")), ["assigned k2 sales anna routed by 4m"]);
    s.at(3, accept("k2", "anna"));
    assert_eq!(
        s.at(4, line(strict(&["anna"]).offer_timeout_secs(43_200))),
        NOTHING
    );
    assert_eq!(
        s.at(4, inc("k3")),
        ["assigned k3 sales anna routed by 724m"]
    );
}
