//! `tabgit status`: staged, unstaged, untracked and conflicted paths, in git's long, short and
//! porcelain (v1, v2) formats.

use std::process::ExitCode;

use tabgit_index::Mode;
use tabgit_repo::status::{self, Entry, Outcome, Untracked};

use crate::commands::workdir;

/// Arguments of `tabgit status`.
#[derive(clap::Args)]
pub struct Args {
    /// Give the output in the short format.
    #[arg(short = 's', long = "short")]
    short: bool,
    /// Show the branch and tracking info in short and porcelain formats.
    #[arg(short = 'b', long = "branch")]
    branch: bool,
    /// Machine-readable output: `v1` (default) or `v2`.
    #[arg(long, num_args = 0..=1, default_missing_value = "v1", require_equals = true)]
    porcelain: Option<String>,
    /// Untracked files: `no`, `normal` (default) or `all`.
    #[arg(short = 'u', long = "untracked-files", num_args = 0..=1, default_missing_value = "all")]
    untracked: Option<String>,
    /// Show ignored files too.
    #[arg(long)]
    ignored: bool,
    /// Do not detect renames.
    #[arg(long = "no-renames")]
    no_renames: bool,
    /// End entries with NUL, paths unquoted.
    #[arg(short = 'z')]
    nul: bool,
    /// Limit to these paths.
    #[arg(last = true)]
    paths: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    workdir::require_worktree(&repo)?;
    let prefix = workdir::prefix(&repo)?;
    let untracked = match args.untracked.as_deref() {
        None | Some("normal") => Untracked::Normal,
        Some("no") => Untracked::No,
        Some("all") => Untracked::All,
        Some(other) => anyhow::bail!("Invalid untracked files mode '{other}'"),
    };
    let options = status::Options {
        untracked,
        ignored: args.ignored,
        renames: !args.no_renames,
        pathspec: if args.paths.is_empty() {
            None
        } else {
            Some(workdir::pathspec(&repo, &args.paths)?)
        },
        index_mtime: workdir::index_mtime(&repo),
        ..status::Options::default()
    };
    let outcome = status::status(&repo, &options)?;
    if let Some(mut index) = outcome.refreshed_index.clone() {
        // Like git, store refreshed stat data when the index is not locked by someone else.
        let _ = tabgit_repo::status::write_refreshed_index(&repo, &mut index, options.index_mtime);
    }
    let mut out = Vec::new();
    match (args.porcelain.as_deref(), args.short || args.nul) {
        (Some("v2" | "2"), _) => porcelain_v2(&mut out, &outcome, args.branch, args.nul),
        (Some("v1" | "1"), _) => short(&mut out, &outcome, args.branch, b"", args.nul),
        (Some(other), _) => anyhow::bail!("unsupported porcelain version '{other}'"),
        (None, true) => short(&mut out, &outcome, args.branch, &prefix, args.nul),
        (None, false) => long(&mut out, &outcome, &prefix),
    }
    workdir::print_bytes(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn quote(path: &[u8], prefix: &[u8], quote_spaces: bool, nul: bool) -> Vec<u8> {
    if nul {
        return path.to_vec();
    }
    let relative = workdir::relative(path, prefix);
    let mut out = Vec::new();
    if quote_spaces && relative.contains(&b' ') && !tabgit_diff::path::needs_quoting(&relative) {
        out.push(b'"');
        out.extend_from_slice(&relative);
        out.push(b'"');
    } else {
        tabgit_diff::path::write_quoted(&mut out, &relative);
    }
    out
}

fn branch_short(name: &[u8]) -> &[u8] {
    name.strip_prefix(b"refs/heads/").unwrap_or(name)
}

fn upstream_short(name: &[u8]) -> &[u8] {
    name.strip_prefix(b"refs/remotes/")
        .or_else(|| name.strip_prefix(b"refs/heads/"))
        .unwrap_or(name)
}

/// `--short` and `--porcelain=v1` (`wt_shortstatus_print`).
fn short(out: &mut Vec<u8>, outcome: &Outcome, branch: bool, prefix: &[u8], nul: bool) {
    let eol = if nul { b'\0' } else { b'\n' };
    if branch {
        out.extend_from_slice(b"## ");
        let head = &outcome.head;
        match (&head.branch, head.commit) {
            (None, _) => out.extend_from_slice(b"HEAD (no branch)"),
            (Some(name), None) => {
                out.extend_from_slice(b"No commits yet on ");
                out.extend_from_slice(branch_short(name));
            }
            (Some(name), Some(_)) => {
                out.extend_from_slice(branch_short(name));
                if let Some(upstream) = &head.upstream {
                    out.extend_from_slice(b"...");
                    out.extend_from_slice(upstream_short(&upstream.name));
                    match upstream.ahead_behind {
                        None => out.extend_from_slice(b" [gone]"),
                        Some((0, 0)) => {}
                        Some((ahead, 0)) => {
                            out.extend_from_slice(format!(" [ahead {ahead}]").as_bytes());
                        }
                        Some((0, behind)) => {
                            out.extend_from_slice(format!(" [behind {behind}]").as_bytes());
                        }
                        Some((ahead, behind)) => out.extend_from_slice(
                            format!(" [ahead {ahead}, behind {behind}]").as_bytes(),
                        ),
                    }
                }
            }
        }
        out.push(eol);
    }
    for entry in &outcome.entries {
        out.push(entry.x());
        out.push(entry.y());
        out.push(b' ');
        if let Some(status::Staged::Renamed { from, .. }) = &entry.staged {
            if nul {
                out.extend_from_slice(&entry.path);
                out.push(0);
                out.extend_from_slice(from);
                out.push(0);
                continue;
            }
            out.extend_from_slice(&quote(from, prefix, true, nul));
            out.extend_from_slice(b" -> ");
        }
        out.extend_from_slice(&quote(&entry.path, prefix, true, nul));
        out.push(eol);
    }
    for path in &outcome.untracked {
        out.extend_from_slice(b"?? ");
        out.extend_from_slice(&quote(path, prefix, true, nul));
        out.push(eol);
    }
    for path in &outcome.ignored {
        out.extend_from_slice(b"!! ");
        out.extend_from_slice(&quote(path, prefix, true, nul));
        out.push(eol);
    }
}

fn mode_bits(mode: Option<Mode>) -> String {
    format!("{:06o}", mode.map_or(0, Mode::bits))
}

fn hex(id: Option<tabgit_hash::ObjectId>) -> String {
    id.unwrap_or(tabgit_hash::ObjectId::NULL).to_hex()
}

fn submodule_token(entry: &Entry) -> &'static str {
    if entry.content == status::Content::Submodule {
        "S..."
    } else {
        "N..."
    }
}

/// `--porcelain=v2` (`wt_porcelain_v2_print`).
fn porcelain_v2(out: &mut Vec<u8>, outcome: &Outcome, branch: bool, nul: bool) {
    let eol = if nul { b'\0' } else { b'\n' };
    let sep = if nul { b'\0' } else { b'\t' };
    if branch {
        let head = &outcome.head;
        let oid = head
            .commit
            .map_or_else(|| "(initial)".to_owned(), |id| id.to_hex());
        out.extend_from_slice(format!("# branch.oid {oid}").as_bytes());
        out.push(eol);
        out.extend_from_slice(b"# branch.head ");
        match &head.branch {
            Some(name) => out.extend_from_slice(branch_short(name)),
            None => out.extend_from_slice(b"(detached)"),
        }
        out.push(eol);
        if let Some(upstream) = &head.upstream {
            out.extend_from_slice(b"# branch.upstream ");
            out.extend_from_slice(upstream_short(&upstream.name));
            out.push(eol);
            if let Some((ahead, behind)) = upstream.ahead_behind {
                out.extend_from_slice(format!("# branch.ab +{ahead} -{behind}").as_bytes());
                out.push(eol);
            }
        }
    }
    for entry in outcome.entries.iter().filter(|e| e.conflict.is_none()) {
        let key = [
            if entry.staged.is_some() {
                entry.x()
            } else {
                b'.'
            },
            if entry.unstaged.is_some() {
                entry.y()
            } else {
                b'.'
            },
        ];
        let index_mode = entry.index.map(|s| s.mode);
        let worktree_mode = if entry.unstaged.is_some() {
            entry.worktree_mode
        } else {
            index_mode
        };
        let fields = format!(
            "{} {} {} {} {} {} {} ",
            String::from_utf8_lossy(&key),
            submodule_token(entry),
            mode_bits(entry.head.map(|s| s.mode)),
            mode_bits(index_mode),
            mode_bits(worktree_mode),
            hex(entry.head.map(|s| s.object_id)),
            hex(entry.index.map(|s| s.object_id)),
        );
        if let Some(status::Staged::Renamed { from, score }) = &entry.staged {
            out.extend_from_slice(format!("2 {fields}R{score} ").as_bytes());
            out.extend_from_slice(&quote(&entry.path, b"", false, nul));
            out.push(sep);
            out.extend_from_slice(&quote(from, b"", false, nul));
        } else {
            out.extend_from_slice(format!("1 {fields}").as_bytes());
            out.extend_from_slice(&quote(&entry.path, b"", false, nul));
        }
        out.push(eol);
    }
    for entry in &outcome.entries {
        let Some(conflict) = &entry.conflict else {
            continue;
        };
        let [base, ours, theirs] = conflict.stages;
        out.extend_from_slice(
            format!(
                "u {} {} {} {} {} {} {} {} {} ",
                String::from_utf8_lossy(&conflict.code),
                submodule_token(entry),
                mode_bits(base.map(|s| s.mode)),
                mode_bits(ours.map(|s| s.mode)),
                mode_bits(theirs.map(|s| s.mode)),
                mode_bits(entry.worktree_mode),
                hex(base.map(|s| s.object_id)),
                hex(ours.map(|s| s.object_id)),
                hex(theirs.map(|s| s.object_id)),
            )
            .as_bytes(),
        );
        out.extend_from_slice(&quote(&entry.path, b"", false, nul));
        out.push(eol);
    }
    for path in &outcome.untracked {
        out.extend_from_slice(b"? ");
        out.extend_from_slice(&quote(path, b"", false, nul));
        out.push(eol);
    }
    for path in &outcome.ignored {
        out.extend_from_slice(b"! ");
        out.extend_from_slice(&quote(path, b"", false, nul));
        out.push(eol);
    }
}

fn staged_label(staged: &status::Staged) -> &'static str {
    match staged {
        status::Staged::Added => "new file:   ",
        status::Staged::Deleted => "deleted:    ",
        status::Staged::Modified => "modified:   ",
        status::Staged::TypeChanged => "typechange: ",
        status::Staged::Renamed { .. } => "renamed:    ",
    }
}

