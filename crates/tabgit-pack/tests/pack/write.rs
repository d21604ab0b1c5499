//! Packs we write are accepted by git.
use tabgit_object::Kind;
use tabgit_pack::write::{write_pack, DeltaBase, Entry};
use tabgit_testtools::{git, git_with_input, tempdir, Result};

#[test]
fn git_indexes_our_packs_with_both_delta_kinds() -> Result {
    let base: Vec<u8> = (0..20_000u32)
        .flat_map(|i| format!("row {i}\n").into_bytes())
        .collect();
    let mut changed = base.clone();
    changed.splice(100..104, b"EDIT".iter().copied());
    let mut changed_again = changed.clone();
    changed_again.extend_from_slice(b"tail\n");
    let base_id = tabgit_object::compute_id(Kind::Blob, &base);
    let entries = vec![
        Entry::full(Kind::Blob, base.clone()),
        Entry {
            kind: Kind::Blob,
            data: changed.clone(),
            base: Some(DeltaBase::InPack(0)),
        },
        Entry {
            kind: Kind::Blob,
            data: changed_again.clone(),
            base: Some(DeltaBase::External {
                id: base_id,
                data: base.clone(),
            }),
        },
    ];
    let written = write_pack(&entries)?;
    assert_eq!(written.n_deltas, 2, "both deltas are worth it");
    assert!(
        written.data.len() < base.len() / 2,
        "deltas make the pack small: {} bytes",
        written.data.len()
    );

    let tmp = tempdir()?;
    git(tmp.path(), &["init", "-q", "--bare"])?;
    git_with_input(
        tmp.path(),
        &["index-pack", "--stdin", "--strict"],
        &written.data,
    )?;
    for (id, data) in written.ids.iter().zip([&base, &changed, &changed_again]) {
        assert_eq!(&git(tmp.path(), &["cat-file", "blob", &id.to_hex()])?, data);
    }
    Ok(())
}

#[test]
fn one_line_change_to_a_big_file_makes_a_small_delta() -> Result {
    let big: Vec<u8> = (0..400_000u32)
        .flat_map(|i| format!("{i:08} some text on this line\n").into_bytes())
        .collect();
    assert!(big.len() > 10 << 20, "the file is over 10 MB");
    let mut edited = big.clone();
    let at = edited.len() / 2;
    edited[at..at + 4].copy_from_slice(b"EDIT");
    let delta =
        tabgit_pack::delta::create(&big, &edited, edited.len() / 2).ok_or("a delta exists")?;
    assert!(
        delta.len() < 200,
        "a 4-byte edit of 10 MB is a tiny delta: {} bytes",
        delta.len()
    );
    let mut out = Vec::new();
    tabgit_pack::delta::apply(&big, &delta, &mut out, u64::MAX)?;
    assert!(out == edited, "the delta reproduces the edited file");
    Ok(())
}
