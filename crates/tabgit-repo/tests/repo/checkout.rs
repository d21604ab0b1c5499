//! Checking out a tree writes what git writes and an index git agrees with.
use tabgit_repo::{FsFiles, FsWorktree, Repository};
use tabgit_testtools::{fixture, git, git_text, tempdir, Result};

#[test]
fn checkout_of_fixtures_leaves_git_status_clean() -> Result {
    for name in ["demo", "odd"] {
        let src = fixture(name)?;
        let tmp = tempdir()?;
        let work = tmp.path().join("work");
        // A repository whose objects we read, with a fresh working tree.
        git(
            tmp.path(),
            &[
                "clone",
                "-q",
                "--no-checkout",
                src.to_str().ok_or("utf-8")?,
                "work",
            ],
        )?;
        let repo = Repository::open(
            FsFiles::new(work.join(".git")),
            Some(Box::new(FsWorktree::new(&work))),
        )?;
        let tree = repo.rev_parse(b"HEAD^{tree}")?;
        let state = repo.checkout_tree(tree, &mut |_, _| {})?;
        repo.write_index(&state)?;
        assert_eq!(
            git_text(&work, &["status", "--porcelain"])?,
            "",
            "{name}: git sees a clean checkout"
        );
        assert_eq!(
            git_text(&work, &["ls-files", "--stage"])?,
            git_text(
                &work,
                &[
                    "ls-tree",
                    "-r",
                    "--format=%(objectmode) %(objectname) 0\t%(path)",
                    "HEAD"
                ]
            )?,
            "{name}: the index matches the tree"
        );
    }
    Ok(())
}

#[test]
fn unsafe_trees_are_refused_before_anything_is_written() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    git(dir, &["init", "-q", "--bare", "repo.git"])?;
    let git_dir = dir.join("repo.git");
    let blob =
        git_text(&git_dir, &["hash-object", "-w", "--stdin"]).or_else(|_| -> Result<String> {
            Ok(String::from_utf8(tabgit_testtools::git_with_input(
                &git_dir,
                &["hash-object", "-w", "--stdin"],
                b"evil\n",
            )?)?
            .trim()
            .to_owned())
        })?;
    for bad_name in [&b".git"[..], b"..", b".GIT", b"git~1"] {
        let mut tree = Vec::new();
        tree.extend_from_slice(b"100644 ");
        tree.extend_from_slice(bad_name);
        tree.push(0);
        tree.extend_from_slice(blob.parse::<tabgit_hash::ObjectId>()?.as_bytes());
        let tree_id = String::from_utf8(tabgit_testtools::git_with_input(
            &git_dir,
            &["hash-object", "-w", "-t", "tree", "--literally", "--stdin"],
            &tree,
        )?)?;
        let work = tempdir()?;
        let repo = Repository::open(
            FsFiles::new(&git_dir),
            Some(Box::new(FsWorktree::new(work.path()))),
        )?;
        let res = repo.checkout_tree(tree_id.trim().parse()?, &mut |_, _| {});
        assert!(
            matches!(res, Err(tabgit_repo::checkout::Error::UnsafeTree { .. })),
            "{:?} is refused",
            String::from_utf8_lossy(bad_name)
        );
        assert_eq!(
            std::fs::read_dir(work.path())?.count(),
            0,
            "nothing was written"
        );
    }
    Ok(())
}
