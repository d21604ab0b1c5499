//! Who changed each line of a file last (`git blame`): for every line of the file at a
//! revision, the commit that introduced it, its line number there and the path it had.
//!
//! ### Algorithm
//!
//! git's scoreboard (`blame.c`): every line starts as the responsibility of the starting commit.
//! Commits are taken newest first; for each one, its lines are offered to its parents. A parent
//! whose file is byte-identical takes all of them; otherwise the parent's version is diffed
//! against the commit's (Myers with the indent heuristic and no context, the common tail
//! trimmed first, as `xdi_diff` does), and lines in unchanged regions move to the parent at their
//! line numbers there. A parent that lacks the path is searched for a rename (a deleted file
//! similar enough to the commit's). Lines no parent takes stay with the commit. All of it runs
//! on explicit queues, so long histories need no deep stack.

use std::collections::{BinaryHeap, HashMap};

use tabgit_diff::lines::{Algorithm, Diff};
use tabgit_diff::{rename, tree, Change};
use tabgit_hash::ObjectId;
use tabgit_object::{CommitRef, Find, Kind, Signature};
use tabgit_store::files::GitFiles;

use crate::Repository;

/// How to blame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Offer lines only to first parents (`--first-parent`).
    pub first_parent: bool,
    /// Do not mark lines of root commits as boundary (`--root`, `blame.showRoot`).
    pub show_root: bool,
}

/// A run of lines that came from one commit (git's coalesced `blame_entry`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The commit that introduced the lines.
    pub commit_id: ObjectId,
    /// The path the file had in that commit.
    pub path: Vec<u8>,
    /// The first line's number in that commit's version (1-based).
    pub original_line: u32,
    /// The first line's number in the blamed version (1-based).
    pub final_line: u32,
    /// How many lines.
    pub n_lines: u32,
}

/// What git shows about a commit that owns lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitInfo {
    /// The author.
    pub author: Signature,
    /// The committer.
    pub committer: Signature,
    /// The first line of the message.
    pub summary: Vec<u8>,
    /// The commit is a root commit shown as a boundary (`^` in git's default output).
    pub boundary: bool,
    /// The parent version the commit's lines were compared with, if any: `(commit, path)`.
    pub previous: Option<(ObjectId, Vec<u8>)>,
}

/// The result of [`blame()`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The blamed file's content.
    pub content: Vec<u8>,
    /// The runs of lines, in order, covering every line once.
    pub entries: Vec<Entry>,
    /// Details of every commit in [`Outcome::entries`].
    pub commits: HashMap<ObjectId, CommitInfo>,
}

/// Access
impl Outcome {
    /// The lines of the file (each with its newline, if it has one).
    pub fn lines(&self) -> Vec<&[u8]> {
        self.content.split_inclusive(|&b| b == b'\n').collect()
    }

    /// For each line (0-based index): `(commit, original line number, final line number)`.
    pub fn line_origins(&self) -> Vec<(ObjectId, u32, u32)> {
        let mut out = Vec::new();
        for entry in &self.entries {
            for n in 0..entry.n_lines {
                out.push((
                    entry.commit_id,
                    entry.original_line + n,
                    entry.final_line + n,
                ));
            }
        }
        out
    }
}

