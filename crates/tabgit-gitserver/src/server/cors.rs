//! CORS headers for browser clients on another origin (the Fetch standard's CORS protocol).
//!
//! Browser tests fetch from this server on a different origin, so every response carries the
//! headers below and `OPTIONS` preflights are answered with `204 No Content`.

use hyper::{
    header::{self, HeaderValue},
    HeaderMap,
};

/// The methods git's smart HTTP uses.
const ALLOW_METHODS: &str = "GET, POST, OPTIONS";

/// The request headers a browser git client sends.
const ALLOW_HEADERS: &str = "Authorization, Content-Type, Git-Protocol, Accept";

/// The response headers a browser git client needs to read.
const EXPOSE_HEADERS: &str = "Content-Type, Retry-After, WWW-Authenticate, Location";

/// How long a browser may cache a preflight, in seconds.
const MAX_AGE_SECONDS: &str = "600";

/// Add the CORS headers for a request from `origin` to `headers`: the origin is echoed (with
/// `Vary: Origin`), or `*` when the request has none.
pub(crate) fn add_headers(headers: &mut HeaderMap, origin: Option<&HeaderValue>) {
    match origin {
        Some(origin) => {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            headers.append(header::VARY, HeaderValue::from_static("Origin"));
        }
        None => {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
        }
    }
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOW_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE_SECONDS),
    );
}

/// Add what a preflight needs beyond [`add_headers`]: Chromium's Private Network Access
/// preflights ask with `Access-Control-Request-Private-Network: true` and need the matching
/// `Access-Control-Allow-Private-Network: true` (WICG Private Network Access, section 3.2).
pub(crate) fn add_preflight_headers(headers: &mut HeaderMap, request_headers: &HeaderMap) {
    let asks_private_network = request_headers
        .get("access-control-request-private-network")
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"true"));
    if asks_private_network {
        headers.insert(
            "access-control-allow-private-network",
            HeaderValue::from_static("true"),
        );
    }
}
