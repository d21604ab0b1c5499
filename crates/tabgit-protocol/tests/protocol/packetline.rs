//! pkt-line encoding and streaming decoding.

use tabgit_protocol::packetline::{
    decode::{self, Stream},
    encode, Decoder, Packet, PacketRef, RemoteError, RemoteErrorOrigin, MAX_DATA_LEN, MAX_LINE_LEN,
};

use crate::Result;

#[test]
fn encoding_matches_the_examples_of_gitprotocol_common() -> Result {
    let mut out = Vec::new();
    encode::text(b"a", &mut out)?;
    encode::data(b"a", &mut out)?;
    encode::text(b"foobar", &mut out)?;
    encode::data(b"", &mut out)?;
    encode::flush(&mut out);
    encode::delimiter(&mut out);
    encode::response_end(&mut out);
    encode::band(2, b"hi", &mut out)?;
    assert_eq!(
        out,
        [
            &b"0006a\n0005a000bfoobar\n0004000000010002"[..],
            b"0007\x02hi"
        ]
        .concat(),
        "the examples of gitprotocol-common, then the special packets and a side-band packet"
    );
    Ok(())
}

#[test]
fn the_largest_payload_fits_and_one_more_byte_does_not() -> Result {
    let mut out = Vec::new();
    encode::data(&vec![b'x'; MAX_DATA_LEN], &mut out)?;
    assert!(out.starts_with(b"fff0"), "65520 is fff0");
    assert_eq!(
        encode::data(&vec![b'x'; MAX_DATA_LEN + 1], &mut Vec::new()),
        Err(encode::Error::DataTooLong {
            len: MAX_DATA_LEN + 1
        })
    );
    assert!(
        encode::text(&vec![b'x'; MAX_DATA_LEN], &mut Vec::new()).is_err(),
        "the LF counts"
    );
    assert!(
        encode::band(1, &vec![b'x'; MAX_DATA_LEN], &mut Vec::new()).is_err(),
        "the band byte counts"
    );
    let Stream::Complete { packet, consumed } = decode::streaming(&out)? else {
        return Err("a whole maximal packet must decode".into());
    };
    assert_eq!(consumed, MAX_LINE_LEN);
    assert_eq!(packet.as_data().map(<[u8]>::len), Some(MAX_DATA_LEN));
    Ok(())
}

#[test]
fn streaming_decode_reports_how_much_is_missing() -> Result {
    assert_eq!(
        decode::streaming(b"")?,
        Stream::Incomplete { bytes_needed: 4 }
    );
    assert_eq!(
        decode::streaming(b"00")?,
        Stream::Incomplete { bytes_needed: 2 }
    );
    assert_eq!(
        decode::streaming(b"000ahel")?,
        Stream::Incomplete { bytes_needed: 3 }
    );
    assert_eq!(
        decode::streaming(b"0009hello0000")?,
        Stream::Complete {
            packet: PacketRef::Data(b"hello"),
            consumed: 9
        }
    );
    assert_eq!(
        decode::streaming(b"0001")?,
        Stream::Complete {
            packet: PacketRef::Delimiter,
            consumed: 4
        }
    );
    assert_eq!(
        decode::streaming(b"000Ahello\n")?,
        Stream::Complete {
            packet: PacketRef::Data(b"hello\n"),
            consumed: 10
        },
        "upper-case hex is accepted, as git's hexval does"
    );
    Ok(())
}

#[test]
fn special_and_empty_packets_are_distinct() -> Result {
    let mut decoder = Decoder::new();
    decoder.feed(b"0000000100020004");
    let mut packets = Vec::new();
    while let Some(packet) = decoder.next_packet()? {
        packets.push(packet.to_owned());
    }
    assert_eq!(
        packets,
        vec![
            Packet::Flush,
            Packet::Delimiter,
            Packet::ResponseEnd,
            Packet::Data(Vec::new())
        ],
        "0004 is an empty data packet, not a flush"
    );
    Ok(())
}

#[test]
fn the_decoder_yields_the_same_packets_for_every_chunking() -> Result {
    let fixture = crate::fixture("v2/fetch-clone-demo.response")?;
    let mut whole = Decoder::new();
    whole.feed(&fixture);
    let mut expected = Vec::new();
    while let Some(packet) = whole.next_packet()? {
        expected.push(packet.to_owned());
    }
    assert!(whole.is_empty(), "the fixture is whole pkt-lines");
    for size in [1, 2, 3, 5, 7, 64, 999, 4096] {
        let mut decoder = Decoder::new();
        let mut packets = Vec::new();
        for chunk in crate::chunks(&fixture, size) {
            decoder.feed(chunk);
            while let Some(packet) = decoder.next_packet()? {
                packets.push(packet.to_owned());
            }
        }
        assert_eq!(packets, expected, "chunks of {size} bytes");
        assert!(decoder.is_empty());
        assert_eq!(decoder.bytes_fed(), fixture.len() as u64);
    }
    Ok(())
}

#[test]
fn the_decoder_keeps_only_what_it_has_not_returned() -> Result {
    let mut decoder = Decoder::new();
    decoder.feed(b"0009hello000");
    assert_eq!(decoder.next_packet()?, Some(PacketRef::Data(b"hello")));
    assert_eq!(decoder.next_packet()?, None);
    assert_eq!(
        decoder.buffered(),
        b"000",
        "a partial length stays buffered"
    );
    assert_eq!(decoder.bytes_needed(), 1);
    decoder.feed(b"6hi");
    assert_eq!(decoder.next_packet()?, Some(PacketRef::Data(b"hi")));
    assert!(decoder.is_empty());
    Ok(())
}

#[test]
fn err_packets_are_data_that_check_error_turns_into_remote_errors() -> Result {
    let mut decoder = Decoder::new();
    decoder.feed(b"001cERR access denied \x1b[31m\n0009hello");
    let packet = decoder.next_packet()?.ok_or("a whole packet")?;
    assert_eq!(packet.as_error(), Some(&b"access denied \x1b[31m"[..]));
    assert_eq!(
        packet.check_error(),
        Err(RemoteError {
            message: "access denied ^[[31m".to_owned(),
            origin: RemoteErrorOrigin::ErrPacket,
        }),
        "the message is sanitized and without its LF"
    );
    let packet = decoder.next_packet()?.ok_or("a whole packet")?;
    assert_eq!(packet.as_error(), None);
    assert_eq!(packet.check_error(), Ok(PacketRef::Data(b"hello")));
    assert_eq!(
        RemoteError::from_err_packet(b"no such repository").to_string(),
        "the server reported an error: no such repository"
    );
    Ok(())
}

#[test]
fn round_trip_of_every_captured_response() -> Result {
    for name in crate::fixture_names("v2", ".response")?
        .into_iter()
        .chain(crate::fixture_names("v0", ".response")?)
    {
        let fixture = crate::fixture(&name)?;
        let mut decoder = Decoder::new();
        decoder.feed(&fixture);
        let mut encoded = Vec::new();
        while let Some(packet) = decoder.next_packet()? {
            packet.write_to(&mut encoded)?;
        }
        assert!(decoder.is_empty(), "{name} is whole pkt-lines");
        assert_eq!(encoded, fixture, "{name} re-encodes to the same bytes");
    }
    Ok(())
}
