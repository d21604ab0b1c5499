//! Stat data and git's rule for deciding from it whether a worktree file may differ from its entry
//! (`read-cache.c` `ie_match_stat`, `ce_match_stat_basic`, `match_stat_data`, `is_racy_stat` and
//! `ie_modified`).
//!
//! The index stores, per entry, the `lstat(2)` data of the file it was last checked against
//! (`gitformat-index`, "this is stat(2) data"), truncated to 32 bits as git truncates it. If a
//! later `lstat` gives the same data, git trusts that the file is unchanged and does not read it.
//!
//! ### Racily clean entries
//!
//! A file modified within the timestamp granularity after it was staged keeps its mtime and,
//! if its size did not change either, looks unchanged. Git therefore distrusts every entry whose
//! mtime is not older than the index file's own mtime: such an entry is "racily clean" and must be
//! re-hashed. When git writes an index it also "smudges" racily clean entries whose content did
//! change (it sets their recorded size to 0, `ce_smudge_racily_clean_entry`), so that the next
//! reader sees a size mismatch. That needs the file's content, so it is the caller's job: before
//! writing, hash the files of entries for which [`is_racily_clean`] holds against the time the
//! index will be written, and set `stat.size = 0` on those whose content differs.

use crate::entry::{Entry, Mode};

/// A timestamp as the index stores it: seconds and nanoseconds, each truncated to 32 bits.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default, PartialOrd, Ord)]
pub struct Time {
    /// Seconds since the Unix epoch (truncated to 32 bits).
    pub secs: u32,
    /// Nanoseconds within the second.
    pub nsecs: u32,
}

/// The `lstat(2)` data an entry records (`gitformat-index`, the first ten 32-bit fields but
/// `mode`; `read-cache-ll.h` `struct stat_data`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub struct StatData {
    /// The last time the file's metadata changed.
    pub ctime: Time,
    /// The last time the file's data changed.
    pub mtime: Time,
    /// The device the file is on.
    pub dev: u32,
    /// The file's inode number.
    pub ino: u32,
    /// The owner's user id.
    pub uid: u32,
    /// The owner's group id.
    pub gid: u32,
    /// The file size in bytes, truncated to 32 bits (0 also means "unknown": freshly read from a
    /// tree, or smudged because the entry was racily clean).
    pub size: u32,
}

/// What an `lstat(2)` of a worktree path says it is.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum FileType {
    /// A regular file, with whether its owner may execute it.
    File {
        /// Whether the owner's execute bit (`0100`) is set.
        executable: bool,
    },
    /// A symbolic link.
    Symlink,
    /// A directory (a submodule's worktree, for a gitlink entry).
    Directory,
    /// Anything else (a FIFO, a socket, a device).
    Other,
}

/// The result of an `lstat(2)` of the file an entry describes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub struct Metadata {
    /// The stat fields, truncated to 32 bits as the index stores them.
    pub stat: StatData,
    /// The file type and executable bit.
    pub file_type: FileType,
}

/// Which git configuration and build options apply to the comparison.
///
/// The defaults are those of a stock git build on Linux with no configuration.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
#[allow(clippy::struct_excessive_bools)] // Each field is one independent git setting.
pub struct Options {
    /// `core.trustCtime`: compare ctimes (default `true`).
    pub trust_ctime: bool,
    /// `core.checkStat=default` (`true`, the default) compares ctime, nanoseconds, owner and inode;
    /// `minimal` (`false`) compares only whole-second mtime and size.
    pub check_stat: bool,
    /// Compare nanoseconds too (git's `USE_NSEC` build option, off by default).
    pub check_nanoseconds: bool,
    /// Compare device numbers too (git's `USE_STDEV` build option, off by default).
    pub check_device: bool,
    /// `core.fileMode`: a change of the owner's execute bit is a change (default `true`).
    pub trust_executable_bit: bool,
    /// `core.symlinks`: the worktree supports symbolic links (default `true`); if not, a
    /// symlink entry checked out as a regular file is not a type change.
    pub has_symlinks: bool,
    /// Look at the worktree even for assume-valid entries (`CE_MATCH_IGNORE_VALID`).
    pub ignore_assume_valid: bool,
    /// Look at the worktree even for skip-worktree entries (`CE_MATCH_IGNORE_SKIP_WORKTREE`).
    pub ignore_skip_worktree: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            trust_ctime: true,
            check_stat: true,
            check_nanoseconds: false,
            check_device: false,
            trust_executable_bit: true,
            has_symlinks: true,
            ignore_assume_valid: false,
            ignore_skip_worktree: false,
        }
    }
}

