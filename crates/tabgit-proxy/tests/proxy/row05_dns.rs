//! Row 5: a name is resolved once, every address it resolves to is checked, and the proxy
//! connects to an address that was checked: no second lookup, so DNS rebinding cannot swap a
//! private address in after the check.

use std::{
    io,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};

use tabgit_proxy::Resolver;

use crate::{
    support::{get_from_app, gitserver, proxy, repos, static_resolver, Canary, UPLOAD_DISCOVERY},
    Result,
};

const LOOPBACK_1: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const LOOPBACK_2: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

#[test]
fn every_resolved_address_is_checked() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    let port = server.port();
    // Same port, another loopback address: where a rebinding or a second address would lead.
    let canary = Canary::bind(SocketAddr::new(LOOPBACK_2, port))?;
    let proxy = proxy(|config| {
        config.resolver = static_resolver(&[
            ("good.test", &[LOOPBACK_1]),
            ("mixed.test", &[LOOPBACK_1, LOOPBACK_2]),
            ("intranet.test", &[LOOPBACK_2]),
            (
                "metadata.test",
                &[IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254))],
            ),
            ("empty.test", &[]),
        ]);
        for name in [
            "good.test",
            "mixed.test",
            "intranet.test",
            "metadata.test",
            "empty.test",
        ] {
            config.allow_http.push(format!("{name}:{port}"));
        }
        // Only the git server's own address and port may be private.
        config.allow_private.push(server.addr().to_string());
    })?;
    let discovery = |name: &str| format!("/{name}:{port}/demo.git/{UPLOAD_DISCOVERY}");

    let good = get_from_app(proxy.addr(), &discovery("good.test"))?;
    assert_eq!(
        good.status,
        200,
        "a name resolving to the allowed address: {}",
        good.text()
    );
    for name in ["mixed.test", "intranet.test", "metadata.test"] {
        let response = get_from_app(proxy.addr(), &discovery(name))?;
        assert_eq!(
            (response.status, response.proxy_error()),
            (403, Some("private-address")),
            "{name}: one refused address refuses the name"
        );
    }
    let empty = get_from_app(proxy.addr(), &discovery("empty.test"))?;
    assert_eq!(
        (empty.status, empty.proxy_error()),
        (502, Some("dns-failed"))
    );
    let unknown = get_from_app(
        proxy.addr(),
        &format!("/nx.test/demo.git/{UPLOAD_DISCOVERY}"),
    )?;
    assert_eq!(
        (unknown.status, unknown.proxy_error()),
        (502, Some("dns-failed"))
    );
    assert_eq!(
        canary.accepted(),
        0,
        "no connection to an address that was refused"
    );
    Ok(())
}

#[test]
fn one_lookup_per_request_and_the_checked_address_is_used() -> Result {
    let repos = repos()?;
    let server = gitserver(&repos, |_| {})?;
    let port = server.port();
    let canary = Canary::bind(SocketAddr::new(LOOPBACK_2, port))?;
    let lookups = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&lookups);
    // The first answer is the allowed address; every later one rebinds to a refused one.
    let rebinding = Resolver::Custom(Arc::new(move |name: &str| {
        if name != "rebind.test" {
            return Err(io::Error::new(io::ErrorKind::NotFound, "unknown test name"));
        }
        let lookup = counter.fetch_add(1, Ordering::AcqRel);
        Ok(vec![if lookup == 0 { LOOPBACK_1 } else { LOOPBACK_2 }])
    }));
    let proxy = proxy(|config| {
        config.resolver = rebinding;
        config.allow_http.push(format!("rebind.test:{port}"));
        config.allow_private.push(server.addr().to_string());
    })?;
    let discovery = format!("/rebind.test:{port}/demo.git/{UPLOAD_DISCOVERY}");

    let first = get_from_app(proxy.addr(), &discovery)?;
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(
        lookups.load(Ordering::Acquire),
        1,
        "the request resolved its name exactly once and connected to that answer"
    );
    let second = get_from_app(proxy.addr(), &discovery)?;
    assert_eq!(
        (second.status, second.proxy_error()),
        (403, Some("private-address")),
        "the rebound answer is checked like the first"
    );
    assert_eq!(lookups.load(Ordering::Acquire), 2);
    assert_eq!(
        canary.accepted(),
        0,
        "the rebound address is never connected to"
    );
    Ok(())
}

#[test]
fn the_system_resolver_sees_localhost_as_private() -> Result {
    let canary = Canary::loopback()?;
    let port = canary.port();
    let proxy = proxy(|config| {
        config.resolver = Resolver::System;
        config.allowed_ports = vec![port];
    })?;
    for name in ["localhost", "LOCALHOST"] {
        let response = get_from_app(
            proxy.addr(),
            &format!("/{name}:{port}/r.git/{UPLOAD_DISCOVERY}"),
        )?;
        assert_eq!(
            (response.status, response.proxy_error()),
            (403, Some("private-address")),
            "{name} resolves (from /etc/hosts) to loopback"
        );
    }
    assert_eq!(canary.accepted(), 0);
    Ok(())
}
