//! A local git smart-HTTP server for development, tests and benchmarks, with fault knobs.
//!
//! The server serves every repository under a root directory by running the real
//! `git http-backend` as a CGI program, so what clients talk to is git itself
//! (`gitprotocol-http.adoc`, protocol v0 and v2, push, partial clone).
//! It listens on 127.0.0.1 by default, streams request and response bodies (a pack is never
//! held in memory), and can be told to misbehave in the ways a real server or network does,
//! for the protocol error tests (RELIABILITY.md section 4.2, faults N1 to N14 and P1 to P7).
//!
//! Use it from Rust tests with [`start`], which runs the server on its own thread and returns
//! a [`Running`] handle that stops it when dropped, or run the `tabgit-gitserver` binary:
//!
//! ```text
//! tabgit-gitserver --root DIR [--port N] [--bind IP] [--cors] [--port-file PATH]
//!                  [--auth USER:TOKEN] [--v0-only] [--delay-ms N] [--cut BYTES]
//!                  [--status CODE] [--retry-after SECS] [--redirect TARGET] ...
//!                  [--fault KNOBS]
//! ```
//!
//! The binary prints exactly one line to stdout, `listening on http://127.0.0.1:PORT/`, then
//! logs one line per request to stderr (method, path without query, status, body bytes,
//! duration) and git's own diagnostics.
//! It runs until SIGINT or SIGTERM.
//!
//! ## What git is run with
//!
//! Each request runs `git http-backend` with `GIT_PROJECT_ROOT` set to the root,
//! `GIT_HTTP_EXPORT_ALL=1`, the request as CGI variables (`PATH_INFO`, `QUERY_STRING`,
//! `CONTENT_TYPE`, `CONTENT_LENGTH`, `HTTP_CONTENT_ENCODING` for gzip bodies, `REMOTE_ADDR`,
//! `REMOTE_USER`), `GIT_PROTOCOL` from the `Git-Protocol` header, and this configuration:
//! `http.receivepack=true` (push), `uploadpack.allowFilter=true` (partial clone),
//! `uploadpack.allowAnySHA1InWant=true` (lazy fetch of promisor objects) and
//! `safe.directory=*`.
//! Inherited `GIT_*` variables are removed and neither the system nor the user's global git
//! configuration is read; a repository's own `config` still applies.
//!
//! ## Fault knobs
//!
//! Knobs are set for the whole server ([`Config::faults`], or the binary's flags) or per
//! request with a path prefix, so one server can serve many cases at once:
//!
//! ```text
//! http://127.0.0.1:PORT/_fault/<knob>[,<knob>...]/<repository path>
//! http://127.0.0.1:PORT/_fault/cut=2000/demo.git/info/refs?service=git-upload-pack
//! ```
//!
//! Give a git client the prefixed URL as its remote and every request it sends carries the
//! prefix.
//! A knob is `name` or `name=value`; values are percent-decoded, so a `/`, `,` or `%` inside a
//! value must be written `%2F`, `%2C`, `%25` ([`Faults`]'s `Display` writes this form).
//! The parser is strict: an unknown knob, a bad value or a knob given twice is answered with
//! `400 Bad Request` and the reason.
//! Knobs in the prefix override the server-wide ones; `v0` applies if either sets it.
//!
//! | Knob | Effect |
//! | --- | --- |
//! | `delay=<ms>` | Wait this long before answering. |
//! | `cut=<bytes>` | Send the first `<bytes>` bytes of the body, then drop the connection: the client sees a body shorter than its `Content-Length`, or a chunked body without its last chunk. The server side runs to completion first (git's output is drained and the whole request body is handed to git), so a push that is cut has still happened: fault P5. A body no longer than `<bytes>` is not cut. |
//! | `stall=<bytes>` | Send the first `<bytes>` bytes of the body, then nothing more, keeping the connection open until the client gives up (fault N9: a server that hangs mid-pack). `cut` wins when both are given. |
//! | `status=<code>` | Answer with this status (200 to 599) and a short `text/plain` body. |
//! | `retry-after=<secs>` | Add `Retry-After: <secs>` (with `status=429` or `503`: fault N12). |
//! | `auth=<user>:<token>` | Require `Authorization: Basic base64(<user>:<token>)` or `Authorization: Bearer <token>`; otherwise `401` with `WWW-Authenticate: Basic realm="tabgit-gitserver"`. The user becomes `REMOTE_USER`. |
//! | `redirect=<target>` | Answer every request with `301` and `Location: <target><rest>`, where `<rest>` is the path after the fault prefix plus the query. A `<target>` starting with `/` is a path on this server; one starting with `http://` (or `https://`) is another authority, for example another server on another port. |
//! | `redirect302=<target>` | The same with `302 Found`. |
//! | `redirect-initial=<target>` | Redirect only ref discovery (`GET …/info/refs`) with `301`; other requests are served. |
//! | `redirect-initial302=<target>` | The same with `302 Found`. |
//! | `v0` | Do not pass `Git-Protocol` on, so git answers in protocol v0 even when the client asked for v2 (fault N14). |
//! | `body=html` | `200 text/html` with an HTML login page (fault N4). |
//! | `body=err` | A protocol-correct response whose payload is `ERR simulated server error` ([`fault::ERR_MESSAGE`]): for discovery the advertisement content type, a `# service=` line and a flush first; for POSTs the `application/x-git-*-result` type (fault N5). |
//! | `body=sideband3` | For `git-upload-pack` POSTs only: git's real response up to where the pack starts (after the `packfile` section line in v2, after the final `NAK` or `ACK <id>` in v0), then a side-band channel 3 packet `error: simulated server failure` ([`fault::SIDEBAND3_MESSAGE`]) and the end of the response (fault N6). Other requests, and v2 `ls-refs`, are served normally. |
//! | `body=badpkt` | Invalid pkt-line framing: `zzzz…` after a valid `# service=` header for discovery, alone otherwise (fault N8). |
//! | `ctype=<mime>` | Override the response `Content-Type`. |
//! | `on=<scope>` | Apply `delay`, `cut`, `stall`, `status`, `retry-after`, `body` and `ctype` only to one kind of request: `info-refs`, `upload-pack` (`POST …/git-upload-pack`), `receive-pack` (`POST …/git-receive-pack`) or `post` (both). `auth`, `redirect…` and `v0` always apply to every request. |
//!
//! A request goes through the knobs in this order: a CORS preflight is answered first, then
//! `delay`, `auth`, `redirect…`, then `status`/`body` (`status` sets the code of a `body`
//! answer; `status` alone sends a text body), then git; `ctype`, `retry-after`, `cut` and `stall` then
//! apply to whichever response resulted.
//!
//! For example `on=upload-pack,cut=2000` cuts the pack of a clone mid-stream (fault N9), and
//! `on=receive-pack,cut=0` loses the push report after the push happened (fault P5).
//!
//! ## Hostile repositories
//!
//! A repository may carry canned answers for what `git http-backend` never sends, for the
//! malicious-repository tests (`tests/fixtures/make-malicious.sh`): `tabgit-hostile/info-refs`
//! replaces the body of `GET …/info/refs?service=git-upload-pack` (hostile ref names, symrefs,
//! `ERR` lines), and `tabgit-hostile/upload-pack-tail` replaces everything after the point where
//! a `POST …/git-upload-pack` response starts its pack (a crafted pack in side-band 1 packets,
//! side-band 2 and 3 text). Knobs apply first; negotiation stays git's.
//!
//! ## CORS
//!
//! With [`Config::cors`] (`--cors`) every response carries `Access-Control-Allow-Origin` (the
//! request's `Origin`, or `*`), `-Allow-Methods`, `-Allow-Headers`, `-Expose-Headers` and
//! `-Max-Age`, and `OPTIONS` preflights are answered with `204 No Content`, before any knob.
//!
//! ## Examples
//!
//! ```
//! use tabgit_gitserver::{Config, Faults};
//!
//! let root = tempfile::tempdir()?;
//! let server = tabgit_gitserver::start(Config::new(root.path()))?;
//! // A clone from `remote` sees its pack cut after 2000 bytes.
//! let faults: Faults = "on=upload-pack,cut=2000".parse()?;
//! let remote = format!("{}/demo.git", server.fault_url(&faults));
//! assert!(remote.starts_with("http://127.0.0.1:"));
//! assert!(remote.ends_with("/_fault/cut=2000,on=upload-pack/demo.git"));
//! drop(server); // Stops the server.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod cgi;
pub mod fault;
mod hostile;
mod route;
mod server;

