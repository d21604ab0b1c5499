use crate::ObjectId;

/// An incremental SHA-1 hasher producing [`ObjectId`]s.
///
/// ### Relation to git
///
/// Git uses SHA-1 with collision detection (`sha1dc`). This hasher is plain SHA-1 (`sha1_smol`);
/// the trade-off is measured and recorded in `BENCHMARKS.md` and `ARCHITECTURE.md`.
/// Incoming objects are never allowed to overwrite stored ones with different bytes, which is the
/// defence that matters against a colliding object sent by a server.
#[derive(Default, Clone)]
pub struct Hasher(sha1_smol::Sha1);

/// Lifecycle
impl Hasher {
    /// Feed `bytes` into the hash.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// Finish hashing and return the id.
    pub fn finalize(&self) -> ObjectId {
        ObjectId::from_bytes(self.0.digest().bytes())
    }
}

/// Compute the id of an object of `kind` (`b"blob"`, `b"tree"`, `b"commit"`, `b"tag"`) with `content`.
///
/// This is what `git hash-object -t <kind>` prints.
pub fn hash_object(kind: &[u8], content: &[u8]) -> ObjectId {
    let mut hasher = Hasher::default();
    hasher.update(kind);
    hasher.update(b" ");
    let mut size_buf = [0u8; 20];
    hasher.update(format_decimal(content.len() as u64, &mut size_buf));
    hasher.update(b"\0");
    hasher.update(content);
    hasher.finalize()
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
