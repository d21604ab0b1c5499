//! Delta creation and application round-trip, and git's deltas apply.
use tabgit_pack::delta;

fn lcg(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *seed >> 33
}

#[test]
fn random_edits_round_trip() -> Result<(), Box<dyn std::error::Error>> {
    let mut seed = 42u64;
    for round in 0..200 {
        let len = (lcg(&mut seed) % 5000) as usize;
        let base: Vec<u8> = (0..len)
            .map(|_| (lcg(&mut seed) % 4) as u8 + b'a')
            .collect();
        let mut target = base.clone();
        for _ in 0..(lcg(&mut seed) % 6) {
            let at = if target.is_empty() {
                0
            } else {
                (lcg(&mut seed) as usize) % target.len()
            };
            match lcg(&mut seed) % 3 {
                0 => target.insert(at, b'X'),
                1 if !target.is_empty() => {
                    target.remove(at);
                }
                _ => target
                    .splice(at..at, (0..(lcg(&mut seed) % 300)).map(|i| i as u8))
                    .for_each(drop),
            }
        }
        if let Some(d) = delta::create(&base, &target, usize::MAX) {
            let mut out = Vec::new();
            delta::apply(&base, &d, &mut out, u64::MAX)?;
            assert!(
                out == target,
                "round {round}: applying our delta gives the target"
            );
        }
    }
    Ok(())
}

#[test]
fn copy_of_exactly_64k_and_beyond() -> Result<(), Box<dyn std::error::Error>> {
    let base: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    let mut target = base[..0x10000].to_vec();
    target.extend_from_slice(b"middle");
    target.extend_from_slice(&base[1000..250_000]);
    let d = delta::create(&base, &target, usize::MAX).ok_or("delta")?;
    let mut out = Vec::new();
    delta::apply(&base, &d, &mut out, u64::MAX)?;
    assert!(out == target);
    Ok(())
}
