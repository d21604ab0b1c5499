//! Parsing knob text, and the percent-encoding that lets a knob list be one URL path segment.

use std::time::Duration;

use crate::fault::{BodyFault, Credentials, Error, Faults, Redirect, Scope};

/// Set the knobs of a comma-separated knob list in `faults`; every value is percent-decoded
/// before it is validated.
pub(crate) fn knob_list(faults: &mut Faults, list: &str) -> Result<(), Error> {
    for knob in list.split(',') {
        if knob.is_empty() {
            return Err(Error::EmptyKnob {
                list: list.to_owned(),
            });
        }
        let (name, raw_value) = match knob.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (knob, None),
        };
        let value = match raw_value {
            Some(raw_value) => Some(
                percent_decode(raw_value)
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .ok_or_else(|| Error::BadEncoding {
                        name: name.to_owned(),
                        value: raw_value.to_owned(),
                    })?,
            ),
            None => None,
        };
        set_knob(faults, name, value.as_deref())?;
    }
    Ok(())
}

/// Set the knob `name` in `faults` from its decoded `value`.
pub(crate) fn set_knob(faults: &mut Faults, name: &str, value: Option<&str>) -> Result<(), Error> {
    match name {
        "v0" => {
            if value.is_some() {
                return Err(Error::UnexpectedValue {
                    name: name.to_owned(),
                });
            }
            if faults.v0 {
                return Err(duplicate(name));
            }
            faults.v0 = true;
        }
        "delay" => {
            let millis = number(name, value, "a delay in milliseconds")?;
            set_once(&mut faults.delay, Duration::from_millis(millis), name)?;
        }
        "cut" => {
            let bytes = number(name, value, "a byte count")?;
            set_once(&mut faults.cut, bytes, name)?;
        }
        "stall" => {
            let bytes = number(name, value, "a byte count")?;
            set_once(&mut faults.stall, bytes, name)?;
        }
        "status" => {
            let expected = "an HTTP status code from 200 to 599";
            let code = number(name, value, expected)?;
            let code = u16::try_from(code)
                .ok()
                .filter(|code| (200..=599).contains(code))
                .ok_or_else(|| invalid(name, value, expected))?;
            set_once(&mut faults.status, code, name)?;
        }
        "retry-after" => {
            let seconds = number(name, value, "a number of seconds")?;
            set_once(&mut faults.retry_after, seconds, name)?;
        }
        "auth" => {
            let expected = "<user>:<token> with a non-empty user";
            let text = required(name, value)?;
            let (user, token) = text
                .split_once(':')
                .filter(|(user, _)| !user.is_empty())
                .ok_or_else(|| invalid(name, value, expected))?;
            let credentials = Credentials {
                user: user.to_owned(),
                token: token.to_owned(),
            };
            set_once(&mut faults.auth, credentials, name)?;
        }
        "redirect" | "redirect302" | "redirect-initial" | "redirect-initial302" => {
            let target = required(name, value)?;
            let is_url = target.starts_with("http://") || target.starts_with("https://");
            if !(target.starts_with('/') || is_url) || !is_header_safe(target) {
                return Err(invalid(
                    name,
                    value,
                    "a path starting with / or an http:// or https:// URL",
                ));
            }
            let redirect = Redirect {
                target: target.to_owned(),
                found: name.ends_with("302"),
                initial_only: name.starts_with("redirect-initial"),
            };
            set_once(&mut faults.redirect, redirect, name)?;
        }
        "body" => {
            let body = match required(name, value)? {
                "html" => BodyFault::Html,
                "err" => BodyFault::Err,
                "sideband3" => BodyFault::Sideband3,
                "badpkt" => BodyFault::BadPkt,
                _ => return Err(invalid(name, value, "html, err, sideband3 or badpkt")),
            };
            set_once(&mut faults.body, body, name)?;
        }
        "ctype" => {
            let mime = required(name, value)?;
            if mime.is_empty() || !is_header_safe(mime) {
                return Err(invalid(name, value, "a non-empty header value"));
            }
            set_once(&mut faults.content_type, mime.to_owned(), name)?;
        }
        "on" => {
            let scope = match required(name, value)? {
                "info-refs" => Scope::InfoRefs,
                "upload-pack" => Scope::UploadPack,
                "receive-pack" => Scope::ReceivePack,
                "post" => Scope::Post,
                _ => {
                    return Err(invalid(
                        name,
                        value,
                        "info-refs, upload-pack, receive-pack or post",
                    ))
                }
            };
            set_once(&mut faults.on, scope, name)?;
        }
        _ => {
            return Err(Error::UnknownKnob {
                name: name.to_owned(),
            })
        }
    }
    Ok(())
}

/// Decode `%XX` escapes; return `None` for a `%` not followed by two hex digits.
pub(crate) fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut byte_idx = 0;
    while let Some(&byte) = bytes.get(byte_idx) {
        if byte == b'%' {
            let high = hex_digit(*bytes.get(byte_idx + 1)?)?;
            let low = hex_digit(*bytes.get(byte_idx + 2)?)?;
            decoded.push(high << 4 | low);
            byte_idx += 3;
        } else {
            decoded.push(byte);
            byte_idx += 1;
        }
    }
    Some(decoded)
}

/// Percent-encode everything but RFC 3986 unreserved characters and `:`, so that the result
/// is safe inside a knob value and a URL path segment.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b':') {
            encoded.push(char::from(byte));
        } else {
            const HEX_DIGITS: &[u8; 16] = b"0123456789ABCDEF";
            encoded.push('%');
            encoded.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
            encoded.push(char::from(HEX_DIGITS[usize::from(byte & 0xf)]));
        }
    }
    encoded
}

fn hex_digit(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|digit| u8::try_from(digit).ok())
}

/// Return `true` if `text` can be sent as an HTTP header value (visible ASCII and spaces).
fn is_header_safe(text: &str) -> bool {
    text.bytes()
        .all(|byte| byte == b' ' || byte.is_ascii_graphic())
}

fn set_once<T>(slot: &mut Option<T>, value: T, name: &str) -> Result<(), Error> {
    if slot.is_some() {
        return Err(duplicate(name));
    }
    *slot = Some(value);
    Ok(())
}

fn required<'a>(name: &str, value: Option<&'a str>) -> Result<&'a str, Error> {
    value.ok_or_else(|| Error::MissingValue {
        name: name.to_owned(),
    })
}

fn number(name: &str, value: Option<&str>, expected: &'static str) -> Result<u64, Error> {
    let text = required(name, value)?;
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(invalid(name, value, expected));
    }
    text.parse().map_err(|_| invalid(name, value, expected))
}

fn duplicate(name: &str) -> Error {
    Error::Duplicate {
        name: name.to_owned(),
    }
}

fn invalid(name: &str, value: Option<&str>, expected: &'static str) -> Error {
    Error::InvalidValue {
        name: name.to_owned(),
        value: value.unwrap_or_default().to_owned(),
        expected,
    }
}
