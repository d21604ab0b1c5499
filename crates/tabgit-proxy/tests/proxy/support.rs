//! What the tests share: a proxy with test defaults, git servers over fixture copies, a canary
//! listener that counts connections, hand-written upstreams, and a raw HTTP/1.1 client.

use std::{
    fmt::Write as _,
    io::{ErrorKind, Read, Write},
    net::{IpAddr, SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Mutex, PoisonError,
    },
    thread::JoinHandle,
    time::Duration,
};

use tabgit_proxy::{Config, LogCapture, Logging, Resolver, Running};
use tabgit_testtools::TempDir;

use crate::Result;

/// The origin the test proxies allow, standing for the tabgit app.
pub const APP_ORIGIN: &str = "http://app.test";

/// Discovery of the upload-pack service.
pub const UPLOAD_DISCOVERY: &str = "info/refs?service=git-upload-pack";

/// A proxy started for a test, with its captured log.
pub struct Proxy {
    /// The running proxy.
    pub running: Running,
    /// Its log lines.
    pub log: LogCapture,
}

/// The test defaults: the app origin allowed, logs captured, two workers, a short grace
/// period, and a resolver that knows no name (so no test ever asks real DNS by accident).
pub fn config() -> (Config, LogCapture) {
    let log = LogCapture::default();
    let config = Config {
        allowed_origins: vec![APP_ORIGIN.to_owned()],
        logging: Logging::Capture(log.clone()),
        worker_threads: 2,
        shutdown_grace: Duration::from_secs(2),
        resolver: static_resolver(&[]),
        ..Config::default()
    };
    (config, log)
}

/// Start a proxy with the test defaults changed by `configure`.
pub fn proxy(configure: impl FnOnce(&mut Config)) -> Result<Proxy> {
    let (mut config, log) = config();
    configure(&mut config);
    Ok(Proxy {
        running: tabgit_proxy::start(config)?,
        log,
    })
}

/// A resolver answering only the names in `table`.
pub fn static_resolver(table: &[(&str, &[IpAddr])]) -> Resolver {
    let table: Vec<(String, Vec<IpAddr>)> = table
        .iter()
        .map(|(name, addresses)| ((*name).to_owned(), addresses.to_vec()))
        .collect();
    Resolver::Custom(Arc::new(move |name: &str| {
        table
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, addresses)| addresses.clone())
            .ok_or_else(|| std::io::Error::new(ErrorKind::NotFound, "unknown test name"))
    }))
}

/// Allow the proxy to reach `addr` (a loopback server) over plain HTTP.
pub fn allow_local(config: &mut Config, addr: SocketAddr) {
    config.allow_http.push(addr.to_string());
    config.allow_private.push(addr.to_string());
}

/// Access
impl Proxy {
    /// The proxy's address.
    pub fn addr(&self) -> SocketAddr {
        self.running.addr()
    }

    /// The proxy URL of an upstream URL: `http://127.0.0.1:P/x` becomes `<proxy>/127.0.0.1:P/x`.
    pub fn url_for(&self, upstream_url: &str) -> String {
        let without_scheme = upstream_url
            .strip_prefix("http://")
            .or_else(|| upstream_url.strip_prefix("https://"))
            .unwrap_or(upstream_url);
        format!("{}/{without_scheme}", self.running.url())
    }

    /// The request target (path and query) on the proxy for an upstream URL.
    pub fn target_for(&self, upstream_url: &str) -> String {
        self.url_for(upstream_url)
            .strip_prefix(&self.running.url())
            .unwrap_or_default()
            .to_owned()
    }
}

/// A directory with bare repositories to serve: `demo.git` and `moved/demo.git` (copies of
/// the generated `demo` fixture, so tests may push to them).
pub struct Repos {
    /// Keeps the directory alive.
    pub dir: TempDir,
}

/// Copy the `demo` fixture into a new served root.
pub fn repos() -> Result<Repos> {
    let fixture = tabgit_testtools::fixture("demo")?;
    let dir = tabgit_testtools::tempdir()?;
    let fixture = fixture.to_str().ok_or("fixture path is UTF-8")?;
    for target in ["demo.git", "moved/demo.git"] {
        tabgit_testtools::git(dir.path(), &["clone", "-q", "--bare", fixture, target])?;
    }
    Ok(Repos { dir })
}

/// Access
impl Repos {
    /// The served root.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }
}

