//! What merge, revert and cherry-pick share: moving the index and working tree from `HEAD`'s
//! tree to a merge result without losing local changes, writing commits, and naming commits.

use std::collections::{BTreeMap, BTreeSet};

use tabgit_hash::{ObjectId, Prefix};
use tabgit_index::stat::{self, FileType};
use tabgit_index::{Entry, Mode, Stage, State};
use tabgit_object::{Commit, CommitRef, Kind, Signature};
use tabgit_pack::index::PrefixLookup;
use tabgit_store::files::GitFiles;
use tabgit_store::odb::Odb;
use tabgit_store::refs::{Change, Expected, Head, LogEntry, RefEdit};
use tabgit_store::worktree::{FileKind, Worktree};

use crate::merge::Error;
use crate::update::{Previous, Update, WorktreeOp};
use crate::Repository;

/// Stores objects in the repository's object database (loose).
pub(crate) struct OdbWriter<'a, F: GitFiles>(pub(crate) &'a Odb<F>);

impl<F: GitFiles> tabgit_object::Write for OdbWriter<'_, F> {
    fn write(&mut self, kind: Kind, data: &[u8]) -> Result<ObjectId, tabgit_object::find::Error> {
        Ok(self.0.write_loose(kind, data)?)
    }
}

/// A parsed commit, owned.
pub(crate) struct CommitInfo {
    pub(crate) tree: ObjectId,
    pub(crate) parents: Vec<ObjectId>,
    pub(crate) commit: Commit,
}

/// Read commit `commit_id`.
pub(crate) fn read_commit<F: GitFiles + Clone>(
    repo: &Repository<F>,
    commit_id: &ObjectId,
) -> Result<CommitInfo, Error> {
    let (kind, data) = repo.object(commit_id)?;
    if kind != Kind::Commit {
        return Err(Error::NotACommit {
            name: commit_id.to_hex(),
        });
    }
    let malformed = || Error::MalformedCommit {
        commit_id: *commit_id,
    };
    let parsed = CommitRef::from_bytes(&data).map_err(|_| malformed())?;
    let commit = parsed.to_owned().map_err(|_| malformed())?;
    Ok(CommitInfo {
        tree: parsed.tree,
        parents: parsed.parents.clone(),
        commit,
    })
}

/// The first line of a commit message (git's subject, without its newline).
pub(crate) fn subject(message: &[u8]) -> &[u8] {
    let line = message
        .split(|&b| b == b'\n')
        .find(|line| !line.iter().all(u8::is_ascii_whitespace))
        .unwrap_or_default();
    line
}

/// The abbreviation git prints for `id` by default: `core.abbrev` digits, or for an unset
/// `core.abbrev` half the bits of the approximate object count (at least 7), lengthened until
/// it names only `id` (`repo_find_unique_abbrev`).
pub(crate) fn abbreviate<F: GitFiles + Clone>(repo: &Repository<F>, id: &ObjectId) -> Vec<u8> {
    let configured = repo
        .config()
        .get("core", None, "abbrev")
        .and_then(|v| std::str::from_utf8(v).ok()?.parse::<usize>().ok());
    let min = configured.unwrap_or_else(|| {
        let count = repo.odb().approximate_count().unwrap_or(1).max(1);
        let bits = (usize::BITS - count.leading_zeros()) as usize;
        bits.div_ceil(2).max(7)
    });
    let hex = id.to_hex();
    for len in min.clamp(4, 40)..40 {
        let Ok(prefix) = Prefix::from_hex(&hex.as_bytes()[..len]) else {
            break;
        };
        match repo.odb().lookup_prefix(&prefix) {
            Ok(PrefixLookup::Ambiguous) => {}
            _ => return hex.as_bytes()[..len].to_vec(),
        }
    }
    hex.into_bytes()
}

/// Every file of `tree_id` (none for `None`) as `path → (mode, id)`.
pub(crate) fn tree_files<F: GitFiles + Clone>(
    repo: &Repository<F>,
    tree_id: Option<ObjectId>,
) -> Result<BTreeMap<Vec<u8>, (Mode, ObjectId)>, Error> {
    let Some(tree_id) = tree_id else {
        return Ok(BTreeMap::new());
    };
    Ok(repo
        .flatten_tree(tree_id)?
        .into_iter()
        .filter_map(|(path, mode, id)| Mode::from_tree_mode(mode).map(|mode| (path, (mode, id))))
        .collect())
}

