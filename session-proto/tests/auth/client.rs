//! The client: which challenges it answers, nonce counts, and picking a challenge.

use session_proto::auth::{Algorithm, AuthError, Challenge, Credentials, DigestClient};

use crate::param;

fn challenge(realm: &str, nonce: &str, stale: bool) -> Challenge {
    Challenge {
        realm: realm.into(),
        nonce: nonce.into(),
        opaque: None,
        algorithm: Algorithm::Sha256,
        qop_auth: true,
        stale,
    }
}

fn client() -> DigestClient {
    DigestClient::new(Credentials::new("alice", "secret"))
}

#[test]
fn second_challenge_with_the_same_nonce_is_rejected() {
    let mut c = client();
    let first = challenge("r", "n1", false);
    assert!(c.answer(&first, "REGISTER", "sip:r", "c1").is_ok());
    assert_eq!(c.answer(&first, "REGISTER", "sip:r", "c2"), Err(AuthError::Rejected));
    assert_eq!(AuthError::Rejected.to_string(), "wrong user or password");
}

#[test]
fn new_nonce_without_stale_is_rejected_until_accepted() {
    let mut c = client();
    c.answer(&challenge("r", "n1", false), "REGISTER", "sip:r", "c1").unwrap();
    assert_eq!(c.answer(&challenge("r", "n2", false), "REGISTER", "sip:r", "c2"), Err(AuthError::Rejected));
    c.accepted();
    let header = c.answer(&challenge("r", "n3", false), "REGISTER", "sip:r", "c3").unwrap();
    assert_eq!(param(&header, "nonce").as_deref(), Some("n3"));
    assert_eq!(param(&header, "nc").as_deref(), Some("00000001"));
}

#[test]
fn another_realm_is_answered_in_the_same_round() {
    // A proxy's 407 then the registrar's 401: one realm each.
    let mut c = client();
    c.answer(&challenge("proxy", "p1", false), "INVITE", "sip:b", "c1").unwrap();
    let header = c.answer(&challenge("callee", "u1", false), "INVITE", "sip:b", "c2").unwrap();
    assert_eq!(param(&header, "realm").as_deref(), Some("callee"));
}

#[test]
fn stale_is_answered_once() {
    let mut c = client();
    c.answer(&challenge("r", "n1", false), "REGISTER", "sip:r", "c1").unwrap();
    let header = c.answer(&challenge("r", "n2", true), "REGISTER", "sip:r", "c2").unwrap();
    assert_eq!(param(&header, "nonce").as_deref(), Some("n2"));
    assert_eq!(param(&header, "nc").as_deref(), Some("00000001"));
    // The server keeps saying stale: no loop.
    assert_eq!(c.answer(&challenge("r", "n3", true), "REGISTER", "sip:r", "c3"), Err(AuthError::Rejected));
    // Neither is a stale challenge for a nonce already answered.
    let mut c = client();
    c.answer(&challenge("r", "n1", false), "REGISTER", "sip:r", "c1").unwrap();
    assert_eq!(c.answer(&challenge("r", "n1", true), "REGISTER", "sip:r", "c2"), Err(AuthError::Rejected));
}

#[test]
fn nc_increments_on_reuse_and_restarts_with_a_new_nonce() {
    let mut c = client();
    assert_eq!(c.reuse("REGISTER", "sip:r", "c0"), None);
    let first = c.answer(&challenge("r", "n1", false), "REGISTER", "sip:r", "c1").unwrap();
    assert_eq!(param(&first, "nc").as_deref(), Some("00000001"));
    c.accepted();
    let second = c.reuse("REGISTER", "sip:r", "c2").unwrap();
    assert_eq!(param(&second, "nonce").as_deref(), Some("n1"));
    assert_eq!(param(&second, "nc").as_deref(), Some("00000002"));
    assert_eq!(param(&second, "cnonce").as_deref(), Some("c2"));
    assert_ne!(param(&first, "response"), param(&second, "response"));
    // The same nonce challenged again after a success continues the count.
    let third = c.answer(&challenge("r", "n1", false), "REGISTER", "sip:r", "c3").unwrap();
    assert_eq!(param(&third, "nc").as_deref(), Some("00000003"));
    c.accepted();
    let fourth = c.answer(&challenge("r", "n2", true), "REGISTER", "sip:r", "c4").unwrap();
    assert_eq!(param(&fourth, "nc").as_deref(), Some("00000001"));
    assert_eq!(param(&c.reuse("REGISTER", "sip:r", "c5").unwrap(), "nc").as_deref(), Some("00000002"));
}

