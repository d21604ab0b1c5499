//! Git remote URLs over HTTP(S), parsed strictly (`Documentation/urls`, restricted to the smart
//! HTTP transport). One parser decides what a URL means, and the client connects to exactly
//! what it produced (`RELIABILITY.md` §5 row 6, rows 16 and 19).

/// The reasons a URL is refused.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// `ssh://`, `git://`, `file://` or `user@host:path`: a browser can only use HTTP(S).
    #[error("{scheme} URLs are not supported: tabgit talks to git hosts over HTTPS (a browser cannot open SSH or git:// connections)")]
    UnsupportedScheme {
        /// What was given.
        scheme: String,
    },
    /// The URL is malformed.
    #[error("invalid URL: {reason}")]
    Invalid {
        /// What is wrong.
        reason: &'static str,
    },
    /// The URL embeds credentials.
    #[error("the URL contains a user name or password; put credentials in a connection instead")]
    Credentials,
}

/// Where credentials belong: scheme, host and port.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    /// `http` or `https`.
    pub scheme: String,
    /// The host, lower case (IPv6 without brackets).
    pub host: String,
    /// The port (defaulted from the scheme).
    pub port: u16,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let default = if self.scheme == "https" { 443 } else { 80 };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == default {
            write!(f, "{}://{host}", self.scheme)
        } else {
            write!(f, "{}://{host}:{}", self.scheme, self.port)
        }
    }
}

/// An absolute HTTP(S) URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Url {
    origin: Origin,
    /// The path, starting with `/`, without a trailing slash for repositories.
    path: String,
    /// The query, without `?`.
    query: Option<String>,
}

fn invalid(reason: &'static str) -> Error {
    Error::Invalid { reason }
}

impl Url {
    /// Parse a remote URL a user typed (or a URL the protocol builds).
    pub fn parse(text: &str) -> Result<Url, Error> {
        let text = text.trim();
        if text
            .bytes()
            .any(|b| b < 0x20 || b == 0x7f || b == b' ' || b == b'\\')
        {
            return Err(invalid("control characters, spaces or backslashes"));
        }
        let Some((scheme, rest)) = text.split_once("://") else {
            if text.contains('@') && text.contains(':')
                || text.contains(':') && !text.starts_with('/')
            {
                return Err(Error::UnsupportedScheme {
                    scheme: "ssh (user@host:path)".into(),
                });
            }
            return Err(invalid("not an absolute http:// or https:// URL"));
        };
        let scheme = scheme.to_ascii_lowercase();
        match scheme.as_str() {
            "http" | "https" => {}
            "ssh" | "git" | "file" | "git+ssh" | "ssh+git" | "ftp" | "ftps" => {
                return Err(Error::UnsupportedScheme { scheme })
            }
            _ => return Err(invalid("unknown scheme")),
        }
        if rest.contains('#') {
            return Err(invalid("fragments are not allowed"));
        }
        let (authority, path_query) = match rest.find('/') {
            Some(idx) => (&rest[..idx], &rest[idx..]),
            None => (rest, "/"),
        };
        if authority.contains('@') {
            return Err(Error::Credentials);
        }
        if authority.contains('%') {
            return Err(invalid("percent-encoding in the host"));
        }
        let (host, port) = if let Some(after) = authority.strip_prefix('[') {
            let (v6, rest) = after
                .split_once(']')
                .ok_or_else(|| invalid("unterminated IPv6 address"))?;
            v6.parse::<std::net::Ipv6Addr>()
                .map_err(|_| invalid("bad IPv6 address"))?;
            let port = match rest {
                "" => None,
                p => Some(
                    p.strip_prefix(':')
                        .ok_or_else(|| invalid("garbage after IPv6 address"))?,
                ),
            };
            (v6.to_ascii_lowercase(), port)
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => {
                    if host.contains(':') {
                        return Err(invalid("IPv6 addresses need brackets"));
                    }
                    (host.to_ascii_lowercase(), Some(port))
                }
                None => (authority.to_ascii_lowercase(), None),
            }
        };
        if host.is_empty() {
            return Err(invalid("no host"));
        }
        if !host.contains(':')
            && !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
        {
            return Err(invalid("host names must be ASCII (use the punycode form)"));
        }
        let default = if scheme == "https" { 443 } else { 80 };
        let port = match port {
            None => default,
            Some(p) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => p
                .parse::<u16>()
                .ok()
                .filter(|&n| n != 0)
                .ok_or_else(|| invalid("bad port"))?,
            Some(_) => return Err(invalid("bad port")),
        };
        let (path, query) = match path_query.split_once('?') {
            Some((p, q)) => (p, Some(q.to_owned())),
            None => (path_query, None),
        };
        if path.split('/').any(|c| c == ".." || c == ".") {
            return Err(invalid("dot segments in the path"));
        }
        Ok(Url {
            origin: Origin { scheme, host, port },
            path: path.to_owned(),
            query,
        })
    }

    /// Scheme, host and port.
    pub fn origin(&self) -> Origin {
        self.origin.clone()
    }

    /// The path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// This repository URL with `suffix` appended to its path (`info/refs?service=…`).
    #[must_use]
    pub fn join(&self, suffix: &str) -> Url {
        let base = self.path.trim_end_matches('/');
        let (path, query) = match suffix.split_once('?') {
            Some((p, q)) => (p, Some(q.to_owned())),
            None => (suffix, None),
        };
        Url {
            origin: self.origin.clone(),
            path: format!("{base}/{path}"),
            query,
        }
    }

    /// The same path on another base: `https://proxy.example/<host>:<port>/<path>`, the URL shape
    /// tabgit's CORS proxy (and isomorphic-git's) expects.
    #[must_use]
    pub fn via_proxy(&self, proxy: &Url) -> Url {
        let authority = if self.origin.host.contains(':') {
            format!("[{}]:{}", self.origin.host, self.origin.port)
        } else {
            format!("{}:{}", self.origin.host, self.origin.port)
        };
        let base = proxy.path.trim_end_matches('/');
        Url {
            origin: proxy.origin.clone(),
            path: format!("{base}/{authority}{}", self.path),
            query: self.query.clone(),
        }
    }
}

impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.origin, self.path)?;
        if let Some(q) = &self.query {
            write!(f, "?{q}")?;
        }
        Ok(())
    }
}

/// A URL made safe to show: any `user:password@` is removed and the query dropped.
pub fn redact(text: &str) -> String {
    // Trimmed as `Url::parse` trims, so that a URL it accepts is redacted as a URL.
    let text = text.trim();
    // Only an RFC 3986 scheme starts a URL.
    let Some((scheme, rest)) = text
        .split_once("://")
        .filter(|(scheme, _)| is_scheme(scheme))
    else {
        // Not a URL: keep what precedes a query or fragment, and nothing after a `://`, where
        // user information could follow.
        let kept = text.split(['?', '#']).next().unwrap_or_default();
        return kept.split("://").next().unwrap_or_default().to_owned();
    };
    let end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..end];
    // Everything up to the last `@` is user information, even if it holds `?` or `#`.
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    // A query or fragment can start before any `/` (`https://host?token=…`).
    let host = host.split(['?', '#']).next().unwrap_or_default();
    let path = rest[end..].split(['?', '#']).next().unwrap_or_default();
    format!("{scheme}://{host}{path}")
}

/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986 section 3.1).
fn is_scheme(text: &str) -> bool {
    let mut bytes = text.bytes();
    bytes
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_git_remote_urls() {
        let url = Url::parse("https://GitHub.com/owner/repo.git").expect("valid");
        assert_eq!(
            url.origin(),
            Origin {
                scheme: "https".into(),
                host: "github.com".into(),
                port: 443
            }
        );
        assert_eq!(
            url.join("info/refs?service=git-upload-pack").to_string(),
            "https://github.com/owner/repo.git/info/refs?service=git-upload-pack"
        );
        let local = Url::parse("http://127.0.0.1:8781/demo.git/").expect("valid");
        assert_eq!(
            local.join("git-upload-pack").to_string(),
            "http://127.0.0.1:8781/demo.git/git-upload-pack"
        );
        let v6 = Url::parse("http://[::1]:9000/r").expect("valid");
        assert_eq!(v6.origin().host, "::1");
        let proxy = Url::parse("http://127.0.0.1:8782").expect("valid");
        assert_eq!(
            local
                .join("info/refs?service=git-upload-pack")
                .via_proxy(&proxy)
                .to_string(),
            "http://127.0.0.1:8782/127.0.0.1:8781/demo.git/info/refs?service=git-upload-pack"
        );
    }

    #[test]
    fn refuses_what_a_browser_cannot_or_must_not_use() {
        for (text, ssh_like) in [
            ("git@github.com:owner/repo.git", true),
            ("ssh://git@host/repo", true),
            ("git://host/repo", true),
            ("file:///tmp/x", true),
        ] {
            assert!(
                matches!(Url::parse(text), Err(Error::UnsupportedScheme { .. })) == ssh_like,
                "{text}"
            );
        }
        for text in [
            "https://user:token@host/repo",
            "https://host/re po",
            "https://host\\@evil/repo",
            "https://host:99999/r",
            "https://host:/r",
            "https://::1/r",
            "https://h%2fost/r",
            "https://host/a/../b",
            "https://exämple.com/r",
            "https:///r",
            "https://host/r#frag",
            "ftp://host/r",
            "https://host\n/r",
        ] {
            assert!(Url::parse(text).is_err(), "{text:?} is refused");
        }
        assert!(matches!(
            Url::parse("https://user:token@host/repo"),
            Err(Error::Credentials)
        ));
    }

    #[test]
    fn redaction_removes_secrets() {
        assert_eq!(
            redact("https://user:s3cret@host/repo.git?token=abc"),
            "https://host/repo.git"
        );
        assert_eq!(redact("https://host/repo.git"), "https://host/repo.git");
        // Found by the `url` fuzz target's invariant: a query right after the host was kept.
        assert_eq!(redact("https://host?token=abc"), "https://host");
        assert_eq!(redact("https://user:pa?ss@host#x"), "https://host");
        assert_eq!(redact("https://user:s3cret@host"), "https://host");
        // Also found by the fuzzer: a `?` before `://` is a query, not part of a scheme.
        assert_eq!(redact("x?token=abc://host/p"), "x");
        assert_eq!(redact("no scheme?token=abc#frag"), "no scheme");
        assert_eq!(redact("\u{c}https://user:pw@host/"), "https://host/");
        assert_eq!(redact("\u{1}https://user:pw@host/"), "\u{1}https");
    }
}