/// Start a local git server over `repos`, quiet, with `configure` applied.
pub fn gitserver(
    repos: &Repos,
    configure: impl FnOnce(&mut tabgit_gitserver::Config),
) -> Result<tabgit_gitserver::Running> {
    let mut config = tabgit_gitserver::Config::new(repos.root());
    config.log = false;
    configure(&mut config);
    Ok(tabgit_gitserver::start(config)?)
}

/// A listener that accepts and counts connections, and answers none: the proxy must never
/// connect to it.
pub struct Canary {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Lifecycle
impl Canary {
    /// Listen on `addr` (port 0 for any).
    pub fn bind(addr: SocketAddr) -> Result<Canary> {
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (accepted, stop) = (Arc::clone(&accepted), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut held = Vec::new();
                while !stop.load(Ordering::Acquire) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            accepted.fetch_add(1, Ordering::AcqRel);
                            held.push(stream);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Ok(Canary {
            addr,
            accepted,
            stop,
            thread: Some(thread),
        })
    }

    /// A canary on a free loopback port.
    pub fn loopback() -> Result<Canary> {
        Canary::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
    }
}

/// Access
impl Canary {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Connections accepted so far (after a moment for any in flight to land).
    pub fn accepted(&self) -> usize {
        std::thread::sleep(Duration::from_millis(50));
        self.accepted.load(Ordering::Acquire)
    }
}

impl Drop for Canary {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A hand-written upstream: answers every request with one canned response and records each
/// request's head (and body length).
pub struct FakeUpstream {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// A request a [`FakeUpstream`] received.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The request line and headers, as sent.
    pub head: String,
    /// The body bytes received (de-chunked).
    pub body_len: usize,
    /// Whether the body arrived complete.
    pub body_complete: bool,
}

/// Lifecycle
impl FakeUpstream {
    /// Answer every request with `response` (a complete raw HTTP response).
    pub fn start(response: Vec<u8>) -> Result<FakeUpstream> {
        // Blocking accepts, so that latency measurements see no polling delay; dropping the
        // upstream wakes the accept with a connection of its own.
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        let addr = listener.local_addr()?;
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (requests, stop) = (Arc::clone(&requests), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Acquire) {
                    let Ok((stream, _)) = listener.accept() else {
                        continue;
                    };
                    if stop.load(Ordering::Acquire) {
                        return;
                    }
                    let (requests, response) = (Arc::clone(&requests), response.clone());
                    std::thread::spawn(move || {
                        let _ = serve_one(stream, &requests, &response);
                    });
                }
            })
        };
        Ok(FakeUpstream {
            addr,
            requests,
            stop,
            thread: Some(thread),
        })
    }

    /// A well-behaved discovery answer with `extra_headers` (each ending in `\r\n`).
    pub fn advertisement(extra_headers: &str) -> Result<FakeUpstream> {
        let body = "001e# service=git-upload-pack\n0000";
        FakeUpstream::start(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-advertisement\r\nContent-Length: {}\r\n{extra_headers}Connection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
        )
    }
}

fn serve_one(mut stream: TcpStream, requests: &Mutex<Vec<Recorded>>, response: &[u8]) -> Result {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut received = Vec::new();
    let mut buffer = [0; 8192];
    let head_end = loop {
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            return Ok(());
        }
        received.extend_from_slice(&buffer[..n]);
    };
    let head = String::from_utf8_lossy(&received[..head_end]).into_owned();
    let mut body = received[head_end + 4..].to_vec();
    let lower = head.to_ascii_lowercase();
    let length = lower
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse::<usize>().ok());
    let chunked = lower.contains("transfer-encoding: chunked");
    let is_complete = |body: &[u8]| {
        if chunked {
            body.ends_with(b"0\r\n\r\n")
        } else {
            length.is_none_or(|length| body.len() >= length)
        }
    };
    let mut complete = is_complete(&body);
    while !complete {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&buffer[..n]),
        }
        complete = is_complete(&body);
    }
    let body_len = if chunked {
        dechunk(&body).0.len()
    } else {
        body.len()
    };
    requests
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Recorded {
            head,
            body_len,
            body_complete: complete,
        });
    if complete {
        stream.write_all(response)?;
    }
    Ok(())
}

/// Access
impl FakeUpstream {
    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for FakeUpstream {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A response as received.
#[derive(Debug)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// Header names (lowercase) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked; only what arrived.
    pub body: Vec<u8>,
    /// Whether the body ended as its framing says.
    pub complete: bool,
}

/// Access
impl RawResponse {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header_name, _)| header_name.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Whether any header is named `name`.
    pub fn has(&self, name: &str) -> bool {
        self.header(name).is_some()
    }

