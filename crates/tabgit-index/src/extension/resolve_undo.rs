//! The resolve-undo extension, `REUC` (`gitformat-index`, "Resolve undo"; git's
//! `resolve-undo.c`): the conflict stages of paths whose conflicts were resolved, so that
//! `git checkout -m <path>` can recreate the conflict.
//!
//! ```text
//! record = path NUL mode1 NUL mode2 NUL mode3 NUL id*
//! modeN  = ASCII octal mode of stage N, "0" if the stage was absent
//! id     = 20 bytes for each stage whose mode is not "0", in stage order
//! ```
//!
//! Git keeps the records sorted by path and writes each path once.

use tabgit_hash::ObjectId;

use crate::entry::{ConflictSide, Mode, Stage};

/// The reasons a `REUC` extension could not be parsed.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The data ends inside a record.
    #[error("resolve-undo record at byte {offset} of the REUC extension is truncated")]
    Truncated {
        /// Offset of the record within the extension data.
        offset: usize,
    },
    /// A record has an empty path.
    #[error("resolve-undo record at byte {offset} has an empty path")]
    EmptyPath {
        /// Offset of the record within the extension data.
        offset: usize,
    },
    /// A mode is not `0` or one of the four index modes written in octal without leading zeros.
    #[error("resolve-undo record for {path:?} has an invalid mode for stage {stage}")]
    BadMode {
        /// The record's path, lossily decoded.
        path: String,
        /// The stage (1 to 3) whose mode is invalid.
        stage: u8,
    },
    /// A record has no stage at all (git never writes such a record).
    #[error("resolve-undo record for {path:?} records no stage")]
    EmptyRecord {
        /// The record's path, lossily decoded.
        path: String,
    },
    /// Records are not sorted by path, or a path appears twice.
    #[error("resolve-undo records are not sorted by path or repeat a path (at {path:?})")]
    Unsorted {
        /// The first out-of-order path, lossily decoded.
        path: String,
    },
}

/// The conflict stages one path had before it was resolved.
#[derive(Clone, PartialEq, Eq, Debug, Hash)]
pub struct Record {
    /// The path that was resolved.
    pub path: Vec<u8>,
    /// Stages 1 (base), 2 (ours) and 3 (theirs), `None` where the stage was absent.
    pub stages: [Option<ConflictSide>; 3],
}

impl Record {
    /// The recorded side at a conflict `stage` (`None` for [`Stage::Merged`]).
    pub fn stage(&self, stage: Stage) -> Option<ConflictSide> {
        let number = usize::from(stage.number());
        number.checked_sub(1).and_then(|idx| self.stages[idx])
    }
}

/// A parsed `REUC` extension: records sorted by path, one per path.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ResolveUndo {
    records: Vec<Record>,
}

/// Lifecycle
impl ResolveUndo {
    /// Parse the data of a `REUC` extension.
    pub fn from_bytes(data: &[u8]) -> Result<Self, Error> {
        let mut records: Vec<Record> = Vec::new();
        let mut offset = 0;
        while offset < data.len() {
            let start = offset;
            let truncated = Error::Truncated { offset: start };
            let path = until_nul(data, &mut offset).ok_or(truncated.clone())?;
            if path.is_empty() {
                return Err(Error::EmptyPath { offset: start });
            }
            let lossy = || String::from_utf8_lossy(path).into_owned();
            let mut modes = [None; 3];
            for (stage_idx, mode) in modes.iter_mut().enumerate() {
                let digits = until_nul(data, &mut offset).ok_or(truncated.clone())?;
                let bad_mode = || Error::BadMode {
                    path: lossy(),
                    stage: stage_idx as u8 + 1,
                };
                let bits = parse_octal(digits).ok_or_else(bad_mode)?;
                *mode = match bits {
                    0 => None,
                    bits => Some(Mode::from_bits(bits).ok_or_else(bad_mode)?),
                };
            }
            let mut stages = [None; 3];
            for (side, mode) in stages.iter_mut().zip(modes) {
                if let Some(mode) = mode {
                    let id_bytes = data
                        .get(offset..offset + tabgit_hash::LEN)
                        .ok_or(truncated.clone())?;
                    offset += tabgit_hash::LEN;
                    *side = Some(ConflictSide {
                        mode,
                        object_id: ObjectId::from_slice(id_bytes)
                            .expect("slice of exactly 20 bytes"),
                    });
                }
            }
            if stages.iter().all(Option::is_none) {
                return Err(Error::EmptyRecord { path: lossy() });
            }
            if records
                .last()
                .is_some_and(|last| last.path.as_slice() >= path)
            {
                return Err(Error::Unsorted { path: lossy() });
            }
            records.push(Record {
                path: path.to_vec(),
                stages,
            });
        }
        Ok(ResolveUndo { records })
    }
}

/// Access
impl ResolveUndo {
    /// All records, sorted by path.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The record for `path`.
    pub fn get(&self, path: &[u8]) -> Option<&Record> {
        self.position(path).ok().map(|idx| &self.records[idx])
    }

    /// Whether there is no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    fn position(&self, path: &[u8]) -> Result<usize, usize> {
        self.records
            .binary_search_by(|record| record.path.as_slice().cmp(path))
    }
}

/// Mutation
impl ResolveUndo {
    /// Remember that `side` was at conflict `stage` of `path`, merging with what is recorded for
    /// the path already (`record_resolve_undo`). Stage 0 is ignored.
    pub fn record(&mut self, path: &[u8], stage: Stage, side: ConflictSide) {
        let Some(stage_idx) = usize::from(stage.number()).checked_sub(1) else {
            return;
        };
        let record_idx = match self.position(path) {
            Ok(idx) => idx,
            Err(idx) => {
                self.records.insert(
                    idx,
                    Record {
                        path: path.to_vec(),
                        stages: [None; 3],
                    },
                );
                idx
            }
        };
        self.records[record_idx].stages[stage_idx] = Some(side);
    }

    /// Forget the record for `path`, returning it.
    pub fn remove(&mut self, path: &[u8]) -> Option<Record> {
        self.position(path).ok().map(|idx| self.records.remove(idx))
    }
}

/// Conversion
impl ResolveUndo {
    /// Serialize as the data of a `REUC` extension (`resolve_undo_write`).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        for record in &self.records {
            out.extend_from_slice(&record.path);
            out.push(0);
            for side in &record.stages {
                match side {
                    Some(side) => {
                        out.extend_from_slice(format!("{:o}", side.mode.bits()).as_bytes());
                    }
                    None => out.push(b'0'),
                }
                out.push(0);
            }
            for side in record.stages.iter().flatten() {
                out.extend_from_slice(side.object_id.as_bytes());
            }
        }
    }
}

/// The bytes from `*offset` to the next NUL, advancing past the NUL.
fn until_nul<'a>(data: &'a [u8], offset: &mut usize) -> Option<&'a [u8]> {
    let rest = data.get(*offset..)?;
    let nul = rest.iter().position(|&b| b == 0)?;
    *offset += nul + 1;
    Some(&rest[..nul])
}

/// Parse octal digits as git's `%o` writes them: `0`, or digits without a leading zero.
fn parse_octal(digits: &[u8]) -> Option<u32> {
    if digits == b"0" {
        return Some(0);
    }
    if digits.is_empty() || digits.len() > 7 || digits[0] == b'0' {
        return None;
    }
    let mut bits = 0u32;
    for &digit in digits {
        if !(b'0'..=b'7').contains(&digit) {
            return None;
        }
        bits = bits * 8 + u32::from(digit - b'0');
    }
    Some(bits)
}
