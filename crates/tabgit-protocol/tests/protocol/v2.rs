//! Protocol v2 `ls-refs` and `fetch`: git's requests reproduced, git's responses parsed.

use tabgit_protocol::{
    fetch::{Acknowledgment, Arguments, End, Event, ShallowUpdate},
    v2::{self, fetch::ResponseParser, ls_refs, Context},
    Limits, Ref,
};

use crate::{oid, Result};

const TINY_MAIN: &str = "61bed7b336ca44f56ad9453f7f8a553b5d4d60a5";
const DEMO_MAIN: &str = "83fc8f80459a3cdf224d7aba3d43765d256f98a3";

/// The capabilities git's request in `name` sent (`agent=`, `object-format=`), as a context.
fn context_of(name: &str) -> Result<Context> {
    let (lines, _) = crate::request_lines(&crate::fixture(name)?)?;
    let value = |key: &str| {
        lines
            .iter()
            .find_map(|line| line.strip_prefix(key.as_bytes()))
            .map(|value| String::from_utf8_lossy(value).into_owned())
    };
    Ok(Context {
        agent: value("agent="),
        object_format: value("object-format="),
        server_options: Vec::new(),
    })
}

fn server_capabilities() -> Result<v2::Capabilities> {
    match crate::discovery_v2()? {
        Some(capabilities) => Ok(capabilities),
        None => Err("v2/info-refs is a v2 advertisement".into()),
    }
}

/// Assert that `ours` has the same pkt-lines as git's request `name`, up to a trailing LF.
fn assert_same_lines(ours: &[u8], name: &str) -> Result {
    let (git_lines, git_rest) = crate::request_lines(&crate::fixture(name)?)?;
    let (our_lines, our_rest) = crate::request_lines(ours)?;
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
    assert_eq!(our_rest, git_rest, "{name} has nothing after its pkt-lines");
    Ok(())
}

#[test]
fn ls_refs_request_for_clone_matches_git() -> Result {
    let server = server_capabilities()?;
    let options = ls_refs::Options::for_clone(&server);
    assert!(options.unborn, "the server offers ls-refs=unborn");
    let ours = ls_refs::request(&context_of("v2/ls-refs.request")?, &options)?;
    assert_same_lines(&ours, "v2/ls-refs.request")?;
    assert!(
        ours.starts_with(b"0014command=ls-refs\n"),
        "{}",
        ours.escape_ascii()
    );
    Ok(())
}

#[test]
fn ls_refs_responses() -> Result {
    let refs =
        ls_refs::parse_response(&crate::fixture("v2/ls-refs.response")?, &Limits::default())?;
    assert_eq!(refs.len(), 8);
    assert_eq!(
        refs[0],
        Ref {
            name: b"HEAD".to_vec(),
            object_id: Some(oid(DEMO_MAIN)),
            peeled_id: None,
            symref_target: Some(b"refs/heads/main".to_vec()),
        }
    );
    assert_eq!(
        refs[7],
        Ref {
            name: b"refs/tags/v1.0".to_vec(),
            object_id: Some(oid("72b7bba7892e5603956a26fef6bb815e5a8044e9")),
            peeled_id: Some(oid("3a2570c1d60fdc362784635a5c565e003e9d0ae0")),
            symref_target: None,
        }
    );

    let empty = ls_refs::parse_response(
        &crate::fixture("v2/ls-refs-empty.response")?,
        &Limits::default(),
    )?;
    assert_eq!(
        empty,
        vec![Ref {
            name: b"HEAD".to_vec(),
            object_id: None,
            peeled_id: None,
            symref_target: Some(b"refs/heads/main".to_vec()),
        }],
        "an empty repository has an unborn HEAD"
    );
    assert!(empty[0].is_unborn());

    let tiny = crate::fixture("v2/ls-refs-tiny.response")?;
    let mut parser = ls_refs::ResponseParser::new(Limits::default());
    for chunk in crate::chunks(&tiny, 1) {
        parser.feed(chunk)?;
    }
    assert_eq!(parser.finish()?.len(), 2, "HEAD and main, fed byte by byte");
    Ok(())
}

