//! Editing: the algorithms of `git config` (`config.c` `git_config_set_multivar_in_file_gently`
//! for values, `git_config_copy_or_rename_section_in_file` for sections), ported so that an edit
//! gives the bytes git would write, and checked by re-reading the result before it is kept.

use crate::file::{Error, File};
use crate::key::{self, canonical_base, KeyRef};
use crate::parse::{is_key_char, is_space, EventKind};
use crate::value;

/// Which existing values of the key an edit replaces or removes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Select {
    /// Every value (`--replace-all`, `--unset-all`).
    All,
    /// Only the last value, the one that wins when reading.
    Last,
    /// None: a new value is added after the others (`--add`).
    Nothing,
}

/// Mutation
impl File {
    /// Set `section.subsection.key` to `value`: the last existing value is replaced in place, or a
    /// new line is appended to the last such section, which is created at the end if missing.
    ///
    /// The value is written as git writes it (see [`value::encode`]): quoted when it has leading or
    /// trailing spaces, `#`, `;` or a CR, with `\n`, `\t`, `\"` and `\\` escaped.
    ///
    /// ### Relation to git
    ///
    /// Like `git config set <name> <value>` when the key has at most one value; when it has more,
    /// git refuses and this replaces the last one.
    pub fn set(
        &mut self,
        section: &str,
        subsection: Option<&[u8]>,
        key: &str,
        value: &[u8],
    ) -> Result<(), Error> {
        let key = KeyRef::new(section, subsection, key)?;
        self.set_multivar(&key, Some(value), Select::Last).map(drop)
    }

    /// Add another value to a multi-valued key such as `remote.origin.fetch`, after its existing
    /// values (`git config --add`).
    pub fn add(
        &mut self,
        section: &str,
        subsection: Option<&[u8]>,
        key: &str,
        value: &[u8],
    ) -> Result<(), Error> {
        let key = KeyRef::new(section, subsection, key)?;
        self.set_multivar(&key, Some(value), Select::Nothing)
            .map(drop)
    }

    /// Replace every value of the key with one `value`, written where the last one was
    /// (`git config --replace-all`); returns how many values were replaced.
    pub fn replace_all(
        &mut self,
        section: &str,
        subsection: Option<&[u8]>,
        key: &str,
        value: &[u8],
    ) -> Result<usize, Error> {
        let key = KeyRef::new(section, subsection, key)?;
        self.set_multivar(&key, Some(value), Select::All)
    }

    /// Remove the last value of the key, the one that wins when reading; returns whether there
    /// was one. A section left without keys or comments is removed too (`git config --unset`).
    pub fn unset(
        &mut self,
        section: &str,
        subsection: Option<&[u8]>,
        key: &str,
    ) -> Result<bool, Error> {
        let key = KeyRef::new(section, subsection, key)?;
        Ok(self.set_multivar(&key, None, Select::Last)? > 0)
    }

    /// Remove every value of the key; returns how many there were (`git config --unset-all`).
    pub fn unset_all(
        &mut self,
        section: &str,
        subsection: Option<&[u8]>,
        key: &str,
    ) -> Result<usize, Error> {
        let key = KeyRef::new(section, subsection, key)?;
        self.set_multivar(&key, None, Select::All)
    }

    /// Remove every `[section "subsection"]` header with the lines up to the next header
    /// (`git config --remove-section`, `git remote remove`); returns how many headers matched.
    ///
    /// ### Relation to git
    ///
    /// git matches the header text exactly; the section name is matched case-insensitively here,
    /// as it is when reading, so that no `[Remote "origin"]` survives removing `remote.origin`.
    pub fn remove_section(
        &mut self,
        section: &str,
        subsection: Option<&[u8]>,
    ) -> Result<usize, Error> {
        let old_name = section_name(section, subsection)?;
        self.rename_or_remove(&old_name, None)
    }

