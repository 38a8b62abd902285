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
use rustc_hash::FxHashMap;

use crate::queue::priority::Wait;
use conversation::Conversation;
use ids::{
    BigTable, ChanIdx, ClientIdx, ConvIdx, GroupIdx, IdKeys, Interner, LineIdx, OpIdx, Table,
};
use line::{Channel, Line};
use operator::Operator;

use crate::wire::config::PinnedPolicy;
use crate::wire::ids::{ChannelId, ClientId, ConversationId, GroupId, LineId, OperatorId};

/// Every stored fact of the engine's entities.
#[derive(Clone, Debug)]
pub(crate) struct Facts {
    /// The seed of the key host ids are hashed with.
    pub(crate) seed: u64,
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
    /// How many conversations were ever opened: the next one's `born`.
    pub(crate) births: u64,
    /// The waits under way: conversations waiting, or placed and not yet confirmed, with when
    /// their client's wait began (DESIGN §7: `since` survives a return to the queue).
    pub(crate) waits: FxHashMap<ConvIdx, Wait>,
}

impl Facts {
    pub(crate) fn new(seed: u64) -> Self {
        let keys = IdKeys::from_seed(seed);
        Self {
            seed,
            op_ids: Interner::new(keys),
            ops: Table::default(),
            line_ids: Interner::new(keys),
            lines: Table::default(),
            chan_ids: Interner::new(keys),
            chans: Table::default(),
            group_ids: Interner::new(keys),
            client_ids: Interner::new(keys),
            clients: BigTable::default(),
            conv_ids: Interner::new(keys),
            convs: BigTable::default(),
            births: 0,
            waits: FxHashMap::default(),
        }
    }

    /// Every conversation the engine knows (not the slots of forgotten ones), by index.
    pub(crate) fn live_convs(&self) -> impl Iterator<Item = (ConvIdx, &Conversation)> + '_ {
        self.convs.iter().filter(|&(c, _)| self.conv_ids.is_live(c))
    }

    /// Conversations in the order their ids were first mentioned.
    pub(crate) fn by_birth(&self, mut convs: Vec<ConvIdx>) -> Vec<ConvIdx> {
        convs.sort_by_key(|&c| self.convs[c].born);
        convs
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

    /// The operator an open conversation's client is pinned to, when its line's policy is
    /// `always`: nobody else may have it.
    pub(crate) fn always_pinned(&self, c: ConvIdx) -> Option<OpIdx> {
        let line = &self.line_of(c).config;
        self.clients[self.convs[c].client]
            .pinned
            .filter(|_| line.pinned_policy == PinnedPolicy::Always)
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
