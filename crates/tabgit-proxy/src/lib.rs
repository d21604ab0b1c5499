//! tabgit's CORS proxy: lets the browser reach git hosts that send no CORS headers, and nothing
//! else.
//!
//! It forwards git smart HTTP only (`gitprotocol-http.adoc`), with the target as the first path
//! segment (the isomorphic-git cors-proxy convention):
//!
//! ```text
//! GET  <proxy>/<host>[:port]/<repo>/info/refs?service=git-upload-pack   (or git-receive-pack)
//! POST <proxy>/<host>[:port]/<repo>/git-upload-pack
//! POST <proxy>/<host>[:port]/<repo>/git-receive-pack
//! ```
//!
//! It is the one server tabgit users must run or trust, so it is never an open proxy
//! (RELIABILITY.md section 5): every request it cannot classify as git smart HTTP from an
//! allowed origin to an allowed target is refused with a status and a machine-readable
//! `X-Proxy-Error` code ([`Refusal`]) that the browser can read.
//!
//! - [`route`]: the route allowlist, a pure function ([`route::classify`]).
//! - [`target`]: the one strict parser for `<host>[:port]`.
//! - [`policy`]: `https` by default, plain HTTP and private addresses only where the operator
//!   says, ports, the host allowlist, and the address checks done on every resolved address.
//! - The server: origins (no `*`, no credentials mode), header allowlists both ways, answers
//!   checked to be git before they are passed on, redirects passed back only within one host,
//!   streaming with byte caps and timeouts, per-client connection caps and rate limits, one log
//!   line per request without headers, bodies or queries.
//!
//! Run the `tabgit-proxy` binary (see its `--help` and the crate README), or start the proxy
//! from Rust with [`start`], which runs it on its own threads and returns a [`Running`]
//! handle that stops it when dropped.
//!
//! ## Examples
//!
//! ```
//! let mut config = tabgit_proxy::Config::default();
//! config.allowed_origins = vec!["https://app.example".to_owned()];
//! // The local git server of the tests and of scripts/dev: plain HTTP on loopback.
//! config.allow_http = vec!["127.0.0.1:8781".to_owned()];
//! config.allow_private = vec!["127.0.0.1:8781".to_owned()];
//! let proxy = tabgit_proxy::start(config)?;
//! let discovery = format!(
//!     "{}/127.0.0.1:8781/demo.git/info/refs?service=git-upload-pack",
//!     proxy.url()
//! );
//! assert!(discovery.starts_with("http://127.0.0.1:"));
//! drop(proxy); // Stops the proxy.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod body;
mod connection;
mod log;
pub mod policy;
mod refusal;
pub mod route;
mod server;
pub mod target;
mod upstream;

use std::{
    io,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Arc,
    thread::JoinHandle,
    time::Duration,
};

use tokio::sync::oneshot;

pub use crate::{
    log::{LogCapture, Logging},
    refusal::Refusal,
    server::headers::USER_AGENT,
    upstream::{ResolveFn, Resolver, TlsError},
};