/// The file kind a worktree file of `mode` is written as.
pub(crate) fn file_kind(mode: Mode) -> FileKind {
    match mode {
        Mode::FileExecutable => FileKind::Executable,
        Mode::Symlink => FileKind::Symlink,
        Mode::File | Mode::Gitlink => FileKind::File,
    }
}

/// Whether the file at `entry.path` still holds what `entry` says (stat data first, content
/// when stat data cannot tell). A missing file is not clean.
pub(crate) fn is_clean(worktree: &dyn Worktree, entry: &Entry) -> Result<bool, Error> {
    let Some(meta) = worktree.metadata(&entry.path)? else {
        return Ok(false);
    };
    if entry.mode == Mode::Gitlink {
        return Ok(meta.file_type == FileType::Directory);
    }
    if meta.file_type == FileType::Directory {
        return Ok(false);
    }
    if let Some(known) = worktree.known_blob(&entry.path) {
        if known == entry.object_id {
            return Ok(true);
        }
    }
    match stat::compare(entry, &meta, None, &stat::Options::default()) {
        stat::Outcome::Unchanged => Ok(true),
        stat::Outcome::Modified(_) => Ok(false),
        stat::Outcome::CheckContent(_) => {
            Ok(worktree.read(&entry.path)?.is_some_and(|(_, data)| {
                tabgit_object::compute_id(Kind::Blob, &data) == entry.object_id
            }))
        }
    }
}

/// The paths where the index differs from `head` (any stage, either side), sorted.
pub(crate) fn index_changes(
    index: &State,
    head: &BTreeMap<Vec<u8>, (Mode, ObjectId)>,
) -> Vec<Vec<u8>> {
    let mut changed = BTreeSet::new();
    for entry in index.entries() {
        let same = entry.stage == Stage::Merged
            && head.get(&entry.path) == Some(&(entry.mode, entry.object_id));
        if !same {
            changed.insert(entry.path.clone());
        }
    }
    for path in head.keys() {
        if index.path_entries(path).is_empty() {
            changed.insert(path.clone());
        }
    }
    changed.into_iter().collect()
}

/// How to move the working tree and index from one tree to a merge result.
pub(crate) struct Plan {
    pub(crate) ops: Vec<WorktreeOp>,
    pub(crate) index: State,
}

