//! Targets for stored and transferred objects: loose files, zlib, trees, commits, tags, and the
//! index file.

use tabgit_object::{
    loose,
    tree::{self, check},
    zlib, CommitRef, Kind, TagRef, TreeRef,
};

use crate::{chunks, selector};

/// The largest object the targets let a parser allocate (the fuzzer's cap is far above it).
const MAX_OBJECT: u64 = 1 << 20;

/// Loose object headers, bounded zlib inflation, and whole loose object files.
///
/// The first byte picks what is fed: a header (0), a whole loose file (1), or a zlib stream
/// with a declared size taken from the next two bytes, inflated at once (2) or in chunks (3).
/// Checks: a decoded loose object encodes to a file that decodes to the same object; inflating
/// in chunks gives what inflating at once gives; output never exceeds the declared size.
pub fn loose(data: &[u8]) {
    let (selector, data) = selector(data);
    match selector % 4 {
        0 => {
            if let Ok((_, _, header_len)) = loose::decode_header(data) {
                assert!(
                    header_len <= data.len() && header_len <= loose::MAX_HEADER_LEN,
                    "a header lies within the input and the header bound"
                );
            }
        }
        1 => {
            if let Ok((kind, content)) = loose::decode(data, MAX_OBJECT) {
                assert!(content.len() as u64 <= MAX_OBJECT, "the size cap holds");
                let (_, file) = loose::encode(kind, &content);
                let again = loose::decode(&file, MAX_OBJECT).ok();
                assert_eq!(
                    again,
                    Some((kind, content)),
                    "an encoded loose object decodes to itself"
                );
            }
        }
        mode => {
            let Some((size, stream)) = data.split_first_chunk::<2>() else {
                return;
            };
            let declared = usize::from(u16::from_le_bytes(*size));
            let mut whole = Vec::new();
            let whole = zlib::inflate_exact(stream, declared, &mut whole).map(|used| (used, whole));
            if mode == 3 {
                let chunked = inflate_chunked(stream, declared, &[1, 7, 64]);
                assert_eq!(
                    whole.as_ref().ok(),
                    chunked.as_ref().ok(),
                    "inflating in chunks gives what inflating at once gives"
                );
            }
            if let Ok((used, output)) = whole {
                assert!(used <= stream.len(), "a stream uses no more than its input");
                assert_eq!(
                    output.len(),
                    declared,
                    "a finished stream has the declared size"
                );
            }
        }
    }
}

fn inflate_chunked(
    stream: &[u8],
    declared: usize,
    sizes: &[u8],
) -> Result<(usize, Vec<u8>), zlib::Error> {
    let mut inflate = zlib::Inflate::new(declared)?;
    let mut used = 0;
    let pieces = chunks(stream, sizes);
    let n_pieces = pieces.len();
    for (piece_idx, piece) in pieces.into_iter().enumerate() {
        let more_input = piece_idx + 1 < n_pieces;
        used += inflate.feed(piece, more_input)?;
        assert!(
            inflate.output().len() <= declared,
            "inflating never produces more than declared"
        );
        if inflate.is_done() {
            break;
        }
    }
    if !inflate.is_done() {
        return Err(zlib::Error::Truncated);
    }
    Ok((used, inflate.into_output()))
}

/// Trees, commits and tags, parsed as every kind (libgit2's `objects` fuzzer), and
/// `tree::check`, the checkout-safety rules every fetched tree passes (RELIABILITY.md rows 1–12).
///
/// Checks: an owned value written back parses to the same value; the iterator and the parser
/// agree on a tree; a tree that passes `check` has only names that pass `check::component`, in
/// strictly increasing git order.
pub fn objects(data: &[u8]) {
    check_tree(data);
    check_commit(data);
    check_tag(data);
    let _ = check::path(data);
}

fn check_tree(data: &[u8]) {
    let parsed = TreeRef::from_bytes(data);
    let iterated: Result<Vec<_>, _> = tree::TreeRefIter::from_bytes(data).collect();
    assert_eq!(
        parsed.as_ref().map(|tree| tree.entries.clone()).ok(),
        iterated.ok(),
        "the tree parser and the tree iterator agree"
    );
    let checked = check::tree(data);
    if let Ok(parsed) = &parsed {
        let written = parsed.to_owned().to_bytes();
        assert_eq!(written, data, "a parsed tree writes back to its bytes");
        if checked.is_ok() {
            for pair in parsed.entries.windows(2) {
                let order = tree::compare_entries(
                    pair[0].filename,
                    pair[0].mode.is_tree(),
                    pair[1].filename,
                    pair[1].mode.is_tree(),
                );
                assert_eq!(
                    order,
                    std::cmp::Ordering::Less,
                    "a checked tree is strictly sorted"
                );
            }
            for entry in &parsed.entries {
                assert!(
                    check::component(entry.filename).is_ok(),
                    "a checked tree has only valid names"
                );
            }
        }
    } else {
        assert!(
            checked.is_err(),
            "a tree that does not parse fails the check"
        );
    }
}

fn check_commit(data: &[u8]) {
    let Ok(commit) = CommitRef::from_bytes(data) else {
        return;
    };
    let _ = commit.summary();
    let Ok(owned) = commit.to_owned() else {
        return;
    };
    let written = owned.to_bytes();
    let reparsed = CommitRef::from_bytes(&written).and_then(|commit| commit.to_owned());
    assert_eq!(
        reparsed.as_ref().ok(),
        Some(&owned),
        "a written commit parses to the commit that was written"
    );
}

fn check_tag(data: &[u8]) {
    let Ok(tag) = TagRef::from_bytes(data) else {
        return;
    };
    let Ok(owned) = tag.to_owned() else {
        return;
    };
    let written = owned.to_bytes();
    let reparsed = TagRef::from_bytes(&written).and_then(|tag| tag.to_owned());
    assert_eq!(
        reparsed.as_ref().ok(),
        Some(&owned),
        "a written tag parses to the tag that was written"
    );
    let _ = Kind::from_bytes(data);
}

/// The index file (`.git/index`, versions 2–4, with extensions).
///
/// Checks: an index that decodes writes back (as it was read) to bytes that decode to the same
/// entries.
pub fn index_file(data: &[u8]) {
    let Ok(state) = tabgit_index::State::from_bytes(data) else {
        return;
    };
    let _ = state.has_conflicts();
    let _ = state.conflicts().count();
    let _ = state.cache_tree();
    for entry in &state {
        let _ = state.entry(&entry.path, entry.stage);
        let _ = state.path_entries(&entry.path);
    }
    let mut written = Vec::new();
    if state
        .write_to(
            &mut written,
            tabgit_index::write::Options::unchanged(&state),
        )
        .is_err()
    {
        return;
    }
    let again = tabgit_index::State::from_bytes(&written);
    assert_eq!(
        again.as_ref().map(tabgit_index::State::entries).ok(),
        Some(state.entries()),
        "a written index decodes to the entries that were written"
    );
}
