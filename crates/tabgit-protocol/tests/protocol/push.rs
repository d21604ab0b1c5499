//! Push: git's receive-pack requests reproduced, its reports parsed.

use tabgit_protocol::{
    push::{
        self, Command, Options, RefOutcome, RefRewrite, Rejection, Report, ResponseOptions,
        UnpackStatus,
    },
    Capabilities, Limits, ObjectId,
};

use crate::{oid, Result};

const BEFORE: &str = "4ebce23b044a9ddfa16090b488584715d413c19b";
const PUSHED: &str = "17d1b9acf0ab74404812407e131b6081bf6b3557";
const REJECTED: &str = "34e226b3e6299039ee699749bee980bd0bd5bb33";

fn server() -> Result<Capabilities> {
    Ok(crate::discovery_v0("v0/info-refs-receive-pack")?.capabilities)
}

fn git_agent() -> Result<String> {
    let capabilities = crate::discovery_v0("v0/info-refs-receive-pack")?.capabilities;
    // git sends its own version, which is the server's here.
    let agent = capabilities
        .value("agent")
        .ok_or("the server sends agent")?;
    Ok(String::from_utf8(agent.to_vec())?)
}

fn command(old: &str, new: &str, name: &str) -> Command {
    let id = |hex: &str| {
        if hex.is_empty() {
            ObjectId::NULL
        } else {
            oid(hex)
        }
    };
    Command {
        old_id: id(old),
        new_id: id(new),
        name: name.as_bytes().to_vec(),
    }
}

/// Check that our request with git's agent is byte for byte git's, and that git's pack follows.
fn assert_reproduces(name: &str, commands: &[Command], options: &Options) -> Result<push::Request> {
    let git = crate::fixture(name)?;
    let request = push::request(&server()?, commands, options)?;
    let (head, pack) = git.split_at(request.body.len().min(git.len()));
    assert_eq!(
        head.escape_ascii().to_string(),
        request.body.escape_ascii().to_string(),
        "{name}: the command list is git's"
    );
    if request.pack_follows {
        assert!(crate::is_complete_pack(pack), "{name}: git's pack follows");
    } else {
        assert!(pack.is_empty(), "{name}: a delete-only push has no pack");
    }
    Ok(request)
}

#[test]
fn push_requests_are_byte_for_byte_gits() -> Result {
    let options = Options {
        agent: git_agent()?,
        ..Options::default()
    };
    let ok = assert_reproduces(
        "v0/receive-pack-ok.request",
        &[
            command(BEFORE, PUSHED, "refs/heads/main"),
            command("", PUSHED, "refs/heads/side"),
        ],
        &options,
    )?;
    assert_eq!(
        ok.capabilities.join(" "),
        format!(
            "report-status-v2 side-band-64k object-format=sha1 agent={}",
            git_agent()?
        )
    );
    assert_eq!(ok.response, ResponseOptions { side_band: true });

    let quiet = Options {
        quiet: true,
        ..options
    };
    assert_reproduces(
        "v0/receive-pack-rejected.request",
        &[command(PUSHED, REJECTED, "refs/heads/main")],
        &quiet,
    )?;
    let delete = assert_reproduces(
        "v0/receive-pack-delete.request",
        &[command(PUSHED, "", "refs/heads/side")],
        &quiet,
    )?;
    assert!(!delete.pack_follows);
    Ok(())
}

