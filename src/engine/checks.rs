//! Validation of the contact-centre queue's inputs and line settings (DESIGN §7), beside
//! `validate.rs`: every check before anything changes.

use chrono::{DateTime, Utc};

use super::validate::Valid;
use crate::model::conversation::{Place, Target};
use crate::model::ids::{ConvIdx, OpIdx};
use crate::queue::calls::ringing;
use crate::state::State;
use crate::wire::config::LineConfig;
use crate::wire::error::Error;
use crate::wire::ids::{ChannelId, ClientId, ConversationId, OperatorId, RoleId};
use crate::wire::queue::{MAX_AGING_SECS, MAX_PRIORITY_RULES, PRIORITY_RANGE, Request};

/// Checks a line's priorities and callback settings.
pub(crate) fn queue_settings(cfg: &LineConfig) -> Result<(), Error> {
    let out_of_range = |field: &'static str, value: i64| Error::InvalidPriority {
        line: cfg.line.clone(),
        field,
        value,
    };
    if let Some(p) = &cfg.priority {
        if p.rules.len() > MAX_PRIORITY_RULES {
            let count = i64::try_from(p.rules.len()).unwrap_or(i64::MAX);
            return Err(out_of_range("rules", count));
        }
        for rule in &p.rules {
            if !PRIORITY_RANGE.contains(&rule.priority) {
                return Err(out_of_range("rules.priority", rule.priority));
            }
        }
        if let Some(vip) = p.vip.filter(|v| !PRIORITY_RANGE.contains(v)) {
            return Err(out_of_range("vip", vip));
        }
        if let Some(n) = p.aging_secs.filter(|n| !(1..=MAX_AGING_SECS).contains(n)) {
            return Err(out_of_range("aging_secs", i64::from(n)));
        }
    }
    if cfg.callback.is_some_and(|cb| cb.max_attempts == 0) {
        return Err(Error::InvalidCallbackAttempts(cfg.line.clone()));
    }
    Ok(())
}

impl State {
    /// `callback_request`: a connected channel, and a conversation id that is new or closed
    /// (a closed one opens a new order; its client and channel must match).
    pub(crate) fn check_callback_request(
        &self,
        id: &ConversationId,
        client: &ClientId,
        channel: &ChannelId,
        due_at: Option<DateTime<Utc>>,
    ) -> Result<Valid, Error> {
        let target = self.check_message_in(id, client, channel)?;
        if let Target::Open(c) = target {
            let request = self.core.facts.convs[c].request;
            return Err(Error::CallbackConflict(id.clone(), request));
        }
        Ok(Valid::CallbackRequest {
            conversation: id.clone(),
            target,
            due_at,
        })
    }

    /// `callback_result`: an open callback order its reporter holds.
    pub(crate) fn check_callback_result(
        &self,
        id: &ConversationId,
        operator: &OperatorId,
    ) -> Result<(ConvIdx, OpIdx), Error> {
        let c = self.require_open(id)?;
        let o = self.require_op(operator)?;
        let conv = &self.core.facts.convs[c];
        if conv.request != Request::Callback {
            return Err(Error::NotACallback(id.clone()));
        }
        if conv.place.holder() != Some(o) {
            return Err(Error::NotHeldBy {
                conversation: id.clone(),
                operator: operator.clone(),
            });
        }
        Ok((c, o))
    }

    /// `intercept`: a call or callback ringing at someone other than the interceptor.
    pub(crate) fn check_intercept(
        &self,
        id: &ConversationId,
        operator: &OperatorId,
    ) -> Result<(ConvIdx, OpIdx), Error> {
        let c = self.require_open(id)?;
        let o = self.require_op(operator)?;
        let conv = &self.core.facts.convs[c];
        if !conv.request.is_voice() || !ringing(&conv.place) {
            return Err(Error::NotRinging(id.clone()));
        }
        let at_interceptor = match &conv.place {
            Place::Assigned { op, .. } => *op == o,
            Place::Offered { ops, .. } => ops.contains(&o),
            _ => false,
        };
        if at_interceptor {
            return Err(Error::RingingAtInterceptor {
                conversation: id.clone(),
                operator: operator.clone(),
            });
        }
        Ok((c, o))
    }

    /// `remove_role`: a role that exists.
    pub(crate) fn check_remove_role(&self, role: &RoleId) -> Result<(), Error> {
        if self.access.roles.contains_key(role) {
            Ok(())
        } else {
            Err(Error::UnknownRole(role.clone()))
        }
    }

    /// `message_in` naming a request kind: `callback` never (orders come through
    /// `callback_request`); for an open conversation only its own kind; and never into an
    /// open callback order.
    pub(crate) fn check_request(
        &self,
        id: &ConversationId,
        target: &Target,
        request: Option<Request>,
    ) -> Result<(), Error> {
        if request == Some(Request::Callback) {
            return Err(Error::RequestMismatch {
                conversation: id.clone(),
                request: Request::Callback,
            });
        }
        if let Target::Open(c) = *target {
            let own = self.core.facts.convs[c].request;
            if own == Request::Callback {
                return Err(Error::CallbackConflict(id.clone(), own));
            }
            if let Some(r) = request.filter(|&r| r != own) {
                return Err(Error::RequestMismatch {
                    conversation: id.clone(),
                    request: r,
                });
            }
        }
        Ok(())
    }
}