    /// Rename every `[section "subsection"]` header to `[new_section "new_subsection"]`, keeping
    /// the keys and comments below it (`git config --rename-section`, `git remote rename`,
    /// `git branch -m`); returns how many headers matched.
    ///
    /// Matching is as in [`File::remove_section`].
    pub fn rename_section(
        &mut self,
        section: &str,
        subsection: Option<&[u8]>,
        new_section: &str,
        new_subsection: Option<&[u8]>,
    ) -> Result<usize, Error> {
        let old_name = section_name(section, subsection)?;
        section_name(new_section, new_subsection)?;
        self.rename_or_remove(&old_name, Some((new_section, new_subsection)))
    }
}

/// Internals, named after git's.
impl File {
    /// `config.c` `git_config_set_multivar_in_file_gently`; `value` `None` removes. Returns how
    /// many existing values were replaced or removed.
    fn set_multivar(
        &mut self,
        key: &KeyRef<'_>,
        value: Option<&[u8]>,
        select: Select,
    ) -> Result<usize, Error> {
        let encoded = value.map(value::encode).transpose()?;
        let base = canonical_base(key.section, key.subsection);
        let key_lower = key.key.to_ascii_lowercase().into_bytes();
        let parsed = &self.parsed;
        let events = &parsed.events;
        let section_base = |idx: usize| parsed.sections.get(idx).map(|s| s.base.as_slice());

        // `store_aux_event` and `store_aux`: which events are in a section of the key, and which
        // entries match. `seen[n_seen]` is git's moving "last event of the section" slot.
        let mut is_keys_section = vec![false; events.len()];
        let mut seen: Vec<usize> = Vec::new();
        let mut n_seen = 0usize;
        let (mut key_seen, mut section_seen, mut in_keys_section) = (false, false, false);
        for (event_idx, event) in events.iter().enumerate() {
            match event.kind {
                EventKind::Section(idx) => {
                    // git compares legacy `[a.b]` headers case-insensitively, which would put a
                    // key `a.B.k` under `[a.b]` where it reads back as `a.b.k`; exact comparison
                    // creates a new section instead.
                    in_keys_section = section_base(idx) == Some(base.as_slice());
                    is_keys_section[event_idx] = in_keys_section;
                    if in_keys_section {
                        section_seen = true;
                        set_slot(&mut seen, n_seen, event_idx);
                    }
                }
                EventKind::Entry(idx) => {
                    let matches = select != Select::Nothing
                        && parsed.entries.get(idx).is_some_and(|entry| {
                            entry.key == key_lower
                                && entry.section.and_then(section_base) == Some(base.as_slice())
                        });
                    if key_seen {
                        if matches {
                            set_slot(&mut seen, n_seen, event_idx);
                            n_seen += 1;
                        }
                    } else if in_keys_section {
                        set_slot(&mut seen, n_seen, event_idx);
                        section_seen = true;
                        if matches {
                            n_seen += 1;
                            key_seen = true;
                        }
                    }
                }
                EventKind::Whitespace | EventKind::Comment => {}
            }
        }
        if select == Select::Last && n_seen > 1 {
            seen = vec![seen[n_seen - 1]];
            n_seen = 1;
        }
        let n_matched = if key_seen { n_seen } else { 0 };
        if value.is_none() && n_matched == 0 {
            return Ok(0);
        }
        if n_seen == 0 {
            if seen.is_empty() {
                // Neither key nor section: append at the end (after the last event).
                seen.push(events.len().saturating_sub(1));
            }
            n_seen = 1;
        }

        let contents = &self.text;
        let mut out = Vec::with_capacity(contents.len() + 64);
        let mut copy_begin = 0usize;
        let mut seen_idx = 0usize;
        while seen_idx < n_seen {
            let event_idx = seen[seen_idx];
            let (mut copy_end, replace_end);
            if key_seen {
                let event = events[event_idx];
                copy_end = event.begin;
                let mut end = event.end;
                if value.is_none() {
                    maybe_remove_section(
                        events,
                        &is_keys_section,
                        &seen[..n_seen],
                        &mut copy_end,
                        &mut end,
                        &mut seen_idx,
                    );
                }
                replace_end = end;
                // Swallow preceding whitespace on the same line.
                while copy_end > 0
                    && is_space(contents[copy_end - 1])
                    && contents[copy_end - 1] != b'\n'
                {
                    copy_end -= 1;
                }
            } else {
                copy_end = events.get(event_idx).map_or(0, |event| event.end);
                // Include the newline after a section header.
                if copy_end > 0
                    && copy_end < contents.len()
                    && contents[copy_end - 1] != b'\n'
                    && contents[copy_end] == b'\n'
                {
                    copy_end += 1;
                }
                replace_end = copy_end;
            }
            let new_line = copy_end > 0 && contents[copy_end - 1] != b'\n';
            if copy_end > copy_begin {
                out.extend_from_slice(&contents[copy_begin..copy_end]);
                if new_line {
                    out.push(b'\n');
                }
            }
            copy_begin = replace_end;
            seen_idx += 1;
        }
        if let Some(encoded) = &encoded {
            if !section_seen {
                write_section(&mut out, key.section, key.subsection);
            }
            out.push(b'\t');
            out.extend_from_slice(key.key.as_bytes());
            out.extend_from_slice(b" = ");
            out.extend_from_slice(encoded);
            out.push(b'\n');
        }
        if copy_begin < contents.len() {
            out.extend_from_slice(&contents[copy_begin..]);
        }

        let edited = File::from_bytes(&out).map_err(Error::WouldNotParse)?;
        let reads_back = match value {
            Some(value) => edited.get(key.section, key.subsection, key.key) == Some(value),
            None => {
                edited.values(key.section, key.subsection, key.key).count() + n_matched
                    == self.values(key.section, key.subsection, key.key).count()
            }
        };
        if !reads_back {
            return Err(Error::WouldNotReadBack {
                key: String::from_utf8_lossy(&key.canonical()).into_owned(),
            });
        }
        *self = edited;
        Ok(n_matched)
    }

