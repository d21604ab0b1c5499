//! Which requests the proxy forwards, decided from the method, path, query and content type
//! alone: a pure function, tested without a network (isomorphic-git cors-proxy's `isAllowed`,
//! made strict; RELIABILITY.md section 5, rows 2 and 6).
//!
//! The proxy forwards the three requests of git smart HTTP (`gitprotocol-http.adoc`), with the
//! target host as the first path segment (the isomorphic-git cors-proxy convention):
//!
//! ```text
//! GET     /<host>[:port]/<repo>/info/refs?service=git-upload-pack      ; or git-receive-pack
//! POST    /<host>[:port]/<repo>/git-upload-pack    Content-Type: application/x-git-upload-pack-request
//! POST    /<host>[:port]/<repo>/git-receive-pack   Content-Type: application/x-git-receive-pack-request
//! OPTIONS any of these paths (a CORS preflight)
//! ```
//!
//! The path is parsed segment by segment, never suffix-matched: `<repo>` is one or more
//! non-empty segments, none of them `.` or `..`, of URI path characters only (RFC 3986
//! `pchar`), with no percent-encoded `.`, `\` or NUL (`%2e`, `%5c`, `%00`), so a server that
//! decodes and normalizes cannot be walked out of the repository. The query must be exactly one
//! `service` parameter for discovery and absent for the POSTs.

use std::fmt;

use crate::{
    target::{self, Authority},
    Refusal,
};

/// The longest path the proxy forwards.
const MAX_PATH_LEN: usize = 2048;

/// The two git services of smart HTTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// `git-upload-pack`: fetch and clone.
    UploadPack,
    /// `git-receive-pack`: push.
    ReceivePack,
}

/// Which smart-HTTP endpoint a request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET <repo>/info/refs?service=<service>`: ref discovery.
    InfoRefs(Service),
    /// `POST <repo>/<service>`: the service's request and result.
    Rpc(Service),
}

/// A request the proxy may forward (subject to the target policy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The target `host[:port]`.
    pub authority: Authority,
    /// The repository path on the target, starting with `/`, still percent-encoded.
    pub repo_path: String,
    /// The endpoint.
    pub endpoint: Endpoint,
    /// Whether the request is an `OPTIONS` preflight for this endpoint.
    pub preflight: bool,
}

/// Classify a request: `Ok` with its route if it is git smart HTTP, else the refusal.
///
/// `OPTIONS` preflights are classified by their path alone; the method they announce is
/// checked against [`Endpoint::method`] by the caller.
pub fn classify(
    method: &str,
    path: &str,
    query: Option<&str>,
    content_type: Option<&str>,
) -> Result<Route, Refusal> {
    if path.len() > MAX_PATH_LEN {
        return Err(Refusal::NotGitPath);
    }
    let rest = path.strip_prefix('/').ok_or(Refusal::NotGitPath)?;
    let (authority, repo_and_endpoint) = rest.split_once('/').ok_or(Refusal::NotGitPath)?;
    let authority = target::parse(authority).map_err(|err| match err {
        target::Error::NonCanonicalIpv4 { address, .. }
            if crate::policy::is_refused_address(address.into()) =>
        {
            Refusal::PrivateAddress
        }
        _ => Refusal::BadTarget,
    })?;
    let segments: Vec<&str> = repo_and_endpoint.split('/').collect();
    if !segments.iter().all(|segment| is_repo_segment(segment)) {
        return Err(Refusal::NotGitPath);
    }
    let (endpoint_segments, endpoint) = match segments.as_slice() {
        [.., "info", "refs"] => (2, None),
        [.., "git-upload-pack"] => (1, Some(Service::UploadPack)),
        [.., "git-receive-pack"] => (1, Some(Service::ReceivePack)),
        _ => return Err(Refusal::NotGitPath),
    };
    let repo_segments = &segments[..segments.len() - endpoint_segments];
    if repo_segments.is_empty() {
        return Err(Refusal::NotGitPath);
    }
    let preflight = method == "OPTIONS";
    let endpoint = match endpoint {
        None => {
            if !(preflight || method == "GET") {
                return Err(Refusal::Method);
            }
            let service = match query {
                Some("service=git-upload-pack") => Service::UploadPack,
                Some("service=git-receive-pack") => Service::ReceivePack,
                // A preflight carries the query of the request it announces.
                _ if preflight && query.is_none() => Service::UploadPack,
                _ => return Err(Refusal::Query),
            };
            Endpoint::InfoRefs(service)
        }
        Some(service) => {
            if !(preflight || method == "POST") {
                return Err(Refusal::Method);
            }
            if query.is_some() {
                return Err(Refusal::Query);
            }
            let expected = service.request_content_type();
            let matches = content_type.is_some_and(|ct| ct.eq_ignore_ascii_case(expected));
            if !preflight && !matches {
                return Err(Refusal::ContentType);
            }
            Endpoint::Rpc(service)
        }
    };
    Ok(Route {
        authority,
        repo_path: format!("/{}", repo_segments.join("/")),
        endpoint,
        preflight,
    })
}

