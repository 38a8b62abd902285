//! Validation: an input is checked against the state before anything changes, and what the
//! check found — the indices it looked up, the schedule it compiled — is kept in a
//! [`Valid`] value, so that applying needs no second look-up and has no case it cannot meet.

use chrono::{DateTime, Utc};

use crate::features::schedule::hours::{self, Hours};
use crate::model::conversation::{Place, Target};
use crate::model::ids::{ChanIdx, ConvIdx, LineIdx, OpIdx};
use crate::rules;
use crate::state::State;
use crate::wire::config::{
    ChannelConfig, EngineSettings, LineConfig, MAX_OFFER_TIMEOUT_SECS, MIN_OFFER_TIMEOUT_SECS,
    OperatorConfig,
};
use crate::wire::decision::CloseReason;
use crate::wire::error::Error;
use crate::wire::ids::{ChannelId, ClientId, ConversationId, LineId, OperatorId, RoleId};
use crate::wire::input::{Input, Presence};
use crate::wire::queue::{CallbackResult, ClientConfig, Request, RoleConfig};
use crate::wire::rules::{RuleLists, Status};

/// A validated input, with what validation found out.
#[derive(Debug)]
pub(crate) enum Valid {
    UpsertOperator(OperatorConfig),
    RemoveOperator(OpIdx),
    /// The configuration with its compiled working hours (boxed together: the hours are
    /// large, and every input's `Valid` is moved on its way to being applied).
    UpsertLine(Box<(LineConfig, Option<Hours>)>),
    RemoveLine(LineIdx),
    ConnectChannel(LineIdx, ChannelConfig),
    DisconnectChannel(ChanIdx),
    PinClient(ClientId, OpIdx),
    UnpinClient(ClientId),
    Presence(OpIdx, Presence),
    Workday(OpIdx, bool),
    Absence(OpIdx, DateTime<Utc>, DateTime<Utc>),
    ClearAbsences(OpIdx),
    MessageIn {
        conversation: ConversationId,
        target: Target,
        request: Option<Request>,
    },
    MessageOut {
        conversation: ConversationId,
        operator: OpIdx,
        target: Target,
    },
    Accept(ConvIdx, OpIdx),
    Take(ConvIdx, OpIdx),
    TransferToOperator(ConvIdx, OpIdx),
    TransferToLine(ConvIdx, LineIdx),
    Close(ConvIdx, CloseReason),
    BotHandoff(ConvIdx),
    Rating(ConvIdx, u8),
    EngineSettings(EngineSettings),
    SetStatus(ConvIdx, Status),
    Complete(ConvIdx, Option<Status>),
    SetRules(RuleLists),
    Abandon(ConvIdx),
    UpsertClient(ClientConfig),
    CallbackRequest {
        conversation: ConversationId,
        target: Target,
        due_at: Option<DateTime<Utc>>,
    },
    CallbackResult(ConvIdx, OpIdx, CallbackResult),
    Intercept(ConvIdx, OpIdx),
    UpsertRole(RoleConfig),
    RemoveRole(RoleId),
    Tick,
}

/// Checks a line's configuration, compiling its working hours.
pub(crate) fn line_config(cfg: &LineConfig) -> Result<Option<Hours>, Error> {
    if let Some(secs) = cfg.offer_timeout_secs {
        if !(MIN_OFFER_TIMEOUT_SECS..=MAX_OFFER_TIMEOUT_SECS).contains(&secs) {
            return Err(Error::InvalidOfferTimeout {
                line: cfg.line.clone(),
                secs,
            });
        }
    }
    let durations = [
        (
            "auto_replies.unanswered_after_secs",
            cfg.auto_replies
                .as_ref()
                .and_then(|a| a.unanswered_after_secs),
        ),
        (
            "sla.first_response_secs",
            cfg.sla.as_ref().and_then(|s| s.first_response_secs),
        ),
        (
            "sla.next_response_secs",
            cfg.sla.as_ref().and_then(|s| s.next_response_secs),
        ),
        (
            "bot.handoff_after_secs",
            cfg.bot.as_ref().and_then(|b| b.handoff_after_secs),
        ),
        ("auto_close_after_secs", cfg.auto_close_after_secs),
    ];
    for (field, secs) in durations {
        if secs == Some(0) {
            return Err(Error::InvalidDuration {
                line: cfg.line.clone(),
                field,
            });
        }
    }
    super::checks::queue_settings(cfg)?;
    cfg.schedule
        .as_ref()
        .map(hours::compile)
        .transpose()
        .map_err(|reason| Error::InvalidSchedule {
            line: cfg.line.clone(),
            reason,
        })
}