/// Plan the update from `head` (the files of `HEAD`'s tree) to `target` (the files of the result
/// tree, which the working tree will show) with `target_index` (the index to leave, conflict
/// stages included), refusing to touch a path whose file or index entry has local changes, or an
/// untracked file in the way (git's `twoway_merge` in `unpack-trees.c`).
pub(crate) fn plan<F: GitFiles + Clone>(
    repo: &Repository<F>,
    head: &BTreeMap<Vec<u8>, (Mode, ObjectId)>,
    target: &BTreeMap<Vec<u8>, (Mode, ObjectId)>,
    mut target_index: State,
    current: &State,
) -> Result<Plan, Error> {
    let worktree = repo.worktree().ok_or(Error::Bare)?;
    let mut local_changes = Vec::new();
    let mut untracked = Vec::new();
    let mut removals = Vec::new();
    let mut writes = Vec::new();
    let paths: BTreeSet<&Vec<u8>> = head.keys().chain(target.keys()).collect();
    for path in paths {
        let old = head.get(path);
        let new = target.get(path);
        if old == new {
            continue;
        }
        let entry = current.entry(path, Stage::Merged);
        let conflicted = current
            .path_entries(path)
            .iter()
            .any(|e| e.stage != Stage::Merged);
        match (old, entry) {
            (Some(&(mode, id)), Some(entry)) => {
                let index_matches = entry.mode == mode && entry.object_id == id;
                let index_is_target = new == Some(&(entry.mode, entry.object_id));
                if !(index_matches || index_is_target) || !is_clean(worktree, entry)? {
                    local_changes.push(path.clone());
                    continue;
                }
            }
            (Some(_), None) => {
                // Deleted from the index (staged removal) or unmerged.
                if conflicted || worktree.metadata(path)?.is_some() {
                    local_changes.push(path.clone());
                    continue;
                }
            }
            (None, Some(entry)) => {
                // Added to the index only: the merge may keep it only if it agrees.
                if new != Some(&(entry.mode, entry.object_id)) || !is_clean(worktree, entry)? {
                    local_changes.push(path.clone());
                }
                continue;
            }
            (None, None) => {
                if conflicted {
                    local_changes.push(path.clone());
                    continue;
                }
                if new.is_some() && in_the_way(worktree, path, head)? {
                    untracked.push(path.clone());
                    continue;
                }
            }
        }
        let previous = match old {
            Some(&(mode, id)) if mode != Mode::Gitlink => Previous::Blob(file_kind(mode), id),
            Some(_) => Previous::Unknown,
            None => Previous::Absent,
        };
        match new {
            None => {
                if old.is_some_and(|(mode, _)| *mode != Mode::Gitlink) {
                    removals.push(WorktreeOp::Remove {
                        path: path.clone(),
                        previous,
                    });
                }
            }
            Some(&(Mode::Gitlink, _)) => writes.push(WorktreeOp::CreateDir { path: path.clone() }),
            Some(&(mode, blob_id)) => writes.push(WorktreeOp::Write {
                path: path.clone(),
                kind: file_kind(mode),
                blob_id,
                previous,
            }),
        }
    }
    if !local_changes.is_empty() {
        return Err(Error::LocalChanges {
            paths: local_changes,
        });
    }
    if !untracked.is_empty() {
        return Err(Error::UntrackedOverwritten { paths: untracked });
    }
    // Paths the update leaves alone keep their index entries: staged changes survive a
    // fast-forward, as in git's `twoway_merge`. (A three-way merge starts from an index equal
    // to HEAD, so for it this only keeps stat data.)
    let untouched = |path: &[u8]| {
        head.get(path) == target.get(path)
            && target_index
                .path_entries(path)
                .iter()
                .all(|e| e.stage == Stage::Merged)
    };
    let mut overrides = Vec::new();
    let mut removed = Vec::new();
    for entry in current.entries() {
        if entry.stage == Stage::Merged && untouched(&entry.path) {
            overrides.push(entry.clone());
        }
    }
    for entry in target_index.entries() {
        if entry.stage == Stage::Merged
            && untouched(&entry.path)
            && current.entry(&entry.path, Stage::Merged).is_none()
        {
            removed.push(entry.path.clone());
        }
    }
    for path in removed {
        target_index.remove(&path);
    }
    for entry in overrides {
        let same = target_index
            .entry(&entry.path, Stage::Merged)
            .is_some_and(|t| *t == entry);
        if same {
            continue;
        }
        match target_index.entry_index(&entry.path, Stage::Merged) {
            Some(idx)
                if target_index.entries()[idx].object_id == entry.object_id
                    && target_index.entries()[idx].mode == entry.mode =>
            {
                // Only stat data and flags differ: keep them, so status need not read the file.
                target_index.set_stat(idx, entry.stat)?;
                target_index.set_flags(idx, entry.flags)?;
            }
            _ => target_index.insert_replacing(entry)?,
        }
    }
    removals.extend(writes);
    Ok(Plan {
        ops: removals,
        index: target_index,
    })
}

