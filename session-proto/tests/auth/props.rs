//! Properties: the parsers never panic, and what is written reads back.

use proptest::prelude::*;
use session_proto::auth::{Algorithm, Challenge, Credentials, DigestClient, Users, Verdict, Verifier};

/// Strings made mostly of the characters that matter to the header grammar.
fn headerish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("Digest ".to_owned()),
            Just("realm=".to_owned()),
            Just("nonce=".to_owned()),
            Just("qop=".to_owned()),
            Just("algorithm=".to_owned()),
            Just("username=".to_owned()),
            Just("response=".to_owned()),
            Just("nc=".to_owned()),
            "[\"\\\\,= \t\r\na-zA-Z0-9\u{0}-\u{1f}é-]{0,4}",
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), headerish()]
}

proptest! {
    #[test]
    fn parsing_never_panics(text in any_text()) {
        let _ = Challenge::parse(&text);
        let _ = Challenge::best([text.as_str(), text.as_str()]);
        let _ = Users::parse(&text, "r");
        let verifier = Verifier::new("r".into(), [3; 32], 60);
        let users = Users::parse("a:b", "r").unwrap();
        let verdict = verifier.verify(&text, "REGISTER", &users, 1000);
        prop_assert!(matches!(verdict, Verdict::Invalid { .. }), "{:?}", verdict);
    }

    #[test]
    fn challenge_header_reads_back(
        realm in "[^\u{0}-\u{1f}\u{7f}-\u{9f}]{0,20}",
        nonce in "[^\u{0}-\u{1f}\u{7f}-\u{9f}]{1,20}",
        opaque in proptest::option::of("[^\u{0}-\u{1f}\u{7f}-\u{9f}]{0,20}"),
        sha in any::<bool>(),
        qop_auth in any::<bool>(),
        stale in any::<bool>(),
    ) {
        let algorithm = if sha { Algorithm::Sha256 } else { Algorithm::Md5 };
        let challenge = Challenge { realm, nonce, opaque, algorithm, qop_auth, stale };
        prop_assert_eq!(Challenge::parse(&challenge.to_header()), Ok(challenge));
    }

    #[test]
    fn any_user_and_password_round_trip(
        user in "[^\u{0}-\u{1f}\u{7f}-\u{9f}:]{1,16}",
        password in "[^\u{0}-\u{1f}\u{7f}-\u{9f}]{0,16}",
        uri in "sip:[a-z0-9.@;=\"\\\\,]{1,20}",
        cnonce in "[0-9a-f]{8,32}",
        sha in any::<bool>(),
    ) {
        let verifier = Verifier::new("r".into(), [9; 32], 60);
        let mut users = Users::new();
        users.insert(&user, &password, "r");
        let [sha_challenge, md5_challenge] = verifier.challenges(1000, 7, false);
        let challenge = Challenge::parse(if sha { &sha_challenge } else { &md5_challenge }).unwrap();
        let mut client = DigestClient::new(Credentials::new(user.clone(), password));
        let header = client.answer(&challenge, "MESSAGE", &uri, &cnonce).unwrap();
        let verdict = verifier.verify_for_uri(&header, "MESSAGE", &uri, &users, 1010);
        prop_assert!(matches!(&verdict, Verdict::Valid { user: u, nc: 1, .. } if *u == user), "{:?}", verdict);
    }
}
