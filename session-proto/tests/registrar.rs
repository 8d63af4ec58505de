//! The registrar on the in-memory network: REGISTER with digest authentication,
//! bindings in the network's memory location store, and the failure limits.

mod net;

use std::time::Duration;

use net::location::{EPOCH_UNIX, StoreMode};
use net::phone::{Phone, header, headers, status};
use net::{Conditions, Net};
use session_proto::auth::{Challenge, Credentials, DigestClient};
use session_proto::location::LocationJob;

const USERS: &str = "alice:wonderland\nbob:builder\n";
const SERVER: usize = 0;
const URI: &str = "sip:example.com";

fn server() -> Net {
    let mut net = Net::new(11, Conditions::CLEAN);
    net.add_server("example.com", USERS, |_| {});
    net
}

fn alice() -> Phone {
    Phone::new("127.0.0.1:5999", "alice", "wonderland")
}

/// Sends `text` from `phone` and returns the last response on `branch`.
fn send(net: &mut Net, phone: &Phone, branch: &str, text: &str) -> String {
    net.inject(SERVER, phone.addr, text);
    net.responses(phone.addr, branch).pop().unwrap_or_else(|| panic!("no response to {text}"))
}

/// A REGISTER, challenged, then answered: the final response to the answer.
fn register(net: &mut Net, phone: &mut Phone, to_user: &str, headers: &str) -> String {
    register_answered(net, phone, to_user, headers).final_response
}

/// What [`register_answered`] saw and sent.
struct Answered {
    challenge: String,
    /// Our `Authorization: …\r\n` line.
    authorization: String,
    final_response: String,
}

/// A REGISTER, challenged, then answered: the challenge, our answer, and the final
/// response to it.
fn register_answered(net: &mut Net, phone: &mut Phone, to_user: &str, headers: &str) -> Answered {
    let (branch, text) = phone.register(to_user, headers);
    let challenge = send(net, phone, &branch, &text);
    assert_eq!(status(&challenge), 401, "{challenge}");
    let authorization = phone.answer(&challenge, "REGISTER", URI);
    let (branch, text) = phone.register(to_user, &format!("{authorization}{headers}"));
    let final_response = send(net, phone, &branch, &text);
    Answered { challenge, authorization, final_response }
}

/// The `Contact` values of a response, with their expiries.
fn contacts(response: &str) -> Vec<&str> {
    headers(response, "Contact")
}

/// The nonce the challenges of a 401 carry (one for both algorithms).
fn nonce_of(challenge: &str) -> String {
    let offered = headers(challenge, "WWW-Authenticate");
    let nonces: Vec<String> =
        offered.iter().map(|c| Challenge::parse(c).expect("a challenge").nonce).collect();
    assert!(!nonces.is_empty() && nonces.iter().all(|n| n == &nonces[0]), "{challenge}");
    nonces[0].clone()
}

fn registers(net: &Net) -> usize {
    net.location.jobs.iter().filter(|j| matches!(j, LocationJob::Register { .. })).count()
}

