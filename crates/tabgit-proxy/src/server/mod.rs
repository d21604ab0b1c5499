//! The HTTP/1.1 server: accepting connections under the connection caps, serving each with
//! hyper, and shutting down gracefully.

mod handle;
pub mod headers;

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use hyper::{header::HeaderValue, server::conn::http1, service::service_fn, HeaderMap};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use tokio::{net::TcpListener, sync::oneshot};

use crate::{
    connection::{Connections, RateLimiter},
    log::Logging,
    policy::Policy,
    upstream::Connector,
    Limits,
};

/// What every request handler needs, shared by all connections.
#[derive(Debug)]
pub(crate) struct Shared {
    /// Where the proxy may connect.
    pub policy: Policy,
    /// Origins allowed to read answers, as sent in `Origin`.
    pub origins: Vec<String>,
    /// Whether requests without `Origin` (non-browser clients) are served.
    pub allow_no_origin: bool,
    /// Sizes, timeouts and rates.
    pub limits: Limits,
    /// Peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// What connects to hosts.
    pub connector: Connector,
    /// Open connections per peer IP and in all.
    pub connections: Arc<Connections>,
    /// In-flight requests per client IP, for clients behind a trusted proxy.
    pub forwarded_clients: Arc<Connections>,
    /// Requests per minute per client IP.
    pub ip_rate: RateLimiter<IpAddr>,
    /// Requests per minute per origin.
    pub origin_rate: RateLimiter<String>,
    /// Where log lines go.
    pub logging: Logging,
}

/// Access
impl Shared {
    /// Whether `origin` may read answers.
    pub(crate) fn origin_allowed(&self, origin: &HeaderValue) -> bool {
        self.origins
            .iter()
            .any(|allowed| allowed.as_bytes() == origin.as_bytes())
    }

    /// The client's address: the peer's, or for a trusted proxy the last `X-Forwarded-For`
    /// entry (the one that proxy added).
    pub(crate) fn client_ip(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusted_proxies.contains(&peer.ip()) {
            return peer.ip();
        }
        headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .and_then(|last| last.trim().parse::<IpAddr>().ok())
            .unwrap_or(peer.ip())
    }
}

/// Accept connections on `listener` until `shutdown` fires (or its sender is dropped), then
/// stop accepting, let requests in flight finish for up to `grace`, and return.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: oneshot::Receiver<()>,
    grace: Duration,
) {
    let graceful = GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) => {
                // Out of file descriptors, or a connection reset before accept: neither ends
                // the server.
                shared.logging.line(&format!("accept failed: {err}"));
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(stream);
        let trusted = shared.trusted_proxies.contains(&peer.ip());
        let per_ip = (!trusted).then_some(peer.ip());
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(shared.limits.header_timeout);
        match shared.connections.acquire(per_ip, true) {
            Ok(slot) => {
                let handler_shared = Arc::clone(&shared);
                let service = service_fn(move |request| {
                    handle::handle(Arc::clone(&handler_shared), peer, request)
                });
                let connection = graceful.watch(builder.serve_connection(io, service));
                tokio::spawn(async move {
                    // A failed connection (client gone, timeout) concerns only that connection.
                    let _ = connection.await;
                    drop(slot);
                });
            }
            Err(refusal) => {
                let handler_shared = Arc::clone(&shared);
                let service = service_fn(move |request| {
                    handle::refuse_connection(&handler_shared, refusal, request)
                });
                builder.keep_alive(false);
                let connection = graceful.watch(builder.serve_connection(io, service));
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
        }
    }
    drop(listener);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        shared
            .logging
            .line("shutdown: requests still running after the grace period were cut");
    }
}
