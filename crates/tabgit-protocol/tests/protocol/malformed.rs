//! Hostile input for every parser: truncation at every byte, bad lengths, empty side-band
//! packets, `ERR` packets in every position, bad report lines, unknown and refused sections,
//! control characters in ref names, floods against the limits, and mutated fixtures.
//! Every case must be a typed error, never a panic (RELIABILITY.md rows 30–34, fault N8).

use tabgit_protocol::{
    discovery::{self, Service},
    fetch::End,
    packetline::{self, decode, Decoder, PacketRef},
    push, sideband, v0, v2, Limits,
};

use crate::{pkts, Result};

/// Which parser a fixture belongs to.
#[derive(Clone, Copy, Debug)]
enum Parser {
    Discovery(Service),
    LsRefs,
    V2Fetch,
    V0(v0::ResponseOptions),
    Push,
}

fn parser_for(name: &str) -> Parser {
    if name.contains("info-refs") {
        Parser::Discovery(if name.contains("receive-pack") {
            Service::ReceivePack
        } else {
            Service::UploadPack
        })
    } else if name.contains("ls-refs") {
        Parser::LsRefs
    } else if name.starts_with("v2/") {
        Parser::V2Fetch
    } else if name.contains("receive-pack") {
        Parser::Push
    } else {
        Parser::V0(v0::ResponseOptions {
            side_band: Some(sideband::Mode::SideBand64k),
            shallow_update: name.contains("deepen"),
            done: !name.contains("round1"),
        })
    }
}

/// Parse `body` completely with `parser`; `Ok` only for a whole, valid response, otherwise
/// the error's message.
fn parse(parser: Parser, body: &[u8], limits: &Limits) -> std::result::Result<(), String> {
    let text = |err: &dyn std::error::Error| err.to_string();
    match parser {
        Parser::Discovery(service) => discovery::parse(
            service,
            Some(service.advertisement_content_type()),
            body,
            limits,
        )
        .map(drop)
        .map_err(|err| text(&err)),
        Parser::LsRefs => v2::ls_refs::parse_response(body, limits)
            .map(drop)
            .map_err(|err| text(&err)),
        Parser::V2Fetch => v2::fetch::parse_response(body, limits)
            .map(drop)
            .map_err(|err| text(&err)),
        Parser::V0(options) => v0::parse_response(body, options, limits)
            .map(drop)
            .map_err(|err| text(&err)),
        Parser::Push => {
            push::parse_response(body, push::ResponseOptions { side_band: true }, limits)
                .map(drop)
                .map_err(|err| text(&err))
        }
    }
}

/// Every captured response, with its parser.
fn responses() -> Result<Vec<(String, Parser, Vec<u8>)>> {
    let mut all = Vec::new();
    for name in crate::fixture_names("v0", ".response")?
        .into_iter()
        .chain(crate::fixture_names("v2", ".response")?)
    {
        let body = crate::fixture(&name)?;
        all.push((name.clone(), parser_for(&name), body));
    }
    Ok(all)
}

/// The pkt-lines of a whole response, as raw byte strings, and what follows them.
fn split_packets(body: &[u8]) -> Result<Vec<Vec<u8>>> {
    let mut packets = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let decode::Stream::Complete { consumed, .. } = decode::streaming(rest)? else {
            return Err("fixtures are whole pkt-lines".into());
        };
        packets.push(rest[..consumed].to_vec());
        rest = &rest[consumed..];
    }
    Ok(packets)
}

#[test]
fn every_fixture_parses_and_every_truncation_fails() -> Result {
    let limits = Limits::default();
    for (name, parser, body) in responses()? {
        parse(parser, &body, &limits).map_err(|err| format!("{name}: {err}"))?;
        for len in 0..body.len() {
            let result = parse(parser, &body[..len], &limits);
            let may_end_early = matches!(parser, Parser::V0(options) if !options.done);
            if !may_end_early {
                assert!(
                    result.is_err(),
                    "{name} cut after {len} of {} bytes must not parse",
                    body.len()
                );
            }
        }
    }
    Ok(())
}

