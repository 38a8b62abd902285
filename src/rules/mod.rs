//! Rule lists for incoming and changed conversations (DESIGN §6, Omnidesk's support-line
//! rules): engine-wide, replaced whole by `set_rules`, run once per input for the conversation
//! the input is about — never for the engine's own changes, and never for the effects of
//! rules, so that a rule cannot trigger another pass and tick cadence still does not matter.
//!
//! The lists are indexed by event, so that an input looks only at the rules that can match it,
//! and evaluating a rule that does not match allocates nothing.

mod actions;
mod conditions;

use std::collections::BTreeSet;

use conditions::{Cond, Ctx};

use crate::model::ids::{ConvIdx, LineIdx, OpIdx};
use crate::state::{Core, State};
use crate::wire::decision::DecisionKind;
use crate::wire::error::Error;
use crate::wire::ids::LineId;
use crate::wire::rules::{
    Action, Conditions, MAX_RULES_PER_LIST, Rule, RuleEvent, RuleList, RuleLists, Status,
};

/// What a rule does, resolved to indices.
#[derive(Clone, Debug)]
enum Act {
    Assign(OpIdx),
    AssignResponsible,
    Route(Option<LineIdx>),
    Status(Status),
    Complete,
    Close,
    Stop,
}

/// A rule, resolved.
#[derive(Clone, Debug)]
struct Compiled {
    name: Box<str>,
    when: Cond,
    /// `None` when absent or with no key: it blocks nothing.
    unless: Option<Cond>,
    then: Vec<Act>,
}

/// The engine's rule lists: as the host gave them (for snapshots), and resolved and indexed
/// by event.
#[derive(Clone, Debug, Default)]
pub(crate) struct Rules {
    given: RuleLists,
    lists: [Vec<Compiled>; 2],
    /// For each list and event, the positions of the rules that can match it, in order.
    by_event: [[Vec<u16>; RuleEvent::ALL.len()]; 2],
}

/// What an input is, for the rule lists: the list and event, who wrote, took or accepted, and
/// whether it re-activated a completed conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Trigger {
    pub(crate) conv: ConvIdx,
    pub(crate) list: RuleList,
    pub(crate) event: RuleEvent,
    pub(crate) author: Option<OpIdx>,
    pub(crate) reactivated: bool,
}

/// What comes after an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Next,
    /// No further rule of this list (the rest of this rule's actions still run).
    StopList,
    /// Nothing further at all (the conversation closed).
    StopAll,
}

fn list_index(list: RuleList) -> usize {
    match list {
        RuleList::Incoming => 0,
        RuleList::Changed => 1,
    }
}

fn event_index(event: RuleEvent) -> usize {
    RuleEvent::ALL
        .iter()
        .position(|&e| e == event)
        .expect("RuleEvent::ALL lists every event")
}

/// Every line a rule names, in a condition or an action.
fn lines_named(rule: &Rule) -> impl Iterator<Item = &LineId> {
    let conds = std::iter::once(&rule.when).chain(&rule.unless);
    conds
        .flat_map(|c| c.line.iter().flatten())
        .chain(rule.then.iter().filter_map(|a| match a {
            Action::Route { line } => line.as_ref(),
            _ => None,
        }))
}

impl Rules {
    /// The lists as the host gave them.
    pub(crate) fn given(&self) -> &RuleLists {
        &self.given
    }

    /// The first rule that names line `l`.
    pub(crate) fn naming(&self, line: &LineId) -> Option<&str> {
        let all = self.given.incoming.iter().chain(&self.given.changed);
        all.into_iter()
            .find(|r| lines_named(r).any(|l| l == line))
            .map(|r| r.name.as_str())
    }
}

