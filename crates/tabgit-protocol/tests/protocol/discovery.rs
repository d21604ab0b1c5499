//! Smart-HTTP discovery, against captured `info/refs` responses.

use tabgit_protocol::{
    discovery::{self, Advertisement, Error, Parser, ProtocolVersion, Service},
    Limits, Ref,
};

use crate::{oid, pkts, Result};

const UPLOAD_PACK_TYPE: &str = "application/x-git-upload-pack-advertisement";

fn parse_fixture(name: &str, service: Service) -> Result<Advertisement> {
    let body = crate::fixture(&format!("{name}.response"))?;
    let content_type = crate::response_content_type(name)?;
    Ok(discovery::parse(
        service,
        Some(&content_type),
        &body,
        &Limits::default(),
    )?)
}

fn refs_of(advertisement: Advertisement) -> Result<discovery::RefAdvertisement> {
    match advertisement {
        Advertisement::Refs(refs) => Ok(refs),
        Advertisement::V2(_) => Err("expected a v0/v1 ref advertisement".into()),
    }
}

#[test]
fn v2_capability_advertisement() -> Result {
    let advertisement = parse_fixture("v2/info-refs", Service::UploadPack)?;
    assert_eq!(advertisement.version(), ProtocolVersion::V2);
    let Advertisement::V2(capabilities) = advertisement else {
        return Err("git http-backend answers a v2 request in v2".into());
    };
    assert!(
        capabilities
            .agent
            .as_deref()
            .is_some_and(|agent| agent.starts_with("git/")),
        "agent: {:?}",
        capabilities.agent
    );
    assert!(capabilities.supports_command("ls-refs"));
    assert!(capabilities.supports_command("fetch"));
    assert!(!capabilities.supports_command("object-info"));
    assert!(capabilities.supports_ls_refs_feature("unborn"));
    for feature in ["shallow", "wait-for-done", "filter"] {
        assert!(
            capabilities.supports_fetch_feature(feature),
            "fetch={feature}"
        );
    }
    assert!(!capabilities.supports_fetch_feature("packfile-uris"));
    assert!(!capabilities.supports_fetch_feature("ref-in-want"));
    assert!(capabilities.server_option);
    assert_eq!(capabilities.object_format.as_deref(), Some("sha1"));
    assert!(capabilities.other.is_empty(), "{:?}", capabilities.other);
    Ok(())
}

#[test]
fn v0_ref_advertisement_with_peeled_tag_and_symref() -> Result {
    let refs = refs_of(parse_fixture("v0/info-refs", Service::UploadPack)?)?;
    assert_eq!(refs.version, ProtocolVersion::V0);
    let names: Vec<_> = refs
        .refs
        .iter()
        .map(|r| String::from_utf8_lossy(&r.name).into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "HEAD",
            "refs/heads/conflict-a",
            "refs/heads/conflict-b",
            "refs/heads/feature",
            "refs/heads/main",
            "refs/heads/topic",
            "refs/tags/v0.1",
            "refs/tags/v1.0"
        ]
    );
    assert_eq!(
        refs.refs[0],
        Ref {
            name: b"HEAD".to_vec(),
            object_id: Some(oid("83fc8f80459a3cdf224d7aba3d43765d256f98a3")),
            peeled_id: None,
            symref_target: Some(b"refs/heads/main".to_vec()),
        },
        "HEAD gets its target from symref=HEAD:refs/heads/main"
    );
    let annotated = refs.refs.last().ok_or("refs")?;
    assert_eq!(
        annotated.peeled_id,
        Some(oid("3a2570c1d60fdc362784635a5c565e003e9d0ae0")),
        "the ^{{}} line peels the annotated tag"
    );
    assert_eq!(refs.refs[6].peeled_id, None, "v0.1 is a lightweight tag");
    let capabilities = &refs.capabilities;
    for capability in [
        "multi_ack",
        "thin-pack",
        "side-band",
        "side-band-64k",
        "ofs-delta",
        "shallow",
        "deepen-since",
        "deepen-not",
        "deepen-relative",
        "no-progress",
        "include-tag",
        "multi_ack_detailed",
        "allow-tip-sha1-in-want",
        "allow-reachable-sha1-in-want",
        "no-done",
        "filter",
    ] {
        assert!(capabilities.contains(capability), "{capability}");
    }
    assert_eq!(
        capabilities.side_band(),
        Some(tabgit_protocol::sideband::Mode::SideBand64k)
    );
    assert_eq!(capabilities.object_format(), Some(&b"sha1"[..]));
    assert!(capabilities
        .agent()
        .is_some_and(|agent| agent.starts_with("git/")));
    assert_eq!(
        capabilities.symrefs().collect::<Vec<_>>(),
        vec![(&b"HEAD"[..], &b"refs/heads/main"[..])]
    );
    assert!(refs.shallow.is_empty());
    Ok(())
}

