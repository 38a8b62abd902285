//! Raw bytes through the snapshot parser and the JSON Lines replay: nothing may panic, a failed
//! line changes nothing, whatever was restored verifies.

#![no_main]

#[path = "../../tests/fuzz_harness/mod.rs"]
#[allow(dead_code)]
mod harness;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| harness::run_replay(data));