impl State {
    /// Validates an input from `actor` (DESIGN §7: their permission first), or from the host
    /// itself, changing nothing.
    pub(crate) fn validate_as(
        &self,
        input: &Input,
        actor: Option<&OperatorId>,
    ) -> Result<Valid, Error> {
        if let Some(actor) = actor {
            self.permit(actor, input)?;
        }
        self.validate(input)
    }

    /// Validates an input against the current state, changing nothing.
    pub(crate) fn validate(&self, input: &Input) -> Result<Valid, Error> {
        Ok(match input {
            Input::UpsertOperator(cfg) => Valid::UpsertOperator(cfg.clone()),
            Input::RemoveOperator { operator } => Valid::RemoveOperator(self.require_op(operator)?),
            Input::UpsertLine(cfg) => {
                let hours = line_config(cfg)?;
                Valid::UpsertLine(Box::new((LineConfig::clone(cfg), hours)))
            }
            Input::RemoveLine { line } => Valid::RemoveLine(self.check_remove_line(line)?),
            Input::ConnectChannel(cfg) => {
                Valid::ConnectChannel(self.check_connect(cfg)?, cfg.clone())
            }
            Input::DisconnectChannel { channel } => {
                Valid::DisconnectChannel(self.require_chan(channel)?)
            }
            Input::PinClient { client, operator } => {
                Valid::PinClient(client.clone(), self.require_op(operator)?)
            }
            Input::UnpinClient { client } => Valid::UnpinClient(client.clone()),
            Input::Presence { operator, status } => {
                Valid::Presence(self.require_op(operator)?, *status)
            }
            Input::WorkdayStarted { operator } => Valid::Workday(self.require_op(operator)?, true),
            Input::WorkdayEnded { operator } => Valid::Workday(self.require_op(operator)?, false),
            Input::Absence {
                operator,
                from,
                until,
            } => {
                let o = self.require_op(operator)?;
                if until <= from {
                    return Err(Error::InvalidAbsence {
                        operator: operator.clone(),
                        from: *from,
                        until: *until,
                    });
                }
                Valid::Absence(o, *from, *until)
            }
            Input::ClearAbsences { operator } => Valid::ClearAbsences(self.require_op(operator)?),
            Input::MessageIn {
                conversation,
                client,
                channel,
                request,
            } => {
                let target = self.check_message_in(conversation, client, channel)?;
                self.check_request(conversation, &target, *request)?;
                Valid::MessageIn {
                    target,
                    conversation: conversation.clone(),
                    request: *request,
                }
            }
            Input::MessageOut {
                conversation,
                operator,
                client,
                channel,
            } => {
                let (operator, target) = self.check_message_out(
                    conversation,
                    operator,
                    client.as_ref(),
                    channel.as_ref(),
                )?;
                Valid::MessageOut {
                    conversation: conversation.clone(),
                    operator,
                    target,
                }
            }
            Input::Accept {
                conversation,
                operator,
            } => {
                let (c, o) = self.check_accept(conversation, operator)?;
                Valid::Accept(c, o)
            }
            Input::Take {
                conversation,
                operator,
            } => {
                let c = self.require_open(conversation)?;
                Valid::Take(c, self.require_op(operator)?)
            }
            Input::Transfer {
                conversation,
                to_operator,
                to_line,
            } => {
                let c = self.require_open(conversation)?;
                match (to_operator, to_line) {
                    (Some(op), None) => Valid::TransferToOperator(c, self.require_op(op)?),
                    (None, Some(line)) => Valid::TransferToLine(c, self.require_line(line)?),
                    _ => return Err(Error::InvalidTransfer(conversation.clone())),
                }
            }
            Input::Close { conversation } => {
                Valid::Close(self.require_open(conversation)?, CloseReason::Closed)
            }
            Input::Spam { conversation } => {
                Valid::Close(self.require_open(conversation)?, CloseReason::Spam)
            }
            Input::BotHandoff { conversation } => {
                let c = self.require_open(conversation)?;
                if !matches!(self.core.facts.convs[c].place, Place::WithBot { .. }) {
                    return Err(Error::NotWithBot(conversation.clone()));
                }
                Valid::BotHandoff(c)
            }
            Input::Rating {
                conversation,
                score,
            } => {
                let c = self.require_conv(conversation)?;
                if !(1..=5).contains(score) {
                    return Err(Error::InvalidScore {
                        conversation: conversation.clone(),
                        score: *score,
                    });
                }
                Valid::Rating(c, *score)
            }
            Input::EngineSettings(settings) => {
                if settings.max_renewals_per_call == 0 {
                    return Err(Error::InvalidEngineSetting {
                        field: "max_renewals_per_call",
                    });
                }
                Valid::EngineSettings(settings.clone())
            }
            Input::SetStatus {
                conversation,
                status,
            } => Valid::SetStatus(self.require_open(conversation)?, *status),
            Input::Complete {
                conversation,
                status,
            } => {
                let c = self.require_open(conversation)?;
                if self.core.facts.convs[c].place == Place::Completed {
                    return Err(Error::AlreadyCompleted(conversation.clone()));
                }
                Valid::Complete(c, *status)
            }
            Input::SetRules(lists) => {
                rules::validate(&self.core, lists)?;
                Valid::SetRules(lists.clone())
            }
            Input::Abandon { conversation } => Valid::Abandon(self.require_open(conversation)?),
            Input::UpsertClient(cfg) => Valid::UpsertClient(cfg.clone()),
            Input::CallbackRequest {
                conversation,
                client,
                channel,
                due_at,
            } => self.check_callback_request(conversation, client, channel, *due_at)?,
            Input::CallbackResult {
                conversation,
                operator,
                result,
            } => {
                let (c, o) = self.check_callback_result(conversation, operator)?;
                Valid::CallbackResult(c, o, *result)
            }
            Input::Intercept {
                conversation,
                operator,
            } => {
                let (c, o) = self.check_intercept(conversation, operator)?;
                Valid::Intercept(c, o)
            }
            Input::UpsertRole(cfg) => Valid::UpsertRole(cfg.clone()),
            Input::RemoveRole { role } => {
                self.check_remove_role(role)?;
                Valid::RemoveRole(role.clone())
            }
            Input::Tick => Valid::Tick,
        })
    }

