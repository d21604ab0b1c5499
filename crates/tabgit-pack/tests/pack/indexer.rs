//! `index-pack`: our index of git's packs equals git's, and git accepts what we index.
use std::fmt::Write as _;

use tabgit_object::Kind;
use tabgit_pack::bundle::Limits;
use tabgit_pack::indexer::{Indexer, NoThinBases, Options};
use tabgit_pack::{Bundle, Index};
use tabgit_testtools::{all_objects, git, git_with_input, tempdir, Result};

use crate::packed_repo;

fn index_in_chunks(pack: &[u8], chunk: usize) -> Result<tabgit_pack::indexer::Outcome> {
    let mut indexer = Indexer::new(Options::default());
    for piece in pack.chunks(chunk) {
        indexer.feed(piece)?;
    }
    Ok(indexer.finish(&NoThinBases, &mut |_| {})?)
}

#[test]
fn index_equals_git_index_byte_for_byte() -> Result {
    let (_tmp, _git_dir, pack_path, idx_path) = packed_repo()?;
    let pack = std::fs::read(&pack_path)?;
    let git_idx = std::fs::read(&idx_path)?;
    for chunk in [1, 7, 4096, pack.len()] {
        let outcome = index_in_chunks(&pack, chunk)?;
        assert!(outcome.n_deltas > 0, "the fixture pack has deltas");
        assert_eq!(
            outcome.pack.to_vec(),
            pack,
            "a complete pack is stored unchanged"
        );
        assert!(
            outcome.index == git_idx,
            "our .idx equals git's for chunks of {chunk} bytes"
        );
    }
    Ok(())
}

#[test]
fn bundle_reads_every_object_like_git() -> Result {
    let (_tmp, git_dir, pack_path, idx_path) = packed_repo()?;
    let bundle = Bundle::new(
        std::fs::read(pack_path)?,
        Index::from_bytes(std::fs::read(idx_path)?)?,
        Limits::default(),
    )?;
    bundle.verify()?;
    let mut buf = Vec::new();
    let objects = all_objects(&git_dir)?;
    assert_eq!(objects.len(), bundle.index().len());
    for (hex, kind, content) in objects {
        let found = bundle
            .find(&hex.parse()?, &mut buf)?
            .ok_or("object is in the pack")?;
        assert_eq!(found, Kind::from_bytes(kind.as_bytes())?);
        assert!(buf == content, "object {hex} reads back as git stores it");
    }
    Ok(())
}

#[test]
fn verify_pack_output_matches_git() -> Result {
    let (_tmp, git_dir, pack_path, idx_path) = packed_repo()?;
    let bundle = Bundle::new(
        std::fs::read(&pack_path)?,
        Index::from_bytes(std::fs::read(&idx_path)?)?,
        Limits::default(),
    )?;
    let git_out = String::from_utf8(git(
        &git_dir,
        &["verify-pack", "-v", idx_path.to_str().ok_or("utf-8 path")?],
    )?)?;
    let mut ours = Vec::new();
    for e in bundle.entries()? {
        let mut line = format!(
            "{} {:<6} {} {} {}",
            e.id,
            e.kind.as_str(),
            e.size,
            e.packed_size,
            e.offset
        );
        if let Some((depth, base)) = e.delta {
            write!(line, " {depth} {base}")?;
        }
        ours.push(line);
    }
    let theirs: Vec<&str> = git_out
        .lines()
        .take_while(|l| !l.starts_with("non delta"))
        .collect();
    assert_eq!(ours, theirs, "per-object lines of verify-pack -v");
    Ok(())
}

