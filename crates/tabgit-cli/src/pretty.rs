//! Formatting commits as `git log` prints them: the default `medium` format, `--oneline`, and
//! `--format` placeholders (`Documentation/pretty-formats`).

use tabgit_hash::ObjectId;
use tabgit_object::{CommitRef, SignatureRef, Time};

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
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

/// git's default date format: `Tue Nov 14 22:13:20 2023 +0100`, in the author's time zone.
pub fn default_date(time: &Time) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let local = time.seconds + i64::from(time.offset_minutes) * 60;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let weekday = DAYS[days.rem_euclid(7) as usize];
    let abs = time.offset_minutes.unsigned_abs();
    let sign = if time.offset_minutes < 0 || time.negative {
        '-'
    } else {
        '+'
    };
    format!(
        "{weekday} {} {day} {:02}:{:02}:{:02} {year} {sign}{:02}{:02}",
        MONTHS[(month - 1) as usize],
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        abs / 60,
        abs % 60
    )
}

fn date_of(sig: &SignatureRef<'_>) -> String {
    sig.time().map_or_else(
        |_| String::from_utf8_lossy(sig.time_raw).into_owned(),
        |t| default_date(&t),
    )
}

/// The subject line: the first paragraph joined into one line, as `%s` shows it.
pub fn subject(message: &[u8]) -> String {
    let text = String::from_utf8_lossy(message);
    let para: Vec<&str> = text
        .trim_start_matches('\n')
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .collect();
    para.join(" ")
}

/// The body: everything after the subject paragraph.
pub fn body(message: &[u8]) -> String {
    let text = String::from_utf8_lossy(message);
    let text = text.trim_start_matches('\n');
    match text.split_once("\n\n") {
        Some((_, rest)) => rest.trim_start_matches('\n').to_owned(),
        None => String::new(),
    }
}

/// The `medium` format `git log` uses by default.
pub fn medium(id: &ObjectId, commit: &CommitRef<'_>) -> String {
    let mut out = format!("commit {id}\n");
    if commit.parents.len() > 1 {
        let parents: Vec<String> = commit.parents.iter().map(|p| p.to_hex_short(7)).collect();
        out.push_str(&format!("Merge: {}\n", parents.join(" ")));
    }
    out.push_str(&format!(
        "Author: {} <{}>\nDate:   {}\n\n",
        String::from_utf8_lossy(commit.author.name),
        String::from_utf8_lossy(commit.author.email),
        date_of(&commit.author)
    ));
    let message = String::from_utf8_lossy(commit.message);
    for line in message.trim_end_matches('\n').lines() {
        out.push_str("    ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Quote a path as git does when `core.quotePath` is on (`quote.c` `quote_c_style`): paths
/// with control characters, `"`, `\\` or non-ASCII bytes are written in double quotes with C
/// escapes and octal for other bytes.
pub fn quote_path(path: &[u8]) -> Vec<u8> {
    let needs = path
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\' || b >= 0x7f);
    if !needs {
        return path.to_vec();
    }
    let mut out = vec![b'"'];
    for &b in path {
        match b {
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0b => out.extend_from_slice(b"\\v"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b if !(0x20..0x7f).contains(&b) => {
                out.extend_from_slice(format!("\\{b:03o}").as_bytes());
            }
            b => out.push(b),
        }
    }
    out.push(b'"');
    out
}

/// Expand `--format` placeholders.
pub fn format(template: &str, id: &ObjectId, commit: &CommitRef<'_>, abbrev: usize) -> String {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut code = String::new();
        if let Some(&next) = chars.peek() {
            chars.next();
            code.push(next);
            if matches!(next, 'a' | 'c') {
                if let Some(&second) = chars.peek() {
                    chars.next();
                    code.push(second);
                }
            }
        }
        let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let ids = |list: &[ObjectId], short: bool| {
            list.iter()
                .map(|p| {
                    if short {
                        p.to_hex_short(abbrev)
                    } else {
                        p.to_hex()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        match code.as_str() {
            "H" => out.push_str(&id.to_hex()),
            "h" => out.push_str(&id.to_hex_short(abbrev)),
            "T" => out.push_str(&commit.tree.to_hex()),
            "t" => out.push_str(&commit.tree.to_hex_short(abbrev)),
            "P" => out.push_str(&ids(&commit.parents, false)),
            "p" => out.push_str(&ids(&commit.parents, true)),
            "s" => out.push_str(&subject(commit.message)),
            "b" => out.push_str(&body(commit.message)),
            "B" => out.push_str(&lossy(commit.message)),
            "n" => out.push('\n'),
            "%" => out.push('%'),
            "an" => out.push_str(&lossy(commit.author.name)),
            "ae" => out.push_str(&lossy(commit.author.email)),
            "ad" => out.push_str(&date_of(&commit.author)),
            "at" => out.push_str(
                &commit
                    .author
                    .time()
                    .map(|t| t.seconds.to_string())
                    .unwrap_or_default(),
            ),
            "cn" => out.push_str(&lossy(commit.committer.name)),
            "ce" => out.push_str(&lossy(commit.committer.email)),
            "cd" => out.push_str(&date_of(&commit.committer)),
            "ct" => out.push_str(
                &commit
                    .committer
                    .time()
                    .map(|t| t.seconds.to_string())
                    .unwrap_or_default(),
            ),
            other => {
                out.push('%');
                out.push_str(other);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_git_prints_them() {
        assert_eq!(
            default_date(&Time::new(1_700_000_000, 60)),
            "Tue Nov 14 23:13:20 2023 +0100"
        );
        assert_eq!(
            default_date(&Time::new(0, 0)),
            "Thu Jan 1 00:00:00 1970 +0000"
        );
        assert_eq!(
            default_date(&Time::new(951_782_400, -330)),
            "Mon Feb 28 18:30:00 2000 -0530"
        );
    }

    #[test]
    fn paths_are_quoted_as_git_quotes_them() {
        assert_eq!(quote_path(b"plain/path.txt"), b"plain/path.txt");
        assert_eq!(quote_path(b"caf\xe9.txt"), b"\"caf\\351.txt\"");
        assert_eq!(quote_path(b"tab\there"), b"\"tab\\there\"");
        assert_eq!(quote_path(b"q\"uote"), b"\"q\\\"uote\"");
    }

    #[test]
    fn subject_joins_the_first_paragraph() {
        assert_eq!(subject(b"one\ntwo\n\nbody\n"), "one two");
        assert_eq!(body(b"one\n\nbody\nmore\n"), "body\nmore\n");
    }
}
