//! The server: verdicts for right, stale, forged and wrong answers, and redaction.

use md5::{Digest, Md5};
use session_proto::auth::{Algorithm, Challenge, Credentials, DigestClient, Users, Verdict, Verifier};

use crate::param;

const REALM: &str = "example.com";
const SECRET: [u8; 32] = [0x5a; 32];
const LIFETIME: u64 = 300;
const NOW: u64 = 1_700_000_000;

fn verifier() -> Verifier {
    Verifier::new(REALM.into(), SECRET, LIFETIME)
}

fn users() -> Users {
    Users::parse("alice:wonderland\nbob:builder\n", REALM).unwrap()
}

/// The challenge of `verifier` at `now` for `algorithm`, as a client parses it.
fn challenge_of(verifier: &Verifier, now: u64, algorithm: Algorithm) -> Challenge {
    let [sha, md5] = verifier.challenges(now, 7, false);
    let challenge = Challenge::parse(if algorithm == Algorithm::Sha256 { &sha } else { &md5 }).unwrap();
    assert_eq!(challenge.algorithm, algorithm);
    challenge
}

fn answer(user: &str, password: &str, challenge: &Challenge) -> String {
    let mut client = DigestClient::new(Credentials::new(user, password));
    client.answer(challenge, "REGISTER", "sip:example.com", "0a4f113b").unwrap()
}

#[test]
fn challenges_offer_sha256_then_md5_with_qop_auth() {
    let [sha, md5] = verifier().challenges(NOW, 7, false);
    let (sha, md5) = (Challenge::parse(&sha).unwrap(), Challenge::parse(&md5).unwrap());
    assert_eq!((sha.algorithm, md5.algorithm), (Algorithm::Sha256, Algorithm::Md5));
    assert!(sha.qop_auth && md5.qop_auth && !sha.stale);
    assert_eq!(sha.realm, REALM);
    let [stale, _] = verifier().challenges(NOW, 7, true);
    assert!(Challenge::parse(&stale).unwrap().stale);
}

#[test]
fn challenges_of_one_second_carry_nonces_of_their_own_and_each_verifies() {
    let v = verifier();
    let [first, _] = v.challenges(NOW, 1, false);
    let [second, _] = v.challenges(NOW, 2, false);
    let (first, second) = (Challenge::parse(&first).unwrap(), Challenge::parse(&second).unwrap());
    assert_ne!(first.nonce, second.nonce);
    for (user, password, challenge) in [("alice", "wonderland", &first), ("bob", "builder", &second)] {
        let verdict = v.verify(&answer(user, password, challenge), "REGISTER", &users(), NOW);
        let expected_nonce = challenge.nonce.clone();
        assert!(
            matches!(&verdict, Verdict::Valid { nonce, nc: 1, .. } if *nonce == expected_nonce),
            "{verdict:?}"
        );
    }
    // Another node with the same secret checks either nonce.
    let peer = Verifier::new(REALM.into(), SECRET, LIFETIME);
    assert!(matches!(
        peer.verify(&answer("bob", "builder", &second), "REGISTER", &users(), NOW),
        Verdict::Valid { .. }
    ));
    // The random part is signed: changing it is a forgery.
    let mut forged = second.clone();
    forged.nonce = format!("{}{:016x}{}", &second.nonce[..16], 3, &second.nonce[32..]);
    assert_eq!(
        v.verify(&answer("bob", "builder", &forged), "REGISTER", &users(), NOW),
        Verdict::Invalid { why: "forged nonce" }
    );
}

#[test]
fn client_to_server_round_trip_for_both_algorithms() {
    let v = verifier();
    for algorithm in [Algorithm::Sha256, Algorithm::Md5] {
        let challenge = challenge_of(&v, NOW, algorithm);
        let header = answer("alice", "wonderland", &challenge);
        assert_eq!(
            v.verify(&header, "REGISTER", &users(), NOW + 10),
            Verdict::Valid {
                user: "alice".into(),
                nonce: challenge.nonce.clone(),
                nc: 1,
                nonce_expires_at: NOW + LIFETIME
            },
            "{algorithm}"
        );
        // The same answer for another method is wrong.
        assert!(matches!(v.verify(&header, "INVITE", &users(), NOW), Verdict::Invalid { .. }));
    }
}

