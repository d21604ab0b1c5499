//! Everyday operations on in-memory repositories: they work without a filesystem, read only
//! what changed, and leave refs, index and working tree as they were when storage fails midway.
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tabgit_object::{Signature, Time};
use tabgit_repo::{
    branch, commit, init, reset, stage, stash, status, switch, MemoryFiles, MemoryWorktree,
    Repository,
};
use tabgit_store::files::{self, GitFiles, Transaction};
use tabgit_store::worktree::{EntryKind, FileKind, Worktree};
use tabgit_testtools::Result;

/// A store that fails its `n`th transaction (counting from 0) with "storage is full", like an
/// IndexedDB quota error (`RELIABILITY.md` S1, S2).
#[derive(Clone, Default)]
pub struct FailingFiles {
    inner: MemoryFiles,
    commits: Arc<AtomicUsize>,
    fail_at: Arc<AtomicUsize>,
}

impl FailingFiles {
    fn new() -> Self {
        let files = FailingFiles::default();
        files.fail_at.store(usize::MAX, Ordering::SeqCst);
        files
    }

    fn fail_after(&self, n: usize) {
        self.fail_at
            .store(self.commits.load(Ordering::SeqCst) + n, Ordering::SeqCst);
    }

    fn never_fail(&self) {
        self.fail_at.store(usize::MAX, Ordering::SeqCst);
    }

    fn count(&self) -> usize {
        self.commits.load(Ordering::SeqCst)
    }

    /// Every file except loose objects (an aborted operation may leave unreferenced objects,
    /// as git does).
    fn state(&self) -> BTreeMap<String, Vec<u8>> {
        self.inner
            .snapshot()
            .into_iter()
            .filter(|(path, _)| !path.starts_with("objects/"))
            .map(|(path, data)| (path, data.to_vec()))
            .collect()
    }
}

impl GitFiles for FailingFiles {
    fn read(&self, path: &str) -> std::result::Result<Option<Vec<u8>>, files::Error> {
        self.inner.read(path)
    }
    fn list(&self, dir: &str) -> std::result::Result<Vec<String>, files::Error> {
        self.inner.list(dir)
    }
    fn exists(&self, path: &str) -> std::result::Result<bool, files::Error> {
        self.inner.exists(path)
    }
    fn commit(&self, transaction: Transaction) -> std::result::Result<(), files::Error> {
        let n = self.commits.fetch_add(1, Ordering::SeqCst);
        if n == self.fail_at.load(Ordering::SeqCst) {
            return Err(files::Error::Full {
                path: transaction
                    .changes
                    .first()
                    .map(|(p, _)| p.clone())
                    .unwrap_or_default(),
            });
        }
        self.inner.commit(transaction)
    }
}

/// A working tree that fails its `n`th write or removal.
#[derive(Clone)]
struct FailingWorktree {
    inner: MemoryWorktree,
    changes: Arc<AtomicUsize>,
    fail_at: Arc<AtomicUsize>,
    reads: Arc<AtomicUsize>,
    known: Arc<std::sync::Mutex<BTreeMap<Vec<u8>, tabgit_hash::ObjectId>>>,
}

impl FailingWorktree {
    fn new() -> Self {
        FailingWorktree {
            inner: MemoryWorktree::default(),
            changes: Arc::default(),
            fail_at: Arc::new(AtomicUsize::new(usize::MAX)),
            reads: Arc::default(),
            known: Arc::default(),
        }
    }

    fn tick(&self, path: &[u8]) -> std::result::Result<(), tabgit_store::worktree::Error> {
        let n = self.changes.fetch_add(1, Ordering::SeqCst);
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(path);
        if n == self.fail_at.load(Ordering::SeqCst) {
            return Err(tabgit_store::worktree::Error::Full {
                path: String::from_utf8_lossy(path).into_owned(),
            });
        }
        Ok(())
    }

