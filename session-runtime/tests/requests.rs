//! Requests a peer answers over a real socket: OPTIONS with what it handles, MESSAGE
//! handed to the application, and the offer a peer's codecs cannot take.

mod raw;

use std::time::Duration;

use raw::{DIALOG, final_answer, next_status, request, setup, socket_to};
use session_runtime::{Codec, SimplePeer};
use tokio::time::timeout;

#[tokio::test]
async fn options_gets_200_with_the_methods_the_peer_handles() {
    let (_bob, socket, to, from) = setup().await;
    let options = request("OPTIONS", to, from, &format!("{DIALOG}OPTIONS\r\n"), "");
    let answer = final_answer(&socket, to, options.as_bytes()).await;
    assert!(answer.starts_with("SIP/2.0 200 OK\r\n"), "{answer}");
    let allow = answer.lines().find_map(|l| l.strip_prefix("Allow: ")).expect("an Allow header");
    assert_eq!(allow, "INVITE, ACK, BYE, CANCEL, INFO, REFER, NOTIFY, OPTIONS, MESSAGE");
    // A method left out of Allow is refused with the same list.
    let register = request("REGISTER", to, from, &format!("{DIALOG}REGISTER\r\n"), "");
    let refused = final_answer(&socket, to, register.as_bytes()).await;
    assert!(
        refused.starts_with("SIP/2.0 405 ") && refused.contains(&format!("Allow: {allow}\r\n")),
        "{refused}"
    );
}

#[tokio::test]
async fn a_message_reaches_the_application_and_an_unreadable_one_gets_415() {
    let (bob, socket, to, from) = setup().await;
    let text =
        request("MESSAGE", to, from, &format!("{DIALOG}MESSAGE\r\nContent-Type: text/plain\r\n"), "hi Bob");
    let answer = final_answer(&socket, to, text.as_bytes()).await;
    assert!(answer.starts_with("SIP/2.0 200 OK\r\n"), "{answer}");
    let message =
        timeout(Duration::from_secs(5), bob.next_message()).await.expect("in time").expect("a message");
    assert_eq!((message.text.as_str(), message.from.as_str()), ("hi Bob", "sip:x@127.0.0.1"));
    let html =
        request("MESSAGE", to, from, &format!("{DIALOG}MESSAGE\r\nContent-Type: text/html\r\n"), "<b>hi</b>");
    let refused = final_answer(&socket, to, html.as_bytes()).await;
    assert!(refused.starts_with("SIP/2.0 415 ") && refused.contains("Accept: text/plain\r\n"), "{refused}");
}

#[tokio::test]
async fn a_pcma_only_peer_answers_a_pcmu_only_invite_488_with_a_warning_and_never_rings() {
    let builder = SimplePeer::builder("127.0.0.1:0").expect("address");
    let bob = builder.codecs(&[Codec::Pcma]).start().await.expect("binds");
    let (socket, to, from) = socket_to(&bob).await;
    let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
               m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    let headers = format!("{DIALOG}INVITE\r\nContact: <sip:x@{from}>\r\nContent-Type: application/sdp\r\n");
    let invite = request("INVITE", to, from, &headers, sdp);
    socket.send_to(invite.as_bytes(), to).await.expect("send");
    let mut statuses = Vec::new();
    while let Some(line) = next_status(&socket).await {
        let done = !line.starts_with("SIP/2.0 1");
        statuses.push(line);
        if done {
            break;
        }
    }
    assert_eq!(
        statuses,
        ["SIP/2.0 100 Trying", "SIP/2.0 488 Not Acceptable Here"],
        "no 180 for an offer it cannot take"
    );
    let answer = final_answer(&socket, to, invite.as_bytes()).await;
    let warning = answer.lines().find(|l| l.starts_with("Warning: ")).expect("a Warning");
    assert!(warning.contains("no codec we support; we take PCMA/8000; it offers PCMU/8000"), "{warning}");
    assert!(
        timeout(Duration::from_millis(200), bob.next_call()).await.is_err(),
        "the application never hears of it"
    );
}
