//! `git push` over smart HTTP (receive-pack, protocol v0 as git uses for push): decide each
//! ref's update, send a pack of what the remote lacks (deltas against objects it has: a thin
//! pack), and report every ref's outcome as data.

use std::collections::{HashMap, HashSet};

use tabgit_hash::ObjectId;
use tabgit_object::{CommitRef, Kind, Signature, TagRef, TreeRef};
use tabgit_pack::write::{DeltaBase, Entry};
use tabgit_protocol::discovery::{Advertisement, Service};
use tabgit_protocol::push::{self, Command, RefOutcome, Rejection, UnpackStatus};
use tabgit_refs::Target;
use tabgit_store::files::GitFiles;
use tabgit_store::refs::{Change, Expected, LogEntry, RefEdit};
use tabgit_transport::{Body, HttpClient};

use crate::remote::{Error, Progress, Session};
use crate::Repository;

/// One ref to update on the remote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefSpec {
    /// The object to point it at; `None` deletes the remote ref.
    pub source: Option<ObjectId>,
    /// The remote ref (`refs/heads/main`).
    pub destination: Vec<u8>,
    /// Update even if it is not a fast-forward (`+`, `--force`).
    pub force: bool,
}

/// How to push.
#[derive(Clone, Debug)]
pub struct Options {
    /// The refs.
    pub specs: Vec<RefSpec>,
    /// All refs or none (`--atomic`).
    pub atomic: bool,
    /// Push options (`-o`).
    pub push_options: Vec<String>,
    /// The remote's name, for updating remote-tracking refs.
    pub remote_name: String,
    /// Who updates the local tracking refs, for reflogs.
    pub committer: Signature,
}

/// What happened to one ref.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Updated (or created, or deleted).
    Ok,
    /// Already at that value; nothing sent.
    UpToDate,
    /// Refused before anything was sent.
    RejectedLocally {
        /// Why, in words.
        reason: String,
    },
    /// Refused by the remote.
    Rejected {
        /// What kind of refusal.
        kind: Rejection,
        /// The remote's words, sanitized.
        reason: String,
    },
    /// The connection was lost before the report; this is what the remote shows now (P5).
    Unknown {
        /// Whether the remote ref now has the pushed value.
        applied: bool,
    },
}

/// One ref's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefResult {
    /// The remote ref.
    pub name: Vec<u8>,
    /// Its value before.
    pub old: Option<ObjectId>,
    /// The value pushed (`None`: delete).
    pub new: Option<ObjectId>,
    /// What happened.
    pub status: Status,
    /// Whether the update was forced.
    pub forced: bool,
}

impl RefResult {
    /// A sentence for the user, as `git push` words it.
    pub fn describe(&self) -> String {
        let name = String::from_utf8_lossy(&self.name);
        match &self.status {
            Status::Ok if self.new.is_none() => format!("{name}: deleted"),
            Status::Ok if self.old.is_none() => format!("{name}: created"),
            Status::Ok if self.forced => format!("{name}: forced update"),
            Status::Ok => format!("{name}: updated"),
            Status::UpToDate => format!("{name}: up to date"),
            Status::RejectedLocally { reason } => format!("{name}: rejected ({reason})"),
            Status::Rejected { kind, reason } => format!(
                "{name}: rejected by the remote ({reason}): {}",
                kind.message()
            ),
            Status::Unknown { applied: true } => {
                format!("{name}: updated (the report was lost; checked on the remote)")
            }
            Status::Unknown { applied: false } => {
                format!("{name}: not updated (the report was lost; checked on the remote)")
            }
        }
    }
}

/// What a push did.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Every ref, in the order asked.
    pub refs: Vec<RefResult>,
    /// Bytes of pack sent.
    pub pack_bytes: u64,
    /// Objects sent.
    pub objects: usize,
    /// Objects sent as deltas.
    pub deltas: usize,
    /// Messages from the remote (hooks, errors), sanitized.
    pub messages: Vec<String>,
    /// `unpack <error>` from the remote: the pack was refused and nothing changed (P3).
    pub unpack_error: Option<String>,
}

impl Outcome {
    /// Whether every ref was updated or already up to date.
    pub fn is_success(&self) -> bool {
        self.unpack_error.is_none()
            && self.refs.iter().all(|r| {
                matches!(
                    r.status,
                    Status::Ok | Status::UpToDate | Status::Unknown { applied: true }
                )
            })
    }
}

