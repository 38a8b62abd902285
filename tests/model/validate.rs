//! Validation: a rejected input changes nothing.

use super::*;

impl Model {
    // ---- validation --------------------------------------------------------------------------

    pub(super) fn need_op(&self, id: &str) -> Result<(), ModelError> {
        match self.op(id) {
            Some(_) => Ok(()),
            None => err(format!("unknown operator {id}")),
        }
    }

    pub(super) fn need_line(&self, id: &str) -> Result<(), ModelError> {
        match self.line(id) {
            Some(_) => Ok(()),
            None => err(format!("unknown line {id}")),
        }
    }

    /// A known channel that is connected now; returns its line.
    pub(super) fn need_connected(&self, id: &str) -> Result<String, ModelError> {
        match self.channel(id) {
            None => err(format!("unknown channel {id}")),
            Some(ch) => match &ch.line {
                Some(l) => Ok(l.clone()),
                None => err(format!("channel {id} is disconnected")),
            },
        }
    }

    pub(super) fn need_open(&self, id: &str) -> Result<usize, ModelError> {
        match self.conv_index(id) {
            None => err(format!("unknown conversation {id}")),
            Some(c) if self.conversations[c].at == Where::Closed => {
                err(format!("conversation {id} is closed"))
            }
            Some(c) => Ok(c),
        }
    }

