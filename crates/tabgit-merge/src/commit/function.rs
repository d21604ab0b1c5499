use tabgit_object::{Commit, CommitRef, Kind, ObjectId, Signature, Time};
use tabgit_revision::{merge_base, Graph};

use crate::commit::{Context, Error, Labels, Outcome, MAX_CALL_DEPTH};
use crate::tree::{self, function::Objects};

/// Merge commit `theirs` into commit `ours`, as `git merge` (strategy `ort`) computes it.
///
/// ### Algorithm
///
/// As `merge_ort_internal` (`merge-ort.c`): the merge bases are taken oldest first. With none,
/// the base is the empty tree (labelled `empty tree`); with one, that commit (labelled with its
/// abbreviation); with several, the first two are merged into a virtual commit (with the
/// branches labelled `Temporary merge branch 1` and `2`, conflicts kept with longer markers),
/// that one with the third, and so on (labelled `merged common ancestors`). Merging two bases is
/// itself such a merge, so their own bases are merged first when needed. The nesting is handled
/// with an explicit stack of pending merges, not recursion. Finally the base's tree is merged
/// with the two sides' trees ([`tree::merge`]).
///
/// ### Relation to git
///
/// Equal to `git merge` for the same commits and options, with the limits of [`tree::merge`].
/// Virtual commits live only in memory, as in git; the trees and blobs of inner merges are
/// stored.
pub fn merge(
    context: Context<'_>,
    ours: &ObjectId,
    theirs: &ObjectId,
    labels: &Labels<'_>,
    options: &tree::Options,
) -> Result<Outcome, Error> {
    let Context {
        find,
        write,
        shallow,
        abbreviate,
    } = context;
    let objects = Objects::new(find, write);

    // Set up the merge of `ours` and `theirs`; also returns their merge bases, newest first.
    let start = |ours: ObjectId, theirs: ObjectId| -> Result<(Pending, Vec<ObjectId>), Error> {
        let mut graph = Graph::new(&objects, shallow.clone());
        let mut bases = merge_base::merge_bases(&mut graph, ours, theirs)?;
        // git lists merge bases newest first (`commit_list_insert_by_date`), then reverses them.
        let mut dated = Vec::with_capacity(bases.len());
        for base in &bases {
            dated.push((graph.commit(base)?.date, *base));
        }
        dated.sort_by_key(|(date, _)| std::cmp::Reverse(*date));
        bases = dated.into_iter().map(|(_, id)| id).collect();
        let all_bases = bases.clone();
        // Oldest first; `remaining` pops from the end, so keep it newest first.
        let (base, ancestor_label) = match bases.pop() {
            None => {
                let empty_tree = objects.insert_virtual(Kind::Tree, Vec::new());
                (
                    virtual_commit(&objects, empty_tree, Vec::new(), b"ancestor"),
                    b"empty tree".to_vec(),
                )
            }
            Some(base) if bases.is_empty() => (base, abbreviate(&base)),
            Some(base) => (base, b"merged common ancestors".to_vec()),
        };
        let pending = Pending {
            ours,
            theirs,
            remaining: bases,
            base,
            ancestor_label,
        };
        Ok((pending, all_bases))
    };

    let (first, top_bases) = start(*ours, *theirs)?;
    let mut stack = vec![first];
    loop {
        let depth = stack.len() - 1;
        let next = stack
            .last()
            .and_then(|pending| pending.remaining.last().map(|next| (pending.base, *next)));
        if let Some((base, next)) = next {
            if stack.len() > MAX_CALL_DEPTH {
                return Err(Error::TooDeep);
            }
            let (inner, _) = start(base, next)?;
            stack.push(inner);
            continue;
        }
        let pending = stack
            .pop()
            .expect("the loop returns when the stack empties");
        let base_tree = commit_tree(&objects, &pending.base)?;
        let ours_tree = commit_tree(&objects, &pending.ours)?;
        let theirs_tree = commit_tree(&objects, &pending.theirs)?;
        let (ours_label, theirs_label): (&[u8], &[u8]) = if depth == 0 {
            (labels.ours, labels.theirs)
        } else {
            (b"Temporary merge branch 1", b"Temporary merge branch 2")
        };
        let tree_options = tree::Options {
            call_depth: depth,
            ..*options
        };
        let outcome = tree::function::merge_trees(
            &objects,
            Some(&base_tree),
            &ours_tree,
            &theirs_tree,
            &tree::Labels {
                ancestor: &pending.ancestor_label,
                ours: ours_label,
                theirs: theirs_label,
            },
            &tree_options,
        )?;
        let (merged_ours, merged_theirs) = (pending.ours, pending.theirs);
        let Some(parent) = stack.last_mut() else {
            return Ok(Outcome {
                tree: outcome,
                merge_bases: top_bases,
            });
        };
        // The inner merge of `parent.base` and its next base becomes the new virtual base.
        parent.remaining.pop();
        parent.base = virtual_commit(
            &objects,
            outcome.tree_id,
            vec![merged_ours, merged_theirs],
            b"merged tree",
        );
    }
}

/// One merge of two commits waiting for its virtual merge base.
struct Pending {
    ours: ObjectId,
    theirs: ObjectId,
    /// The bases not merged into `base` yet, the next one last.
    remaining: Vec<ObjectId>,
    /// The (possibly virtual) merge base so far.
    base: ObjectId,
    ancestor_label: Vec<u8>,
}

/// Make up an in-memory commit (`make_virtual_commit`): dated 0, as git's virtual commits are.
fn virtual_commit(
    objects: &Objects<'_>,
    tree_id: ObjectId,
    parents: Vec<ObjectId>,
    description: &[u8],
) -> ObjectId {
    let signature = Signature {
        name: b"tabgit".to_vec(),
        email: b"virtual@tabgit".to_vec(),
        time: Time::new(0, 0),
    };
    let mut message = description.to_vec();
    message.push(b'\n');
    let commit = Commit {
        tree: tree_id,
        parents,
        author: signature.clone(),
        committer: signature,
        encoding: None,
        extra_headers: Vec::new(),
        message,
    };
    objects.insert_virtual(Kind::Commit, commit.to_bytes())
}

/// The tree of a commit.
fn commit_tree(objects: &Objects<'_>, commit_id: &ObjectId) -> Result<ObjectId, Error> {
    let data = objects.read(commit_id, Kind::Commit)?;
    let commit = CommitRef::from_bytes(&data).map_err(|source| Error::Commit {
        commit_id: *commit_id,
        source,
    })?;
    Ok(commit.tree)
}
