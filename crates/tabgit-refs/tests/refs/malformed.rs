//! Hostile input gives typed errors, never panics: every truncation and single-byte corruption of
//! real files.
use tabgit_refs::{loose, packed::PackedRefsRef, reflog, refspec};
use tabgit_testtools::{git, tempdir, Result};

/// Every prefix of `data`, and `data` with each byte replaced by a few hostile values.
fn mutations(data: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    let truncations = (0..=data.len()).map(|len| data[..len].to_vec());
    let corruptions = (0..data.len()).flat_map(move |idx| {
        [0u8, b'\n', b'^', b' ', 0xff].into_iter().map(move |byte| {
            let mut corrupted = data.to_vec();
            corrupted[idx] = byte;
            corrupted
        })
    });
    truncations.chain(corruptions)
}

#[test]
fn mutated_files_never_panic() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    crate::make_repo(dir)?;
    let head_log = std::fs::read(dir.join(".git/logs/HEAD"))?;
    let main = std::fs::read(dir.join(".git/refs/heads/main"))?;
    git(dir, &["pack-refs", "--all"])?;
    let packed_refs = std::fs::read(dir.join(".git/packed-refs"))?;

    let mut n_errors = 0usize;
    for data in mutations(&packed_refs) {
        n_errors += usize::from(PackedRefsRef::from_bytes(&data).is_err());
    }
    for data in mutations(&head_log) {
        n_errors += reflog::iter(&data)
            .filter(std::result::Result::is_err)
            .count();
    }
    for data in mutations(&main).chain(mutations(b"ref: refs/heads/main\n")) {
        n_errors += usize::from(loose::decode(&data).is_err());
    }
    for data in mutations(b"+refs/heads/*:refs/remotes/origin/*") {
        for operation in [refspec::Operation::Fetch, refspec::Operation::Push] {
            n_errors += usize::from(refspec::RefSpec::parse(&data, operation).is_err());
        }
    }
    assert!(n_errors > 1000, "most mutations are refused: {n_errors}");
    Ok(())
}

#[test]
fn packed_refs_errors_name_the_line() {
    let a = "1111111111111111111111111111111111111111";
    let cases: &[(String, usize)] = &[
        (format!("{a} refs/heads/a"), 1),
        (
            format!("# pack-refs with: sorted \n{a} refs/heads/a\nbogus\n"),
            3,
        ),
        (format!("{a} refs/heads/a\n^{a}\n^{a}\n"), 3),
        (format!("^{a}\n"), 1),
        (format!("{a} refs/heads/a..b\n"), 1),
        (format!("{a}refs/heads/a\n"), 1),
        (format!("{a} refs/heads/a\n\n"), 2),
        (format!("{a} refs/heads/a\n^{}\n", &a[..39]), 2),
    ];
    for (data, line) in cases {
        let err = PackedRefsRef::from_bytes(data.as_bytes())
            .err()
            .map(|err| err.to_string())
            .unwrap_or_default();
        assert!(
            err.contains(&format!("line {line}")),
            "{data:?} is refused at line {line}: {err:?}"
        );
    }
    assert!(
        PackedRefsRef::from_bytes(b"# not a header\n").is_err(),
        "a comment that is not the header is refused"
    );
}

#[test]
fn reflog_lines_are_checked_field_by_field() {
    let good = "0000000000000000000000000000000000000000 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 \
                A <a@b> 1700000000 +0100\tmsg";
    assert!(reflog::LineRef::from_bytes(good.as_bytes()).is_ok());
    for bad in [
        good.replacen("0000", "000g", 1),
        good.replacen(" e69d", "e69d", 1),
        good.replacen("<a@b>", "a@b", 1),
        good.replacen("1700000000", "", 1),
        good.replacen("+0100", "0100", 1),
        good.replacen("+0100", "+01", 1),
        good.replacen("\tmsg", " msg", 1),
        good.replacen("1700000000", "99999999999999999999999", 1),
    ] {
        assert!(
            reflog::LineRef::from_bytes(bad.as_bytes()).is_err(),
            "{bad:?} is refused"
        );
    }
    let mut unterminated = reflog::iter(good.as_bytes());
    assert!(matches!(
        unterminated.next(),
        Some(Err(reflog::Error::Unterminated { line: 1 }))
    ));
    assert!(unterminated.next().is_none());
}
