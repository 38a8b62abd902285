//! The wire types: what the host sends ([`input`], with [`config`] and [`settings`]), what the
//! engine answers ([`decision`]), why an input is refused ([`error`]), and the host's ids
//! ([`ids`]). Plain data with their serde names — a public contract (DESIGN §3) — and nothing
//! of the engine's state.

pub(crate) mod config;
pub(crate) mod decision;
pub(crate) mod error;
pub(crate) mod ids;
pub(crate) mod input;
pub(crate) mod queue;
pub(crate) mod rules;
pub(crate) mod settings;
