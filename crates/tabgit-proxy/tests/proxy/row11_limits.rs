//! Row 11: limits. A request body cap (pushes), a response byte cap, idle and total timeouts,
//! concurrent connections per client IP and in all, and rate limits per client IP and per
//! origin, each answered with a clear status and `X-Proxy-Error`.

use std::{
    net::TcpStream,
    time::{Duration, Instant},
};

use crate::{
    support::{
        allow_local, get, get_from_app, gitserver, proxy, repos, request, FakeUpstream, APP_ORIGIN,
        UPLOAD_DISCOVERY,
    },
    Result,
};

fn result_upstream(body_len: usize, chunked: bool) -> Result<FakeUpstream> {
    let body = "x".repeat(body_len);
    let response = if chunked {
        let mut response = String::from("HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-result\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        for chunk in body.as_bytes().chunks(1000) {
            response.push_str(&format!(
                "{:x}\r\n{}\r\n",
                chunk.len(),
                String::from_utf8_lossy(chunk)
            ));
        }
        response.push_str("0\r\n\r\n");
        response
    } else {
        format!("HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-result\r\nContent-Length: {body_len}\r\nConnection: close\r\n\r\n{body}")
    };
    FakeUpstream::start(response.into_bytes())
}

const POST_HEADERS: &[(&str, &str)] = &[
    ("Origin", APP_ORIGIN),
    ("Content-Type", "application/x-git-upload-pack-request"),
];

#[test]
fn request_bodies_are_capped() -> Result {
    let upstream = result_upstream(8, false)?;
    let proxy = proxy(|config| {
        allow_local(config, upstream.addr());
        config.limits.max_request_body = 1000;
    })?;
    let target = proxy.target_for(&format!("{}/r.git/git-upload-pack", upstream.url()));

    let declared = request(proxy.addr(), "POST", &target, POST_HEADERS, &[b'0'; 5000])?;
    assert_eq!(
        (declared.status, declared.proxy_error()),
        (413, Some("request-too-large")),
        "a declared length over the cap is refused before connecting"
    );
    assert!(upstream.requests().is_empty());

    let mut chunked_headers = POST_HEADERS.to_vec();
    chunked_headers.push(("Transfer-Encoding", "chunked"));
    let streamed = request(
        proxy.addr(),
        "POST",
        &target,
        &chunked_headers,
        &[b'0'; 5000],
    )?;
    assert_eq!(
        (streamed.status, streamed.proxy_error()),
        (413, Some("request-too-large")),
        "a chunked body is cut at the cap while streaming"
    );
    assert!(
        upstream
            .requests()
            .iter()
            .all(|recorded| !recorded.body_complete && recorded.body_len <= 2000),
        "the host never got the whole body: {:?}",
        upstream.requests()
    );

    let small = request(
        proxy.addr(),
        "POST",
        &target,
        &chunked_headers,
        &[b'0'; 900],
    )?;
    assert_eq!(small.status, 200, "a body under the cap streams through");
    Ok(())
}

#[test]
fn responses_are_capped() -> Result {
    let declared = result_upstream(5000, false)?;
    let streamed = result_upstream(50_000, true)?;
    let proxy = proxy(|config| {
        allow_local(config, declared.addr());
        allow_local(config, streamed.addr());
        config.limits.max_response_body = 2000;
    })?;
    let response = request(
        proxy.addr(),
        "POST",
        &proxy.target_for(&format!("{}/r.git/git-upload-pack", declared.url())),
        POST_HEADERS,
        b"0000",
    )?;
    assert_eq!(
        (response.status, response.proxy_error()),
        (403, Some("response-too-large")),
        "a declared length over the cap is refused"
    );
    let response = request(
        proxy.addr(),
        "POST",
        &proxy.target_for(&format!("{}/r.git/git-upload-pack", streamed.url())),
        POST_HEADERS,
        b"0000",
    )?;
    assert_eq!(response.status, 200, "a chunked answer starts streaming");
    assert!(
        !response.complete && response.body.len() <= 3000,
        "and is cut at the cap: {} bytes, complete: {}",
        response.body.len(),
        response.complete
    );
    Ok(())
}

