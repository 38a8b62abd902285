//! Checks of every automatic placement (invariants 2, 3, 6, answer deadlines) and of work
//! conservation (invariant 4), from outside.

use super::*;

impl Harness {
    /// The load an operator had right after decision `i`, or less: the load at the end of the
    /// step minus what later assignments still in effect added.
    pub(super) fn load_after(
        &self,
        ds: &[Decision],
        i: usize,
        op: &str,
        count: CountTowardCap,
    ) -> u32 {
        let mut load = load_of(&self.engine, op, count);
        for (j, d) in ds.iter().enumerate().skip(i + 1) {
            if let DecisionKind::Assigned {
                conversation,
                operator,
                ..
            } = &d.kind
            {
                let held = self
                    .engine
                    .conversation(conversation.as_str())
                    .is_some_and(|v| v.operator.as_ref().map(|o| o.as_str()) == Some(op));
                if operator.as_str() == op && held && !mentioned_after(ds, j, conversation.as_str())
                {
                    load = load.saturating_sub(weight(&self.engine, conversation.as_str(), count));
                }
            }
        }
        load
    }

    /// Eligibility (inv 3) and cap (inv 2) of an automatic placement at decision `i`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn check_placement(
        &self,
        ds: &[Decision],
        i: usize,
        what: &str,
        line_id: &str,
        line: &LineConfig,
        channel: &str,
        op: &str,
        room_needed: bool,
        availability_changed: bool,
    ) -> Result<(), String> {
        if !self.shadow.member(line, op) {
            return Err(format!(
                "inv 3: {what} to {op}, who is not a member of line {line_id}"
            ));
        }
        if !self.shadow.allowed_on_channel(channel, line_id, op) {
            return Err(format!(
                "inv 3: {what} to {op}, who is not allowed on channel {channel}"
            ));
        }
        if !availability_changed && !available(&self.engine, line, op) {
            return Err(format!(
                "inv 3: {what} to {op}, who is not available: {:?}",
                self.engine.operator(op)
            ));
        }
        if let Some(cap) = self.shadow.cap(line, op) {
            let load = self.load_after(ds, i, op, line.count_toward_cap);
            let over = if room_needed { load >= cap } else { load > cap };
            if over {
                return Err(format!(
                    "inv 2: {what} to {op}: {:?} load {load} vs cap {cap} ({:?})",
                    line.count_toward_cap,
                    self.engine.operator(op).map(|v| v.load)
                ));
            }
        }
        Ok(())
    }

    pub(super) fn check_routing(
        &self,
        ds: &[Decision],
        changed: &dyn Fn(&str) -> bool,
        again: &BTreeSet<usize>,
    ) -> Result<(), String> {
        for (i, d) in ds.iter().enumerate() {
            if again.contains(&i) {
                // The same place named again — made final, or its answer clock started when
                // the client wrote: no new placement to check, only the new deadline.
                let told = match &d.kind {
                    DecisionKind::Assigned {
                        line,
                        answer_by: Some(by),
                        ..
                    } => Some((line, by)),
                    DecisionKind::Offered {
                        line,
                        expires_at: Some(by),
                        ..
                    } => Some((line, by)),
                    _ => None,
                };
                if let Some((line, by)) = told {
                    let cfg = self.shadow.lines.get(line.as_str());
                    let expected = cfg.and_then(|cfg| deadline(d.at, cfg));
                    if expected != Some(*by) {
                        return Err(format!(
                            "the answer clock of {} started at {} for {by}, expected {expected:?}",
                            conv_of(d).unwrap_or_default(),
                            d.at
                        ));
                    }
                }
                continue;
            }
            match &d.kind {
                DecisionKind::Assigned {
                    conversation,
                    line,
                    operator,
                    reason,
                    answer_by,
                } => {
                    let what = format!("assigned {conversation} ({reason:?})");
                    let conv = self
                        .engine
                        .conversation(conversation.as_str())
                        .ok_or_else(|| format!("{what}: unknown conversation"))?;
                    let cfg = self
                        .shadow
                        .lines
                        .get(line.as_str())
                        .ok_or_else(|| format!("{what}: on unknown line {line}"))?;
                    let pinned = self.engine.pinned_operator(conv.client.as_str());
                    let automatic = matches!(
                        reason,
                        AssignReason::Routed | AssignReason::Pinned | AssignReason::LastOperator
                    );
                    let always = cfg.pinned_policy == PinnedPolicy::Always;
                    // Answer deadlines: an automatic placement has the line's, while the client
                    // awaits a reply (DESIGN §6: no answer clock while nobody awaits an
                    // answer); a manual one is final. A rule's `assign` is final, its
                    // `assign_responsible` is placed as routing would place it.
                    let clock = if conv.awaiting_reply {
                        deadline(d.at, cfg)
                    } else {
                        None
                    };
                    let expect_by = match reason {
                        AssignReason::Routed | AssignReason::LastOperator => clock,
                        AssignReason::Pinned if !always => clock,
                        AssignReason::Rule if answer_by.is_some() => clock,
                        _ => None,
                    };
                    if *answer_by != expect_by {
                        return Err(format!(
                            "{what} to {operator}: answer_by {answer_by:?}, expected {expect_by:?}"
                        ));
                    }
                    if automatic && always && pinned.is_some() {
                        let p = pinned.as_ref().map(|p| p.as_str());
                        if p != Some(operator.as_str()) || *reason != AssignReason::Pinned {
                            return Err(format!(
                                "inv 6: {what} to {operator}, but client {} is always-pinned to {p:?}",
                                conv.client
                            ));
                        }
                    }
                    if *reason == AssignReason::Pinned {
                        if pinned.as_ref().map(|p| p.as_str()) != Some(operator.as_str()) {
                            return Err(format!(
                                "{what} to {operator}, but the client's pin is {pinned:?}"
                            ));
                        }
                        if cfg.pinned_policy == PinnedPolicy::Ignore {
                            return Err(format!(
                                "{what} on line {line} whose pinned policy is ignore"
                            ));
                        }
                    }
                    if *reason == AssignReason::LastOperator && !cfg.prefer_last_operator {
                        return Err(format!(
                            "{what} on line {line} without prefer_last_operator"
                        ));
                    }
                    let open = self
                        .engine
                        .line_hours(line.as_str(), d.at)
                        .is_none_or(|h| h.open);
                    if automatic && !open {
                        return Err(format!(
                            "{what} to {operator} at {} while line {line} is closed",
                            d.at
                        ));
                    }
                    if *reason == AssignReason::Routed && cfg.mode == Mode::All {
                        return Err(format!("{what} on line {line} in mode all"));
                    }
                    let in_effect = !mentioned_after(ds, i, conversation.as_str())
                        && conv.operator.as_ref().map(|o| o.as_str()) == Some(operator.as_str());
                    let exempt = *reason == AssignReason::Pinned && always;
                    if automatic && !exempt && in_effect {
                        self.check_placement(
                            ds,
                            i,
                            &what,
                            line.as_str(),
                            cfg,
                            conv.channel.as_str(),
                            operator.as_str(),
                            false,
                            changed(operator.as_str()),
                        )?;
                    }
                }
                DecisionKind::Offered {
                    conversation,
                    line,
                    operators,
                    expires_at,
                } => {
                    let what = format!("offered {conversation}");
                    let conv = self
                        .engine
                        .conversation(conversation.as_str())
                        .ok_or_else(|| format!("{what}: unknown conversation"))?;
                    let cfg = self
                        .shadow
                        .lines
                        .get(line.as_str())
                        .ok_or_else(|| format!("{what}: on unknown line {line}"))?;
                    if cfg.mode != Mode::All {
                        return Err(format!("{what} on line {line} in mode {:?}", cfg.mode));
                    }
                    if !self
                        .engine
                        .line_hours(line.as_str(), d.at)
                        .is_none_or(|h| h.open)
                    {
                        return Err(format!("{what} at {} while line {line} is closed", d.at));
                    }
                    let clock = if conv.awaiting_reply {
                        deadline(d.at, cfg)
                    } else {
                        None
                    };
                    if *expires_at != clock {
                        return Err(format!("{what}: expires_at {expires_at:?}"));
                    }
                    let distinct: BTreeSet<_> = operators.iter().collect();
                    if operators.is_empty() || distinct.len() != operators.len() {
                        return Err(format!("{what} to {operators:?}"));
                    }
                    if cfg.pinned_policy == PinnedPolicy::Always
                        && self.engine.pinned_operator(conv.client.as_str()).is_some()
                    {
                        return Err(format!(
                            "inv 6: {what} to {operators:?}, but client {} is always-pinned",
                            conv.client
                        ));
                    }
                    let in_effect = !mentioned_after(ds, i, conversation.as_str())
                        && conv.offered_to == *operators;
                    if in_effect {
                        for op in operators {
                            self.check_placement(
                                ds,
                                i,
                                &what,
                                line.as_str(),
                                cfg,
                                conv.channel.as_str(),
                                op.as_str(),
                                true,
                                changed(op.as_str()),
                            )?;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Inv 4, from outside: nothing waits while an eligible member has room for it (except
    /// `requeue`d lines, whose tried operators the queries do not show).
    pub(super) fn check_work_conservation(&self) -> Result<(), String> {
        for (line_id, cfg) in &self.shadow.lines {
            let waiting = self
                .engine
                .waiting(line_id)
                .ok_or_else(|| format!("waiting({line_id}) is None for an existing line"))?;
            let now = self.engine.now().expect("a clock once a line exists");
            if !self.engine.line_hours(line_id, now).is_none_or(|h| h.open) {
                continue;
            }
            for w in waiting {
                let pinned = self.engine.pinned_operator(w.client.as_str());
                if cfg.pinned_policy == PinnedPolicy::Always {
                    if let Some(p) = pinned {
                        if self.engine.operator(p.as_str()).is_some_and(|v| v.active) {
                            return Err(format!(
                                "inv 4: {} waits in {line_id} although its always-pinned operator {p} is active",
                                w.conversation
                            ));
                        }
                        continue;
                    }
                }
                if cfg.on_exhausted == OnExhausted::Requeue {
                    continue;
                }
                for op in self.shadow.ops.keys() {
                    let room = self
                        .shadow
                        .cap(cfg, op)
                        .is_none_or(|cap| load_of(&self.engine, op, cfg.count_toward_cap) < cap);
                    if self.shadow.member(cfg, op)
                        && self
                            .shadow
                            .allowed_on_channel(w.channel.as_str(), line_id, op)
                        && available(&self.engine, cfg, op)
                        && room
                    {
                        return Err(format!(
                            "inv 4: {} waits in {line_id} although {op} is eligible with room",
                            w.conversation
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}