#[test]
fn streaming_parsers_report_truncation_at_every_byte() -> Result {
    for name in [
        "v2/fetch-incremental.response",
        "v2/fetch-deepen-1.response",
    ] {
        let body = crate::fixture(name)?;
        for len in 0..body.len() {
            let mut parser = v2::fetch::ResponseParser::new(Limits::default());
            parser.feed(&body[..len]);
            while parser.next_event()?.is_some() {}
            assert_eq!(
                parser.finish(),
                Err(v2::fetch::Error::Truncated),
                "{name} cut after {len} bytes"
            );
        }
    }
    let body = crate::fixture("v0/receive-pack-rejected.response")?;
    for len in 0..body.len() {
        let mut parser =
            push::ResponseParser::new(push::ResponseOptions { side_band: true }, Limits::default());
        parser.feed(&body[..len])?;
        assert_eq!(
            parser.finish(),
            Err(push::Error::Truncated),
            "a push report cut after {len} bytes leaves the outcome unknown"
        );
    }
    Ok(())
}

#[test]
fn bad_lengths_are_framing_errors_everywhere() -> Result {
    for (prefix, expected) in [
        (
            &b"zzzz"[..],
            decode::Error::InvalidLengthCharacters {
                prefix: "zzzz".to_owned(),
            },
        ),
        (
            b"00g",
            decode::Error::InvalidLengthCharacters {
                prefix: "00g".to_owned(),
            },
        ),
        (b"0003", decode::Error::LengthTooShort { length: 3 }),
        (b"ffff", decode::Error::LineTooLong { length: 65535 }),
        (b"fff1", decode::Error::LineTooLong { length: 65521 }),
        (
            b"-001",
            decode::Error::InvalidLengthCharacters {
                prefix: "-001".to_owned(),
            },
        ),
    ] {
        assert_eq!(decode::streaming(prefix), Err(expected.clone()));
        let mut decoder = Decoder::new();
        decoder.feed(prefix);
        assert_eq!(decoder.next_packet(), Err(expected.clone()));
        assert_eq!(
            decoder.next_packet(),
            Err(expected.clone()),
            "the decoder stays at the bad packet"
        );
    }
    // In every parser, at the start and after the first packet of each fixture.
    for (name, parser, body) in responses()? {
        let packets = split_packets(&body)?;
        for bad in [&b"zzzz"[..], b"0003", b"ffff"] {
            for position in [0, 1] {
                let mut mutated = packets[..position.min(packets.len())].concat();
                mutated.extend_from_slice(bad);
                mutated.extend_from_slice(&packets[position.min(packets.len())..].concat());
                assert!(
                    parse(parser, &mutated, &Limits::default()).is_err(),
                    "{name} with {} at packet {position}",
                    bad.escape_ascii()
                );
            }
        }
    }
    Ok(())
}

#[test]
fn err_packets_in_every_position_are_remote_errors() -> Result {
    let err_packet = pkts(&[b"ERR simulated server error\n"]);
    for (name, parser, body) in responses()? {
        let packets = split_packets(&body)?;
        for position in 0..packets.len() {
            let mut mutated = packets[..position].concat();
            mutated.extend_from_slice(&err_packet);
            mutated.extend_from_slice(&packets[position..].concat());
            let err = parse(parser, &mutated, &Limits::default())
                .err()
                .ok_or_else(|| format!("{name}: ERR at packet {position} must fail"))?;
            assert_eq!(
                err, "the server reported an error: simulated server error",
                "{name}: ERR at packet {position}"
            );
        }
    }
    // Inside side-band 1 of a push report, the nested report can carry ERR too.
    let mut nested = Vec::new();
    packetline::encode::band(1, &pkts(&[b"ERR hook failed\n"]), &mut nested)?;
    packetline::encode::flush(&mut nested);
    assert!(matches!(
        push::parse_response(
            &nested,
            push::ResponseOptions { side_band: true },
            &Limits::default()
        ),
        Err(push::Error::Remote(_))
    ));
    Ok(())
}

