//! Roles and permissions (DESIGN §7): what an input needs of the operator it names as its
//! actor, from the spec's table, checked before the input is validated.

use super::*;
use routeline::Scope;

/// What an input needs of its actor.
enum Needs {
    /// Nothing: a fact of the world, or the actor's own fact.
    Nothing,
    /// A permission not about a conversation, granted whatever the role's scope.
    Anywhere(Permission),
    /// A permission about a conversation (by id).
    AboutConversation(Permission, String),
    /// A permission about a conversation on the channel's line (`callback_request`).
    OnChannelLine(Permission, String),
}

impl Model {
    /// `upsert_role`: a new role, or one replaced (keeping its place).
    pub(super) fn upsert_role(&mut self, role: &RoleConfig) {
        match self.roles.iter_mut().find(|r| r.role == role.role) {
            Some(r) => *r = role.clone(),
            None => self.roles.push(role.clone()),
        }
    }

    /// What the input needs of `actor` (DESIGN §7's table): facts of the world need nothing,
    /// nor do the actor's own facts; another operator's need `configure`.
    fn needs(actor: &str, input: &Input) -> Needs {
        use Permission as P;
        let own = |op: &routeline::OperatorId| {
            if op.as_str() == actor {
                Needs::Nothing
            } else {
                Needs::Anywhere(P::Configure)
            }
        };
        let about = |p, c: &routeline::ConversationId| Needs::AboutConversation(p, c.to_string());
        match input {
            Input::MessageIn { .. }
            | Input::Abandon { .. }
            | Input::Rating { .. }
            | Input::BotHandoff { .. }
            | Input::Tick => Needs::Nothing,
            Input::Presence { operator, .. }
            | Input::WorkdayStarted { operator }
            | Input::WorkdayEnded { operator }
            | Input::Absence { operator, .. }
            | Input::ClearAbsences { operator }
            | Input::Accept { operator, .. }
            | Input::MessageOut { operator, .. }
            | Input::CallbackResult { operator, .. } => own(operator),
            Input::PinClient { .. } | Input::UnpinClient { .. } => Needs::Anywhere(P::PinClients),
            Input::UpsertClient(_) => Needs::Anywhere(P::ManageClients),
            Input::Take { conversation, .. } => about(P::Take, conversation),
            Input::Intercept { conversation, .. } => about(P::Intercept, conversation),
            Input::Transfer { conversation, .. } => about(P::Transfer, conversation),
            Input::Spam { conversation } => about(P::Spam, conversation),
            Input::Close { conversation }
            | Input::Complete { conversation, .. }
            | Input::SetStatus { conversation, .. } => about(P::Close, conversation),
            Input::CallbackRequest { channel, .. } => {
                Needs::OnChannelLine(P::Callbacks, channel.to_string())
            }
            // Configuration: lines, operators, channels, rules, roles, engine settings.
            _ => Needs::Anywhere(P::Configure),
        }
    }

    /// Whether the actor is a member of the line now (directly or through a group).
    fn member_of(&self, actor: &str, line: &str) -> bool {
        self.line(line)
            .is_some_and(|l| self.members(l).iter().any(|m| m == actor))
    }

    /// Whether a conversation is the actor's own under scope `own`: on a line whose queue
    /// includes them now, or offered or assigned to them. One the model does not know is
    /// left to validation.
    fn owns(&self, actor: &str, id: &str) -> bool {
        let Some(c) = self.conv_index(id) else {
            return true;
        };
        let conv = &self.conversations[c];
        let held = match &conv.at {
            Where::Assigned { op, .. } => op == actor,
            Where::Offered { ops, .. } => ops.iter().any(|o| o == actor),
            _ => false,
        };
        held || self.member_of(actor, &conv.line)
    }

    /// Checks the input's actor: an existing, active operator holding a role (defined now)
    /// that grants the permission the input needs, within the role's scope.
    pub(super) fn check_actor(&self, actor: &str, input: &Input) -> Result<(), ModelError> {
        let (permission, covered): (Permission, Box<dyn Fn() -> bool + '_>) =
            match Self::needs(actor, input) {
                Needs::Nothing => return Ok(()),
                Needs::Anywhere(p) => (p, Box::new(|| true)),
                Needs::AboutConversation(p, id) => (p, Box::new(move || self.owns(actor, &id))),
                Needs::OnChannelLine(p, ch) => (
                    p,
                    Box::new(
                        move || match self.channel(&ch).and_then(|c| c.line.clone()) {
                            Some(line) => self.member_of(actor, &line),
                            // An unknown or disconnected channel is left to validation.
                            None => true,
                        },
                    ),
                ),
            };
        let denied = Err(ModelError::Denied {
            actor: actor.to_string(),
            permission,
        });
        let Some(o) = self.op(actor).filter(|o| o.active) else {
            return denied;
        };
        for name in &o.roles {
            let Some(role) = self.roles.iter().find(|r| r.role.as_str() == name) else {
                continue;
            };
            if role.permissions.contains(&permission) && (role.scope == Scope::All || covered()) {
                return Ok(());
            }
        }
        denied
    }
}
