//! The order of the contact-centre queue and its panel (DESIGN §7): priorities with VIP and
//! aging, a waiting conversation's urgency, handling times and the estimated wait, the line's
//! counts by kind and its callback orders — each answered from scratch when asked.

use super::*;
use std::cmp::Ordering;

/// Where a request kind's handling times are kept.
fn kind_slot(kind: Request) -> usize {
    match kind {
        Request::Text => 0,
        Request::Call => 1,
        Request::Callback => 2,
    }
}

impl Model {
    /// A conversation's base priority on its line: the priority of the line's first rule whose
    /// keys all match (request kind, the channel's kind, the channel), else 0, plus the line's
    /// `vip` when its client is VIP.
    pub(super) fn base_priority(&self, c: usize) -> i64 {
        let conv = &self.conversations[c];
        let Some(p) = &self.line_of(c).priority else {
            return 0;
        };
        let kind = self
            .channel(&conv.channel)
            .and_then(|ch| ch.kind.as_deref());
        let rule = p.rules.iter().find(|r| {
            r.request.is_none_or(|k| k == conv.request)
                && r.channel_kind.as_deref().is_none_or(|k| Some(k) == kind)
                && r.channel
                    .as_ref()
                    .is_none_or(|ch| ch.as_str() == conv.channel)
        });
        let vip = self.client(&conv.client).is_some_and(|cl| cl.vip);
        rule.map_or(0, |r| r.priority) + if vip { p.vip.unwrap_or(0) } else { 0 }
    }

    /// A waiting conversation's effective priority at the clock, exactly, as a fraction
    /// (numerator, denominator): its base plus one point for every `aging_secs` it has waited.
    pub(super) fn effective_priority(&self, c: usize) -> (i128, i128) {
        let base = i128::from(self.base_priority(c));
        let now = self.now_();
        let since = self.conversations[c].wait.map_or(now, |w| w.0);
        match self.line_of(c).priority.as_ref().and_then(|p| p.aging_secs) {
            None => (base, 1),
            Some(n) => {
                let n = i128::from(n);
                (base * n + i128::from((now - since).num_seconds()), n)
            }
        }
    }

    /// Which of two waiting conversations is more urgent (`Less`: `a`): the higher effective
    /// priority, then the earlier start of the wait, then the earlier wait.
    pub(super) fn urgency(&self, a: usize, b: usize) -> Ordering {
        let (pa, na) = self.effective_priority(a);
        let (pb, nb) = self.effective_priority(b);
        let (wa, wb) = (self.conversations[a].wait, self.conversations[b].wait);
        (pb * na).cmp(&(pa * nb)).then(wa.cmp(&wb))
    }

    pub(super) fn more_urgent(&self, a: usize, b: usize) -> bool {
        self.urgency(a, b) == Ordering::Less
    }

    /// Waiting conversations (of the lines `on` picks), most urgent first.
    pub(super) fn by_urgency(&self, on: impl Fn(&str) -> bool) -> Vec<usize> {
        let mut w: Vec<usize> = (0..self.conversations.len())
            .filter(|&i| {
                let conv = &self.conversations[i];
                on(&conv.line) && matches!(conv.at, Where::Waiting { .. })
            })
            .collect();
        w.sort_by(|&a, &b| self.urgency(a, b));
        w
    }

    // ---- handling times and the estimated wait ---------------------------------------------

    /// The session closes: its handling time, if it was ever placed, joins its line's last 50
    /// of its kind.
    pub(super) fn record_handling(&mut self, c: usize) {
        let Some(placed) = self.conversations[c].placed_at.take() else {
            return;
        };
        let secs = (self.now_() - placed).num_seconds();
        let slot = kind_slot(self.conversations[c].request);
        let line = self.conversations[c].line.clone();
        if let Some(l) = self.lines.iter_mut().find(|l| l.cfg.line.as_str() == line) {
            let times = &mut l.handled[slot];
            times.push(secs);
            if times.len() > 50 {
                times.remove(0);
            }
        }
    }