#[test]
fn side_band_errors_in_packs() -> Result {
    let limits = Limits::default();
    for (packet, expected) in [
        (&b"0004"[..], "side-band packet with no payload"),
        (b"0005\x07", "unknown band 7"),
        (
            b"0019\x03error: out of memory\n",
            "the server reported an error: error: out of memory",
        ),
    ] {
        let mut v2_body = pkts(&[b"packfile\n", b"\x01PACK"]);
        v2_body.extend_from_slice(packet);
        v2_body.extend_from_slice(b"0000");
        let err = parse(Parser::V2Fetch, &v2_body, &limits)
            .err()
            .ok_or("a bad side-band packet must fail a v2 fetch")?;
        assert!(err.contains(expected), "v2: {err}");

        let mut v0_body = pkts(&[b"NAK\n", b"\x01PACK"]);
        v0_body.extend_from_slice(packet);
        v0_body.extend_from_slice(b"0000");
        let options = v0::ResponseOptions {
            side_band: Some(sideband::Mode::SideBand64k),
            shallow_update: false,
            done: true,
        };
        let err = parse(Parser::V0(options), &v0_body, &limits)
            .err()
            .ok_or("a bad side-band packet must fail a v0 fetch")?;
        assert!(err.contains(expected), "v0: {err}");

        let mut push_body = packet.to_vec();
        push_body.extend_from_slice(b"0000");
        let err = parse(Parser::Push, &push_body, &limits)
            .err()
            .ok_or("a bad side-band packet must fail a push report")?;
        assert!(err.contains(expected), "push: {err}");
    }
    let remote = v2::fetch::parse_response(
        &[
            &pkts(&[b"packfile\n", b"\x03fatal: \x1b[31mboom\n"])[..],
            b"0000",
        ]
        .concat(),
        &limits,
    );
    let Err(v2::fetch::Error::Remote(remote)) = remote else {
        return Err(format!("band 3 must be a remote error: {remote:?}").into());
    };
    assert_eq!(remote.message, "fatal: ^[[31mboom");
    assert_eq!(remote.origin, packetline::RemoteErrorOrigin::SideBand);
    Ok(())
}

