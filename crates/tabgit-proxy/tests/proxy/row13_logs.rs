//! Row 13: no credential in logs. One line per request with method, host, path without query,
//! status, bytes and duration; never headers, bodies or query strings.

use crate::{
    support::{allow_local, get, git, gitserver, proxy, repos, run, APP_ORIGIN, UPLOAD_DISCOVERY},
    Result,
};

const TOKEN: &str = "tok3n-n3ver-logged";

#[test]
fn log_lines_carry_no_headers_queries_or_bodies() -> Result {
    let repos = repos()?;
    // Server-wide knobs: the credential must not be in the URL path (which is logged).
    let server = gitserver(&repos, |config| {
        config.faults = format!("auth=user:{TOKEN}").parse().expect("a valid knob");
    })?;
    let proxy = proxy(|config| allow_local(config, server.addr()))?;
    let remote = proxy.url_for(&format!("{}/demo.git", server.url()));
    let work = tabgit_testtools::tempdir()?;
    run(git(work.path(), Some(APP_ORIGIN))
        .args([
            "-c",
            &format!("http.extraHeader=Authorization: Bearer {TOKEN}"),
        ])
        .args(["-c", "http.extraHeader=Cookie: session=c00kie-n3ver-logged"])
        .args(["clone", "-q", &remote, "clone"]))?;
    let discovery = proxy.target_for(&format!("{}/demo.git/{UPLOAD_DISCOVERY}", server.url()));
    let refused = get(
        proxy.addr(),
        &format!("{discovery}&token={TOKEN}"),
        &[
            ("Origin", APP_ORIGIN),
            ("Authorization", &format!("Bearer {TOKEN}")),
        ],
    )?;
    assert_eq!(refused.proxy_error(), Some("bad-query"));

    let lines = proxy.log.lines();
    assert!(lines.len() >= 4, "a line per request: {lines:#?}");
    for line in &lines {
        for secret in [
            TOKEN,
            "c00kie",
            "Bearer",
            "service=",
            "Cookie",
            "Authorization",
            "?",
        ] {
            assert!(
                !line.contains(secret),
                "{secret} must not be logged: {line}"
            );
        }
    }
    let host = server.addr().to_string();
    let discovery_line = lines
        .iter()
        .find(|line| line.contains("/info/refs"))
        .ok_or("a discovery line")?;
    let fields: Vec<&str> = discovery_line.split(' ').collect();
    assert_eq!(fields.first(), Some(&"tabgit-proxy:"), "{discovery_line}");
    assert_eq!(fields.get(1), Some(&"GET"), "{discovery_line}");
    assert_eq!(fields.get(2), Some(&host.as_str()), "{discovery_line}");
    assert!(
        fields
            .get(3)
            .is_some_and(|path| path.ends_with("/demo.git/info/refs")),
        "{discovery_line}"
    );
    assert_eq!(fields.get(4), Some(&"200"), "{discovery_line}");
    assert!(
        fields
            .get(5)
            .is_some_and(|bytes| bytes.ends_with('B') && bytes.len() > 2),
        "{discovery_line}"
    );
    assert!(
        fields
            .get(6)
            .is_some_and(|duration| duration.ends_with("ms")),
        "{discovery_line}"
    );
    assert!(
        lines
            .iter()
            .any(|line| line.contains("POST") && line.contains("/git-upload-pack 200")),
        "the fetch is logged: {lines:#?}"
    );
    assert!(
        lines.iter().any(|line| line.ends_with("refused=bad-query")),
        "refusals are logged with their code: {lines:#?}"
    );
    Ok(())
}