use std::{
    io,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::PathBuf,
    sync::Arc,
    thread::JoinHandle,
};

use tokio::sync::oneshot;

pub use fault::Faults;

/// How to run the server.
///
/// Build it with [`Config::new`] and change the public fields.
#[derive(Debug, Clone)]
pub struct Config {
    /// The directory whose repositories are served; `/demo.git` is `<root>/demo.git`.
    pub root: PathBuf,
    /// The address to listen on; 127.0.0.1 unless changed.
    pub bind: IpAddr,
    /// The port to listen on; 0 lets the system pick a free one (read it from
    /// [`Running::addr`]).
    pub port: u16,
    /// Send CORS headers and answer `OPTIONS` preflights.
    pub cors: bool,
    /// Knobs applied to every request; a request's `/_fault/` prefix overrides them.
    pub faults: Faults,
    /// The git executable; `git` from `PATH` unless changed.
    pub git: PathBuf,
    /// Log one line per request, and git's diagnostics, to stderr.
    pub log: bool,
}

/// A running server; dropping it stops the server.
///
/// Stopping drops open connections and kills the `git http-backend` processes serving them.
#[derive(Debug)]
#[must_use = "dropping the handle stops the server"]
pub struct Running {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

/// Lifecycle
impl Config {
    /// Serve the repositories under `root` on 127.0.0.1 on a free port, without CORS or
    /// knobs, logging requests.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Config {
            root: root.into(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            cors: false,
            faults: Faults::default(),
            git: PathBuf::from("git"),
            log: true,
        }
    }
}

