//! Refspecs: the examples of `git-fetch.adoc`/`git-push.adoc`, validation compared with
//! `git fetch`/`git push --dry-run`, and mapping compared with what `git fetch` creates.
use tabgit_refs::refspec::{self, Kind, Operation, RefSpec};
use tabgit_testtools::{git, git_command, git_text, tempdir, Result};

#[test]
fn documented_examples() -> Result {
    // git-fetch.adoc "CONFIGURED REMOTE-TRACKING BRANCHES": the default fetch refspec.
    let spec = RefSpec::parse(b"+refs/heads/*:refs/remotes/origin/*", Operation::Fetch)?;
    assert!(spec.force && spec.pattern && spec.kind == Kind::Normal);
    assert_eq!(spec.source, b"refs/heads/*");
    assert_eq!(
        spec.destination.as_deref(),
        Some(&b"refs/remotes/origin/*"[..])
    );
    assert_eq!(
        spec.map_source(b"refs/heads/main").as_deref(),
        Some(&b"refs/remotes/origin/main"[..])
    );
    assert_eq!(
        spec.map_source(b"refs/heads/feature/x").as_deref(),
        Some(&b"refs/remotes/origin/feature/x"[..]),
        "* matches across slashes"
    );
    assert_eq!(spec.map_source(b"refs/tags/v1"), None);
    assert_eq!(
        spec.map_destination(b"refs/remotes/origin/main").as_deref(),
        Some(&b"refs/heads/main"[..])
    );
    assert_eq!(spec.to_bytes(), b"+refs/heads/*:refs/remotes/origin/*");

    // git-fetch.adoc: "refs/heads/*:refs/remotes/origin/*" with a pattern in the middle.
    let spec = RefSpec::parse(b"refs/heads/*/main:refs/remotes/*/main", Operation::Fetch)?;
    assert_eq!(
        spec.map_source(b"refs/heads/team/main").as_deref(),
        Some(&b"refs/remotes/team/main"[..])
    );
    assert_eq!(spec.map_source(b"refs/heads/team/other"), None);

    // A short source fetches one ref without storing it (git-fetch.adoc "<refspec>").
    let spec = RefSpec::parse(b"main", Operation::Fetch)?;
    assert_eq!(
        (spec.source.as_slice(), spec.destination.as_deref()),
        (&b"main"[..], None)
    );
    assert!(spec.matches_source(b"main"));
    assert_eq!(
        spec.map_source(b"main"),
        None,
        "no destination, nothing stored"
    );

    // git-push.adoc: `:refs/heads/gone` deletes, `:` pushes matching branches, `@` is HEAD.
    let spec = RefSpec::parse(b":refs/heads/gone", Operation::Push)?;
    assert!(spec.source.is_empty());
    assert_eq!(spec.destination.as_deref(), Some(&b"refs/heads/gone"[..]));
    let spec = RefSpec::parse(b"+:", Operation::Push)?;
    assert!(spec.kind == Kind::Matching && spec.force);
    assert_eq!(spec.to_bytes(), b"+:");
    let spec = RefSpec::parse(b"@:refs/heads/x", Operation::Push)?;
    assert_eq!(spec.source, b"HEAD");
    let spec = RefSpec::parse(b"HEAD", Operation::Fetch)?;
    assert_eq!(spec.source, b"HEAD");
    let spec = RefSpec::parse(b"HEAD~1:refs/heads/x", Operation::Push)?;
    assert_eq!(spec.source, b"HEAD~1", "push sources may be any revision");
    let spec = RefSpec::parse(
        b"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391:refs/heads/x",
        Operation::Fetch,
    )?;
    assert!(spec.source_is_object_id());

    // Negative refspecs (git-fetch.adoc "<refspec>": "^refs/heads/x").
    let specs = [
        RefSpec::parse(b"+refs/heads/*:refs/remotes/origin/*", Operation::Fetch)?,
        RefSpec::parse(b"^refs/heads/wip/*", Operation::Fetch)?,
        RefSpec::parse(b"^refs/heads/secret", Operation::Fetch)?,
    ];
    assert!(specs[1].kind == Kind::Negative && specs[1].pattern);
    assert!(refspec::is_excluded(&specs, b"refs/heads/wip/x"));
    assert!(refspec::is_excluded(&specs, b"refs/heads/secret"));
    assert!(!refspec::is_excluded(&specs, b"refs/heads/secretive"));
    assert_eq!(refspec::map_source(&specs, b"refs/heads/wip/x"), None);
    let mapped = refspec::map_source(&specs, b"refs/heads/main").ok_or("main is mapped")?;
    assert_eq!(mapped.destination, b"refs/remotes/origin/main");
    assert!(mapped.force);
    assert_eq!(specs[1].to_bytes(), b"^refs/heads/wip/*");
    Ok(())
}

