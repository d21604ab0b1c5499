//! HTTP for tabgit: the one edge through which the git protocol reaches a server.
//!
//! [`HttpClient`] is an async trait so the same protocol code runs over `fetch` in the browser
//! ([`fetch::FetchClient`], wasm32) and over a blocking native client ([`native::NativeClient`],
//! whose futures complete immediately; the CLI drives them with a minimal executor).
//!
//! Credentials are bound to an [`Origin`] (scheme, host, port): [`Credentials::header_for`]
//! gives an `Authorization` header only for a URL on that same origin, so a redirect or a
//! server-supplied URL can never carry a secret elsewhere (`RELIABILITY.md` rows 19 and 33).
//! [`redact`] strips anything secret-looking from URLs before they reach messages or logs.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
// The trait's futures are not `Send`: browser futures never are.
#![allow(async_fn_in_trait)]

pub mod url;

#[cfg(not(target_arch = "wasm32"))]
pub mod native;

#[cfg(target_arch = "wasm32")]
pub mod fetch;

pub use url::{redact, Origin, Url};

/// The reasons an HTTP exchange failed below the git protocol.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// The host could not be reached (DNS, refused, TLS, offline, or a browser CORS failure).
    #[error("could not reach {host}: {reason}")]
    Unreachable {
        /// The host (no credentials, no path).
        host: String,
        /// What failed.
        reason: String,
    },
    /// The connection broke while the response body was arriving.
    #[error("the connection to {host} was cut: {reason}")]
    Interrupted {
        /// The host.
        host: String,
        /// What failed.
        reason: String,
    },
    /// No data arrived for too long.
    #[error("{host} stopped sending data (timed out)")]
    TimedOut {
        /// The host.
        host: String,
    },
    /// The caller cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The URL is not one tabgit can use.
    #[error(transparent)]
    Url(#[from] url::Error),
}

/// An HTTP method tabgit uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET` (discovery).
    Get,
    /// `POST` (upload-pack, receive-pack).
    Post,
}

/// A request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: Url,
    /// Header names and values (names lower case).
    pub headers: Vec<(String, String)>,
    /// The body, for `POST`.
    pub body: Option<Vec<u8>>,
}

/// A response whose body arrives in chunks.
pub struct Response<B> {
    /// The status code.
    pub status: u16,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: B,
}

impl<B> Response<B> {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response body read chunk by chunk.
pub trait Body {
    /// The next chunk, or `None` at the end.
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, Error>;

    /// Read the whole body, refusing more than `limit` bytes.
    async fn read_to_end(&mut self, limit: usize) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        while let Some(chunk) = self.next_chunk().await? {
            if out.len() + chunk.len() > limit {
                return Err(Error::Interrupted {
                    host: String::new(),
                    reason: format!("response larger than {limit} bytes"),
                });
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }
}

/// Something that performs HTTP requests.
///
/// Implementations never follow redirects themselves (the native client) or only within the
/// same origin (the browser through tabgit's proxy); the caller decides what to do with a `3xx`.
pub trait HttpClient {
    /// The body type of responses.
    type Body: Body;
    /// Send `request` and return the response head; the body streams from it.
    async fn send(&self, request: Request) -> Result<Response<Self::Body>, Error>;
}

/// How a user authenticates to a git host.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// HTTP Basic with a user name and a token or password.
    Basic {
        /// The user name.
        username: String,
        /// The token or password.
        secret: String,
    },
    /// `Authorization: Bearer <token>`.
    Bearer {
        /// The token.
        token: String,
    },
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
            Auth::Bearer { .. } => f.write_str("Bearer(<redacted>)"),
        }
    }
}

/// Credentials and the one origin they may be sent to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// Where they belong.
    pub origin: Origin,
    /// What they are.
    pub auth: Auth,
}

impl Credentials {
    /// The `Authorization` header value for a request to `url`, or `None` if `url` is on another
    /// origin than the credentials'.
    pub fn header_for(&self, url: &Url) -> Option<String> {
        if url.origin() != self.origin {
            return None;
        }
        Some(match &self.auth {
            Auth::Basic { username, secret } => format!(
                "Basic {}",
                base64(format!("{username}:{secret}").as_bytes())
            ),
            Auth::Bearer { token } => format!("Bearer {token}"),
        })
    }
}

/// Standard base64 with padding (RFC 4648), for Basic auth.
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(ALPHABET[(n >> 18) as usize & 63] as char);
        out.push(ALPHABET[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            ALPHABET[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            ALPHABET[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("user:tok", "dXNlcjp0b2s="),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn credentials_go_only_to_their_origin() {
        let creds = Credentials {
            origin: Url::parse("https://git.example.com/a.git")
                .expect("url")
                .origin(),
            auth: Auth::Basic {
                username: "u".into(),
                secret: "s3cret".into(),
            },
        };
        assert!(creds
            .header_for(&Url::parse("https://git.example.com/other.git/info/refs").expect("url"))
            .is_some());
        for elsewhere in [
            "http://git.example.com/a.git",
            "https://git.example.com:444/a.git",
            "https://evil.example.com/a.git",
            "https://git.example.com.evil.org/a.git",
        ] {
            assert_eq!(
                creds.header_for(&Url::parse(elsewhere).expect("url")),
                None,
                "{elsewhere} gets no secret"
            );
        }
        assert!(
            !format!("{creds:?}").contains("s3cret"),
            "debug output never shows the secret"
        );
    }
}
