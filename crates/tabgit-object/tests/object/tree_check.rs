//! The checkout-safety rules of `RELIABILITY.md` rows 1–12.
use tabgit_object::tree::check;

#[test]
fn dangerous_components_are_refused() {
    let bad: &[&[u8]] = &[
        b".",
        b"..",
        b"",
        b".git",
        b".GIT",
        b".Git",
        b"a/b",
        b"a\\b",
        b"C:x",
        b"c:",
        b"git~1",
        b"GIT~1",
        b".git.",
        b".git ",
        b".git::$INDEX_ALLOCATION",
        b".git. . ",
        "\u{200c}.git".as_bytes(),
        ".g\u{200c}it".as_bytes(),
        ".git\u{feff}".as_bytes(),
        ".GI\u{206f}T".as_bytes(),
    ];
    for name in bad {
        assert!(
            check::component(name).is_err(),
            "{:?} is refused",
            String::from_utf8_lossy(name)
        );
    }
    assert!(
        check::component(&vec![b'a'; 4097]).is_err(),
        "over-long names are refused"
    );
}

#[test]
fn ordinary_components_are_accepted() {
    let good: &[&[u8]] = &[
        b"a",
        b".gitignore",
        b".github",
        b"git",
        b"..a",
        b"a..",
        b".gitx",
        b"g.it",
        b"\xe9t\xe9",
        b"file name",
        b"git~2",
        "caf\u{e9}".as_bytes(),
        b"c",
        b"1:2",
    ];
    for name in good {
        assert!(
            check::component(name).is_ok(),
            "{:?} is accepted",
            String::from_utf8_lossy(name)
        );
    }
}

fn tree_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (mode, name) in entries {
        out.extend_from_slice(mode.as_bytes());
        out.push(b' ');
        out.extend_from_slice(name);
        out.push(0);
        out.extend_from_slice(&[1u8; 20]);
    }
    out
}

#[test]
fn order_and_duplicates() {
    assert!(check::tree(&tree_of(&[("100644", b"a"), ("100644", b"b")])).is_ok());
    // "foo" as a directory sorts after "foo.c" because it compares as "foo/".
    assert!(check::tree(&tree_of(&[("100644", b"foo.c"), ("40000", b"foo")])).is_ok());
    assert!(check::tree(&tree_of(&[("40000", b"foo"), ("100644", b"foo.c")])).is_err());
    assert!(check::tree(&tree_of(&[("100644", b"b"), ("100644", b"a")])).is_err());
    assert!(matches!(
        check::tree(&tree_of(&[("100644", b"a"), ("100644", b"a")])),
        Err(check::Error::Duplicate { .. })
    ));
    assert!(
        check::tree(&tree_of(&[("100644", b"foo"), ("40000", b"foo")])).is_err(),
        "a file and a directory with one name"
    );
    assert!(check::tree(&tree_of(&[("120000", b".gitmodules")])).is_err());
    assert!(check::tree(&tree_of(&[("100644", b".."), ("100644", b"a")])).is_err());
}
