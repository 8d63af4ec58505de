//! The media engine's task: how it answers requests around its stop.

use std::net::UdpSocket;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::MediaControl;
use super::engine;
use crate::api::CallShared;
use crate::types::{CallDirection, SessionId};

/// An engine on two loopback sockets, not yet polled; returns its shared state and
/// the address of its RTP socket.
fn engine() -> (std::sync::Arc<CallShared>, std::net::SocketAddr) {
    let session = SessionId(1);
    let shared = CallShared::new(session, CallDirection::Incoming, "sip:alice@127.0.0.1".into());
    let rtp = UdpSocket::bind("127.0.0.1:0").expect("bind RTP");
    let rtcp = UdpSocket::bind("127.0.0.1:0").expect("bind RTCP");
    let local = rtp.local_addr().expect("RTP address");
    let (events, _) = mpsc::unbounded_channel();
    engine::spawn(session, (rtp, rtcp), "test@127.0.0.1", shared.clone(), events).expect("engine starts");
    (shared, local)
}

#[tokio::test]
async fn a_report_request_queued_behind_stop_gets_the_final_report() {
    let (shared, local) = engine();
    // Both wait in the channel: this single-threaded runtime has not run the engine yet.
    shared.media.send(MediaControl::Stop).expect("engine listening");
    let (reply, report) = oneshot::channel();
    shared.media.send(MediaControl::Info(reply)).expect("engine listening");
    let report = tokio::time::timeout(Duration::from_secs(10), report)
        .await
        .expect("the stopping engine must answer, not leave the request queued")
        .expect("the stopping engine must answer, not drop the request");
    assert_eq!(report.local, local);
    assert_eq!(shared.last_media.lock().unwrap().as_ref().map(|last| last.local), Some(local));
}

#[tokio::test]
async fn requests_after_the_stop_find_the_channel_closed() {
    let (shared, _) = engine();
    shared.media.send(MediaControl::Stop).expect("engine listening");
    let (reply, report) = oneshot::channel();
    shared.media.send(MediaControl::Info(reply)).expect("engine listening");
    report.await.expect("answered while stopping");
    let (reply, _report) = oneshot::channel();
    assert!(shared.media.send(MediaControl::Info(reply)).is_err(), "a stopped engine takes no requests");
}
