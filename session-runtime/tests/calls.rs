//! Two SimplePeers over loopback UDP: every way a call can go.

use std::time::Duration;

use session_runtime::api::{CallError, EndReason};
use session_runtime::{Call, SimplePeer, State};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

async fn peer() -> SimplePeer {
    SimplePeer::new("127.0.0.1:0").await.expect("binds")
}

fn uri_of(peer: &SimplePeer) -> String {
    format!("sip:bob@{}", peer.local_addr())
}

/// Bob takes the next call and does `with` to it; the task returns the call.
fn answer_with<F, Fut>(bob: SimplePeer, with: F) -> tokio::task::JoinHandle<(Call, SimplePeer)>
where
    F: FnOnce(Call) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let call = bob.next_call().await.expect("a call arrives");
        assert_eq!(call.state(), State::RingingInbound);
        assert!(call.is_incoming());
        with(call.clone()).await;
        (call, bob)
    })
}

#[tokio::test]
async fn answered_call_hung_up_by_the_caller() {
    let (alice, bob) = (peer().await, peer().await);
    let target = uri_of(&bob);
    let bob = answer_with(bob, |call| async move { call.accept().await.expect("accept") });
    let call = timeout(LIMIT, alice.call(&target)).await.expect("in time").expect("answered");
    assert_eq!(call.state(), State::Active);
    let (bobs_call, _bob) = bob.await.expect("bob's task");
    assert_eq!(bobs_call.wait_for(State::Active).await, State::Active);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(call.duration() > Duration::ZERO);
    call.hangup().await.expect("hangup");
    assert_eq!(timeout(LIMIT, call.ended()).await.expect("ends"), EndReason::LocalHangup);
    assert_eq!(timeout(LIMIT, bobs_call.ended()).await.expect("ends"), EndReason::RemoteHangup);
    assert_eq!(call.state(), State::Terminated);
    assert!(alice.coordinator().stats().await.dialogs == 0, "no session left behind");
    assert!(alice.coordinator().stats().await.calls == 0);
}

#[tokio::test]
async fn answered_call_hung_up_by_the_callee() {
    let (alice, bob) = (peer().await, peer().await);
    let target = uri_of(&bob);
    let bob = answer_with(bob, |call| async move {
        call.accept().await.expect("accept");
        call.wait_for(State::Active).await;
        call.hangup().await.expect("hangup");
    });
    let call = timeout(LIMIT, alice.call(&target)).await.expect("in time").expect("answered");
    assert_eq!(timeout(LIMIT, call.ended()).await.expect("ends"), EndReason::RemoteHangup);
    let (bobs_call, bob) = bob.await.expect("bob's task");
    assert_eq!(timeout(LIMIT, bobs_call.ended()).await.expect("ends"), EndReason::LocalHangup);
    assert!(bob.coordinator().stats().await.calls == 0);
    assert!(bob.coordinator().stats().await.dialogs == 0);
}

#[tokio::test]
async fn rejected_call_reports_the_status() {
    let (alice, bob) = (peer().await, peer().await);
    let target = uri_of(&bob);
    let bob = answer_with(bob, |call| async move { call.reject(486).await.expect("reject") });
    let error = timeout(LIMIT, alice.call(&target)).await.expect("in time").expect_err("rejected");
    assert_eq!(error, CallError::Ended(EndReason::Rejected(486)));
    let (bobs_call, _bob) = bob.await.expect("bob's task");
    assert_eq!(bobs_call.ended().await, EndReason::RejectedLocally(486));
}

#[tokio::test]
async fn caller_cancels_before_the_answer() {
    let (alice, bob) = (peer().await, peer().await);
    let target = uri_of(&bob);
    let (rang, ringing) = tokio::sync::oneshot::channel();
    let bob = answer_with(bob, |_call| async move {
        let _ = rang.send(());
    });
    let call = alice.dial(&target).await.expect("dialled");
    ringing.await.expect("bob's phone rings");
    assert_eq!(call.wait_for(State::RingingOutbound).await, State::RingingOutbound);
    call.hangup().await.expect("cancel");
    assert_eq!(timeout(LIMIT, call.ended()).await.expect("ends"), EndReason::LocalHangup);
    let (bobs_call, _bob) = bob.await.expect("bob's task");
    assert_eq!(timeout(LIMIT, bobs_call.ended()).await.expect("ends"), EndReason::RemoteHangup);
    assert!(alice.coordinator().stats().await.calls == 0);
}

#[tokio::test]
async fn a_call_to_a_silent_port_times_out() {
    // A bound socket that never answers; T1 = 20 ms makes Timer B fire after 1.28 s.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let target = format!("sip:nobody@{}", silent.local_addr().expect("addr"));
    let alice = SimplePeer::builder("127.0.0.1:0")
        .expect("address")
        .t1(Duration::from_millis(20))
        .start()
        .await
        .expect("binds");
    let error = timeout(LIMIT, alice.call(&target)).await.expect("no hang").expect_err("times out");
    assert_eq!(error, CallError::Ended(EndReason::Timeout));
    assert!(alice.coordinator().stats().await.calls == 0);
}