    /// Every file: path → (kind, content).
    fn state(&self) -> BTreeMap<Vec<u8>, (FileKind, Vec<u8>)> {
        let mut out = BTreeMap::new();
        let mut stack = vec![Vec::new()];
        while let Some(dir) = stack.pop() {
            for (name, kind) in self.inner.list(&dir).expect("memory list") {
                let mut path = dir.clone();
                if !path.is_empty() {
                    path.push(b'/');
                }
                path.extend_from_slice(&name);
                match kind {
                    EntryKind::Directory => stack.push(path),
                    EntryKind::File(_) => {
                        let file = self
                            .inner
                            .read(&path)
                            .expect("memory read")
                            .expect("listed");
                        out.insert(path, file);
                    }
                }
            }
        }
        out
    }
}

impl Worktree for FailingWorktree {
    fn read(
        &self,
        path: &[u8],
    ) -> std::result::Result<Option<(FileKind, Vec<u8>)>, tabgit_store::worktree::Error> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.read(path)
    }
    fn metadata(
        &self,
        path: &[u8],
    ) -> std::result::Result<Option<tabgit_index::stat::Metadata>, tabgit_store::worktree::Error>
    {
        self.inner.metadata(path)
    }
    fn list(
        &self,
        dir: &[u8],
    ) -> std::result::Result<Vec<(Vec<u8>, EntryKind)>, tabgit_store::worktree::Error> {
        self.inner.list(dir)
    }
    fn write(
        &self,
        path: &[u8],
        kind: FileKind,
        data: &[u8],
    ) -> std::result::Result<tabgit_index::stat::Metadata, tabgit_store::worktree::Error> {
        self.tick(path)?;
        self.inner.write(path, kind, data)
    }
    fn write_blob(
        &self,
        path: &[u8],
        kind: FileKind,
        blob_id: tabgit_hash::ObjectId,
        data: &[u8],
    ) -> std::result::Result<tabgit_index::stat::Metadata, tabgit_store::worktree::Error> {
        self.tick(path)?;
        let meta = self.inner.write(path, kind, data)?;
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(path.to_vec(), blob_id);
        Ok(meta)
    }
    fn known_blob(&self, path: &[u8]) -> Option<tabgit_hash::ObjectId> {
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(path)
            .copied()
    }
    fn remove(&self, path: &[u8]) -> std::result::Result<(), tabgit_store::worktree::Error> {
        self.tick(path)?;
        self.inner.remove(path)
    }
    fn create_dir(&self, path: &[u8]) -> std::result::Result<(), tabgit_store::worktree::Error> {
        self.tick(path)?;
        self.inner.create_dir(path)
    }
}

fn me() -> Signature {
    Signature {
        name: b"A U Thor".to_vec(),
        email: b"author@example.com".to_vec(),
        time: Time::new(1_700_000_000, 60),
    }
}

fn context() -> commit::Context {
    commit::Context {
        author: me(),
        committer: me(),
    }
}

struct Fixture {
    repo: Repository<FailingFiles>,
    files: FailingFiles,
    worktree: FailingWorktree,
}

/// A repository with two branches: `main` (a.txt, dir/b.txt, dir/c.txt) and `side` (b changed,
/// d.txt added, c.txt removed), on `main`.
fn fixture() -> Result<Fixture> {
    let files = FailingFiles::new();
    let worktree = FailingWorktree::new();
    let mut repo = init::init(
        files.clone(),
        Some(Box::new(worktree.clone())),
        &init::Options::default(),
    )?;
    for (path, data) in [("a.txt", "a\n"), ("dir/b.txt", "b\n"), ("dir/c.txt", "c\n")] {
        worktree.write(path.as_bytes(), FileKind::File, data.as_bytes())?;
    }
    add_all(&repo)?;
    commit_msg(&repo, "base")?;
    let base = repo.head()?.id().ok_or("no head")?;
    branch::create(
        &mut repo,
        b"side",
        base,
        b"HEAD",
        &branch::CreateOptions::default(),
        &me(),
    )?;
    switch_to(&mut repo, b"side")?;
    worktree.write(b"dir/b.txt", FileKind::File, b"b on side\n")?;
    worktree.write(b"d.txt", FileKind::Executable, b"d\n")?;
    worktree.remove(b"dir/c.txt")?;
    add_all(&repo)?;
    commit_msg(&repo, "side")?;
    switch_to(&mut repo, b"main")?;
    Ok(Fixture {
        repo,
        files,
        worktree,
    })
}