#[test]
fn a_register_is_challenged_then_bound_with_the_right_password() {
    let (mut net, mut phone) = (server(), alice());
    let contact = format!("Contact: <{}>\r\n", phone.contact());
    let (branch, text) = phone.register("alice", &contact);
    let challenge = send(&mut net, &phone, &branch, &text);
    assert!(challenge.starts_with("SIP/2.0 401 Unauthorized\r\n"), "{challenge}");
    let offered = headers(&challenge, "WWW-Authenticate");
    assert_eq!(offered.len(), 2, "{challenge}");
    assert!(offered[0].contains("algorithm=SHA-256") && offered[1].contains("algorithm=MD5"), "{offered:?}");
    assert!(offered.iter().all(|c| c.contains("realm=\"example.com\"") && c.contains("qop=\"auth\"")));
    assert_eq!(registers(&net), 0, "nothing reaches the store unauthenticated");

    let authorization = phone.answer(&challenge, "REGISTER", URI);
    let (branch, text) = phone.register("alice", &format!("{authorization}{contact}"));
    let ok = send(&mut net, &phone, &branch, &text);
    assert!(ok.starts_with("SIP/2.0 200 OK\r\n"), "{ok}");
    assert_eq!(contacts(&ok), [format!("<{}>;expires=3600", phone.contact())]);
    assert_eq!(header(&ok, "Date"), Some("Tue, 14 Nov 2023 22:13:20 GMT"), "EPOCH_UNIX as a date");
    let bound = &net.location.bindings["sip:alice@example.com"];
    assert_eq!(bound.len(), 1);
    assert_eq!((bound[0].source, bound[0].expires_at), (phone.addr, EPOCH_UNIX + 3600));
    assert_eq!(bound[0].call_id, phone.call_id);
    let Some(LocationJob::Register { nonce: Some(nonce), .. }) = net.location.jobs.last() else {
        panic!("a register job with its nonce use")
    };
    assert_eq!(nonce.nc, 1);
}

#[test]
fn a_wrong_password_and_an_unknown_user_get_the_same_answer_but_for_the_branch() {
    let mut net = server();
    let mut answers = Vec::new();
    for (round, (user, password)) in [("alice", "guess"), ("mallory", "wonderland")].into_iter().enumerate() {
        // The same Call-ID and CSeqs each round, on branches of their own.
        let mut phone = alice();
        for _ in 0..round * 10 {
            phone.branch();
        }
        let (branch, text) = phone.register("alice", "Contact: <sip:alice@127.0.0.1:5999>\r\n");
        let challenge = send(&mut net, &phone, &branch, &text);
        let mut impostor = Phone::new("127.0.0.1:5999", user, password);
        let authorization = impostor.answer(&challenge, "REGISTER", URI);
        let (branch, text) =
            phone.register("alice", &format!("{authorization}Contact: <sip:alice@127.0.0.1:5999>\r\n"));
        let refused = send(&mut net, &phone, &branch, &text);
        assert_eq!(status(&refused), 401, "{refused}");
        // Every challenge has a nonce of its own; nothing else may differ.
        answers.push(refused.replace(&branch, "BRANCH").replace(&nonce_of(&refused), "NONCE"));
    }
    assert_eq!(answers[0], answers[1], "the answers tell the two apart");
    assert_eq!(registers(&net), 0);
}

#[test]
fn a_replayed_nonce_count_is_refused_and_the_next_count_accepted() {
    let (mut net, mut phone) = (server(), alice());
    let contact = format!("Contact: <{}>\r\n", phone.contact());
    let Answered { authorization, final_response, .. } =
        register_answered(&mut net, &mut phone, "alice", &contact);
    assert_eq!(status(&final_response), 200);
    // The same credentials (nc=00000001) in a new request: a replay.
    let (branch, text) =
        phone.register("alice", &format!("{authorization}Contact: <sip:evil@192.0.2.66>\r\n"));
    let replayed = send(&mut net, &phone, &branch, &text);
    assert_eq!(status(&replayed), 401, "{replayed}");
    assert!(!replayed.contains("stale=true"));
    assert_eq!(net.location.contacts("sip:alice@example.com"), [phone.contact()], "nothing changed");
    // The next count of the same nonce is fine.
    let next = phone.digest.reuse("REGISTER", URI, "77aa").expect("a nonce to reuse");
    assert!(next.contains("nc=00000002"), "{next}");
    let (branch, text) = phone.register("alice", &format!("Authorization: {next}\r\n{contact}"));
    assert_eq!(status(&send(&mut net, &phone, &branch, &text)), 200);
}

