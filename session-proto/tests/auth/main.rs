//! Digest authentication (`session_proto::auth`): the RFC test vectors here, the client
//! and the server in their modules, and properties of the parsers.

mod client;
mod props;
mod server;

use md5::{Digest, Md5};
use session_proto::auth::{Algorithm, Challenge, Credentials, DigestClient};

/// The value of parameter `name` in a header we wrote (values without commas).
pub fn param(header: &str, name: &str) -> Option<String> {
    let rest = header.strip_prefix("Digest ")?;
    rest.split(", ").find_map(|p| {
        let value = p.strip_prefix(name)?.strip_prefix('=')?;
        Some(value.trim_matches('"').to_owned())
    })
}

const RFC7616_NONCE: &str = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
const RFC7616_OPAQUE: &str = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
const RFC7616_CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

/// The RFC 7616 section 3.9.1 exchange: the challenge as the RFC shows it, answered by
/// Mufasa for `GET /dir/index.html`.
fn rfc7616_answer(algorithm: &str) -> String {
    let challenge = Challenge::parse(&format!(
        "Digest\n    realm=\"http-auth@example.org\",\n    qop=\"auth, auth-int\",\n    algorithm={algorithm},\n    nonce=\"{RFC7616_NONCE}\",\n    opaque=\"{RFC7616_OPAQUE}\""
    ))
    .expect("the RFC's challenge parses");
    let mut client = DigestClient::new(Credentials::new("Mufasa", "Circle of Life"));
    client.answer(&challenge, "GET", "/dir/index.html", RFC7616_CNONCE).expect("answered")
}

fn expected_rfc7616_header(algorithm: &str, response: &str) -> String {
    format!(
        "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", nonce=\"{RFC7616_NONCE}\", \
         uri=\"/dir/index.html\", response=\"{response}\", algorithm={algorithm}, qop=auth, \
         nc=00000001, cnonce=\"{RFC7616_CNONCE}\", opaque=\"{RFC7616_OPAQUE}\""
    )
}

#[test]
fn rfc7616_md5_vector() {
    // RFC 7616 section 3.9.1, the MD5 Authorization header's response.
    let header = rfc7616_answer("MD5");
    assert_eq!(header, expected_rfc7616_header("MD5", "8ca523f5e9506fed4657c9700eebdbec"));
}

#[test]
fn rfc7616_sha256_vector() {
    // RFC 7616 section 3.9.1, the SHA-256 Authorization header's response.
    let header = rfc7616_answer("SHA-256");
    assert_eq!(
        header,
        expected_rfc7616_header(
            "SHA-256",
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        )
    );
}

#[test]
fn rfc2617_vector() {
    // RFC 2617 section 3.5: no algorithm in the challenge (MD5), password "Circle Of Life".
    let challenge = Challenge::parse(
        r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
    )
    .unwrap();
    assert_eq!(challenge.algorithm, Algorithm::Md5);
    let mut client = DigestClient::new(Credentials::new("Mufasa", "Circle Of Life"));
    let header = client.answer(&challenge, "GET", "/dir/index.html", "0a4f113b").unwrap();
    assert_eq!(param(&header, "response").as_deref(), Some("6629fae49393a05397450978507c4ef1"));
    assert_eq!(param(&header, "nc").as_deref(), Some("00000001"));
    assert_eq!(param(&header, "cnonce").as_deref(), Some("0a4f113b"));
    assert_eq!(param(&header, "opaque").as_deref(), Some("5ccc069c403ebaf9f0171e9517f40e41"));
    assert!(header.contains(", qop=auth, "), "{header}");
}

#[test]
fn challenge_without_qop_is_answered_the_rfc2069_way() {
    let challenge =
        Challenge::parse(r#"Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093""#)
            .unwrap();
    let mut client = DigestClient::new(Credentials::new("Mufasa", "Circle Of Life"));
    let header = client.answer(&challenge, "GET", "/dir/index.html", "0a4f113b").unwrap();
    // RFC 2069: response = MD5(HA1:nonce:HA2), computed here independently.
    let hex =
        |data: &str| Md5::digest(data.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let ha1 = hex("Mufasa:testrealm@host.com:Circle Of Life");
    let ha2 = hex("GET:/dir/index.html");
    let expected = hex(&format!("{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:{ha2}"));
    assert_eq!(param(&header, "response"), Some(expected));
    for absent in ["qop", "nc", "cnonce", "opaque"] {
        assert_eq!(param(&header, absent), None, "{absent} in {header}");
    }
}
