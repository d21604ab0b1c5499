//! git-config parsing and editing, checked against native git: what git reads, what git writes.
#![cfg(not(target_arch = "wasm32"))]
mod edit;
mod malformed;
mod read;
mod value;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::path::Path;

use tabgit_config::File;
use tabgit_testtools::{git_command, Result};

/// One listed variable: the full name git prints, and the value (`None` for a bare key).
pub type Listed = (Vec<u8>, Option<Vec<u8>>);

/// `git config --file <path> --null --list`, parsed.
pub fn git_list(dir: &Path, path: &Path) -> Result<Vec<Listed>> {
    let out = git_command(dir)
        .args(["config", "--null", "--list", "--file"])
        .arg(path)
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "git config --list failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let mut listed = Vec::new();
    for item in out
        .stdout
        .split(|&b| b == 0)
        .filter(|item| !item.is_empty())
    {
        let (name, value) = match item.iter().position(|&b| b == b'\n') {
            Some(newline) => (&item[..newline], Some(item[newline + 1..].to_vec())),
            None => (item, None),
        };
        listed.push((name.to_vec(), value));
    }
    Ok(listed)
}

/// Our entries in the form of [`git_list`].
pub fn our_list(file: &File) -> Vec<Listed> {
    file.entries()
        .map(|entry| {
            let mut name = Vec::new();
            if !entry.section.is_empty() || entry.subsection.is_some() {
                name.extend_from_slice(entry.section);
                if let Some(subsection) = entry.subsection {
                    name.push(b'.');
                    name.extend_from_slice(subsection);
                }
                name.push(b'.');
            }
            name.extend_from_slice(entry.key);
            (name, entry.value.map(<[u8]>::to_vec))
        })
        .collect()
}

/// Run `git config --file <path> <args>` where arguments may be arbitrary bytes; returns the exit
/// code and standard error.
pub fn git_config(dir: &Path, path: &Path, args: &[&[u8]]) -> Result<(i32, String)> {
    let out = git_command(dir)
        .args(["config", "--file"])
        .arg(path)
        .args(args.iter().map(|arg| OsStr::from_bytes(arg)))
        .output()?;
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// A readable rendering of listed variables for assertion messages.
pub fn show(listed: &[Listed]) -> String {
    listed
        .iter()
        .map(|(name, value)| match value {
            Some(value) => format!(
                "{}={:?}\n",
                String::from_utf8_lossy(name),
                String::from_utf8_lossy(value)
            ),
            None => format!("{} (bare)\n", String::from_utf8_lossy(name)),
        })
        .collect()
}
