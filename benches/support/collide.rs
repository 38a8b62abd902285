//! Ids built to collide under FxHash — rustc-hash 2's hasher, which the engine used for ids
//! before they were hashed with a key — and ordinary ids of the same length.
//!
//! rustc-hash 2 hashes a 32-byte string as `mix(SEED2 ^ a, t ^ b) ^ 32`, where `a` and `b` are
//! its last two 8-byte words and `t` is a mix of its first sixteen bytes; `mix(x, 0)` is 0. So
//! once the first sixteen bytes are chosen to make `t` eight letters and digits, writing `t` as
//! the last word makes the hash 32 whatever the third word is: 62^8 ids of letters and digits
//! with one and the same 64-bit hash — under every seed too, since the seed only enters after.

use std::hash::{BuildHasher, Hasher};

const SEED1: u64 = 0x243f_6a88_85a3_08d3;
const PREVENT_TRIVIAL_ZERO_COLLAPSE: u64 = 0xa409_3822_299f_31d0;
const ALNUM: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn mix(x: u64, y: u64) -> u64 {
    let full = u128::from(x).wrapping_mul(u128::from(y));
    (full as u64) ^ ((full >> 64) as u64)
}

/// Eight letters and digits, the `n`th in a fixed order.
fn word(mut n: u64) -> [u8; 8] {
    let mut out = [0u8; 8];
    for b in &mut out {
        *b = ALNUM[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// `count` distinct 32-character ids of letters and digits that all have the same FxHash.
pub fn colliding_ids(count: usize) -> Vec<String> {
    // Search for a prefix whose mix is eight letters and digits (about one in 80 000).
    let (prefix, tail) = (0u64..)
        .find_map(|n| {
            let (x, y) = (word(n), word(n.wrapping_mul(0x9e37_79b9) + 7));
            let t = mix(
                SEED1 ^ u64::from_le_bytes(x),
                PREVENT_TRIVIAL_ZERO_COLLAPSE ^ u64::from_le_bytes(y),
            );
            let t = t.to_le_bytes();
            t.iter().all(|b| ALNUM.contains(b)).then(|| {
                let mut prefix = x.to_vec();
                prefix.extend_from_slice(&y);
                (prefix, t)
            })
        })
        .expect("some prefix mixes to letters and digits");
    let ids: Vec<String> = (0..count as u64)
        .map(|k| {
            let mut id = prefix.clone();
            id.extend_from_slice(&word(k * 7919 + 13));
            id.extend_from_slice(&tail);
            String::from_utf8(id).expect("letters and digits")
        })
        .collect();
    let hash = |s: &str| {
        let mut h = rustc_hash::FxBuildHasher.build_hasher();
        h.write(s.as_bytes());
        h.write_u8(0xff);
        h.finish()
    };
    assert!(
        ids.iter().all(|id| hash(id) == hash(&ids[0])),
        "the ids collide under rustc-hash's FxHash (the construction follows rustc-hash 2.1)"
    );
    ids
}

/// `count` distinct ordinary 32-character ids of letters and digits (the same shape as a
/// colliding id, with every word varying).
pub fn ordinary_ids(count: usize) -> Vec<String> {
    (0..count as u64)
        .map(|k| {
            let mut id = Vec::with_capacity(32);
            for w in 0..4u64 {
                id.extend_from_slice(&word(k.wrapping_mul(0x2545_f491) ^ (w * 0x1f3d_5b79 + k)));
            }
            String::from_utf8(id).expect("letters and digits")
        })
        .collect()
}
