//! zlib: one `Inflate` reused for many streams behaves as a new one per stream.
use tabgit_object::zlib::{self, Error, Inflate};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Streams of many sizes, compressible and not, as git would store them.
fn samples() -> Vec<Vec<u8>> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            })
            .collect()
    };
    let mut out = vec![Vec::new(), b"x".to_vec()];
    for size in [10, 200, 258, 259, 260, 300, 4096, 70_000, 300_000] {
        out.push(b"tree 1234\nparent 5678\n".repeat(size / 22 + 1)[..size].to_vec());
        out.push(noise(size));
    }
    out
}

#[test]
fn a_reset_inflate_equals_a_new_one() -> Result {
    let mut reused = Inflate::new(0)?;
    let mut out = b"previous object".to_vec();
    for data in samples() {
        let stream = zlib::deflate(&data, zlib::DEFAULT_LEVEL);
        reused.reset(data.len())?;
        // Fed in pieces, as a pack is read in windows.
        let mut at = 0;
        for piece in stream.chunks(97) {
            let more = at + piece.len() < stream.len();
            at += reused.feed(piece, more)?;
        }
        assert!(
            reused.is_done(),
            "a complete stream of {} bytes is done",
            data.len()
        );
        assert_eq!(at, stream.len(), "the whole stream is consumed");
        reused.swap_output(&mut out);
        assert!(
            out == data,
            "the reused inflater produced the {} bytes",
            data.len()
        );

        let mut fresh = Inflate::new(data.len())?;
        fresh.feed(&stream, false)?;
        assert!(fresh.into_output() == data, "a new inflater agrees");
    }
    Ok(())
}

#[test]
fn a_reset_inflate_still_rejects_wrong_sizes() -> Result {
    let mut inflate = Inflate::new(0)?;
    for data in samples().into_iter().filter(|d| !d.is_empty()) {
        let stream = zlib::deflate(&data, zlib::DEFAULT_LEVEL);
        inflate.reset(data.len() - 1)?;
        assert!(
            matches!(
                inflate.feed(&stream, false),
                Err(Error::LongerThanDeclared { .. })
            ),
            "{} bytes declared one short are longer than declared",
            data.len()
        );
        inflate.reset(data.len() + 1)?;
        assert!(
            matches!(
                inflate.feed(&stream, false),
                Err(Error::ShorterThanDeclared { .. })
            ),
            "{} bytes declared one long are shorter than declared",
            data.len()
        );
        inflate.reset(data.len())?;
        let cut = &stream[..stream.len() - 1];
        assert!(
            matches!(
                inflate.feed(cut, false),
                Err(Error::Truncated | Error::Corrupt { .. })
            ),
            "a truncated stream of {} bytes is an error",
            data.len()
        );
    }
    Ok(())
}

#[test]
fn shrink_gives_up_large_buffers() -> Result {
    let data = vec![7u8; 1 << 20];
    let mut inflate = Inflate::new(data.len())?;
    inflate.feed(&zlib::deflate(&data, 1), false)?;
    inflate.shrink_to(1 << 10);
    inflate.reset(5)?;
    inflate.feed(&zlib::deflate(b"hello", 6), false)?;
    assert_eq!(inflate.output(), b"hello");
    Ok(())
}