#[test]
fn two_phones_challenged_in_the_same_second_get_nonces_of_their_own() {
    let mut net = server();
    let mut phones = [alice(), Phone::new("127.0.0.1:5998", "bob", "builder")];
    let challenges: Vec<String> = phones
        .iter_mut()
        .map(|phone| {
            let (branch, text) = phone.register(&phone.user.clone(), "");
            send(&mut net, phone, &branch, &text)
        })
        .collect();
    let nonces: Vec<String> = challenges.iter().map(|c| nonce_of(c)).collect();
    assert_ne!(nonces[0], nonces[1], "same clock, different nonces");
    assert_eq!(nonces[0][..16], nonces[1][..16], "both issued in the same second");
    // Both answer with nc=00000001 (and the same cnonce pattern): each count is its own.
    for (phone, challenge) in phones.iter_mut().zip(&challenges) {
        let authorization = phone.answer(challenge, "REGISTER", URI);
        let (branch, text) = phone.register(&phone.user.clone(), &authorization);
        assert_eq!(status(&send(&mut net, phone, &branch, &text)), 200);
    }
    let used: Vec<&str> = net
        .location
        .jobs
        .iter()
        .filter_map(|job| match job {
            LocationJob::Register { nonce: Some(nonce), .. } => Some(nonce.nonce.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(used, [nonces[0].as_str(), nonces[1].as_str()], "the store counts per nonce alone");
}

#[test]
fn a_replayed_nonce_count_is_refused_under_another_cnonce() {
    let (mut net, mut phone) = (server(), alice());
    let contact = format!("Contact: <{}>\r\n", phone.contact());
    let Answered { challenge, authorization, final_response } =
        register_answered(&mut net, &mut phone, "alice", &contact);
    assert_eq!(status(&final_response), 200);
    // Someone with the password answers the same challenge again: the same nonce and
    // nc=00000001, a cnonce never seen. The count is used up whatever the cnonce.
    let offered = Challenge::best(headers(&challenge, "WWW-Authenticate")).expect("a challenge");
    let mut other = DigestClient::new(Credentials::new("alice", "wonderland"));
    let again = other.answer(&offered, "REGISTER", URI, "a-cnonce-never-seen").expect("an answer");
    assert!(again.contains("nc=00000001") && again.contains(&nonce_of(&challenge)), "{again}");
    assert_ne!(format!("Authorization: {again}\r\n"), authorization);
    let (branch, text) =
        phone.register("alice", &format!("Authorization: {again}\r\nContact: <sip:evil@192.0.2.66>\r\n"));
    let replayed = send(&mut net, &phone, &branch, &text);
    assert_eq!(status(&replayed), 401, "{replayed}");
    assert!(!replayed.contains("stale=true"));
    assert_eq!(net.location.contacts("sip:alice@example.com"), [phone.contact()], "nothing changed");
}

#[test]
fn an_expired_nonce_gets_a_stale_challenge_which_is_answered() {
    let (mut net, mut phone) = (server(), alice());
    assert_eq!(status(&register(&mut net, &mut phone, "alice", "")), 200);
    net.advance(Duration::from_secs(301));
    let old = phone.digest.reuse("REGISTER", URI, "5eed").unwrap();
    let (branch, text) = phone.register("alice", &format!("Authorization: {old}\r\n"));
    let stale = send(&mut net, &phone, &branch, &text);
    assert_eq!(status(&stale), 401);
    assert!(headers(&stale, "WWW-Authenticate").iter().all(|c| c.contains("stale=true")), "{stale}");
    let fresh = phone.answer(&stale, "REGISTER", URI);
    let (branch, text) = phone.register("alice", &fresh);
    assert_eq!(status(&send(&mut net, &phone, &branch, &text)), 200);
}

#[test]
fn alice_cannot_register_bobs_address() {
    let (mut net, mut phone) = (server(), alice());
    let forbidden = register(&mut net, &mut phone, "bob", "Contact: <sip:bob@127.0.0.1:5999>\r\n");
    assert!(forbidden.starts_with("SIP/2.0 403 Forbidden\r\n"), "{forbidden}");
    assert_eq!(registers(&net), 0);
    assert!(net.location.contacts("sip:bob@example.com").is_empty());
}

#[test]
fn too_brief_an_expiry_gets_423_with_the_minimum() {
    let (mut net, mut phone) = (server(), alice());
    let brief = register(&mut net, &mut phone, "alice", "Contact: <sip:alice@127.0.0.1:5999>;expires=30\r\n");
    assert!(brief.starts_with("SIP/2.0 423 Interval Too Brief\r\n"), "{brief}");
    assert_eq!(header(&brief, "Min-Expires"), Some("60"));
    assert_eq!(registers(&net), 0);
}

#[test]
fn several_contacts_are_bound_each_with_its_expiry_and_the_wildcard_removes_them() {
    let (mut net, mut phone) = (server(), alice());
    let several = "Contact: <sip:alice@127.0.0.1:5999>;expires=120\r\nContact: <sip:alice@127.0.0.1:6000>, \
                   <sip:alice@127.0.0.1:6001>;expires=7200\r\nExpires: 600\r\n";
    let ok = register(&mut net, &mut phone, "alice", several);
    assert_eq!(status(&ok), 200, "{ok}");
    assert_eq!(
        contacts(&ok),
        [
            "<sip:alice@127.0.0.1:5999>;expires=120",
            "<sip:alice@127.0.0.1:6000>;expires=600",
            "<sip:alice@127.0.0.1:6001>;expires=3600"
        ],
        "the parameter, the Expires header, and the maximum"
    );
    // A wildcard needs Expires: 0.
    let refused = register(&mut net, &mut phone, "alice", "Contact: *\r\n");
    assert!(refused.starts_with("SIP/2.0 400 Bad Request\r\n"), "{refused}");
    assert_eq!(net.location.contacts("sip:alice@example.com").len(), 3);
    let removed = register(&mut net, &mut phone, "alice", "Contact: *\r\nExpires: 0\r\n");
    assert_eq!(status(&removed), 200, "{removed}");
    assert!(contacts(&removed).is_empty(), "{removed}");
    assert!(net.location.contacts("sip:alice@example.com").is_empty());
}

#[test]
fn one_contact_is_removed_with_expires_0_and_bindings_lapse() {
    let (mut net, mut phone) = (server(), alice());
    let two = "Contact: <sip:alice@127.0.0.1:5999>;expires=60, <sip:alice@127.0.0.1:6000>\r\n";
    assert_eq!(contacts(&register(&mut net, &mut phone, "alice", two)).len(), 2);
    let gone = register(&mut net, &mut phone, "alice", "Contact: <sip:alice@127.0.0.1:6000>;expires=0\r\n");
    assert_eq!(contacts(&gone), ["<sip:alice@127.0.0.1:5999>;expires=60"]);
    net.advance(Duration::from_secs(20));
    // A query (no Contact) lists what is left, with the time it has left.
    assert_eq!(
        contacts(&register(&mut net, &mut phone, "alice", "")),
        ["<sip:alice@127.0.0.1:5999>;expires=40"]
    );
    net.advance(Duration::from_secs(41));
    let lapsed = register(&mut net, &mut phone, "alice", "");
    assert_eq!(status(&lapsed), 200);
    assert!(contacts(&lapsed).is_empty(), "{lapsed}");
}

#[test]
fn a_failing_store_gets_500_with_retry_after() {
    let (mut net, mut phone) = (server(), alice());
    net.store_mode = StoreMode::Fail("connection refused".into());
    let failed = register(&mut net, &mut phone, "alice", "Contact: <sip:alice@127.0.0.1:5999>\r\n");
    assert!(failed.starts_with("SIP/2.0 500 "), "{failed}");
    assert!(header(&failed, "Retry-After").is_some(), "{failed}");
}

#[test]
fn a_register_waits_for_the_store_and_is_answered_when_it_does() {
    let (mut net, mut phone) = (server(), alice());
    net.store_mode = StoreMode::Hold;
    let (branch, text) = phone.register("alice", "");
    let challenge = send(&mut net, &phone, &branch, &text);
    let authorization = phone.answer(&challenge, "REGISTER", URI);
    let (branch, text) =
        phone.register("alice", &format!("{authorization}Contact: <sip:alice@127.0.0.1:5999>\r\n"));
    net.inject(SERVER, phone.addr, &text);
    net.advance(Duration::from_secs(2));
    assert!(net.responses(phone.addr, &branch).is_empty(), "nothing before the store answers");
    assert_eq!(net.held_jobs.len(), 1);
    net.release_jobs();
    let ok = net.responses(phone.addr, &branch);
    assert_eq!(ok.len(), 1, "{ok:?}");
    assert_eq!(status(&ok[0]), 200);
}

/// REGISTERs from `phone` answered by `guesser`, each a fresh challenge first;
/// returns each final answer and how long after the request it arrived.
fn attempts(net: &mut Net, phone: &mut Phone, guesser: &mut Phone, count: usize) -> Vec<(u16, Duration)> {
    (0..count)
        .map(|_| {
            let (branch, text) = phone.register("alice", "");
            let challenge = send(net, phone, &branch, &text);
            let authorization = guesser.answer(&challenge, "REGISTER", URI);
            let (branch, text) = phone.register("alice", &authorization);
            let sent = net.now;
            net.inject(SERVER, phone.addr, &text);
            let until = net.now + Duration::from_secs(10);
            net.run_until(until, |n| !n.responses(phone.addr, &branch).is_empty());
            let answer = net.responses(phone.addr, &branch).pop().expect("an answer");
            (status(&answer), net.now - sent)
        })
        .collect()
}

#[test]
fn repeated_failures_are_answered_slowly_then_refused_and_a_success_clears_them() {
    let (mut net, mut phone) = (server(), alice());
    let mut right = alice();
    let mut wrong = Phone::new("127.0.0.1:5999", "alice", "guess");
    // Two failures, then a success: the count starts again.
    let first = attempts(&mut net, &mut phone, &mut wrong, 2);
    assert!(first.iter().all(|&(code, after)| code == 401 && after < Duration::from_secs(1)), "{first:?}");
    assert_eq!(attempts(&mut net, &mut phone, &mut right, 1)[0].0, 200);
    let again = attempts(&mut net, &mut phone, &mut wrong, 2);
    assert!(again.iter().all(|&(_, after)| after < Duration::from_secs(1)), "cleared: {again:?}");
    // The third failure in a row and on are held back 2 s; the tenth blocks the address.
    let more = attempts(&mut net, &mut phone, &mut wrong, 8);
    assert!(
        more[..7].iter().all(|&(code, after)| code == 401 && after >= Duration::from_secs(2)),
        "{more:?}"
    );
    assert_eq!(more[7].0, 403, "{more:?}");
    // Blocked, even the right password is refused, without a look at it.
    let jobs = registers(&net);
    let (branch, text) = phone.register("alice", "");
    assert_eq!(status(&send(&mut net, &phone, &branch, &text)), 403, "no challenge either");
    let reused = right.digest.reuse("REGISTER", URI, "1234").expect("a nonce");
    let (branch, text) = phone.register("alice", &format!("Authorization: {reused}\r\n"));
    assert_eq!(status(&send(&mut net, &phone, &branch, &text)), 403);
    assert_eq!(registers(&net), jobs);
    // The block ends.
    net.advance(Duration::from_secs(301));
    assert_eq!(status(&register(&mut net, &mut phone, "alice", "")), 200);
    // Another address is not affected.
    let mut other = Phone::new("127.0.0.2:5999", "alice", "wonderland");
    assert_eq!(status(&register(&mut net, &mut other, "alice", "")), 200);
}
