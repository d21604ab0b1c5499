use std::collections::{BTreeMap, BinaryHeap, HashMap};

use tabgit_attributes::attr::{self, Text};
use tabgit_diff::{rename, Change};
use tabgit_hash::ObjectId;
use tabgit_index::{Mode, Stage, State};
use tabgit_object::{Find, Kind};
use tabgit_store::files::GitFiles;
use tabgit_store::refs::Head as RefHead;

use crate::status::{
    worktree, Conflict, Content, Entry, Error, Head, LineEndings, Options, Outcome, Side, Staged,
    Upstream,
};
use crate::Repository;

/// The first bytes of a Git LFS pointer file.
const LFS_POINTER: &[u8] = b"version https://git-lfs.github.com/spec/v1";

/// Compute the status of `repo` (`git status`).
pub fn status<F: GitFiles + Clone>(
    repo: &Repository<F>,
    options: &Options,
) -> Result<Outcome, Error> {
    let mut outcome = Outcome::default();
    let ref_head = repo.head()?;
    outcome.head = Head {
        branch: match &ref_head {
            RefHead::Branch { name, .. } => Some(name.clone()),
            RefHead::Detached(_) => None,
        },
        commit: ref_head.id(),
        upstream: None,
    };
    let head_tree = match ref_head.id() {
        Some(commit_id) => Some(repo.commit_tree(commit_id)?),
        None => None,
    };
    let mut index = repo.index()?;
    let filter = |path: &[u8]| {
        options
            .pathspec
            .as_ref()
            .is_none_or(|spec| spec.matches(path))
    };

    // Index → working tree.
    let mut unstaged = Vec::new();
    if let Some(wt) = repo.worktree() {
        let stat_options = worktree::stat_options(repo.config());
        let comparison =
            worktree::compare(&mut index, wt, options.index_mtime, stat_options, &filter)?;
        outcome.files_hashed = comparison.files_hashed;
        unstaged = comparison.changes;
        if comparison.refreshed {
            outcome.refreshed_index = Some(index.clone());
        }
    }

    // HEAD → index.
    let find = repo.odb() as &dyn Find;
    let mut changes = crate::status::staged::changes(repo, head_tree, &index)?;
    if options.renames {
        changes = rename::detect(find, changes, &rename::Options::default())?.changes;
    }

    let mut entries: BTreeMap<Vec<u8>, Entry> = BTreeMap::new();
    let side = |s: tabgit_diff::Side| Side {
        mode: Mode::from_tree_mode(s.mode).unwrap_or(Mode::File),
        object_id: s.object_id,
    };
    for change in changes {
        if !filter(change.new_path()) && !filter(change.old_path()) {
            continue;
        }
        let staged = match &change {
            Change::Addition { .. } => Staged::Added,
            Change::Deletion { .. } => Staged::Deleted,
            Change::Modification { old, new, .. } => {
                if old.is_type_change_to(new) {
                    Staged::TypeChanged
                } else {
                    Staged::Modified
                }
            }
            Change::Rename {
                old_path,
                similarity,
                ..
            }
            | Change::Copy {
                old_path,
                similarity,
                ..
            } => Staged::Renamed {
                from: old_path.clone(),
                score: similarity.percent(),
            },
        };
        let entry = entries
            .entry(change.new_path().to_vec())
            .or_insert_with(|| blank(change.new_path()));
        entry.staged = Some(staged);
        entry.head = change.before().map(|(_, s)| side(s));
        entry.index = change.after().map(|(_, s)| side(s));
    }
    for change in unstaged {
        let index_side = index.entry(&change.path, Stage::Merged).map(|e| Side {
            mode: e.mode,
            object_id: e.object_id,
        });
        let entry = entries
            .entry(change.path.clone())
            .or_insert_with(|| blank(&change.path));
        entry.unstaged = Some(change.difference);
        entry.worktree_mode = change.worktree_mode;
        entry.index = index_side;
        if entry.staged.is_none() {
            entry.head = index_side;
        }
    }
    for conflict in index.conflicts() {
        if !filter(conflict.path) {
            continue;
        }
        let stage_side = |e: Option<&tabgit_index::Entry>| {
            e.map(|e| Side {
                mode: e.mode,
                object_id: e.object_id,
            })
        };
        let mask = u8::from(conflict.base.is_some())
            | (u8::from(conflict.ours.is_some()) << 1)
            | (u8::from(conflict.theirs.is_some()) << 2);
        let code = match mask {
            1 => *b"DD",
            2 => *b"AU",
            3 => *b"UD",
            4 => *b"UA",
            5 => *b"DU",
            6 => *b"AA",
            _ => *b"UU",
        };
        let worktree_mode = match repo.worktree() {
            Some(wt) => wt.metadata(conflict.path)?.and_then(|m| {
                worktree::mode_of(m.file_type, None, worktree::stat_options(repo.config()))
            }),
            None => None,
        };
        let entry = entries
            .entry(conflict.path.to_vec())
            .or_insert_with(|| blank(conflict.path));
        entry.conflict = Some(Conflict {
            code,
            stages: [
                stage_side(conflict.base),
                stage_side(conflict.ours),
                stage_side(conflict.theirs),
            ],
        });
        entry.staged = None;
        entry.unstaged = None;
        entry.worktree_mode = worktree_mode;
    }

    // What each changed entry is, and what its attributes say about line endings.
    let attributes = if entries.is_empty() {
        None
    } else {
        Some(load_attributes(repo, &index)?)
    };
    for entry in entries.values_mut() {
        entry.content = content_of(repo, entry, &index)?;
        if let Some(attributes) = &attributes {
            let found = attributes.lookup(&entry.path);
            entry.line_endings = if found.is_binary() || found.text() == Text::Binary {
                LineEndings::Binary
            } else if found.text() == Text::Unspecified {
                LineEndings::AsIs
            } else {
                LineEndings::GitNormalizes
            };
        }
    }
    outcome.entries = entries.into_values().collect();

    // Untracked and ignored.
    if let Some(wt) = repo.worktree() {
        let global = crate::status::global_excludes(repo.files())?;
        let found = crate::status::walk_untracked(
            wt,
            &index,
            global,
            crate::status::untracked::Walk {
                mode: options.untracked,
                include_ignored: options.ignored,
                descend_ignored: false,
            },
            options.pathspec.as_ref(),
        )?;
        for f in found {
            if f.ignored {
                outcome.ignored.push(f.path);
            } else {
                outcome.untracked.push(f.path);
            }
        }
        outcome.untracked.sort();
        outcome.ignored.sort();
    }

    // Upstream.
    if let (Some(branch), Some(commit)) = (&outcome.head.branch, outcome.head.commit) {
        outcome.head.upstream = upstream(repo, branch, commit, options.ahead_behind)?;
    }
    Ok(outcome)
}

