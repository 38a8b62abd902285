//! Steps of the contact-centre queue (DESIGN §7), aimed by what the model knows: calls on
//! phone channels, callback orders from widgets, results mostly from whoever dials, interception
//! mostly of ringing calls, `abandon`, VIP clients, roles, and inputs made by an actor.

use super::*;
use common::{
    abandon_of, callback_request_of, callback_result_of, epoch_plus, intercept_of, message_in_with,
    priority_config, request_on, role, role_config_of, upsert_client_of,
};
use routeline::Request;

/// Another kind than `kind` (for a follow-up that may not change it).
fn other(kind: Request) -> Request {
    match kind {
        Request::Text => Request::Call,
        _ => Request::Text,
    }
}

/// The operator an input names, if any (its own fact, or whom it acts for).
fn named_operator(input: &Input) -> Option<String> {
    match input {
        Input::Presence { operator, .. }
        | Input::WorkdayStarted { operator }
        | Input::WorkdayEnded { operator }
        | Input::Absence { operator, .. }
        | Input::ClearAbsences { operator }
        | Input::Accept { operator, .. }
        | Input::Take { operator, .. }
        | Input::MessageOut { operator, .. }
        | Input::CallbackResult { operator, .. }
        | Input::Intercept { operator, .. } => Some(operator.to_string()),
        _ => None,
    }
}

/// A line's configuration for a case of the contact centre (`centre`): mostly without
/// working hours or a working day to wait for, so that calls are routed, and with priorities
/// and a VIP bonus, so that the queue's order is more than time.
pub(super) fn centre_line_config(
    cfg: BoxedStrategy<LineConfig>,
    centre: bool,
) -> BoxedStrategy<LineConfig> {
    let members = prop::collection::vec(select(vec!["o1", "o2", "o3", "o4"]), 1..=3);
    (cfg, 0u8..8, priority_config(), members)
        .prop_map(move |(mut cfg, k, priority, members)| {
            if centre && k > 0 {
                cfg.schedule = None;
                cfg.require_workday = false;
                // Members who exist (the first steps create these four), and few of them, so
                // that they are all busy now and then.
                cfg.queue = members
                    .into_iter()
                    .map(|o| QueueEntry::Operator(o.into()))
                    .collect();
                let p = cfg.priority.get_or_insert(priority);
                p.vip.get_or_insert(50);
            }
            cfg
        })
        .boxed()
}

/// An operator's configuration for a case of the contact centre (`centre`): mostly one
/// conversation at a time, so that the queue fills and conversations come back to it
/// behind more urgent ones.
pub(super) fn centre_operator_config(
    cfg: BoxedStrategy<OperatorConfig>,
    centre: bool,
) -> BoxedStrategy<OperatorConfig> {
    (cfg, 0u8..3)
        .prop_map(move |(mut cfg, k)| {
            if centre && k > 0 {
                cfg.max_open = Some(1);
            }
            cfg
        })
        .boxed()
}

/// Seconds from the latest time so far in a case of the contact centre: none or a little,
/// sometimes past an offer timeout or a retry, sometimes back in time.
pub(super) fn centre_time_step() -> BoxedStrategy<i64> {
    prop_oneof![
        4 => Just(0i64),
        4 => 1i64..=30,
        4 => (1i64..=12).prop_map(|k| k * 10),
        1 => 121i64..=900,
        1 => -120i64..=-1,
    ]
    .boxed()
}

impl Known {
    /// Connected channels of a kind.
    fn channels_of_kind(&self, kind: &str) -> Vec<String> {
        self.kinds
            .iter()
            .filter(|(_, k, connected)| *connected && k.as_deref() == Some(kind))
            .map(|(c, _, _)| c.clone())
            .collect()
    }

    /// A `message_in` about a target naming a request kind: a follow-up mostly none (now and
    /// then its own kind, rarely another: an error); a new or reopened conversation on a phone
    /// channel mostly a call, elsewhere mostly none.
    pub(super) fn message_in_to(
        &self,
        target: BoxedStrategy<(String, String, String)>,
    ) -> BoxedStrategy<Input> {
        let phones = self.channels_of_kind("phone");
        let requests = self.requests.clone();
        let target = target
            .prop_flat_map(move |(v, cl, ch)| {
                let request = match requests.iter().find(|r| r.0 == v) {
                    Some(&(_, kind)) => {
                        weighted(vec![(14, None), (3, Some(kind)), (1, Some(other(kind)))])
                    }
                    None => request_on(phones.contains(&ch)),
                };
                (Just((v, cl, ch)), request)
            })
            .prop_map(|((v, cl, ch), request)| (v, cl, ch, request))
            .boxed();
        message_in_with(target)
    }

