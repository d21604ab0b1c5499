//! Fuzz targets for every parser of untrusted bytes in tabgit (RELIABILITY.md goal 1, section
//! 3.5), as plain functions of `&[u8]`.
//!
//! The same functions run in two places:
//!
//! * the libFuzzer binaries in `fuzz_targets/`, built by `scripts/fuzz` with sanitizer
//!   coverage and an allocation cap (`-malloc_limit_mb`, `-rss_limit_mb`);
//! * `tests/regressions.rs`, which replays every file under `regressions/<target>/` (inputs
//!   that once crashed, hung or ran out of memory) and `seeds/<target>/` on stable Rust with a
//!   plain `cargo test`.
//!
//! So a regression replays exactly what the fuzzer ran.
//! A target returns normally for every input: a parser's `Err` is the expected answer to
//! hostile bytes. It panics only when tabgit has a bug: a parser panicked, or a cross-check
//! between two parts of tabgit failed (a value written back does not parse the same way, the
//! proxy forwarded a path that climbs out of the repository, sanitized text still holds a
//! control character).
//!
//! Every target bounds what it lets a parser allocate with the parser's own limits, well
//! below the fuzzer's `-malloc_limit_mb`, so an allocation the fuzzer reports is one a limit
//! failed to stop.
//!
//! ## Examples
//!
//! ```
//! // Every target takes any bytes and returns; it panics only on a bug.
//! for target in tabgit_fuzz::TARGETS {
//!     (target.run)(b"0000");
//!     (target.run)(&[]);
//! }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod network;
mod objects;
mod packs;
mod text;

pub use network::{advertisement, fetch_response, pktline, proxy_route, report_status, url};
pub use objects::{index_file, loose, objects};
pub use packs::{delta_apply, pack_entry, pack_idx, pack_indexer};
pub use text::{config, refs};

/// One fuzz target: its name (the binary in `fuzz_targets/`, the directory under `seeds/` and
/// `regressions/`) and its function.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// What it fuzzes, in one line.
    pub about: &'static str,
    /// The function libFuzzer and the replay test call with each input.
    pub run: fn(&[u8]),
}

/// Every fuzz target, in the order `scripts/fuzz all` runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "pktline",
        about: "pkt-line framing, side-band demultiplexing, sanitizing server text",
        run: pktline,
    },
    Target {
        name: "advertisement",
        about: "v0/v1 ref advertisement, v2 capability advertisement, v2 ls-refs response",
        run: advertisement,
    },
    Target {
        name: "fetch_response",
        about: "v2 fetch and v0 upload-pack responses, streamed in chunks",
        run: fetch_response,
    },
    Target {
        name: "report_status",
        about: "receive-pack report-status and report-status-v2, with and without side-band",
        run: report_status,
    },
    Target {
        name: "loose",
        about: "loose object headers, zlib inflate (bounded, resumable) and whole loose objects",
        run: loose,
    },
    Target {
        name: "objects",
        about: "tree, commit and tag parsing, write-back, and tree::check (fsck rules)",
        run: objects,
    },
    Target {
        name: "pack_entry",
        about: "pack header and pack entry headers",
        run: pack_entry,
    },
    Target {
        name: "delta_apply",
        about: "delta application against a base taken from the input",
        run: delta_apply,
    },
    Target {
        name: "pack_idx",
        about: ".idx version 2 parsing and every lookup",
        run: pack_idx,
    },
    Target {
        name: "pack_indexer",
        about: "the streaming pack indexer over a whole pack (what git index-pack does)",
        run: pack_indexer,
    },
    Target {
        name: "index_file",
        about: "index file decode (v2-v4, extensions) and write-back",
        run: index_file,
    },
    Target {
        name: "refs",
        about: "ref name rules, loose refs, packed-refs, reflog lines, refspecs",
        run: refs,
    },
    Target {
        name: "url",
        about: "remote URL parsing, joining, proxy URLs, redaction",
        run: url,
    },
    Target {
        name: "config",
        about: "git-config text parsing, lookups and layout-preserving edits",
        run: config,
    },
    Target {
        name: "proxy_route",
        about: "the CORS proxy's request classifier, target parser and target policy",
        run: proxy_route,
    },
];

/// The target named `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|target| target.name == name)
}

/// Split `data` into a selector byte and the rest; an empty input selects 0.
pub(crate) fn selector(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((&first, rest)) => (first, rest),
        None => (0, data),
    }
}

/// Cut `data` into chunks whose sizes cycle through `sizes` (each at least 1 byte), as a
/// network delivers a body.
pub(crate) fn chunks<'a>(data: &'a [u8], sizes: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    let mut next_size = sizes.iter().cycle();
    while !rest.is_empty() {
        let size = next_size
            .next()
            .map_or(rest.len(), |&size| usize::from(size).max(1));
        let (chunk, tail) = rest.split_at(size.min(rest.len()));
        out.push(chunk);
        rest = tail;
    }
    out
}
