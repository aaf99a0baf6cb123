//! One integration-test binary (links once): end-to-end runs of the `handoff` binary.

mod harness;

mod architecture;
mod audit_sample;
mod calibrate;
mod findings;
mod formats;
mod gate;
mod hostile;
mod hostile_input;
mod html;
mod inputs;
mod outputs;
mod renderers;
mod topics;
mod trends;
