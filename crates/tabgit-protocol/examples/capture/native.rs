//! The capture itself (native only: it runs git and a TCP relay).

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    io::{BufRead, BufReader, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    thread::JoinHandle,
    time::Duration,
};

use tabgit_testtools::{git, Result};

pub fn main() -> Result {
    let out = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        PathBuf::from,
    );
    let scratch = tabgit_testtools::tempdir()?;
    let root = scratch.path().join("root");
    std::fs::create_dir_all(&root)?;
    for name in ["tiny", "demo"] {
        let source = tabgit_testtools::fixture(name)?;
        copy_dir(&source, &root.join(format!("{name}.git")))?;
    }
    git(&root, &["init", "-q", "--bare", "-b", "main", "empty.git"])?;

    let mut config = tabgit_gitserver::Config::new(&root);
    config.log = false;
    let server = tabgit_gitserver::start(config)?;
    let relay = Relay::start(server.addr())?;
    let base = relay.url();
    let work = scratch.path().join("work");
    std::fs::create_dir_all(&work)?;
    let mut capture = Capture {
        out,
        relay: &relay,
        manifest: BTreeMap::new(),
    };

    // -- protocol v2: discovery, ls-refs and fetch --
    let tiny = format!("{base}/tiny.git");
    let demo = format!("{base}/demo.git");
    let empty = format!("{base}/empty.git");
    run(
        &work,
        &[
            "-c",
            "protocol.version=2",
            "clone",
            "--progress",
            "--bare",
            &demo,
            "v2-demo.git",
        ],
    )?;
    capture.save(&["v2/info-refs", "v2/ls-refs", "v2/fetch-clone-demo"])?;
    run(
        &work,
        &[
            "-c",
            "protocol.version=2",
            "clone",
            "-q",
            "--bare",
            &tiny,
            "v2-tiny.git",
        ],
    )?;
    capture.save(&["", "v2/ls-refs-tiny", "v2/fetch-clone"])?;
    run(
        &work,
        &[
            "-c",
            "protocol.version=2",
            "clone",
            "-q",
            "--bare",
            "--depth",
            "1",
            &demo,
            "v2-shallow.git",
        ],
    )?;
    capture.save(&["", "", "v2/fetch-deepen-1"])?;
    run(
        &work,
        &[
            "-c",
            "protocol.version=2",
            "clone",
            "-q",
            "--bare",
            "--filter=blob:none",
            &tiny,
            "v2-partial.git",
        ],
    )?;
    capture.save(&["", "", "v2/fetch-filter-blob-none"])?;
    run(
        &work,
        &[
            "-c",
            "protocol.version=2",
            "clone",
            "-q",
            "--bare",
            &empty,
            "v2-empty.git",
        ],
    )?;
    capture.save(&["", "v2/ls-refs-empty"])?;

    // An incremental fetch: the server gets one new commit on main, the clone fetches it
    // with its own main as a have.
    let tiny_dir = root.join("tiny.git");
    let new_commit = commit_on(&tiny_dir, "main", "A commit made after the clone\n")?;
    run(
        &work.join("v2-tiny.git"),
        &[
            "-c",
            "protocol.version=2",
            "fetch",
            "-q",
            "origin",
            "+refs/heads/*:refs/heads/*",
        ],
    )?;
    capture.save(&["", "", "v2/fetch-incremental"])?;
    assert_eq!(
        git(&work.join("v2-tiny.git"), &["rev-parse", "main"])?,
        format!("{new_commit}\n").into_bytes(),
        "the incremental fetch brought the new commit"
    );

    // -- protocol v0 and v1: discovery and upload-pack --
    run(
        &work,
        &[
            "-c",
            "protocol.version=0",
            "clone",
            "--progress",
            "--bare",
            &demo,
            "v0-demo.git",
        ],
    )?;
    capture.save_all("v0/upload-pack-clone", "v0/info-refs")?;
    run(
        &work,
        &[
            "-c",
            "protocol.version=0",
            "clone",
            "-q",
            "--bare",
            "--depth",
            "1",
            &tiny,
            "v0-shallow.git",
        ],
    )?;
    capture.save_all("v0/upload-pack-deepen-1", "")?;
    run(
        &work,
        &[
            "-c",
            "protocol.version=0",
            "clone",
            "-q",
            "--bare",
            "--filter=blob:none",
            &tiny,
            "v0-partial.git",
        ],
    )?;
    capture.save_all("v0/upload-pack-filter-blob-none", "")?;
    run(&work, &["-c", "protocol.version=1", "ls-remote", &tiny])?;
    capture.save(&["v0/info-refs-v1"])?;
    run(&work, &["-c", "protocol.version=0", "ls-remote", &empty])?;
    capture.save(&["v0/info-refs-empty"])?;

    // An incremental v0 fetch: two rounds over stateless HTTP (haves, then `done`).
    run(
        &work,
        &[
            "-c",
            "protocol.version=0",
            "clone",
            "-q",
            "--bare",
            &tiny,
            "v0-tiny.git",
        ],
    )?;
    capture.save_all("", "")?;
    commit_on(&tiny_dir, "main", "Another commit made after the clone\n")?;
    run(
        &work.join("v0-tiny.git"),
        &[
            "-c",
            "protocol.version=0",
            "fetch",
            "-q",
            "origin",
            "+refs/heads/*:refs/heads/*",
        ],
    )?;
    capture.save_all("v0/upload-pack-incremental", "")?;

    // -- receive-pack (always v0): a push that lands, one the server rejects, a deletion --
    run(&work, &["clone", "-q", &tiny, "push-work"])?;
    capture.save_all("", "")?;
    let push_work = work.join("push-work");
    std::fs::write(push_work.join("pushed.txt"), "pushed over HTTP\n")?;
    run(&push_work, &["add", "pushed.txt"])?;
    run(&push_work, &["commit", "-q", "-m", "A pushed commit"])?;
    run(
        &push_work,
        &[
            "push",
            "--progress",
            "origin",
            "main",
            "main:refs/heads/side",
        ],
    )?;
    capture.save(&["v0/info-refs-receive-pack", "v0/receive-pack-ok"])?;

    // The server refuses non-fast-forward updates itself (a forced push gets past the client's
    // own check), so the report has `ng refs/heads/main non-fast-forward`.
    git(
        &tiny_dir,
        &["config", "receive.denyNonFastForwards", "true"],
    )?;
    run(&push_work, &["reset", "-q", "--hard", "HEAD~1"])?;
    std::fs::write(push_work.join("other.txt"), "a different history\n")?;
    run(&push_work, &["add", "other.txt"])?;
    run(
        &push_work,
        &["commit", "-q", "-m", "A commit the server rejects"],
    )?;
    let rejected = run_allow_failure(&push_work, &["push", "-q", "--force", "origin", "main"])?;
    assert!(
        !rejected,
        "the server must reject the non-fast-forward push"
    );
    capture.save(&["", "v0/receive-pack-rejected"])?;

    run(&push_work, &["push", "-q", "origin", ":refs/heads/side"])?;
    capture.save(&["", "v0/receive-pack-delete"])?;

    capture.write_manifest()?;
    println!("fixtures written to {}", capture.out.display());
    drop(capture);
    drop(relay);
    server.shutdown()?;
    Ok(())
}

