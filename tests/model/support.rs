//! Support lines (DESIGN §6): a conversation's status, completed sessions, the responsible,
//! and the rule lists — written from the spec's tables, one key and one action at a time.

use super::*;
use routeline::{Action, Conditions, Rule};

/// What comes after a rule's action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Next,
    /// The rest of this rule's actions run; no later rule of the list does.
    StopList,
    /// Nothing more at all: the conversation closed.
    StopAll,
}

/// The input a rule list runs for, as the conditions read it.
struct Event<'a> {
    event: RuleEvent,
    author: Option<&'a str>,
    reactivated: bool,
}

/// Every line a rule names, in its conditions or in an action.
fn lines_named(rule: &Rule) -> Vec<&str> {
    let mut out = Vec::new();
    for conds in std::iter::once(&rule.when).chain(rule.unless.iter()) {
        for l in conds.line.iter().flatten() {
            out.push(l.as_str());
        }
    }
    for a in &rule.then {
        if let Action::Route { line: Some(l) } = a {
            out.push(l.as_str());
        }
    }
    out
}

/// A list key: absent holds; given, it holds when one of its values does (never when empty).
fn any_of<T>(key: &Option<Vec<T>>, holds: impl Fn(&T) -> bool) -> bool {
    key.as_ref().is_none_or(|values| values.iter().any(holds))
}

impl Model {
    /// Sets a conversation's status, saying so when it changes.
    pub(super) fn set_status(&mut self, c: usize, status: Status) {
        if self.conversations[c].status != status {
            self.conversations[c].status = status;
            self.emit(DecisionKind::StatusChanged {
                conversation: self.cid(c),
                status,
            });
        }
    }

    /// `completed`, with the conversation's line and responsible as they stand.
    fn say_completed(&mut self, c: usize) {
        let conv = &self.conversations[c];
        let responsible = conv.responsible.as_ref().map(|o| o.as_str().into());
        self.emit(DecisionKind::Completed {
            conversation: self.cid(c),
            line: self.lid(c),
            responsible,
        });
    }

    /// Completes an active conversation: whoever held it or was offered it (or the bot) loses
    /// it, its clocks stop silently, the status changes if one is given, and `completed` says
    /// where it stands. Who was tried is forgotten: it ends the session.
    pub(super) fn complete(&mut self, c: usize, status: Option<Status>, why: Moved) {
        self.leave_telling(c, None, why);
        let id = self.conversations[c].id.clone();
        let conv = &mut self.conversations[c];
        conv.at = Where::Completed;
        conv.tried.clear();
        conv.wait = None;
        conv.sla = None;
        self.cancel(TimerKind::Sla(id.clone()));
        self.cancel(TimerKind::Unanswered(id.clone()));
        self.cancel(TimerKind::Inactivity(id));
        if let Some(s) = status {
            self.set_status(c, s);
        }
        self.say_completed(c);
    }

    /// A conversation gets another responsible (a rule named one on a completed
    /// conversation, or theirs was removed); a completed one says so.
    pub(super) fn set_responsible(&mut self, c: usize, op: Option<&str>) {
        if self.conversations[c].responsible.as_deref() == op {
            return;
        }
        self.conversations[c].responsible = op.map(str::to_string);
        if self.conversations[c].at == Where::Completed {
            self.say_completed(c);
        }
    }

    // ---- rule lists ------------------------------------------------------------------------

    /// The first rule (incoming list first) that names the line.
    pub(super) fn rule_naming(&self, line: &str) -> Option<&str> {
        let rules = self.rules.incoming.iter().chain(&self.rules.changed);
        rules
            .into_iter()
            .find(|r| lines_named(r).contains(&line))
            .map(|r| r.name.as_str())
    }

    /// `set_rules`: at most 256 rules a list, names not empty and unique across both lists,
    /// `then` not empty, every line named exists.
    pub(super) fn check_rules(&self, lists: &RuleLists) -> Result<(), ModelError> {
        let mut names: Vec<&str> = Vec::new();
        for list in [&lists.incoming, &lists.changed] {
            if list.len() > 256 {
                return err("more than 256 rules in a list");
            }
            for rule in list {
                if rule.name.is_empty() {
                    return err("a rule without a name");
                }
                if names.contains(&rule.name.as_str()) {
                    return err(format!("rule {} named twice", rule.name));
                }
                names.push(&rule.name);
                if rule.then.is_empty() {
                    return err(format!("rule {} does nothing", rule.name));
                }
                for l in lines_named(rule) {
                    self.need_line(l)?;
                }
            }
        }
        Ok(())
    }