#[test]
fn v2_sections_unknown_refused_or_out_of_order() -> Result {
    let limits = Limits::default();
    let fetch = |items: &[&[u8]]| v2::fetch::parse_response(&pkts(items), &limits);
    assert!(matches!(
        fetch(&[b"bundle-uris\n", b"0000"]),
        Err(v2::fetch::Error::UnknownSection { .. })
    ));
    assert_eq!(
        fetch(&[
            b"packfile-uris\n",
            b"0123456789012345678901234567890123456789 https://evil.example/p.pack\n",
            b"0001",
            b"packfile\n",
            b"\x01PACK",
            b"0000"
        ]),
        Err(v2::fetch::Error::PackfileUrisNotRequested)
    );
    assert_eq!(
        fetch(&[
            b"packfile\n",
            b"\x01PACK",
            b"0001",
            b"shallow-info\n",
            b"0000"
        ]),
        Err(v2::fetch::Error::UnexpectedPacket {
            packet: "delimiter",
            section: "packfile"
        })
    );
    assert_eq!(
        fetch(&[
            b"shallow-info\n",
            b"0001",
            b"acknowledgments\n",
            b"NAK\n",
            b"0000"
        ]),
        Err(v2::fetch::Error::SectionOutOfOrder {
            name: "acknowledgments"
        })
    );
    assert_eq!(
        fetch(&[b"shallow-info\n", b"0001", b"shallow-info\n", b"0000"]),
        Err(v2::fetch::Error::SectionOutOfOrder {
            name: "shallow-info"
        })
    );
    assert_eq!(
        fetch(&[b"acknowledgments\n", b"ready\n", b"0000"]),
        Err(v2::fetch::Error::MissingPackfile),
        "ready promises a pack"
    );
    assert_eq!(
        fetch(&[b"shallow-info\n", b"0000"]),
        Err(v2::fetch::Error::MissingPackfile)
    );
    let ack = format!("ACK {}\n", "1".repeat(40));
    assert_eq!(
        fetch(&[b"acknowledgments\n", b"NAK\n", ack.as_bytes(), b"0000"]),
        Err(v2::fetch::Error::NakWithAck)
    );
    for bad_line in [
        &b"ACK 123\n"[..],
        b"ACK 1111111111111111111111111111111111111111 common\n",
        b"nak\n",
        b"\n",
    ] {
        assert!(
            matches!(
                fetch(&[b"acknowledgments\n", bad_line, b"0000"]),
                Err(v2::fetch::Error::InvalidLine { .. })
            ),
            "{}",
            bad_line.escape_ascii()
        );
    }
    for bad_line in [&b"shallow\n"[..], b"shallow xyz\n", b"deepen 1\n"] {
        assert!(matches!(
            fetch(&[b"shallow-info\n", bad_line, b"0001", b"packfile\n", b"0000"]),
            Err(v2::fetch::Error::InvalidLine { .. })
        ));
    }
    assert!(matches!(
        fetch(&[b"0000"]),
        Err(v2::fetch::Error::UnexpectedPacket {
            packet: "flush",
            ..
        })
    ));
    assert!(matches!(
        fetch(&[b"packfile\n", b"0000", b"0000"]),
        Err(v2::fetch::Error::TrailingData)
    ));
    Ok(())
}

#[test]
fn v0_responses_with_bad_lines() -> Result {
    let options = v0::ResponseOptions {
        side_band: Some(sideband::Mode::SideBand64k),
        shallow_update: true,
        done: true,
    };
    let limits = Limits::default();
    for body in [
        pkts(&[b"shallow nope\n", b"0000"]),
        pkts(&[b"0000", b"ACK abc\n"]),
        pkts(&[
            b"0000",
            b"ACK 1111111111111111111111111111111111111111 maybe\n",
        ]),
        pkts(&[b"0000", b"0000"]),
        pkts(&[b"0000", b"0001"]),
        pkts(&[b"0000", b"NAK\n", b"\x01PACK", b"0000", b"0000"]),
    ] {
        assert!(
            v0::parse_response(&body, options, &limits).is_err(),
            "{}",
            body.escape_ascii()
        );
    }
    assert_eq!(
        v0::parse_response(&pkts(&[b"0000", b"NAK\n", b"\x01PACK"]), options, &limits)
            .map(|response| response.end),
        Err(v0::Error::Truncated),
        "a side-band pack ends with a flush"
    );
    assert_eq!(
        v0::parse_response(
            &pkts(&[b"0000", b"NAK\n", b"\x01PACK", b"0000"]),
            options,
            &limits
        )
        .map(|response| response.end),
        Ok(End::PackReceived)
    );
    Ok(())
}

