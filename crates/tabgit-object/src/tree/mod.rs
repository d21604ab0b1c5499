//! Trees: sorted lists of `<mode> SP <name> NUL <20-byte id>` entries (git's `tree.c`,
//! `tree-walk.c` `decode_tree_entry`).
//!
//! Parsing accepts what git's parser accepts. Whether a tree is safe to check out (no `..`, no
//! `.git`, sorted, no duplicates) is a separate question answered by [`check`].

use std::cmp::Ordering;

use crate::ObjectId;

/// The reasons a tree could not be parsed.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The tree ends in the middle of an entry.
    #[error("tree is truncated in the entry at byte {offset}")]
    Truncated {
        /// Offset of the incomplete entry.
        offset: usize,
    },
    /// The mode is empty, not octal, or too long.
    #[error("tree entry at byte {offset} has a malformed mode")]
    BadMode {
        /// Offset of the entry.
        offset: usize,
    },
    /// The entry name is empty.
    #[error("tree entry at byte {offset} has an empty name")]
    EmptyName {
        /// Offset of the entry.
        offset: usize,
    },
}

/// What an entry's mode says the entry is.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum EntryKind {
    /// A subdirectory (`40000`).
    Tree,
    /// A regular file (`100644`, and legacy non-executable modes such as `100664`).
    Blob,
    /// An executable file (`100755`).
    BlobExecutable,
    /// A symbolic link whose blob holds the target (`120000`).
    Link,
    /// A gitlink: a submodule's commit (`160000`).
    Commit,
}

/// A tree entry's mode, keeping the exact digits it was written with so that trees re-serialize
/// to the same bytes (git's fsck only warns about zero-padded `040000`, see `RELIABILITY.md` row 11).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntryMode {
    value: u32,
    raw: [u8; 7],
    raw_len: u8,
}

impl EntryMode {
    /// A directory, as git writes it.
    pub const TREE: EntryMode = EntryMode::canonical(0o40000);
    /// A regular file.
    pub const BLOB: EntryMode = EntryMode::canonical(0o100644);
    /// An executable file.
    pub const BLOB_EXECUTABLE: EntryMode = EntryMode::canonical(0o100755);
    /// A symbolic link.
    pub const LINK: EntryMode = EntryMode::canonical(0o120000);
    /// A gitlink (submodule commit).
    pub const COMMIT: EntryMode = EntryMode::canonical(0o160000);

    /// The mode git writes for `value`: octal digits without leading zeros.
    pub const fn canonical(value: u32) -> Self {
        let mut digits = [0u8; 7];
        let mut len = 0usize;
        let mut v = value;
        // Count digits first.
        let mut tmp = value;
        loop {
            len += 1;
            tmp /= 8;
            if tmp == 0 || len == 7 {
                break;
            }
        }
        let mut idx = len;
        while idx > 0 {
            idx -= 1;
            digits[idx] = b'0' + (v % 8) as u8;
            v /= 8;
        }
        EntryMode {
            value,
            raw: digits,
            raw_len: len as u8,
        }
    }

    /// Parse octal mode digits as they appear in a tree (1 to 7 digits).
    pub fn from_bytes(digits: &[u8]) -> Option<Self> {
        if digits.is_empty() || digits.len() > 7 {
            return None;
        }
        let mut value = 0u32;
        let mut raw = [0u8; 7];
        for (idx, &d) in digits.iter().enumerate() {
            if !(b'0'..=b'7').contains(&d) {
                return None;
            }
            value = value * 8 + u32::from(d - b'0');
            raw[idx] = d;
        }
        Some(EntryMode {
            value,
            raw,
            raw_len: digits.len() as u8,
        })
    }

    /// The numeric mode.
    pub fn value(&self) -> u32 {
        self.value
    }

    /// The digits exactly as stored.
    pub fn as_bytes(&self) -> &[u8] {
        &self.raw[..usize::from(self.raw_len)]
    }

    /// What kind of entry this is, as git's `object_type(mode)` decides: by the file-type bits.
    pub fn kind(&self) -> EntryKind {
        match self.value & 0o170000 {
            0o040000 => EntryKind::Tree,
            0o120000 => EntryKind::Link,
            0o160000 => EntryKind::Commit,
            _ if self.value & 0o100 != 0 => EntryKind::BlobExecutable,
            _ => EntryKind::Blob,
        }
    }

    /// Whether the entry is a subdirectory.
    pub fn is_tree(&self) -> bool {
        self.kind() == EntryKind::Tree
    }

    /// Whether the entry names a blob (file or symlink).
    pub fn is_blob_like(&self) -> bool {
        matches!(
            self.kind(),
            EntryKind::Blob | EntryKind::BlobExecutable | EntryKind::Link
        )
    }

    /// Whether the entry is a gitlink (submodule).
    pub fn is_commit(&self) -> bool {
        self.kind() == EntryKind::Commit
    }
}

