//! `git fetch` over smart HTTP: protocol v2 (`ls-refs` + `fetch`), v0 when the server only
//! speaks that; the pack streams into the indexer as it arrives; objects are checked, then
//! stored, then every ref moves in one transaction.

use std::collections::HashSet;

use tabgit_hash::ObjectId;
use tabgit_object::Signature;
use tabgit_pack::indexer::{Indexer, Options as IndexerOptions};
use tabgit_protocol::discovery::{Advertisement, Service};
use tabgit_protocol::fetch::{Arguments, End, Event, ShallowUpdate};
use tabgit_protocol::{v0, v2, Ref};
use tabgit_refs::refspec::{Operation, RefSpec};
use tabgit_refs::Target;
use tabgit_store::files::GitFiles;
use tabgit_store::refs::{Change, Expected, LogEntry, RefEdit};
use tabgit_transport::{Body, HttpClient};

use crate::remote::connectivity::{self, Allowances};
use crate::remote::{check_ref_name, Error, Progress, Session};
use crate::Repository;

/// Which tags to fetch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tags {
    /// Tags pointing at fetched history (git's default tag following).
    #[default]
    Follow,
    /// Every tag (`--tags`, and clone).
    All,
    /// No tags (`--no-tags`).
    None,
}

/// How to fetch.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where remote refs go (`+refs/heads/*:refs/remotes/origin/*`).
    pub refspecs: Vec<RefSpec>,
    /// Which tags.
    pub tags: Tags,
    /// Delete remote-tracking refs whose remote ref is gone (`--prune`).
    pub prune: bool,
    /// History depth (`--depth`).
    pub depth: Option<u32>,
    /// Cut history at this time (`--shallow-since`).
    pub deepen_since: Option<i64>,
    /// Cut history at these revisions (`--shallow-exclude`).
    pub deepen_not: Vec<Vec<u8>>,
    /// A partial-clone filter (`--filter=blob:none`).
    pub filter: Option<String>,
    /// Stop when the pack would exceed this many bytes (the browser's free storage).
    pub max_pack_bytes: Option<u64>,
    /// Who updates the refs, for reflogs.
    pub committer: Signature,
    /// The remote's name, for reflog messages (`origin`).
    pub remote_name: String,
    /// Ask the server for progress messages (side-band 2); off sends `no-progress`.
    pub server_progress: bool,
}

/// One ref the fetch changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefUpdate {
    /// The local ref.
    pub local: Vec<u8>,
    /// Its value before (`None`: created).
    pub old: Option<ObjectId>,
    /// Its value after (`None`: pruned).
    pub new: Option<ObjectId>,
    /// Whether it was a forced, non-fast-forward update.
    pub forced: bool,
}

/// What a fetch did.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// The remote's refs as advertised.
    pub remote_refs: Vec<Ref>,
    /// What HEAD on the remote points to.
    pub remote_head: Option<Vec<u8>>,
    /// Local refs changed.
    pub updates: Vec<RefUpdate>,
    /// Bytes of pack received.
    pub pack_bytes: u64,
    /// Objects received.
    pub objects: usize,
}

fn ls_refs_prefixes(options: &Options) -> Vec<Vec<u8>> {
    let mut prefixes: Vec<Vec<u8>> = vec![b"HEAD".to_vec()];
    for spec in &options.refspecs {
        let source = &spec.source;
        if source.is_empty() {
            continue;
        }
        let prefix = match source.iter().position(|&b| b == b'*') {
            Some(star) => source[..star].to_vec(),
            None => source.clone(),
        };
        prefixes.push(prefix);
    }
    if options.tags != Tags::None {
        prefixes.push(b"refs/tags/".to_vec());
    }
    prefixes.sort();
    prefixes.dedup();
    prefixes
}

/// The local name a remote ref maps to, and whether the mapping forces updates.
fn map_ref(options: &Options, name: &[u8]) -> Option<(Vec<u8>, bool)> {
    if tabgit_refs::refspec::is_excluded(&options.refspecs, name) {
        return None;
    }
    if let Some(mapping) = tabgit_refs::refspec::map_source(&options.refspecs, name) {
        return Some((mapping.destination, mapping.force));
    }
    if options.tags == Tags::All && name.starts_with(b"refs/tags/") && !name.ends_with(b"^{}") {
        return Some((name.to_vec(), false));
    }
    None
}

