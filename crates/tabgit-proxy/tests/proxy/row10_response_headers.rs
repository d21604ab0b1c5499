//! Row 10: the response header allowlist. Content type, length, encoding, cache control and
//! `X-GitHub-Request-Id` come back; `Set-Cookie` and everything else never do;
//! `WWW-Authenticate` comes back as `X-WWW-Authenticate` (exposed to the page), so the browser
//! shows no Basic-auth dialog of its own.

use crate::{
    support::{
        allow_local, get, get_from_app, gitserver, proxy, repos, FakeUpstream, APP_ORIGIN,
        UPLOAD_DISCOVERY,
    },
    Result,
};

const UPSTREAM_EXTRAS: &str = "Set-Cookie: session=c00kie; HttpOnly\r\n\
Set-Cookie: other=c00kie\r\n\
X-GitHub-Request-Id: ABCD:1234\r\n\
Cache-Control: no-cache, max-age=0\r\n\
Server: upstream/1.0\r\n\
Strict-Transport-Security: max-age=31536000\r\n\
Access-Control-Allow-Origin: *\r\n\
Access-Control-Allow-Credentials: true\r\n\
Content-Security-Policy: default-src *\r\n\
Link: <https://evil.test>; rel=preload\r\n\
X-Custom: leak\r\n";

#[test]
fn only_allowlisted_response_headers_come_back() -> Result {
    let upstream = FakeUpstream::advertisement(UPSTREAM_EXTRAS)?;
    let proxy = proxy(|config| allow_local(config, upstream.addr()))?;
    let response = get_from_app(
        proxy.addr(),
        &proxy.target_for(&format!("{}/r.git/{UPLOAD_DISCOVERY}", upstream.url())),
    )?;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.header("x-github-request-id"), Some("ABCD:1234"));
    assert_eq!(
        response.header("cache-control"),
        Some("no-cache, max-age=0")
    );
    assert_eq!(
        response.header("content-type"),
        Some("application/x-git-upload-pack-advertisement")
    );
    for dropped in [
        "set-cookie",
        "server",
        "strict-transport-security",
        "link",
        "x-custom",
    ] {
        assert!(!response.has(dropped), "{dropped} must not come back");
    }
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some(APP_ORIGIN),
        "the host's CORS headers are replaced by the proxy's"
    );
    assert!(!response.has("access-control-allow-credentials"));
    assert_eq!(
        response.header("content-security-policy"),
        Some("sandbox; default-src 'none'")
    );
    Ok(())
}

#[test]
fn www_authenticate_is_renamed_and_exposed() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    let proxy = proxy(|config| allow_local(config, server.addr()))?;
    let discovery = proxy.target_for(&format!(
        "{}/_fault/auth=user:t0ken/demo.git/{UPLOAD_DISCOVERY}",
        server.url()
    ));
    let challenged = get_from_app(proxy.addr(), &discovery)?;
    assert_eq!(challenged.status, 401, "the host's 401 is passed on");
    assert!(
        !challenged.has("www-authenticate"),
        "no WWW-Authenticate, so the browser shows no login dialog"
    );
    assert_eq!(
        challenged.header("x-www-authenticate"),
        Some("Basic realm=\"tabgit-gitserver\"")
    );
    let exposed = challenged
        .header("access-control-expose-headers")
        .unwrap_or_default();
    assert!(
        exposed.contains("x-www-authenticate") && exposed.contains("x-proxy-error"),
        "{exposed}"
    );
    assert_eq!(
        challenged.header("content-type"),
        Some("text/plain; charset=utf-8"),
        "the host's error body is replaced by the proxy's text"
    );

    let authorized = get(
        proxy.addr(),
        &discovery,
        &[("Origin", APP_ORIGIN), ("Authorization", "Bearer t0ken")],
    )?;
    assert_eq!(authorized.status, 200, "Authorization is passed through");

    let error_with_cookie = FakeUpstream::start(
        b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nSet-Cookie: a=b\r\nContent-Type: text/html\r\nContent-Length: 14\r\nConnection: close\r\n\r\n<h1>busy</h1>\n"
            .to_vec(),
    )?;
    let proxy = crate::support::proxy(|config| allow_local(config, error_with_cookie.addr()))?;
    let busy = get_from_app(
        proxy.addr(),
        &proxy.target_for(&format!(
            "{}/r.git/{UPLOAD_DISCOVERY}",
            error_with_cookie.url()
        )),
    )?;
    assert_eq!(busy.status, 503);
    assert_eq!(
        busy.header("retry-after"),
        Some("7"),
        "Retry-After is passed on"
    );
    assert!(!busy.has("set-cookie"));
    assert!(
        !busy.text().contains('<'),
        "the host's HTML error page is not served"
    );
    Ok(())
}
