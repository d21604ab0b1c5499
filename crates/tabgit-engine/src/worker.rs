//! The worker side: receive requests, run them, post events back.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::Uint8Array;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, DedicatedWorkerGlobalScope, MessageEvent};

use crate::ops;
use crate::protocol::{
    decode, encode, EngineError, Event, EventKind, Op, Progress, Reply, Request,
};

type Running = Rc<RefCell<HashMap<u64, (Rc<Cell<bool>>, AbortController)>>>;

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(event: &Event) {
    let bytes = encode(event);
    let _ = scope().post_message(&Uint8Array::from(&bytes[..]));
}

/// Start serving requests (the `tabgit-worker` binary's `main`).
pub fn run() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        // Tell the page before the instance aborts; it restarts the engine.
        post(&Event {
            id: 0,
            kind: EventKind::Crashed(info.to_string()),
        });
    }));
    ops::set_busy_hook(|repo, waiting| {
        post(&Event {
            id: 0,
            kind: EventKind::Busy {
                repo: repo.to_owned(),
                waiting,
            },
        });
    });
    let running: Running = Rc::default();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let bytes = Uint8Array::new(&event.data()).to_vec();
        match decode::<Request>(&bytes) {
            Ok(request) => wasm_bindgen_futures::spawn_local(handle(request, running.clone())),
            Err(err) => web_sys::console::error_1(
                &format!("tabgit engine: undecodable request: {err}").into(),
            ),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&Event {
        id: 0,
        kind: EventKind::Ready,
    });
}

async fn handle(request: Request, running: Running) {
    let id = request.id;
    if let Some(reply) = crate::handle_sync(&request.op) {
        post(&Event {
            id,
            kind: EventKind::Done(reply),
        });
        return;
    }
    if let Op::Cancel { request: target } = request.op {
        if let Some((flag, abort)) = running.borrow().get(&target) {
            flag.set(true);
            abort.abort();
        }
        post(&Event {
            id,
            kind: EventKind::Done(Ok(Reply::Done)),
        });
        return;
    }
    let cancelled = Rc::new(Cell::new(false));
    let Ok(abort) = AbortController::new() else {
        post(&Event {
            id,
            kind: EventKind::Done(Err(EngineError {
                title: "Cannot create an AbortController".into(),
                detail: String::new(),
            })),
        });
        return;
    };
    running
        .borrow_mut()
        .insert(id, (cancelled.clone(), abort.clone()));
    let mut progress = move |p: Progress| {
        post(&Event {
            id,
            kind: EventKind::Progress(p),
        });
    };
    let reply = dispatch(request.op, cancelled, abort, &mut progress).await;
    running.borrow_mut().remove(&id);
    post(&Event {
        id,
        kind: EventKind::Done(reply),
    });
}