#[test]
fn ls_refs_options_without_prefixes_or_peel() -> Result {
    let context = Context {
        agent: Some("tabgit/0.1.0".to_owned()),
        object_format: None,
        server_options: vec!["debug=1".to_owned()],
    };
    let options = ls_refs::Options {
        symrefs: false,
        peel: false,
        unborn: false,
        ref_prefixes: Vec::new(),
    };
    let (lines, _) = crate::request_lines(&ls_refs::request(&context, &options)?)?;
    assert_eq!(
        lines,
        [
            &b"command=ls-refs"[..],
            b"agent=tabgit/0.1.0",
            b"server-option=debug=1",
            b"0001",
            b"0000"
        ]
    );
    assert!(matches!(
        ls_refs::request(
            &context,
            &ls_refs::Options {
                ref_prefixes: vec![b"refs/\nheads".to_vec()],
                ..ls_refs::Options::default()
            }
        ),
        Err(ls_refs::Error::InvalidPrefix { .. })
    ));
    let bad_agent = Context {
        agent: Some("tab git".to_owned()),
        ..Context::default()
    };
    assert!(matches!(
        ls_refs::request(&bad_agent, &ls_refs::Options::default()),
        Err(ls_refs::Error::Context(v2::Error::InvalidValue {
            what: "agent",
            ..
        }))
    ));
    Ok(())
}

/// The arguments git sent for each captured fetch.
fn git_fetch_arguments(name: &str) -> Result<Arguments> {
    let mut arguments = Arguments {
        include_tag: false,
        no_progress: true,
        done: true,
        ..Arguments::default()
    };
    match name {
        "v2/fetch-clone" => arguments.wants = vec![oid(TINY_MAIN), oid(TINY_MAIN)],
        "v2/fetch-filter-blob-none" => {
            arguments.wants = vec![oid(TINY_MAIN), oid(TINY_MAIN)];
            arguments.filter = Some("blob:none".to_owned());
        }
        "v2/fetch-deepen-1" => {
            arguments.wants = vec![oid(DEMO_MAIN), oid(DEMO_MAIN)];
            arguments.include_tag = true;
            arguments.deepen = Some(1);
        }
        "v2/fetch-clone-demo" => {
            arguments.no_progress = false;
            arguments.wants = [
                DEMO_MAIN,
                "5fe39e3bcb382c5d914dd2be7e49ddeb927aa9e5",
                "d38d687ee565fc3ed76ad702bc15b90fd1c49e8e",
                "25cdb6f097cf0a8841f12c0fb655932e8631eeb6",
                DEMO_MAIN,
                "2f786989b88d493f00c6d7c32b069d47aafbb4a1",
                "e3c2273fee5eb51b45ae42c715e313fefaf235d8",
                "72b7bba7892e5603956a26fef6bb815e5a8044e9",
            ]
            .into_iter()
            .map(oid)
            .collect();
        }
        "v2/fetch-incremental" => {
            arguments.include_tag = true;
            arguments.done = false;
            arguments.wants = vec![oid("1ba49c9a190c9b2b2acc1134e8f861bb17e0f112")];
            arguments.haves = [
                TINY_MAIN,
                "4cc03ad0ee7083d6bb081a765ca2d02e801dcea2",
                "04e797544ba37c0db3c6b0efa9ca2467d5aa1733",
            ]
            .into_iter()
            .map(oid)
            .collect();
        }
        other => return Err(format!("no arguments known for {other}").into()),
    }
    Ok(arguments)
}

#[test]
fn fetch_requests_match_git() -> Result {
    let server = server_capabilities()?;
    let names = crate::fixture_names("v2", ".request")?;
    let mut n_checked = 0;
    for name in names.iter().filter(|name| name.contains("/fetch-")) {
        let stem = name.trim_end_matches(".request");
        let arguments = git_fetch_arguments(stem)?;
        v2::fetch::check_arguments(&server, &arguments)?;
        let ours = v2::fetch::request(&context_of(name)?, &arguments)?;
        assert_same_lines(&ours, name)?;
        n_checked += 1;
    }
    assert_eq!(n_checked, 5, "every captured fetch request is reproduced");
    Ok(())
}