#[tokio::test]
async fn a_bad_target_is_an_error_that_says_what_to_write() {
    let alice = peer().await;
    let error = alice.call("bob@127.0.0.1").await.expect_err("not a SIP URI");
    assert!(error.to_string().contains("sip:user@IP:PORT"), "{error}");
}

/// A peer that gives up a ringing call after `no_answer`.
async fn impatient_peer(no_answer: Duration) -> SimplePeer {
    let builder = SimplePeer::builder("127.0.0.1:0").expect("address");
    builder.no_answer_timeout(no_answer).start().await.expect("binds")
}

#[tokio::test]
async fn an_incoming_call_nobody_answers_is_refused_480_after_the_no_answer_time() {
    let (alice, bob) = (peer().await, impatient_peer(Duration::from_millis(300)).await);
    let target = uri_of(&bob);
    let bob = answer_with(bob, |_| async {});
    let error = timeout(LIMIT, alice.call(&target)).await.expect("in time").expect_err("unanswered");
    assert_eq!(error, CallError::Ended(EndReason::Rejected(480)));
    let (bobs_call, bob) = bob.await.expect("bob's task");
    assert_eq!(timeout(LIMIT, bobs_call.ended()).await.expect("ends"), EndReason::Timeout);
    assert!(bob.coordinator().stats().await.calls == 0, "no session left behind");
}

#[tokio::test]
async fn a_call_we_placed_that_keeps_ringing_is_cancelled_after_the_no_answer_time() {
    let (alice, bob) = (impatient_peer(Duration::from_millis(300)).await, peer().await);
    let target = uri_of(&bob);
    let bob = answer_with(bob, |_| async {});
    let error = timeout(LIMIT, alice.call(&target)).await.expect("in time").expect_err("unanswered");
    assert_eq!(error, CallError::Ended(EndReason::Timeout));
    let (bobs_call, _bob) = bob.await.expect("bob's task");
    assert_eq!(timeout(LIMIT, bobs_call.ended()).await.expect("ends"), EndReason::RemoteHangup);
    assert!(alice.coordinator().stats().await.calls == 0, "no session left behind");
}

/// Our response to a raw `request`: its Via, From, To (tagged past 100), Call-ID and CSeq.
fn raw_reply(request: &str, code: u16) -> String {
    let mut out = format!("SIP/2.0 {code} Whatever\r\n");
    for line in request.lines().skip(1).take_while(|l| !l.is_empty()) {
        match line.split(':').next().unwrap_or_default() {
            "Via" | "From" | "Call-ID" | "CSeq" => out.push_str(&format!("{line}\r\n")),
            "To" if code > 100 => out.push_str(&format!("{line};tag=raw\r\n")),
            "To" => out.push_str(&format!("{line}\r\n")),
            _ => {}
        }
    }
    out + "Content-Length: 0\r\n\r\n"
}

#[tokio::test]
async fn a_call_that_only_got_100_trying_is_cancelled_after_the_no_answer_time() {
    let callee = tokio::net::UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let alice = impatient_peer(Duration::from_millis(300)).await;
    let target = format!("sip:bob@{}", callee.local_addr().unwrap());
    let calling = tokio::spawn(async move { alice.call(&target).await.map(|_| ()) });
    let mut buf = vec![0u8; 65_535];
    let mut receive = async || {
        let (len, from) = timeout(LIMIT, callee.recv_from(&mut buf)).await.expect("in time").expect("recv");
        (String::from_utf8_lossy(&buf[..len]).into_owned(), from)
    };
    let (invite, from) = receive().await;
    assert!(invite.starts_with("INVITE "), "{invite}");
    callee.send_to(raw_reply(&invite, 100).as_bytes(), from).await.expect("send");
    // 100 Trying stops Timer B; only the no-answer timer ends this call, with a CANCEL.
    // (An INVITE retransmitted before our 100 arrived is skipped.)
    let cancel = loop {
        let (message, _) = receive().await;
        if !message.starts_with("INVITE ") {
            break message;
        }
    };
    assert!(cancel.starts_with("CANCEL "), "{cancel}");
    callee.send_to(raw_reply(&cancel, 200).as_bytes(), from).await.expect("send");
    callee.send_to(raw_reply(&invite, 487).as_bytes(), from).await.expect("send");
    let outcome = timeout(LIMIT, calling).await.expect("in time").expect("task");
    assert_eq!(outcome, Err(CallError::Ended(EndReason::Timeout)));
}

#[tokio::test]
async fn a_refused_reject_does_not_hide_how_the_call_really_ended() {
    let (alice, bob) = (peer().await, peer().await);
    let target = uri_of(&bob);
    let call = alice.dial(&target).await.expect("dials");
    let bob = answer_with(bob, |call| async move { call.reject(603).await.expect("reject") });
    // Rejecting is for incoming calls: the table refuses it on ours.
    let refused = call.reject(486).await;
    assert!(matches!(refused, Err(CallError::InvalidState { .. })), "{refused:?}");
    assert_eq!(timeout(LIMIT, call.ended()).await.expect("ends"), EndReason::Rejected(603));
    let _ = bob.await;
}