#[test]
fn push_reports_with_bad_lines() -> Result {
    let plain = push::ResponseOptions { side_band: false };
    let limits = Limits::default();
    let id = "1".repeat(40);
    for lines in [
        vec![&b"ok\n"[..]],
        vec![b"ok \n"],
        vec![b"ng\n"],
        vec![b"ng \n"],
        vec![b"ng  reason\n"],
        vec![b"unpack\n"],
        vec![b"unpack \n"],
        vec![b"ok refs/heads/main\n"],
        vec![b"unpack ok\n", b"option forced-update\n"],
        vec![
            b"unpack ok\n",
            b"ng refs/heads/x nope\n",
            b"option forced-update\n",
        ],
        vec![b"unpack ok\n", b"ok refs/heads/x\n", b"option bogus\n"],
        vec![
            b"unpack ok\n",
            b"ok refs/heads/x\n",
            b"option old-oid xyz\n",
        ],
        vec![b"unpack ok\n", b"maybe refs/heads/x\n"],
        vec![b"unpack ok\n", b"ok refs/heads/\x1b[2J\n"],
        vec![b"unpack ok\n", b"ok refs/heads/a b\n"],
    ] {
        let mut items = lines.clone();
        items.push(b"0000");
        let body = pkts(&items);
        let result = push::parse_response(&body, plain, &limits);
        assert!(
            matches!(result, Err(push::Error::InvalidLine { .. })),
            "{} gave {result:?}",
            body.escape_ascii()
        );
    }
    assert!(matches!(
        push::parse_response(&pkts(&[b"0000"]), plain, &limits),
        Err(push::Error::UnexpectedPacket { packet: "flush" })
    ));
    assert!(matches!(
        push::parse_response(&pkts(&[b"unpack ok\n", b"0000", b"0000"]), plain, &limits),
        Err(push::Error::TrailingData)
    ));
    assert!(matches!(
        push::parse_response(
            &pkts(&[
                b"unpack ok\n",
                format!("option new-oid {id}\n").as_bytes(),
                b"0000"
            ]),
            plain,
            &limits
        ),
        Err(push::Error::InvalidLine { .. })
    ));
    // A report whose nested report ends but whose side-band stream does not.
    let mut body = Vec::new();
    packetline::encode::band(
        1,
        &pkts(&[b"unpack ok\n", b"ok refs/heads/x\n", b"0000"]),
        &mut body,
    )?;
    assert_eq!(
        push::parse_response(&body, push::ResponseOptions { side_band: true }, &limits),
        Err(push::Error::Truncated)
    );
    Ok(())
}

#[test]
fn ref_names_with_control_characters_are_refused() -> Result {
    let limits = Limits::default();
    let id = "1".repeat(40);
    for bad_name in [
        &b"refs/heads/\x1b[31mred"[..],
        b"refs/heads/a\x00b",
        b"refs/heads/tab\there",
        b"refs/heads/del\x7f",
        b"",
    ] {
        let line = [id.as_bytes(), b" ", bad_name, b"\n"].concat();
        let first = [id.as_bytes(), b" ", bad_name, b"\0side-band-64k\n"].concat();
        let v0_body = pkts(&[b"# service=git-upload-pack\n", b"0000", &first, b"0000"]);
        assert!(
            discovery::parse(
                Service::UploadPack,
                Some(Service::UploadPack.advertisement_content_type()),
                &v0_body,
                &limits
            )
            .is_err(),
            "v0 advertisement with {}",
            bad_name.escape_ascii()
        );
        assert!(
            v2::ls_refs::parse_response(&pkts(&[&line, b"0000"]), &limits).is_err(),
            "ls-refs with {}",
            bad_name.escape_ascii()
        );
        let symref = [id.as_bytes(), b" HEAD symref-target:", bad_name, b"\n"].concat();
        assert!(v2::ls_refs::parse_response(&pkts(&[&symref, b"0000"]), &limits).is_err());
        assert!(v2::fetch::parse_response(
            &pkts(&[b"wanted-refs\n", &line, b"0001", b"packfile\n", b"0000"]),
            &limits
        )
        .is_err());
    }
    Ok(())
}

