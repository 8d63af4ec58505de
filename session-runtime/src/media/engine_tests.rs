//! The media engine's task: how it answers requests around its stop.

use std::time::Duration;

use tokio::sync::oneshot;

use super::engine;
use session_proto::media::MediaCommand;

use super::{MediaControl, MediaInfo};
use crate::shared::CallShared;
use crate::types::{CallDirection, SessionId};

/// An engine on two loopback sockets, not yet polled; returns its shared state and
/// the address of its RTP socket.
fn engine() -> (std::sync::Arc<CallShared>, std::net::SocketAddr) {
    let session = SessionId(1);
    let shared = CallShared::new(session, CallDirection::Incoming, "sip:alice@127.0.0.1".into());
    let config = super::MediaConfig { ip: std::net::Ipv4Addr::LOCALHOST.into(), ports: None };
    let (rtp, rtcp) = config.bind_pair().expect("bind RTP and RTCP");
    let local = rtp.local_addr().expect("RTP address");
    let controls = shared.take_media_controls().expect("the controls");
    let last = shared.clone();
    let hooks =
        engine::Hooks { dtmf: Box::new(|_| {}), stopped: Box::new(move |info| last.media_stopped(info)) };
    engine::spawn(session, (rtp, rtcp), "test@127.0.0.1", controls, hooks).expect("engine starts");
    (shared, local)
}

/// Queues `Stop` and then a report request. Both wait in the channel: the engine has
/// not run yet on this single-threaded test runtime.
fn stop_then_ask(shared: &CallShared) -> oneshot::Receiver<MediaInfo> {
    shared.media.unbounded_send(MediaControl::Protocol(MediaCommand::Stop)).expect("engine listening");
    let (reply, report) = oneshot::channel();
    shared.media.unbounded_send(MediaControl::Info(reply)).expect("engine listening");
    report
}

#[tokio::test]
async fn a_report_request_queued_behind_stop_gets_the_final_report() {
    let (shared, local) = engine();
    let report = tokio::time::timeout(Duration::from_secs(10), stop_then_ask(&shared))
        .await
        .expect("the stopping engine must answer, not leave the request queued")
        .expect("the stopping engine must answer, not drop the request");
    assert_eq!(report.local, local);
    assert_eq!(shared.last_media.lock().unwrap().as_ref().map(|last| last.local), Some(local));
}

#[tokio::test]
async fn requests_after_the_stop_find_the_channel_closed() {
    let (shared, _) = engine();
    stop_then_ask(&shared).await.expect("answered while stopping");
    let (reply, _report) = oneshot::channel();
    assert!(
        shared.media.unbounded_send(MediaControl::Info(reply)).is_err(),
        "a stopped engine takes no requests"
    );
}

#[tokio::test(start_paused = true)]
async fn every_engine_ticks_on_the_same_20_ms_boundaries() {
    let first = engine::next_shared_tick();
    assert!(first > tokio::time::Instant::now(), "the next tick is ahead");
    tokio::time::advance(Duration::from_millis(33)).await;
    let later = engine::next_shared_tick();
    let apart = later - first;
    assert!(apart >= Duration::from_millis(20), "a later engine starts on a later tick");
    assert_eq!(apart.as_nanos() % session_media::FRAME_DURATION.as_nanos(), 0, "{apart:?} apart");
}
