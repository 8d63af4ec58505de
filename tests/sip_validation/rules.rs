//! Header rules of the RFC 3261 grammar (sections 7.3 and 25), and transaction matching
//! (section 17.2.3), each over a real socket.

use std::time::Duration;

use super::peer::{Peer, SDP, invite};

/// Replaces the first line starting with `name:` in `request` by `with`.
fn replace_header(request: &str, name: &str, with: &str) -> String {
    let prefix = format!("{name}:");
    request
        .split("\r\n")
        .map(|l| if l.starts_with(&prefix) { with } else { l })
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[test]
fn a_header_that_allows_one_value_given_twice_is_400() {
    let peer = Peer::new();
    let second = [
        ("From", "From: <sip:mallory@127.0.0.1>;tag=m1"),
        ("To", "To: <sip:carol@127.0.0.1>"),
        ("Call-ID", "i: another-call-id"),
        ("CSeq", "CSeq: 2 INVITE"),
        ("Max-Forwards", "Max-Forwards: 69"),
        ("Content-Type", "c: application/sdp"),
    ];
    for (name, line) in second {
        let answer = peer.send(&invite().header(line).build(&peer));
        assert_eq!(answer.code(), 400, "a second {name}: {}", answer.text);
        let warning = answer.header("Warning").unwrap_or_default();
        assert!(warning.contains(&format!("more than one {name} header")), "{name}: {warning}");
    }
}

#[test]
fn two_content_lengths_that_differ_are_400() {
    let peer = Peer::new();
    let request = invite().header(&format!("Content-Length: {}", SDP.len() - 10)).build(&peer);
    let answer = peer.send(&request);
    assert_eq!(answer.code(), 400, "{}", answer.text);
    assert!(answer.header("Warning").unwrap_or_default().contains("Content-Length"), "{}", answer.text);
}

#[test]
fn a_single_value_header_holding_a_list_is_400() {
    let peer = Peer::new();
    let request = invite().build(&peer);
    let two_tos = replace_header(&request, "To", "To: <sip:bob@127.0.0.1>, <sip:carol@127.0.0.1>");
    let answer = peer.send(&two_tos);
    assert_eq!(answer.code(), 400, "{}", answer.text);
    assert!(answer.header("Warning").unwrap_or_default().contains("To header holds more than one value"));
    let answer = peer.send(&replace_header(&invite().build(&peer), "CSeq", "CSeq: 1 INVITE, 2 INVITE"));
    assert_eq!(answer.code(), 400, "{}", answer.text);
    // A comma inside a quoted display name or an angle-bracketed URI is not a list.
    let quoted =
        replace_header(&invite().build(&peer), "To", r#"To: "Bob, the builder" <sip:bob@127.0.0.1>"#);
    assert_eq!(peer.send(&quoted).code(), 486);
}

#[test]
fn a_control_character_inside_a_header_value_is_400() {
    let peer = Peer::new();
    for (byte, name) in [("\0", "0x00"), ("\x7f", "0x7f"), ("\x01", "0x01")] {
        let answer = peer.send(&invite().header(&format!("Subject: lunch{byte}time")).build(&peer));
        assert_eq!(answer.code(), 400, "{name}: {}", answer.text);
        let warning = answer.header("Warning").unwrap_or_default();
        assert!(warning.contains(&format!("control character ({name}) in the Subject header")), "{warning}");
    }
    // A horizontal tab is whitespace, not a control character, to the grammar.
    assert_eq!(peer.send(&invite().header("Subject: lunch\ttime").build(&peer)).code(), 486);
}

#[test]
fn compact_forms_folding_and_any_case_of_names_are_taken() {
    let peer = Peer::new();
    let request = invite().build(&peer);
    let compact = request
        .replacen("Via:", "v:", 1)
        .replacen("From:", "f:", 1)
        .replacen("To:", "t:", 1)
        .replacen("Call-ID:", "i:", 1)
        .replacen("Contact:", "m:", 1)
        .replacen("Content-Type:", "c:", 1)
        .replacen("Content-Length:", "l:", 1);
    assert_eq!(peer.send(&compact).code(), 486, "compact forms:\n{compact}");
    let request = invite().build(&peer);
    let shouting = request.replacen("Call-ID:", "CALL-id:", 1).replacen("CSeq:", "cseq:", 1);
    assert_eq!(peer.send(&shouting).code(), 486, "names in any case:\n{shouting}");
    let folded = invite().header("Subject: a subject\r\n  folded over\r\n\tthree lines").build(&peer);
    assert_eq!(peer.send(&folded).code(), 486, "folded Subject:\n{folded}");
    let request = invite().build(&peer);
    let folded_to = request.replacen("To: <sip:bob@", "To:\r\n <sip:bob@", 1);
    assert_eq!(peer.send(&folded_to).code(), 486, "folded To:\n{folded_to}");
}

#[test]
fn long_header_values_keep_working() {
    let peer = Peer::new();
    for length in [800, 2000, 4000] {
        let subject = "x".repeat(length);
        let answer = peer.send(&invite().header(&format!("Subject: {subject}")).build(&peer));
        assert_eq!(answer.code(), 486, "a Subject of {length} characters");
    }
    let request = invite().build(&peer);
    let long_tag = format!(";tag={}", "a".repeat(600));
    let long_from = request.replacen(";tag=t", &format!("{long_tag};x=t"), 1);
    let answer = peer.send(&long_from);
    assert_eq!(answer.code(), 486, "a From with a 600-character tag:\n{}", answer.text);
    assert!(answer.header("From").is_some_and(|f| f.contains(&long_tag)), "the From comes back whole");
}

#[test]
fn an_rfc_2543_request_without_a_branch_is_matched_by_its_fields() {
    let peer = Peer::new();
    let request = invite().branch("").build(&peer);
    assert!(!request.contains("branch="));
    let answer = peer.send(&request);
    assert_eq!(answer.code(), 486, "{}", answer.text);
    // The ACK (sent by `send`) matched the transaction: the 486 is not retransmitted.
    let after = peer.received_within(Duration::from_millis(1200));
    assert!(after.is_empty(), "datagrams after the ACK: {after:?}");
    // A retransmission of a fresh branchless INVITE before the ACK is the same
    // transaction: the answer is sent again, with the same To tag, not a second call.
    let request = invite().branch("").build(&peer);
    let answer = peer.ask(&request);
    let again = peer.ask(&request);
    assert_eq!((answer.code(), again.code()), (486, 486));
    assert_eq!(again.header("To"), answer.header("To"), "the same answer, with the same To tag");
    peer.ack(&request, &answer);
}

#[test]
fn the_same_branch_from_two_sources_is_two_transactions() {
    let peer = Peer::new();
    let other = Peer::socket();
    let branch = format!("z9hG4bK-shared-{}", std::process::id());
    let first = invite().branch(&branch).build(&peer);
    let second = invite().branch(&branch).build_from(&peer, other.local_addr().expect("address"));
    let first = peer.send(&first);
    let second = peer.send_from(&other, &second);
    assert_eq!((first.code(), second.code()), (486, 486));
    assert_ne!(
        first.header("Call-ID"),
        second.header("Call-ID"),
        "each source got the answer to its own call"
    );
    // And OPTIONS on an INVITE's branch is its own transaction too (the method is part
    // of the key).
    let options = invite().method("OPTIONS").no_body().branch(&branch).build(&peer);
    assert_eq!(peer.send(&options).code(), 200);
}
