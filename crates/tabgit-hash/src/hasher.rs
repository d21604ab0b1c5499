use sha1_checked::digest::Digest as _;

use crate::ObjectId;

/// A SHA-1 collision attack was detected in the hashed data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("SHA-1 collision attack detected: object {id} is part of a collision")]
pub struct Collision {
    /// The (plain SHA-1) id the data hashes to.
    pub id: ObjectId,
}

/// An incremental SHA-1 hasher producing [`ObjectId`]s, with collision detection.
///
/// ### Relation to git
///
/// Like git's `sha1dc`, hashing detects the disturbance vectors of SHAttered-style collision
/// attacks (`sha1-checked`, the implementation gitoxide uses). Ids are always the plain SHA-1, so
/// they equal git's; [`Hasher::try_finalize`] reports an attack, and code hashing untrusted
/// objects (the pack indexer) refuses them, as git does ("SHA1 COLLISION FOUND").
/// Detection costs about 1.7× plain SHA-1 (measured in BENCHMARKS.md); checksums of whole
/// files (pack trailers, index checksums) use [`Hasher::checksum`], which skips it.
#[derive(Clone)]
pub struct Hasher(sha1_checked::Sha1);

impl Default for Hasher {
    fn default() -> Self {
        Hasher(
            sha1_checked::Sha1::builder()
                .detect_collision(true)
                .safe_hash(false)
                .build(),
        )
    }
}

/// Lifecycle
impl Hasher {
    /// A hasher for file checksums (pack trailers, `.idx` and index checksums): plain SHA-1
    /// without collision detection, since these name no object.
    pub fn checksum() -> Self {
        Hasher(
            sha1_checked::Sha1::builder()
                .detect_collision(false)
                .build(),
        )
    }

    /// Feed `bytes` into the hash.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// Finish hashing and return the id (the plain SHA-1, even if a collision was detected).
    pub fn finalize(&self) -> ObjectId {
        let bytes: [u8; 20] = self.0.clone().finalize().into();
        ObjectId::from_bytes(bytes)
    }

    /// Finish hashing, failing if the data carries a SHA-1 collision attack.
    pub fn try_finalize(&self) -> Result<ObjectId, Collision> {
        let result = self.0.clone().try_finalize();
        let bytes: [u8; 20] = (*result.hash()).into();
        let id = ObjectId::from_bytes(bytes);
        if result.has_collision() {
            Err(Collision { id })
        } else {
            Ok(id)
        }
    }
}

fn header_hasher(kind: &[u8], len: usize) -> Hasher {
    let mut hasher = Hasher::default();
    hasher.update(kind);
    hasher.update(b" ");
    let mut size_buf = [0u8; 20];
    hasher.update(format_decimal(len as u64, &mut size_buf));
    hasher.update(b"\0");
    hasher
}

/// Compute the id of an object of `kind` (`b"blob"`, `b"tree"`, `b"commit"`, `b"tag"`) with `content`.
///
/// This is what `git hash-object -t <kind>` prints.
pub fn hash_object(kind: &[u8], content: &[u8]) -> ObjectId {
    let mut hasher = header_hasher(kind, content.len());
    hasher.update(content);
    hasher.finalize()
}

/// Like [`hash_object`], but fail if the content carries a SHA-1 collision attack: for objects
/// received from elsewhere.
pub fn hash_object_checked(kind: &[u8], content: &[u8]) -> Result<ObjectId, Collision> {
    let mut hasher = header_hasher(kind, content.len());
    hasher.update(content);
    hasher.try_finalize()
}

/// Write `n` in decimal into `buf` and return the digits, without allocating.
fn format_decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut pos = buf.len();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[pos..]
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimal_formatting() {
        let mut buf = [0u8; 20];
        assert_eq!(super::format_decimal(0, &mut buf), b"0");
        assert_eq!(super::format_decimal(1234567890, &mut buf), b"1234567890");
        assert_eq!(
            super::format_decimal(u64::MAX, &mut buf),
            u64::MAX.to_string().as_bytes()
        );
    }
}