    /// Whether every key of `conds` holds for the input and the conversation as it stands.
    fn conditions_hold(&self, c: usize, conds: &Conditions, e: &Event<'_>) -> bool {
        let conv = &self.conversations[c];
        let groups_of = |op: Option<&str>| {
            op.and_then(|o| self.op_record(o))
                .map_or(Vec::new(), |o| o.groups.clone())
        };
        let author_groups = groups_of(e.author);
        let responsible = conv.responsible.as_deref();
        let responsible_groups = groups_of(responsible);
        let kind = self.channel(&conv.channel).and_then(|ch| ch.kind.clone());
        let vip = self.client(&conv.client).is_some_and(|cl| cl.vip);
        any_of(&conds.event, |ev| *ev == e.event)
            && any_of(&conds.author, |o| Some(o.as_str()) == e.author)
            && any_of(&conds.author_groups, |g| {
                author_groups.iter().any(|x| x == g.as_str())
            })
            && any_of(&conds.responsible, |o| Some(o.as_str()) == responsible)
            && any_of(&conds.responsible_groups, |g| {
                responsible_groups.iter().any(|x| x == g.as_str())
            })
            && conds
                .has_responsible
                .is_none_or(|h| h == responsible.is_some())
            && any_of(&conds.status, |s| *s == conv.status)
            && conds.reactivated.is_none_or(|r| r == e.reactivated)
            && conds
                .completed
                .is_none_or(|d| d == (conv.at == Where::Completed))
            && any_of(&conds.line, |l| l.as_str() == conv.line)
            && any_of(&conds.channel, |ch| ch.as_str() == conv.channel)
            && any_of(&conds.channel_kind, |k| kind.as_deref() == Some(k.as_str()))
            && conds.vip.is_none_or(|v| v == vip)
    }

    /// Runs a rule list for an input about conversation `c`, top to bottom: every rule whose
    /// `when` holds and whose `unless` does not (an absent or empty one blocks nothing) is
    /// announced, and its actions take effect at once, in order.
    pub(super) fn run_rules(
        &mut self,
        c: usize,
        list: RuleList,
        event: RuleEvent,
        author: Option<&str>,
        reactivated: bool,
    ) {
        let rules = match list {
            RuleList::Incoming => self.rules.incoming.clone(),
            RuleList::Changed => self.rules.changed.clone(),
        };
        let e = Event {
            event,
            author,
            reactivated,
        };
        for rule in rules {
            let blocked = rule
                .unless
                .as_ref()
                .is_some_and(|u| *u != Conditions::default() && self.conditions_hold(c, u, &e));
            if !self.conditions_hold(c, &rule.when, &e) || blocked {
                continue;
            }
            self.emit(DecisionKind::RuleApplied {
                conversation: self.cid(c),
                list,
                rule: rule.name.clone(),
            });
            let mut stop = false;
            for action in &rule.then {
                match self.rule_action(c, action) {
                    Flow::Next => {}
                    Flow::StopList => stop = true,
                    Flow::StopAll => return,
                }
            }
            if stop {
                return;
            }
        }
    }

    /// One action of a rule, on an active or a completed conversation.
    fn rule_action(&mut self, c: usize, action: &Action) -> Flow {
        let completed = self.conversations[c].at == Where::Completed;
        match action {
            Action::Assign { operator } => {
                let op = operator.as_str();
                // An operator who does not exist or is inactive: nothing.
                if !self.op(op).is_some_and(|o| o.active) {
                    return Flow::Next;
                }
                if completed {
                    // Nothing is placed, and it is not the client's last operator.
                    self.set_responsible(c, Some(op));
                    return Flow::Next;
                }
                match &self.conversations[c].at {
                    // Their own: final now (said so), or already final (silently).
                    Where::Assigned { op: holder, .. } if holder == op => {
                        self.finalize(c, AssignReason::Rule)
                    }
                    _ => self.give_to(c, op, AssignReason::Rule, Moved::RULE),
                }
            }
            Action::AssignResponsible => {
                let Some(r) = self.conversations[c].responsible.clone() else {
                    return Flow::Next;
                };
                let holds =
                    matches!(&self.conversations[c].at, Where::Assigned { op, .. } if *op == r);
                if completed || holds || !self.ready_for(c, &r) {
                    return Flow::Next;
                }
                // As a routed assignment would be, with its answer deadline (working hours
                // are not asked).
                self.leave_telling(c, Some(&r), Moved::RULE);
                self.assign(c, &r, AssignReason::Rule, false);
            }
            Action::Route { line } => {
                let l = match line {
                    Some(l) => l.as_str().to_string(),
                    None => self.conversations[c].line.clone(),
                };
                if !completed {
                    self.move_to_line(c, &l, Moved::RULE);
                } else if l != self.conversations[c].line {
                    // Recorded: it is routed there when re-activated.
                    self.conversations[c].line = l;
                    self.say_completed(c);
                }
            }
            Action::Status { status } => self.set_status(c, *status),
            Action::Complete => {
                if !completed {
                    self.complete(c, None, Moved::RULE);
                }
            }
            Action::Close => {
                self.close(c, CloseReason::Rule);
                return Flow::StopAll;
            }
            Action::Stop => return Flow::StopList,
        }
        Flow::Next
    }
}
