//! The `packed-refs` file (`Documentation/gitrepository-layout.adoc` "packed-refs", git's
//! `refs/packed-backend.c`):
//!
//! ```text
//! file    = [ header ] *record
//! header  = "# pack-refs with:" *( SP trait ) LF   ; git writes HEADER below
//! record  = 40*HEXDIG SP refname LF [ peeled ]
//! peeled  = "^" 40*HEXDIG LF                       ; what an annotated tag finally points at
//! ```
//!
//! The traits say how much peeling information the file carries: `fully-peeled` means every ref
//! that points at an annotated tag has a peeled line, `peeled` means that only for `refs/tags/`,
//! and `sorted` means records are in byte order of their names. git always writes all three.

use tabgit_hash::{ObjectId, HEX_LEN};

use crate::name;

/// The header git writes, byte for byte, including the space before the newline.
pub const HEADER: &[u8] = b"# pack-refs with: peeled fully-peeled sorted \n";

/// Why a `packed-refs` file could not be parsed or written.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The file does not end with a newline, so its last line may have been cut short.
    #[error("packed-refs line {line} is not terminated by a newline")]
    Unterminated {
        /// One-based line number.
        line: usize,
    },
    /// The first line starts with `#` but is not a `# pack-refs with:` header.
    #[error("packed-refs header {header:?} does not start with \"# pack-refs with:\"")]
    InvalidHeader {
        /// The header line, lossily decoded.
        header: String,
    },
    /// A line is neither `<hex> <refname>` nor `^<hex>`.
    #[error("packed-refs line {line} is malformed: {content:?}")]
    MalformedLine {
        /// One-based line number.
        line: usize,
        /// The line, lossily decoded and shortened.
        content: String,
    },
    /// A peeled line `^<hex>` does not follow a ref line.
    #[error("packed-refs line {line} is a peeled line without a ref before it")]
    OrphanPeeledLine {
        /// One-based line number.
        line: usize,
    },
    /// A record names an invalid ref.
    #[error("packed-refs line {line} names an invalid ref")]
    InvalidName {
        /// One-based line number.
        line: usize,
        /// Why the name is refused.
        #[source]
        source: name::Error,
    },
    /// A ref to be stored has an invalid name.
    #[error("cannot pack an invalid ref name")]
    InvalidNewName(#[source] name::Error),
    /// Writing would claim `fully-peeled` but whether this ref peels is not known.
    #[error(
        "whether ref {name:?} points at an annotated tag is unknown; peel it and set it again"
    )]
    UnknownPeel {
        /// The ref, lossily decoded.
        name: String,
    },
}

/// What a packed ref peels to: the object an annotated tag chain finally points at.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Peeled {
    /// The file does not say (its header lacks `fully-peeled`, or `peeled` for a non-tag ref).
    Unknown,
    /// The ref does not point at an annotated tag; it peels to its own target.
    NotATag,
    /// The ref points at an annotated tag which peels to this object.
    To(ObjectId),
}

/// The traits of a `# pack-refs with:` header.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Traits {
    /// `peeled`: refs under `refs/tags/` that point at annotated tags have peeled lines.
    pub peeled: bool,
    /// `fully-peeled`: every ref that points at an annotated tag has a peeled line.
    pub fully_peeled: bool,
    /// `sorted`: the records are sorted by name.
    pub sorted: bool,
}

/// A record of a parsed `packed-refs` file, borrowing its name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RecordRef<'a> {
    /// The full ref name.
    pub name: &'a [u8],
    /// The object the ref points at.
    pub target: ObjectId,
    /// What the target peels to.
    pub peeled: Peeled,
}

/// A parsed `packed-refs` file borrowing its bytes.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PackedRefsRef<'a> {
    /// The header traits, or `None` if the file has no header.
    pub traits: Option<Traits>,
    records: Vec<RecordRef<'a>>,
    /// Whether the records are strictly increasing by name, which allows binary search.
    sorted: bool,
}

