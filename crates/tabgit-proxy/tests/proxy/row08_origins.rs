//! Row 8: an origin allowlist without `*`, and no credentials mode: only the named origins can
//! read answers, `Access-Control-Allow-Credentials` is never sent, and requests without
//! `Origin` are refused unless the operator allows non-browser clients.

use crate::{
    support::{allow_local, get, gitserver, proxy, repos, request, APP_ORIGIN, UPLOAD_DISCOVERY},
    Result,
};

#[test]
fn only_allowed_origins_are_served() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    let proxy = proxy(|config| {
        allow_local(config, server.addr());
        config.allowed_origins.push("https://other.app.test".into());
    })?;
    let discovery = proxy.target_for(&format!("{}/demo.git/{UPLOAD_DISCOVERY}", server.url()));

    for origin in [APP_ORIGIN, "https://other.app.test"] {
        let response = get(proxy.addr(), &discovery, &[("Origin", origin)])?;
        assert_eq!(response.status, 200, "{origin}");
        assert_eq!(response.header("access-control-allow-origin"), Some(origin));
        assert_eq!(response.header("vary"), Some("origin"));
        assert!(!response.has("access-control-allow-credentials"));
    }
    for origin in [
        "https://evil.test",
        "http://app.test:8080",
        "https://app.test",
        "http://app.test.evil.test",
        "HTTP://APP.TEST",
        "null",
        "*",
    ] {
        let response = get(proxy.addr(), &discovery, &[("Origin", origin)])?;
        assert_eq!(
            (response.status, response.proxy_error()),
            (403, Some("origin-not-allowed")),
            "{origin}"
        );
        assert!(
            !response.has("access-control-allow-origin"),
            "{origin}: a page from another origin cannot even read the refusal"
        );
        let preflight = request(
            proxy.addr(),
            "OPTIONS",
            &discovery,
            &[("Origin", origin), ("Access-Control-Request-Method", "GET")],
            &[],
        )?;
        assert_eq!(preflight.status, 403, "{origin}: its preflight fails too");
        assert!(!preflight.has("access-control-allow-origin"));
    }
    let no_origin = get(proxy.addr(), &discovery, &[])?;
    assert_eq!(
        (no_origin.status, no_origin.proxy_error()),
        (403, Some("origin-required")),
        "the proxy serves browsers unless told otherwise"
    );

    let permissive = crate::support::proxy(|config| {
        allow_local(config, server.addr());
        config.allow_no_origin = true;
    })?;
    let no_origin = get(permissive.addr(), &discovery.clone(), &[])?;
    assert_eq!(
        no_origin.status, 200,
        "allow-no-origin serves native clients"
    );
    assert!(!no_origin.has("access-control-allow-origin"));
    Ok(())
}

#[test]
fn wildcard_and_malformed_origins_are_configuration_errors() {
    for origin in [
        "*",
        "null",
        "app.test",
        "https://app.test/",
        "https://app.test/path",
        "https://App.Test",
        "ftp://app.test",
        "https://user@app.test",
    ] {
        let (mut config, _log) = crate::support::config();
        config.allowed_origins = vec![origin.to_owned()];
        assert!(
            matches!(
                tabgit_proxy::start(config),
                Err(tabgit_proxy::Error::Origin { .. })
            ),
            "{origin} must be refused as an allowed origin"
        );
    }
}
