//! Indexes we write are git's bytes when nothing changed, and git accepts them in every case.
use tabgit_index::write::Options;
use tabgit_index::{extension, Entry, Mode, ObjectId, State, Version};
use tabgit_testtools::Result;

use crate::{committed_repo, conflicted_repo, ls_files_stage, populated_repo, Repo};

/// What git says about a repository: `status --porcelain`, `ls-files --stage` and `fsck`.
fn git_view(repo: &Repo) -> Result<(Vec<u8>, Vec<crate::StageLine>)> {
    repo.git(&["fsck", "--no-progress", "--no-dangling"])?;
    Ok((
        repo.git(&["status", "--porcelain", "-z"])?,
        ls_files_stage(repo)?,
    ))
}

/// Write the repository's index back with `options`, replace `.git/index` with it and check that
/// git sees the same repository; return our bytes.
fn rewrite_and_check(repo: &Repo, options: Options) -> Result<Vec<u8>> {
    let before = git_view(repo)?;
    let state = repo.state()?;
    let bytes = state.to_bytes(options)?;
    repo.replace_index(&bytes)?;
    assert_eq!(
        git_view(repo)?,
        before,
        "git status, ls-files --stage and fsck agree after replacing the index"
    );
    assert_eq!(
        State::from_bytes(&bytes)?.entries(),
        state.entries(),
        "our bytes decode to the same entries"
    );
    Ok(bytes)
}

#[test]
fn version_2_without_extensions_is_byte_identical() -> Result {
    let repo = populated_repo()?;
    let original = repo.index_bytes()?;
    let bytes = rewrite_and_check(&repo, Options::default())?;
    assert_eq!(
        bytes, original,
        "git's index without extensions is reproduced byte for byte"
    );
    Ok(())
}

#[test]
fn unchanged_index_with_cache_tree_is_byte_identical() -> Result {
    let repo = committed_repo()?;
    assert!(
        repo.git(&["status", "--porcelain"])?.is_empty(),
        "a clean worktree"
    );
    let original = repo.index_bytes()?;
    let bytes = rewrite_and_check(&repo, Options::default())?;
    assert_eq!(
        bytes, original,
        "TREE is kept unchanged when the entries are"
    );
    assert!(
        repo.git(&["status", "--porcelain"])?.is_empty(),
        "still clean"
    );
    Ok(())
}

#[test]
fn version_3_flags_are_kept() -> Result {
    let repo = committed_repo()?;
    repo.git(&["update-index", "--skip-worktree", "dir/file"])?;
    repo.write_file(b"new.txt", b"new\n")?;
    repo.git(&["add", "-N", "new.txt"])?;
    let original = repo.index_bytes()?;
    let bytes = rewrite_and_check(&repo, Options::default())?;
    assert_eq!(
        bytes[..8],
        *b"DIRC\0\0\0\x03",
        "extended flags keep version 3"
    );
    assert_eq!(bytes, original);
    Ok(())
}

#[test]
fn version_4_to_2_matches_git_conversion() -> Result {
    let repo = committed_repo()?;
    repo.git(&["update-index", "--index-version", "4"])?;
    let v4_original = repo.index_bytes()?;
    let v4 = rewrite_and_check(&repo, Options::unchanged(&repo.state()?))?;
    assert_eq!(v4, v4_original, "version 4 is reproduced byte for byte");

    let v2 = rewrite_and_check(&repo, Options::default())?;
    repo.replace_index(&v4_original)?;
    repo.git(&["update-index", "--index-version", "2"])?;
    assert_eq!(
        v2,
        repo.index_bytes()?,
        "our version 2 is what git converts version 4 to"
    );
    Ok(())
}

#[test]
fn conflicts_and_resolve_undo_survive() -> Result {
    let repo = conflicted_repo()?;
    let original = repo.index_bytes()?;
    assert_eq!(rewrite_and_check(&repo, Options::default())?, original);
    repo.write_file(b"both.txt", b"resolved\n")?;
    repo.git(&["add", "both.txt"])?;
    let original = repo.index_bytes()?;
    assert_eq!(
        rewrite_and_check(&repo, Options::default())?,
        original,
        "REUC is written back"
    );
    Ok(())
}