/// The long format people read (`wt_longstatus_print`).
fn long(out: &mut Vec<u8>, outcome: &Outcome, prefix: &[u8]) {
    let head = &outcome.head;
    match &head.branch {
        Some(name) => out.extend_from_slice(
            format!(
                "On branch {}\n",
                String::from_utf8_lossy(branch_short(name))
            )
            .as_bytes(),
        ),
        None => out.extend_from_slice(
            format!(
                "HEAD detached at {}\n",
                head.commit
                    .map_or_else(String::new, |id| id.to_hex()[..7].to_owned())
            )
            .as_bytes(),
        ),
    }
    if let Some(upstream) = &head.upstream {
        let name = String::from_utf8_lossy(upstream_short(&upstream.name)).into_owned();
        let line = match upstream.ahead_behind {
            None => format!("Your branch is based on '{name}', but the upstream is gone.\n"),
            Some((0, 0)) => format!("Your branch is up to date with '{name}'.\n"),
            Some((ahead, 0)) => format!(
                "Your branch is ahead of '{name}' by {ahead} commit{}.\n",
                if ahead == 1 { "" } else { "s" }
            ),
            Some((0, behind)) => format!(
                "Your branch is behind '{name}' by {behind} commit{}, and can be fast-forwarded.\n",
                if behind == 1 { "" } else { "s" }
            ),
            Some((ahead, behind)) => format!(
                "Your branch and '{name}' have diverged,\nand have {ahead} and {behind} different commits each, respectively.\n"
            ),
        };
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    if head.commit.is_none() {
        out.extend_from_slice(b"\nNo commits yet\n\n");
    }
    let section = |out: &mut Vec<u8>, title: &str, lines: &[String]| {
        if lines.is_empty() {
            return;
        }
        out.extend_from_slice(format!("{title}\n").as_bytes());
        for line in lines {
            out.extend_from_slice(format!("\t{line}\n").as_bytes());
        }
        out.push(b'\n');
    };
    let q = |p: &[u8]| workdir::quote(p, prefix);
    let unmerged: Vec<String> = outcome
        .entries
        .iter()
        .filter_map(|e| {
            let conflict = e.conflict.as_ref()?;
            let label = match &conflict.code {
                b"DD" => "both deleted:   ",
                b"AU" => "added by us:    ",
                b"UD" => "deleted by them:",
                b"UA" => "added by them:  ",
                b"DU" => "deleted by us:  ",
                b"AA" => "both added:     ",
                _ => "both modified:  ",
            };
            Some(format!("{label} {}", q(&e.path)))
        })
        .collect();
    let staged: Vec<String> = outcome
        .entries
        .iter()
        .filter_map(|e| {
            let staged = e.staged.as_ref()?;
            Some(match staged {
                status::Staged::Renamed { from, .. } => {
                    format!("{}{} -> {}", staged_label(staged), q(from), q(&e.path))
                }
                _ => format!("{}{}", staged_label(staged), q(&e.path)),
            })
        })
        .collect();
    let unstaged: Vec<String> = outcome
        .entries
        .iter()
        .filter_map(|e| {
            let label = match e.unstaged? {
                status::Difference::Deleted => "deleted:    ",
                status::Difference::Modified => "modified:   ",
                status::Difference::TypeChanged => "typechange: ",
            };
            Some(format!("{label}{}", q(&e.path)))
        })
        .collect();
    let untracked: Vec<String> = outcome.untracked.iter().map(|p| q(p)).collect();
    section(
        out,
        "Changes to be committed:\n  (use \"git restore --staged <file>...\" to unstage)",
        &staged,
    );
    section(
        out,
        "Unmerged paths:\n  (use \"git add <file>...\" to mark resolution)",
        &unmerged,
    );
    let add_rm = if outcome
        .entries
        .iter()
        .any(|e| e.unstaged == Some(status::Difference::Deleted))
    {
        "add/rm"
    } else {
        "add"
    };
    section(
        out,
        &format!("Changes not staged for commit:\n  (use \"git {add_rm} <file>...\" to update what will be committed)\n  (use \"git restore <file>...\" to discard changes in working directory)"),
        &unstaged,
    );
    section(
        out,
        "Untracked files:\n  (use \"git add <file>...\" to include in what will be committed)",
        &untracked,
    );
    if !outcome.ignored.is_empty() {
        let ignored: Vec<String> = outcome.ignored.iter().map(|p| q(p)).collect();
        section(
            out,
            "Ignored files:\n  (use \"git add -f <file>...\" to include in what will be committed)",
            &ignored,
        );
    }
    let clean = outcome.entries.is_empty();
    if clean && outcome.untracked.is_empty() {
        out.extend_from_slice(b"nothing to commit, working tree clean\n");
    } else if staged.is_empty() {
        out.extend_from_slice(if unstaged.is_empty() {
            b"nothing added to commit but untracked files present (use \"git add\" to track)\n"
                as &[u8]
        } else {
            b"no changes added to commit (use \"git add\" and/or \"git commit -a\")\n"
        });
    }
}
