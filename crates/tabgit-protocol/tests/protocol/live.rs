//! The request builders against the real `git http-backend` (the local git server on
//! 127.0.0.1), and the server's fault knobs against the parsers' typed errors
//! (RELIABILITY.md faults N4, N5, N6, N8, N9, N14, P1, P5).
//!
//! A minimal blocking HTTP/1.1 client stands in for the transport crate.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    path::Path,
};

use tabgit_gitserver::{Config, Faults, Running};
use tabgit_protocol::{
    discovery::{self, Advertisement, Service},
    fetch::{Arguments, End, ShallowUpdate},
    packetline::RemoteErrorOrigin,
    push, v0, v2, Limits, ObjectId,
};
use tabgit_testtools::{git, TempDir};

use crate::Result;

/// A server over copies of the `tiny` and `demo` fixtures.
struct Server {
    running: Running,
    root: std::path::PathBuf,
    _dir: TempDir,
}

fn serve() -> Result<Server> {
    let dir = tabgit_testtools::tempdir()?;
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root)?;
    for name in ["tiny", "demo"] {
        let source = tabgit_testtools::fixture(name)?;
        git(
            dir.path(),
            &[
                "clone",
                "-q",
                "--bare",
                &source.to_string_lossy(),
                &format!("root/{name}.git"),
            ],
        )?;
    }
    let mut config = Config::new(&root);
    config.log = false;
    Ok(Server {
        running: tabgit_gitserver::start(config)?,
        root,
        _dir: dir,
    })
}

struct Response {
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// One HTTP request to `base` + `path`; reads the whole response, or what arrived of it.
fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Response> {
    let authority_and_prefix = base.strip_prefix("http://").ok_or("http URLs only")?;
    let (authority, prefix) = authority_and_prefix.split_once('/').map_or(
        (authority_and_prefix, String::new()),
        |(authority, prefix)| (authority, format!("/{prefix}")),
    );
    let mut stream = TcpStream::connect(authority)?;
    let mut head =
        format!("{method} {prefix}{path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (key, value) in headers {
        head.push_str(&format!("{key}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line)?;
    let status: u16 = status_line.split(' ').nth(1).ok_or("status")?.parse()?;
    let mut content_type = None;
    let mut chunked = false;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (key, value) = line.split_once(':').ok_or("header")?;
        if key.eq_ignore_ascii_case("content-type") {
            content_type = Some(value.trim().to_owned());
        }
        if key.eq_ignore_ascii_case("transfer-encoding") && value.trim() == "chunked" {
            chunked = true;
        }
    }
    let mut raw = Vec::new();
    // A cut connection is what some tests want to see: keep what arrived.
    let _ = reader.read_to_end(&mut raw);
    let body = if chunked { dechunk(&raw) } else { raw };
    Ok(Response {
        status,
        content_type,
        body,
    })
}

/// The data of a chunked body, as far as it is well-formed.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let Some(end) = raw.windows(2).position(|pair| pair == b"\r\n") else {
            return body;
        };
        let size = std::str::from_utf8(&raw[..end])
            .ok()
            .and_then(|text| usize::from_str_radix(text.split(';').next().unwrap_or(""), 16).ok());
        let Some(size) = size.filter(|&size| size > 0) else {
            return body;
        };
        let data = &raw[end + 2..];
        body.extend_from_slice(&data[..size.min(data.len())]);
        if data.len() < size + 2 {
            return body;
        }
        raw = &data[size + 2..];
    }
}

fn discover(
    base: &str,
    service: Service,
    v2: bool,
) -> Result<std::result::Result<Advertisement, discovery::Error>> {
    let headers: &[(&str, &str)] = if v2 {
        &[("Git-Protocol", "version=2")]
    } else {
        &[]
    };
    let response = http(
        base,
        "GET",
        &format!("/{}", service.info_refs_path()),
        headers,
        b"",
    )?;
    assert_eq!(response.status, 200);
    Ok(discovery::parse(
        service,
        response.content_type.as_deref(),
        &response.body,
        &Limits::default(),
    ))
}

fn post(base: &str, service: Service, v2: bool, body: &[u8]) -> Result<Response> {
    let mut headers = vec![("Content-Type", service.request_content_type())];
    if v2 {
        headers.push(("Git-Protocol", "version=2"));
    }
    let endpoint = format!("/{}", service.name());
    let response = http(base, "POST", &endpoint, &headers, body)?;
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(
        response.content_type.as_deref(),
        Some(service.result_content_type())
    );
    Ok(response)
}

