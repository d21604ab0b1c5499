//! Row 2: only the git smart-HTTP routes are forwarded, parsed rather than suffix-matched;
//! `OPTIONS` only for those paths; everything else `403` without any connection to the host.

use crate::{
    support::{allow_local, get, proxy, request, Canary, APP_ORIGIN},
    Result,
};

/// One case: method, target, extra headers, expected code.
type Case<'a> = (&'a str, String, &'a [(&'a str, &'a str)], &'a str);

#[test]
fn non_git_paths_methods_and_content_types_never_reach_the_host() -> Result {
    let canary = Canary::loopback()?;
    let proxy = proxy(|config| allow_local(config, canary.addr()))?;
    let host = canary.addr().to_string();
    let upload = ("Content-Type", "application/x-git-upload-pack-request");
    let cases: &[Case] = &[
        ("GET", format!("/{host}/demo.git/HEAD"), &[], "not-git-path"),
        (
            "GET",
            format!("/{host}/demo.git/objects/info/packs"),
            &[],
            "not-git-path",
        ),
        (
            "GET",
            format!("/{host}/demo.git/config"),
            &[],
            "not-git-path",
        ),
        (
            "GET",
            format!("/{host}/demo.git/info/refs"),
            &[],
            "bad-query",
        ),
        (
            "GET",
            format!("/{host}/demo.git/info/refs?service=git-upload-pack&x=1"),
            &[],
            "bad-query",
        ),
        (
            "GET",
            format!("/{host}/demo.git/info/refs?service=git-upload-archive"),
            &[],
            "bad-query",
        ),
        (
            "GET",
            format!("/{host}/demo.git/info/refs.php?service=git-upload-pack"),
            &[],
            "not-git-path",
        ),
        (
            "GET",
            format!("/{host}/demo.git/info/refs%3Fservice=git-upload-pack"),
            &[],
            "not-git-path",
        ),
        (
            "GET",
            format!("/{host}/demo.git/info/refs/../../../etc/passwd?service=git-upload-pack"),
            &[],
            "not-git-path",
        ),
        (
            "GET",
            format!("/{host}/../demo.git/info/refs?service=git-upload-pack"),
            &[],
            "not-git-path",
        ),
        (
            "GET",
            format!("/{host}/demo.git/%2e%2e/info/refs?service=git-upload-pack"),
            &[],
            "not-git-path",
        ),
        (
            "GET",
            format!("/{host}/info/refs?service=git-upload-pack"),
            &[],
            "not-git-path",
        ),
        (
            "GET",
            format!("/{host}/demo.git/git-upload-pack"),
            &[],
            "method-not-allowed",
        ),
        (
            "HEAD",
            format!("/{host}/demo.git/info/refs?service=git-upload-pack"),
            &[],
            "method-not-allowed",
        ),
        (
            "PUT",
            format!("/{host}/demo.git/git-receive-pack"),
            &[],
            "method-not-allowed",
        ),
        (
            "DELETE",
            format!("/{host}/demo.git/info/refs?service=git-upload-pack"),
            &[],
            "method-not-allowed",
        ),
        (
            "POST",
            format!("/{host}/demo.git/info/refs?service=git-upload-pack"),
            &[upload],
            "method-not-allowed",
        ),
        (
            "POST",
            format!("/{host}/demo.git/git-upload-pack"),
            &[("Content-Type", "text/plain")],
            "content-type",
        ),
        (
            "POST",
            format!("/{host}/demo.git/git-receive-pack"),
            &[upload],
            "content-type",
        ),
        (
            "POST",
            format!("/{host}/demo.git/git-upload-pack"),
            &[],
            "content-type",
        ),
        (
            "POST",
            format!("/{host}/demo.git/git-upload-pack?x=1"),
            &[upload],
            "bad-query",
        ),
        (
            "OPTIONS",
            format!("/{host}/demo.git/HEAD"),
            &[("Access-Control-Request-Method", "GET")],
            "not-git-path",
        ),
        (
            "OPTIONS",
            format!("/{host}/demo.git/git-upload-pack"),
            &[("Access-Control-Request-Method", "GET")],
            "method-not-allowed",
        ),
        (
            "OPTIONS",
            format!("/{host}/demo.git/git-upload-pack"),
            &[("Access-Control-Request-Method", "DELETE")],
            "method-not-allowed",
        ),
        ("GET", "/".to_owned(), &[], "not-git-path"),
        ("GET", "/favicon.ico".to_owned(), &[], "not-git-path"),
    ];
    for (method, target, headers, code) in cases {
        let mut all_headers = vec![("Origin", APP_ORIGIN)];
        all_headers.extend_from_slice(headers);
        let response = request(proxy.addr(), method, target, &all_headers, &[])?;
        assert_eq!(
            (response.status, response.proxy_error()),
            (403, Some(*code)),
            "{method} {target} must be refused with {code}"
        );
    }

    let preflight = request(
        proxy.addr(),
        "OPTIONS",
        &format!("/{host}/demo.git/git-receive-pack"),
        &[
            ("Origin", APP_ORIGIN),
            ("Access-Control-Request-Method", "POST"),
        ],
        &[],
    )?;
    assert_eq!(
        preflight.status, 204,
        "a preflight for a git route is answered"
    );
    assert_eq!(
        preflight.header("access-control-allow-methods"),
        Some("POST"),
        "only the route's own method"
    );
    let health = get(proxy.addr(), "/healthz", &[])?;
    assert_eq!(health.status, 200, "/healthz is the proxy's own");

    assert_eq!(
        canary.accepted(),
        0,
        "no refused request and no preflight may open a connection to the host"
    );
    Ok(())
}
