//! Writing a `.zip` of the working tree for download: stored (uncompressed) entries, which
//! every unzip tool reads (APPNOTE.TXT 6.3, sections 4.3.7 to 4.3.16).
//!
//! Paths come from the repository and were checked when the tree was fetched (no `..`, no
//! absolute paths; RELIABILITY.md row 1), so they are written as they are.

/// Paths of `paths` that cannot be extracted everywhere, each with the reason in words:
/// Windows device names (`CON`, `PRN`, `AUX`, `NUL`, `COM1`–`COM9`, `LPT1`–`LPT9`, with any
/// extension, in any case; RELIABILITY.md row 8) and paths that differ only in case, which are
/// one file on Windows and macOS (row 9). git keeps all of them (they are distinct in a
/// repository), so the download asks before writing them rather than changing them.
pub fn portability_problems<'a>(paths: impl IntoIterator<Item = &'a [u8]>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen: std::collections::BTreeMap<Vec<u8>, &'a [u8]> = Default::default();
    for path in paths {
        for component in path.split(|&b| b == b'/') {
            if is_windows_device(component) {
                problems.push(format!(
                    "{}: {} is a device name on Windows",
                    String::from_utf8_lossy(path),
                    String::from_utf8_lossy(component)
                ));
                break;
            }
        }
        let folded = path.to_ascii_lowercase();
        if let Some(other) = seen.get(&folded) {
            problems.push(format!(
                "{} and {} differ only in case: one file on Windows and macOS",
                String::from_utf8_lossy(other),
                String::from_utf8_lossy(path)
            ));
        } else {
            seen.insert(folded, path);
        }
    }
    problems
}

/// Whether a path component names a Windows device: the stem (before the first `.`, without
/// trailing spaces) is `CON`, `PRN`, `AUX`, `NUL`, `COM1`–`COM9` or `LPT1`–`LPT9` in any case
/// (gix-validate's `is_win_device`).
fn is_windows_device(component: &[u8]) -> bool {
    let stem = component
        .split(|&b| b == b'.')
        .next()
        .unwrap_or_default()
        .trim_ascii_end()
        .to_ascii_uppercase();
    match stem.as_slice() {
        b"CON" | b"PRN" | b"AUX" | b"NUL" => true,
        [b'C', b'O', b'M', d] | [b'L', b'P', b'T', d] => (b'1'..=b'9').contains(d),
        _ => false,
    }
}

/// CRC-32 (IEEE 802.3, reflected, as zip uses it).
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// A zip archive of `files` (path, bytes), or why one cannot be made (zip without its 64-bit
/// extension holds at most 65,535 files of under 4 GiB in all).
pub fn write(files: &[(Vec<u8>, Vec<u8>)]) -> Result<Vec<u8>, String> {
    if files.len() > usize::from(u16::MAX) {
        return Err("Too many files for a zip archive".into());
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (path, data) in files {
        let offset =
            u32::try_from(out.len()).map_err(|_| "The files are too large for a zip archive")?;
        let size =
            u32::try_from(data.len()).map_err(|_| "A file is too large for a zip archive")?;
        let name_len = u16::try_from(path.len()).map_err(|_| "A path is too long for zip")?;
        let crc = crc32(data);
        // Bit 11: the name is UTF-8.
        let flags: u16 = if std::str::from_utf8(path).is_ok() {
            0x0800
        } else {
            0
        };
        // Local file header.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // stored
        out.extend_from_slice(&0u16.to_le_bytes()); // time
        out.extend_from_slice(&0x21u16.to_le_bytes()); // date: 1980-01-01
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(path);
        out.extend_from_slice(data);
        // Central directory entry.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        central.extend_from_slice(&20u16.to_le_bytes()); // needed
        central.extend_from_slice(&flags.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0x21u16.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&[0; 8]); // extra, comment, disk
        central.extend_from_slice(&[0; 6]); // internal and external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(path);
    }
    let central_offset =
        u32::try_from(out.len()).map_err(|_| "The files are too large for a zip archive")?;
    let central_len = central.len() as u32;
    out.extend_from_slice(&central);
    let count = files.len() as u16;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disk numbers
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{crc32, portability_problems, write};

    #[test]
    fn windows_device_names_and_case_collisions_are_named() {
        let paths: [&[u8]; 9] = [
            b"README",
            b"docs/aux.c",
            b"src/Com1",
            b"lpt9 .txt",
            b"readme",
            b"console.rs",
            b"com0",
            b"nul/inside",
            b"COM10",
        ];
        let problems = portability_problems(paths);
        assert_eq!(
            problems,
            [
                "docs/aux.c: aux.c is a device name on Windows",
                "src/Com1: Com1 is a device name on Windows",
                "lpt9 .txt: lpt9 .txt is a device name on Windows",
                "README and readme differ only in case: one file on Windows and macOS",
                "nul/inside: nul is a device name on Windows",
            ]
        );
        let fine: [&[u8]; 3] = [b"a/b", b"A/c", b"console"];
        assert!(portability_problems(fine).is_empty());
    }

    #[test]
    fn crc_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926, "the CRC-32 check value");
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn archives_have_the_zip_structure() {
        let zip = write(&[
            (b"a.txt".to_vec(), b"hello\n".to_vec()),
            (b"dir/b.bin".to_vec(), vec![0, 1, 2]),
        ])
        .expect("small");
        assert_eq!(&zip[..4], b"PK\x03\x04");
        let end = &zip[zip.len() - 22..];
        assert_eq!(&end[..4], b"PK\x05\x06", "end of central directory last");
        assert_eq!(u16::from_le_bytes([end[10], end[11]]), 2, "two entries");
        let central = u32::from_le_bytes([end[16], end[17], end[18], end[19]]) as usize;
        assert_eq!(&zip[central..central + 4], b"PK\x01\x02");
    }
}
