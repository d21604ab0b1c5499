//! Identity lines: `Name <email> <seconds> <+|-hhmm>` as in `author`, `committer` and `tagger`
//! headers (git's `ident.c` `split_ident_line`).

/// The reasons an identity line could not be parsed.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum Error {
    /// There is no `<email>` part.
    #[error("identity has no <email>")]
    NoEmail,
    /// The time or time zone after the email is malformed.
    #[error("identity has a malformed date {raw:?}")]
    BadTime {
        /// The text after the email, lossily decoded.
        raw: String,
    },
    /// The identity spans several lines (a header continuation line after `author`), which
    /// git's fsck refuses (`missingEmail`, `badName`) and which could not be written back as
    /// it was read.
    #[error("identity spans more than one line")]
    LineBreak,
}

/// A point in time as git records it: seconds since the epoch and the author's UTC offset.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Hash)]
pub struct Time {
    /// Seconds since 1970-01-01 UTC.
    pub seconds: i64,
    /// Offset from UTC in minutes (`+0130` is 90).
    pub offset_minutes: i32,
    /// Whether the zone was written with a minus sign, which matters for `-0000`.
    pub negative: bool,
}

impl Time {
    /// A time with `offset_minutes` east of UTC.
    pub fn new(seconds: i64, offset_minutes: i32) -> Self {
        Time {
            seconds,
            offset_minutes,
            negative: offset_minutes < 0,
        }
    }

    /// Parse `<seconds> <+|-hhmm>`.
    pub fn from_bytes(raw: &[u8]) -> Result<Self, Error> {
        let bad = || Error::BadTime {
            raw: String::from_utf8_lossy(raw).into_owned(),
        };
        let mut parts = raw.split(|&b| b == b' ');
        let secs = parts.next().ok_or_else(bad)?;
        let zone = parts.next().ok_or_else(bad)?;
        if parts.next().is_some() || zone.len() != 5 {
            return Err(bad());
        }
        let seconds = std::str::from_utf8(secs)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .ok_or_else(bad)?;
        let negative = match zone[0] {
            b'+' => false,
            b'-' => true,
            _ => return Err(bad()),
        };
        let digits = std::str::from_utf8(&zone[1..])
            .ok()
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(bad)?;
        let hhmm: i32 = digits.parse().map_err(|_| bad())?;
        let minutes = (hhmm / 100) * 60 + hhmm % 100;
        Ok(Time {
            seconds,
            offset_minutes: if negative { -minutes } else { minutes },
            negative,
        })
    }

    /// Write `<seconds> <+|-hhmm>`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let abs = self.offset_minutes.unsigned_abs();
        let sign = if self.negative || self.offset_minutes < 0 {
            '-'
        } else {
            '+'
        };
        out.extend_from_slice(
            format!("{} {}{:02}{:02}", self.seconds, sign, abs / 60, abs % 60).as_bytes(),
        );
    }
}

/// A parsed identity borrowing the object's bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SignatureRef<'a> {
    /// The name, without surrounding spaces.
    pub name: &'a [u8],
    /// The email, without angle brackets.
    pub email: &'a [u8],
    /// The raw text after the email: `<seconds> <zone>`.
    pub time_raw: &'a [u8],
}

impl<'a> SignatureRef<'a> {
    /// Parse an identity line (the part after `author `).
    pub fn from_bytes(line: &'a [u8]) -> Result<Self, Error> {
        if line.contains(&b'\n') {
            return Err(Error::LineBreak);
        }
        let lt = line.iter().position(|&b| b == b'<').ok_or(Error::NoEmail)?;
        let gt = lt
            + line[lt..]
                .iter()
                .position(|&b| b == b'>')
                .ok_or(Error::NoEmail)?;
        let name = trim_end(&line[..lt]);
        let email = &line[lt + 1..gt];
        let time_raw = line.get(gt + 1..).map_or(&[][..], trim_start);
        Ok(SignatureRef {
            name,
            email,
            time_raw,
        })
    }

    /// The parsed time.
    pub fn time(&self) -> Result<Time, Error> {
        Time::from_bytes(self.time_raw)
    }

    /// An owned copy; fails if the time does not parse.
    pub fn to_owned(&self) -> Result<Signature, Error> {
        Ok(Signature {
            name: self.name.to_vec(),
            email: self.email.to_vec(),
            time: self.time()?,
        })
    }
}

fn trim_end(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., b' '] = s {
        s = rest;
    }
    s
}

fn trim_start(mut s: &[u8]) -> &[u8] {
    while let [b' ', rest @ ..] = s {
        s = rest;
    }
    s
}

/// An owned identity.
#[derive(Clone, PartialEq, Eq, Debug, Default, Hash)]
pub struct Signature {
    /// The name.
    pub name: Vec<u8>,
    /// The email, without angle brackets.
    pub email: Vec<u8>,
    /// When.
    pub time: Time,
}

impl Signature {
    /// Write `Name <email> <seconds> <zone>`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.name);
        out.extend_from_slice(b" <");
        out.extend_from_slice(&self.email);
        out.extend_from_slice(b"> ");
        self.time.write_to(out);
    }
}
