//! Structured fuzzing: `(time, input)` sequences decoded with `arbitrary`, every invariant
//! checked after every step, then snapshot → restore → continue side by side.
//! `cargo fuzz fmt sequence FILE` prints an input as the JSON Lines the replay takes.

#![no_main]

#[path = "../../tests/fuzz_harness/mod.rs"]
#[allow(dead_code)]
mod harness;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|scenario: harness::Scenario| harness::run_sequence(&scenario));