#[test]
fn fetch_request_with_every_argument() -> Result {
    let arguments = Arguments {
        wants: vec![oid(TINY_MAIN)],
        want_refs: vec![b"refs/heads/main".to_vec()],
        haves: vec![oid(DEMO_MAIN)],
        done: true,
        thin_pack: true,
        ofs_delta: true,
        include_tag: true,
        no_progress: true,
        shallow: vec![oid(DEMO_MAIN)],
        deepen: None,
        deepen_since: Some(1_600_000_000),
        deepen_not: vec![b"v1.0".to_vec()],
        deepen_relative: true,
        filter: Some("blob:limit=1024".to_owned()),
    };
    let body = v2::fetch::request(&Context::default(), &arguments)?;
    let (lines, _) = crate::request_lines(&body)?;
    let text: Vec<_> = lines
        .iter()
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect();
    assert_eq!(
        text,
        [
            "command=fetch".to_owned(),
            "0001".to_owned(),
            "thin-pack".to_owned(),
            "no-progress".to_owned(),
            "include-tag".to_owned(),
            "ofs-delta".to_owned(),
            format!("shallow {DEMO_MAIN}"),
            "deepen-since 1600000000".to_owned(),
            "deepen-not v1.0".to_owned(),
            "deepen-relative".to_owned(),
            "filter blob:limit=1024".to_owned(),
            format!("want {TINY_MAIN}"),
            "want-ref refs/heads/main".to_owned(),
            format!("have {DEMO_MAIN}"),
            "done".to_owned(),
            "0000".to_owned(),
        ]
    );
    let server = server_capabilities()?;
    assert!(
        matches!(
            v2::fetch::check_arguments(&server, &arguments),
            Err(tabgit_protocol::fetch::Error::FeatureNotSupported { .. })
        ),
        "git http-backend does not offer ref-in-want by default"
    );
    Ok(())
}

#[test]
fn fetch_arguments_that_break_protocol_rules() -> Result {
    use tabgit_protocol::fetch::Error;
    let context = Context::default();
    let want = |arguments: Arguments| Arguments {
        wants: vec![oid(TINY_MAIN)],
        ..arguments
    };
    let cases = [
        (Arguments::default(), Error::NoWants),
        (
            want(Arguments {
                deepen: Some(0),
                ..Arguments::default()
            }),
            Error::ZeroDepth,
        ),
        (
            want(Arguments {
                deepen: Some(1),
                deepen_since: Some(5),
                ..Arguments::default()
            }),
            Error::ConflictingDeepen,
        ),
        (
            want(Arguments {
                deepen: Some(1),
                deepen_not: vec![b"main".to_vec()],
                ..Arguments::default()
            }),
            Error::ConflictingDeepen,
        ),
        (
            want(Arguments {
                filter: Some("blob:none\nwant 00".to_owned()),
                ..Arguments::default()
            }),
            Error::InvalidFilter {
                spec: "blob:none\\nwant 00".to_owned(),
            },
        ),
        (
            want(Arguments {
                deepen_not: vec![b"a b".to_vec()],
                ..Arguments::default()
            }),
            Error::InvalidName {
                what: "deepen-not",
                value: "a b".to_owned(),
            },
        ),
    ];
    for (arguments, expected) in cases {
        assert_eq!(
            v2::fetch::request(&context, &arguments),
            Err(v2::fetch::Error::Arguments(expected.clone())),
            "{expected}"
        );
    }
    Ok(())
}

#[test]
fn fetch_responses() -> Result {
    let limits = Limits::default();
    let clone = v2::fetch::parse_response(&crate::fixture("v2/fetch-clone.response")?, &limits)?;
    assert_eq!(clone.end, End::PackReceived);
    assert!(
        crate::is_complete_pack(&clone.pack),
        "the pack's trailer matches"
    );
    assert_eq!(
        crate::pack_object_count(&clone.pack),
        Some(11),
        "tiny has 3 commits, 4 trees and 4 blobs"
    );
    assert!(
        clone.acknowledgments.is_empty(),
        "`done` means no acknowledgments section"
    );
    assert!(clone.progress.is_empty(), "no-progress");

    let demo =
        v2::fetch::parse_response(&crate::fixture("v2/fetch-clone-demo.response")?, &limits)?;
    assert!(crate::is_complete_pack(&demo.pack));
    assert_eq!(crate::pack_object_count(&demo.pack), Some(93));
    assert!(
        demo.progress
            .iter()
            .any(|text| text.starts_with("Enumerating objects: 93")),
        "progress: {:?}",
        demo.progress
    );

    let shallow =
        v2::fetch::parse_response(&crate::fixture("v2/fetch-deepen-1.response")?, &limits)?;
    assert_eq!(
        shallow.shallow_updates,
        vec![ShallowUpdate::Shallow(oid(DEMO_MAIN))],
        "depth 1 makes the tip shallow"
    );
    assert!(crate::is_complete_pack(&shallow.pack));

    let partial = v2::fetch::parse_response(
        &crate::fixture("v2/fetch-filter-blob-none.response")?,
        &limits,
    )?;
    assert!(crate::is_complete_pack(&partial.pack));
    assert_eq!(
        crate::pack_object_count(&partial.pack),
        Some(7),
        "blob:none leaves out the 4 blobs"
    );

    let incremental =
        v2::fetch::parse_response(&crate::fixture("v2/fetch-incremental.response")?, &limits)?;
    assert_eq!(
        incremental.acknowledgments,
        vec![
            Acknowledgment::Ack {
                object_id: oid(TINY_MAIN),
                status: None
            },
            Acknowledgment::Ready
        ]
    );
    assert!(crate::is_complete_pack(&incremental.pack));
    assert_eq!(
        crate::pack_object_count(&incremental.pack),
        Some(3),
        "only the new commit, its tree and its blob"
    );
    Ok(())
}

