//! Edits give the bytes `git config` writes for the same edit, and what we write reads back in git
//! exactly as set.
use std::path::Path;

use tabgit_config::{file, File};
use tabgit_testtools::{tempdir, Result};

use crate::read::TRICKY_VALUES;
use crate::{git_config, git_list, our_list, show};

const BASE: &[u8] = b"# top comment\n\
[core]\n\
\trepositoryformatversion = 0\n\
\tbare = false\n\
\tlogallrefupdates = true\n\
[remote \"origin\"]\n\
\turl = https://example.com/repo.git\n\
\tfetch = +refs/heads/*:refs/remotes/origin/*\n\
\tfetch = +refs/tags/*:refs/tags/*  ; tags\n\
[branch \"main\"]\n\
\tremote = origin\n\
\tmerge = refs/heads/main\n\
[branch \"topic\"]\n\
\t# keep this section\n\
\tremote = origin\n\
[section.legacy]\n\
\tKey = \"quoted value\" # trailing comment\n\
[alias]\n\
\tlg = log --graph \\\n\
\t  --oneline\n\
[empty]\n\
[user]\n\
\tname = A U Thor\n\
[remote \"origin\"]\n\
\tpushurl = ssh://example.com/repo.git\n\
[core] autocrlf = input";

/// One edit, done by us and by git.
enum Edit<'a> {
    Set(&'a str, Option<&'a [u8]>, &'a str, &'a [u8]),
    Add(&'a str, Option<&'a [u8]>, &'a str, &'a [u8]),
    ReplaceAll(&'a str, Option<&'a [u8]>, &'a str, &'a [u8]),
    Unset(&'a str, Option<&'a [u8]>, &'a str),
    UnsetAll(&'a str, Option<&'a [u8]>, &'a str),
    Rename(&'a str, Option<&'a [u8]>, &'a str, Option<&'a [u8]>),
    Remove(&'a str, Option<&'a [u8]>),
}

fn dotted(section: &str, subsection: Option<&[u8]>, key: Option<&str>) -> Vec<u8> {
    let mut name = section.as_bytes().to_vec();
    if let Some(subsection) = subsection {
        name.push(b'.');
        name.extend_from_slice(subsection);
    }
    if let Some(key) = key {
        name.push(b'.');
        name.extend_from_slice(key.as_bytes());
    }
    name
}

/// Apply `edit` to `ours` and, with `git config`, to the file at `path`.
fn apply(dir: &Path, path: &Path, ours: &mut File, edit: &Edit<'_>) -> Result<String> {
    let (args, label): (Vec<Vec<u8>>, String) = match *edit {
        Edit::Set(section, subsection, key, value) => {
            ours.set(section, subsection, key, value)?;
            (
                vec![dotted(section, subsection, Some(key)), value.to_vec()],
                "set".into(),
            )
        }
        Edit::Add(section, subsection, key, value) => {
            ours.add(section, subsection, key, value)?;
            let name = dotted(section, subsection, Some(key));
            (vec![b"--add".to_vec(), name, value.to_vec()], "add".into())
        }
        Edit::ReplaceAll(section, subsection, key, value) => {
            ours.replace_all(section, subsection, key, value)?;
            let name = dotted(section, subsection, Some(key));
            (
                vec![b"--replace-all".to_vec(), name, value.to_vec()],
                "replace-all".into(),
            )
        }
        Edit::Unset(section, subsection, key) => {
            assert!(
                ours.unset(section, subsection, key)?,
                "there is a value to unset"
            );
            let name = dotted(section, subsection, Some(key));
            (vec![b"--unset".to_vec(), name], "unset".into())
        }
        Edit::UnsetAll(section, subsection, key) => {
            assert!(
                ours.unset_all(section, subsection, key)? > 0,
                "there are values"
            );
            let name = dotted(section, subsection, Some(key));
            (vec![b"--unset-all".to_vec(), name], "unset-all".into())
        }
        Edit::Rename(section, subsection, new_section, new_subsection) => {
            assert!(ours.rename_section(section, subsection, new_section, new_subsection)? > 0);
            let args = vec![
                b"--rename-section".to_vec(),
                dotted(section, subsection, None),
                dotted(new_section, new_subsection, None),
            ];
            (args, "rename-section".into())
        }
        Edit::Remove(section, subsection) => {
            assert!(ours.remove_section(section, subsection)? > 0);
            let args = vec![
                b"--remove-section".to_vec(),
                dotted(section, subsection, None),
            ];
            (args, "remove-section".into())
        }
    };
    let arg_refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
    let (code, stderr) = git_config(dir, path, &arg_refs)?;
    let label = format!(
        "{label} {}",
        args.iter()
            .map(|arg| format!("{:?}", String::from_utf8_lossy(arg)))
            .collect::<Vec<_>>()
            .join(" ")
    );
    assert_eq!(code, 0, "git config {label} succeeds: {stderr}");
    Ok(label)
}

fn check_same(dir: &Path, path: &Path, ours: &File, label: &str) -> Result {
    let theirs = std::fs::read(path)?;
    assert_eq!(
        String::from_utf8_lossy(ours.as_bytes()),
        String::from_utf8_lossy(&theirs),
        "after {label}, our text equals git's"
    );
    assert_eq!(
        show(&our_list(ours)),
        show(&git_list(dir, path)?),
        "after {label}, git lists what we list"
    );
    Ok(())
}

#[test]
fn edits_write_what_git_writes() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    let path = dir.join("config");
    std::fs::write(&path, BASE)?;
    let mut ours = File::from_bytes(BASE)?;
    let origin = Some(b"origin".as_slice());
    let edits = [
        Edit::Set("core", None, "bare", b"true"),
        Edit::Set("core", None, "editor", b"vim -f"),
        Edit::Set("user", None, "email", b"a@example.com"),
        Edit::Set("Brand", Some(b"sub\"q\\x"), "NewKey", b" lead and trail "),
        Edit::Set("alias", None, "x", b"a#b;c\"d\\e\tf\ng\rh"),
        Edit::Set("alias", None, "cr", b"trailing cr\r"),
        Edit::Set("section", Some(b"legacy"), "key", b"replaced"),
        Edit::Set("core", None, "AutoCRLF", b"false"),
        Edit::Add("remote", origin, "fetch", b"+refs/notes/*:refs/notes/*"),
        Edit::Add(
            "remote",
            Some(b"new"),
            "fetch",
            b"+refs/heads/*:refs/remotes/new/*",
        ),
        Edit::Unset("branch", Some(b"main"), "merge"),
        Edit::Unset("branch", Some(b"main"), "remote"),
        Edit::Unset("branch", Some(b"topic"), "remote"),
        Edit::Unset("user", None, "name"),
        Edit::Unset("user", None, "email"),
        Edit::ReplaceAll(
            "remote",
            origin,
            "fetch",
            b"+refs/heads/main:refs/remotes/origin/main",
        ),
        Edit::Add(
            "remote",
            origin,
            "fetch",
            b"+refs/heads/dev:refs/remotes/origin/dev",
        ),
        Edit::UnsetAll("remote", origin, "fetch"),
        Edit::Rename("remote", origin, "remote", Some(b"upstream")),
        Edit::Rename("core", None, "kernel", None),
        Edit::Remove("alias", None),
        Edit::Remove("empty", None),
        Edit::Set(
            "remote",
            Some(b"upstream"),
            "url",
            b"https://example.com/moved.git",
        ),
        Edit::Unset("remote", Some(b"upstream"), "url"),
        Edit::Unset("remote", Some(b"upstream"), "pushurl"),
    ];
    for edit in &edits {
        let label = apply(dir, &path, &mut ours, edit)?;
        check_same(dir, &path, &ours, &label)?;
    }
    assert_eq!(ours.subsections("remote"), [&b"new"[..]]);
    Ok(())
}

