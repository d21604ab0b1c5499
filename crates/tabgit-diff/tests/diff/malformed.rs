//! Broken object databases and trees give typed errors, never panics.
use tabgit_diff::{blob, patch, rename, stat, tree, Change, Side};
use tabgit_object::{find, Data, EntryMode, Find, Kind, ObjectId, Write as _};
use tabgit_store::files::MemoryFiles;
use tabgit_store::odb::Odb;
use tabgit_testtools::Result;

fn odb() -> Result<Odb<MemoryFiles>> {
    Ok(Odb::open(MemoryFiles::default())?)
}

fn missing_id() -> ObjectId {
    tabgit_object::compute_id(Kind::Blob, b"never stored")
}

#[test]
fn a_missing_tree_is_not_found() -> Result {
    let odb = odb()?;
    let err = tree::diff(&odb, Some(&missing_id()), None, &tree::Options::default())
        .err()
        .ok_or("a missing tree cannot be diffed")?;
    assert!(matches!(err, tree::Error::NotFound { tree_id } if tree_id == missing_id()));
    Ok(())
}

#[test]
fn a_blob_where_a_tree_belongs_is_not_a_tree() -> Result {
    let mut odb = odb()?;
    let blob_id = odb.write(Kind::Blob, b"content\n")?;
    let err = tree::diff(&odb, None, Some(&blob_id), &tree::Options::default())
        .err()
        .ok_or("a blob is not a tree")?;
    assert!(matches!(
        err,
        tree::Error::NotATree {
            kind: Kind::Blob,
            ..
        }
    ));
    // The same deeper down: a tree entry with directory mode naming a blob.
    let mut entries = Vec::new();
    entries.extend_from_slice(b"40000 dir\0");
    entries.extend_from_slice(blob_id.as_bytes());
    let tree_id = odb.write(Kind::Tree, &entries)?;
    let err = tree::diff(&odb, None, Some(&tree_id), &tree::Options::default())
        .err()
        .ok_or("a blob is not a subtree")?;
    assert!(matches!(err, tree::Error::NotATree { object_id, .. } if object_id == blob_id));
    Ok(())
}

#[test]
fn trees_that_do_not_parse_are_decode_errors() -> Result {
    let mut odb = odb()?;
    let blob_id = odb.write(Kind::Blob, b"content\n")?;
    let mut truncated = b"100644 file\0".to_vec();
    truncated.extend_from_slice(&blob_id.as_bytes()[..10]);
    let bad_mode = [b"10x644 file\0".as_slice(), blob_id.as_bytes()].concat();
    let empty_name = [b"100644 \0".as_slice(), blob_id.as_bytes()].concat();
    for bytes in [truncated, bad_mode, empty_name] {
        let tree_id = odb.write(Kind::Tree, &bytes)?;
        let other_id = odb.write(Kind::Tree, b"")?;
        for (old, new) in [
            (Some(&tree_id), Some(&other_id)),
            (Some(&other_id), Some(&tree_id)),
        ] {
            let err = tree::diff(&odb, old, new, &tree::Options::default())
                .err()
                .ok_or("a malformed tree cannot be diffed")?;
            assert!(
                matches!(err, tree::Error::Decode { tree_id: id, .. } if id == tree_id),
                "{err:?}"
            );
        }
    }
    Ok(())
}

/// A store whose every lookup fails.
struct Broken;

impl Find for Broken {
    fn try_find<'a>(
        &self,
        _id: &ObjectId,
        _buf: &'a mut Vec<u8>,
    ) -> std::result::Result<Option<Data<'a>>, find::Error> {
        Err("disk on fire".into())
    }
}

#[test]
fn store_failures_are_reported_with_the_object() -> Result {
    let id = missing_id();
    let err = tree::diff(&Broken, Some(&id), None, &tree::Options::default())
        .err()
        .ok_or("the store failed")?;
    assert!(matches!(err, tree::Error::Find { tree_id, .. } if tree_id == id));
    assert_eq!(
        std::error::Error::source(&err).map(ToString::to_string),
        Some("disk on fire".to_owned())
    );
    let side = Side {
        mode: EntryMode::BLOB,
        object_id: id,
    };
    assert!(matches!(
        blob::load(&Broken, &side),
        Err(blob::Error::Find { .. })
    ));
    Ok(())
}

#[test]
fn missing_blobs_name_the_path_that_needed_them() -> Result {
    let odb = odb()?;
    let side = Side {
        mode: EntryMode::BLOB,
        object_id: missing_id(),
    };
    let changes = vec![Change::Modification {
        path: b"src/lib.rs".to_vec(),
        old: side,
        new: Side {
            object_id: tabgit_object::compute_id(Kind::Blob, b"other"),
            ..side
        },
    }];
    let mut out = Vec::new();
    let err = patch::write_changes(&mut out, &odb, &changes, &patch::Options::default())
        .err()
        .ok_or("the blobs are missing")?;
    let patch::Error::Load { path, source } = err;
    assert_eq!(path, b"src/lib.rs");
    assert!(matches!(source, blob::Error::NotFound { blob_id } if blob_id == missing_id()));

    let err = stat::compute(&odb, &changes, &stat::Options::default())
        .err()
        .ok_or("the blobs are missing")?;
    assert!(matches!(err, stat::Error::Load { .. }));

    // Rename detection reads blobs only for inexact candidates.
    let renames = vec![
        Change::Deletion {
            path: b"old.txt".to_vec(),
            old: side,
        },
        Change::Addition {
            path: b"new.txt".to_vec(),
            new: Side {
                object_id: tabgit_object::compute_id(Kind::Blob, b"different"),
                ..side
            },
        },
    ];
    let err = rename::detect(&odb, renames, &rename::Options::default())
        .err()
        .ok_or("the blobs are missing")?;
    assert!(matches!(err, rename::Error::Load { .. }));
    Ok(())
}

#[test]
fn a_gitlink_is_never_read_from_the_store() -> Result {
    let side = Side {
        mode: EntryMode::COMMIT,
        object_id: missing_id(),
    };
    assert_eq!(
        blob::load(&Broken, &side)?,
        format!("Subproject commit {}\n", missing_id()).into_bytes()
    );
    Ok(())
}

#[test]
fn deep_trees_fit_a_one_mebibyte_stack() -> Result {
    // 3000 nested directories: the walk keeps them on an explicit stack, not the call stack.
    let mut odb = odb()?;
    let blob_id = odb.write(Kind::Blob, b"deep\n")?;
    let mut tree_id = odb.write(
        Kind::Tree,
        &[b"100644 file\0".as_slice(), blob_id.as_bytes()].concat(),
    )?;
    let depth = 3000;
    for _ in 0..depth {
        tree_id = odb.write(
            Kind::Tree,
            &[b"40000 d\0".as_slice(), tree_id.as_bytes()].concat(),
        )?;
    }
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || tree::diff(&odb, None, Some(&tree_id), &tree::Options::default()))?;
    let changes = handle
        .join()
        .map_err(|_| "the tree walk overflowed its stack")??;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].new_path().len(), depth * 2 + 4, "d/d/…/d/file");
    Ok(())
}
