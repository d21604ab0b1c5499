/// The type of a git object.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Kind {
    /// A commit: a tree, parents, identities and a message.
    Commit,
    /// A tree: a sorted list of named entries.
    Tree,
    /// File contents.
    Blob,
    /// An annotated tag.
    Tag,
}

/// A type name that is not one of git's four object types.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[error("unknown object type {:?}", String::from_utf8_lossy(name))]
pub struct UnknownKind {
    /// The name that was given, at most 32 bytes of it.
    pub name: Vec<u8>,
}

impl Kind {
    /// Parse `commit`, `tree`, `blob` or `tag`.
    pub fn from_bytes(name: &[u8]) -> Result<Self, UnknownKind> {
        Ok(match name {
            b"commit" => Kind::Commit,
            b"tree" => Kind::Tree,
            b"blob" => Kind::Blob,
            b"tag" => Kind::Tag,
            _ => {
                return Err(UnknownKind {
                    name: name.iter().copied().take(32).collect(),
                });
            }
        })
    }

    /// The name git uses for this type.
    pub fn as_bytes(self) -> &'static [u8] {
        self.as_str().as_bytes()
    }

    /// The name git uses for this type, as text.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Commit => "commit",
            Kind::Tree => "tree",
            Kind::Blob => "blob",
            Kind::Tag => "tag",
        }
    }

    /// The 3-bit type number used in pack entry headers (`gitformat-pack`: `OBJ_COMMIT` = 1 …).
    pub fn pack_type(self) -> u8 {
        match self {
            Kind::Commit => 1,
            Kind::Tree => 2,
            Kind::Blob => 3,
            Kind::Tag => 4,
        }
    }

    /// The kind for a pack entry type number 1 to 4, or `None`.
    pub fn from_pack_type(n: u8) -> Option<Self> {
        Some(match n {
            1 => Kind::Commit,
            2 => Kind::Tree,
            3 => Kind::Blob,
            4 => Kind::Tag,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
