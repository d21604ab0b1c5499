//! The `tabgit-gitserver` binary: a thin command line over [`tabgit_gitserver::start`].
//!
//! It runs until SIGINT or SIGTERM, then stops the server, which kills the git processes still
//! serving requests.
//!
//! See the library's crate documentation for the knob syntax.

use std::{
    io::Write,
    net::{IpAddr, Ipv4Addr},
    path::PathBuf,
    process::ExitCode,
};

use clap::Parser;
use tabgit_gitserver::{Config, Faults};

/// Serve every bare repository under a directory over git smart HTTP (`git http-backend`).
///
/// Prints `listening on http://IP:PORT/` as its first line on stdout, then logs one line per
/// request to stderr. Knob flags apply to every request; a `/_fault/<knobs>/` path prefix sets
/// knobs per request.
#[derive(Debug, Parser)]
#[command(name = "tabgit-gitserver", version)]
struct Args {
    /// Directory holding the repositories; `/demo.git` is `DIR/demo.git`.
    #[arg(long, value_name = "DIR")]
    root: PathBuf,
    /// Port to listen on; 0 picks a free port.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Write the port, and a newline, to this file once listening.
    #[arg(long, value_name = "PATH")]
    port_file: Option<PathBuf>,
    /// Send CORS headers and answer OPTIONS preflights with 204.
    #[arg(long)]
    cors: bool,
    /// The git executable to run `http-backend` with.
    #[arg(long, value_name = "PATH", default_value = "git")]
    git: PathBuf,
    /// Do not log requests.
    #[arg(long)]
    quiet: bool,
    /// Require these credentials (knob `auth`).
    #[arg(long, value_name = "USER:TOKEN")]
    auth: Option<String>,
    /// Never pass Git-Protocol on, so git answers in protocol v0 (knob `v0`).
    #[arg(long)]
    v0_only: bool,
    /// Wait this many milliseconds before answering (knob `delay`).
    #[arg(long, value_name = "N")]
    delay_ms: Option<u64>,
    /// Drop the connection after this many body bytes (knob `cut`).
    #[arg(long, value_name = "BYTES")]
    cut: Option<u64>,
    /// Answer with this status and a short text body (knob `status`).
    #[arg(long, value_name = "CODE")]
    status: Option<u16>,
    /// Add `Retry-After: SECS` (knob `retry-after`).
    #[arg(long, value_name = "SECS")]
    retry_after: Option<u64>,
    /// Redirect every request with 301 (knob `redirect`).
    #[arg(long, value_name = "TARGET")]
    redirect: Option<String>,
    /// Redirect every request with 302 (knob `redirect302`).
    #[arg(long, value_name = "TARGET")]
    redirect302: Option<String>,
    /// Redirect ref discovery only, with 301 (knob `redirect-initial`).
    #[arg(long, value_name = "TARGET")]
    redirect_initial: Option<String>,
    /// Redirect ref discovery only, with 302 (knob `redirect-initial302`).
    #[arg(long, value_name = "TARGET")]
    redirect_initial302: Option<String>,
    /// Replace the body: html, err, sideband3 or badpkt (knob `body`).
    #[arg(long, value_name = "KIND")]
    body: Option<String>,
    /// Override the response Content-Type (knob `ctype`).
    #[arg(long, value_name = "MIME")]
    ctype: Option<String>,
    /// Apply the response knobs only to: info-refs, upload-pack, receive-pack or post (knob `on`).
    #[arg(long, value_name = "SCOPE")]
    on: Option<String>,
    /// More knobs in the path-prefix syntax, such as `status=429,retry-after=5`.
    #[arg(long, value_name = "KNOBS")]
    fault: Option<String>,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("tabgit-gitserver: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let faults = faults_from_flags(&args)?;
    let config = Config {
        bind: args.bind,
        port: args.port,
        cors: args.cors,
        faults,
        git: args.git,
        log: !args.quiet,
        ..Config::new(args.root)
    };
    let running = tabgit_gitserver::start(config)?;
    if let Some(port_file) = &args.port_file {
        std::fs::write(port_file, format!("{}\n", running.port()))?;
    }
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on {}/", running.url())?;
    stdout.flush()?;
    drop(stdout);
    wait_for_termination()?;
    // Stopping the server kills the git processes still serving requests.
    running.shutdown()?;
    Ok(())
}

/// Block until SIGINT (Ctrl-C) or, on Unix, SIGTERM.
fn wait_for_termination() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        #[cfg(unix)]
        {
            let mut terminate =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::select! {
                interrupted = tokio::signal::ctrl_c() => interrupted,
                _ = terminate.recv() => Ok(()),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await
        }
    })
}

fn faults_from_flags(args: &Args) -> Result<Faults, tabgit_gitserver::fault::Error> {
    let mut faults = Faults::default();
    let numbers = [
        ("delay", args.delay_ms),
        ("cut", args.cut),
        ("status", args.status.map(u64::from)),
        ("retry-after", args.retry_after),
    ];
    for (name, value) in numbers {
        if let Some(value) = value {
            faults.set_knob(name, Some(&value.to_string()))?;
        }
    }
    let texts = [
        ("auth", &args.auth),
        ("redirect", &args.redirect),
        ("redirect302", &args.redirect302),
        ("redirect-initial", &args.redirect_initial),
        ("redirect-initial302", &args.redirect_initial302),
        ("body", &args.body),
        ("ctype", &args.ctype),
        ("on", &args.on),
    ];
    for (name, value) in texts {
        if let Some(value) = value {
            faults.set_knob(name, Some(value))?;
        }
    }
    if args.v0_only {
        faults.set_knob("v0", None)?;
    }
    if let Some(list) = &args.fault {
        faults.set_knobs(list)?;
    }
    Ok(faults)
}
