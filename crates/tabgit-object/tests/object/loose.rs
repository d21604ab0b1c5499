//! Loose objects: read what git writes, write what git reads.
use tabgit_object::{loose, Kind};
use tabgit_testtools::{git, git_text, tempdir, Result};

#[test]
fn reads_git_loose_objects_and_git_reads_ours() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    git(dir, &["init", "-q", "--bare"])?;
    let content = b"loose object content\n".repeat(100);
    std::fs::write(dir.join("input"), &content)?;
    let hex = git_text(dir, &["hash-object", "-w", "input"])?;
    let file = std::fs::read(dir.join("objects").join(&hex[..2]).join(&hex[2..]))?;
    let (kind, data) = loose::decode(&file, u64::MAX)?;
    assert_eq!((kind, data.as_slice()), (Kind::Blob, content.as_slice()));

    // Write one ourselves and let git read and verify it.
    let ours = b"written by tabgit\n";
    let (id, compressed) = loose::encode(Kind::Blob, ours);
    let path = dir.join("objects").join(loose::path_of(&id));
    std::fs::create_dir_all(path.parent().ok_or("loose path has a parent")?)?;
    std::fs::write(&path, compressed)?;
    assert_eq!(git(dir, &["cat-file", "-p", &id.to_hex()])?, ours);
    git(dir, &["fsck", "--strict", "--no-dangling"])?;
    Ok(())
}

#[test]
fn header_round_trip() -> Result {
    for (kind, size) in [
        (Kind::Blob, 0u64),
        (Kind::Tree, 12),
        (Kind::Commit, 1 << 40),
        (Kind::Tag, u64::MAX),
    ] {
        let header = loose::encode_header(kind, size);
        let (k, s, len) = loose::decode_header(&header)?;
        assert_eq!((k, s, len), (kind, size, header.len()));
    }
    Ok(())
}
