//! Generators for the contact-centre queue (DESIGN §7): request kinds, a line's priorities and
//! callback settings, VIP clients, callback orders and their results, interception,
//! `abandon`, and roles — now and then with a mistake that makes the input an error.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use proptest::sample::select;
use routeline::{
    CallbackConfig, CallbackResult, ClientConfig, Input, Permission, PriorityConfig, PriorityRule,
    Request, RoleConfig, Scope,
};

use super::{channel, weighted};

/// The roles operators are given: the articles' (DESIGN §7) and one nobody defines at first.
pub const ROLES: [&str; 4] = ["operator", "supervisor", "administrator", "assistant"];

/// A request kind a message names: none mostly; on a phone channel mostly a call.
pub fn request_on(phone: bool) -> BoxedStrategy<Option<Request>> {
    if phone {
        weighted(vec![
            (7, Some(Request::Call)),
            (2, None),
            (1, Some(Request::Text)),
        ])
    } else {
        weighted(vec![
            (16, None),
            (3, Some(Request::Text)),
            (2, Some(Request::Call)),
            (1, Some(Request::Callback)),
        ])
    }
}

/// A `message_in` about `(conversation, client, channel)` naming a request kind.
pub fn message_in_with(
    target: BoxedStrategy<(String, String, String, Option<Request>)>,
) -> BoxedStrategy<Input> {
    target
        .prop_map(|(v, cl, ch, request)| Input::MessageIn {
            conversation: v.into(),
            client: cl.into(),
            channel: ch.into(),
            request,
        })
        .boxed()
}

pub fn abandon_of(conv: BoxedStrategy<String>) -> BoxedStrategy<Input> {
    conv.prop_map(|c| Input::Abandon {
        conversation: c.into(),
    })
    .boxed()
}

/// `upsert_client`, mostly marking the client VIP.
pub fn upsert_client_of(client: BoxedStrategy<String>) -> BoxedStrategy<Input> {
    (client, weighted(vec![(3, true), (2, false)]))
        .prop_map(|(c, vip)| Input::UpsertClient(ClientConfig::new(c).vip(vip)))
        .boxed()
}

/// A `callback_request` for `(conversation, client, channel)` due `due` (`None`: now).
pub fn callback_request_of(
    target: BoxedStrategy<(String, String, String)>,
    due: BoxedStrategy<Option<DateTime<Utc>>>,
) -> BoxedStrategy<Input> {
    (target, due)
        .prop_map(|((v, cl, ch), due_at)| Input::CallbackRequest {
            conversation: v.into(),
            client: cl.into(),
            channel: ch.into(),
            due_at,
        })
        .boxed()
}

pub fn callback_result() -> BoxedStrategy<CallbackResult> {
    weighted(vec![
        (3, CallbackResult::Connected),
        (3, CallbackResult::NoAnswer),
        (1, CallbackResult::Busy),
        (1, CallbackResult::Failed),
    ])
}

/// A `callback_result` for `(order, operator)`.
pub fn callback_result_of(pair: BoxedStrategy<(String, String)>) -> BoxedStrategy<Input> {
    (pair, callback_result())
        .prop_map(|((c, o), result)| Input::CallbackResult {
            conversation: c.into(),
            operator: o.into(),
            result,
        })
        .boxed()
}

/// An `intercept` of `(conversation, operator)`.
pub fn intercept_of(pair: BoxedStrategy<(String, String)>) -> BoxedStrategy<Input> {
    pair.prop_map(|(c, o)| Input::Intercept {
        conversation: c.into(),
        operator: o.into(),
    })
    .boxed()
}

pub fn permission() -> BoxedStrategy<Permission> {
    select(vec![
        Permission::Configure,
        Permission::PinClients,
        Permission::ManageClients,
        Permission::Take,
        Permission::Intercept,
        Permission::Transfer,
        Permission::Spam,
        Permission::Close,
        Permission::Callbacks,
    ])
    .boxed()
}

