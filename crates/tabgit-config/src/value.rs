//! Typed values and value quoting (`Documentation/git-config.adoc` "Values"; git's `parse.c`
//! `git_parse_maybe_bool_text`, `git_parse_signed` and `config.c` `write_pair`).
//!
//! * boolean: `true`, `yes`, `on`, `1` (or any non-zero integer) and a bare key are true; `false`,
//!   `no`, `off`, `0` and the empty value are false, all case-insensitively.
//! * integer: decimal, `0x` hexadecimal or `0` octal (C's `strtoimax`), optionally followed by
//!   `k`, `m` or `g` (case-insensitive) to multiply by 1024, 1024² or 1024³.

/// Why a value cannot be read as a boolean or an integer, or cannot be written.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The value is not a boolean.
    #[error("config value {value:?} is not a boolean; use true, false, yes, no, on, off, 1 or 0")]
    InvalidBool {
        /// The value, lossily decoded.
        value: String,
    },
    /// The value is not an integer with an optional unit.
    #[error(
        "config value {value:?} is not an integer; use digits with an optional k, m or g suffix"
    )]
    InvalidInt {
        /// The value, lossily decoded.
        value: String,
    },
    /// The integer does not fit.
    #[error("config value {value:?} is out of range (at most {max} in magnitude)")]
    OutOfRange {
        /// The value, lossily decoded.
        value: String,
        /// The largest magnitude allowed.
        max: i64,
    },
    /// A value to be written contains NUL, which git cannot read back.
    #[error("config values cannot contain a NUL byte")]
    Nul,
}

/// Interpret a value as a boolean as `git config --type=bool` does; `None` is a bare key.
///
/// Integers count as booleans when they fit in 32 bits, as in git.
pub fn parse_bool(value: Option<&[u8]>) -> Result<bool, Error> {
    let Some(value) = value else {
        return Ok(true);
    };
    if value.is_empty() {
        return Ok(false);
    }
    for word in [&b"true"[..], b"yes", b"on"] {
        if value.eq_ignore_ascii_case(word) {
            return Ok(true);
        }
    }
    for word in [&b"false"[..], b"no", b"off"] {
        if value.eq_ignore_ascii_case(word) {
            return Ok(false);
        }
    }
    parse_signed(value, i64::from(i32::MAX))
        .map(|number| number != 0)
        .map_err(|_| Error::InvalidBool {
            value: String::from_utf8_lossy(value).into_owned(),
        })
}

/// Interpret a value as a 64-bit integer as `git config --type=int` does.
pub fn parse_int(value: &[u8]) -> Result<i64, Error> {
    parse_signed(value, i64::MAX)
}

/// `parse.c` `git_parse_signed`: `strtoimax` with base 0, then a unit, then a range check.
fn parse_signed(value: &[u8], max: i64) -> Result<i64, Error> {
    let invalid = || Error::InvalidInt {
        value: String::from_utf8_lossy(value).into_owned(),
    };
    let out_of_range = || Error::OutOfRange {
        value: String::from_utf8_lossy(value).into_owned(),
        max,
    };
    // C's isspace in the "C" locale.
    let mut pos = value
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .count();
    let negative = match value.get(pos) {
        Some(b'-') => {
            pos += 1;
            true
        }
        Some(b'+') => {
            pos += 1;
            false
        }
        _ => false,
    };
    let radix = match (value.get(pos), value.get(pos + 1), value.get(pos + 2)) {
        (Some(b'0'), Some(b'x' | b'X'), Some(digit)) if digit.is_ascii_hexdigit() => {
            pos += 2;
            16
        }
        (Some(b'0'), _, _) => 8,
        _ => 10,
    };
    let digits_start = pos;
    let mut magnitude: u64 = 0;
    let mut overflow = false;
    while let Some(digit) = value.get(pos).and_then(|&b| char::from(b).to_digit(radix)) {
        match magnitude
            .checked_mul(u64::from(radix))
            .and_then(|m| m.checked_add(u64::from(digit)))
        {
            Some(next) => magnitude = next,
            None => overflow = true,
        }
        pos += 1;
    }
    if pos == digits_start {
        // No digits: strtoimax leaves its end at the very start.
        return Err(invalid());
    }
    // strtoimax reports ERANGE beyond i64 (its minimum is one more than -max).
    let limit = if negative {
        1u64 << 63
    } else {
        i64::MAX as u64
    };
    if overflow || magnitude > limit {
        return Err(out_of_range());
    }
    let factor: u64 = match &value[pos..] {
        [] => 1,
        [b'k' | b'K'] => 1 << 10,
        [b'm' | b'M'] => 1 << 20,
        [b'g' | b'G'] => 1 << 30,
        _ => return Err(invalid()),
    };
    let scaled = magnitude
        .checked_mul(factor)
        .filter(|&scaled| scaled <= max as u64)
        .ok_or_else(out_of_range)?;
    let scaled = scaled as i64;
    Ok(if negative { -scaled } else { scaled })
}

/// Encode `value` for the right-hand side of `key = value` exactly as git writes it
/// (`config.c` `write_pair`).
///
/// Newlines, tabs, `"` and `\` are escaped. The value is quoted if it starts or ends with a space,
/// contains `#` or `;`, or contains a CR anywhere, so that it reads back unchanged: an unquoted
/// trailing CR is lost when read (CVE-2025-48384, `RELIABILITY.md` row 18). NUL is refused.
pub fn encode(value: &[u8]) -> Result<Vec<u8>, Error> {
    if value.contains(&0) {
        return Err(Error::Nul);
    }
    let quote = value.first() == Some(&b' ')
        || value.last() == Some(&b' ')
        || value.iter().any(|&b| matches!(b, b';' | b'#' | b'\r'));
    let mut out = Vec::with_capacity(value.len() + 2);
    if quote {
        out.push(b'"');
    }
    for &byte in value {
        match byte {
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'"' | b'\\' => out.extend_from_slice(&[b'\\', byte]),
            _ => out.push(byte),
        }
    }
    if quote {
        out.push(b'"');
    }
    Ok(out)
}
