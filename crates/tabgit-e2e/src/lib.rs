//! Support for end-to-end tests of the built web app: a static server for `dist/`, a
//! chromedriver process, and a headless Chromium session.
//!
//! The tests expect `trunk build --release` to have produced `dist/` (scripts/test does it);
//! `TABGIT_DIST` points elsewhere.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

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

/// Serve the files of `root` on 127.0.0.1 (port chosen by the system) until the process ends.
/// Unknown paths get `index.html`, as a single-page app expects.
pub async fn serve_static(root: PathBuf) -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let root = root.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let Ok(n) = stream.read(&mut buf).await else {
                    return;
                };
                let request = String::from_utf8_lossy(&buf[..n]);
                let path = request.split_whitespace().nth(1).unwrap_or("/");
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
                    "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                    content_type(&file),
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
            });
        }
    });
    Ok(addr)
}

/// A running chromedriver and a headless Chromium session driven through it.
pub struct Browser {
    /// The `WebDriver` session.
    pub driver: WebDriver,
    chromedriver: tokio::process::Child,
    _profile: tabgit_testtools::TempDir,
}

impl Browser {
    /// Start chromedriver on a free port and open a headless Chromium with a fresh profile.
    pub async fn start() -> Result<Browser> {
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
        let driver = WebDriver::new(&url, caps).await?;
        Ok(Browser {
            driver,
            chromedriver,
            _profile: profile,
        })
    }

    /// Find the element with `data-testid`, waiting up to 30 seconds for it to appear.
    pub async fn by_test_id(&self, id: &str) -> Result<WebElement> {
        Ok(self
            .driver
            .query(By::Css(format!("[data-testid=\"{id}\"]")))
            .wait(Duration::from_secs(30), Duration::from_millis(100))
            .first()
            .await?)
    }

    /// Wait until the text of the element with `data-testid` satisfies `pred`; return the text.
    pub async fn wait_text(&self, id: &str, pred: impl Fn(&str) -> bool) -> Result<String> {
        let element = self.by_test_id(id).await?;
        let mut last = String::new();
        for _ in 0..300 {
            last = element.text().await?;
            if pred(&last) {
                return Ok(last);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(
            format!("[data-testid={id}] never reached the expected text; last text: {last:?}")
                .into(),
        )
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
