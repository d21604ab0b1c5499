//! Indexes git wrote in every configuration decode to what `git ls-files` reports.
use tabgit_index::{decode, Mode, Stage, State, Version};
use tabgit_testtools::Result;

use crate::{assert_matches_git, committed_repo, conflicted_repo, populated_repo, Repo};

#[test]
fn files_executables_symlinks_gitlinks_and_odd_names() -> Result {
    let repo = populated_repo()?;
    let state = assert_matches_git(&repo)?;
    assert_eq!(
        state.version(),
        Version::V2,
        "git writes version 2 by default"
    );
    let mode_of = |path: &[u8]| state.entry(path, Stage::Merged).map(|entry| entry.mode);
    assert_eq!(mode_of(b"a.txt"), Some(Mode::File));
    assert_eq!(mode_of(b"exec.sh"), Some(Mode::FileExecutable));
    assert_eq!(mode_of(b"link"), Some(Mode::Symlink));
    assert_eq!(mode_of(b"sub"), Some(Mode::Gitlink));
    assert_eq!(
        mode_of(b"caf\xe9/na\xefve"),
        Some(Mode::File),
        "non-UTF-8 paths are kept as bytes"
    );
    assert!(state.checksum().is_some(), "git checksums the index");
    assert!(
        state.cache_tree().is_none(),
        "git add alone records no cache tree"
    );
    assert!(state.raw_extensions().is_empty());
    assert!(!state.is_modified());
    Ok(())
}

#[test]
fn version_3_with_skip_worktree_and_intent_to_add() -> Result {
    let repo = committed_repo()?;
    repo.git(&["update-index", "--skip-worktree", "dir/file"])?;
    repo.write_file(b"new/intent.txt", b"later\n")?;
    repo.git(&["add", "-N", "new/intent.txt"])?;
    let state = assert_matches_git(&repo)?;
    assert_eq!(
        state.version(),
        Version::V3,
        "extended flags need version 3"
    );
    let flags_of = |path: &[u8]| state.entry(path, Stage::Merged).map(|entry| entry.flags);
    assert!(flags_of(b"dir/file").is_some_and(|flags| flags.skip_worktree));
    assert!(flags_of(b"new/intent.txt").is_some_and(|flags| flags.intent_to_add));
    assert!(
        flags_of(b"a.txt").is_some_and(|flags| !flags.skip_worktree && !flags.intent_to_add),
        "other entries carry no extended flags"
    );
    Ok(())
}

#[test]
fn assume_valid_flag() -> Result {
    let repo = committed_repo()?;
    repo.git(&["update-index", "--assume-unchanged", "a.txt"])?;
    let state = assert_matches_git(&repo)?;
    assert_eq!(
        state.version(),
        Version::V2,
        "assume-valid fits in version 2"
    );
    assert!(state
        .entry(b"a.txt", Stage::Merged)
        .is_some_and(|entry| entry.flags.assume_valid));
    Ok(())
}

#[test]
fn version_4_prefix_compression() -> Result {
    let repo = committed_repo()?;
    repo.git(&["update-index", "--skip-worktree", "dir/sub/deep.txt"])?;
    let v3 = repo.state()?;
    repo.git(&["update-index", "--index-version", "4"])?;
    let v4 = assert_matches_git(&repo)?;
    assert_eq!(v4.version(), Version::V4);
    assert_eq!(
        v4.entries(),
        v3.entries(),
        "the same entries decode from versions 3 and 4"
    );
    assert_eq!(v4.cache_tree(), v3.cache_tree());
    Ok(())
}