/// The reasons a file could not be blamed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// The history could not be read.
    #[error(transparent)]
    Graph(#[from] tabgit_revision::graph::Error),
    /// Trees could not be compared.
    #[error(transparent)]
    Tree(#[from] tree::Error),
    /// Renames could not be detected.
    #[error(transparent)]
    Rename(#[from] rename::Error),
    /// A commit does not parse.
    #[error("commit {commit_id} is malformed")]
    Malformed {
        /// The commit.
        commit_id: ObjectId,
    },
    /// The object database failed.
    #[error("could not read object {object_id}")]
    Find {
        /// The object.
        object_id: ObjectId,
        /// The store's error.
        #[source]
        source: tabgit_object::find::Error,
    },
    /// The path is not a file in the commit.
    #[error("no such path {path} in {commit_id}")]
    NoSuchPath {
        /// The path.
        path: String,
        /// The commit.
        commit_id: ObjectId,
    },
}

// File-type bits of a mode.
const S_IFMT: u32 = 0o170000;
const S_IFREG: u32 = 0o100000;
const S_IFLNK: u32 = 0o120000;
const S_IFDIR: u32 = 0o040000;

/// A version of the file in one commit (`struct blame_origin`).
struct Origin {
    commit_id: ObjectId,
    path: Vec<u8>,
    blob_id: ObjectId,
    /// The file-type bits of its mode (regular file, symlink).
    kind: u32,
    /// Lines this origin is still responsible for.
    suspects: Vec<Ent>,
    previous: Option<usize>,
}

/// Lines `lno..lno + num` of the final file, which are lines `s_lno..` of the origin's file.
#[derive(Clone, Copy, Debug)]
struct Ent {
    lno: u32,
    s_lno: u32,
    num: u32,
}

#[derive(PartialEq, Eq)]
struct Queued {
    date: i64,
    seq: u64,
    commit_id: ObjectId,
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.date
            .cmp(&other.date)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

struct Scoreboard<'r> {
    find: &'r dyn Find,
    shallow: std::collections::HashSet<ObjectId>,
    /// Commit → its tree, parents and committer date, read once.
    commits_meta: HashMap<ObjectId, (ObjectId, Vec<ObjectId>, i64)>,
    origins: Vec<Origin>,
    by_key: HashMap<(ObjectId, Vec<u8>), usize>,
    by_commit: HashMap<ObjectId, Vec<usize>>,
    queue: BinaryHeap<Queued>,
    seq: u64,
    guilty: Vec<(usize, Ent)>,
    blobs: HashMap<ObjectId, Vec<u8>>,
    /// Parsed trees, by id (cleared when it grows large).
    trees: HashMap<ObjectId, ParsedTree>,
    options: Options,
}

/// A tree's entries as `(name, canonical mode, id)`, shared from the cache.
type ParsedTree = std::rc::Rc<Vec<(Vec<u8>, u32, ObjectId)>>;

/// How many parsed trees blame keeps.
const TREE_CACHE: usize = 512;

/// Blame `path` as it is in commit `commit_id`.
///
/// ### Relation to git
///
/// The line → (commit, original line) mapping equals `git blame --porcelain` (git 2.47, default
/// options) and so do the runs, the `previous` and `boundary` details. Not supported: blaming
/// uncommitted changes, `-M`/`-C` move and copy detection, ignore-revs, `-w`.
pub fn blame<F: GitFiles + Clone>(
    repo: &Repository<F>,
    commit_id: ObjectId,
    path: &[u8],
    options: &Options,
) -> Result<Outcome, Error> {
    let find: &dyn Find = repo.odb();
    let mut board = Scoreboard {
        find,
        shallow: repo.shallow()?,
        commits_meta: HashMap::new(),
        origins: Vec::new(),
        by_key: HashMap::new(),
        by_commit: HashMap::new(),
        queue: BinaryHeap::new(),
        seq: 0,
        guilty: Vec::new(),
        blobs: HashMap::new(),
        trees: HashMap::new(),
        options: *options,
    };
    let tree = board.tree_of(&commit_id)?;
    let Some((mode, blob_id)) = board
        .entry_at(&tree, path)?
        .filter(|(mode, _)| matches!(mode & S_IFMT, S_IFREG | S_IFLNK))
    else {
        return Err(Error::NoSuchPath {
            path: String::from_utf8_lossy(path).into_owned(),
            commit_id,
        });
    };
    let content = board.blob(&blob_id)?.clone();
    let n_lines = content.split_inclusive(|&b| b == b'\n').count() as u32;
    let start = board.origin(commit_id, path.to_vec(), blob_id, mode & S_IFMT);
    if n_lines > 0 {
        board.queue_blames(
            start,
            vec![Ent {
                lno: 0,
                s_lno: 0,
                num: n_lines,
            }],
        )?;
    }
    board.assign()?;
    board.into_outcome(content)
}

impl Scoreboard<'_> {
    fn origin(
        &mut self,
        commit_id: ObjectId,
        path: Vec<u8>,
        blob_id: ObjectId,
        kind: u32,
    ) -> usize {
        if let Some(&idx) = self.by_key.get(&(commit_id, path.clone())) {
            return idx;
        }
        let idx = self.origins.len();
        self.origins.push(Origin {
            commit_id,
            path: path.clone(),
            blob_id,
            kind,
            suspects: Vec::new(),
            previous: None,
        });
        self.by_key.insert((commit_id, path), idx);
        self.by_commit.entry(commit_id).or_default().push(idx);
        idx
    }

    fn read(&self, object_id: &ObjectId) -> Result<(Kind, Vec<u8>), Error> {
        let mut buf = Vec::new();
        let data = self
            .find
            .try_find(object_id, &mut buf)
            .map_err(|source| Error::Find {
                object_id: *object_id,
                source,
            })?
            .ok_or(crate::Error::MissingObject { id: *object_id })?;
        Ok((data.kind, data.data.to_vec()))
    }

    /// A commit's tree, parents (none at a shallow boundary) and committer date.
    fn meta(&mut self, commit_id: &ObjectId) -> Result<&(ObjectId, Vec<ObjectId>, i64), Error> {
        if !self.commits_meta.contains_key(commit_id) {
            let (_, data) = self.read(commit_id)?;
            let commit = CommitRef::from_bytes(&data).map_err(|_| Error::Malformed {
                commit_id: *commit_id,
            })?;
            let date = commit.committer.time().map_or(0, |t| t.seconds);
            let parents = if self.shallow.contains(commit_id) {
                Vec::new()
            } else {
                commit.parents.clone()
            };
            self.commits_meta
                .insert(*commit_id, (commit.tree, parents, date));
        }
        Ok(&self.commits_meta[commit_id])
    }

    fn tree_of(&mut self, commit_id: &ObjectId) -> Result<ObjectId, Error> {
        Ok(self.meta(commit_id)?.0)
    }

    fn blob(&mut self, blob_id: &ObjectId) -> Result<&Vec<u8>, Error> {
        if !self.blobs.contains_key(blob_id) {
            let (_, data) = self.read(blob_id)?;
            self.blobs.insert(*blob_id, data);
        }
        Ok(&self.blobs[blob_id])
    }

    fn tree(&mut self, tree_id: &ObjectId) -> Result<ParsedTree, Error> {
        if let Some(tree) = self.trees.get(tree_id) {
            return Ok(tree.clone());
        }
        let (kind, data) = self.read(tree_id)?;
        let mut entries = Vec::new();
        if kind == Kind::Tree {
            for entry in tabgit_object::tree::TreeRefIter::from_bytes(&data) {
                let entry = entry.map_err(|_| Error::NoSuchPath {
                    path: String::new(),
                    commit_id: *tree_id,
                })?;
                let mode = tabgit_diff::tree::canonical_mode(entry.mode).value();
                entries.push((entry.filename.to_vec(), mode, entry.oid));
            }
        }
        if self.trees.len() >= TREE_CACHE {
            self.trees.clear();
        }
        let entries = std::rc::Rc::new(entries);
        self.trees.insert(*tree_id, entries.clone());
        Ok(entries)
    }

    /// The canonical mode and object at `path` in `tree`, if any.
    fn entry_at(&mut self, tree: &ObjectId, path: &[u8]) -> Result<Option<(u32, ObjectId)>, Error> {
        let mut current = *tree;
        let mut components = path.split(|&b| b == b'/').peekable();
        while let Some(component) = components.next() {
            let entries = self.tree(&current)?;
            let Some((_, mode, oid)) = entries.iter().find(|(name, _, _)| name == component) else {
                return Ok(None);
            };
            if components.peek().is_none() {
                return Ok(Some((*mode, *oid)));
            }
            if mode & S_IFMT != S_IFDIR {
                return Ok(None);
            }
            current = *oid;
        }
        Ok(None)
    }

    /// `queue_blames`: give `entries` to `origin`, queueing its commit if it had none.
    fn queue_blames(&mut self, origin: usize, entries: Vec<Ent>) -> Result<(), Error> {
        if entries.is_empty() {
            return Ok(());
        }
        let commit_id = self.origins[origin].commit_id;
        let commit_has_suspects = self.by_commit[&commit_id]
            .iter()
            .any(|&o| !self.origins[o].suspects.is_empty());
        let suspects = &mut self.origins[origin].suspects;
        suspects.extend(entries);
        suspects.sort_by_key(|e| e.s_lno);
        if !commit_has_suspects {
            let date = self.meta(&commit_id)?.2;
            self.queue.push(Queued {
                date,
                seq: self.seq,
                commit_id,
            });
            self.seq += 1;
        }
        Ok(())
    }

    /// `assign_blame`.
    fn assign(&mut self) -> Result<(), Error> {
        while let Some(Queued { commit_id, .. }) = self.queue.pop() {
            while let Some(origin) = self.by_commit[&commit_id]
                .iter()
                .copied()
                .find(|&o| !self.origins[o].suspects.is_empty())
            {
                self.pass_blame(origin)?;
                let remaining = std::mem::take(&mut self.origins[origin].suspects);
                self.guilty
                    .extend(remaining.into_iter().map(|e| (origin, e)));
            }
        }
        Ok(())
    }

    /// `find_origin`: the same path in `parent`, unless it was added or changed type there.
    fn find_origin(
        &mut self,
        parent: ObjectId,
        parent_tree: &ObjectId,
        origin: usize,
    ) -> Result<Option<usize>, Error> {
        let path = self.origins[origin].path.clone();
        let kind = self.origins[origin].kind;
        match self.entry_at(parent_tree, &path)? {
            Some((mode, blob_id)) if mode & S_IFMT == kind => {
                Ok(Some(self.origin(parent, path, blob_id, kind)))
            }
            // Absent (added here), a directory, or another type of file: no origin.
            _ => Ok(None),
        }
    }

    /// `find_rename`: a file of `parent` that became the origin's path by a rename.
    fn find_rename(
        &mut self,
        parent: ObjectId,
        parent_tree: &ObjectId,
        tree: &ObjectId,
        origin: usize,
    ) -> Result<Option<usize>, Error> {
        let path = self.origins[origin].path.clone();
        let all = tree::diff(
            self.find,
            Some(parent_tree),
            Some(tree),
            &tree::Options::default(),
        )?;
        let candidates: Vec<Change> = all
            .into_iter()
            .filter(|change| match change {
                Change::Deletion { .. } => true,
                Change::Addition { path: p, .. } => *p == path,
                _ => false,
            })
            .collect();
        if !candidates
            .iter()
            .any(|c| matches!(c, Change::Addition { .. }))
        {
            return Ok(None);
        }
        let outcome = rename::detect(self.find, candidates, &rename::Options::default())?;
        for change in outcome.changes {
            if let Change::Rename {
                old_path,
                old,
                new_path,
                ..
            } = change
            {
                if new_path == path {
                    let kind = old.mode.value() & S_IFMT;
                    return Ok(Some(self.origin(parent, old_path, old.object_id, kind)));
                }
            }
        }
        Ok(None)
    }

    /// `pass_blame`: offer the origin's lines to the parents of its commit.
    fn pass_blame(&mut self, origin: usize) -> Result<(), Error> {
        let commit_id = self.origins[origin].commit_id;
        let mut parents = self.meta(&commit_id)?.1.clone();
        if parents.is_empty() {
            return Ok(());
        }
        if self.options.first_parent {
            parents.truncate(1);
        }
        let tree = self.tree_of(&commit_id)?;
        let mut parent_origins: Vec<Option<usize>> = vec![None; parents.len()];
        let mut parent_trees = Vec::with_capacity(parents.len());
        for parent in &parents {
            parent_trees.push(self.tree_of(parent)?);
        }
        for pass in 0..2 {
            for (idx, parent) in parents.iter().enumerate() {
                if parent_origins[idx].is_some() {
                    continue;
                }
                let found = if pass == 0 {
                    self.find_origin(*parent, &parent_trees[idx], origin)?
                } else {
                    self.find_rename(*parent, &parent_trees[idx], &tree, origin)?
                };
                let Some(porigin) = found else {
                    continue;
                };
                if self.origins[porigin].blob_id == self.origins[origin].blob_id {
                    // `pass_whole_blame`.
                    let entries = std::mem::take(&mut self.origins[origin].suspects);
                    self.queue_blames(porigin, entries)?;
                    return Ok(());
                }
                let same_blob = parent_origins[..idx]
                    .iter()
                    .flatten()
                    .any(|&other| self.origins[other].blob_id == self.origins[porigin].blob_id);
                if !same_blob {
                    parent_origins[idx] = Some(porigin);
                }
            }
        }
        for porigin in parent_origins.into_iter().flatten() {
            if self.origins[origin].previous.is_none() {
                self.origins[origin].previous = Some(porigin);
            }
            if self.origins[origin].suspects.is_empty() {
                break;
            }
            self.pass_blame_to_parent(origin, porigin)?;
        }
        Ok(())
    }

    /// `pass_blame_to_parent`: lines in regions the diff leaves unchanged move to the parent.
    fn pass_blame_to_parent(&mut self, target: usize, parent: usize) -> Result<(), Error> {
        let parent_blob = self.origins[parent].blob_id;
        let target_blob = self.origins[target].blob_id;
        let parent_data = self.blob(&parent_blob)?.clone();
        let target_data = self.blob(&target_blob)?.clone();
        let trim = trim_common_tail(&parent_data, &target_data);
        let old = &parent_data[..parent_data.len() - trim];
        let new = &target_data[..target_data.len() - trim];
        let diff = Diff::compute(old, new, Algorithm::Myers);

        // The unchanged stretches: target lines `start..end` are parent lines from `parent_start`.
        let mut segments: Vec<(u32, u32, u32)> = Vec::new();
        let (mut new_end, mut old_end) = (0u32, 0u32);
        for change in diff.changes() {
            if change.new.start > new_end {
                segments.push((new_end, change.new.start, old_end));
            }
            new_end = change.new.end;
            old_end = change.old.end;
        }
        segments.push((new_end, u32::MAX, old_end));

        let suspects = std::mem::take(&mut self.origins[target].suspects);
        let mut stays = Vec::new();
        let mut passes = Vec::new();
        for entry in suspects {
            let (start, end) = (entry.s_lno, entry.s_lno + entry.num);
            let mut at = start;
            let first = segments.partition_point(|&(_, seg_end, _)| seg_end <= start);
            for &(seg_start, seg_end, parent_start) in &segments[first..] {
                if seg_start >= end {
                    break;
                }
                let from = seg_start.max(at);
                let to = seg_end.min(end);
                if from > at {
                    stays.push(part(entry, at, from));
                }
                if to > from {
                    let mut passed = part(entry, from, to);
                    passed.s_lno = parent_start + (from - seg_start);
                    passes.push(passed);
                }
                at = to.max(at);
            }
            if at < end {
                stays.push(part(entry, at, end));
            }
        }
        self.origins[target].suspects = stays;
        self.queue_blames(parent, passes)
    }

    fn into_outcome(mut self, content: Vec<u8>) -> Result<Outcome, Error> {
        let mut guilty = std::mem::take(&mut self.guilty);
        guilty.sort_by_key(|(_, e)| e.lno);
        let mut entries: Vec<Entry> = Vec::new();
        let mut owners: Vec<usize> = Vec::new();
        for (origin, e) in guilty {
            if let (Some(last), Some(&last_origin)) = (entries.last_mut(), owners.last()) {
                if last_origin == origin
                    && last.original_line + last.n_lines == e.s_lno + 1
                    && last.final_line + last.n_lines == e.lno + 1
                {
                    last.n_lines += e.num;
                    continue;
                }
            }
            let o = &self.origins[origin];
            entries.push(Entry {
                commit_id: o.commit_id,
                path: o.path.clone(),
                original_line: e.s_lno + 1,
                final_line: e.lno + 1,
                n_lines: e.num,
            });
            owners.push(origin);
        }
        let mut commits = HashMap::new();
        for &origin in &owners {
            let o = &self.origins[origin];
            if commits.contains_key(&o.commit_id) {
                continue;
            }
            let (_, data) = self.read(&o.commit_id)?;
            let malformed = || Error::Malformed {
                commit_id: o.commit_id,
            };
            let commit = CommitRef::from_bytes(&data).map_err(|_| malformed())?;
            let owned = commit.to_owned().map_err(|_| malformed())?;
            let summary = crate::merge::apply::subject(commit.message).to_vec();
            let boundary = !self.options.show_root && commit.parents.is_empty();
            let previous = o.previous.map(|p| {
                let p = &self.origins[p];
                (p.commit_id, p.path.clone())
            });
            commits.insert(
                o.commit_id,
                CommitInfo {
                    author: owned.author,
                    committer: owned.committer,
                    summary,
                    boundary,
                    previous,
                },
            );
        }
        Ok(Outcome {
            content,
            entries,
            commits,
        })
    }
}

/// The lines `from..to` (origin line numbers) of `entry`.
fn part(entry: Ent, from: u32, to: u32) -> Ent {
    Ent {
        lno: entry.lno + (from - entry.s_lno),
        s_lno: from,
        num: to - from,
    }
}

/// `trim_common_tail` (`xdiff-interface.c`): how many bytes at the end of both texts a
/// context-free diff may skip: whole 1 KiB blocks that are equal, given back up to the first
/// newline so that what remains ends at a line boundary.
fn trim_common_tail(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 1024;
    let smaller = a.len().min(b.len());
    let mut trimmed = 0;
    while BLOCK + trimmed <= smaller
        && a[a.len() - trimmed - BLOCK..a.len() - trimmed]
            == b[b.len() - trimmed - BLOCK..b.len() - trimmed]
    {
        trimmed += BLOCK;
    }
    let start = a.len() - trimmed;
    let mut recovered = 0;
    while recovered < trimmed {
        let byte = a[start + recovered];
        recovered += 1;
        if byte == b'\n' {
            break;
        }
    }
    trimmed - recovered
}
