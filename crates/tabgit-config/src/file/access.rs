//! Reading values, sections and entries.

use crate::file::{EntryRef, File, SectionRef};
use crate::key::{canonical_base, KeyRef};
use crate::value;

/// Access
impl File {
    /// The last value of `section.subsection.key`, as `git config --get` prints it: a bare key
    /// reads as the empty value here (see [`File::values`] to tell them apart).
    pub fn get(&self, section: &str, subsection: Option<&[u8]>, key: &str) -> Option<&[u8]> {
        self.values(section, subsection, key)
            .last()
            .map(Option::unwrap_or_default)
    }

    /// Every value of a multi-valued key such as `remote.origin.fetch`, in file order, as
    /// `git config --get-all` prints them.
    pub fn get_all(&self, section: &str, subsection: Option<&[u8]>, key: &str) -> Vec<&[u8]> {
        self.values(section, subsection, key)
            .map(Option::unwrap_or_default)
            .collect()
    }

    /// The last value of a variable named as `git config` names it, such as `remote.origin.url`;
    /// `None` if the name is not a valid variable name.
    pub fn get_by_name(&self, name: &[u8]) -> Option<&[u8]> {
        let key = KeyRef::parse(name).ok()?;
        self.get(key.section, key.subsection, key.key)
    }

    /// The last value as a boolean (`git config --type=bool`); `Ok(None)` if the key is not set.
    pub fn get_bool(
        &self,
        section: &str,
        subsection: Option<&[u8]>,
        key: &str,
    ) -> Result<Option<bool>, value::Error> {
        self.values(section, subsection, key)
            .last()
            .map(value::parse_bool)
            .transpose()
    }

    /// The last value as an integer with an optional `k`/`m`/`g` unit (`git config --type=int`);
    /// `Ok(None)` if the key is not set. A bare key is not an integer.
    pub fn get_int(
        &self,
        section: &str,
        subsection: Option<&[u8]>,
        key: &str,
    ) -> Result<Option<i64>, value::Error> {
        self.values(section, subsection, key)
            .last()
            .map(|value| value::parse_int(value.unwrap_or_default()))
            .transpose()
    }

    /// Every value of `section.subsection.key` in file order; `None` stands for a bare key.
    pub fn values<'a>(
        &'a self,
        section: &str,
        subsection: Option<&[u8]>,
        key: &str,
    ) -> impl Iterator<Item = Option<&'a [u8]>> + 'a {
        let base = canonical_base(section, subsection);
        let key = key.to_ascii_lowercase().into_bytes();
        self.parsed
            .entries
            .iter()
            .filter(move |entry| {
                entry.key == key
                    && entry
                        .section
                        .and_then(|idx| self.parsed.sections.get(idx))
                        .map_or(base.is_empty(), |section| section.base == base)
            })
            .map(|entry| entry.value.as_deref())
    }

    /// Every section header in file order; a section may appear more than once.
    pub fn sections(&self) -> impl Iterator<Item = SectionRef<'_>> + '_ {
        self.parsed.sections.iter().map(|section| SectionRef {
            name: section.name(),
            subsection: section.subsection(),
            line: section.line,
        })
    }

    /// The distinct subsections of `section` in order of first appearance: the remotes for
    /// `remote`, the branches with configuration for `branch`.
    pub fn subsections(&self, section: &str) -> Vec<&[u8]> {
        let mut out: Vec<&[u8]> = Vec::new();
        for header in self.sections() {
            if header.name.eq_ignore_ascii_case(section.as_bytes()) {
                if let Some(subsection) = header.subsection {
                    if !out.contains(&subsection) {
                        out.push(subsection);
                    }
                }
            }
        }
        out
    }

    /// Every key and value in file order, as `git config --list` lists them.
    pub fn entries(&self) -> impl Iterator<Item = EntryRef<'_>> + '_ {
        self.parsed.entries.iter().map(|entry| {
            let section = entry.section.and_then(|idx| self.parsed.sections.get(idx));
            EntryRef {
                section: section.map_or(&[][..], |section| section.name()),
                subsection: section.and_then(|section| section.subsection()),
                key: &entry.key,
                value: entry.value.as_deref(),
                line: entry.line,
            }
        })
    }
}
