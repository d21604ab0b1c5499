//! Merge, revert and cherry-pick scenarios run with native git and with `tabgit` on two copies
//! of the same repository, compared: `status --porcelain=v2`, `ls-files --stage`, every file of
//! the working tree (conflict markers included), `HEAD` (commit ids, with fixed identities and
//! times), the state files, and `git fsck --strict`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tabgit_testtools::{git, git_command, tempdir, Result, TempDir};

use crate::command;

/// Run a shell script in `dir` with git's fixed test environment.
fn sh(dir: &Path, script: &str) -> Result {
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

/// Two identical repositories made by `script`: one for git, one for tabgit.
struct Twins {
    _dir: TempDir,
    git: PathBuf,
    tab: PathBuf,
}

fn twins(script: &str) -> Result<Twins> {
    let dir = tempdir()?;
    let git_dir = dir.path().join("git");
    std::fs::create_dir(&git_dir)?;
    git(&git_dir, &["init", "-q", "-b", "main"])?;
    sh(&git_dir, script)?;
    let tab_dir = dir.path().join("tab");
    let out = std::process::Command::new("cp")
        .arg("-a")
        .arg(&git_dir)
        .arg(&tab_dir)
        .output()?;
    assert!(out.status.success(), "copy the repository");
    Ok(Twins {
        _dir: dir,
        git: git_dir,
        tab: tab_dir,
    })
}

/// Run git and tabgit with the same arguments; return both exit codes.
fn run_both(twins: &Twins, args: &[&str]) -> Result<(i32, i32)> {
    let git_out = git_command(&twins.git)
        .env("GIT_EDITOR", "true")
        .args(args)
        .output()?;
    let tab_out = command(&twins.tab).args(args).output()?;
    Ok((
        git_out.status.code().unwrap_or(-1),
        tab_out.status.code().unwrap_or(-1),
    ))
}

/// Every file of the working tree (without `.git`): path → (executable, content).
fn worktree(dir: &Path) -> Result<BTreeMap<PathBuf, (bool, Vec<u8>)>> {
    use std::os::unix::fs::PermissionsExt as _;
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current)? {
            let entry = entry?;
            let path = entry.path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            let meta = std::fs::symlink_metadata(&path)?;
            let relative = path.strip_prefix(dir)?.to_path_buf();
            if meta.is_dir() {
                stack.push(path);
            } else if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path)?;
                out.insert(
                    relative,
                    (false, target.into_os_string().into_encoded_bytes()),
                );
            } else {
                let executable = meta.permissions().mode() & 0o100 != 0;
                out.insert(relative, (executable, std::fs::read(&path)?));
            }
        }
    }
    Ok(out)
}

/// Everything a user (or `git`) can observe of the two repositories must be equal.
fn assert_same(twins: &Twins, what: &str) -> Result {
    for args in [
        &["status", "--porcelain=v2", "--branch"][..],
        &["ls-files", "--stage"],
        &["rev-parse", "HEAD"],
        &["log", "--format=%H %P %s", "-n", "5"],
    ] {
        let expected = String::from_utf8(git(&twins.git, args)?)?;
        let actual = String::from_utf8(git(&twins.tab, args)?)?;
        assert_eq!(actual, expected, "{what}: git {} differs", args.join(" "));
    }
    let (expected, actual) = (worktree(&twins.git)?, worktree(&twins.tab)?);
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{what}: the same files"
    );
    for (path, (executable, content)) in &expected {
        let (tab_executable, tab_content) = &actual[path];
        assert_eq!(
            String::from_utf8_lossy(tab_content),
            String::from_utf8_lossy(content),
            "{what}: {} has the same content",
            path.display()
        );
        assert_eq!(
            tab_executable,
            executable,
            "{what}: {} mode",
            path.display()
        );
    }
    for file in [
        "MERGE_HEAD",
        "MERGE_MSG",
        "MERGE_MODE",
        "CHERRY_PICK_HEAD",
        "REVERT_HEAD",
        "ORIG_HEAD",
    ] {
        let expected = std::fs::read(twins.git.join(".git").join(file)).ok();
        let actual = std::fs::read(twins.tab.join(".git").join(file)).ok();
        assert_eq!(
            actual.as_deref().map(String::from_utf8_lossy),
            expected.as_deref().map(String::from_utf8_lossy),
            "{what}: .git/{file}"
        );
    }
    git(&twins.tab, &["fsck", "--strict", "--no-progress"])?;
    Ok(())
}

