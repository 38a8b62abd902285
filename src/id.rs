//! Host-chosen string ids and the dense indices the engine uses for them internally.
//!
//! Every id is a cheap-to-clone shared string (`Arc<str>`): decisions carry the very
//! allocation the engine interned, never a copy.

use crate::chunked::ChunkedVec;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A fast hasher with fixed keys: the library never draws on an unseeded random source, and
/// the maps it is used for are only ever looked up, never iterated in hash order. (Like any
/// fixed-key hash it does not resist ids crafted to collide; hosts take ids from their own
/// database, not verbatim from the internet.)
pub(crate) type FixedState = rustc_hash::FxBuildHasher;

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

/// A dense index handed out by an [`Interner`]; stable for the engine's lifetime.
pub(crate) type Idx = u32;

/// Maps host ids to dense indices in order of first mention. Names are never forgotten, so an
/// index stays valid for the engine's lifetime (a removed operator keeps its slot, marked gone).
///
/// The map holds each id inline beside its index, so a lookup reads the hash table and nothing
/// else when the host hands back an id the engine gave it (the same allocation compares by
/// pointer); `names` answers the reverse question.
#[derive(Clone, Debug)]
pub(crate) struct Interner<K: std::hash::Hash + Eq> {
    index: HashMap<K, Idx, FixedState>,
    names: ChunkedVec<K>,
}

impl<K: std::hash::Hash + Eq + Clone + std::borrow::Borrow<str>> Interner<K> {
    pub(crate) fn new() -> Self {
        Self {
            index: HashMap::default(),
            names: ChunkedVec::new(),
        }
    }

    /// The index of `key` (an id, or its string), if it was ever interned.
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<Idx>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.index.get(key).copied()
    }

    /// The index of `key`, interning it first if it is new; the flag says whether it was new.
    pub(crate) fn intern(&mut self, key: &K) -> (Idx, bool) {
        if let Some(&i) = self.index.get::<K>(key) {
            return (i, false);
        }
        let i = to_idx(self.names.len());
        self.index.insert(key.clone(), i);
        self.names.push(key.clone());
        (i, true)
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// The id behind an index handed out by this interner.
    pub(crate) fn name(&self, idx: Idx) -> &K {
        self.names
            .get(idx as usize)
            .expect("indices are only ever handed out by this interner and never freed")
    }
}

impl<K: std::hash::Hash + Eq + Serialize> Serialize for Interner<K> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.names.iter())
    }
}

impl<'de, K> Deserialize<'de> for Interner<K>
where
    K: std::hash::Hash + Eq + Clone + std::borrow::Borrow<str> + Deserialize<'de> + fmt::Display,
{
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let names = ChunkedVec::<K>::deserialize(deserializer)?;
        let mut index = HashMap::with_capacity_and_hasher(names.len(), FixedState::default());
        for (i, key) in names.iter().enumerate() {
            if index.insert(key.clone(), to_idx(i)).is_some() {
                return Err(serde::de::Error::custom(format!(
                    "id `{key}` is listed twice"
                )));
            }
        }
        Ok(Self { index, names })
    }
}

fn to_idx(i: usize) -> Idx {
    // More than four billion distinct ids of one kind would exhaust memory long before this.
    Idx::try_from(i).expect("fewer than 2^32 distinct ids of one kind")
}

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