/// Lifecycle
impl<'a> PackedRefsRef<'a> {
    /// Parse a whole `packed-refs` file.
    ///
    /// Every record name must be a valid ref name (one-level names allowed). git marks a record
    /// with an invalid name as broken and skips it; here the file is refused, so that no such name
    /// can reach storage keys.
    pub fn from_bytes(data: &'a [u8]) -> Result<Self, Error> {
        let mut lines = Lines {
            rest: data,
            line: 0,
        };
        let mut traits = None;
        if data.first() == Some(&b'#') {
            let Some((_, header)) = lines.next_line()? else {
                return Err(Error::Unterminated { line: 1 });
            };
            let words =
                header
                    .strip_prefix(b"# pack-refs with:")
                    .ok_or_else(|| Error::InvalidHeader {
                        header: String::from_utf8_lossy(header).into_owned(),
                    })?;
            let mut parsed = Traits::default();
            for word in words.split(|&b| b == b' ') {
                match word {
                    b"peeled" => parsed.peeled = true,
                    b"fully-peeled" => parsed.fully_peeled = true,
                    b"sorted" => parsed.sorted = true,
                    _ => {}
                }
            }
            traits = Some(parsed);
        }
        let mut records: Vec<RecordRef<'a>> = Vec::new();
        let mut sorted = true;
        let mut previous_was_ref = false;
        while let Some((line, content)) = lines.next_line()? {
            let malformed = || Error::MalformedLine {
                line,
                content: String::from_utf8_lossy(&content[..content.len().min(80)]).into_owned(),
            };
            if let Some(hex) = content.strip_prefix(b"^") {
                let peeled = ObjectId::from_hex(hex).map_err(|_| malformed())?;
                let record = match records.last_mut() {
                    Some(record) if previous_was_ref => record,
                    _ => return Err(Error::OrphanPeeledLine { line }),
                };
                record.peeled = Peeled::To(peeled);
                previous_was_ref = false;
                continue;
            }
            let hex = content.get(..HEX_LEN).ok_or_else(malformed)?;
            let target = ObjectId::from_hex(hex).map_err(|_| malformed())?;
            let Some([b' ' | b'\t' | b'\r', name @ ..]) = content.get(HEX_LEN..) else {
                return Err(malformed());
            };
            name::check(
                name,
                name::Options {
                    allow_onelevel: true,
                    refspec_pattern: false,
                },
            )
            .map_err(|source| Error::InvalidName { line, source })?;
            let known = traits.is_some_and(|traits| {
                traits.fully_peeled || (traits.peeled && name.starts_with(name::TAG_PREFIX))
            });
            if let Some(previous) = records.last() {
                sorted &= previous.name < name;
            }
            records.push(RecordRef {
                name,
                target,
                peeled: if known {
                    Peeled::NotATag
                } else {
                    Peeled::Unknown
                },
            });
            previous_was_ref = true;
        }
        Ok(PackedRefsRef {
            traits,
            records,
            sorted,
        })
    }

    /// An owned copy with records sorted by name; of duplicate names the first is kept.
    pub fn to_owned(&self) -> PackedRefs {
        let mut records: Vec<Record> = self
            .records
            .iter()
            .map(|record| Record {
                name: record.name.to_vec(),
                target: record.target,
                peeled: record.peeled,
            })
            .collect();
        if !self.sorted {
            records.sort_by(|a, b| a.name.cmp(&b.name));
            records.dedup_by(|later, earlier| later.name == earlier.name);
        }
        PackedRefs { records }
    }
}

/// Access
impl<'a> PackedRefsRef<'a> {
    /// The record named `full_name`, found by binary search when the records are sorted.
    pub fn find(&self, full_name: &[u8]) -> Option<&RecordRef<'a>> {
        if self.sorted {
            self.records
                .binary_search_by(|record| record.name.cmp(full_name))
                .ok()
                .and_then(|idx| self.records.get(idx))
        } else {
            self.records.iter().find(|record| record.name == full_name)
        }
    }

    /// The records in file order.
    pub fn iter(&self) -> std::slice::Iter<'_, RecordRef<'a>> {
        self.records.iter()
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Whether the records are in strictly increasing byte order of their names.
    pub fn is_sorted(&self) -> bool {
        self.sorted
    }
}

impl<'a, 'b> IntoIterator for &'b PackedRefsRef<'a> {
    type Item = &'b RecordRef<'a>;
    type IntoIter = std::slice::Iter<'b, RecordRef<'a>>;

    fn into_iter(self) -> Self::IntoIter {
        self.records.iter()
    }
}