/// A role: the articles' (MANGO's operator, supervisor and administrator; Teletype's
/// assistant) or a random set of permissions, in either scope.
pub fn role_config_of(role: BoxedStrategy<String>) -> BoxedStrategy<RoleConfig> {
    use Permission as P;
    let article = |name: &str| -> (Vec<Permission>, Scope) {
        match name {
            "operator" => (vec![P::Take, P::Transfer, P::Spam, P::Close], Scope::Own),
            "supervisor" => (
                vec![
                    P::Take,
                    P::Transfer,
                    P::Spam,
                    P::Close,
                    P::Intercept,
                    P::ManageClients,
                ],
                Scope::All,
            ),
            "administrator" => (
                vec![
                    P::Configure,
                    P::PinClients,
                    P::ManageClients,
                    P::Take,
                    P::Intercept,
                    P::Transfer,
                    P::Spam,
                    P::Close,
                    P::Callbacks,
                ],
                Scope::All,
            ),
            _ => (vec![P::PinClients], Scope::Own),
        }
    };
    (
        role,
        weighted(vec![(2, true), (1, false)]),
        prop::collection::vec(permission(), 0..=4),
        weighted(vec![(2, Scope::Own), (1, Scope::All)]),
    )
        .prop_map(move |(name, as_article, permissions, scope)| {
            let (permissions, scope) = if as_article {
                article(&name)
            } else {
                (permissions, scope)
            };
            RoleConfig {
                role: name.into(),
                permissions,
                scope,
            }
        })
        .boxed()
}

pub fn role() -> BoxedStrategy<String> {
    select(ROLES.to_vec()).prop_map(String::from).boxed()
}

/// An operator's roles: mostly one, sometimes none or two.
pub fn roles() -> BoxedStrategy<Vec<String>> {
    prop_oneof![
        2 => Just(Vec::new()),
        5 => prop::collection::vec(role(), 1..=1),
        1 => prop::collection::vec(role(), 2..=2),
    ]
    .boxed()
}

/// A line's priorities: a few rules keyed by request kind, channel kind or channel, a VIP
/// bonus, aging; now and then a value out of range (an error).
pub fn priority_config() -> BoxedStrategy<PriorityConfig> {
    let rule = (
        prop::option::weighted(
            0.5,
            select(vec![Request::Text, Request::Call, Request::Callback]),
        ),
        prop::option::weighted(
            0.3,
            select(vec!["phone", "whatsapp", "widget", "web_chat"]).prop_map(String::from),
        ),
        prop::option::weighted(0.2, channel()),
        prop_oneof![6 => -5i64..=30, 1 => select(vec![-1_000_000i64, 1_000_000])],
    )
        .prop_map(|(request, channel_kind, channel, priority)| PriorityRule {
            request,
            channel_kind,
            channel: channel.map(Into::into),
            priority,
        });
    (
        prop::collection::vec(rule, 0..=3),
        prop::option::weighted(0.5, prop_oneof![4 => 1i64..=40, 1 => -10i64..=0]),
        prop::option::weighted(0.5, select(vec![1u32, 7, 30, 60, 600, 86_400])),
        prop_oneof![30 => Just(0u8), 1 => 1u8..=3],
    )
        .prop_map(|(rules, vip, aging_secs, mistake)| {
            let mut p = PriorityConfig {
                rules,
                vip,
                aging_secs,
            };
            match mistake {
                1 => p.vip = Some(1_000_001),
                2 => p.aging_secs = Some(0),
                3 => p.aging_secs = Some(86_401),
                _ => {}
            }
            p
        })
        .boxed()
}

/// A line's callback settings: few attempts and short retries (0 now and then: at once);
/// rarely no attempts at all (an error).
pub fn callback_config() -> BoxedStrategy<CallbackConfig> {
    (
        weighted(vec![(3, 1u32), (4, 2), (2, 3), (1, 0)]),
        weighted(vec![(2, 0u32), (4, 60), (2, 120), (1, 600)]),
    )
        .prop_map(|(max_attempts, retry_after_secs)| CallbackConfig {
            max_attempts,
            retry_after_secs,
        })
        .boxed()
}

/// A line's contact-centre settings (priorities, callbacks), each given now and then.
pub fn queue_settings() -> BoxedStrategy<(Option<PriorityConfig>, Option<CallbackConfig>)> {
    (
        prop::option::weighted(0.45, priority_config()),
        prop::option::weighted(0.35, callback_config()),
    )
        .boxed()
}
