//! Clients: the customers. A client exists once named; nothing about them needs an input of
//! its own.

use super::ids::OpIdx;

/// The stored facts of a client.
#[derive(Clone, Debug, Default)]
pub(crate) struct Client {
    /// Their personal manager.
    pub(crate) pinned: Option<OpIdx>,
    /// The last operator who served them (for `prefer_last_operator`).
    pub(crate) last_operator: Option<OpIdx>,
    /// How many times a conversation of this client opened on their message (new or
    /// reopened).
    pub(crate) contacts: u64,
    /// A VIP client (set by the host, DESIGN §7).
    pub(crate) vip: bool,
}
