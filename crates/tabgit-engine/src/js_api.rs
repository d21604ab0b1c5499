//! The engine for other web apps: a JavaScript class, `TabgitEngine`, over the same messages
//! the Leptos app sends ([`crate::protocol`]). It starts its own engine worker, so the git work
//! stays off the page's thread, and answers with plain JavaScript objects and `Uint8Array`s.
//!
//! The app's module exports it (trunk writes its TypeScript definitions next to it, in
//! `tabgit-app-<hash>.d.ts`), and the app's page also sets `window.tabgit.TabgitEngine`:
//!
//! ```js
//! const engine = new window.tabgit.TabgitEngine("./tabgit-worker_loader.js");
//! await engine.clone("demo", "https://example.org/demo.git", { proxy: "https://proxy.example" });
//! const readme = new TextDecoder().decode(await engine.readFile("demo", "README.md"));
//! ```
//!
//! Paths are given and returned as strings (UTF-8; a path that is not is shown with U+FFFD),
//! file contents as bytes. A failure rejects the promise with an `Error` named `TabgitError`
//! whose message is the engine's words ("Repository not found: …").

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::bridge::EngineClient;
use crate::protocol::{
    ChangeKind, CommitSummary, EngineError, Identity, Op, Progress, Remote, Reply, RepoSummary,
    Secret, StatusSummary,
};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A repository stored in this browser. */
export interface RepoSummary { name: string; url: string | null; branch: string | null; head: string | null; size: number }
/** One changed path: `staged` is index vs HEAD, `unstaged` working tree vs index. */
export interface FileStatus { path: string; oldPath: string | null; staged: ChangeKind | null; unstaged: ChangeKind | null }
export type ChangeKind = "added" | "modified" | "deleted" | "renamed" | "typeChanged" | "untracked" | "conflicted";
export interface Status { branch: string | null; ahead: number; behind: number; merging: boolean; files: FileStatus[] }
export interface Commit { id: string; parents: string[]; author: string; email: string; time: number; summary: string }
/** Progress of a clone, fetch or push: a phase with counts, or a line from the server. */
export type Progress = { phase: string; done: number; total: number; bytes: number } | { message: string };
/** Who commits; the time is now unless given (seconds since the epoch, minutes east of UTC). */
export interface Person { name: string; email: string; time?: number; offsetMinutes?: number }
/** How to reach a remote. A secret is sent only to the URL's own origin. */
export interface RemoteOptions { proxy?: string; username?: string; token?: string; bearer?: string }
export interface CloneOptions extends RemoteOptions { branch?: string; depth?: number; author?: Person; onProgress?: (p: Progress) => void; signal?: AbortSignal }
export interface SyncOptions extends RemoteOptions { url: string; author: Person; onProgress?: (p: Progress) => void; signal?: AbortSignal }
export interface RefResult { name: string; ok: boolean; message: string }
"#;

/// The engine, for JavaScript.
#[wasm_bindgen(js_name = TabgitEngine)]
pub struct JsEngine {
    client: EngineClient,
}

fn error(err: &EngineError) -> JsValue {
    // The title is often the detail's first words, capitalized: say them once.
    let repeated = err
        .detail
        .get(..err.title.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(&err.title));
    let text = if err.detail.is_empty() {
        err.title.clone()
    } else if repeated {
        format!("{}{}", err.title, &err.detail[err.title.len()..])
    } else {
        format!("{}: {}", err.title, err.detail)
    };
    let error = js_sys::Error::new(&text);
    error.set_name("TabgitError");
    error.into()
}

fn usage(text: &str) -> JsValue {
    error(&EngineError {
        title: text.to_owned(),
        detail: String::new(),
    })
}

/// A plain object from `(key, value)` pairs.
fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let out = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&out, &JsValue::from_str(key), value);
    }
    out.into()
}

fn text(bytes: &[u8]) -> JsValue {
    JsValue::from_str(&String::from_utf8_lossy(bytes))
}