/// Push to `session`.
pub async fn push<F: GitFiles + Clone, C: HttpClient>(
    repo: &Repository<F>,
    session: &mut Session<'_, C>,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Outcome, Error> {
    progress(Progress::Discovering);
    let Advertisement::Refs(advertisement) = session.discover(Service::ReceivePack).await? else {
        return Err(Error::Unsupported(
            "the server offered protocol v2 for push, which git does not define".into(),
        ));
    };
    let remote: HashMap<Vec<u8>, ObjectId> = advertisement
        .refs
        .iter()
        .filter_map(|r| Some((r.name.clone(), r.object_id?)))
        .collect();
    let mut outcome = Outcome::default();
    let mut commands = Vec::new();
    let mut graph = repo.graph()?;
    for spec in &options.specs {
        let old = remote.get(&spec.destination).copied();
        let mut result = RefResult {
            name: spec.destination.clone(),
            old,
            new: spec.source,
            status: Status::Ok,
            forced: false,
        };
        if spec.source == old {
            result.status = Status::UpToDate;
        } else if spec.source.is_none() && old.is_none() {
            result.status = Status::RejectedLocally {
                reason: "the remote ref does not exist".into(),
            };
        } else if let (Some(old_id), Some(new_id)) = (old, spec.source) {
            let fast_forward = if repo.odb().has(&old_id).map_err(crate::Error::from)? {
                match (graph.peel_to_commit(&old_id), graph.peel_to_commit(&new_id)) {
                    (Ok(o), Ok(n)) => {
                        Some(tabgit_revision::merge_base::is_ancestor(&mut graph, o, n)?)
                    }
                    _ => Some(false),
                }
            } else {
                None
            };
            match fast_forward {
                Some(true) => {}
                _ if spec.force => result.forced = true,
                None => result.status = Status::RejectedLocally { reason: "fetch first: the remote has commits you don't have; fetch and merge, then push".into() },
                Some(false) => result.status = Status::RejectedLocally { reason: "non-fast-forward: the remote has commits you don't have; pull first".into() },
            }
        }
        if result.status == Status::Ok {
            commands.push(Command {
                old_id: old.unwrap_or(ObjectId::NULL),
                new_id: spec.source.unwrap_or(ObjectId::NULL),
                name: spec.destination.clone(),
            });
        }
        outcome.refs.push(result);
    }
    if commands.is_empty()
        || (options.atomic
            && outcome
                .refs
                .iter()
                .any(|r| matches!(r.status, Status::RejectedLocally { .. })))
    {
        if options.atomic {
            for r in &mut outcome.refs {
                if r.status == Status::Ok {
                    r.status = Status::RejectedLocally {
                        reason: "atomic push failed: another ref was rejected".into(),
                    };
                }
            }
        }
        return Ok(outcome);
    }
    let request = push::request(
        &advertisement.capabilities,
        &commands,
        &push::Options {
            atomic: options.atomic,
            push_options: options.push_options.clone(),
            ..push::Options::default()
        },
    )?;
    let mut body = request.body;
    if request.pack_follows {
        let new_tips: Vec<ObjectId> = commands
            .iter()
            .filter(|c| !c.new_id.is_null())
            .map(|c| c.new_id)
            .collect();
        let remote_has: Vec<ObjectId> = remote
            .values()
            .copied()
            .filter(|id| repo.odb().has(id).unwrap_or(false))
            .collect();
        let entries = objects_to_send(repo, &new_tips, &remote_has)?;
        let written = tabgit_pack::write::write_pack(&entries)
            .map_err(|e| Error::Unsupported(e.to_string()))?;
        outcome.objects = entries.len();
        outcome.deltas = written.n_deltas;
        outcome.pack_bytes = written.data.len() as u64;
        progress(Progress::Sending {
            bytes: outcome.pack_bytes,
            objects: outcome.objects,
        });
        body.extend_from_slice(&written.data);
    }
    session.check_cancel()?;
    let report = match send(session, body, request.response, &mut outcome, progress).await {
        Ok(report) => report,
        Err(
            Error::Push(push::Error::Truncated)
            | Error::Http(tabgit_transport::Error::Interrupted { .. }),
        ) => {
            // P5: the outcome is unknown; look at the remote again instead of guessing.
            let Advertisement::Refs(now) = session.discover(Service::ReceivePack).await? else {
                return Err(Error::Unsupported("the remote changed protocol".into()));
            };
            for r in outcome.refs.iter_mut().filter(|r| r.status == Status::Ok) {
                let current = now
                    .refs
                    .iter()
                    .find(|x| x.name == r.name)
                    .and_then(|x| x.object_id);
                r.status = Status::Unknown {
                    applied: current == r.new,
                };
            }
            update_tracking(repo, options, &outcome)?;
            return Ok(outcome);
        }
        Err(err) => return Err(err),
    };
    if let UnpackStatus::Failed { reason } = &report.unpack {
        outcome.unpack_error = Some(reason.clone());
    }
    for r in outcome.refs.iter_mut().filter(|r| r.status == Status::Ok) {
        match report.status(&r.name).map(|s| &s.outcome) {
            Some(RefOutcome::Ok) => {}
            Some(RefOutcome::Rejected { reason }) => {
                r.status = Status::Rejected {
                    kind: Rejection::classify(reason),
                    reason: reason.clone(),
                };
            }
            None => {
                let reason = outcome
                    .unpack_error
                    .clone()
                    .unwrap_or_else(|| "the remote did not report on this ref".into());
                r.status = Status::Rejected {
                    kind: Rejection::classify(&reason),
                    reason,
                };
            }
        }
    }
    update_tracking(repo, options, &outcome)?;
    Ok(outcome)
}