#[test]
fn edits_of_an_empty_file_match_git() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    for start in [
        &b""[..],
        b"[a]",
        b"[a]\n\tx = 1",
        b"# c\n",
        b"[a]\r\n\tx = 1\r\n",
    ] {
        let path = dir.join("config");
        std::fs::write(&path, start)?;
        let mut ours = File::from_bytes(start)?;
        for edit in [
            Edit::Set("a", None, "y", b"2"),
            Edit::Set("a", None, "x", b"3"),
            Edit::Add("b", Some(b"c"), "z", b"4"),
            Edit::Unset("a", None, "y"),
        ] {
            let label = apply(dir, &path, &mut ours, &edit)?;
            check_same(dir, &path, &ours, &format!("{label} from {start:?}"))?;
        }
    }
    Ok(())
}

#[test]
fn last_of_several_values_matches_git_with_a_value_pattern() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    let path = dir.join("config");
    let start = b"[m]\n\tv = one\n\tv = two\n[n]\n[m]\n\tv = three\n\tw = x\n";
    std::fs::write(&path, start)?;
    let mut ours = File::from_bytes(start)?;

    // Our `set` replaces the last value; git does that with a pattern matching only it.
    ours.set("m", None, "v", b"THREE")?;
    git_config(
        dir,
        &path,
        &[b"--replace-all", b"m.v", b"THREE", b"^three$"],
    )?;
    check_same(dir, &path, &ours, "set of the last value")?;

    ours.unset("m", None, "v")?;
    git_config(dir, &path, &[b"--unset", b"m.v", b"^THREE$"])?;
    check_same(dir, &path, &ours, "unset of the last value")?;
    assert_eq!(ours.get_all("m", None, "v"), [&b"one"[..], b"two"]);
    Ok(())
}

