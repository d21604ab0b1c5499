//! Response bodies: full or streamed from `git http-backend`, with the `cut` knob and the
//! per-request log line.
//!
//! ### How `cut` drops the connection
//!
//! hyper does not flush bytes it has buffered when a body returns an error, so a body cannot
//! simply fail after its last byte.
//! Instead the body stops sending, lets the server side of the request finish (it drains the
//! rest of git's output and waits until the whole request body reached git, so a push really
//! happens), then arms a per-connection [`CutSwitch`] and stays pending.
//! The connection's IO wrapper, [`CutIo`], fails the next flush once every buffered byte is
//! written, and hyper closes the connection: the client sees a body shorter than its
//! `Content-Length`, or a chunked body without its last chunk.

use std::{
    future::Future,
    io,
    pin::Pin,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    task::{ready, Context, Poll},
    time::Instant,
};

use bytes::Bytes;
use hyper::{
    body::{Body, Frame, SizeHint},
    rt::{Read, ReadBufCursor, Write},
    StatusCode,
};
use tokio::sync::oneshot;

use crate::{cgi, fault::response::Sideband3};

/// The body of every response the server sends.
pub(crate) struct ResponseBody {
    source: Source,
    cut: Option<Cut>,
    log: RequestLog,
}

/// Where the body bytes come from.
pub(crate) enum Source {
    /// A complete body (`None` once sent).
    Full(Option<Bytes>),
    /// The output of `git http-backend`.
    Cgi(cgi::Output),
    /// The output of `git http-backend`, rewritten by `body=sideband3`.
    Sideband3 {
        /// The child's output.
        output: cgi::Output,
        /// The rewriter.
        rewriter: Sideband3,
    },
}

/// The state of a `cut` knob on one response.
pub(crate) struct Cut {
    phase: CutPhase,
    /// What happens once the bytes are sent: a stall, or else the cut.
    stalls: bool,
    /// Completes (or fails) once the request body has been handed to git.
    request_done: Option<oneshot::Receiver<()>>,
    switch: CutSwitch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CutPhase {
    /// Still sending; this many bytes are left.
    Sending(u64),
    /// Reading and discarding the rest of the source.
    Draining,
    /// Waiting for the request body to be consumed.
    WaitingForRequest,
    /// The switch is armed; the connection is going down.
    Armed,
    /// `stall`: nothing more is sent and the connection stays open.
    Stalled,
}

/// A per-connection flag that makes [`CutIo`] fail its next flush.
#[derive(Debug, Clone, Default)]
pub(crate) struct CutSwitch(Arc<AtomicBool>);

/// The connection's IO, failing flushes once its [`CutSwitch`] is armed.
pub(crate) struct CutIo<T> {
    inner: T,
    switch: CutSwitch,
}

/// What one request did, logged as one line when it is dropped.
pub(crate) struct RequestLog {
    enabled: bool,
    method: String,
    path: String,
    started: Instant,
    status: Option<StatusCode>,
    bytes_sent: u64,
    complete: bool,
    cut: bool,
}

/// Lifecycle
impl ResponseBody {
    /// Create a body that sends `source`, cut as `cut` says, logged through `log`.
    pub(crate) fn new(source: Source, cut: Option<Cut>, log: RequestLog) -> Self {
        ResponseBody { source, cut, log }
    }
}

/// Lifecycle
impl Cut {
    /// Cut after `after_bytes` body bytes, once `request_done` completes (if given), by arming
    /// `switch`.
    pub(crate) fn new(
        after_bytes: u64,
        request_done: Option<oneshot::Receiver<()>>,
        switch: CutSwitch,
    ) -> Self {
        Cut {
            phase: CutPhase::Sending(after_bytes),
            stalls: false,
            request_done,
            switch,
        }
    }