async fn send<C: HttpClient>(
    session: &Session<'_, C>,
    body: Vec<u8>,
    response_options: push::ResponseOptions,
    outcome: &mut Outcome,
    progress: &mut dyn FnMut(Progress),
) -> Result<push::Report, Error> {
    let mut response = session.post(Service::ReceivePack, body, false).await?;
    let mut parser = push::ResponseParser::new(response_options, session.limits);
    while let Some(chunk) = response.body.next_chunk().await? {
        parser.feed(&chunk)?;
        while let Some(message) = parser.next_message() {
            progress(Progress::Remote(message.clone()));
            outcome.messages.push(message);
        }
    }
    Ok(parser.finish()?)
}

/// Move `refs/remotes/<remote>/*` for the refs the remote accepted.
fn update_tracking<F: GitFiles + Clone>(
    repo: &Repository<F>,
    options: &Options,
    outcome: &Outcome,
) -> Result<(), Error> {
    let mut edits = Vec::new();
    for r in &outcome.refs {
        if !matches!(r.status, Status::Ok | Status::Unknown { applied: true }) {
            continue;
        }
        let Some(branch) = r.name.strip_prefix(b"refs/heads/") else {
            continue;
        };
        let mut tracking = format!("refs/remotes/{}/", options.remote_name).into_bytes();
        tracking.extend_from_slice(branch);
        let change = match r.new {
            Some(id) => Change::Set(Target::Object(id)),
            None => Change::Delete,
        };
        if r.new.is_none() && repo.refs().read(&tracking)?.is_none() {
            continue;
        }
        edits.push(RefEdit {
            name: tracking,
            change,
            expected: Expected::Any,
            log: r.new.map(|_| LogEntry {
                committer: options.committer.clone(),
                message: b"update by push".to_vec(),
            }),
        });
    }
    if !edits.is_empty() {
        repo.refs().commit(&edits)?;
    }
    Ok(())
}

