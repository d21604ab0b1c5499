//! Streaming bodies with limits: a byte cap, an idle timeout and a total deadline, enforced
//! frame by frame so that memory per request stays constant whatever the size of a pack
//! (RELIABILITY.md section 5, row 11).
//!
//! [`Limited`] wraps a body going either way (the browser's push towards the host, the host's
//! pack towards the browser). [`ResponseBody`] is the body of every response the proxy sends:
//! a short text, or the host's answer (after the bytes read to check it), and it writes the
//! request's log line when it is dropped, so that the line has the final byte count.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        atomic::{AtomicU64, AtomicU8, Ordering},
        Arc,
    },
    task::{Context, Poll},
    time::Duration,
};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use crate::{connection::Slot, log::RequestLog};

/// The boxed error type hyper accepts from bodies.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a [`Limited`] body stopped early.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// More bytes than the cap.
    #[error("body larger than {limit} bytes")]
    TooLarge {
        /// The cap.
        limit: u64,
    },
    /// No bytes for longer than the idle timeout.
    #[error("no data for {idle:?}")]
    Idle {
        /// The idle timeout.
        idle: Duration,
    },
    /// The request's total deadline passed.
    #[error("the request's total time limit passed")]
    Deadline,
    /// The underlying body failed (the peer went away, or broke the framing).
    #[error("the body broke off")]
    Broken(#[source] BoxError),
}

/// How far a [`Limited`] body got and how it ended, readable after it was handed away.
#[derive(Clone, Debug, Default)]
pub(crate) struct Outcome(Arc<OutcomeState>);

#[derive(Debug, Default)]
struct OutcomeState {
    ending: AtomicU8,
    bytes: AtomicU64,
}

/// Values of [`Outcome`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Still running, or ended normally.
    Open,
    /// Stopped at the byte cap.
    TooLarge,
    /// Stopped by the idle timeout or the deadline.
    TimedOut,
    /// The underlying body failed.
    Broken,
}

/// A body passed through with a byte cap, an idle timeout and a total deadline.
pub(crate) struct Limited<B> {
    inner: B,
    limit: u64,
    seen: u64,
    idle: Duration,
    idle_timer: Pin<Box<Sleep>>,
    /// Whether the last poll asked the inner body for data and got none yet; the idle timer
    /// runs only while waiting, never while the reader is the slow side.
    waiting: bool,
    deadline: Pin<Box<Sleep>>,
    outcome: Outcome,
    ended: bool,
}

/// The body of every response the proxy sends.
pub(crate) struct ResponseBody {
    /// Bytes to send first: a whole text body, or what was read from the host to check it.
    head: Option<Bytes>,
    /// The rest of the host's answer.
    rest: Option<Limited<hyper::body::Incoming>>,
    /// Bytes handed to hyper so far.
    sent: u64,
    /// The request's log line, written on drop.
    log: RequestLog,
    /// A per-client slot held while the answer streams (clients behind a trusted proxy).
    _slot: Option<Slot>,
}

/// Lifecycle
impl<B> Limited<B> {
    /// Pass `inner` through, failing after `limit` bytes, after `idle` without data, or at
    /// `deadline`; `outcome` records why it stopped.
    pub(crate) fn new(
        inner: B,
        limit: u64,
        idle: Duration,
        deadline: Instant,
        outcome: Outcome,
    ) -> Self {
        Limited {
            inner,
            limit,
            seen: 0,
            idle,
            idle_timer: Box::pin(tokio::time::sleep(idle)),
            waiting: false,
            deadline: Box::pin(tokio::time::sleep_until(deadline)),
            outcome,
            ended: false,
        }
    }

    fn fail(&mut self, ending: Ending, error: Error) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        self.ended = true;
        self.outcome.set(ending);
        Poll::Ready(Some(Err(error)))
    }
}

impl<B> Body for Limited<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            return this.fail(Ending::TimedOut, Error::Deadline);
        }
        if !this.waiting {
            let idle_until = Instant::now() + this.idle;
            this.idle_timer.as_mut().reset(idle_until);
            this.waiting = true;
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                this.waiting = false;
                if let Some(data) = frame.data_ref() {
                    this.seen = this.seen.saturating_add(data.len() as u64);
                    this.outcome.0.bytes.store(this.seen, Ordering::Release);
                    if this.seen > this.limit {
                        let limit = this.limit;
                        return this.fail(Ending::TooLarge, Error::TooLarge { limit });
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(err))) => this.fail(Ending::Broken, Error::Broken(err.into())),
            Poll::Ready(None) => {
                this.ended = true;
                Poll::Ready(None)
            }
            Poll::Pending => {
                if this.idle_timer.as_mut().poll(cx).is_ready() {
                    let idle = this.idle;
                    return this.fail(Ending::TimedOut, Error::Idle { idle });
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.ended || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Access
impl Outcome {
    /// How the body ended.
    pub(crate) fn get(&self) -> Ending {
        match self.0.ending.load(Ordering::Acquire) {
            1 => Ending::TooLarge,
            2 => Ending::TimedOut,
            3 => Ending::Broken,
            _ => Ending::Open,
        }
    }

    fn set(&self, ending: Ending) {
        let value = match ending {
            Ending::Open => 0,
            Ending::TooLarge => 1,
            Ending::TimedOut => 2,
            Ending::Broken => 3,
        };
        self.0.ending.store(value, Ordering::Release);
    }

    /// The bytes passed through so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.0.bytes.load(Ordering::Acquire)
    }
}

/// Lifecycle
impl ResponseBody {
    /// A complete body.
    pub(crate) fn text(text: impl Into<Bytes>, mut log: RequestLog) -> Self {
        let text = text.into();
        if text.is_empty() {
            // Nothing to send: hyper may never poll an empty body.
            log.set_complete();
        }
        ResponseBody {
            head: (!text.is_empty()).then_some(text),
            rest: None,
            sent: 0,
            log,
            _slot: None,
        }
    }

    /// The host's answer: `head` (already read from it) then `rest`.
    pub(crate) fn streamed(
        head: Bytes,
        rest: Limited<hyper::body::Incoming>,
        log: RequestLog,
        slot: Option<Slot>,
    ) -> Self {
        ResponseBody {
            head: (!head.is_empty()).then_some(head),
            rest: Some(rest),
            sent: 0,
            log,
            _slot: slot,
        }
    }

    /// Give the request's log line access to the final status.
    pub(crate) fn log_mut(&mut self) -> &mut RequestLog {
        &mut self.log
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = self.get_mut();
        if let Some(head) = this.head.take() {
            this.sent += head.len() as u64;
            if this.rest.is_none() {
                // A whole text: hyper may not poll again once the size hint is reached.
                this.log.set_complete();
            }
            return Poll::Ready(Some(Ok(Frame::data(head))));
        }
        let Some(rest) = this.rest.as_mut() else {
            this.log.set_complete();
            return Poll::Ready(None);
        };
        match Pin::new(rest).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.sent += data.len() as u64;
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(None) => {
                this.rest = None;
                this.log.set_complete();
                Poll::Ready(None)
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.head.is_none() && self.rest.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        let head = self.head.as_ref().map_or(0, |head| head.len() as u64);
        match &self.rest {
            None => SizeHint::with_exact(head),
            Some(rest) => {
                let hint = rest.size_hint();
                let mut total = SizeHint::new();
                total.set_lower(hint.lower() + head);
                if let Some(upper) = hint.upper() {
                    total.set_upper(upper + head);
                }
                total
            }
        }
    }
}

impl Drop for ResponseBody {
    fn drop(&mut self) {
        self.log.write(self.sent);
    }
}
