//! Raw bytes through the snapshot parser and the JSON Lines replay: nothing may panic, a failed
//! line changes nothing, whatever was restored verifies.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| routeline_fuzz::run_replay(data));