    pub(crate) fn require_op(&self, id: &OperatorId) -> Result<OpIdx, Error> {
        self.core
            .facts
            .op(id)
            .ok_or_else(|| Error::UnknownOperator(id.clone()))
    }

    fn require_line(&self, id: &LineId) -> Result<LineIdx, Error> {
        self.core
            .facts
            .line_idx(id.as_str())
            .ok_or_else(|| Error::UnknownLine(id.clone()))
    }

    fn require_chan(&self, id: &ChannelId) -> Result<ChanIdx, Error> {
        self.core
            .facts
            .chan_ids
            .get(id)
            .ok_or_else(|| Error::UnknownChannel(id.clone()))
    }

    fn require_conv(&self, id: &ConversationId) -> Result<ConvIdx, Error> {
        self.core
            .facts
            .conv_ids
            .get(id)
            .ok_or_else(|| Error::UnknownConversation(id.clone()))
    }

    /// A known conversation that is still open.
    pub(crate) fn require_open(&self, id: &ConversationId) -> Result<ConvIdx, Error> {
        let c = self.require_conv(id)?;
        if !self.core.facts.convs[c].is_open() {
            return Err(Error::ConversationClosed(id.clone()));
        }
        Ok(c)
    }

    /// A channel that is connected, with its line.
    fn require_connected(&self, id: &ChannelId) -> Result<(ChanIdx, LineIdx), Error> {
        let ch = self.require_chan(id)?;
        match self.core.facts.chans[ch].line {
            Some(line) => Ok((ch, line)),
            None => Err(Error::ChannelDisconnected(id.clone())),
        }
    }