/// Whether `segment` may appear in a repository path: non-empty, not a dot segment, only
/// RFC 3986 `pchar`s, and no percent-encoded dot, backslash or NUL.
fn is_repo_segment(segment: &str) -> bool {
    if segment.is_empty() || segment == "." || segment == ".." {
        return false;
    }
    let bytes = segment.as_bytes();
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%' {
            let Some(hex) = bytes.get(index + 1..index + 3) else {
                return false;
            };
            let Some(decoded) = std::str::from_utf8(hex)
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            else {
                return false;
            };
            if matches!(decoded, b'.' | b'\\' | 0) {
                return false;
            }
            index += 3;
            continue;
        }
        let pchar = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&byte);
        if !pchar {
            return false;
        }
        index += 1;
    }
    true
}

/// Access
impl Service {
    /// The service name: `git-upload-pack` or `git-receive-pack`.
    pub fn name(self) -> &'static str {
        match self {
            Service::UploadPack => "git-upload-pack",
            Service::ReceivePack => "git-receive-pack",
        }
    }

    /// The request content type of `POST <repo>/<service>`.
    pub fn request_content_type(self) -> &'static str {
        match self {
            Service::UploadPack => "application/x-git-upload-pack-request",
            Service::ReceivePack => "application/x-git-receive-pack-request",
        }
    }

    /// The content type a host must answer `POST <repo>/<service>` with.
    pub fn result_content_type(self) -> &'static str {
        match self {
            Service::UploadPack => "application/x-git-upload-pack-result",
            Service::ReceivePack => "application/x-git-receive-pack-result",
        }
    }

    /// The content type a host must answer `GET <repo>/info/refs?service=<service>` with.
    pub fn advertisement_content_type(self) -> &'static str {
        match self {
            Service::UploadPack => "application/x-git-upload-pack-advertisement",
            Service::ReceivePack => "application/x-git-receive-pack-advertisement",
        }
    }
}

/// Access
impl Endpoint {
    /// The method of the request (what a preflight must announce).
    pub fn method(self) -> &'static str {
        match self {
            Endpoint::InfoRefs(_) => "GET",
            Endpoint::Rpc(_) => "POST",
        }
    }

    /// The service the endpoint belongs to.
    pub fn service(self) -> Service {
        match self {
            Endpoint::InfoRefs(service) | Endpoint::Rpc(service) => service,
        }
    }
}

/// Access
impl Route {
    /// The path to request from the target, without query: `/<repo>/info/refs` or
    /// `/<repo>/<service>`.
    pub fn upstream_path(&self) -> String {
        match self.endpoint {
            Endpoint::InfoRefs(_) => format!("{}/info/refs", self.repo_path),
            Endpoint::Rpc(service) => format!("{}/{}", self.repo_path, service.name()),
        }
    }

