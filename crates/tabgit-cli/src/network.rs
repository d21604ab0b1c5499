//! What the network commands share: which URL a remote name means, credentials from the
//! environment, a progress display on a terminal, and running the async operations.

use std::io::{IsTerminal as _, Write as _};

use anyhow::{bail, Context as _};
use tabgit_repo::remote::{Progress, Session};
use tabgit_transport::native::NativeClient;
use tabgit_transport::{Auth, Credentials, Url};

use crate::repo::Repo;

/// Run an async operation to completion (the native client's futures never wait).
pub fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    futures_executor::block_on(future)
}

/// The URL for `name_or_url`: a configured remote's URL, or the argument itself.
pub fn remote_url(repo: Option<&Repo>, name_or_url: &str) -> anyhow::Result<(String, Url)> {
    if let Some(repo) = repo {
        if let Some(url) = repo
            .config()
            .get("remote", Some(name_or_url.as_bytes()), "url")
        {
            let text = String::from_utf8_lossy(url).into_owned();
            return Ok((name_or_url.to_owned(), Url::parse(&text)?));
        }
    }
    if !name_or_url.contains("://") && !name_or_url.contains(':') {
        bail!("'{name_or_url}' does not appear to be a git repository (no such remote)");
    }
    Ok((
        name_or_url.to_owned(),
        Url::parse(name_or_url).context("cannot use this URL")?,
    ))
}

/// Credentials for `url` from the environment: `TABGIT_TOKEN` (with `TABGIT_USERNAME`, default
/// `git`) for HTTP Basic, or `TABGIT_BEARER` for a bearer token. They are bound to the URL's
/// origin, so they are never sent anywhere else.
pub fn credentials_for(url: &Url) -> Option<Credentials> {
    let auth = if let Ok(token) = std::env::var("TABGIT_BEARER") {
        Auth::Bearer { token }
    } else if let Ok(secret) = std::env::var("TABGIT_TOKEN") {
        Auth::Basic {
            username: std::env::var("TABGIT_USERNAME").unwrap_or_else(|_| "git".into()),
            secret,
        }
    } else {
        return None;
    };
    Some(Credentials {
        origin: url.origin(),
        auth,
    })
}

/// A session for `url` with the native client.
pub fn session(client: &NativeClient, url: Url) -> Session<'_, NativeClient> {
    Session {
        client,
        credentials: credentials_for(&url),
        url,
        proxy: None,
        cancelled: &|| false,
        limits: tabgit_protocol::Limits::default(),
    }
}

/// Prints progress as git does on a terminal (one updating line per phase) and remote
/// messages prefixed with `remote:`.
pub struct ProgressPrinter {
    quiet: bool,
    terminal: bool,
    last: String,
}

impl ProgressPrinter {
    /// A printer; `quiet` prints nothing but remote messages.
    pub fn new(quiet: bool) -> Self {
        ProgressPrinter {
            quiet,
            terminal: std::io::stderr().is_terminal(),
            last: String::new(),
        }
    }

    /// Show one progress event.
    pub fn show(&mut self, progress: Progress) {
        let mut err = std::io::stderr().lock();
        let line = match progress {
            Progress::Remote(text) => {
                if !self.quiet {
                    // Progress from the server rewrites its line with `\r`, as git shows it.
                    for line in text.split_inclusive(['\n', '\r']) {
                        let (body, end) = line.split_at(line.trim_end_matches(['\n', '\r']).len());
                        if !body.trim().is_empty() {
                            let _ = write!(
                                err,
                                "remote: {body}{}",
                                if end.is_empty() { "\n" } else { end }
                            );
                        }
                    }
                }
                return;
            }
            Progress::Receiving {
                bytes,
                objects,
                total_objects,
            } if total_objects > 0 => {
                let percent = objects * 100 / total_objects as usize;
                format!(
                    "Receiving objects: {percent:3}% ({objects}/{total_objects}), {:.2} MiB",
                    bytes as f64 / 1_048_576.0
                )
            }
            Progress::Resolving { done, total } if total > 0 => format!(
                "Resolving deltas: {:3}% ({done}/{total})",
                done * 100 / total
            ),
            Progress::CheckingOut { done, total } if total > 0 => {
                format!("Updating files: {:3}% ({done}/{total})", done * 100 / total)
            }
            Progress::Sending { bytes, objects } => format!(
                "Writing objects: {objects}, {:.2} KiB",
                bytes as f64 / 1024.0
            ),
            _ => return,
        };
        if self.quiet || !self.terminal {
            return;
        }
        let phase = line.split(':').next().unwrap_or_default().to_owned();
        if !self.last.is_empty() && !self.last.starts_with(&phase) {
            let _ = writeln!(err);
        }
        let _ = write!(err, "\r{line}");
        self.last = line;
    }

    /// End the current line.
    pub fn finish(&mut self) {
        if !self.last.is_empty() && self.terminal && !self.quiet {
            let _ = writeln!(std::io::stderr());
        }
        self.last.clear();
    }
}
