//! git's own wildmatch cases (`t/t3070-wildmatch.sh`): for each text and pattern, whether it
//! matches as a glob (`WM_PATHNAME`), a case-insensitive glob, a path match (no flags) and a
//! case-insensitive path match.
use tabgit_attributes::wildmatch::{wildmatch, Flags};

/// `(glob, iglob, pathmatch, ipathmatch, text, pattern)`, transcribed from t3070.
type Case = (u8, u8, u8, u8, &'static [u8], &'static [u8]);

const CASES: &[Case] = &[
    (1, 1, 1, 1, br"foo", br"foo"),
    (0, 0, 0, 0, br"foo", br"bar"),
    (1, 1, 1, 1, b"", b""),
    (1, 1, 1, 1, br"foo", br"???"),
    (0, 0, 0, 0, br"foo", br"??"),
    (1, 1, 1, 1, br"foo", br"*"),
    (1, 1, 1, 1, br"foo", br"f*"),
    (0, 0, 0, 0, br"foo", br"*f"),
    (1, 1, 1, 1, br"foo", br"*foo*"),
    (1, 1, 1, 1, br"foobar", br"*ob*a*r*"),
    (1, 1, 1, 1, br"aaaaaaabababab", br"*ab"),
    (1, 1, 1, 1, br"foo*", br"foo\*"),
    (0, 0, 0, 0, br"foobar", br"foo\*bar"),
    (1, 1, 1, 1, br"f\oo", br"f\\oo"),
    (1, 1, 1, 1, br"ball", br"*[al]?"),
    (0, 0, 0, 0, br"ten", br"[ten]"),
    (1, 1, 1, 1, br"ten", br"**[!te]"),
    (0, 0, 0, 0, br"ten", br"**[!ten]"),
    (1, 1, 1, 1, br"ten", br"t[a-g]n"),
    (0, 0, 0, 0, br"ten", br"t[!a-g]n"),
    (1, 1, 1, 1, br"ton", br"t[!a-g]n"),
    (1, 1, 1, 1, br"ton", br"t[^a-g]n"),
    (1, 1, 1, 1, br"a]b", br"a[]]b"),
    (1, 1, 1, 1, br"a-b", br"a[]-]b"),
    (1, 1, 1, 1, br"a]b", br"a[]-]b"),
    (0, 0, 0, 0, br"aab", br"a[]-]b"),
    (1, 1, 1, 1, br"aab", br"a[]a-]b"),
    (1, 1, 1, 1, br"]", br"]"),
    (0, 0, 1, 1, br"foo/baz/bar", br"foo*bar"),
    (0, 0, 1, 1, br"foo/baz/bar", br"foo**bar"),
    (1, 1, 1, 1, br"foobazbar", br"foo**bar"),
    (1, 1, 1, 1, br"foo/baz/bar", br"foo/**/bar"),
    (1, 1, 0, 0, br"foo/baz/bar", br"foo/**/**/bar"),
    (1, 1, 1, 1, br"foo/b/a/z/bar", br"foo/**/bar"),
    (1, 1, 1, 1, br"foo/b/a/z/bar", br"foo/**/**/bar"),
    (1, 1, 0, 0, br"foo/bar", br"foo/**/bar"),
    (1, 1, 0, 0, br"foo/bar", br"foo/**/**/bar"),
    (0, 0, 1, 1, br"foo/bar", br"foo?bar"),
    (0, 0, 1, 1, br"foo/bar", br"foo[/]bar"),
    (0, 0, 1, 1, br"foo/bar", br"foo[^a-z]bar"),
    (0, 0, 1, 1, br"foo/bar", br"f[^eiu][^eiu][^eiu][^eiu][^eiu]r"),
    (1, 1, 1, 1, br"foo-bar", br"f[^eiu][^eiu][^eiu][^eiu][^eiu]r"),
    (1, 1, 0, 0, br"foo", br"**/foo"),
    (1, 1, 1, 1, br"XXX/foo", br"**/foo"),
    (1, 1, 1, 1, br"bar/baz/foo", br"**/foo"),
    (0, 0, 1, 1, br"bar/baz/foo", br"*/foo"),
    (0, 0, 1, 1, br"foo/bar/baz", br"**/bar*"),
    (1, 1, 1, 1, br"deep/foo/bar/baz", br"**/bar/*"),
    (0, 0, 1, 1, br"deep/foo/bar/baz/", br"**/bar/*"),
    (1, 1, 1, 1, br"deep/foo/bar/baz/", br"**/bar/**"),
    (0, 0, 0, 0, br"deep/foo/bar", br"**/bar/*"),
    (1, 1, 1, 1, br"deep/foo/bar/", br"**/bar/**"),
    (0, 0, 1, 1, br"foo/bar/baz", br"**/bar**"),
    (1, 1, 1, 1, br"foo/bar/baz/x", br"*/bar/**"),
    (0, 0, 1, 1, br"deep/foo/bar/baz/x", br"*/bar/**"),
    (1, 1, 1, 1, br"deep/foo/bar/baz/x", br"**/bar/*/*"),
    (0, 0, 0, 0, br"acrt", br"a[c-c]st"),
    (1, 1, 1, 1, br"acrt", br"a[c-c]rt"),
    (0, 0, 0, 0, br"]", br"[!]-]"),
    (1, 1, 1, 1, br"a", br"[!]-]"),
    (0, 0, 0, 0, b"", br"\"),
    (0, 0, 0, 0, br"\", br"\"),
    (0, 0, 0, 0, br"XXX/\", br"*/\"),
    (1, 1, 1, 1, br"XXX/\", br"*/\\"),
    (1, 1, 1, 1, br"foo", br"foo"),
    (1, 1, 1, 1, br"@foo", br"@foo"),
    (0, 0, 0, 0, br"foo", br"@foo"),
    (1, 1, 1, 1, br"[ab]", br"\[ab]"),
    (1, 1, 1, 1, br"[ab]", br"[[]ab]"),
    (1, 1, 1, 1, br"[ab]", br"[[:]ab]"),
    (0, 0, 0, 0, br"[ab]", br"[[::]ab]"),
    (1, 1, 1, 1, br"[ab]", br"[[:digit]ab]"),
    (1, 1, 1, 1, br"[ab]", br"[\[:]ab]"),
    (1, 1, 1, 1, br"?a?b", br"\??\?b"),
    (1, 1, 1, 1, br"abc", br"\a\b\c"),
    (0, 0, 0, 0, br"foo", b""),
    (1, 1, 1, 1, br"foo/bar/baz/to", br"**/t[o]"),
    (1, 1, 1, 1, br"a1B", br"[[:alpha:]][[:digit:]][[:upper:]]"),
    (0, 1, 0, 1, br"a", br"[[:digit:][:upper:][:space:]]"),
    (1, 1, 1, 1, br"A", br"[[:digit:][:upper:][:space:]]"),
    (1, 1, 1, 1, br"1", br"[[:digit:][:upper:][:space:]]"),
    (0, 0, 0, 0, br"1", br"[[:digit:][:upper:][:spaci:]]"),
    (1, 1, 1, 1, br" ", br"[[:digit:][:upper:][:space:]]"),
    (0, 0, 0, 0, br".", br"[[:digit:][:upper:][:space:]]"),
    (1, 1, 1, 1, br".", br"[[:digit:][:punct:][:space:]]"),
    (1, 1, 1, 1, br"5", br"[[:xdigit:]]"),
    (1, 1, 1, 1, br"f", br"[[:xdigit:]]"),
    (1, 1, 1, 1, br"D", br"[[:xdigit:]]"),
    (1, 1, 1, 1, br"_", br"[[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:graph:][:lower:][:print:][:punct:][:space:][:upper:][:xdigit:]]"),
    (1, 1, 1, 1, br".", br"[^[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:lower:][:space:][:upper:][:xdigit:]]"),
    (1, 1, 1, 1, br"5", br"[a-c[:digit:]x-z]"),
    (1, 1, 1, 1, br"b", br"[a-c[:digit:]x-z]"),
    (1, 1, 1, 1, br"y", br"[a-c[:digit:]x-z]"),
    (0, 0, 0, 0, br"q", br"[a-c[:digit:]x-z]"),
    (1, 1, 1, 1, br"]", br"[\\-^]"),
    (0, 0, 0, 0, br"[", br"[\\-^]"),
    (1, 1, 1, 1, br"-", br"[\-_]"),
    (1, 1, 1, 1, br"]", br"[\]]"),
    (0, 0, 0, 0, br"\]", br"[\]]"),
    (0, 0, 0, 0, br"\", br"[\]]"),
    (0, 0, 0, 0, br"ab", br"a[]b"),
    (0, 0, 0, 0, br"a[]b", br"a[]b"),
    (0, 0, 0, 0, br"ab[", br"ab["),
    (0, 0, 0, 0, br"ab", br"[!"),
    (0, 0, 0, 0, br"ab", br"[-"),
    (1, 1, 1, 1, br"-", br"[-]"),
    (0, 0, 0, 0, br"-", br"[a-"),
    (0, 0, 0, 0, br"-", br"[!a-"),
    (1, 1, 1, 1, br"-", br"[--A]"),
    (1, 1, 1, 1, br"5", br"[--A]"),
    (1, 1, 1, 1, br" ", br"[ --]"),
    (1, 1, 1, 1, br"$", br"[ --]"),
    (1, 1, 1, 1, br"-", br"[ --]"),
    (0, 0, 0, 0, br"0", br"[ --]"),
    (1, 1, 1, 1, br"-", br"[---]"),
    (1, 1, 1, 1, br"-", br"[------]"),
    (0, 0, 0, 0, br"j", br"[a-e-n]"),
    (1, 1, 1, 1, br"-", br"[a-e-n]"),
    (1, 1, 1, 1, br"a", br"[!------]"),
    (0, 0, 0, 0, br"[", br"[]-a]"),
    (1, 1, 1, 1, br"^", br"[]-a]"),
    (0, 0, 0, 0, br"^", br"[!]-a]"),
    (1, 1, 1, 1, br"[", br"[!]-a]"),
    (1, 1, 1, 1, br"^", br"[a^bc]"),
    (1, 1, 1, 1, br"-b]", br"[a-]b]"),
    (0, 0, 0, 0, br"\", br"[\]"),
    (1, 1, 1, 1, br"\", br"[\\]"),
    (0, 0, 0, 0, br"\", br"[!\\]"),
    (1, 1, 1, 1, br"G", br"[A-\\]"),
    (0, 0, 0, 0, br"aaabbb", br"b*a"),
    (0, 0, 0, 0, br"aabcaa", br"*ba*"),
    (1, 1, 1, 1, br",", br"[,]"),
    (1, 1, 1, 1, br",", br"[\\,]"),
    (1, 1, 1, 1, br"\", br"[\\,]"),
    (1, 1, 1, 1, br"-", br"[,-.]"),
    (0, 0, 0, 0, br"+", br"[,-.]"),
    (0, 0, 0, 0, br"-.]", br"[,-.]"),
    (1, 1, 1, 1, br"2", br"[\1-\3]"),
    (1, 1, 1, 1, br"3", br"[\1-\3]"),
    (0, 0, 0, 0, br"4", br"[\1-\3]"),
    (1, 1, 1, 1, br"\", br"[[-\]]"),
    (1, 1, 1, 1, br"[", br"[[-\]]"),
    (1, 1, 1, 1, br"]", br"[[-\]]"),
    (0, 0, 0, 0, br"-", br"[[-\]]"),
    (1, 1, 1, 1, br"-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1", br"-*-*-*-*-*-*-12-*-*-*-m-*-*-*"),
    (0, 0, 0, 0, br"-adobe-courier-bold-o-normal--12-120-75-75-X-70-iso8859-1", br"-*-*-*-*-*-*-12-*-*-*-m-*-*-*"),
    (0, 0, 0, 0, br"-adobe-courier-bold-o-normal--12-120-75-75-/-70-iso8859-1", br"-*-*-*-*-*-*-12-*-*-*-m-*-*-*"),
    (1, 1, 1, 1, br"XXX/adobe/courier/bold/o/normal//12/120/75/75/m/70/iso8859/1", br"XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*"),
    (0, 0, 0, 0, br"XXX/adobe/courier/bold/o/normal//12/120/75/75/X/70/iso8859/1", br"XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*"),
    (1, 1, 1, 1, br"abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txt", br"**/*a*b*g*n*t"),
    (0, 0, 0, 0, br"abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txtz", br"**/*a*b*g*n*t"),
    (0, 0, 0, 0, br"foo", br"*/*/*"),
    (0, 0, 0, 0, br"foo/bar", br"*/*/*"),
    (1, 1, 1, 1, br"foo/bba/arr", br"*/*/*"),
    (0, 0, 1, 1, br"foo/bb/aa/rr", br"*/*/*"),
    (1, 1, 1, 1, br"foo/bb/aa/rr", br"**/**/**"),
    (1, 1, 1, 1, br"abcXdefXghi", br"*X*i"),
    (0, 0, 1, 1, br"ab/cXd/efXg/hi", br"*X*i"),
    (1, 1, 1, 1, br"ab/cXd/efXg/hi", br"*/*X*/*/*i"),
    (1, 1, 1, 1, br"ab/cXd/efXg/hi", br"**/*X*/**/*i"),
    (0, 0, 0, 0, br"foo", br"fo"),
    (1, 1, 1, 1, br"foo/bar", br"foo/bar"),
    (1, 1, 1, 1, br"foo/bar", br"foo/*"),
    (0, 0, 1, 1, br"foo/bba/arr", br"foo/*"),
    (1, 1, 1, 1, br"foo/bba/arr", br"foo/**"),
    (0, 0, 1, 1, br"foo/bba/arr", br"foo*"),
    (0, 0, 1, 1, br"foo/bba/arr", br"foo**"),
    (0, 0, 1, 1, br"foo/bba/arr", br"foo/*arr"),
    (0, 0, 1, 1, br"foo/bba/arr", br"foo/**arr"),
    (0, 0, 0, 0, br"foo/bba/arr", br"foo/*z"),
    (0, 0, 0, 0, br"foo/bba/arr", br"foo/**z"),
    (0, 0, 1, 1, br"foo/bar", br"foo?bar"),
    (0, 0, 1, 1, br"foo/bar", br"foo[/]bar"),
    (0, 0, 1, 1, br"foo/bar", br"foo[^a-z]bar"),
    (0, 0, 1, 1, br"ab/cXd/efXg/hi", br"*Xg*i"),
    (0, 1, 0, 1, br"a", br"[A-Z]"),
    (1, 1, 1, 1, br"A", br"[A-Z]"),
    (0, 1, 0, 1, br"A", br"[a-z]"),
    (1, 1, 1, 1, br"a", br"[a-z]"),
    (0, 1, 0, 1, br"a", br"[[:upper:]]"),
    (1, 1, 1, 1, br"A", br"[[:upper:]]"),
    (0, 1, 0, 1, br"A", br"[[:lower:]]"),
    (1, 1, 1, 1, br"a", br"[[:lower:]]"),
    (0, 1, 0, 1, br"A", br"[B-Za]"),
    (1, 1, 1, 1, br"a", br"[B-Za]"),
    (0, 1, 0, 1, br"A", br"[B-a]"),
    (1, 1, 1, 1, br"a", br"[B-a]"),
    (0, 1, 0, 1, br"z", br"[Z-y]"),
    (1, 1, 1, 1, br"Z", br"[Z-y]"),
];

#[test]
fn t3070_cases() {
    let mut failures = Vec::new();
    for &(glob, iglob, pathmatch, ipathmatch, text, pattern) in CASES {
        for (expected, flags, name) in [
            (
                glob,
                Flags {
                    pathname: true,
                    casefold: false,
                },
                "wildmatch",
            ),
            (
                iglob,
                Flags {
                    pathname: true,
                    casefold: true,
                },
                "iwildmatch",
            ),
            (
                pathmatch,
                Flags {
                    pathname: false,
                    casefold: false,
                },
                "pathmatch",
            ),
            (
                ipathmatch,
                Flags {
                    pathname: false,
                    casefold: true,
                },
                "ipathmatch",
            ),
        ] {
            if wildmatch(pattern, text, flags) != (expected == 1) {
                failures.push(format!(
                    "{name} {:?} {:?}: expected {expected}",
                    String::from_utf8_lossy(text),
                    String::from_utf8_lossy(pattern)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn matching_does_not_backtrack_exponentially() {
    let text = [b'a'; 60].iter().chain(b"b").copied().collect::<Vec<u8>>();
    let start = std::time::Instant::now();
    assert!(!wildmatch(
        b"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a",
        &text,
        Flags::default()
    ));
    assert!(start.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn too_many_stars_match_nothing() {
    let pattern = vec![b'*'; tabgit_attributes::wildmatch::MAX_STARS + 1];
    assert!(!wildmatch(&pattern, b"anything", Flags::default()));
    let pattern = vec![b'*'; tabgit_attributes::wildmatch::MAX_STARS];
    assert!(wildmatch(&pattern, b"anything", Flags::default()));
}