/// Fetch from `session` into `repo`.
pub async fn fetch<F: GitFiles + Clone, C: HttpClient>(
    repo: &Repository<F>,
    session: &mut Session<'_, C>,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Outcome, Error> {
    let mut coalesce = super::Coalesce::default();
    let progress = &mut |p: Progress| {
        if coalesce.pass(&p) {
            progress(p);
        }
    };
    progress(Progress::Discovering);
    let (advertisement, remote_refs) = super::list_refs(session, ls_refs_prefixes(options)).await?;
    let remote_head = remote_refs
        .iter()
        .find(|r| r.name == b"HEAD")
        .and_then(|r| r.symref_target.clone());

    // What each remote ref becomes locally.
    let mut planned: Vec<(Vec<u8>, ObjectId, bool)> = Vec::new();
    for r in &remote_refs {
        let Some(id) = r.object_id else { continue };
        if let Some((local, force)) = map_ref(options, &r.name) {
            check_ref_name(&local)?;
            planned.push((local, id, force));
        }
    }
    let shallow = repo.shallow()?;
    let deepening =
        options.depth.is_some() || options.deepen_since.is_some() || !options.deepen_not.is_empty();
    let mut wants: Vec<ObjectId> = Vec::new();
    for (_, id, _) in &planned {
        if (deepening || !repo.odb().has(id).map_err(crate::Error::from)?) && !wants.contains(id) {
            wants.push(*id);
        }
    }
    if options.tags == Tags::Follow {
        // Tags are followed through include-tag; nothing extra to want.
    }

    let mut outcome = Outcome {
        remote_refs: remote_refs.clone(),
        remote_head,
        ..Outcome::default()
    };
    let mut shallow_updates = Vec::new();
    let mut new_pack = None;
    if !wants.is_empty() {
        progress(Progress::Negotiating);
        let arguments = Arguments {
            wants: wants.clone(),
            haves: haves(repo)?,
            done: true,
            shallow: shallow.iter().copied().collect(),
            deepen: options.depth,
            deepen_since: options.deepen_since,
            deepen_not: options.deepen_not.clone(),
            filter: options.filter.clone(),
            include_tag: options.tags != Tags::None,
            no_progress: !options.server_progress,
            ..Arguments::default()
        };
        let mut indexer = Indexer::new(IndexerOptions {
            check_object: Some(connectivity::check_received_object),
            collect_links: true,
            ..IndexerOptions::default()
        });
        match &advertisement {
            Advertisement::V2(caps) => {
                v2::fetch::check_arguments(caps, &arguments)?;
                let context = v2::Context::new(caps, tabgit_protocol::AGENT);
                let body = v2::fetch::request(&context, &arguments)?;
                let mut response = session.post(Service::UploadPack, body, true).await?;
                let mut parser = v2::fetch::ResponseParser::new(session.limits);
                while let Some(chunk) = response.body.next_chunk().await? {
                    session.check_cancel()?;
                    parser.feed(&chunk);
                    while let Some(event) = parser.next_event()? {
                        handle_event(event, &mut indexer, &mut shallow_updates, options, progress)?;
                    }
                }
                if parser.finish()? != End::PackReceived {
                    return Err(Error::Unsupported(
                        "the server ended the fetch without sending a pack".into(),
                    ));
                }
            }
            Advertisement::Refs(refs) => {
                let request = v0::request(&refs.capabilities, &arguments, tabgit_protocol::AGENT)?;
                let mut response = session
                    .post(Service::UploadPack, request.body, false)
                    .await?;
                let mut parser = v0::ResponseParser::new(request.response, session.limits);
                while let Some(chunk) = response.body.next_chunk().await? {
                    session.check_cancel()?;
                    parser.feed(&chunk);
                    while let Some(event) = parser.next_event()? {
                        handle_event(event, &mut indexer, &mut shallow_updates, options, progress)?;
                    }
                }
                if parser.finish()? != End::PackReceived {
                    return Err(Error::Unsupported(
                        "the server ended the fetch without sending a pack".into(),
                    ));
                }
            }
        }
        session.check_cancel()?;
        outcome.pack_bytes = indexer.bytes_received();
        let indexed = indexer.finish(repo.odb(), &mut |p| {
            progress(Progress::Resolving {
                done: p.resolved,
                total: p.total,
            });
        })?;
        outcome.objects = indexed.n_objects;
        new_pack = Some(indexed);
    }

    // Check, then store the pack, then move refs; undo the pack if anything fails before refs.
    progress(Progress::Checking);
    let mut new_shallow = shallow.clone();
    for update in &shallow_updates {
        match update {
            ShallowUpdate::Shallow(id) => {
                new_shallow.insert(*id);
            }
            ShallowUpdate::Unshallow(id) => {
                new_shallow.remove(id);
            }
        }
    }
    let stored_pack = match &mut new_pack {
        Some(indexed) => {
            let index = tabgit_pack::Index::from_bytes(indexed.index.clone())
                .map_err(|e| Error::Unsupported(e.to_string()))?;
            let name = repo
                .odb()
                .add_pack(
                    std::mem::take(&mut indexed.pack),
                    &indexed.index,
                    &indexed.pack_checksum,
                )
                .map_err(crate::Error::from)?;
            if options.filter.is_some()
                || repo
                    .config()
                    .get_bool("remote", Some(options.remote_name.as_bytes()), "promisor")
                    .ok()
                    .flatten()
                    == Some(true)
            {
                // git's marker for packs from a promisor remote: objects they refer to may be missing.
                repo.files()
                    .write(&format!("objects/pack/{name}.promisor"), b"")
                    .map_err(crate::Error::from)?;
            }
            let allowances = Allowances {
                missing_blobs: options.filter.is_some(),
                shallow: new_shallow.clone(),
            };
            let tips: Vec<ObjectId> = planned.iter().map(|(_, id, _)| *id).collect();
            let checked = if allowances.shallow.is_empty() {
                connectivity::check_links(repo, &index, &indexed.external_links, &tips, &allowances)
            } else {
                // A shallow boundary: walk, so that only the boundary's parents may be absent.
                connectivity::check(repo, &index, &tips, &allowances)
            };
            if let Err(err) = checked {
                repo.odb().remove_pack(&name).map_err(crate::Error::from)?;
                return Err(err);
            }
            Some(name)
        }
        None => None,
    };
    let result = update_refs(
        repo,
        &planned,
        &remote_refs,
        options,
        &mut outcome,
        &new_shallow,
        shallow != new_shallow,
    );
    if let Err(err) = result {
        if let Some(name) = &stored_pack {
            repo.odb().remove_pack(name).map_err(crate::Error::from)?;
        }
        return Err(err);
    }
    Ok(outcome)
}

