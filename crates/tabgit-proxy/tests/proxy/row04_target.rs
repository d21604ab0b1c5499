//! Row 4: the target policy. `https` unless a target is allowed plain HTTP; the optional host
//! allowlist; ports 443 (and the named HTTP targets' ports) only; private, loopback,
//! link-local, unique-local, mapped, unspecified and multicast addresses refused unless the
//! operator names the target.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    thread::JoinHandle,
};

use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{
    support::{
        allow_local, fixture_file, get_from_app, gitserver, proxy, repos, Canary, UPLOAD_DISCOVERY,
    },
    Result,
};

/// A TLS server on loopback with the test certificate, answering one advertisement per
/// connection.
struct TlsUpstream {
    addr: SocketAddr,
    handshakes: Arc<AtomicUsize>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TlsUpstream {
    fn start() -> Result<TlsUpstream> {
        let chain = CertificateDer::pem_file_iter(fixture_file("tls/server.pem"))?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let key = PrivateKeyDer::from_pem_file(fixture_file("tls/server.key"))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let handshakes = Arc::new(AtomicUsize::new(0));
        let (shutdown, mut stop) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _context = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let counter = Arc::clone(&handshakes);
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                loop {
                    let accepted = tokio::select! {
                        _ = &mut stop => return,
                        accepted = listener.accept() => accepted,
                    };
                    let Ok((stream, _)) = accepted else { continue };
                    let (acceptor, counter) = (acceptor.clone(), Arc::clone(&counter));
                    tokio::spawn(async move {
                        let Ok(mut tls) = acceptor.accept(stream).await else {
                            return;
                        };
                        counter.fetch_add(1, Ordering::AcqRel);
                        let mut head = Vec::new();
                        let mut buffer = [0; 4096];
                        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                            match tls.read(&mut buffer).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => head.extend_from_slice(&buffer[..n]),
                            }
                        }
                        let body = "001e# service=git-upload-pack\n0000";
                        let response = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-advertisement\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = tls.write_all(response.as_bytes()).await;
                        let _ = tls.shutdown().await;
                    });
                }
            });
        });
        Ok(TlsUpstream {
            addr,
            handshakes,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }
}

impl Drop for TlsUpstream {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[test]
fn https_is_the_default_and_verified() -> Result {
    let tls = TlsUpstream::start()?;
    let target = format!("/{}/r.git/{UPLOAD_DISCOVERY}", tls.addr);

    let trusting = proxy(|config| {
        config.allow_private.push(tls.addr.to_string());
        config.extra_roots_pem = std::fs::read(fixture_file("tls/ca.pem")).expect("test CA");
    })?;
    let response = get_from_app(trusting.addr(), &target)?;
    assert_eq!(response.status, 200, "{}", response.text());
    assert!(response.body.starts_with(b"001e# service=git-upload-pack"));
    assert_eq!(
        tls.handshakes.load(Ordering::Acquire),
        1,
        "a target not named in allow-http is reached over TLS"
    );

    let untrusting = proxy(|config| config.allow_private.push(tls.addr.to_string()))?;
    let response = get_from_app(untrusting.addr(), &target)?;
    assert_eq!(
        (response.status, response.proxy_error()),
        (502, Some("upstream-tls")),
        "a certificate from an unknown CA is refused"
    );
    Ok(())
}

#[test]
fn plain_http_only_for_named_targets() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    let target = format!("/{}/demo.git/{UPLOAD_DISCOVERY}", server.addr());

    let tls_only = proxy(|config| config.allow_private.push(server.addr().to_string()))?;
    let response = get_from_app(tls_only.addr(), &target)?;
    assert_eq!(
        (response.status, response.proxy_error()),
        (502, Some("upstream-tls")),
        "a plain-HTTP server not named in allow-http is spoken TLS to, which fails"
    );

    let named = proxy(|config| allow_local(config, server.addr()))?;
    let response = get_from_app(named.addr(), &target)?;
    assert_eq!(response.status, 200, "named in allow-http: plain HTTP");
    Ok(())
}

#[test]
fn host_allowlist_ports_and_private_addresses() -> Result {
    let canary = Canary::loopback()?;
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    let proxy = proxy(|config| {
        config.allowed_hosts = vec!["github.com".into(), "*.example.org".into()];
        config.allowed_ports = vec![canary.port()];
        allow_local(config, server.addr());
    })?;
    let cases: &[(String, &str)] = &[
        ("gitlab.com".into(), "host-not-allowed"),
        ("example.org".into(), "host-not-allowed"),
        ("github.com.evil.test".into(), "host-not-allowed"),
        ("github.com:80".into(), "port-not-allowed"),
        ("github.com:22".into(), "port-not-allowed"),
        ("github.com:8443".into(), "port-not-allowed"),
        ("git.example.org:6379".into(), "port-not-allowed"),
        (format!("127.0.0.1:{}", canary.port()), "host-not-allowed"),
    ];
    for (authority, code) in cases {
        let response = get_from_app(
            proxy.addr(),
            &format!("/{authority}/r.git/{UPLOAD_DISCOVERY}"),
        )?;
        assert_eq!(
            (response.status, response.proxy_error()),
            (403, Some(*code)),
            "{authority}"
        );
    }
    let named = get_from_app(
        proxy.addr(),
        &format!("/{}/demo.git/{UPLOAD_DISCOVERY}", server.addr()),
    )?;
    assert_eq!(
        named.status, 200,
        "a named dev target passes the host allowlist"
    );

    // Without a host allowlist, private addresses are still refused, on any allowed port.
    let open = crate::support::proxy(|config| config.allowed_ports = vec![canary.port()])?;
    let port = canary.port();
    for host in [
        "127.0.0.1".to_owned(),
        "10.0.0.1".into(),
        "172.16.0.1".into(),
        "192.168.1.1".into(),
        "100.64.0.1".into(),
        "169.254.169.254".into(),
        "0.0.0.0".into(),
        "224.0.0.1".into(),
        "255.255.255.255".into(),
        "[::1]".into(),
        "[::]".into(),
        "[fc00::1]".into(),
        "[fd00:ec2::254]".into(),
        "[fe80::1]".into(),
        "[ff02::1]".into(),
        "[::ffff:127.0.0.1]".into(),
        "[::ffff:169.254.169.254]".into(),
        "[::ffff:8.8.8.8]".into(),
        "[64:ff9b::a9fe:a9fe]".into(),
    ] {
        for authority in [host.clone(), format!("{host}:{port}")] {
            let response = get_from_app(
                open.addr(),
                &format!("/{authority}/r.git/{UPLOAD_DISCOVERY}"),
            )?;
            assert_eq!(
                (response.status, response.proxy_error()),
                (403, Some("private-address")),
                "{authority}"
            );
        }
    }
    assert_eq!(
        canary.accepted(),
        0,
        "refused targets are never connected to"
    );
    Ok(())
}
