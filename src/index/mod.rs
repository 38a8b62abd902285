//! Derived indices: everything the engine keeps to answer routing questions in `O(log n)`,
//! computed from the stored facts (`model/`) and kept in step with them by every move. None of
//! it is in a snapshot: restoring rebuilds it, and the audit rebuilds it again and compares.

pub(crate) mod loads;
pub(crate) mod pools;
pub(crate) mod timers;
pub(crate) mod waiting;

use std::collections::{BTreeMap, BTreeSet};

use loads::Load;
use pools::{Pool, Slot};
use waiting::Bucket;

use crate::model::ids::{BigTable, ChanIdx, ClientIdx, ConvIdx, GroupIdx, LineIdx, OpIdx, Table};
use crate::queue::priority::WaitKey;

/// What is derived about one operator.
#[derive(Clone, Debug, Default)]
pub(crate) struct OpIndex {
    pub(crate) load: Load,
    /// Conversations assigned to them.
    pub(crate) held: BTreeSet<ConvIdx>,
    /// Conversations offered to them (mode `all`).
    pub(crate) offers: BTreeSet<ConvIdx>,
    /// Lines whose queue names this operator directly: (line, entry).
    pub(crate) direct_refs: Vec<(LineIdx, u32)>,
    /// Channels whose operator list names this operator.
    pub(crate) chan_refs: Vec<ChanIdx>,
    /// The pools they belong to, with their key in each.
    pub(crate) slots: Vec<Slot>,
    /// Whether a pool they belong to counts awaiting-reply or unanswered conversations (for a
    /// cap or an order), so that a conversation's flags can move their key.
    pub(crate) flags_matter: bool,
    pub(crate) pinned_clients: BTreeSet<ClientIdx>,
    /// Conversations waiting for this operator as their `always`-pinned one.
    pub(crate) pinned_waiting: BTreeMap<WaitKey, ConvIdx>,
    /// How many calls and callbacks they hold (DESIGN §7: while any, nothing else is routed
    /// to them automatically).
    pub(crate) voice: u32,
}

/// One entry of a line's queue, resolved to indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum QueueRef {
    Op(OpIdx),
    Group(GroupIdx),
}

/// What is derived about one line.
#[derive(Clone, Debug, Default)]
pub(crate) struct LineIndex {
    pub(crate) queue: Vec<QueueRef>,
    pub(crate) pool: Pool,
    /// The line's waiting queue, in order (priority, since, arrival).
    pub(crate) waiting: BTreeMap<WaitKey, ConvIdx>,
    /// How many of those are texts, calls, callbacks (by `Request as usize`).
    pub(crate) waiting_kinds: [u32; 3],
    /// Callback orders scheduled for later.
    pub(crate) scheduled: u32,
    /// Channels connected to the line.
    pub(crate) channels: BTreeSet<ChanIdx>,
    /// Open conversations on the line.
    pub(crate) open: u32,
    /// Unconfirmed assignments and `all`-mode offers.
    pub(crate) offered: u32,
    /// Final assignments.
    pub(crate) assigned: u32,
    /// Conversations with the line's bot.
    pub(crate) with_bot: u32,
    /// Completed conversations on the line.
    pub(crate) completed: u32,
}

/// What is derived about one group.
#[derive(Clone, Debug, Default)]
pub(crate) struct GroupIndex {
    /// Members by creation order.
    pub(crate) members: BTreeSet<(u64, OpIdx)>,
    /// Lines whose queue names the group: (line, entry).
    pub(crate) refs: Vec<(LineIdx, u32)>,
}

/// Every derived index, one table per kind of entity (parallel to the facts' tables).
#[derive(Clone, Debug, Default)]
pub(crate) struct Indices {
    pub(crate) ops: Table<OpIdx, OpIndex>,
    pub(crate) lines: Table<LineIdx, LineIndex>,
    /// The pool of each channel (used while its operator list restricts its line).
    pub(crate) chans: Table<ChanIdx, Pool>,
    pub(crate) groups: Table<GroupIdx, GroupIndex>,
    /// Each client's conversations, in order of first mention.
    pub(crate) client_convs: BigTable<ClientIdx, Vec<ConvIdx>>,
    /// Buckets where capacity may have appeared since the last drain.
    pub(crate) dirty: BTreeSet<Bucket>,
    /// Conversations that came back to their queue behind more urgent ones during this input,
    /// not yet announced: `queued` only if the drain leaves them waiting.
    pub(crate) returning: Vec<ConvIdx>,
}