fn handle_event(
    event: Event<'_>,
    indexer: &mut Indexer,
    shallow_updates: &mut Vec<ShallowUpdate>,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), Error> {
    match event {
        Event::PackData(data) => {
            indexer.feed(data)?;
            if let Some(limit) = options.max_pack_bytes {
                if indexer.bytes_received() > limit {
                    return Err(Error::Unsupported(format!(
                        "the repository is larger than the {} MB of storage left; nothing was stored",
                        limit / 1_000_000
                    )));
                }
            }
            let (objects, total) = indexer.objects_received();
            progress(Progress::Receiving {
                bytes: indexer.bytes_received(),
                objects,
                total_objects: total,
            });
        }
        Event::Progress(text) => progress(Progress::Remote(text)),
        Event::ShallowUpdate(update) => shallow_updates.push(update),
        Event::Acknowledgment(_) | Event::PackStart | Event::WantedRef { .. } => {}
    }
    Ok(())
}

/// What we have: every ref's commit and recent history, newest first, bounded.
fn haves<F: GitFiles + Clone>(repo: &Repository<F>) -> Result<Vec<ObjectId>, Error> {
    const MAX_HAVES: usize = 256;
    let mut graph = repo.graph()?;
    let mut tips = Vec::new();
    for entry in repo.refs().list(b"refs/")? {
        if let Some(id) = entry.target.object_id() {
            if let Ok(commit) = graph.peel_to_commit(&id) {
                tips.push(commit);
            }
        }
    }
    if let Some(head) = repo.head()?.id() {
        tips.push(head);
    }
    let walk = tabgit_revision::walk::Walk::new(&mut graph, &tips, &[], false)?;
    let mut out = Vec::new();
    for id in walk.take(MAX_HAVES) {
        out.push(id?);
    }
    Ok(out)
}

