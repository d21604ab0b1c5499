//! Running `git http-backend` as a CGI program (RFC 3875) and streaming its response.
//!
//! The CGI response is a header block, an empty line, then the body:
//!
//! ```text
//! response = *( header-field NL ) NL body       ; NL is "\n" or "\r\n"
//! Status: 404 Not Found                         ; optional, default 200
//! Content-Type: application/x-git-upload-pack-advertisement
//! ```
//!
//! The environment follows `git-http-backend.adoc`; `GIT_PROTOCOL` carries the client's
//! `Git-Protocol` header (`gitprotocol-v2.adoc`, "HTTP Transport"), and `HTTP_CONTENT_ENCODING`
//! lets http-backend inflate gzip request bodies itself (`http-backend.c`, `inflate_request`).

use std::{
    ffi::OsString,
    io,
    net::IpAddr,
    path::{Path, PathBuf},
    pin::Pin,
    process::Stdio,
    task::{ready, Context, Poll},
};

use bytes::Bytes;
use hyper::{
    header::{HeaderName, HeaderValue},
    HeaderMap, StatusCode,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, BufReader, ReadBuf},
    process::{Child, ChildStderr, ChildStdin, ChildStdout, Command},
    sync::oneshot,
};

/// The largest CGI header block accepted, in bytes.
const MAX_HEAD_LEN: usize = 64 * 1024;

/// How much of the child's stdout is read at once.
const READ_CHUNK_LEN: usize = 64 * 1024;

/// Server configuration every CGI request gets: `git -c` style `(key, value)` pairs passed
/// through `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_<n>`/`GIT_CONFIG_VALUE_<n>`.
const GIT_CONFIG: [(&str, &str); 4] = [
    // Push over HTTP; http-backend enables it by default only for authenticated users.
    ("http.receivepack", "true"),
    // Partial clone (`--filter=blob:none`).
    ("uploadpack.allowFilter", "true"),
    // Lazy fetch of a promisor's missing blobs asks for unadvertised objects.
    ("uploadpack.allowAnySHA1InWant", "true"),
    // Repositories under the root may belong to another user (containers, CI caches).
    ("safe.directory", "*"),
];

/// What `git http-backend` needs to know about one request.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    /// The git executable.
    pub git: &'a Path,
    /// `GIT_PROJECT_ROOT`: the directory holding the repositories.
    pub project_root: &'a Path,
    /// `REQUEST_METHOD`.
    pub method: &'a str,
    /// `PATH_INFO`: the decoded repository path and file, such as `/demo.git/info/refs`.
    pub path_info: &'a str,
    /// `QUERY_STRING`, without the `?`.
    pub query: &'a str,
    /// The request headers: `Content-Type`, `Content-Length`, `Content-Encoding` and
    /// `Git-Protocol` are passed on.
    pub headers: &'a HeaderMap,
    /// Whether to pass `Git-Protocol` on as `GIT_PROTOCOL` (the `v0` knob turns this off).
    pub pass_git_protocol: bool,
    /// `REMOTE_ADDR`.
    pub remote_addr: IpAddr,
    /// `REMOTE_USER`: the authenticated user, if any.
    pub remote_user: Option<&'a str>,
}

/// A running `git http-backend` and its pipes, before the response head is read.
#[derive(Debug)]
pub(crate) struct Spawned {
    /// Write the request body here, then drop it.
    pub stdin: ChildStdin,
    /// Lines of diagnostics; drain them or the child may block.
    pub stderr: ChildStderr,
    /// The response; read its head with [`Output::read_head`].
    pub output: Output,
    /// Kills the child when the request body cannot be delivered.
    pub abort: Abort,
}

/// A handle that kills `git http-backend` and everything it started.
///
/// It exists because http-backend cannot survive a short request body: given fewer bytes than
/// `CONTENT_LENGTH`, its copy loop (`http-backend.c`, `pipe_fixed_length`) spins on `read`
/// returning 0 forever, in a forked helper that outlives its parent.
#[derive(Debug)]
pub(crate) struct Abort(oneshot::Sender<()>);

