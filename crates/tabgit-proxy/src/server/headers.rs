//! The header allowlists both ways, the CORS headers and the security headers every response
//! carries (RELIABILITY.md section 5, rows 1, 8, 9 and 10).

use hyper::{
    header::{self, HeaderName, HeaderValue},
    http::request::Parts,
    HeaderMap,
};

use crate::route::Endpoint;

/// The `User-Agent` sent to every host: hosts such as GitHub serve smart HTTP to `git/*` agents.
pub const USER_AGENT: &str = concat!("git/2.0 (tabgit-proxy/", env!("CARGO_PKG_VERSION"), ")");

/// Request headers forwarded to hosts on `POST`s; everything else (cookies, `Host`, `Origin`,
/// `Referer`, `X-Forwarded-*`, `Proxy-Authorization`, the client's `User-Agent`, …) is dropped.
pub const FORWARDED_REQUEST_HEADERS: &[&str] = &[
    "authorization",
    "content-type",
    "content-encoding",
    "git-protocol",
    "accept",
    "accept-encoding",
    "content-length",
];

/// Request headers forwarded on ref discovery (`GET …/info/refs`). `Accept-Encoding` is not:
/// the proxy reads the first bytes of the advertisement to check them, so it asks for an
/// uncompressed one.
pub const FORWARDED_DISCOVERY_HEADERS: &[&str] = &["authorization", "git-protocol", "accept"];

/// Response headers passed back with a git answer (`200`). `WWW-Authenticate` is passed as
/// `X-WWW-Authenticate`; `Set-Cookie` and everything else are dropped.
pub const PASSED_RESPONSE_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "content-encoding",
    "cache-control",
    "expires",
    "pragma",
    "retry-after",
    "x-github-request-id",
];

/// Response headers passed back with a host's error status (its body is replaced).
pub const PASSED_ERROR_HEADERS: &[&str] = &["cache-control", "retry-after", "x-github-request-id"];

/// The headers a browser may read from a proxy response (`Access-Control-Expose-Headers`).
pub const EXPOSED_HEADERS: &str = "content-type, content-length, content-encoding, cache-control, retry-after, x-github-request-id, x-www-authenticate, x-proxy-error";

/// The request headers a browser may send (`Access-Control-Allow-Headers`).
pub const ALLOWED_REQUEST_HEADERS: &str =
    "authorization, content-type, content-encoding, git-protocol, accept";

/// How long a browser may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "600";

/// Copy the forwarded request headers for `endpoint` from the browser's request.
pub(crate) fn forwarded_request_headers(parts: &Parts, endpoint: Endpoint) -> HeaderMap {
    let names = match endpoint {
        Endpoint::InfoRefs(_) => FORWARDED_DISCOVERY_HEADERS,
        Endpoint::Rpc(_) => FORWARDED_REQUEST_HEADERS,
    };
    let mut headers = HeaderMap::new();
    for name in names {
        for value in parts.headers.get_all(*name) {
            headers.append(HeaderName::from_static(name), value.clone());
        }
    }
    headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
    headers
}

/// Copy the headers in `names` from a host's answer, and its `WWW-Authenticate` as
/// `X-WWW-Authenticate` (so the browser shows no login dialog of its own; the app asks).
pub(crate) fn passed_response_headers(upstream: &HeaderMap, names: &[&'static str]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for name in names {
        for value in upstream.get_all(*name) {
            headers.append(HeaderName::from_static(name), value.clone());
        }
    }
    for value in upstream.get_all(header::WWW_AUTHENTICATE) {
        headers.append(HeaderName::from_static("x-www-authenticate"), value.clone());
    }
    headers
}

/// Add the headers every response carries: `nosniff`, a sandboxing CSP, a same-origin resource
/// policy, `Vary: Origin`, and, for an allowed origin, the CORS headers (never
/// `Access-Control-Allow-Credentials`).
pub(crate) fn add_response_headers(headers: &mut HeaderMap, allowed_origin: Option<&HeaderValue>) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.append(header::VARY, HeaderValue::from_static("origin"));
    if let Some(origin) = allowed_origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
}

/// Add the preflight answer's headers for `endpoint`.
pub(crate) fn add_preflight_headers(headers: &mut HeaderMap, endpoint: Endpoint) {
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(endpoint.method()),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOWED_REQUEST_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(PREFLIGHT_MAX_AGE),
    );
}
