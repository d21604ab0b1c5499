//! The git-directory backends behave the same.
use tabgit_store::files::{Error, FsFiles, GitFiles, MemoryFiles, Transaction};
use tabgit_testtools::{tempdir, Result};

fn contract(files: &dyn GitFiles) -> Result {
    assert_eq!(files.read("HEAD")?, None, "a new directory is empty");
    files.write("HEAD", b"ref: refs/heads/main\n")?;
    files.write("refs/heads/main", b"x\n")?;
    files.write("refs/heads/topic/a", b"y\n")?;
    assert_eq!(
        files.read("HEAD")?.as_deref(),
        Some(&b"ref: refs/heads/main\n"[..])
    );
    assert_eq!(
        files.list("refs/heads")?,
        vec!["main".to_owned(), "topic".to_owned()]
    );
    assert_eq!(
        files.list("refs/tags")?,
        Vec::<String>::new(),
        "a missing directory lists as empty"
    );
    let mut tx = Transaction::default();
    tx.write("refs/heads/main", b"z\n".to_vec())
        .remove("refs/heads/topic/a")
        .remove("never-existed");
    files.commit(tx)?;
    assert_eq!(files.read("refs/heads/main")?.as_deref(), Some(&b"z\n"[..]));
    assert!(!files.exists("refs/heads/topic/a")?);
    for bad in ["", "/etc/passwd", "../x", "a/../b", "a//b", "./a", "a\\b"] {
        assert!(
            matches!(files.read(bad), Err(Error::InvalidPath { .. })),
            "{bad:?} is refused"
        );
        assert!(files.write(bad, b"").is_err(), "{bad:?} cannot be written");
    }
    Ok(())
}

#[test]
fn memory_backend() -> Result {
    contract(&MemoryFiles::default())
}

#[test]
fn filesystem_backend() -> Result {
    let tmp = tempdir()?;
    contract(&FsFiles::new(tmp.path()))?;
    assert!(
        !tmp.path().join("refs/heads/main.lock").exists(),
        "no lock file is left behind"
    );
    Ok(())
}

#[test]
fn a_held_lock_fails_the_whole_transaction() -> Result {
    let tmp = tempdir()?;
    let files = FsFiles::new(tmp.path());
    files.write("refs/heads/a", b"1\n")?;
    files.write("refs/heads/b", b"1\n")?;
    std::fs::write(tmp.path().join("refs/heads/b.lock"), b"")?;
    let mut tx = Transaction::default();
    tx.write("refs/heads/a", b"2\n".to_vec())
        .write("refs/heads/b", b"2\n".to_vec());
    assert!(matches!(files.commit(tx), Err(Error::Locked { .. })));
    // Every held lock of the change is named at once.
    std::fs::write(tmp.path().join("refs/heads/a.lock"), b"")?;
    std::fs::write(tmp.path().join("refs/heads/c.lock"), b"")?;
    let mut tx = Transaction::default();
    tx.write("refs/heads/a", b"2\n".to_vec())
        .write("refs/heads/b", b"2\n".to_vec())
        .write("refs/heads/c", b"2\n".to_vec());
    let err = files.commit(tx).expect_err("locked");
    assert_eq!(
        err.to_string(),
        "refs/heads/a is locked by another process (remove refs/heads/a.lock, refs/heads/b.lock, \
         refs/heads/c.lock if no git command is running)"
    );
    std::fs::remove_file(tmp.path().join("refs/heads/a.lock"))?;
    std::fs::remove_file(tmp.path().join("refs/heads/c.lock"))?;
    assert_eq!(
        files.read("refs/heads/a")?.as_deref(),
        Some(&b"1\n"[..]),
        "nothing changed"
    );
    assert!(
        !tmp.path().join("refs/heads/a.lock").exists(),
        "our own lock was released"
    );
    Ok(())
}

/// Objects and pack files are named by their content: what a writer killed midway leaves
/// (a `.lock` of an older build, a temporary file) blocks no later write of the same file, and
/// listings skip it.
#[test]
fn files_named_by_content_are_never_blocked_by_a_dead_writer() -> Result {
    let tmp = tempdir()?;
    let files = FsFiles::new(tmp.path());
    let pack = "objects/pack/pack-0123456789abcdef0123456789abcdef01234567.pack";
    let loose = "objects/ab/cdef0123456789abcdef0123456789abcdef01";
    for path in [pack, loose] {
        let target = tmp.path().join(path);
        std::fs::create_dir_all(target.parent().ok_or("a parent directory")?)?;
        std::fs::write(format!("{}.lock", target.display()), b"half a pack")?;
        std::fs::write(format!("{}.1-0.tmp", target.display()), b"half a pack")?;
        files.write(path, b"the whole file")?;
        assert_eq!(files.read(path)?.as_deref(), Some(&b"the whole file"[..]));
    }
    let listed = files.list("objects/pack")?;
    assert!(
        listed.iter().all(|name| !name.contains(".tmp")),
        "temporary files are not listed: {listed:?}"
    );
    // Other files keep git's lock protocol.
    std::fs::write(tmp.path().join("packed-refs.lock"), b"")?;
    assert!(matches!(
        files.write("packed-refs", b"x\n"),
        Err(Error::Locked { .. })
    ));
    Ok(())
}
