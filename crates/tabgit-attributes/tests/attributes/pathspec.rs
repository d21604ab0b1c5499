//! Pathspecs against `git ls-files --others`, and the random trees the differential tests
//! share.
use std::path::Path;

use tabgit_attributes::Pathspec;
use tabgit_testtools::{git, tempdir, Result};

/// A small deterministic PRNG (xorshift64*), so every run tests the same cases.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Files and directories created on disk: `(path, is_dir)` for every entry, sorted.
pub struct Tree {
    pub entries: Vec<(String, bool)>,
}

const DIRS: &[&str] = &[
    "a",
    "a/b",
    "a/b/c",
    "build",
    "src",
    "src/build",
    "x y",
    "d1",
    "a/x",
    "c",
];
const NAMES: &[&str] = &[
    "foo", "foo.o", "keep.o", "bar.c", "x", "b", "#hash", "!bang", "A.O", "tmp~", "y", "xzy",
    "main.c", "x y", "bar ",
];

impl Tree {
    pub fn create(root: &Path, rng: &mut Rng) -> Result<Self> {
        let mut entries = Vec::new();
        for dir in DIRS {
            std::fs::create_dir_all(root.join(dir))?;
            entries.push(((*dir).to_owned(), true));
        }
        for dir in std::iter::once(&"").chain(DIRS.iter()) {
            for name in NAMES {
                let path = if dir.is_empty() {
                    (*name).to_owned()
                } else {
                    format!("{dir}/{name}")
                };
                if DIRS.contains(&path.as_str()) || rng.below(3) == 0 {
                    continue;
                }
                std::fs::write(root.join(&path), b"x\n")?;
                entries.push((path, false));
            }
        }
        entries.sort();
        Ok(Tree { entries })
    }

    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(|(_, is_dir)| !is_dir)
            .map(|(p, _)| p.as_str())
    }
}

#[test]
fn literal_directory_and_glob_items() -> Result {
    let spec = Pathspec::parse(&["src", "*.c", ":!src/build"], b"")?;
    assert!(spec.matches(b"src/x"));
    assert!(spec.matches(b"a/main.c"));
    assert!(!spec.matches(b"src/build/x"));
    assert!(!spec.matches(b"srcx"));
    let sub = Pathspec::parse(&["..", "./y"], b"a/b")?;
    assert_eq!(sub.items()[0].path, b"a");
    assert_eq!(sub.items()[1].path, b"a/b/y");
    assert!(Pathspec::parse(&["../../.."], b"a").is_err());
    let top = Pathspec::parse(&[":/src", ":(top,glob)**/*.c"], b"a")?;
    assert!(top.matches(b"src/q"));
    assert!(top.matches(b"x/y/z.c"));
    Ok(())
}

const SPECS: &[&str] = &[
    "a",
    "a/",
    "*.c",
    "a/*",
    "*",
    "x y",
    "a/b/c",
    ":!a",
    ":(glob)a/*",
    ":(glob)**/foo",
    ":(literal)*",
    "?",
    "[ab]*",
    "src/build/",
    ":(icase)A.o",
    "b*",
    ":/c",
    ".",
    "foo*",
    "*/foo",
    ":^*.o",
];

#[test]
fn random_pathspecs_select_what_git_ls_files_selects() -> Result {
    for seed in 0..12 {
        let mut rng = Rng::new(seed + 100);
        let tmp = tempdir()?;
        let dir = tmp.path();
        git(dir, &["init", "-q"])?;
        let tree = Tree::create(dir, &mut rng)?;
        for _ in 0..8 {
            let n = rng.below(3) + 1;
            let specs: Vec<&str> = (0..n).map(|_| SPECS[rng.below(SPECS.len())]).collect();
            let (cwd, prefix) = if rng.below(3) == 0 {
                (dir.join("a"), &b"a"[..])
            } else {
                (dir.to_path_buf(), &b""[..])
            };
            let mut args = vec!["ls-files", "-o", "-z", "--full-name", "--"];
            args.extend(&specs);
            let theirs: Vec<String> = git(&cwd, &args)?
                .split(|&b| b == 0)
                .filter(|p| !p.is_empty())
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
            let spec = Pathspec::parse(&specs, prefix)?;
            let mut ours: Vec<String> = tree
                .files()
                .filter(|p| spec.matches(p.as_bytes()))
                .map(str::to_owned)
                .collect();
            ours.sort();
            let mut theirs = theirs;
            theirs.sort();
            assert_eq!(
                ours,
                theirs,
                "pathspec {specs:?} in {:?}",
                String::from_utf8_lossy(prefix)
            );
        }
    }
    Ok(())
}
