//! End to end: the malicious-repository corpus (`tests/fixtures/make-malicious.sh`) and the
//! local git server's fault knobs, against the native `tabgit` CLI (RELIABILITY.md sections 2
//! and 4.2).
//!
//! Every case asserts what the issue asks of it: a typed error in words (exit code 128, never
//! a panic's 101), no file written outside the clone directory, and, for a fetch into an
//! existing clone, the repository as before (refs unchanged, `git fsck --strict` clean).
//!
//! The CLI is the `tabgit` binary of `tabgit-cli`, which `cargo test --workspace` builds next
//! to this test (`target/debug/tabgit`); for a run of this package alone the test builds it
//! first (`cargo build -p tabgit-cli`, a no-op when it is up to date).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tabgit_gitserver::{Config, Faults, Running};
use tabgit_testtools::{git, git_text, tempdir, workspace_root, Result};

/// Bytes of the blob the hostile trees try to write outside the repository.
const EVIL: &[u8] = b"written outside the repository\n";

/// How long one CLI run may take before it counts as a hang (RELIABILITY.md N9).
const HANG: Duration = Duration::from_secs(120);

/// What a case must do.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Fail with these words in the error (case-insensitive).
    Refused(&'static str),
    /// Succeed (the case is hostile text that must be masked, not an error).
    Succeeds,
}

