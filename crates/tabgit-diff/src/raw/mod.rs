//! The `--raw` and `--name-status` lines of `git diff-tree` (`diff.c` `diff_flush_raw`).
//!
//! ```text
//! :<old mode> <new mode> <old id> <new id> <status>[<score>]\t<path>[\t<new path>]
//! ```

use crate::{path, Change, Status};

/// Append `change`'s `--raw` line to `out`, with object ids cut to `abbrev` hex digits (`None`:
/// all 40, as `git diff-tree` prints them).
pub fn write(out: &mut Vec<u8>, change: &Change, abbrev: Option<usize>) {
    let (old_mode, old_id) = change.before().map_or((0, None), |(_, side)| {
        (side.mode.value(), Some(side.object_id))
    });
    let (new_mode, new_id) = change.after().map_or((0, None), |(_, side)| {
        (side.mode.value(), Some(side.object_id))
    });
    let hex = |object_id: Option<tabgit_object::ObjectId>| {
        let mut hex = object_id.map_or_else(|| "0".repeat(40), |id| id.to_hex());
        if let Some(len) = abbrev {
            hex.truncate(len.clamp(4, 40));
        }
        hex
    };
    out.extend_from_slice(
        format!(
            ":{old_mode:06o} {new_mode:06o} {} {} ",
            hex(old_id),
            hex(new_id)
        )
        .as_bytes(),
    );
    write_status_and_paths(out, change);
}

/// Append `change`'s `--name-status` line to `out`: `M\tpath`, `R085\told\tnew`.
pub fn write_name_status(out: &mut Vec<u8>, change: &Change) {
    write_status_and_paths(out, change);
}

fn write_status_and_paths(out: &mut Vec<u8>, change: &Change) {
    let status = change.status();
    out.push(status.letter());
    if let Some(similarity) = change.similarity() {
        out.extend_from_slice(format!("{:03}", similarity.percent()).as_bytes());
    }
    out.push(b'\t');
    match status {
        Status::Renamed | Status::Copied => {
            path::write_quoted(out, change.old_path());
            out.push(b'\t');
            path::write_quoted(out, change.new_path());
        }
        _ => path::write_quoted(out, change.new_path()),
    }
    out.push(b'\n');
}