#[test]
fn reused_nonce_carries_its_count() {
    let v = verifier();
    let mut client = DigestClient::new(Credentials::new("bob", "builder"));
    client.answer(&challenge_of(&v, NOW, Algorithm::Sha256), "REGISTER", "sip:example.com", "aa").unwrap();
    client.accepted();
    let header = client.reuse("REGISTER", "sip:example.com", "bb").unwrap();
    assert!(matches!(v.verify(&header, "REGISTER", &users(), NOW), Verdict::Valid { nc: 2, .. }));
}

#[test]
fn rfc2069_answer_without_qop_is_valid_with_nc_zero() {
    let v = verifier();
    let mut challenge = challenge_of(&v, NOW, Algorithm::Md5);
    challenge.qop_auth = false;
    let header = answer("alice", "wonderland", &challenge);
    assert_eq!(param(&header, "qop"), None);
    assert!(matches!(v.verify(&header, "REGISTER", &users(), NOW), Verdict::Valid { nc: 0, .. }));
}

#[test]
fn expired_or_future_nonce_is_stale_only_with_the_right_password() {
    let v = verifier();
    let header = answer("alice", "wonderland", &challenge_of(&v, NOW, Algorithm::Sha256));
    assert!(matches!(v.verify(&header, "REGISTER", &users(), NOW + LIFETIME), Verdict::Valid { .. }));
    assert_eq!(v.verify(&header, "REGISTER", &users(), NOW + LIFETIME + 1), Verdict::Stale);
    assert_eq!(v.verify(&header, "REGISTER", &users(), NOW - 1), Verdict::Stale);
    // A wrong password gets the same verdict whether the nonce is fresh or old.
    let wrong = answer("alice", "guess", &challenge_of(&v, NOW, Algorithm::Sha256));
    let fresh = v.verify(&wrong, "REGISTER", &users(), NOW);
    assert!(matches!(fresh, Verdict::Invalid { .. }));
    assert_eq!(v.verify(&wrong, "REGISTER", &users(), NOW + LIFETIME + 1), fresh);
}

#[test]
fn forged_nonce_is_invalid_even_with_the_right_password() {
    let v = verifier();
    let real = challenge_of(&v, NOW, Algorithm::Sha256);
    // Moving the issue time forward breaks the HMAC.
    let mut forged = real.clone();
    forged.nonce = format!("{:016x}{}", NOW + 1000, &real.nonce[16..]);
    let header = answer("alice", "wonderland", &forged);
    assert_eq!(v.verify(&header, "REGISTER", &users(), NOW), Verdict::Invalid { why: "forged nonce" });
    // A nonce of a node with another secret.
    let other = Verifier::new(REALM.into(), [1; 32], LIFETIME);
    let header = answer("alice", "wonderland", &challenge_of(&other, NOW, Algorithm::Sha256));
    assert_eq!(v.verify(&header, "REGISTER", &users(), NOW), Verdict::Invalid { why: "forged nonce" });
    // A nonce that is not ours at all.
    forged.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093".into();
    let header = answer("alice", "wonderland", &forged);
    assert_eq!(v.verify(&header, "REGISTER", &users(), NOW), Verdict::Invalid { why: "forged nonce" });
}

#[test]
fn wrong_realm_is_invalid() {
    // Same secret and same user in both realms: only the realm differs.
    let other = Verifier::new("example.org".into(), SECRET, LIFETIME);
    let mut users = users();
    users.insert("alice", "wonderland", "example.org");
    let header = answer("alice", "wonderland", &challenge_of(&other, NOW, Algorithm::Sha256));
    assert!(matches!(other.verify(&header, "REGISTER", &users, NOW), Verdict::Valid { .. }));
    assert_eq!(verifier().verify(&header, "REGISTER", &users, NOW), Verdict::Invalid { why: "wrong realm" });
}

#[test]
fn unknown_user_and_wrong_password_get_the_same_verdict() {
    let v = verifier();
    for algorithm in [Algorithm::Sha256, Algorithm::Md5] {
        let challenge = challenge_of(&v, NOW, algorithm);
        let wrong_password = v.verify(&answer("alice", "guess", &challenge), "REGISTER", &users(), NOW);
        let unknown_user = v.verify(&answer("mallory", "guess", &challenge), "REGISTER", &users(), NOW);
        assert!(matches!(wrong_password, Verdict::Invalid { .. }));
        assert_eq!(wrong_password, unknown_user);
    }
}