#[test]
fn long_paths_are_written_as_git_writes_them() -> Result {
    let repo = committed_repo()?;
    let path = format!("{}/{}", "d".repeat(200), "f".repeat(4000));
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("100644,ce013625030ba8dba906f756967f9e9ca394464a,{path}"),
    ])?;
    let original = repo.index_bytes()?;
    let state = repo.state()?;
    assert_eq!(state.to_bytes(Options::default())?, original);
    repo.git(&["update-index", "--index-version", "4"])?;
    let original = repo.index_bytes()?;
    let state = repo.state()?;
    assert_eq!(state.to_bytes(Options::unchanged(&state))?, original);
    Ok(())
}

#[test]
fn raw_extensions_are_dropped_by_default_and_kept_on_request() -> Result {
    let repo = committed_repo()?;
    repo.git(&["update-index", "--untracked-cache"])?;
    let hook = repo.dir.join(".git/fsmonitor-hook");
    std::fs::write(&hook, "#!/bin/sh\nprintf 'token\\0/\\0'\n")?;
    crate::set_executable(&hook)?;
    let fsmonitor = format!("core.fsmonitor={}", hook.to_str().ok_or("utf-8 path")?);
    repo.git(&["-c", &fsmonitor, "status", "--porcelain"])?;
    let original = repo.index_bytes()?;
    let state = repo.state()?;
    assert_eq!(state.raw_extensions().len(), 2, "UNTR and FSMN");

    let exact = state.to_bytes(Options::unchanged(&state))?;
    assert_eq!(
        exact, original,
        "an unchanged index is written back exactly"
    );

    let dropped = rewrite_and_check(&repo, Options::default())?;
    let reread = State::from_bytes(&dropped)?;
    assert!(
        reread.raw_extensions().is_empty(),
        "UNTR and FSMN are dropped"
    );
    assert_eq!(reread.cache_tree(), state.cache_tree(), "TREE is kept");

    // EOIE is never written back: it holds an offset into the file.
    repo.replace_index(&original)?;
    repo.git(&[
        "-c",
        &fsmonitor,
        "-c",
        "index.recordEndOfIndexEntries=true",
        "update-index",
        "--index-version",
        "2",
    ])?;
    let state = repo.state()?;
    assert!(state
        .raw_extensions()
        .iter()
        .any(|raw| raw.signature == extension::END_OF_INDEX_ENTRIES));
    let bytes = state.to_bytes(Options::unchanged(&state))?;
    let reread = State::from_bytes(&bytes)?;
    assert!(reread
        .raw_extensions()
        .iter()
        .all(|raw| raw.signature != extension::END_OF_INDEX_ENTRIES));
    repo.replace_index(&bytes)?;
    repo.git(&["-c", &fsmonitor, "status", "--porcelain"])?;
    Ok(())
}

#[test]
fn modified_index_drops_cache_tree_and_raw_extensions() -> Result {
    let repo = committed_repo()?;
    repo.git(&["update-index", "--untracked-cache"])?;
    repo.git(&["status", "--porcelain"])?;
    let mut state = repo.state()?;
    assert!(state.cache_tree().is_some() && !state.raw_extensions().is_empty());
    repo.write_file(b"added.txt", b"added\n")?;
    let blob_id: ObjectId = repo
        .git_text(&["hash-object", "-w", "added.txt"])?
        .parse()?;
    state.insert(Entry::new(b"added.txt".to_vec(), Mode::File, blob_id))?;
    assert!(state.is_modified());
    assert!(
        state.cache_tree().is_none(),
        "a new entry drops the cache tree"
    );
    assert!(state.raw_extensions().is_empty(), "and the raw extensions");
    repo.replace_index(&state.to_bytes(Options::unchanged(&state))?)?;
    assert_eq!(
        repo.git(&["status", "--porcelain"])?,
        b"A  added.txt\n",
        "git sees the staged file"
    );
    repo.git(&["commit", "-q", "-m", "add"])?;
    repo.git(&["fsck", "--no-progress"])?;
    assert_eq!(
        repo.git_text(&["ls-tree", "--name-only", "HEAD", "added.txt"])?,
        "added.txt"
    );
    Ok(())
}

#[test]
fn version_4_can_be_requested_for_any_state() -> Result {
    let repo = populated_repo()?;
    let state = repo.state()?;
    let v4 = state.to_bytes(Options {
        version: Version::V4,
        keep_raw_extensions: false,
    })?;
    assert_eq!(v4[..8], *b"DIRC\0\0\0\x04");
    let reread = State::from_bytes(&v4)?;
    assert_eq!(reread.entries(), state.entries());
    repo.git(&["update-index", "--index-version", "4"])?;
    assert_eq!(
        repo.index_bytes()?,
        v4,
        "git converts its version 2 index to the same version 4 file"
    );
    Ok(())
}
