//! Hostile index files: typed errors, no panics, no allocation driven by the declared counts.
use tabgit_index::decode::Error;
use tabgit_index::extension::{cache_tree, resolve_undo, CacheTree, ResolveUndo};
use tabgit_index::State;
use tabgit_testtools::Result;

use crate::{conflicted_repo, fix_checksum, raw_entry, raw_extension, raw_index};

/// A small index git wrote, with entries at all stages, a cache tree and resolve-undo records.
fn small_index() -> Result<Vec<u8>> {
    let repo = conflicted_repo()?;
    repo.git(&["add", "both.txt"])?;
    repo.git(&["update-index", "--index-version", "4"])?;
    let v4 = repo.index_bytes()?;
    repo.git(&["update-index", "--index-version", "2"])?;
    let v2 = repo.index_bytes()?;
    State::from_bytes(&v4)?;
    State::from_bytes(&v2)?;
    Ok([v2, v4].concat())
}

/// Split the concatenation [`small_index`] returns at the second `DIRC`.
fn both_versions(indexes: &[u8]) -> Result<(&[u8], &[u8])> {
    let second = indexes
        .windows(4)
        .skip(1)
        .position(|w| w == b"DIRC")
        .ok_or("second index")?
        + 1;
    Ok(indexes.split_at(second))
}

#[test]
fn truncated_anywhere() -> Result {
    let indexes = small_index()?;
    let (v2, v4) = both_versions(&indexes)?;
    for index in [v2, v4] {
        for cut in 0..index.len() {
            assert!(
                State::from_bytes(&index[..cut]).is_err(),
                "an index cut at {cut} of {} bytes is refused",
                index.len()
            );
        }
        // With a valid checksum, only cuts at the end of the entries or of an extension decode.
        let mut n_decoded = 0;
        for cut in 12..index.len() - 20 {
            let mut recomputed = index[..cut].to_vec();
            recomputed.extend_from_slice(&[0xff; 20]);
            fix_checksum(&mut recomputed);
            if State::from_bytes(&recomputed).is_ok() {
                n_decoded += 1;
            }
        }
        assert!(
            n_decoded <= 3,
            "{n_decoded} cuts decode; the entries and two extensions allow three"
        );
    }
    Ok(())
}

#[test]
fn every_flipped_byte_is_detected() -> Result {
    let indexes = small_index()?;
    let (v2, v4) = both_versions(&indexes)?;
    for index in [v2, v4] {
        for at in 0..index.len() {
            let mut bad = index.to_vec();
            bad[at] ^= 0x55;
            assert!(
                State::from_bytes(&bad).is_err(),
                "flipping byte {at} is detected"
            );
        }
    }
    Ok(())
}

#[test]
fn flipped_bytes_behind_a_valid_checksum_never_panic() -> Result {
    let indexes = small_index()?;
    let (v2, v4) = both_versions(&indexes)?;
    for index in [v2, v4] {
        for at in 0..index.len() - 20 {
            for flip in [0x01, 0x80, 0xff] {
                let mut bad = index.to_vec();
                bad[at] ^= flip;
                fix_checksum(&mut bad);
                // Some flips are harmless (stat data, object ids); none may panic.
                if let Ok(state) = State::from_bytes(&bad) {
                    let written =
                        state.to_bytes(tabgit_index::write::Options::unchanged(&state))?;
                    State::from_bytes(&written)?;
                }
            }
        }
    }
    Ok(())
}

#[test]
fn header_errors() {
    assert_eq!(State::from_bytes(b""), Err(Error::TooShort { len: 0 }));
    assert_eq!(
        State::from_bytes(&[0; 31]),
        Err(Error::TooShort { len: 31 })
    );
    let mut index = raw_index(2, 0, &[], &[]);
    index[..4].copy_from_slice(b"DIRX");
    assert_eq!(
        State::from_bytes(&index),
        Err(Error::BadSignature { found: *b"DIRX" })
    );
    for version in [0, 1, 5, u32::MAX] {
        assert_eq!(
            State::from_bytes(&raw_index(version, 0, &[], &[])),
            Err(Error::UnsupportedVersion { version })
        );
    }
    let mut index = raw_index(2, 0, &[], &[]);
    let last = index.len() - 1;
    index[last] ^= 1;
    assert!(matches!(
        State::from_bytes(&index),
        Err(Error::ChecksumMismatch { .. })
    ));
    let message = State::from_bytes(&index)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(message.contains("corrupt"), "{message}");
}

