//! Why the proxy did not forward a request, or did not pass an answer back: the value of the
//! `X-Proxy-Error` header (RELIABILITY.md section 5, row 12).
//!
//! Every refusal is an HTTP status plus a stable, machine-readable code that the browser can
//! read (the header is listed in `Access-Control-Expose-Headers`), and a one-line text body for
//! people. The codes are part of the proxy's interface: the app branches on them, so they never
//! change meaning.

use hyper::StatusCode;

/// A refusal: the status and `X-Proxy-Error` code the proxy answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// `not-git-path`: the path is not `/<host>/<repo>/<git smart-HTTP endpoint>`.
    #[error("not a git smart-HTTP path: /<host>[:port]/<repo>/(info/refs?service=...|git-upload-pack|git-receive-pack)")]
    NotGitPath,
    /// `method-not-allowed`: the method does not fit the endpoint.
    #[error("method not allowed for this git endpoint (GET info/refs, POST git-upload-pack/git-receive-pack, OPTIONS)")]
    Method,
    /// `content-type`: the request content type does not fit the endpoint.
    #[error(
        "wrong request content type: POST git-<service> needs application/x-git-<service>-request"
    )]
    ContentType,
    /// `bad-query`: the query is not exactly `service=git-upload-pack|git-receive-pack`.
    #[error("info/refs needs exactly one query parameter, service=git-upload-pack or service=git-receive-pack")]
    Query,
    /// `bad-target`: the `<host>[:port]` segment is malformed or ambiguous.
    #[error("malformed target host")]
    BadTarget,
    /// `host-not-allowed`: the target host is not on the allowlist.
    #[error("this proxy does not forward to that host")]
    HostNotAllowed,
    /// `port-not-allowed`: the target port is not allowed (443, or the ports the operator named).
    #[error("this proxy does not forward to that port")]
    PortNotAllowed,
    /// `private-address`: the target is, or resolves to, a loopback, private, link-local or
    /// otherwise non-public address.
    #[error("the target is a private or otherwise non-public address")]
    PrivateAddress,
    /// `origin-not-allowed`: the request's `Origin` is not on the allowlist.
    #[error("requests from this origin are not allowed")]
    OriginNotAllowed,
    /// `origin-required`: the request has no `Origin` header and the proxy requires one.
    #[error("this proxy serves browsers: the request needs an Origin header")]
    OriginRequired,
    /// `upstream-not-git`: the host answered with something other than git smart HTTP (wrong
    /// content type, or a discovery body not starting with a pkt-line header).
    #[error("the host did not answer with git smart HTTP")]
    UpstreamNotGit,
    /// `cross-authority-redirect`: the host redirected to another scheme, host or port; the
    /// proxy does not follow or pass on such redirects.
    #[error("the host redirected to another host; tabgit-proxy does not follow cross-host redirects, use the new URL directly")]
    CrossAuthorityRedirect,
    /// `redirect-not-git`: a same-host redirect to something that is not a git endpoint.
    #[error("the host redirected to a path that is not a git smart-HTTP endpoint")]
    RedirectNotGit,
    /// `response-too-large`: the answer declares more bytes than the proxy passes on.
    #[error("the answer is larger than this proxy passes on")]
    ResponseTooLarge,
    /// `request-too-large`: the request body is larger than the proxy accepts.
    #[error("the request body is larger than this proxy accepts")]
    RequestTooLarge,
    /// `rate-limited`: too many requests from this client or origin; see `Retry-After`.
    #[error("too many requests; retry after the time in Retry-After")]
    RateLimited,
    /// `too-many-connections`: this client has too many connections open.
    #[error("too many concurrent connections from this client")]
    TooManyConnections,
    /// `overloaded`: the proxy is at its connection limit.
    #[error("the proxy is at its connection limit")]
    Overloaded,
    /// `dns-failed`: the target name did not resolve.
    #[error("the target host name did not resolve")]
    DnsFailed,
    /// `upstream-unreachable`: no connection to the target could be made, or it broke before
    /// answering.
    #[error("could not reach the target host")]
    UpstreamUnreachable,
    /// `upstream-tls`: the TLS handshake with the target failed (certificate, protocol).
    #[error("TLS with the target host failed")]
    UpstreamTls,
    /// `upstream-timeout`: the target took too long (idle or total timeout).
    #[error("the target host timed out")]
    UpstreamTimeout,
}

/// Access
impl Refusal {
    /// The machine-readable code sent in `X-Proxy-Error`.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotGitPath => "not-git-path",
            Refusal::Method => "method-not-allowed",
            Refusal::ContentType => "content-type",
            Refusal::Query => "bad-query",
            Refusal::BadTarget => "bad-target",
            Refusal::HostNotAllowed => "host-not-allowed",
            Refusal::PortNotAllowed => "port-not-allowed",
            Refusal::PrivateAddress => "private-address",
            Refusal::OriginNotAllowed => "origin-not-allowed",
            Refusal::OriginRequired => "origin-required",
            Refusal::UpstreamNotGit => "upstream-not-git",
            Refusal::CrossAuthorityRedirect => "cross-authority-redirect",
            Refusal::RedirectNotGit => "redirect-not-git",
            Refusal::ResponseTooLarge => "response-too-large",
            Refusal::RequestTooLarge => "request-too-large",
            Refusal::RateLimited => "rate-limited",
            Refusal::TooManyConnections => "too-many-connections",
            Refusal::Overloaded => "overloaded",
            Refusal::DnsFailed => "dns-failed",
            Refusal::UpstreamUnreachable => "upstream-unreachable",
            Refusal::UpstreamTls => "upstream-tls",
            Refusal::UpstreamTimeout => "upstream-timeout",
        }
    }

    /// The HTTP status: `403` for everything the proxy will not do, `413`/`429`/`503` for
    /// limits, `502`/`504` when the target could not be reached.
    pub fn status(self) -> StatusCode {
        match self {
            Refusal::RequestTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::RateLimited | Refusal::TooManyConnections => StatusCode::TOO_MANY_REQUESTS,
            Refusal::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            Refusal::DnsFailed | Refusal::UpstreamUnreachable | Refusal::UpstreamTls => {
                StatusCode::BAD_GATEWAY
            }
            Refusal::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
            _ => StatusCode::FORBIDDEN,
        }
    }
}