#[test]
fn thin_pack_is_completed_from_local_objects() -> Result {
    let (_tmp, git_dir, pack_path, idx_path) = packed_repo()?;
    let local = Bundle::new(
        std::fs::read(pack_path)?,
        Index::from_bytes(std::fs::read(idx_path)?)?,
        Limits::default(),
    )?;
    // New history on top, sent as a thin pack against what "the other side" (local) has.
    let work = git_dir.parent().ok_or("work tree")?;
    let mut text = std::fs::read_to_string(work.join("grow.txt"))?;
    text.push_str("one more line\n");
    std::fs::write(work.join("grow.txt"), text)?;
    git(work, &["commit", "-qam", "thin"])?;
    let thin = git_with_input(
        work,
        &["pack-objects", "--thin", "--stdout", "--revs", "-q"],
        b"HEAD\n^HEAD~1\n",
    )?;

    let mut indexer = Indexer::new(Options::default());
    indexer.feed(&thin)?;
    let err = Indexer::new(Options::default());
    let mut err = err;
    err.feed(&thin)?;
    assert!(
        matches!(
            err.finish(&NoThinBases, &mut |_| {}),
            Err(tabgit_pack::indexer::Error::UnresolvedDeltas { .. })
        ),
        "a thin pack cannot be completed without its bases"
    );
    let outcome = indexer.finish(&local, &mut |_| {})?;
    assert!(outcome.n_thin_bases > 0, "the thin pack needed local bases");

    let tmp = tempdir()?;
    let pack_path = tmp
        .path()
        .join(format!("pack-{}.pack", outcome.pack_checksum));
    std::fs::write(&pack_path, outcome.pack.to_vec())?;
    std::fs::write(pack_path.with_extension("idx"), &outcome.index)?;
    git(
        tmp.path(),
        &["verify-pack", pack_path.to_str().ok_or("utf-8")?],
    )?;
    Ok(())
}

#[test]
fn deep_delta_chain_resolves_on_a_small_stack() -> Result {
    // 10,001 deltas in one chain, indexed on a thread with wasm's 1 MiB stack.
    let mut entries = vec![tabgit_pack::write::Entry::full(
        Kind::Blob,
        b"0\n".repeat(50),
    )];
    let mut content = b"0\n".repeat(50);
    for i in 0..10_001usize {
        content.truncate(100);
        content.extend_from_slice(format!("{i}\n").as_bytes());
        entries.push(tabgit_pack::write::Entry {
            kind: Kind::Blob,
            data: content.clone(),
            base: Some(tabgit_pack::write::DeltaBase::InPack(i)),
        });
    }
    let written = tabgit_pack::write::write_pack(&entries)?;
    assert!(written.n_deltas > 10_000, "the chain is made of deltas");
    let pack = written.data;
    let outcome = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || -> std::result::Result<_, String> {
            let mut indexer = Indexer::new(Options::default());
            indexer.feed(&pack).map_err(|e| e.to_string())?;
            let outcome = indexer
                .finish(&NoThinBases, &mut |_| {})
                .map_err(|e| e.to_string())?;
            let bundle = Bundle::new(
                outcome.pack.clone(),
                Index::from_bytes(outcome.index.clone()).map_err(|e| e.to_string())?,
                Limits::default(),
            )
            .map_err(|e| e.to_string())?;
            let mut buf = Vec::new();
            let last = *written.ids.last().expect("entries");
            bundle.find(&last, &mut buf).map_err(|e| e.to_string())?;
            Ok((outcome.n_objects, buf.len()))
        })?
        .join()
        .map_err(|_| "indexing panicked")??;
    assert_eq!(outcome.0, 10_002);
    assert_eq!(outcome.1, content.len());
    Ok(())
}

