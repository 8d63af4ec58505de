//! Forwarding tests: every rewrite is read back by rsip and `inbound::parse`.

use proptest::prelude::*;
use rsipstack::rsip::{HasHeaders, Request, SipMessage};

use super::*;
use crate::sip::inbound::{self, Inbound};

const OURS: &str = "SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKp1";
const RR: &str = "<sip:10.0.0.9:5060;lr>";
const BODY: &str = "v=0\r\n";

const INVITE: &str = "INVITE sip:bob@example.com SIP/2.0\r\n\
    Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKa1;rport\r\n\
    Max-Forwards: 70\r\n\
    Route: <sip:10.0.0.9:5060;lr>, <sip:edge.example.com;lr>\r\n\
    From: \"Alice\" <sip:alice@example.com>;tag=1\r\n\
    To: <sip:bob@example.com>\r\n\
    Call-ID: c1@192.0.2.1\r\n\
    CSeq: 1 INVITE\r\n\
    Contact: <sip:alice@192.0.2.1:5070>\r\n\
    Content-Type: application/sdp\r\n\
    Content-Length: 5\r\n\r\nv=0\r\n";

const OK: &str = "SIP/2.0 200 OK\r\n\
    Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKp1, SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKa1;rport=5071;received=198.51.100.7\r\n\
    Via: SIP/2.0/TCP 203.0.113.5;branch=z9hG4bKz\r\n\
    From: \"Alice\" <sip:alice@example.com>;tag=1\r\n\
    To: <sip:bob@example.com>;tag=b\r\n\
    Call-ID: c1@192.0.2.1\r\n\
    CSeq: 1 INVITE\r\n\
    Content-Length: 0\r\n\r\n";

fn is_ours(value: &str) -> bool {
    uri_of(value).contains("10.0.0.9")
}

fn forward(text: &str, forward: &Forward<'_>) -> Result<String, ForwardError> {
    forward_request(text.as_bytes(), forward).map(|out| String::from_utf8(out).expect("UTF-8"))
}

/// The output, after both rsip and our inbound checks accepted it.
fn read_back(bytes: &str) -> Request {
    let Ok(Inbound::Request(request, _)) = inbound::parse(bytes.as_bytes(), "INVITE") else {
        panic!("inbound::parse refused {bytes}")
    };
    request
}

fn header_lines(request: &Request) -> Vec<String> {
    request.headers.iter().map(ToString::to_string).collect()
}

fn all(request_uri: Option<&str>) -> Forward<'_> {
    Forward { request_uri, record_route: Some(RR), strip_route: Some(&is_ours), ..Forward::new(OURS) }
}

#[test]
fn an_invite_gets_our_via_and_record_route_one_hop_less_and_loses_our_route() {
    let out = forward(INVITE, &all(Some("sip:bob@192.0.2.20:5080"))).unwrap();
    let expected = INVITE
        .replace("INVITE sip:bob@example.com ", "INVITE sip:bob@192.0.2.20:5080 ")
        .replace("Via: SIP", &format!("Via: {OURS}\r\nVia: SIP"))
        .replace(
            "rport\r\nMax-Forwards: 70\r\n",
            "rport\r\nRecord-Route: <sip:10.0.0.9:5060;lr>\r\nMax-Forwards: 69\r\n",
        )
        .replace("<sip:10.0.0.9:5060;lr>, <sip:edge", "<sip:edge");
    assert_eq!(out, expected);
    let request = read_back(&out);
    assert_eq!(request.method.to_string(), "INVITE");
    assert_eq!(request.uri.to_string(), "sip:bob@192.0.2.20:5080");
    assert_eq!(request.body, BODY.as_bytes());
    let lines = header_lines(&request);
    assert_eq!(
        lines[..5],
        [
            format!("Via: {OURS}"),
            "Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKa1;rport".to_owned(),
            format!("Record-Route: {RR}"),
            "Max-Forwards: 69".to_owned(),
            "Route: <sip:edge.example.com;lr>".to_owned(),
        ]
    );
    assert!(lines.contains(&"Content-Length: 5".to_owned()), "{lines:?}");
    let Ok(Inbound::Request(_, essentials)) = inbound::parse(out.as_bytes(), "INVITE") else {
        unreachable!()
    };
    assert_eq!(essentials.branch, "z9hG4bKp1");
}

