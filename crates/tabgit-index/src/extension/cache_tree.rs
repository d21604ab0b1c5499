//! The cache tree extension, `TREE` (`gitformat-index`, "Cache tree"; git's `cache-tree.c`):
//! the tree ids `git write-tree` computed for the index's directories, so that unchanged
//! directories need not be hashed again.
//!
//! ```text
//! node      = path NUL entry-count SP subtree-count LF [object-id]
//! path      = the directory's name relative to its parent (empty for the root)
//! entry-count = ASCII decimal: index entries covered by this tree, or "-1" if invalidated
//! subtree-count = ASCII decimal: number of child nodes that follow
//! object-id = 20 bytes, present only if entry-count is not negative
//! ```
//!
//! Nodes are stored depth-first, each followed by its subtrees. Git writes a node's subtrees
//! ordered by name length, then by name (`cache-tree.c` `subtree_name_cmp`).
//!
//! [`CacheTree`] keeps the nodes in that flat order rather than as nested values, so that neither
//! parsing, writing nor dropping a deep tree recurses.

use std::cmp::Ordering;

use tabgit_hash::ObjectId;

/// The reasons a `TREE` extension could not be parsed.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// The data ends inside a node, or before all announced subtrees were read.
    #[error("cache tree is truncated at byte {offset} of the TREE extension")]
    Truncated {
        /// Offset within the extension data.
        offset: usize,
    },
    /// The first node, the root, has a name.
    #[error("cache tree root has a name; the TREE extension must describe the whole tree")]
    RootHasName,
    /// A subtree has an empty name or one containing `/`.
    #[error("cache tree node at byte {offset} has an empty name or a name containing '/'")]
    BadName {
        /// Offset within the extension data.
        offset: usize,
    },
    /// The entry count or subtree count is not a decimal number in range, or is not followed by
    /// the expected separator.
    #[error("cache tree node at byte {offset} has a malformed entry or subtree count")]
    BadCount {
        /// Offset within the extension data.
        offset: usize,
    },
    /// Bytes remain after the root's last subtree.
    #[error("cache tree has {len} unexpected bytes at byte {offset} of the TREE extension")]
    TrailingData {
        /// Offset within the extension data.
        offset: usize,
        /// Number of trailing bytes.
        len: usize,
    },
}

/// The cached tree of one directory: its name, its id if still valid, and how many subtrees
/// follow it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Node {
    name: Vec<u8>,
    valid: Option<Valid>,
    n_subtrees: usize,
}

/// What a valid cache tree node records.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub struct Valid {
    /// Number of index entries in this directory and all its subdirectories.
    pub n_entries: u32,
    /// The id of the tree object for this directory.
    pub tree_id: ObjectId,
}

/// Access
impl Node {
    /// The directory's name within its parent (empty for the root).
    pub fn name(&self) -> &[u8] {
        &self.name
    }

    /// The entry count and tree id, or `None` if the node was invalidated (written as `-1`).
    pub fn valid(&self) -> Option<Valid> {
        self.valid
    }

    /// The tree id, if the node is valid.
    pub fn tree_id(&self) -> Option<ObjectId> {
        self.valid.map(|valid| valid.tree_id)
    }

    /// Number of direct subtrees.
    pub fn n_subtrees(&self) -> usize {
        self.n_subtrees
    }
}

/// A parsed `TREE` extension: a non-empty list of nodes in depth-first order, root first.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CacheTree {
    nodes: Vec<Node>,
}

/// Lifecycle
impl CacheTree {
    /// Parse the data of a `TREE` extension.
    pub fn from_bytes(data: &[u8]) -> Result<Self, Error> {
        let mut nodes = Vec::new();
        let mut offset = 0usize;
        // Nodes still to be read: the root, then each node's announced subtrees.
        let mut pending: u64 = 1;
        while pending > 0 {
            let start = offset;
            let rest = &data[offset..];
            let nul = rest
                .iter()
                .position(|&b| b == 0)
                .ok_or(Error::Truncated { offset })?;
            let name = &rest[..nul];
            if nodes.is_empty() {
                if !name.is_empty() {
                    return Err(Error::RootHasName);
                }
            } else if name.is_empty() || name.contains(&b'/') {
                return Err(Error::BadName { offset: start });
            }
            offset += nul + 1;
            let (entry_count, used) = parse_signed(&data[offset..], b' ')
                .ok_or(bad_count_or_truncated(data, offset, start))?;
            offset += used;
            let (n_subtrees, used) = parse_unsigned(&data[offset..], b'\n')
                .ok_or(bad_count_or_truncated(data, offset, start))?;
            offset += used;
            let valid = match entry_count {
                Some(n_entries) => {
                    let id_bytes = data
                        .get(offset..offset + tabgit_hash::LEN)
                        .ok_or(Error::Truncated { offset })?;
                    offset += tabgit_hash::LEN;
                    Some(Valid {
                        n_entries,
                        tree_id: ObjectId::from_slice(id_bytes).expect("slice of exactly 20 bytes"),
                    })
                }
                None => None,
            };
            nodes.push(Node {
                name: name.to_vec(),
                valid,
                n_subtrees: n_subtrees as usize,
            });
            pending = pending - 1 + u64::from(n_subtrees);
        }
        if offset != data.len() {
            return Err(Error::TrailingData {
                offset,
                len: data.len() - offset,
            });
        }
        Ok(CacheTree { nodes })
    }