#[test]
fn malformed_advertisements() -> Result {
    let limits = Limits::default();
    let id = "1".repeat(40);
    let zero = "0".repeat(40);
    let header: [&[u8]; 2] = [b"# service=git-upload-pack\n", b"0000"];
    let cases: Vec<Vec<Vec<u8>>> = vec![
        // The first ref without object id.
        vec![b"refs/heads/main\0side-band\n".to_vec()],
        // A short object id.
        vec![b"1234 refs/heads/main\0side-band\n".to_vec()],
        // capabilities^{} with a non-zero id.
        vec![format!("{id} capabilities^{{}}\0side-band\n").into_bytes()],
        // A peeled line without its ref.
        vec![
            format!("{id} HEAD\0side-band\n").into_bytes(),
            format!("{id} refs/tags/v1^{{}}\n").into_bytes(),
        ],
        // A peeled line twice.
        vec![
            format!("{id} refs/tags/v1\0side-band\n").into_bytes(),
            format!("{id} refs/tags/v1^{{}}\n").into_bytes(),
            format!("{id} refs/tags/v1^{{}}\n").into_bytes(),
        ],
        // A ref after shallow lines.
        vec![
            format!("{id} HEAD\0side-band\n").into_bytes(),
            format!("shallow {id}\n").into_bytes(),
            format!("{id} refs/heads/x\n").into_bytes(),
        ],
        vec![
            format!("{id} HEAD\0side-band\n").into_bytes(),
            b"shallow nope\n".to_vec(),
        ],
        // A control character in the capability list.
        vec![format!("{zero} capabilities^{{}}\0side-band \x1b[2J\n").into_bytes()],
        // Special packets where lines belong.
        vec![b"0001".to_vec()],
        vec![
            format!("{id} HEAD\0side-band\n").into_bytes(),
            b"0002".to_vec(),
        ],
    ];
    for lines in cases {
        let mut items: Vec<&[u8]> = header.to_vec();
        items.extend(lines.iter().map(Vec::as_slice));
        items.push(b"0000");
        let body = pkts(&items);
        assert!(
            discovery::parse(
                Service::UploadPack,
                Some(Service::UploadPack.advertisement_content_type()),
                &body,
                &limits
            )
            .is_err(),
            "{}",
            body.escape_ascii()
        );
    }
    for bad in [
        &b"fetch=\n"[..],
        b"=x\n",
        b"f\x01etch\n",
        b"agent=\x1b\n",
        b"sp ace\n",
    ] {
        let body = pkts(&[b"version 2\n", bad, b"0000"]);
        assert!(
            matches!(
                discovery::parse(
                    Service::UploadPack,
                    Some(Service::UploadPack.advertisement_content_type()),
                    &body,
                    &limits
                ),
                Err(discovery::Error::V2Capabilities(_))
            ),
            "{}",
            bad.escape_ascii()
        );
    }
    let after_end = [&pkts(&[b"version 2\n", b"fetch\n", b"0000"])[..], b"0000"].concat();
    assert_eq!(
        discovery::parse(
            Service::UploadPack,
            Some(Service::UploadPack.advertisement_content_type()),
            &after_end,
            &limits
        ),
        Err(discovery::Error::TrailingData)
    );
    Ok(())
}

#[test]
fn malformed_ls_refs_lines() -> Result {
    let limits = Limits::default();
    let id = "1".repeat(40);
    for line in [
        "unborn HEAD\n".to_owned(),
        format!("{id}\n"),
        format!("{id} HEAD peeled:xyz\n"),
        format!("{id} HEAD  symref-target:refs/heads/main\n"),
        "zzzz HEAD\n".to_owned(),
    ] {
        assert!(
            v2::ls_refs::parse_response(&pkts(&[line.as_bytes(), b"0000"]), &limits).is_err(),
            "{line:?}"
        );
    }
    assert!(matches!(
        v2::ls_refs::parse_response(&pkts(&[b"0001"]), &limits),
        Err(v2::ls_refs::Error::UnexpectedPacket { .. })
    ));
    assert!(
        v2::ls_refs::parse_response(&pkts(&[b"0000", b"0002"]), &limits).is_ok(),
        "a response-end packet may follow the flush"
    );
    let future = format!("{id} refs/heads/x some-future-attribute:1\n");
    assert_eq!(
        v2::ls_refs::parse_response(&pkts(&[future.as_bytes(), b"0000"]), &limits)?.len(),
        1,
        "unknown ref attributes are ignored"
    );
    Ok(())
}

