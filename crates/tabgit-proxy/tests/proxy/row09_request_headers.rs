//! Row 9: the request header allowlist. Only `authorization`, `content-type`,
//! `content-encoding`, `git-protocol`, `accept`, `accept-encoding` and `content-length` go
//! upstream, with `User-Agent` forced to a `git/` agent; cookies, `Host`, `Origin`, `Referer`,
//! `X-Forwarded-*`, proxy credentials and everything else are dropped.

use crate::{
    support::{allow_local, get, proxy, request, FakeUpstream, APP_ORIGIN, UPLOAD_DISCOVERY},
    Result,
};

/// Headers a browser or an attacker may send that must never reach the host.
const DROPPED: &[(&str, &str)] = &[
    ("Cookie", "session=c00kie"),
    ("Cookie2", "legacy=c00kie"),
    ("Referer", "https://app.test/secret-page"),
    ("X-Forwarded-For", "10.0.0.1"),
    ("X-Forwarded-Host", "internal.test"),
    ("X-Real-IP", "10.0.0.1"),
    ("Forwarded", "for=10.0.0.1"),
    ("Proxy-Authorization", "Basic cHJveHk6c2VjcmV0"),
    ("X-Authorization", "proxy-credential"),
    ("X-Proxy-Token", "proxy-credential"),
    ("User-Agent", "Mozilla/5.0 (secret fingerprint)"),
    ("Sec-Fetch-Site", "cross-site"),
    ("X-Custom", "anything"),
];

fn lowercase_head(upstream: &FakeUpstream) -> String {
    upstream
        .requests()
        .first()
        .map(|recorded| recorded.head.to_ascii_lowercase())
        .unwrap_or_default()
}

#[test]
fn only_allowlisted_request_headers_go_upstream() -> Result {
    let upstream = FakeUpstream::advertisement("")?;
    let proxy = proxy(|config| allow_local(config, upstream.addr()))?;
    let mut headers = vec![
        ("Origin", APP_ORIGIN),
        ("Authorization", "Bearer t0ken"),
        ("Git-Protocol", "version=2"),
        ("Accept", "*/*"),
        ("Accept-Encoding", "gzip"),
    ];
    headers.extend_from_slice(DROPPED);
    let response = get(
        proxy.addr(),
        &proxy.target_for(&format!("{}/r.git/{UPLOAD_DISCOVERY}", upstream.url())),
        &headers,
    )?;
    assert_eq!(response.status, 200, "{}", response.text());
    let head = lowercase_head(&upstream);
    assert!(
        head.starts_with("get /r.git/info/refs?service=git-upload-pack http/1.1\r\n"),
        "{head}"
    );
    for kept in [
        "authorization: bearer t0ken",
        "git-protocol: version=2",
        "accept: */*",
    ] {
        assert!(head.contains(kept), "{kept} is forwarded: {head}");
    }
    let user_agent = format!(
        "user-agent: {}",
        tabgit_proxy::USER_AGENT.to_ascii_lowercase()
    );
    assert!(
        head.contains(&user_agent),
        "the user agent is forced: {head}"
    );
    assert!(tabgit_proxy::USER_AGENT.starts_with("git/"));
    assert!(
        head.lines()
            .any(|line| line == format!("host: {}", upstream.addr())),
        "Host names the target, not the proxy: {head}"
    );
    assert!(
        !head.contains("accept-encoding"),
        "discovery is asked for uncompressed, so its first bytes can be checked: {head}"
    );
    for (name, value) in DROPPED {
        let value = value.to_ascii_lowercase();
        assert!(
            !head.contains(&value),
            "{name}: {value} must not reach the host: {head}"
        );
    }
    assert!(!head.contains("origin:"), "{head}");
    assert!(!head.contains("cookie"), "{head}");
    Ok(())
}

#[test]
fn posts_forward_their_body_headers() -> Result {
    let body = "0008NAK\n";
    let upstream = FakeUpstream::start(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-result\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )?;
    let proxy = proxy(|config| allow_local(config, upstream.addr()))?;
    let mut headers = vec![
        ("Origin", APP_ORIGIN),
        ("Content-Type", "application/x-git-upload-pack-request"),
        ("Content-Encoding", "gzip"),
        ("Accept-Encoding", "gzip"),
        ("Authorization", "Basic dXNlcjp0b2tlbg=="),
    ];
    headers.extend_from_slice(DROPPED);
    let response = request(
        proxy.addr(),
        "POST",
        &proxy.target_for(&format!("{}/r.git/git-upload-pack", upstream.url())),
        &headers,
        b"0000",
    )?;
    assert_eq!((response.status, response.text().as_str()), (200, body));
    let head = lowercase_head(&upstream);
    for kept in [
        "content-type: application/x-git-upload-pack-request",
        "content-encoding: gzip",
        "accept-encoding: gzip",
        "content-length: 4",
        "authorization: basic dxnlcjp0b2tlbg==",
    ] {
        assert!(head.contains(kept), "{kept} is forwarded: {head}");
    }
    for (name, value) in DROPPED {
        let value = value.to_ascii_lowercase();
        assert!(
            !head.contains(&value),
            "{name} must not reach the host: {head}"
        );
    }
    Ok(())
}