#[test]
fn idle_and_total_timeouts() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    let slow = format!(
        "{}/_fault/delay=3000/demo.git/{UPLOAD_DISCOVERY}",
        server.url()
    );

    let idle = proxy(|config| {
        allow_local(config, server.addr());
        config.limits.idle_timeout = Duration::from_millis(300);
    })?;
    let started = Instant::now();
    let response = get_from_app(idle.addr(), &idle.target_for(&slow))?;
    assert_eq!(
        (response.status, response.proxy_error()),
        (504, Some("upstream-timeout"))
    );
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );

    let total = proxy(|config| {
        allow_local(config, server.addr());
        config.limits.total_timeout = Duration::from_millis(500);
    })?;
    let started = Instant::now();
    let response = get_from_app(total.addr(), &total.target_for(&slow))?;
    assert_eq!(
        (response.status, response.proxy_error()),
        (504, Some("upstream-timeout"))
    );
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
    Ok(())
}

#[test]
fn connections_per_client_are_capped() -> Result {
    let proxy = proxy(|config| config.limits.max_connections_per_ip = 2)?;
    let held: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(proxy.addr()))
        .collect::<std::io::Result<_>>()?;
    let over = get_from_app(proxy.addr(), "/healthz")?;
    assert_eq!(
        (over.status, over.proxy_error()),
        (429, Some("too-many-connections")),
        "the third connection from one IP is refused with a clear status"
    );
    assert_eq!(over.header("retry-after"), Some("1"));
    assert_eq!(over.header("connection"), Some("close"));
    assert_eq!(
        over.header("access-control-allow-origin"),
        Some(APP_ORIGIN),
        "the app can read why"
    );
    drop(held);
    let again = crate::support::eventually(|| {
        get_from_app(proxy.addr(), "/healthz").is_ok_and(|response| response.status == 200)
    });
    assert!(again, "closing connections frees their places");
    Ok(())
}

#[test]
fn connections_in_all_are_capped() -> Result {
    let proxy = proxy(|config| config.limits.max_connections = 1)?;
    let held = TcpStream::connect(proxy.addr())?;
    let over = get_from_app(proxy.addr(), "/healthz")?;
    assert_eq!((over.status, over.proxy_error()), (503, Some("overloaded")));
    drop(held);
    Ok(())
}

#[test]
fn requests_are_rate_limited_per_ip_and_per_origin() -> Result {
    let per_ip = proxy(|config| config.limits.requests_per_minute_per_ip = 3)?;
    for _ in 0..3 {
        let response = get_from_app(per_ip.addr(), "/not-git")?;
        assert_eq!(response.proxy_error(), Some("not-git-path"));
    }
    let limited = get_from_app(per_ip.addr(), "/not-git")?;
    assert_eq!(
        (limited.status, limited.proxy_error()),
        (429, Some("rate-limited"))
    );
    let retry_after: u64 = limited
        .header("retry-after")
        .ok_or("Retry-After")?
        .parse()?;
    assert!(
        (1..=20).contains(&retry_after),
        "one request per 20 s: {retry_after}"
    );

    let per_origin = proxy(|config| {
        config.limits.requests_per_minute_per_ip = 0;
        config.limits.requests_per_minute_per_origin = 2;
        config.allowed_origins.push("https://other.app.test".into());
    })?;
    for _ in 0..2 {
        let response = get_from_app(per_origin.addr(), "/not-git")?;
        assert_eq!(response.proxy_error(), Some("not-git-path"));
    }
    let limited = get_from_app(per_origin.addr(), "/not-git")?;
    assert_eq!(limited.proxy_error(), Some("rate-limited"));
    let other = get(
        per_origin.addr(),
        "/not-git",
        &[("Origin", "https://other.app.test")],
    )?;
    assert_eq!(
        other.proxy_error(),
        Some("not-git-path"),
        "buckets are per origin"
    );
    Ok(())
}

#[test]
fn behind_a_trusted_proxy_the_forwarded_client_is_limited() -> Result {
    let proxy = proxy(|config| {
        config.trusted_proxies = vec!["127.0.0.1".parse().expect("an address")];
        config.limits.requests_per_minute_per_ip = 1;
    })?;
    let from = |client: &'static str| {
        get(
            proxy.addr(),
            "/not-git",
            &[("Origin", APP_ORIGIN), ("X-Forwarded-For", client)],
        )
    };
    assert_eq!(
        from("10.9.9.9, 203.0.113.5")?.proxy_error(),
        Some("not-git-path")
    );
    assert_eq!(
        from("203.0.113.5")?.proxy_error(),
        Some("rate-limited"),
        "the last X-Forwarded-For entry (the trusted proxy's) names the client"
    );
    assert_eq!(
        from("203.0.113.5, 203.0.113.6")?.proxy_error(),
        Some("not-git-path"),
        "another client behind the same terminator has its own bucket"
    );
    Ok(())
}