#[test]
fn reports() -> Result {
    let limits = Limits::default();
    let options = ResponseOptions { side_band: true };
    let (ok, messages) = push::parse_response(
        &crate::fixture("v0/receive-pack-ok.response")?,
        options,
        &limits,
    )?;
    assert!(messages.is_empty());
    assert_eq!(
        ok,
        Report {
            unpack: UnpackStatus::Ok,
            refs: vec![
                push::RefStatus {
                    name: b"refs/heads/main".to_vec(),
                    outcome: RefOutcome::Ok,
                    rewrite: None
                },
                push::RefStatus {
                    name: b"refs/heads/side".to_vec(),
                    outcome: RefOutcome::Ok,
                    rewrite: None
                },
            ]
        }
    );
    assert!(ok.is_success());

    let (rejected, messages) = push::parse_response(
        &crate::fixture("v0/receive-pack-rejected.response")?,
        options,
        &limits,
    )?;
    assert_eq!(
        messages,
        vec!["error: denying non-fast-forward refs/heads/main (you should pull first)\n"],
        "the server's message arrives on band 2"
    );
    assert!(!rejected.is_success());
    let status = rejected
        .status(b"refs/heads/main")
        .ok_or("main is reported")?;
    assert_eq!(
        status.outcome,
        RefOutcome::Rejected {
            reason: "non-fast-forward".to_owned()
        }
    );
    assert_eq!(status.outcome.rejection(), Some(Rejection::NonFastForward));
    assert_eq!(
        Rejection::NonFastForward.message(),
        "rejected: the remote has commits you don't have; fetch and merge, then push"
    );

    let (deleted, _) = push::parse_response(
        &crate::fixture("v0/receive-pack-delete.response")?,
        options,
        &limits,
    )?;
    assert!(deleted.is_success());
    assert_eq!(deleted.refs[0].name, b"refs/heads/side");
    Ok(())
}

#[test]
fn reports_stream_in_any_chunking() -> Result {
    for name in crate::fixture_names("v0", ".response")?
        .into_iter()
        .filter(|name| name.contains("receive-pack-"))
    {
        let body = crate::fixture(&name)?;
        let options = ResponseOptions { side_band: true };
        let (whole, _) = push::parse_response(&body, options, &Limits::default())?;
        for size in [1, 2, 9] {
            let mut parser = push::ResponseParser::new(options, Limits::default());
            for chunk in crate::chunks(&body, size) {
                parser.feed(chunk)?;
            }
            assert_eq!(parser.finish()?, whole, "{name} in chunks of {size}");
        }
    }
    Ok(())
}

#[test]
fn report_status_v2_options_and_plain_reports() -> Result {
    let body = crate::pkts(&[
        b"unpack ok\n",
        b"ok refs/for/main\n",
        b"option refname refs/changes/01/1/1\n",
        format!("option old-oid {BEFORE}\n").as_bytes(),
        format!("option new-oid {PUSHED}\n").as_bytes(),
        b"option forced-update\n",
        b"ng refs/heads/x pre-receive hook declined\n",
        b"ng refs/heads/y\n",
        b"0000",
    ]);
    let (report, _) = push::parse_response(
        &body,
        ResponseOptions { side_band: false },
        &Limits::default(),
    )?;
    assert_eq!(
        report.refs[0].rewrite,
        Some(RefRewrite {
            refname: Some(b"refs/changes/01/1/1".to_vec()),
            old_id: Some(oid(BEFORE)),
            new_id: Some(oid(PUSHED)),
            forced_update: true,
        })
    );
    assert_eq!(
        report.refs[1].outcome.rejection(),
        Some(Rejection::HookDeclined)
    );
    assert_eq!(
        report.refs[2].outcome,
        RefOutcome::Rejected {
            reason: String::new()
        },
        "git accepts `ng <ref>` without a reason"
    );
    let failed = crate::pkts(&[
        b"unpack index-pack abnormal exit\n",
        b"ng refs/heads/main unpacker error\n",
        b"0000",
    ]);
    let (report, _) = push::parse_response(
        &failed,
        ResponseOptions { side_band: false },
        &Limits::default(),
    )?;
    assert_eq!(
        report.unpack,
        UnpackStatus::Failed {
            reason: "index-pack abnormal exit".to_owned()
        }
    );
    assert_eq!(
        report.refs[0].outcome.rejection(),
        Some(Rejection::UnpackerError)
    );
    Ok(())
}

