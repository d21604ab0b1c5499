//! What the engine does for each request: open a repository from IndexedDB, run the
//! synchronous core (loading the pack chunks it asks for and running again), persist the
//! changes in one transaction.

pub mod branching;
mod changes;
mod history;
mod locks;
mod remote;
mod repo;

pub use branching::{
    abort_merge, conflict, continue_merge, create_branch, create_tag, delete_branch, delete_tag,
    merge, reflog, rename_branch, reset, resolve, restore_files, revert, stash_apply, stash_drop,
    stash_list, stash_save, switch_branch,
};
pub use changes::{
    branches, commit, diff_file, discard, stage, stage_hunk, status, sync_state, unstage,
};
pub use history::{blame, commit_file_diff, file_at, history, show_commit, HistoryFilter};
pub use locks::{set_busy_hook, with_lock};
pub use remote::{clone, fetch, pull, push, push_refs, test_remote, CloneShape};
pub use repo::{
    delete, delete_path, info, list, list_files, log, read_file, remove_file, rename_path,
    storage_estimate, write_file, OpenRepo,
};

use crate::protocol::{EngineError, Identity, Progress};

/// How a request is cancelled: a flag the core checks between steps, and an abort for `fetch`.
#[derive(Clone)]
pub struct Cancel {
    /// Set when the page asks to cancel.
    pub flag: std::rc::Rc<std::cell::Cell<bool>>,
    /// Aborts requests in flight.
    pub abort: web_sys::AbortController,
}

/// Report progress to the page.
pub type ProgressSink<'a> = &'a mut dyn FnMut(Progress);

/// A signature from an identity sent by the page.
pub fn signature(identity: &Identity) -> tabgit_object::Signature {
    tabgit_object::Signature {
        name: identity.name.clone().into_bytes(),
        email: identity.email.clone().into_bytes(),
        time: tabgit_object::Time::new(identity.time, identity.offset_minutes),
    }
}

/// An error from storage, in words.
pub fn storage_error(err: &tabgit_store::idb::Error) -> EngineError {
    let title = match err {
        tabgit_store::idb::Error::QuotaExceeded { .. } => {
            "Browser storage is full; nothing was changed"
        }
        tabgit_store::idb::Error::Unavailable { .. } => {
            "Browser storage is unavailable (private mode or disabled storage?)"
        }
        tabgit_store::idb::Error::Blocked => {
            "The repository is open in another tab with an older tabgit; close it and retry"
        }
        tabgit_store::idb::Error::Closed => {
            "Another tab upgraded or deleted this repository; reload this tab"
        }
        tabgit_store::idb::Error::Failed { .. } => "Browser storage failed",
    };
    EngineError::new(title, err)
}
