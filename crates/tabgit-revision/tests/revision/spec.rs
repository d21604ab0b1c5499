//! Revision syntax.
use tabgit_revision::spec::{parse, Base, Nav, PeelTo, Rev, Spec};

fn name(n: &str) -> Base {
    Base::Name(n.as_bytes().to_vec())
}

#[test]
fn forms_users_type() {
    let single = |text: &str| match parse(text.as_bytes()) {
        Ok(Spec::Single(rev)) => rev,
        other => panic!("{text} parses as a single revision: {other:?}"),
    };
    assert_eq!(
        single("HEAD~2"),
        Rev {
            base: Base::Head,
            nav: vec![Nav::Ancestor(2)],
            path: None
        }
    );
    assert_eq!(single("main^2").nav, vec![Nav::Parent(2)]);
    assert_eq!(single("main^^").nav, vec![Nav::Parent(1), Nav::Parent(1)]);
    assert_eq!(
        single("v1.0^{tree}"),
        Rev {
            base: name("v1.0"),
            nav: vec![Nav::Peel(PeelTo::Tree)],
            path: None
        }
    );
    assert_eq!(single("v1.0^{}").nav, vec![Nav::Peel(PeelTo::AnyNonTag)]);
    assert_eq!(
        single("main^{/fix bug}").nav,
        vec![Nav::Search(b"fix bug".to_vec())]
    );
    assert_eq!(single("@").base, Base::Head);
    assert_eq!(single("@{u}").base, Base::Upstream(None));
    assert_eq!(
        single("main@{upstream}").base,
        Base::Upstream(Some(b"main".to_vec()))
    );
    assert_eq!(
        single("main@{2}").base,
        Base::Reflog {
            name: Some(b"main".to_vec()),
            entry: 2
        }
    );
    assert_eq!(single("@{-1}").base, Base::PreviousBranch(1));
    assert_eq!(single("HEAD:src/lib.rs").path, Some(b"src/lib.rs".to_vec()));
    assert_eq!(single("HEAD~1:a/b").nav, vec![Nav::Ancestor(1)]);
    assert_eq!(
        single(":README.md").base,
        Base::Index {
            stage: 0,
            path: b"README.md".to_vec()
        }
    );
    assert_eq!(
        single(":2:README.md").base,
        Base::Index {
            stage: 2,
            path: b"README.md".to_vec()
        }
    );
    assert_eq!(single(":/fix").base, Base::MessageSearch(b"fix".to_vec()));
    assert_eq!(single("1a2b3c").base, name("1a2b3c"));
    assert_eq!(single("user@host-branch").base, name("user@host-branch"));
}

#[test]
fn ranges() {
    assert!(matches!(parse(b"a..b"), Ok(Spec::Range { .. })));
    assert!(matches!(
        parse(b"a...b"),
        Ok(Spec::SymmetricDifference { .. })
    ));
    match parse(b"..b") {
        Ok(Spec::Range { from, .. }) => assert_eq!(from.base, Base::Head, "an empty side is HEAD"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(parse(b"^main"), Ok(Spec::Exclude(_))));
    assert!(matches!(parse(b"main^@"), Ok(Spec::Parents(_))));
    assert!(matches!(parse(b"main^!"), Ok(Spec::CommitOnly(_))));
    assert!(
        matches!(parse(b"HEAD:a..b"), Ok(Spec::Single(_))),
        "dots in a path are not a range"
    );
}

#[test]
fn malformed() {
    for bad in [
        "",
        "main^{",
        "main@{",
        "main^{nope}",
        "~2",
        "main~x",
        "@{-0}",
        "main@{yesterday}",
        "main~99999999999",
    ] {
        assert!(parse(bad.as_bytes()).is_err(), "{bad:?} is refused");
    }
}
