//! Roles and permissions (DESIGN §7, with the roles of articles 001 and 004): an input may
//! name an actor, and then it needs a role granting its permission within the role's scope.
//! Without an actor the input comes from the host itself and is not checked, so every log
//! written before roles existed replays unchanged.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::model::conversation::Place;
use crate::model::ids::{ConvIdx, LineIdx, OpIdx};
use crate::state::State;
use crate::wire::error::Error;
use crate::wire::ids::{ConversationId, OperatorId, RoleId};
use crate::wire::input::Input;
use crate::wire::queue::{Permission, RoleConfig, Scope};

/// The roles, and each operator's.
#[derive(Clone, Debug, Default)]
pub(crate) struct Access {
    pub(crate) roles: BTreeMap<RoleId, RoleConfig>,
    /// Each operator's roles, as their configuration names them (a role not defined grants
    /// nothing until it is).
    pub(crate) op_roles: FxHashMap<OpIdx, Vec<RoleId>>,
}

/// What an input needs of its actor.
enum Need {
    /// Nothing: a fact of the world, or the actor's own fact.
    Nothing,
    /// A permission, not about a conversation (granted whatever the scope).
    Global(Permission),
    /// A permission about a conversation (or, for an order, the line it comes to).
    About(Permission, Reach),
}

/// What a permission about a conversation reaches.
enum Reach {
    Conv(ConvIdx),
    Line(LineIdx),
    /// Something validation will refuse anyway (an unknown conversation or channel).
    Unknown,
}

impl Access {
    pub(crate) fn upsert_role(&mut self, cfg: RoleConfig) {
        self.roles.insert(cfg.role.clone(), cfg);
    }

    pub(crate) fn remove_role(&mut self, role: &RoleId) {
        self.roles.remove(role);
    }

    /// An operator's roles, as their latest configuration names them.
    pub(crate) fn set_roles(&mut self, o: OpIdx, roles: Vec<RoleId>) {
        if roles.is_empty() {
            self.op_roles.remove(&o);
        } else {
            self.op_roles.insert(o, roles);
        }
    }

    /// The roles an operator has that are defined.
    fn roles_of(&self, o: OpIdx) -> impl Iterator<Item = &RoleConfig> {
        self.op_roles
            .get(&o)
            .into_iter()
            .flatten()
            .filter_map(|r| self.roles.get(r))
    }
}

impl State {
    /// Whether `actor` may make this input (DESIGN §7): nothing changes either way.
    pub(crate) fn permit(&self, actor: &OperatorId, input: &Input) -> Result<(), Error> {
        let need = self.need(actor, input);
        let (permission, reach) = match need {
            Need::Nothing => return Ok(()),
            Need::Global(p) => (p, None),
            Need::About(p, reach) => (p, Some(reach)),
        };
        let denied = || Error::PermissionDenied {
            actor: actor.clone(),
            permission,
        };
        let o = self.core.facts.op(actor).ok_or_else(denied)?;
        if !self.core.facts.ops[o].is_active() {
            return Err(denied());
        }
        let granted = self
            .access
            .roles_of(o)
            .filter(|r| r.permissions.contains(&permission))
            .any(|r| match (&reach, r.scope) {
                (None, _) | (Some(_), Scope::All) => true,
                (Some(reach), Scope::Own) => self.within_own(o, reach),
            });
        if granted { Ok(()) } else { Err(denied()) }
    }

    /// Under scope `own`: a conversation on a line whose queue includes the actor, or one
    /// offered or assigned to them; an order, on such a line.
    fn within_own(&self, o: OpIdx, reach: &Reach) -> bool {
        let member = |l: LineIdx| self.core.idx.ops[o].slots.iter().any(|s| s.line == l);
        match *reach {
            Reach::Unknown => true,
            Reach::Line(l) => member(l),
            Reach::Conv(c) => {
                let conv = &self.core.facts.convs[c];
                let mine = match &conv.place {
                    Place::Assigned { op, .. } => *op == o,
                    Place::Offered { ops, .. } => ops.contains(&o),
                    _ => false,
                };
                mine || member(conv.line)
            }
        }
    }

    fn need(&self, actor: &OperatorId, input: &Input) -> Need {
        let conv = |id: &ConversationId| match self.core.facts.conv_ids.get(id) {
            Some(c) => Reach::Conv(c),
            None => Reach::Unknown,
        };
        // An operator's own facts need nothing; another operator's need `configure`.
        let own = |operator: &OperatorId| {
            if operator == actor {
                Need::Nothing
            } else {
                Need::Global(Permission::Configure)
            }
        };
        match input {
            Input::MessageIn { .. }
            | Input::Abandon { .. }
            | Input::Rating { .. }
            | Input::BotHandoff { .. }
            | Input::Tick => Need::Nothing,
            Input::Presence { operator, .. }
            | Input::WorkdayStarted { operator }
            | Input::WorkdayEnded { operator }
            | Input::Absence { operator, .. }
            | Input::ClearAbsences { operator }
            | Input::Accept { operator, .. }
            | Input::MessageOut { operator, .. }
            | Input::CallbackResult { operator, .. } => own(operator),
            Input::UpsertOperator(_)
            | Input::RemoveOperator { .. }
            | Input::UpsertLine(_)
            | Input::RemoveLine { .. }
            | Input::ConnectChannel(_)
            | Input::DisconnectChannel { .. }
            | Input::SetRules(_)
            | Input::UpsertRole(_)
            | Input::RemoveRole { .. }
            | Input::EngineSettings(_) => Need::Global(Permission::Configure),
            Input::PinClient { .. } | Input::UnpinClient { .. } => {
                Need::Global(Permission::PinClients)
            }
            Input::UpsertClient(_) => Need::Global(Permission::ManageClients),
            Input::Take { conversation, .. } => Need::About(Permission::Take, conv(conversation)),
            Input::Intercept { conversation, .. } => {
                Need::About(Permission::Intercept, conv(conversation))
            }
            Input::Transfer { conversation, .. } => {
                Need::About(Permission::Transfer, conv(conversation))
            }
            Input::Spam { conversation } => Need::About(Permission::Spam, conv(conversation)),
            Input::Close { conversation }
            | Input::Complete { conversation, .. }
            | Input::SetStatus { conversation, .. } => {
                Need::About(Permission::Close, conv(conversation))
            }
            Input::CallbackRequest { channel, .. } => {
                let line = self
                    .core
                    .facts
                    .chan_ids
                    .get(channel)
                    .and_then(|ch| self.core.facts.chans[ch].line);
                Need::About(
                    Permission::Callbacks,
                    line.map_or(Reach::Unknown, Reach::Line),
                )
            }
        }
    }
}
