//! `read_tree` builds the index `git read-tree` writes.
use tabgit_index::read_tree::Error;
use tabgit_index::write_tree::DryRun;
use tabgit_index::{read_tree, write_tree, Mode, ObjectId, Stage};
use tabgit_object::EntryMode;
use tabgit_testtools::Result;

use crate::committed_repo;

/// `git ls-tree -r -z HEAD` as `(path, mode, id)` triples.
fn flattened_head(repo: &crate::Repo) -> Result<Vec<(Vec<u8>, EntryMode, ObjectId)>> {
    let out = repo.git(&["ls-tree", "-r", "-z", "--full-tree", "HEAD"])?;
    let mut triples = Vec::new();
    for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let tab = record.iter().position(|&b| b == b'\t').ok_or("tab")?;
        let head = std::str::from_utf8(&record[..tab])?;
        let mut parts = head.split(' ');
        let mode = EntryMode::from_bytes(parts.next().ok_or("mode")?.as_bytes()).ok_or("mode")?;
        let _kind = parts.next().ok_or("type")?;
        let id: ObjectId = parts.next().ok_or("id")?.parse()?;
        triples.push((record[tab + 1..].to_vec(), mode, id));
    }
    Ok(triples)
}

#[test]
fn matches_git_read_tree_byte_for_byte() -> Result {
    let repo = committed_repo()?;
    let mut triples = flattened_head(&repo)?;
    triples.reverse();
    let mut state = read_tree(triples)?;
    assert!(
        state
            .iter()
            .all(|entry| entry.stat == tabgit_index::StatData::default()),
        "read-tree leaves stat data zeroed"
    );
    let outcome = write_tree(&state, &mut DryRun)?;
    state.set_cache_tree(Some(outcome.cache_tree));

    let index_file = repo.dir.join(".git/read-tree-index");
    repo.git_with_index(&index_file, &["read-tree", "HEAD"])?;
    assert_eq!(
        state.to_bytes(tabgit_index::write::Options::default())?,
        std::fs::read(&index_file)?,
        "entries and the primed cache tree are git read-tree's"
    );
    Ok(())
}

#[test]
fn modes_are_normalized_like_create_ce_mode() -> Result {
    let id = ObjectId::from_bytes([7; 20]);
    let mode = |digits: &[u8]| EntryMode::from_bytes(digits).ok_or("mode");
    let state = read_tree([
        (b"legacy".to_vec(), mode(b"100664")?, id),
        (b"group-exec".to_vec(), mode(b"100775")?, id),
        (b"link".to_vec(), mode(b"120000")?, id),
        (b"module".to_vec(), mode(b"160000")?, id),
    ])?;
    let mode_of = |path: &[u8]| state.entry(path, Stage::Merged).map(|entry| entry.mode);
    assert_eq!(mode_of(b"legacy"), Some(Mode::File));
    assert_eq!(mode_of(b"group-exec"), Some(Mode::FileExecutable));
    assert_eq!(mode_of(b"link"), Some(Mode::Symlink));
    assert_eq!(mode_of(b"module"), Some(Mode::Gitlink));
    assert_eq!(
        Mode::File.to_tree_mode(),
        EntryMode::BLOB,
        "trees get the canonical mode back"
    );
    Ok(())
}

#[test]
fn directories_duplicates_conflicts_and_bad_paths_are_refused() {
    let id = ObjectId::from_bytes([7; 20]);
    let file = EntryMode::BLOB;
    let refused = |triples: Vec<(&[u8], EntryMode)>| {
        read_tree(
            triples
                .into_iter()
                .map(|(path, mode)| (path.to_vec(), mode, id)),
        )
        .expect_err("refused")
    };
    assert!(matches!(
        refused(vec![(b"dir", EntryMode::TREE)]),
        Error::Directory { .. }
    ));
    assert!(matches!(
        refused(vec![(b"a", file), (b"b", file), (b"a", file)]),
        Error::Duplicate { path } if path == "a"
    ));
    assert!(matches!(
        refused(vec![(b"a/b/c", file), (b"a/b", file)]),
        Error::DirectoryFileConflict { path, file } if path == "a/b/c" && file == "a/b"
    ));
    for bad in [&b".git/config"[..], b"a/../b", b"a//b", b"/a", b"a/", b""] {
        assert!(
            matches!(refused(vec![(bad, file)]), Error::InvalidPath { .. }),
            "{:?} is refused",
            String::from_utf8_lossy(bad)
        );
    }
}
