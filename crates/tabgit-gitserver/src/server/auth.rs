//! The `auth` knob: HTTP Basic (RFC 7617) with the knob's user and token, or a Bearer token
//! (RFC 6750) equal to the knob's token.

use hyper::{header, HeaderMap};

use crate::fault::Credentials;

/// The challenge sent with `401 Unauthorized`.
pub(crate) const CHALLENGE: &str = "Basic realm=\"tabgit-gitserver\"";

/// Return `true` if `headers` carry an `Authorization` header matching `credentials`.
pub(crate) fn is_authorized(headers: &HeaderMap, credentials: &Credentials) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, parameter)) = value.trim().split_once(' ') else {
        return false;
    };
    let parameter = parameter.trim();
    if scheme.eq_ignore_ascii_case("basic") {
        let expected =
            base64_encode(format!("{}:{}", credentials.user, credentials.token).as_bytes());
        return parameter == expected;
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        return parameter == credentials.token;
    }
    false
}

/// Encode `bytes` as standard, padded base64 (RFC 4648 section 4), the only form clients send.
///
/// Comparing encodings avoids decoding untrusted input.
fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let first = group[0];
        let second = group.get(1).copied().unwrap_or(0);
        let third = group.get(2).copied().unwrap_or(0);
        let bits = u32::from(first) << 16 | u32::from(second) << 8 | u32::from(third);
        for sextet_idx in 0..4 {
            if sextet_idx <= group.len() {
                let sextet = (bits >> (18 - 6 * sextet_idx)) & 0x3f;
                encoded.push(char::from(ALPHABET[sextet as usize]));
            } else {
                encoded.push('=');
            }
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_test_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(
                base64_encode(plain.as_bytes()),
                encoded,
                "RFC 4648 vector {plain:?}"
            );
        }
    }
}
