//! Commit and tree merges against `git merge-tree --write-tree` (merge-ort) on generated
//! repositories: the same tree, the same conflicted stages, the same messages.

use std::collections::HashSet;
use std::path::Path;

use tabgit_merge::commit::{self, Context, Labels};
use tabgit_merge::tree;
use tabgit_object::{Kind, ObjectId, Write};
use tabgit_store::files::FsFiles;
use tabgit_store::odb::Odb;
use tabgit_testtools::{git, git_command, git_text, tempdir, Result};

use crate::{random_text, Rng};

/// Stores objects in an [`Odb`] while the merge reads from it.
struct Writer<'a>(&'a Odb<FsFiles>);

impl Write for Writer<'_> {
    fn write(
        &mut self,
        kind: Kind,
        data: &[u8],
    ) -> std::result::Result<ObjectId, tabgit_object::find::Error> {
        Ok(self.0.write_loose(kind, data)?)
    }
}

/// Run a shell script in `dir` with git's test environment.
pub fn sh(dir: &Path, script: &str) -> Result {
    let out = git_command(dir)
        .env_remove("GIT_CONFIG_PARAMETERS")
        .arg("--version")
        .output()?;
    assert!(out.status.success());
    let mut cmd = std::process::Command::new("bash");
    cmd.arg("-euc").arg(script).current_dir(dir);
    for (key, value) in git_command(dir).get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    let out = cmd.output()?;
    if !out.status.success() {
        return Err(format!(
            "script failed: {script}\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(())
}

/// A repository with branches `a` and `b` forked from `main`, each made by a script and
/// committed.
pub fn fork(base: &str, a: &str, b: &str) -> Result<tabgit_testtools::TempDir> {
    let dir = tempdir()?;
    let path = dir.path();
    git(path, &["init", "-q", "-b", "main"])?;
    sh(path, base)?;
    sh(path, "git add -A && git commit -q --allow-empty -m base")?;
    sh(path, "git checkout -q -b a")?;
    sh(path, a)?;
    sh(path, "git add -A && git commit -q --allow-empty -m a")?;
    sh(path, "git checkout -q -b b main")?;
    sh(path, b)?;
    sh(path, "git add -A && git commit -q --allow-empty -m b")?;
    Ok(dir)
}

/// What `git merge-tree --write-tree --messages` says: the tree, the conflicted stages as
/// `mode oid stage\tpath` lines, and the messages.
pub struct GitMerge {
    pub tree: String,
    pub stages: Vec<String>,
    pub messages: String,
}

pub fn git_merge_tree(dir: &Path, config: &[&str], ours: &str, theirs: &str) -> Result<GitMerge> {
    let mut cmd = git_command(dir);
    for c in config {
        cmd.args(["-c", c]);
    }
    let out = cmd
        .args(["merge-tree", "--write-tree", "--messages", ours, theirs])
        .output()?;
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "git merge-tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout)?;
    let (head, messages) = text.split_once("\n\n").unwrap_or((text.as_str(), ""));
    let mut lines = head.lines();
    let tree = lines.next().ok_or("no tree")?.to_owned();
    Ok(GitMerge {
        tree,
        stages: lines.map(str::to_owned).collect(),
        messages: messages.to_owned(),
    })
}

/// Merge `theirs` into `ours` with tabgit.
pub fn tabgit_merge(
    dir: &Path,
    ours: &str,
    theirs: &str,
    options: &tree::Options,
) -> Result<(commit::Outcome, Vec<String>)> {
    let odb = Odb::open(FsFiles::new(dir.join(".git")))?;
    let resolve = |name: &str| -> Result<ObjectId> {
        Ok(ObjectId::from_hex(
            git_text(dir, &["rev-parse", name])?.as_bytes(),
        )?)
    };
    let (ours_id, theirs_id) = (resolve(ours)?, resolve(theirs)?);
    let abbreviate = |id: &ObjectId| -> Vec<u8> {
        git_text(dir, &["rev-parse", "--short", &id.to_hex()])
            .unwrap_or_default()
            .into_bytes()
    };
    let mut writer = Writer(&odb);
    let outcome = commit::merge(
        Context {
            find: &odb,
            write: &mut writer,
            shallow: HashSet::new(),
            abbreviate: &abbreviate,
        },
        &ours_id,
        &theirs_id,
        &Labels {
            ours: ours.as_bytes(),
            theirs: theirs.as_bytes(),
        },
        options,
    )?;
    let index = outcome.tree.index(&odb)?;
    let stages = index
        .entries()
        .iter()
        .filter(|e| e.stage.number() > 0)
        .map(|e| {
            format!(
                "{} {} {}\t{}",
                e.mode,
                e.object_id,
                e.stage.number(),
                String::from_utf8_lossy(&e.path)
            )
        })
        .collect();
    Ok((outcome, stages))
}

/// Merge `a` and `b` with both and compare tree, stages and messages.
pub fn compare(dir: &Path, config: &[&str], options: &tree::Options) -> Result<commit::Outcome> {
    let expected = git_merge_tree(dir, config, "a", "b")?;
    let (outcome, stages) = tabgit_merge(dir, "a", "b", options)?;
    let messages: String = outcome
        .tree
        .messages
        .iter()
        .map(|m| format!("{}\n", m.text))
        .collect();
    assert_eq!(
        stages, expected.stages,
        "conflicted stages as git's merge-ort"
    );
    assert_eq!(messages, expected.messages, "messages as git's merge-ort");
    assert_eq!(
        outcome.tree.tree_id.to_hex(),
        expected.tree,
        "tree as git's merge-ort:\n{}",
        git_text(dir, &["ls-tree", "-r", &expected.tree])?
    );
    Ok(outcome)
}

fn default_options() -> tree::Options {
    tree::Options::default()
}

#[test]
fn clean_three_way() -> Result {
    let dir = fork(
        "printf 'a\\nb\\nc\\nd\\ne\\nf\\ng\\n' > f; mkdir -p d/e; echo x > d/e/x; echo y > y",
        "sed -i 's/^b$/B/' f; echo new > d/new",
        "sed -i 's/^f$/F/' f; rm y",
    )?;
    let outcome = compare(dir.path(), &[], &default_options())?;
    assert!(outcome.tree.is_clean());
    Ok(())
}

#[test]
fn content_conflict_with_diff3() -> Result {
    let dir = fork(
        "printf 'a\\nb\\nc\\n' > f",
        "printf 'a\\nB\\nc\\n' > f",
        "printf 'a\\nbb\\nc\\n' > f",
    )?;
    compare(dir.path(), &[], &default_options())?;
    let mut options = default_options();
    options.blob.style = tabgit_merge::blob::ConflictStyle::Diff3;
    let outcome = compare(dir.path(), &["merge.conflictStyle=diff3"], &options)?;
    let conflict = &outcome.tree.conflicts[0];
    assert!(conflict
        .content
        .as_ref()
        .is_some_and(|c| c.n_conflicts == 1));
    Ok(())
}

#[test]
fn rename_modify() -> Result {
    let dir = fork(
        "seq 1 20 > old.txt",
        "git mv old.txt new.txt",
        "sed -i 's/^10$/ten/' old.txt",
    )?;
    assert!(compare(dir.path(), &[], &default_options())?
        .tree
        .is_clean());
    let dir = fork(
        "seq 1 20 > old.txt",
        "git mv old.txt new.txt; sed -i 's/^10$/TEN/' new.txt",
        "sed -i 's/^10$/ten/' old.txt",
    )?;
    assert!(!compare(dir.path(), &[], &default_options())?
        .tree
        .is_clean());
    Ok(())
}

#[test]
fn modify_delete() -> Result {
    let dir = fork(
        "seq 1 5 > f; seq 1 5 > g",
        "rm f; echo 6 >> g",
        "echo 6 >> f; rm g",
    )?;
    compare(dir.path(), &[], &default_options())?;
    Ok(())
}

#[test]
fn add_add() -> Result {
    let dir = fork(
        "echo keep > k",
        "printf 'x\\ny\\n' > n",
        "printf 'x\\nz\\n' > n",
    )?;
    compare(dir.path(), &[], &default_options())?;
    let dir = fork("echo keep > k", "echo same > n", "echo same > n")?;
    assert!(compare(dir.path(), &[], &default_options())?
        .tree
        .is_clean());
    Ok(())
}

#[test]
fn directory_file() -> Result {
    // A file on one side where the other side has a directory: the file moves to `p~a`.
    let dir = fork(
        "echo keep > k",
        "echo file > p",
        "mkdir p; echo inside > p/x",
    )?;
    compare(dir.path(), &[], &default_options())?;
    // The directory is emptied on the other side, so the file can stay.
    let dir = fork(
        "mkdir p; echo inside > p/x",
        "rm -r p; echo file > p",
        "echo more > q",
    )?;
    compare(dir.path(), &[], &default_options())?;
    // A modified file replaced by a directory on the other side.
    let dir = fork(
        "echo base > p",
        "echo changed > p",
        "rm p; mkdir p; echo inside > p/x",
    )?;
    compare(dir.path(), &[], &default_options())?;
    Ok(())
}

#[test]
fn binary_conflict() -> Result {
    let dir = fork(
        "printf 'bin\\0base' > img",
        "printf 'bin\\0ours' > img",
        "printf 'bin\\0theirs' > img",
    )?;
    compare(dir.path(), &[], &default_options())?;
    Ok(())
}

#[test]
fn executable_bit_and_type_changes() -> Result {
    let dir = fork(
        "seq 1 9 > e; seq 1 9 > s; seq 1 9 > t",
        "chmod +x e; rm s; ln -s target s; echo 10 >> t",
        "sed -i 's/^1$/one/' e; echo 10 >> s; rm t; ln -s elsewhere t",
    )?;
    compare(dir.path(), &[], &default_options())?;
    let dir = fork("seq 1 9 > e", "chmod +x e", "chmod +x e; echo 10 >> e")?;
    compare(dir.path(), &[], &default_options())?;
    Ok(())
}

#[test]
fn rename_conflicts() -> Result {
    // rename/rename(1to2)
    let dir = fork("seq 1 30 > f", "git mv f f1", "git mv f f2")?;
    compare(dir.path(), &[], &default_options())?;
    // rename/delete
    let dir = fork("seq 1 30 > f", "git mv f g", "rm f")?;
    compare(dir.path(), &[], &default_options())?;
    // rename/add collision
    let dir = fork(
        "seq 1 30 > f",
        "git mv f g; echo 31 >> g",
        "seq 100 130 > g; echo 0 >> f",
    )?;
    compare(dir.path(), &[], &default_options())?;
    // rename/rename(2to1)
    let dir = fork("seq 1 30 > f; seq 40 70 > h", "git mv f g", "git mv h g")?;
    compare(dir.path(), &[], &default_options())?;
    // rename/rename(1to1) with edits on both sides
    let dir = fork(
        "seq 1 30 > f",
        "git mv f g; sed -i 's/^2$/two/' g",
        "git mv f g; sed -i 's/^29$/x/' g",
    )?;
    compare(dir.path(), &[], &default_options())?;
    Ok(())
}

#[test]
fn gitlinks() -> Result {
    let script = |commit: &str| format!("git update-index --add --cacheinfo 160000,{commit},sub");
    let one = "1111111111111111111111111111111111111111";
    let two = "2222222222222222222222222222222222222222";
    let three = "3333333333333333333333333333333333333333";
    let dir = fork(&script(one), &script(two), &script(three))?;
    compare(dir.path(), &[], &default_options())?;
    Ok(())
}

/// Random histories of file edits, additions, deletions, renames and mode changes, merged by
/// both (directory renames off: tabgit does not detect them).
#[test]
fn random_tree_merges_equal_merge_ort() -> Result {
    let config = ["merge.directoryRenames=false"];
    let (mut n_conflicted, mut n_renamed) = (0, 0);
    for seed in 0..40u64 {
        let mut rng = Rng::new(seed + 1000);
        let base = random_files_script(&mut rng, 14);
        let a = random_changes_script(&mut rng);
        let b = random_changes_script(&mut rng);
        let dir = fork(&base, &a, &b)?;
        let expected = git_merge_tree(dir.path(), &config, "a", "b")?;
        let (outcome, stages) = tabgit_merge(dir.path(), "a", "b", &default_options())?;
        let context = format!("seed {seed}\nbase: {base}\na: {a}\nb: {b}");
        assert_eq!(stages, expected.stages, "{context}");
        assert_eq!(outcome.tree.tree_id.to_hex(), expected.tree, "{context}");
        n_conflicted += usize::from(!outcome.tree.is_clean());
        n_renamed += usize::from(expected.messages.contains("rename"));
    }
    eprintln!("{n_conflicted} conflicted, {n_renamed} with rename conflicts");
    assert!(n_conflicted > 0, "the generator makes conflicts");
    Ok(())
}

const DIRS: &[&str] = &["", "src/", "src/deep/", "docs/"];

fn random_files_script(rng: &mut Rng, n: usize) -> String {
    let mut script = String::from("mkdir -p src/deep docs\n");
    for idx in 0..n {
        let dir = DIRS[rng.below(DIRS.len())];
        let lines = 5 + rng.below(20);
        let text = String::from_utf8(random_text(rng, lines)).unwrap_or_default();
        script.push_str(&format!("cat > {dir}f{idx} <<'EOF'\n{text}EOF\n"));
    }
    script
}

fn random_changes_script(rng: &mut Rng) -> String {
    let mut script = String::from("mkdir -p src/deep docs\nfiles=($(git ls-files))\n");
    for _ in 0..=rng.below(5) {
        let pick = format!("${{files[{}]}}", rng.below(14));
        match rng.below(6) {
            0 => script.push_str(&format!(
                "[ -f {pick} ] && sed -i '{}s/.*/changed {}/' {pick} || true\n",
                1 + rng.below(5),
                rng.below(3)
            )),
            1 => script.push_str(&format!("[ -f {pick} ] && echo tail >> {pick} || true\n")),
            2 => script.push_str(&format!("[ -f {pick} ] && git rm -q {pick} || true\n")),
            3 => {
                let dir = DIRS[rng.below(DIRS.len())];
                script.push_str(&format!(
                    "[ -f {pick} ] && git mv {pick} {dir}r{} 2>/dev/null || true\n",
                    rng.below(4)
                ));
            }
            4 => script.push_str(&format!("[ -f {pick} ] && chmod +x {pick} || true\n")),
            _ => {
                let dir = DIRS[rng.below(DIRS.len())];
                script.push_str(&format!(
                    "echo added {} > {dir}n{}\n",
                    rng.below(3),
                    rng.below(3)
                ));
            }
        }
    }
    script
}

/// A criss-cross history: `a` and `b` each merged the other's first commit, so they have two
/// merge bases, merged into a virtual one first.
fn criss_cross(
    a1: &str,
    b1: &str,
    a_fix: &str,
    b_fix: &str,
    a2: &str,
    b2: &str,
) -> Result<tabgit_testtools::TempDir> {
    let dir = fork("seq 1 20 > f; seq 1 20 > g", a1, b1)?;
    let path = dir.path();
    sh(path, "git branch a1 a && git branch b1 b")?;
    sh(
        path,
        &format!(
            "git checkout -q a && (git merge -q --no-edit b1 || true) && {a_fix} && git add -A && \
             git commit -q --no-edit -m merge-b1 || true"
        ),
    )?;
    sh(
        path,
        &format!(
            "git checkout -q b && (git merge -q --no-edit a1 || true) && {b_fix} && git add -A && \
             git commit -q --no-edit -m merge-a1 || true"
        ),
    )?;
    sh(
        path,
        &format!("git checkout -q a && {a2} && git add -A && git commit -q -m a2"),
    )?;
    sh(
        path,
        &format!("git checkout -q b && {b2} && git add -A && git commit -q -m b2"),
    )?;
    let bases = git_text(path, &["merge-base", "--all", "a", "b"])?;
    assert_eq!(
        bases.lines().count(),
        2,
        "a criss-cross has two merge bases"
    );
    Ok(dir)
}

#[test]
fn criss_cross_clean() -> Result {
    let dir = criss_cross(
        "sed -i 's/^1$/one/' f",
        "sed -i 's/^20$/twenty/' f",
        "true",
        "true",
        "sed -i 's/^5$/five/' g",
        "sed -i 's/^15$/fifteen/' g",
    )?;
    let outcome = compare(dir.path(), &[], &default_options())?;
    assert_eq!(outcome.merge_bases.len(), 2);
    assert!(outcome.tree.is_clean());
    Ok(())
}

#[test]
fn criss_cross_with_conflicting_bases() -> Result {
    // The two merge bases resolved the same conflict differently, so the virtual base holds
    // conflict markers (longer ones), which show in diff3 style.
    let dir = criss_cross(
        "sed -i 's/^10$/ten-a/' f",
        "sed -i 's/^10$/ten-b/' f",
        "seq 1 20 | sed 's/^10$/resolved-a/' > f",
        "seq 1 20 | sed 's/^10$/resolved-b/' > f",
        "sed -i 's/^1$/one/' g",
        "sed -i 's/^20$/twenty/' g",
    )?;
    compare(dir.path(), &[], &default_options())?;
    let mut options = default_options();
    options.blob.style = tabgit_merge::blob::ConflictStyle::Diff3;
    let outcome = compare(dir.path(), &["merge.conflictStyle=diff3"], &options)?;
    let text = String::from_utf8_lossy(
        &outcome.tree.conflicts[0]
            .content
            .as_ref()
            .ok_or("a content conflict")?
            .result,
    )
    .into_owned();
    assert!(text.contains("||||||| merged common ancestors"), "{text}");
    Ok(())
}
