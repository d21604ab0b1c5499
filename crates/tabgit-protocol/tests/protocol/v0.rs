//! Protocol v0 upload-pack: git's requests reproduced, git's responses parsed.

use tabgit_protocol::{
    fetch::{AckStatus, Acknowledgment, Arguments, End, Event, ShallowUpdate},
    sideband::Mode,
    v0::{self, ResponseOptions, ResponseParser},
    Capabilities, Limits,
};

use crate::{oid, Result};

const TINY_V1: &str = "1ba49c9a190c9b2b2acc1134e8f861bb17e0f112";
const TINY_V2: &str = "4ebce23b044a9ddfa16090b488584715d413c19b";

/// The upload-pack capabilities git http-backend advertised.
fn server() -> Result<Capabilities> {
    Ok(crate::discovery_v0("v0/info-refs")?.capabilities)
}

/// The agent git sent in the request `name`.
fn git_agent(name: &str) -> Result<String> {
    let (lines, _) = crate::request_lines(&crate::fixture(name)?)?;
    let first = String::from_utf8_lossy(lines.first().ok_or("a first want line")?).into_owned();
    let agent = first
        .split(' ')
        .find_map(|capability| capability.strip_prefix("agent="))
        .ok_or("git sends its agent")?;
    Ok(agent.to_owned())
}

