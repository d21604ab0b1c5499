//! The native HTTP client (the CLI and native tests): `ureq`, blocking, with no redirects
//! followed and bodies streamed chunk by chunk. Its futures complete without waiting, so any
//! executor (even a trivial `block_on`) drives them.

use std::io::Read as _;
use std::time::Duration;

use crate::{Body, Error, HttpClient, Method, Request, Response};

/// A blocking HTTP/1.1 client over `ureq` (rustls for HTTPS with the webpki roots).
pub struct NativeClient {
    agent: ureq::Agent,
}

impl Default for NativeClient {
    fn default() -> Self {
        let config = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_recv_response(Some(Duration::from_secs(120)))
            .timeout_recv_body(None)
            .timeout_per_call(None)
            .user_agent(concat!(
                "git/2.47.3 (tabgit/",
                env!("CARGO_PKG_VERSION"),
                ")"
            ))
            .build();
        NativeClient {
            agent: ureq::Agent::new_with_config(config),
        }
    }
}

/// A response body being read from the connection.
pub struct NativeBody {
    reader: Box<dyn std::io::Read + Send>,
    host: String,
    done: bool,
}

impl Body for NativeBody {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, Error> {
        if self.done {
            return Ok(None);
        }
        let mut buf = vec![0u8; 64 * 1024];
        match self.reader.read(&mut buf) {
            Ok(0) => {
                self.done = true;
                Ok(None)
            }
            Ok(n) => {
                buf.truncate(n);
                Ok(Some(buf))
            }
            Err(err) if err.kind() == std::io::ErrorKind::TimedOut => Err(Error::TimedOut {
                host: self.host.clone(),
            }),
            Err(err) => Err(Error::Interrupted {
                host: self.host.clone(),
                reason: err.to_string(),
            }),
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
        Ok(Response {
            status,
            headers,
            body: NativeBody {
                reader,
                host,
                done: false,
            },
        })
    }
}
