//! SDP parsing of real-world offers, answer choice and error handling.

use std::net::{IpAddr, Ipv4Addr};

use proptest::prelude::*;
use session_media::Codec;
use session_media::sdp::{self, MediaDirection, SdpError, SdpSession, accept_answer, answer, parse};

const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1));

/// SIPp's built-in `uac` scenario body (PCMU only), with values filled in.
const SIPP_UAC: &str = "v=0\r\n\
o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n\
s=-\r\n\
c=IN IP4 127.0.0.1\r\n\
t=0 0\r\n\
m=audio 6000 RTP/AVP 0\r\n\
a=rtpmap:0 PCMU/8000\r\n";

/// A Linphone/baresip-style offer: opus first, several telephone-events,
/// a video line, session-level attributes, LF-only line ends.
const SOFTPHONE: &str = "v=0
o=alice 3203 1294 IN IP4 127.0.0.2
s=Talk
c=IN IP4 127.0.0.2
b=AS:380
t=0 0
a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics
m=audio 7078 RTP/AVP 96 97 98 8 0 101 99 100
a=rtpmap:96 opus/48000/2
a=fmtp:96 useinbandfec=1
a=rtpmap:97 speex/16000
a=fmtp:97 vbr=on
a=rtpmap:98 speex/8000
a=rtpmap:101 telephone-event/48000
a=rtpmap:99 telephone-event/16000
a=rtpmap:100 telephone-event/8000
a=fmtp:100 0-15
a=rtcp-fb:* trr-int 1000
m=video 9078 RTP/AVP 103
a=rtpmap:103 VP8/90000
";

/// A re-INVITE that puts us on hold (RFC 3264 style).
const HOLD_SENDONLY: &str = "v=0\r\n\
o=- 4000 4001 IN IP4 127.0.0.3\r\n\
s=-\r\n\
c=IN IP4 127.0.0.3\r\n\
t=0 0\r\n\
a=sendrecv\r\n\
m=audio 4000 RTP/AVP 0 8 101\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-16\r\n\
a=ptime:20\r\n\
a=sendonly\r\n";

/// RFC 2543 hold: connection address 0.0.0.0, media-level c= overriding.
const HOLD_NULL_ADDR: &str = "v=0\r\n\
o=- 5 6 IN IP4 127.0.0.4\r\n\
s=-\r\n\
c=IN IP4 127.0.0.4\r\n\
t=0 0\r\n\
m=audio 4002 RTP/AVP 8\r\n\
c=IN IP4 0.0.0.0\r\n";

#[test]
fn sipp_default_offer() {
    let m = parse(SIPP_UAC).unwrap();
    assert_eq!(m.address, LOCAL);
    assert_eq!(m.port, 6000);
    assert_eq!(m.payload_types, vec![0]);
    assert_eq!((m.session_id, m.session_version), (53655765, 2353687637));
    assert_eq!(m.telephone_event_pt, None);
    assert_eq!(m.direction, MediaDirection::SendRecv);
    assert!(!m.is_hold());
    let (text, neg) = answer(&m, LOCAL, 20000, &Codec::ALL).unwrap();
    assert_eq!(neg.codec, Codec::Pcmu);
    assert_eq!(neg.telephone_event_pt, None);
    assert_eq!(neg.remote_rtp, "127.0.0.1:6000".parse().unwrap());
    assert!(text.contains("m=audio 20000 RTP/AVP 0\r\n"), "{text}");
    assert!(!text.contains("telephone-event"));
    assert!(text.contains("a=sendrecv"));
}

