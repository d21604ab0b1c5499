//! Reading a request target: the optional `/_fault/<knobs>/` prefix, the repository path handed
//! to `git http-backend` as `PATH_INFO`, and the kind of smart-HTTP request it is.
//!
//! The smart-HTTP requests (`gitprotocol-http.adoc`):
//!
//! ```text
//! GET  $GIT_URL/info/refs?service=git-upload-pack     ; or git-receive-pack: ref discovery
//! POST $GIT_URL/git-upload-pack                       ; fetch (and ls-refs in protocol v2)
//! POST $GIT_URL/git-receive-pack                      ; push
//! ```

use hyper::Method;

use crate::fault::{self, decode::percent_decode, Faults, PATH_PREFIX};

/// A request target, split into what the server acts on.
#[derive(Debug)]
pub(crate) struct Route {
    /// The knobs of the `/_fault/<knobs>/` prefix, if the path has one.
    pub faults: Option<Faults>,
    /// The path after the prefix, still percent-encoded; it starts with `/`.
    pub rest: String,
    /// The percent-decoded `rest`, as `git http-backend` expects `PATH_INFO`.
    pub path_info: String,
    /// What kind of git request this is.
    pub kind: RequestKind,
}

/// The two git services of smart HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// `git-upload-pack`: fetch and clone.
    UploadPack,
    /// `git-receive-pack`: push.
    ReceivePack,
}

/// Request kinds, as the knobs and synthetic bodies distinguish them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestKind {
    /// `GET …/info/refs`, with the `service` query parameter if it names a known service.
    InfoRefs {
        /// The requested service; `None` for the dumb protocol or an unknown service.
        service: Option<Service>,
    },
    /// `POST …/git-upload-pack` or `POST …/git-receive-pack`.
    Rpc(Service),
    /// Anything else: dumb-protocol files, unknown paths, other methods.
    Other,
}

/// The error returned for a request target the server refuses to serve.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// The `/_fault/` segment does not parse.
    #[error("invalid fault knobs in {segment:?}")]
    Knobs {
        /// The knob segment as sent.
        segment: String,
        /// What is wrong with it.
        #[source]
        source: fault::Error,
    },
    /// The path is not something to hand to `git http-backend`.
    #[error("refusing path {path:?}: {reason}")]
    BadPath {
        /// The path as sent.
        path: String,
        /// Why it is refused.
        reason: &'static str,
    },
}

/// Access
impl Service {
    /// The service name as it appears in URLs and content types.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Service::UploadPack => "git-upload-pack",
            Service::ReceivePack => "git-receive-pack",
        }
    }

    fn from_name(name: &str) -> Option<Service> {
        match name {
            "git-upload-pack" => Some(Service::UploadPack),
            "git-receive-pack" => Some(Service::ReceivePack),
            _ => None,
        }
    }
}

/// Split the request target `path` and `query` of a `method` request into a [`Route`].
pub(crate) fn route(method: &Method, path: &str, query: Option<&str>) -> Result<Route, Error> {
    let (faults, rest) = match path.strip_prefix(PATH_PREFIX) {
        Some(after_prefix) => {
            let (segment, rest) = match after_prefix.find('/') {
                Some(slash_idx) => after_prefix.split_at(slash_idx),
                None => (after_prefix, "/"),
            };
            let faults = segment.parse().map_err(|source| Error::Knobs {
                segment: segment.to_owned(),
                source,
            })?;
            (Some(faults), rest)
        }
        None => (None, path),
    };
    let path_info = decode_path(rest)?;
    let kind = request_kind(method, &path_info, query);
    Ok(Route {
        faults,
        rest: rest.to_owned(),
        path_info,
        kind,
    })
}

/// Percent-decode a request path and refuse what must never reach `GIT_PROJECT_ROOT` joins:
/// `..` and `.` segments, NUL, backslashes and non-UTF-8 bytes.
fn decode_path(path: &str) -> Result<String, Error> {
    let bad_path = |reason| Error::BadPath {
        path: path.to_owned(),
        reason,
    };
    if !path.starts_with('/') {
        return Err(bad_path("it does not start with /"));
    }
    let decoded = percent_decode(path).ok_or_else(|| bad_path("bad percent-encoding"))?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad_path("it is not UTF-8"))?;
    if decoded.contains(['\0', '\\']) {
        return Err(bad_path("it contains NUL or a backslash"));
    }
    if decoded
        .split('/')
        .any(|segment| segment == ".." || segment == ".")
    {
        return Err(bad_path("it contains a . or .. segment"));
    }
    Ok(decoded)
}

fn request_kind(method: &Method, path_info: &str, query: Option<&str>) -> RequestKind {
    if (method == Method::GET || method == Method::HEAD) && path_info.ends_with("/info/refs") {
        let service = query
            .into_iter()
            .flat_map(|query| query.split('&'))
            .find_map(|pair| pair.strip_prefix("service="))
            .and_then(Service::from_name);
        return RequestKind::InfoRefs { service };
    }
    if method == Method::POST {
        let service = path_info
            .rsplit_once('/')
            .and_then(|(_, last)| Service::from_name(last));
        if let Some(service) = service {
            return RequestKind::Rpc(service);
        }
    }
    RequestKind::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

    #[test]
    fn fault_prefix_is_split_off_and_the_rest_decoded() -> Result {
        let route = route(
            &Method::GET,
            "/_fault/cut=20,redirect=%2Fother/my%20repo.git/info/refs",
            Some("service=git-upload-pack"),
        )?;
        let faults = route.faults.ok_or("the prefix holds knobs")?;
        assert_eq!(faults.cut, Some(20));
        assert_eq!(
            faults.redirect.map(|redirect| redirect.target),
            Some("/other".to_owned())
        );
        assert_eq!(route.rest, "/my%20repo.git/info/refs");
        assert_eq!(route.path_info, "/my repo.git/info/refs");
        assert_eq!(
            route.kind,
            RequestKind::InfoRefs {
                service: Some(Service::UploadPack)
            }
        );
        Ok(())
    }

    #[test]
    fn posts_are_classified_by_their_last_segment() -> Result {
        let upload = route(&Method::POST, "/a/b.git/git-upload-pack", None)?;
        assert_eq!(upload.kind, RequestKind::Rpc(Service::UploadPack));
        let receive = route(&Method::POST, "/b.git/git-receive-pack", None)?;
        assert_eq!(receive.kind, RequestKind::Rpc(Service::ReceivePack));
        let get = route(&Method::GET, "/b.git/git-receive-pack", None)?;
        assert_eq!(get.kind, RequestKind::Other, "a GET is not a push");
        Ok(())
    }

    #[test]
    fn dot_segments_and_bad_escapes_are_refused() {
        for path in [
            "/../etc/passwd",
            "/a/%2e%2e/b",
            "/a/./b",
            "/a%00",
            "/a%zz",
            "/a%5cb",
        ] {
            assert!(
                matches!(route(&Method::GET, path, None), Err(Error::BadPath { .. })),
                "{path} must be refused"
            );
        }
    }

    #[test]
    fn an_unknown_knob_is_an_error() {
        assert!(matches!(
            route(&Method::GET, "/_fault/explode/demo.git/info/refs", None),
            Err(Error::Knobs {
                source: fault::Error::UnknownKnob { .. },
                ..
            })
        ));
    }
}