#[test]
fn unknown_user_is_not_let_in_by_a_response_from_the_dummy_ha1() {
    let v = verifier();
    let challenge = challenge_of(&v, NOW, Algorithm::Md5);
    let hex =
        |data: &str| Md5::digest(data.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let ha2 = hex("REGISTER:sip:example.com");
    for ha1 in ["0".repeat(32), String::new()] {
        let response = hex(&format!("{ha1}:{}:00000001:c:auth:{ha2}", challenge.nonce));
        let header = format!(
            r#"Digest username="mallory", realm="{REALM}", nonce="{}", uri="sip:example.com", response="{response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="c""#,
            challenge.nonce
        );
        assert_eq!(
            v.verify(&header, "REGISTER", &users(), NOW),
            Verdict::Invalid { why: "wrong user or password" }
        );
    }
}

#[test]
fn malformed_or_incomplete_credentials_are_invalid() {
    let v = verifier();
    let good = answer("alice", "wonderland", &challenge_of(&v, NOW, Algorithm::Sha256));
    assert!(matches!(v.verify(&good, "REGISTER", &users(), NOW), Verdict::Valid { .. }));
    let nc = param(&good, "nc").unwrap();
    let mut bad: Vec<String> = ["username", "realm", "nonce", "uri", "response", "cnonce", "qop", "nc"]
        .iter()
        .map(|name| {
            let value = param(&good, name).unwrap();
            let quoted = if ["qop", "nc"].contains(name) { value } else { format!("\"{value}\"") };
            good.replace(&format!("{name}={quoted}, "), "").replace(&format!(", {name}={quoted}"), "")
        })
        .collect();
    bad.push(good.replace("qop=auth", "qop=auth-int"));
    bad.push(good.replace("algorithm=SHA-256", "algorithm=SHA-512-256"));
    bad.push(good.replace(&format!("nc={nc}"), "nc=00000000"));
    bad.push(good.replace(&format!("nc={nc}"), "nc=1"));
    bad.push(good.replace("Digest ", "Basic "));
    bad.push(format!("{good}, Digest username=\"x\""));
    bad.push(format!("{good}, username=\"x\""));
    bad.push(good.replace("response=\"", "response=\"0"));
    bad.push(good.replace("cnonce=\"0a4f113b\"", "cnonce=\"0a4f113b"));
    bad.push(String::new());
    for header in &bad {
        assert_ne!(header, &good);
        assert!(matches!(v.verify(header, "REGISTER", &users(), NOW), Verdict::Invalid { .. }), "{header}");
    }
}

#[test]
fn parameter_case_spacing_and_response_case_do_not_matter() {
    let v = verifier();
    let good = answer("alice", "wonderland", &challenge_of(&v, NOW, Algorithm::Sha256));
    let response = param(&good, "response").unwrap();
    let loose = good
        .replacen("Digest ", "digest  ", 1)
        .replace("username=", "UserName = ")
        .replace(", nc=", " ,NC=")
        .replace(&response, &response.to_ascii_uppercase());
    assert!(matches!(v.verify(&loose, "REGISTER", &users(), NOW), Verdict::Valid { .. }), "{loose}");
}

#[test]
fn verify_for_uri_requires_the_request_uri() {
    let v = verifier();
    let header = answer("alice", "wonderland", &challenge_of(&v, NOW, Algorithm::Sha256));
    assert!(matches!(
        v.verify_for_uri(&header, "REGISTER", "sip:example.com", &users(), NOW),
        Verdict::Valid { .. }
    ));
    assert!(matches!(
        v.verify_for_uri(&header, "REGISTER", "sip:other.example.com", &users(), NOW),
        Verdict::Invalid { .. }
    ));
}

#[test]
fn debug_output_has_no_secrets() {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let credentials = Credentials::new("alice", "wonderland");
    let mut client = DigestClient::new(credentials.clone());
    let header =
        client.answer(&challenge_of(&verifier(), NOW, Algorithm::Md5), "REGISTER", "sip:x", "c").unwrap();
    let response = param(&header, "response").unwrap();
    let users = users();
    let ha1_md5 = hex(&Md5::digest(format!("alice:{REALM}:wonderland").as_bytes()));
    let ha1_sha = hex(&sha2::Sha256::digest(format!("alice:{REALM}:wonderland").as_bytes()));
    let outputs = [
        format!("{credentials:?}"),
        format!("{client:?}"),
        format!("{:#?}", client),
        format!("{users:?}"),
        format!("{:?}", verifier()),
    ];
    for out in &outputs {
        for secret in ["wonderland", "builder", &ha1_md5, &ha1_sha, &response, &hex(&SECRET), "90, 90"] {
            assert!(!out.contains(secret), "{out} shows {secret}");
        }
    }
    assert!(outputs[0].contains("alice"));
    assert!(outputs[3].contains('2'));
    assert!(outputs[4].contains(REALM));
}
