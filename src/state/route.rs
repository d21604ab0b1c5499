//! Hash routing: which page the URL's fragment names, and the fragment for each page.
//!
//! Routes live in the fragment (`#/repo/demo/files`) so the app works from any static host
//! without server rewrites. Repository paths are bytes, so they are percent-encoded byte by
//! byte and survive names that are not UTF-8.

/// A view of an open repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RepoView {
    /// The working tree, with a file open when `path` is set.
    Files {
        /// The open file.
        path: Option<Vec<u8>>,
    },
    /// Changed files, diffs, staging and the commit form.
    Changes,
    /// The commit history.
    History,
    /// Branches and tags.
    Branches,
}

/// A page of the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// The repository list (home).
    Repos,
    /// The repository list with the clone dialog open, filled in with `url`.
    Clone {
        /// The repository URL to clone (from an "Open in tabgit" link).
        url: Option<String>,
    },
    /// Settings: proxy, identity, theme and connections.
    Settings {
        /// A repository URL to set up a new connection for (from the clone dialog).
        connect: Option<String>,
    },
    /// An open repository.
    Repo {
        /// The local repository name.
        name: String,
        /// Which view.
        view: RepoView,
    },
    /// A fragment that names no page.
    NotFound(String),
}

/// Conversion
impl Route {
    /// The route a location fragment names (`#/settings`, `/settings` or empty).
    pub fn parse(fragment: &str) -> Route {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        let (path, query) = fragment.split_once('?').unwrap_or((fragment, ""));
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            [] => Route::Repos,
            ["settings"] => Route::Settings {
                connect: query_value(query, "connect").filter(|u| !u.is_empty()),
            },
            ["clone"] => Route::Clone {
                url: query_value(query, "url").filter(|u| !u.is_empty()),
            },
            ["repo", name, rest @ ..] => {
                let name = String::from_utf8_lossy(&decode_component(name)).into_owned();
                let view = match rest {
                    [] | ["files"] => RepoView::Files { path: None },
                    ["files", path @ ..] => RepoView::Files {
                        path: Some(
                            path.iter()
                                .map(|segment| decode_component(segment))
                                .collect::<Vec<_>>()
                                .join(&b'/'),
                        ),
                    },
                    ["changes"] => RepoView::Changes,
                    ["history"] => RepoView::History,
                    ["branches"] => RepoView::Branches,
                    _ => return Route::NotFound(fragment.to_owned()),
                };
                Route::Repo { name, view }
            }
            _ => Route::NotFound(fragment.to_owned()),
        }
    }

    /// The fragment for this route, with the leading `#`.
    pub fn path(&self) -> String {
        match self {
            Route::Repos => "#/".into(),
            Route::Settings { connect: None } => "#/settings".into(),
            Route::Settings { connect: Some(url) } => {
                format!("#/settings?connect={}", encode_component(url.as_bytes()))
            }
            Route::Clone { url: None } => "#/clone".into(),
            Route::Clone { url: Some(url) } => {
                format!("#/clone?url={}", encode_component(url.as_bytes()))
            }
            Route::Repo { name, view } => {
                let name = encode_component(name.as_bytes());
                match view {
                    RepoView::Files { path: None } => format!("#/repo/{name}/files"),
                    RepoView::Files { path: Some(path) } => {
                        let path: Vec<String> =
                            path.split(|b| *b == b'/').map(encode_component).collect();
                        format!("#/repo/{name}/files/{}", path.join("/"))
                    }
                    RepoView::Changes => format!("#/repo/{name}/changes"),
                    RepoView::History => format!("#/repo/{name}/history"),
                    RepoView::Branches => format!("#/repo/{name}/branches"),
                }
            }
            Route::NotFound(fragment) => format!("#{fragment}"),
        }
    }

    /// The open repository's name, if this is a repository page.
    pub fn repo(&self) -> Option<&str> {
        match self {
            Route::Repo { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// The value of `key` in a `a=1&b=2` query, percent-decoded (`+` is a space).
fn query_value(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == key)
            .then(|| String::from_utf8_lossy(&decode_component(&v.replace('+', " "))).into_owned())
    })
}

/// Percent-encode every byte outside `A-Z a-z 0-9 - . _ ~`.
pub fn encode_component(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decode `%XX` escapes; a malformed escape is kept as it is.
pub fn decode_component(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{decode_component, encode_component, RepoView, Route};

    #[test]
    fn every_route_round_trips_through_its_fragment() {
        let routes = [
            Route::Repos,
            Route::Settings { connect: None },
            Route::Settings {
                connect: Some("http://127.0.0.1:1/x.git".into()),
            },
            Route::Clone { url: None },
            Route::Clone {
                url: Some("https://example.org/a b/repo.git?x=1&y=2".into()),
            },
            Route::Repo {
                name: "demo".into(),
                view: RepoView::Files { path: None },
            },
            Route::Repo {
                name: "my repo".into(),
                view: RepoView::Files {
                    path: Some(b"src/caf\xe9 #1.rs".to_vec()),
                },
            },
            Route::Repo {
                name: "demo".into(),
                view: RepoView::Changes,
            },
            Route::Repo {
                name: "demo".into(),
                view: RepoView::History,
            },
            Route::Repo {
                name: "demo".into(),
                view: RepoView::Branches,
            },
        ];
        for route in routes {
            assert_eq!(Route::parse(&route.path()), route, "{}", route.path());
        }
    }

    #[test]
    fn deep_links_and_odd_fragments() {
        assert_eq!(
            Route::parse(""),
            Route::Repos,
            "no fragment is the home page"
        );
        assert_eq!(Route::parse("#"), Route::Repos);
        assert_eq!(
            Route::parse("#/clone?url=https%3A%2F%2Fhost%2Frepo.git"),
            Route::Clone {
                url: Some("https://host/repo.git".into())
            },
            "an Open in tabgit link fills in the clone dialog"
        );
        assert_eq!(
            Route::parse("#/clone?url=https://host/repo.git"),
            Route::Clone {
                url: Some("https://host/repo.git".into())
            },
            "an unencoded URL is accepted too"
        );
        assert_eq!(
            Route::parse("#/repo/demo"),
            Route::Repo {
                name: "demo".into(),
                view: RepoView::Files { path: None }
            }
        );
        assert!(matches!(Route::parse("#/nowhere"), Route::NotFound(_)));
        assert_eq!(decode_component("100%"), b"100%", "a bad escape is kept");
        assert_eq!(decode_component("%zz"), b"%zz");
        assert_eq!(encode_component(b"a/b"), "a%2Fb");
    }
}