#[test]
fn softphone_offer_picks_first_supported_and_8k_telephone_event() {
    let m = parse(SOFTPHONE).unwrap();
    assert_eq!(m.address, IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
    assert_eq!(m.payload_types, vec![96, 97, 98, 8, 0, 101, 99, 100]);
    assert_eq!(m.rtpmaps.len(), 6);
    assert_eq!(m.rtpmaps[0].channels, Some(2));
    assert_eq!(m.telephone_event_pt, Some(100));
    assert_eq!(m.telephone_event_fmtp.as_deref(), Some("0-15"));
    assert_eq!(m.media_lines.len(), 2);
    assert_eq!(m.codecs(), vec![(8, Codec::Pcma), (0, Codec::Pcmu)]);

    let (text, neg) = answer(&m, LOCAL, 30000, &Codec::ALL).unwrap();
    assert_eq!(neg.codec, Codec::Pcma, "the offerer's order wins");
    assert_eq!(neg.telephone_event_pt, Some(100));
    assert!(text.contains("m=audio 30000 RTP/AVP 8 100\r\n"), "{text}");
    assert!(text.contains("a=rtpmap:100 telephone-event/8000\r\n"));
    assert!(text.contains("a=fmtp:100 0-15\r\n"));
    assert!(text.contains("m=video 0 RTP/AVP 103\r\n"), "video rejected: {text}");

    // Our answer is itself valid SDP that the offerer can read back.
    let back = parse(&text).unwrap();
    let theirs = accept_answer(&back, &Codec::ALL).unwrap();
    assert_eq!(theirs.codec, Codec::Pcma);
    assert_eq!(theirs.remote_rtp.port(), 30000);
}

#[test]
fn only_pcmu_supported_skips_pcma() {
    let m = parse(SOFTPHONE).unwrap();
    let (_, neg) = answer(&m, LOCAL, 30000, &[Codec::Pcmu]).unwrap();
    assert_eq!((neg.codec, neg.payload_type), (Codec::Pcmu, 0));
}

#[test]
fn sendonly_offer_is_hold_and_answered_recvonly() {
    let m = parse(HOLD_SENDONLY).unwrap();
    assert_eq!(m.direction, MediaDirection::SendOnly, "media level overrides session");
    assert!(m.is_hold());
    assert_eq!(m.ptime, Some(20));
    let mut session = SdpSession::with_id(1, 1);
    let (text, neg) = session.answer(&m, LOCAL, 4000, &Codec::ALL, MediaDirection::SendRecv).unwrap();
    assert_eq!(neg.direction, MediaDirection::RecvOnly);
    assert!(neg.remote_hold);
    assert!(text.contains("a=recvonly\r\n"));
    // Holding ourselves while being held: inactive.
    let (text, neg) = session.answer(&m, LOCAL, 4000, &Codec::ALL, MediaDirection::SendOnly).unwrap();
    assert_eq!(neg.direction, MediaDirection::Inactive);
    assert!(text.contains("o=- 1 2 IN IP4"), "version bumped: {text}");
}

#[test]
fn null_connection_address_is_hold() {
    let m = parse(HOLD_NULL_ADDR).unwrap();
    assert!(m.null_address);
    assert_eq!(m.address, IpAddr::V4(Ipv4Addr::UNSPECIFIED), "media-level c= wins");
    assert_eq!(m.direction, MediaDirection::SendRecv);
    assert_eq!(m.effective_direction(), MediaDirection::SendOnly);
    assert!(m.is_hold());
    let (_, neg) = answer(&m, LOCAL, 4000, &Codec::ALL).unwrap();
    assert_eq!(neg.direction, MediaDirection::RecvOnly);
    assert_eq!(neg.codec, Codec::Pcma);
}

#[test]
fn no_common_codec_is_488() {
    let opus_only = SIPP_UAC
        .replace("RTP/AVP 0", "RTP/AVP 96")
        .replace("a=rtpmap:0 PCMU/8000", "a=rtpmap:96 opus/48000/2");
    let m = parse(&opus_only).unwrap();
    let err = answer(&m, LOCAL, 4000, &Codec::ALL).unwrap_err();
    assert_eq!(err, SdpError::NoCommonCodec);
    assert_eq!(err.sip_status(), 488);
    // PCMA offered, only PCMU supported.
    let m = parse(HOLD_NULL_ADDR).unwrap();
    assert_eq!(answer(&m, LOCAL, 1, &[Codec::Pcmu]).unwrap_err().sip_status(), 488);
}

#[test]
fn unusable_audio_is_488_with_reason() {
    let srtp = SIPP_UAC.replace("RTP/AVP", "RTP/SAVP");
    let err = parse(&srtp).unwrap_err();
    assert!(matches!(&err, SdpError::NoAudio(r) if r.contains("RTP/SAVP")), "{err}");
    assert_eq!(err.sip_status(), 488);
    let disabled = SIPP_UAC.replace("audio 6000", "audio 0");
    assert!(matches!(parse(&disabled), Err(SdpError::NoAudio(_))));
    let video = SIPP_UAC.replace("m=audio 6000 RTP/AVP 0", "m=video 6000 RTP/AVP 96");
    assert!(matches!(parse(&video), Err(SdpError::NoAudio(r)) if r.contains("no m=audio")));
}

#[test]
fn malformed_inputs_say_what_is_wrong() {
    let cases: &[(&str, &str)] = &[
        ("", "empty"),
        ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", "no m= line"),
        (&SIPP_UAC.replace("audio 6000", "audio 70000"), "port '70000'"),
        (&SIPP_UAC.replace("audio 6000", "audio x"), "port 'x'"),
        (&SIPP_UAC.replace("RTP/AVP 0", "RTP/AVP"), "at least one format"),
        (&SIPP_UAC.replace("c=IN IP4 127.0.0.1\r\n", ""), "no c= line"),
        (&SIPP_UAC.replace("c=IN IP4 127.0.0.1", "c=IN IP4 pbx.example"), "not an IP"),
        (&SIPP_UAC.replace("RTP/AVP 0", "RTP/AVP 0 x"), "not a payload type"),
        (&SIPP_UAC.replace("rtpmap:0 PCMU/8000", "rtpmap:0 PCMU"), "a=rtpmap:0 PCMU"),
        (&SIPP_UAC.replace("v=0", "v=1"), "syntax"),
        ("hello world", "no m= line"),
        (&SIPP_UAC.replace("s=-", "x=-"), "syntax"),
    ];
    for (text, needle) in cases {
        let err = parse(text).unwrap_err();
        assert_eq!(err.sip_status(), 400, "{err}");
        assert!(err.to_string().contains(needle), "{err:?} should mention {needle:?}");
    }
}

#[test]
fn offer_contents_and_versions() {
    let mut s = SdpSession::with_id(777, 10);
    let text = s.offer(LOCAL, 4000, &[], MediaDirection::SendRecv);
    for line in [
        "v=0\r\n",
        "o=- 777 10 IN IP4 127.0.0.1\r\n",
        "c=IN IP4 127.0.0.1\r\n",
        "t=0 0\r\n",
        "m=audio 4000 RTP/AVP 0 8 101\r\n",
        "a=rtpmap:0 PCMU/8000\r\n",
        "a=rtpmap:8 PCMA/8000\r\n",
        "a=rtpmap:101 telephone-event/8000\r\n",
        "a=fmtp:101 0-16\r\n",
        "a=ptime:20\r\n",
        "a=sendrecv\r\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let hold = parse(&s.hold_offer(LOCAL, 4000, &Codec::ALL)).unwrap();
    let resume = parse(&s.resume_offer(LOCAL, 4000, &Codec::ALL)).unwrap();
    assert_eq!(hold.session_version, 11);
    assert_eq!(hold.direction, MediaDirection::SendOnly);
    assert_eq!(resume.session_version, 12);
    assert_eq!(resume.direction, MediaDirection::SendRecv);
    assert_eq!(resume.session_id, 777);

    let v6 = sdp::offer("::1".parse().unwrap(), 5, &[Codec::Pcma], MediaDirection::RecvOnly, 1, 1);
    assert!(v6.contains("c=IN IP6 ::1\r\n"));
    let parsed = parse(&v6).unwrap();
    assert_eq!(parsed.payload_types, vec![8, 101]);
    assert_eq!(parsed.direction, MediaDirection::RecvOnly);
}

#[test]
fn direction_algebra() {
    use MediaDirection::*;
    assert_eq!(SendOnly.reverse(), RecvOnly);
    assert_eq!(RecvOnly.reverse(), SendOnly);
    assert_eq!(SendRecv.reverse(), SendRecv);
    assert_eq!(Inactive.reverse(), Inactive);
    assert_eq!(SendRecv.intersect(SendOnly), SendOnly);
    assert_eq!(RecvOnly.intersect(SendOnly), Inactive);
    assert_eq!(MediaDirection::from_attribute("recvonly"), Some(RecvOnly));
    assert_eq!(MediaDirection::from_attribute("bogus"), None);
    assert_eq!(MediaDirection::default().to_string(), "sendrecv");
}

fn sdp_like_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("v=0".to_string()),
        Just("o=- 1 1 IN IP4 127.0.0.1".to_string()),
        Just("s=-".to_string()),
        Just("c=IN IP4 0.0.0.0".to_string()),
        Just("t=0 0".to_string()),
        Just("m=audio 4000 RTP/AVP 0 8".to_string()),
        Just("a=sendonly".to_string()),
        Just("a=rtpmap:101 telephone-event/8000".to_string()),
        "[a-z]=[ -~]{0,30}",
        "[ -~]{0,40}",
    ]
}

proptest! {
    #[test]
    fn parse_never_panics_on_random_text(text in "\\PC{0,300}") {
        let _ = parse(&text);
    }

    #[test]
    fn parse_never_panics_on_shuffled_sdp_lines(lines in prop::collection::vec(sdp_like_line(), 0..14)) {
        let text = lines.join("\r\n");
        if let Ok(m) = parse(&text) {
            let _ = answer(&m, LOCAL, 4000, &Codec::ALL);
        }
    }

    #[test]
    fn parse_never_panics_on_mutated_offer(pos in 0usize..200, byte in any::<u8>()) {
        let mut bytes = SOFTPHONE.as_bytes().to_vec();
        let i = pos % bytes.len();
        bytes[i] = byte;
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse(&text);
    }
}