#[test]
fn rejection_reasons_are_classified() -> Result {
    for (reason, expected) in [
        ("non-fast-forward", Rejection::NonFastForward),
        ("fetch first", Rejection::FetchFirst),
        ("stale info", Rejection::Stale),
        ("failed to update ref", Rejection::Stale),
        (
            "cannot lock ref 'refs/heads/main': is at 1111 but expected 2222",
            Rejection::Stale,
        ),
        ("hook declined", Rejection::HookDeclined),
        ("pre-receive hook declined", Rejection::HookDeclined),
        ("funny refname", Rejection::FunnyRefname),
        ("deletion prohibited", Rejection::DeletionProhibited),
        (
            "deletion of the current branch prohibited",
            Rejection::DeletionProhibited,
        ),
        ("branch is currently checked out", Rejection::CurrentBranch),
        ("deny updating a hidden ref", Rejection::HiddenRef),
        ("missing necessary objects", Rejection::MissingObjects),
        ("shallow update not allowed", Rejection::ShallowUpdate),
        ("atomic push failure", Rejection::AtomicPushFailed),
        ("atomic transaction failed", Rejection::AtomicPushFailed),
        ("unpacker error", Rejection::UnpackerError),
        ("n/a (unpacker error)", Rejection::UnpackerError),
        ("the moon is in the wrong phase", Rejection::Other),
    ] {
        assert_eq!(Rejection::classify(reason), expected, "{reason}");
        assert!(!expected.message().is_empty());
    }
    Ok(())
}

#[test]
fn requests_refuse_what_the_server_cannot_do() -> Result {
    let plain = Capabilities::from_bytes(b"report-status ofs-delta")?;
    let update = [command(BEFORE, PUSHED, "refs/heads/main")];
    let request = push::request(&plain, &update, &Options::default())?;
    assert_eq!(
        request.capabilities,
        ["report-status"],
        "no side-band, quiet or agent unless offered"
    );
    assert_eq!(request.response, ResponseOptions { side_band: false });
    let err = |result: std::result::Result<push::Request, push::Error>| match result {
        Err(push::Error::FeatureNotSupported { feature }) => Ok(feature),
        other => Err(format!("expected an unsupported feature, got {other:?}")),
    };
    assert!(err(push::request(
        &plain,
        &[command(BEFORE, "", "refs/heads/main")],
        &Options::default()
    ))?
    .starts_with("`delete-refs`"));
    assert!(err(push::request(
        &plain,
        &update,
        &Options {
            atomic: true,
            ..Options::default()
        }
    ))?
    .starts_with("`atomic`"));
    assert!(err(push::request(
        &plain,
        &update,
        &Options {
            push_options: vec!["ci.skip".to_owned()],
            ..Options::default()
        }
    ))?
    .starts_with("`push-options`"));
    assert!(err(push::request(
        &Capabilities::from_bytes(b"ofs-delta")?,
        &update,
        &Options::default()
    ))?
    .starts_with("`report-status`"));
    assert_eq!(
        push::request(&plain, &[], &Options::default()),
        Err(push::Error::NoCommands)
    );
    assert!(matches!(
        push::request(
            &plain,
            &[command("", "", "refs/heads/x")],
            &Options::default()
        ),
        Err(push::Error::NoOpCommand { .. })
    ));
    assert!(matches!(
        push::request(
            &plain,
            &[command(BEFORE, PUSHED, "refs/heads/a b")],
            &Options::default()
        ),
        Err(push::Error::InvalidRefName { .. })
    ));
    Ok(())
}

#[test]
fn atomic_push_with_options() -> Result {
    let server = Capabilities::from_bytes(
        b"report-status delete-refs side-band-64k quiet atomic push-options agent=git/2",
    )?;
    let request = push::request(
        &server,
        &[
            command(BEFORE, PUSHED, "refs/heads/main"),
            command(PUSHED, "", "refs/heads/old"),
        ],
        &Options {
            atomic: true,
            quiet: true,
            push_options: vec!["ci.skip".to_owned(), "merge_request.create".to_owned()],
            agent: "tabgit/1".to_owned(),
            ..Options::default()
        },
    )?;
    let (lines, rest) = crate::request_lines(&request.body)?;
    assert!(rest.is_empty());
    let text: Vec<_> = lines
        .iter()
        .map(|line| line.escape_ascii().to_string())
        .collect();
    assert_eq!(
        text,
        [
            format!(
                "{BEFORE} {PUSHED} refs/heads/main\\x00 report-status side-band-64k quiet atomic push-options agent=tabgit/1"
            ),
            format!("{PUSHED} 0000000000000000000000000000000000000000 refs/heads/old"),
            "0000".to_owned(),
            "ci.skip".to_owned(),
            "merge_request.create".to_owned(),
            "0000".to_owned(),
        ]
    );
    assert!(request.pack_follows, "an update needs a pack");
    Ok(())
}