/// The malicious repositories: case name (a repository under the corpus), what a clone must do,
/// and what a fetch into an existing clone must do.
const CASES: &[(&str, Expect, Expect)] = &[
    (
        "tree-dotdot",
        refused("climbs out of the tree"),
        refused("climbs out of the tree"),
    ),
    (
        "tree-dot",
        refused("climbs out of the tree"),
        refused("climbs out of the tree"),
    ),
    (
        "tree-dotgit",
        refused("is a spelling of .git"),
        refused("is a spelling of .git"),
    ),
    (
        "tree-dotgit-upper",
        refused("is a spelling of .git"),
        refused("is a spelling of .git"),
    ),
    (
        "tree-dotgit-mixed",
        refused("is a spelling of .git"),
        refused("is a spelling of .git"),
    ),
    (
        "tree-hfs-zwnj-after",
        refused("is a spelling of .git"),
        refused("is a spelling of .git"),
    ),
    (
        "tree-hfs-zwnj-inside",
        refused("is a spelling of .git"),
        refused("is a spelling of .git"),
    ),
    (
        "tree-hfs-bom",
        refused("is a spelling of .git"),
        refused("is a spelling of .git"),
    ),
    (
        "tree-ntfs-short",
        refused("is a spelling of .git"),
        refused("is a spelling of .git"),
    ),
    (
        "tree-ntfs-dot",
        refused("is a spelling of .git"),
        refused("is a spelling of .git"),
    ),
    (
        "tree-ntfs-space",
        refused("is a spelling of .git"),
        refused("is a spelling of .git"),
    ),
    (
        "tree-ntfs-ads",
        refused("is a spelling of .git"),
        refused("is a spelling of .git"),
    ),
    (
        "tree-slash",
        refused("contains a path separator"),
        refused("contains a path separator"),
    ),
    (
        "tree-backslash",
        refused("contains a path separator"),
        refused("contains a path separator"),
    ),
    (
        "tree-drive",
        refused("starts with a drive prefix"),
        refused("starts with a drive prefix"),
    ),
    (
        "tree-long-name",
        refused("exceeds 4096 bytes"),
        refused("exceeds 4096 bytes"),
    ),
    (
        "tree-gitmodules-symlink",
        refused(".gitmodules is a symbolic link"),
        refused(".gitmodules is a symbolic link"),
    ),
    (
        "tree-nul",
        refused("tree is truncated"),
        refused("tree is truncated"),
    ),
    (
        "tree-empty-name",
        refused("has an empty name"),
        refused("has an empty name"),
    ),
    (
        "tree-duplicate",
        refused("two entries named"),
        refused("two entries named"),
    ),
    (
        "tree-unsorted",
        refused("entries are not sorted"),
        refused("entries are not sorted"),
    ),
    // Each tree is fine alone; the depth is refused at checkout (git's core.maxTreeDepth), so a
    // fetch, which checks nothing out, stores it as git does.
    (
        "tree-deep",
        refused("nested deeper than 2048 levels"),
        Expect::Succeeds,
    ),
    (
        "commit-no-tree",
        refused("commit has no tree header"),
        refused("commit has no tree header"),
    ),
    (
        "commit-bad-author",
        refused("commit author is malformed"),
        refused("commit author is malformed"),
    ),
    (
        "commit-bad-tree-id",
        refused("invalid object id"),
        refused("invalid object id"),
    ),
    // fsck's nulInHeader and badDateOverflow (SECURITY.md, finding 2).
    (
        "commit-nul-header",
        refused("a NUL byte in its headers"),
        refused("a NUL byte in its headers"),
    ),
    (
        "commit-date-overflow",
        refused("date is malformed or out of range"),
        refused("date is malformed or out of range"),
    ),
    (
        "pack-truncated",
        refused("pack is truncated"),
        refused("pack is truncated"),
    ),
    (
        "pack-count-high",
        refused("is damaged"),
        refused("is damaged"),
    ),
    (
        "pack-count-low",
        refused("junk at the end"),
        refused("junk at the end"),
    ),
    (
        "pack-bad-trailer",
        refused("checksum mismatch"),
        refused("checksum mismatch"),
    ),
    (
        "pack-junk",
        refused("junk at the end"),
        refused("junk at the end"),
    ),
    (
        "pack-huge-size",
        refused("more than the limit"),
        refused("more than the limit"),
    ),
    (
        "pack-delta-bomb",
        refused("more than the limit"),
        refused("more than the limit"),
    ),
    (
        "pack-delta-cycle",
        refused("2 unresolved deltas"),
        refused("2 unresolved deltas"),
    ),
    (
        "pack-ofs-out-of-bound",
        refused("out of bound"),
        refused("out of bound"),
    ),
    (
        "pack-zlib-longer",
        refused("more than the declared"),
        refused("more than the declared"),
    ),
    ("pack-duplicate", refused("twice"), refused("twice")),
    (
        "pack-missing-tree",
        refused("did not send all necessary objects"),
        refused("did not send all necessary objects"),
    ),
    (
        "ref-dotdot",
        refused("invalid ref name"),
        refused("invalid ref name"),
    ),
    (
        "ref-lock",
        refused("invalid ref name"),
        refused("invalid ref name"),
    ),
    (
        "ref-at-brace",
        refused("invalid ref name"),
        refused("invalid ref name"),
    ),
    (
        "ref-control",
        refused("invalid ref name"),
        refused("invalid ref name"),
    ),
    (
        "ref-git-dir",
        refused("invalid ref name"),
        refused("invalid ref name"),
    ),
    (
        "ref-symref-outside",
        refused("invalid ref name"),
        refused("invalid ref name"),
    ),
    (
        "server-err-bidi",
        refused("the server reported an error"),
        refused("the server reported an error"),
    ),
    (
        "server-sideband3-bidi",
        refused("the server reported an error"),
        refused("the server reported an error"),
    ),
    ("server-progress-bidi", Expect::Succeeds, Expect::Succeeds),
];

/// Fault knobs on the good repository (RELIABILITY.md N2–N10): knobs, and the words a clone and
/// a fetch must fail with.
const FAULTS: &[(&str, &str)] = &[
    ("status=403", "access denied"),
    ("status=404", "repository not found"),
    ("status=410", "repository not found"),
    ("status=401", "sign in"),
    ("status=429,retry-after=7", "7 seconds"),
    ("status=500", "HTTP 500"),
    ("status=503", "HTTP 503"),
    ("body=html", "not a git smart-HTTP endpoint"),
    ("ctype=text%2Fhtml", "smart-HTTP"),
    ("on=upload-pack,ctype=text%2Fplain", "smart-HTTP"),
    ("body=err", "simulated server error"),
    ("on=upload-pack,body=err", "simulated server error"),
    ("on=upload-pack,body=sideband3", "simulated server failure"),
    ("body=badpkt", "length"),
    ("on=upload-pack,body=badpkt", "length"),
    ("on=info-refs,cut=20", ""),
    ("on=upload-pack,cut=200", ""),
];

