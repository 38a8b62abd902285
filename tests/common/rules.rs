//! Generators for support lines (DESIGN §6): `set_status`, `complete` and `set_rules` with a
//! small vocabulary of rules — a few keys a rule over the universe's ids, two to four rules a
//! list, now and then a mistake (a name repeated or empty, a rule that does nothing, a line
//! that does not exist, too many rules) that makes the input an error.

use proptest::prelude::*;
use proptest::sample::select;
use routeline::{Action, Conditions, Input, Rule, RuleEvent, RuleLists, Status};

use super::{channel, conv, group, op, weighted};

pub fn status() -> BoxedStrategy<Status> {
    weighted(vec![(1, Status::Open), (2, Status::Waiting)])
}

pub fn set_status_of(
    conv: BoxedStrategy<String>,
    status: BoxedStrategy<Status>,
) -> BoxedStrategy<Input> {
    (conv, status)
        .prop_map(|(c, status)| Input::SetStatus {
            conversation: c.into(),
            status,
        })
        .boxed()
}

/// A `complete`, with a status now and then.
pub fn complete_of(conv: BoxedStrategy<String>) -> BoxedStrategy<Input> {
    (conv, prop::option::weighted(0.4, status()))
        .prop_map(|(c, status)| Input::Complete {
            conversation: c.into(),
            status,
        })
        .boxed()
}

fn event() -> BoxedStrategy<RuleEvent> {
    weighted(vec![
        (4, RuleEvent::ClientMessage),
        (3, RuleEvent::OperatorMessage),
        (1, RuleEvent::Take),
        (1, RuleEvent::Accept),
        (1, RuleEvent::Transfer),
        (1, RuleEvent::Status),
        (1, RuleEvent::Complete),
    ])
}

/// A list key's values: one or two, now and then none at all (which matches nothing).
fn values<T: Clone + std::fmt::Debug + 'static>(item: BoxedStrategy<T>) -> BoxedStrategy<Vec<T>> {
    prop_oneof![
        12 => prop::collection::vec(item, 1..=2),
        1 => Just(Vec::new()),
    ]
    .boxed()
}

/// A key given with probability `p`.
fn key<T: std::fmt::Debug + 'static>(p: f64, s: BoxedStrategy<T>) -> BoxedStrategy<Option<T>> {
    prop::option::weighted(p, s).boxed()
}

/// A rule's conditions, over lines `line` gives: mostly an event or two and one other key.
pub fn conditions_of(line: BoxedStrategy<String>, p: f64) -> BoxedStrategy<Conditions> {
    let ops = || values(op().prop_map(Into::into).boxed());
    let groups = || values(group().prop_map(Into::into).boxed());
    let flag = || any::<bool>().boxed();
    (
        (
            key(0.55, values(event())),
            key(p, ops()),
            key(p, groups()),
            key(p, ops()),
            key(p, groups()),
            key(p, flag()),
            key(
                p,
                values(super::weighted(vec![
                    (1, Status::Open),
                    (1, Status::Waiting),
                ])),
            ),
        ),
        (
            key(p * 1.5, flag()),
            key(p, flag()),
            key(p * 0.7, values(line.prop_map(Into::into).boxed())),
            key(p * 0.5, values(channel().prop_map(Into::into).boxed())),
            key(
                p * 0.5,
                values(
                    select(vec!["whatsapp", "web_chat", "sms"])
                        .prop_map(String::from)
                        .boxed(),
                ),
            ),
            key(p * 0.2, flag()),
        ),
    )
        .prop_map(
            |(
                (event, author, author_groups, responsible, responsible_groups, has, status),
                (reactivated, completed, line, channel, channel_kind, vip),
            )| Conditions {
                event,
                author,
                author_groups,
                responsible,
                responsible_groups,
                has_responsible: has,
                status,
                reactivated,
                completed,
                line,
                channel,
                channel_kind,
                vip,
            },
        )
        .boxed()
}

/// One action, over lines `line` gives.
pub fn action_of(line: BoxedStrategy<String>) -> BoxedStrategy<Action> {
    prop_oneof![
        4 => op().prop_map(|o| Action::Assign { operator: o.into() }),
        4 => Just(Action::AssignResponsible),
        3 => prop::option::weighted(0.6, line).prop_map(|l| Action::Route { line: l.map(Into::into) }),
        3 => status().prop_map(|status| Action::Status { status }),
        2 => Just(Action::Complete),
        1 => Just(Action::Close),
        2 => Just(Action::Stop),
    ]
    .boxed()
}

/// A rule named `name` (renamed by [`rule_lists_of`]).
fn rule_of(line: BoxedStrategy<String>) -> BoxedStrategy<Rule> {
    (
        conditions_of(line.clone(), 0.12),
        prop_oneof![
            6 => Just(None),
            2 => conditions_of(line.clone(), 0.25).prop_map(Some),
            1 => Just(Some(Conditions::default())),
        ],
        prop::collection::vec(action_of(line), 1..=3),
    )
        .prop_map(|(when, unless, then)| Rule {
            name: String::new(),
            when,
            unless,
            then,
        })
        .boxed()
}

/// Both rule lists, two to four rules each (sometimes none), named `r1`, `r2` … across both;
/// now and then with one mistake that makes `set_rules` an error: a name repeated or empty, a
/// rule that does nothing, or (with `line` naming unknown lines) a line that does not exist.
pub fn rule_lists_of(line: BoxedStrategy<String>) -> BoxedStrategy<RuleLists> {
    let list = || {
        prop_oneof![
            1 => Just(Vec::new()),
            6 => prop::collection::vec(rule_of(line.clone()), 2..=4),
            1 => prop::collection::vec(rule_of(line.clone()), 1..=1),
        ]
    };
    (list(), list(), prop_oneof![14 => Just(0u8), 1 => 1u8..=4])
        .prop_map(|(incoming, changed, mistake)| {
            let mut lists = RuleLists { incoming, changed };
            let mut n = 0;
            for r in lists.incoming.iter_mut().chain(lists.changed.iter_mut()) {
                n += 1;
                r.name = format!("r{n}");
            }
            let last = lists.changed.last_mut().or(lists.incoming.last_mut());
            if let Some(r) = last {
                match mistake {
                    1 if n > 1 => r.name = "r1".into(),
                    2 => r.name.clear(),
                    3 => r.then.clear(),
                    4 => r.then.push(Action::Route {
                        line: Some("no-such-line".into()),
                    }),
                    _ => {}
                }
            }
            lists
        })
        .boxed()
}

/// `set_rules` with [`rule_lists_of`].
pub fn set_rules_of(line: BoxedStrategy<String>) -> BoxedStrategy<Input> {
    rule_lists_of(line).prop_map(Input::SetRules).boxed()
}

/// `set_status`, `complete` or `set_rules` over the universe's ids.
pub fn support_input() -> BoxedStrategy<Input> {
    prop_oneof![
        3 => set_status_of(conv(), status()),
        3 => complete_of(conv()),
        1 => set_rules_of(super::line()),
    ]
    .boxed()
}
