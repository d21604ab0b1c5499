//! Decoding index files of versions 2, 3 and 4 (`gitformat-index`; git's `read-cache.c`
//! `do_read_index` and `create_from_disk`):
//!
//! ```text
//! index     = header entry* extension* checksum
//! header    = "DIRC" version (32-bit: 2, 3 or 4) n-entries (32-bit)
//! entry     = ctime-s ctime-ns mtime-s mtime-ns dev ino mode uid gid size (each 32-bit)
//!             object-id (20 bytes) flags (16-bit) [extended-flags (16-bit, version 3+)]
//!             name
//! flags     = assume-valid (1 bit) extended (1 bit) stage (2 bits) name-length (12 bits,
//!             0xFFF if the path is 0xFFF bytes or longer)
//! extended-flags = reserved (1 bit) skip-worktree (1 bit) intent-to-add (1 bit) unused (13 bits)
//! name (v2, v3) = path NUL-padding: 1 to 8 NULs, so the entry's length is a multiple of 8
//! name (v4)     = varint(bytes to strip from the previous path) suffix NUL
//! extension = signature (4 bytes) size (32-bit) data
//! checksum  = SHA-1 of everything before it (all zero with `index.skipHash`)
//! ```
//!
//! All numbers are in network byte order. The decoder is stricter than git where git trusts its
//! own writer: it checks the name length against the path, the padding bytes, the modes, the
//! entry order (by path, then stage, no duplicates, never a merged entry next to conflict
//! stages), and that nothing but extensions follows the entries. It never allocates more than
//! the input's size justifies, whatever the header claims. A malformed `TREE` or `REUC` extension
//! is an error too, where git silently drops a cache tree it cannot parse.
//!
//! Entries are read first but checked only after the extensions, so that an index using a
//! required extension this crate does not support (whose entries may have empty paths or
//! directory modes) is reported by naming that extension.

use tabgit_hash::{Hasher, ObjectId};

use crate::entry::{Entry, Flags, Mode, Stage};
use crate::extension::{self, cache_tree, display_signature, resolve_undo, CacheTree, ResolveUndo};
use crate::stat::{StatData, Time};
use crate::state::{lossy, State};
use crate::Version;

