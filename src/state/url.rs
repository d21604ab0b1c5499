//! Repository URLs as the app accepts them: `https://` (or `http://`) with a host, an optional
//! port and a path; nothing a credential store could be fooled by (RELIABILITY.md rows 19, 33).
//!
//! The engine parses URLs again and binds credentials to the origin; this module exists so the
//! app can say what is wrong while the user types, match a URL to its connection and derive a
//! repository name.

use std::fmt;

/// A parsed repository or connection URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteUrl {
    /// `https` or `http`.
    pub scheme: String,
    /// The host, lowercase (an IPv6 address keeps its brackets).
    pub host: String,
    /// The port, if one was written.
    pub port: Option<u16>,
    /// The path, starting with `/` (just `/` when empty), without a trailing `/`.
    pub path: String,
}

/// Why a URL cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlError {
    /// Nothing was typed.
    Empty,
    /// An SSH URL (`ssh://`, `git@host:path`).
    Ssh,
    /// A `git://` URL.
    GitProtocol,
    /// Another scheme, or none.
    NotHttp,
    /// Spaces, control characters or backslashes.
    BadCharacters,
    /// `user:password@` in the URL.
    Credentials,
    /// A `?query` or `#fragment`.
    QueryOrFragment,
    /// No host.
    NoHost,
    /// A port that is not a number from 1 to 65535.
    BadPort,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlError::Empty => "Enter the repository's URL",
            UrlError::Ssh => {
                "A browser can only use HTTPS: use the repository's https:// URL instead of SSH"
            }
            UrlError::GitProtocol => {
                "A browser can only use HTTPS: use the repository's https:// URL instead of git://"
            }
            UrlError::NotHttp => "The URL must start with https://",
            UrlError::BadCharacters => "The URL contains spaces, control characters or backslashes",
            UrlError::Credentials => {
                "Put credentials in a connection, never in the URL (remove the part before @)"
            }
            UrlError::QueryOrFragment => "The URL must not contain ? or #",
            UrlError::NoHost => "The URL has no host name",
            UrlError::BadPort => "The URL's port must be a number from 1 to 65535",
        })
    }
}

impl std::error::Error for UrlError {}

/// Lifecycle
impl RemoteUrl {
    /// Parse `text` (surrounding whitespace is ignored).
    pub fn parse(text: &str) -> Result<RemoteUrl, UrlError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(UrlError::Empty);
        }
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("ssh://") || lower.starts_with("git+ssh://") {
            return Err(UrlError::Ssh);
        }
        if lower.starts_with("git://") {
            return Err(UrlError::GitProtocol);
        }
        if text
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        {
            return Err(UrlError::BadCharacters);
        }
        let Some((scheme, rest)) = text.split_once("://") else {
            // scp-like `git@host:owner/repo.git`.
            if text.contains('@') && text.contains(':') {
                return Err(UrlError::Ssh);
            }
            return Err(UrlError::NotHttp);
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(UrlError::NotHttp);
        }
        if rest.contains('?') || rest.contains('#') {
            return Err(UrlError::QueryOrFragment);
        }
        let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
        if authority.contains('@') {
            return Err(UrlError::Credentials);
        }
        let (host, port) = split_host_port(authority)?;
        if host.is_empty() {
            return Err(UrlError::NoHost);
        }
        let path = path.trim_end_matches('/');
        Ok(RemoteUrl {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            path: if path.is_empty() {
                "/".into()
            } else {
                path.into()
            },
        })
    }
}

/// Access
impl RemoteUrl {
    /// The port in effect (the scheme's default when none was written).
    pub fn effective_port(&self) -> u16 {
        self.port
            .unwrap_or(if self.scheme == "http" { 80 } else { 443 })
    }

    /// `scheme://host[:port]`, the unit credentials are bound to.
    pub fn origin(&self) -> String {
        match self.port {
            Some(port) => format!("{}://{}:{port}", self.scheme, self.host),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }

    /// `host[:port]`, for messages.
    pub fn authority(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.clone(),
        }
    }

    /// Whether both have the same scheme, host and port.
    pub fn same_origin(&self, other: &RemoteUrl) -> bool {
        self.scheme == other.scheme
            && self.host == other.host
            && self.effective_port() == other.effective_port()
    }