/// Index `pack` with native git in a new repository and return the object count git saw.
fn git_index_pack(pack: &[u8], dir: &Path) -> Result<usize> {
    git(dir, &["init", "-q", "--bare", "check.git"])?;
    let check = dir.join("check.git");
    tabgit_testtools::git_with_input(&check, &["index-pack", "--stdin"], pack)?;
    let listing = git(
        &check,
        &["cat-file", "--batch-all-objects", "--batch-check"],
    )?;
    Ok(String::from_utf8(listing)?.lines().count())
}

#[test]
fn v2_ls_refs_and_fetch_built_here_are_served_by_git() -> Result {
    let server = serve()?;
    let base = format!("{}/tiny.git", server.running.url());
    let Advertisement::V2(capabilities) = discover(&base, Service::UploadPack, true)?? else {
        return Err("git http-backend answers v2".into());
    };
    let context = v2::Context::new(&capabilities, tabgit_protocol::AGENT);
    let options = v2::ls_refs::Options::for_clone(&capabilities);
    let response = post(
        &base,
        Service::UploadPack,
        true,
        &v2::ls_refs::request(&context, &options)?,
    )?;
    let refs = v2::ls_refs::parse_response(&response.body, &Limits::default())?;
    let head = refs.iter().find(|r| r.name == b"HEAD").ok_or("HEAD")?;
    assert_eq!(head.symref_target.as_deref(), Some(&b"refs/heads/main"[..]));
    let main_id = head.object_id.ok_or("HEAD is born")?;

    let check = tabgit_testtools::tempdir()?;
    for (arguments, n_objects) in [
        (
            Arguments {
                wants: vec![main_id],
                done: true,
                ..Arguments::default()
            },
            11,
        ),
        (
            Arguments {
                wants: vec![main_id],
                done: true,
                filter: Some("blob:none".to_owned()),
                ..Arguments::default()
            },
            7,
        ),
        (
            Arguments {
                wants: vec![main_id],
                done: true,
                deepen: Some(1),
                ..Arguments::default()
            },
            // The tip commit, its 2 trees and 3 blobs.
            6,
        ),
    ] {
        v2::fetch::check_arguments(&capabilities, &arguments)?;
        let body = v2::fetch::request(&context, &arguments)?;
        let response = post(&base, Service::UploadPack, true, &body)?;
        let fetched = v2::fetch::parse_response(&response.body, &Limits::default())?;
        assert_eq!(fetched.end, End::PackReceived);
        assert!(crate::is_complete_pack(&fetched.pack));
        assert_eq!(
            crate::pack_object_count(&fetched.pack),
            Some(n_objects),
            "{arguments:?}"
        );
        if arguments.deepen.is_some() {
            assert_eq!(
                fetched.shallow_updates,
                vec![ShallowUpdate::Shallow(main_id)]
            );
        }
        if arguments.filter.is_none() && arguments.deepen.is_none() {
            let dir = check.path().join("full");
            std::fs::create_dir_all(&dir)?;
            assert_eq!(
                git_index_pack(&fetched.pack, &dir)?,
                11,
                "git indexes the pack"
            );
        }
    }
    Ok(())
}

#[test]
fn v2_negotiation_with_haves_gets_acknowledgments_and_a_pack() -> Result {
    let server = serve()?;
    let base = format!("{}/demo.git", server.running.url());
    let Advertisement::V2(capabilities) = discover(&base, Service::UploadPack, true)?? else {
        return Err("v2".into());
    };
    let bare = server.root.join("demo.git");
    let rev = |name: &str| -> Result<ObjectId> {
        Ok(String::from_utf8(git(&bare, &["rev-parse", name])?)?
            .trim()
            .parse()?)
    };
    let arguments = Arguments {
        wants: vec![rev("main")?],
        haves: vec![rev("main~3")?],
        ..Arguments::default()
    };
    let context = v2::Context::new(&capabilities, tabgit_protocol::AGENT);
    let response = post(
        &base,
        Service::UploadPack,
        true,
        &v2::fetch::request(&context, &arguments)?,
    )?;
    let fetched = v2::fetch::parse_response(&response.body, &Limits::default())?;
    assert!(
        fetched
            .acknowledgments
            .contains(&tabgit_protocol::fetch::Acknowledgment::Ready),
        "{:?}",
        fetched.acknowledgments
    );
    assert_eq!(fetched.end, End::PackReceived);
    assert!(crate::is_complete_pack(&fetched.pack));
    Ok(())
}

