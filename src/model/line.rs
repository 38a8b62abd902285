//! Lines and channels as the host configured them, and groups (which have nothing but a name:
//! their members are derived from the operators' settings).

use super::ids::{LineIdx, OpIdx};
use crate::wire::config::LineConfig;

/// The stored facts of a line: its configuration. Everything else about it — members, pool,
/// waiting queue, counters — is derived (`index/`), and features keep their own per-line
/// state.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    pub(crate) config: LineConfig,
}

/// The stored facts of a channel.
#[derive(Clone, Debug, Default)]
pub(crate) struct Channel {
    /// The line it is connected to.
    pub(crate) line: Option<LineIdx>,
    /// The line its restriction (and pool) serves: the last one it was connected to.
    pub(crate) pool_line: Option<LineIdx>,
    pub(crate) kind: Option<String>,
    /// The operators allowed to serve it; `None`: every member of the line.
    pub(crate) restrict: Option<Vec<OpIdx>>,
}

impl Channel {
    /// Restricted by an operator list on the line its pool serves.
    pub(crate) fn restricts(&self, line: LineIdx) -> bool {
        self.restrict.is_some() && self.pool_line == Some(line)
    }
}
