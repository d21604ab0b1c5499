//! The one strict parser for the `<host>[:port]` segment of a proxy path (RELIABILITY.md
//! section 5, row 6).
//!
//! The proxy connects with exactly what this parser produced: a lowercase DNS name, or an IP
//! address, and a port. Anything another parser could read differently is refused rather than
//! guessed at:
//!
//! ```text
//! authority = host [ ":" port ]
//! host      = dns-name / IPv4address / "[" IPv6address "]"   ; RFC 3986 section 3.2.2
//! dns-name  = label *( "." label )       ; ASCII letters, digits, "-"; IDNA names as "xn--"
//! port      = 1*5DIGIT                   ; 1..=65535, no leading zero
//! ```
//!
//! Refused: userinfo (`user@host`), backslashes, percent-encoding, non-ASCII, an empty or
//! malformed port, an unbracketed IPv6 address, an IPv6 zone, a trailing dot, and numeric
//! hosts in any spelling but dotted-quad decimal. Numeric hosts are decoded the way the WHATWG
//! URL standard's IPv4 parser (and so every browser, and `inet_aton`) decodes them first
//! (`2130706433`, `0x7f000001`, `0177.0.0.1` and `127.1` are all 127.0.0.1), so the refusal can
//! say which address a non-canonical spelling meant. A name is never handed to the resolver if
//! its last label is a number, so a resolver can never interpret a number the parser did not.

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
};

/// The longest DNS name accepted (RFC 1035 section 2.3.4, without the trailing dot).
const MAX_NAME_LEN: usize = 253;
/// The longest DNS label accepted (RFC 1035 section 2.3.4).
const MAX_LABEL_LEN: usize = 63;

/// A parsed `host[:port]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authority {
    /// The host.
    pub host: Host,
    /// The port, if one was written.
    pub port: Option<u16>,
}

/// A host, in the form the proxy resolves or connects to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// A DNS name: ASCII, lowercase, dot-separated labels of letters, digits and `-`.
    Name(String),
    /// An IPv4 address written as dotted-quad decimal.
    Ipv4(Ipv4Addr),
    /// An IPv6 address written in brackets.
    Ipv6(Ipv6Addr),
}

/// Why a `host[:port]` is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The authority is empty, or its host is.
    #[error("empty host")]
    Empty,
    /// The authority carries userinfo (`user[:password]@host`).
    #[error("userinfo (user@host) is not allowed in the target")]
    Userinfo,
    /// The authority contains a backslash.
    #[error("backslash in the target host")]
    Backslash,
    /// The authority is percent-encoded.
    #[error("percent-encoding in the target host")]
    PercentEncoded,
    /// The host is not ASCII (an internationalized name must be written in IDNA `xn--` form).
    #[error("non-ASCII host: write internationalized names in IDNA (xn--) form")]
    NonAscii,
    /// The port is empty, not decimal, has a leading zero, or is out of range.
    #[error("malformed port {port:?}")]
    BadPort {
        /// The port as written.
        port: String,
    },
    /// An IPv6 address without brackets, or several colons.
    #[error("an IPv6 address must be written in brackets, e.g. [2001:db8::1]:443")]
    UnbracketedIpv6,
    /// A bracketed host that is not an IPv6 address (or has a zone).
    #[error("malformed IPv6 address {text:?}")]
    BadIpv6 {
        /// The text inside the brackets.
        text: String,
    },
    /// A numeric host that is not an IPv4 address in any spelling.
    #[error("malformed numeric host {text:?}")]
    BadIpv4 {
        /// The host as written.
        text: String,
    },
    /// A numeric host in another spelling than dotted-quad decimal.
    #[error("the IPv4 address {address} must be written as {address}, not {text:?}")]
    NonCanonicalIpv4 {
        /// The host as written.
        text: String,
        /// The address it means.
        address: Ipv4Addr,
    },
    /// A DNS name with an empty, over-long or badly formed label, or a trailing dot.
    #[error("malformed host name {text:?}")]
    BadName {
        /// The host as written.
        text: String,
    },
}

