//! Booleans and integers read as `git config --type=bool` and `--type=int` read them.
use tabgit_config::{value, File};
use tabgit_testtools::{git_command, tempdir, Result};

const VALUES: &[&[u8]] = &[
    b"0",
    b"1",
    b"-1",
    b"10",
    b"010",
    b"0x10",
    b"-0x10",
    b"0X1f",
    b"1k",
    b"1K",
    b"1m",
    b"1g",
    b"-1g",
    b"8589934591g",
    b"8589934592g",
    b"9223372036854775807",
    b"9223372036854775808",
    b"-9223372036854775807",
    b"-9223372036854775808",
    b"99999999999999999999999",
    b"2147483647",
    b"2147483648",
    b"-2147483648",
    b"4294967296",
    b"k",
    b"abc",
    b"09",
    b"1 k",
    b"1kk",
    b"1e3",
    b"+5",
    b"-",
    b"+",
    b"0x",
    b"00x1",
    b" 12",
    b"\t7",
    b"7 ",
    b"true",
    b"TRUE",
    b"yes",
    b"On",
    b"off",
    b"No",
    b"FALSE",
    b"truex",
    b"",
];

/// What git prints for `--type=<kind>`, or `None` if it refuses the value.
fn git_typed(dir: &std::path::Path, kind: &str, key: &str) -> Result<Option<String>> {
    let out = git_command(dir)
        .args(["config", "--file", "config", &format!("--type={kind}"), key])
        .output()?;
    Ok(out
        .status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim_end().to_owned()))
}

#[test]
fn typed_values_match_git() -> Result {
    let tmp = tempdir()?;
    let dir = tmp.path();
    let mut text = b"[t]\n\tbare\n".to_vec();
    for (idx, raw) in VALUES.iter().enumerate() {
        text.extend_from_slice(format!("\tv{idx} = ").as_bytes());
        text.extend_from_slice(&value::encode(raw)?);
        text.push(b'\n');
    }
    std::fs::write(dir.join("config"), &text)?;
    let file = File::from_bytes(&text)?;
    let keys = (0..VALUES.len())
        .map(|idx| format!("v{idx}"))
        .chain(["bare".to_owned()]);
    let mut n_compared = 0;
    for key in keys {
        let name = format!("t.{key}");
        let ours_int = file
            .get_int("t", None, &key)
            .ok()
            .flatten()
            .map(|n| n.to_string());
        assert_eq!(
            ours_int,
            git_typed(dir, "int", &name)?,
            "--type=int of {:?}",
            file.get("t", None, &key).map(String::from_utf8_lossy)
        );
        let ours_bool = file
            .get_bool("t", None, &key)
            .ok()
            .flatten()
            .map(|b| b.to_string());
        assert_eq!(
            ours_bool,
            git_typed(dir, "bool", &name)?,
            "--type=bool of {:?}",
            file.get("t", None, &key).map(String::from_utf8_lossy)
        );
        n_compared += 1;
    }
    assert_eq!(n_compared, VALUES.len() + 1);
    assert_eq!(file.get_int("t", None, "missing")?, None);
    assert_eq!(file.get_bool("t", None, "missing")?, None);
    Ok(())
}

#[test]
fn typed_errors_say_why() {
    assert!(matches!(
        value::parse_int(b"1kb"),
        Err(value::Error::InvalidInt { .. })
    ));
    assert!(matches!(
        value::parse_int(b"9223372036854775808"),
        Err(value::Error::OutOfRange { .. })
    ));
    assert!(matches!(
        value::parse_bool(Some(b"maybe")),
        Err(value::Error::InvalidBool { .. })
    ));
    assert_eq!(value::parse_int(b"-2k"), Ok(-2048));
    assert_eq!(value::parse_bool(None), Ok(true));
    assert_eq!(value::encode(b"a\0b"), Err(value::Error::Nul));
    assert_eq!(value::encode(b"x\r").as_deref(), Ok(&b"\"x\r\""[..]));
}
