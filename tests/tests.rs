//! One integration-test binary (links once): end-to-end runs of the `handoff` binary.

mod harness;

mod audit_sample;
mod findings;
mod formats;
mod inputs;
mod outputs;