fn update_refs<F: GitFiles + Clone>(
    repo: &Repository<F>,
    planned: &[(Vec<u8>, ObjectId, bool)],
    remote_refs: &[Ref],
    options: &Options,
    outcome: &mut Outcome,
    new_shallow: &HashSet<ObjectId>,
    shallow_changed: bool,
) -> Result<(), Error> {
    let mut edits = Vec::new();
    let message = |what: &str| LogEntry {
        committer: options.committer.clone(),
        message: format!("fetch {}: {what}", options.remote_name).into_bytes(),
    };
    let mut graph = repo.graph()?;
    for (local, id, force) in planned {
        let current = repo.refs().read(local)?.and_then(|t| t.object_id());
        if current == Some(*id) {
            continue;
        }
        let is_tag = local.starts_with(b"refs/tags/");
        let fast_forward = match current {
            None => true,
            Some(old) => {
                let old_commit = graph.peel_to_commit(&old).ok();
                let new_commit = graph.peel_to_commit(id).ok();
                match (old_commit, new_commit) {
                    (Some(o), Some(n)) => {
                        tabgit_revision::merge_base::is_ancestor(&mut graph, o, n)?
                    }
                    _ => false,
                }
            }
        };
        if current.is_some() && is_tag && !force {
            continue; // git refuses to clobber an existing tag without --force.
        }
        if !fast_forward && !force {
            continue; // Rejected as non-fast-forward; the ref stays.
        }
        let what = match current {
            None => "storing head",
            Some(_) if fast_forward => "fast-forward",
            Some(_) => "forced-update",
        };
        edits.push(RefEdit {
            name: local.clone(),
            change: Change::Set(Target::Object(*id)),
            expected: current.map_or(Expected::Absent, Expected::Value),
            log: (!is_tag).then(|| message(what)),
        });
        outcome.updates.push(RefUpdate {
            local: local.clone(),
            old: current,
            new: Some(*id),
            forced: !fast_forward,
        });
    }
    if options.tags == Tags::Follow {
        // Tags the server sent along (include-tag) whose objects are now stored.
        for r in remote_refs
            .iter()
            .filter(|r| r.name.starts_with(b"refs/tags/"))
        {
            let Some(id) = r.object_id else { continue };
            if repo.refs().read(&r.name)?.is_none()
                && repo.odb().has(&id).map_err(crate::Error::from)?
            {
                let target = r.peeled_id.unwrap_or(id);
                if repo.odb().has(&target).map_err(crate::Error::from)? {
                    edits.push(RefEdit {
                        name: r.name.clone(),
                        change: Change::Set(Target::Object(id)),
                        expected: Expected::Absent,
                        log: None,
                    });
                    outcome.updates.push(RefUpdate {
                        local: r.name.clone(),
                        old: None,
                        new: Some(id),
                        forced: false,
                    });
                }
            }
        }
    }
    if options.prune {
        let remote_names: HashSet<Vec<u8>> = planned.iter().map(|(l, _, _)| l.clone()).collect();
        for spec in &options.refspecs {
            let Some(dest) = &spec.destination else {
                continue;
            };
            let prefix = match dest.iter().position(|&b| b == b'*') {
                Some(star) => dest[..star].to_vec(),
                None => continue,
            };
            for entry in repo.refs().list(&prefix)? {
                if !remote_names.contains(&entry.name) && entry.target.object_id().is_some() {
                    let old = entry.target.object_id();
                    edits.push(RefEdit {
                        name: entry.name.clone(),
                        change: Change::Delete,
                        expected: Expected::Any,
                        log: None,
                    });
                    outcome.updates.push(RefUpdate {
                        local: entry.name,
                        old,
                        new: None,
                        forced: false,
                    });
                }
            }
        }
    }
    if shallow_changed {
        let mut ids: Vec<&ObjectId> = new_shallow.iter().collect();
        ids.sort();
        let text: String = ids.iter().map(|id| id.to_hex() + "\n").collect();
        if text.is_empty() {
            repo.files().remove("shallow").map_err(crate::Error::from)?;
        } else {
            repo.files()
                .write("shallow", text.as_bytes())
                .map_err(crate::Error::from)?;
        }
    }
    if !edits.is_empty() {
        repo.refs().commit(&edits)?;
    }
    Ok(())
}

