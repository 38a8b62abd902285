//! Structured fuzzing: `(time, input)` sequences decoded with `arbitrary`, every invariant
//! checked after every step, then snapshot → restore → continue side by side.
//! `cargo fuzz fmt sequence FILE` prints a crash as the JSON Lines the replay takes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use routeline_fuzz::{Scenario, run_sequence};

fuzz_target!(|scenario: Scenario| run_sequence(&scenario));