/// A set of reasons an entry differs from its file, named after git's `*_CHANGED` bits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Changes(u8);

impl Changes {
    /// The mtime differs (`MTIME_CHANGED`).
    pub const MTIME: Changes = Changes(1);
    /// The ctime differs (`CTIME_CHANGED`).
    pub const CTIME: Changes = Changes(1 << 1);
    /// The uid or gid differs (`OWNER_CHANGED`).
    pub const OWNER: Changes = Changes(1 << 2);
    /// The inode (or device) differs (`INODE_CHANGED`).
    pub const INODE: Changes = Changes(1 << 3);
    /// The size differs, or the recorded size is 0 for a non-empty blob (`DATA_CHANGED`).
    pub const DATA: Changes = Changes(1 << 4);
    /// The owner's execute bit differs (`MODE_CHANGED`).
    pub const MODE: Changes = Changes(1 << 5);
    /// The file type differs (`TYPE_CHANGED`).
    pub const TYPE: Changes = Changes(1 << 6);
    /// Not a stat difference: the stat data matches but the entry is racily clean.
    pub const RACY: Changes = Changes(1 << 7);

    /// No reason at all.
    pub fn empty() -> Self {
        Changes(0)
    }

    /// Whether no reason is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every reason in `other` is set.
    pub fn contains(self, other: Changes) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any reason in `other` is set.
    pub fn intersects(self, other: Changes) -> bool {
        self.0 & other.0 != 0
    }
}