#[test]
fn huge_declared_counts_fail_fast() {
    let entry = raw_entry(b"a", 0o100_644, 0, None);
    for n_entries in [2, 1 << 20, u32::MAX] {
        let index = raw_index(2, n_entries, std::slice::from_ref(&entry), &[]);
        assert!(
            matches!(
                State::from_bytes(&index),
                Err(Error::TruncatedEntry { entry_idx: 1, .. })
            ),
            "{n_entries} entries announced, one present"
        );
    }
}

#[test]
fn entry_errors() {
    let decode = |entries: &[Vec<u8>], version: u32| {
        State::from_bytes(&raw_index(version, entries.len() as u32, entries, &[]))
    };
    let file = 0o100_644;

    let mut wrong_length = raw_entry(b"abc", file, 0, None);
    wrong_length[61] = 2;
    assert!(matches!(
        decode(&[wrong_length], 2),
        Err(Error::PathLengthMismatch { declared: 2, .. } | Error::BadPadding { .. })
    ));
    let mut nul_inside = raw_entry(b"abc", file, 0, None);
    nul_inside[63] = 0;
    assert!(matches!(
        decode(&[nul_inside], 2),
        Err(Error::PathLengthMismatch {
            declared: 3,
            actual: 1,
            ..
        })
    ));
    let mut dirty_padding = raw_entry(b"abc", file, 0, None);
    let last = dirty_padding.len() - 1;
    dirty_padding[last] = b'x';
    assert!(matches!(
        decode(&[dirty_padding], 2),
        Err(Error::BadPadding { .. })
    ));
    let mut short_long_name = raw_entry(b"abc", file, 0, None);
    short_long_name[60..62].copy_from_slice(&0x0fffu16.to_be_bytes());
    assert!(matches!(
        decode(&[short_long_name], 2),
        Err(Error::PathLengthMismatch {
            declared: 0xfff,
            actual: 3,
            ..
        })
    ));
    assert!(matches!(
        decode(&[raw_entry(b"", file, 0, None)], 2),
        Err(Error::EmptyPath { .. })
    ));
    for mode in [0, 0o100_664, 0o40000, 0o100_644 | 0o1000] {
        assert_eq!(
            decode(&[raw_entry(b"a", mode, 0, None)], 2),
            Err(Error::InvalidMode {
                path: "a".into(),
                mode
            })
        );
    }
    assert!(matches!(
        decode(&[raw_entry(b"a", file, 0x4000, Some(0x4000))], 2),
        Err(Error::ExtendedFlagInV2 { .. })
    ));
    for unknown in [0x8000, 0x1000, 0x0001] {
        assert_eq!(
            decode(&[raw_entry(b"a", file, 0x4000, Some(unknown))], 3),
            Err(Error::UnknownExtendedFlags {
                path: "a".into(),
                flags: unknown
            })
        );
    }
    assert!(decode(&[raw_entry(b"a", file, 0x4000, Some(0x6000))], 3).is_ok());
}

#[test]
fn order_errors() {
    let decode = |entries: &[(&[u8], u16)]| {
        let raw: Vec<_> = entries
            .iter()
            .map(|(path, stage)| raw_entry(path, 0o100_644, stage << 12, None))
            .collect();
        State::from_bytes(&raw_index(2, raw.len() as u32, &raw, &[]))
    };
    assert!(matches!(
        decode(&[(b"b", 0), (b"a", 0)]),
        Err(Error::Unsorted { .. })
    ));
    assert!(matches!(
        decode(&[(b"a/b", 0), (b"a-b", 0)]),
        Err(Error::Unsorted { .. })
    ));
    assert!(matches!(
        decode(&[(b"a", 3), (b"a", 2)]),
        Err(Error::Unsorted {
            stage: 2,
            previous_stage: 3,
            ..
        })
    ));
    assert_eq!(
        decode(&[(b"a", 1), (b"a", 1)]),
        Err(Error::Duplicate {
            path: "a".into(),
            stage: 1
        })
    );
    assert_eq!(
        decode(&[(b"a", 0), (b"a", 2)]),
        Err(Error::MergedAndConflicted { path: "a".into() })
    );
    assert!(decode(&[(b"a", 1), (b"a", 3), (b"b", 0)]).is_ok());
}

/// A version 4 entry for `suffix` after stripping `strip_varint`.
fn v4_entry(strip_varint: &[u8], suffix: &[u8], name_len: u16) -> Vec<u8> {
    let mut out = raw_entry(b"", 0o100_644, 0, None)[..62].to_vec();
    out[60..62].copy_from_slice(&name_len.to_be_bytes());
    out.extend_from_slice(strip_varint);
    out.extend_from_slice(suffix);
    out.push(0);
    out
}

