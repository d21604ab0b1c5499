//! Tests of the local git server against real `git`: interop, every fault knob, CORS and the
//! binary.
//!
//! Every test makes its repositories with native git in a temporary directory and talks only to
//! servers on 127.0.0.1.

mod cli;
mod cors;
mod fault;
mod fixture;
mod http;
mod interop;
mod knob_text;
mod lifecycle;

/// The result every test returns.
pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;