/// Base history: `main` and two branches `a` and `b` made by scripts, `main` checked out at `a`.
fn forked(base: &str, a: &str, b: &str) -> String {
    format!(
        "{base}\ngit add -A && git commit -q -m base\n\
         git checkout -q -b b\n{b}\ngit add -A && git commit -q -m b-change\n\
         git checkout -q -b a main\n{a}\ngit add -A && git commit -q -m a-change\n\
         git checkout -q main && git reset -q --hard a"
    )
}

fn merge_case(script: &str, what: &str) -> Result<Twins> {
    let twins = twins(script)?;
    let (git_code, tab_code) = run_both(&twins, &["merge", "b"])?;
    assert_eq!(tab_code, git_code, "{what}: exit code of merge");
    assert_same(&twins, what)?;
    Ok(twins)
}

#[test]
fn merge_clean_three_way() -> Result {
    let twins = merge_case(
        &forked(
            "printf '1\\n2\\n3\\n4\\n5\\n6\\n7\\n8\\n' > f; mkdir d; echo x > d/x",
            "sed -i 's/^2$/two/' f; echo new > d/new",
            "sed -i 's/^7$/seven/' f; git rm -q d/x; echo y > y",
        ),
        "clean merge",
    )?;
    let parents = git(&twins.tab, &["log", "-1", "--format=%P"])?;
    assert_eq!(
        String::from_utf8(parents)?.split_whitespace().count(),
        2,
        "a merge commit has two parents"
    );
    Ok(())
}

#[test]
fn merge_fast_forward_and_no_ff() -> Result {
    let script = "echo 1 > f && git add f && git commit -q -m one && git checkout -q -b b && \
                  echo 2 > f && git commit -q -am two && git checkout -q main";
    let twins = twins(&format!("echo keep > g && git add g && {script}"))?;
    for dir in [&twins.git, &twins.tab] {
        // A staged change and a staged new file the fast-forward does not touch survive it.
        sh(
            dir,
            "echo staged > g && echo new > h && git add g h && echo unstaged >> g",
        )?;
    }
    let (g, t) = run_both(&twins, &["merge", "b"])?;
    assert_eq!((g, t), (0, 0));
    assert_same(&twins, "fast-forward")?;
    let twins = self::twins(script)?;
    let (g, t) = run_both(&twins, &["merge", "--no-ff", "b"])?;
    assert_eq!((g, t), (0, 0));
    assert_same(&twins, "--no-ff")?;
    let twins = self::twins(&format!(
        "{script} && echo 3 > g && git add g && git commit -q -m three"
    ))?;
    let (g, t) = run_both(&twins, &["merge", "--ff-only", "b"])?;
    assert_eq!(t, g, "--ff-only refuses a diverged history");
    assert_same(&twins, "--ff-only")?;
    let (g, t) = run_both(&twins, &["merge", "main"])?;
    assert_eq!((g, t), (0, 0), "already up to date");
    Ok(())
}

#[test]
fn merge_content_conflict_then_continue() -> Result {
    let twins = merge_case(
        &forked(
            "printf 'a\\nb\\nc\\nd\\ne\\n' > f",
            "sed -i 's/^b$/ours/' f",
            "sed -i 's/^b$/theirs/' f",
        ),
        "content conflict",
    )?;
    for dir in [&twins.git, &twins.tab] {
        sh(dir, "printf 'a\\nresolved\\nc\\nd\\ne\\n' > f && git add f")?;
    }
    let (g, t) = run_both(&twins, &["merge", "--continue"])?;
    assert_eq!((g, t), (0, 0));
    assert_same(&twins, "merge --continue")?;
    Ok(())
}

