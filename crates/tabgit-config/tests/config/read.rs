//! Files written by git, and hand-written files using every syntax feature, read as git reads them.
use tabgit_config::File;
use tabgit_testtools::{git, git_text, tempdir, Result};

use crate::{git_config, git_list, our_list, show};

/// Values that need quoting or escaping when git writes them.
pub const TRICKY_VALUES: &[&[u8]] = &[
    b"with spaces",
    b"  leading spaces",
    b"trailing spaces  ",
    b"a#hash",
    b"a;semicolon",
    b"q\"uote",
    b"back\\slash",
    b"tab\there",
    b"\tleading tab",
    b"trailing tab\t",
    b"multi\nline",
    b"trailing cr\r",
    b"mid\rcr",
    b"\r",
    b"",
    b" ",
    b"\x08backspace",
    b"\xc3\xa9t\xc3\xa9 \xff",
    b"[not] a = header",
    b"ends with backslash\\",
    b"\"",
];

#[test]
fn values_written_by_git_read_back() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main"])?;
    let path = dir.join(".git/config");
    for (idx, value) in TRICKY_VALUES.iter().enumerate() {
        let (code, stderr) = git_config(dir, &path, &[format!("tricky.v{idx}").as_bytes(), value])?;
        assert_eq!(code, 0, "git config sets value {idx}: {stderr}");
    }
    for value in [
        &b"+refs/heads/*:refs/remotes/origin/*"[..],
        b"+refs/tags/*:refs/tags/*",
    ] {
        git_config(dir, &path, &[b"--add", b"remote.origin.fetch", value])?;
    }
    git_config(
        dir,
        &path,
        &[b"remote.origin.url", b"https://example.com/r.git"],
    )?;
    git_config(dir, &path, &[b"sub.with \"quote\\ and dot.x.key", b"v"])?;
    git_config(dir, &path, &[b"branch.Main.remote", b"origin"])?;

    let text = std::fs::read(&path)?;
    let file = File::from_bytes(&text)?;
    assert_eq!(file.as_bytes(), text, "unedited text is kept byte for byte");
    let theirs = git_list(dir, &path)?;
    let ours = our_list(&file);
    assert_eq!(show(&ours), show(&theirs), "we list what git lists");
    assert!(
        ours.len() >= TRICKY_VALUES.len() + 8,
        "every value is listed"
    );

    for (idx, value) in TRICKY_VALUES.iter().enumerate() {
        assert_eq!(
            file.get("tricky", None, &format!("v{idx}")),
            Some(*value),
            "value {idx} reads back as set"
        );
        assert_eq!(
            file.get("TRICKY", None, &format!("V{idx}")),
            Some(*value),
            "sections and keys are case-insensitive"
        );
    }
    assert_eq!(
        file.get_all("remote", Some(b"origin".as_slice()), "fetch"),
        git_text(dir, &["config", "--get-all", "remote.origin.fetch"])?
            .lines()
            .map(str::as_bytes)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        file.get("sub", Some(b"with \"quote\\ and dot.x".as_slice()), "key"),
        Some(&b"v"[..])
    );
    assert_eq!(
        file.get("branch", Some(b"main".as_slice()), "remote"),
        None,
        "subsections are case-sensitive"
    );
    assert_eq!(
        file.get("branch", Some(b"Main".as_slice()), "remote"),
        Some(&b"origin"[..])
    );
    assert_eq!(
        file.get_by_name(b"remote.origin.url"),
        Some(&b"https://example.com/r.git"[..])
    );
    assert_eq!(file.subsections("remote"), [&b"origin"[..]]);
    Ok(())
}

