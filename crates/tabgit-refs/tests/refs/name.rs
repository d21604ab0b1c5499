//! Short names, expansion and classification, compared with `git for-each-ref` and `git rev-parse`.
use std::collections::BTreeSet;

use tabgit_refs::name::{self, Category};
use tabgit_testtools::{git, git_text, tempdir, Result};

#[test]
fn short_names_match_for_each_ref() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    crate::make_repo(dir)?;
    // Ambiguity: a tag and a branch named `topic`, a branch named like a remote-tracking ref.
    git(dir, &["tag", "topic", "HEAD~1"])?;
    git(dir, &["branch", "origin/main"])?;
    git(dir, &["update-ref", "refs/notes/commits", "HEAD"])?;
    git(dir, &["update-ref", "refs/stash", "HEAD"])?;

    let listing = git(
        dir,
        &["for-each-ref", "--format=%(refname)%00%(refname:short)"],
    )?;
    let mut pairs = Vec::new();
    for line in listing
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
    {
        let nul = line
            .iter()
            .position(|&b| b == 0)
            .ok_or("for-each-ref output has a NUL")?;
        pairs.push((line[..nul].to_vec(), line[nul + 1..].to_vec()));
    }
    let mut existing: BTreeSet<Vec<u8>> = pairs.iter().map(|(full, _)| full.clone()).collect();
    existing.insert(b"HEAD".to_vec());
    assert!(
        pairs.len() >= 10,
        "the repository has its refs: {}",
        pairs.len()
    );
    for (full_name, expected) in &pairs {
        let ours = name::shorten(full_name, true, |candidate| existing.contains(candidate));
        assert_eq!(
            String::from_utf8_lossy(ours),
            String::from_utf8_lossy(expected),
            "%(refname:short) of {}",
            String::from_utf8_lossy(full_name)
        );
    }
    let topic_short = name::shorten(b"refs/heads/topic", true, |c| existing.contains(c));
    assert_eq!(
        topic_short, b"heads/topic",
        "a tag named topic makes the branch ambiguous"
    );

    // rev-parse --abbrev-ref of HEAD, and DWIM resolution of an ambiguous short name.
    assert_eq!(
        git_text(dir, &["rev-parse", "--abbrev-ref", "HEAD"])?,
        "main"
    );
    assert_eq!(name::short_name(b"refs/heads/main"), b"main");
    let resolved =
        name::resolve_short_name(b"topic", |c| existing.contains(c)).ok_or("topic resolves")?;
    assert_eq!(resolved.full_name, b"refs/tags/topic");
    assert_eq!(
        git_text(dir, &["rev-parse", "topic"])?,
        git_text(dir, &["rev-parse", "refs/tags/topic"])?,
        "git prefers the tag, as the rule order says"
    );
    assert!(resolved.ambiguous, "topic is both a tag and a branch");
    let resolved =
        name::resolve_short_name(b"origin", |c| existing.contains(c)).ok_or("origin resolves")?;
    assert_eq!(resolved.full_name, b"refs/remotes/origin/HEAD");
    assert!(!resolved.ambiguous);
    Ok(())
}

#[test]
fn expansion_follows_ref_rev_parse_rules() {
    let expanded: Vec<String> = name::expand(b"main")
        .iter()
        .map(|full| String::from_utf8_lossy(full).into_owned())
        .collect();
    assert_eq!(
        expanded,
        [
            "main",
            "refs/main",
            "refs/tags/main",
            "refs/heads/main",
            "refs/remotes/main",
            "refs/remotes/main/HEAD"
        ]
    );
    assert!(name::matches_short_name(b"main", b"refs/heads/main"));
    assert!(name::matches_short_name(
        b"origin",
        b"refs/remotes/origin/HEAD"
    ));
    assert!(!name::matches_short_name(b"main", b"refs/heads/xmain"));
}

#[test]
fn shorten_without_ambiguity() {
    for (full, short) in [
        (&b"refs/heads/main"[..], &b"main"[..]),
        (b"refs/tags/v1.0", b"v1.0"),
        (b"refs/remotes/origin/main", b"origin/main"),
        (b"refs/remotes/origin/HEAD", b"origin"),
        (b"refs/notes/commits", b"notes/commits"),
        (b"refs/stash", b"stash"),
        (b"HEAD", b"HEAD"),
        (b"FETCH_HEAD", b"FETCH_HEAD"),
    ] {
        assert_eq!(name::short_name(full), short, "{full:?}");
    }
    // Loose mode only checks earlier rules: a branch `x` does not make the tag `x` ambiguous.
    let exists = |c: &[u8]| c == b"refs/heads/x";
    assert_eq!(name::shorten(b"refs/tags/x", false, exists), b"x");
    assert_eq!(name::shorten(b"refs/tags/x", true, exists), b"tags/x");
}

#[test]
fn classification() {
    assert_eq!(
        name::classify(b"refs/heads/feature/x"),
        (Category::LocalBranch, &b"feature/x"[..])
    );
    assert_eq!(name::classify(b"refs/tags/v1"), (Category::Tag, &b"v1"[..]));
    assert_eq!(
        name::classify(b"refs/remotes/origin/main"),
        (Category::RemoteBranch, &b"origin/main"[..])
    );
    assert_eq!(name::classify(b"refs/notes/commits").0, Category::Note);
    assert_eq!(
        name::classify(b"refs/stash"),
        (Category::OtherRef, &b"stash"[..])
    );
    assert_eq!(name::classify(b"HEAD"), (Category::Pseudo, &b"HEAD"[..]));
    assert_eq!(Category::of(b"refs/headsx/y"), Category::OtherRef);
    assert_eq!(Category::LocalBranch.prefix(), Some(&b"refs/heads/"[..]));
    assert_eq!(Category::Pseudo.prefix(), None);
}

#[test]
fn branch_names() {
    for good in [
        &b"main"[..],
        b"feature/x",
        b"a.b",
        b"\xc3\xa9",
        b"@x",
        b"x-",
    ] {
        assert!(
            name::is_valid_branch_name(good),
            "{good:?} is a branch name"
        );
    }
    for bad in [
        &b"HEAD"[..],
        b"-x",
        b"a..b",
        b"a b",
        b"x.lock",
        b"",
        b"a/",
        b"@{x",
    ] {
        assert!(
            !name::is_valid_branch_name(bad),
            "{bad:?} is not a branch name"
        );
    }
    assert_eq!(
        name::check_branch_name(b"HEAD"),
        Err(name::Error::BranchIsHead)
    );
}

#[test]
fn errors_name_the_rule() {
    let options = name::Options::default();
    assert!(matches!(
        name::check(b"refs/heads/a..b", options),
        Err(name::Error::DoubleDot { .. })
    ));
    assert!(matches!(
        name::check(b"refs/heads/a b", options),
        Err(name::Error::ForbiddenByte { byte: b' ', .. })
    ));
    assert!(matches!(
        name::check(b"main", options),
        Err(name::Error::OneLevel { .. })
    ));
    let pattern = name::Options {
        refspec_pattern: true,
        ..options
    };
    assert!(name::check(b"refs/heads/*", pattern).is_ok());
    assert!(matches!(
        name::check(b"refs/*/*", pattern),
        Err(name::Error::MultipleAsterisks { .. })
    ));
    let message = name::check(b"refs/heads/x.lock", options)
        .err()
        .map(|err| err.to_string())
        .unwrap_or_default();
    assert!(
        message.contains(".lock"),
        "the message names the rule: {message}"
    );
}
