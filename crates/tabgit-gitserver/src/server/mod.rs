//! The HTTP/1.1 server: accepting connections and serving each with hyper.

mod auth;
mod body;
mod cors;
mod handle;

use std::{io, path::PathBuf, sync::Arc, time::Duration};

use hyper::{server::conn::http1, service::service_fn};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{net::TcpListener, sync::oneshot};

use crate::{
    fault::Faults,
    server::body::{CutIo, CutSwitch},
};

/// What every request handler needs, shared by all connections.
#[derive(Debug)]
pub(crate) struct State {
    /// The canonical directory holding the repositories (`GIT_PROJECT_ROOT`).
    pub root: PathBuf,
    /// The git executable.
    pub git: PathBuf,
    /// Whether to send CORS headers and answer preflights.
    pub cors: bool,
    /// The server-wide knobs.
    pub faults: Faults,
    /// Whether to log one line per request to stderr.
    pub log: bool,
}

/// Accept connections on `listener` until `shutdown` fires (or its sender is dropped).
///
/// Connections still open when this returns are dropped with the runtime that runs them.
/// Accept errors are logged and retried, so this never fails; the `Result` leaves room for
/// errors a future version must report to [`Running::shutdown`](crate::Running::shutdown).
pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    mut shutdown: oneshot::Receiver<()>,
) -> io::Result<()> {
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => return Ok(()),
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) => {
                // Running out of file descriptors, or a connection reset before accept:
                // neither ends the server.
                if state.log {
                    log(&format!("accept failed: {err}"));
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        // Small pkt-lines (ref advertisements, ACKs) must not wait for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let switch = CutSwitch::default();
        let io = CutIo::new(TokioIo::new(stream), switch.clone());
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                handle::handle(Arc::clone(&state), peer, switch.clone(), request)
            });
            // A failed connection (client gone, cut knob) concerns only that connection.
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .serve_connection(io, service)
                .await;
        });
    }
}

/// Write one log line to stderr.
pub(crate) fn log(line: &str) {
    eprintln!("tabgit-gitserver: {line}");
}
