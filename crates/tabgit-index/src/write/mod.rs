//! Encoding an index file (`gitformat-index`; git's `read-cache.c` `do_write_index` and
//! `ce_write_entry`), in the format the [`crate::decode`] module documents.
//!
//! ### Versions
//!
//! Like git, asking for version 2 or 3 writes version 3 exactly when some entry has
//! skip-worktree or intent-to-add set, and version 2 otherwise; only those entries carry the
//! extended flags. Version 4 is written as asked, with each path stored as a suffix of the
//! previous one and no padding.
//!
//! ### Extensions
//!
//! `TREE` is written if the state still has a cache tree (it is dropped when entries change) and
//! `REUC` if the state has resolve-undo records. With
//! [`Options::keep_raw_extensions`], the optional extensions kept as bytes are written after them
//! (they only survive while the state is unmodified), except `EOIE` and `IEOT`, which are never
//! written. See [`crate::extension`] for the reasons.
//!
//! Writing a state decoded from a file git wrote, unmodified, with the version it was read with
//! and `keep_raw_extensions` ([`Options::unchanged`]) reproduces that file byte for byte, unless it
//! had `EOIE` or `IEOT` extensions or an all-zero `index.skipHash` checksum.

use tabgit_hash::Hasher;

use crate::entry::Entry;
use crate::extension;
use crate::state::State;
use crate::Version;

/// The reasons an index could not be encoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// More entries than the 32-bit count can describe.
    #[error("an index holds at most 4294967295 entries, this one has {n_entries}")]
    TooManyEntries {
        /// The number of entries.
        n_entries: usize,
    },
    /// An extension of 4 GiB or more.
    #[error("index extension {} of {len} bytes exceeds the 32-bit size field", extension::display_signature(*.signature))]
    ExtensionTooLarge {
        /// The extension's signature.
        signature: extension::Signature,
        /// Its size.
        len: usize,
    },
}

/// How to encode the index.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Options {
    /// The version to write: [`Version::V2`] and [`Version::V3`] both mean "2, or 3 if some entry
    /// needs extended flags"; [`Version::V4`] means 4. The default is version 2.
    pub version: Version,
    /// Write back the optional extensions the state kept as bytes (`UNTR`, `FSMN`, unknown ones),
    /// which only happens while it is unmodified. `EOIE` and `IEOT` are never written.
    pub keep_raw_extensions: bool,
}

impl Options {
    /// The options that write `state` back as it was read: the same version, every extension.
    pub fn unchanged(state: &State) -> Self {
        Options {
            version: state.version(),
            keep_raw_extensions: true,
        }
    }
}

/// Conversion
impl State {
    /// Append the encoded index, checksum included, to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>, options: Options) -> Result<(), Error> {
        let start = out.len();
        let version = match options.version {
            Version::V4 => Version::V4,
            Version::V2 | Version::V3 => {
                if self.entries.iter().any(Entry::needs_extended_flags) {
                    Version::V3
                } else {
                    Version::V2
                }
            }
        };
        let n_entries = u32::try_from(self.entries.len()).map_err(|_| Error::TooManyEntries {
            n_entries: self.entries.len(),
        })?;
        out.extend_from_slice(b"DIRC");
        out.extend_from_slice(&version.number().to_be_bytes());
        out.extend_from_slice(&n_entries.to_be_bytes());

        let mut previous_path: &[u8] = &[];
        for entry in &self.entries {
            write_entry(out, entry, version, previous_path);
            previous_path = &entry.path;
        }

        let mut data = Vec::new();
        if let Some(cache_tree) = &self.cache_tree {
            cache_tree.write_to(&mut data);
            write_extension(out, extension::TREE, &data)?;
        }
        if let Some(resolve_undo) = &self.resolve_undo {
            data.clear();
            resolve_undo.write_to(&mut data);
            write_extension(out, extension::RESOLVE_UNDO, &data)?;
        }
        if options.keep_raw_extensions {
            for raw in self
                .raw_extensions
                .iter()
                .filter(|raw| raw.may_be_written_back())
            {
                write_extension(out, raw.signature, &raw.data)?;
            }
        }

        let mut hasher = Hasher::checksum();
        hasher.update(&out[start..]);
        out.extend_from_slice(hasher.finalize().as_bytes());
        Ok(())
    }

    /// The encoded index, checksum included.
    pub fn to_bytes(&self, options: Options) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.write_to(&mut out, options)?;
        Ok(out)
    }
}

fn write_entry(out: &mut Vec<u8>, entry: &Entry, version: Version, previous_path: &[u8]) {
    let start = out.len();
    let stat = &entry.stat;
    for field in [
        stat.ctime.secs,
        stat.ctime.nsecs,
        stat.mtime.secs,
        stat.mtime.nsecs,
        stat.dev,
        stat.ino,
        entry.mode.bits(),
        stat.uid,
        stat.gid,
        stat.size,
    ] {
        out.extend_from_slice(&field.to_be_bytes());
    }
    out.extend_from_slice(entry.object_id.as_bytes());

    let extended = version != Version::V2 && entry.needs_extended_flags();
    let mut flags: u16 = entry.path.len().min(0xfff) as u16;
    flags |= u16::from(entry.stage.number()) << 12;
    if entry.flags.assume_valid {
        flags |= 0x8000;
    }
    if extended {
        flags |= 0x4000;
    }
    out.extend_from_slice(&flags.to_be_bytes());
    if extended {
        let mut extended_flags: u16 = 0;
        if entry.flags.skip_worktree {
            extended_flags |= 0x4000;
        }
        if entry.flags.intent_to_add {
            extended_flags |= 0x2000;
        }
        out.extend_from_slice(&extended_flags.to_be_bytes());
    }

    if version == Version::V4 {
        let common = entry
            .path
            .iter()
            .zip(previous_path)
            .take_while(|(a, b)| a == b)
            .count();
        write_varint(out, (previous_path.len() - common) as u64);
        out.extend_from_slice(&entry.path[common..]);
        out.push(0);
    } else {
        out.extend_from_slice(&entry.path);
        let len = out.len() - start;
        let padded = (len + 8) & !7;
        out.resize(start + padded, 0);
    }
}

fn write_extension(
    out: &mut Vec<u8>,
    signature: extension::Signature,
    data: &[u8],
) -> Result<(), Error> {
    let len = u32::try_from(data.len()).map_err(|_| Error::ExtensionTooLarge {
        signature,
        len: data.len(),
    })?;
    out.extend_from_slice(&signature);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(data);
    Ok(())
}

/// Encode git's offset varint (`varint.c` `encode_varint`).
fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    let mut buf = [0u8; 10];
    let mut pos = buf.len() - 1;
    buf[pos] = (value & 0x7f) as u8;
    value >>= 7;
    while value != 0 {
        value -= 1;
        pos -= 1;
        buf[pos] = 0x80 | (value & 0x7f) as u8;
        value >>= 7;
    }
    out.extend_from_slice(&buf[pos..]);
}