/// One owned `packed-refs` record.
#[derive(Clone, PartialEq, Eq, Debug, Hash)]
pub struct Record {
    /// The full ref name.
    pub name: Vec<u8>,
    /// The object the ref points at.
    pub target: ObjectId,
    /// What the target peels to.
    pub peeled: Peeled,
}

/// An editable set of packed refs, always sorted by name without duplicates, that serializes
/// exactly as git's `packed-refs` writer does.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PackedRefs {
    records: Vec<Record>,
}

/// Lifecycle
impl PackedRefs {
    /// Parse a `packed-refs` file into an editable set (see [`PackedRefsRef::from_bytes`]).
    pub fn from_bytes(data: &[u8]) -> Result<Self, Error> {
        Ok(PackedRefsRef::from_bytes(data)?.to_owned())
    }
}

/// Access
impl PackedRefs {
    /// The record named `full_name`.
    pub fn find(&self, full_name: &[u8]) -> Option<&Record> {
        self.position(full_name)
            .ok()
            .and_then(|idx| self.records.get(idx))
    }

    /// The records, sorted by name.
    pub fn iter(&self) -> std::slice::Iter<'_, Record> {
        self.records.iter()
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    fn position(&self, full_name: &[u8]) -> Result<usize, usize> {
        self.records
            .binary_search_by(|record| record.name.as_slice().cmp(full_name))
    }
}

/// Mutation
impl PackedRefs {
    /// Add `record`, or replace the record of the same name; returns the replaced record.
    ///
    /// The name must be a valid ref name (one-level names allowed).
    pub fn set(&mut self, record: Record) -> Result<Option<Record>, Error> {
        name::check(
            &record.name,
            name::Options {
                allow_onelevel: true,
                refspec_pattern: false,
            },
        )
        .map_err(Error::InvalidNewName)?;
        match self.position(&record.name) {
            Ok(idx) => Ok(Some(std::mem::replace(&mut self.records[idx], record))),
            Err(idx) => {
                self.records.insert(idx, record);
                Ok(None)
            }
        }
    }

    /// Remove the record named `full_name`; returns it if it existed.
    pub fn remove(&mut self, full_name: &[u8]) -> Option<Record> {
        self.position(full_name)
            .ok()
            .map(|idx| self.records.remove(idx))
    }
}

/// Conversion
impl PackedRefs {
    /// Serialize as git writes `packed-refs`: [`HEADER`], then `<hex> <name>\n` per record in name
    /// order, each followed by `^<hex>\n` if it peels to another object (`refs/packed-backend.c`
    /// `write_with_updates`).
    ///
    /// Fails if a record's [`Peeled`] state is unknown, because the header promises it is known.
    pub fn write_to(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        out.extend_from_slice(HEADER);
        for record in &self.records {
            let peeled = match record.peeled {
                Peeled::Unknown => {
                    return Err(Error::UnknownPeel {
                        name: String::from_utf8_lossy(&record.name).into_owned(),
                    })
                }
                Peeled::NotATag => None,
                Peeled::To(peeled) => Some(peeled),
            };
            out.extend_from_slice(record.target.to_hex().as_bytes());
            out.push(b' ');
            out.extend_from_slice(&record.name);
            out.push(b'\n');
            if let Some(peeled) = peeled {
                out.push(b'^');
                out.extend_from_slice(peeled.to_hex().as_bytes());
                out.push(b'\n');
            }
        }
        Ok(())
    }

    /// The serialized file (see [`PackedRefs::write_to`]).
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(HEADER.len() + self.records.len() * 64);
        self.write_to(&mut out)?;
        Ok(out)
    }
}

impl<'a> IntoIterator for &'a PackedRefs {
    type Item = &'a Record;
    type IntoIter = std::slice::Iter<'a, Record>;

    fn into_iter(self) -> Self::IntoIter {
        self.records.iter()
    }
}

/// Newline-terminated lines with one-based numbers; an unterminated last line is an error.
struct Lines<'a> {
    rest: &'a [u8],
    line: usize,
}

impl<'a> Lines<'a> {
    fn next_line(&mut self) -> Result<Option<(usize, &'a [u8])>, Error> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        self.line += 1;
        let newline = self
            .rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or(Error::Unterminated { line: self.line })?;
        let content = &self.rest[..newline];
        self.rest = &self.rest[newline + 1..];
        Ok(Some((self.line, content)))
    }
}