#[test]
fn version_4_prefix_errors() -> Result {
    let decode =
        |entries: &[Vec<u8>]| State::from_bytes(&raw_index(4, entries.len() as u32, entries, &[]));
    let state = decode(&[v4_entry(&[0], b"dir/a", 5), v4_entry(&[1], b"b", 5)])?;
    assert_eq!(state.entries()[1].path, b"dir/b");
    assert!(matches!(
        decode(&[v4_entry(&[1], b"a", 1)]),
        Err(Error::BadPathPrefix {
            strip: 1,
            previous_len: 0,
            ..
        })
    ));
    assert!(matches!(
        decode(&[v4_entry(&[0], b"ab", 2), v4_entry(&[3], b"c", 1)]),
        Err(Error::BadPathPrefix { strip: 3, .. })
    ));
    let overflow = [0xff; 11];
    assert!(matches!(
        decode(&[v4_entry(&overflow, b"a", 1)]),
        Err(Error::BadPathPrefix {
            strip: u64::MAX,
            ..
        })
    ));
    assert!(matches!(
        decode(&[v4_entry(&[0], b"abc", 2)]),
        Err(Error::PathLengthMismatch {
            declared: 2,
            actual: 3,
            ..
        })
    ));
    let mut unterminated = v4_entry(&[0], b"abc", 3);
    unterminated.pop();
    assert!(matches!(
        decode(&[unterminated]),
        Err(Error::TruncatedEntry { .. })
    ));
    Ok(())
}

#[test]
fn extension_errors() {
    let entry = raw_entry(b"a", 0o100_644, 0, None);
    let decode = |extensions: &[u8]| {
        State::from_bytes(&raw_index(2, 1, std::slice::from_ref(&entry), extensions))
    };
    let mut oversized = raw_extension(b"ABCD", b"data");
    oversized[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        decode(&oversized),
        Err(Error::TruncatedExtension {
            signature: *b"ABCD",
            offset: 76
        })
    );
    assert_eq!(
        decode(b"ABC"),
        Err(Error::TrailingBytes { offset: 76, len: 3 })
    );
    assert_eq!(
        decode(&raw_extension(b"zzzz", b"")),
        Err(Error::UnsupportedExtension {
            signature: *b"zzzz"
        })
    );
    let tree = raw_extension(b"TREE", b"\0-1 0\n");
    assert_eq!(
        decode(&[tree.clone(), tree].concat()),
        Err(Error::DuplicateExtension {
            signature: *b"TREE"
        })
    );
    assert!(matches!(
        decode(&raw_extension(b"TREE", b"\0-1 1\n")),
        Err(Error::CacheTree(cache_tree::Error::Truncated { .. }))
    ));
    assert!(matches!(
        decode(&raw_extension(b"REUC", b"a\0")),
        Err(Error::ResolveUndo(resolve_undo::Error::Truncated { .. }))
    ));
    let state = decode(&raw_extension(b"Xyz1", b"kept")).expect("optional extensions are kept");
    assert_eq!(state.raw_extensions()[0].data, b"kept");
}

#[test]
fn required_extension_wins_over_entries_it_explains() {
    // A sparse index has directory entries; the error must name `sdir`, not the mode.
    let directory = raw_entry(b"dir/", 0o40000, 0, None);
    let index = raw_index(2, 1, &[directory], &raw_extension(b"sdir", b""));
    assert_eq!(
        State::from_bytes(&index),
        Err(Error::UnsupportedExtension {
            signature: *b"sdir"
        })
    );
}

