//! tabgit-merge against native git: blob merges against `git merge-file`, tree and commit merges
//! against `git merge-tree --write-tree` (merge-ort) on generated repositories.
#![cfg(not(target_arch = "wasm32"))]
mod blob;
mod commit;

use tabgit_testtools::Result;

/// A small deterministic PRNG (xorshift64*), so failures can be replayed from their seed.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Random lines from a small vocabulary (so that diffs have ambiguous matches), sometimes blank,
/// sometimes indented, sometimes braces.
pub fn random_text(rng: &mut Rng, n_lines: usize) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "alpha",
        "beta",
        "gamma",
        "delta",
        "}",
        "{",
        "",
        "    x = 1;",
        "fn f() {",
        "return;",
        "// note",
        "end",
    ];
    let mut out = Vec::new();
    for _ in 0..n_lines {
        out.extend_from_slice(WORDS[rng.below(WORDS.len())].as_bytes());
        out.push(b'\n');
    }
    out
}

/// Apply a few random line edits (replace, insert, delete) to `text`.
pub fn random_edit(rng: &mut Rng, text: &[u8]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = text
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    for _ in 0..=rng.below(4) {
        let at = rng.below(lines.len() + 1);
        match rng.below(3) {
            0 if at < lines.len() => lines[at] = random_text(rng, 1),
            1 => {
                for _ in 0..=rng.below(3) {
                    lines.insert(at.min(lines.len()), random_text(rng, 1));
                }
            }
            _ if at < lines.len() => {
                let n = (1 + rng.below(3)).min(lines.len() - at);
                lines.drain(at..at + n);
            }
            _ => {}
        }
    }
    lines.concat()
}

#[test]
fn rng_is_deterministic() -> Result {
    let (mut a, mut b) = (Rng::new(7), Rng::new(7));
    assert_eq!(a.next_u64(), b.next_u64(), "same seed, same numbers");
    Ok(())
}
