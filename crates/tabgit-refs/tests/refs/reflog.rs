//! Reflogs written by git parse, agree with `git log -g`, and re-serialize byte for byte.
use tabgit_hash::ObjectId;
use tabgit_object::{Signature, Time};
use tabgit_refs::reflog::{self, Line, LineRef};
use tabgit_testtools::{git_text, tempdir, Result};

#[test]
fn git_reflogs_round_trip() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    crate::make_repo(dir)?;
    for (log, rev) in [
        ("logs/HEAD", "HEAD"),
        ("logs/refs/heads/main", "main"),
        ("logs/refs/remotes/origin/main", "origin/main"),
    ] {
        let data = std::fs::read(dir.join(".git").join(log))?;
        let lines: Vec<LineRef<'_>> = reflog::iter(&data).collect::<std::result::Result<_, _>>()?;
        assert!(!lines.is_empty(), "{log} has entries");

        let mut rewritten = Vec::new();
        for line in &lines {
            line.to_owned()?.write_to(&mut rewritten)?;
        }
        assert_eq!(
            String::from_utf8_lossy(&rewritten),
            String::from_utf8_lossy(&data),
            "{log} re-serializes byte for byte"
        );

        // git log -g lists the same entries, newest first.
        let listing = git_text(dir, &["log", "-g", "--format=%H%x09%gs%x09%gn%x09%ge", rev])?;
        let from_git: Vec<&str> = listing.lines().collect();
        assert_eq!(from_git.len(), lines.len(), "{log}: git lists every entry");
        for (line, expected) in lines.iter().rev().zip(from_git) {
            let mut fields = expected.split('\t');
            assert_eq!(Some(line.new_id.to_hex().as_str()), fields.next());
            assert_eq!(
                Some(String::from_utf8_lossy(line.message).as_ref()),
                fields.next()
            );
            assert_eq!(
                Some(String::from_utf8_lossy(line.signature.name).as_ref()),
                fields.next()
            );
            assert_eq!(
                Some(String::from_utf8_lossy(line.signature.email).as_ref()),
                fields.next()
            );
            let time = line.signature.time()?;
            assert_eq!((time.seconds, time.offset_minutes), (1_700_000_000, 60));
        }
    }
    let head_log = std::fs::read(dir.join(".git/logs/HEAD"))?;
    let first = reflog::iter(&head_log).next().ok_or("an entry")??;
    assert!(first.previous_id.is_null(), "the first entry creates HEAD");
    assert_eq!(first.message, b"commit (initial): first");
    Ok(())
}

#[test]
fn writing_normalizes_the_message() -> Result {
    let line = Line {
        previous_id: ObjectId::NULL,
        new_id: ObjectId::from_hex(b"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")?,
        signature: Signature {
            name: b"A U Thor".to_vec(),
            email: b"author@example.com".to_vec(),
            time: Time::new(1_700_000_000, -90),
        },
        message: b"  commit:\tmulti\nline \r\n message  ".to_vec(),
    };
    let bytes = line.to_bytes()?;
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        "0000000000000000000000000000000000000000 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 \
         A U Thor <author@example.com> 1700000000 -0130\tcommit: multi line message\n"
    );
    let parsed = LineRef::from_bytes(&bytes[..bytes.len() - 1])?;
    assert_eq!(parsed.message, b"commit: multi line message");
    assert_eq!(parsed.signature.time()?.offset_minutes, -90);

    // An empty message is written without its tab, as git does.
    let silent = Line {
        message: b" \n ".to_vec(),
        ..line.clone()
    };
    let bytes = silent.to_bytes()?;
    assert!(bytes.ends_with(b"-0130\n"), "no tab without a message");
    assert_eq!(LineRef::from_bytes(&bytes[..bytes.len() - 1])?.message, b"");

    let injected = Line {
        signature: Signature {
            name: b"Mallory <x> 1 +0000\tfake\n".to_vec(),
            ..line.signature.clone()
        },
        ..line
    };
    assert!(
        matches!(
            injected.to_bytes(),
            Err(reflog::Error::ForbiddenIdentityByte { field: "name", .. })
        ),
        "an identity cannot inject a second entry"
    );
    assert_eq!(reflog::normalize_message(b"\t a  b \n"), b"a b");
    Ok(())
}