#[test]
fn v1_advertisement_has_a_version_line() -> Result {
    let advertisement = parse_fixture("v0/info-refs-v1", Service::UploadPack)?;
    assert_eq!(advertisement.version(), ProtocolVersion::V1);
    let refs = refs_of(advertisement)?;
    assert_eq!(refs.refs.len(), 2, "HEAD and main");
    Ok(())
}

#[test]
fn empty_repository_advertises_capabilities_only() -> Result {
    let refs = refs_of(parse_fixture("v0/info-refs-empty", Service::UploadPack)?)?;
    assert!(refs.refs.is_empty(), "capabilities^{{}} is not a ref");
    assert!(refs.capabilities.contains("multi_ack_detailed"));
    assert_eq!(refs.capabilities.symrefs().count(), 0);
    Ok(())
}

#[test]
fn receive_pack_advertisement() -> Result {
    let refs = refs_of(parse_fixture(
        "v0/info-refs-receive-pack",
        Service::ReceivePack,
    )?)?;
    assert_eq!(refs.refs.len(), 1);
    assert_eq!(refs.refs[0].name, b"refs/heads/main");
    for capability in [
        "report-status",
        "report-status-v2",
        "delete-refs",
        "side-band-64k",
        "quiet",
        "atomic",
        "ofs-delta",
    ] {
        assert!(refs.capabilities.contains(capability), "{capability}");
    }
    assert!(!refs.capabilities.contains("push-options"));
    Ok(())
}

#[test]
fn every_captured_advertisement_parses_in_every_chunking() -> Result {
    for name in crate::fixture_names("v0", ".response")?
        .into_iter()
        .chain(crate::fixture_names("v2", ".response")?)
        .filter(|name| name.contains("info-refs"))
    {
        let stem = name.trim_end_matches(".response");
        let service = if stem.contains("receive-pack") {
            Service::ReceivePack
        } else {
            Service::UploadPack
        };
        let body = crate::fixture(&name)?;
        let content_type = crate::response_content_type(stem)?;
        let whole = discovery::parse(service, Some(&content_type), &body, &Limits::default())?;
        for size in [1, 3, 7, 100] {
            let mut parser = Parser::new(service, Some(&content_type), Limits::default())?;
            for chunk in crate::chunks(&body, size) {
                parser.feed(chunk)?;
            }
            assert_eq!(parser.finish()?, whole, "{name} in chunks of {size}");
        }
    }
    Ok(())
}

#[test]
fn content_type_must_be_the_advertisement_type() -> Result {
    discovery::check_content_type(Service::UploadPack, Some(UPLOAD_PACK_TYPE))?;
    discovery::check_content_type(
        Service::UploadPack,
        Some("Application/X-Git-Upload-Pack-Advertisement; charset=utf-8"),
    )?;
    let err = discovery::check_content_type(Service::UploadPack, Some("text/html; charset=utf-8"))
        .err()
        .ok_or("text/html must be refused")?;
    assert_eq!(
        err.to_string(),
        "this URL is not a git smart-HTTP endpoint (got text/html; charset=utf-8)"
    );
    assert!(matches!(
        discovery::check_content_type(Service::UploadPack, None),
        Err(Error::NotSmartHttp { .. })
    ));
    assert!(
        matches!(
            discovery::check_content_type(Service::ReceivePack, Some(UPLOAD_PACK_TYPE)),
            Err(Error::NotSmartHttp { .. })
        ),
        "the type must match the service"
    );
    assert!(
        matches!(
            discovery::check_content_type(Service::UploadPack, Some("text/plain")),
            Err(Error::NotSmartHttp { .. })
        ),
        "a dumb server's text/plain is not supported"
    );
    Ok(())
}

