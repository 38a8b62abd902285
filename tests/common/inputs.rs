//! Builders of one kind of input from strategies for the ids it names (`*_of`), which the
//! differential test aims at what exists.

use super::*;

pub fn remove_operator_of(op: BoxedStrategy<String>) -> BoxedStrategy<Input> {
    op.prop_map(|o| Input::RemoveOperator { operator: o.into() })
        .boxed()
}

pub fn remove_line_of(line: BoxedStrategy<String>) -> BoxedStrategy<Input> {
    line.prop_map(|l| Input::RemoveLine { line: l.into() })
        .boxed()
}

pub fn disconnect_channel_of(channel: BoxedStrategy<String>) -> BoxedStrategy<Input> {
    channel
        .prop_map(|c| Input::DisconnectChannel { channel: c.into() })
        .boxed()
}

pub fn pin_client_of(
    client: BoxedStrategy<String>,
    op: BoxedStrategy<String>,
) -> BoxedStrategy<Input> {
    (client, op)
        .prop_map(|(c, o)| Input::PinClient {
            client: c.into(),
            operator: o.into(),
        })
        .boxed()
}

pub fn unpin_client_of(client: BoxedStrategy<String>) -> BoxedStrategy<Input> {
    client
        .prop_map(|c| Input::UnpinClient { client: c.into() })
        .boxed()
}

pub fn presence_of(
    op: BoxedStrategy<String>,
    status: BoxedStrategy<Presence>,
) -> BoxedStrategy<Input> {
    (op, status)
        .prop_map(|(o, s)| Input::Presence {
            operator: o.into(),
            status: s,
        })
        .boxed()
}

pub fn workday_started_of(op: BoxedStrategy<String>) -> BoxedStrategy<Input> {
    op.prop_map(|o| Input::WorkdayStarted { operator: o.into() })
        .boxed()
}

pub fn workday_ended_of(op: BoxedStrategy<String>) -> BoxedStrategy<Input> {
    op.prop_map(|o| Input::WorkdayEnded { operator: o.into() })
        .boxed()
}

/// An absence from `from` seconds after [`epoch`] lasting `len` seconds: [`step_at`] moves it
/// to lie around the step's time.
pub fn absence_of(
    op: BoxedStrategy<String>,
    from: BoxedStrategy<i64>,
    len: BoxedStrategy<i64>,
) -> BoxedStrategy<Input> {
    (op, from, len)
        .prop_map(|(o, from, len)| {
            let from = epoch() + TimeDelta::seconds(from);
            Input::Absence {
                operator: o.into(),
                from,
                until: from + TimeDelta::seconds(len),
            }
        })
        .boxed()
}

pub fn clear_absences_of(op: BoxedStrategy<String>) -> BoxedStrategy<Input> {
    op.prop_map(|o| Input::ClearAbsences { operator: o.into() })
        .boxed()
}

/// A `message_in` about `(conversation, client, channel)`.
pub fn message_in_of(target: BoxedStrategy<(String, String, String)>) -> BoxedStrategy<Input> {
    target
        .prop_map(|(v, cl, ch)| Input::MessageIn {
            conversation: v.into(),
            client: cl.into(),
            channel: ch.into(),
            request: None,
        })
        .boxed()
}

/// An `accept` of `(conversation, operator)`.
pub fn accept_of(pair: BoxedStrategy<(String, String)>) -> BoxedStrategy<Input> {
    pair.prop_map(|(c, o)| Input::Accept {
        conversation: c.into(),
        operator: o.into(),
    })
    .boxed()
}

pub fn take_of(conv: BoxedStrategy<String>, op: BoxedStrategy<String>) -> BoxedStrategy<Input> {
    (conv, op)
        .prop_map(|(c, o)| Input::Take {
            conversation: c.into(),
            operator: o.into(),
        })
        .boxed()
}

/// A transfer to an operator or to a line, sometimes (an error) to both or to neither.
pub fn transfer_of(
    conv: BoxedStrategy<String>,
    op: BoxedStrategy<String>,
    line: BoxedStrategy<String>,
) -> BoxedStrategy<Input> {
    (conv, op, line, 0u8..8)
        .prop_map(|(c, o, l, shape)| {
            let (to_operator, to_line) = match shape {
                0..=2 => (Some(o.into()), None),
                3..=5 => (None, Some(l.into())),
                6 => (Some(o.into()), Some(l.into())),
                _ => (None, None),
            };
            Input::Transfer {
                conversation: c.into(),
                to_operator,
                to_line,
            }
        })
        .boxed()
}

pub fn close_of(conv: BoxedStrategy<String>) -> BoxedStrategy<Input> {
    conv.prop_map(|c| Input::Close {
        conversation: c.into(),
    })
    .boxed()
}

pub fn spam_of(conv: BoxedStrategy<String>) -> BoxedStrategy<Input> {
    conv.prop_map(|c| Input::Spam {
        conversation: c.into(),
    })
    .boxed()
}

pub fn bot_handoff_of(conv: BoxedStrategy<String>) -> BoxedStrategy<Input> {
    conv.prop_map(|c| Input::BotHandoff {
        conversation: c.into(),
    })
    .boxed()
}

pub fn rating_of(conv: BoxedStrategy<String>, score: BoxedStrategy<u8>) -> BoxedStrategy<Input> {
    (conv, score)
        .prop_map(|(c, score)| Input::Rating {
            conversation: c.into(),
            score,
        })
        .boxed()
}
