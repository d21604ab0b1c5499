//! Row 7: redirects are never followed by the proxy. A redirect that stays on the same scheme,
//! host and port is passed back with its `Location` rewritten to a proxy path; one to another
//! authority is refused with `cross-authority-redirect` (rewriting it would keep the browser on
//! the proxy's origin, so `Authorization` would follow it to the other host).

use tabgit_gitserver::Faults;

use crate::{
    support::{
        allow_local, get, get_from_app, git, gitserver, proxy, repos, run, Canary, FakeUpstream,
        APP_ORIGIN, UPLOAD_DISCOVERY,
    },
    Result,
};

#[test]
fn same_authority_redirects_are_passed_back_as_proxy_paths() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    let proxy = proxy(|config| {
        allow_local(config, server.addr());
        config.allow_no_origin = true;
    })?;
    let faults: Faults = "redirect-initial=/moved".parse()?;
    let remote = proxy.url_for(&format!("{}/demo.git", server.fault_url(&faults)));

    let response = get_from_app(
        proxy.addr(),
        &format!(
            "{}/{UPLOAD_DISCOVERY}",
            remote
                .strip_prefix(&proxy.running.url())
                .unwrap_or_default()
        ),
    )?;
    assert_eq!(response.status, 301, "{}", response.text());
    assert_eq!(
        response.header("location"),
        Some(format!("/{}/moved/demo.git/{UPLOAD_DISCOVERY}", server.addr()).as_str()),
        "the Location is the same host's path, as a proxy path"
    );

    let work = tabgit_testtools::tempdir()?;
    run(git(work.path(), Some(APP_ORIGIN)).args(["clone", "-q", &remote, "clone"]))?;
    let head = tabgit_testtools::git_text(&work.path().join("clone"), &["rev-parse", "HEAD"])?;
    let served =
        tabgit_testtools::git_text(&repos.root().join("moved/demo.git"), &["rev-parse", "HEAD"])?;
    assert_eq!(head, served, "git followed the redirect through the proxy");
    Ok(())
}

#[test]
fn cross_host_redirect_carrying_authorization_is_refused() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    // The other host is allowed too: the redirect is refused because it changes authority.
    let other = Canary::loopback()?;
    let proxy = proxy(|config| {
        allow_local(config, server.addr());
        allow_local(config, other.addr());
    })?;
    for knobs in [
        format!("redirect=http://{}", other.addr()),
        format!("redirect302=http://{}", other.addr()),
        format!("redirect-initial=http://127.0.0.1:{}", other.port()),
        format!("redirect=http://localhost:{}", server.port()),
        format!("redirect=https://{}", server.addr()),
        format!("redirect=//{}", other.addr()),
    ] {
        let faults: Faults = knobs.parse()?;
        let target = proxy.target_for(&format!(
            "{}/demo.git/{UPLOAD_DISCOVERY}",
            server.fault_url(&faults)
        ));
        let response = get(
            proxy.addr(),
            &target,
            &[("Origin", APP_ORIGIN), ("Authorization", "Bearer s3cr3t")],
        )?;
        assert_eq!(
            (response.status, response.proxy_error()),
            (403, Some("cross-authority-redirect")),
            "{knobs}"
        );
        assert!(
            !response.has("location"),
            "{knobs}: no Location is passed on"
        );
        assert!(
            response.text().contains("another host"),
            "{knobs}: the refusal says why: {}",
            response.text()
        );
    }
    assert_eq!(
        other.accepted(),
        0,
        "the other host never saw the credentials"
    );
    Ok(())
}

#[test]
fn redirect_to_a_private_address_is_refused() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    let canary = Canary::loopback()?;
    let proxy = proxy(|config| allow_local(config, server.addr()))?;
    for location in [
        "http://169.254.169.254/latest/meta-data".to_owned(),
        "http://10.0.0.1".to_owned(),
        "http://[::1]".to_owned(),
        format!("http://127.0.0.1:{}", canary.port()),
        format!("http://2130706433:{}", canary.port()),
    ] {
        let faults: Faults = format!("redirect={location}").parse()?;
        let target = proxy.target_for(&format!(
            "{}/demo.git/{UPLOAD_DISCOVERY}",
            server.fault_url(&faults)
        ));
        let response = get_from_app(proxy.addr(), &target)?;
        assert_eq!(response.status, 403, "{location}");
        assert_eq!(
            response.proxy_error(),
            Some("cross-authority-redirect"),
            "{location}"
        );
    }
    assert_eq!(
        canary.accepted(),
        0,
        "a 301 to a private address is never followed"
    );
    Ok(())
}

#[test]
fn same_host_redirects_to_non_git_paths_are_refused() -> Result {
    for location in [
        "/admin",
        "/r.git/objects/info/packs",
        "../../etc/passwd",
        "/\\\\evil.test/x",
    ] {
        let upstream = FakeUpstream::start(
            format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .into_bytes(),
        )?;
        let proxy = proxy(|config| allow_local(config, upstream.addr()))?;
        let response = get_from_app(
            proxy.addr(),
            &proxy.target_for(&format!("{}/r.git/{UPLOAD_DISCOVERY}", upstream.url())),
        )?;
        assert_eq!(
            (response.status, response.proxy_error()),
            (403, Some("redirect-not-git")),
            "{location}"
        );
        assert_eq!(upstream.requests().len(), 1, "the proxy did not follow it");
    }
    Ok(())
}