#[test]
fn merge_abort_restores_the_previous_state() -> Result {
    let twins = twins(&forked(
        "printf 'a\\nb\\nc\\n' > f; echo keep > local; echo u > other",
        "sed -i 's/^b$/ours/' f",
        "sed -i 's/^b$/theirs/' f; echo added > new",
    ))?;
    // A local edit the merge does not touch must survive the abort.
    for dir in [&twins.git, &twins.tab] {
        sh(dir, "echo edited > local && echo untracked > scratch")?;
    }
    let before_status = git(&twins.tab, &["status", "--porcelain=v2"])?;
    let before_files = worktree(&twins.tab)?;
    let before_index = git(&twins.tab, &["ls-files", "--stage"])?;
    let (g, t) = run_both(&twins, &["merge", "b"])?;
    assert_eq!((g, t), (1, 1), "the merge conflicts");
    assert_same(&twins, "conflict before abort")?;
    let (g, t) = run_both(&twins, &["merge", "--abort"])?;
    assert_eq!((g, t), (0, 0));
    assert_same(&twins, "after abort")?;
    assert_eq!(
        git(&twins.tab, &["status", "--porcelain=v2"])?,
        before_status
    );
    assert_eq!(git(&twins.tab, &["ls-files", "--stage"])?, before_index);
    assert_eq!(
        worktree(&twins.tab)?,
        before_files,
        "every file as before the merge"
    );
    Ok(())
}

#[test]
fn merge_refuses_to_overwrite_local_changes() -> Result {
    let twins = twins(&forked(
        "printf 'a\\nb\\nc\\n' > f; echo 1 > g",
        "echo 2 > g",
        "sed -i 's/^b$/theirs/' f",
    ))?;
    for dir in [&twins.git, &twins.tab] {
        sh(dir, "echo local >> f")?;
    }
    let tab_out = command(&twins.tab).args(["merge", "b"]).output()?;
    assert!(!tab_out.status.success(), "the merge is refused");
    let stderr = String::from_utf8_lossy(&tab_out.stderr);
    assert!(
        stderr.contains(
            "Your local changes to the following files would be overwritten by merge:\n\tf"
        ),
        "the refusal lists the file: {stderr}"
    );
    let (g, _) = run_both(&twins, &["merge", "b"])?;
    assert_ne!(g, 0);
    assert_same(&twins, "refused merge changes nothing")?;
    Ok(())
}

#[test]
fn merge_rename_modify() -> Result {
    merge_case(
        &forked(
            "seq 1 30 > old.txt",
            "git mv old.txt new.txt",
            "sed -i 's/^15$/fifteen/' old.txt",
        ),
        "rename/modify",
    )?;
    Ok(())
}

#[test]
fn merge_modify_delete() -> Result {
    merge_case(
        &forked(
            "seq 1 10 > f; seq 1 10 > g",
            "git rm -q f; echo 11 >> g",
            "echo 11 >> f; git rm -q g",
        ),
        "modify/delete",
    )?;
    Ok(())
}

#[test]
fn merge_add_add() -> Result {
    merge_case(
        &forked(
            "echo base > base",
            "printf 'x\\ny\\n' > n",
            "printf 'x\\nz\\n' > n",
        ),
        "add/add",
    )?;
    Ok(())
}

#[test]
fn merge_directory_file() -> Result {
    merge_case(
        &forked(
            "echo base > base",
            "echo file > p",
            "mkdir p; echo inside > p/x",
        ),
        "directory/file",
    )?;
    Ok(())
}

#[test]
fn merge_binary_conflict() -> Result {
    merge_case(
        &forked(
            "printf 'PNG\\0base' > img.png",
            "printf 'PNG\\0ours' > img.png",
            "printf 'PNG\\0theirs' > img.png",
        ),
        "binary conflict",
    )?;
    Ok(())
}