    /// Stop sending after `after_bytes` body bytes and keep the connection open.
    pub(crate) fn stall(after_bytes: u64) -> Self {
        Cut {
            phase: CutPhase::Sending(after_bytes),
            stalls: true,
            request_done: None,
            switch: CutSwitch::default(),
        }
    }
}

/// Lifecycle
impl<T> CutIo<T> {
    /// Wrap `inner`, controlled by `switch`.
    pub(crate) fn new(inner: T, switch: CutSwitch) -> Self {
        CutIo { inner, switch }
    }
}

/// Lifecycle
impl RequestLog {
    /// Start the record of a `method` request for `path` (without its query).
    pub(crate) fn new(enabled: bool, method: &str, path: &str) -> Self {
        RequestLog {
            enabled,
            method: method.to_owned(),
            path: path.to_owned(),
            started: Instant::now(),
            status: None,
            bytes_sent: 0,
            complete: false,
            cut: false,
        }
    }
}

/// Mutation
impl RequestLog {
    /// Record the response status.
    pub(crate) fn set_status(&mut self, status: StatusCode) {
        self.status = Some(status);
    }
}

impl Source {
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<io::Result<Bytes>>> {
        match self {
            Source::Full(bytes) => Poll::Ready(bytes.take().map(Ok)),
            Source::Cgi(output) => output.poll_chunk(cx),
            Source::Sideband3 { output, rewriter } => loop {
                if rewriter.is_done() {
                    return Poll::Ready(None);
                }
                let rewritten = match ready!(output.poll_chunk(cx)) {
                    Some(Ok(chunk)) => rewriter.feed(&chunk),
                    Some(Err(err)) => return Poll::Ready(Some(Err(err))),
                    None => {
                        let rest = rewriter.finish();
                        if rest.is_empty() {
                            return Poll::Ready(None);
                        }
                        rest
                    }
                };
                if !rewritten.is_empty() {
                    return Poll::Ready(Some(Ok(Bytes::from(rewritten))));
                }
            },
        }
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        loop {
            let phase = this.cut.as_ref().map(|cut| cut.phase);
            match phase {
                // hyper flushes what was sent before waiting on a pending body.
                Some(CutPhase::Armed | CutPhase::Stalled) => return Poll::Pending,
                Some(CutPhase::WaitingForRequest) => {
                    let Some(cut) = this.cut.as_mut() else {
                        return Poll::Pending;
                    };
                    if let Some(request_done) = cut.request_done.as_mut() {
                        // An error only means the sender is gone, which is done too.
                        let _ = ready!(Pin::new(request_done).poll(cx));
                    }
                    cut.phase = CutPhase::Armed;
                    cut.switch.arm();
                    this.log.cut = true;
                    // hyper flushes right after this poll, and the armed IO then fails.
                    return Poll::Pending;
                }
                Some(CutPhase::Draining) => match ready!(this.source.poll_chunk(cx)) {
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => {
                        if let Some(cut) = this.cut.as_mut() {
                            cut.phase = CutPhase::WaitingForRequest;
                        }
                    }
                },
                Some(CutPhase::Sending(_)) | None => {
                    let mut chunk = match ready!(this.source.poll_chunk(cx)) {
                        Some(Ok(chunk)) => chunk,
                        Some(Err(err)) => return Poll::Ready(Some(Err(err))),
                        None => {
                            this.log.complete = true;
                            return Poll::Ready(None);
                        }
                    };
                    if let Some(cut) = this.cut.as_mut() {
                        if let CutPhase::Sending(remaining) = cut.phase {
                            let chunk_len = chunk.len() as u64;
                            if chunk_len >= remaining {
                                chunk.truncate(remaining as usize);
                                cut.phase = if cut.stalls {
                                    CutPhase::Stalled
                                } else {
                                    CutPhase::Draining
                                };
                            } else {
                                cut.phase = CutPhase::Sending(remaining - chunk_len);
                            }
                        }
                    }
                    if matches!(this.source, Source::Full(None)) {
                        this.log.complete = true;
                    }
                    if chunk.is_empty() {
                        continue;
                    }
                    this.log.bytes_sent += chunk.len() as u64;
                    return Poll::Ready(Some(Ok(Frame::data(chunk))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.source, Source::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match &self.source {
            Source::Full(Some(bytes)) => SizeHint::with_exact(bytes.len() as u64),
            Source::Full(None) => SizeHint::with_exact(0),
            Source::Cgi(_) | Source::Sideband3 { .. } => SizeHint::default(),
        }
    }
}

/// Mutation
impl CutSwitch {
    fn arm(&self) {
        self.0.store(true, Ordering::Release);
    }
}

/// Access
impl CutSwitch {
    fn is_armed(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

impl<T: Read + Unpin> Read for CutIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: Write + Unpin> Write for CutIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(Pin::new(&mut this.inner).poll_flush(cx))?;
        if this.switch.is_armed() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection cut by the cut knob",
            )));
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }
}

impl Drop for RequestLog {
    fn drop(&mut self) {
        if !self.enabled {
            return;
        }
        let status = self
            .status
            .map_or_else(|| "-".to_owned(), |status| status.as_u16().to_string());
        let outcome = if self.cut {
            " (cut)"
        } else if self.status.is_none() {
            " (client gone before the response)"
        } else if self.complete || self.bytes_sent == 0 {
            ""
        } else {
            " (client gone)"
        };
        crate::server::log(&format!(
            "{} {} {} {} bytes {} ms{}",
            self.method,
            self.path,
            status,
            self.bytes_sent,
            self.started.elapsed().as_millis(),
            outcome
        ));
    }
}