/// The reasons an index file could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The file cannot even hold a header and a checksum.
    #[error("index file of {len} bytes is too short: the header and checksum alone take 32 bytes")]
    TooShort {
        /// The file's length.
        len: usize,
    },
    /// The file does not start with `DIRC`.
    #[error("index file starts with {:?} instead of \"DIRC\"; it is not a git index", String::from_utf8_lossy(.found))]
    BadSignature {
        /// The first four bytes.
        found: [u8; 4],
    },
    /// The version is not 2, 3 or 4.
    #[error("index version {version} is not supported (2, 3 and 4 are); run `git update-index --index-version 2` to convert it")]
    UnsupportedVersion {
        /// The version in the header.
        version: u32,
    },
    /// The trailing SHA-1 does not match the contents.
    #[error("index checksum {expected} does not match the contents (SHA-1 {actual}); the file is corrupt or was cut short")]
    ChecksumMismatch {
        /// The checksum stored in the file.
        expected: ObjectId,
        /// The SHA-1 of the contents.
        actual: ObjectId,
    },
    /// The file ends inside an entry.
    #[error("index entry {entry_idx} at byte {offset} is truncated (the header announces {n_entries} entries)")]
    TruncatedEntry {
        /// Zero-based number of the entry.
        entry_idx: usize,
        /// Offset of the entry in the file.
        offset: usize,
        /// The number of entries the header announces.
        n_entries: u32,
    },
    /// A version 2 entry sets the extended flag.
    #[error("index entry {entry_idx} at byte {offset} sets the extended flag, which version 2 does not allow")]
    ExtendedFlagInV2 {
        /// Zero-based number of the entry.
        entry_idx: usize,
        /// Offset of the entry in the file.
        offset: usize,
    },
    /// The name length in the flags disagrees with the path, or a path contains NUL.
    #[error("index entry {entry_idx} at byte {offset} declares a path of {declared} bytes but has {actual}")]
    PathLengthMismatch {
        /// Zero-based number of the entry.
        entry_idx: usize,
        /// Offset of the entry in the file.
        offset: usize,
        /// The name length field (`0xFFF` means "at least 4095").
        declared: usize,
        /// The length of the path actually found.
        actual: usize,
    },
    /// A version 4 entry strips more of the previous path than there is, or has a malformed
    /// varint.
    #[error("index entry {entry_idx} at byte {offset} has a malformed path prefix (strips {strip} bytes of a {previous_len}-byte path)")]
    BadPathPrefix {
        /// Zero-based number of the entry.
        entry_idx: usize,
        /// Offset of the entry in the file.
        offset: usize,
        /// The number of bytes to strip, saturated at `u64::MAX` if the varint overflows.
        strip: u64,
        /// The length of the previous entry's path.
        previous_len: usize,
    },
    /// An entry has an empty path.
    #[error("index entry {entry_idx} at byte {offset} has an empty path")]
    EmptyPath {
        /// Zero-based number of the entry.
        entry_idx: usize,
        /// Offset of the entry in the file.
        offset: usize,
    },
    /// The bytes between a version 2 or 3 path and the next entry are not all NUL.
    #[error("index entry {path:?} is not padded with NUL bytes")]
    BadPadding {
        /// The entry's path, lossily decoded.
        path: String,
    },
    /// The mode is not one of `100644`, `100755`, `120000` and `160000`.
    #[error(
        "index entry {path:?} has mode {mode:o}; only 100644, 100755, 120000 and 160000 are valid"
    )]
    InvalidMode {
        /// The entry's path, lossily decoded.
        path: String,
        /// The mode found.
        mode: u32,
    },
    /// Extended flag bits other than skip-worktree and intent-to-add are set.
    #[error("index entry {path:?} sets unknown extended flags {flags:#06x}; a newer git may have written it")]
    UnknownExtendedFlags {
        /// The entry's path, lossily decoded.
        path: String,
        /// The extended flags found.
        flags: u16,
    },
    /// An entry does not sort after the one before it.
    #[error("index entries are out of order: {path:?} (stage {stage}) follows {previous:?} (stage {previous_stage})")]
    Unsorted {
        /// The path of the out-of-order entry, lossily decoded.
        path: String,
        /// Its stage.
        stage: u8,
        /// The path of the entry before it, lossily decoded.
        previous: String,
        /// That entry's stage.
        previous_stage: u8,
    },
    /// Two entries have the same path and stage.
    #[error("index has two entries for {path:?} at stage {stage}")]
    Duplicate {
        /// The path, lossily decoded.
        path: String,
        /// The stage.
        stage: u8,
    },
    /// A path has a merged entry and conflict stages.
    #[error("index has both a merged entry and conflict stages for {path:?}")]
    MergedAndConflicted {
        /// The path, lossily decoded.
        path: String,
    },
    /// The file ends inside an extension.
    #[error("index extension {} at byte {offset} is truncated", display_signature(*.signature))]
    TruncatedExtension {
        /// The extension's signature.
        signature: extension::Signature,
        /// Offset of the extension in the file.
        offset: usize,
    },
    /// Fewer bytes than an extension header remain before the checksum.
    #[error("index has {len} stray bytes at byte {offset} before its checksum")]
    TrailingBytes {
        /// Offset of the stray bytes.
        offset: usize,
        /// Their number.
        len: usize,
    },
    /// The index needs an extension this crate does not understand.
    #[error("index requires the {} extension, which tabgit does not support{}", display_signature(*.signature), unsupported_hint(*.signature))]
    UnsupportedExtension {
        /// The extension's signature.
        signature: extension::Signature,
    },
    /// `TREE` or `REUC` appears twice.
    #[error("index has more than one {} extension", display_signature(*.signature))]
    DuplicateExtension {
        /// The extension's signature.
        signature: extension::Signature,
    },
    /// The `TREE` extension is malformed.
    #[error("index has a malformed cache tree (TREE extension)")]
    CacheTree(#[from] cache_tree::Error),
    /// The `REUC` extension is malformed.
    #[error("index has a malformed resolve-undo extension (REUC)")]
    ResolveUndo(#[from] resolve_undo::Error),
}

const SIGNATURE: &[u8; 4] = b"DIRC";
const HEADER_LEN: usize = 12;
/// The fixed part of an entry: ten 32-bit stat fields, the object id and the 16-bit flags.
const FIXED_LEN: usize = 40 + tabgit_hash::LEN + 2;
const NAME_MASK: u16 = 0x0fff;
const ASSUME_VALID: u16 = 0x8000;
const EXTENDED: u16 = 0x4000;
const SKIP_WORKTREE: u16 = 0x4000;
const INTENT_TO_ADD: u16 = 0x2000;

/// Lifecycle
impl State {
    /// Decode an index file, verifying its checksum, its entries' order and its extensions.
    ///
    /// ### Relation to git
    ///
    /// Like git since 2.40, an all-zero checksum (written with `index.skipHash`) is not verified;
    /// [`State::checksum`] is then `None`.
    pub fn from_bytes(data: &[u8]) -> Result<State, Error> {
        if data.len() < HEADER_LEN + tabgit_hash::LEN {
            return Err(Error::TooShort { len: data.len() });
        }
        let found: [u8; 4] = data[..4].try_into().expect("4 bytes");
        if &found != SIGNATURE {
            return Err(Error::BadSignature { found });
        }
        let version_number = be32(data, 4);
        let version = Version::from_number(version_number).ok_or(Error::UnsupportedVersion {
            version: version_number,
        })?;
        let n_entries = be32(data, 8);

        let (body, trailer) = data.split_at(data.len() - tabgit_hash::LEN);
        let expected = ObjectId::from_slice(trailer).expect("20 bytes");
        let checksum = if expected.is_null() {
            None
        } else {
            let mut hasher = Hasher::checksum();
            hasher.update(body);
            let actual = hasher.finalize();
            if actual != expected {
                return Err(Error::ChecksumMismatch { expected, actual });
            }
            Some(expected)
        };

        // Entries are checked only after the extensions: a split or sparse index has entries
        // (empty paths, directory modes) that only its required extension explains, and the
        // error that helps is the one naming that extension.
        let mut offset = HEADER_LEN;
        let most_entries_that_fit = (body.len() - HEADER_LEN) / FIXED_LEN;
        let mut raw_entries: Vec<RawEntry> =
            Vec::with_capacity((n_entries as usize).min(most_entries_that_fit));
        for entry_idx in 0..n_entries as usize {
            let previous_path = raw_entries
                .last()
                .map_or(&[][..], |raw| raw.path.as_slice());
            let raw = decode_entry(
                body,
                &mut offset,
                version,
                entry_idx,
                n_entries,
                previous_path,
            )?;
            raw_entries.push(raw);
        }

        let mut state = State {
            version,
            checksum,
            ..State::default()
        };
        decode_extensions(body, offset, &mut state)?;

        let mut entries: Vec<Entry> = Vec::with_capacity(raw_entries.len());
        for raw in raw_entries {
            let entry = raw.into_entry()?;
            check_order(entries.last(), &entry)?;
            entries.push(entry);
        }
        state.entries = entries;
        Ok(state)
    }
}

/// An entry as laid out in the file, before its fields are checked.
struct RawEntry {
    entry_idx: usize,
    offset: usize,
    stat: StatData,
    object_id: ObjectId,
    mode_bits: u32,
    flags: u16,
    extended_flags: u16,
    path: Vec<u8>,
    /// A problem found while reading the entry that does not prevent reading the next one.
    problem: Option<Error>,
}

impl RawEntry {
    fn into_entry(self) -> Result<Entry, Error> {
        if let Some(problem) = self.problem {
            return Err(problem);
        }
        if self.path.is_empty() {
            return Err(Error::EmptyPath {
                entry_idx: self.entry_idx,
                offset: self.offset,
            });
        }
        let mode = Mode::from_bits(self.mode_bits).ok_or_else(|| Error::InvalidMode {
            path: lossy(&self.path),
            mode: self.mode_bits,
        })?;
        if self.extended_flags & !(SKIP_WORKTREE | INTENT_TO_ADD) != 0 {
            return Err(Error::UnknownExtendedFlags {
                path: lossy(&self.path),
                flags: self.extended_flags,
            });
        }
        Ok(Entry {
            stat: self.stat,
            object_id: self.object_id,
            mode,
            stage: Stage::from_number(((self.flags >> 12) & 3) as u8).expect("two bits"),
            flags: Flags {
                assume_valid: self.flags & ASSUME_VALID != 0,
                skip_worktree: self.extended_flags & SKIP_WORKTREE != 0,
                intent_to_add: self.extended_flags & INTENT_TO_ADD != 0,
            },
            path: self.path,
        })
    }
}

/// Read the entry at `*offset` and advance past it. Only problems that make the entry's extent
/// unknown are errors here; the others are kept in [`RawEntry::problem`].
fn decode_entry(
    body: &[u8],
    offset: &mut usize,
    version: Version,
    entry_idx: usize,
    n_entries: u32,
    previous_path: &[u8],
) -> Result<RawEntry, Error> {
    let start = *offset;
    let truncated = Error::TruncatedEntry {
        entry_idx,
        offset: start,
        n_entries,
    };
    let fixed = body
        .get(start..start + FIXED_LEN)
        .ok_or(truncated.clone())?;
    let stat = StatData {
        ctime: Time {
            secs: be32(fixed, 0),
            nsecs: be32(fixed, 4),
        },
        mtime: Time {
            secs: be32(fixed, 8),
            nsecs: be32(fixed, 12),
        },
        dev: be32(fixed, 16),
        ino: be32(fixed, 20),
        uid: be32(fixed, 28),
        gid: be32(fixed, 32),
        size: be32(fixed, 36),
    };
    let mode_bits = be32(fixed, 24);
    let object_id = ObjectId::from_slice(&fixed[40..60]).expect("20 bytes");
    let flags = be16(fixed, 60);
    let mut pos = start + FIXED_LEN;
    let mut problem = None;

    // Like git, read the extended flags whenever the bit is set; version 2 must not set it.
    let extended_flags = if flags & EXTENDED == 0 {
        0
    } else {
        if version == Version::V2 {
            problem = Some(Error::ExtendedFlagInV2 {
                entry_idx,
                offset: start,
            });
        }
        let bytes = body.get(pos..pos + 2).ok_or(truncated.clone())?;
        pos += 2;
        be16(bytes, 0)
    };

    let declared = usize::from(flags & NAME_MASK);
    let path_length_mismatch = |actual| Error::PathLengthMismatch {
        entry_idx,
        offset: start,
        declared,
        actual,
    };
    let path = if version == Version::V4 {
        let strip = decode_varint(body, &mut pos).map_err(|err| match err {
            VarintError::Truncated => truncated.clone(),
            VarintError::Overflow => Error::BadPathPrefix {
                entry_idx,
                offset: start,
                strip: u64::MAX,
                previous_len: previous_path.len(),
            },
        })?;
        let keep = usize::try_from(strip)
            .ok()
            .and_then(|strip| previous_path.len().checked_sub(strip))
            .ok_or(Error::BadPathPrefix {
                entry_idx,
                offset: start,
                strip,
                previous_len: previous_path.len(),
            })?;
        let rest = body.get(pos..).ok_or(truncated.clone())?;
        let nul = rest.iter().position(|&b| b == 0).ok_or(truncated.clone())?;
        let mut path = Vec::with_capacity(keep + nul);
        path.extend_from_slice(&previous_path[..keep]);
        path.extend_from_slice(&rest[..nul]);
        pos += nul + 1;
        let length_ok = if declared < usize::from(NAME_MASK) {
            path.len() == declared
        } else {
            path.len() >= declared
        };
        if !length_ok {
            problem = problem.or(Some(path_length_mismatch(path.len())));
        }
        path
    } else {
        let rest = body.get(pos..).ok_or(truncated.clone())?;
        let path_len = if declared < usize::from(NAME_MASK) {
            let path = rest.get(..declared).ok_or(truncated.clone())?;
            if let Some(nul) = path.iter().position(|&b| b == 0) {
                problem = problem.or(Some(path_length_mismatch(nul)));
            }
            declared
        } else {
            let nul = rest.iter().position(|&b| b == 0).ok_or(truncated.clone())?;
            if nul < declared {
                problem = problem.or(Some(path_length_mismatch(nul)));
            }
            nul
        };
        let path = rest[..path_len].to_vec();
        let fixed_len = pos - start;
        let entry_len = (fixed_len + path_len + 8) & !7;
        let padding = body
            .get(pos + path_len..start + entry_len)
            .ok_or(truncated.clone())?;
        if padding.iter().any(|&b| b != 0) {
            problem = problem.or(Some(Error::BadPadding { path: lossy(&path) }));
        }
        pos = start + entry_len;
        path
    };
    *offset = pos;
    Ok(RawEntry {
        entry_idx,
        offset: start,
        stat,
        object_id,
        mode_bits,
        flags,
        extended_flags,
        path,
        problem,
    })
}

fn check_order(previous: Option<&Entry>, entry: &Entry) -> Result<(), Error> {
    let Some(previous) = previous else {
        return Ok(());
    };
    let unsorted = || Error::Unsorted {
        path: lossy(&entry.path),
        stage: entry.stage.number(),
        previous: lossy(&previous.path),
        previous_stage: previous.stage.number(),
    };
    match previous.path.cmp(&entry.path) {
        std::cmp::Ordering::Less => Ok(()),
        std::cmp::Ordering::Greater => Err(unsorted()),
        std::cmp::Ordering::Equal => {
            if previous.stage == entry.stage {
                Err(Error::Duplicate {
                    path: lossy(&entry.path),
                    stage: entry.stage.number(),
                })
            } else if previous.stage == Stage::Merged || entry.stage == Stage::Merged {
                Err(Error::MergedAndConflicted {
                    path: lossy(&entry.path),
                })
            } else if previous.stage > entry.stage {
                Err(unsorted())
            } else {
                Ok(())
            }
        }
    }
}

fn decode_extensions(body: &[u8], mut offset: usize, state: &mut State) -> Result<(), Error> {
    while offset < body.len() {
        let remaining = body.len() - offset;
        if remaining < 8 {
            return Err(Error::TrailingBytes {
                offset,
                len: remaining,
            });
        }
        let signature: extension::Signature = body[offset..offset + 4].try_into().expect("4 bytes");
        let size = be32(body, offset + 4) as usize;
        let data = (offset + 8)
            .checked_add(size)
            .and_then(|end| body.get(offset + 8..end))
            .ok_or(Error::TruncatedExtension { signature, offset })?;
        match signature {
            extension::TREE => {
                if state.cache_tree.is_some() {
                    return Err(Error::DuplicateExtension { signature });
                }
                state.cache_tree = Some(CacheTree::from_bytes(data)?);
            }
            extension::RESOLVE_UNDO => {
                if state.resolve_undo.is_some() {
                    return Err(Error::DuplicateExtension { signature });
                }
                state.resolve_undo = Some(ResolveUndo::from_bytes(data)?);
            }
            _ if extension::is_optional(signature) => state.raw_extensions.push(extension::Raw {
                signature,
                data: data.to_vec(),
            }),
            _ => return Err(Error::UnsupportedExtension { signature }),
        }
        offset += 8 + size;
    }
    Ok(())
}

/// How to make git rewrite an index without a required extension we do not support.
fn unsupported_hint(signature: extension::Signature) -> &'static str {
    match signature {
        extension::LINK => {
            " (the index is split); run `git update-index --no-split-index` to merge it"
        }
        extension::SPARSE_DIRECTORIES => {
            " (the index is sparse); run `git sparse-checkout set --no-sparse-index` to expand it"
        }
        _ => "",
    }
}

enum VarintError {
    Truncated,
    Overflow,
}

/// Decode git's offset varint (`varint.c` `decode_varint`): 7 bits per byte, most significant
/// first, each continuation adding one so that every value has exactly one encoding.
fn decode_varint(data: &[u8], pos: &mut usize) -> Result<u64, VarintError> {
    let mut byte = *data.get(*pos).ok_or(VarintError::Truncated)?;
    *pos += 1;
    let mut value = u64::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        value = value.checked_add(1).ok_or(VarintError::Overflow)?;
        if value >> (64 - 7) != 0 {
            return Err(VarintError::Overflow);
        }
        byte = *data.get(*pos).ok_or(VarintError::Truncated)?;
        *pos += 1;
        value = (value << 7) + u64::from(byte & 0x7f);
    }
    Ok(value)
}

fn be32(data: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(
        data[at..at + 4]
            .try_into()
            .expect("caller checked the length"),
    )
}

fn be16(data: &[u8], at: usize) -> u16 {
    u16::from_be_bytes(
        data[at..at + 2]
            .try_into()
            .expect("caller checked the length"),
    )
}
