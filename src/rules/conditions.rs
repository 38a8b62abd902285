//! A rule's conditions, resolved to indices, and what makes them hold.

use super::Trigger;
use crate::model::Facts;
use crate::model::conversation::Place;
use crate::model::ids::{GroupIdx, LineIdx, OpIdx};
use crate::state::Core;
use crate::wire::ids::{ChannelId, GroupId, OperatorId};
use crate::wire::rules::{Conditions, RuleEvent, Status};

/// One key of a rule's conditions, resolved. A list holds when any of its values does (an
/// empty one never).
#[derive(Clone, Debug)]
enum Check {
    Event(Vec<RuleEvent>),
    Author(Vec<OpIdx>),
    AuthorGroups(Vec<GroupIdx>),
    Responsible(Vec<OpIdx>),
    ResponsibleGroups(Vec<GroupIdx>),
    HasResponsible(bool),
    Status(Vec<Status>),
    Reactivated(bool),
    Completed(bool),
    Line(Vec<LineIdx>),
    Channel(Vec<ChannelId>),
    ChannelKind(Vec<String>),
    Vip(bool),
}

/// Conditions as the keys that were given, in the order of DESIGN §6's table: a rule that
/// does not match costs only the keys it names, up to the first that fails (the rule lists
/// are read by every input about a conversation).
#[derive(Clone, Debug, Default)]
pub(super) struct Cond(Vec<Check>);

impl Cond {
    /// Resolves `c`. With `skip_event`, the `event` key is left out: the lists are indexed by
    /// event, so a `when` is only ever asked about an event it names.
    pub(super) fn compile(core: &mut Core, c: &Conditions, skip_event: bool) -> Self {
        let ops =
            |core: &mut Core, ids: &[OperatorId]| ids.iter().map(|id| core.intern_op(id)).collect();
        let groups =
            |core: &mut Core, ids: &[GroupId]| ids.iter().map(|id| core.intern_group(id)).collect();
        let mut checks = Vec::new();
        if let (Some(es), false) = (&c.event, skip_event) {
            checks.push(Check::Event(es.clone()));
        }
        if let Some(os) = &c.author {
            checks.push(Check::Author(ops(core, os)));
        }
        if let Some(gs) = &c.author_groups {
            checks.push(Check::AuthorGroups(groups(core, gs)));
        }
        if let Some(os) = &c.responsible {
            checks.push(Check::Responsible(ops(core, os)));
        }
        if let Some(gs) = &c.responsible_groups {
            checks.push(Check::ResponsibleGroups(groups(core, gs)));
        }
        if let Some(h) = c.has_responsible {
            checks.push(Check::HasResponsible(h));
        }
        if let Some(ss) = &c.status {
            checks.push(Check::Status(ss.clone()));
        }
        if let Some(r) = c.reactivated {
            checks.push(Check::Reactivated(r));
        }
        if let Some(d) = c.completed {
            checks.push(Check::Completed(d));
        }
        if let Some(ls) = &c.line {
            let ls = ls.iter().map(|l| {
                core.facts
                    .line_idx(l.as_str())
                    .expect("validated: a rule's line exists")
            });
            checks.push(Check::Line(ls.collect()));
        }
        if let Some(cs) = &c.channel {
            checks.push(Check::Channel(cs.clone()));
        }
        if let Some(ks) = &c.channel_kind {
            checks.push(Check::ChannelKind(ks.clone()));
        }
        if let Some(v) = c.vip {
            checks.push(Check::Vip(v));
        }
        Self(checks)
    }

    /// Whether every key holds for the input and its conversation as `ctx` shows them.
    pub(super) fn holds(&self, ctx: &Ctx<'_>) -> bool {
        self.0.iter().all(|check| check.holds(ctx))
    }
}

/// What the conditions read: the input, and its conversation as it stands — gathered once
/// and read by every rule up to the next one that fires (whose actions change it).
pub(super) struct Ctx<'a> {
    facts: &'a Facts,
    t: Trigger,
    responsible: Option<OpIdx>,
    status: Status,
    completed: bool,
    line: LineIdx,
    channel: &'a str,
    channel_kind: Option<&'a str>,
    vip: bool,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(core: &'a Core, t: Trigger) -> Self {
        let facts = &core.facts;
        let conv = &facts.convs[t.conv];
        Ctx {
            facts,
            t,
            responsible: conv.responsible,
            status: conv.status,
            completed: conv.place == Place::Completed,
            line: conv.line,
            channel: facts.chan_ids.name(conv.channel).as_str(),
            channel_kind: facts.chans[conv.channel].kind.as_deref(),
            vip: facts.clients[conv.client].vip,
        }
    }

    fn in_groups(&self, o: Option<OpIdx>, groups: &[GroupIdx]) -> bool {
        o.is_some_and(|o| self.facts.ops[o].groups.iter().any(|g| groups.contains(g)))
    }
}

impl Check {
    fn holds(&self, ctx: &Ctx<'_>) -> bool {
        match self {
            Check::Event(es) => es.contains(&ctx.t.event),
            Check::Author(os) => ctx.t.author.is_some_and(|a| os.contains(&a)),
            Check::AuthorGroups(gs) => ctx.in_groups(ctx.t.author, gs),
            Check::Responsible(os) => ctx.responsible.is_some_and(|r| os.contains(&r)),
            Check::ResponsibleGroups(gs) => ctx.in_groups(ctx.responsible, gs),
            Check::HasResponsible(h) => ctx.responsible.is_some() == *h,
            Check::Status(ss) => ss.contains(&ctx.status),
            Check::Reactivated(r) => ctx.t.reactivated == *r,
            Check::Completed(d) => ctx.completed == *d,
            Check::Line(ls) => ls.contains(&ctx.line),
            Check::Channel(cs) => cs.iter().any(|c| c.as_str() == ctx.channel),
            Check::ChannelKind(ks) => ctx.channel_kind.is_some_and(|k| ks.iter().any(|x| x == k)),
            Check::Vip(v) => ctx.vip == *v,
        }
    }
}
