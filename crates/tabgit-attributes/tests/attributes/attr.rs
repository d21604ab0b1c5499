//! Attributes: unit cases, and `git check-attr -a` on random attribute files.
use std::collections::BTreeSet;

use tabgit_attributes::attr::{Collection, State, Text};
use tabgit_testtools::{git_command, tempdir, Result};

use crate::pathspec::{Rng, Tree};

#[test]
fn binary_macro_expands_and_later_lines_win() {
    let mut attributes = Collection::default();
    attributes.insert_file(
        b"",
        b"*.png binary\n*.txt text\n*.txt -text\n[attr]mine text -merge\n*.m mine\n",
    );
    attributes.insert_file(b"sub", b"*.txt text eol=crlf\n[attr]ignored text\n");
    let png = attributes.lookup(b"a/b.png");
    assert_eq!(png.get(b"binary"), &State::Set);
    assert_eq!(png.get(b"diff"), &State::Unset);
    assert_eq!(png.text(), Text::Binary);
    assert_eq!(attributes.lookup(b"x.txt").text(), Text::Binary);
    let sub = attributes.lookup(b"sub/x.txt");
    assert_eq!(sub.text(), Text::Text, "the deeper file wins");
    assert_eq!(sub.eol(), Some(tabgit_attributes::attr::Eol::Crlf));
    let m = attributes.lookup(b"q.m");
    assert_eq!(
        (m.get(b"text"), m.get(b"merge")),
        (&State::Set, &State::Unset)
    );
}

#[test]
fn quoted_patterns_and_invalid_lines() {
    let mut attributes = Collection::default();
    attributes.insert_file(
        b"",
        b"\"x y\" text\n!neg text\nbad -bad- \ndir/ text\nok foo=bar\n",
    );
    assert_eq!(attributes.lookup(b"x y").get(b"text"), &State::Set);
    assert_eq!(attributes.lookup(b"neg").get(b"text"), &State::Unspecified);
    assert_eq!(attributes.lookup(b"dir").get(b"text"), &State::Unspecified);
    assert_eq!(
        attributes.lookup(b"ok").get(b"foo"),
        &State::Value(b"bar".to_vec())
    );
}

const LINES: &[&str] = &[
    "*.c text",
    "*.o binary",
    "* -text",
    "*.c eol=crlf",
    "a/** -diff",
    "foo diff=md merge=union",
    "!x text",
    "b/ text",
    "\"x y\" text",
    "*.o !text",
    "[attr]mine text -merge",
    "*.c mine",
    "x* -mine",
    "a/b/c export-ignore",
    "src/*.c whitespace=-trail",
    "build/** text=auto",
    "**/build -binary",
    "keep.o !binary diff",
    "[attr]binary -text",
    "foo* -text text",
    "y text=auto eol=lf",
];

fn random_attributes(rng: &mut Rng) -> String {
    let n = rng.below(5) + 1;
    (0..n)
        .map(|_| format!("{}\n", LINES[rng.below(LINES.len())]))
        .collect()
}

fn describe(state: &State) -> String {
    match state {
        State::Set => "set".into(),
        State::Unset => "unset".into(),
        State::Value(v) => String::from_utf8_lossy(v).into_owned(),
        State::Unspecified => "unspecified".into(),
    }
}

#[test]
fn random_attribute_files_decide_as_git_check_attr() -> Result {
    for seed in 0..25 {
        let mut rng = Rng::new(seed + 1000);
        let tmp = tempdir()?;
        let dir = tmp.path();
        tabgit_testtools::git(dir, &["init", "-q"])?;
        let tree = Tree::create(dir, &mut rng)?;
        let mut attributes = Collection::default();
        for attr_dir in ["", "a", "a/b", "src"] {
            if rng.below(3) > 0 {
                let data = random_attributes(&mut rng);
                std::fs::write(dir.join(attr_dir).join(".gitattributes"), &data)?;
                attributes.insert_file(attr_dir.as_bytes(), data.as_bytes());
            }
        }
        if rng.below(2) == 0 {
            let data = random_attributes(&mut rng);
            std::fs::create_dir_all(dir.join(".git/info"))?;
            std::fs::write(dir.join(".git/info/attributes"), &data)?;
            attributes.set_info(data.as_bytes());
        }
        let files: Vec<&str> = tree.files().collect();
        let mut input = Vec::new();
        for path in &files {
            input.extend_from_slice(path.as_bytes());
            input.push(0);
        }
        let out = {
            use std::io::Write as _;
            let mut child = git_command(dir)
                .args(["check-attr", "-a", "-z", "--stdin"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()?;
            child.stdin.take().ok_or("stdin")?.write_all(&input)?;
            child.wait_with_output()?.stdout
        };
        let fields: Vec<&[u8]> = out.split(|&b| b == 0).collect();
        let theirs: BTreeSet<(String, String, String)> = fields
            .chunks(3)
            .filter(|c| c.len() == 3)
            .map(|c| {
                let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
                (s(c[0]), s(c[1]), s(c[2]))
            })
            .collect();
        let mut ours = BTreeSet::new();
        for path in &files {
            for (name, state) in attributes.lookup(path.as_bytes()).specified() {
                ours.insert((
                    (*path).to_owned(),
                    String::from_utf8_lossy(name).into_owned(),
                    describe(state),
                ));
            }
        }
        let missing: Vec<_> = theirs.difference(&ours).collect();
        let extra: Vec<_> = ours.difference(&theirs).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "seed {seed}: git has but we lack {missing:?}; we have but git lacks {extra:?}"
        );
    }
    Ok(())
}
