//! Row 15: the SSRF spellings of the OWASP cheat sheet's bypass list, against the running proxy,
//! with canary listeners on the loopback ports the spellings lead to: every spelling is refused
//! and no connection ever reaches a canary.

use std::net::{Ipv6Addr, SocketAddr};

use tabgit_gitserver::Faults;

use crate::{
    support::{
        allow_local, get_from_app, gitserver, proxy, repos, static_resolver, Canary,
        UPLOAD_DISCOVERY,
    },
    Result,
};

#[test]
fn every_spelling_of_a_private_target_is_refused_and_never_connected() -> Result {
    let canary = Canary::loopback()?;
    let port = canary.port();
    // The same port on ::1, where the IPv6 spellings lead (if this machine has IPv6 loopback).
    let canary_v6 = Canary::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port))).ok();
    let proxy = proxy(|config| {
        // The port is allowed, so only the address checks stand between a request and a canary.
        config.allowed_ports = vec![port];
        config.resolver = static_resolver(&[
            ("internal.test", &["127.0.0.1".parse().expect("an address")]),
            (
                "mapped.test",
                &["::ffff:127.0.0.1".parse().expect("an address")],
            ),
        ]);
    })?;
    let spellings = [
        "127.0.0.1",
        "127.0.0.2",
        "127.1",
        "127.0.1",
        "2130706433",
        "0x7f000001",
        "0X7F000001",
        "0x7f.0x0.0x0.0x1",
        "0177.0.0.1",
        "0177.0.0.01",
        "017700000001",
        "127.000.000.001",
        "127.0.0.1.",
        "0",
        "0.0.0.0",
        "[::1]",
        "[0:0:0:0:0:0:0:1]",
        "[::]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[0:0:0:0:0:ffff:127.0.0.1]",
        "[::ffff:0.0.0.0]",
        "internal.test",
        "mapped.test",
    ];
    for spelling in spellings {
        let target = format!("/{spelling}:{port}/r.git/{UPLOAD_DISCOVERY}");
        let response = get_from_app(proxy.addr(), &target)?;
        assert_eq!(
            (response.status, response.proxy_error()),
            (403, Some("private-address")),
            "{spelling} names a loopback or unspecified address"
        );
    }
    assert_eq!(
        canary.accepted(),
        0,
        "no connection reached the IPv4 canary"
    );
    if let Some(canary_v6) = canary_v6 {
        assert_eq!(
            canary_v6.accepted(),
            0,
            "no connection reached the IPv6 canary"
        );
    }
    Ok(())
}

#[test]
fn a_301_to_a_private_address_is_not_followed() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    let canary = Canary::loopback()?;
    let proxy = proxy(|config| allow_local(config, server.addr()))?;
    let faults: Faults = format!("redirect=http://127.0.0.1:{}/r.git", canary.port()).parse()?;
    let response = get_from_app(
        proxy.addr(),
        &proxy.target_for(&format!(
            "{}/demo.git/{UPLOAD_DISCOVERY}",
            server.fault_url(&faults)
        )),
    )?;
    assert_eq!(
        (response.status, response.proxy_error()),
        (403, Some("cross-authority-redirect"))
    );
    assert_eq!(
        canary.accepted(),
        0,
        "cors-proxy PR #10: the redirect is never followed"
    );
    Ok(())
}
