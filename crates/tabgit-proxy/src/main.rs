//! `tabgit-proxy`: the CORS proxy binary, a command line over [`tabgit_proxy::start`].
//!
//! It prints `listening on http://IP:PORT/` as its first line on stdout, logs one line per
//! request to stderr, and runs until SIGINT or SIGTERM, then stops accepting connections and
//! lets requests in flight finish (up to `--shutdown-grace-secs`).

use std::{
    io::Write as _,
    net::{IpAddr, Ipv4Addr},
    path::PathBuf,
    process::ExitCode,
    time::Duration,
};

use clap::Parser;
use tabgit_proxy::{Config, Limits, Logging};

/// Forward git smart HTTP (and nothing else) from browsers to git hosts.
///
/// URLs look like `<proxy>/<host>[:port]/<repo>/info/refs?service=git-upload-pack`. Hosts are
/// reached over https on port 443; private and loopback addresses are refused; only the origins
/// named with --allow-origin may read answers. Every flag can also be set through the
/// environment variable shown; list flags take comma-separated values there.
#[derive(Debug, Parser)]
#[command(name = "tabgit-proxy", version, about, long_about)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "TABGIT_PROXY_BIND", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Port to listen on (0 picks one; the first line printed says which).
    #[arg(long, env = "TABGIT_PROXY_PORT", default_value_t = 8790)]
    port: u16,
    /// An origin allowed to read answers, exactly as browsers send it, e.g.
    /// `https://tabgit.example.org` (repeatable). `*` is refused.
    #[arg(
        long = "allow-origin",
        env = "TABGIT_PROXY_ALLOW_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN"
    )]
    allow_origins: Vec<String>,
    /// Also serve requests without an Origin header (native git, curl): for development and
    /// tests.
    #[arg(long, env = "TABGIT_PROXY_ALLOW_NO_ORIGIN")]
    allow_no_origin: bool,
    /// Forward only to this host (repeatable; `*.example.org` for its subdomains). Without any,
    /// every host with a public address is allowed.
    #[arg(
        long = "allow-host",
        env = "TABGIT_PROXY_ALLOW_HOSTS",
        value_delimiter = ',',
        value_name = "HOST"
    )]
    allow_hosts: Vec<String>,
    /// Reach this target over plain HTTP instead of https (repeatable; port 80 if none given).
    #[arg(
        long = "allow-http",
        env = "TABGIT_PROXY_ALLOW_HTTP",
        value_delimiter = ',',
        value_name = "HOST[:PORT]"
    )]
    allow_http: Vec<String>,
    /// Allow this target to be, or resolve to, a private or loopback address (repeatable): for a
    /// development git server, e.g. 127.0.0.1:8781.
    #[arg(
        long = "allow-private",
        env = "TABGIT_PROXY_ALLOW_PRIVATE",
        value_delimiter = ',',
        value_name = "HOST:PORT"
    )]
    allow_private: Vec<String>,
    /// Allow this port for https targets besides 443 (repeatable).
    #[arg(
        long = "allow-port",
        env = "TABGIT_PROXY_ALLOW_PORTS",
        value_delimiter = ',',
        value_name = "PORT"
    )]
    allow_ports: Vec<u16>,
    /// A peer (TLS terminator, load balancer) whose last X-Forwarded-For entry names the client
    /// for the per-client limits (repeatable).
    #[arg(
        long = "trusted-proxy",
        env = "TABGIT_PROXY_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "IP"
    )]
    trusted_proxies: Vec<IpAddr>,
    /// PEM file of CA certificates to trust besides Mozilla's roots.
    #[arg(long, env = "TABGIT_PROXY_CA_FILE", value_name = "PATH")]
    ca_file: Option<PathBuf>,
    /// Largest request body (a push), in bytes.
    #[arg(long, env = "TABGIT_PROXY_MAX_REQUEST_BYTES", default_value_t = Limits::default().max_request_body)]
    max_request_bytes: u64,
    /// Largest answer body (a clone's pack), in bytes.
    #[arg(long, env = "TABGIT_PROXY_MAX_RESPONSE_BYTES", default_value_t = Limits::default().max_response_body)]
    max_response_bytes: u64,
    /// Seconds that resolving, connecting and the TLS handshake may take, each.
    #[arg(long, env = "TABGIT_PROXY_CONNECT_TIMEOUT_SECS", default_value_t = Limits::default().connect_timeout.as_secs())]
    connect_timeout_secs: u64,
    /// Seconds either side may send nothing while the other waits.
    #[arg(long, env = "TABGIT_PROXY_IDLE_TIMEOUT_SECS", default_value_t = Limits::default().idle_timeout.as_secs())]
    idle_timeout_secs: u64,
    /// Seconds one request may take, start to end.
    #[arg(long, env = "TABGIT_PROXY_TOTAL_TIMEOUT_SECS", default_value_t = Limits::default().total_timeout.as_secs())]
    total_timeout_secs: u64,
    /// Seconds a client may take to send a request's headers.
    #[arg(long, env = "TABGIT_PROXY_HEADER_TIMEOUT_SECS", default_value_t = Limits::default().header_timeout.as_secs())]
    header_timeout_secs: u64,
    /// Open connections allowed from one client IP (0: no cap); more are answered 429.
    #[arg(long, env = "TABGIT_PROXY_MAX_CONNECTIONS_PER_IP", default_value_t = Limits::default().max_connections_per_ip)]
    max_connections_per_ip: usize,
    /// Open connections allowed in all (0: no cap); more are answered 503.
    #[arg(long, env = "TABGIT_PROXY_MAX_CONNECTIONS", default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// Requests per minute from one client IP, also the burst (0: no limit); more are 429.
    #[arg(long, env = "TABGIT_PROXY_RATE_PER_IP", default_value_t = Limits::default().requests_per_minute_per_ip)]
    rate_per_ip: u32,
    /// Requests per minute from one origin, also the burst (0: no limit); more are 429.
    #[arg(long, env = "TABGIT_PROXY_RATE_PER_ORIGIN", default_value_t = Limits::default().requests_per_minute_per_origin)]
    rate_per_origin: u32,
    /// Worker threads (0: one per CPU).
    #[arg(long, env = "TABGIT_PROXY_WORKERS", default_value_t = 0)]
    workers: usize,
    /// Seconds a shutdown waits for requests in flight.
    #[arg(long, env = "TABGIT_PROXY_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    shutdown_grace_secs: u64,
    /// Do not log requests.
    #[arg(long, env = "TABGIT_PROXY_QUIET")]
    quiet: bool,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let mut message = format!("tabgit-proxy: {err}");
            let mut source = err.source();
            while let Some(cause) = source {
                message.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let extra_roots_pem = match &args.ca_file {
        Some(path) => std::fs::read(path)
            .map_err(|err| format!("cannot read --ca-file {}: {err}", path.display()))?,
        None => Vec::new(),
    };
    let config = Config {
        bind: args.bind,
        port: args.port,
        allowed_origins: args.allow_origins,
        allow_no_origin: args.allow_no_origin,
        allowed_hosts: args.allow_hosts,
        allow_http: args.allow_http,
        allow_private: args.allow_private,
        allowed_ports: args.allow_ports,
        trusted_proxies: args.trusted_proxies,
        extra_roots_pem,
        limits: Limits {
            max_request_body: args.max_request_bytes,
            max_response_body: args.max_response_bytes,
            connect_timeout: Duration::from_secs(args.connect_timeout_secs),
            idle_timeout: Duration::from_secs(args.idle_timeout_secs),
            total_timeout: Duration::from_secs(args.total_timeout_secs),
            header_timeout: Duration::from_secs(args.header_timeout_secs),
            max_connections_per_ip: args.max_connections_per_ip,
            max_connections: args.max_connections,
            requests_per_minute_per_ip: args.rate_per_ip,
            requests_per_minute_per_origin: args.rate_per_origin,
        },
        resolver: tabgit_proxy::Resolver::System,
        logging: if args.quiet {
            Logging::Off
        } else {
            Logging::Stderr
        },
        worker_threads: args.workers,
        shutdown_grace: Duration::from_secs(args.shutdown_grace_secs),
    };
    // Signal handlers are installed before anyone learns the address, so a signal sent right
    // after the first line stops the proxy gracefully rather than killing it.
    let signals = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let signal = signals.block_on(async { SignalWaiter::new() })?;
    if config.allowed_origins.is_empty() && !config.allow_no_origin {
        eprintln!("tabgit-proxy: warning: no --allow-origin given: every request will be refused");
    }
    let running = tabgit_proxy::start(config)?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on {}/", running.url())?;
    stdout.flush()?;
    let signal = signals.block_on(signal.wait());
    eprintln!("tabgit-proxy: {signal}: stopping (requests in flight may finish)");
    running.shutdown();
    Ok(())
}

/// SIGINT and SIGTERM handlers, installed (so the default action, exiting at once, is off).
#[cfg(unix)]
struct SignalWaiter {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl SignalWaiter {
    /// Install the handlers; needs a runtime context.
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(SignalWaiter {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    /// Wait for either signal and name it.
    async fn wait(mut self) -> &'static str {
        tokio::select! {
            _ = self.terminate.recv() => "SIGTERM",
            _ = self.interrupt.recv() => "SIGINT",
        }
    }
}

/// Ctrl-C, where there are no Unix signals.
#[cfg(not(unix))]
struct SignalWaiter;

#[cfg(not(unix))]
impl SignalWaiter {
    fn new() -> std::io::Result<Self> {
        Ok(SignalWaiter)
    }

    async fn wait(self) -> &'static str {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
