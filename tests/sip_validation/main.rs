//! Requests no one here wrote, sent over UDP to `simplepeer listen --reject 486`: the
//! checks of RFC 3261 section 8.2 in their order (416, 420, 415, 406), the header rules
//! of the grammar (400), and requests it must keep taking (an RFC 2543 Via without a
//! branch, folded and compact headers, long values). A request that passes every check
//! reaches the call and is answered 486 by the listener.

mod overload;
mod peer;
mod rules;

use peer::{Peer, invite};

#[test]
fn a_request_uri_scheme_other_than_sip_sips_or_tel_is_416() {
    let peer = Peer::new();
    for uri in ["mailto:bob@example.com", "http://example.com/", "urn:service:sos"] {
        let answer = peer.send(&invite().uri(uri).build(&peer));
        assert_eq!(answer.code(), 416, "{uri}: {}", answer.text);
    }
    for uri in ["sip:bob@127.0.0.1", "sips:bob@127.0.0.1", "tel:+15551234567"] {
        assert_eq!(peer.send(&invite().uri(uri).build(&peer)).code(), 486, "{uri}");
    }
}

#[test]
fn a_required_extension_we_do_not_support_is_420_with_unsupported() {
    let peer = Peer::new();
    let answer = peer.send(&invite().header("Require: 100rel").build(&peer));
    assert_eq!(answer.code(), 420, "{}", answer.text);
    assert_eq!(answer.header("Unsupported"), Some("100rel"));
    // Only the tags we lack are listed; one we support (replaces) is not.
    let answer = peer.send(&invite().header("Require: replaces, x-made-up\r\nRequire: foo").build(&peer));
    assert_eq!(answer.code(), 420, "{}", answer.text);
    assert_eq!(answer.header("Unsupported"), Some("x-made-up, foo"));
    assert_eq!(peer.send(&invite().header("Require: replaces").build(&peer)).code(), 486);
    // A proxy's extension is not the UAS's business (Proxy-Require, section 8.2.2.3).
    assert_eq!(peer.send(&invite().header("Proxy-Require: foo").build(&peer)).code(), 486);
}

#[test]
fn a_body_we_cannot_read_is_415_with_accept() {
    let peer = Peer::new();
    let answer = peer.send(&invite().body("text/plain", "hello\r\n").build(&peer));
    assert_eq!(answer.code(), 415, "{}", answer.text);
    assert_eq!(answer.header("Accept"), Some("application/sdp"));
    let no_sdp = "--X\r\nContent-Type: text/plain\r\n\r\nhi\r\n--X--\r\n";
    let answer = peer.send(&invite().body("multipart/mixed;boundary=X", no_sdp).build(&peer));
    assert_eq!(answer.code(), 415, "a multipart body without SDP: {}", answer.text);
    let gzip = invite().header("Content-Encoding: gzip").build(&peer);
    let answer = peer.send(&gzip);
    assert_eq!(answer.code(), 415, "{}", answer.text);
    assert_eq!(answer.header("Accept-Encoding"), Some("identity"));
}

#[test]
fn sdp_inside_multipart_and_optional_bodies_are_taken() {
    let peer = Peer::new();
    let with_sdp = format!(
        "--X\r\nContent-Type: application/isup\r\nContent-Disposition: signal;handling=optional\r\n\r\n\
         \x01\x10\r\n--X\r\nContent-Type: application/sdp\r\n\r\n{}\r\n--X--\r\n",
        peer::SDP
    );
    let answer = peer.send(&invite().body("multipart/mixed;boundary=X", &with_sdp).build(&peer));
    assert_eq!(answer.code(), 486, "the SDP part is read: {}", answer.text);
    let optional =
        invite().body("text/plain", "ignore me").header("Content-Disposition: render;handling=optional");
    assert_eq!(peer.send(&optional.build(&peer)).code(), 486);
}

#[test]
fn an_accept_without_sdp_is_406() {
    let peer = Peer::new();
    let answer = peer.send(&invite().header("Accept: text/plain").build(&peer));
    assert_eq!(answer.code(), 406, "{}", answer.text);
    assert_eq!(peer.send(&invite().header("Accept: application/sdp;q=0").build(&peer)).code(), 406);
    for accept in ["application/sdp", "application/*", "*/*", "text/html, Application/SDP;level=1"] {
        let request = invite().header(&format!("Accept: {accept}")).build(&peer);
        assert_eq!(peer.send(&request).code(), 486, "Accept: {accept}");
    }
}

#[test]
fn the_checks_come_in_the_rfcs_order() {
    let peer = Peer::new();
    // 405 before 416, 416 before 420, 420 before 415, 415 before 406.
    let subscribe = invite().method("SUBSCRIBE").uri("mailto:bob@example.com").no_body();
    assert_eq!(peer.send(&subscribe.build(&peer)).code(), 405);
    let both = invite().uri("mailto:bob@example.com").header("Require: foo");
    assert_eq!(peer.send(&both.build(&peer)).code(), 416);
    let both = invite().header("Require: foo").body("text/plain", "x");
    assert_eq!(peer.send(&both.build(&peer)).code(), 420);
    let both = invite().body("text/plain", "x").header("Accept: text/plain");
    assert_eq!(peer.send(&both.build(&peer)).code(), 415);
}

#[test]
fn options_gets_the_same_checks_and_says_what_we_support() {
    let peer = Peer::new();
    let options = || invite().method("OPTIONS").no_body();
    assert_eq!(peer.send(&options().uri("mailto:bob@example.com").build(&peer)).code(), 416);
    let answer = peer.send(&options().header("Require: foo").build(&peer));
    assert_eq!((answer.code(), answer.header("Unsupported")), (420, Some("foo")));
    let answer = peer.send(&options().build(&peer));
    assert_eq!(answer.code(), 200, "{}", answer.text);
    assert_eq!(answer.header("Supported"), Some("replaces"));
    assert_eq!(answer.header("Accept"), Some("application/sdp"));
}
