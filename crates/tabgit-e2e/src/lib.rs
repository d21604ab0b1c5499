//! Support for end-to-end tests of the built web app: a static server for `dist/` that sends
//! the app's Content-Security-Policy and collects violation reports, the local git server and
//! the CORS proxy started in-process over a private copy of the fixtures, a chromedriver
//! process, and a headless Chromium session with helpers that find elements by `data-testid`.
//!
//! The tests expect `trunk build --release` to have produced `dist/` (scripts/test does it);
//! `TABGIT_DIST` points elsewhere.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a wait for the page lasts before the test fails. Generous on purpose: CI runs the
/// end-to-end tests in parallel, each with its own Chromium, on two cores, and a wait that
/// runs out there is a false failure; no test asserts on time.
pub const WAIT: Duration = Duration::from_secs(180);

use thirtyfour::common::log::LoggingPrefsLogLevel;
use thirtyfour::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Errors of the test support, boxed.
pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The built app: `$TABGIT_DIST` or `<workspace>/dist`.
pub fn dist_dir() -> Result<PathBuf> {
    let dir = std::env::var_os("TABGIT_DIST").map_or_else(
        || tabgit_testtools::workspace_root().join("dist"),
        PathBuf::from,
    );
    if !dir.join("index.html").is_file() {
        return Err(format!(
            "{} has no built app: run `trunk build --release` (scripts/test does) before the end-to-end tests",
            dir.display()
        )
        .into());
    }
    Ok(dir)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// The Content-Security-Policy the app is served with (README, "Deploying"), allowing
/// `connect_src` origins (the CORS proxy) besides the app's own, and reporting violations to
/// `/csp-report` on the app's server.
pub fn content_security_policy(connect_src: &[String]) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' {}; img-src 'self' blob:; \
         style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; \
         report-uri /csp-report",
        connect_src.join(" ")
    )
}

/// Violation reports the browser sent to the app's server (one JSON body each).
pub type CspReports = Arc<Mutex<Vec<String>>>;

/// Serve the files of `root` from `listener` with `csp`, until the process ends. Unknown paths
/// get `index.html`, as a single-page app expects; `POST /csp-report` bodies go to the returned
/// list.
pub fn serve_app(listener: TcpListener, root: PathBuf, csp: String) -> CspReports {
    let reports = CspReports::default();
    let collected = reports.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let (root, csp, reports) = (root.clone(), csp.clone(), collected.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let Ok(n) = stream.read(&mut buf).await else {
                    return;
                };
                let request = String::from_utf8_lossy(&buf[..n]).into_owned();
                let mut words = request.split_whitespace();
                let method = words.next().unwrap_or("GET");
                let path = words.next().unwrap_or("/");
                if method == "POST" && path.starts_with("/csp-report") {
                    let body = request.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
                    reports
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push(body);
                    let _ = stream
                        .write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
                        .await;
                    return;
                }
                let path = path.split(['?', '#']).next().unwrap_or("/");
                let rel = path.trim_start_matches('/');
                let safe = !rel.split('/').any(|c| c == ".." || c.contains('\\'));
                let mut file = root.join(if rel.is_empty() || !safe {
                    "index.html"
                } else {
                    rel
                });
                if !file.is_file() {
                    file = root.join("index.html");
                }
                let body = tokio::fs::read(&file).await.unwrap_or_default();
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
                     Content-Security-Policy: {csp}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
                    content_type(&file),
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
            });
        }
    });
    reports
}

/// Serve the files of `root` on 127.0.0.1 (port chosen by the system) with the app's CSP and no
/// proxy.
pub async fn serve_static(root: PathBuf) -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let _reports = serve_app(listener, root, content_security_policy(&[]));
    Ok(addr)
}

/// What a test world is made of.
#[derive(Clone, Debug, Default)]
pub struct WorldOptions {
    /// Fixture repositories to copy and serve (`demo`, `medium`, …).
    pub repos: Vec<&'static str>,
}

/// Everything one end-to-end test runs against: the app, a git server over private copies of
/// the fixtures, the CORS proxy allowed exactly for the app's origin and that server, and a
/// browser.
pub struct World {
    /// The browser.
    pub browser: Browser,
    /// `http://127.0.0.1:PORT` of the app.
    pub app: String,
    /// The local git server.
    pub gitserver: tabgit_gitserver::Running,
    /// The CORS proxy.
    pub proxy: tabgit_proxy::Running,
    /// The proxy's log lines.
    pub proxy_log: tabgit_proxy::LogCapture,
    /// CSP violation reports.
    pub csp_reports: CspReports,
    /// The served repositories (`<root>/demo.git`).
    pub root: tabgit_testtools::TempDir,
}