    /// The path and query to request from the target: `/<repo>/info/refs?service=…` or
    /// `/<repo>/<service>`.
    pub fn upstream_path_and_query(&self) -> String {
        match self.endpoint {
            Endpoint::InfoRefs(service) => {
                format!("{}?service={}", self.upstream_path(), service.name())
            }
            Endpoint::Rpc(_) => self.upstream_path(),
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use crate::{
        route::{classify, Endpoint, Service},
        Refusal,
    };

    const UPLOAD_REQUEST: Option<&str> = Some("application/x-git-upload-pack-request");

    #[test]
    fn git_routes_only() {
        let route = classify(
            "GET",
            "/h:1/r.git/info/refs",
            Some("service=git-upload-pack"),
            None,
        )
        .expect("discovery");
        assert_eq!(route.authority.to_string(), "h:1");
        assert_eq!(route.repo_path, "/r.git");
        assert_eq!(route.endpoint, Endpoint::InfoRefs(Service::UploadPack));
        assert_eq!(
            route.upstream_path_and_query(),
            "/r.git/info/refs?service=git-upload-pack"
        );
        let route =
            classify("POST", "/h/o/r/git-upload-pack", None, UPLOAD_REQUEST).expect("upload-pack");
        assert_eq!(route.upstream_path_and_query(), "/o/r/git-upload-pack");
        assert!(classify(
            "POST",
            "/h/r/git-receive-pack",
            None,
            Some("application/x-git-receive-pack-request")
        )
        .is_ok());
        assert!(
            classify(
                "POST",
                "/h/r/git-upload-pack",
                None,
                Some("APPLICATION/X-GIT-UPLOAD-PACK-REQUEST")
            )
            .is_ok(),
            "media types are case-insensitive"
        );
        assert!(classify("OPTIONS", "/h/r/git-receive-pack", None, None).is_ok());
        assert!(classify(
            "OPTIONS",
            "/h/r/info/refs",
            Some("service=git-receive-pack"),
            None
        )
        .is_ok());
        assert!(
            classify(
                "GET",
                "/h/_fault/redirect=%2Fmoved,on=post/r.git/info/refs",
                Some("service=git-upload-pack"),
                None
            )
            .is_ok(),
            "sub-delimiters and an encoded slash inside a segment are path characters"
        );
    }

    #[test]
    fn everything_else_is_refused() {
        type Case<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, Refusal);
        let cases: &[Case] = &[
            (
                "GET",
                "/h/r/info/refs",
                Some("service=x"),
                None,
                Refusal::Query,
            ),
            ("GET", "/h/r/info/refs", None, None, Refusal::Query),
            (
                "GET",
                "/h/r/info/refs",
                Some("service=git-upload-pack&x=1"),
                None,
                Refusal::Query,
            ),
            (
                "GET",
                "/h/r/info/refs",
                Some("x=1&service=git-upload-pack"),
                None,
                Refusal::Query,
            ),
            (
                "POST",
                "/h/r/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::Method,
            ),
            (
                "PUT",
                "/h/r/git-upload-pack",
                None,
                UPLOAD_REQUEST,
                Refusal::Method,
            ),
            ("GET", "/h/r/git-upload-pack", None, None, Refusal::Method),
            (
                "DELETE",
                "/h/r/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::Method,
            ),
            (
                "POST",
                "/h/r/git-upload-pack",
                None,
                Some("text/plain"),
                Refusal::ContentType,
            ),
            (
                "POST",
                "/h/r/git-upload-pack",
                None,
                Some("application/x-git-receive-pack-request"),
                Refusal::ContentType,
            ),
            (
                "POST",
                "/h/r/git-upload-pack",
                None,
                None,
                Refusal::ContentType,
            ),
            (
                "POST",
                "/h/r/git-upload-pack",
                Some(""),
                UPLOAD_REQUEST,
                Refusal::Query,
            ),
            (
                "GET",
                "/h/r/objects/info/packs",
                None,
                None,
                Refusal::NotGitPath,
            ),
            ("GET", "/h/r/HEAD", None, None, Refusal::NotGitPath),
            (
                "GET",
                "/h/r/info/refs/x",
                Some("service=git-upload-pack"),
                None,
                Refusal::NotGitPath,
            ),
            (
                "GET",
                "/h/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::NotGitPath,
            ),
            (
                "POST",
                "/h/git-upload-pack",
                None,
                UPLOAD_REQUEST,
                Refusal::NotGitPath,
            ),
            (
                "GET",
                "/h/r/xinfo/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::NotGitPath,
            ),
            (
                "POST",
                "/h/r/x-git-upload-pack",
                None,
                UPLOAD_REQUEST,
                Refusal::NotGitPath,
            ),
            (
                "GET",
                "/h/../info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::NotGitPath,
            ),
            (
                "GET",
                "/h/r/../s/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::NotGitPath,
            ),
            (
                "GET",
                "/h/r/./info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::NotGitPath,
            ),
            (
                "GET",
                "/h//r/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::NotGitPath,
            ),
            (
                "GET",
                "/h/%2e%2e/r/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::NotGitPath,
            ),
            (
                "GET",
                "/h/r%5c..%5cs/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::NotGitPath,
            ),
            (
                "GET",
                "/h/r%00/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::NotGitPath,
            ),
            (
                "GET",
                "/h/r%zz/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::NotGitPath,
            ),
            (
                "GET",
                "/h/r\\s/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::NotGitPath,
            ),
            (
                "GET",
                "/user@h/r/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::BadTarget,
            ),
            (
                "GET",
                "/h%2ecom/r/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::BadTarget,
            ),
            (
                "GET",
                "/::1/r/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::BadTarget,
            ),
            (
                "GET",
                "/2130706433/r/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::PrivateAddress,
            ),
            (
                "GET",
                "/0x7f000001/r/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::PrivateAddress,
            ),
            (
                "GET",
                "/0x8.0x8.0x8.0x8/r/info/refs",
                Some("service=git-upload-pack"),
                None,
                Refusal::BadTarget,
            ),
            ("GET", "/", None, None, Refusal::NotGitPath),
            ("GET", "/healthz", None, None, Refusal::NotGitPath),
            ("OPTIONS", "/h/r/HEAD", None, None, Refusal::NotGitPath),
        ];
        for (method, path, query, content_type, expected) in cases {
            assert_eq!(
                classify(method, path, *query, *content_type).map(|_| ()),
                Err(*expected),
                "{method} {path} {query:?} {content_type:?}"
            );
        }
        let long = format!("/h/{}/info/refs", "a".repeat(3000));
        assert_eq!(
            classify("GET", &long, Some("service=git-upload-pack"), None).map(|_| ()),
            Err(Refusal::NotGitPath)
        );
    }
}
