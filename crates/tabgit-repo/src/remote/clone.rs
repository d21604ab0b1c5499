//! `git clone`: init, fetch, set up `origin` and tracking, then check out the default branch.
//!
//! A clone either completes or fails; on failure the caller deletes what was created (the
//! directory natively, the database in the browser), so no half-cloned repository claims to be
//! complete. Refs move only after every object is stored and checked (see [`super::fetch`]).

use tabgit_object::Signature;
use tabgit_refs::refspec::{Operation, RefSpec};
use tabgit_refs::Target;
use tabgit_store::files::GitFiles;
use tabgit_store::refs::{Change, Expected, LogEntry, RefEdit};
use tabgit_store::worktree::Worktree;
use tabgit_transport::HttpClient;

use crate::remote::fetch::{self, Tags};
use crate::remote::{Error, Progress, Session};
use crate::{init, Repository};

/// How to clone.
#[derive(Clone, Debug)]
pub struct Options {
    /// Check out this branch instead of the remote's HEAD (`--branch`).
    pub branch: Option<String>,
    /// Fetch only that branch (`--single-branch`).
    pub single_branch: bool,
    /// History depth (`--depth`).
    pub depth: Option<u32>,
    /// A partial-clone filter (`--filter=blob:none`).
    pub filter: Option<String>,
    /// Do not check out (`--no-checkout`).
    pub no_checkout: bool,
    /// No working tree (`--bare`).
    pub bare: bool,
    /// The remote's name.
    pub remote_name: String,
    /// Stop when the pack would exceed this many bytes.
    pub max_pack_bytes: Option<u64>,
    /// Who makes the clone, for reflogs.
    pub committer: Signature,
    /// Ask the server for progress messages.
    pub server_progress: bool,
}

impl Options {
    /// Defaults: full clone of everything, remote `origin`.
    pub fn new(committer: Signature) -> Self {
        Options {
            branch: None,
            single_branch: false,
            depth: None,
            filter: None,
            no_checkout: false,
            bare: false,
            remote_name: "origin".into(),
            max_pack_bytes: None,
            committer,
            server_progress: false,
        }
    }
}

