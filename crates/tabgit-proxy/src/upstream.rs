//! Reaching a git host: resolve its name once, check every address, connect to a checked
//! address, speak TLS unless the host is allowed plain HTTP, and open an HTTP/1.1 connection
//! for one request (RELIABILITY.md section 5, rows 4 and 5).
//!
//! Every request gets its own connection, so an address is never reused after its name could
//! have been re-resolved, and a connection never carries two clients' credentials.

use std::{
    fmt, io,
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use rustls::pki_types::{pem::PemObject, CertificateDer, ServerName};
use tokio::{
    io::{AsyncRead, AsyncWrite},
    net::TcpStream,
};
use tokio_rustls::TlsConnector;

use crate::{
    policy::{CheckedAddr, Destination, Policy, Scheme},
    target::Host,
    Refusal,
};

/// A function from a host name to its addresses.
pub type ResolveFn = dyn Fn(&str) -> io::Result<Vec<IpAddr>> + Send + Sync;

/// How host names are resolved.
#[derive(Clone, Default)]
pub enum Resolver {
    /// The system resolver (`getaddrinfo`), as the binary uses.
    #[default]
    System,
    /// A function from a host name to its addresses, for tests (like `curl --resolve`).
    Custom(Arc<ResolveFn>),
}

/// What connects to hosts: the resolver and the TLS settings.
pub(crate) struct Connector {
    resolver: Resolver,
    tls: TlsConnector,
    connect_timeout: Duration,
}

/// The body type of requests sent to hosts.
pub(crate) type UpstreamBody =
    http_body_util::combinators::BoxBody<bytes::Bytes, crate::body::Error>;

/// The connection to a host, as a byte stream.
trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

/// Why the TLS settings could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The extra root certificates are not valid PEM.
    #[error("extra root certificates: {0}")]
    Pem(#[source] rustls::pki_types::pem::Error),
    /// A root certificate was rejected.
    #[error("extra root certificate rejected: {0}")]
    Root(#[source] rustls::Error),
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Config(#[source] rustls::Error),
}

/// Lifecycle
impl Connector {
    /// A connector trusting Mozilla's roots (`webpki-roots`) plus the certificates in
    /// `extra_roots_pem`.
    pub(crate) fn new(
        resolver: Resolver,
        extra_roots_pem: &[u8],
        connect_timeout: Duration,
    ) -> Result<Self, TlsError> {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        if !extra_roots_pem.is_empty() {
            for certificate in CertificateDer::pem_slice_iter(extra_roots_pem) {
                roots
                    .add(certificate.map_err(TlsError::Pem)?)
                    .map_err(TlsError::Root)?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(TlsError::Config)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Connector {
            resolver,
            tls: TlsConnector::from(Arc::new(config)),
            connect_timeout,
        })
    }
}

/// Access
impl Connector {
    /// Open a connection to `destination` for one request: resolve once, refuse if any address
    /// is refused by `policy`, connect to a checked address, and handshake.
    pub(crate) async fn open(
        &self,
        policy: &Policy,
        destination: &Destination,
    ) -> Result<SendRequest<UpstreamBody>, Refusal> {
        let addresses = self.checked_addresses(policy, destination).await?;
        let tcp = self.connect_any(&addresses).await?;
        let _ = tcp.set_nodelay(true);
        let stream: Box<dyn Stream> = match destination.scheme {
            Scheme::Http => Box::new(tcp),
            Scheme::Https => {
                let server_name = match &destination.authority.host {
                    Host::Name(name) => {
                        ServerName::try_from(name.clone()).map_err(|_| Refusal::BadTarget)?
                    }
                    Host::Ipv4(address) => ServerName::IpAddress(IpAddr::V4(*address).into()),
                    Host::Ipv6(address) => ServerName::IpAddress(IpAddr::V6(*address).into()),
                };
                let handshake = self.tls.connect(server_name, tcp);
                match tokio::time::timeout(self.connect_timeout, handshake).await {
                    Ok(Ok(tls)) => Box::new(tls),
                    Ok(Err(_)) => return Err(Refusal::UpstreamTls),
                    Err(_) => return Err(Refusal::UpstreamTimeout),
                }
            }
        };
        let (sender, connection) = http1::Builder::new()
            .handshake(TokioIo::new(stream))
            .await
            .map_err(|_| Refusal::UpstreamUnreachable)?;
        tokio::spawn(async move {
            // Errors surface on the request and its body; the connection just ends.
            let _ = connection.await;
        });
        Ok(sender)
    }

    /// The addresses of `destination`, each checked; resolved at most once.
    async fn checked_addresses(
        &self,
        policy: &Policy,
        destination: &Destination,
    ) -> Result<Vec<CheckedAddr>, Refusal> {
        let addresses = match &destination.authority.host {
            Host::Name(name) => self.resolve(name, destination.port).await?,
            host => host.ip().into_iter().collect(),
        };
        if addresses.is_empty() {
            return Err(Refusal::DnsFailed);
        }
        // Every address must pass: a name with one public and one private address is refused.
        addresses
            .into_iter()
            .map(|address| policy.check_address(destination, address))
            .collect()
    }

    async fn resolve(&self, name: &str, port: u16) -> Result<Vec<IpAddr>, Refusal> {
        let resolved = match &self.resolver {
            Resolver::System => {
                let lookup = tokio::net::lookup_host((name, port));
                match tokio::time::timeout(self.connect_timeout, lookup).await {
                    Ok(Ok(addresses)) => Ok(addresses.map(|a: SocketAddr| a.ip()).collect()),
                    Ok(Err(err)) => Err(err),
                    Err(_) => return Err(Refusal::UpstreamTimeout),
                }
            }
            Resolver::Custom(resolve) => resolve(name),
        };
        let mut addresses = resolved.map_err(|_| Refusal::DnsFailed)?;
        addresses.dedup();
        Ok(addresses)
    }

    /// Connect to the first address that answers.
    async fn connect_any(&self, addresses: &[CheckedAddr]) -> Result<TcpStream, Refusal> {
        let mut refusal = Refusal::UpstreamUnreachable;
        for address in addresses {
            let connect = TcpStream::connect(address.socket_addr());
            match tokio::time::timeout(self.connect_timeout, connect).await {
                Ok(Ok(stream)) => return Ok(stream),
                Ok(Err(_)) => refusal = Refusal::UpstreamUnreachable,
                Err(_) => refusal = Refusal::UpstreamTimeout,
            }
        }
        Err(refusal)
    }
}

impl fmt::Debug for Resolver {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resolver::System => out.write_str("Resolver::System"),
            Resolver::Custom(_) => out.write_str("Resolver::Custom(..)"),
        }
    }
}

impl fmt::Debug for Connector {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.debug_struct("Connector")
            .field("resolver", &self.resolver)
            .field("connect_timeout", &self.connect_timeout)
            .finish_non_exhaustive()
    }
}