fn assert_same_lines(ours: &[u8], name: &str) -> Result {
    let (git_lines, _) = crate::request_lines(&crate::fixture(name)?)?;
    let (our_lines, _) = crate::request_lines(ours)?;
    let show = |lines: &[Vec<u8>]| {
        lines
            .iter()
            .map(|line| String::from_utf8_lossy(line).into_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        show(&our_lines),
        show(&git_lines),
        "the request lines of {name}"
    );
    Ok(())
}

#[test]
fn clone_request_is_byte_for_byte_gits() -> Result {
    let name = "v0/upload-pack-clone.request";
    let arguments = Arguments {
        wants: [
            "5fe39e3bcb382c5d914dd2be7e49ddeb927aa9e5",
            "d38d687ee565fc3ed76ad702bc15b90fd1c49e8e",
            "25cdb6f097cf0a8841f12c0fb655932e8631eeb6",
            "83fc8f80459a3cdf224d7aba3d43765d256f98a3",
            "2f786989b88d493f00c6d7c32b069d47aafbb4a1",
            "e3c2273fee5eb51b45ae42c715e313fefaf235d8",
            "72b7bba7892e5603956a26fef6bb815e5a8044e9",
        ]
        .into_iter()
        .map(oid)
        .collect(),
        include_tag: false,
        done: true,
        ..Arguments::default()
    };
    let request = v0::request(&server()?, &arguments, &git_agent(name)?)?;
    assert_eq!(
        request.body.escape_ascii().to_string(),
        crate::fixture(name)?.escape_ascii().to_string(),
        "with git's agent string the request is identical"
    );
    assert_eq!(
        request.capabilities.join(" "),
        format!(
            "multi_ack_detailed no-done side-band-64k thin-pack ofs-delta deepen-since deepen-not agent={}",
            git_agent(name)?
        )
    );
    assert_eq!(
        request.response,
        ResponseOptions {
            side_band: Some(Mode::SideBand64k),
            shallow_update: false,
            done: true
        }
    );
    Ok(())
}

#[test]
fn shallow_filter_and_incremental_requests_match_git() -> Result {
    let base = Arguments {
        wants: vec![oid(TINY_V1)],
        no_progress: true,
        ..Arguments::default()
    };
    let cases = [
        (
            "v0/upload-pack-deepen-1-round1.request",
            Arguments {
                deepen: Some(1),
                ..base.clone()
            },
        ),
        (
            "v0/upload-pack-deepen-1-round2.request",
            Arguments {
                deepen: Some(1),
                done: true,
                ..base.clone()
            },
        ),
        (
            "v0/upload-pack-filter-blob-none.request",
            Arguments {
                include_tag: false,
                filter: Some("blob:none".to_owned()),
                done: true,
                ..base.clone()
            },
        ),
        (
            "v0/upload-pack-incremental.request",
            Arguments {
                wants: vec![oid(TINY_V2)],
                haves: [
                    TINY_V1,
                    "61bed7b336ca44f56ad9453f7f8a553b5d4d60a5",
                    "4cc03ad0ee7083d6bb081a765ca2d02e801dcea2",
                    "04e797544ba37c0db3c6b0efa9ca2467d5aa1733",
                ]
                .into_iter()
                .map(oid)
                .collect(),
                done: true,
                ..base.clone()
            },
        ),
    ];
    for (name, arguments) in cases {
        let request = v0::request(&server()?, &arguments, &git_agent(name)?)?;
        assert_same_lines(&request.body, name)?;
    }
    Ok(())
}

#[test]
fn requests_refuse_what_the_server_cannot_do() -> Result {
    use tabgit_protocol::fetch::Error;
    let bare = Capabilities::from_bytes(b"multi_ack side-band ofs-delta")?;
    let wants = Arguments {
        wants: vec![oid(TINY_V1)],
        ..Arguments::default()
    };
    let request = v0::request(&bare, &wants, "tabgit/1")?;
    assert_eq!(
        request.capabilities,
        ["multi_ack", "side-band", "ofs-delta"],
        "only offered capabilities, and no agent without the server's"
    );
    assert_eq!(request.response.side_band, Some(Mode::SideBand));
    for (arguments, feature_start) in [
        (
            Arguments {
                deepen: Some(1),
                ..wants.clone()
            },
            "`shallow`",
        ),
        (
            Arguments {
                filter: Some("blob:none".to_owned()),
                ..wants.clone()
            },
            "`filter`",
        ),
    ] {
        match v0::request(&bare, &arguments, "tabgit/1") {
            Err(v0::Error::Arguments(Error::FeatureNotSupported { feature })) => {
                assert!(feature.starts_with(feature_start), "{feature}");
            }
            other => return Err(format!("expected an unsupported feature, got {other:?}").into()),
        }
    }
    assert_eq!(
        v0::request(
            &server()?,
            &Arguments {
                want_refs: vec![b"refs/heads/main".to_vec()],
                ..Arguments::default()
            },
            "tabgit/1"
        ),
        Err(v0::Error::WantRefNeedsV2)
    );
    assert!(matches!(
        v0::request(&server()?, &wants, "tab git"),
        Err(v0::Error::InvalidAgent { .. })
    ));
    Ok(())
}

fn options(name: &str) -> ResponseOptions {
    ResponseOptions {
        side_band: Some(Mode::SideBand64k),
        shallow_update: name.contains("deepen"),
        done: !name.ends_with("round1"),
    }
}

#[test]
fn responses() -> Result {
    let limits = Limits::default();
    let clone = v0::parse_response(
        &crate::fixture("v0/upload-pack-clone.response")?,
        options("clone"),
        &limits,
    )?;
    assert_eq!(clone.acknowledgments, vec![Acknowledgment::Nak]);
    assert_eq!(clone.end, End::PackReceived);
    assert!(crate::is_complete_pack(&clone.pack));
    assert_eq!(crate::pack_object_count(&clone.pack), Some(93));
    assert!(!clone.progress.is_empty(), "the clone asked for progress");

    let round1 = v0::parse_response(
        &crate::fixture("v0/upload-pack-deepen-1-round1.response")?,
        options("deepen-1-round1"),
        &limits,
    )?;
    assert_eq!(
        round1.shallow_updates,
        vec![ShallowUpdate::Shallow(oid(TINY_V1))]
    );
    assert_eq!(
        round1.end,
        End::NegotiationContinues,
        "the first round of a shallow fetch only computes the boundary"
    );
    assert!(round1.pack.is_empty());

    let round2 = v0::parse_response(
        &crate::fixture("v0/upload-pack-deepen-1-round2.response")?,
        options("deepen-1-round2"),
        &limits,
    )?;
    assert_eq!(round2.shallow_updates.len(), 1);
    assert_eq!(round2.acknowledgments, vec![Acknowledgment::Nak]);
    assert!(crate::is_complete_pack(&round2.pack));
    assert_eq!(
        crate::pack_object_count(&round2.pack),
        Some(7),
        "depth 1 of tiny"
    );

    let partial = v0::parse_response(
        &crate::fixture("v0/upload-pack-filter-blob-none.response")?,
        options("filter"),
        &limits,
    )?;
    assert!(crate::is_complete_pack(&partial.pack));

    let incremental = v0::parse_response(
        &crate::fixture("v0/upload-pack-incremental.response")?,
        options("incremental"),
        &limits,
    )?;
    let common = |hex| Acknowledgment::Ack {
        object_id: oid(hex),
        status: Some(AckStatus::Common),
    };
    assert_eq!(
        incremental.acknowledgments,
        vec![
            common(TINY_V1),
            common("61bed7b336ca44f56ad9453f7f8a553b5d4d60a5"),
            common("4cc03ad0ee7083d6bb081a765ca2d02e801dcea2"),
            common("04e797544ba37c0db3c6b0efa9ca2467d5aa1733"),
            Acknowledgment::Ack {
                object_id: oid("04e797544ba37c0db3c6b0efa9ca2467d5aa1733"),
                status: None
            },
        ]
    );
    assert!(crate::is_complete_pack(&incremental.pack));
    assert_eq!(crate::pack_object_count(&incremental.pack), Some(3));
    Ok(())
}

#[test]
fn responses_stream_in_any_chunking() -> Result {
    for name in crate::fixture_names("v0", ".response")?
        .into_iter()
        .filter(|name| name.contains("upload-pack"))
    {
        let stem = name.trim_end_matches(".response");
        let body = crate::fixture(&name)?;
        let whole = v0::parse_response(&body, options(stem), &Limits::default())?;
        for size in [1, 3, 100, 65536] {
            let mut parser = ResponseParser::new(options(stem), Limits::default());
            let mut pack = Vec::new();
            let mut pack_started = false;
            for chunk in crate::chunks(&body, size) {
                parser.feed(chunk);
                while let Some(event) = parser.next_event()? {
                    match event {
                        Event::PackStart => pack_started = true,
                        Event::PackData(data) => {
                            assert!(pack_started, "PackStart comes before pack data");
                            pack.extend_from_slice(data);
                        }
                        _ => {}
                    }
                }
            }
            assert_eq!(parser.finish()?, whole.end, "{name}");
            assert_eq!(pack, whole.pack, "{name} in chunks of {size}");
        }
    }
    Ok(())
}

#[test]
fn no_done_negotiation_ends_in_a_pack() -> Result {
    // multi_ack_detailed + no-done: `ready`, NAK, then the final ACK and the pack.
    let body = crate::pkts(&[
        format!("ACK {TINY_V1} common\n").as_bytes(),
        format!("ACK {TINY_V1} ready\n").as_bytes(),
        b"NAK\n",
        format!("ACK {TINY_V1}\n").as_bytes(),
        b"\x01PACK",
        b"0000",
    ]);
    let options = ResponseOptions {
        side_band: Some(Mode::SideBand64k),
        shallow_update: false,
        done: false,
    };
    let response = v0::parse_response(&body, options, &Limits::default())?;
    assert_eq!(response.end, End::PackReceived);
    assert_eq!(response.pack, b"PACK");
    let round = crate::pkts(&[format!("ACK {TINY_V1} common\n").as_bytes(), b"NAK\n"]);
    let response = v0::parse_response(&round, options, &Limits::default())?;
    assert_eq!(response.end, End::NegotiationContinues);
    Ok(())
}

#[test]
fn a_pack_without_side_band_comes_unframed() -> Result {
    let mut body = crate::pkts(&[b"NAK\n"]);
    body.extend_from_slice(b"PACK\0\0\0\x02\0\0\0\0rest");
    let options = ResponseOptions {
        side_band: None,
        shallow_update: false,
        done: true,
    };
    let mut parser = ResponseParser::new(options, Limits::default());
    let mut pack = Vec::new();
    for chunk in crate::chunks(&body, 3) {
        parser.feed(chunk);
        while let Some(event) = parser.next_event()? {
            if let Event::PackData(data) = event {
                pack.extend_from_slice(data);
            }
        }
    }
    assert_eq!(parser.finish()?, End::PackReceived);
    assert_eq!(pack, b"PACK\0\0\0\x02\0\0\0\0rest");
    let mut err = crate::pkts(&[b"NAK\n", b"ERR upload-pack: not our ref\n"]);
    err.extend_from_slice(b"");
    assert!(matches!(
        v0::parse_response(&err, options, &Limits::default()),
        Err(v0::Error::Remote(_))
    ));
    Ok(())
}
