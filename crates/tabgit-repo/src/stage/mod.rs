//! Changing what is staged: [`add()`](add::add) files, [`remove()`](remove::remove) them
//! (`git rm`), [`rename()`](rename::rename) them (`git mv`), [`restore()`](restore::restore) files
//! from the index or a commit, and stage or unstage single hunks ([`hunks`]).
//!
//! Every operation changes the index (and the working tree, where it does) through one atomic
//! update (see [`crate::update`]). Files are staged byte for byte: line endings are never
//! converted; [`add::Outcome::line_endings`] lists files for which git would have normalized
//! CRLF, so callers can say so.

pub mod add;
pub mod hunks;
pub mod remove;
pub mod rename;
pub mod restore;

use tabgit_hash::ObjectId;
use tabgit_index::stat::Metadata;
use tabgit_index::{Entry, Mode};
use tabgit_object::Kind;
use tabgit_store::files::GitFiles;
use tabgit_store::worktree::{FileKind, Worktree};

use crate::Repository;

/// Why files are refused, listed by [`Error::Refused`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// The file differs from the index ("has local modifications").
    LocalModifications,
    /// The index differs from `HEAD` ("has changes staged in the index").
    StagedChanges,
    /// Index, `HEAD` and the file all differ ("has staged content different from both the file
    /// and the HEAD").
    StagedAndLocal,
    /// The path is ignored and was named explicitly (`git add` without `-f`).
    Ignored,
    /// A directory was named without recursion (`git rm` without `-r`).
    NotRecursive,
    /// The path has conflict stages.
    Unmerged,
}

