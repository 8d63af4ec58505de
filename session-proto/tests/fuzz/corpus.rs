//! The seed corpus: one valid SIP message of each kind the stack handles, with the
//! headers real phones send (Via with rport, Max-Forwards, Contact, Allow, Supported,
//! User-Agent, digest credentials, bodies with the right Content-Length).
//!
//! Every request carries the branch [`BRANCH`] and the Call-ID [`CALL_ID`], so that a
//! harness can give each use a fresh transaction and dialog by replacing them; in-dialog
//! requests carry the To tag [`TO_TAG`]. Requests go to Bob, either through the
//! `example.com` proxy (`sip:bob@example.com`) or straight to his phone.

/// The branch of every corpus request.
pub const BRANCH: &str = "z9hG4bKcorpus1";
/// The Call-ID of every corpus message.
pub const CALL_ID: &str = "corpus-call-1@127.0.0.1";
/// The To tag of the in-dialog requests.
pub const TO_TAG: &str = "bobtag1";

const SDP_OFFER: &str = "v=0\r\no=alice 2890844526 2890844526 IN IP4 127.0.0.1\r\ns=-\r\n\
c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n";

const SDP_ANSWER: &str = "v=0\r\no=bob 2808844564 2808844564 IN IP4 127.0.0.1\r\ns=-\r\n\
c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 3456 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\n";

const SDP_HOLD: &str = "v=0\r\no=alice 2890844526 2890844527 IN IP4 127.0.0.1\r\ns=-\r\n\
c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendonly\r\n";

