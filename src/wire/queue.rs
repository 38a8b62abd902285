//! The contact-centre queue on the wire (DESIGN §7, MANGO Office's queue panel): request
//! kinds, line priorities and callback settings, client attributes, and roles with their
//! permissions.

use serde::{Deserialize, Serialize};

use super::ids::{ChannelId, ClientId, RoleId};

/// What a conversation is: a text conversation, a call reaching the line, or a callback order.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// A text conversation (chat, messenger, e-mail): the default.
    #[default]
    Text,
    /// A call: routed only to an operator who holds nothing else, and rings until accepted.
    Call,
    /// A callback order (`callback_request`): dialled by an operator who holds nothing else.
    Callback,
}

impl Request {
    /// Whether it takes the whole operator (a call or a callback).
    pub fn is_voice(self) -> bool {
        self != Request::Text
    }

    /// Every kind, in the order the queries list them.
    pub const ALL: [Request; 3] = [Request::Text, Request::Call, Request::Callback];
}

/// The smallest and largest priority (and VIP bonus) a line may set.
pub const PRIORITY_RANGE: std::ops::RangeInclusive<i64> = -1_000_000..=1_000_000;
/// The longest `aging_secs` a line may set (one day).
pub const MAX_AGING_SECS: u32 = 86_400;
/// The most priority rules a line may set (each waiting conversation's priority reads them).
pub const MAX_PRIORITY_RULES: usize = 256;

/// One rule of a line's priorities: the first whose keys all match gives the base priority.
/// A key left out matches anything; a rule with no keys matches everything.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityRule {
    /// The request kind it matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Request>,
    /// The channel kind it matches (`whatsapp`, `telegram` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_kind: Option<String>,
    /// The channel it matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<ChannelId>,
    /// The priority it gives, in −10⁶..=10⁶.
    pub priority: i64,
}

/// A line's priorities (`"priority"` of `upsert_line`): the order of its waiting queue.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityConfig {
    /// Rules tried in order; the first that matches gives the base priority (else 0).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<PriorityRule>,
    /// Added to the base priority of a VIP client's conversation, in −10⁶..=10⁶.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vip: Option<i64>,
    /// Each this many seconds of waiting are worth one point of priority, so that nothing
    /// starves (1..=86 400). Without it, priorities are strict classes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aging_secs: Option<u32>,
}

/// How a line handles callback orders (`"callback"` of `upsert_line`).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackConfig {
    /// How many attempts an order gets (at least 1; default 3).
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// How long after a failed attempt the next one falls due (default 600 s).
    #[serde(default = "default_retry")]
    pub retry_after_secs: u32,
}

fn default_attempts() -> u32 {
    CallbackConfig::default().max_attempts
}

fn default_retry() -> u32 {
    CallbackConfig::default().retry_after_secs
}

impl Default for CallbackConfig {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            retry_after_secs: 600,
        }
    }
}

/// How a callback attempt went (`callback_result`).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackResult {
    /// The client picked up: the assignment is confirmed; it is a call from now on.
    Connected,
    /// The client did not pick up.
    NoAnswer,
    /// The client's line was busy.
    Busy,
    /// The call could not be made.
    Failed,
}

/// A client's attributes (`upsert_client`): a field left out returns to its default.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// The client.
    pub client: ClientId,
    /// A VIP client: marked in the queue, and raised by a line's `vip` priority.
    #[serde(default)]
    pub vip: bool,
}

impl ClientConfig {
    /// A client with every attribute at its default.
    pub fn new(client: impl Into<ClientId>) -> Self {
        Self {
            client: client.into(),
            vip: false,
        }
    }

    /// Marks the client VIP (or not).
    pub fn vip(mut self, vip: bool) -> Self {
        self.vip = vip;
        self
    }
}

/// What a role may do (DESIGN §7, "Roles and permissions").
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Configuration: lines, operators, channels, rules, roles, engine settings, and another
    /// operator's presence, work day and absences.
    Configure,
    /// `pin_client`, `unpin_client`.
    PinClients,
    /// `upsert_client`.
    ManageClients,
    /// `take`.
    Take,
    /// `intercept`.
    Intercept,
    /// `transfer`.
    Transfer,
    /// `spam`.
    Spam,
    /// `close`, `complete`, `set_status`.
    Close,
    /// `callback_request`.
    Callbacks,
}

impl Permission {
    /// The permission as the wire format names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Configure => "configure",
            Permission::PinClients => "pin_clients",
            Permission::ManageClients => "manage_clients",
            Permission::Take => "take",
            Permission::Intercept => "intercept",
            Permission::Transfer => "transfer",
            Permission::Spam => "spam",
            Permission::Close => "close",
            Permission::Callbacks => "callbacks",
        }
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which conversations a role's permissions reach.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Conversations on a line whose queue includes the actor, or offered or assigned to them.
    #[default]
    Own,
    /// Every conversation.
    All,
}

/// A role (`upsert_role`): permissions within a scope.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleConfig {
    /// The role.
    pub role: RoleId,
    /// What it grants.
    #[serde(default)]
    pub permissions: Vec<Permission>,
    /// Which conversations those permissions reach (default `own`).
    #[serde(default)]
    pub scope: Scope,
}

impl RoleConfig {
    /// A role granting nothing, scope `own`.
    pub fn new(role: impl Into<RoleId>) -> Self {
        Self {
            role: role.into(),
            permissions: Vec::new(),
            scope: Scope::Own,
        }
    }

    /// Grants a permission.
    pub fn permission(mut self, permission: Permission) -> Self {
        self.permissions.push(permission);
        self
    }

    /// Sets the scope.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }
}