#[test]
fn with_only_our_via_everything_else_is_copied() {
    let out = forward(INVITE, &Forward::new(OURS)).unwrap();
    let expected =
        INVITE.replace("Via: SIP", &format!("Via: {OURS}\r\nVia: SIP")).replace("70\r\n", "69\r\n");
    assert_eq!(out, expected, "the Route stays: no strip_route was given");
}

#[test]
fn max_forwards_is_added_when_absent_and_refused_at_zero_or_garbage() {
    let absent = INVITE.replace("Max-Forwards: 70\r\n", "");
    let out = forward(&absent, &Forward { record_route: Some(RR), ..Forward::new(OURS) }).unwrap();
    assert!(
        out.contains("rport\r\nMax-Forwards: 70\r\nRecord-Route: <sip:10.0.0.9:5060;lr>\r\nRoute:"),
        "{out}"
    );
    assert!(header_lines(&read_back(&out)).contains(&"Max-Forwards: 70".to_owned()));

    let one = forward(&INVITE.replace("Max-Forwards: 70", "max-forwards:  1 "), &Forward::new(OURS)).unwrap();
    assert!(one.contains("\r\nmax-forwards: 0\r\n"), "{one}");
    assert!(header_lines(&read_back(&one)).contains(&"Max-Forwards: 0".to_owned()));

    let zero = INVITE.replace("Max-Forwards: 70", "Max-Forwards: 0");
    assert_eq!(forward(&zero, &Forward::new(OURS)), Err(ForwardError::TooManyHops));
    assert!(ForwardError::TooManyHops.to_string().contains("483"));

    for garbage in ["Max-Forwards: ten", "Max-Forwards: -1", "Max-Forwards:", "Max-Forwards: 99999999999"] {
        let error = forward(&INVITE.replace("Max-Forwards: 70", garbage), &Forward::new(OURS)).unwrap_err();
        assert!(
            matches!(error, ForwardError::Malformed { header: "Max-Forwards", .. }),
            "{garbage}: {error:?}"
        );
        assert!(error.to_string().contains("Max-Forwards"), "{error}");
    }
    let twice = INVITE.replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nMax-Forwards: 12\r\n");
    let error = forward(&twice, &Forward::new(OURS)).unwrap_err();
    assert!(error.to_string().contains("more than once"), "{error}");
}

#[test]
fn record_route_goes_above_the_first_existing_one() {
    let text = INVITE.replace(
        "Contact:",
        "Record-Route: <sip:p2.example.com;lr>\r\nRecord-Route: <sip:p1.example.com;lr>\r\nContact:",
    );
    let out = forward(&text, &Forward { record_route: Some(RR), ..Forward::new(OURS) }).unwrap();
    assert!(
        out.contains(&format!("\r\nRecord-Route: {RR}\r\nRecord-Route: <sip:p2.example.com;lr>\r\n")),
        "{out}"
    );
    let lines = header_lines(&read_back(&out));
    let record_routes: Vec<&String> = lines.iter().filter(|l| l.starts_with("Record-Route")).collect();
    assert_eq!(
        record_routes,
        [
            &format!("Record-Route: {RR}"),
            &"Record-Route: <sip:p2.example.com;lr>".to_owned(),
            &"Record-Route: <sip:p1.example.com;lr>".to_owned()
        ]
    );
}

