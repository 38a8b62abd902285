//! The dense indices the engine uses for host ids internally, the interner that hands them
//! out, and tables indexed by them.
//!
//! Each kind of entity has its own index type, so an operator's index cannot be used where a
//! line's is meant: the compiler keeps them apart, at no cost at run time.

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

use serde::{Deserialize, Serialize};

use super::chunked::ChunkedVec;

/// A fast hasher with fixed keys: the library never draws on an unseeded random source, and
/// the maps it is used for are only ever looked up, never iterated in hash order. (Like any
/// fixed-key hash it does not resist ids crafted to collide; hosts take ids from their own
/// database, not verbatim from the internet.)
pub(crate) type FixedState = rustc_hash::FxBuildHasher;

/// A dense index of one kind of entity.
pub(crate) trait Idx: Copy + Eq + Ord + fmt::Debug {
    /// The index as a position in a table.
    fn ix(self) -> usize;
    /// The index at a position; positions come only from tables of fewer than 2^32 entries.
    fn at(i: usize) -> Self;
}

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub(crate) struct $name(pub(crate) u32);

        impl Idx for $name {
            #[inline]
            fn ix(self) -> usize {
                self.0 as usize
            }

            #[inline]
            fn at(i: usize) -> Self {
                // More than four billion entities of one kind would exhaust memory first.
                Self(u32::try_from(i).expect("fewer than 2^32 entities of one kind"))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{}", stringify!($name), self.0)
            }
        }
    };
}

index_type!(
    /// An operator's index.
    OpIdx
);
index_type!(
    /// A line's index.
    LineIdx
);
index_type!(
    /// A channel's index.
    ChanIdx
);
index_type!(
    /// A group's index.
    GroupIdx
);
index_type!(
    /// A client's index.
    ClientIdx
);
index_type!(
    /// A conversation's index.
    ConvIdx
);

/// Storage a [`Table`] can sit on: a `Vec` for the few (operators, lines, channels, groups),
/// a [`ChunkedVec`] for the many (clients, conversations), which grows without copying.
pub(crate) trait Storage<T>: Default {
    fn len(&self) -> usize;
    fn push(&mut self, value: T);
    fn get(&self, i: usize) -> Option<&T>;
    fn get_mut(&mut self, i: usize) -> Option<&mut T>;
}

impl<T> Storage<T> for Vec<T> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn push(&mut self, value: T) {
        Vec::push(self, value)
    }
    fn get(&self, i: usize) -> Option<&T> {
        <[T]>::get(self, i)
    }
    fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        <[T]>::get_mut(self, i)
    }
}

impl<T> Storage<T> for ChunkedVec<T> {
    fn len(&self) -> usize {
        ChunkedVec::len(self)
    }
    fn push(&mut self, value: T) {
        ChunkedVec::push(self, value)
    }
    fn get(&self, i: usize) -> Option<&T> {
        ChunkedVec::get(self, i)
    }
    fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        ChunkedVec::get_mut(self, i)
    }
}

/// Records indexed by one kind of index.
#[derive(Clone)]
pub(crate) struct Table<I, T, S = Vec<T>> {
    items: S,
    _kind: PhantomData<fn(I) -> T>,
}

/// A table on chunked storage, for the kinds of which there are many.
pub(crate) type BigTable<I, T> = Table<I, T, ChunkedVec<T>>;

impl<I: Idx, T, S: Storage<T>> Default for Table<I, T, S> {
    fn default() -> Self {
        Self {
            items: S::default(),
            _kind: PhantomData,
        }
    }
}

impl<I: Idx, T, S: Storage<T>> Table<I, T, S> {
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Appends a record and returns its index.
    pub(crate) fn push(&mut self, value: T) -> I {
        let i = I::at(self.items.len());
        self.items.push(value);
        i
    }

    /// Every index of the table, in order.
    pub(crate) fn indices(&self) -> impl DoubleEndedIterator<Item = I> + use<I, T, S> {
        (0..self.items.len()).map(I::at)
    }

    /// Every record with its index, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (I, &T)> + '_ {
        (0..self.items.len()).map(|i| {
            let i = I::at(i);
            (i, &self[i])
        })
    }
}

impl<I: Idx, T, S: Storage<T>> Index<I> for Table<I, T, S> {
    type Output = T;

    #[inline]
    fn index(&self, i: I) -> &T {
        self.items
            .get(i.ix())
            .expect("the engine indexes only records it has pushed")
    }
}

impl<I: Idx, T, S: Storage<T>> IndexMut<I> for Table<I, T, S> {
    #[inline]
    fn index_mut(&mut self, i: I) -> &mut T {
        self.items
            .get_mut(i.ix())
            .expect("the engine indexes only records it has pushed")
    }
}

impl<I, T: fmt::Debug, S: fmt::Debug> fmt::Debug for Table<I, T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.items.fmt(f)
    }
}

/// Maps host ids to dense indices in order of first mention. Names are never forgotten, so an
/// index stays valid for the engine's lifetime (a removed operator keeps its slot, marked gone).
///
/// The map holds each id inline beside its index, so a lookup reads the hash table and nothing
/// else when the host hands back an id the engine gave it (the same allocation compares by
/// pointer); `names` answers the reverse question.
#[derive(Clone, Debug)]
pub(crate) struct Interner<K: std::hash::Hash + Eq, I> {
    index: HashMap<K, I, FixedState>,
    names: ChunkedVec<K>,
}

impl<K, I> Interner<K, I>
where
    K: std::hash::Hash + Eq + Clone + std::borrow::Borrow<str>,
    I: Idx,
{
    pub(crate) fn new() -> Self {
        Self {
            index: HashMap::default(),
            names: ChunkedVec::new(),
        }
    }

    /// The index of `key` (an id, or its string), if it was ever interned.
    #[inline]
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<I>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.index.get(key).copied()
    }

    /// The index of `key`, interning it first if it is new; the flag says whether it was new.
    pub(crate) fn intern(&mut self, key: &K) -> (I, bool) {
        if let Some(&i) = self.index.get::<K>(key) {
            return (i, false);
        }
        let i = I::at(self.names.len());
        self.index.insert(key.clone(), i);
        self.names.push(key.clone());
        (i, true)
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// The id behind an index handed out by this interner.
    #[inline]
    pub(crate) fn name(&self, i: I) -> &K {
        self.names
            .get(i.ix())
            .expect("indices are only ever handed out by this interner and never freed")
    }
}

impl<K: std::hash::Hash + Eq + Serialize, I> Serialize for Interner<K, I> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.names.iter())
    }
}

impl<'de, K, I> Deserialize<'de> for Interner<K, I>
where
    K: std::hash::Hash + Eq + Clone + std::borrow::Borrow<str> + Deserialize<'de> + fmt::Display,
    I: Idx,
{
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let names = ChunkedVec::<K>::deserialize(deserializer)?;
        let mut index = HashMap::with_capacity_and_hasher(names.len(), FixedState::default());
        for (i, key) in names.iter().enumerate() {
            if index.insert(key.clone(), I::at(i)).is_some() {
                return Err(serde::de::Error::custom(format!(
                    "id `{key}` is listed twice"
                )));
            }
        }
        Ok(Self { index, names })
    }
}
