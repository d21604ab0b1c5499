//! `packed-refs` files written by `git pack-refs --all` parse and re-serialize byte for byte; edits
//! produce what git produces for the same edits.
use std::collections::BTreeMap;

use tabgit_hash::ObjectId;
use tabgit_refs::packed::{self, PackedRefs, PackedRefsRef, Peeled, Record};
use tabgit_testtools::{git, git_text, tempdir, Result};

#[test]
fn git_pack_refs_round_trips() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    crate::make_repo(dir)?;
    git(dir, &["pack-refs", "--all"])?;
    let data = std::fs::read(dir.join(".git/packed-refs"))?;
    assert!(
        data.starts_with(packed::HEADER),
        "git writes the documented header"
    );

    let parsed = PackedRefsRef::from_bytes(&data)?;
    assert!(parsed.is_sorted(), "git writes sorted records");
    let traits = parsed.traits.ok_or("git writes a header")?;
    assert!(traits.peeled && traits.fully_peeled && traits.sorted);

    // Every ref git lists is there, with git's value and git's fully peeled value.
    let listing = git_text(dir, &["show-ref", "--dereference"])?;
    let mut expected: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    for line in listing.lines() {
        let (hex, name) = line.split_once(' ').ok_or("show-ref line")?;
        if let Some(peeled_name) = name.strip_suffix("^{}") {
            let entry = expected
                .get_mut(peeled_name)
                .ok_or("peeled after its ref")?;
            entry.1 = Some(hex.to_owned());
        } else if name != "refs/remotes/origin/HEAD" {
            // Symbolic refs stay loose.
            expected.insert(name.to_owned(), (hex.to_owned(), None));
        }
    }
    let mut n_refs = 0;
    for (name, (target, peeled)) in &expected {
        let record = parsed
            .find(name.as_bytes())
            .ok_or(format!("{name} is packed"))?;
        assert_eq!(&record.target.to_hex(), target, "{name} target");
        let expected_peel = match peeled {
            None => Peeled::NotATag,
            Some(peeled) => Peeled::To(ObjectId::from_hex(peeled.as_bytes())?),
        };
        assert_eq!(record.peeled, expected_peel, "{name} peels as git says");
        n_refs += 1;
    }
    assert_eq!(
        n_refs,
        parsed.len(),
        "nothing more is packed than git lists"
    );
    assert!(
        parsed
            .iter()
            .filter(|record| matches!(record.peeled, Peeled::To(_)))
            .count()
            >= 3,
        "the annotated tags have peeled lines"
    );

    let owned = parsed.to_owned();
    assert_eq!(owned.to_bytes()?, data, "re-serializing gives git's bytes");
    assert_eq!(PackedRefs::from_bytes(&data)?, owned);
    Ok(())
}

#[test]
fn edits_match_git() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    crate::make_repo(dir)?;
    git(dir, &["pack-refs", "--all"])?;
    let before = std::fs::read(dir.join(".git/packed-refs"))?;
    let mut ours = PackedRefs::from_bytes(&before)?;

    // Same edits by git: delete a branch and a tag, add and update refs, then pack again.
    let first = git_text(dir, &["rev-parse", "HEAD~1"])?;
    git(dir, &["branch", "-D", "topic"])?;
    git(dir, &["tag", "-d", "v0.9"])?;
    git(dir, &["update-ref", "refs/heads/aaa-new", &first])?;
    git(dir, &["update-ref", "refs/heads/main", &first])?;
    git(dir, &["update-ref", "refs/zzz/other", &first])?;
    git(dir, &["pack-refs", "--all"])?;
    let expected = std::fs::read(dir.join(".git/packed-refs"))?;

    let first = ObjectId::from_hex(first.as_bytes())?;
    assert!(ours.remove(b"refs/heads/topic").is_some());
    assert!(ours.remove(b"refs/tags/v0.9").is_some());
    assert!(
        ours.remove(b"refs/tags/v0.9").is_none(),
        "removing twice is a no-op"
    );
    for name in ["refs/heads/aaa-new", "refs/heads/main", "refs/zzz/other"] {
        ours.set(Record {
            name: name.as_bytes().to_vec(),
            target: first,
            peeled: Peeled::NotATag,
        })?;
    }
    assert_eq!(
        String::from_utf8_lossy(&ours.to_bytes()?),
        String::from_utf8_lossy(&expected),
        "our edited file equals git's"
    );
    Ok(())
}