/// The parsed CGI response head.
#[derive(Debug)]
pub(crate) struct Head {
    /// From `Status:`, or 200.
    pub status: StatusCode,
    /// Every other header, in order.
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

/// The child's stdout as a stream of body chunks; dropping it before the end of the output
/// kills the child and everything it started (the client is gone, or the response is cut
/// short on purpose).
#[derive(Debug)]
pub(crate) struct Output {
    /// Kills the child when sent; `None` once the output ended normally.
    kill: Option<oneshot::Sender<()>>,
    stdout: ChildStdout,
    /// Body bytes read together with the head, sent before anything else.
    leftover: Bytes,
    buffer: Box<[u8]>,
}

/// The error returned when `git http-backend` cannot be run or answers with a broken head.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// The process could not be started.
    #[error("could not start `{git} http-backend`", git = git.display())]
    Spawn {
        /// The git executable that was tried.
        git: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// Reading the child's stdout failed.
    #[error("could not read the output of git http-backend")]
    Read(#[source] io::Error),
    /// The child closed stdout before the end of the header block.
    #[error("git http-backend exited before sending a complete header block")]
    NoHead,
    /// The header block is larger than [`MAX_HEAD_LEN`].
    #[error("git http-backend sent more than {MAX_HEAD_LEN} bytes of headers")]
    HeadTooLarge,
    /// A header line is not `Name: value`, or not a valid HTTP header.
    #[error("git http-backend sent a malformed header line {line:?}")]
    MalformedHeader {
        /// The line, lossily decoded.
        line: String,
    },
    /// The `Status:` header does not start with a valid status code.
    #[error("git http-backend sent an invalid status {value:?}")]
    InvalidStatus {
        /// The header value, lossily decoded.
        value: String,
    },
}

/// Start `git http-backend` for `request`, with all three pipes connected.
pub(crate) fn spawn(request: &Request<'_>) -> Result<Spawned, Error> {
    let mut command = Command::new(request.git);
    command.arg("http-backend");
    // A server started from inside git (a hook, `git rebase -x`) must not pass that
    // repository's GIT_DIR, GIT_INDEX_FILE or trace settings on to the child.
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("GIT_") {
            command.env_remove(key);
        }
    }
    // Only the repository's own configuration and ours apply, not the user's or the system's.
    command.env("GIT_CONFIG_NOSYSTEM", "1");
    if cfg!(unix) {
        command.env("GIT_CONFIG_GLOBAL", "/dev/null");
    }
    command
        .env("GIT_PROJECT_ROOT", request.project_root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GATEWAY_INTERFACE", "CGI/1.1")
        .env("SERVER_PROTOCOL", "HTTP/1.1")
        .env("REQUEST_METHOD", request.method)
        .env("PATH_INFO", request.path_info)
        .env("QUERY_STRING", request.query)
        .env("REMOTE_ADDR", request.remote_addr.to_string());
    if let Some(user) = request.remote_user {
        command.env("REMOTE_USER", user);
    }
    let header_vars = [
        (hyper::header::CONTENT_TYPE.as_str(), "CONTENT_TYPE", true),
        (
            hyper::header::CONTENT_LENGTH.as_str(),
            "CONTENT_LENGTH",
            true,
        ),
        (
            hyper::header::CONTENT_ENCODING.as_str(),
            "HTTP_CONTENT_ENCODING",
            true,
        ),
        ("git-protocol", "GIT_PROTOCOL", request.pass_git_protocol),
    ];
    for (header, variable, wanted) in header_vars {
        let value = request.headers.get(header).filter(|_| wanted);
        if let Some(value) = value {
            command.env(variable, header_value_to_os(value));
        }
    }
    command.env("GIT_CONFIG_COUNT", GIT_CONFIG.len().to_string());
    for (config_idx, (key, value)) in GIT_CONFIG.iter().enumerate() {
        command
            .env(format!("GIT_CONFIG_KEY_{config_idx}"), key)
            .env(format!("GIT_CONFIG_VALUE_{config_idx}"), value);
    }
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);

    // Its own process group, so that killing it reaches the helpers it forks.
    #[cfg(unix)]
    command.process_group(0);

    let spawn_error = |source| Error::Spawn {
        git: request.git.to_owned(),
        source,
    };
    let mut child = command.spawn().map_err(spawn_error)?;
    let pipe_error = || spawn_error(io::Error::other("child pipe missing after spawn"));
    let stdin = child.stdin.take().ok_or_else(pipe_error)?;
    let stdout = child.stdout.take().ok_or_else(pipe_error)?;
    let stderr = child.stderr.take().ok_or_else(pipe_error)?;
    let (kill, kill_on_output_drop) = oneshot::channel();
    let (abort, kill_on_abort) = oneshot::channel();
    tokio::spawn(supervise(child, kill_on_output_drop, kill_on_abort));
    Ok(Spawned {
        stdin,
        stderr,
        output: Output {
            kill: Some(kill),
            stdout,
            leftover: Bytes::new(),
            buffer: vec![0; READ_CHUNK_LEN].into_boxed_slice(),
        },
        abort: Abort(abort),
    })
}

/// Wait for `child` to exit (reaping it), or kill its process group when either signal is
/// sent first.
///
/// If the runtime shuts down first, dropping the task kills the group too ([`GroupGuard`]).
async fn supervise(
    child: Child,
    mut kill_on_output_drop: oneshot::Receiver<()>,
    mut kill_on_abort: oneshot::Receiver<()>,
) {
    let mut guard = GroupGuard(child);
    // A dropped sender (`Err`) means the output ended normally or the request body was
    // delivered: only an explicit send kills.
    let kill = tokio::select! {
        _ = guard.0.wait() => false,
        Ok(()) = &mut kill_on_output_drop => true,
        Ok(()) = &mut kill_on_abort => true,
    };
    if kill {
        kill_process_group(&mut guard.0);
        // Reaping; an error means it was already reaped.
        let _ = guard.0.wait().await;
    }
}

/// Kills the child's process group when dropped, unless the child was reaped.
struct GroupGuard(Child);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        kill_process_group(&mut self.0);
    }
}

