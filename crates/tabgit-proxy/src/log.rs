//! The request log: one line per request with the method, target host, path without query,
//! status, body bytes sent and duration (RELIABILITY.md section 5, row 13).
//!
//! Never logged: headers (so no `Authorization`, no cookies), bodies, query strings, client
//! addresses. A line looks like this:
//!
//! ```text
//! tabgit-proxy: GET github.com /owner/repo.git/info/refs 200 2048B 41ms
//! tabgit-proxy: GET 127.0.0.1 /r.git/info/refs 403 0B 0ms refused=private-address
//! tabgit-proxy: POST github.com /owner/repo.git/git-upload-pack 200 10485760B 950ms incomplete
//! ```
//!
//! `incomplete` marks a body that did not reach its end (the client left, or a limit cut it).

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::Instant,
};

use hyper::StatusCode;

/// The longest path written to the log; longer paths are cut and marked with `…`.
const MAX_LOGGED_PATH: usize = 300;

/// Where log lines go.
#[derive(Clone, Debug, Default)]
pub enum Logging {
    /// Nowhere.
    Off,
    /// To stderr (the binary's default).
    #[default]
    Stderr,
    /// Into memory, for tests to read back.
    Capture(LogCapture),
}

/// Captured log lines, shared between the proxy and the test that reads them.
#[derive(Clone, Debug, Default)]
pub struct LogCapture(Arc<Mutex<Vec<String>>>);

/// The log line of one request, filled in as the request goes and written when its response
/// body is dropped.
#[derive(Debug)]
pub(crate) struct RequestLog {
    logging: Logging,
    method: String,
    host: Option<String>,
    path: String,
    started: Instant,
    status: StatusCode,
    refusal: Option<&'static str>,
    complete: bool,
}

/// Access
impl LogCapture {
    /// The lines logged so far.
    pub fn lines(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Mutation
impl Logging {
    /// Write one line.
    pub(crate) fn line(&self, line: &str) {
        match self {
            Logging::Off => {}
            Logging::Stderr => eprintln!("tabgit-proxy: {line}"),
            Logging::Capture(capture) => capture
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(format!("tabgit-proxy: {line}")),
        }
    }
}

/// Lifecycle
impl RequestLog {
    /// Start the line of a request for `path` (its query is never passed in).
    pub(crate) fn new(logging: Logging, method: &str, path: &str, started: Instant) -> Self {
        let mut logged_path: String = path
            .chars()
            .take(MAX_LOGGED_PATH)
            .map(|c| if c.is_ascii_graphic() { c } else { '?' })
            .collect();
        if path.len() > MAX_LOGGED_PATH {
            logged_path.push('…');
        }
        RequestLog {
            logging,
            method: method.chars().take(16).collect(),
            host: None,
            path: logged_path,
            started,
            status: StatusCode::OK,
            refusal: None,
            complete: false,
        }
    }
}

/// Mutation
impl RequestLog {
    /// Record the target host (`host[:port]`) and the path on it, once the route is known.
    pub(crate) fn set_target(&mut self, host: String, path: &str) {
        self.host = Some(host);
        path.clone_into(&mut self.path);
    }

    /// Record the status sent.
    pub(crate) fn set_status(&mut self, status: StatusCode) {
        self.status = status;
    }

    /// Record the `X-Proxy-Error` code sent.
    pub(crate) fn set_refusal(&mut self, code: &'static str) {
        self.refusal = Some(code);
    }

    /// Record that the body was sent to its end.
    pub(crate) fn set_complete(&mut self) {
        self.complete = true;
    }

    /// Write the line, with `bytes` body bytes sent.
    pub(crate) fn write(&self, bytes: u64) {
        if matches!(self.logging, Logging::Off) {
            return;
        }
        let mut line = format!(
            "{} {} {} {} {bytes}B {}ms",
            self.method,
            self.host.as_deref().unwrap_or("-"),
            self.path,
            self.status.as_u16(),
            self.started.elapsed().as_millis()
        );
        if let Some(code) = self.refusal {
            line.push_str(" refused=");
            line.push_str(code);
        }
        if !self.complete {
            line.push_str(" incomplete");
        }
        self.logging.line(&line);
    }
}