impl World {
    /// Start everything.
    pub async fn start(options: WorldOptions) -> Result<World> {
        let root = tabgit_testtools::tempdir()?;
        for name in &options.repos {
            let fixture = tabgit_testtools::fixture(name)?;
            let status = std::process::Command::new("cp")
                .arg("-a")
                .arg(&fixture)
                .arg(root.path().join(format!("{name}.git")))
                .status()?;
            if !status.success() {
                return Err(format!("cannot copy {}", fixture.display()).into());
            }
        }
        let gitserver = tabgit_gitserver::start(tabgit_gitserver::Config::new(root.path()))?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let app = format!("http://{}", listener.local_addr()?);
        let target = format!("127.0.0.1:{}", gitserver.port());
        let proxy_log = tabgit_proxy::LogCapture::default();
        let config = tabgit_proxy::Config {
            allowed_origins: vec![app.clone()],
            allow_http: vec![target.clone()],
            allow_private: vec![target],
            logging: tabgit_proxy::Logging::Capture(proxy_log.clone()),
            ..tabgit_proxy::Config::default()
        };
        let proxy = tabgit_proxy::start(config)?;
        let csp_reports = serve_app(
            listener,
            dist_dir()?,
            content_security_policy(&[proxy.url()]),
        );
        let browser = Browser::start().await?;
        Ok(World {
            browser,
            app,
            gitserver,
            proxy,
            proxy_log,
            csp_reports,
            root,
        })
    }

    /// The URL of a served repository, as the app should clone it.
    pub fn repo_url(&self, name: &str) -> String {
        format!("{}/{name}.git", self.gitserver.url().trim_end_matches('/'))
    }

    /// The bare repository the server serves as `name`.
    pub fn served(&self, name: &str) -> PathBuf {
        self.root.path().join(format!("{name}.git"))
    }

    /// Open the app at a route (`#/settings`).
    pub async fn open(&self, fragment: &str) -> Result {
        self.browser
            .driver
            .goto(format!("{}/{fragment}", self.app))
            .await?;
        Ok(())
    }

    /// Save the proxy and an identity in Settings.
    pub async fn configure(&self) -> Result {
        self.open("#/settings").await?;
        let b = &self.browser;
        b.fill("settings-proxy-url", &self.proxy.url()).await?;
        b.fill("settings-name", "Ada Lovelace").await?;
        b.fill("settings-email", "ada@example.org").await?;
        b.click("settings-save").await?;
        b.wait_text("settings-status", |t| t == "Saved").await?;
        Ok(())
    }

    /// Start a world serving `repo`, with the proxy and an identity saved, and `repo` cloned
    /// through the dialog (the files view open).
    pub async fn with_clone(repo: &'static str) -> Result<World> {
        let world = World::start(WorldOptions { repos: vec![repo] }).await?;
        world.configure().await?;
        world.clone_repo(&world.repo_url(repo)).await?;
        Ok(world)
    }

    /// Someone else commits to the served `repo` and pushes: a clone of it elsewhere gets
    /// `files` written (path, content), committed by Bob with `message`, and pushed to `main`.
    pub fn push_elsewhere(&self, repo: &str, files: &[(&str, &str)], message: &str) -> Result {
        let served = self.served(repo);
        let other = tabgit_testtools::tempdir()?;
        let dir = other.path().join(repo);
        tabgit_testtools::git(
            other.path(),
            &["clone", "-q", &served.to_string_lossy(), repo],
        )?;
        for (path, content) in files {
            let path = dir.join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, content)?;
        }
        tabgit_testtools::git(&dir, &["add", "-A"])?;
        tabgit_testtools::git(
            &dir,
            &[
                "-c",
                "user.name=Bob",
                "-c",
                "user.email=bob@example.org",
                "commit",
                "-q",
                "-m",
                message,
            ],
        )?;
        tabgit_testtools::git(&dir, &["push", "-q", "origin", "HEAD:main"])?;
        Ok(())
    }

    /// Clone `url` through the dialog and wait for the files view.
    pub async fn clone_repo(&self, url: &str) -> Result {
        let b = &self.browser;
        b.click("nav-repos").await?;
        b.click("clone-open").await?;
        b.fill("clone-url", url).await?;
        b.click("clone-submit").await?;
        b.wait_for("[data-testid=\"file-tree\"] [data-testid=\"file-entry\"]")
            .await?;
        Ok(())
    }

    /// Fail if the browser reported a CSP violation (to the report endpoint or the console).
    pub async fn assert_no_csp_violation(&self) -> Result {
        let reports = self
            .csp_reports
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        assert!(
            reports.is_empty(),
            "Content-Security-Policy violations: {reports:?}"
        );
        let console = self.browser.console().await?;
        let refused: Vec<&String> = console
            .iter()
            .filter(|m| m.contains("Content Security Policy") || m.contains("Refused to"))
            .collect();
        assert!(
            refused.is_empty(),
            "CSP messages in the console: {refused:?}"
        );
        Ok(())
    }

    /// End the browser session.
    pub async fn quit(self) -> Result {
        self.browser.quit().await
    }
}

