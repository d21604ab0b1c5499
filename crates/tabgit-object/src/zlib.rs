//! zlib streams as git stores them: each loose object and each pack entry is one zlib stream.
//!
//! Inflating is always bounded by the size the object header declares, so a few bytes that
//! promise gigabytes (an inflate bomb, `RELIABILITY.md` rows 20–21) are an error, never an
//! allocation. Backed by `miniz_oxide`.

use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

/// The reasons a zlib stream could not be inflated.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The bytes are not a valid zlib stream (or its checksum does not match).
    #[error("corrupt zlib stream: {reason}")]
    Corrupt {
        /// What the decompressor reported.
        reason: &'static str,
    },
    /// The stream inflates to more bytes than the header declared.
    #[error("zlib stream inflates to more than the declared {declared} bytes")]
    LongerThanDeclared {
        /// The size the header declared.
        declared: usize,
    },
    /// The stream ended before producing the declared number of bytes.
    #[error("zlib stream inflates to {actual} bytes, but {declared} were declared")]
    ShorterThanDeclared {
        /// The size the header declared.
        declared: usize,
        /// What the stream produced.
        actual: usize,
    },
    /// The input ended in the middle of the stream.
    #[error("zlib stream is truncated")]
    Truncated,
    /// The declared size is larger than the caller allows.
    #[error("object of {declared} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The size the header declared.
        declared: u64,
        /// The caller's limit.
        limit: u64,
    },
    /// Memory for the declared size could not be reserved.
    #[error("out of memory reserving {declared} bytes for an object")]
    OutOfMemory {
        /// The size the header declared.
        declared: usize,
    },
}

/// Allocate a zeroed buffer of `len` bytes without aborting when memory is short.
pub fn try_alloc(len: usize) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    out.try_reserve_exact(len)
        .map_err(|_| Error::OutOfMemory { declared: len })?;
    out.resize(len, 0);
    Ok(out)
}

/// Inflate one complete zlib stream at the start of `input` that must produce exactly
/// `declared` bytes, appending them to `out`. Returns the number of input bytes the stream used.
pub fn inflate_exact(input: &[u8], declared: usize, out: &mut Vec<u8>) -> Result<usize, Error> {
    let mut inflate = Inflate::new(declared)?;
    let consumed = inflate.feed(input, false)?;
    if !inflate.is_done() {
        return Err(Error::Truncated);
    }
    out.extend_from_slice(inflate.output());
    Ok(consumed)
}

/// A resumable inflater for one zlib stream of a known declared size, fed as input arrives.
pub struct Inflate {
    state: Box<DecompressorOxide>,
    output: Vec<u8>,
    declared: usize,
    written: usize,
    done: bool,
}

/// Lifecycle
impl Inflate {
    /// Prepare to inflate a stream declared to produce `declared` bytes.
    pub fn new(declared: usize) -> Result<Self, Error> {
        // One spare byte lets a stream that is longer than declared show itself as such, and
        // keeps the output buffer non-empty for empty objects.
        let capacity = declared
            .checked_add(1)
            .ok_or(Error::OutOfMemory { declared })?;
        Ok(Inflate {
            state: Box::default(),
            output: try_alloc(capacity)?,
            declared,
            written: 0,
            done: false,
        })
    }

    /// Feed the next input bytes; `more_input` says whether more may follow.
    ///
    /// Returns how many bytes of `input` belong to the stream. Once [`Inflate::is_done`] is true,
    /// the rest of `input` is not part of this stream.
    pub fn feed(&mut self, input: &[u8], more_input: bool) -> Result<usize, Error> {
        if self.done {
            return Ok(0);
        }
        let mut flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
            | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
        if more_input {
            flags |= inflate_flags::TINFL_FLAG_HAS_MORE_INPUT;
        }
        let (status, consumed, written) = decompress(
            &mut self.state,
            input,
            &mut self.output,
            self.written,
            flags,
        );
        self.written += written;
        match status {
            _ if self.written > self.declared => Err(Error::LongerThanDeclared {
                declared: self.declared,
            }),
            TINFLStatus::Done => {
                if self.written != self.declared {
                    return Err(Error::ShorterThanDeclared {
                        declared: self.declared,
                        actual: self.written,
                    });
                }
                self.done = true;
                self.output.truncate(self.declared);
                Ok(consumed)
            }
            TINFLStatus::HasMoreOutput => Err(Error::LongerThanDeclared {
                declared: self.declared,
            }),
            TINFLStatus::FailedCannotMakeProgress => Err(Error::Truncated),
            TINFLStatus::Adler32Mismatch => Err(Error::Corrupt {
                reason: "adler32 checksum mismatch",
            }),
            TINFLStatus::Failed | TINFLStatus::BadParam => Err(Error::Corrupt {
                reason: "invalid deflate data",
            }),
            // NeedsMoreInput: wait for more. Block boundaries are only reported with
            // TINFL_FLAG_STOP_ON_BLOCK_BOUNDARY, which is never set here.
            _ => Ok(consumed),
        }
    }
}

/// Access
impl Inflate {
    /// Whether the stream ended and produced exactly the declared bytes.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The inflated bytes, once [`Inflate::is_done`].
    pub fn into_output(self) -> Vec<u8> {
        self.output
    }

    /// The inflated bytes, once [`Inflate::is_done`].
    pub fn output(&self) -> &[u8] {
        &self.output[..self.written.min(self.declared)]
    }
}

/// Compress `data` into one zlib stream at `level` (0–10; git's default `core.compression` is
/// zlib's 6).
pub fn deflate(data: &[u8], level: u8) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, level)
}

/// The compression level git uses when `core.compression` is not set.
pub const DEFAULT_LEVEL: u8 = 6;
