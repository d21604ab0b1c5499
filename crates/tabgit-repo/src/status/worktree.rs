//! The index against the working tree (`git diff-files`, after `git update-index --refresh`),
//! reading only files whose stat data cannot vouch for them.

use tabgit_hash::ObjectId;
use tabgit_index::stat::{self, FileType, Metadata, Outcome, Time};
use tabgit_index::{Mode, Stage, State};
use tabgit_object::Kind;
use tabgit_store::worktree::Worktree;

/// How an index entry's file differs from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Difference {
    /// The file is gone (or a directory stands where a file was).
    Deleted,
    /// The content or the executable bit changed.
    Modified,
    /// The kind of file changed (file ↔ symlink ↔ submodule).
    TypeChanged,
}

/// One entry whose file differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Change {
    pub path: Vec<u8>,
    pub difference: Difference,
    /// The mode the file has in the working tree (`None` when deleted).
    pub worktree_mode: Option<Mode>,
}

/// What comparing found.
#[derive(Default)]
pub(crate) struct Comparison {
    pub changes: Vec<Change>,
    /// Whether stat data of clean entries was refreshed (the index is worth writing back).
    pub refreshed: bool,
    /// How many files were read and hashed.
    pub files_hashed: usize,
}

/// The stat rules git's configuration asks for (`core.fileMode`, `core.trustCtime`,
/// `core.checkStat`, `core.symlinks`).
pub(crate) fn stat_options(config: &tabgit_config::File) -> stat::Options {
    let flag = |key: &str, default: bool| {
        config
            .get_bool("core", None, key)
            .ok()
            .flatten()
            .unwrap_or(default)
    };
    stat::Options {
        trust_ctime: flag("trustctime", true),
        check_stat: config
            .get("core", None, "checkstat")
            .is_none_or(|v| !v.eq_ignore_ascii_case(b"minimal")),
        trust_executable_bit: flag("filemode", true),
        has_symlinks: flag("symlinks", true),
        ..stat::Options::default()
    }
}

/// The index mode a file in the working tree has, keeping the entry's executable bit when the
/// executable bit is not trusted.
pub(crate) fn mode_of(
    file_type: FileType,
    entry_mode: Option<Mode>,
    options: stat::Options,
) -> Option<Mode> {
    Some(match file_type {
        FileType::File { executable } => {
            if !options.trust_executable_bit {
                match entry_mode {
                    Some(Mode::FileExecutable) => Mode::FileExecutable,
                    _ => Mode::File,
                }
            } else if executable {
                Mode::FileExecutable
            } else {
                Mode::File
            }
        }
        FileType::Symlink => Mode::Symlink,
        FileType::Directory => Mode::Gitlink,
        FileType::Other => return None,
    })
}

/// The blob id of a working-tree file as it is (no line-ending conversion).
pub(crate) fn hash_file(
    worktree: &dyn Worktree,
    path: &[u8],
) -> Result<Option<ObjectId>, tabgit_store::worktree::Error> {
    Ok(worktree
        .read(path)?
        .map(|(_, data)| tabgit_object::compute_id(Kind::Blob, &data)))
}

/// Compare every merged entry selected by `filter` with its file, refreshing the stat data of
/// entries found clean by content.
pub(crate) fn compare(
    index: &mut State,
    worktree: &dyn Worktree,
    index_mtime: Option<Time>,
    options: stat::Options,
    filter: &dyn Fn(&[u8]) -> bool,
) -> Result<Comparison, tabgit_store::worktree::Error> {
    let mut out = Comparison::default();
    let mut refresh: Vec<(usize, stat::StatData)> = Vec::new();
    for (entry_idx, entry) in index.entries().iter().enumerate() {
        if entry.stage != Stage::Merged || !filter(&entry.path) {
            continue;
        }
        let Some(meta) = worktree.metadata(&entry.path)? else {
            out.changes.push(Change {
                path: entry.path.clone(),
                difference: Difference::Deleted,
                worktree_mode: None,
            });
            continue;
        };
        let worktree_mode = mode_of(meta.file_type, Some(entry.mode), options);
        if meta.file_type == FileType::Directory && entry.mode != Mode::Gitlink {
            // git's `check_removed`: a directory where a file was is a deletion.
            out.changes.push(Change {
                path: entry.path.clone(),
                difference: Difference::Deleted,
                worktree_mode: None,
            });
            continue;
        }
        let hashed_before = out.files_hashed;
        if let Some(difference) =
            difference(entry, &meta, worktree, index_mtime, options, &mut out)?
        {
            out.changes.push(Change {
                path: entry.path.clone(),
                difference,
                worktree_mode,
            });
        } else if entry.mode != Mode::Gitlink
            && (entry.stat != meta.stat || out.files_hashed != hashed_before)
        {
            // Clean: record the new stat data; an entry that needed hashing (racily clean)
            // is worth an index write too, as git's `has_racy_timestamp` rewrites it.
            refresh.push((entry_idx, meta.stat));
        }
    }
    if !refresh.is_empty() {
        out.refreshed = true;
        for (entry_idx, stat) in refresh {
            index
                .set_stat(entry_idx, stat)
                .expect("indices come from enumerating the same entries");
        }
    }
    Ok(out)
}

/// How one entry's file differs, or `None` if it does not.
fn difference(
    entry: &tabgit_index::Entry,
    meta: &Metadata,
    worktree: &dyn Worktree,
    index_mtime: Option<Time>,
    options: stat::Options,
    out: &mut Comparison,
) -> Result<Option<Difference>, tabgit_store::worktree::Error> {
    let type_changed = |meta: &Metadata| match (entry.mode, meta.file_type) {
        (Mode::File | Mode::FileExecutable, FileType::File { .. })
        | (Mode::Symlink, FileType::Symlink)
        | (Mode::Gitlink, FileType::Directory) => false,
        (Mode::Symlink, FileType::File { .. }) => options.has_symlinks,
        _ => true,
    };
    // The browser's store knows files it wrote from a blob and that were not touched since.
    if let Some(blob_id) = worktree.known_blob(&entry.path) {
        if !type_changed(meta) {
            let mode_changed = options.trust_executable_bit
                && matches!(meta.file_type, FileType::File { executable } if executable != (entry.mode == Mode::FileExecutable));
            if mode_changed {
                return Ok(Some(Difference::Modified));
            }
            return Ok((blob_id != entry.object_id).then_some(Difference::Modified));
        }
    }
    match stat::compare(entry, meta, index_mtime, &options) {
        Outcome::Unchanged => Ok(None),
        Outcome::Modified(changes) => {
            if changes.contains(stat::Changes::TYPE) || type_changed(meta) {
                Ok(Some(Difference::TypeChanged))
            } else {
                Ok(Some(Difference::Modified))
            }
        }
        Outcome::CheckContent(_) => {
            if entry.mode == Mode::Gitlink {
                // The submodule's HEAD is not readable through the working-tree store; an
                // existing directory counts as unchanged.
                return Ok(None);
            }
            out.files_hashed += 1;
            match hash_file(worktree, &entry.path)? {
                Some(id) if id == entry.object_id => Ok(None),
                Some(_) => Ok(Some(Difference::Modified)),
                None => Ok(Some(Difference::Deleted)),
            }
        }
    }
}