    /// `config.c` `git_config_copy_or_rename_section_in_file`, line by line; `new` `None` removes.
    fn rename_or_remove(
        &mut self,
        old_name: &[u8],
        new: Option<(&str, Option<&[u8]>)>,
    ) -> Result<usize, Error> {
        let mut out = Vec::with_capacity(self.text.len() + 16);
        let mut n_matched = 0usize;
        let mut removing = false;
        for line in self.text.split_inclusive(|&b| b == b'\n') {
            let indent = line.iter().take_while(|&&b| is_space(b)).count();
            if line.get(indent) == Some(&b'[') {
                if let Some(offset) = section_name_match(&line[indent..], old_name) {
                    n_matched += 1;
                    let Some((new_section, new_subsection)) = new else {
                        removing = true;
                        continue;
                    };
                    write_section(&mut out, new_section, new_subsection);
                    let rest = &line[indent + offset..];
                    if !rest.is_empty() {
                        // More content on the header's line moves to its own, indented line.
                        out.push(b'\t');
                        out.extend_from_slice(rest);
                    }
                    removing = false;
                    continue;
                }
                removing = false;
            }
            if !removing {
                out.extend_from_slice(line);
            }
        }
        if n_matched == 0 {
            return Ok(0);
        }
        *self = File::from_bytes(&out).map_err(Error::WouldNotParse)?;
        Ok(n_matched)
    }
}

/// Put `event_idx` into `seen[slot]`, growing `seen` as git's `ALLOC_GROW` does.
fn set_slot(seen: &mut Vec<usize>, slot: usize, event_idx: usize) {
    if seen.len() <= slot {
        seen.resize(slot + 1, 0);
    }
    seen[slot] = event_idx;
}

/// The `section[.subsection]` name git's section functions take, validated for writing.
fn section_name(section: &str, subsection: Option<&[u8]>) -> Result<Vec<u8>, key::Error> {
    if section.is_empty() || !section.bytes().all(is_key_char) {
        return Err(key::Error::InvalidSection {
            section: section.to_owned(),
        });
    }
    let mut name = section.as_bytes().to_vec();
    if let Some(subsection) = subsection {
        key::validate_subsection(subsection)?;
        name.push(b'.');
        name.extend_from_slice(subsection);
    }
    Ok(name)
}