impl std::fmt::Debug for EntryMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EntryMode({})", String::from_utf8_lossy(self.as_bytes()))
    }
}

impl std::fmt::Display for EntryMode {
    /// Formats the mode as `git ls-tree` prints it: six digits, zero-padded.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:06o}", self.value)
    }
}

/// One entry of a parsed tree, borrowing the tree's bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct EntryRef<'a> {
    /// The mode, with its raw digits.
    pub mode: EntryMode,
    /// The entry's name (one path component; any bytes but NUL).
    pub filename: &'a [u8],
    /// The id of the blob, tree or commit the entry names.
    pub oid: ObjectId,
}

/// An allocation-free iterator over the entries of a tree's bytes.
#[derive(Clone)]
pub struct TreeRefIter<'a> {
    data: &'a [u8],
    offset: usize,
}

impl<'a> TreeRefIter<'a> {
    /// Iterate over the entries of `data`.
    pub fn from_bytes(data: &'a [u8]) -> Self {
        TreeRefIter { data, offset: 0 }
    }
}

impl<'a> Iterator for TreeRefIter<'a> {
    type Item = Result<EntryRef<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.offset >= self.data.len() {
            return None;
        }
        let start = self.offset;
        let rest = &self.data[start..];
        let res = (|| {
            let space = rest
                .iter()
                .position(|&b| b == b' ')
                .ok_or(Error::Truncated { offset: start })?;
            let mode =
                EntryMode::from_bytes(&rest[..space]).ok_or(Error::BadMode { offset: start })?;
            let after_mode = &rest[space + 1..];
            let nul = after_mode
                .iter()
                .position(|&b| b == 0)
                .ok_or(Error::Truncated { offset: start })?;
            if nul == 0 {
                return Err(Error::EmptyName { offset: start });
            }
            let filename = &after_mode[..nul];
            let id_bytes = after_mode
                .get(nul + 1..nul + 21)
                .ok_or(Error::Truncated { offset: start })?;
            let oid = ObjectId::from_slice(id_bytes).expect("slice of exactly 20 bytes");
            Ok((
                EntryRef {
                    mode,
                    filename,
                    oid,
                },
                space + 1 + nul + 21,
            ))
        })();
        match res {
            Ok((entry, len)) => {
                self.offset += len;
                Some(Ok(entry))
            }
            Err(err) => {
                self.offset = self.data.len();
                Some(Err(err))
            }
        }
    }
}

/// A parsed tree borrowing its bytes.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct TreeRef<'a> {
    /// The entries in stored order.
    pub entries: Vec<EntryRef<'a>>,
}

impl<'a> TreeRef<'a> {
    /// Parse all entries of a tree.
    pub fn from_bytes(data: &'a [u8]) -> Result<Self, Error> {
        Ok(TreeRef {
            entries: TreeRefIter::from_bytes(data).collect::<Result<_, _>>()?,
        })
    }

    /// An owned copy.
    pub fn to_owned(&self) -> Tree {
        Tree {
            entries: self
                .entries
                .iter()
                .map(|e| Entry {
                    mode: e.mode,
                    filename: e.filename.to_vec(),
                    oid: e.oid,
                })
                .collect(),
        }
    }
}

/// One entry of an owned tree.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Entry {
    /// The mode, with its raw digits.
    pub mode: EntryMode,
    /// The entry's name.
    pub filename: Vec<u8>,
    /// The id of the blob, tree or commit the entry names.
    pub oid: ObjectId,
}

/// An owned, editable tree.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Tree {
    /// The entries; call [`Tree::sort`] after editing so they are in git's order.
    pub entries: Vec<Entry>,
}

impl Tree {
    /// Put the entries into git's tree order (names compared bytewise, with directories
    /// compared as if their name ended in `/`).
    pub fn sort(&mut self) {
        self.entries.sort_by(|a, b| {
            compare_entries(&a.filename, a.mode.is_tree(), &b.filename, b.mode.is_tree())
        });
    }

    /// Serialize in git's format.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        for entry in &self.entries {
            out.extend_from_slice(entry.mode.as_bytes());
            out.push(b' ');
            out.extend_from_slice(&entry.filename);
            out.push(0);
            out.extend_from_slice(entry.oid.as_bytes());
        }
    }

    /// The serialized bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out);
        out
    }
}

/// Compare two entry names in git's tree order (`tree.c` `base_name_compare`): bytewise, where a
/// directory's name is compared as if it ended in `/`.
pub fn compare_entries(a: &[u8], a_is_tree: bool, b: &[u8], b_is_tree: bool) -> Ordering {
    let common = a.len().min(b.len());
    match a[..common].cmp(&b[..common]) {
        Ordering::Equal => {}
        other => return other,
    }
    let next_a = a
        .get(common)
        .copied()
        .or(if a_is_tree { Some(b'/') } else { None });
    let next_b = b
        .get(common)
        .copied()
        .or(if b_is_tree { Some(b'/') } else { None });
    next_a.cmp(&next_b)
}

pub mod check;
