//! Host-chosen string ids.
//!
//! Every id is a cheap-to-clone shared string (`Arc<str>`): decisions carry the very
//! allocation the engine interned, never a copy.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Eq, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Arc<str>);

        /// Equal when the strings are equal; two handles of one allocation (an id taken from a
        /// decision and handed back) compare without reading the string.
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
            }
        }

        /// Hashes as its string does, so maps keyed by the id can be searched with a `&str`.
        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.0.hash(state)
            }
        }

        impl $name {
            /// Makes an id from any string.
            pub fn new(id: impl Into<Arc<str>>) -> Self {
                Self(id.into())
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&*self.0, f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.into())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s.into())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// Identifies an operator (a person who answers).
    OperatorId
);
string_id!(
    /// Identifies a line (a routing queue with its own settings).
    LineId
);
string_id!(
    /// Identifies a channel (one connected inbound source: a WhatsApp number, a widget …).
    ChannelId
);
string_id!(
    /// Identifies a client (the customer).
    ClientId
);
string_id!(
    /// Identifies a conversation (one customer request from first message to close).
    ConversationId
);
string_id!(
    /// Identifies a group of operators (a department, "line 1" …).
    GroupId
);
string_id!(
    /// Identifies a role (a set of permissions with a scope, DESIGN §7).
    RoleId
);

/// `Arbitrary` for the ids, for fuzzing: mostly one of a handful of fixed names per kind, so
/// that generated inputs keep meeting the same operators, lines and conversations; now and then
/// any string at all.
#[cfg(feature = "arbitrary")]
macro_rules! arbitrary_id {
    ($name:ident, $names:expr) => {
        impl<'a> arbitrary::Arbitrary<'a> for $name {
            fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
                const NAMES: &[&str] = &$names;
                if u.ratio(15u8, 16)? {
                    Ok(Self::from(*u.choose(NAMES)?))
                } else {
                    Ok(Self::from(<String as arbitrary::Arbitrary>::arbitrary(u)?))
                }
            }
        }
    };
}

#[cfg(feature = "arbitrary")]
arbitrary_id!(OperatorId, ["anna", "boris", "vera", "gleb", "dana"]);
#[cfg(feature = "arbitrary")]
arbitrary_id!(LineId, ["sales", "support", "vip"]);
#[cfg(feature = "arbitrary")]
arbitrary_id!(ChannelId, ["wa-1", "tg-1", "web", "mail"]);
#[cfg(feature = "arbitrary")]
arbitrary_id!(ClientId, ["c-1", "c-2", "c-3", "c-4", "c-5"]);
#[cfg(feature = "arbitrary")]
arbitrary_id!(ConversationId, ["k1", "k2", "k3", "k4", "k5", "k6"]);
#[cfg(feature = "arbitrary")]
arbitrary_id!(GroupId, ["line1", "line2"]);
#[cfg(feature = "arbitrary")]
arbitrary_id!(RoleId, ["operator", "supervisor", "administrator"]);
