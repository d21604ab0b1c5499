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
///
/// One `Inflate` can inflate many streams in turn: [`Inflate::reset`] starts the next stream
/// with the decompressor and the output buffer of the last one, so reading many small objects
/// (a history walk) does not set up a decompressor and allocate a buffer for each.
pub struct Inflate {
    state: Box<DecompressorOxide>,
    output: Vec<u8>,
    declared: usize,
    written: usize,
    done: bool,
}

/// Output bytes reserved past the declared size: one spare byte lets a stream that is longer
/// than declared show itself as such (and keeps the buffer non-empty for empty objects), and
/// `miniz_oxide` only takes its fast decoding loop while 259 bytes of output space are left
/// (`decompress_fast`), which without the slack would never happen for small objects.
const OUTPUT_SLACK: usize = 259;

/// Lifecycle
impl Inflate {
    /// Prepare to inflate a stream declared to produce `declared` bytes.
    pub fn new(declared: usize) -> Result<Self, Error> {
        let mut inflate = Inflate {
            state: Box::default(),
            output: Vec::new(),
            declared: 0,
            written: 0,
            done: false,
        };
        inflate.reset(declared)?;
        Ok(inflate)
    }

    /// Start inflating the next stream, declared to produce `declared` bytes, reusing the
    /// decompressor and the output buffer (the output of the previous stream is discarded).
    ///
    /// ### Performance
    ///
    /// Reuses the 11 KiB decompressor instead of allocating and zeroing a new one (what
    /// [`Inflate::new`] costs per object); together with [`Inflate::swap_output`] a reader
    /// allocates only when an object is larger than any before it.
    pub fn reset(&mut self, declared: usize) -> Result<(), Error> {
        let capacity = declared
            .checked_add(OUTPUT_SLACK)
            .ok_or(Error::OutOfMemory { declared })?;
        self.state.init();
        self.output.clear();
        self.output
            .try_reserve_exact(capacity)
            .map_err(|_| Error::OutOfMemory { declared })?;
        self.output.resize(capacity, 0);
        self.declared = declared;
        self.written = 0;
        self.done = false;
        Ok(())
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

    /// Swap the inflated bytes into `out`, without copying; the allocation `out` had becomes
    /// the output buffer of the next stream ([`Inflate::reset`]). Once [`Inflate::is_done`],
    /// `out` holds exactly the declared bytes.
    pub fn swap_output(&mut self, out: &mut Vec<u8>) {
        self.output.truncate(self.written.min(self.declared));
        std::mem::swap(&mut self.output, out);
        self.output.clear();
    }

    /// Give up buffers larger than `max_capacity` bytes, so a long-lived `Inflate` does not keep
    /// the memory of the largest object it ever inflated.
    pub fn shrink_to(&mut self, max_capacity: usize) {
        if self.output.capacity() > max_capacity {
            self.output = Vec::new();
        }
    }
}

/// Compress `data` into one zlib stream at `level` (0–10; git's default `core.compression` is
/// zlib's 6).
pub fn deflate(data: &[u8], level: u8) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, level)
}

/// The compression level git uses when `core.compression` is not set.
pub const DEFAULT_LEVEL: u8 = 6;
