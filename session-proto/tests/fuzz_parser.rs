//! The datagram parser (`sip::inbound::parse`) and what the stack writes from what it
//! accepted, fed mutated corpus messages and arbitrary bytes (`tests/fuzz`).
//!
//! Properties, for every input: nothing panics; and
//! * an accepted request's answers, as the server transaction writes them
//!   (`ReplyHead`), parse back as responses to that request: same branch, Call-ID,
//!   From tag, CSeq and To (with our tag added past 100);
//! * an accepted request forwarded as the proxy forwards it parses back as the same
//!   request (method, Call-ID, tags, CSeq) with our Via on top and the new
//!   Request-URI, unless forwarding refuses it;
//! * an accepted response has a status code of three digits (100 to 699), and passed
//!   upstream with its top Via removed it parses back with the same status, Call-ID,
//!   tags and CSeq (or is refused only for its Via: what is left may have no branch);
//! * the error response that answers a refused request parses as a response, unless
//!   the lines it copies from the request are unsound themselves
//!   (`fuzz::answer_may_not_parse`) or the copy grew past the parser's limit
//!   (`fuzz::oversized_excused`).
//!
//! The kept regressions first, then `FUZZ_CASES` inputs (default 40 000).

mod fuzz;

use fuzz::{Mutator, Report, case_rng, corpus, guarded};
use rsipstack::rsip::{Request, Response};
use session_proto::sip::forward::{Forward, forward_request, forward_response};
use session_proto::sip::headers::{Essentials, uri_of};
use session_proto::sip::inbound::{Inbound, Refused, parse};
use session_proto::sip::write::ReplyHead;

const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, MESSAGE, UPDATE, REGISTER";
const OUR_BRANCH: &str = "z9hG4bK0000002a.7";
const OUR_VIA: &str = "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK0000002a.7";
const TARGET: &str = "sip:bob@127.0.0.1:5061";
const OUR_TAG: &str = "fuzztag";

/// The dialog and sequencing facts two messages of one transaction share.
fn same_transaction(a: &Essentials, b: &Essentials) -> Result<(), String> {
    let pairs = [
        ("Call-ID", a.call_id.clone(), b.call_id.clone()),
        ("From tag", format!("{:?}", a.from_tag), format!("{:?}", b.from_tag)),
        ("CSeq", format!("{} {}", a.cseq, a.cseq_method), format!("{} {}", b.cseq, b.cseq_method)),
    ];
    for (what, left, right) in pairs {
        if left != right {
            return Err(format!("{what} changed: {left:?} became {right:?}"));
        }
    }
    Ok(())
}

fn check_request(
    input: &[u8],
    request: &Request,
    essentials: &Essentials,
    report: &mut Report,
) -> Result<(), String> {
    let head = ReplyHead::of(request);
    for code in [100, 180, 200, 486] {
        let bytes = head.write(code, Some(OUR_TAG), &[("Contact", "<sip:bob@127.0.0.1:5061>")], None);
        let Ok(Inbound::Response(response, answer)) = parse(&bytes, ALLOW) else {
            return Err(format!("our {code} does not parse: {}", fuzz::escaped(&bytes)));
        };
        if response.status_code.code() != code || answer.branch != essentials.branch {
            return Err(format!("our {code} answers another transaction: {}", fuzz::escaped(&bytes)));
        }
        same_transaction(essentials, &answer).map_err(|e| format!("our {code}: {e}"))?;
        let expected_tag = match &essentials.to_tag {
            None if code > 100 => Some(OUR_TAG.to_owned()),
            tag => tag.clone(),
        };
        if answer.to_tag != expected_tag {
            return Err(format!("our {code} has To tag {:?}, not {expected_tag:?}", answer.to_tag));
        }
    }
    let drop = |name: &str, _: &str| name.eq_ignore_ascii_case("proxy-authorization");
    let is_ours = |route: &str| uri_of(route).contains("127.0.0.1:5060");
    let forward = Forward {
        request_uri: Some(TARGET),
        record_route: Some("<sip:127.0.0.1:5060;lr>"),
        strip_route: Some(&is_ours),
        drop_header: Some(&drop),
        ..Forward::new(OUR_VIA)
    };
    let Ok(bytes) = forward_request(input, &forward) else {
        report.count("request_not_forwarded");
        return Ok(());
    };
    report.count("request_forwarded");
    let Ok(Inbound::Request(copy, forwarded)) = parse(&bytes, ALLOW) else {
        return Err(format!("the forwarded request does not parse: {}", fuzz::escaped(&bytes)));
    };
    if copy.method != request.method || copy.uri.to_string() != TARGET || forwarded.branch != OUR_BRANCH {
        return Err(format!("the forwarded request is another one: {}", fuzz::escaped(&bytes)));
    }
    if forwarded.to_tag != essentials.to_tag {
        return Err(format!("forwarding changed the To tag: {:?}", forwarded.to_tag));
    }
    same_transaction(essentials, &forwarded).map_err(|e| format!("forwarded: {e}"))
}

