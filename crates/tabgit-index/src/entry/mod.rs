//! Index entries (`gitformat-index`, "Index entry"): stat data, mode, object id, flags and path.
//!
//! On disk an entry's 16-bit flags field packs, from the high bit down, "assume-valid",
//! "extended", a 2-bit stage and a 12-bit name length; version 3 and later add 16 extended flag
//! bits ("reserved", "skip-worktree", "intent-to-add", 13 unused) to entries whose extended bit is
//! set. In memory the name length is the length of [`Entry::path`] and the extended bit is derived
//! from [`Flags`] when writing, as git's `do_write_index` does.

use std::fmt;

use tabgit_hash::ObjectId;
use tabgit_object::tree::{EntryKind, EntryMode};

use crate::stat::StatData;

/// One entry of the index: a path at a stage, the object it stages and the stat data of the file
/// it was last checked against.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Entry {
    /// The file's stat data when the entry was last refreshed (all zero after `git read-tree`).
    pub stat: StatData,
    /// The blob (or, for a gitlink, the commit) staged at this path.
    pub object_id: ObjectId,
    /// What kind of file the entry is.
    pub mode: Mode,
    /// Merged (`0`) or one side of a conflict (`1`–`3`).
    pub stage: Stage,
    /// Assume-valid, skip-worktree and intent-to-add.
    pub flags: Flags,
    /// The path relative to the top of the worktree, `/`-separated, without a leading or
    /// trailing `/`.
    pub path: Vec<u8>,
}

/// Lifecycle
impl Entry {
    /// A merged entry for `path` with zeroed stat data and no flags, as `git read-tree` and
    /// `git update-index --cacheinfo` create them.
    pub fn new(path: Vec<u8>, mode: Mode, object_id: ObjectId) -> Self {
        Entry {
            stat: StatData::default(),
            object_id,
            mode,
            stage: Stage::Merged,
            flags: Flags::default(),
            path,
        }
    }
}

/// Access
impl Entry {
    /// Whether the entry needs the 16 extended flag bits of version 3 (`CE_EXTENDED_FLAGS`).
    pub fn needs_extended_flags(&self) -> bool {
        self.flags.skip_worktree || self.flags.intent_to_add
    }

    /// The mode and object id, as the conflict side or resolve-undo record they would form.
    pub fn side(&self) -> ConflictSide {
        ConflictSide {
            mode: self.mode,
            object_id: self.object_id,
        }
    }
}

/// What kind of file an entry is: the file-type and permission bits of the 32-bit mode field.
///
/// `gitformat-index` allows exactly these four: a regular file with permissions `0644` or
/// `0755`, a symbolic link and a gitlink, both with permissions `0`. Git normalizes every mode it
/// stores this way (`create_ce_mode` in `read-cache-ll.h`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Mode {
    /// A regular, non-executable file (`100644`).
    File,
    /// An executable file (`100755`).
    FileExecutable,
    /// A symbolic link whose blob holds the target (`120000`).
    Symlink,
    /// A gitlink: a submodule's commit (`160000`).
    Gitlink,
}

impl Mode {
    /// The numeric mode as stored on disk.
    pub fn bits(self) -> u32 {
        match self {
            Mode::File => 0o100_644,
            Mode::FileExecutable => 0o100_755,
            Mode::Symlink => 0o120_000,
            Mode::Gitlink => 0o160_000,
        }
    }

    /// The mode stored as `bits`, if it is one of the four `gitformat-index` allows.
    pub fn from_bits(bits: u32) -> Option<Self> {
        Some(match bits {
            0o100_644 => Mode::File,
            0o100_755 => Mode::FileExecutable,
            0o120_000 => Mode::Symlink,
            0o160_000 => Mode::Gitlink,
            _ => return None,
        })
    }

    /// The index mode for a tree entry's mode, or `None` for a subdirectory.
    ///
    /// ### Relation to git
    ///
    /// Like `create_ce_mode`, legacy file modes such as `100664` become [`Mode::File`] and any
    /// file mode with the owner's execute bit becomes [`Mode::FileExecutable`].
    pub fn from_tree_mode(mode: EntryMode) -> Option<Self> {
        Some(match mode.kind() {
            EntryKind::Tree => return None,
            EntryKind::Link => Mode::Symlink,
            EntryKind::Commit => Mode::Gitlink,
            EntryKind::Blob | EntryKind::BlobExecutable => {
                if mode.value() & 0o100 == 0 {
                    Mode::File
                } else {
                    Mode::FileExecutable
                }
            }
        })
    }

    /// The mode a tree entry for this index entry gets (what `git write-tree` writes).
    pub fn to_tree_mode(self) -> EntryMode {
        match self {
            Mode::File => EntryMode::BLOB,
            Mode::FileExecutable => EntryMode::BLOB_EXECUTABLE,
            Mode::Symlink => EntryMode::LINK,
            Mode::Gitlink => EntryMode::COMMIT,
        }
    }
}

impl fmt::Display for Mode {
    /// Formats the mode as `git ls-files --stage` prints it: six octal digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06o}", self.bits())
    }
}

/// The stage of an entry: merged, or one side of a conflict (`gitformat-index`, "2-bit stage
/// (during merge)").
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord, Default)]
pub enum Stage {
    /// Stage 0: the normal, merged entry.
    #[default]
    Merged,
    /// Stage 1: the merge base's version ("common ancestor").
    Base,
    /// Stage 2: our version (`HEAD`).
    Ours,
    /// Stage 3: their version (the branch being merged).
    Theirs,
}

impl Stage {
    /// The stage number, 0 to 3.
    pub fn number(self) -> u8 {
        match self {
            Stage::Merged => 0,
            Stage::Base => 1,
            Stage::Ours => 2,
            Stage::Theirs => 3,
        }
    }

    /// The stage with `number`, if it is 0 to 3.
    pub fn from_number(number: u8) -> Option<Self> {
        Some(match number {
            0 => Stage::Merged,
            1 => Stage::Base,
            2 => Stage::Ours,
            3 => Stage::Theirs,
            _ => return None,
        })
    }

    /// The three conflict stages, in order.
    pub const CONFLICT_STAGES: [Stage; 3] = [Stage::Base, Stage::Ours, Stage::Theirs];
}

/// The flags of an entry that have meaning beyond the file format itself.
///
/// The "extended" bit and the name length of the on-disk flags are not stored: the writer derives
/// them from these flags and from the path.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub struct Flags {
    /// "assume-valid" (`git update-index --assume-unchanged`): trust the entry without looking at
    /// the worktree.
    pub assume_valid: bool,
    /// "skip-worktree" (`git update-index --skip-worktree`, sparse checkout): the file is not
    /// expected in the worktree. Needs version 3.
    pub skip_worktree: bool,
    /// "intent-to-add" (`git add -N`): the path is known but its content is not staged; such
    /// entries are left out of trees. Needs version 3.
    pub intent_to_add: bool,
}

/// The mode and object id of one side of a conflict, or of one stage of a resolve-undo record.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub struct ConflictSide {
    /// The side's mode.
    pub mode: Mode,
    /// The side's blob (or gitlink commit).
    pub object_id: ObjectId,
}