/// Whether an untracked file (or a directory with untracked files) is where `path` goes, or a
/// file where one of its directories goes.
fn in_the_way(
    worktree: &dyn Worktree,
    path: &[u8],
    head: &BTreeMap<Vec<u8>, (Mode, ObjectId)>,
) -> Result<bool, Error> {
    if let Some(meta) = worktree.metadata(path)? {
        if meta.file_type != FileType::Directory {
            return Ok(true);
        }
        let mut prefix = path.to_vec();
        prefix.push(b'/');
        let tracked_inside = head.keys().any(|p| p.starts_with(&prefix));
        if !tracked_inside && !worktree.list(path)?.is_empty() {
            return Ok(true);
        }
    }
    for (slash, _) in path.iter().enumerate().filter(|(_, &b)| b == b'/') {
        let parent = &path[..slash];
        if head.contains_key(parent) {
            continue;
        }
        if let Some(meta) = worktree.metadata(parent)? {
            if meta.file_type != FileType::Directory {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Apply `plan` within `update`: write the working tree, then stage the index with the stat data
/// of the files written.
pub(crate) fn apply<F: GitFiles + Clone>(
    update: &mut Update<'_, F>,
    plan: Plan,
) -> Result<(), Error> {
    let Plan { ops, mut index } = plan;
    let written = update.apply_worktree(ops)?;
    let mut stats = Vec::new();
    for (idx, entry) in index.entries().iter().enumerate() {
        if entry.stage != Stage::Merged {
            continue;
        }
        if let Some(meta) = written.get(&entry.path) {
            stats.push((idx, meta.stat));
        }
    }
    for (idx, stat) in stats {
        index.set_stat(idx, stat)?;
    }
    update.write_index(&mut index, None)?;
    Ok(())
}

/// Store a commit.
pub(crate) fn write_commit<F: GitFiles + Clone>(
    repo: &Repository<F>,
    tree: ObjectId,
    parents: Vec<ObjectId>,
    author: &Signature,
    committer: &Signature,
    message: Vec<u8>,
) -> Result<ObjectId, Error> {
    let commit = Commit {
        tree,
        parents,
        author: author.clone(),
        committer: committer.clone(),
        encoding: None,
        extra_headers: Vec::new(),
        message,
    };
    Ok(repo.odb().write_loose(Kind::Commit, &commit.to_bytes())?)
}

/// Move `HEAD` (its branch, or `HEAD` itself when detached) from `old` to `new` within `update`,
/// logging `message`.
pub(crate) fn move_head<F: GitFiles + Clone>(
    update: &Update<'_, F>,
    head: &Head,
    old: Option<ObjectId>,
    new: ObjectId,
    committer: &Signature,
    message: Vec<u8>,
) -> Result<(), Error> {
    let name = match head {
        Head::Branch { name, .. } => name.clone(),
        Head::Detached(_) => b"HEAD".to_vec(),
    };
    update.refs().commit(&[RefEdit {
        name,
        change: Change::Set(tabgit_refs::Target::Object(new)),
        expected: old.map_or(Expected::Absent, Expected::Value),
        log: Some(LogEntry {
            committer: committer.clone(),
            message,
        }),
    }])?;
    Ok(())
}

/// Set a pseudo-ref such as `ORIG_HEAD` (no reflog), within `update`.
pub(crate) fn set_pseudo_ref<F: GitFiles + Clone>(
    update: &Update<'_, F>,
    name: &str,
    id: ObjectId,
) -> Result<(), Error> {
    update.write(name, format!("{id}\n").into_bytes())?;
    Ok(())
}

/// git's `strbuf_stripspace` with comment stripping (`git commit`'s default cleanup when a
/// message was prepared for editing): drop lines starting with `#`, strip trailing whitespace,
/// squeeze blank lines, drop leading and trailing blank lines, end with a newline.
pub(crate) fn cleanup_message(message: &[u8], strip_comments: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut pending_blank = false;
    for line in message.split(|&b| b == b'\n') {
        if strip_comments && line.first() == Some(&b'#') {
            continue;
        }
        let end = line
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |idx| idx + 1);
        let line = &line[..end];
        if line.is_empty() {
            pending_blank = !out.is_empty();
            continue;
        }
        if pending_blank {
            out.push(b'\n');
            pending_blank = false;
        }
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out
}

/// `# Conflicts:` lines git appends to `MERGE_MSG` for each unmerged path of `index`.
pub(crate) fn conflicts_hint(index: &State) -> Vec<u8> {
    let mut out = b"\n# Conflicts:\n".to_vec();
    let mut last: Option<&[u8]> = None;
    for entry in index.entries() {
        if entry.stage == Stage::Merged || last == Some(entry.path.as_slice()) {
            continue;
        }
        last = Some(&entry.path);
        out.extend_from_slice(b"#\t");
        out.extend_from_slice(&entry.path);
        out.push(b'\n');
    }
    out
}

/// The unmerged paths of `index`, sorted and unique.
pub(crate) fn unmerged_paths(index: &State) -> Vec<Vec<u8>> {
    let mut paths: Vec<Vec<u8>> = index
        .entries()
        .iter()
        .filter(|e| e.stage != Stage::Merged)
        .map(|e| e.path.clone())
        .collect();
    paths.dedup();
    paths
}
