//! The stored facts: operators, lines, channels, groups, clients and conversations as the
//! inputs made them, with the interned ids that name them. Nothing here is derived: a
//! snapshot is these facts (plus each feature's own), and every index in `index/` is rebuilt
//! from them.

pub(crate) mod chunked;
pub(crate) mod client;
pub(crate) mod conversation;
pub(crate) mod ids;
pub(crate) mod line;
pub(crate) mod operator;

use client::Client;
use conversation::Conversation;
use ids::{BigTable, ChanIdx, ClientIdx, ConvIdx, GroupIdx, Interner, LineIdx, OpIdx, Table};
use line::{Channel, Line};
use operator::Operator;

use crate::wire::ids::{ChannelId, ClientId, ConversationId, GroupId, LineId, OperatorId};

/// Every stored fact of the engine's entities.
#[derive(Clone, Debug)]
pub(crate) struct Facts {
    pub(crate) op_ids: Interner<OperatorId, OpIdx>,
    pub(crate) ops: Table<OpIdx, Operator>,
    pub(crate) line_ids: Interner<LineId, LineIdx>,
    /// `None` for a line that was removed (its index stays valid).
    pub(crate) lines: Table<LineIdx, Option<Line>>,
    pub(crate) chan_ids: Interner<ChannelId, ChanIdx>,
    pub(crate) chans: Table<ChanIdx, Channel>,
    pub(crate) group_ids: Interner<GroupId, GroupIdx>,
    pub(crate) client_ids: Interner<ClientId, ClientIdx>,
    pub(crate) clients: BigTable<ClientIdx, Client>,
    pub(crate) conv_ids: Interner<ConversationId, ConvIdx>,
    pub(crate) convs: BigTable<ConvIdx, Conversation>,
}

impl Facts {
    pub(crate) fn new() -> Self {
        Self {
            op_ids: Interner::new(),
            ops: Table::default(),
            line_ids: Interner::new(),
            lines: Table::default(),
            chan_ids: Interner::new(),
            chans: Table::default(),
            group_ids: Interner::new(),
            client_ids: Interner::new(),
            clients: BigTable::default(),
            conv_ids: Interner::new(),
            convs: BigTable::default(),
        }
    }

    /// An existing operator's index.
    #[inline]
    pub(crate) fn op<Q>(&self, id: &Q) -> Option<OpIdx>
    where
        OperatorId: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.op_ids.get(id).filter(|&i| self.ops[i].exists)
    }

    /// An existing line's index.
    pub(crate) fn line_idx(&self, id: &str) -> Option<LineIdx> {
        self.line_ids.get(id).filter(|&i| self.lines[i].is_some())
    }

    #[inline]
    pub(crate) fn line(&self, l: LineIdx) -> &Line {
        self.lines[l]
            .as_ref()
            .expect("only lines that exist are referenced by live state")
    }

    /// The line of a conversation (which exists while the conversation is open).
    #[inline]
    pub(crate) fn line_of(&self, c: ConvIdx) -> &Line {
        self.line(self.convs[c].line)
    }

    pub(crate) fn op_name(&self, o: OpIdx) -> OperatorId {
        self.op_ids.name(o).clone()
    }

    pub(crate) fn line_name(&self, l: LineIdx) -> LineId {
        self.line_ids.name(l).clone()
    }

    pub(crate) fn conv_name(&self, c: ConvIdx) -> ConversationId {
        self.conv_ids.name(c).clone()
    }

    pub(crate) fn chan_name(&self, ch: ChanIdx) -> ChannelId {
        self.chan_ids.name(ch).clone()
    }

    pub(crate) fn client_name(&self, cl: ClientIdx) -> ClientId {
        self.client_ids.name(cl).clone()
    }
}