/// Kill `child` and, on Unix, every process in its process group; a reaped child has no id and
/// is left alone, so a reused process id is never signalled.
fn kill_process_group(child: &mut Child) {
    #[cfg(unix)]
    {
        let group = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .and_then(rustix::process::Pid::from_raw);
        if let Some(group) = group {
            // The group may be gone already; nothing is left to do then.
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
    }
    // Without process groups this is the best there is; with them it is a no-op.
    let _ = child.start_kill();
}

/// Read `stderr` to its end, handing each line to `log_line`.
pub(crate) async fn drain_stderr(stderr: ChildStderr, log_line: impl Fn(&str)) {
    let mut lines = BufReader::new(stderr).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        log_line(&line);
    }
}

/// Parse a complete CGI header block (without the empty line that ends it).
pub(crate) fn parse_head(block: &[u8]) -> Result<Head, Error> {
    let mut status = StatusCode::OK;
    let mut headers = Vec::new();
    for line in block.split(|byte| *byte == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let malformed = || Error::MalformedHeader {
            line: String::from_utf8_lossy(line).into_owned(),
        };
        let colon_idx = line
            .iter()
            .position(|byte| *byte == b':')
            .ok_or_else(malformed)?;
        let (name, value) = line.split_at(colon_idx);
        let value = value[1..].trim_ascii();
        if name.eq_ignore_ascii_case(b"status") {
            status = value
                .get(..3)
                .and_then(|digits| StatusCode::from_bytes(digits).ok())
                .filter(|_| value.get(3).is_none_or(|byte| *byte == b' '))
                .ok_or_else(|| Error::InvalidStatus {
                    value: String::from_utf8_lossy(value).into_owned(),
                })?;
            continue;
        }
        let name = HeaderName::from_bytes(name).map_err(|_| malformed())?;
        let value = HeaderValue::from_bytes(value).map_err(|_| malformed())?;
        headers.push((name, value));
    }
    Ok(Head { status, headers })
}

/// Find the end of a CGI header block: return the length of the block and of its terminator.
fn find_head_end(buffer: &[u8]) -> Option<(usize, usize)> {
    let mut line_start = 0;
    for (byte_idx, byte) in buffer.iter().enumerate() {
        if *byte != b'\n' {
            continue;
        }
        let line = &buffer[line_start..byte_idx];
        if line.is_empty() || line == b"\r" {
            return Some((line_start, byte_idx + 1 - line_start));
        }
        line_start = byte_idx + 1;
    }
    None
}