fn add_all(repo: &Repository<FailingFiles>) -> Result {
    let options = stage::add::Options {
        pathspec: tabgit_attributes::Pathspec::parse(&[b"."], b"")?,
        ..Default::default()
    };
    stage::add::add(repo, &options)?;
    Ok(())
}

fn commit_msg(
    repo: &Repository<FailingFiles>,
    message: &str,
) -> std::result::Result<commit::Outcome, commit::Error> {
    commit::commit(
        repo,
        &context(),
        &commit::Options {
            message: Some(format!("{message}\n").into_bytes()),
            ..Default::default()
        },
    )
}

fn switch_to(
    repo: &mut Repository<FailingFiles>,
    name: &[u8],
) -> std::result::Result<switch::Outcome, switch::Error> {
    switch::switch(
        repo,
        &switch::Target::Branch(name.to_vec()),
        &switch::Context {
            committer: me(),
            target_name: name.to_vec(),
        },
        &switch::Options::default(),
    )
}

fn status_of(repo: &Repository<FailingFiles>) -> Result<Vec<(u8, u8, Vec<u8>)>> {
    let outcome = status::status(repo, &status::Options::default())?;
    let mut out: Vec<(u8, u8, Vec<u8>)> = outcome
        .entries
        .iter()
        .map(|e| (e.x(), e.y(), e.path.clone()))
        .collect();
    out.extend(outcome.untracked.into_iter().map(|p| (b'?', b'?', p)));
    Ok(out)
}

