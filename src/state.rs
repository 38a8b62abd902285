//! The engine's state, owned per concept: the core (clock, stored facts, derived indices, the
//! deadline index and the decisions not yet polled) and the features, each with its own state.
//!
//! Features see the core but never each other: what one needs of another (whether a line is
//! open, say) is passed to it by the lifecycle hooks (`lifecycle.rs`), which are the only way
//! a feature hears about conversation events.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use crate::access::Access;
use crate::features::Features;
use crate::index::timers::Timers;
use crate::index::{GroupIndex, Indices, LineIndex, OpIndex};
use crate::model::Facts;
use crate::model::client::Client;
use crate::model::ids::{ChanIdx, ClientIdx, GroupIdx, LineIdx, OpIdx};
use crate::model::line::Channel;
use crate::model::operator::Operator;
use crate::queue::Queue;
use crate::rules::Rules;
use crate::wire::config::EngineSettings;
use crate::wire::decision::{Decision, DecisionKind};
use crate::wire::ids::{ChannelId, ClientId, GroupId, LineId, OperatorId};

/// The whole engine state.
#[derive(Clone, Debug)]
pub(crate) struct State {
    pub(crate) core: Core,
    pub(crate) features: Features,
    /// The rule lists of support lines (DESIGN §6).
    pub(crate) rules: Rules,
    /// The contact-centre queue's own state (DESIGN §7): callback orders, handling times.
    pub(crate) queue: Queue,
    /// Roles and their permissions (DESIGN §7).
    pub(crate) access: Access,
}

/// Everything but the features: time, facts, indices, deadlines, decisions.
#[derive(Clone, Debug)]
pub(crate) struct Core {
    /// The latest time the engine has seen; `None` before the first input.
    pub(crate) clock: Option<DateTime<Utc>>,
    /// Accepted inputs stamped earlier than the clock.
    pub(crate) past_inputs: u64,
    /// One sequence orders waiting entries, assignments and operator creation.
    pub(crate) seq: u64,
    /// The engine-wide settings.
    pub(crate) settings: EngineSettings,
    pub(crate) facts: Facts,
    pub(crate) idx: Indices,
    pub(crate) timers: Timers,
    /// Decisions not yet polled.
    pub(crate) out: VecDeque<Decision>,
}

impl State {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            core: Core::new(seed),
            features: Features::default(),
            rules: Rules::default(),
            queue: Queue::default(),
            access: Access::default(),
        }
    }
}

impl Core {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            clock: None,
            past_inputs: 0,
            seq: 0,
            settings: EngineSettings::default(),
            facts: Facts::new(seed),
            idx: Indices::default(),
            timers: Timers::default(),
            out: VecDeque::new(),
        }
    }

    /// The engine's clock. Only called while handling an input or a deadline, which set it.
    #[inline]
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock
            .expect("the clock is set before any input or deadline is processed")
    }

    /// `secs` seconds from now; `None` past the end of representable time.
    pub(crate) fn after(&self, secs: u32) -> Option<DateTime<Utc>> {
        self.now()
            .checked_add_signed(chrono::TimeDelta::seconds(i64::from(secs)))
    }

    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub(crate) fn emit(&mut self, kind: DecisionKind) {
        let at = self.now();
        self.out.push_back(Decision { at, kind });
    }

    // ---- interning: a new id gets a record in the facts and one in the indices --------------

    pub(crate) fn intern_op(&mut self, id: &OperatorId) -> OpIdx {
        let slot = self.facts.op_ids.intern(id);
        let i = slot.index();
        if slot.is_new() {
            self.facts.ops.place(i, Operator::new());
            self.idx.ops.place(i, OpIndex::default());
        }
        i
    }

    pub(crate) fn intern_line(&mut self, id: &LineId) -> LineIdx {
        let slot = self.facts.line_ids.intern(id);
        let i = slot.index();
        if slot.is_new() {
            self.facts.lines.place(i, None);
            self.idx.lines.place(i, LineIndex::default());
        }
        i
    }

    pub(crate) fn intern_chan(&mut self, id: &ChannelId) -> ChanIdx {
        let slot = self.facts.chan_ids.intern(id);
        let i = slot.index();
        if slot.is_new() {
            self.facts.chans.place(i, Channel::default());
            self.idx.chans.place(i, Default::default());
        }
        i
    }

    pub(crate) fn intern_group(&mut self, id: &GroupId) -> GroupIdx {
        let slot = self.facts.group_ids.intern(id);
        let i = slot.index();
        if slot.is_new() {
            self.idx.groups.place(i, GroupIndex::default());
        }
        i
    }

    pub(crate) fn intern_client(&mut self, id: &ClientId) -> ClientIdx {
        let slot = self.facts.client_ids.intern(id);
        let i = slot.index();
        if slot.is_new() {
            self.facts.clients.place(i, Client::default());
            self.idx.client_convs.place(i, Vec::new());
        }
        i
    }
}
