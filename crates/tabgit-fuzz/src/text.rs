//! Targets for git's text formats that a repository or a server controls: ref names, loose refs,
//! `packed-refs`, reflogs, refspecs and config files.

use tabgit_config::File;
use tabgit_refs::{loose, name, packed::PackedRefs, reflog, refspec, RefSpec};

use crate::selector;

/// Ref names and the files that hold refs.
///
/// The first byte picks the parser: ref names (0), loose ref files (1), `packed-refs` (2),
/// reflogs (3) or refspecs (4).
/// Checks: a name `check` accepts breaks none of `git check-ref-format`'s rules (RELIABILITY.md
/// row 31); what is parsed and written back parses to the same value.
pub fn refs(data: &[u8]) {
    let (selector, data) = selector(data);
    match selector % 5 {
        0 => ref_name(selector, data),
        1 => {
            if let Ok(target) = loose::decode(data) {
                let written = loose::encode(&target).expect("a decoded ref encodes");
                assert_eq!(
                    loose::decode(&written).ok(),
                    Some(target),
                    "an encoded loose ref decodes to itself"
                );
            }
        }
        2 => {
            if let Ok(parsed) = PackedRefs::from_bytes(data) {
                for record in &parsed {
                    assert!(
                        name::is_valid(&record.name, onelevel()),
                        "packed-refs holds only valid names"
                    );
                }
                if let Ok(written) = parsed.to_bytes() {
                    assert_eq!(
                        PackedRefs::from_bytes(&written).ok(),
                        Some(parsed),
                        "written packed-refs parse to what was written"
                    );
                }
            }
        }
        3 => {
            for line in reflog::iter(data).filter_map(Result::ok) {
                let Ok(owned) = line.to_owned() else {
                    continue;
                };
                let Ok(written) = owned.to_bytes() else {
                    continue;
                };
                let line_bytes = written.strip_suffix(b"\n").unwrap_or(&written);
                let again = reflog::LineRef::from_bytes(line_bytes).and_then(|l| l.to_owned());
                let mut expected = owned.clone();
                expected.message = reflog::normalize_message(&owned.message);
                assert_eq!(
                    again.ok(),
                    Some(expected),
                    "a written reflog line parses to what was written"
                );
            }
        }
        _ => {
            for operation in [refspec::Operation::Fetch, refspec::Operation::Push] {
                let Ok(spec) = RefSpec::parse(data, operation) else {
                    continue;
                };
                let _ = spec.source_is_object_id();
                for candidate in [&b"refs/heads/main"[..], b"refs/tags/v1.0", b"HEAD", data] {
                    if spec.matches_source(candidate) {
                        if let Some(mapped) = spec.map_source(candidate) {
                            let _ = name::check(&mapped, onelevel());
                        }
                    }
                }
            }
        }
    }
}

fn onelevel() -> name::Options {
    name::Options {
        allow_onelevel: true,
        refspec_pattern: false,
    }
}

fn ref_name(selector: u8, data: &[u8]) {
    let options = name::Options {
        allow_onelevel: selector & 8 != 0,
        refspec_pattern: selector & 16 != 0,
    };
    let valid = name::check(data, options).is_ok();
    assert_eq!(
        valid,
        name::is_valid(data, options),
        "check and is_valid agree"
    );
    if valid {
        assert!(
            follows_check_ref_format(data, options),
            "an accepted ref name follows git check-ref-format's rules: {:?}",
            String::from_utf8_lossy(data)
        );
    }
    if name::check_branch_name(data).is_ok() {
        assert!(
            name::is_valid_branch_name(data),
            "check_branch_name and is_valid_branch_name agree"
        );
    }
    let (_, short) = name::classify(data);
    assert!(
        data.ends_with(short),
        "a short name is a suffix of the full name"
    );
    let _ = name::shorten(data, true, |_| false);
    let _ = name::expand(data);
}

/// The rules of `git check-ref-format` (its manual page), written independently of
/// `tabgit_refs::name::check`.
fn follows_check_ref_format(name: &[u8], options: name::Options) -> bool {
    let components: Vec<&[u8]> = name.split(|&b| b == b'/').collect();
    let n_stars = name.split(|&b| b == b'*').count() - 1;
    !name.is_empty()
        && name != b"@"
        && (options.allow_onelevel || components.len() >= 2)
        && components.iter().all(|component| {
            !component.is_empty() && !component.starts_with(b".") && !component.ends_with(b".lock")
        })
        && !name.windows(2).any(|pair| pair == b"..")
        && !name.windows(2).any(|pair| pair == b"@{")
        && !name.ends_with(b".")
        && !name
            .iter()
            .any(|&b| b < 0x20 || b == 0x7f || b" ~^:?[\\".contains(&b))
        && (n_stars == 0 || (options.refspec_pattern && n_stars == 1))
}

/// A config file, its lookups, and an edit whose section, subsection and value come from the
/// input.
///
/// The first byte is the length of the edit at the end of the input: a subsection, a NUL, and a
/// value. Checks: a file parses to itself (layout kept); after setting a value the file still
/// parses and reads the value back (config injection, CVE-2023-29007 and CVE-2025-48384,
/// RELIABILITY.md row 18); removing or renaming a section leaves a file that parses.
pub fn config(data: &[u8]) {
    let (edit_len, data) = selector(data);
    let split = data.len().saturating_sub(usize::from(edit_len));
    let (text, edit) = data.split_at(split);
    let Ok(file) = File::from_bytes(text) else {
        return;
    };
    assert_eq!(file.as_bytes(), text, "a parsed config keeps its text");
    for entry in file.entries() {
        let _ = (entry.section, entry.subsection, entry.key, entry.value);
    }
    for section in file.sections() {
        let _ = section;
    }
    let _ = file.get_bool("core", None, "bare");
    let _ = file.get_int("core", None, "repositoryformatversion");
    let _ = file.get_by_name(b"remote.origin.url");
    let (subsection, value) = match edit.iter().position(|&b| b == 0) {
        Some(nul) => (Some(&edit[..nul]), &edit[nul + 1..]),
        None => (None, edit),
    };
    let mut edited = file.clone();
    if edited.set("fuzz", subsection, "key", value).is_ok() {
        let again = File::from_bytes(edited.as_bytes()).expect("an edited config parses");
        assert_eq!(
            again.get("fuzz", subsection, "key"),
            Some(value),
            "a value that was set reads back unchanged"
        );
    }
    let mut removed = file.clone();
    if removed.remove_section("remote", Some(b"origin")).is_ok() {
        File::from_bytes(removed.as_bytes()).expect("a config without a section parses");
    }
    let mut renamed = file;
    if renamed
        .rename_section("remote", Some(b"origin"), "remote", subsection)
        .is_ok()
    {
        File::from_bytes(renamed.as_bytes()).expect("a config with a renamed section parses");
    }
}