fn blank(path: &[u8]) -> Entry {
    Entry {
        path: path.to_vec(),
        staged: None,
        unstaged: None,
        head: None,
        index: None,
        worktree_mode: None,
        conflict: None,
        content: Content::Regular,
        line_endings: LineEndings::AsIs,
    }
}

/// The `.gitattributes` files the index knows, read from the working tree where they exist
/// there (else from the index), plus `info/attributes`.
pub fn load_attributes<F: GitFiles + Clone>(
    repo: &Repository<F>,
    index: &State,
) -> Result<attr::Collection, Error> {
    let mut collection = attr::Collection::default();
    for entry in index.entries() {
        if entry.stage != Stage::Merged || entry.mode == Mode::Gitlink {
            continue;
        }
        let Some(dir) = entry.path.strip_suffix(b".gitattributes") else {
            continue;
        };
        if !(dir.is_empty() || dir.ends_with(b"/")) {
            continue;
        }
        let dir = dir.strip_suffix(b"/").unwrap_or(dir);
        let from_worktree = match repo.worktree() {
            Some(wt) => match wt.read(&entry.path)? {
                Some((tabgit_store::worktree::FileKind::Symlink, _)) => continue,
                Some((_, data)) => Some(data),
                None => None,
            },
            None => None,
        };
        let data = match from_worktree {
            Some(data) => data,
            None => repo.object(&entry.object_id)?.1,
        };
        collection.insert_file(dir, &data);
    }
    if let Some(data) = repo.files().read("info/attributes")? {
        collection.set_info(&data);
    }
    Ok(collection)
}