/// Clone `session`'s repository into `files` (and `worktree` unless bare).
pub async fn clone<F: GitFiles + Clone, C: HttpClient>(
    files: F,
    worktree: Option<Box<dyn Worktree>>,
    session: &mut Session<'_, C>,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Repository<F>, Error> {
    let mut coalesce = super::Coalesce::default();
    let progress = &mut |p: Progress| {
        if coalesce.pass(&p) {
            progress(p);
        }
    };
    let init_options = init::Options {
        initial_branch: "main".into(),
        bare: options.bare,
    };
    let mut repo = init::init(files, worktree, &init_options)?;
    let remote = options.remote_name.as_str();
    let url = session.url.to_string();
    // `--depth` implies `--single-branch`, as in git.
    let single_branch = options.single_branch || options.depth.is_some();
    let mut branch_choice = options.branch.clone();
    if single_branch && branch_choice.is_none() {
        let (_, refs) = super::list_refs(session, vec![b"HEAD".to_vec()]).await?;
        branch_choice = refs
            .iter()
            .find(|r| r.name == b"HEAD")
            .and_then(|r| r.symref_target.as_deref())
            .and_then(|t| t.strip_prefix(b"refs/heads/"))
            .map(|b| String::from_utf8_lossy(b).into_owned());
    }
    let spec_text = match (&branch_choice, single_branch) {
        (Some(branch), true) => format!("+refs/heads/{branch}:refs/remotes/{remote}/{branch}"),
        _ => format!("+refs/heads/*:refs/remotes/{remote}/*"),
    };
    let refspec = RefSpec::parse(spec_text.as_bytes(), Operation::Fetch)
        .map_err(|e| Error::Unsupported(format!("invalid branch or remote name: {e}")))?;
    repo.edit_config(|config| {
        config.set("remote", Some(remote.as_bytes()), "url", url.as_bytes())?;
        config.set(
            "remote",
            Some(remote.as_bytes()),
            "fetch",
            spec_text.as_bytes(),
        )?;
        if let Some(filter) = &options.filter {
            config.set("remote", Some(remote.as_bytes()), "promisor", b"true")?;
            config.set(
                "remote",
                Some(remote.as_bytes()),
                "partialclonefilter",
                filter.as_bytes(),
            )?;
            config.set("core", None, "repositoryformatversion", b"1")?;
            config.set("extensions", None, "partialclone", remote.as_bytes())?;
        }
        Ok(())
    })?;
    let fetch_options = fetch::Options {
        refspecs: vec![refspec],
        tags: if single_branch {
            Tags::Follow
        } else {
            Tags::All
        },
        prune: false,
        depth: options.depth,
        deepen_since: None,
        deepen_not: Vec::new(),
        filter: options.filter.clone(),
        max_pack_bytes: options.max_pack_bytes,
        committer: options.committer.clone(),
        remote_name: remote.to_owned(),
        server_progress: options.server_progress,
    };
    let outcome = fetch::fetch(&repo, session, &fetch_options, progress).await?;
    // The remote URL may have changed by a redirect of discovery.
    if session.url.to_string() != url {
        let new_url = session.url.to_string();
        repo.edit_config(|config| {
            config.set("remote", Some(remote.as_bytes()), "url", new_url.as_bytes())
        })?;
    }

    // Which branch to check out.
    let branch_ref = match &branch_choice {
        Some(branch) => {
            let full = format!("refs/heads/{branch}").into_bytes();
            if !outcome.remote_refs.iter().any(|r| r.name == full) {
                return Err(Error::Unsupported(format!(
                    "remote branch {branch} not found in upstream {remote}"
                )));
            }
            Some(full)
        }
        None => outcome
            .remote_head
            .clone()
            .filter(|h| h.starts_with(b"refs/heads/")),
    };
    let Some(branch_ref) = branch_ref else {
        // An empty repository (or a HEAD that is not a branch): nothing to check out.
        return Ok(repo);
    };
    let branch = String::from_utf8_lossy(&branch_ref["refs/heads/".len()..]).into_owned();
    let tracking = format!("refs/remotes/{remote}/{branch}").into_bytes();
    let Some(commit) = repo.refs().read(&tracking)?.and_then(|t| t.object_id()) else {
        // The remote's default branch is unborn (an empty repository).
        let head = format!("ref: {}\n", String::from_utf8_lossy(&branch_ref));
        repo.files()
            .write("HEAD", head.as_bytes())
            .map_err(crate::Error::from)?;
        return Ok(repo);
    };
    let log = |message: String| {
        Some(LogEntry {
            committer: options.committer.clone(),
            message: message.into_bytes(),
        })
    };
    let mut edits = vec![RefEdit {
        name: branch_ref.clone(),
        change: Change::Set(Target::Object(commit)),
        expected: Expected::Absent,
        log: log(format!("clone: from {url}")),
    }];
    if !single_branch {
        edits.push(RefEdit {
            name: format!("refs/remotes/{remote}/HEAD").into_bytes(),
            change: Change::Set(Target::Symbolic(tracking.clone())),
            expected: Expected::Any,
            log: None,
        });
    }
    edits.push(RefEdit {
        name: b"HEAD".to_vec(),
        change: Change::Set(Target::Symbolic(branch_ref.clone())),
        expected: Expected::Any,
        log: None,
    });
    repo.refs().commit(&edits)?;
    repo.edit_config(|config| {
        config.set(
            "branch",
            Some(branch.as_bytes()),
            "remote",
            remote.as_bytes(),
        )?;
        config.set("branch", Some(branch.as_bytes()), "merge", &branch_ref)
    })?;

    if !options.bare && !options.no_checkout {
        let tree = repo
            .rev_parse(b"HEAD^{tree}")
            .map_err(|e| Error::Unsupported(e.to_string()))?;
        if options.filter.is_some() {
            // A partial clone has no blobs yet: fetch those the checkout needs, in one request.
            let missing: Vec<_> = repo
                .flatten_tree(tree)?
                .into_iter()
                .filter(|(_, mode, _)| mode.is_blob_like())
                .map(|(_, _, id)| id)
                .filter(|id| !repo.odb().has(id).unwrap_or(false))
                .collect();
            fetch::fetch_objects(&repo, session, &missing, progress).await?;
        }
        let state = repo.checkout_tree(tree, &mut |done, total| {
            progress(Progress::CheckingOut { done, total });
        })?;
        repo.write_index(&state)?;
    }
    Ok(repo)
}
