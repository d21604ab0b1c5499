use tabgit_hash::ObjectId;
use tabgit_object::tree::{check, EntryMode};

use crate::entry::{Entry, Mode};
use crate::read_tree::Error;
use crate::state::{lossy, State};

/// Build an index from the flattened entries of a tree: `(path, mode, id)` for every blob,
/// symlink and gitlink, with `/`-separated paths, in any order.
///
/// Entries get zeroed stat data, stage 0 and no flags. The result has no cache tree; compute one
/// with [`crate::write_tree()`] (and [`crate::write_tree::DryRun`]) to prime it as git does.
///
/// ### Relation to git
///
/// Modes are normalized like git's `create_ce_mode` (`100664` becomes `100644`), and paths are
/// checked like `verify_path` with every platform's protections on.
pub fn read_tree<I, P>(entries: I) -> Result<State, Error>
where
    I: IntoIterator<Item = (P, EntryMode, ObjectId)>,
    P: Into<Vec<u8>>,
{
    let mut index_entries = Vec::new();
    for (path, tree_mode, object_id) in entries {
        let path = path.into();
        let Some(mode) = Mode::from_tree_mode(tree_mode) else {
            return Err(Error::Directory { path: lossy(&path) });
        };
        if let Err(source) = check::path(&path) {
            return Err(Error::InvalidPath {
                path: lossy(&path),
                source,
            });
        }
        index_entries.push(Entry::new(path, mode, object_id));
    }
    index_entries.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    for pair in index_entries.windows(2) {
        if pair[0].path == pair[1].path {
            return Err(Error::Duplicate {
                path: lossy(&pair[0].path),
            });
        }
    }
    for entry in &index_entries {
        for (slash, _) in entry.path.iter().enumerate().filter(|(_, &b)| b == b'/') {
            let parent = &entry.path[..slash];
            if index_entries
                .binary_search_by(|other| other.path.as_slice().cmp(parent))
                .is_ok()
            {
                return Err(Error::DirectoryFileConflict {
                    path: lossy(&entry.path),
                    file: lossy(parent),
                });
            }
        }
    }
    Ok(State {
        entries: index_entries,
        ..State::default()
    })
}