#[test]
fn invalid_refspecs() {
    use refspec::Error;
    let cases: &[(&[u8], Operation)] = &[
        (b"refs/heads/*:refs/remotes/origin/main", Operation::Fetch),
        (b"refs/heads/main:refs/remotes/origin/*", Operation::Fetch),
        (b"refs/heads/*", Operation::Fetch),
        (b"refs/heads/*:", Operation::Fetch),
        (b"^refs/heads/x:refs/heads/y", Operation::Fetch),
        (b"^", Operation::Fetch),
        (
            b"^e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
            Operation::Fetch,
        ),
        (b"refs/heads/a..b", Operation::Fetch),
        (b"main:refs/heads/a b", Operation::Fetch),
        (b"refs/heads/**:refs/remotes/**", Operation::Fetch),
        (b"main:", Operation::Push),
        (b"", Operation::Push),
        (b"HEAD~1", Operation::Push),
        (b"main:refs/heads/a..b", Operation::Push),
        (b"a\0b", Operation::Fetch),
    ];
    for (spec, operation) in cases {
        assert!(
            RefSpec::parse(spec, *operation).is_err(),
            "{operation:?} refspec {:?} is refused",
            String::from_utf8_lossy(spec)
        );
    }
    assert!(matches!(
        RefSpec::parse(b"refs/heads/*", Operation::Fetch),
        Err(Error::FetchPatternWithoutDestination { .. })
    ));
    assert!(matches!(
        RefSpec::parse(b"main:", Operation::Push),
        Err(Error::EmptyPushDestination { .. })
    ));
    // Valid oddities: empty fetch source (HEAD), empty fetch destination, push pattern alone.
    for (spec, operation) in [
        (&b""[..], Operation::Fetch),
        (b":", Operation::Fetch),
        (b"main:", Operation::Fetch),
        (b"refs/heads/*", Operation::Push),
        (b"^refs/heads/*", Operation::Push),
    ] {
        assert!(
            RefSpec::parse(spec, operation).is_ok(),
            "{operation:?} refspec {:?} is accepted",
            String::from_utf8_lossy(spec)
        );
    }
}

/// Whether native git accepts `spec` for `operation`: `git fetch`/`git push --dry-run` against a
/// local repository, which print "invalid refspec" before doing anything else.
fn git_accepts(dir: &std::path::Path, spec: &str, operation: Operation) -> Result<bool> {
    let args: &[&str] = match operation {
        Operation::Fetch => &["fetch", "--dry-run", "-q", "."],
        Operation::Push => &["push", "--dry-run", "-q", "."],
    };
    let out = git_command(dir).args(args).arg(spec).output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    Ok(!stderr.contains("invalid refspec"))
}

#[test]
fn validation_agrees_with_git() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    crate::make_repo(dir)?;
    let specs = [
        "+refs/heads/*:refs/remotes/origin/*",
        "refs/heads/*:refs/remotes/origin/main",
        "refs/heads/main:refs/remotes/origin/*",
        "refs/heads/*",
        "refs/heads/*:",
        "^refs/heads/topic",
        "^refs/heads/x:refs/heads/y",
        "refs/heads/a..b",
        "main:refs/heads/a b",
        "main:refs/heads/copy",
        "refs/heads/**:refs/remotes/**",
        "main:",
        "@:refs/heads/at",
        "topic",
        "refs/heads/x.lock:refs/heads/y",
        "main:refs/heads/y.lock",
        "main:HEAD",
    ];
    for spec in specs {
        for operation in [Operation::Fetch, Operation::Push] {
            let theirs = git_accepts(dir, spec, operation)?;
            let ours = RefSpec::parse(spec.as_bytes(), operation).is_ok();
            assert_eq!(
                theirs, ours,
                "{operation:?} refspec {spec:?}: git {theirs}, ours {ours}"
            );
        }
    }
    Ok(())
}

#[test]
fn mapping_agrees_with_git_fetch() -> Result {
    let tmp = tempdir()?;
    let upstream = tmp.path().join("upstream");
    let clone = tmp.path().join("clone");
    std::fs::create_dir(&upstream)?;
    std::fs::create_dir(&clone)?;
    crate::make_repo(&upstream)?;
    git(&clone, &["init", "-q", "-b", "main"])?;
    let specs_text = [
        "+refs/heads/*:refs/remotes/up/*",
        "refs/tags/v*:refs/up-tags/v*",
        "^refs/heads/feature/*",
    ];
    let upstream_url = upstream.to_str().ok_or("utf-8 path")?;
    let mut args = vec!["fetch", "-q", "--no-tags", upstream_url];
    args.extend(specs_text);
    git(&clone, &args)?;
    let created = git_text(&clone, &["for-each-ref", "--format=%(refname)"])?;
    let created: Vec<&str> = created.lines().collect();

    let specs: Vec<RefSpec> = specs_text
        .iter()
        .map(|spec| RefSpec::parse(spec.as_bytes(), Operation::Fetch))
        .collect::<std::result::Result<_, _>>()?;
    let advertised = git_text(&upstream, &["for-each-ref", "--format=%(refname)"])?;
    let mut ours: Vec<String> = advertised
        .lines()
        .filter_map(|name| refspec::map_source(&specs, name.as_bytes()))
        .map(|mapping| String::from_utf8_lossy(&mapping.destination).into_owned())
        .collect();
    ours.sort();
    assert_eq!(
        ours, created,
        "our mapping creates the refs git fetch creates"
    );
    assert!(created.contains(&"refs/up-tags/v1.0-outer"));
    assert!(!created.iter().any(|name| name.contains("feature")));
    Ok(())
}