/// Every syntax feature of git-config.adoc, and git's quirks.
pub const HANDWRITTEN: &[u8] = b"top = before any section\n\
# a comment\n\
; another comment\n\
[core]\n\
\trepositoryformatversion = 0\n\
\tbare\n\
\tfilemode=true\n\
\tIgnoreCase   =   false   # comment after a value\n\
\tempty =\n\
\tempty2 = \"\"\n\
\tquoted = \"a \\\"quoted\\\" value ; not a comment\" and more # comment\n\
\tinner = a  \t b\n\
\tescapes = \\t\\n\\b\\\\\\\"\n\
\tcontinued = one \\\n\
\x20\x20\x20two \\\n\
three\n\
\tquoted-continued = \"in \\\n\
quotes\"\n\
[Section.Legacy] key = on the header line\n\
[a.B \"Sub\"]\n\
\tx = 1\n\
[s \"a\\\\b\\\"c\\d\"]\n\
\tx = 2\n\
\x20\x20[indented]\n\
\x20\x20\x20\x20key = value\n\
[crlf]\r\n\
\tkey = value\r\n\
\tcr = \"kept\r\"\r\n\
[dup]\n\
\tk = 1\n\
[other]\n\
[dup]\n\
\tk = 2\n\
\tk\n\
[end]\n\
\tlast = no newline at the end";

#[test]
fn handwritten_syntax_reads_as_git_reads_it() -> Result {
    let tmp = tempdir()?;
    let path = tmp.path().join("config");
    std::fs::write(&path, HANDWRITTEN)?;
    let file = File::from_bytes(HANDWRITTEN)?;
    assert_eq!(
        file.as_bytes(),
        HANDWRITTEN,
        "unedited text is kept byte for byte"
    );
    assert_eq!(
        show(&our_list(&file)),
        show(&git_list(tmp.path(), &path)?),
        "we list what git lists"
    );
    assert_eq!(
        file.get("core", None, "continued"),
        Some(&b"one    two three"[..])
    );
    assert_eq!(file.get("core", None, "inner"), Some(&b"a  \t b"[..]));
    assert_eq!(file.get("core", None, "bare"), Some(&b""[..]));
    assert_eq!(
        file.get_bool("core", None, "bare")?,
        Some(true),
        "a bare key is true"
    );
    assert_eq!(
        file.get_bool("core", None, "empty")?,
        Some(false),
        "an empty value is false"
    );
    assert_eq!(
        file.get("dup", None, "k"),
        Some(&b""[..]),
        "the last value wins"
    );
    assert_eq!(file.get_all("dup", None, "k"), [&b"1"[..], b"2", b""]);
    assert_eq!(
        file.get("section", Some(b"legacy".as_slice()), "key"),
        Some(&b"on the header line"[..]),
        "legacy subsections are lowercased"
    );
    assert_eq!(
        file.get("a", Some(b"b.Sub".as_slice()), "x"),
        Some(&b"1"[..])
    );
    assert_eq!(
        file.get("s", Some(b"a\\b\"cd".as_slice()), "x"),
        Some(&b"2"[..])
    );
    assert_eq!(file.get("crlf", None, "cr"), Some(&b"kept\r"[..]));
    let sections: Vec<String> = file
        .sections()
        .map(|section| {
            format!(
                "{}{}",
                String::from_utf8_lossy(section.name),
                section
                    .subsection
                    .map(|sub| format!(".{}", String::from_utf8_lossy(sub)))
                    .unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        sections,
        [
            "core",
            "section.legacy",
            "a.b.Sub",
            "s.a\\b\"cd",
            "indented",
            "crlf",
            "dup",
            "other",
            "dup",
            "end"
        ]
    );
    let top = file.entries().next().ok_or("an entry")?;
    assert_eq!((top.section, top.key, top.line), (&b""[..], &b"top"[..], 1));
    Ok(())
}

#[test]
fn byte_order_mark_and_empty_files() -> Result {
    let tmp = tempdir()?;
    let path = tmp.path().join("config");
    let text = b"\xef\xbb\xbf[core]\n\tbare = true\n";
    std::fs::write(&path, text)?;
    let file = File::from_bytes(text)?;
    assert_eq!(show(&our_list(&file)), show(&git_list(tmp.path(), &path)?));
    assert_eq!(file.as_bytes(), text);
    for empty in [
        &b""[..],
        b"\n",
        b"   \n\t\n",
        b"# only a comment",
        b"\xef\xbb\xbf",
    ] {
        let file = File::from_bytes(empty)?;
        assert_eq!(file.entries().count(), 0, "{empty:?} has no entries");
        assert_eq!(file.as_bytes(), empty);
    }
    Ok(())
}
