//! A rule's conditions, resolved to indices, and what makes them hold.

use super::Trigger;
use crate::model::conversation::Place;
use crate::model::ids::{GroupIdx, LineIdx, OpIdx};
use crate::state::Core;
use crate::wire::ids::ChannelId;
use crate::wire::rules::{Conditions, RuleEvent, Status};

/// Conditions with their operators and groups interned. A key left out is `None` and holds;
/// a list holds when any of its values does (an empty one never).
#[derive(Clone, Debug, Default)]
pub(super) struct Cond {
    event: Option<Vec<RuleEvent>>,
    author: Option<Vec<OpIdx>>,
    author_groups: Option<Vec<GroupIdx>>,
    responsible: Option<Vec<OpIdx>>,
    responsible_groups: Option<Vec<GroupIdx>>,
    has_responsible: Option<bool>,
    status: Option<Vec<Status>>,
    reactivated: Option<bool>,
    completed: Option<bool>,
    line: Option<Vec<LineIdx>>,
    channel: Option<Vec<ChannelId>>,
    channel_kind: Option<Vec<String>>,
    vip: Option<bool>,
}

/// Whether a key holds: left out, it does; given, `test` decides.
fn key<T>(given: &Option<T>, test: impl FnOnce(&T) -> bool) -> bool {
    given.as_ref().is_none_or(test)
}

impl Cond {
    pub(super) fn compile(core: &mut Core, c: &Conditions) -> Self {
        let ops = |core: &mut Core, ids: &Option<Vec<crate::wire::ids::OperatorId>>| {
            ids.as_ref()
                .map(|ids| ids.iter().map(|id| core.intern_op(id)).collect())
        };
        let groups = |core: &mut Core, ids: &Option<Vec<crate::wire::ids::GroupId>>| {
            ids.as_ref()
                .map(|ids| ids.iter().map(|id| core.intern_group(id)).collect())
        };
        Self {
            event: c.event.clone(),
            author: ops(core, &c.author),
            author_groups: groups(core, &c.author_groups),
            responsible: ops(core, &c.responsible),
            responsible_groups: groups(core, &c.responsible_groups),
            has_responsible: c.has_responsible,
            status: c.status.clone(),
            reactivated: c.reactivated,
            completed: c.completed,
            line: c.line.as_ref().map(|ls| {
                ls.iter()
                    .map(|l| {
                        core.facts
                            .line_idx(l.as_str())
                            .expect("validated: a rule's line exists")
                    })
                    .collect()
            }),
            channel: c.channel.clone(),
            channel_kind: c.channel_kind.clone(),
            vip: c.vip,
        }
    }

    /// Whether every key holds for the input `t` about its conversation, as it is now.
    pub(super) fn holds(&self, core: &Core, t: &Trigger) -> bool {
        let facts = &core.facts;
        let conv = &facts.convs[t.conv];
        let in_groups = |o: Option<OpIdx>, groups: &Vec<GroupIdx>| {
            o.is_some_and(|o| facts.ops[o].groups.iter().any(|g| groups.contains(g)))
        };
        key(&self.event, |es| es.contains(&t.event))
            && key(&self.author, |os| t.author.is_some_and(|a| os.contains(&a)))
            && key(&self.author_groups, |gs| in_groups(t.author, gs))
            && key(&self.responsible, |os| {
                conv.responsible.is_some_and(|r| os.contains(&r))
            })
            && key(&self.responsible_groups, |gs| in_groups(conv.responsible, gs))
            && key(&self.has_responsible, |&h| conv.responsible.is_some() == h)
            && key(&self.status, |ss| ss.contains(&conv.status))
            && key(&self.reactivated, |&r| t.reactivated == r)
            && key(&self.completed, |&c| (conv.place == Place::Completed) == c)
            && key(&self.line, |ls| ls.contains(&conv.line))
            && key(&self.channel, |cs| {
                cs.iter().any(|c| c == facts.chan_ids.name(conv.channel))
            })
            && key(&self.channel_kind, |ks| {
                facts.chans[conv.channel]
                    .kind
                    .as_ref()
                    .is_some_and(|k| ks.contains(k))
            })
            && key(&self.vip, |&v| facts.clients[conv.client].vip == v)
    }
}