    pub(super) fn validate(&self, input: &Input) -> Result<(), ModelError> {
        match input {
            Input::UpsertOperator(_)
            | Input::UnpinClient { .. }
            | Input::Tick
            | Input::UpsertClient(_)
            | Input::UpsertRole(_) => Ok(()),
            Input::RemoveRole { role } => match self.roles.iter().any(|r| r.role == *role) {
                true => Ok(()),
                false => err(format!("unknown role {role}")),
            },
            Input::EngineSettings(settings) => {
                if settings.max_renewals_per_call == 0 {
                    return err("max_renewals_per_call must be at least 1");
                }
                Ok(())
            }
            Input::UpsertLine(cfg) => {
                if let Some(secs) = cfg.offer_timeout_secs {
                    if !(60..=43_200).contains(&secs) {
                        return err(format!("offer timeout {secs} out of range"));
                    }
                }
                let durations = [
                    cfg.auto_replies
                        .as_ref()
                        .and_then(|a| a.unanswered_after_secs),
                    cfg.sla.as_ref().and_then(|s| s.first_response_secs),
                    cfg.sla.as_ref().and_then(|s| s.next_response_secs),
                    cfg.bot.as_ref().and_then(|b| b.handoff_after_secs),
                    cfg.auto_close_after_secs,
                ];
                if durations.contains(&Some(0)) {
                    return err("a duration of zero seconds");
                }
                if let Some(p) = &cfg.priority {
                    let priorities = p.rules.iter().map(|r| r.priority).chain(p.vip);
                    if priorities
                        .into_iter()
                        .any(|v| !(-1_000_000..=1_000_000).contains(&v))
                    {
                        return err("a priority out of range");
                    }
                    if p.aging_secs.is_some_and(|n| !(1..=86_400).contains(&n)) {
                        return err("aging_secs out of range");
                    }
                    if p.rules.len() > 256 {
                        return err("more than 256 priority rules");
                    }
                }
                if cfg.callback.is_some_and(|cb| cb.max_attempts == 0) {
                    return err("callback max_attempts 0");
                }
                match &cfg.schedule {
                    Some(s) => Hours::parse(s).map(|_| ()).map_err(ModelError::Invalid),
                    None => Ok(()),
                }
            }
            Input::RemoveOperator { operator }
            | Input::PinClient { operator, .. }
            | Input::Presence { operator, .. }
            | Input::WorkdayStarted { operator }
            | Input::WorkdayEnded { operator }
            | Input::ClearAbsences { operator } => self.need_op(operator.as_str()),
            Input::Absence {
                operator,
                from,
                until,
            } => {
                self.need_op(operator.as_str())?;
                if until <= from {
                    return err("absence ends before it starts");
                }
                Ok(())
            }
            Input::RemoveLine { line } => {
                self.need_line(line.as_str())?;
                if let Some(rule) = self.rule_naming(line.as_str()) {
                    return err(format!("rule {rule} names line {line}"));
                }
                if self
                    .channels
                    .iter()
                    .any(|c| c.line.as_deref() == Some(line.as_str()))
                {
                    return err(format!("line {line} still has channels"));
                }
                Ok(())
            }
            Input::ConnectChannel(cfg) => {
                self.need_line(cfg.line.as_str())?;
                if let Some(ch) = self.channel(cfg.channel.as_str()) {
                    if let Some(on) = &ch.line {
                        if on != cfg.line.as_str() {
                            return err(format!("channel {} is on line {on}", cfg.channel));
                        }
                    }
                }
                Ok(())
            }
            Input::DisconnectChannel { channel } => match self.channel(channel.as_str()) {
                Some(_) => Ok(()),
                None => err(format!("unknown channel {channel}")),
            },
            Input::MessageIn {
                conversation,
                client,
                channel,
                request,
            } => {
                self.need_connected(channel.as_str())?;
                if *request == Some(Request::Callback) {
                    return err("orders come only through callback_request");
                }
                if let Some(c) = self.conv_index(conversation.as_str()) {
                    let conv = &self.conversations[c];
                    if conv.client != client.as_str() || conv.channel != channel.as_str() {
                        return err("message_in with another client or channel");
                    }
                    if conv.at != Where::Closed {
                        if conv.request == Request::Callback {
                            return err(format!("{conversation} is an open callback order"));
                        }
                        if request.is_some_and(|r| r != conv.request) {
                            return err(format!("{conversation} is of another kind"));
                        }
                    }
                }
                Ok(())
            }
            Input::CallbackRequest {
                conversation,
                client,
                channel,
                ..
            } => {
                self.need_connected(channel.as_str())?;
                if let Some(c) = self.conv_index(conversation.as_str()) {
                    let conv = &self.conversations[c];
                    if conv.at != Where::Closed {
                        return err(format!("{conversation} is open"));
                    }
                    if conv.client != client.as_str() || conv.channel != channel.as_str() {
                        return err("callback_request with another client or channel");
                    }
                }
                Ok(())
            }
            Input::CallbackResult {
                conversation,
                operator,
                ..
            } => {
                let c = self.need_open(conversation.as_str())?;
                let conv = &self.conversations[c];
                if conv.request != Request::Callback {
                    return err(format!("{conversation} is not a callback order"));
                }
                match &conv.at {
                    Where::Assigned { op, .. } if op == operator.as_str() => Ok(()),
                    _ => err(format!("{operator} does not hold {conversation}")),
                }
            }
            Input::Intercept {
                conversation,
                operator,
            } => {
                let c = self.need_open(conversation.as_str())?;
                self.need_op(operator.as_str())?;
                match self.ringing_at(c) {
                    None => err(format!("{conversation} is not ringing")),
                    Some(at) if at.iter().any(|o| o == operator.as_str()) => {
                        err(format!("{conversation} rings at {operator} already"))
                    }
                    Some(_) => Ok(()),
                }
            }
            Input::MessageOut {
                conversation,
                operator,
                client,
                channel,
            } => {
                self.need_op(operator.as_str())?;
                match self.conv_index(conversation.as_str()) {
                    None => match (client, channel) {
                        (Some(_), Some(ch)) => self.need_connected(ch.as_str()).map(|_| ()),
                        _ => err("an outbound message_out needs client and channel"),
                    },
                    Some(c) => {
                        let conv = &self.conversations[c];
                        if client.as_ref().is_some_and(|cl| cl.as_str() != conv.client) {
                            return err("message_out with another client");
                        }
                        if channel
                            .as_ref()
                            .is_some_and(|ch| ch.as_str() != conv.channel)
                        {
                            return err("message_out with another channel");
                        }
                        if conv.at == Where::Closed {
                            self.need_connected(&conv.channel)?;
                        }
                        Ok(())
                    }
                }
            }
            Input::Accept {
                conversation,
                operator,
            } => {
                let c = self.need_open(conversation.as_str())?;
                self.need_op(operator.as_str())?;
                let offered = match &self.conversations[c].at {
                    Where::Assigned { op, .. } => op == operator.as_str(),
                    Where::Offered { ops, .. } => ops.iter().any(|o| o == operator.as_str()),
                    _ => false,
                };
                if offered {
                    Ok(())
                } else {
                    err(format!("{conversation} is not offered to {operator}"))
                }
            }
            Input::Take {
                conversation,
                operator,
            } => {
                self.need_open(conversation.as_str())?;
                self.need_op(operator.as_str())
            }
            Input::Transfer {
                conversation,
                to_operator,
                to_line,
            } => {
                self.need_open(conversation.as_str())?;
                match (to_operator, to_line) {
                    (Some(op), None) => self.need_op(op.as_str()),
                    (None, Some(line)) => self.need_line(line.as_str()),
                    _ => err("a transfer names exactly one of to_operator and to_line"),
                }
            }
            Input::Close { conversation }
            | Input::Spam { conversation }
            | Input::Abandon { conversation } => self.need_open(conversation.as_str()).map(|_| ()),
            Input::BotHandoff { conversation } => {
                let c = self.need_open(conversation.as_str())?;
                match self.conversations[c].at {
                    Where::WithBot { .. } => Ok(()),
                    _ => err(format!("{conversation} is not with a bot")),
                }
            }
            Input::Rating {
                conversation,
                score,
            } => {
                if self.conv_index(conversation.as_str()).is_none() {
                    return err(format!("unknown conversation {conversation}"));
                }
                if !(1..=5).contains(score) {
                    return err(format!("score {score} outside 1..=5"));
                }
                Ok(())
            }
            Input::SetStatus { conversation, .. } => {
                self.need_open(conversation.as_str()).map(|_| ())
            }
            Input::Complete { conversation, .. } => {
                let c = self.need_open(conversation.as_str())?;
                if self.conversations[c].at == Where::Completed {
                    return err(format!("{conversation} is completed already"));
                }
                Ok(())
            }
            Input::SetRules(lists) => self.check_rules(lists),
            _ => err("an input the model does not know"),
        }
    }
}
