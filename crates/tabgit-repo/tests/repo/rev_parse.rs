//! `rev-parse` resolves what git resolves.
use tabgit_repo::{FsFiles, Repository};
use tabgit_testtools::{fixture, git_text, Result};

#[test]
fn revisions_resolve_like_git() -> Result {
    let git_dir = fixture("demo")?;
    let repo = Repository::open(FsFiles::new(&git_dir), None)?;
    let head = git_text(&git_dir, &["rev-parse", "HEAD"])?;
    let short = &head[..7];
    let cases = [
        "HEAD",
        "main",
        "HEAD~2",
        "HEAD^",
        "HEAD^2",
        "main~1^2",
        "v1.0",
        "v1.0^{}",
        "v1.0^{commit}",
        "v0.1",
        "HEAD^{tree}",
        "feature",
        "refs/heads/topic",
        "conflict-a~1",
        "HEAD:README.md",
        "main:src",
        "HEAD^{/Merge}",
        "HEAD~3:README.md",
        "main^{/Merge}^2",
        short,
        "HEAD^0",
        "v1.0^{tag}",
        "@",
        "@~1",
    ];
    let mut resolved = 0;
    for case in cases {
        let ours = repo.rev_parse(case.as_bytes()).ok().map(|id| id.to_hex());
        let theirs = git_text(&git_dir, &["rev-parse", "--verify", "-q", case]).ok();
        assert_eq!(ours, theirs, "rev-parse {case}");
        resolved += usize::from(theirs.is_some());
    }
    assert!(
        resolved >= cases.len() - 2,
        "most cases name something in the demo repository"
    );
    for bad in ["nope", "HEAD~100", "HEAD^3", "HEAD:missing", "v1.0^{blob}"] {
        assert!(
            repo.rev_parse(bad.as_bytes()).is_err(),
            "{bad} does not resolve"
        );
    }
    Ok(())
}

#[test]
fn ranges_match_rev_list() -> Result {
    let git_dir = fixture("demo")?;
    let repo = Repository::open(FsFiles::new(&git_dir), None)?;
    for args in [
        vec!["main"],
        vec!["feature..main"],
        vec!["conflict-a...conflict-b"],
        vec!["main", "^feature"],
        vec!["HEAD^!"],
        vec!["HEAD^@"],
    ] {
        let raw: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        let range = repo.rev_parse_range(&raw)?;
        let mut graph = repo.graph()?;
        let ours = tabgit_revision::walk::rev_list(
            &mut graph,
            &range.include,
            &range.exclude,
            &tabgit_revision::walk::Options::default(),
        )?;
        let mut git_args = vec!["rev-list"];
        git_args.extend(args.iter().copied());
        let theirs = git_text(&git_dir, &git_args)?;
        let ours: Vec<String> = ours.iter().map(tabgit_hash::ObjectId::to_hex).collect();
        assert_eq!(ours.join("\n"), theirs, "rev-list {args:?}");
    }
    Ok(())
}
