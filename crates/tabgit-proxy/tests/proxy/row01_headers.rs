//! Row 1: the proxy is its own origin. Every response carries `X-Content-Type-Options: nosniff`
//! and `Content-Security-Policy: sandbox; default-src 'none'`, and its content type is one of
//! the expected `application/x-git-*` types or the proxy's own `text/plain`; anything else from
//! a host becomes an error.

use crate::{
    support::{
        allow_local, get, get_from_app, gitserver, proxy, repos, request, RawResponse, APP_ORIGIN,
        UPLOAD_DISCOVERY,
    },
    Result,
};

/// A protocol v2 `ls-refs` request.
pub const LS_REFS: &[u8] = b"0014command=ls-refs\n0000";

/// Assert the headers every proxy response must carry.
pub fn assert_security_headers(response: &RawResponse, what: &str) {
    assert_eq!(
        response.header("x-content-type-options"),
        Some("nosniff"),
        "{what}: every response is nosniff"
    );
    assert_eq!(
        response.header("content-security-policy"),
        Some("sandbox; default-src 'none'"),
        "{what}: every response is sandboxed"
    );
    assert_eq!(
        response.header("cross-origin-resource-policy"),
        Some("same-origin"),
        "{what}: no other site may embed a proxy response"
    );
    assert!(
        !response.has("access-control-allow-credentials"),
        "{what}: credentials mode is never enabled"
    );
    assert!(
        !response.has("set-cookie"),
        "{what}: the proxy never sets cookies"
    );
    if let Some(content_type) = response.header("content-type") {
        assert!(
            content_type.starts_with("application/x-git-")
                || content_type == "text/plain; charset=utf-8",
            "{what}: only git content types or the proxy's own text, got {content_type}"
        );
    }
}

#[test]
fn every_response_is_nosniff_sandboxed_and_git_or_text() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    let proxy = proxy(|config| allow_local(config, server.addr()))?;
    let base = format!("{}/demo.git", server.url());

    let advertisement = get_from_app(
        proxy.addr(),
        &proxy.target_for(&format!("{base}/{UPLOAD_DISCOVERY}")),
    )?;
    assert_eq!(advertisement.status, 200, "{}", advertisement.text());
    assert_eq!(
        advertisement.header("content-type"),
        Some("application/x-git-upload-pack-advertisement")
    );
    assert_eq!(
        advertisement.header("access-control-allow-origin"),
        Some(APP_ORIGIN),
        "the one allowed origin, never *"
    );
    assert_security_headers(&advertisement, "an advertisement");

    let result = request(
        proxy.addr(),
        "POST",
        &proxy.target_for(&format!("{base}/git-upload-pack")),
        &[
            ("Origin", APP_ORIGIN),
            ("Content-Type", "application/x-git-upload-pack-request"),
            ("Git-Protocol", "version=2"),
        ],
        LS_REFS,
    )?;
    assert_eq!(result.status, 200, "{}", result.text());
    assert_eq!(
        result.header("content-type"),
        Some("application/x-git-upload-pack-result")
    );
    assert!(
        result.text().contains("refs/heads/main"),
        "ls-refs lists main"
    );
    assert_security_headers(&result, "an ls-refs result");

    let missing = get_from_app(
        proxy.addr(),
        &proxy.target_for(&format!("{}/nope.git/{UPLOAD_DISCOVERY}", server.url())),
    )?;
    assert_eq!(missing.status, 404, "the host's status is passed on");
    assert_security_headers(&missing, "a host's error status, body replaced");

    let html = get_from_app(
        proxy.addr(),
        &proxy.target_for(&format!(
            "{}/_fault/body=html/demo.git/{UPLOAD_DISCOVERY}",
            server.url()
        )),
    )?;
    assert_eq!(html.proxy_error(), Some("upstream-not-git"));
    assert!(!html.text().contains('<'), "no HTML from a host is served");
    assert_security_headers(&html, "an HTML answer turned into an error");

    let refused = get_from_app(proxy.addr(), "/")?;
    assert_eq!(refused.status, 403);
    assert_security_headers(&refused, "a refusal");

    let health = get(proxy.addr(), "/healthz", &[])?;
    assert_eq!((health.status, health.text().as_str()), (200, "ok\n"));
    assert_security_headers(&health, "/healthz");

    let preflight = request(
        proxy.addr(),
        "OPTIONS",
        &proxy.target_for(&format!("{base}/git-upload-pack")),
        &[
            ("Origin", APP_ORIGIN),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "content-type, git-protocol",
            ),
        ],
        &[],
    )?;
    assert_eq!(preflight.status, 204);
    assert_security_headers(&preflight, "a preflight");
    Ok(())
}