/// A ref line for flood `n`.
fn flood_line(n: usize) -> Vec<u8> {
    format!("{:040x} refs/heads/flood-{n}\n", n + 1).into_bytes()
}

#[test]
fn a_million_ref_flood_is_stopped_by_the_default_limits() -> Result {
    let limits = Limits::default();
    let mut parser = discovery::Parser::new(
        Service::UploadPack,
        Some(Service::UploadPack.advertisement_content_type()),
        limits,
    )?;
    parser.feed(&pkts(&[b"# service=git-upload-pack\n", b"0000"]))?;
    parser.feed(&pkts(&[
        b"1111111111111111111111111111111111111111 HEAD\0side-band-64k\n",
    ]))?;
    let mut n_refs = 1;
    let mut chunk = Vec::new();
    let result = loop {
        if n_refs >= 1_000_000 {
            break Ok(());
        }
        chunk.clear();
        for _ in 0..1000 {
            packetline::encode::data(&flood_line(n_refs), &mut chunk)?;
            n_refs += 1;
        }
        if let Err(err) = parser.feed(&chunk) {
            break Err(err);
        }
    };
    assert_eq!(
        result,
        Err(discovery::Error::TooManyRefs {
            limit: limits.max_refs
        }),
        "stopped after {n_refs} refs"
    );
    assert!(
        n_refs <= limits.max_refs + 1000,
        "stopped at the limit, not at the end"
    );
    Ok(())
}

#[test]
fn floods_against_small_limits() -> Result {
    let limits = Limits {
        max_refs: 100,
        max_bytes: 1 << 20,
    };
    let many = |prefix: &[&[u8]], line: &dyn Fn(usize) -> Vec<u8>, suffix: &[&[u8]]| {
        let lines: Vec<Vec<u8>> = (0..1000).map(line).collect();
        let mut items: Vec<&[u8]> = prefix.to_vec();
        items.extend(lines.iter().map(Vec::as_slice));
        items.extend_from_slice(suffix);
        pkts(&items)
    };
    let ls_refs = many(&[], &flood_line, &[b"0000"]);
    assert_eq!(
        v2::ls_refs::parse_response(&ls_refs, &limits),
        Err(v2::ls_refs::Error::TooManyRefs { limit: 100 })
    );
    let shallow = many(
        &[b"shallow-info\n"],
        &|n| format!("shallow {:040x}\n", n + 1).into_bytes(),
        &[b"0001", b"packfile\n", b"0000"],
    );
    assert_eq!(
        v2::fetch::parse_response(&shallow, &limits),
        Err(v2::fetch::Error::TooManyLines { limit: 100 })
    );
    let acks = many(
        &[],
        &|n| format!("ACK {:040x} common\n", n + 1).into_bytes(),
        &[b"NAK\n"],
    );
    let options = v0::ResponseOptions {
        side_band: Some(sideband::Mode::SideBand64k),
        shallow_update: false,
        done: false,
    };
    assert_eq!(
        v0::parse_response(&acks, options, &limits),
        Err(v0::Error::TooManyLines { limit: 100 })
    );
    let report = many(
        &[b"unpack ok\n"],
        &|n| format!("ok refs/heads/r{n}\n").into_bytes(),
        &[b"0000"],
    );
    assert_eq!(
        push::parse_response(&report, push::ResponseOptions { side_band: false }, &limits),
        Err(push::Error::TooManyLines { limit: 100 })
    );
    let tiny_bytes = Limits {
        max_refs: 1_000_000,
        max_bytes: 4096,
    };
    assert_eq!(
        v2::ls_refs::parse_response(&ls_refs, &tiny_bytes),
        Err(v2::ls_refs::Error::TooLarge { limit: 4096 })
    );
    assert!(matches!(
        discovery::parse(
            Service::UploadPack,
            Some(Service::UploadPack.advertisement_content_type()),
            &ls_refs,
            &tiny_bytes
        ),
        Err(discovery::Error::TooLarge { limit: 4096 })
    ));
    assert_eq!(
        push::parse_response(
            &report,
            push::ResponseOptions { side_band: false },
            &tiny_bytes
        ),
        Err(push::Error::TooLarge { limit: 4096 })
    );
    Ok(())
}