#[test]
fn malformed_cache_trees() {
    let id = [7u8; 20];
    let with_id = |text: &[u8]| [text, &id].concat();
    let cases: Vec<(Vec<u8>, cache_tree::Error)> = vec![
        (b"".to_vec(), cache_tree::Error::Truncated { offset: 0 }),
        (b"\0".to_vec(), cache_tree::Error::Truncated { offset: 1 }),
        (with_id(b"x\x001 0\n"), cache_tree::Error::RootHasName),
        (
            b"\0-1 1\n\0-1 0\n".to_vec(),
            cache_tree::Error::BadName { offset: 6 },
        ),
        (
            b"\0-1 1\na/b\0-1 0\n".to_vec(),
            cache_tree::Error::BadName { offset: 6 },
        ),
        (
            b"\0-2 0\n".to_vec(),
            cache_tree::Error::BadCount { offset: 0 },
        ),
        (
            b"\0-0 0\n".to_vec(),
            cache_tree::Error::BadCount { offset: 0 },
        ),
        (
            b"\x0001 0\n".to_vec(),
            cache_tree::Error::BadCount { offset: 0 },
        ),
        (
            b"\0+1 0\n".to_vec(),
            cache_tree::Error::BadCount { offset: 0 },
        ),
        (
            b"\x001  0\n".to_vec(),
            cache_tree::Error::BadCount { offset: 0 },
        ),
        (
            b"\0-1 x\n".to_vec(),
            cache_tree::Error::BadCount { offset: 0 },
        ),
        (
            b"\0-1 99999999999\n".to_vec(),
            cache_tree::Error::BadCount { offset: 0 },
        ),
        (
            b"\0-1 2147483648\n".to_vec(),
            cache_tree::Error::BadCount { offset: 0 },
        ),
        (
            b"\x001 0\n".to_vec(),
            cache_tree::Error::Truncated { offset: 5 },
        ),
        (
            b"\0-1 0".to_vec(),
            cache_tree::Error::Truncated { offset: 4 },
        ),
        (
            b"\0-1 2147483647\n".to_vec(),
            cache_tree::Error::Truncated { offset: 15 },
        ),
        (
            b"\0-1 0\nextra".to_vec(),
            cache_tree::Error::TrailingData { offset: 6, len: 5 },
        ),
    ];
    for (data, expected) in cases {
        assert_eq!(
            CacheTree::from_bytes(&data),
            Err(expected),
            "{:?}",
            String::from_utf8_lossy(&data)
        );
    }
    assert!(CacheTree::from_bytes(&with_id(b"\x002147483647 0\n")).is_ok());
}

#[test]
fn malformed_resolve_undo() {
    let id = [7u8; 20];
    let record = |text: &[u8], n_ids: usize| {
        let mut out = text.to_vec();
        for _ in 0..n_ids {
            out.extend_from_slice(&id);
        }
        out
    };
    assert!(ResolveUndo::from_bytes(&record(b"a\x00100644\x000\x00120000\x00", 2)).is_ok());
    let cases: Vec<(Vec<u8>, resolve_undo::Error)> = vec![
        (b"a".to_vec(), resolve_undo::Error::Truncated { offset: 0 }),
        (
            b"a\x00100644\x000\x00".to_vec(),
            resolve_undo::Error::Truncated { offset: 0 },
        ),
        (
            record(b"a\x00100644\x000\x000\x00", 0),
            resolve_undo::Error::Truncated { offset: 0 },
        ),
        (
            record(b"\x00100644\x000\x000\x00", 1),
            resolve_undo::Error::EmptyPath { offset: 0 },
        ),
        (
            record(b"a\x00100664\x000\x000\x00", 1),
            resolve_undo::Error::BadMode {
                path: "a".into(),
                stage: 1,
            },
        ),
        (
            record(b"a\x000\x000100644\x000\x00", 1),
            resolve_undo::Error::BadMode {
                path: "a".into(),
                stage: 2,
            },
        ),
        (
            record(b"a\x000\x000\x00x\x00", 0),
            resolve_undo::Error::BadMode {
                path: "a".into(),
                stage: 3,
            },
        ),
        (
            record(b"a\x000\x000\x000\x00", 0),
            resolve_undo::Error::EmptyRecord { path: "a".into() },
        ),
        (
            [
                record(b"b\x00100644\x000\x000\x00", 1),
                record(b"a\x00100644\x000\x000\x00", 1),
            ]
            .concat(),
            resolve_undo::Error::Unsorted { path: "a".into() },
        ),
        (
            [
                record(b"a\x00100644\x000\x000\x00", 1),
                record(b"a\x000\x00100644\x000\x00", 1),
            ]
            .concat(),
            resolve_undo::Error::Unsorted { path: "a".into() },
        ),
    ];
    for (data, expected) in cases {
        assert_eq!(
            ResolveUndo::from_bytes(&data),
            Err(expected),
            "{:?}",
            String::from_utf8_lossy(&data)
        );
    }
}

#[test]
fn random_garbage_never_panics() {
    // A deterministic xorshift generator: no wall clock, no external crates.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..2000 {
        let len = (next() % 300) as usize;
        let mut body: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if len >= 12 {
            body[..4].copy_from_slice(b"DIRC");
            body[4..8].copy_from_slice(&(2 + (round % 3) as u32).to_be_bytes());
            body[8..12].copy_from_slice(&((next() % 4) as u32).to_be_bytes());
        }
        body.extend_from_slice(&[0xff; 20]);
        fix_checksum(&mut body);
        let _ = State::from_bytes(&body);
        let _ = CacheTree::from_bytes(&body);
        let _ = ResolveUndo::from_bytes(&body);
    }
}
