//! `listen --max-concurrent` over a real socket: a new call past the limit is refused
//! with 503 and the Retry-After asked for, before it rings.

use super::peer::{Peer, invite};

#[test]
fn a_call_past_max_concurrent_is_refused_503_with_retry_after() {
    let peer = Peer::listening(&["--answer-after", "60", "--max-concurrent", "1", "--retry-after", "7"]);
    let first = peer.send_until_ringing(&invite().build(&peer));
    assert_eq!(first.code(), 180, "{}", first.text);
    let second = peer.send(&invite().build(&peer));
    assert_eq!(second.code(), 503, "{}", second.text);
    assert_eq!(second.header("Retry-After"), Some("7"));
    assert!(
        second.header("Warning").is_some_and(|w| w.contains("the most calls allowed")),
        "{}",
        second.text
    );
    // A request that is no new call (OPTIONS) is served as before.
    assert_eq!(peer.send(&invite().method("OPTIONS").no_body().build(&peer)).code(), 200);
}