impl std::ops::BitOr for Changes {
    type Output = Changes;
    fn bitor(self, rhs: Changes) -> Changes {
        Changes(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for Changes {
    fn bitor_assign(&mut self, rhs: Changes) {
        self.0 |= rhs.0;
    }
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const NAMES: [&str; 8] = [
            "MTIME", "CTIME", "OWNER", "INODE", "DATA", "MODE", "TYPE", "RACY",
        ];
        let mut list = f.debug_set();
        for (bit, name) in NAMES.iter().enumerate() {
            if self.0 & (1 << bit) != 0 {
                list.entry(&format_args!("{name}"));
            }
        }
        list.finish()
    }
}

/// What the stat data says about an entry's file.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Outcome {
    /// The file is unchanged as far as stat data can tell (or the entry's flags say to trust it):
    /// there is no need to read it.
    Unchanged,
    /// The file certainly differs from the entry: its type or executable bit changed, its size
    /// differs from a recorded non-zero size, or the entry is intent-to-add.
    Modified(Changes),
    /// Stat data cannot decide: hash the file (for a gitlink, resolve the submodule's `HEAD`) and
    /// compare with the entry's object id. The changes say why: stat fields that differ, or
    /// [`Changes::RACY`]; for a gitlink they may be empty.
    CheckContent(Changes),
}

impl Outcome {
    /// Whether the file may differ from the entry (anything but [`Outcome::Unchanged`]).
    pub fn is_possibly_changed(&self) -> bool {
        !matches!(self, Outcome::Unchanged)
    }
}

/// Compare `entry` with the `lstat(2)` result of its file, as git does before deciding whether to
/// read the file.
///
/// * `index_mtime` is the modification time of the index file the entry was read from, or `None`
///   for an index that was not read from a file (then no entry is racily clean).
///
/// ### Relation to git
///
/// This is `ie_match_stat` followed by the part of `ie_modified` that decides whether the content
/// must be compared (`ce_modified_check_fs`). fsmonitor is not consulted.
pub fn compare(
    entry: &Entry,
    file: &Metadata,
    index_mtime: Option<Time>,
    options: &Options,
) -> Outcome {
    if !options.ignore_skip_worktree && entry.flags.skip_worktree {
        return Outcome::Unchanged;
    }
    if !options.ignore_assume_valid && entry.flags.assume_valid {
        return Outcome::Unchanged;
    }
    if entry.flags.intent_to_add {
        return Outcome::Modified(Changes::DATA | Changes::TYPE | Changes::MODE);
    }

    let mut changes = Changes::empty();
    match entry.mode {
        Mode::File | Mode::FileExecutable => match file.file_type {
            FileType::File { executable } => {
                let entry_executable = entry.mode == Mode::FileExecutable;
                if options.trust_executable_bit && executable != entry_executable {
                    changes |= Changes::MODE;
                }
            }
            _ => changes |= Changes::TYPE,
        },
        Mode::Symlink => {
            let is_link = file.file_type == FileType::Symlink;
            let is_file = matches!(file.file_type, FileType::File { .. });
            if !is_link && (options.has_symlinks || !is_file) {
                changes |= Changes::TYPE;
            }
        }
        Mode::Gitlink => {
            // Git ignores the stat fields of gitlinks and compares the submodule's HEAD instead.
            return if file.file_type == FileType::Directory {
                Outcome::CheckContent(Changes::empty())
            } else {
                Outcome::Modified(Changes::TYPE)
            };
        }
    }
    changes |= compare_stat_data(&entry.stat, &file.stat, options);
    if entry.stat.size == 0 && entry.object_id != empty_blob_id() {
        changes |= Changes::DATA;
    }

    if changes.is_empty() {
        return match index_mtime {
            Some(index_mtime) if is_racily_clean(entry, index_mtime, options) => {
                Outcome::CheckContent(Changes::RACY)
            }
            _ => Outcome::Unchanged,
        };
    }
    if changes.intersects(Changes::MODE | Changes::TYPE) {
        return Outcome::Modified(changes);
    }
    if changes.contains(Changes::DATA) && entry.stat.size != 0 {
        return Outcome::Modified(changes);
    }
    Outcome::CheckContent(changes)
}

/// Compare recorded stat data with a new `lstat(2)` result, field by field (`match_stat_data`).
pub fn compare_stat_data(recorded: &StatData, current: &StatData, options: &Options) -> Changes {
    let mut changes = Changes::empty();
    if recorded.mtime.secs != current.mtime.secs {
        changes |= Changes::MTIME;
    }
    if options.trust_ctime && options.check_stat && recorded.ctime.secs != current.ctime.secs {
        changes |= Changes::CTIME;
    }
    if options.check_nanoseconds {
        if options.check_stat && recorded.mtime.nsecs != current.mtime.nsecs {
            changes |= Changes::MTIME;
        }
        if options.trust_ctime && options.check_stat && recorded.ctime.nsecs != current.ctime.nsecs
        {
            changes |= Changes::CTIME;
        }
    }
    if options.check_stat {
        if recorded.uid != current.uid || recorded.gid != current.gid {
            changes |= Changes::OWNER;
        }
        if recorded.ino != current.ino {
            changes |= Changes::INODE;
        }
        if options.check_device && recorded.dev != current.dev {
            changes |= Changes::INODE;
        }
    }
    if recorded.size != current.size {
        changes |= Changes::DATA;
    }
    changes
}

/// Whether `entry` is racily clean: its recorded mtime is not older than `index_mtime`, the
/// modification time of the index file it was read from (`is_racy_timestamp`).
///
/// Gitlinks are never racy, and an index mtime of 0 seconds means "unknown".
pub fn is_racily_clean(entry: &Entry, index_mtime: Time, options: &Options) -> bool {
    if entry.mode == Mode::Gitlink || index_mtime.secs == 0 {
        return false;
    }
    let mtime = entry.stat.mtime;
    if options.check_nanoseconds {
        index_mtime.secs < mtime.secs
            || (index_mtime.secs == mtime.secs && index_mtime.nsecs <= mtime.nsecs)
    } else {
        index_mtime.secs <= mtime.secs
    }
}

fn empty_blob_id() -> tabgit_hash::ObjectId {
    const EMPTY_BLOB: [u8; 20] = [
        0xe6, 0x9d, 0xe2, 0x9b, 0xb2, 0xd1, 0xd6, 0x43, 0x4b, 0x8b, 0x29, 0xae, 0x77, 0x5a, 0xd8,
        0xc2, 0xe4, 0x8c, 0x53, 0x91,
    ];
    tabgit_hash::ObjectId::from_bytes(EMPTY_BLOB)
}
