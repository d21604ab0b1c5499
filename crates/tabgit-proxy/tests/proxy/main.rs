//! Tests of the running proxy: one module per row of the CORS proxy hardening checklist
//! (RELIABILITY.md section 5), end-to-end git through the proxy, the binary, and a load test.
//!
//! Every test talks only to servers on loopback: the local git server (`tabgit-gitserver`)
//! over copies of the generated fixtures, hand-written upstreams for what it cannot do, and
//! canary listeners that count the connections the proxy must never make. Names are resolved
//! by a static test resolver, except `localhost` in the one test of the system resolver.

mod cli;
mod e2e;
mod load;
mod row01_headers;
mod row02_routes;
mod row03_upstream;
mod row04_target;
mod row05_dns;
mod row06_parser;
mod row07_redirects;
mod row08_origins;
mod row09_request_headers;
mod row10_response_headers;
mod row11_limits;
mod row12_refusals;
mod row13_logs;
mod row14_hygiene;
mod row15_ssrf;
mod support;

/// The result every test returns.
pub use tabgit_testtools::Result;