#[test]
fn bodies_that_are_not_smart_http() -> Result {
    let parse = |body: &[u8]| {
        discovery::parse(
            Service::UploadPack,
            Some(UPLOAD_PACK_TYPE),
            body,
            &Limits::default(),
        )
    };
    assert_eq!(
        parse(b"<!DOCTYPE html><html><body>Sign in</body></html>"),
        Err(Error::HtmlBody)
    );
    assert_eq!(parse(b"\n  <html>"), Err(Error::HtmlBody));
    assert!(matches!(
        parse(b"95dcfa3633004da0049d3d0fa03f80589cbcaf31\trefs/heads/maint\n"),
        Err(Error::InvalidFirstBytes { .. })
    ));
    assert!(
        matches!(
            parse(b"001E# service=git-upload-pack\n0000"),
            Err(Error::InvalidFirstBytes { .. })
        ),
        "the first four bytes must be lower-case hex"
    );
    assert!(matches!(
        parse(b"0009hello0000"),
        Err(Error::InvalidFirstBytes { .. })
    ));
    assert_eq!(
        parse(&pkts(&[b"version 1\n", b"0000"])),
        Err(Error::UnexpectedFirstLine {
            line: "version 1".to_owned(),
            expected: "git-upload-pack"
        }),
        "v1 needs the service header; only v2 may come without it"
    );
    assert_eq!(
        parse(&pkts(&[b"# service=git-receive-pack\n", b"0000"])),
        Err(Error::WrongService {
            expected: "git-upload-pack",
            got: "git-receive-pack".to_owned()
        })
    );
    assert!(matches!(
        parse(&pkts(&[b"# sErvice=x\n", b"0000"])),
        Err(Error::UnexpectedFirstLine { .. })
    ));
    assert_eq!(parse(b""), Err(Error::Truncated));
    assert_eq!(
        parse(&pkts(&[b"# service=git-upload-pack\n"])),
        Err(Error::Truncated)
    );
    Ok(())
}

#[test]
fn metadata_lines_after_the_service_header_are_ignored() -> Result {
    let body = pkts(&[
        b"# service=git-upload-pack\n",
        b"hello\n",
        b"0000",
        b"0000000000000000000000000000000000000000 capabilities^{}\0side-band-64k\n",
        b"0000",
    ]);
    let refs = refs_of(discovery::parse(
        Service::UploadPack,
        Some(UPLOAD_PACK_TYPE),
        &body,
        &Limits::default(),
    )?)?;
    assert!(refs.capabilities.contains("side-band-64k"));
    Ok(())
}

#[test]
fn v2_after_a_service_header_is_accepted() -> Result {
    let body = pkts(&[
        b"# service=git-upload-pack\n",
        b"0000",
        b"version 2\n",
        b"fetch",
        b"0000",
    ]);
    let advertisement = discovery::parse(
        Service::UploadPack,
        Some(UPLOAD_PACK_TYPE),
        &body,
        &Limits::default(),
    )?;
    let Advertisement::V2(capabilities) = advertisement else {
        return Err("a v2 advertisement".into());
    };
    assert!(capabilities.supports_command("fetch"));
    assert_eq!(
        capabilities.fetch,
        Some(Vec::new()),
        "fetch without features"
    );
    Ok(())
}

#[test]
fn err_packets_in_discovery_are_remote_errors() -> Result {
    let err_line: &[u8] = b"ERR access denied\n";
    for body in [
        pkts(&[err_line]),
        pkts(&[b"# service=git-upload-pack\n", b"0000", err_line]),
        pkts(&[b"version 2\n", err_line]),
        pkts(&[b"version 2\n", b"agent=x\n", err_line]),
        pkts(&[
            b"# service=git-upload-pack\n",
            b"0000",
            b"0000000000000000000000000000000000000000 capabilities^{}\0side-band-64k\n",
            err_line,
        ]),
    ] {
        let err = discovery::parse(
            Service::UploadPack,
            Some(UPLOAD_PACK_TYPE),
            &body,
            &Limits::default(),
        )
        .err()
        .ok_or("ERR must fail discovery")?;
        let Error::Remote(remote) = &err else {
            return Err(format!("expected a remote error, got {err:?}").into());
        };
        assert_eq!(remote.message, "access denied");
    }
    Ok(())
}

#[test]
fn sha256_repositories_are_refused_with_a_clear_message() -> Result {
    let err = discovery::parse(
        Service::UploadPack,
        Some(UPLOAD_PACK_TYPE),
        &pkts(&[b"version 2\n", b"object-format=sha256\n", b"0000"]),
        &Limits::default(),
    )
    .err()
    .ok_or("sha256 must be refused")?;
    assert_eq!(
        err.to_string(),
        "the repository uses sha256 object ids; only sha1 repositories are supported"
    );
    Ok(())
}

#[test]
fn service_names_and_content_types() -> Result {
    assert_eq!(Service::UploadPack.name(), "git-upload-pack");
    assert_eq!(
        Service::ReceivePack.info_refs_path(),
        "info/refs?service=git-receive-pack"
    );
    assert_eq!(
        Service::UploadPack.request_content_type(),
        "application/x-git-upload-pack-request"
    );
    assert_eq!(
        Service::ReceivePack.result_content_type(),
        "application/x-git-receive-pack-result"
    );
    Ok(())
}
