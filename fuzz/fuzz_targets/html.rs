//! HTML-to-text on any text: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = handoff::fuzzing::html_to_text(text);
});
