//! Talking to other repositories over git smart HTTP: discovery, fetch, clone and push, with
//! every way a server can fail turned into a typed error a user can act on (`RELIABILITY.md`
//! §4.2: N1–N14 and P1–P7).
//!
//! These operations are `async` because their edge, [`HttpClient`], is (the browser's
//! `fetch`); everything else they do (indexing the pack, checking it, updating refs) is the
//! synchronous core.

pub mod clone;
pub mod connectivity;
pub mod fetch;
pub mod push;

use tabgit_protocol::discovery::{self, Advertisement, Service};
use tabgit_protocol::Limits;
use tabgit_transport::{Body, Credentials, HttpClient, Method, Request, Url};

/// The reasons talking to a remote failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The URL is not usable (SSH, embedded credentials, malformed).
    #[error(transparent)]
    Url(#[from] tabgit_transport::url::Error),
    /// No such remote in the config.
    #[error("no remote named '{name}'")]
    NoSuchRemote {
        /// The name.
        name: String,
    },
    /// The host could not be reached, or the connection broke.
    #[error(transparent)]
    Http(#[from] tabgit_transport::Error),
    /// The server wants credentials and none were given (N1): ask once, then retry.
    #[error("{host} needs you to sign in (HTTP 401)")]
    AuthRequired {
        /// The host, without credentials.
        host: String,
    },
    /// The credentials given were refused (N1, second 401).
    #[error("authentication failed for {host}")]
    AuthFailed {
        /// The host.
        host: String,
    },
    /// `403` (N2).
    #[error("access denied (or this service is disabled) on {host}")]
    AccessDenied {
        /// The host.
        host: String,
    },
    /// `404`/`410` (N3).
    #[error("repository not found: {url}")]
    NotFound {
        /// The URL, without credentials.
        url: String,
    },
    /// `429` (N12).
    #[error("{host} is limiting requests; try again{}", retry_after.map(|s| format!(" in {s} seconds")).unwrap_or_default())]
    RateLimited {
        /// The host.
        host: String,
        /// `Retry-After`, in seconds.
        retry_after: Option<u64>,
    },
    /// A redirect to another host (N13, row 33): never followed, so credentials stay home.
    #[error("{from} redirects to another host ({to}); use that URL directly if you trust it")]
    CrossHostRedirect {
        /// Where we asked.
        from: String,
        /// Where it points.
        to: String,
    },
    /// Too many redirects, or a redirect that does not keep the git path.
    #[error("{url} redirects in a way git does not follow")]
    BadRedirect {
        /// The URL.
        url: String,
    },
    /// Any other unexpected status.
    #[error("{host} answered HTTP {status}")]
    Status {
        /// The host.
        host: String,
        /// The status code.
        status: u16,
    },
    /// The proxy refused the request, with its stated reason (N15).
    #[error(
        "the CORS proxy refused the request: {} ({reason})",
        proxy_reason(reason)
    )]
    ProxyRefused {
        /// The proxy's `X-Proxy-Error` reason.
        reason: String,
    },
    /// The response is not git's smart HTTP (N4), is malformed (N8), or reports an error
    /// (N5, N6).
    #[error(transparent)]
    Discovery(#[from] discovery::Error),
    /// A v2 request or response failed.
    #[error(transparent)]
    V2(#[from] tabgit_protocol::v2::Error),
    /// `ls-refs` failed.
    #[error(transparent)]
    LsRefs(#[from] tabgit_protocol::v2::ls_refs::Error),
    /// The v2 fetch exchange failed (including ERR and side-band 3 from the server).
    #[error(transparent)]
    FetchV2(#[from] tabgit_protocol::v2::fetch::Error),
    /// The v0 fetch exchange failed.
    #[error(transparent)]
    FetchV0(#[from] tabgit_protocol::v0::Error),
    /// The fetch arguments need something the server lacks.
    #[error(transparent)]
    FetchArguments(#[from] tabgit_protocol::fetch::Error),
    /// The push exchange failed.
    #[error(transparent)]
    Push(#[from] tabgit_protocol::push::Error),
    /// The pack from the server is corrupt (N10).
    #[error("corrupt pack from the server")]
    Pack(#[from] tabgit_pack::indexer::Error),
    /// The server did not send everything the new refs need (N11, row 29).
    #[error("the server did not send all necessary objects (missing {missing})")]
    Incomplete {
        /// One missing object.
        missing: tabgit_hash::ObjectId,
    },
    /// The fetched history contains a tree that is unsafe to check out (rows 1–12).
    #[error("the fetched history contains an unsafe tree {tree}")]
    UnsafeTree {
        /// The tree.
        tree: tabgit_hash::ObjectId,
        /// Why.
        #[source]
        source: tabgit_object::tree::check::Error,
    },
    /// A fetched object is malformed.
    #[error("the fetched object {id} is malformed: {reason}")]
    Malformed {
        /// The object.
        id: tabgit_hash::ObjectId,
        /// Why.
        reason: String,
    },
    /// The server advertised a ref name git refuses (row 31).
    #[error("the server advertised an invalid ref name {name:?}")]
    BadRefName {
        /// The name, lossily decoded.
        name: String,
    },
    /// The operation was cancelled; the repository is as it was.
    #[error("cancelled; nothing was changed")]
    Cancelled,
    /// The local repository could not be read or written.
    #[error(transparent)]
    Repository(#[from] crate::Error),
    /// Local refs could not be updated.
    #[error(transparent)]
    Refs(#[from] tabgit_store::refs::Error),
    /// A local walk failed.
    #[error(transparent)]
    Graph(#[from] tabgit_revision::graph::Error),
    /// Checking out after a clone failed.
    #[error(transparent)]
    Checkout(#[from] crate::checkout::Error),
    /// The repository's config could not be changed.
    #[error(transparent)]
    Config(#[from] tabgit_config::file::Error),
    /// Something the operation cannot do (e.g. a merge that pull would need).
    #[error("{0}")]
    Unsupported(String),
}

/// What a long operation is doing, for progress bars.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    /// Asking the server what it has.
    Discovering,
    /// Negotiating what to send.
    Negotiating,
    /// Receiving the pack.
    Receiving {
        /// Bytes so far.
        bytes: u64,
        /// Objects fully received so far.
        objects: usize,
        /// Objects in the pack (0 until its header arrives).
        total_objects: u32,
    },
    /// Resolving deltas.
    Resolving {
        /// Deltas resolved.
        done: usize,
        /// Deltas in total.
        total: usize,
    },
    /// Checking what was received.
    Checking,
    /// Writing files into the working tree.
    CheckingOut {
        /// Files written.
        done: usize,
        /// Files in total.
        total: usize,
    },
    /// Sending a pack (push).
    Sending {
        /// Bytes of pack.
        bytes: u64,
        /// Objects in it.
        objects: usize,
    },
    /// A message from the server (side-band 2), sanitized.
    Remote(String),
}

/// Passes on progress at most once per percent of a phase (and, while receiving, per MiB), so a
/// clone reports a few hundred steps instead of one per received chunk and per checked-out file.
///
/// ### Performance
///
/// In the browser every report is a message from the engine worker to the page and a redraw
/// there: a `medium` clone sent 3,300 (a `large` one 12,000), and the page's main thread ran
/// script for 1.4 s of the 3.5 s clone; coalesced, 250 messages and 0.23 s (BENCHMARKS.md,
/// browser clone). git's own progress also moves in whole percents.
#[derive(Default)]
pub(crate) struct Coalesce {
    last: Option<(u8, usize, u64)>,
}

impl Coalesce {
    /// Whether `progress` is worth reporting after what was reported before.
    pub(crate) fn pass(&mut self, progress: &Progress) -> bool {
        let percent =
            |done: usize, total: usize| done.saturating_mul(100).checked_div(total).unwrap_or(0);
        let step = match *progress {
            Progress::Receiving {
                bytes,
                objects,
                total_objects,
            } => (1, percent(objects, total_objects as usize), bytes >> 20),
            Progress::Resolving { done, total } => (2, percent(done, total), 0),
            Progress::CheckingOut { done, total } => (3, percent(done, total), 0),
            _ => return true,
        };
        if self.last == Some(step) {
            return false;
        }
        self.last = Some(step);
        true
    }
}

/// How to reach a remote: its URL, credentials (sent only to its origin), an optional CORS
/// proxy, and a cancel check.
pub struct Session<'a, C> {
    /// The HTTP client.
    pub client: &'a C,
    /// The repository URL.
    pub url: Url,
    /// Credentials for the URL's origin.
    pub credentials: Option<Credentials>,
    /// A CORS proxy all requests go through (browser), or `None`.
    pub proxy: Option<Url>,
    /// Returns `true` when the user asked to cancel.
    pub cancelled: &'a dyn Fn() -> bool,
    /// Limits on what the server can make us store.
    pub limits: Limits,
}

impl<C: HttpClient> Session<'_, C> {
    fn check_cancel(&self) -> Result<(), Error> {
        if (self.cancelled)() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }

    fn host(&self) -> String {
        self.url.origin().to_string()
    }

    /// Send a request to `url` (a URL under the repository), adding credentials for the
    /// repository's origin and routing through the proxy.
    async fn send(
        &self,
        method: Method,
        url: &Url,
        headers: Vec<(String, String)>,
        body: Option<Vec<u8>>,
    ) -> Result<tabgit_transport::Response<C::Body>, Error> {
        self.check_cancel()?;
        let mut headers = headers;
        if let Some(auth) = self.credentials.as_ref().and_then(|c| c.header_for(url)) {
            headers.push(("authorization".into(), auth));
        }
        let target = match &self.proxy {
            Some(proxy) => url.via_proxy(proxy),
            None => url.clone(),
        };
        Ok(self
            .client
            .send(Request {
                method,
                url: target,
                headers,
                body,
            })
            .await?)
    }

    /// Turn a non-success status into the error a user can act on.
    fn status_error(&self, status: u16, response_headers: &[(String, String)]) -> Error {
        let header = |name: &str| {
            response_headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        if let Some(reason) = header("x-proxy-error") {
            return Error::ProxyRefused { reason };
        }
        let host = self.host();
        match status {
            401 if self.credentials.is_some() => Error::AuthFailed { host },
            401 => Error::AuthRequired { host },
            403 => Error::AccessDenied { host },
            404 | 410 => Error::NotFound {
                url: self.url.to_string(),
            },
            429 => Error::RateLimited {
                host,
                retry_after: header("retry-after").and_then(|v| v.trim().parse().ok()),
            },
            _ => Error::Status { host, status },
        }
    }

    /// `GET info/refs?service=…`, following same-origin redirects of this initial request only
    /// (git's `http.followRedirects=initial`), and parse the advertisement.
    pub async fn discover(&mut self, service: Service) -> Result<Advertisement, Error> {
        for _ in 0..5 {
            let url = self
                .url
                .join(&format!("info/refs?service={}", service.name()));
            // Only CORS-safelisted headers and those the proxy allows (no `Pragma`: browsers would
            // need it in every preflight).
            let mut headers = vec![("accept".to_owned(), "*/*".to_owned())];
            if service == Service::UploadPack {
                headers.push(("git-protocol".to_owned(), "version=2".to_owned()));
            }
            let mut response = self.send(Method::Get, &url, headers, None).await?;
            match response.status {
                200 => {
                    let content_type = response.header("content-type").map(str::to_owned);
                    let body = response.body.read_to_end(self.limits.max_bytes).await?;
                    return Ok(discovery::parse(
                        service,
                        content_type.as_deref(),
                        &body,
                        &self.limits,
                    )?);
                }
                301 | 302 | 303 | 307 | 308 => {
                    let location = response.header("location").unwrap_or_default().to_owned();
                    let target = if location.starts_with('/') {
                        Url::parse(&format!("{}{location}", self.url.origin()))?
                    } else {
                        Url::parse(&location)?
                    };
                    if target.origin() != self.url.origin() {
                        return Err(Error::CrossHostRedirect {
                            from: self.url.to_string(),
                            to: target.origin().to_string(),
                        });
                    }
                    let suffix = format!("/info/refs?service={}", service.name());
                    let whole = target.to_string();
                    let Some(base) = whole.strip_suffix(&suffix) else {
                        return Err(Error::BadRedirect {
                            url: self.url.to_string(),
                        });
                    };
                    self.url = Url::parse(base)?;
                }
                status => return Err(self.status_error(status, &response.headers)),
            }
        }
        Err(Error::BadRedirect {
            url: self.url.to_string(),
        })
    }

    /// POST a service request and return the response, checked.
    async fn post(
        &self,
        service: Service,
        body: Vec<u8>,
        v2: bool,
    ) -> Result<tabgit_transport::Response<C::Body>, Error> {
        let url = self.url.join(service.name());
        let mut headers = vec![
            (
                "content-type".to_owned(),
                service.request_content_type().to_owned(),
            ),
            (
                "accept".to_owned(),
                service.result_content_type().to_owned(),
            ),
        ];
        if v2 {
            headers.push(("git-protocol".to_owned(), "version=2".to_owned()));
        }
        let response = self.send(Method::Post, &url, headers, Some(body)).await?;
        if response.status != 200 {
            return Err(self.status_error(response.status, &response.headers));
        }
        let content_type = response.header("content-type").unwrap_or_default();
        if !content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .eq_ignore_ascii_case(service.result_content_type())
        {
            return Err(discovery::Error::NotSmartHttp {
                content_type: content_type.to_owned(),
            }
            .into());
        }
        Ok(response)
    }
}

/// Discover the remote and list its refs (`ls-refs` in protocol v2, the advertisement in v0),
/// limited to `prefixes` when the server can filter (v2). Every name is checked (row 31).
pub async fn list_refs<C: HttpClient>(
    session: &mut Session<'_, C>,
    prefixes: Vec<Vec<u8>>,
) -> Result<(Advertisement, Vec<tabgit_protocol::Ref>), Error> {
    let advertisement = session.discover(Service::UploadPack).await?;
    let refs = match &advertisement {
        Advertisement::V2(caps) => {
            let context = tabgit_protocol::v2::Context::new(caps, tabgit_protocol::AGENT);
            let mut options = tabgit_protocol::v2::ls_refs::Options::for_clone(caps);
            options.ref_prefixes = prefixes;
            let body = tabgit_protocol::v2::ls_refs::request(&context, &options)?;
            let mut response = session.post(Service::UploadPack, body, true).await?;
            let text = response.body.read_to_end(session.limits.max_bytes).await?;
            tabgit_protocol::v2::ls_refs::parse_response(&text, &session.limits)?
        }
        Advertisement::Refs(refs) => refs.refs.clone(),
    };
    for r in &refs {
        check_ref_name(&r.name)?;
        if let Some(target) = &r.symref_target {
            check_ref_name(target)?;
        }
    }
    Ok((advertisement, refs))
}

/// Words for the reason codes tabgit's CORS proxy sends in `X-Proxy-Error`.
pub fn proxy_reason(code: &str) -> &'static str {
    match code {
        "not-git-path" | "bad-query" | "method-not-allowed" | "content-type" => {
            "it only forwards git smart-HTTP requests"
        }
        "bad-target" => "the repository URL's host is not valid",
        "host-not-allowed" => "this proxy is not allowed to reach that host",
        "port-not-allowed" => "this proxy is not allowed to reach that port",
        "private-address" => {
            "the host is on a private or local network, which this proxy does not reach"
        }
        "origin-not-allowed" | "origin-required" => "this proxy does not serve this web site",
        "upstream-not-git" => {
            "the host did not answer as a git server (wrong URL, or a login page)"
        }
        "cross-authority-redirect" => "the host redirected to another host",
        "redirect-not-git" => "the host redirected somewhere that is not a git repository",
        "response-too-large" => "the repository is larger than the proxy allows",
        "request-too-large" => "the push is larger than the proxy allows",
        "rate-limited" | "too-many-connections" | "overloaded" => {
            "it is busy; try again in a moment"
        }
        "dns-failed" => "the host name does not resolve",
        "upstream-unreachable" => "the host does not answer",
        "upstream-tls" => "the host's HTTPS certificate is not valid",
        "upstream-timeout" => "the host took too long to answer",
        _ => "see the proxy's reason code",
    }
}

/// Check a ref name a server sent, as git does for names it stores (row 31).
fn check_ref_name(name: &[u8]) -> Result<(), Error> {
    if name == b"HEAD" {
        return Ok(());
    }
    tabgit_refs::name::check(name, tabgit_refs::name::Options::default()).map_err(|_| {
        Error::BadRefName {
            name: String::from_utf8_lossy(name).into_owned(),
        }
    })?;
    if std::str::from_utf8(name).is_err() {
        return Err(Error::BadRefName {
            name: String::from_utf8_lossy(name).into_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Coalesce, Progress};

    #[test]
    fn coalesce_passes_each_percent_and_mib_once_and_every_other_event() {
        let mut coalesce = Coalesce::default();
        let mut passed = Vec::new();
        let mut offer = |p: Progress| {
            if coalesce.pass(&p) {
                passed.push(p);
            }
        };
        offer(Progress::Discovering);
        for done in 0..=10_000 {
            offer(Progress::CheckingOut {
                done,
                total: 10_000,
            });
        }
        offer(Progress::Checking);
        offer(Progress::Checking);
        for objects in 0..=1_000 {
            offer(Progress::Receiving {
                bytes: objects as u64 * 10_000,
                objects,
                total_objects: 1_000,
            });
        }
        let checkouts: Vec<_> = passed
            .iter()
            .filter_map(|p| match p {
                Progress::CheckingOut { done, .. } => Some(*done),
                _ => None,
            })
            .collect();
        assert_eq!(checkouts.len(), 101, "one report per percent, 0 to 100");
        assert_eq!(
            checkouts.last(),
            Some(&10_000),
            "the last file is always reported"
        );
        let receiving = passed
            .iter()
            .filter(|p| matches!(p, Progress::Receiving { .. }))
            .count();
        assert!(
            (101..=111).contains(&receiving),
            "9.5 MiB in 1,000 objects: a report per percent, and per MiB between them ({receiving})"
        );
        assert_eq!(
            passed
                .iter()
                .filter(|p| matches!(p, Progress::Discovering | Progress::Checking))
                .count(),
            3,
            "events without a count always pass"
        );
    }
}