async fn dispatch(
    op: Op,
    cancelled: Rc<Cell<bool>>,
    abort: AbortController,
    progress: ops::ProgressSink<'_>,
) -> Result<Reply, EngineError> {
    let cancel = ops::Cancel {
        flag: cancelled,
        abort,
    };
    match op {
        Op::ListRepos => ops::list().await,
        Op::StorageEstimate => ops::storage_estimate().await,
        Op::Clone {
            name,
            remote,
            branch,
            depth,
            filter,
            identity,
        } => {
            ops::clone(
                &name,
                &remote,
                &ops::CloneShape {
                    branch,
                    depth,
                    filter,
                },
                &identity,
                cancel,
                progress,
            )
            .await
        }
        Op::DeleteRepo { name } => ops::delete(&name).await,
        Op::Info { repo } => ops::info(&repo).await,
        Op::ListFiles { repo } => ops::list_files(&repo).await,
        Op::ReadFile { repo, path } => ops::read_file(&repo, &path).await,
        Op::WriteFile {
            repo,
            path,
            data,
            executable,
        } => ops::write_file(&repo, &path, &data, executable).await,
        Op::DeleteFile { repo, path } => ops::remove_file(&repo, &path).await,
        Op::Log {
            repo,
            start,
            skip,
            count,
        } => ops::log(&repo, start.as_deref(), skip, count).await,
        Op::Fetch {
            repo,
            remote,
            identity,
        } => ops::fetch(&repo, &remote, &identity, cancel, progress).await,
        Op::Push {
            repo,
            remote,
            force,
            identity,
        } => ops::push(&repo, &remote, force, &identity, cancel, progress).await,
        Op::Pull {
            repo,
            remote,
            identity,
        } => ops::pull(&repo, &remote, &identity, cancel, progress).await,
        Op::TestRemote { remote } => ops::test_remote(&remote, cancel).await,
        Op::Stage { repo, paths } => ops::stage(&repo, &paths).await,
        Op::Unstage { repo, paths } => ops::unstage(&repo, &paths).await,
        Op::Discard { repo, paths } => ops::discard(&repo, &paths).await,
        Op::StageHunk {
            repo,
            path,
            hunk,
            unstage,
            old_id,
            new_id,
        } => ops::stage_hunk(&repo, &path, hunk, unstage, (old_id, new_id)).await,
        Op::Commit {
            repo,
            message,
            amend,
            identity,
        } => ops::commit(&repo, &message, amend, &identity).await,
        Op::History {
            repo,
            start,
            all,
            path,
            author,
            text,
            skip,
            count,
        } => {
            let filter = ops::HistoryFilter { path, author, text };
            ops::history(&repo, start.as_deref(), all, &filter, skip, count).await
        }
        Op::RenamePath { repo, from, to } => ops::rename_path(&repo, &from, &to).await,
        Op::DeletePath { repo, path } => ops::delete_path(&repo, &path).await,
        Op::RenameBranch {
            repo,
            from,
            to,
            identity,
        } => ops::rename_branch(&repo, &from, &to, &identity).await,
        Op::CreateTag {
            repo,
            name,
            target,
            message,
            identity,
        } => {
            ops::create_tag(
                &repo,
                &name,
                target.as_deref(),
                message.as_deref(),
                &identity,
            )
            .await
        }
        Op::DeleteTag { repo, name } => ops::delete_tag(&repo, &name).await,
        Op::PushRefs {
            repo,
            remote,
            refs,
            set_upstream,
            identity,
        } => {
            ops::push_refs(
                &repo,
                &remote,
                &refs,
                set_upstream,
                &identity,
                cancel,
                progress,
            )
            .await
        }
        Op::StashSave {
            repo,
            message,
            identity,
        } => ops::stash_save(&repo, message.as_deref(), &identity).await,
        Op::StashList { repo } => ops::stash_list(&repo).await,
        Op::StashApply { repo, index, pop } => ops::stash_apply(&repo, index, pop).await,
        Op::StashDrop { repo, index } => ops::stash_drop(&repo, index).await,
        Op::Reflog { repo, name, count } => ops::reflog(&repo, &name, count).await,
        Op::ShowCommit { repo, id } => ops::show_commit(&repo, &id).await,
        Op::CommitFileDiff { repo, id, path } => ops::commit_file_diff(&repo, &id, &path).await,
        Op::Blame { repo, path, rev } => ops::blame(&repo, &path, rev.as_deref()).await,
        Op::FileAt { repo, rev, path } => ops::file_at(&repo, &rev, &path).await,
        Op::CreateBranch {
            repo,
            name,
            start,
            switch,
            identity,
        } => ops::create_branch(&repo, &name, start.as_deref(), switch, &identity).await,
        Op::Switch {
            repo,
            branch,
            identity,
        } => ops::switch_branch(&repo, &branch, &identity).await,
        Op::DeleteBranch { repo, name, force } => ops::delete_branch(&repo, &name, force).await,
        Op::Merge {
            repo,
            rev,
            identity,
        } => ops::merge(&repo, &rev, &identity).await,
        Op::AbortMerge { repo, identity } => ops::abort_merge(&repo, &identity).await,
        Op::ContinueMerge { repo, identity } => ops::continue_merge(&repo, &identity).await,
        Op::Conflict { repo, path } => ops::conflict(&repo, &path).await,
        Op::Resolve {
            repo,
            path,
            resolution,
        } => ops::resolve(&repo, &path, &resolution).await,
        Op::Revert { repo, id, identity } => ops::revert(&repo, &id, &identity).await,
        Op::RestoreFiles { repo, rev, paths } => ops::restore_files(&repo, &rev, &paths).await,
        Op::Reset {
            repo,
            rev,
            mode,
            identity,
        } => ops::reset(&repo, &rev, mode, &identity).await,
        Op::Status { repo } => ops::status(&repo).await,
        Op::DiffFile { repo, path, staged } => ops::diff_file(&repo, &path, staged).await,
        Op::Branches { repo } => ops::branches(&repo).await,
        Op::SyncState { repo } => ops::sync_state(&repo).await,
        Op::Ping | Op::HashObject { .. } | Op::Cancel { .. } => Ok(Reply::Done),
    }
}
