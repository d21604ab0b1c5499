//! Hostile repositories: a served repository may carry canned answers in a `tabgit-hostile/`
//! directory, for the malicious-repository tests (`tests/fixtures/make-malicious.sh`,
//! RELIABILITY.md rows 24–32), where what must be hostile is something `git http-backend`
//! never sends.
//!
//! * `tabgit-hostile/info-refs`: the whole body of `GET …/info/refs?service=git-upload-pack`,
//!   sent with the advertisement content type (hostile ref names, symrefs, `ERR` lines, control
//!   characters). A protocol v2 client that gets a v0 advertisement falls back to v0.
//! * `tabgit-hostile/upload-pack-tail`: the bytes sent, as they are, instead of everything
//!   after the point where git's real `POST …/git-upload-pack` response starts its pack (after
//!   the `packfile` section header in v2, after the final `NAK`/`ACK` in v0). The file holds
//!   pkt-lines: side-band 1 packets of a crafted pack (truncated, lying counts, bad trailers,
//!   delta bombs and cycles), side-band 2 and 3 text, then a flush. Negotiation stays git's.
//!
//! The directory is read on every request, so a test can change it while the server runs.

use std::path::{Path, PathBuf};

/// The directory of canned answers inside a repository.
pub(crate) const DIR: &str = "tabgit-hostile";

/// The canned discovery body of the repository `path_info` (`/<repo>/info/refs`) is for.
pub(crate) fn info_refs(root: &Path, path_info: &str) -> Option<Vec<u8>> {
    let repository = repository_dir(root, path_info, "/info/refs")?;
    std::fs::read(repository.join(DIR).join("info-refs")).ok()
}

/// The canned pack tail of the repository `path_info` (`/<repo>/git-upload-pack`) is for.
pub(crate) fn upload_pack_tail(root: &Path, path_info: &str) -> Option<Vec<u8>> {
    let repository = repository_dir(root, path_info, "/git-upload-pack")?;
    std::fs::read(repository.join(DIR).join("upload-pack-tail")).ok()
}

/// `root` joined with `path_info` without its smart-HTTP `suffix`; `path_info` was checked by
/// the router (no `.` or `..` segments, no NUL or backslash).
fn repository_dir(root: &Path, path_info: &str, suffix: &str) -> Option<PathBuf> {
    let repository = path_info.strip_suffix(suffix)?.trim_start_matches('/');
    (!repository.is_empty()).then(|| root.join(repository))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_is_the_path_without_its_endpoint() {
        let root = Path::new("/srv");
        assert_eq!(
            repository_dir(root, "/malicious/dotdot.git/info/refs", "/info/refs"),
            Some(PathBuf::from("/srv/malicious/dotdot.git"))
        );
        assert_eq!(repository_dir(root, "/info/refs", "/info/refs"), None);
        assert_eq!(repository_dir(root, "/x.git/HEAD", "/info/refs"), None);
    }
}