#[test]
fn everyday_work_in_memory() -> Result {
    let Fixture {
        mut repo, worktree, ..
    } = fixture()?;
    assert!(status_of(&repo)?.is_empty(), "clean after switching back");
    worktree.write(b"a.txt", FileKind::File, b"a changed\n")?;
    worktree.write(b"new/file.txt", FileKind::File, b"new\n")?;
    assert_eq!(
        status_of(&repo)?,
        vec![
            (b' ', b'M', b"a.txt".to_vec()),
            (b'?', b'?', b"new/".to_vec())
        ]
    );
    // a.txt is the same on both branches: the change comes along.
    let outcome = switch_to(&mut repo, b"side")?;
    assert_eq!(outcome.carried, vec![b"a.txt".to_vec()]);
    assert_eq!(
        worktree.inner.read(b"d.txt")?,
        Some((FileKind::Executable, b"d\n".to_vec()))
    );
    assert_eq!(worktree.inner.read(b"dir/c.txt")?, None);
    // dir/b.txt differs between the branches: a local change to it blocks the switch.
    worktree.write(b"dir/b.txt", FileKind::File, b"local\n")?;
    match switch_to(&mut repo, b"main") {
        Err(switch::Error::WouldOverwrite {
            blocker: switch::Blocker::LocalChanges,
            paths,
        }) => {
            assert_eq!(paths, vec![b"dir/b.txt".to_vec()]);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        worktree.inner.read(b"dir/b.txt")?,
        Some((FileKind::File, b"local\n".to_vec())),
        "the edit is kept"
    );
    // Stash, switch, pop.
    let stashed = stash::push(
        &repo,
        &stash::Context {
            author: me(),
            committer: me(),
        },
        &stash::PushOptions::default(),
    )?;
    assert!(stashed.is_some());
    assert_eq!(stash::list(&repo)?.len(), 1);
    assert_eq!(status_of(&repo)?, vec![(b'?', b'?', b"new/".to_vec())]);
    stash::pop(&repo, 0, None)?;
    assert!(stash::list(&repo)?.is_empty());
    assert_eq!(
        worktree.inner.read(b"dir/b.txt")?,
        Some((FileKind::File, b"local\n".to_vec()))
    );
    // Commit everything, reset back, undo through the reflog.
    add_all(&repo)?;
    let made = commit_msg(&repo, "everything")?;
    let before = repo.rev_parse(b"HEAD~1")?;
    reset::reset(
        &repo,
        before,
        &reset::Context {
            committer: me(),
            target_name: b"HEAD~1".to_vec(),
        },
        &reset::Options {
            kind: reset::Kind::Hard,
            index_mtime: None,
        },
    )?;
    assert_eq!(worktree.inner.read(b"new/file.txt")?, None);
    let undo = repo.rev_parse(b"HEAD@{1}")?;
    assert_eq!(undo, made.commit_id);
    reset::reset(
        &repo,
        undo,
        &reset::Context {
            committer: me(),
            target_name: b"HEAD@{1}".to_vec(),
        },
        &reset::Options {
            kind: reset::Kind::Hard,
            index_mtime: None,
        },
    )?;
    assert_eq!(
        worktree.inner.read(b"new/file.txt")?,
        Some((FileKind::File, b"new\n".to_vec()))
    );
    assert!(status_of(&repo)?.is_empty());
    Ok(())
}

/// Run `op` with the store failing at each transaction it makes, then with the working tree
/// failing at each change it makes, and check that refs, index and working tree stay exactly as
/// they were every time; finally run it for real.
fn check_atomic(
    name: &str,
    prepare: &dyn Fn(&mut Fixture) -> Result,
    op: &dyn Fn(&mut Fixture) -> Result,
) -> Result {
    // Count the transactions and working-tree changes a successful run makes.
    let mut probe = fixture()?;
    prepare(&mut probe)?;
    let (files_before, changes_before) = (
        probe.files.count(),
        probe.worktree.changes.load(Ordering::SeqCst),
    );
    op(&mut probe)?;
    let n_commits = probe.files.count() - files_before;
    let n_changes = probe.worktree.changes.load(Ordering::SeqCst) - changes_before;
    assert!(n_commits > 0, "{name}: the operation stores something");
    for (kind, n) in [("store", n_commits), ("working tree", n_changes)] {
        for at in 0..n {
            let mut fx = fixture()?;
            prepare(&mut fx)?;
            let (files, tree) = (fx.files.state(), fx.worktree.state());
            if kind == "store" {
                fx.files.fail_after(at);
            } else {
                fx.worktree.fail_at.store(
                    fx.worktree.changes.load(Ordering::SeqCst) + at,
                    Ordering::SeqCst,
                );
            }
            let res = op(&mut fx);
            assert!(
                res.is_err(),
                "{name}: failing the {kind} at change {at} fails the operation"
            );
            fx.files.never_fail();
            fx.worktree.fail_at.store(usize::MAX, Ordering::SeqCst);
            assert_eq!(
                fx.files.state(),
                files,
                "{name}: {kind} failing at {at}: refs, index and reflogs unchanged"
            );
            assert_eq!(
                fx.worktree.state(),
                tree,
                "{name}: {kind} failing at {at}: working tree unchanged"
            );
        }
    }
    Ok(())
}

#[test]
fn operations_are_all_or_nothing_when_storage_fails() -> Result {
    let edit = |fx: &mut Fixture| -> Result {
        fx.worktree.write(b"a.txt", FileKind::File, b"edited\n")?;
        fx.worktree
            .write(b"dir/c.txt", FileKind::File, b"c edited\n")?;
        fx.worktree
            .write(b"untracked.txt", FileKind::File, b"u\n")?;
        Ok(())
    };
    check_atomic("commit -a", &|fx| edit(fx), &|fx| {
        commit::commit(
            &fx.repo,
            &context(),
            &commit::Options {
                message: Some(b"all\n".to_vec()),
                all: true,
                ..Default::default()
            },
        )?;
        Ok(())
    })?;
    check_atomic(
        "switch",
        &|fx| edit(fx).and_then(|()| Ok(fx.worktree.remove(b"dir/c.txt")?)),
        &|fx| {
            switch_to(&mut fx.repo, b"side")?;
            Ok(())
        },
    )?;
    check_atomic("reset --hard", &|fx| edit(fx), &|fx| {
        let target = fx.repo.rev_parse(b"side")?;
        reset::reset(
            &fx.repo,
            target,
            &reset::Context {
                committer: me(),
                target_name: b"side".to_vec(),
            },
            &reset::Options {
                kind: reset::Kind::Hard,
                index_mtime: None,
            },
        )?;
        Ok(())
    })?;
    check_atomic("stash", &|fx| edit(fx), &|fx| {
        stash::push(
            &fx.repo,
            &stash::Context {
                author: me(),
                committer: me(),
            },
            &stash::PushOptions::default(),
        )?;
        Ok(())
    })?;
    check_atomic("branch rename", &|_| Ok(()), &|fx| {
        branch::rename(&mut fx.repo, b"side", b"renamed", false, &me())?;
        Ok(())
    })?;
    Ok(())
}

#[test]
fn status_reads_only_files_whose_stat_data_changed() -> Result {
    let Fixture { repo, worktree, .. } = fixture()?;
    for idx in 0..50 {
        worktree.write(format!("many/{idx}.txt").as_bytes(), FileKind::File, b"x\n")?;
    }
    add_all(&repo)?;
    commit_msg(&repo, "many")?;
    worktree.reads.store(0, Ordering::SeqCst);
    let outcome = status::status(&repo, &status::Options::default())?;
    assert!(outcome.entries.is_empty());
    assert_eq!(outcome.files_hashed, 0, "nothing changed: nothing read");
    worktree.write(b"many/3.txt", FileKind::File, b"y\n")?;
    worktree.write(b"many/4.txt", FileKind::File, b"x\n")?; // Rewritten with the same content.
    let outcome = status::status(&repo, &status::Options::default())?;
    assert_eq!(outcome.entries.len(), 1);
    assert!(
        outcome.files_hashed <= 2,
        "only the touched files are read ({})",
        outcome.files_hashed
    );
    Ok(())
}

#[test]
fn known_blobs_spare_reading_even_without_stat_data() -> Result {
    let Fixture { repo, worktree, .. } = fixture()?;
    // An index without stat data (as `git read-tree` leaves it): every entry would need
    // hashing, but the working tree vouches for the files it wrote from blobs.
    let tree = repo.rev_parse(b"HEAD^{tree}")?;
    let bare_index = repo.index_from_tree(tree)?;
    repo.write_index(&bare_index)?;
    for (path, data) in [("a.txt", "a\n"), ("dir/b.txt", "b\n"), ("dir/c.txt", "c\n")] {
        let id = tabgit_object::compute_id(tabgit_object::Kind::Blob, data.as_bytes());
        worktree.write_blob(path.as_bytes(), FileKind::File, id, data.as_bytes())?;
    }
    worktree.reads.store(0, Ordering::SeqCst);
    let outcome = status::status(&repo, &status::Options::default())?;
    assert!(outcome.entries.is_empty(), "{:?}", outcome.entries);
    assert_eq!(outcome.files_hashed, 0);
    assert!(outcome.refreshed_index.is_some(), "stat data was refreshed");
    Ok(())
}

#[test]
fn git_lfs_pointers_are_reported_as_such() -> Result {
    let Fixture { repo, worktree, .. } = fixture()?;
    let pointer = b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n";
    worktree.write(b"big.bin", FileKind::File, pointer)?;
    add_all(&repo)?;
    let outcome = status::status(&repo, &status::Options::default())?;
    let entry = outcome
        .entries
        .iter()
        .find(|e| e.path == b"big.bin")
        .ok_or("big.bin")?;
    assert_eq!(entry.content, status::Content::LfsPointer);
    Ok(())
}