/// Parse `text`, the first segment of a proxy path, as `host[:port]`.
pub fn parse(text: &str) -> Result<Authority, Error> {
    if text.is_empty() {
        return Err(Error::Empty);
    }
    if text.contains('@') {
        return Err(Error::Userinfo);
    }
    if text.contains('\\') {
        return Err(Error::Backslash);
    }
    if text.contains('%') {
        return Err(Error::PercentEncoded);
    }
    if !text.is_ascii() {
        return Err(Error::NonAscii);
    }
    if let Some(bracketed) = text.strip_prefix('[') {
        let (inside, after) = bracketed.split_once(']').ok_or_else(|| Error::BadIpv6 {
            text: bracketed.to_owned(),
        })?;
        let address: Ipv6Addr = inside.parse().map_err(|_| Error::BadIpv6 {
            text: inside.to_owned(),
        })?;
        let port = match after {
            "" => None,
            _ => Some(parse_port(after.strip_prefix(':').ok_or_else(|| {
                Error::BadPort {
                    port: after.to_owned(),
                }
            })?)?),
        };
        return Ok(Authority {
            host: Host::Ipv6(address),
            port,
        });
    }
    let (host, port) = match text.split_once(':') {
        Some((_, rest)) if rest.contains(':') => return Err(Error::UnbracketedIpv6),
        Some((host, port)) => (host, Some(parse_port(port)?)),
        None => (text, None),
    };
    Ok(Authority {
        host: parse_host(host)?,
        port,
    })
}

/// Parse a host without port: a dotted-quad IPv4 address or a DNS name.
fn parse_host(text: &str) -> Result<Host, Error> {
    if text.is_empty() {
        return Err(Error::Empty);
    }
    if text.contains(['[', ']']) {
        return Err(Error::BadIpv6 {
            text: text.to_owned(),
        });
    }
    if ends_in_number(text) {
        let address = decode_ipv4(text).ok_or_else(|| Error::BadIpv4 {
            text: text.to_owned(),
        })?;
        if address.to_string() != text {
            return Err(Error::NonCanonicalIpv4 {
                text: text.to_owned(),
                address,
            });
        }
        return Ok(Host::Ipv4(address));
    }
    let bad_name = || Error::BadName {
        text: text.to_owned(),
    };
    if text.len() > MAX_NAME_LEN {
        return Err(bad_name());
    }
    for label in text.split('.') {
        let well_formed = !label.is_empty()
            && label.len() <= MAX_LABEL_LEN
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !well_formed {
            return Err(bad_name());
        }
    }
    Ok(Host::Name(text.to_ascii_lowercase()))
}

/// A port: decimal digits, no sign, no leading zero, 1..=65535.
fn parse_port(text: &str) -> Result<u16, Error> {
    let bad = || Error::BadPort {
        port: text.to_owned(),
    };
    if text.is_empty() || text.len() > 5 || text.starts_with('0') {
        return Err(bad());
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    text.parse::<u16>().map_err(|_| bad())
}

/// Whether the WHATWG URL standard would parse `host` as an IPv4 address: its last label (after
/// one optional trailing dot) is decimal digits or `0x`-prefixed hex.
fn ends_in_number(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    let last = host.rsplit('.').next().unwrap_or(host);
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    last.strip_prefix("0x")
        .or_else(|| last.strip_prefix("0X"))
        .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Decode a numeric host as the WHATWG URL standard's IPv4 parser does: one to four parts,
/// each decimal, octal (leading `0`) or hex (`0x`), the last filling the remaining bytes.
fn decode_ipv4(host: &str) -> Option<Ipv4Addr> {
    let host = host.strip_suffix('.').unwrap_or(host);
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut numbers = Vec::with_capacity(parts.len());
    for part in &parts {
        numbers.push(decode_ipv4_part(part)?);
    }
    let (last, leading) = numbers.split_last()?;
    if leading.iter().any(|&n| n > 255) {
        return None;
    }
    let last_bits = 8 * (5 - numbers.len() as u32);
    if last_bits < 64 && *last >= 1u64 << last_bits {
        return None;
    }
    let mut value = *last;
    for (index, &n) in leading.iter().enumerate() {
        value += n << (8 * (3 - index as u32));
    }
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

/// One part of a WHATWG IPv4 host: `0x…` hex, `0…` octal, else decimal.
fn decode_ipv4_part(part: &str) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) =
        if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            (hex, 16)
        } else if part.len() > 1 && part.starts_with('0') {
            (&part[1..], 8)
        } else {
            (part, 10)
        };
    if digits.is_empty() {
        // "0x" alone is zero in the WHATWG parser.
        return Some(0);
    }
    if digits.len() > 16 {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// Access
impl Host {
    /// The address, if the host is an IP literal.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Host::Name(_) => None,
            Host::Ipv4(address) => Some(IpAddr::V4(*address)),
            Host::Ipv6(address) => Some(IpAddr::V6(*address)),
        }
    }
}