fn optional(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

/// A field of an options object: `undefined` and `null` are absent.
fn field(options: &JsValue, key: &str) -> Option<JsValue> {
    if !options.is_object() {
        return None;
    }
    Reflect::get(options, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn string_field(options: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    match field(options, key) {
        None => Ok(None),
        Some(value) => value
            .as_string()
            .map(Some)
            .ok_or_else(|| usage(&format!("option '{key}' must be a string"))),
    }
}

fn number_field(options: &JsValue, key: &str) -> Result<Option<f64>, JsValue> {
    match field(options, key) {
        None => Ok(None),
        Some(value) => value
            .as_f64()
            .map(Some)
            .ok_or_else(|| usage(&format!("option '{key}' must be a number"))),
    }
}

/// A `Person` object as the engine's identity, at its time or now.
fn person(value: Option<JsValue>) -> Result<Identity, JsValue> {
    let value = value.ok_or_else(|| usage("an author ({ name, email }) is needed"))?;
    let name = string_field(&value, "name")?.ok_or_else(|| usage("the author needs a name"))?;
    let email = string_field(&value, "email")?.ok_or_else(|| usage("the author needs an email"))?;
    at_time(name, email, &value)
}

/// `name <email>` at the `time` and `offsetMinutes` of `value`, or now where it has none.
fn at_time(name: String, email: String, value: &JsValue) -> Result<Identity, JsValue> {
    let now = js_sys::Date::new_0();
    let time = number_field(value, "time")?.unwrap_or_else(|| (now.get_time() / 1000.0).floor());
    let offset =
        number_field(value, "offsetMinutes")?.unwrap_or_else(|| -now.get_timezone_offset());
    #[allow(clippy::cast_possible_truncation)]
    Ok(Identity {
        name,
        email,
        time: time as i64,
        offset_minutes: offset as i32,
    })
}

/// The remote at `url` with the proxy and credentials of `options`.
fn remote(url: String, options: &JsValue) -> Result<Remote, JsValue> {
    let secret = match (
        string_field(options, "username")?,
        string_field(options, "token")?,
        string_field(options, "bearer")?,
    ) {
        (_, _, Some(token)) => Some(Secret::Bearer { token }),
        (Some(username), Some(secret), None) => Some(Secret::Basic { username, secret }),
        (None, Some(secret), None) => Some(Secret::Basic {
            username: "git".into(),
            secret,
        }),
        (Some(_), None, None) => return Err(usage("a username needs a token")),
        (None, None, None) => None,
    };
    Ok(Remote {
        url,
        proxy: string_field(options, "proxy")?,
        secret,
    })
}

/// The remote and the author of a `SyncOptions` object (fetch, push).
fn sync_parts(options: &JsValue) -> Result<(Remote, Identity), JsValue> {
    let url = string_field(options, "url")?.ok_or_else(|| usage("options.url is needed"))?;
    Ok((remote(url, options)?, person(field(options, "author"))?))
}

fn repo_summary(repo: &RepoSummary) -> JsValue {
    #[allow(clippy::cast_precision_loss)]
    object(&[
        ("name", JsValue::from_str(&repo.name)),
        ("url", optional(repo.url.as_deref())),
        ("branch", optional(repo.branch.as_deref())),
        ("head", optional(repo.head.as_deref())),
        ("size", JsValue::from_f64(repo.size as f64)),
    ])
}

fn change_kind(kind: Option<&ChangeKind>) -> JsValue {
    kind.map_or(JsValue::NULL, |kind| {
        JsValue::from_str(match kind {
            ChangeKind::Added => "added",
            ChangeKind::Modified => "modified",
            ChangeKind::Deleted => "deleted",
            ChangeKind::Renamed => "renamed",
            ChangeKind::TypeChanged => "typeChanged",
            ChangeKind::Untracked => "untracked",
            ChangeKind::Conflicted => "conflicted",
        })
    })
}

fn status(status: &StatusSummary) -> JsValue {
    let files: Array = status
        .files
        .iter()
        .map(|f| {
            object(&[
                ("path", text(&f.path)),
                ("oldPath", f.old_path.as_deref().map_or(JsValue::NULL, text)),
                ("staged", change_kind(f.staged.as_ref())),
                ("unstaged", change_kind(f.unstaged.as_ref())),
            ])
        })
        .collect();
    #[allow(clippy::cast_precision_loss)]
    object(&[
        ("branch", optional(status.branch.as_deref())),
        ("ahead", JsValue::from_f64(status.ahead as f64)),
        ("behind", JsValue::from_f64(status.behind as f64)),
        ("merging", JsValue::from_bool(status.merging)),
        ("files", files.into()),
    ])
}

fn commit(c: &CommitSummary) -> JsValue {
    #[allow(clippy::cast_precision_loss)]
    object(&[
        ("id", JsValue::from_str(&c.id)),
        (
            "parents",
            c.parents
                .iter()
                .map(|p| JsValue::from_str(p))
                .collect::<Array>()
                .into(),
        ),
        ("author", JsValue::from_str(&c.author)),
        ("email", JsValue::from_str(&c.email)),
        ("time", JsValue::from_f64(c.time as f64)),
        ("summary", JsValue::from_str(&c.summary)),
    ])
}

fn progress(p: &Progress) -> JsValue {
    #[allow(clippy::cast_precision_loss)]
    match p {
        Progress::Phase {
            name,
            done,
            total,
            bytes,
        } => object(&[
            ("phase", JsValue::from_str(name)),
            ("done", JsValue::from_f64(*done as f64)),
            ("total", JsValue::from_f64(*total as f64)),
            ("bytes", JsValue::from_f64(*bytes as f64)),
        ]),
        Progress::Message(text) => object(&[("message", JsValue::from_str(text))]),
    }
}

fn unexpected(reply: &Reply) -> JsValue {
    usage(&format!("the engine gave an unexpected answer: {reply:?}"))
}

impl JsEngine {
    /// Run `op`, passing progress to `options.onProgress` and cancelling on `options.signal`,
    /// and convert its reply with `convert`.
    fn run(
        &self,
        op: Op,
        options: &JsValue,
        convert: impl FnOnce(Reply) -> Result<JsValue, JsValue> + 'static,
    ) -> Promise {
        let on_progress = field(options, "onProgress").and_then(|f| f.dyn_into::<Function>().ok());
        let signal =
            field(options, "signal").and_then(|s| s.dyn_into::<web_sys::AbortSignal>().ok());
        let report = on_progress.map(|f| {
            Box::new(move |p: Progress| {
                let _ = f.call1(&JsValue::NULL, &progress(&p));
            }) as Box<dyn Fn(Progress)>
        });
        let client = self.client.clone();
        let (id, receiver) = client.send(op, report);
        if signal.as_ref().is_some_and(web_sys::AbortSignal::aborted) {
            client.cancel(id);
        }
        let abort = signal.map(|signal| {
            let client = client.clone();
            let on_abort = Closure::<dyn FnMut()>::new(move || client.cancel(id));
            let _ =
                signal.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
            (signal, on_abort)
        });
        future_to_promise(async move {
            let reply = receiver.await.unwrap_or_else(|_| {
                Err(EngineError {
                    title: "The engine stopped before answering".into(),
                    detail: String::new(),
                })
            });
            if let Some((signal, on_abort)) = abort {
                let _ = signal.remove_event_listener_with_callback(
                    "abort",
                    on_abort.as_ref().unchecked_ref(),
                );
            }
            convert(reply.map_err(|e| error(&e))?)
        })
    }
}

#[wasm_bindgen(js_class = TabgitEngine)]
impl JsEngine {
    /// Start an engine worker from `workerUrl` (the app's is `./tabgit-worker_loader.js`).
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(js_name = workerUrl)] worker_url: &str) -> Result<JsEngine, JsValue> {
        Ok(JsEngine {
            client: EngineClient::spawn(worker_url)?,
        })
    }

    /// How many times the worker crashed and was restarted (storage stays consistent).
    pub fn restarts(&self) -> u32 {
        self.client.restarts()
    }

    /// The engine's version, once its worker answers.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn ping(&self) -> Promise {
        self.run(Op::Ping, &JsValue::UNDEFINED, |reply| match reply {
            Reply::Pong { version } => Ok(JsValue::from_str(&version)),
            other => Err(unexpected(&other)),
        })
    }

    /// The repositories stored in this browser.
    #[wasm_bindgen(js_name = listRepos, unchecked_return_type = "Promise<RepoSummary[]>")]
    pub fn list_repos(&self) -> Promise {
        self.run(Op::ListRepos, &JsValue::UNDEFINED, |reply| match reply {
            Reply::Repos(repos) => Ok(repos.iter().map(repo_summary).collect::<Array>().into()),
            other => Err(unexpected(&other)),
        })
    }

    /// Clone `url` into a new repository `name`; nothing is kept if it fails or is cancelled.
    #[wasm_bindgen(js_name = clone, unchecked_return_type = "Promise<RepoSummary>")]
    pub fn clone_repo(
        &self,
        name: String,
        url: String,
        #[wasm_bindgen(unchecked_param_type = "CloneOptions")] options: &JsValue,
    ) -> Result<Promise, JsValue> {
        // The clone's reflog names someone; without an author, tabgit itself, now.
        let author = match field(options, "author") {
            Some(author) => person(Some(author))?,
            None => at_time(
                "tabgit".into(),
                "tabgit@localhost".into(),
                &JsValue::UNDEFINED,
            )?,
        };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let op = Op::Clone {
            name,
            remote: remote(url, options)?,
            branch: string_field(options, "branch")?,
            depth: number_field(options, "depth")?.map(|d| d as u32),
            filter: None,
            identity: author,
        };
        Ok(self.run(op, options, |reply| match reply {
            Reply::Repo(repo) => Ok(repo_summary(&repo)),
            other => Err(unexpected(&other)),
        }))
    }

    /// Delete repository `repo` and everything in it.
    #[wasm_bindgen(js_name = deleteRepo, unchecked_return_type = "Promise<void>")]
    pub fn delete_repo(&self, repo: String) -> Promise {
        self.run(Op::DeleteRepo { name: repo }, &JsValue::UNDEFINED, |_| {
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Staged, unstaged, untracked and conflicted paths, with ahead/behind.
    #[wasm_bindgen(unchecked_return_type = "Promise<Status>")]
    pub fn status(&self, repo: String) -> Promise {
        self.run(
            Op::Status { repo },
            &JsValue::UNDEFINED,
            |reply| match reply {
                Reply::Status(s) => Ok(status(&s)),
                other => Err(unexpected(&other)),
            },
        )
    }

    /// The bytes of a file in the working tree.
    #[wasm_bindgen(js_name = readFile, unchecked_return_type = "Promise<Uint8Array>")]
    pub fn read_file(&self, repo: String, path: String) -> Promise {
        let op = Op::ReadFile {
            repo,
            path: path.into_bytes(),
        };
        self.run(op, &JsValue::UNDEFINED, |reply| match reply {
            Reply::File(data) => Ok(Uint8Array::from(&data[..]).into()),
            other => Err(unexpected(&other)),
        })
    }

    /// Create or replace a file in the working tree.
    #[wasm_bindgen(js_name = writeFile, unchecked_return_type = "Promise<void>")]
    pub fn write_file(
        &self,
        repo: String,
        path: String,
        data: &[u8],
        executable: Option<bool>,
    ) -> Promise {
        let op = Op::WriteFile {
            repo,
            path: path.into_bytes(),
            data: data.to_vec(),
            executable: executable.unwrap_or(false),
        };
        self.run(op, &JsValue::UNDEFINED, |_| Ok(JsValue::UNDEFINED))
    }

    /// Stage whole paths (`git add`; a deleted file stages its deletion).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn stage(&self, repo: String, paths: Vec<String>) -> Promise {
        let paths = paths.into_iter().map(String::into_bytes).collect();
        self.run(Op::Stage { repo, paths }, &JsValue::UNDEFINED, |_| {
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Commit what is staged; the new commit's id.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn commit(
        &self,
        repo: String,
        message: String,
        #[wasm_bindgen(unchecked_param_type = "Person")] author: JsValue,
    ) -> Result<Promise, JsValue> {
        let op = Op::Commit {
            repo,
            message,
            amend: false,
            identity: person(Some(author))?,
        };
        Ok(self.run(op, &JsValue::UNDEFINED, |reply| match reply {
            Reply::Committed { id } => Ok(JsValue::from_str(&id)),
            other => Err(unexpected(&other)),
        }))
    }

    /// The first `count` commits of the current branch, newest first.
    #[wasm_bindgen(unchecked_return_type = "Promise<Commit[]>")]
    pub fn log(&self, repo: String, count: u32) -> Promise {
        let op = Op::Log {
            repo,
            start: None,
            skip: 0,
            count: count as usize,
        };
        self.run(op, &JsValue::UNDEFINED, |reply| match reply {
            Reply::Commits(commits) => Ok(commits.iter().map(commit).collect::<Array>().into()),
            other => Err(unexpected(&other)),
        })
    }

    /// Fetch from `options.url` into `origin`'s remote-tracking refs; the updated refs, in words.
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn fetch(
        &self,
        repo: String,
        #[wasm_bindgen(unchecked_param_type = "SyncOptions")] options: &JsValue,
    ) -> Result<Promise, JsValue> {
        let (remote, identity) = sync_parts(options)?;
        let op = Op::Fetch {
            repo,
            remote,
            identity,
        };
        Ok(self.run(op, options, |reply| match reply {
            Reply::Fetched { updates } => Ok(updates
                .iter()
                .map(|u| JsValue::from_str(u))
                .collect::<Array>()
                .into()),
            other => Err(unexpected(&other)),
        }))
    }

    /// Push the current branch to `options.url` (its upstream there); each ref's result (a
    /// rejection is a result, not an error).
    #[wasm_bindgen(unchecked_return_type = "Promise<RefResult[]>")]
    pub fn push(
        &self,
        repo: String,
        #[wasm_bindgen(unchecked_param_type = "SyncOptions")] options: &JsValue,
    ) -> Result<Promise, JsValue> {
        let (remote, identity) = sync_parts(options)?;
        let op = Op::Push {
            repo,
            remote,
            force: false,
            identity,
        };
        Ok(self.run(op, options, |reply| match reply {
            Reply::Pushed { refs } => Ok(refs
                .iter()
                .map(|r| {
                    object(&[
                        ("name", JsValue::from_str(&r.name)),
                        ("ok", JsValue::from_bool(r.ok)),
                        ("message", JsValue::from_str(&r.message)),
                    ])
                })
                .collect::<Array>()
                .into()),
            other => Err(unexpected(&other)),
        }))
    }
}
