//! Ignore rules: unit cases, and `git check-ignore -v --no-index` on random ignore files.
use std::path::Path;

use tabgit_attributes::ignore::{self, File, Stack};
use tabgit_testtools::{git_command, tempdir, Result};

use crate::pathspec::{Rng, Tree};

#[test]
fn precedence_and_negation() {
    let mut stack = Stack::new(vec![File::parse(b"*.log\n", b"", b".git/info/exclude")]);
    stack.push(File::parse(
        b"*.o\n!keep.o\n/top\nbuild/\n",
        b"",
        b".gitignore",
    ));
    assert!(stack.is_ignored(b"a.o", false));
    assert!(!stack.is_ignored(b"keep.o", false));
    assert!(stack.is_ignored(b"x.log", false));
    assert!(stack.is_ignored(b"top", false));
    // Entering `src/`: its file applies to what is inside.
    stack.push(File::parse(b"keep.o\n!*.log\n", b"src", b"src/.gitignore"));
    assert!(
        stack.is_ignored(b"src/keep.o", false),
        "the deeper file wins"
    );
    assert!(
        !stack.is_ignored(b"src/x.log", false),
        "per-directory files beat info/exclude"
    );
    assert!(
        !stack.is_ignored(b"src/top", false),
        "a leading slash anchors"
    );
    assert!(stack.is_ignored(b"src/build", true));
    assert!(!stack.is_ignored(b"src/build", false));
}

#[test]
fn trailing_spaces_comments_and_escapes() {
    let file = File::parse(
        b"# comment\n\\#hash\nspace\\ \ntrail   \n\\!bang\r\n",
        b"",
        b"x",
    );
    let texts: Vec<&[u8]> = file.rules.iter().map(|r| r.text.as_slice()).collect();
    assert_eq!(texts, [&b"\\#hash"[..], b"space\\ ", b"trail", b"\\!bang"]);
    let stack = {
        let mut s = Stack::default();
        s.push(file);
        s
    };
    assert!(stack.is_ignored(b"#hash", false));
    assert!(stack.is_ignored(b"space ", false));
    assert!(stack.is_ignored(b"!bang", false));
}

#[test]
fn an_ignored_parent_decides_for_its_contents() {
    let mut load = |dir: &[u8]| match dir {
        b"" => Some(File::parse(b"out/\n", b"", b".gitignore")),
        b"out" => Some(File::parse(b"!keep\n", b"out", b"out/.gitignore")),
        _ => None,
    };
    let found = ignore::check(b"out/keep", false, Vec::new(), false, &mut load).expect("match");
    assert_eq!(
        (found.source.as_slice(), found.line),
        (&b".gitignore"[..], 1)
    );
    assert!(!found.negative);
}

const PATTERNS: &[&str] = &[
    "*.o",
    "!keep.o",
    "foo",
    "/foo",
    "foo/",
    "build/",
    "/build",
    "a/b",
    "a/**",
    "**/c",
    "a/**/x",
    "**/build/",
    "*",
    "!*.c",
    "b",
    "[ab]*",
    "?",
    "x?y",
    "#notcomment",
    "\\#hash",
    "\\!bang",
    "*.O",
    "tmp~",
    "d*/",
    "!a",
    "**",
    "a/*/x",
    "src/*.c",
    "!/src",
    "c/",
    "*.c ",
    "bar\\ ",
    "**/foo/**",
    "x y",
    "!x y",
    "/a/b/c",
    "*o",
    "A.O",
];

fn random_ignore(rng: &mut Rng) -> String {
    let n = rng.below(5) + 1;
    let mut out = String::new();
    for _ in 0..n {
        out.push_str(PATTERNS[rng.below(PATTERNS.len())]);
        out.push('\n');
    }
    out
}

/// Parse `git check-ignore -v -n -z` output: (source, line, pattern, path) records.
/// One `git check-ignore -v -n` record: source, line, pattern, path.
type Record = (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);

fn parse_check_ignore(out: &[u8]) -> Vec<Record> {
    let fields: Vec<&[u8]> = out.split(|&b| b == 0).collect();
    fields
        .chunks(4)
        .filter(|c| c.len() == 4)
        .map(|c| (c[0].to_vec(), c[1].to_vec(), c[2].to_vec(), c[3].to_vec()))
        .collect()
}

fn check_against_git(dir: &Path, tree: &Tree, global: &str) -> Result {
    let mut input = Vec::new();
    for (path, _) in &tree.entries {
        input.extend_from_slice(path.as_bytes());
        input.push(0);
    }
    let out = {
        use std::io::Write as _;
        let mut child = git_command(dir)
            .args(["check-ignore", "-v", "-n", "-z", "--no-index", "--stdin"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()?;
        child.stdin.take().ok_or("stdin")?.write_all(&input)?;
        child.wait_with_output()?.stdout
    };
    let theirs = parse_check_ignore(&out);
    assert_eq!(theirs.len(), tree.entries.len(), "one record per path");
    let globals = vec![File::parse(global.as_bytes(), b"", b".git/info/exclude")];
    for ((path, is_dir), (source, line, pattern, their_path)) in tree.entries.iter().zip(&theirs) {
        assert_eq!(path.as_bytes(), their_path.as_slice());
        let mut load = |d: &[u8]| {
            let file = if d.is_empty() {
                dir.join(".gitignore")
            } else {
                dir.join(String::from_utf8_lossy(d).as_ref())
                    .join(".gitignore")
            };
            let data = std::fs::read(&file).ok()?;
            let mut source = d.to_vec();
            if !source.is_empty() {
                source.push(b'/');
            }
            source.extend_from_slice(b".gitignore");
            Some(File::parse(&data, d, &source))
        };
        let ours = ignore::check(path.as_bytes(), *is_dir, globals.clone(), false, &mut load);
        let ours = match ours {
            Some(m) => (m.source, m.line.to_string().into_bytes(), m.text),
            None => (Vec::new(), Vec::new(), Vec::new()),
        };
        assert_eq!(
            (
                String::from_utf8_lossy(&ours.0),
                String::from_utf8_lossy(&ours.1),
                String::from_utf8_lossy(&ours.2)
            ),
            (
                String::from_utf8_lossy(source),
                String::from_utf8_lossy(line),
                String::from_utf8_lossy(pattern)
            ),
            "{path} (dir: {is_dir}) in {}",
            dir.display()
        );
    }
    Ok(())
}

#[test]
fn random_ignore_files_decide_as_git_check_ignore() -> Result {
    let rounds: u64 = std::env::var("TABGIT_IGNORE_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25);
    for seed in 0..rounds {
        let mut rng = Rng::new(seed);
        let tmp = tempdir()?;
        let dir = tmp.path();
        tabgit_testtools::git(dir, &["init", "-q"])?;
        let tree = Tree::create(dir, &mut rng)?;
        for gitignore_dir in ["", "a", "a/b", "src", "build"] {
            if rng.below(3) > 0 {
                let path = dir.join(gitignore_dir).join(".gitignore");
                if path.parent().is_some_and(Path::is_dir) {
                    std::fs::write(path, random_ignore(&mut rng))?;
                }
            }
        }
        let global = random_ignore(&mut rng);
        std::fs::write(dir.join(".git/info/exclude"), &global)?;
        check_against_git(dir, &tree, &global)?;
    }
    Ok(())
}