/// A request: start line, headers (each ending in CRLF), an optional Content-Type and body.
fn request(start: &str, cseq: &str, to_tag: bool, headers: &str, body: Option<(&str, &str)>) -> String {
    let to =
        if to_tag { format!("<sip:bob@example.com>;tag={TO_TAG}") } else { "<sip:bob@example.com>".into() };
    let (content_type, body) = match body {
        Some((kind, text)) => (format!("Content-Type: {kind}\r\n"), text),
        None => (String::new(), ""),
    };
    format!(
        "{start} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch={BRANCH};rport\r\nMax-Forwards: 70\r\n\
         From: \"Alice\" <sip:alice@example.com>;tag=alicetag1\r\nTo: {to}\r\nCall-ID: {CALL_ID}\r\n\
         CSeq: {cseq}\r\n{headers}{content_type}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// A response to an INVITE or a REGISTER, with two Vias (as through a proxy).
fn response(status: &str, cseq: &str, to_tag: bool, headers: &str, body: Option<&str>) -> String {
    let to =
        if to_tag { format!("<sip:bob@example.com>;tag={TO_TAG}") } else { "<sip:bob@example.com>".into() };
    let (content_type, body) = match body {
        Some(text) => ("Content-Type: application/sdp\r\n", text),
        None => ("", ""),
    };
    format!(
        "SIP/2.0 {status}\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK0000002a.1;received=127.0.0.1\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:5070;branch={BRANCH};rport=5070\r\n\
         From: \"Alice\" <sip:alice@example.com>;tag=alicetag1\r\nTo: {to}\r\nCall-ID: {CALL_ID}\r\n\
         CSeq: {cseq}\r\n{headers}{content_type}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Every corpus message, as bytes.
pub fn messages() -> Vec<Vec<u8>> {
    let contact = "Contact: <sip:alice@127.0.0.1:5070;transport=udp>\r\n";
    let allow = "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, MESSAGE, UPDATE\r\n";
    let agent = "User-Agent: FuzzPhone/1.0\r\nSupported: replaces, timer\r\n";
    let invite_headers = format!("{contact}{allow}{agent}Session-Expires: 1800\r\nMin-SE: 90\r\n");
    let authorization = "Authorization: Digest username=\"alice\", realm=\"example.com\", \
        nonce=\"1700000000.0.abcdef0123456789\", uri=\"sip:example.com\", \
        response=\"0123456789abcdef0123456789abcdef\", algorithm=MD5, cnonce=\"0a4f113b\", qop=auth, nc=00000001\r\n";
    let texts = [
        request(
            "INVITE sip:bob@example.com",
            "1 INVITE",
            false,
            &invite_headers,
            Some(("application/sdp", SDP_OFFER)),
        ),
        request("ACK sip:bob@127.0.0.1:5061", "1 ACK", true, contact, None),
        request("BYE sip:bob@127.0.0.1:5061", "2 BYE", true, agent, None),
        request("CANCEL sip:bob@example.com", "1 CANCEL", false, "", None),
        request(
            "OPTIONS sip:example.com",
            "1 OPTIONS",
            false,
            &format!("{contact}Accept: application/sdp\r\n"),
            None,
        ),
        request(
            "REGISTER sip:example.com",
            "3 REGISTER",
            false,
            &format!("Contact: <sip:alice@127.0.0.1:5070>;expires=3600\r\n{authorization}Expires: 3600\r\n"),
            None,
        ),
        request(
            "SUBSCRIBE sip:bob@example.com",
            "1 SUBSCRIBE",
            false,
            &format!("{contact}Event: presence\r\nAccept: application/pidf+xml\r\nExpires: 600\r\n"),
            None,
        ),
        request(
            "NOTIFY sip:bob@127.0.0.1:5061",
            "4 NOTIFY",
            true,
            &format!("{contact}Event: refer;id=2\r\nSubscription-State: active;expires=60\r\n"),
            Some(("message/sipfrag;version=2.0", "SIP/2.0 200 OK\r\n")),
        ),
        request(
            "REFER sip:bob@127.0.0.1:5061",
            "5 REFER",
            true,
            &format!(
                "{contact}Refer-To: <sip:carol@example.com?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>\r\n\
                 Referred-By: <sip:alice@example.com>\r\n"
            ),
            None,
        ),
        request(
            "INFO sip:bob@127.0.0.1:5061",
            "6 INFO",
            true,
            "",
            Some(("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n")),
        ),
        request(
            "MESSAGE sip:bob@example.com",
            "7 MESSAGE",
            false,
            "",
            Some(("text/plain;charset=utf-8", "Hello Bob, héllo wörld")),
        ),
        request(
            "INVITE sip:bob@127.0.0.1:5061",
            "8 INVITE",
            true,
            &format!("{contact}{allow}"),
            Some(("application/sdp", SDP_HOLD)),
        ),
        request("UPDATE sip:bob@127.0.0.1:5061", "9 UPDATE", true, contact, None),
        // Compact header names, two Vias on one line, a Route, and LWS everywhere.
        format!(
            "INVITE sip:bob@example.com;transport=udp SIP/2.0\r\n\
             v: SIP/2.0/UDP 127.0.0.1:5070;branch={BRANCH};rport , SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKold\r\n\
             f: <sip:alice@example.com>;tag=alicetag1\r\nt:   sip:bob@example.com\r\ni: {CALL_ID}\r\n\
             CSeq:   10    INVITE\r\nRoute: <sip:127.0.0.1:5060;lr>\r\nm: <sip:alice@127.0.0.1:5070>\r\n\
             k: replaces\r\nc: application/sdp\r\nl: {}\r\n\r\n{SDP_OFFER}",
            SDP_OFFER.len()
        ),
        response("100 Trying", "1 INVITE", false, "", None),
        response("180 Ringing", "1 INVITE", true, "Contact: <sip:bob@127.0.0.1:5061>\r\n", None),
        response(
            "200 OK",
            "1 INVITE",
            true,
            &format!("Contact: <sip:bob@127.0.0.1:5061>\r\nRecord-Route: <sip:127.0.0.1:5060;lr>\r\n{allow}"),
            Some(SDP_ANSWER),
        ),
        response(
            "401 Unauthorized",
            "3 REGISTER",
            true,
            "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"1700000000.1.00ff\", qop=\"auth\", \
             algorithm=SHA-256, opaque=\"\"\r\nWWW-Authenticate: Digest realm=\"example.com\", \
             nonce=\"1700000000.1.00ff\", qop=\"auth\", algorithm=MD5\r\n",
            None,
        ),
        response("486 Busy Here", "1 INVITE", true, "Retry-After: 60\r\nWarning: 399 bob \"busy\"\r\n", None),
    ];
    texts.into_iter().map(String::into_bytes).collect()
}
