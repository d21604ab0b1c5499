//! Row 3: the host's answer is checked before it is passed on. Discovery must be
//! `application/x-<service>-advertisement` starting with `^[0-9a-f]{4}#` (or protocol v2's
//! `version 2` line, which `git http-backend` sends without the `# service=` header); POST
//! results must be `application/x-git-*-result`; anything else is a `403 upstream-not-git`.

use tabgit_gitserver::Faults;

use crate::{
    row01_headers::LS_REFS,
    support::{
        allow_local, get, get_from_app, gitserver, proxy, repos, request, FakeUpstream, APP_ORIGIN,
        UPLOAD_DISCOVERY,
    },
    Result,
};

#[test]
fn html_wrong_types_and_bad_first_bytes_are_refused() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    let proxy = proxy(|config| allow_local(config, server.addr()))?;
    let discovery = |knobs: &str| -> Result<String> {
        let faults: Faults = knobs.parse()?;
        Ok(proxy.target_for(&format!(
            "{}/demo.git/{UPLOAD_DISCOVERY}",
            server.fault_url(&faults)
        )))
    };
    for knobs in [
        "body=html",
        "on=info-refs,ctype=text/html",
        "on=info-refs,ctype=application/octet-stream",
        "on=info-refs,ctype=application/x-git-receive-pack-advertisement",
        "status=200,ctype=application/x-git-upload-pack-advertisement",
        "status=204",
    ] {
        let response = get_from_app(proxy.addr(), &discovery(knobs)?)?;
        assert_eq!(
            (response.status, response.proxy_error()),
            (403, Some("upstream-not-git")),
            "discovery with {knobs} is not git smart HTTP: {}",
            response.text()
        );
    }

    let faults: Faults = "on=upload-pack,ctype=text/html".parse()?;
    let html_result = request(
        proxy.addr(),
        "POST",
        &proxy.target_for(&format!(
            "{}/demo.git/git-upload-pack",
            server.fault_url(&faults)
        )),
        &[
            ("Origin", APP_ORIGIN),
            ("Content-Type", "application/x-git-upload-pack-request"),
            ("Git-Protocol", "version=2"),
        ],
        LS_REFS,
    )?;
    assert_eq!(
        (html_result.status, html_result.proxy_error()),
        (403, Some("upstream-not-git")),
        "a POST result must be application/x-git-upload-pack-result"
    );

    let v2 = get(
        proxy.addr(),
        &proxy.target_for(&format!("{}/demo.git/{UPLOAD_DISCOVERY}", server.url())),
        &[("Origin", APP_ORIGIN), ("Git-Protocol", "version=2")],
    )?;
    assert_eq!(v2.status, 200, "{}", v2.text());
    assert!(
        v2.body.starts_with(b"000eversion 2\n"),
        "git http-backend's v2 advertisement has no # service= line and is still accepted"
    );
    let v0 = get_from_app(proxy.addr(), &discovery("v0")?)?;
    assert!(
        v0.body.starts_with(b"001e# service=git-upload-pack\n"),
        "the v0 advertisement is passed on whole"
    );
    Ok(())
}

#[test]
fn compressed_or_empty_advertisements_are_refused() -> Result {
    let gzip = FakeUpstream::advertisement("Content-Encoding: gzip\r\n")?;
    let empty = FakeUpstream::start(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-advertisement\r\nContent-Length: 0\r\n\r\n"
            .to_vec(),
    )?;
    let proxy = proxy(|config| {
        allow_local(config, gzip.addr());
        allow_local(config, empty.addr());
    })?;
    for upstream in [&gzip, &empty] {
        let response = get_from_app(
            proxy.addr(),
            &proxy.target_for(&format!("{}/r.git/{UPLOAD_DISCOVERY}", upstream.url())),
        )?;
        assert_eq!(
            (response.status, response.proxy_error()),
            (403, Some("upstream-not-git")),
            "the first bytes of an advertisement must be checkable and valid"
        );
    }
    Ok(())
}
