//! git's wire formats against traffic captured from `git http-backend`
//! (`tests/fixtures/{v0,v2}`, written by `examples/capture/`), hostile input, and the local
//! git server.
#![cfg(not(target_arch = "wasm32"))]
mod discovery;
mod live;
mod malformed;
mod packetline;
mod push;
mod sideband;
mod v0;
mod v2;

use std::path::PathBuf;

pub use tabgit_testtools::Result;

/// The bytes of `tests/fixtures/<name>`, such as `v2/ls-refs.response`.
pub fn fixture(name: &str) -> Result<Vec<u8>> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).map_err(|err| format!("{}: {err}", path.display()).into())
}

/// The fixture directory.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The response content type recorded for fixture `name` (without extension) in `MANIFEST`.
pub fn response_content_type(name: &str) -> Result<String> {
    let manifest = std::fs::read_to_string(fixtures_dir().join("MANIFEST"))?;
    for line in manifest.lines().filter(|line| !line.starts_with('#')) {
        let mut fields = line.split('\t');
        if fields.next() == Some(name) {
            let value = fields
                .find_map(|field| field.strip_prefix("response-type="))
                .ok_or("MANIFEST lines have a response-type field")?;
            return Ok(value.to_owned());
        }
    }
    Err(format!("{name} is not in MANIFEST").into())
}

/// Every fixture file name under `dir` (`v0` or `v2`) ending in `extension`.
pub fn fixture_names(dir: &str, extension: &str) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(fixtures_dir().join(dir))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(extension) {
            names.push(format!("{dir}/{name}"));
        }
    }
    names.sort();
    Ok(names)
}

/// Whether `pack` is a whole pack: `PACK`, version 2, and a SHA-1 trailer over the rest.
pub fn is_complete_pack(pack: &[u8]) -> bool {
    if pack.len() < 32 || !pack.starts_with(b"PACK\0\0\0\x02") {
        return false;
    }
    let (content, trailer) = pack.split_at(pack.len() - 20);
    let mut hasher = tabgit_hash::Hasher::default();
    hasher.update(content);
    hasher.finalize().as_bytes() == trailer
}

/// The number of objects a pack header declares.
pub fn pack_object_count(pack: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(pack.get(8..12)?.try_into().ok()?))
}

/// An object id from hex, for tests.
pub fn oid(hex: &str) -> tabgit_hash::ObjectId {
    hex.parse().expect("test ids are valid hex")
}

/// Split `data` into `n` nearly equal chunks (some possibly empty), for feeding in pieces.
pub fn chunks(data: &[u8], size: usize) -> impl Iterator<Item = &[u8]> {
    data.chunks(size.max(1))
}

/// Parse pkt-lines of a whole request body into their payloads with one trailing LF removed,
/// and the special packets as `0000`/`0001`/`0002`; bytes after the last pkt-line (a pack) are
/// returned separately.
pub fn request_lines(body: &[u8]) -> Result<(Vec<Vec<u8>>, Vec<u8>)> {
    use tabgit_protocol::packetline::{decode, PacketRef};
    let mut lines = Vec::new();
    let mut rest = body;
    while !rest.is_empty() && !rest.starts_with(b"PACK") {
        match decode::streaming(rest)? {
            decode::Stream::Complete { packet, consumed } => {
                lines.push(match packet {
                    PacketRef::Data(data) => data.strip_suffix(b"\n").unwrap_or(data).to_vec(),
                    PacketRef::Flush => b"0000".to_vec(),
                    PacketRef::Delimiter => b"0001".to_vec(),
                    PacketRef::ResponseEnd => b"0002".to_vec(),
                });
                rest = &rest[consumed..];
            }
            decode::Stream::Incomplete { .. } => {
                return Err("request ends inside a pkt-line".into())
            }
        }
    }
    Ok((lines, rest.to_vec()))
}

/// A body of pkt-lines: every item is framed as a data packet, except the literal special
/// packets `0000`, `0001` and `0002`, which are written as they are.
pub fn pkts(items: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for item in items {
        if matches!(*item, b"0000" | b"0001" | b"0002") {
            out.extend_from_slice(item);
        } else {
            tabgit_protocol::packetline::encode::data(item, &mut out)
                .expect("test packets are small");
        }
    }
    out
}

/// The capabilities of the captured v2 advertisement, `None` if it were not v2.
pub fn discovery_v2() -> Result<Option<tabgit_protocol::v2::Capabilities>> {
    match discovery_of(
        "v2/info-refs",
        tabgit_protocol::discovery::Service::UploadPack,
    )? {
        tabgit_protocol::discovery::Advertisement::V2(capabilities) => Ok(Some(capabilities)),
        tabgit_protocol::discovery::Advertisement::Refs(_) => Ok(None),
    }
}

/// The captured v0/v1 advertisement `name` (without extension).
pub fn discovery_v0(name: &str) -> Result<tabgit_protocol::discovery::RefAdvertisement> {
    let service = if name.contains("receive-pack") {
        tabgit_protocol::discovery::Service::ReceivePack
    } else {
        tabgit_protocol::discovery::Service::UploadPack
    };
    match discovery_of(name, service)? {
        tabgit_protocol::discovery::Advertisement::Refs(refs) => Ok(refs),
        tabgit_protocol::discovery::Advertisement::V2(_) => {
            Err(format!("{name} is a v2 advertisement").into())
        }
    }
}

fn discovery_of(
    name: &str,
    service: tabgit_protocol::discovery::Service,
) -> Result<tabgit_protocol::discovery::Advertisement> {
    let body = fixture(&format!("{name}.response"))?;
    Ok(tabgit_protocol::discovery::parse(
        service,
        Some(&response_content_type(name)?),
        &body,
        &tabgit_protocol::Limits::default(),
    )?)
}
