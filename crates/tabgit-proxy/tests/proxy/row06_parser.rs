//! Row 6: one strict parser for the target, and the proxy connects with what it produced:
//! userinfo, backslashes, non-ASCII hosts not in IDNA form, malformed ports, unbracketed IPv6
//! and percent-encoding in the host are refused.

use crate::{
    support::{get_from_app, proxy, static_resolver, Canary, UPLOAD_DISCOVERY},
    Result,
};

#[test]
fn ambiguous_targets_are_refused_before_any_connection() -> Result {
    let canary = Canary::loopback()?;
    let port = canary.port();
    let proxy = proxy(|config| {
        config.allowed_ports = vec![port];
        config.resolver = static_resolver(&[]);
    })?;
    let cases = [
        format!("user@127.0.0.1:{port}"),
        format!("user:token@git.test:{port}"),
        format!("git.test@127.0.0.1:{port}"),
        format!("127.0.0.1%3A{port}"),
        format!("127%2e0%2e0%2e1:{port}"),
        "git%2etest".to_owned(),
        "b%C3%BCcher.test".to_owned(),
        format!("127.0.0.1:0{port}"),
        format!("127.0.0.1:{port}0000"),
        "127.0.0.1:".to_owned(),
        format!("127.0.0.1:+{port}"),
        format!("127.0.0.1:{port}:{port}"),
        "::1".to_owned(),
        format!("::1:{port}"),
        format!("[::1:{port}"),
        format!("[fe80::1%25lo]:{port}"),
        format!("[127.0.0.1]:{port}"),
        "git.test.".to_owned(),
        "-git.test".to_owned(),
        "git_test.example".to_owned(),
        "foo.123".to_owned(),
    ];
    for authority in &cases {
        let response = get_from_app(
            proxy.addr(),
            &format!("/{authority}/r.git/{UPLOAD_DISCOVERY}"),
        )?;
        assert_eq!(
            (response.status, response.proxy_error()),
            (403, Some("bad-target")),
            "{authority}"
        );
    }
    // Bytes the HTTP parser itself refuses never reach the target parser.
    for authority in [
        format!("git.test\\@127.0.0.1:{port}"),
        "bücher.test".to_owned(),
    ] {
        let response = get_from_app(
            proxy.addr(),
            &format!("/{authority}/r.git/{UPLOAD_DISCOVERY}"),
        )?;
        assert!(
            response.status == 400 || response.proxy_error() == Some("bad-target"),
            "{authority}: {} {:?}",
            response.status,
            response.proxy_error()
        );
    }
    let idna = get_from_app(
        proxy.addr(),
        &format!("/xn--bcher-kva.test/r.git/{UPLOAD_DISCOVERY}"),
    )?;
    assert_eq!(
        idna.proxy_error(),
        Some("dns-failed"),
        "an IDNA name is a valid target (the test resolver does not know it)"
    );
    assert_eq!(canary.accepted(), 0);
    Ok(())
}
