//! `tabgit blame`: show which commit last changed each line of a file.

use std::collections::HashSet;
use std::io::Write as _;
use std::process::ExitCode;

use tabgit_object::Signature;
use tabgit_repo::blame::{self, Options};

/// Arguments of `tabgit blame`.
#[derive(clap::Args)]
pub struct Args {
    /// Machine-readable output.
    #[arg(short = 'p', long)]
    porcelain: bool,
    /// Follow only first parents.
    #[arg(long = "first-parent")]
    first_parent: bool,
    /// Do not treat root commits as boundaries.
    #[arg(long)]
    root: bool,
    /// The revision, then the file (`blame [<rev>] [--] <file>`).
    #[arg(required = true)]
    operands: Vec<String>,
    /// The file, after `--`.
    #[arg(last = true)]
    file: Vec<String>,
}

/// Run the command.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let repo = crate::repo::open()?;
    let mut positional: Vec<&str> = args.operands.iter().map(String::as_str).collect();
    positional.extend(args.file.iter().map(String::as_str));
    let (revision, path) = match positional.as_slice() {
        [path] => ("HEAD", *path),
        [revision, path] => (*revision, *path),
        _ => anyhow::bail!("usage: tabgit blame [<rev>] [--] <file>"),
    };
    let commit_id = crate::commands::resolve(&repo, &format!("{revision}^{{commit}}"))?;
    let outcome = blame::blame(
        &repo,
        commit_id,
        path.as_bytes(),
        &Options {
            first_parent: args.first_parent,
            show_root: args.root
                || repo
                    .config()
                    .get_bool("blame", None, "showroot")
                    .ok()
                    .flatten()
                    == Some(true),
        },
    )?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let lines = outcome.lines();
    if args.porcelain {
        let mut shown = HashSet::new();
        for entry in &outcome.entries {
            let hex = entry.commit_id.to_hex();
            for n in 0..entry.n_lines {
                if n == 0 {
                    writeln!(
                        out,
                        "{hex} {} {} {}",
                        entry.original_line, entry.final_line, entry.n_lines
                    )?;
                    if shown.insert(entry.commit_id) {
                        let info = &outcome.commits[&entry.commit_id];
                        write_person(&mut out, "author", &info.author)?;
                        write_person(&mut out, "committer", &info.committer)?;
                        out.write_all(b"summary ")?;
                        out.write_all(&info.summary)?;
                        out.write_all(b"\n")?;
                        if info.boundary {
                            writeln!(out, "boundary")?;
                        }
                        if let Some((previous, previous_path)) = &info.previous {
                            write!(out, "previous {previous} ")?;
                            out.write_all(&crate::pretty::quote_path(previous_path))?;
                            out.write_all(b"\n")?;
                        }
                        out.write_all(b"filename ")?;
                        out.write_all(&crate::pretty::quote_path(&entry.path))?;
                        out.write_all(b"\n")?;
                    }
                } else {
                    writeln!(
                        out,
                        "{hex} {} {}",
                        entry.original_line + n,
                        entry.final_line + n
                    )?;
                }
                let line = lines[(entry.final_line + n - 1) as usize];
                out.write_all(b"\t")?;
                out.write_all(line)?;
                if !line.ends_with(b"\n") {
                    out.write_all(b"\n")?;
                }
            }
        }
    } else {
        default_format(&repo, &outcome, path.as_bytes(), &mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_person(
    out: &mut impl std::io::Write,
    role: &str,
    person: &Signature,
) -> anyhow::Result<()> {
    write!(out, "{role} ")?;
    out.write_all(&person.name)?;
    write!(out, "\n{role}-mail <")?;
    out.write_all(&person.email)?;
    let time = &person.time;
    let sign = if time.offset_minutes < 0 || time.negative {
        '-'
    } else {
        '+'
    };
    let abs = time.offset_minutes.unsigned_abs();
    writeln!(
        out,
        ">\n{role}-time {}\n{role}-tz {sign}{:02}{:02}",
        time.seconds,
        abs / 60,
        abs % 60
    )?;
    Ok(())
}

/// `2024-03-02 06:00:00 +0100` (git's ISO-like date in the author's zone).
fn iso_date(time: &tabgit_object::Time) -> String {
    let full = crate::pretty::default_date(time);
    // Reuse the civil-date computation by formatting through seconds arithmetic.
    let local = time.seconds + i64::from(time.offset_minutes) * 60;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (year, month, day) = civil(days);
    let zone = full.rsplit(' ').next().unwrap_or("+0000").to_owned();
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} {zone}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// git's default `blame` format: abbreviated id (`^` for boundaries), the path when lines come
/// from several paths, `(author date line)` and the line.
fn default_format(
    repo: &crate::repo::Repo,
    outcome: &blame::Outcome,
    path: &[u8],
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    let min = crate::commands::default_abbrev(repo)?;
    let mut abbrev = min;
    for commit_id in outcome.commits.keys() {
        abbrev = abbrev.max(crate::commands::unique_abbrev(repo, commit_id, min)?.len());
    }
    abbrev += 1;
    let show_name = outcome.entries.iter().any(|e| e.path != path);
    let longest_file = outcome
        .entries
        .iter()
        .map(|e| e.path.len())
        .max()
        .unwrap_or(0);
    let longest_author = outcome
        .commits
        .values()
        .map(|c| String::from_utf8_lossy(&c.author.name).chars().count())
        .max()
        .unwrap_or(0);
    let n_lines = outcome
        .entries
        .last()
        .map_or(0, |e| e.final_line + e.n_lines - 1);
    let digits = n_lines.max(1).to_string().len();
    let lines = outcome.lines();
    for entry in &outcome.entries {
        let info = &outcome.commits[&entry.commit_id];
        let hex = entry.commit_id.to_hex();
        let name = String::from_utf8_lossy(&info.author.name);
        for n in 0..entry.n_lines {
            let id = if info.boundary {
                format!("^{}", &hex[..abbrev - 1])
            } else {
                hex[..abbrev].to_owned()
            };
            write!(out, "{id}")?;
            if show_name {
                write!(
                    out,
                    " {:<longest_file$}",
                    String::from_utf8_lossy(&entry.path)
                )?;
            }
            let pad = longest_author - name.chars().count();
            write!(
                out,
                " ({name}{:pad$} {:>10} {:>digits$}) ",
                "",
                iso_date(&info.author.time),
                entry.final_line + n
            )?;
            let line = lines[(entry.final_line + n - 1) as usize];
            out.write_all(line)?;
            if !line.ends_with(b"\n") {
                out.write_all(b"\n")?;
            }
        }
    }
    Ok(())
}