#[test]
fn merge_criss_cross() -> Result {
    let script = "seq 1 20 > f; seq 1 20 > g; git add -A; git commit -q -m base\n\
        git checkout -q -b b; sed -i 's/^20$/twenty/' f; git commit -q -am b1; git branch b1\n\
        git checkout -q main; sed -i 's/^1$/one/' f; git commit -q -am a1; git branch a1\n\
        git merge -q --no-edit b1; sed -i 's/^5$/five/' g; git commit -q -am a2\n\
        git checkout -q b; git merge -q --no-edit a1; sed -i 's/^15$/fifteen/' g; git commit -q -am b2\n\
        git checkout -q main";
    let twins = twins(script)?;
    let bases = git(&twins.git, &["merge-base", "--all", "main", "b"])?;
    assert_eq!(
        String::from_utf8(bases)?.lines().count(),
        2,
        "two merge bases"
    );
    let (g, t) = run_both(&twins, &["merge", "b"])?;
    assert_eq!(t, g);
    assert_same(&twins, "criss-cross")?;
    Ok(())
}

#[test]
fn merge_demo_fixture_conflicts() -> Result {
    let fixture = tabgit_testtools::fixture("demo")?;
    let dir = tempdir()?;
    let git_dir = dir.path().join("git");
    git(
        dir.path(),
        &["clone", "-q", fixture.to_str().ok_or("path")?, "git"],
    )?;
    sh(&git_dir, "git checkout -q -b conflict-a origin/conflict-a && git branch -q conflict-b origin/conflict-b")?;
    let tab_dir = dir.path().join("tab");
    std::process::Command::new("cp")
        .arg("-a")
        .arg(&git_dir)
        .arg(&tab_dir)
        .output()?;
    let twins = Twins {
        _dir: dir,
        git: git_dir,
        tab: tab_dir,
    };
    let (g, t) = run_both(&twins, &["merge", "conflict-b"])?;
    assert_eq!((g, t), (1, 1), "conflict-a and conflict-b conflict");
    assert_same(&twins, "demo conflict")?;
    let unmerged = git(&twins.tab, &["diff", "--name-only", "--diff-filter=U"])?;
    assert_eq!(String::from_utf8(unmerged)?, "README.md\nsrc/lib.rs\n");
    let (g, t) = run_both(&twins, &["merge", "--abort"])?;
    assert_eq!((g, t), (0, 0));
    assert_same(&twins, "demo abort")?;
    Ok(())
}

#[test]
fn revert_of_a_merge_commit() -> Result {
    let script = format!(
        "{}\ngit merge -q --no-ff --no-edit b\necho later > later; git add later; git commit -q -m later",
        forked(
            "printf '1\\n2\\n3\\n4\\n5\\n' > f",
            "sed -i 's/^1$/one/' f",
            "sed -i 's/^5$/five/' f; echo b > bfile",
        )
    );
    let twins = twins(&script)?;
    let (g, t) = run_both(&twins, &["revert", "--no-edit", "-m", "1", "HEAD~1"])?;
    assert_eq!((g, t), (0, 0));
    assert_same(&twins, "revert -m 1 of a merge")?;
    let message = git(&twins.tab, &["log", "-1", "--format=%B"])?;
    assert!(String::from_utf8(message)?.contains("reversing\nchanges made to"));
    Ok(())
}

#[test]
fn revert_and_cherry_pick_with_conflicts() -> Result {
    let script = forked(
        "printf 'a\\nb\\nc\\n' > f",
        "sed -i 's/^b$/ours/' f",
        "sed -i 's/^b$/theirs/' f; echo extra > extra",
    );
    let twins = twins(&script)?;
    let (g, t) = run_both(&twins, &["cherry-pick", "b"])?;
    assert_eq!((g, t), (1, 1), "cherry-pick conflicts");
    assert_same(&twins, "cherry-pick conflict")?;
    for dir in [&twins.git, &twins.tab] {
        sh(dir, "printf 'a\\nboth\\nc\\n' > f && git add f")?;
    }
    let (g, t) = run_both(&twins, &["cherry-pick", "--continue"])?;
    assert_eq!((g, t), (0, 0));
    assert_same(&twins, "cherry-pick --continue")?;
    let (g, t) = run_both(&twins, &["revert", "--no-edit", "HEAD~1"])?;
    assert_eq!(t, g, "revert of the older change");
    assert_same(&twins, "revert")?;
    Ok(())
}