#[test]
fn v0_clone_built_here_is_served_by_git() -> Result {
    let server = serve()?;
    let base = format!("{}/demo.git", server.running.url());
    let Advertisement::Refs(advertisement) = discover(&base, Service::UploadPack, false)?? else {
        return Err("no Git-Protocol header means v0".into());
    };
    let mut wants: Vec<ObjectId> = advertisement
        .refs
        .iter()
        .filter_map(|r| r.object_id)
        .collect();
    wants.sort();
    wants.dedup();
    let arguments = Arguments {
        wants,
        done: true,
        ..Arguments::default()
    };
    let request = v0::request(
        &advertisement.capabilities,
        &arguments,
        tabgit_protocol::AGENT,
    )?;
    let response = post(&base, Service::UploadPack, false, &request.body)?;
    let fetched = v0::parse_response(&response.body, request.response, &Limits::default())?;
    assert_eq!(fetched.end, End::PackReceived);
    assert!(crate::is_complete_pack(&fetched.pack));
    assert_eq!(crate::pack_object_count(&fetched.pack), Some(93));
    Ok(())
}

#[test]
fn pushes_built_here_update_deny_and_delete() -> Result {
    let server = serve()?;
    let bare = server.root.join("tiny.git");
    let base = format!("{}/tiny.git", server.running.url());
    let work = tabgit_testtools::tempdir()?;
    git(work.path(), &["clone", "-q", &bare.to_string_lossy(), "w"])?;
    let w = work.path().join("w");
    std::fs::write(w.join("new.txt"), "pushed by tabgit-protocol\n")?;
    git(&w, &["add", "new.txt"])?;
    git(&w, &["commit", "-q", "-m", "push me"])?;
    let rev = |dir: &Path, name: &str| -> Result<ObjectId> {
        Ok(String::from_utf8(git(dir, &["rev-parse", name])?)?
            .trim()
            .parse()?)
    };
    let old = rev(&w, "HEAD~1")?;
    let new = rev(&w, "HEAD")?;
    let pack = tabgit_testtools::git_with_input(
        &w,
        &["pack-objects", "--stdout", "--revs", "-q"],
        format!("{new}\n^{old}\n").as_bytes(),
    )?;

    let advertise = || -> Result<discovery::RefAdvertisement> {
        match discover(&base, Service::ReceivePack, false)?? {
            Advertisement::Refs(refs) => Ok(refs),
            Advertisement::V2(_) => Err("receive-pack is v0".into()),
        }
    };
    let send =
        |commands: &[push::Command], pack: Option<&[u8]>| -> Result<(push::Report, Vec<String>)> {
            let request = push::request(
                &advertise()?.capabilities,
                commands,
                &push::Options::default(),
            )?;
            let mut body = request.body.clone();
            if request.pack_follows {
                body.extend_from_slice(pack.ok_or("a pack is needed")?);
            }
            let response = post(&base, Service::ReceivePack, false, &body)?;
            Ok(push::parse_response(
                &response.body,
                request.response,
                &Limits::default(),
            )?)
        };
    let command = |old_id, new_id, name: &str| push::Command {
        old_id,
        new_id,
        name: name.as_bytes().to_vec(),
    };

    let (report, _) = send(
        &[
            command(old, new, "refs/heads/main"),
            command(ObjectId::NULL, new, "refs/heads/side"),
        ],
        Some(&pack),
    )?;
    assert!(report.is_success(), "{report:?}");
    assert_eq!(
        rev(&bare, "refs/heads/main")?,
        new,
        "the server's main moved"
    );

    // A rewind, which the server refuses (P1); git requires a pack, even an empty one.
    git(&bare, &["config", "receive.denyNonFastForwards", "true"])?;
    let empty_pack =
        tabgit_testtools::git_with_input(&w, &["pack-objects", "--stdout", "-q"], b"")?;
    let (report, messages) = send(&[command(new, old, "refs/heads/main")], Some(&empty_pack))?;
    assert_eq!(
        report.refs[0].outcome.rejection(),
        Some(push::Rejection::NonFastForward),
        "{report:?}"
    );
    assert!(
        messages
            .iter()
            .any(|message| message.contains("denying non-fast-forward")),
        "{messages:?}"
    );
    assert_eq!(rev(&bare, "refs/heads/main")?, new, "nothing changed");

    // A stale old id (P6): the ref moved since "discovery".
    let (report, _) = send(&[command(old, new, "refs/heads/side")], Some(&empty_pack))?;
    assert_eq!(
        report.refs[0].outcome.rejection(),
        Some(push::Rejection::Stale),
        "{report:?}"
    );

    let (report, _) = send(&[command(new, ObjectId::NULL, "refs/heads/side")], None)?;
    assert!(report.is_success(), "{report:?}");
    assert!(
        git(&bare, &["rev-parse", "--verify", "-q", "refs/heads/side"]).is_err(),
        "side was deleted"
    );
    Ok(())
}