#[test]
fn fetch_responses_stream_in_any_chunking() -> Result {
    for name in crate::fixture_names("v2", ".response")?
        .into_iter()
        .filter(|name| name.contains("/fetch-"))
    {
        let body = crate::fixture(&name)?;
        let whole = v2::fetch::parse_response(&body, &Limits::default())?;
        for size in [1, 2, 5, 64, 1000, 65536] {
            let mut parser = ResponseParser::new(Limits::default());
            let mut pack = Vec::new();
            let mut n_events = 0;
            for chunk in crate::chunks(&body, size) {
                parser.feed(chunk);
                while let Some(event) = parser.next_event()? {
                    n_events += 1;
                    if let Event::PackData(data) = event {
                        pack.extend_from_slice(data);
                    }
                }
            }
            assert_eq!(parser.finish()?, End::PackReceived, "{name}");
            assert_eq!(pack, whole.pack, "{name} in chunks of {size}");
            assert!(n_events > 0);
        }
    }
    Ok(())
}

#[test]
fn pack_data_comes_out_before_the_response_is_complete() -> Result {
    let body = crate::fixture("v2/fetch-clone-demo.response")?;
    let whole = v2::fetch::parse_response(&body, &Limits::default())?;
    let mut parser = ResponseParser::new(Limits::default());
    // Everything but the final flush: every pack byte is out before the response ends.
    parser.feed(&body[..body.len() - 4]);
    let mut pack = Vec::new();
    while let Some(event) = parser.next_event()? {
        if let Event::PackData(data) = event {
            pack.extend_from_slice(data);
        }
    }
    assert!(parser.in_pack());
    assert_eq!(
        pack, whole.pack,
        "each side-band packet is handed out as it completes"
    );
    assert_eq!(parser.finish(), Err(v2::fetch::Error::Truncated));
    parser.feed(&body[body.len() - 4..]);
    assert_eq!(parser.next_event()?, None);
    assert_eq!(parser.finish()?, End::PackReceived);
    Ok(())
}

#[test]
fn negotiation_round_without_a_pack() -> Result {
    let body = crate::pkts(&[
        b"acknowledgments\n",
        format!("ACK {TINY_MAIN}\n").as_bytes(),
        b"0000",
    ]);
    let response = v2::fetch::parse_response(&body, &Limits::default())?;
    assert_eq!(response.end, End::NegotiationContinues);
    assert_eq!(response.acknowledgments.len(), 1);
    let nak = crate::pkts(&[b"acknowledgments\n", b"NAK\n", b"0000"]);
    assert_eq!(
        v2::fetch::parse_response(&nak, &Limits::default())?.acknowledgments,
        vec![Acknowledgment::Nak]
    );
    Ok(())
}

#[test]
fn wanted_refs_section() -> Result {
    let body = crate::pkts(&[
        b"wanted-refs\n",
        format!("{TINY_MAIN} refs/heads/main\n").as_bytes(),
        b"0001",
        b"packfile\n",
        b"\x01PACK",
        b"0000",
    ]);
    let response = v2::fetch::parse_response(&body, &Limits::default())?;
    assert_eq!(response.wanted_refs.len(), 1);
    assert_eq!(response.wanted_refs[0].name, b"refs/heads/main");
    assert_eq!(response.wanted_refs[0].object_id, Some(oid(TINY_MAIN)));
    assert_eq!(response.pack, b"PACK");
    Ok(())
}

#[test]
fn context_follows_what_the_server_advertised() -> Result {
    let server = server_capabilities()?;
    let context = Context::new(&server, "tabgit/9");
    assert_eq!(context.agent.as_deref(), Some("tabgit/9"));
    assert_eq!(context.object_format.as_deref(), Some("sha1"));
    let silent = Context::new(&v2::Capabilities::default(), "tabgit/9");
    assert_eq!(silent.agent, None, "no agent unless the server sent one");
    assert_eq!(silent.object_format, None);
    Ok(())
}
