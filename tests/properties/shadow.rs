//! The configuration the test sent, and what the queries say of operators and loads.

use super::*;

/// A channel as last connected.
#[derive(Clone, Debug)]
pub(super) struct ShadowChannel {
    pub(super) operators: Option<Vec<String>>,
    /// The line its operator list applies to: the last one it was connected to, until that line
    /// is removed.
    pub(super) pool_line: Option<String>,
}

/// The configuration the test sent, as of the last successful inputs.
#[derive(Clone, Debug, Default)]
pub(super) struct Shadow {
    pub(super) ops: BTreeMap<String, OperatorConfig>,
    pub(super) lines: BTreeMap<String, LineConfig>,
    pub(super) chans: BTreeMap<String, ShadowChannel>,
    pub(super) rules: RuleLists,
}

impl Shadow {
    pub(super) fn apply(&mut self, input: &Input) {
        match input {
            Input::UpsertOperator(cfg) => {
                self.ops.insert(cfg.operator.to_string(), cfg.clone());
            }
            Input::RemoveOperator { operator } => {
                self.ops.remove(operator.as_str());
            }
            Input::UpsertLine(cfg) => {
                self.lines.insert(cfg.line.to_string(), (**cfg).clone());
            }
            Input::RemoveLine { line } => {
                self.lines.remove(line.as_str());
                for ch in self.chans.values_mut() {
                    if ch.pool_line.as_deref() == Some(line.as_str()) {
                        ch.pool_line = None;
                    }
                }
            }
            Input::ConnectChannel(cfg) => {
                self.chans.insert(
                    cfg.channel.to_string(),
                    ShadowChannel {
                        operators: cfg
                            .operators
                            .as_ref()
                            .map(|v| v.iter().map(|o| o.to_string()).collect()),
                        pool_line: Some(cfg.line.to_string()),
                    },
                );
            }
            Input::SetRules(lists) => self.rules = lists.clone(),
            _ => {}
        }
    }

    pub(super) fn member(&self, line: &LineConfig, op: &str) -> bool {
        let Some(cfg) = self.ops.get(op) else {
            return false;
        };
        line.queue.iter().any(|e| match e {
            QueueEntry::Operator(o) => o.as_str() == op,
            QueueEntry::Group { group } => cfg.groups.contains(group),
        })
    }

    pub(super) fn allowed_on_channel(&self, channel: &str, line: &str, op: &str) -> bool {
        match self.chans.get(channel) {
            Some(ch) if ch.pool_line.as_deref() == Some(line) => ch
                .operators
                .as_ref()
                .is_none_or(|list| list.iter().any(|o| o == op)),
            _ => true,
        }
    }

    pub(super) fn cap(&self, line: &LineConfig, op: &str) -> Option<u32> {
        let own = self.ops.get(op).and_then(|c| c.max_open);
        match (own, line.max_open_per_operator) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

pub(super) fn load_of(engine: &Engine, op: &str, count: CountTowardCap) -> u32 {
    let Some(v) = engine.operator(op) else {
        return 0;
    };
    match count {
        CountTowardCap::Open => v.load.open,
        CountTowardCap::AwaitingReply => v.load.awaiting_reply,
        CountTowardCap::Unanswered => v.load.unanswered,
    }
}

/// How much a conversation adds to a counter, by its current flags.
pub(super) fn weight(engine: &Engine, conversation: &str, count: CountTowardCap) -> u32 {
    let Some(v) = engine.conversation(conversation) else {
        return 0;
    };
    match count {
        CountTowardCap::Open => 1,
        CountTowardCap::AwaitingReply => u32::from(v.awaiting_reply),
        CountTowardCap::Unanswered => u32::from(!v.answered),
    }
}

/// Whether an operator passes the availability part of eligibility on a line.
pub(super) fn available(engine: &Engine, line: &LineConfig, op: &str) -> bool {
    let Some(v) = engine.operator(op) else {
        return false;
    };
    v.active
        && (!line.check_availability
            || (!v.absent
                && if line.require_workday {
                    v.workday_started
                } else {
                    v.presence == Presence::Online
                }))
}

/// Per operator: active, absent, presence, work day started.
pub(super) type Aspects = BTreeMap<String, (bool, bool, Presence, bool)>;

/// What makes an operator available, to tell whether it changed during a step.
pub(super) fn aspects(engine: &Engine) -> Aspects {
    engine
        .operators()
        .into_iter()
        .filter_map(|o| {
            let v = engine.operator(o.as_str())?;
            Some((
                o.to_string(),
                (v.active, v.absent, v.presence, v.workday_started),
            ))
        })
        .collect()
}

pub(super) fn conv_of(d: &Decision) -> Option<&str> {
    match &d.kind {
        DecisionKind::Assigned { conversation, .. }
        | DecisionKind::Offered { conversation, .. }
        | DecisionKind::OfferWithdrawn { conversation, .. }
        | DecisionKind::Unassigned { conversation, .. }
        | DecisionKind::Queued { conversation, .. }
        | DecisionKind::Closed { conversation, .. }
        | DecisionKind::BotAssigned { conversation, .. }
        | DecisionKind::BotLeft { conversation, .. }
        | DecisionKind::Completed { conversation, .. } => Some(conversation.as_str()),
        _ => None,
    }
}

/// Whether a later decision of the same step mentions the conversation.
pub(super) fn mentioned_after(ds: &[Decision], i: usize, conversation: &str) -> bool {
    ds[i + 1..].iter().any(|d| conv_of(d) == Some(conversation))
}

pub(super) fn deadline(at: DateTime<Utc>, line: &LineConfig) -> Option<DateTime<Utc>> {
    line.offer_timeout_secs
        .and_then(|s| at.checked_add_signed(TimeDelta::seconds(i64::from(s))))
}
