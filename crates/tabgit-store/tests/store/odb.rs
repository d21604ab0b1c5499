//! Reading and writing objects in a real repository.
use tabgit_hash::Prefix;
use tabgit_object::{Find, Kind};
use tabgit_pack::index::PrefixLookup;
use tabgit_pack::indexer::{Indexer, NoThinBases, Options};
use tabgit_store::files::{FsFiles, MemoryFiles};
use tabgit_store::odb::Odb;
use tabgit_testtools::{all_objects, git, git_text, tempdir, Result};

fn repo_with_packed_and_loose_objects() -> Result<tabgit_testtools::TempDir> {
    let tmp = tempdir()?;
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main"])?;
    for i in 0..20 {
        std::fs::write(
            dir.join(format!("f{}.txt", i % 5)),
            format!("{i}\n").repeat(i + 1),
        )?;
        git(dir, &["add", "-A"])?;
        git(dir, &["commit", "-qm", &format!("c{i}")])?;
        if i == 10 {
            git(dir, &["repack", "-adq"])?;
        }
    }
    Ok(tmp)
}

#[test]
fn reads_every_object_of_a_git_repository() -> Result {
    let tmp = repo_with_packed_and_loose_objects()?;
    let git_dir = tmp.path().join(".git");
    let odb = Odb::open(FsFiles::new(&git_dir))?;
    assert_eq!(odb.pack_names().len(), 1);
    let mut buf = Vec::new();
    let objects = all_objects(&git_dir)?;
    for (hex, kind, content) in &objects {
        let data = odb.try_find(&hex.parse()?, &mut buf)?.ok_or("stored")?;
        assert_eq!(data.kind, Kind::from_bytes(kind.as_bytes())?);
        assert!(data.data == content.as_slice(), "{hex} reads back");
    }
    let mut ids = odb.all_ids()?;
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), objects.len(), "every object is listed once");
    Ok(())
}

#[test]
fn written_objects_pass_fsck() -> Result {
    let tmp = repo_with_packed_and_loose_objects()?;
    let git_dir = tmp.path().join(".git");
    let odb = Odb::open(FsFiles::new(&git_dir))?;
    let id = odb.write_loose(Kind::Blob, b"new object\n")?;
    assert_eq!(
        git_text(&git_dir, &["cat-file", "-p", &id.to_hex()])?,
        "new object"
    );
    assert_eq!(
        odb.write_loose(Kind::Blob, b"new object\n")?,
        id,
        "writing twice is harmless"
    );
    git(&git_dir, &["fsck", "--strict", "--no-dangling"])?;
    Ok(())
}

#[test]
fn abbreviated_ids_resolve_like_git() -> Result {
    let tmp = repo_with_packed_and_loose_objects()?;
    let git_dir = tmp.path().join(".git");
    let odb = Odb::open(FsFiles::new(&git_dir))?;
    for (hex, _, _) in all_objects(&git_dir)?.iter().step_by(7) {
        let short = git_text(&git_dir, &["rev-parse", "--short=4", hex])?;
        let got = odb.lookup_prefix(&Prefix::from_hex(short.as_bytes())?)?;
        assert_eq!(
            got,
            PrefixLookup::Unique(hex.parse()?),
            "{short} names {hex}"
        );
    }
    assert_eq!(
        odb.lookup_prefix(&Prefix::from_hex(b"0000000")?)?,
        PrefixLookup::None
    );
    Ok(())
}

#[test]
fn packs_received_in_memory_are_readable() -> Result {
    let tmp = repo_with_packed_and_loose_objects()?;
    let git_dir = tmp.path().join(".git");
    let pack = tabgit_testtools::git_with_input(
        &git_dir,
        &["pack-objects", "--stdout", "--revs", "-q"],
        b"HEAD\n",
    )?;
    let mut indexer = Indexer::new(Options::default());
    indexer.feed(&pack)?;
    let outcome = indexer.finish(&NoThinBases, &mut |_| {})?;
    let odb = Odb::open(MemoryFiles::default())?;
    odb.add_pack(outcome.pack, &outcome.index, &outcome.pack_checksum)?;
    let head = git_text(&git_dir, &["rev-parse", "HEAD"])?;
    let mut buf = Vec::new();
    assert_eq!(
        odb.try_find(&head.parse()?, &mut buf)?.map(|d| d.kind),
        Some(Kind::Commit)
    );
    let reopened = Odb::open(odb.files().clone())?;
    assert!(
        reopened.has(&head.parse()?)?,
        "a reopened database finds the pack"
    );
    Ok(())
}