/// Run native git in `dir` through the relay; fails if git fails.
fn run(dir: &Path, args: &[&str]) -> Result {
    git(dir, args)?;
    Ok(())
}

/// Run native git and report whether it succeeded.
fn run_allow_failure(dir: &Path, args: &[&str]) -> Result<bool> {
    let out = tabgit_testtools::git_command(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()?;
    Ok(out.status.success())
}

/// Make a commit on `branch` of the bare repository `git_dir` that adds one line to `NEWS`,
/// with plumbing only, and return its id.
fn commit_on(git_dir: &Path, branch: &str, line: &str) -> Result<String> {
    let parent = String::from_utf8(git(git_dir, &["rev-parse", branch])?)?;
    let parent = parent.trim();
    let blob = tabgit_testtools::git_with_input(
        git_dir,
        &["hash-object", "-w", "--stdin"],
        line.as_bytes(),
    )?;
    let blob = String::from_utf8(blob)?;
    let tree_listing = String::from_utf8(git(git_dir, &["ls-tree", parent])?)?;
    let mut tree_text = String::new();
    for entry in tree_listing
        .lines()
        .filter(|entry| !entry.ends_with("\tNEWS"))
    {
        writeln!(tree_text, "{entry}")?;
    }
    writeln!(tree_text, "100644 blob {}\tNEWS", blob.trim())?;
    let tree = tabgit_testtools::git_with_input(git_dir, &["mktree"], tree_text.as_bytes())?;
    let tree = String::from_utf8(tree)?;
    let commit = git(
        git_dir,
        &["commit-tree", tree.trim(), "-p", parent, "-m", line.trim()],
    )?;
    let commit = String::from_utf8(commit)?.trim().to_owned();
    git(
        git_dir,
        &["update-ref", &format!("refs/heads/{branch}"), &commit],
    )?;
    Ok(commit)
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// One HTTP request and its response, as the relay saw them.
#[derive(Debug)]
struct Exchange {
    method: String,
    target: String,
    request_headers: Vec<(String, String)>,
    request_body: Vec<u8>,
    status: u16,
    response_headers: Vec<(String, String)>,
    response_body: Vec<u8>,
}

impl Exchange {
    fn request_header(&self, name: &str) -> Option<&str> {
        header(&self.request_headers, name)
    }
    fn response_header(&self, name: &str) -> Option<&str> {
        header(&self.response_headers, name)
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// Names the exchanges of each git command and writes them out.
struct Capture<'a> {
    out: PathBuf,
    relay: &'a Relay,
    manifest: BTreeMap<String, String>,
}

impl Capture<'_> {
    /// Save the exchanges of the last command under `names`, in order; an empty name skips one.
    /// Fails if the command made a different number of requests.
    fn save(&mut self, names: &[&str]) -> Result {
        let exchanges = self.relay.take();
        if exchanges.len() != names.len() {
            return Err(format!(
                "expected {} requests, the relay saw {}: {:#?}",
                names.len(),
                exchanges.len(),
                exchanges
                    .iter()
                    .map(|exchange| format!("{} {}", exchange.method, exchange.target))
                    .collect::<Vec<_>>()
            )
            .into());
        }
        for (name, exchange) in names.iter().zip(&exchanges) {
            if !name.is_empty() {
                self.write(name, exchange)?;
            }
        }
        Ok(())
    }

    /// Save the POSTs of the last command as `<prefix>` if there is one, or as
    /// `<prefix>-round<n>` (from 1) for stateless negotiation in several rounds; skip discovery,
    /// or save it as `discovery` when that is not empty.
    fn save_all(&mut self, prefix: &str, discovery: &str) -> Result {
        let exchanges = self.relay.take();
        let n_posts = exchanges
            .iter()
            .filter(|exchange| exchange.method == "POST")
            .count();
        let mut post_idx = 0;
        for exchange in &exchanges {
            if exchange.method == "GET" {
                if !discovery.is_empty() {
                    self.write(discovery, exchange)?;
                }
            } else if !prefix.is_empty() {
                post_idx += 1;
                let name = if n_posts == 1 {
                    prefix.to_owned()
                } else {
                    format!("{prefix}-round{post_idx}")
                };
                self.write(&name, exchange)?;
            }
        }
        Ok(())
    }

    fn write(&mut self, name: &str, exchange: &Exchange) -> Result {
        if exchange.status != 200 {
            return Err(format!("{name}: status {}", exchange.status).into());
        }
        let path = self.out.join(name);
        std::fs::create_dir_all(path.parent().ok_or("fixture names have a directory")?)?;
        if exchange.method == "POST" {
            std::fs::write(path.with_extension("request"), &exchange.request_body)?;
        }
        std::fs::write(path.with_extension("response"), &exchange.response_body)?;
        let (repository, endpoint) = exchange
            .target
            .trim_start_matches('/')
            .split_once('/')
            .ok_or("request targets are /<repository>/<endpoint>")?;
        self.manifest.insert(
            name.to_owned(),
            format!(
                "{name}\t{} {repository} {endpoint}\tgit-protocol={}\trequest-type={}\tresponse-type={}",
                exchange.method,
                exchange.request_header("git-protocol").unwrap_or("-"),
                exchange.request_header("content-type").unwrap_or("-"),
                exchange.response_header("content-type").unwrap_or("-"),
            ),
        );
        Ok(())
    }

    fn write_manifest(&self) -> Result {
        let mut text = String::from(
            "# Written by `cargo run -p tabgit-protocol --example capture`; do not edit.\n\
             # name\tmethod repository endpoint\tGit-Protocol header\trequest Content-Type\tresponse Content-Type\n",
        );
        for line in self.manifest.values() {
            writeln!(text, "{line}")?;
        }
        std::fs::write(self.out.join("MANIFEST"), text)?;
        Ok(())
    }
}

/// A recording HTTP relay: one connection at a time, one request per connection.
struct Relay {
    addr: SocketAddr,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Relay {
    fn start(upstream: SocketAddr) -> Result<Relay> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let exchanges = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let exchanges = Arc::clone(&exchanges);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((client, _)) => match relay_one(client, upstream) {
                            Ok(exchange) => exchanges
                                .lock()
                                .expect("the relay thread never panics while holding the lock")
                                .push(exchange),
                            Err(err) => eprintln!("capture relay: {err}"),
                        },
                        Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        Err(err) => eprintln!("capture relay: accept: {err}"),
                    }
                }
            })
        };
        Ok(Relay {
            addr,
            exchanges,
            stop,
            thread: Some(thread),
        })
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn take(&self) -> Vec<Exchange> {
        std::mem::take(
            &mut *self
                .exchanges
                .lock()
                .expect("the relay thread never panics while holding the lock"),
        )
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Forward one request from `client` to `upstream` and the response back, recording both.
fn relay_one(client: TcpStream, upstream: SocketAddr) -> Result<Exchange> {
    client.set_nonblocking(false)?;
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut client_reader = BufReader::new(client.try_clone()?);
    let mut client_writer = client;
    let (request_line, request_headers) =
        read_head(&mut client_reader).map_err(|err| format!("reading the request head: {err}"))?;
    let mut parts = request_line.split(' ');
    let method = parts
        .next()
        .ok_or("request line without method")?
        .to_owned();
    let target = parts
        .next()
        .ok_or("request line without target")?
        .to_owned();
    if header(&request_headers, "expect")
        .is_some_and(|value| value.eq_ignore_ascii_case("100-continue"))
    {
        client_writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let raw_request_body = read_body(&mut client_reader, &request_headers, false)
        .map_err(|err| format!("reading the request body: {err}"))?;

    let mut upstream_stream = TcpStream::connect(upstream)?;
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    for (key, value) in &request_headers {
        if !is_hop_header(key) {
            write!(head, "{key}: {value}\r\n")?;
        }
    }
    write!(
        head,
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        raw_request_body.len()
    )?;
    upstream_stream.write_all(head.as_bytes())?;
    upstream_stream.write_all(&raw_request_body)?;
    let mut upstream_reader = BufReader::new(upstream_stream);
    let (status_line, response_headers) = read_head(&mut upstream_reader)
        .map_err(|err| format!("reading the response head: {err}"))?;
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .ok_or("status line without status")?
        .parse()?;
    let response_body = read_body(&mut upstream_reader, &response_headers, true)?;

    let mut head = format!("{status_line}\r\n");
    for (key, value) in &response_headers {
        if !is_hop_header(key) {
            write!(head, "{key}: {value}\r\n")?;
        }
    }
    write!(
        head,
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        response_body.len()
    )?;
    client_writer.write_all(head.as_bytes())?;
    client_writer.write_all(&response_body)?;
    client_writer.flush()?;

    let request_body = match header(&request_headers, "content-encoding") {
        Some(encoding) if encoding.eq_ignore_ascii_case("gzip") => gunzip(&raw_request_body)?,
        Some(other) => return Err(format!("unexpected request content encoding {other}").into()),
        None => raw_request_body,
    };
    Ok(Exchange {
        method,
        target,
        request_headers,
        request_body,
        status,
        response_headers,
        response_body,
    })
}

fn is_hop_header(name: &str) -> bool {
    [
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
        "expect",
    ]
    .iter()
    .any(|hop| name.eq_ignore_ascii_case(hop))
}

type Headers = Vec<(String, String)>;

fn read_head(reader: &mut impl BufRead) -> Result<(String, Headers)> {
    let mut first = String::new();
    reader.read_line(&mut first)?;
    let first = first.trim_end().to_owned();
    if first.is_empty() {
        return Err("connection closed before a request or status line".into());
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (key, value) = line.split_once(':').ok_or("header line without a colon")?;
        headers.push((key.trim().to_owned(), value.trim().to_owned()));
    }
    Ok((first, headers))
}

/// Read a message body; `until_eof` says what a body without length or chunking means (the
/// rest of a response; no body for a request).
fn read_body(reader: &mut impl BufRead, headers: &Headers, until_eof: bool) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    if header(headers, "transfer-encoding")
        .is_some_and(|value| value.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size_line = String::new();
            reader.read_line(&mut size_line)?;
            let size =
                usize::from_str_radix(size_line.trim().split(';').next().unwrap_or_default(), 16)?;
            if size == 0 {
                // Trailers, then the empty line.
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line)?;
                    if line.trim_end().is_empty() {
                        break;
                    }
                }
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..])?;
            let mut crlf = [0u8; 2];
            reader.read_exact(&mut crlf)?;
        }
    } else if let Some(length) = header(headers, "content-length") {
        body.resize(length.parse()?, 0);
        reader.read_exact(&mut body)?;
    } else if until_eof {
        reader.read_to_end(&mut body)?;
    }
    Ok(body)
}

/// Inflate a gzip member (RFC 1952) as git writes it for large upload-pack requests.
fn gunzip(data: &[u8]) -> Result<Vec<u8>> {
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    const FHCRC: u8 = 2;
    if data.len() < 18 || data[0] != 0x1f || data[1] != 0x8b || data[2] != 8 {
        return Err("not a gzip member".into());
    }
    let flags = data[3];
    let mut pos = 10;
    if flags & FEXTRA != 0 {
        let extra_len = usize::from(u16::from_le_bytes([data[pos], data[pos + 1]]));
        pos += 2 + extra_len;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            pos += data[pos..]
                .iter()
                .position(|&b| b == 0)
                .ok_or("unterminated gzip field")?
                + 1;
        }
    }
    if flags & FHCRC != 0 {
        pos += 2;
    }
    let deflated = data
        .get(pos..data.len() - 8)
        .ok_or("truncated gzip member")?;
    miniz_oxide::inflate::decompress_to_vec(deflated).map_err(|err| format!("gzip: {err:?}").into())
}
