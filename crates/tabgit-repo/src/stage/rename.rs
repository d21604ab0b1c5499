//! `git mv`: move or rename files (and directories of files) in the working tree and the index.

use tabgit_index::stat::{FileType, Time};
use tabgit_index::{Entry, Stage};
use tabgit_store::files::GitFiles;

use crate::stage::Error;
use crate::status;
use crate::update::{Previous, Update, WorktreeOp};
use crate::Repository;

/// How to move.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Overwrite an existing destination (`-f`).
    pub force: bool,
    /// Only say what would move (`-n`).
    pub dry_run: bool,
    /// The index file's modification time (see [`status::Options::index_mtime`]).
    pub index_mtime: Option<Time>,
}

/// What moved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// `(from, to)` for every file, in order.
    pub moved: Vec<(Vec<u8>, Vec<u8>)>,
}

fn bad(path: &[u8], reason: &'static str) -> Error {
    Error::BadMove {
        path: path.to_vec(),
        reason,
    }
}

fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut out = dir.strip_suffix(b"/").unwrap_or(dir).to_vec();
    if !out.is_empty() {
        out.push(b'/');
    }
    out.extend_from_slice(name);
    out
}

/// Move `sources` to `destination` (paths from the top of the working tree), as `git mv` does:
/// into `destination` when it is a directory, else (one source) renamed to it.
pub fn rename<F: GitFiles + Clone>(
    repo: &Repository<F>,
    sources: &[Vec<u8>],
    destination: &[u8],
    options: &Options,
) -> Result<Outcome, Error> {
    let worktree = repo.worktree().ok_or(Error::Bare)?;
    let mut index = repo.index()?;
    let destination = destination.strip_suffix(b"/").unwrap_or(destination);
    let dest_is_dir = destination.is_empty()
        || matches!(worktree.metadata(destination)?, Some(m) if m.file_type == FileType::Directory);
    if sources.len() > 1 && !dest_is_dir {
        return Err(bad(destination, "destination is not a directory"));
    }

    // git renames with rename(2), which needs the destination's directory to exist.
    if !dest_is_dir {
        if let Some(slash) = destination.iter().rposition(|&b| b == b'/') {
            let parent = &destination[..slash];
            if !matches!(worktree.metadata(parent)?, Some(m) if m.file_type == FileType::Directory)
            {
                return Err(bad(destination, "destination directory does not exist"));
            }
        }
    }

    // Every file to move: (from, to).
    let mut moves: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for source in sources {
        let source = source.strip_suffix(b"/").unwrap_or(source);
        let name = source.rsplit(|&b| b == b'/').next().unwrap_or(source);
        let target = if dest_is_dir {
            join(destination, name)
        } else {
            destination.to_vec()
        };
        if source == target.as_slice() {
            return Err(bad(source, "can not move directory into itself"));
        }
        let meta = worktree.metadata(source)?;
        let below = index.directory_entries(source);
        match meta {
            None => return Err(bad(source, "bad source")),
            Some(m)
                if m.file_type == FileType::Directory && index.path_entries(source).is_empty() =>
            {
                if below.is_empty() {
                    return Err(bad(source, "source directory is empty"));
                }
                if target.starts_with(source) && target.get(source.len()) == Some(&b'/') {
                    return Err(bad(source, "can not move directory into itself"));
                }
                if worktree.metadata(&target)?.is_some() {
                    return Err(bad(&target, "destination already exists"));
                }
                for entry in below {
                    if entry.stage != Stage::Merged {
                        return Err(bad(&entry.path, "conflicted"));
                    }
                    let rest = &entry.path[source.len() + 1..];
                    moves.push((entry.path.clone(), join(&target, rest)));
                }
            }
            Some(_) => {
                let entries = index.path_entries(source);
                if entries.is_empty() {
                    return Err(bad(source, "not under version control"));
                }
                if entries.iter().any(|e| e.stage != Stage::Merged) {
                    return Err(bad(source, "conflicted"));
                }
                if !options.force && worktree.metadata(&target)?.is_some() {
                    return Err(bad(&target, "destination exists"));
                }
                moves.push((source.to_vec(), target));
            }
        }
    }
    if options.dry_run {
        return Ok(Outcome { moved: moves });
    }

    // Which moved files are clean: those keep trustworthy stat data at their new place.
    let stat_options = status::worktree::stat_options(repo.config());
    let mut probe = index.clone();
    let sources_set: std::collections::HashSet<&[u8]> =
        moves.iter().map(|(f, _)| f.as_slice()).collect();
    let dirty: std::collections::HashSet<Vec<u8>> = status::worktree::compare(
        &mut probe,
        worktree,
        options.index_mtime,
        stat_options,
        &|p| sources_set.contains(p),
    )?
    .changes
    .into_iter()
    .map(|c| c.path)
    .collect();

    let mut ops = Vec::new();
    let mut new_entries: Vec<(Entry, bool)> = Vec::new();
    for (from, to) in &moves {
        let entry = index
            .entry(from, Stage::Merged)
            .cloned()
            .ok_or_else(|| bad(from, "not under version control"))?;
        let clean = !dirty.contains(from);
        if let Some((kind, data)) = worktree.read(from)? {
            let previous = match index.entry(to, Stage::Merged) {
                Some(e) => Previous::Blob(crate::stage::kind_for(e.mode), e.object_id),
                None if worktree.metadata(to)?.is_some() => Previous::Unknown,
                None => Previous::Absent,
            };
            ops.push(WorktreeOp::WriteData {
                path: to.clone(),
                kind,
                data,
                previous,
            });
            ops.push(WorktreeOp::Remove {
                path: from.clone(),
                previous: if clean {
                    Previous::Blob(crate::stage::kind_for(entry.mode), entry.object_id)
                } else {
                    Previous::Unknown
                },
            });
        }
        let mut moved = Entry::new(to.clone(), entry.mode, entry.object_id);
        moved.flags = entry.flags;
        new_entries.push((moved, clean));
    }
    let mut update = Update::new(repo);
    let written = update.apply_worktree(ops)?;
    let res = (|| -> Result<(), crate::update::Error> {
        for (from, _) in &moves {
            index.remove(from);
        }
        for (mut entry, clean) in new_entries {
            if clean {
                if let Some(meta) = written.get(&entry.path) {
                    entry.stat = meta.stat;
                }
            }
            index.insert_replacing(entry)?;
        }
        update.write_index(&mut index, options.index_mtime)
    })();
    if let Err(err) = res {
        return Err(update.abort(err).into());
    }
    update.commit()?;
    Ok(Outcome { moved: moves })
}