/// The reasons a staging operation failed; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// The working tree could not be read.
    #[error(transparent)]
    Worktree(#[from] tabgit_store::worktree::Error),
    /// The update could not be applied.
    #[error(transparent)]
    Update(#[from] crate::update::Error),
    /// The index refused an entry.
    #[error(transparent)]
    Index(#[from] tabgit_index::state::Error),
    /// The object database failed.
    #[error(transparent)]
    Odb(#[from] tabgit_store::odb::Error),
    /// The operation needs a working tree.
    #[error("this operation must be run in a work tree")]
    Bare,
    /// A path argument matched nothing.
    #[error("pathspec '{}' did not match any files", String::from_utf8_lossy(.pathspec))]
    PathspecUnmatched {
        /// The argument as given.
        pathspec: Vec<u8>,
    },
    /// Some files cannot be changed without force; nothing was changed.
    #[error("{} {} refused: {reason:?}", .paths.len(), if .paths.len() == 1 { "path was" } else { "paths were" })]
    Refused {
        /// Why.
        reason: Refusal,
        /// The paths.
        paths: Vec<Vec<u8>>,
    },
    /// `git mv` was asked for something it cannot do.
    #[error("cannot move {}: {reason}", String::from_utf8_lossy(.path))]
    BadMove {
        /// The source.
        path: Vec<u8>,
        /// Why, in git's words.
        reason: &'static str,
    },
    /// A hunk operation was asked for a binary file.
    #[error("{} is binary; stage it whole", String::from_utf8_lossy(.path))]
    Binary {
        /// The path.
        path: Vec<u8>,
    },
    /// The file or index changed since the hunks were computed.
    #[error("{} changed since its hunks were listed; list them again", String::from_utf8_lossy(.path))]
    StaleHunks {
        /// The path.
        path: Vec<u8>,
    },
    /// A hunk index is out of range.
    #[error("{} has no hunk {hunk}", String::from_utf8_lossy(.path))]
    NoSuchHunk {
        /// The path.
        path: Vec<u8>,
        /// The index given.
        hunk: usize,
    },
    /// Status (attributes, ignore files) could not be read.
    #[error(transparent)]
    Status(#[from] crate::status::Error),
    /// The revision to restore from could not be read.
    #[error(transparent)]
    Checkout(#[from] crate::checkout::Error),
}

/// The index mode for a working-tree file of `kind`, keeping `existing`'s executable bit when
/// `core.fileMode` is false.
pub(crate) fn mode_for(kind: FileKind, existing: Option<Mode>, trust_executable_bit: bool) -> Mode {
    match kind {
        FileKind::Symlink => Mode::Symlink,
        FileKind::File | FileKind::Executable if !trust_executable_bit => match existing {
            Some(Mode::FileExecutable) => Mode::FileExecutable,
            _ => Mode::File,
        },
        FileKind::Executable => Mode::FileExecutable,
        FileKind::File => Mode::File,
    }
}

/// The file kind an index mode is written as.
pub(crate) fn kind_for(mode: Mode) -> FileKind {
    match mode {
        Mode::FileExecutable => FileKind::Executable,
        Mode::Symlink => FileKind::Symlink,
        Mode::File | Mode::Gitlink => FileKind::File,
    }
}

/// A staged file: its index entry and content.
pub(crate) struct StagedFile {
    pub entry: Entry,
    pub data: Vec<u8>,
}

/// Store the working-tree file at `path` as a blob and build its index entry (with the file's
/// stat data). `None` if the file is gone or is not a file.
pub(crate) fn stage_file<F: GitFiles + Clone>(
    repo: &Repository<F>,
    worktree: &dyn Worktree,
    path: &[u8],
    existing: Option<Mode>,
) -> Result<Option<StagedFile>, Error> {
    let Some(meta) = worktree.metadata(path)? else {
        return Ok(None);
    };
    let Some((kind, data)) = worktree.read(path)? else {
        return Ok(None);
    };
    let stat_options = crate::status::worktree::stat_options(repo.config());
    let mode = mode_for(kind, existing, stat_options.trust_executable_bit);
    let blob_id = repo.odb().write_loose(Kind::Blob, &data)?;
    Ok(Some(StagedFile {
        entry: entry_with_stat(path, mode, blob_id, &meta),
        data,
    }))
}

/// An index entry with the stat data of a file just read or written.
pub(crate) fn entry_with_stat(
    path: &[u8],
    mode: Mode,
    blob_id: ObjectId,
    meta: &Metadata,
) -> Entry {
    let mut entry = Entry::new(path.to_vec(), mode, blob_id);
    entry.stat = meta.stat;
    entry
}

/// Whether git would normalize CRLF in `data` when staging `path` (attributes `text`,
/// `text=auto` on text, `eol`; `core.autocrlf` `true`/`input`), which tabgit does not do.
pub(crate) fn git_would_normalize(
    attributes: &tabgit_attributes::attr::Collection,
    autocrlf: bool,
    path: &[u8],
    data: &[u8],
) -> bool {
    use tabgit_attributes::attr::Text;
    if !data.windows(2).any(|w| w == b"\r\n") {
        return false;
    }
    let found = attributes.lookup(path);
    let looks_binary = data.iter().take(8000).any(|&b| b == 0);
    match found.text() {
        Text::Binary => false,
        Text::Text => true,
        Text::Auto => !looks_binary,
        Text::Unspecified => !found.is_binary() && autocrlf && !looks_binary,
    }
}

/// Whether `core.autocrlf` is `true` or `input`.
pub(crate) fn autocrlf(config: &tabgit_config::File) -> bool {
    config.get("core", None, "autocrlf").is_some_and(|v| {
        v.eq_ignore_ascii_case(b"input")
            || tabgit_config::value::parse_bool(Some(v)).unwrap_or(false)
    })
}

/// The mode and object at `path` in tree `tree_id`, if it names a blob, symlink or gitlink.
pub(crate) fn tree_file<F: GitFiles + Clone>(
    repo: &Repository<F>,
    tree_id: ObjectId,
    path: &[u8],
) -> Result<Option<(Mode, ObjectId)>, crate::Error> {
    let mut current = tree_id;
    let mut components = path.split(|&b| b == b'/').peekable();
    while let Some(component) = components.next() {
        let (kind, data) = repo.object(&current)?;
        if kind != Kind::Tree {
            return Ok(None);
        }
        let tree =
            tabgit_object::TreeRef::from_bytes(&data).map_err(|_| crate::Error::Unsupported {
                reason: format!("tree {current} is malformed"),
            })?;
        let Some(entry) = tree.entries.iter().find(|e| e.filename == component) else {
            return Ok(None);
        };
        if components.peek().is_none() {
            return Ok(Mode::from_tree_mode(entry.mode).map(|mode| (mode, entry.oid)));
        }
        if !entry.mode.is_tree() {
            return Ok(None);
        }
        current = entry.oid;
    }
    Ok(None)
}

/// The tree of `HEAD`, if it has a commit.
pub(crate) fn head_tree<F: GitFiles + Clone>(
    repo: &Repository<F>,
) -> Result<Option<ObjectId>, crate::Error> {
    match repo.head()?.id() {
        Some(commit_id) => Ok(Some(repo.commit_tree(commit_id)?)),
        None => Ok(None),
    }
}