/// How to run the proxy. Start from [`Config::default`] (safe defaults: loopback, port 0, no
/// origin allowed, any public `https` host) and change the public fields.
#[derive(Clone, Debug)]
pub struct Config {
    /// The address to listen on.
    pub bind: IpAddr,
    /// The port to listen on; 0 picks a free one (read it from [`Running::addr`]).
    pub port: u16,
    /// Origins allowed to read answers, exactly as browsers send them
    /// (`https://app.example.org`, `http://127.0.0.1:8080`). `*` is refused: name each origin.
    pub allowed_origins: Vec<String>,
    /// Serve requests without an `Origin` header (native git, curl). Off by default: the proxy
    /// is for browsers. Tests and local development turn it on.
    pub allow_no_origin: bool,
    /// Hosts the proxy forwards to: `github.com`, `*.example.org`. Empty allows any host with a
    /// public address. Targets named in `allow_http` or `allow_private` are always allowed.
    pub allowed_hosts: Vec<String>,
    /// Targets (`host[:port]`, port 80 if none) reached over plain HTTP; all others get TLS.
    pub allow_http: Vec<String>,
    /// Targets (`host:port`) that may be, or resolve to, private addresses (loopback, RFC 1918,
    /// link-local, …). An IP entry also allows names that resolve to it. For development.
    pub allow_private: Vec<String>,
    /// Ports allowed for `https` targets besides 443.
    pub allowed_ports: Vec<u16>,
    /// Peers (a TLS terminator, a load balancer) whose last `X-Forwarded-For` entry names the
    /// client for the per-client limits.
    pub trusted_proxies: Vec<IpAddr>,
    /// PEM certificates trusted besides Mozilla's roots (a private CA, a test server).
    pub extra_roots_pem: Vec<u8>,
    /// Sizes, timeouts, connection caps and rates.
    pub limits: Limits,
    /// How host names are resolved.
    pub resolver: Resolver,
    /// Where the request log goes.
    pub logging: Logging,
    /// Worker threads of the proxy's runtime; 0 for one per CPU.
    pub worker_threads: usize,
    /// How long a shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

/// Sizes, timeouts, connection caps and rates (RELIABILITY.md section 5, row 11). 0 turns a
/// cap or rate off.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The largest request body (a push), in bytes.
    pub max_request_body: u64,
    /// The largest answer body (a clone's pack), in bytes.
    pub max_response_body: u64,
    /// How long resolving, connecting and the TLS handshake may take, each.
    pub connect_timeout: Duration,
    /// How long either side may send nothing while the other waits.
    pub idle_timeout: Duration,
    /// How long one request may take from start to end of its answer.
    pub total_timeout: Duration,
    /// How long a client may take to send a request's headers.
    pub header_timeout: Duration,
    /// Open connections from one client IP.
    pub max_connections_per_ip: usize,
    /// Open connections in all.
    pub max_connections: usize,
    /// Requests per minute from one client IP (also the burst).
    pub requests_per_minute_per_ip: u32,
    /// Requests per minute from one origin (also the burst).
    pub requests_per_minute_per_origin: u32,
}

/// Why the proxy could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An allowed origin is not of the form `scheme://host[:port]`, or is `*`.
    #[error("allowed origin {origin:?}: {reason}")]
    Origin {
        /// The origin as given.
        origin: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A target policy entry is not valid.
    #[error(transparent)]
    Policy(#[from] policy::Error),
    /// The TLS settings are not valid.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The system's reason.
        #[source]
        source: io::Error,
    },
    /// The runtime or its thread could not be started.
    #[error("cannot start the proxy's runtime: {0}")]
    Runtime(#[source] io::Error),
}

/// A running proxy; dropping it stops the proxy (gracefully, see [`Config::shutdown_grace`]).
#[derive(Debug)]
#[must_use = "dropping the handle stops the proxy"]
pub struct Running {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            allowed_origins: Vec::new(),
            allow_no_origin: false,
            allowed_hosts: Vec::new(),
            allow_http: Vec::new(),
            allow_private: Vec::new(),
            allowed_ports: Vec::new(),
            trusted_proxies: Vec::new(),
            extra_roots_pem: Vec::new(),
            limits: Limits::default(),
            resolver: Resolver::System,
            logging: Logging::Stderr,
            worker_threads: 0,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_request_body: 1 << 30,
            max_response_body: 2 << 30,
            connect_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(120),
            total_timeout: Duration::from_secs(3600),
            header_timeout: Duration::from_secs(30),
            max_connections_per_ip: 16,
            max_connections: 1024,
            requests_per_minute_per_ip: 300,
            requests_per_minute_per_origin: 6000,
        }
    }
}