    /// Checks that a message's client and channel match a known conversation.
    fn check_same(
        &self,
        id: &ConversationId,
        c: ConvIdx,
        client: Option<&ClientId>,
        channel: Option<&ChannelId>,
    ) -> Result<(), Error> {
        let facts = &self.core.facts;
        let conv = &facts.convs[c];
        if let Some(client) = client {
            let expected = facts.client_ids.name(conv.client);
            if expected != client {
                return Err(Error::ClientMismatch {
                    conversation: id.clone(),
                    expected: expected.clone(),
                    got: client.clone(),
                });
            }
        }
        if let Some(channel) = channel {
            let expected = facts.chan_ids.name(conv.channel);
            if expected != channel {
                return Err(Error::ChannelMismatch {
                    conversation: id.clone(),
                    expected: expected.clone(),
                    got: channel.clone(),
                });
            }
        }
        Ok(())
    }

    pub(crate) fn check_message_in(
        &self,
        id: &ConversationId,
        client: &ClientId,
        channel: &ChannelId,
    ) -> Result<Target, Error> {
        let (ch, line) = self.require_connected(channel)?;
        let Some(c) = self.core.facts.conv_ids.get(id) else {
            return Ok(Target::New {
                client: client.clone(),
                channel: ch,
                line,
            });
        };
        self.check_same(id, c, Some(client), Some(channel))?;
        Ok(if self.core.facts.convs[c].is_open() {
            Target::Open(c)
        } else {
            Target::Reopen { conv: c, line }
        })
    }

    fn check_message_out(
        &self,
        id: &ConversationId,
        operator: &OperatorId,
        client: Option<&ClientId>,
        channel: Option<&ChannelId>,
    ) -> Result<(OpIdx, Target), Error> {
        let o = self.require_op(operator)?;
        let Some(c) = self.core.facts.conv_ids.get(id) else {
            let (Some(client), Some(channel)) = (client, channel) else {
                return Err(Error::OutboundNeedsClientAndChannel(id.clone()));
            };
            let (ch, line) = self.require_connected(channel)?;
            return Ok((
                o,
                Target::New {
                    client: client.clone(),
                    channel: ch,
                    line,
                },
            ));
        };
        self.check_same(id, c, client, channel)?;
        let conv = &self.core.facts.convs[c];
        if conv.is_open() {
            return Ok((o, Target::Open(c)));
        }
        let line = self.core.facts.chans[conv.channel]
            .line
            .ok_or_else(|| Error::ChannelDisconnected(self.core.facts.chan_name(conv.channel)))?;
        Ok((o, Target::Reopen { conv: c, line }))
    }

    fn check_accept(
        &self,
        id: &ConversationId,
        operator: &OperatorId,
    ) -> Result<(ConvIdx, OpIdx), Error> {
        let c = self.require_open(id)?;
        let o = self.require_op(operator)?;
        let offered = match &self.core.facts.convs[c].place {
            Place::Assigned { op, .. } => *op == o,
            Place::Offered { ops, .. } => ops.contains(&o),
            Place::Closed { .. }
            | Place::Limbo
            | Place::Waiting { .. }
            | Place::WithBot { .. }
            | Place::Completed
            | Place::Scheduled { .. } => false,
        };
        if !offered {
            return Err(Error::NotOffered {
                conversation: id.clone(),
                operator: operator.clone(),
            });
        }
        Ok((c, o))
    }

    fn check_remove_line(&self, id: &LineId) -> Result<LineIdx, Error> {
        let l = self.require_line(id)?;
        if let Some(rule) = self.rules.naming(id) {
            return Err(Error::LineInRules {
                line: id.clone(),
                rule: rule.to_string(),
            });
        }
        let channels = &self.core.idx.lines[l].channels;
        if !channels.is_empty() {
            return Err(Error::LineHasChannels {
                line: id.clone(),
                channels: channels
                    .iter()
                    .map(|&c| self.core.facts.chan_name(c))
                    .collect(),
            });
        }
        Ok(l)
    }

    fn check_connect(&self, cfg: &ChannelConfig) -> Result<LineIdx, Error> {
        let l = self.require_line(&cfg.line)?;
        if let Some(c) = self.core.facts.chan_ids.get(&cfg.channel) {
            if let Some(on) = self.core.facts.chans[c].line {
                if on != l {
                    return Err(Error::ChannelOnAnotherLine {
                        channel: cfg.channel.clone(),
                        connected_to: self.core.facts.line_name(on),
                        requested: cfg.line.clone(),
                    });
                }
            }
        }
        Ok(l)
    }
}
