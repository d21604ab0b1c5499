//! What changed: the index against `HEAD` (staged), the working tree against the index
//! (unstaged), paths the index does not know (untracked, with the ignore rules), conflicts, and
//! how the branch relates to its upstream (`git status`; git's `wt-status.c`).
//!
//! ### Cost
//!
//! The index's stat data decides which files need reading: a file is read and hashed only when
//! its `lstat` data differs from what the index recorded, or when the entry is racily clean
//! (`tabgit_index::stat`). Stores that remember "unchanged since written from blob X"
//! ([`Worktree::known_blob`](tabgit_store::worktree::Worktree::known_blob), the browser's) skip
//! even that. Entries found clean by content get fresh stat data, and the outcome hands back the
//! refreshed index so the caller can store it (as `git status` does), making the next run cheap.
//!
//! ### Line endings
//!
//! tabgit never converts line endings: files are hashed exactly as they are. A repository whose
//! `.gitattributes` (`text`, `eol`) or `core.autocrlf` make git normalize CRLF would therefore
//! see such files as modified where git does not; [`Entry::line_endings`] says when the
//! attributes ask for conversion, so a UI can explain it. Binary detection follows the `binary`
//! and `-text` attributes.
//!
//! ### Submodules and LFS
//!
//! A gitlink (submodule) is reported as such ([`Content::Submodule`]); its own working tree is
//! not inspected, so an existing submodule directory counts as unchanged. A blob that is a Git LFS
//! pointer (`version https://git-lfs.github.com/spec/v1`) is reported as
//! [`Content::LfsPointer`] and compared as the small text file it is.

mod function;
mod staged;
pub(crate) mod untracked;
pub(crate) mod worktree;

pub use function::{load_attributes, status};
pub(crate) use untracked::{dir_excludes, global_excludes, walk as walk_untracked};
pub use untracked::{Found, Untracked};
pub use worktree::Difference;

use tabgit_hash::ObjectId;
use tabgit_index::stat::Time;
use tabgit_index::{Mode, State};

/// The reasons status could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The repository could not be read.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// The working tree could not be read.
    #[error(transparent)]
    Worktree(#[from] tabgit_store::worktree::Error),
    /// `HEAD`'s tree could not be compared with the index.
    #[error("cannot compare HEAD with the index")]
    Diff(#[from] tabgit_diff::tree::Error),
    /// Renames could not be detected.
    #[error("cannot detect renames")]
    Rename(#[from] tabgit_diff::rename::Error),
    /// The commit graph could not be walked (ahead/behind).
    #[error(transparent)]
    Graph(#[from] tabgit_revision::graph::Error),
    /// A commit is malformed.
    #[error("commit {id} is malformed")]
    BadCommit {
        /// The commit.
        id: ObjectId,
    },
    /// Storage failed.
    #[error(transparent)]
    Files(#[from] tabgit_store::files::Error),
}

/// How to compute status.
#[derive(Clone, Debug)]
pub struct Options {
    /// How to report untracked files.
    pub untracked: Untracked,
    /// Report ignored files too (`--ignored`).
    pub ignored: bool,
    /// Detect renames among staged changes (`status.renames`, on by default).
    pub renames: bool,
    /// Count commits ahead of and behind the upstream.
    pub ahead_behind: bool,
    /// Only these paths.
    pub pathspec: Option<tabgit_attributes::Pathspec>,
    /// The modification time of the index file as read, for git's racily-clean rule; `None` for
    /// stores whose timestamps are change counters (memory, IndexedDB).
    pub index_mtime: Option<Time>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            untracked: Untracked::Normal,
            ignored: false,
            renames: true,
            ahead_behind: true,
            pathspec: None,
            index_mtime: None,
        }
    }
}

/// One side of an entry: a mode and an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Side {
    /// The mode.
    pub mode: Mode,
    /// The blob (or gitlink commit).
    pub object_id: ObjectId,
}

/// What happened between `HEAD` and the index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Staged {
    /// `A`: new in the index.
    Added,
    /// `D`: removed from the index.
    Deleted,
    /// `M`: content or executable bit changed.
    Modified,
    /// `T`: the kind of file changed.
    TypeChanged,
    /// `R`: moved from another path, possibly with edits.
    Renamed {
        /// The path in `HEAD`.
        from: Vec<u8>,
        /// How similar, in percent.
        score: u32,
    },
}

