//! Merges through the API the web app uses: conflicts as data, resolution hunk by hunk, a
//! merge in progress surviving a restart, continue and abort.

use tabgit_object::{Signature, Time};
use tabgit_repo::merge::{self, Choice, Context, FastForward, Options, Outcome, Resolution};
use tabgit_repo::{FsFiles, FsWorktree, Repository};
use tabgit_testtools::{fixture, git, git_text, tempdir, Result, TempDir};

fn context() -> Context {
    let person = |name: &str| Signature {
        name: name.as_bytes().to_vec(),
        email: b"person@example.com".to_vec(),
        time: Time::new(1_700_000_000, 60),
    };
    Context {
        author: person("A U Thor"),
        committer: person("C O Mitter"),
    }
}

fn open(tmp: &TempDir) -> Result<Repository<FsFiles>> {
    let work = tmp.path().join("work");
    Ok(Repository::open(
        FsFiles::new(work.join(".git")),
        Some(Box::new(FsWorktree::new(&work))),
    )?)
}

/// The demo fixture on `conflict-a`, with `conflict-b` as a local branch.
fn demo() -> Result<TempDir> {
    let src = fixture("demo")?;
    let tmp = tempdir()?;
    git(
        tmp.path(),
        &["clone", "-q", src.to_str().ok_or("utf-8")?, "work"],
    )?;
    let work = tmp.path().join("work");
    git(
        &work,
        &["checkout", "-q", "-b", "conflict-a", "origin/conflict-a"],
    )?;
    git(&work, &["branch", "-q", "conflict-b", "origin/conflict-b"])?;
    Ok(tmp)
}

#[test]
fn conflicts_are_data_and_resolve_hunk_by_hunk() -> Result {
    let tmp = demo()?;
    let work = tmp.path().join("work");
    let outcome = {
        let repo = open(&tmp)?;
        merge::merge(&repo, b"conflict-b", &context(), &Options::default())?
    };
    let Outcome::Conflicted { merge } = outcome else {
        return Err("conflict-a and conflict-b conflict".into());
    };
    let paths: Vec<&[u8]> = merge.conflicts.iter().map(|c| c.path.as_slice()).collect();
    assert_eq!(paths, vec![&b"README.md"[..], b"src/lib.rs"]);
    assert!(merge
        .conflicts
        .iter()
        .all(|c| c.base.is_some() && c.ours.is_some() && c.theirs.is_some()));

    // A restart: a new Repository sees the merge in progress.
    let repo = open(&tmp)?;
    let state = merge::in_progress(&repo)?.ok_or("the merge survives a restart")?;
    assert_eq!(state.operation, merge::Operation::Merge);
    assert_eq!(state.unmerged.len(), 2);
    assert!(state
        .message
        .starts_with(b"Merge branch 'conflict-b' into conflict-a\n"));

    // Take theirs for every hunk of README.md; edit src/lib.rs.
    let view = merge::conflict(&repo, b"README.md")?.ok_or("README.md is conflicted")?;
    let file_merge = view.merge.as_ref().ok_or("text merge")?;
    assert_eq!(
        view.worktree.as_deref(),
        Some(file_merge.result.as_slice()),
        "the working tree shows the merge with markers"
    );
    let choices = vec![Choice::Theirs; file_merge.n_conflicts];
    let resolved = file_merge.resolve(&choices)?;
    merge::resolve(&repo, b"README.md", Resolution::Content(resolved.clone()))?;
    assert_eq!(std::fs::read(work.join("README.md"))?, resolved);
    assert!(
        merge::continue_merge(&repo, &context()).is_err(),
        "src/lib.rs is still conflicted"
    );
    merge::resolve(
        &repo,
        b"src/lib.rs",
        Resolution::Content(b"pub fn edited() {}\n".to_vec()),
    )?;
    let commit_id = merge::continue_merge(&repo, &context())?;
    assert_eq!(git_text(&work, &["rev-parse", "HEAD"])?, commit_id.to_hex());
    assert_eq!(
        git_text(&work, &["status", "--porcelain"])?,
        "",
        "clean after the merge"
    );
    assert_eq!(
        git_text(&work, &["log", "-1", "--format=%P"])?
            .split(' ')
            .count(),
        2
    );
    assert_eq!(
        git_text(&work, &["show", "HEAD:src/lib.rs"])?,
        "pub fn edited() {}"
    );
    assert!(merge::in_progress(&repo)?.is_none());
    git(&work, &["fsck", "--strict", "--no-progress"])?;
    Ok(())
}

#[test]
fn abort_restores_everything() -> Result {
    let tmp = demo()?;
    let work = tmp.path().join("work");
    let before_head = git_text(&work, &["rev-parse", "HEAD"])?;
    let before_index = git_text(&work, &["ls-files", "--stage"])?;
    let repo = open(&tmp)?;
    let outcome = merge::merge(&repo, b"conflict-b", &context(), &Options::default())?;
    assert!(matches!(outcome, Outcome::Conflicted { .. }));
    merge::abort(&repo, &context().committer)?;
    assert_eq!(git_text(&work, &["rev-parse", "HEAD"])?, before_head);
    assert_eq!(git_text(&work, &["ls-files", "--stage"])?, before_index);
    assert_eq!(git_text(&work, &["status", "--porcelain"])?, "");
    assert!(merge::in_progress(&repo)?.is_none());
    assert!(matches!(
        merge::abort(&repo, &context().committer),
        Err(merge::Error::NothingInProgress { .. })
    ));
    Ok(())
}

#[test]
fn fast_forward_rules() -> Result {
    let tmp = demo()?;
    let work = tmp.path().join("work");
    let repo = open(&tmp)?;
    // conflict-a is ahead of main's 1.1 start: main fast-forwards to it.
    git(&work, &["checkout", "-q", "-b", "behind", "conflict-a~1"])?;
    let outcome = merge::merge(
        &repo,
        b"conflict-a",
        &context(),
        &Options {
            fast_forward: FastForward::Only,
            ..Options::default()
        },
    )?;
    assert!(matches!(outcome, Outcome::FastForward { .. }));
    assert_eq!(
        git_text(&work, &["rev-parse", "HEAD"])?,
        git_text(&work, &["rev-parse", "conflict-a"])?
    );
    let again = merge::merge(&repo, b"conflict-a", &context(), &Options::default())?;
    assert_eq!(again, Outcome::UpToDate);
    let refused = merge::merge(
        &repo,
        b"conflict-b",
        &context(),
        &Options {
            fast_forward: FastForward::Only,
            ..Options::default()
        },
    );
    assert!(matches!(
        refused,
        Err(merge::Error::NotPossibleToFastForward)
    ));
    assert_eq!(git_text(&work, &["status", "--porcelain"])?, "");
    Ok(())
}
