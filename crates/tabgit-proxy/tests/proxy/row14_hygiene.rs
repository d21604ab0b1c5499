//! Row 14: a small, reviewed attack surface. The proxy's direct dependencies are exactly the
//! reviewed list (adding one means changing this test in the same review), and the workspace
//! has the `cargo deny` configuration that `scripts/test` runs
//! (`cargo deny --workspace check bans licenses`; the advisory database cannot be fetched
//! here).

use crate::Result;

/// The reviewed direct dependencies of `tabgit-proxy`.
const REVIEWED: &[&str] = &[
    "bytes",
    "clap",
    "http-body-util",
    "hyper",
    "hyper-util",
    "rustls",
    "thiserror",
    "tokio",
    "tokio-rustls",
    "webpki-roots",
];

#[test]
fn dependencies_are_the_reviewed_few() -> Result {
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))?;
    let section = manifest
        .split("\n[dependencies]\n")
        .nth(1)
        .ok_or("a [dependencies] section")?;
    let section = section.split("\n[").next().unwrap_or(section);
    let mut names: Vec<&str> = section
        .lines()
        .filter(|line| !line.trim_start().starts_with('#') && line.contains('='))
        .filter_map(|line| line.split('=').next())
        .map(str::trim)
        .collect();
    names.sort_unstable();
    assert_eq!(
        names, REVIEWED,
        "a new dependency of the proxy needs a review"
    );
    assert!(
        !manifest.contains("aws-lc") && !manifest.contains("openssl"),
        "TLS is rustls with ring, which builds with the system C compiler and downloads nothing"
    );

    let deny = tabgit_testtools::workspace_root().join("deny.toml");
    let deny =
        std::fs::read_to_string(&deny).map_err(|err| format!("{}: {err}", deny.display()))?;
    for section in ["[bans]", "[licenses]"] {
        assert!(deny.contains(section), "deny.toml configures {section}");
    }
    Ok(())
}