/// Start a proxy as `config` says, on its own thread with its own multi-threaded tokio
/// runtime.
///
/// The socket is bound before this returns, so the proxy accepts connections as soon as
/// [`Running::url`] is known. Fails if a setting is invalid or the address cannot be bound.
pub fn start(config: Config) -> Result<Running, Error> {
    for origin in &config.allowed_origins {
        check_origin(origin)?;
    }
    let policy = policy::Policy::new(
        &config.allowed_hosts,
        &config.allow_http,
        &config.allow_private,
        &config.allowed_ports,
    )?;
    let limits = config.limits;
    let connector = upstream::Connector::new(
        config.resolver,
        &config.extra_roots_pem,
        limits.connect_timeout,
    )?;
    let shared = Arc::new(server::Shared {
        policy,
        origins: config.allowed_origins,
        allow_no_origin: config.allow_no_origin,
        trusted_proxies: config.trusted_proxies,
        connector,
        connections: connection::Connections::new(
            limits.max_connections_per_ip,
            limits.max_connections,
        ),
        forwarded_clients: connection::Connections::new(limits.max_connections_per_ip, 0),
        ip_rate: connection::RateLimiter::new(limits.requests_per_minute_per_ip),
        origin_rate: connection::RateLimiter::new(limits.requests_per_minute_per_origin),
        logging: config.logging,
        limits,
    });

    let addr = SocketAddr::new(config.bind, config.port);
    let listener =
        std::net::TcpListener::bind(addr).map_err(|source| Error::Bind { addr, source })?;
    listener.set_nonblocking(true).map_err(Error::Runtime)?;
    let addr = listener.local_addr().map_err(Error::Runtime)?;
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all().thread_name("tabgit-proxy");
    if config.worker_threads > 0 {
        runtime.worker_threads(config.worker_threads);
    }
    let runtime = runtime.build().map_err(Error::Runtime)?;
    let listener = {
        // Registering the socket needs the runtime's IO driver.
        let _runtime_context = runtime.enter();
        tokio::net::TcpListener::from_std(listener).map_err(Error::Runtime)?
    };
    let (shutdown_sender, shutdown) = oneshot::channel();
    let grace = config.shutdown_grace;
    let thread = std::thread::Builder::new()
        .name(format!("tabgit-proxy-{}", addr.port()))
        .spawn(move || {
            runtime.block_on(server::serve(listener, shared, shutdown, grace));
            // Connections past the grace period are dropped with the runtime.
            runtime.shutdown_timeout(Duration::from_millis(100));
        })
        .map_err(Error::Runtime)?;
    Ok(Running {
        addr,
        shutdown: Some(shutdown_sender),
        thread: Some(thread),
    })
}

/// Check that `origin` is `http(s)://host[:port]` in lowercase with nothing after it.
fn check_origin(origin: &str) -> Result<(), Error> {
    let refuse = |reason| Error::Origin {
        origin: origin.to_owned(),
        reason,
    };
    if origin == "*" {
        return Err(refuse(
            "`*` would let any web page use the proxy: name each origin",
        ));
    }
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| refuse("needs http:// or https://"))?;
    if origin != origin.to_ascii_lowercase() {
        return Err(refuse("write it in lowercase, as browsers send it"));
    }
    target::parse(rest).map_err(|_| refuse("needs scheme://host[:port] and nothing after it"))?;
    Ok(())
}

/// Access
impl Running {
    /// The address the proxy listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port the proxy listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The proxy's base URL without a trailing slash, such as `http://127.0.0.1:41234`;
    /// a repository `https://github.com/o/r.git` is at `{url}/github.com/o/r.git`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Lifecycle
impl Running {
    /// Stop accepting connections, let requests in flight finish (up to the grace period),
    /// and wait for the proxy's thread.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The proxy may have stopped already, dropping the receiver: that is fine.
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic in the proxy's thread has been printed already; there is nothing to add.
            let _ = thread.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}