/// The default fetch refspec for remote `name`.
pub fn default_refspec(name: &str) -> RefSpec {
    RefSpec::parse(
        format!("+refs/heads/*:refs/remotes/{name}/*").as_bytes(),
        Operation::Fetch,
    )
    .expect("the default refspec is valid for any valid remote name")
}

/// Fetch specific objects by id (a partial clone's missing blobs), as git's lazy fetch from a
/// promisor remote does: no negotiation, no ref changes; the pack is marked as a promisor pack.
pub async fn fetch_objects<F: GitFiles + Clone, C: HttpClient>(
    repo: &Repository<F>,
    session: &mut Session<'_, C>,
    ids: &[ObjectId],
    progress: &mut dyn FnMut(Progress),
) -> Result<usize, Error> {
    let wanted: Vec<ObjectId> = ids
        .iter()
        .copied()
        .filter(|id| !repo.odb().has(id).unwrap_or(false))
        .collect();
    if wanted.is_empty() {
        return Ok(0);
    }
    progress(Progress::Discovering);
    let advertisement = session.discover(Service::UploadPack).await?;
    let arguments = Arguments {
        wants: wanted.clone(),
        done: true,
        include_tag: false,
        ..Arguments::default()
    };
    let mut indexer = Indexer::new(IndexerOptions {
        check_object: Some(connectivity::check_received_object),
        ..IndexerOptions::default()
    });
    let mut shallow_updates = Vec::new();
    let options = Options {
        refspecs: Vec::new(),
        tags: Tags::None,
        prune: false,
        depth: None,
        deepen_since: None,
        deepen_not: Vec::new(),
        filter: None,
        max_pack_bytes: None,
        committer: Signature::default(),
        remote_name: String::new(),
        server_progress: false,
    };
    match &advertisement {
        Advertisement::V2(caps) => {
            let context = v2::Context::new(caps, tabgit_protocol::AGENT);
            let body = v2::fetch::request(&context, &arguments)?;
            let mut response = session.post(Service::UploadPack, body, true).await?;
            let mut parser = v2::fetch::ResponseParser::new(session.limits);
            while let Some(chunk) = response.body.next_chunk().await? {
                session.check_cancel()?;
                parser.feed(&chunk);
                while let Some(event) = parser.next_event()? {
                    handle_event(
                        event,
                        &mut indexer,
                        &mut shallow_updates,
                        &options,
                        progress,
                    )?;
                }
            }
            parser.finish()?;
        }
        Advertisement::Refs(refs) => {
            let request = v0::request(&refs.capabilities, &arguments, tabgit_protocol::AGENT)?;
            let mut response = session
                .post(Service::UploadPack, request.body, false)
                .await?;
            let mut parser = v0::ResponseParser::new(request.response, session.limits);
            while let Some(chunk) = response.body.next_chunk().await? {
                session.check_cancel()?;
                parser.feed(&chunk);
                while let Some(event) = parser.next_event()? {
                    handle_event(
                        event,
                        &mut indexer,
                        &mut shallow_updates,
                        &options,
                        progress,
                    )?;
                }
            }
            parser.finish()?;
        }
    }
    let indexed = indexer.finish(repo.odb(), &mut |_| {})?;
    let index = tabgit_pack::Index::from_bytes(indexed.index.clone())
        .map_err(|e| Error::Unsupported(e.to_string()))?;
    if let Some(missing) = wanted.iter().find(|id| index.lookup(id).is_none()) {
        return Err(Error::Incomplete { missing: *missing });
    }
    let name = repo
        .odb()
        .add_pack(indexed.pack, &indexed.index, &indexed.pack_checksum)
        .map_err(crate::Error::from)?;
    repo.files()
        .write(&format!("objects/pack/{name}.promisor"), b"")
        .map_err(crate::Error::from)?;
    Ok(indexed.n_objects)
}
