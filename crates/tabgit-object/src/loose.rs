//! The loose object format: `zlib("<kind> <size>\0" + content)` stored at
//! `objects/<first 2 hex>/<38 hex>` (git's `object-file.c`, `Documentation/gitrepository-layout`).

use crate::{zlib, Kind, ObjectId};

/// The reasons a loose object could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// The header before the NUL is not `<kind> <decimal size>`.
    #[error("loose object header is malformed: {reason}")]
    MalformedHeader {
        /// Which part of the header is wrong.
        reason: &'static str,
    },
    /// The type in the header is not a git object type.
    #[error(transparent)]
    UnknownKind(#[from] crate::UnknownKind),
    /// The zlib stream is corrupt, truncated, or does not match the declared size.
    #[error("loose object data is damaged")]
    Zlib(#[from] zlib::Error),
}

/// The longest header git writes: `commit 18446744073709551615\0` fits in 32 bytes.
pub const MAX_HEADER_LEN: usize = 32;

/// Write the header `"<kind> <size>\0"` for an object.
pub fn encode_header(kind: Kind, size: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(MAX_HEADER_LEN);
    out.extend_from_slice(kind.as_bytes());
    out.push(b' ');
    out.extend_from_slice(size.to_string().as_bytes());
    out.push(0);
    out
}

/// Parse a header at the start of `data`, returning the kind, the declared size and the header
/// length including the NUL.
pub fn decode_header(data: &[u8]) -> Result<(Kind, u64, usize), Error> {
    let window = &data[..data.len().min(MAX_HEADER_LEN)];
    let nul = window
        .iter()
        .position(|&b| b == 0)
        .ok_or(Error::MalformedHeader {
            reason: "no NUL within 32 bytes",
        })?;
    let header = &window[..nul];
    let space = header
        .iter()
        .position(|&b| b == b' ')
        .ok_or(Error::MalformedHeader { reason: "no space" })?;
    let kind = Kind::from_bytes(&header[..space])?;
    let size = parse_decimal(&header[space + 1..]).ok_or(Error::MalformedHeader {
        reason: "size is not a decimal number",
    })?;
    Ok((kind, size, nul + 1))
}

fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || (digits.len() > 1 && digits[0] == b'0') {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, &d| {
        if d.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        } else {
            None
        }
    })
}

/// Decode a whole loose object file: inflate it and return its kind and content.
///
/// * `max_size` caps the declared size; a larger object is refused before anything is allocated.
pub fn decode(file: &[u8], max_size: u64) -> Result<(Kind, Vec<u8>), Error> {
    // Inflate just enough to read the header, then the rest with the declared size as bound.
    let mut peek = vec![0u8; MAX_HEADER_LEN];
    let peeked = peek_inflate(file, &mut peek);
    let (kind, size, header_len) = decode_header(&peek[..peeked])?;
    if size > max_size {
        return Err(zlib::Error::TooLarge {
            declared: size,
            limit: max_size,
        }
        .into());
    }
    let size = usize::try_from(size).map_err(|_| zlib::Error::TooLarge {
        declared: size,
        limit: max_size,
    })?;
    let mut full = Vec::new();
    zlib::inflate_exact(file, header_len + size, &mut full)?;
    full.drain(..header_len);
    Ok((kind, full))
}

/// Inflate at most `out.len()` bytes from the start of a zlib stream, returning how many were
/// produced (fewer if the stream is shorter or damaged).
fn peek_inflate(input: &[u8], out: &mut [u8]) -> usize {
    use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
    let mut state = DecompressorOxide::new();
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
        | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (_, _, written) = decompress(&mut state, input, out, 0, flags);
    written
}

/// Encode an object as a loose object file, returning its id and the compressed bytes.
pub fn encode(kind: Kind, content: &[u8]) -> (ObjectId, Vec<u8>) {
    let mut raw = encode_header(kind, content.len() as u64);
    raw.extend_from_slice(content);
    let id = ObjectId::from_bytes(*sha1_of(&raw).as_bytes());
    (id, zlib::deflate(&raw, zlib::DEFAULT_LEVEL))
}

fn sha1_of(bytes: &[u8]) -> ObjectId {
    let mut hasher = tabgit_hash::Hasher::default();
    hasher.update(bytes);
    hasher.finalize()
}

/// The path of a loose object relative to the objects directory: `ab/cdef…`.
pub fn path_of(id: &ObjectId) -> String {
    let hex = id.to_hex();
    format!("{}/{}", &hex[..2], &hex[2..])
}