    /// Assemble a cache tree from a root and its already assembled subtrees (in any order; they
    /// are put into git's order).
    pub(crate) fn from_parts(root: Node, mut subtrees: Vec<CacheTree>) -> Self {
        subtrees.sort_by(|a, b| subtree_order(a.root().name(), b.root().name()));
        let mut nodes =
            Vec::with_capacity(1 + subtrees.iter().map(|t| t.nodes.len()).sum::<usize>());
        nodes.push(Node {
            n_subtrees: subtrees.len(),
            ..root
        });
        for subtree in subtrees {
            nodes.extend(subtree.nodes);
        }
        CacheTree { nodes }
    }

    /// A node for [`CacheTree::from_parts`].
    pub(crate) fn node(name: Vec<u8>, valid: Option<Valid>) -> Node {
        Node {
            name,
            valid,
            n_subtrees: 0,
        }
    }
}

/// Access
impl CacheTree {
    /// The root node.
    pub fn root(&self) -> &Node {
        &self.nodes[0]
    }

    /// All nodes, depth-first, each followed by its subtrees.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The node for directory `path` (`b""` for the root, `b"src/bin"` for a subdirectory).
    pub fn find(&self, path: &[u8]) -> Option<&Node> {
        let mut node_idx = 0;
        if path.is_empty() {
            return self.nodes.first();
        }
        for component in path.split(|&b| b == b'/') {
            let n_children = self.nodes.get(node_idx)?.n_subtrees;
            let mut child_idx = node_idx + 1;
            let mut found = None;
            for _ in 0..n_children {
                let child = self.nodes.get(child_idx)?;
                if child.name == component {
                    found = Some(child_idx);
                    break;
                }
                child_idx = self.skip(child_idx);
            }
            node_idx = found?;
        }
        self.nodes.get(node_idx)
    }

    /// The index of the first node after the subtree rooted at `node_idx`.
    fn skip(&self, mut node_idx: usize) -> usize {
        let mut pending = 1usize;
        while pending > 0 {
            let Some(node) = self.nodes.get(node_idx) else {
                break;
            };
            pending = pending - 1 + node.n_subtrees;
            node_idx += 1;
        }
        node_idx
    }
}

/// Conversion
impl CacheTree {
    /// Serialize as the data of a `TREE` extension.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        for node in &self.nodes {
            out.extend_from_slice(&node.name);
            out.push(0);
            match node.valid {
                Some(valid) => {
                    out.extend_from_slice(
                        format!("{} {}\n", valid.n_entries, node.n_subtrees).as_bytes(),
                    );
                    out.extend_from_slice(valid.tree_id.as_bytes());
                }
                None => out.extend_from_slice(format!("-1 {}\n", node.n_subtrees).as_bytes()),
            }
        }
    }
}

/// The order git keeps subtrees in: shorter names first, then bytewise (`subtree_name_cmp`).
fn subtree_order(a: &[u8], b: &[u8]) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn bad_count_or_truncated(data: &[u8], offset: usize, node_start: usize) -> Error {
    if data[offset..].contains(&b'\n') {
        Error::BadCount { offset: node_start }
    } else {
        Error::Truncated { offset }
    }
}

/// Parse `-1` (invalid, `None`) or a non-negative decimal, followed by `terminator`. Returns the
/// value and the bytes used.
fn parse_signed(data: &[u8], terminator: u8) -> Option<(Option<u32>, usize)> {
    if data.starts_with(b"-1") && data.get(2) == Some(&terminator) {
        return Some((None, 3));
    }
    let (value, used) = parse_unsigned(data, terminator)?;
    Some((Some(value), used))
}

/// Parse a decimal number up to `i32::MAX` (git's `int`) without leading zeros, followed by
/// `terminator`. Returns the value and the bytes used.
///
/// Git writes counts with `%d`, so accepting only that form makes parsing and writing inverses.
fn parse_unsigned(data: &[u8], terminator: u8) -> Option<(u32, usize)> {
    let digits = data.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || data.get(digits) != Some(&terminator) || (digits > 1 && data[0] == b'0') {
        return None;
    }
    let mut value: u32 = 0;
    for &digit in &data[..digits] {
        value = value
            .checked_mul(10)?
            .checked_add(u32::from(digit - b'0'))?;
    }
    if value > i32::MAX as u32 {
        return None;
    }
    Some((value, digits + 1))
}