    /// The `X-Proxy-Error` code.
    pub fn proxy_error(&self) -> Option<&str> {
        self.header("x-proxy-error")
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Send one request with `Connection: close` and read the response until the server closes.
pub fn request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<RawResponse> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        write!(head, "{name}: {value}\r\n")?;
    }
    let chunked = headers
        .iter()
        .any(|(name, value)| name.eq_ignore_ascii_case("transfer-encoding") && *value == "chunked");
    let has_length = headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-length"));
    if !chunked && !has_length && (!body.is_empty() || method == "POST") {
        write!(head, "Content-Length: {}\r\n", body.len())?;
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if chunked {
        for chunk in body.chunks(1000) {
            let _ = stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes());
            let _ = stream.write_all(chunk);
            let _ = stream.write_all(b"\r\n");
        }
        let _ = stream.write_all(b"0\r\n\r\n");
    } else {
        // The proxy may refuse before reading the body and close: that is an answer too.
        let _ = stream.write_all(body);
    }
    read_response(&mut stream, method)
}

/// Read a response from `stream` until the server closes it.
pub fn read_response(stream: &mut TcpStream, method: &str) -> Result<RawResponse> {
    let mut received = Vec::new();
    let mut buffer = [0; 16 * 1024];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(err) if err.kind() == ErrorKind::ConnectionReset => break,
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(err) => return Err(err.into()),
        }
    }
    parse(method, &received)
}

/// Send a GET.
pub fn get(addr: SocketAddr, target: &str, headers: &[(&str, &str)]) -> Result<RawResponse> {
    request(addr, "GET", target, headers, &[])
}

/// Send a GET from the app origin.
pub fn get_from_app(addr: SocketAddr, target: &str) -> Result<RawResponse> {
    get(addr, target, &[("Origin", APP_ORIGIN)])
}

fn parse(method: &str, received: &[u8]) -> Result<RawResponse> {
    let head_end = received
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .ok_or_else(|| {
            format!(
                "the response has no complete head: {:?}",
                String::from_utf8_lossy(received)
            )
        })?;
    let head = std::str::from_utf8(&received[..head_end])?;
    let rest = &received[head_end + 4..];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or("empty head")?;
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .ok_or("status line without a code")?
        .parse()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let mut response = RawResponse {
        status,
        headers,
        body: Vec::new(),
        complete: true,
    };
    if method == "HEAD" || status == 204 || status == 304 {
        return Ok(response);
    }
    if response
        .header("transfer-encoding")
        .is_some_and(|value| value.eq_ignore_ascii_case("chunked"))
    {
        let (body, complete) = dechunk(rest);
        response.body = body;
        response.complete = complete;
    } else if let Some(length) = response.header("content-length") {
        let length: usize = length.parse()?;
        response.complete = rest.len() >= length;
        response.body = rest[..rest.len().min(length)].to_vec();
    } else {
        response.body = rest.to_vec();
    }
    Ok(response)
}

/// De-chunk `data`; the flag says whether the last chunk arrived.
pub fn dechunk(mut data: &[u8]) -> (Vec<u8>, bool) {
    let mut body = Vec::new();
    loop {
        let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") else {
            return (body, false);
        };
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let Ok(size) = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
        else {
            return (body, false);
        };
        data = &data[line_end + 2..];
        if size == 0 {
            return (body, true);
        }
        if data.len() < size {
            body.extend_from_slice(data);
            return (body, false);
        }
        body.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or_default();
    }
}

/// A git command isolated from the user's configuration (tabgit-testtools), with the proxy's
/// requests made to look like the app's (`Origin`) unless `origin` is `None`.
pub fn git(dir: &Path, origin: Option<&str>) -> std::process::Command {
    let mut command = tabgit_testtools::git_command(dir);
    command
        .env_remove("GIT_TRACE_PACKET")
        .env("GIT_HTTP_LOW_SPEED_LIMIT", "1")
        .env("GIT_HTTP_LOW_SPEED_TIME", "60");
    if let Some(origin) = origin {
        command.args(["-c", &format!("http.extraHeader=Origin: {origin}")]);
    }
    command
}

/// Run `command` and fail with its stderr unless it succeeds.
pub fn run(command: &mut std::process::Command) -> Result<std::process::Output> {
    let output = command.stdin(std::process::Stdio::null()).output()?;
    if !output.status.success() {
        return Err(format!(
            "{command:?} failed with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(output)
}

/// The path of a file in `tests/fixtures`.
pub fn fixture_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Wait until `condition` holds, polling for up to 5 seconds.
pub fn eventually(mut condition: impl FnMut() -> bool) -> bool {
    for _ in 0..100 {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}