    /// A `callback_request`: mostly from a widget, for a conversation that is not open, due
    /// now, a little earlier, or a few minutes later.
    pub(super) fn callback_request(&self) -> BoxedStrategy<Input> {
        let widgets = self.channels_of_kind("widget");
        let convs = self.convs.clone();
        let target = move |ids: BoxedStrategy<String>| {
            let convs = convs.clone();
            (ids, client(), one_of_or(widgets.clone(), channel()))
                .prop_map(move |(v, cl, ch)| match convs.iter().find(|c| c.0 == v) {
                    Some(known) => known.clone(),
                    None => (v, cl, ch),
                })
                .boxed()
        };
        let ids: Vec<String> = CONVS
            .iter()
            .map(|c| c.0.to_string())
            .filter(|v| !self.open.contains(v))
            .collect();
        let fresh = target(conv());
        let not_open = target(one_of_or(ids, conv()));
        let due = prop_oneof![
            3 => Just(None),
            1 => (-600i64..=0).prop_map(|s| Some(epoch_plus(s))),
            4 => (1i64..=30).prop_map(|k| Some(epoch_plus(k * 30))),
        ]
        .boxed();
        callback_request_of(prop_oneof![5 => not_open, 1 => fresh].boxed(), due)
    }

    /// A `callback_result`, mostly from whoever dials an order.
    pub(super) fn callback_result(&self) -> BoxedStrategy<Input> {
        let random = (self.open_conv(), self.op()).boxed();
        callback_result_of(one_of_or(self.dialling.clone(), random))
    }

    /// An `intercept`, mostly of a ringing call by someone it does not ring at.
    pub(super) fn intercept(&self) -> BoxedStrategy<Input> {
        let mut pairs = Vec::new();
        let mut at_them = Vec::new();
        for (c, ringing) in &self.ringing {
            for o in &self.ops {
                match ringing.contains(o) {
                    false => pairs.push((c.clone(), o.clone())),
                    true => at_them.push((c.clone(), o.clone())),
                }
            }
        }
        let random = (self.open_conv(), self.op()).boxed();
        let pair = match (pairs.is_empty(), at_them.is_empty()) {
            (false, false) => prop_oneof![
                6 => select(pairs),
                1 => select(at_them),
                1 => random,
            ]
            .boxed(),
            _ => one_of_or([pairs, at_them].concat(), random),
        };
        intercept_of(pair)
    }

    /// `abandon`, mostly of a call or order that is open.
    pub(super) fn abandon(&self) -> BoxedStrategy<Input> {
        let voice: Vec<String> = self
            .requests
            .iter()
            .filter(|r| r.1 != Request::Text)
            .map(|r| r.0.clone())
            .collect();
        abandon_of(one_of_or(voice, self.open_conv()))
    }

    pub(super) fn upsert_client(&self) -> BoxedStrategy<Input> {
        upsert_client_of(client())
    }

    pub(super) fn upsert_role(&self) -> BoxedStrategy<Input> {
        role_config_of(role()).prop_map(Input::UpsertRole).boxed()
    }

    /// `remove_role`, mostly of a role that exists.
    pub(super) fn remove_role(&self) -> BoxedStrategy<Input> {
        one_of_or(self.roles.clone(), role())
            .prop_map(|r| Input::RemoveRole { role: r.into() })
            .boxed()
    }

    /// `take` or `transfer` of a scheduled order (which dials it at once).
    pub(super) fn scheduled_weight(&self) -> u32 {
        if self.scheduled.is_empty() { 0 } else { 2 }
    }

    pub(super) fn scheduled_order(&self) -> BoxedStrategy<String> {
        one_of_or(self.scheduled.clone(), self.open_conv())
    }

    /// Now and then an actor for the input — a third of the inputs about a conversation and
    /// of the operators' own facts, one in thirty others: the operator it names (their own
    /// fact), one with a role defined now, or any operator; never for `tick` (whoever sends
    /// it).
    pub(super) fn with_actor(&self, action: BoxedStrategy<Action>) -> BoxedStrategy<Action> {
        let privileged = one_of_or(self.privileged.clone(), self.op());
        (action, 0u8..30, privileged, self.op())
            .prop_map(|(action, r, privileged, op)| match action {
                Action::Input(i) if !matches!(i, Input::Tick) => {
                    let about = named_operator(&i).is_some()
                        || matches!(
                            i,
                            Input::Transfer { .. }
                                | Input::Close { .. }
                                | Input::Spam { .. }
                                | Input::Complete { .. }
                                | Input::SetStatus { .. }
                                | Input::CallbackRequest { .. }
                                | Input::UpsertClient(_)
                                | Input::PinClient { .. }
                        );
                    let actor = match (r, named_operator(&i)) {
                        (0..=3, Some(named)) if about => named,
                        (0..=6, _) if about => privileged,
                        (7..=9, _) if about => op,
                        (0, _) => privileged,
                        _ => return Action::Input(i),
                    };
                    Action::As(actor, i)
                }
                other => other,
            })
            .boxed()
    }
}