impl fmt::Display for Host {
    /// The host as it goes into a URL or a `Host` header: IPv6 in brackets.
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(name) => out.write_str(name),
            Host::Ipv4(address) => write!(out, "{address}"),
            Host::Ipv6(address) => write!(out, "[{address}]"),
        }
    }
}

impl fmt::Display for Authority {
    /// `host[:port]`, as written in a proxy path.
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(out, "{}:{port}", self.host),
            None => write!(out, "{}", self.host),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use crate::target::{parse, Authority, Error, Host};

    fn ok(text: &str) -> Authority {
        parse(text).unwrap_or_else(|err| panic!("{text:?} should parse: {err}"))
    }

    #[test]
    fn names_addresses_and_ports() {
        assert_eq!(
            ok("GitHub.com"),
            Authority {
                host: Host::Name("github.com".into()),
                port: None
            }
        );
        assert_eq!(ok("xn--bcher-kva.example:8443").port, Some(8443));
        assert_eq!(ok("10.1.2.3").host, Host::Ipv4(Ipv4Addr::new(10, 1, 2, 3)));
        assert_eq!(ok("[::1]:443").host, Host::Ipv6(Ipv6Addr::LOCALHOST));
        assert_eq!(ok("[::1]:443").to_string(), "[::1]:443");
        assert_eq!(ok("[::ffff:127.0.0.1]").to_string(), "[::ffff:127.0.0.1]");
    }

    #[test]
    fn numeric_spellings_are_decoded_and_refused_unless_canonical() {
        for spelling in [
            "2130706433",
            "0x7f000001",
            "0X7F000001",
            "0177.0.0.1",
            "127.1",
            "127.0.1",
            "0x7f.1",
            "017700000001",
            "127.0.0.1.",
            "127.000.000.001",
        ] {
            assert_eq!(
                parse(spelling),
                Err(Error::NonCanonicalIpv4 {
                    text: spelling.into(),
                    address: Ipv4Addr::LOCALHOST
                }),
                "{spelling} means 127.0.0.1 to a browser and to inet_aton, so it must be decoded as such"
            );
        }
        assert!(matches!(
            parse("0"),
            Err(Error::NonCanonicalIpv4 { address, .. }) if address == Ipv4Addr::UNSPECIFIED
        ));
        assert_eq!(
            ok("0.0.0.0").host,
            Host::Ipv4(Ipv4Addr::UNSPECIFIED),
            "canonical spellings parse; the address policy refuses them"
        );
        for bad in [
            "256.0.0.1",
            "1.2.3.4.5",
            "4294967296",
            "0x1.0x2.0x3.0x100",
            "foo.123",
            "1..2",
            "09",
        ] {
            assert!(
                matches!(parse(bad), Err(Error::BadIpv4 { .. })),
                "{bad:?} ends in a number but is no IPv4 address: {:?}",
                parse(bad)
            );
        }
    }

    #[test]
    fn ambiguous_forms_are_refused() {
        let cases: &[(&str, Error)] = &[
            ("", Error::Empty),
            (":443", Error::Empty),
            ("user@github.com", Error::Userinfo),
            ("user:token@github.com", Error::Userinfo),
            ("github.com\\evil", Error::Backslash),
            ("github%2ecom", Error::PercentEncoded),
            ("127.0.0.1%2f", Error::PercentEncoded),
            ("bücher.example", Error::NonAscii),
            ("::1", Error::UnbracketedIpv6),
            ("::ffff:127.0.0.1", Error::UnbracketedIpv6),
        ];
        for (text, expected) in cases {
            assert_eq!(&parse(text), &Err(expected.clone()), "{text:?}");
        }
        for port in [
            "", "0", "08781", "65536", "99999", "+80", "80a", " 80", "443 ",
        ] {
            let text = format!("example.com:{port}");
            assert!(
                matches!(parse(&text), Err(Error::BadPort { .. })),
                "{text:?} has a malformed port: {:?}",
                parse(&text)
            );
        }
        for name in [
            "example.com.",
            "-example.com",
            "example-.com",
            "exa_mple.com",
            "exa mple.com",
            "a..b",
            ".example.com",
        ] {
            assert!(
                matches!(parse(name), Err(Error::BadName { .. })),
                "{name:?}: {:?}",
                parse(name)
            );
        }
        for bracketed in [
            "[::1",
            "[fe80::1%25eth0]",
            "[fe80::1%eth0]",
            "[127.0.0.1]",
            "[::1]x",
        ] {
            assert!(parse(bracketed).is_err(), "{bracketed:?} must be refused");
        }
    }
}