/// A pack whose whole (non-delta) commit names a tree the pack lacks must report the tree as an
/// external link, or the connectivity check lets a ref point at a commit without its tree
/// (RELIABILITY.md row 29; found by `tests/fixtures/make-malicious.sh` case `pack-missing-tree`).
#[test]
fn whole_objects_record_their_links() -> Result {
    let blob = b"only the blob is sent\n".to_vec();
    let blob_id = tabgit_object::compute_id(Kind::Blob, &blob);
    let missing_tree = tabgit_object::compute_id(Kind::Tree, b"not sent");
    let missing_parent = tabgit_object::compute_id(Kind::Commit, b"not sent either");
    let commit = format!(
        "tree {missing_tree}\nparent {missing_parent}\nauthor A <a@example.com> 1 +0000\n\
         committer A <a@example.com> 1 +0000\n\nx\n"
    )
    .into_bytes();
    let mut tree = b"100644 file\0".to_vec();
    tree.extend_from_slice(blob_id.as_bytes());
    let tree_id = tabgit_object::compute_id(Kind::Tree, &tree);
    let entries = vec![
        tabgit_pack::write::Entry::full(Kind::Commit, commit),
        tabgit_pack::write::Entry::full(Kind::Tree, tree),
        tabgit_pack::write::Entry::full(Kind::Blob, blob),
    ];
    let pack = tabgit_pack::write::write_pack(&entries)?;
    let mut indexer = Indexer::new(Options {
        collect_links: true,
        ..Options::default()
    });
    indexer.feed(&pack.data)?;
    let outcome = indexer.finish(&NoThinBases, &mut |_| {})?;
    assert_eq!(outcome.n_deltas, 0, "every object is whole");
    assert_eq!(
        outcome.external_links,
        {
            let mut expected = vec![(missing_tree, Kind::Tree), (missing_parent, Kind::Commit)];
            expected.sort_unstable_by_key(|(id, _)| *id);
            expected
        },
        "the commit's tree and parent are outside the pack; the tree's blob ({tree_id}) is inside"
    );
    Ok(())
}

/// Entries that straddle the received chunks (1 MiB each): a pack of several MiB of
/// incompressible blobs and their edited versions (stored as deltas) indexes to git's own `.idx`,
/// whether the deltas are kept from the first pass or inflated again from the chunks.
#[test]
fn entries_across_chunk_boundaries_index_like_git() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path().to_path_buf();
    git(&dir, &["init", "-q", "-b", "main"])?;
    // xorshift: bytes zlib cannot shrink, so the pack is as large as the blobs.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut noise = |len: usize| -> Vec<u8> {
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect()
    };
    let mut blobs: Vec<Vec<u8>> = (0..12).map(|i| noise(200_000 + i * 37_001)).collect();
    for round in 0..3 {
        for (i, blob) in blobs.iter_mut().enumerate() {
            let at = (round * 7919 + i * 104_729) % blob.len();
            blob.splice(at..at, noise(100 + round * 10));
            std::fs::write(dir.join(format!("blob{i}.bin")), &blob)?;
        }
        git(&dir, &["add", "-A"])?;
        git(&dir, &["commit", "-q", "-m", &format!("round {round}")])?;
    }
    git(&dir, &["repack", "-adq"])?;
    let (pack_path, idx_path) = crate::pack_files(&dir.join(".git"))?;
    let pack = std::fs::read(&pack_path)?;
    let git_idx = std::fs::read(&idx_path)?;
    assert!(
        pack.len() > 3 * tabgit_pack::pack_bytes::CHUNK_SIZE,
        "the pack spans several chunks ({} bytes)",
        pack.len()
    );
    for (piece, budget) in [(4096, usize::MAX), (pack.len(), 0), (65_537, 1 << 16)] {
        let mut indexer = Indexer::new(Options {
            keep_deltas_budget: budget,
            ..Options::default()
        });
        for part in pack.chunks(piece) {
            indexer.feed(part)?;
        }
        let outcome = indexer.finish(&NoThinBases, &mut |_| {})?;
        assert!(outcome.n_deltas >= 12, "the edited blobs are deltas");
        assert!(
            outcome.index == git_idx,
            "our .idx equals git's (fed {piece} bytes at a time, delta budget {budget})"
        );
        assert!(outcome.pack.to_vec() == pack, "the pack is kept unchanged");
    }
    Ok(())
}