/// Access
impl Output {
    /// Read and parse the response head, keeping any body bytes that came with it.
    pub(crate) async fn read_head(&mut self) -> Result<Head, Error> {
        let mut head = Vec::new();
        loop {
            let chunk = std::future::poll_fn(|cx| self.poll_chunk(cx))
                .await
                .ok_or(Error::NoHead)?
                .map_err(Error::Read)?;
            head.extend_from_slice(&chunk);
            // Heads are a few hundred bytes in one or two chunks: rescanning is cheap.
            if let Some((block_len, terminator_len)) = find_head_end(&head) {
                let parsed = parse_head(&head[..block_len])?;
                self.leftover = Bytes::copy_from_slice(&head[block_len + terminator_len..]);
                return Ok(parsed);
            }
            if head.len() > MAX_HEAD_LEN {
                return Err(Error::HeadTooLarge);
            }
        }
    }

    /// Poll for the next chunk of the response; `None` at the end of the child's output.
    pub(crate) fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<io::Result<Bytes>>> {
        if !self.leftover.is_empty() {
            return Poll::Ready(Some(Ok(std::mem::take(&mut self.leftover))));
        }
        let mut read_buf = ReadBuf::new(&mut self.buffer);
        if let Err(err) = ready!(Pin::new(&mut self.stdout).poll_read(cx, &mut read_buf)) {
            return Poll::Ready(Some(Err(err)));
        }
        let filled = read_buf.filled();
        if filled.is_empty() {
            // Every writer closed stdout: git is done (or nearly), so do not kill it.
            self.kill = None;
            return Poll::Ready(None);
        }
        Poll::Ready(Some(Ok(Bytes::copy_from_slice(filled))))
    }
}

/// Mutation
impl Abort {
    /// Kill the child and everything it started.
    pub(crate) fn kill(self) {
        // The supervisor is gone only if the child already exited.
        let _ = self.0.send(());
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Some(kill) = self.kill.take() {
            // The supervisor is gone only if the child already exited.
            let _ = kill.send(());
        }
    }
}

#[cfg(unix)]
fn header_value_to_os(value: &HeaderValue) -> OsString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(value.as_bytes()).to_owned()
}

#[cfg(not(unix))]
fn header_value_to_os(value: &HeaderValue) -> OsString {
    OsString::from(String::from_utf8_lossy(value.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

    #[test]
    fn head_with_status_and_headers() -> Result {
        let head = parse_head(
            b"Status: 404 Not Found\r\nContent-Type: text/plain\r\nExpires: Fri, 01 Jan 1980 00:00:00 GMT\r\n",
        )?;
        assert_eq!(head.status, StatusCode::NOT_FOUND);
        let names: Vec<&str> = head.headers.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["content-type", "expires"], "Status is not a header");
        Ok(())
    }

    #[test]
    fn head_without_status_is_200() -> Result {
        let head = parse_head(b"Content-Type: application/x-git-upload-pack-result\n")?;
        assert_eq!(head.status, StatusCode::OK);
        Ok(())
    }

    #[test]
    fn malformed_heads_are_errors() {
        assert!(matches!(
            parse_head(b"no colon here\r\n"),
            Err(Error::MalformedHeader { .. })
        ));
        assert!(matches!(
            parse_head(b"Status: 99x\r\n"),
            Err(Error::InvalidStatus { .. })
        ));
        assert!(matches!(
            parse_head(b"Status: 2000 Wide\r\n"),
            Err(Error::InvalidStatus { .. })
        ));
    }

    #[test]
    fn head_end_is_found_with_crlf_and_lf() {
        assert_eq!(find_head_end(b"A: b\r\n\r\nbody"), Some((6, 2)));
        assert_eq!(find_head_end(b"A: b\n\nbody"), Some((5, 1)));
        assert_eq!(find_head_end(b"\r\nbody"), Some((0, 2)), "an empty head");
        assert_eq!(find_head_end(b"A: b\r\n"), None);
    }
}