#[test]
fn only_our_top_route_value_is_removed() {
    let strip = Forward { strip_route: Some(&is_ours), ..Forward::new(OURS) };
    let alone = INVITE.replace(", <sip:edge.example.com;lr>\r\n", "\r\nRoute: <sip:edge.example.com;lr>\r\n");
    let out = forward(&alone, &strip).unwrap();
    assert!(out.contains("Max-Forwards: 69\r\nRoute: <sip:edge.example.com;lr>\r\nFrom:"), "{out}");

    let folded = INVITE.replace(", <sip:edge", ",\r\n\t<sip:edge");
    let out = forward(&folded, &strip).unwrap();
    assert!(out.contains("69\r\nRoute: <sip:edge.example.com;lr>\r\nFrom:"), "{out}");

    let theirs = INVITE.replace("<sip:10.0.0.9:5060;lr>, ", "\"edge\" <sip:edge.example.com;lr>, ");
    let out = forward(&theirs, &strip).unwrap();
    assert!(
        out.contains("\r\nRoute: \"edge\" <sip:edge.example.com;lr>, <sip:edge.example.com;lr>\r\n"),
        "{out}"
    );

    let second = INVITE
        .replace("Route: <sip:10.0.0.9:5060;lr>, <sip:edge.example.com;lr>", "Route: <sip:e;lr>")
        .replace("From:", "Route: <sip:10.0.0.9:5060;lr>\r\nFrom:");
    let out = forward(&second, &strip).unwrap();
    assert!(
        out.contains("Route: <sip:e;lr>\r\nRoute: <sip:10.0.0.9:5060;lr>\r\n"),
        "only the first value counts"
    );

    let lines = header_lines(&read_back(&forward(INVITE, &strip).unwrap()));
    assert!(lines.contains(&"Route: <sip:edge.example.com;lr>".to_owned()), "{lines:?}");
}

#[test]
fn compact_forms_multi_value_vias_and_folding_are_kept() {
    let text = "OPTIONS sip:bob@example.com SIP/2.0\r\n\
        v: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKa1,\r\n SIP/2.0/TCP 192.0.2.2;branch=z9hG4bKa0\r\n\
        V: SIP/2.0/UDP 192.0.2.3;branch=z9hG4bKa\r\n\
        f: <sip:alice@example.com>;tag=1\r\nt: <sip:bob@example.com>\r\ni: c2\r\nCSeq: 7 OPTIONS\r\n\
        m: <sip:alice@192.0.2.1:5070>\r\nSubject: a folded\r\n  subject line\r\nl: 0\r\n\r\n";
    let out = forward(text, &Forward { record_route: Some(RR), ..Forward::new(OURS) }).unwrap();
    let expected = text.replace("v: SIP", &format!("Via: {OURS}\r\nv: SIP")).replace(
        "branch=z9hG4bKa\r\n",
        "branch=z9hG4bKa\r\nMax-Forwards: 70\r\nRecord-Route: <sip:10.0.0.9:5060;lr>\r\n",
    );
    assert_eq!(out, expected);
    let lines = header_lines(&read_back(&out));
    assert_eq!(
        lines[1],
        "Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKa1, SIP/2.0/TCP 192.0.2.2;branch=z9hG4bKa0"
    );
    assert!(lines.contains(&"Subject: a folded subject line".to_owned()), "{lines:?}");
    assert!(lines.contains(&"Content-Length: 0".to_owned()), "{lines:?}");
}