const fn refused(words: &'static str) -> Expect {
    Expect::Refused(words)
}

/// The corpus, generated once per machine into `target/malicious` (the script is cached by a
/// stamp and serialized by a lock), and a server over it.
struct Served {
    server: Running,
    corpus: PathBuf,
}

fn serve() -> Result<Served> {
    let corpus = workspace_root().join("target").join("malicious");
    let script = workspace_root().join("tests/fixtures/make-malicious.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(&corpus)
        .stdin(Stdio::null())
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let mut config = Config::new(&corpus);
    config.log = false;
    Ok(Served {
        server: tabgit_gitserver::start(config)?,
        corpus,
    })
}

/// The `tabgit` binary built beside this test binary (`target/<profile>/tabgit`).
///
/// `cargo test --workspace` builds it; a run of this package alone (`cargo test -p tabgit-fuzz`)
/// does not, and would otherwise run whatever stale binary an earlier build left. So the first
/// call runs `cargo build -p tabgit-cli` into the same target directory and profile, which is a
/// no-op when the binary is up to date.
fn tabgit_binary() -> Result<PathBuf> {
    static BUILT: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| build_tabgit().map_err(|err| err.to_string()))
        .clone()
        .map_err(Into::into)
}

fn build_tabgit() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("the test binary lives in target/<profile>/deps")?;
    let binary = profile_dir.join(format!("tabgit{}", std::env::consts::EXE_SUFFIX));
    let profile = profile_dir.file_name().and_then(|name| name.to_str());
    let target_dir = profile_dir.parent();
    // Only a plain `target/debug` or `target/release` (not a cross build, whose directory is
    // `target/<triple>/<profile>`) is rebuilt here; cargo sets `CARGO` for the tests it runs.
    if let (Some(cargo), Some(profile @ ("debug" | "release")), Some(target_dir)) =
        (std::env::var_os("CARGO"), profile, target_dir)
    {
        if target_dir.join("CACHEDIR.TAG").is_file() {
            let mut build = Command::new(cargo);
            build
                .args(["build", "--quiet", "-p", "tabgit-cli", "--bin", "tabgit"])
                .arg("--target-dir")
                .arg(target_dir)
                .current_dir(workspace_root())
                .stdin(Stdio::null());
            if profile == "release" {
                build.arg("--release");
            }
            let out = build.output()?;
            if !out.status.success() {
                return Err(format!(
                    "cargo build -p tabgit-cli failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                )
                .into());
            }
        }
    }
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!(
            "{} is missing: build the CLI first (`cargo build -p tabgit-cli`; \
             `cargo test --workspace` builds it)",
            binary.display()
        )
        .into())
    }
}

/// What one CLI run did.
struct Run {
    code: Option<i32>,
    stderr: String,
}

/// `tabgit args` in `dir` with a fixed identity and a private home.
fn tabgit_command(dir: &Path, home: &Path, args: &[&str]) -> Result<Command> {
    let mut command = Command::new(tabgit_binary()?);
    command
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "A U Thor")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "C O Mitter")
        .env("GIT_COMMITTER_EMAIL", "committer@example.com")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_DIR")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null());
    Ok(command)
}