impl Staged {
    /// The letter git prints.
    pub fn letter(&self) -> u8 {
        match self {
            Staged::Added => b'A',
            Staged::Deleted => b'D',
            Staged::Modified => b'M',
            Staged::TypeChanged => b'T',
            Staged::Renamed { .. } => b'R',
        }
    }
}

impl Difference {
    /// The letter git prints.
    pub fn letter(self) -> u8 {
        match self {
            Difference::Deleted => b'D',
            Difference::Modified => b'M',
            Difference::TypeChanged => b'T',
        }
    }
}

/// A conflicted path: its stages 1 (base), 2 (ours), 3 (theirs).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Conflict {
    /// git's two-letter code: `DD`, `AU`, `UD`, `UA`, `DU`, `AA` or `UU`.
    pub code: [u8; 2],
    /// The three stages.
    pub stages: [Option<Side>; 3],
}

/// What kind of content an entry is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Content {
    /// A file or symlink.
    #[default]
    Regular,
    /// A gitlink: a submodule's commit.
    Submodule,
    /// A Git LFS pointer file.
    LfsPointer,
}

/// What `.gitattributes` asks for a changed file's line endings, which tabgit does not apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LineEndings {
    /// Nothing: git stores the bytes as they are too.
    #[default]
    AsIs,
    /// git would normalize CRLF to LF when staging (`text`, `text=auto` or `eol`).
    GitNormalizes,
    /// Marked binary (`binary` or `-text`).
    Binary,
}

/// A tracked path that changed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    /// The path (the new path of a rename).
    pub path: Vec<u8>,
    /// `HEAD` → index, if changed.
    pub staged: Option<Staged>,
    /// Index → working tree, if changed.
    pub unstaged: Option<Difference>,
    /// The path's (or the rename source's) side in `HEAD`.
    pub head: Option<Side>,
    /// The side in the index.
    pub index: Option<Side>,
    /// The mode of the working-tree file, if it exists.
    pub worktree_mode: Option<Mode>,
    /// Set for conflicted paths (then `staged` and `unstaged` are `None`).
    pub conflict: Option<Conflict>,
    /// What the content is.
    pub content: Content,
    /// What the attributes ask for line endings.
    pub line_endings: LineEndings,
}

impl Entry {
    /// git's short-format `X` (staged) letter, `b' '` if unchanged.
    pub fn x(&self) -> u8 {
        match (&self.conflict, &self.staged) {
            (Some(conflict), _) => conflict.code[0],
            (None, Some(staged)) => staged.letter(),
            (None, None) => b' ',
        }
    }

    /// git's short-format `Y` (unstaged) letter, `b' '` if unchanged.
    pub fn y(&self) -> u8 {
        match (&self.conflict, self.unstaged) {
            (Some(conflict), _) => conflict.code[1],
            (None, Some(difference)) => difference.letter(),
            (None, None) => b' ',
        }
    }
}

/// Where `HEAD` is and how it relates to its upstream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Head {
    /// The branch's full name; `None` when detached.
    pub branch: Option<Vec<u8>>,
    /// The commit; `None` on an unborn branch.
    pub commit: Option<ObjectId>,
    /// The upstream, if configured.
    pub upstream: Option<Upstream>,
}

/// The upstream of the current branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upstream {
    /// Its full name (`refs/remotes/origin/main`).
    pub name: Vec<u8>,
    /// Commits ahead of and behind it; `None` if the upstream ref is gone.
    pub ahead_behind: Option<(usize, usize)>,
}

/// The result of [`status()`].
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Where `HEAD` is.
    pub head: Head,
    /// Changed and conflicted tracked paths, sorted by path.
    pub entries: Vec<Entry>,
    /// Untracked paths (directories end with `/`), sorted.
    pub untracked: Vec<Vec<u8>>,
    /// Ignored paths, if asked for, sorted.
    pub ignored: Vec<Vec<u8>>,
    /// The index with refreshed stat data, if any changed: store it with
    /// [`crate::Repository::write_index`] (or ignore it).
    pub refreshed_index: Option<State>,
    /// How many files had to be read and hashed (for measuring).
    pub files_hashed: usize,
}

/// Store an index whose stat data [`status()`] refreshed, smudging entries that became racily
/// clean (what `git status` does when it can take the index lock).
pub fn write_refreshed_index<F: tabgit_store::files::GitFiles + Clone>(
    repo: &crate::Repository<F>,
    index: &mut State,
    index_mtime: Option<Time>,
) -> Result<(), crate::update::Error> {
    let update = crate::update::Update::new(repo);
    update.write_index(index, index_mtime)?;
    update.commit()
}
