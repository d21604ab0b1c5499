//! Which requests the proxy forwards, decided from the method, path, query and content type
//! alone (a pure function, tested without a network).

/// Why a request is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The path is not `/<host>/<repo>/<git endpoint>`.
    #[error("not a git smart-HTTP path")]
    NotGitPath,
    /// The method is not allowed for the endpoint.
    #[error("method not allowed for this git endpoint")]
    Method,
    /// The request content type does not match the endpoint.
    #[error("wrong content type for this git endpoint")]
    ContentType,
    /// The query is not exactly one `service` parameter naming a git service.
    #[error("info/refs needs exactly one service=git-upload-pack|git-receive-pack parameter")]
    Query,
    /// The target host is not on the allowlist.
    #[error("target host is not allowed by this proxy")]
    HostNotAllowed,
}

impl Refusal {
    /// A machine-readable reason for the `X-Proxy-Error` header.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotGitPath => "not-git-path",
            Refusal::Method => "method-not-allowed",
            Refusal::ContentType => "content-type",
            Refusal::Query => "bad-query",
            Refusal::HostNotAllowed => "host-not-allowed",
        }
    }
}

/// A request the proxy will forward.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `host` or `host:port` as written in the proxy path.
    pub authority: String,
    /// The path on the target, starting with `/`.
    pub path: String,
    /// The query to forward (`service=…` for discovery).
    pub query: Option<String>,
}

/// Classify a request: `Ok` with its target if it is git smart HTTP, else the refusal.
/// `OPTIONS` preflights are classified by the method they announce.
pub fn classify(
    method: &str,
    path: &str,
    query: Option<&str>,
    content_type: Option<&str>,
) -> Result<Target, Refusal> {
    let rest = path.strip_prefix('/').ok_or(Refusal::NotGitPath)?;
    let (authority, repo_path) = rest.split_once('/').ok_or(Refusal::NotGitPath)?;
    let authority_ok = !authority.is_empty()
        && authority
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
    if !authority_ok
        || repo_path.split('/').any(|c| c == ".." || c == ".")
        || repo_path.contains("//")
    {
        return Err(Refusal::NotGitPath);
    }
    let path = format!("/{repo_path}");
    let preflight = method == "OPTIONS";
    if let Some(repo) = path.strip_suffix("/info/refs") {
        if repo.is_empty() {
            return Err(Refusal::NotGitPath);
        }
        if !(preflight || method == "GET") {
            return Err(Refusal::Method);
        }
        if !preflight {
            match query {
                Some("service=git-upload-pack" | "service=git-receive-pack") => {}
                _ => return Err(Refusal::Query),
            }
        }
    } else if let Some((repo, service)) = path.rsplit_once('/') {
        if repo.is_empty() || !matches!(service, "git-upload-pack" | "git-receive-pack") {
            return Err(Refusal::NotGitPath);
        }
        if !(preflight || method == "POST") {
            return Err(Refusal::Method);
        }
        if query.is_some_and(|q| !q.is_empty()) {
            return Err(Refusal::Query);
        }
        let expected = format!("application/x-{service}-request");
        if !preflight && content_type != Some(expected.as_str()) {
            return Err(Refusal::ContentType);
        }
    } else {
        return Err(Refusal::NotGitPath);
    }
    Ok(Target {
        authority: authority.to_owned(),
        path,
        query: query.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::{classify, Refusal};

    #[test]
    fn git_routes_only() {
        let ok = classify(
            "GET",
            "/h:1/r.git/info/refs",
            Some("service=git-upload-pack"),
            None,
        )
        .expect("discovery");
        assert_eq!(
            (ok.authority.as_str(), ok.path.as_str()),
            ("h:1", "/r.git/info/refs")
        );
        assert!(classify(
            "POST",
            "/h/r/git-upload-pack",
            None,
            Some("application/x-git-upload-pack-request")
        )
        .is_ok());
        assert!(classify(
            "POST",
            "/h/r/git-receive-pack",
            None,
            Some("application/x-git-receive-pack-request")
        )
        .is_ok());
        assert!(classify("OPTIONS", "/h/r/git-receive-pack", None, None).is_ok());
        assert_eq!(
            classify("GET", "/h/r/info/refs", Some("service=x"), None),
            Err(Refusal::Query)
        );
        assert_eq!(
            classify("GET", "/h/r/info/refs", None, None),
            Err(Refusal::Query)
        );
        assert_eq!(
            classify(
                "POST",
                "/h/r/info/refs",
                Some("service=git-upload-pack"),
                None
            ),
            Err(Refusal::Method)
        );
        assert_eq!(
            classify("POST", "/h/r/git-upload-pack", None, Some("text/plain")),
            Err(Refusal::ContentType)
        );
        assert_eq!(
            classify("GET", "/h/r/objects/info/packs", None, None),
            Err(Refusal::NotGitPath)
        );
        assert_eq!(
            classify(
                "GET",
                "/h/../info/refs",
                Some("service=git-upload-pack"),
                None
            ),
            Err(Refusal::NotGitPath)
        );
        assert_eq!(
            classify(
                "GET",
                "/user@h/r/info/refs",
                Some("service=git-upload-pack"),
                None
            ),
            Err(Refusal::NotGitPath)
        );
        assert_eq!(classify("GET", "/", None, None), Err(Refusal::NotGitPath));
    }
}