#[test]
fn reuse_takes_the_last_realm_and_reuse_realm_any() {
    let mut c = client();
    c.answer(&challenge("proxy", "p1", false), "INVITE", "sip:b", "c1").unwrap();
    c.answer(&challenge("callee", "u1", false), "INVITE", "sip:b", "c2").unwrap();
    let last = c.reuse("BYE", "sip:b", "c3").unwrap();
    assert_eq!(param(&last, "realm").as_deref(), Some("callee"));
    let proxy = c.reuse_realm("proxy", "BYE", "sip:b", "c4").unwrap();
    assert_eq!(param(&proxy, "nonce").as_deref(), Some("p1"));
    assert_eq!(param(&proxy, "nc").as_deref(), Some("00000002"));
    assert_eq!(c.reuse_realm("nowhere", "BYE", "sip:b", "c5"), None);
}

#[test]
fn best_prefers_sha256_and_skips_what_it_cannot_answer() {
    let md5 = r#"Digest realm="r", nonce="m", algorithm=MD5, qop="auth""#;
    let sha = r#"Digest realm="r", nonce="s", algorithm=SHA-256, qop="auth""#;
    let odd = r#"Digest realm="r", nonce="x", algorithm=SHA-512-256"#;
    let best = Challenge::best([md5, "garbage \"", odd, sha]).unwrap();
    assert_eq!((best.algorithm, best.nonce.as_str()), (Algorithm::Sha256, "s"));
    let best = Challenge::best([odd, md5]).unwrap();
    assert_eq!((best.algorithm, best.nonce.as_str()), (Algorithm::Md5, "m"));
    // Several challenges in one value count too.
    let both = format!("{md5}, {sha}");
    assert_eq!(Challenge::best([both.as_str()]).unwrap().algorithm, Algorithm::Sha256);
    assert_eq!(Challenge::best([odd, r#"Basic realm="r""#]), None);
    assert_eq!(Challenge::best(std::iter::empty()), None);
}

#[test]
fn parse_handles_quoting_spacing_and_case() {
    let c = Challenge::parse(
        r#"DIGEST  Realm = "a, \"quoted\" realm" ,NONCE="n,1",  Algorithm = sha-256 , QOP = "auth-int,AUTH", Stale=TRUE, Opaque="o""#,
    )
    .unwrap();
    assert_eq!(c.realm, r#"a, "quoted" realm"#);
    assert_eq!(c.nonce, "n,1");
    assert_eq!(c.algorithm, Algorithm::Sha256);
    assert!(c.qop_auth && c.stale);
    assert_eq!(c.opaque.as_deref(), Some("o"));
    assert!(
        matches!(Challenge::parse(r#"Digest realm="r", nonce="n", algorithm=MD5-sess"#), Err(AuthError::UnsupportedAlgorithm(a)) if a == "MD5-sess")
    );
    assert!(matches!(
        Challenge::parse(r#"Digest realm="unterminated, nonce="n""#),
        Err(AuthError::Malformed(_))
    ));
}

#[test]
fn quotes_in_the_user_and_uri_are_escaped() {
    let mut c = DigestClient::new(Credentials::new(r#"al"ice\"#, "pw"));
    let header = c.answer(&challenge("r", "n", false), "INVITE", "sip:b@x", "c").unwrap();
    assert!(header.starts_with(r#"Digest username="al\"ice\\", realm="r""#), "{header}");
}
