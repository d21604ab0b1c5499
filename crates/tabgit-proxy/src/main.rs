//! `tabgit-proxy`: the CORS proxy binary.
use std::io::Write as _;
use std::net::SocketAddr;

use clap::Parser;

/// Forward git smart HTTP from browsers to allowed git hosts.
#[derive(Parser)]
#[command(name = "tabgit-proxy", version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "TABGIT_PROXY_BIND", default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Port to listen on (0 picks one; the first line printed says which).
    #[arg(long, env = "TABGIT_PROXY_PORT", default_value_t = 8790)]
    port: u16,
    /// A `host:port` the proxy may forward to over plain HTTP (repeatable). Nothing else is reachable.
    #[arg(
        long = "allow-host",
        env = "TABGIT_PROXY_ALLOW_HOSTS",
        value_delimiter = ','
    )]
    allow_hosts: Vec<String>,
    /// An origin allowed to read responses (repeatable), e.g. <http://127.0.0.1:8080>.
    #[arg(
        long = "allow-origin",
        env = "TABGIT_PROXY_ALLOW_ORIGINS",
        value_delimiter = ','
    )]
    allow_origins: Vec<String>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let config = tabgit_proxy::server::Config {
        allowed_hosts: args.allow_hosts,
        allowed_origins: args.allow_origins,
    };
    tabgit_proxy::server::serve(SocketAddr::new(args.bind, args.port), config, |addr| {
        println!("listening on http://{addr}/");
        let _ = std::io::stdout().flush();
    })
    .await
}
