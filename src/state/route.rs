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
    /// The commit history; only the commits that touched `path` (following renames) when set.
    History {
        /// The file or folder whose history this is.
        path: Option<Vec<u8>>,
    },
    /// One commit: its message, parents and every file's diff.
    Commit {
        /// The commit id.
        id: String,
    },
    /// Who last changed each line of a file, at `rev` (HEAD when `None`).
    Blame {
        /// The file.
        path: Vec<u8>,
        /// The commit to blame at.
        rev: Option<String>,
    },
    /// A file as it was at a commit, with "restore this version".
    FileAt {
        /// The commit.
        rev: String,
        /// The file.
        path: Vec<u8>,
    },
    /// Branches, tags and stashes.
    Branches,
    /// A merge (or revert) in progress: the conflicted files and their resolution.
    Merge,
}

/// Which tab of a repository a view belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepoTab {
    /// Files.
    Files,
    /// Changes.
    Changes,
    /// History (commits, blame, files at a commit).
    History,
    /// Branches.
    Branches,
    /// The merge in progress.
    Merge,
}

/// Conversion
impl RepoView {
    /// The tab this view is shown under.
    pub fn tab(&self) -> RepoTab {
        match self {
            RepoView::Files { .. } => RepoTab::Files,
            RepoView::Changes => RepoTab::Changes,
            RepoView::History { .. }
            | RepoView::Commit { .. }
            | RepoView::Blame { .. }
            | RepoView::FileAt { .. } => RepoTab::History,
            RepoView::Branches => RepoTab::Branches,
            RepoView::Merge => RepoTab::Merge,
        }
    }
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
                        path: Some(join_path(path)),
                    },
                    ["changes"] => RepoView::Changes,
                    ["history"] => RepoView::History { path: None },
                    ["history", path @ ..] => RepoView::History {
                        path: Some(join_path(path)),
                    },
                    ["commit", id] => RepoView::Commit {
                        id: String::from_utf8_lossy(&decode_component(id)).into_owned(),
                    },
                    ["blame", path @ ..] if !path.is_empty() => RepoView::Blame {
                        path: join_path(path),
                        rev: query_value(query, "rev").filter(|r| !r.is_empty()),
                    },
                    ["at", rev, path @ ..] if !path.is_empty() => RepoView::FileAt {
                        rev: String::from_utf8_lossy(&decode_component(rev)).into_owned(),
                        path: join_path(path),
                    },
                    ["branches"] => RepoView::Branches,
                    ["merge"] => RepoView::Merge,
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
                        format!("#/repo/{name}/files/{}", encode_path(path))
                    }
                    RepoView::Changes => format!("#/repo/{name}/changes"),
                    RepoView::History { path: None } => format!("#/repo/{name}/history"),
                    RepoView::History { path: Some(path) } => {
                        format!("#/repo/{name}/history/{}", encode_path(path))
                    }
                    RepoView::Commit { id } => {
                        format!("#/repo/{name}/commit/{}", encode_component(id.as_bytes()))
                    }
                    RepoView::Blame { path, rev: None } => {
                        format!("#/repo/{name}/blame/{}", encode_path(path))
                    }
                    RepoView::Blame {
                        path,
                        rev: Some(rev),
                    } => format!(
                        "#/repo/{name}/blame/{}?rev={}",
                        encode_path(path),
                        encode_component(rev.as_bytes())
                    ),
                    RepoView::FileAt { rev, path } => format!(
                        "#/repo/{name}/at/{}/{}",
                        encode_component(rev.as_bytes()),
                        encode_path(path)
                    ),
                    RepoView::Branches => format!("#/repo/{name}/branches"),
                    RepoView::Merge => format!("#/repo/{name}/merge"),
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

/// A repository path from its percent-encoded segments.
fn join_path(segments: &[&str]) -> Vec<u8> {
    segments
        .iter()
        .map(|segment| decode_component(segment))
        .collect::<Vec<_>>()
        .join(&b'/')
}

/// A repository path as percent-encoded segments joined by `/`.
fn encode_path(path: &[u8]) -> String {
    path.split(|b| *b == b'/')
        .map(encode_component)
        .collect::<Vec<_>>()
        .join("/")
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
                view: RepoView::History { path: None },
            },
            Route::Repo {
                name: "demo".into(),
                view: RepoView::History {
                    path: Some(b"src/a b.rs".to_vec()),
                },
            },
            Route::Repo {
                name: "demo".into(),
                view: RepoView::Commit {
                    id: "0123456789abcdef0123456789abcdef01234567".into(),
                },
            },
            Route::Repo {
                name: "demo".into(),
                view: RepoView::Blame {
                    path: b"README.md".to_vec(),
                    rev: None,
                },
            },
            Route::Repo {
                name: "demo".into(),
                view: RepoView::Blame {
                    path: b"dir/x?y.md".to_vec(),
                    rev: Some("v1.0".into()),
                },
            },
            Route::Repo {
                name: "demo".into(),
                view: RepoView::FileAt {
                    rev: "HEAD~3".into(),
                    path: b"src/lib.rs".to_vec(),
                },
            },
            Route::Repo {
                name: "demo".into(),
                view: RepoView::Merge,
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