/// Run `tabgit args` in `dir` with a fixed identity and a private home, killing it after
/// [`HANG`].
fn tabgit(dir: &Path, home: &Path, args: &[&str]) -> Result<Run> {
    let mut child = tabgit_command(dir, home, args)?
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let start = Instant::now();
    while child.try_wait()?.is_none() {
        if start.elapsed() > HANG {
            child.kill()?;
            child.wait()?;
            return Err(format!("tabgit {} hung for {HANG:?}", args.join(" ")).into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output()?;
    Ok(Run {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// Every file under `dir` (relative path and bytes), except under `skip`.
fn files(dir: &Path, skip: Option<&Path>) -> Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        if skip.is_some_and(|skip| next == skip) {
            continue;
        }
        for entry in std::fs::read_dir(&next)? {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(path);
            } else {
                let bytes = if kind.is_symlink() {
                    std::fs::read_link(&path)?
                        .into_os_string()
                        .into_encoded_bytes()
                } else {
                    std::fs::read(&path)?
                };
                found.insert(path.strip_prefix(dir)?.to_path_buf(), bytes);
            }
        }
    }
    Ok(found)
}

/// What a fetch must not change: every ref, HEAD, and the working tree's files.
fn repository_state(repo: &Path) -> Result<String> {
    let refs = git_text(repo, &["for-each-ref", "--format=%(refname) %(objectname)"])?;
    let head = git_text(repo, &["symbolic-ref", "-q", "HEAD"])?;
    let worktree = files(repo, Some(&repo.join(".git")))?;
    Ok(format!("{refs}\nHEAD -> {head}\n{worktree:?}"))
}

/// Check a run against `expect`; return what is wrong, in words.
fn judge(label: &str, run: &Run, expect: Expect) -> Vec<String> {
    let mut wrong = Vec::new();
    let stderr = run.stderr.to_lowercase();
    if run.code == Some(101) || stderr.contains("panicked") {
        wrong.push(format!("{label}: panicked: {}", run.stderr));
    }
    if run.stderr.contains('\u{1b}') || run.stderr.contains('\u{202e}') {
        wrong.push(format!(
            "{label}: unmasked control or bidi character in {:?}",
            run.stderr
        ));
    }
    match expect {
        Expect::Refused(words) => {
            if run.code != Some(128) {
                wrong.push(format!(
                    "{label}: exit {:?}, not 128: {}",
                    run.code, run.stderr
                ));
            }
            if !stderr.contains("fatal: ") || !stderr.contains(&words.to_lowercase()) {
                wrong.push(format!(
                    "{label}: the error does not say {words:?}: {}",
                    run.stderr
                ));
            }
        }
        Expect::Succeeds => {
            if run.code != Some(0) {
                wrong.push(format!(
                    "{label}: exit {:?}, not 0: {}",
                    run.code, run.stderr
                ));
            }
        }
    }
    wrong
}

/// `git fsck --strict` of `repo`, which must pass.
fn judge_fsck(label: &str, repo: &Path) -> Vec<String> {
    match git(repo, &["fsck", "--strict", "--no-dangling"]) {
        Ok(_) => Vec::new(),
        Err(err) => vec![format!("{label}: git fsck --strict fails: {err}")],
    }
}

/// Clone `url` into `<tmp>/outside/cwd/clone` and judge it; nothing may appear outside the
/// clone directory, and no file anywhere may hold the bytes hostile trees try to plant.
fn clone_case(label: &str, url: &str, expect: Expect) -> Result<Vec<String>> {
    let tmp = tempdir()?;
    let outside = tmp.path().join("outside");
    let work = outside.join("cwd");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&work)?;
    std::fs::create_dir_all(&home)?;
    std::fs::write(outside.join("sentinel"), b"untouched\n")?;
    let clone_dir = work.join("clone");
    let before = files(tmp.path(), Some(&clone_dir))?;
    let run = tabgit(&work, &home, &["clone", url, "clone"])?;
    let mut wrong = judge(&format!("clone {label}"), &run, expect);
    if files(tmp.path(), Some(&clone_dir))? != before {
        wrong.push(format!(
            "clone {label}: files changed outside the clone directory"
        ));
    }
    let all = files(tmp.path(), None)?;
    if let Some((path, _)) = all.iter().find(|(_, bytes)| bytes.as_slice() == EVIL) {
        wrong.push(format!(
            "clone {label}: a hostile blob was written to {}",
            path.display()
        ));
    }
    match expect {
        Expect::Refused(_) => {
            if clone_dir.exists() {
                wrong.push(format!(
                    "clone {label}: the failed clone left {}",
                    clone_dir.display()
                ));
            }
        }
        Expect::Succeeds => {
            wrong.extend(judge_fsck(&format!("clone {label}"), &clone_dir));
        }
    }
    Ok(wrong)
}

/// Clone the good repository, point `origin` at `url`, fetch, and judge: refused fetches leave
/// refs, HEAD, the working tree and `git fsck --strict` as they were.
fn fetch_case(good_url: &str, label: &str, url: &str, expect: Expect) -> Result<Vec<String>> {
    let tmp = tempdir()?;
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home)?;
    let repo = tmp.path().join("repo");
    let cloned = tabgit(tmp.path(), &home, &["clone", "-q", good_url, "repo"])?;
    if cloned.code != Some(0) {
        return Err(format!("cloning the good repository failed: {}", cloned.stderr).into());
    }
    git(&repo, &["config", "remote.origin.url", url])?;
    let before = repository_state(&repo)?;
    let outside_before = files(tmp.path(), Some(&repo))?;
    let run = tabgit(&repo, &home, &["fetch"])?;
    let label = format!("fetch {label}");
    let mut wrong = judge(&label, &run, expect);
    if files(tmp.path(), Some(&repo))? != outside_before {
        wrong.push(format!("{label}: files changed outside the repository"));
    }
    if let Some((path, _)) = files(&repo, None)?
        .iter()
        .find(|(_, b)| b.as_slice() == EVIL)
    {
        wrong.push(format!(
            "{label}: a hostile blob was written to {}",
            path.display()
        ));
    }
    if matches!(expect, Expect::Refused(_)) && repository_state(&repo)? != before {
        wrong.push(format!(
            "{label}: a refused fetch changed refs, HEAD or the working tree"
        ));
    }
    wrong.extend(judge_fsck(&label, &repo));
    Ok(wrong)
}

fn report(wrong: &[String]) {
    assert!(
        wrong.is_empty(),
        "every hostile case is a typed error in words, writes nothing outside the repository \
         and changes nothing on refusal:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn malicious_repositories_are_refused_on_clone() -> Result {
    let served = serve()?;
    let mut wrong = Vec::new();
    for &(name, clone_expect, _) in CASES {
        let url = format!("{}/{name}.git", served.server.url());
        wrong.extend(clone_case(name, &url, clone_expect)?);
    }
    report(&wrong);
    Ok(())
}

#[test]
fn malicious_repositories_are_refused_on_fetch_and_change_nothing() -> Result {
    let served = serve()?;
    let good = format!("{}/base.git", served.server.url());
    let mut wrong = Vec::new();
    for &(name, _, fetch_expect) in CASES {
        let url = format!("{}/{name}.git", served.server.url());
        wrong.extend(fetch_case(&good, name, &url, fetch_expect)?);
    }
    report(&wrong);
    Ok(())
}

#[test]
fn every_generated_case_has_a_test() -> Result {
    let served = serve()?;
    let listed = std::fs::read_to_string(served.corpus.join("CASES"))?;
    for line in listed.lines() {
        let name = line.split('\t').next().unwrap_or_default();
        assert!(
            CASES.iter().any(|(case, _, _)| *case == name),
            "make-malicious.sh case {name} has a row in CASES"
        );
    }
    assert_eq!(
        listed.lines().count(),
        CASES.len(),
        "CASES lists every generated case once"
    );
    Ok(())
}

/// RELIABILITY.md N2–N10 through the CLI: every fault is an error in words, a failed clone
/// leaves no directory, and a failed fetch leaves the repository as it was.
#[test]
fn server_faults_are_errors_in_words_and_lose_nothing() -> Result {
    let served = serve()?;
    let good = format!("{}/base.git", served.server.url());
    let mut wrong = Vec::new();
    for &(knobs, words) in FAULTS {
        let faults: Faults = knobs.parse()?;
        let url = format!("{}/ahead.git", served.server.fault_url(&faults));
        wrong.extend(clone_case(knobs, &url, refused(words))?);
        wrong.extend(fetch_case(&good, knobs, &url, refused(words))?);
    }
    report(&wrong);
    Ok(())
}

/// RELIABILITY.md N16 natively: nothing listens on the port.
#[test]
fn an_unreachable_server_is_an_error_in_words() -> Result {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.local_addr()?.port()
    };
    let url = format!("http://127.0.0.1:{port}/base.git");
    let wrong = clone_case("unreachable", &url, refused("127.0.0.1"))?;
    report(&wrong);
    Ok(())
}

/// RELIABILITY.md P6 through the CLI: another push lands between this push's discovery and its
/// ref update (a `pre-receive` hook moves the server's `main`, once). The server refuses the
/// update because the old id no longer matches, the CLI says so per ref, as for P1, and nothing
/// is lost: the other push stays on the server, the local commit and `origin/main` stay as
/// they were.
#[test]
fn a_remote_that_moves_between_discovery_and_push_is_rejected_and_loses_nothing() -> Result {
    let corpus = serve()?.corpus;
    let root = tempdir()?;
    let server_dir = root.path().join("moving.git");
    let server_dir_text = server_dir.to_str().ok_or("a UTF-8 temporary path")?;
    git(
        root.path(),
        &[
            "clone",
            "-q",
            "--bare",
            corpus.join("base.git").to_str().ok_or("a UTF-8 path")?,
            server_dir_text,
        ],
    )?;
    let base = git_text(&server_dir, &["rev-parse", "refs/heads/main"])?;
    let moved = git_text(
        &server_dir,
        &[
            "commit-tree",
            "refs/heads/main^{tree}",
            "-p",
            "refs/heads/main",
            "-m",
            "someone else's push",
        ],
    )?;
    // The hook runs after this push's pack arrived and before its ref update; outside the
    // quarantine it may move the ref, as a concurrent push would.
    let hook = server_dir.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\n[ -e moved ] && exit 0\ntouch moved\n\
             env -u GIT_QUARANTINE_PATH git update-ref refs/heads/main {moved} {base}\n"
        ),
    )?;
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    let mut config = Config::new(root.path());
    config.log = false;
    let server = tabgit_gitserver::start(config)?;

    let tmp = tempdir()?;
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home)?;
    let repo = tmp.path().join("repo");
    let url = format!("{}/moving.git", server.url());
    let cloned = tabgit(tmp.path(), &home, &["clone", "-q", &url, "repo"])?;
    if cloned.code != Some(0) {
        return Err(format!("cloning failed: {}", cloned.stderr).into());
    }
    std::fs::write(repo.join("mine.txt"), b"my work\n")?;
    git(&repo, &["add", "mine.txt"])?;
    git(&repo, &["commit", "-q", "-m", "my work"])?;
    let mine = git_text(&repo, &["rev-parse", "HEAD"])?;

    let run = tabgit(&repo, &home, &["push", "origin", "main"])?;
    let mut wrong = Vec::new();
    let stderr = run.stderr.to_lowercase();
    if run.code == Some(0) || run.code == Some(101) || stderr.contains("panicked") {
        wrong.push(format!(
            "push: exit {:?}, not a refusal: {}",
            run.code, run.stderr
        ));
    }
    if !(stderr.contains("rejected") && stderr.contains("failed to update ref")) {
        wrong.push(format!(
            "push: the error does not say the ref update was rejected: {}",
            run.stderr
        ));
    }
    if git_text(&server_dir, &["rev-parse", "refs/heads/main"])? != moved {
        wrong.push("push: the other push was overwritten on the server".to_owned());
    }
    if git_text(&repo, &["rev-parse", "refs/heads/main"])? != mine {
        wrong.push("push: the local commit was lost".to_owned());
    }
    if git_text(&repo, &["rev-parse", "refs/remotes/origin/main"])? != base {
        wrong.push("push: origin/main moved although the push was refused".to_owned());
    }
    wrong.extend(judge_fsck("push (client)", &repo));
    wrong.extend(judge_fsck("push (server)", &server_dir));
    report(&wrong);
    Ok(())
}

