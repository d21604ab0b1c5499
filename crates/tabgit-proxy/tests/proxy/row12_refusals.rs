//! Row 12: refusals are explicit. Each is a status and a machine-readable `X-Proxy-Error` code
//! that the page can read (exposed through CORS), with a one-line text for people.

use crate::{
    support::{
        allow_local, get, gitserver, proxy, repos, request, Canary, APP_ORIGIN, UPLOAD_DISCOVERY,
    },
    Result,
};

/// One case: method, target, extra headers, body, expected status and code.
type Case<'a> = (
    &'a str,
    String,
    Vec<(&'a str, &'a str)>,
    &'a [u8],
    u16,
    &'a str,
);

#[test]
fn every_refusal_is_a_status_and_a_readable_code() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    let canary = Canary::loopback()?;
    let proxy = proxy(|config| {
        allow_local(config, server.addr());
        config.allowed_ports = vec![canary.port()];
        config.limits.max_request_body = 10;
    })?;
    let git = server.addr();
    let upload = ("Content-Type", "application/x-git-upload-pack-request");
    let cases: Vec<Case> = vec![
        ("GET", "/nothing".into(), vec![], b"", 403, "not-git-path"),
        (
            "GET",
            format!("/{git}/demo.git/git-upload-pack"),
            vec![],
            b"",
            403,
            "method-not-allowed",
        ),
        (
            "POST",
            format!("/{git}/demo.git/git-upload-pack"),
            vec![("Content-Type", "text/html")],
            b"",
            403,
            "content-type",
        ),
        (
            "GET",
            format!("/{git}/demo.git/info/refs"),
            vec![],
            b"",
            403,
            "bad-query",
        ),
        (
            "GET",
            format!("/user@{git}/demo.git/{UPLOAD_DISCOVERY}"),
            vec![],
            b"",
            403,
            "bad-target",
        ),
        (
            "GET",
            format!("/example.test:22/demo.git/{UPLOAD_DISCOVERY}"),
            vec![],
            b"",
            403,
            "port-not-allowed",
        ),
        (
            "GET",
            format!("/127.0.0.1:{}/demo.git/{UPLOAD_DISCOVERY}", canary.port()),
            vec![],
            b"",
            403,
            "private-address",
        ),
        (
            "GET",
            format!("/{git}/_fault/body=html/demo.git/{UPLOAD_DISCOVERY}"),
            vec![],
            b"",
            403,
            "upstream-not-git",
        ),
        (
            "GET",
            format!("/{git}/_fault/redirect=http:%2F%2Fexample.test/demo.git/{UPLOAD_DISCOVERY}"),
            vec![],
            b"",
            403,
            "cross-authority-redirect",
        ),
        (
            "POST",
            format!("/{git}/demo.git/git-upload-pack"),
            vec![upload],
            &[b'0'; 100],
            413,
            "request-too-large",
        ),
        (
            "GET",
            format!("/unknown.test/demo.git/{UPLOAD_DISCOVERY}"),
            vec![],
            b"",
            502,
            "dns-failed",
        ),
    ];
    for (method, target, extra, body, status, code) in &cases {
        let mut headers = vec![("Origin", APP_ORIGIN)];
        headers.extend_from_slice(extra);
        let response = request(proxy.addr(), method, target, &headers, body)?;
        assert_eq!(
            (response.status, response.proxy_error()),
            (*status, Some(*code)),
            "{method} {target}"
        );
        assert_eq!(
            response.header("access-control-allow-origin"),
            Some(APP_ORIGIN),
            "{code}"
        );
        let exposed = response
            .header("access-control-expose-headers")
            .unwrap_or_default();
        assert!(
            exposed.contains("x-proxy-error"),
            "{code}: the page can read the code"
        );
        assert_eq!(
            response.header("content-type"),
            Some("text/plain; charset=utf-8"),
            "{code}"
        );
        assert_eq!(response.header("cache-control"), Some("no-store"), "{code}");
        assert!(
            response.text().starts_with("tabgit-proxy: ") && response.text().ends_with('\n'),
            "{code}: one line for people: {:?}",
            response.text()
        );
    }
    let refused_origin = get(proxy.addr(), "/nothing", &[("Origin", "https://evil.test")])?;
    assert_eq!(refused_origin.proxy_error(), Some("origin-not-allowed"));
    assert_eq!(canary.accepted(), 0);
    Ok(())
}
