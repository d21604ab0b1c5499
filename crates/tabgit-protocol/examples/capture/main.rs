//! Regenerate `tests/fixtures/{v0,v2}/*.{request,response}` from real traffic.
//!
//! Native git talks to the local git server (`tabgit-gitserver`, which runs the real
//! `git http-backend`) through a recording relay on 127.0.0.1.
//! The relay forwards every HTTP exchange unchanged and saves each request and response body
//! as the protocol sees it: de-chunked, and with gzip request bodies inflated.
//! The requests' and responses' content types, the `Git-Protocol` header and the status go to
//! `tests/fixtures/MANIFEST`.
//!
//! ```text
//! cargo run -p tabgit-protocol --example capture            # writes tests/fixtures/
//! cargo run -p tabgit-protocol --example capture -- OUTDIR  # writes OUTDIR/{v0,v2}/…
//! ```
//!
//! The repositories are copies of the generated fixtures `tiny` and `demo`
//! (`tests/fixtures/make-repos.sh`), plus an empty repository and commits made here with fixed
//! identities and dates, so the object ids in the fixtures are stable.
//! What can change from run to run: the `agent=git/<version>` strings of the installed git,
//! and pack bytes (git's delta search is multi-threaded; these packs are tiny).
//!
//! Native only: on wasm32 (which `cargo clippy --target wasm32-unknown-unknown --all-targets`
//! also builds) the example is empty.
#![cfg_attr(target_arch = "wasm32", no_main)]

#[cfg(not(target_arch = "wasm32"))]
mod native;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> tabgit_testtools::Result {
    native::main()
}