/// `config.c` `store_create_section`: `[section]` or `[section "sub\"section"]`, then a newline.
fn write_section(out: &mut Vec<u8>, section: &str, subsection: Option<&[u8]>) {
    out.push(b'[');
    out.extend_from_slice(section.as_bytes());
    if let Some(subsection) = subsection {
        out.extend_from_slice(b" \"");
        for &byte in subsection {
            if byte == b'"' || byte == b'\\' {
                out.push(b'\\');
            }
            out.push(byte);
        }
        out.push(b'"');
    }
    out.extend_from_slice(b"]\n");
}

/// `config.c` `maybe_remove_section`: when the last keys of a section are removed and no comment
/// is around, widen the removed range to the whole section. `seen_idx` may advance past further
/// entries that are removed with it.
fn maybe_remove_section(
    events: &[crate::parse::Event],
    is_keys_section: &[bool],
    seen: &[usize],
    begin_offset: &mut usize,
    end_offset: &mut usize,
    seen_idx: &mut usize,
) {
    let mut seen_at = *seen_idx;
    // First, this must be the section's first key, with no comment before it or its header.
    let mut section_seen = false;
    let mut idx = seen[seen_at];
    while idx > 0 {
        match events[idx - 1].kind {
            EventKind::Comment => return,
            EventKind::Entry(_) => {
                if !section_seen {
                    return;
                }
                break;
            }
            EventKind::Section(_) => {
                if !is_keys_section[idx - 1] {
                    break;
                }
                section_seen = true;
            }
            EventKind::Whitespace => {}
        }
        idx -= 1;
    }
    let begin = events[idx].begin;
    // Next, these must be the section's last keys, with no comment after them.
    let mut idx = seen[seen_at] + 1;
    while idx < events.len() {
        match events[idx].kind {
            EventKind::Comment => return,
            EventKind::Section(_) => {
                if !is_keys_section[idx] {
                    break;
                }
            }
            EventKind::Entry(_) => {
                seen_at += 1;
                if seen_at >= seen.len() || idx != seen[seen_at] {
                    return;
                }
            }
            EventKind::Whitespace => {}
        }
        idx += 1;
    }
    *seen_idx = seen_at;
    *begin_offset = begin;
    *end_offset = match events.get(idx) {
        Some(event) => event.begin,
        None => events.last().map_or(*end_offset, |event| event.end),
    };
}

/// `config.c` `section_name_match`: whether the header at the start of `line` names `name`
/// (`section` or `section.subsection`), and if so the offset after the `]` and any whitespace.
/// The section part is compared case-insensitively (git compares it exactly).
fn section_name_match(line: &[u8], name: &[u8]) -> Option<usize> {
    // git works on C strings: reading past the end (or at a NUL) gives 0.
    let at = |idx: usize| line.get(idx).copied().unwrap_or(0);
    let name_at = |idx: usize| name.get(idx).copied().unwrap_or(0);
    if at(0) != b'[' {
        return None;
    }
    let (mut i, mut j, mut dot) = (1usize, 0usize, false);
    while at(i) != 0 && at(i) != b']' {
        if !dot && is_space(at(i)) {
            dot = true;
            let expected = name_at(j);
            j += 1;
            if expected != b'.' {
                break;
            }
            i += 1;
            while is_space(at(i)) {
                i += 1;
            }
            if at(i) != b'"' {
                break;
            }
            i += 1;
            continue;
        }
        if at(i) == b'\\' && dot {
            i += 1;
        } else if at(i) == b'"' && dot {
            i += 1;
            while is_space(at(i)) {
                i += 1;
            }
            break;
        }
        let expected = name_at(j);
        j += 1;
        let same = if dot {
            at(i) == expected
        } else {
            at(i).eq_ignore_ascii_case(&expected)
        };
        if !same {
            break;
        }
        i += 1;
    }
    if at(i) == b']' && name_at(j) == 0 {
        i += 1;
        while at(i) != 0 && is_space(at(i)) {
            i += 1;
        }
        Some(i)
    } else {
        None
    }
}