fn content_of<F: GitFiles + Clone>(
    repo: &Repository<F>,
    entry: &Entry,
    index: &State,
) -> Result<Content, Error> {
    let sides = [entry.head, entry.index]
        .into_iter()
        .chain(entry.conflict.iter().flat_map(|c| c.stages))
        .flatten();
    let mut candidate = None;
    for side in sides {
        if side.mode == Mode::Gitlink {
            return Ok(Content::Submodule);
        }
        candidate.get_or_insert(side.object_id);
    }
    if entry.worktree_mode == Some(Mode::Gitlink) {
        return Ok(Content::Submodule);
    }
    // Only small blobs can be pointers; the index's recorded size avoids reading big ones.
    let small = index
        .entry(&entry.path, Stage::Merged)
        .is_none_or(|e| e.stat.size < 1024);
    if let (Some(blob_id), true) = (candidate, small) {
        let mut buf = Vec::new();
        if let Some(kind) = repo
            .odb()
            .find(&blob_id, &mut buf)
            .map_err(crate::Error::from)?
        {
            if kind == Kind::Blob && buf.len() < 1024 && buf.starts_with(LFS_POINTER) {
                return Ok(Content::LfsPointer);
            }
        }
    }
    Ok(Content::Regular)
}

fn upstream<F: GitFiles + Clone>(
    repo: &Repository<F>,
    branch: &[u8],
    commit: ObjectId,
    count: bool,
) -> Result<Option<Upstream>, Error> {
    let short = branch.strip_prefix(b"refs/heads/").unwrap_or(branch);
    if repo.config().get("branch", Some(short), "merge").is_none() {
        return Ok(None);
    }
    let Ok(name) = repo.upstream_of(Some(branch)) else {
        return Ok(None);
    };
    let target = repo.refs().resolve(&name).map_err(crate::Error::from)?.1;
    let ahead_behind = match target {
        Some(upstream_id) if count => Some(ahead_behind(repo, commit, upstream_id)?),
        Some(_) => Some((0, 0)),
        None => None,
    };
    Ok(Some(Upstream { name, ahead_behind }))
}

/// Commits reachable from `ours` but not `theirs`, and the other way round, by painting both
/// histories down by date until only commits common to both remain queued (git's
/// `ahead_behind`).
pub(crate) fn ahead_behind<F: GitFiles + Clone>(
    repo: &Repository<F>,
    ours: ObjectId,
    theirs: ObjectId,
) -> Result<(usize, usize), Error> {
    const OURS: u8 = 1;
    const THEIRS: u8 = 2;
    const BOTH: u8 = OURS | THEIRS;
    if ours == theirs {
        return Ok((0, 0));
    }
    let mut graph = repo.graph()?;
    let mut flags: HashMap<ObjectId, u8> = HashMap::new();
    let mut queue: BinaryHeap<(i64, u64, ObjectId)> = BinaryHeap::new();
    let mut seq = u64::MAX;
    for (id, flag) in [(ours, OURS), (theirs, THEIRS)] {
        *flags.entry(id).or_default() |= flag;
        let date = graph.commit(&id)?.date;
        queue.push((date, seq, id));
        seq -= 1;
    }
    while queue
        .iter()
        .any(|(_, _, id)| flags.get(id).copied().unwrap_or(0) != BOTH)
    {
        let Some((_, _, id)) = queue.pop() else {
            break;
        };
        let flag = flags.get(&id).copied().unwrap_or(0);
        let parents = graph.commit(&id)?.parents.clone();
        for parent in parents {
            let previous = flags.get(&parent).copied();
            let merged = previous.unwrap_or(0) | flag;
            if previous == Some(merged) {
                continue;
            }
            flags.insert(parent, merged);
            if merged == BOTH && previous.is_some() {
                // Reached from both sides now: so is everything already painted below it
                // (git's `mark_parents_uninteresting`), even if dates put it earlier.
                let mut stack = vec![parent];
                while let Some(commit) = stack.pop() {
                    for grandparent in graph.commit(&commit)?.parents.clone() {
                        if let Some(f) = flags.get_mut(&grandparent) {
                            if *f != BOTH {
                                *f = BOTH;
                                stack.push(grandparent);
                            }
                        }
                    }
                }
            }
            let date = graph.commit(&parent)?.date;
            queue.push((date, seq, parent));
            seq -= 1;
        }
    }
    let ahead = flags.values().filter(|&&f| f == OURS).count();
    let behind = flags.values().filter(|&&f| f == THEIRS).count();
    Ok((ahead, behind))
}
