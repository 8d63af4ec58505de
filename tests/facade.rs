//! What a library user touches is at `session_core`'s root (and audio helpers in
//! `session_core::media`), as the very types the API hands out: these functions only
//! compile while that holds, and the test checks a few values through those paths.

use session_core::media::{SAMPLE_RATE, SAMPLES_PER_FRAME, ToneGenerator, goertzel};
use session_core::{
    AudioFrame, Call, CallDirection, CallError, MediaInfo, PeerBuilder, PeerError, RtcpStats, RtpStats,
    SessionId, SimplePeer,
};

// Each signature names the root path of what the API returns.
fn _builder(bind: &str) -> Result<PeerBuilder, PeerError> {
    SimplePeer::builder(bind)
}
fn _ids(call: &Call) -> (SessionId, CallDirection) {
    (call.id(), call.direction())
}
fn _stats(info: &MediaInfo) -> (RtpStats, RtcpStats) {
    (info.stats, info.rtcp)
}
fn _audio(call: &Call, frame: AudioFrame) -> Result<(), CallError> {
    call.send_audio(frame)
}
fn _same_frame(frame: session_core::media::AudioFrame) -> AudioFrame {
    frame
}

#[test]
fn the_root_and_media_paths_work() {
    assert!(matches!(SimplePeer::builder("no address"), Err(PeerError::BadAddress(_))));
    assert_eq!(RtcpStats::default().peer_fraction_lost, None);
    let frame = ToneGenerator::new(1000.0, 8000).next_frame();
    assert_eq!(frame.samples().len(), SAMPLES_PER_FRAME);
    let tone = goertzel(frame.samples(), 1000.0, SAMPLE_RATE);
    assert!(tone > 10.0 * goertzel(frame.samples(), 2500.0, SAMPLE_RATE), "{tone}");
}
