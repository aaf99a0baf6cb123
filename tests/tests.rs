//! One integration-test binary (links once): end-to-end runs of the `handoff` binary.

mod harness;

#[cfg(unix)]
mod action;
mod architecture;
mod audit_sample;
mod calibrate;
mod categories;
mod findings;
mod formats;
mod gate;
mod gate_sim;
mod hostile;
mod hostile_input;
mod html;
mod inputs;
mod outputs;
mod properties;
mod renderers;
mod schema;
mod shard;
mod shell;
mod show;
mod topics;
mod trends;
mod width;