    /// How many conversations of a kind the line's members available now can hold at once:
    /// one call each; for texts each one's cap (their own and the line's, the smaller), 1
    /// where there is none.
    fn capacity(&self, line: &LineConfig, kind: Request) -> i128 {
        let mut total = 0;
        for m in self.members(line) {
            if !self.available_on(&m, line) {
                continue;
            }
            let own = self.op(&m).and_then(|o| o.max_open);
            let cap = match (own, line.max_open_per_operator) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            total += match kind {
                Request::Text => i128::from(cap.unwrap_or(1)),
                _ => 1,
            };
        }
        total
    }

    /// ⌈position × mean handling time ÷ capacity⌉ for the kind on the line: `None` until ten
    /// of the kind have closed there, or while the capacity is 0.
    fn estimate(&self, line: &Line, kind: Request, position: usize) -> Option<u64> {
        let times = &line.handled[kind_slot(kind)];
        let capacity = self.capacity(&line.cfg, kind);
        if times.len() < 10 || capacity == 0 {
            return None;
        }
        let sum: i128 = times.iter().map(|&t| i128::from(t)).sum();
        let num = position as i128 * sum;
        let den = times.len() as i128 * capacity;
        u64::try_from((num + den - 1).div_euclid(den)).ok()
    }

    // ---- the panel -------------------------------------------------------------------------

    /// A line's waiting queue as the panel shows it, in its order.
    pub fn waiting_entries(&self, line: &str) -> Vec<WaitingSummary> {
        let Some(l) = self.line_rec(line) else {
            return Vec::new();
        };
        let queue = self.by_urgency(|x| x == line);
        let mut out = Vec::new();
        for (i, c) in queue.into_iter().enumerate() {
            let conv = &self.conversations[c];
            let since = conv.wait.expect("a waiting conversation waits").0;
            let (num, den) = self.effective_priority(c);
            out.push(WaitingSummary {
                conversation: conv.id.clone(),
                client: conv.client.clone(),
                channel: conv.channel.clone(),
                since,
                waited_secs: (self.now_() - since).num_seconds().max(0),
                position: i + 1,
                request: conv.request,
                vip: self.client(&conv.client).is_some_and(|cl| cl.vip),
                priority: i64::try_from(num.div_euclid(den)).expect("within range"),
                estimated_wait_secs: self.estimate(l, conv.request, i + 1),
            });
        }
        out
    }

    /// A line's waiting conversations by kind (texts, calls, callbacks) and its scheduled
    /// callback orders.
    pub(super) fn kind_counts(&self, line: &str) -> [u32; 4] {
        let mut n = [0; 4];
        for c in self.conversations.iter().filter(|c| c.line == line) {
            match c.at {
                Where::Waiting { .. } => n[kind_slot(c.request)] += 1,
                Where::Scheduled { .. } => n[3] += 1,
                _ => {}
            }
        }
        n
    }

    /// A line's open callback orders grouped by channel (in order of the channel's id), each
    /// group by due time, then first mention.
    pub fn callback_orders(&self, line: &str) -> Vec<(String, Vec<OrderSummary>)> {
        let Some(l) = self.line(line) else {
            return Vec::new();
        };
        let max_attempts = l.callback.unwrap_or_default().max_attempts;
        let mut orders: Vec<(DateTime<Utc>, usize, OrderSummary)> = Vec::new();
        for (i, c) in self.conversations.iter().enumerate() {
            let Some((attempt, due_at)) = c.order else {
                continue;
            };
            if c.line != line || c.at == Where::Closed || c.request != Request::Callback {
                continue;
            }
            let summary = self.conversation_summary(&c.id).expect("known");
            orders.push((
                due_at,
                i,
                OrderSummary {
                    conversation: c.id.clone(),
                    client: c.client.clone(),
                    due_at,
                    attempt,
                    max_attempts,
                    state: summary.state,
                    operator: summary.operator,
                },
            ));
        }
        orders.sort_by_key(|o| (o.0, o.1));
        let mut out: Vec<(String, Vec<OrderSummary>)> = Vec::new();
        for (_, i, o) in orders {
            let channel = &self.conversations[i].channel;
            match out.iter_mut().find(|(ch, _)| ch == channel) {
                Some((_, group)) => group.push(o),
                None => out.push((channel.clone(), vec![o])),
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}