#[test]
fn mutated_fixtures_never_panic() -> Result {
    // A small deterministic generator (xorshift) so failures reproduce.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let limits = Limits {
        max_refs: 1000,
        max_bytes: 1 << 20,
    };
    for (_, parser, body) in responses()? {
        for _ in 0..300 {
            let mut mutated = body.clone();
            let n_changes = 1 + next() % 4;
            for _ in 0..n_changes {
                let len = mutated.len().max(1);
                let at = (next() as usize) % len;
                match next() % 4 {
                    0 if !mutated.is_empty() => mutated[at] ^= 1 << (next() % 8),
                    1 if !mutated.is_empty() => mutated[at] = next() as u8,
                    2 => mutated.insert(at.min(mutated.len()), next() as u8),
                    _ if !mutated.is_empty() => {
                        mutated.remove(at);
                    }
                    _ => {}
                }
            }
            // Ok or Err are both fine; the point is that nothing panics.
            let _ = parse(parser, &mutated, &limits);
        }
    }
    Ok(())
}

#[test]
fn decoding_packets_of_every_length_near_the_bounds() -> Result {
    for length in [4, 5, 65519, 65520] {
        let mut body = format!("{length:04x}").into_bytes();
        body.resize(length, b'x');
        let mut decoder = Decoder::new();
        decoder.feed(&body);
        let packet = decoder.next_packet()?.ok_or("a whole packet")?;
        assert_eq!(packet.as_data().map(<[u8]>::len), Some(length - 4));
        assert!(matches!(packet, PacketRef::Data(_)));
    }
    Ok(())
}

/// v0 without side-band: an `ERR` packet where the pack would start is the server's error
/// however the body is cut, and a real pack cut anywhere is still the pack (found by the
/// `fetch_response` fuzz target: an `ERR` packet split across chunks became pack bytes).
#[test]
fn an_unframed_pack_position_reads_the_same_in_any_chunks() -> Result {
    let options = v0::ResponseOptions {
        side_band: None,
        shallow_update: false,
        done: true,
    };
    let run = |body: &[u8], cut: usize| -> std::result::Result<(Vec<u8>, End), String> {
        let mut parser = v0::ResponseParser::new(options, Limits::default());
        let mut pack = Vec::new();
        for chunk in [&body[..cut], &body[cut..]] {
            parser.feed(chunk);
            while let Some(event) = parser.next_event().map_err(|e| e.to_string())? {
                if let tabgit_protocol::fetch::Event::PackData(bytes) = event {
                    pack.extend_from_slice(bytes);
                }
            }
        }
        Ok((pack, parser.finish().map_err(|e| e.to_string())?))
    };
    let mut err_body = pkts(&[b"NAK\n", b"ERR upload-pack: not our ref\n"]);
    err_body.extend_from_slice(b"trailing junk");
    let mut pack_body = pkts(&[b"NAK\n"]);
    pack_body.extend_from_slice(b"PACK\0\0\0\x02\0\0\0\0 and the rest");
    for cut in 0..=err_body.len() {
        assert_eq!(
            run(&err_body, cut),
            Err("the server reported an error: upload-pack: not our ref".to_owned()),
            "ERR cut at {cut}"
        );
    }
    for cut in 0..=pack_body.len() {
        assert_eq!(
            run(&pack_body, cut),
            Ok((pack_body[8..].to_vec(), End::PackReceived)),
            "pack cut at {cut}"
        );
    }
    Ok(())
}
