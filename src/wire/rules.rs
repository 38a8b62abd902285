//! Support lines on the wire (DESIGN §6): a conversation's status, and the rule lists for
//! incoming and changed conversations (`set_rules`).

use serde::{Deserialize, Serialize};

use super::ids::{ChannelId, GroupId, LineId, OperatorId};

/// An open conversation's status (Omnidesk's «открыт» / «в ожидании»). Closing is not a status.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The default when a conversation opens; a client's message turns `waiting` into it.
    #[default]
    Open,
    /// Waiting for the client.
    Waiting,
}

/// Which list a rule belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleList {
    /// Runs when an input opens a conversation (a new id, or a closed one reopened).
    Incoming,
    /// Runs when an input is about an open conversation, active or completed.
    Changed,
}

/// The event an input is, as the rule lists see it.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleEvent {
    /// `message_in`.
    ClientMessage,
    /// `message_out`.
    OperatorMessage,
    /// `take`.
    Take,
    /// `accept`.
    Accept,
    /// `transfer`.
    Transfer,
    /// `set_status`.
    Status,
    /// `complete`.
    Complete,
}

impl RuleEvent {
    /// Every event, in a fixed order.
    pub const ALL: [RuleEvent; 7] = [
        RuleEvent::ClientMessage,
        RuleEvent::OperatorMessage,
        RuleEvent::Take,
        RuleEvent::Accept,
        RuleEvent::Transfer,
        RuleEvent::Status,
        RuleEvent::Complete,
    ];
}

/// A rule's conditions. Every key given must hold; a key left out holds always; a list holds
/// when any of its values does, and an empty list holds for nothing. A key whose value does not
/// exist for the input (the `author` of a `transfer`) does not hold.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// The input's event is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Vec<RuleEvent>>,
    /// The operator who wrote, took or accepted is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Vec<OperatorId>>,
    /// The operator who wrote, took or accepted is in one of these groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_groups: Option<Vec<GroupId>>,
    /// The conversation's responsible, as it stands, is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible: Option<Vec<OperatorId>>,
    /// The conversation's responsible, as it stands, is in one of these groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible_groups: Option<Vec<GroupId>>,
    /// `true`: the conversation has a responsible; `false`: it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_responsible: Option<bool>,
    /// The status is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Vec<Status>>,
    /// `true`: this input re-activated a completed conversation (`false`: it did not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reactivated: Option<bool>,
    /// `true`: the conversation is completed now (`false`: it is not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<bool>,
    /// The conversation's line is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<Vec<LineId>>,
    /// The conversation's channel is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Vec<ChannelId>>,
    /// The kind of the conversation's channel is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_kind: Option<Vec<String>>,
    /// The client's VIP flag equals this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vip: Option<bool>,
}

/// What a rule does, in order.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// An active conversation goes to the operator, final, caps ignored (like a transfer to
    /// them); a completed one gets them as its responsible. An operator who does not exist or
    /// is inactive: nothing.
    Assign {
        /// The operator.
        operator: OperatorId,
    },
    /// An active conversation goes to its responsible, when they are eligible on its line
    /// with room (with an answer deadline, as a routed assignment); otherwise nothing.
    AssignResponsible,
    /// An active conversation is routed again on the line (its own when left out), like a
    /// transfer to a line; a completed one records the line, to be routed there when it is
    /// re-activated.
    Route {
        /// The line; left out: the conversation's own.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        line: Option<LineId>,
    },
    /// Sets the status.
    Status {
        /// The status.
        status: Status,
    },
    /// Completes an active conversation, as the `complete` input does.
    Complete,
    /// Closes the conversation (`closed` reason `rule`); no further rule runs.
    Close,
    /// No further rule of this list runs for this input (the rest of this rule's actions do).
    Stop,
}

/// A rule: when its conditions hold (and those of `unless` do not all hold), its actions take
/// effect, in order.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Its name, unique across both lists.
    pub name: String,
    /// What must hold.
    #[serde(default)]
    pub when: Conditions,
    /// What must not all hold (absent or empty: blocks nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unless: Option<Conditions>,
    /// What it does; not empty.
    pub then: Vec<Action>,
}

/// Both rule lists (`set_rules`), replacing the engine's.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleLists {
    /// For inputs that open a conversation.
    #[serde(default)]
    pub incoming: Vec<Rule>,
    /// For inputs about an open conversation.
    #[serde(default)]
    pub changed: Vec<Rule>,
}

/// The most rules one list may hold.
pub const MAX_RULES_PER_LIST: usize = 256;