/// The objects reachable from `tips` that the remote lacks, given that it has everything
/// reachable from `remote_has` (git's `pack-objects --revs --thin` with the remote's refs
/// negated): commits, then tags, trees and blobs, with blobs deltified against the version at
/// the same path in the parent commit where that helps.
pub fn objects_to_send<F: GitFiles + Clone>(
    repo: &Repository<F>,
    tips: &[ObjectId],
    remote_has: &[ObjectId],
) -> Result<Vec<Entry>, Error> {
    let mut graph = repo.graph()?;
    let mut commit_tips = Vec::new();
    let mut tags = Vec::new();
    for tip in tips {
        let (kind, data) = repo.object(tip)?;
        match kind {
            Kind::Tag => {
                tags.push((*tip, data.clone()));
                let mut target = TagRef::from_bytes(&data)
                    .map_err(|e| Error::Malformed {
                        id: *tip,
                        reason: e.to_string(),
                    })?
                    .target;
                loop {
                    let (k, d) = repo.object(&target)?;
                    match k {
                        Kind::Tag => {
                            tags.push((target, d.clone()));
                            target = TagRef::from_bytes(&d)
                                .map_err(|e| Error::Malformed {
                                    id: target,
                                    reason: e.to_string(),
                                })?
                                .target;
                        }
                        Kind::Commit => {
                            commit_tips.push(target);
                            break;
                        }
                        _ => break,
                    }
                }
            }
            Kind::Commit => commit_tips.push(*tip),
            _ => {}
        }
    }
    let hidden: Vec<ObjectId> = remote_has
        .iter()
        .filter_map(|id| graph.peel_to_commit(id).ok())
        .collect();
    let commits = tabgit_revision::walk::rev_list(
        &mut graph,
        &commit_tips,
        &hidden,
        &tabgit_revision::walk::Options::default(),
    )?;
    let new_commits: HashSet<ObjectId> = commits.iter().copied().collect();

    // What the remote has: the objects of the trees of its tips and of the boundary commits.
    let mut have: HashSet<ObjectId> = HashSet::new();
    let mut boundary: Vec<ObjectId> = hidden.clone();
    for commit in &commits {
        for parent in &graph.commit(commit)?.parents {
            if !new_commits.contains(parent) {
                boundary.push(*parent);
            }
        }
    }
    boundary.sort();
    boundary.dedup();
    for commit in &boundary {
        if let Ok((Kind::Commit, data)) = repo.object(commit) {
            let tree = CommitRef::from_bytes(&data)
                .map_err(|e| Error::Malformed {
                    id: *commit,
                    reason: e.to_string(),
                })?
                .tree;
            collect_tree(repo, tree, &mut have)?;
        }
    }

    let mut entries: Vec<Entry> = Vec::new();
    let mut position: HashMap<ObjectId, usize> = HashMap::new();
    let mut trees_and_blobs: Vec<(ObjectId, Kind, Vec<u8>, Option<ObjectId>)> = Vec::new();
    // Oldest first, so that a blob's previous version is already in the pack.
    for commit in commits.iter().rev() {
        let (_, data) = repo.object(commit)?;
        let parsed = CommitRef::from_bytes(&data).map_err(|e| Error::Malformed {
            id: *commit,
            reason: e.to_string(),
        })?;
        let parent_tree = match parsed.parents.first() {
            Some(parent) => match repo.object(parent) {
                Ok((Kind::Commit, pdata)) => CommitRef::from_bytes(&pdata).ok().map(|c| c.tree),
                _ => None,
            },
            None => None,
        };
        let tree = parsed.tree;
        position.insert(*commit, entries.len());
        entries.push(Entry::full(Kind::Commit, data.clone()));
        // Walk this commit's tree beside its parent's, to pair each new blob with its old version.
        let mut stack = vec![(tree, parent_tree)];
        while let Some((tree_id, old_tree)) = stack.pop() {
            if have.contains(&tree_id) || !seen_insert(&mut position, tree_id) {
                continue;
            }
            let (_, tree_data) = repo.object(&tree_id)?;
            let old_entries: HashMap<Vec<u8>, ObjectId> = match old_tree.map(|t| repo.object(&t)) {
                Some(Ok((Kind::Tree, old))) => TreeRef::from_bytes(&old)
                    .map(|t| {
                        t.entries
                            .iter()
                            .map(|e| (e.filename.to_vec(), e.oid))
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => HashMap::new(),
            };
            let parsed_tree = TreeRef::from_bytes(&tree_data).map_err(|e| Error::Malformed {
                id: tree_id,
                reason: e.to_string(),
            })?;
            for entry in &parsed_tree.entries {
                let previous = old_entries.get(entry.filename).copied();
                if entry.mode.is_tree() {
                    stack.push((entry.oid, previous));
                } else if entry.mode.is_blob_like()
                    && !have.contains(&entry.oid)
                    && seen_insert(&mut position, entry.oid)
                {
                    let (_, blob) = repo.object(&entry.oid)?;
                    trees_and_blobs.push((entry.oid, Kind::Blob, blob, previous));
                }
            }
            trees_and_blobs.push((tree_id, Kind::Tree, tree_data, None));
        }
    }
    for (id, data) in tags {
        if !have.contains(&id) {
            entries.push(Entry::full(Kind::Tag, data));
        }
    }
    for (id, kind, data, previous) in trees_and_blobs {
        let base = previous
            .filter(|p| *p != id && data.len() > 64)
            .and_then(|previous| {
                if let Some(&idx) = position
                    .get(&previous)
                    .filter(|&&idx| idx < entries.len() && entries[idx].kind == Kind::Blob)
                {
                    Some(DeltaBase::InPack(idx))
                } else if have.contains(&previous) {
                    repo.object(&previous)
                        .ok()
                        .map(|(_, base)| DeltaBase::External {
                            id: previous,
                            data: base,
                        })
                } else {
                    None
                }
            });
        position.insert(id, entries.len());
        entries.push(Entry { kind, data, base });
    }
    Ok(entries)
}

/// Mark `id` as handled; `false` if it already was. Positions are fixed up later.
fn seen_insert(position: &mut HashMap<ObjectId, usize>, id: ObjectId) -> bool {
    if position.contains_key(&id) {
        return false;
    }
    position.insert(id, usize::MAX);
    true
}

/// Every tree and blob reachable from `tree` (iteratively).
fn collect_tree<F: GitFiles + Clone>(
    repo: &Repository<F>,
    tree: ObjectId,
    out: &mut HashSet<ObjectId>,
) -> Result<(), Error> {
    let mut stack = vec![tree];
    while let Some(id) = stack.pop() {
        if !out.insert(id) {
            continue;
        }
        let (kind, data) = repo.object(&id)?;
        if kind != Kind::Tree {
            continue;
        }
        for entry in TreeRef::from_bytes(&data)
            .map_err(|e| Error::Malformed {
                id,
                reason: e.to_string(),
            })?
            .entries
        {
            if entry.mode.is_tree() {
                stack.push(entry.oid);
            } else if entry.mode.is_blob_like() {
                out.insert(entry.oid);
            }
        }
    }
    Ok(())
}