/// Checks rule lists before they replace the engine's, changing nothing.
pub(crate) fn validate(core: &Core, lists: &RuleLists) -> Result<(), Error> {
    let mut names = BTreeSet::new();
    for (list, rules) in [
        (RuleList::Incoming, &lists.incoming),
        (RuleList::Changed, &lists.changed),
    ] {
        if rules.len() > MAX_RULES_PER_LIST {
            return Err(Error::TooManyRules {
                list,
                count: rules.len(),
            });
        }
        for rule in rules {
            if rule.name.is_empty() {
                return Err(Error::EmptyRuleName);
            }
            if !names.insert(rule.name.as_str()) {
                return Err(Error::DuplicateRuleName(rule.name.clone()));
            }
            if rule.then.is_empty() {
                return Err(Error::EmptyRule(rule.name.clone()));
            }
            if let Some(line) =
                lines_named(rule).find(|l| core.facts.line_idx(l.as_str()).is_none())
            {
                return Err(Error::RuleNamesUnknownLine {
                    rule: rule.name.clone(),
                    line: line.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Resolves validated rule lists, interning the operators and groups they name (which may not
/// exist yet, as in a line's queue).
pub(crate) fn compile(core: &mut Core, lists: RuleLists) -> Rules {
    let mut compiled: [Vec<Compiled>; 2] = Default::default();
    let mut by_event: [[Vec<u16>; RuleEvent::ALL.len()]; 2] = Default::default();
    for (list, rules) in [(0, &lists.incoming), (1, &lists.changed)] {
        for (i, rule) in rules.iter().enumerate() {
            let when = Cond::compile(core, &rule.when, true);
            let unless = rule
                .unless
                .as_ref()
                .filter(|u| **u != Conditions::default())
                .map(|u| Cond::compile(core, u, false));
            let then = rule.then.iter().map(|a| act(core, a)).collect();
            for (e, event) in RuleEvent::ALL.iter().enumerate() {
                if rule.when.event.as_ref().is_none_or(|es| es.contains(event)) {
                    // At most 256 rules a list (validated): the position fits.
                    by_event[list][e].push(i as u16);
                }
            }
            compiled[list].push(Compiled {
                name: rule.name.as_str().into(),
                when,
                unless,
                then,
            });
        }
    }
    Rules {
        given: lists,
        lists: compiled,
        by_event,
    }
}

fn act(core: &mut Core, action: &Action) -> Act {
    match action {
        Action::Assign { operator } => Act::Assign(core.intern_op(operator)),
        Action::AssignResponsible => Act::AssignResponsible,
        Action::Route { line } => Act::Route(line.as_ref().map(|l| {
            core.facts
                .line_idx(l.as_str())
                .expect("validated: a rule's line exists")
        })),
        Action::Status { status } => Act::Status(*status),
        Action::Complete => Act::Complete,
        Action::Close => Act::Close,
        Action::Stop => Act::Stop,
    }
}

impl State {
    /// Replaces the rule lists.
    pub(crate) fn set_rules(&mut self, lists: RuleLists) {
        self.rules = compile(&mut self.core, lists);
    }

    /// Runs the list a trigger names, top to bottom: each rule whose conditions hold is
    /// announced (`rule_applied`) and its actions take effect at once, in order.
    pub(crate) fn run_rules(&mut self, t: Trigger) {
        let (list, event) = (list_index(t.list), event_index(t.event));
        let candidates = self.rules.by_event[list][event].len();
        let mut next = 0;
        while next < candidates {
            // The lists do not change while they run: no action sets rules. What the
            // conditions read is gathered once, up to the next rule that fires.
            let hit = {
                let ctx = Ctx::new(&self.core, t);
                let rules = &self.rules;
                (next..candidates).find(|&k| {
                    let rule = &rules.lists[list][usize::from(rules.by_event[list][event][k])];
                    rule.when.holds(&ctx) && !rule.unless.as_ref().is_some_and(|u| u.holds(&ctx))
                })
            };
            let Some(k) = hit else { return };
            next = k + 1;
            let i = usize::from(self.rules.by_event[list][event][k]);
            self.core.emit(DecisionKind::RuleApplied {
                conversation: self.core.facts.conv_name(t.conv),
                list: t.list,
                rule: self.rules.lists[list][i].name.to_string(),
            });
            let mut flow = Flow::Next;
            for a in 0..self.rules.lists[list][i].then.len() {
                let action = self.rules.lists[list][i].then[a].clone();
                match self.act(t.conv, action) {
                    Flow::Next => {}
                    Flow::StopList => flow = Flow::StopList,
                    Flow::StopAll => return,
                }
            }
            if flow == Flow::StopList {
                return;
            }
        }
    }
}
