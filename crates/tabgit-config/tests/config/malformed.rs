//! Malformed files give typed errors on the line git names, never panics; every truncation of a
//! valid file is accepted or refused exactly as git does.
use tabgit_config::{parse, File};
use tabgit_testtools::{git_command, tempdir, Result};

use crate::{git_list, our_list, show};

/// git's verdict on `text`: the variables it lists, or the line of "bad config line N".
fn git_verdict(dir: &std::path::Path, text: &[u8]) -> Result<std::result::Result<String, usize>> {
    let path = dir.join("config");
    std::fs::write(&path, text)?;
    let out = git_command(dir)
        .args(["config", "--null", "--list", "--file"])
        .arg(&path)
        .output()?;
    if out.status.success() {
        return Ok(Ok(show(&git_list(dir, &path)?)));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .split("bad config line ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|number| number.parse().ok())
        .ok_or_else(|| format!("unexpected git error: {stderr}"))?;
    Ok(Err(line))
}

fn our_verdict(text: &[u8]) -> std::result::Result<String, usize> {
    File::from_bytes(text)
        .map(|file| show(&our_list(&file)))
        .map_err(|err| err.line())
}

#[test]
fn malformed_files_fail_on_gits_line() -> Result {
    let tmp = tempdir()?;
    let cases: &[&[u8]] = &[
        b"[core",
        b"[core\n\tbare\n",
        b"[]\n",
        b"[a b]\n",
        b"[a \"b]\n",
        b"[a \"b\n\"]\n",
        b"[a \"b\"\n",
        b"[a \"b\" ]\n",
        b"[a \"b\\\n\"]\n",
        b"[a_b]\n",
        b"[a]\n\tb = \"unterminated\n",
        b"[a]\n\tb = \"unterminated",
        b"[a]\n\tb = bad \\escape\n",
        b"[a]\n\tb = x\\",
        b"[a]\n\tkey # comment\n",
        b"[a]\n\tkey: value\n",
        b"[a]\n\t1key = v\n",
        b"[a]\n\t-key = v\n",
        b"[a]\n\tk\xc3\xa9y = v\n",
        b"[a]\n\t= v\n",
        b"\xef\xbb[a]\n",
        b"\xef[a]\n",
        b"\n\n\n[a]\n\tx = 1\n\t\"q\" = 2\n",
        b"[a]\r\n\tx = \"1\r\n",
        b"[a]\n\tx = 1\n[b \"c\"] y = 2\n[d \"e\"]z\n",
    ];
    for text in cases {
        assert_eq!(
            our_verdict(text),
            git_verdict(tmp.path(), text)?,
            "{:?} is read as git reads it (or fails on git's line)",
            String::from_utf8_lossy(text)
        );
    }
    Ok(())
}

#[test]
fn errors_are_typed() {
    type Expectation = fn(&parse::Error) -> bool;
    let cases: &[(&[u8], Expectation)] = &[
        (b"[core", |e| {
            matches!(e, parse::Error::InvalidSectionHeader { line: 2 })
        }),
        (b"[a]\n\tb = \"x\n", |e| {
            matches!(e, parse::Error::UnterminatedQuote { line: 2 })
        }),
        (b"[a]\n\tb = \\q\n", |e| {
            matches!(
                e,
                parse::Error::InvalidEscape {
                    line: 2,
                    byte: b'q'
                }
            )
        }),
        (b"[a]\n\tk = a\0b\n", |e| {
            matches!(e, parse::Error::Nul { line: 2 })
        }),
        (b"[a \"x\0\"]\n", |e| {
            matches!(e, parse::Error::Nul { line: 1 })
        }),
        (b"[a]\n\tk # c\n", |e| {
            matches!(
                e,
                parse::Error::ExpectedEquals {
                    line: 2,
                    byte: b'#'
                }
            )
        }),
        (b"[a]\n\t\0\n", |e| {
            matches!(e, parse::Error::UnexpectedByte { line: 2, byte: 0 })
        }),
        (b"\xef\xbb\n", |e| {
            matches!(e, parse::Error::PartialBom { .. })
        }),
    ];
    for (text, expected) in cases {
        let err = File::from_bytes(text).err();
        assert!(
            err.as_ref().is_some_and(expected),
            "{text:?} gives the expected error, got {err:?}"
        );
    }
    // NUL in a comment is harmless and kept.
    assert!(File::from_bytes(b"[a] # \0\n\tk = v\n").is_ok());
    let message = File::from_bytes(b"[a]\n\tb = \"x\n")
        .err()
        .map(|err| err.to_string())
        .unwrap_or_default();
    assert!(
        message.contains("line 2"),
        "messages carry the line: {message}"
    );
}

#[test]
fn every_truncation_agrees_with_git() -> Result {
    let tmp = tempdir()?;
    let text: &[u8] = b"[core]\n\tbare = false # c\n[remote \"o\\\"x\"]\n\turl = \"a b\" ; c\n\tk = one \\\n two\n[s.t] x\r\n";
    let mut n_accepted = 0;
    for len in 0..=text.len() {
        let prefix = &text[..len];
        let ours = our_verdict(prefix);
        assert_eq!(
            ours,
            git_verdict(tmp.path(), prefix)?,
            "truncation to {len} bytes: {:?}",
            String::from_utf8_lossy(prefix)
        );
        n_accepted += usize::from(ours.is_ok());
    }
    assert!(
        n_accepted > 10,
        "many truncations are valid files: {n_accepted}"
    );
    Ok(())
}

#[test]
fn mutated_files_never_panic() {
    let text = crate::read::HANDWRITTEN;
    let mut n_errors = 0usize;
    for idx in 0..text.len() {
        for byte in [0u8, b'\n', b'"', b'\\', b'[', b']', b'=', b'#', 0xff, b'\r'] {
            let mut mutated = text.to_vec();
            mutated[idx] = byte;
            match File::from_bytes(&mutated) {
                Ok(mut file) => {
                    // Edits of whatever parsed must not panic either.
                    let _ = file.set("core", None, "x", b"y \r\n\"");
                    let _ = file.unset("core", None, "bare");
                    let _ = file.rename_section("core", None, "c", Some(b"d"));
                }
                Err(_) => n_errors += 1,
            }
        }
        let _ = File::from_bytes(&text[..idx]);
    }
    assert!(n_errors > 100, "many mutations are refused: {n_errors}");
}
