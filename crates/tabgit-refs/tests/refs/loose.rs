//! Loose ref files written by git parse, and re-encode to git's exact bytes.
use tabgit_hash::ObjectId;
use tabgit_refs::{loose, Target};
use tabgit_testtools::{git_text, tempdir, Result};

#[test]
fn files_written_by_git_round_trip() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    crate::make_repo(dir)?;
    let git_dir = dir.join(".git");

    let head = std::fs::read(git_dir.join("HEAD"))?;
    assert_eq!(
        loose::decode(&head)?,
        Target::Symbolic(b"refs/heads/main".to_vec())
    );
    assert_eq!(
        loose::encode(&loose::decode(&head)?)?,
        head,
        "HEAD re-encodes byte for byte"
    );

    for (file, rev) in [
        ("refs/heads/main", "main"),
        ("refs/heads/feature/deep/name", "feature/deep/name"),
        ("refs/tags/v1.0", "refs/tags/v1.0"),
        ("refs/remotes/origin/main", "origin/main"),
    ] {
        let content = std::fs::read(git_dir.join(file))?;
        let target = loose::decode(&content)?;
        assert_eq!(
            target.object_id().map(|id| id.to_hex()),
            Some(git_text(dir, &["rev-parse", rev])?),
            "{file} holds what git rev-parse says"
        );
        assert_eq!(
            loose::encode(&target)?,
            content,
            "{file} re-encodes byte for byte"
        );
    }
    let origin_head = std::fs::read(git_dir.join("refs/remotes/origin/HEAD"))?;
    assert_eq!(
        loose::decode(&origin_head)?.symbolic_target(),
        Some(&b"refs/remotes/origin/main"[..])
    );
    Ok(())
}

#[test]
fn tolerated_variants() -> Result {
    let hex = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
    let object_id = ObjectId::from_hex(hex.as_bytes())?;
    for content in [
        hex.to_owned(),
        format!("{hex}\n"),
        format!("{hex}\r\n"),
        format!("{hex}  \n\n"),
        format!("{}\n", hex.to_uppercase()),
        format!("{hex}\t\tnot-for-merge\tbranch 'main' of ../x\n"),
    ] {
        assert_eq!(
            loose::decode(content.as_bytes())?,
            Target::Object(object_id),
            "{content:?} reads as the object id"
        );
    }
    for content in [
        &b"ref: refs/heads/main"[..],
        b"ref:refs/heads/main\n",
        b"ref: \t refs/heads/main \r\n",
        b"ref: refs/heads/main\n\n",
    ] {
        assert_eq!(
            loose::decode(content)?,
            Target::Symbolic(b"refs/heads/main".to_vec()),
            "{content:?} reads as a symbolic ref"
        );
    }
    assert_eq!(
        loose::decode(b"ref: HEAD\n")?,
        Target::Symbolic(b"HEAD".to_vec())
    );
    Ok(())
}

#[test]
fn refused_content() {
    let hex = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
    for content in [
        String::new(),
        " \n".to_owned(),
        hex[..39].to_owned(),
        format!("{hex}0\n"),
        format!("{hex}x\n"),
        format!("x{hex}\n"),
        "ref: \n".to_owned(),
        "ref: refs/heads/a..b\n".to_owned(),
        "ref: refs/heads/a b\n".to_owned(),
        "ref: ../../etc/passwd\n".to_owned(),
        "refs: refs/heads/main\n".to_owned(),
        format!("{}\n", hex.replace('e', "g")),
    ] {
        assert!(
            loose::decode(content.as_bytes()).is_err(),
            "{content:?} is refused"
        );
    }
    assert!(matches!(
        loose::decode(b"ref: refs/heads/a\nb\n"),
        Err(loose::Error::InvalidSymbolicTarget { .. })
    ));
    assert!(
        loose::encode(&Target::Symbolic(b"refs/heads/x\nref: y".to_vec())).is_err(),
        "a newline cannot be smuggled into a symbolic ref"
    );
}
