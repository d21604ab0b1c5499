//! The native HTTP client (the CLI and native tests): `ureq`, blocking, with no redirects
//! followed and bodies streamed chunk by chunk. Its futures complete without waiting, so any
//! executor (even a trivial `block_on`) drives them.
//!
//! A body that stops arriving fails after the idle timeout ([`DEFAULT_IDLE_TIMEOUT`]) with
//! [`Error::TimedOut`] instead of hanging for ever (`RELIABILITY.md` N9): the body is read on a
//! thread of its own, and each chunk is waited for with a deadline.

use std::io::Read as _;
use std::sync::mpsc;
use std::time::Duration;

use crate::{Body, Error, HttpClient, Method, Request, Response};

/// How long a response body may send nothing before the transfer is given up (git has no
/// such default; its `http.lowSpeedLimit`/`http.lowSpeedTime` are off unless set).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// A blocking HTTP/1.1 client over `ureq` (rustls for HTTPS with the webpki roots).
pub struct NativeClient {
    agent: ureq::Agent,
    idle_timeout: Duration,
}

impl NativeClient {
    /// Give up a response body that sends nothing for `idle` instead of
    /// [`DEFAULT_IDLE_TIMEOUT`].
    pub fn with_idle_timeout(idle: Duration) -> Self {
        NativeClient {
            agent: agent(),
            idle_timeout: idle,
        }
    }
}

impl Default for NativeClient {
    fn default() -> Self {
        NativeClient {
            agent: agent(),
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}

fn agent() -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        // A server may think for a while before it answers a push; the body's idle timeout
        // applies once it answers.
        .timeout_recv_response(Some(Duration::from_secs(120)))
        .timeout_recv_body(None)
        .timeout_per_call(None)
        .user_agent(concat!(
            "git/2.47.3 (tabgit/",
            env!("CARGO_PKG_VERSION"),
            ")"
        ))
        .build();
    ureq::Agent::new_with_config(config)
}

/// A response body being read from the connection.
pub struct NativeBody {
    /// Chunks read by the body's reader thread; `Ok(empty)` is the end.
    chunks: mpsc::Receiver<std::io::Result<Vec<u8>>>,
    idle_timeout: Duration,
    host: String,
    done: bool,
}

/// Read `reader` on a thread of its own, a few chunks ahead. The thread ends at the end of the
/// body, at an error, or when the [`NativeBody`] is dropped (its next send fails); a read that
/// never returns keeps only that thread, which the process's end takes down.
fn spawn_reader(
    mut reader: Box<dyn std::io::Read + Send>,
) -> std::io::Result<mpsc::Receiver<std::io::Result<Vec<u8>>>> {
    let (send, receive) = mpsc::sync_channel(4);
    std::thread::Builder::new()
        .name("tabgit-http-body".into())
        .spawn(move || loop {
            let mut buf = vec![0u8; 64 * 1024];
            let read = reader.read(&mut buf).map(|n| {
                buf.truncate(n);
                buf
            });
            let last = !matches!(&read, Ok(data) if !data.is_empty());
            if send.send(read).is_err() || last {
                return;
            }
        })?;
    Ok(receive)
}

impl Body for NativeBody {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, Error> {
        if self.done {
            return Ok(None);
        }
        let timed_out = || Error::TimedOut {
            host: self.host.clone(),
        };
        match self.chunks.recv_timeout(self.idle_timeout) {
            Ok(Ok(data)) if data.is_empty() => {
                self.done = true;
                Ok(None)
            }
            Ok(Ok(data)) => Ok(Some(data)),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                self.done = true;
                Err(timed_out())
            }
            Ok(Err(err)) if err.kind() == std::io::ErrorKind::TimedOut => {
                self.done = true;
                Err(timed_out())
            }
            Ok(Err(err)) => {
                self.done = true;
                Err(Error::Interrupted {
                    host: self.host.clone(),
                    reason: err.to_string(),
                })
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                self.done = true;
                Err(Error::Interrupted {
                    host: self.host.clone(),
                    reason: "the connection's reader stopped".into(),
                })
            }
        }
    }
}

impl HttpClient for NativeClient {
    type Body = NativeBody;

    async fn send(&self, request: Request) -> Result<Response<NativeBody>, Error> {
        let host = request.url.origin().to_string();
        let url = request.url.to_string();
        let result = match request.method {
            Method::Get => {
                let mut builder = self.agent.get(&url);
                for (name, value) in &request.headers {
                    builder = builder.header(name.as_str(), value.as_str());
                }
                builder.call()
            }
            Method::Post => {
                let mut builder = self.agent.post(&url);
                for (name, value) in &request.headers {
                    builder = builder.header(name.as_str(), value.as_str());
                }
                builder.send(request.body.as_deref().unwrap_or_default())
            }
        };
        let response = result.map_err(|err| Error::Unreachable {
            host: host.clone(),
            reason: err.to_string(),
        })?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let reader = Box::new(response.into_body().into_reader());
        let chunks = spawn_reader(reader).map_err(|err| Error::Interrupted {
            host: host.clone(),
            reason: format!("cannot start reading the response: {err}"),
        })?;
        Ok(Response {
            status,
            headers,
            body: NativeBody {
                chunks,
                idle_timeout: self.idle_timeout,
                host,
                done: false,
            },
        })
    }
}
