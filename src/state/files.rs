//! The file tree: the working tree's flat file list turned into indented rows with folders,
//! change markers from the status, and folders that can be folded.

use std::collections::{BTreeMap, BTreeSet};

use tabgit_engine::protocol::{ChangeKind, FileEntry, FileStatus};

/// A row of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeRow {
    /// The repository path (of the folder, for folders).
    pub path: Vec<u8>,
    /// The last path component, for display.
    pub label: String,
    /// Nesting depth (0 at the top).
    pub depth: usize,
    /// Whether this is a folder.
    pub is_dir: bool,
    /// Whether the folder is unfolded.
    pub open: bool,
    /// The change marker: `clean`, `modified`, `added`, `deleted`, `untracked`, `renamed`,
    /// `conflicted`.
    pub status: &'static str,
}

/// The word for a file's change (the worktree's change wins over the staged one).
pub fn status_word(status: &FileStatus) -> &'static str {
    let kind = status.unstaged.or(status.staged);
    match kind {
        None => "clean",
        Some(ChangeKind::Added) => "added",
        Some(ChangeKind::Modified | ChangeKind::TypeChanged) => "modified",
        Some(ChangeKind::Deleted) => "deleted",
        Some(ChangeKind::Renamed) => "renamed",
        Some(ChangeKind::Untracked) => "untracked",
        Some(ChangeKind::Conflicted) => "conflicted",
    }
}

/// A status letter for a word from [`status_word`].
pub fn status_letter(word: &str) -> &'static str {
    match word {
        "modified" => "M",
        "added" => "A",
        "deleted" => "D",
        "renamed" => "R",
        "untracked" => "U",
        "conflicted" => "!",
        _ => "",
    }
}

#[derive(Default)]
struct Node {
    children: BTreeMap<Vec<u8>, Node>,
    is_file: bool,
    status: &'static str,
}

/// The rows to show: folders first, then files, each sorted by name; the contents of folders
/// not in `open` are left out. Deleted files (in the status, gone from the tree) are shown too.
pub fn rows(
    files: &[FileEntry],
    statuses: &[FileStatus],
    open: &BTreeSet<Vec<u8>>,
) -> Vec<TreeRow> {
    let mut root = Node::default();
    let mut insert = |path: &[u8], status: &'static str| {
        let mut node = &mut root;
        for component in path.split(|b| *b == b'/') {
            node = node.children.entry(component.to_vec()).or_default();
        }
        node.is_file = true;
        node.status = status;
    };
    for file in files.iter().filter(|f| f.kind != "directory") {
        let status = statuses
            .iter()
            .find(|s| s.path == file.path)
            .map_or("clean", status_word);
        insert(&file.path, status);
    }
    for status in statuses {
        if status_word(status) == "deleted" && !files.iter().any(|f| f.path == status.path) {
            insert(&status.path, "deleted");
        }
    }
    let mut out = Vec::new();
    walk(&root, &[], 0, open, &mut out);
    out
}

fn walk(
    node: &Node,
    prefix: &[u8],
    depth: usize,
    open: &BTreeSet<Vec<u8>>,
    out: &mut Vec<TreeRow>,
) {
    let (dirs, files): (Vec<_>, Vec<_>) = node.children.iter().partition(|(_, n)| !n.is_file);
    for (name, child) in dirs.into_iter().chain(files) {
        let mut path = prefix.to_vec();
        if !path.is_empty() {
            path.push(b'/');
        }
        path.extend_from_slice(name);
        let is_dir = !child.is_file;
        let is_open = is_dir && open.contains(&path);
        out.push(TreeRow {
            path: path.clone(),
            label: String::from_utf8_lossy(name).into_owned(),
            depth,
            is_dir,
            open: is_open,
            status: if is_dir {
                folder_status(child)
            } else {
                child.status
            },
        });
        if is_open {
            walk(child, &path, depth + 1, open, out);
        }
    }
}

fn folder_status(node: &Node) -> &'static str {
    let changed = node.children.values().any(|child| {
        if child.is_file {
            child.status != "clean"
        } else {
            folder_status(child) != "clean"
        }
    });
    if changed {
        "modified"
    } else {
        "clean"
    }
}

/// The folders to unfold so that `path` is visible.
pub fn ancestors(path: &[u8]) -> Vec<Vec<u8>> {
    path.iter()
        .enumerate()
        .filter(|(_, b)| **b == b'/')
        .map(|(i, _)| path[..i].to_vec())
        .collect()
}

/// Check a path typed for a new or renamed file: relative, no empty, `.` or `..` components,
/// no `.git`, no backslashes or control characters.
pub fn check_new_path(path: &str) -> Result<Vec<u8>, String> {
    let path = path.trim().trim_matches('/');
    if path.is_empty() {
        return Err("Enter a file name".into());
    }
    if path.chars().any(|c| c.is_control() || c == '\\') {
        return Err("File names cannot contain backslashes or control characters".into());
    }
    for component in path.split('/') {
        if component.is_empty() || component == "." || component == ".." {
            return Err(format!("'{path}' has an empty, . or .. part"));
        }
        if component.eq_ignore_ascii_case(".git") {
            return Err("A path cannot contain .git".into());
        }
    }
    Ok(path.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use tabgit_engine::protocol::{ChangeKind, FileEntry, FileStatus};

    use super::{ancestors, check_new_path, rows};

    fn file(path: &str) -> FileEntry {
        FileEntry {
            path: path.as_bytes().to_vec(),
            kind: "file".into(),
        }
    }

    #[test]
    fn rows_nest_fold_and_mark_changes() {
        let files = [
            file("README.md"),
            file("src/lib.rs"),
            file("src/util/a.rs"),
            file("b.txt"),
        ];
        let statuses = [
            FileStatus {
                path: b"src/util/a.rs".to_vec(),
                old_path: None,
                staged: None,
                unstaged: Some(ChangeKind::Modified),
            },
            FileStatus {
                path: b"gone.txt".to_vec(),
                old_path: None,
                staged: Some(ChangeKind::Deleted),
                unstaged: None,
            },
        ];
        let closed = rows(&files, &statuses, &BTreeSet::new());
        let labels: Vec<(&str, &str)> = closed
            .iter()
            .map(|r| (r.label.as_str(), r.status))
            .collect();
        assert_eq!(
            labels,
            [
                ("src", "modified"),
                ("README.md", "clean"),
                ("b.txt", "clean"),
                ("gone.txt", "deleted")
            ]
        );
        let open: BTreeSet<Vec<u8>> = ancestors(b"src/util/a.rs").into_iter().collect();
        let opened = rows(&files, &statuses, &open);
        let paths: Vec<String> = opened
            .iter()
            .map(|r| {
                format!(
                    "{}{}",
                    "  ".repeat(r.depth),
                    String::from_utf8_lossy(&r.path)
                )
            })
            .collect();
        assert_eq!(
            paths,
            [
                "src",
                "  src/util",
                "    src/util/a.rs",
                "  src/lib.rs",
                "README.md",
                "b.txt",
                "gone.txt"
            ]
        );
        assert_eq!(opened[2].status, "modified");
    }

    #[test]
    fn new_paths_are_checked() {
        assert_eq!(
            check_new_path(" docs/new.md ").expect("fine"),
            b"docs/new.md"
        );
        for bad in ["", "a//b", "../x", "a/.GIT/config", "a\\b", "a\nb"] {
            assert!(check_new_path(bad).is_err(), "{bad:?}");
        }
    }
}