/// A running chromedriver and a headless Chromium session driven through it.
pub struct Browser {
    /// The `WebDriver` session.
    pub driver: WebDriver,
    chromedriver: tokio::process::Child,
    console: Mutex<Vec<String>>,
    _profile: tabgit_testtools::TempDir,
}

impl Browser {
    /// Start chromedriver on a free port and open a headless Chromium with a fresh profile.
    pub async fn start() -> Result<Browser> {
        Self::launch(None).await
    }

    /// Start a browser whose profile blocks site storage (Chromium's "block all cookies and
    /// site data" setting, which denies IndexedDB too), as a user or an administrator may.
    pub async fn start_without_storage() -> Result<Browser> {
        Self::launch(Some(serde_json::json!({
            "profile": { "default_content_setting_values": { "cookies": 2 } }
        })))
        .await
    }

    /// Start Chromium with a fresh profile whose `Default/Preferences` are `preferences`.
    async fn launch(preferences: Option<serde_json::Value>) -> Result<Browser> {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
            probe.local_addr()?.port()
        };
        let chromedriver = tokio::process::Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start /usr/bin/chromedriver (run scripts/setup): {e}"))?;
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tabgit_testtools::tempdir()?;
        if let Some(preferences) = preferences {
            let default = profile.path().join("Default");
            std::fs::create_dir_all(&default)?;
            std::fs::write(default.join("Preferences"), preferences.to_string())?;
        }
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary("/usr/bin/chromium")?;
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
        ] {
            caps.add_arg(arg)?;
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))?;
        caps.set_logging_prefs("browser", LoggingPrefsLogLevel::All)?;
        let driver = WebDriver::new(&url, caps).await?;
        Ok(Browser {
            driver,
            chromedriver,
            console: Mutex::default(),
            _profile: profile,
        })
    }

    /// Find the element with `data-testid`, waiting up to `WAIT` for it to appear.
    pub async fn by_test_id(&self, id: &str) -> Result<WebElement> {
        self.wait_for(&format!("[data-testid=\"{id}\"]"))
            .await
            .map_err(|e| format!("{id} never appeared: {e}").into())
    }

    /// Find the first element matching a CSS selector, waiting up to `WAIT`.
    pub async fn wait_for(&self, css: &str) -> Result<WebElement> {
        Ok(self
            .driver
            .query(By::Css(css.to_owned()))
            .wait(WAIT, Duration::from_millis(100))
            .first()
            .await?)
    }

    /// Wait until no element matches a CSS selector (up to `WAIT`).
    pub async fn wait_gone(&self, css: &str) -> Result {
        self.driver
            .query(By::Css(css.to_owned()))
            .wait(WAIT, Duration::from_millis(100))
            .not_exists()
            .await?;
        Ok(())
    }

    /// Click the element with `data-testid`.
    ///
    /// The element is looked up afresh on every try: a view that re-renders between the
    /// lookup and the click (a diff that finishes loading, a list that refreshes) replaces
    /// the node, and a wait on the old one would never end.
    pub async fn click(&self, id: &str) -> Result {
        self.click_css(&format!("[data-testid=\"{id}\"]")).await
    }

    /// Click the first element matching a CSS selector once it is there and enabled, as
    /// [`Browser::click`] does.
    pub async fn click_css(&self, css: &str) -> Result {
        let deadline = tokio::time::Instant::now() + WAIT;
        let mut last = String::from("it never appeared");
        while tokio::time::Instant::now() < deadline {
            match self.driver.find(By::Css(css.to_owned())).await {
                Ok(element) => match element.is_enabled().await {
                    Ok(true) => match element.click().await {
                        Ok(()) => return Ok(()),
                        Err(e) => last = format!("the click failed: {e}"),
                    },
                    Ok(false) => last = String::from("it stayed disabled"),
                    Err(e) => last = format!("it went away: {e}"),
                },
                Err(e) => last = format!("it never appeared: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("could not click {css}: {last}").into())
    }

    /// Replace the value of the input with `data-testid`.
    pub async fn fill(&self, id: &str, text: &str) -> Result {
        let element = self.by_test_id(id).await?;
        element.clear().await?;
        element.send_keys(text).await?;
        Ok(())
    }

    /// Wait until the text of the element with `data-testid` satisfies `pred` (up to
    /// `WAIT`); return the text.
    pub async fn wait_text(&self, id: &str, pred: impl Fn(&str) -> bool) -> Result<String> {
        self.wait_css_text(&format!("[data-testid=\"{id}\"]"), pred)
            .await
    }

    /// Wait until the text of the first element matching `css` satisfies `pred`.
    pub async fn wait_css_text(&self, css: &str, pred: impl Fn(&str) -> bool) -> Result<String> {
        let mut last = String::new();
        let deadline = tokio::time::Instant::now() + WAIT;
        while tokio::time::Instant::now() < deadline {
            if let Ok(element) = self.driver.find(By::Css(css.to_owned())).await {
                if let Ok(text) = element.text().await {
                    if pred(&text) {
                        return Ok(text);
                    }
                    last = text;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let banner = self.banner().await;
        Err(format!(
            "{css} never reached the expected text; last text: {last:?}; error banner: {banner:?}"
        )
        .into())
    }

    /// Wait until the engine worker answered the app's ping; the badge's text.
    pub async fn engine_ready(&self) -> Result<String> {
        self.wait_text("engine-status", |t| t.starts_with("engine ready"))
            .await
    }

    /// Run an asynchronous script in the page: it gets `args`, then a callback as its last
    /// argument, and what it passes to the callback comes back as JSON.
    pub async fn script(
        &self,
        script: &str,
        args: Vec<serde_json::Value>,
    ) -> Result<serde_json::Value> {
        Ok(self
            .driver
            .execute_async(script, args)
            .await?
            .json()
            .clone())
    }

    /// The names of the page origin's IndexedDB databases, sorted (one per repository).
    pub async fn databases(&self) -> Result<serde_json::Value> {
        self.script(
            "const done = arguments[arguments.length - 1];
             indexedDB.databases().then((d) => done(d.map((x) => x.name).sort()));",
            Vec::new(),
        )
        .await
    }

    /// The error banner's text, if one is shown.
    pub async fn banner(&self) -> Option<String> {
        let element = self
            .driver
            .find(By::Css("[data-testid=\"error-banner\"]"))
            .await
            .ok()?;
        element.text().await.ok()
    }

    /// Every console message so far (drained from the browser and kept here).
    pub async fn console(&self) -> Result<Vec<String>> {
        let entries = self.driver.get_log("browser").await.unwrap_or_default();
        let mut console = self
            .console
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        console.extend(
            entries
                .into_iter()
                .map(|e| format!("{} {}", e.level, e.message)),
        );
        Ok(console.clone())
    }

    /// Emulate the system's colour scheme (`light` or `dark`).
    pub async fn color_scheme(&self, scheme: &str) -> Result {
        self.driver
            .cdp()
            .send_raw(
                "Emulation.setEmulatedMedia",
                serde_json::json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
            )
            .await?;
        Ok(())
    }

    /// Save a PNG of the page as `target/screenshots/<name>.png` (the README and docs/ use them).
    pub async fn screenshot(&self, name: &str) -> Result {
        let dir = tabgit_testtools::workspace_root().join("target/screenshots");
        std::fs::create_dir_all(&dir)?;
        self.driver
            .screenshot(&dir.join(format!("{name}.png")))
            .await?;
        Ok(())
    }

    /// End the session and stop chromedriver.
    pub async fn quit(mut self) -> Result {
        self.driver.quit().await?;
        let _ = self.chromedriver.kill().await;
        Ok(())
    }
}
