//! Any text as a handoff.toml: loads, or fails with a message; never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(e) = handoff::Config::parse(text) {
        assert!(!e.is_empty());
    }
});