#[test]
fn conflict_stages() -> Result {
    let repo = conflicted_repo()?;
    let state = assert_matches_git(&repo)?;
    let conflicts: Vec<_> = state
        .conflicts()
        .map(|conflict| {
            (
                conflict.path.to_vec(),
                conflict.base.is_some(),
                conflict.ours.is_some(),
                conflict.theirs.is_some(),
            )
        })
        .collect();
    assert_eq!(
        conflicts,
        vec![
            (b"added.txt".to_vec(), false, true, true),
            (b"both.txt".to_vec(), true, true, true),
            (b"gone.txt".to_vec(), true, false, true),
        ],
        "add/add has no base, modify/delete has no ours"
    );
    let unmerged = repo.git_text(&["diff", "--name-only", "--diff-filter=U"])?;
    assert_eq!(
        unmerged.lines().collect::<Vec<_>>(),
        ["added.txt", "both.txt", "gone.txt"]
    );
    assert!(state.entry(b"clean.txt", Stage::Merged).is_some());
    assert_eq!(state.path_entries(b"both.txt").len(), 3);
    Ok(())
}

#[test]
fn paths_of_4095_bytes_and_more() -> Result {
    let repo = committed_repo()?;
    let long_dir = "d".repeat(200);
    let mut paths = Vec::new();
    for len in [4094usize, 4095, 4096, 5000] {
        let mut path = String::new();
        while path.len() + long_dir.len() + 1 < len {
            path.push_str(&long_dir);
            path.push('/');
        }
        path.push_str(&"f".repeat(len - path.len()));
        assert_eq!(path.len(), len);
        paths.push(path);
    }
    for path in &paths {
        repo.git(&[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("100644,ce013625030ba8dba906f756967f9e9ca394464a,{path}"),
        ])?;
    }
    let v2 = assert_matches_git(&repo)?;
    for path in &paths {
        assert!(
            v2.entry(path.as_bytes(), Stage::Merged).is_some(),
            "a {}-byte path decodes",
            path.len()
        );
    }
    repo.git(&["update-index", "--index-version", "4"])?;
    let v4 = assert_matches_git(&repo)?;
    assert_eq!(
        v4.entries(),
        v2.entries(),
        "long paths decode from version 4 too"
    );
    Ok(())
}

#[test]
fn skip_hash_index_has_no_checksum() -> Result {
    let repo = committed_repo()?;
    repo.git(&[
        "-c",
        "index.skipHash=true",
        "update-index",
        "--index-version",
        "3",
    ])?;
    let bytes = repo.index_bytes()?;
    assert!(
        bytes[bytes.len() - 20..].iter().all(|&b| b == 0),
        "git wrote a null checksum"
    );
    let state = assert_matches_git(&repo)?;
    assert_eq!(state.checksum(), None);
    Ok(())
}

#[test]
fn split_index_is_refused_with_a_hint() -> Result {
    let repo = committed_repo()?;
    repo.git(&["update-index", "--split-index"])?;
    let err = State::from_bytes(&repo.index_bytes()?).expect_err("link is a required extension");
    assert_eq!(
        err,
        decode::Error::UnsupportedExtension {
            signature: *b"link"
        }
    );
    let message = err.to_string();
    assert!(
        message.contains("link") && message.contains("git update-index --no-split-index"),
        "the message names the extension and how to get rid of it: {message}"
    );
    Ok(())
}

#[test]
fn sparse_index_is_refused_with_a_hint() -> Result {
    let repo = committed_repo()?;
    repo.git(&["sparse-checkout", "set", "--cone", "--sparse-index", "dir"])?;
    let err = State::from_bytes(&repo.index_bytes()?).expect_err("sdir is a required extension");
    assert_eq!(
        err,
        decode::Error::UnsupportedExtension {
            signature: *b"sdir"
        }
    );
    assert!(err.to_string().contains("--no-sparse-index"), "{err}");
    Ok(())
}

#[test]
fn empty_index() -> Result {
    let repo = Repo::init()?;
    repo.write_file(b"a", b"a")?;
    repo.git(&["add", "a"])?;
    repo.git(&["rm", "-q", "--cached", "a"])?;
    let state = assert_matches_git(&repo)?;
    assert!(state.is_empty());
    Ok(())
}
