//! Writing pkt-lines.
//!
//! Every function appends to a `Vec<u8>`; request builders collect a whole request body in one.

use crate::packetline::{DELIMITER, FLUSH, MAX_DATA_LEN, RESPONSE_END};

/// The reason a packet could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The payload does not fit in one pkt-line.
    #[error("pkt-line payload of {len} bytes exceeds the maximum of {MAX_DATA_LEN}")]
    DataTooLong {
        /// The length of the payload that was given.
        len: usize,
    },
}

/// Append a data packet carrying `payload` (binary, written as is).
pub fn data(payload: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    if payload.len() > MAX_DATA_LEN {
        return Err(Error::DataTooLong { len: payload.len() });
    }
    write_length(payload.len() + 4, out);
    out.extend_from_slice(payload);
    Ok(())
}

/// Append a text packet: `text` followed by LF, as git writes text lines.
pub fn text(text: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    if text.len() + 1 > MAX_DATA_LEN {
        return Err(Error::DataTooLong {
            len: text.len() + 1,
        });
    }
    write_length(text.len() + 5, out);
    out.extend_from_slice(text);
    out.push(b'\n');
    Ok(())
}

/// Append a flush packet, `0000`.
pub fn flush(out: &mut Vec<u8>) {
    out.extend_from_slice(FLUSH);
}

/// Append a delimiter packet, `0001` (protocol v2).
pub fn delimiter(out: &mut Vec<u8>) {
    out.extend_from_slice(DELIMITER);
}

/// Append a response-end packet, `0002` (protocol v2).
pub fn response_end(out: &mut Vec<u8>) {
    out.extend_from_slice(RESPONSE_END);
}

/// Append a side-band packet: the band byte, then `payload`.
pub fn band(band: u8, payload: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    if payload.len() + 1 > MAX_DATA_LEN {
        return Err(Error::DataTooLong {
            len: payload.len() + 1,
        });
    }
    write_length(payload.len() + 5, out);
    out.push(band);
    out.extend_from_slice(payload);
    Ok(())
}

fn write_length(len: usize, out: &mut Vec<u8>) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for shift in [12, 8, 4, 0] {
        out.push(DIGITS[(len >> shift) & 0xf]);
    }
}