#[test]
fn cherry_pick_clean_keeps_the_author() -> Result {
    let script = format!(
        "{}\ngit checkout -q b && GIT_AUTHOR_NAME=Other GIT_AUTHOR_DATE='1600000000 +0200' \
         git commit -q --allow-empty -m 'empty' && echo pick > picked && git add picked && \
         GIT_AUTHOR_NAME=Other git commit -q -m 'pick me' -m 'with a body' && git checkout -q main",
        forked("echo base > base", "echo a > a", "echo b > bfile")
    );
    let twins = twins(&script)?;
    let (g, t) = run_both(&twins, &["cherry-pick", "b"])?;
    assert_eq!((g, t), (0, 0));
    assert_same(&twins, "clean cherry-pick")?;
    Ok(())
}

/// A small deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    }
}

/// A script of random edits: line changes, appends, deletions, renames, mode changes, new files.
fn random_edits(rng: &mut Rng) -> String {
    let mut script = String::from("files=($(git ls-files))\n");
    for _ in 0..=rng.below(5) {
        let pick = format!("${{files[{}]}}", rng.below(10));
        let line = 1 + rng.below(8);
        script.push_str(&match rng.below(7) {
            0 | 1 => format!(
                "[ -f {pick} ] && sed -i '{line}s/.*/edit {}/' {pick} || true\n",
                rng.below(3)
            ),
            2 => format!(
                "[ -f {pick} ] && echo tail {} >> {pick} || true\n",
                rng.below(2)
            ),
            3 => format!("[ -f {pick} ] && git rm -q {pick} || true\n"),
            4 => format!(
                "[ -f {pick} ] && git mv {pick} d{}/moved{} 2>/dev/null || true\n",
                rng.below(2),
                rng.below(3)
            ),
            5 => format!("[ -f {pick} ] && chmod +x {pick} || true\n"),
            _ => format!(
                "echo new {} > d{}/new{}\n",
                rng.below(2),
                rng.below(2),
                rng.below(2)
            ),
        });
    }
    script
}

/// Random forks merged by git and by tabgit: the same result every time, conflicts included.
#[test]
fn random_merges_equal_git_merge() -> Result {
    let mut n_conflicted = 0;
    // Override with TABGIT_RANDOM_MERGES=<n> to run more.
    let n_seeds = std::env::var("TABGIT_RANDOM_MERGES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(16u64);
    for seed in 0..n_seeds {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut base = String::from("git config merge.directoryRenames false\nmkdir -p d0 d1\n");
        for idx in 0..10 {
            base.push_str(&format!("seq {} {} > d{}/f{idx}\n", idx, idx + 12, idx % 2));
        }
        let a = random_edits(&mut rng);
        let b = random_edits(&mut rng);
        let twins = twins(&forked(&base, &a, &b))?;
        let (g, t) = run_both(&twins, &["merge", "b"])?;
        assert_eq!(t, g, "seed {seed}: exit code\na: {a}\nb: {b}");
        assert_same(&twins, &format!("seed {seed}\na: {a}\nb: {b}"))?;
        if g == 1 {
            n_conflicted += 1;
            let (g, t) = run_both(&twins, &["merge", "--abort"])?;
            assert_eq!((g, t), (0, 0));
            assert_same(&twins, &format!("seed {seed}: abort"))?;
        }
    }
    assert!(n_conflicted > 0, "some random merges conflict");
    Ok(())
}