#[test]
fn older_headers_and_unsorted_files() -> Result {
    let a = "1111111111111111111111111111111111111111";
    let b = "2222222222222222222222222222222222222222";
    let c = "3333333333333333333333333333333333333333";
    // No header: nothing is known about peeling, and records may be unsorted.
    let file = format!("{b} refs/tags/z\n{a} refs/heads/a\n^{c}\n");
    let parsed = PackedRefsRef::from_bytes(file.as_bytes())?;
    assert!(!parsed.is_sorted());
    assert_eq!(parsed.traits, None);
    let z = parsed.find(b"refs/tags/z").ok_or("z")?;
    assert_eq!(z.peeled, Peeled::Unknown);
    let a_record = parsed.find(b"refs/heads/a").ok_or("a")?;
    assert_eq!(
        a_record.peeled,
        Peeled::To(ObjectId::from_hex(c.as_bytes())?)
    );
    let owned = parsed.to_owned();
    assert_eq!(
        owned.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
        [b"refs/heads/a".to_vec(), b"refs/tags/z".to_vec()],
        "owned records are sorted"
    );
    assert!(
        matches!(owned.to_bytes(), Err(packed::Error::UnknownPeel { .. })),
        "a fully-peeled header cannot be written while peeling is unknown"
    );

    // `peeled` only: tags are known, other refs are not.
    let file = format!("# pack-refs with: peeled \n{a} refs/heads/a\n{b} refs/tags/z\n");
    let parsed = PackedRefsRef::from_bytes(file.as_bytes())?;
    assert_eq!(
        parsed.find(b"refs/heads/a").ok_or("a")?.peeled,
        Peeled::Unknown
    );
    assert_eq!(
        parsed.find(b"refs/tags/z").ok_or("z")?.peeled,
        Peeled::NotATag
    );
    assert!(parsed.find(b"refs/tags/y").is_none());

    // Empty files and header-only files have no records and serialize to the header.
    assert!(PackedRefsRef::from_bytes(b"")?.is_empty());
    let header_only = PackedRefs::from_bytes(packed::HEADER)?;
    assert!(header_only.is_empty());
    assert_eq!(header_only.to_bytes()?, packed::HEADER);
    Ok(())
}

#[test]
fn binary_search_finds_every_record() -> Result {
    let mut refs = PackedRefs::default();
    for idx in 0..500u32 {
        let mut raw = [0u8; 20];
        raw[..4].copy_from_slice(&idx.to_be_bytes());
        refs.set(Record {
            name: format!("refs/heads/b{}", idx * 7919 % 500).into_bytes(),
            target: ObjectId::from_bytes(raw),
            peeled: Peeled::NotATag,
        })?;
    }
    let data = refs.to_bytes()?;
    let parsed = PackedRefsRef::from_bytes(&data)?;
    assert!(parsed.is_sorted());
    for idx in 0..500 {
        let name = format!("refs/heads/b{idx}");
        assert!(parsed.find(name.as_bytes()).is_some(), "{name} is found");
        assert!(refs.find(name.as_bytes()).is_some(), "{name} is found");
    }
    assert!(parsed.find(b"refs/heads/b500").is_none());
    assert!(
        refs.set(Record {
            name: b"refs/heads/bad..name".to_vec(),
            target: ObjectId::NULL,
            peeled: Peeled::NotATag,
        })
        .is_err(),
        "invalid names are not packed"
    );
    Ok(())
}