    /// Whether `self` is `base` or lies under it (same origin, path prefix at a `/`).
    pub fn is_under(&self, base: &RemoteUrl) -> bool {
        if !self.same_origin(base) {
            return false;
        }
        base.path == "/"
            || self.path == base.path
            || self
                .path
                .strip_prefix(&base.path)
                .is_some_and(|rest| rest.starts_with('/'))
    }

    /// A local name for the repository: the last path segment without `.git`.
    pub fn repo_name(&self) -> String {
        let last = self.path.rsplit('/').find(|s| !s.is_empty()).unwrap_or("");
        let name = last.strip_suffix(".git").unwrap_or(last);
        if name.is_empty() {
            self.host.clone()
        } else {
            name.to_owned()
        }
    }
}

impl fmt::Display for RemoteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}",
            self.origin(),
            if self.path == "/" { "" } else { &self.path }
        )
    }
}

fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), UrlError> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return Err(UrlError::NoHost);
        };
        let host = &authority[..end + 2];
        let after = &rest[end + 1..];
        match after.strip_prefix(':') {
            Some(port) => (host, Some(port)),
            None if after.is_empty() => (host, None),
            None => return Err(UrlError::BadPort),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => None,
        Some(port) => match port.parse::<u16>() {
            Ok(0) | Err(_) => return Err(UrlError::BadPort),
            Ok(port) => Some(port),
        },
    };
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::{RemoteUrl, UrlError};

    #[test]
    fn parses_https_urls() {
        let url = RemoteUrl::parse(" https://Git.Example.org:8443/team/repo.git/ ").expect("valid");
        assert_eq!(url.host, "git.example.org");
        assert_eq!(url.port, Some(8443));
        assert_eq!(url.path, "/team/repo.git");
        assert_eq!(url.origin(), "https://git.example.org:8443");
        assert_eq!(url.repo_name(), "repo");
        assert_eq!(
            url.to_string(),
            "https://git.example.org:8443/team/repo.git"
        );
        let v6 = RemoteUrl::parse("http://[::1]:8781/demo.git").expect("valid");
        assert_eq!(v6.host, "[::1]");
        assert_eq!(v6.effective_port(), 8781);
        assert_eq!(RemoteUrl::parse("https://h").expect("valid").path, "/");
    }

    #[test]
    fn refuses_what_a_browser_cannot_or_must_not_use() {
        let cases = [
            ("", UrlError::Empty),
            ("git@github.com:owner/repo.git", UrlError::Ssh),
            ("ssh://git@host/repo.git", UrlError::Ssh),
            ("git://host/repo.git", UrlError::GitProtocol),
            ("ftp://host/repo", UrlError::NotHttp),
            ("host/repo", UrlError::NotHttp),
            ("https://user:token@host/repo.git", UrlError::Credentials),
            ("https://host/repo.git?x=1", UrlError::QueryOrFragment),
            ("https://evil#@host/repo", UrlError::QueryOrFragment),
            ("https://host\\@evil/repo", UrlError::BadCharacters),
            ("https://host/re\npo", UrlError::BadCharacters),
            ("https:///repo", UrlError::NoHost),
            ("https://host:99999/repo", UrlError::BadPort),
            ("https://host:0/repo", UrlError::BadPort),
        ];
        for (text, expected) in cases {
            assert_eq!(RemoteUrl::parse(text), Err(expected.clone()), "{text:?}");
        }
        assert!(
            UrlError::Ssh.to_string().contains("HTTPS"),
            "the SSH message says a browser needs HTTPS"
        );
    }

    #[test]
    fn origins_and_prefixes_match_on_scheme_host_and_port() {
        let base = RemoteUrl::parse("https://host/team").expect("valid");
        let repo = RemoteUrl::parse("https://HOST:443/team/repo.git").expect("valid");
        assert!(repo.same_origin(&base), "the default port is the same port");
        assert!(repo.is_under(&base));
        assert!(!RemoteUrl::parse("https://host/teamwork/x")
            .expect("valid")
            .is_under(&base));
        assert!(!RemoteUrl::parse("http://host/team/x")
            .expect("valid")
            .is_under(&base));
        assert!(!RemoteUrl::parse("https://host:444/team/x")
            .expect("valid")
            .is_under(&base));
        assert!(!RemoteUrl::parse("https://host.evil/team/x")
            .expect("valid")
            .is_under(&base));
        let root = RemoteUrl::parse("https://host").expect("valid");
        assert!(repo.is_under(&root));
    }
}