fn check_response(
    input: &[u8],
    response: &Response,
    essentials: &Essentials,
    report: &mut Report,
) -> Result<(), String> {
    let code = response.status_code.code();
    if !(100..=699).contains(&code) {
        return Err(format!("a response with status {code} was accepted"));
    }
    let Ok((bytes, _)) = forward_response(input) else {
        report.count("response_not_forwarded");
        return Ok(());
    };
    report.count("response_forwarded");
    match parse(&bytes, ALLOW) {
        Ok(Inbound::Response(copy, passed)) => {
            if copy.status_code.code() != code || passed.to_tag != essentials.to_tag {
                return Err(format!("the passed-on response is another one: {}", fuzz::escaped(&bytes)));
            }
            same_transaction(essentials, &passed).map_err(|e| format!("passed on: {e}"))
        }
        Err(Refused { reason, .. }) if reason.contains("Via") => Ok(()),
        _ => Err(format!("the passed-on response does not parse: {}", fuzz::escaped(&bytes))),
    }
}

/// Parses `input` and checks what the stack would write from it.
fn check(input: &[u8], report: &mut Report) -> Result<(), String> {
    match parse(input, ALLOW) {
        Ok(Inbound::Request(request, essentials)) => {
            report.count("request_accepted");
            check_request(input, &request, &essentials, report)
        }
        Ok(Inbound::Response(response, essentials)) => {
            report.count("response_accepted");
            check_response(input, &response, &essentials, report)
        }
        Err(Refused { response: Some(answer), .. }) => {
            report.count("refused_answered");
            match parse(&answer, ALLOW) {
                Ok(Inbound::Response(..)) => Ok(()),
                _ if fuzz::answer_may_not_parse(input, &answer)
                    || fuzz::oversized_excused(&answer, fuzz::head_len(input)) =>
                {
                    report.count("refused_answered_unparseable_excused");
                    Ok(())
                }
                _ => Err(format!("the error response does not parse: {}", fuzz::escaped(&answer))),
            }
        }
        Err(Refused { response: None, .. }) => {
            report.count("refused_dropped");
            Ok(())
        }
    }
}

#[test]
fn the_parser_survives_mutated_and_arbitrary_datagrams() {
    let seed = fuzz::seed();
    let mut report = Report::new("fuzz_parser", seed);
    let mutator = Mutator::new(corpus::messages(), fuzz::mutating());
    for (name, input) in fuzz::regressions("parser-") {
        let outcome = guarded(|| check(&input, &mut Report::new("regression", 0)));
        assert!(matches!(outcome, Ok(Ok(()))), "regression {name}: {outcome:?}");
    }
    for case in 0..fuzz::cases(40_000) {
        let mut rng = case_rng(seed, case);
        let input = mutator.input(&mut rng);
        let outcome = guarded(|| check(&input, &mut report));
        report.inputs += 1;
        report.record(case, &input, outcome);
    }
    report.finish();
}