#[test]
fn what_cannot_be_forwarded_says_why() {
    let error = |text: &str| forward(text, &Forward::new(OURS)).unwrap_err();
    assert!(matches!(error(OK), ForwardError::NotARequest(line) if line == "SIP/2.0 200 OK"));
    assert_eq!(error("INVITE sip:b@h SIP/2.0\r\nVia: x"), ForwardError::NoHeaderEnd);
    assert_eq!(
        forward_request(b"INVITE \xff SIP/2.0\r\n\r\n", &Forward::new(OURS)),
        Err(ForwardError::NotUtf8)
    );
    let no_via = error(&INVITE.replace("Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKa1;rport\r\n", ""));
    assert_eq!(no_via.to_string(), "malformed Via header: the request has no Via");
    assert!(matches!(error("INVITE sip:b@h\r\nVia: a\r\n\r\n"), ForwardError::NotARequest(_)));

    let invalid = |forward: Forward<'_>| match forward_request(INVITE.as_bytes(), &forward) {
        Err(ForwardError::InvalidArgument { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(invalid(Forward::new("SIP/2.0/UDP h;branch=z9hG4bK1\r\nX: injected")), "via");
    assert_eq!(invalid(Forward::new("SIP/2.0/UDP h;branch=1")), "via");
    assert_eq!(invalid(Forward { request_uri: Some("sip:a b"), ..Forward::new(OURS) }), "request_uri");
    assert_eq!(invalid(Forward { record_route: Some("<sip:p>"), ..Forward::new(OURS) }), "record_route");
    assert_eq!(invalid(Forward { record_route: Some("sip:p;lr"), ..Forward::new(OURS) }), "record_route");
}

fn response(text: &str) -> Result<(String, NextHop), ForwardError> {
    forward_response(text.as_bytes()).map(|(out, hop)| (String::from_utf8(out).expect("UTF-8"), hop))
}

fn hop(transport: &str, host: &str, port: u16) -> NextHop {
    NextHop { transport: transport.to_owned(), host: host.to_owned(), port }
}

#[test]
fn a_response_loses_our_via_value_and_goes_to_received_and_rport() {
    let (out, next) = response(OK).unwrap();
    assert_eq!(out, OK.replace("SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKp1, ", ""));
    assert_eq!(next, hop("UDP", "198.51.100.7", 5071));
    let Ok(Inbound::Response(parsed, essentials)) = inbound::parse(out.as_bytes(), "INVITE") else {
        panic!("{out}")
    };
    assert_eq!(essentials.branch, "z9hG4bKa1");
    assert_eq!(parsed.status_code.code(), 200);

    // A whole line goes; the next one gives the hop: no port, TCP, so 5060.
    let (out, next) = response(&out).unwrap();
    assert_eq!(next, hop("TCP", "203.0.113.5", 5060));
    let parsed = SipMessage::try_from(out.as_str()).unwrap();
    let vias: Vec<String> =
        parsed.headers().iter().map(ToString::to_string).filter(|h| h.starts_with("Via")).collect();
    assert_eq!(vias, ["Via: SIP/2.0/TCP 203.0.113.5;branch=z9hG4bKz"]);
    assert_eq!(response(&out), Err(ForwardError::NoViaLeft));
}

#[test]
fn the_next_hop_reads_sent_by_compact_folded_and_ipv6_vias() {
    let with_vias = |vias: &str| {
        OK.replace(OK.split("\r\n").nth(1).unwrap(), vias)
            .replace("Via: SIP/2.0/TCP 203.0.113.5;branch=z9hG4bKz\r\n", "")
    };
    let cases = [
        (
            "v: SIP/2.0/UDP a;branch=z9hG4bKp1\r\nv: SIP/2.0/UDP 192.0.2.1:5070;rport;branch=z9hG4bKa",
            hop("UDP", "192.0.2.1", 5070),
        ),
        (
            "Via: SIP/2.0/UDP a;branch=z9hG4bKp1,\r\n SIP / 2.0 / TLS [2001:db8::1];branch=z9hG4bKa",
            hop("TLS", "2001:db8::1", 5061),
        ),
        (
            "VIA: x;branch=z9hG4bKp1, SIP/2.0/UDP [::1]:5071;received=[::2];branch=z9hG4bKa",
            hop("UDP", "::2", 5071),
        ),
        (
            "Via: SIP/2.0/UDP a;branch=z9hG4bKp1;x=\"quoted, comma\" , SIP/2.0/UDP b;branch=z9hG4bKa",
            hop("UDP", "b", 5060),
        ),
    ];
    for (vias, expected) in &cases {
        let text = with_vias(vias);
        let (out, next) = response(&text).unwrap();
        assert_eq!(&next, expected, "{vias}");
        assert!(inbound::parse(out.as_bytes(), "INVITE").is_ok(), "{out}");
    }
    let (out, _) = response(&with_vias(cases[1].0)).unwrap();
    assert!(out.contains("\r\nVia: SIP / 2.0 / TLS [2001:db8::1];branch=z9hG4bKa\r\nFrom:"), "{out}");
    let (out, _) = response(&with_vias(cases[0].0)).unwrap();
    assert!(
        out.starts_with("SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 192.0.2.1:5070;rport;branch=z9hG4bKa\r\nFrom:"),
        "{out}"
    );

    for bad in [
        "Via: a;branch=z9hG4bKp1, SIP/2.0/UDP b:port;branch=z9hG4bKa",
        "Via: a, SIP/2.0/UDP;branch=1",
        "Via: a, nothing",
    ] {
        let error = response(&with_vias(bad)).unwrap_err();
        assert!(matches!(error, ForwardError::Malformed { header: "Via", .. }), "{bad}: {error:?}");
    }
    let error = response(&with_vias("Via: a, SIP/2.0/UDP b;rport=x;branch=z9hG4bKa")).unwrap_err();
    assert!(error.to_string().contains("rport is not a port number"), "{error}");
    assert!(matches!(response(INVITE), Err(ForwardError::NotAResponse(_))));
    assert_eq!(
        response("SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\n").unwrap_err().to_string(),
        "malformed Via header: the response has no Via"
    );
}

/// Edits to a valid message: bytes replaced, inserted, removed, or the rest cut off,
/// with the bytes that matter to SIP syntax more likely than others.
fn mutated(base: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![any::<u8>(), prop::sample::select(b"\r\n\t :;,<>\"\\=0[]".to_vec())];
    prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, byte), 0..10).prop_map(move |edits| {
        let mut bytes = base.as_bytes().to_vec();
        for (index, kind, byte) in edits {
            let at = index.index(bytes.len() + 1);
            match kind {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                2 if at < bytes.len() => {
                    bytes.remove(at);
                }
                3 => bytes.truncate(at),
                _ => {}
            }
        }
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn forwarding_never_panics_and_keeps_what_parsed_parseable(invite in mutated(INVITE), ok in mutated(OK)) {
        for bytes in [&invite, &ok] {
            let request = forward_request(bytes, &all(Some("sip:bob@192.0.2.20")));
            let response = forward_response(bytes);
            if let (Ok(Inbound::Request(..)), Ok(out)) = (inbound::parse(bytes, "INVITE"), request) {
                prop_assert!(inbound::parse(&out, "INVITE").is_ok(), "{}", String::from_utf8_lossy(&out));
            }
            if let (Ok(Inbound::Response(..)), Ok((out, _))) = (inbound::parse(bytes, "INVITE"), response) {
                prop_assert!(SipMessage::try_from(out.as_slice()).is_ok(), "{}", String::from_utf8_lossy(&out));
            }
        }
    }
}

#[test]
fn a_header_the_caller_names_is_dropped_and_nothing_else() {
    let text = INVITE.replace(
        "Contact:",
        "Proxy-Authorization: Digest realm=\"ours\", response=\"x\"\r\n\
         Proxy-Authorization: Digest realm=\"theirs\",\r\n response=\"y\"\r\nContact:",
    );
    let ours = |name: &str, value: &str| {
        name.eq_ignore_ascii_case("proxy-authorization") && value.contains("\"ours\"")
    };
    let out = forward(&text, &Forward { drop_header: Some(&ours), ..Forward::new(OURS) }).unwrap();
    let expected = text
        .replace("Proxy-Authorization: Digest realm=\"ours\", response=\"x\"\r\n", "")
        .replace("Via: SIP", &format!("Via: {OURS}\r\nVia: SIP"))
        .replace("Max-Forwards: 70", "Max-Forwards: 69");
    assert_eq!(out, expected, "the other realm's credentials, folded, stay as they were");
}