#[test]
fn server_faults_become_typed_errors() -> Result {
    let server = serve()?;
    let at = |knobs: &str| -> Result<String> {
        let faults: Faults = knobs.parse()?;
        Ok(format!("{}/tiny.git", server.running.fault_url(&faults)))
    };

    // N4: an HTML login page.
    let err = discover(&at("body=html")?, Service::UploadPack, true)?
        .err()
        .ok_or("HTML is refused")?;
    assert!(
        err.to_string()
            .starts_with("this URL is not a git smart-HTTP endpoint (got text/html"),
        "{err}"
    );

    // N5: ERR in discovery, v0 and v2.
    for v2 in [false, true] {
        match discover(&at("body=err")?, Service::UploadPack, v2)? {
            Err(discovery::Error::Remote(remote)) => {
                assert_eq!(remote.message, tabgit_gitserver::fault::ERR_MESSAGE);
                assert_eq!(remote.origin, RemoteErrorOrigin::ErrPacket);
            }
            other => return Err(format!("expected ERR, got {other:?}").into()),
        }
    }

    // N8: broken framing.
    assert!(matches!(
        discover(&at("body=badpkt")?, Service::UploadPack, true)?,
        Err(discovery::Error::Packet(_))
    ));

    // N14: a v2 request answered in v0.
    let answer = discover(&at("v0")?, Service::UploadPack, true)??;
    assert_eq!(answer.version(), discovery::ProtocolVersion::V0);

    // N6: side-band 3 where the pack should be.
    let base = at("body=sideband3")?;
    let Advertisement::V2(capabilities) = discover(&base, Service::UploadPack, true)?? else {
        return Err("v2".into());
    };
    let main_id: ObjectId =
        String::from_utf8(git(&server.root.join("tiny.git"), &["rev-parse", "main"])?)?
            .trim()
            .parse()?;
    let arguments = Arguments {
        wants: vec![main_id],
        done: true,
        ..Arguments::default()
    };
    let context = v2::Context::new(&capabilities, tabgit_protocol::AGENT);
    let body = v2::fetch::request(&context, &arguments)?;
    let response = post(&base, Service::UploadPack, true, &body)?;
    match v2::fetch::parse_response(&response.body, &Limits::default()) {
        Err(v2::fetch::Error::Remote(remote)) => {
            assert_eq!(remote.message, tabgit_gitserver::fault::SIDEBAND3_MESSAGE);
            assert_eq!(remote.origin, RemoteErrorOrigin::SideBand);
        }
        other => return Err(format!("expected side-band 3, got {other:?}").into()),
    }

    // N9: the connection is cut mid-pack.
    let base = at("on=upload-pack,cut=300")?;
    let response = http(
        &base,
        "POST",
        "/git-upload-pack",
        &[
            ("Content-Type", Service::UploadPack.request_content_type()),
            ("Git-Protocol", "version=2"),
        ],
        &body,
    )?;
    assert!(response.body.len() <= 300);
    assert_eq!(
        v2::fetch::parse_response(&response.body, &Limits::default()),
        Err(v2::fetch::Error::Truncated)
    );

    // P5: the push report is lost after the push happened.
    let base = at("on=receive-pack,cut=0")?;
    let Advertisement::Refs(refs) = discover(&base, Service::ReceivePack, false)?? else {
        return Err("receive-pack is v0".into());
    };
    let request = push::request(
        &refs.capabilities,
        &[push::Command {
            old_id: ObjectId::NULL,
            new_id: main_id,
            name: b"refs/heads/copy".to_vec(),
        }],
        &push::Options::default(),
    )?;
    let mut body = request.body.clone();
    body.extend_from_slice(&tabgit_testtools::git_with_input(
        &server.root.join("tiny.git"),
        &["pack-objects", "--stdout", "-q"],
        b"",
    )?);
    let response = http(
        &base,
        "POST",
        "/git-receive-pack",
        &[("Content-Type", Service::ReceivePack.request_content_type())],
        &body,
    )?;
    assert_eq!(
        push::parse_response(&response.body, request.response, &Limits::default()),
        Err(push::Error::Truncated),
        "the outcome is unknown"
    );
    Ok(())
}