/// Start a server as `config` says, on its own thread with its own single-threaded tokio
/// runtime.
///
/// The socket is bound before this returns, so the server accepts connections as soon as
/// [`Running::url`] is known.
/// Fails if `config.root` is not a directory or the address cannot be bound.
pub fn start(config: Config) -> io::Result<Running> {
    let root = std::fs::canonicalize(&config.root)?;
    if !root.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("repository root {} is not a directory", root.display()),
        ));
    }
    let listener = std::net::TcpListener::bind(SocketAddr::new(config.bind, config.port))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let state = Arc::new(server::State {
        root,
        git: config.git,
        cors: config.cors,
        faults: config.faults,
        log: config.log,
    });
    let listener = {
        // Registering the socket needs the runtime's IO driver.
        let _runtime_context = runtime.enter();
        tokio::net::TcpListener::from_std(listener)?
    };
    let (shutdown_sender, shutdown) = oneshot::channel();
    let thread = std::thread::Builder::new()
        .name(format!("tabgit-gitserver-{}", addr.port()))
        .spawn(move || runtime.block_on(server::serve(listener, state, shutdown)))?;
    Ok(Running {
        addr,
        shutdown: Some(shutdown_sender),
        thread: Some(thread),
    })
}

/// Access
impl Running {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The server's base URL without a trailing slash, such as `http://127.0.0.1:41234`;
    /// a repository `<root>/demo.git` is at `{url}/demo.git`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The base URL with `faults` as a path prefix, such as
    /// `http://127.0.0.1:41234/_fault/cut=2000`; append `/demo.git` for a repository.
    ///
    /// With no knobs set this is [`Running::url`].
    pub fn fault_url(&self, faults: &Faults) -> String {
        if faults.is_empty() {
            return self.url();
        }
        format!("{}{}{}", self.url(), fault::PATH_PREFIX, faults)
    }
}

/// Lifecycle
impl Running {
    /// Stop the server and wait for its thread, returning the error that stopped it, if any.
    pub fn shutdown(mut self) -> io::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            // The server may have stopped already, dropping the receiver: that is fine.
            let _ = shutdown.send(());
        }
        self.join()
    }

    fn join(&mut self) -> io::Result<()> {
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| io::Error::other("the server thread panicked"))?,
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        // Errors cannot be reported from drop; `shutdown` returns them.
        let _ = self.join();
    }
}