/// RELIABILITY.md S5 natively (the closest this machine gets to a tab closed mid-fetch): the CLI
/// killed (`SIGKILL`) at moments spread over a whole fetch. Whenever it dies, every ref is
/// either where it was or where the fetch puts it, nothing outside the repository changed,
/// `git fsck --strict` finds the repository sound, and the next fetch finishes the work (after
/// the user removes a ref's stale `.lock` that the error names, as with git).
#[test]
fn a_fetch_killed_at_any_moment_leaves_a_sound_repository() -> Result {
    let served = serve()?;
    let good = format!("{}/base.git", served.server.url());
    let ahead = format!("{}/ahead.git", served.server.url());
    let tmp = tempdir()?;
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home)?;

    // How long a whole fetch takes here, and the refs it leaves.
    let clone = |name: &str| -> Result<PathBuf> {
        let cloned = tabgit(tmp.path(), &home, &["clone", "-q", &good, name])?;
        if cloned.code != Some(0) {
            return Err(format!("cloning the good repository failed: {}", cloned.stderr).into());
        }
        let repo = tmp.path().join(name);
        git(&repo, &["config", "remote.origin.url", &ahead])?;
        Ok(repo)
    };
    let refs = |repo: &Path| git_text(repo, &["for-each-ref", "--format=%(refname) %(objectname)"]);
    let whole = clone("whole")?;
    let before = refs(&whole)?;
    let start = Instant::now();
    let run = tabgit(&whole, &home, &["fetch"])?;
    let took = start.elapsed();
    if run.code != Some(0) {
        return Err(format!("the fetch to interrupt fails by itself: {}", run.stderr).into());
    }
    let after = refs(&whole)?;
    assert_ne!(before, after, "the fetch moves origin/main");

    let mut wrong = Vec::new();
    for step in 0..12u32 {
        let repo = clone(&format!("killed-{step}"))?;
        let outside_before = files(tmp.path(), Some(&repo))?;
        let mut child = tabgit_command(&repo, &home, &["fetch"])?
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        std::thread::sleep(took * step / 10);
        // Killing a process that already exited is not an error worth reporting.
        let _ = child.kill();
        child.wait()?;
        let label = format!("fetch killed after {:?}", took * step / 10);
        let now = refs(&repo)?;
        if now != before && now != after {
            wrong.push(format!(
                "{label}: refs are neither as before nor as after:\n{now}"
            ));
        }
        if files(tmp.path(), Some(&repo))? != outside_before {
            wrong.push(format!("{label}: files changed outside the repository"));
        }
        wrong.extend(judge_fsck(&label, &repo));
        // And the next fetch completes the work. A ref and its reflog keep git's lock
        // protocol, so a kill during a ref update leaves their `.lock` files, as a killed git
        // does, and the next fetch stops and names them all; the user removes them as told,
        // once. Objects and packs never block (a pack written as `.lock` once did:
        // SECURITY.md, finding 6).
        let mut again = tabgit(&repo, &home, &["fetch"])?;
        let locks = stale_locks(&again.stderr);
        if !locks.is_empty() {
            for lock in locks {
                if lock.starts_with("objects/") {
                    wrong.push(format!(
                        "{label}: an object lock blocks the next fetch: {lock}"
                    ));
                }
                std::fs::remove_file(repo.join(".git").join(lock))?;
            }
            again = tabgit(&repo, &home, &["fetch"])?;
        }
        if again.code != Some(0) || refs(&repo)? != after {
            wrong.push(format!(
                "{label}: the next fetch does not finish the work: exit {:?}: {}",
                again.code, again.stderr
            ));
        }
    }
    report(&wrong);
    Ok(())
}

/// The lock files a failed CLI run asks the user to remove (`… (remove A.lock, B.lock if no
/// git command is running)`), relative to the git directory.
fn stale_locks(stderr: &str) -> Vec<&str> {
    let Some((_, rest)) = stderr.split_once("is locked by another process (remove ") else {
        return Vec::new();
    };
    let Some((locks, _)) = rest.split_once(" if no git command is running)") else {
        return Vec::new();
    };
    locks.split(", ").collect()
}