#[test]
fn every_value_we_write_reads_back_in_git() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    let path = dir.join("config");
    let mut ours = File::default();
    let mut expected = Vec::new();
    let mut rng = 0x5eed_u64;
    let alphabet: &[&[u8]] = &[
        b" ",
        b"\t",
        b"\n",
        b"\r",
        b"\r\n",
        b"\"",
        b"\\",
        b"#",
        b";",
        b"=",
        b"[",
        b"]",
        b"a",
        b"b",
        b"\x08",
        b"\x0b",
        b"\x0c",
        b"\xc3\xa9",
        b"\xff",
        b"\\n",
        b"\\\n",
    ];
    let mut values: Vec<Vec<u8>> = TRICKY_VALUES.iter().map(|v| v.to_vec()).collect();
    for _ in 0..300 {
        let mut value = Vec::new();
        for _ in 0..(rng % 8) {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            value.extend_from_slice(alphabet[(rng % alphabet.len() as u64) as usize]);
        }
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        values.push(value);
    }
    for (idx, value) in values.iter().enumerate() {
        let subsection = format!("s{}", idx % 7);
        let key = format!("k{idx}");
        ours.set("fuzz", Some(subsection.as_bytes()), &key, value)?;
        expected.push((
            format!("fuzz.{subsection}.{key}").into_bytes(),
            Some(value.clone()),
        ));
    }
    std::fs::write(&path, ours.as_bytes())?;
    let mut theirs = git_list(dir, &path)?;
    theirs.sort();
    expected.sort();
    assert_eq!(
        show(&theirs),
        show(&expected),
        "git reads every value exactly as we set it"
    );
    let reread = File::from_bytes(ours.as_bytes())?;
    assert_eq!(our_list(&reread), our_list(&ours));
    Ok(())
}

#[test]
fn unwritable_names_and_values_are_refused() -> Result {
    let mut config = File::from_bytes(b"[a]\n\tx = 1\n")?;
    let before = config.clone();
    let refused = [
        config.set("a", None, "x", b"nul\0"),
        config.set("a", Some(b"line\nbreak"), "x", b"v"),
        config.set("a", Some(b"carriage\r"), "x", b"v"),
        config.set("a b", None, "x", b"v"),
        config.set("", None, "x", b"v"),
        config.set("a", None, "1x", b"v"),
        config.set("a", None, "x_y", b"v"),
        config.set("a", None, "", b"v"),
    ];
    for (idx, res) in refused.iter().enumerate() {
        assert!(res.is_err(), "edit {idx} is refused: {res:?}");
    }
    assert!(matches!(
        config.rename_section("a", None, "b", Some(b"x\ny")),
        Err(file::Error::Name(_))
    ));
    assert_eq!(config, before, "refused edits change nothing");

    // A value continued onto the next line by a trailing backslash would swallow the key git
    // appends after it; the edit is refused instead of corrupting the file.
    let mut continued = File::from_bytes(b"[a]\n\tx = 1\\")?;
    assert!(matches!(
        continued.set("a", None, "y", b"2"),
        Err(file::Error::WouldNotReadBack { .. })
    ));
    assert_eq!(continued.as_bytes(), b"[a]\n\tx = 1\\");

    // Legacy headers lowercase their subsection; a mixed-case subsection gets its own section
    // (git would put it under the legacy header, where it reads back under another name).
    let mut legacy = File::from_bytes(b"[remote.origin]\n\turl = x\n")?;
    legacy.set("remote", Some(b"Origin"), "url", b"y")?;
    assert_eq!(
        legacy.get("remote", Some(b"Origin".as_slice()), "url"),
        Some(&b"y"[..])
    );
    assert_eq!(
        legacy.get("remote", Some(b"origin".as_slice()), "url"),
        Some(&b"x"[..])
    );

    // Nothing to unset, rename or remove is not an error.
    assert!(!config.unset("a", None, "missing")?);
    assert_eq!(config.unset_all("zz", None, "x")?, 0);
    assert_eq!(config.remove_section("zz", None)?, 0);
    assert_eq!(config.rename_section("zz", None, "yy", None)?, 0);
    assert_eq!(config, before);
    Ok(())
}

#[test]
fn section_names_match_case_insensitively() -> Result {
    let mut config =
        File::from_bytes(b"[Remote \"origin\"]\n\turl = x\n[remote \"origin\"]\n\tfetch = y\n")?;
    assert_eq!(
        config.rename_section("remote", Some(b"origin"), "remote", Some(b"up"))?,
        2
    );
    assert_eq!(
        config.as_bytes(),
        b"[remote \"up\"]\n\turl = x\n[remote \"up\"]\n\tfetch = y\n"
    );
    assert_eq!(config.remove_section("REMOTE", Some(b"up"))?, 2);
    assert_eq!(config.as_bytes(), b"");
    Ok(())
}
