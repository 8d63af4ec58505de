//! Tones both ways on a connected call, checked in each side's recording.

use std::path::PathBuf;
use std::time::Duration;

use session_media::tone::{dominant_frequency, goertzel};
use session_runtime::{Call, RecordMode};
use tokio::time::{sleep, timeout};

/// A file in this test process's scratch directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("session-audio-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// The dominant one of 440 and 1000 Hz in a recording, and the power of each, skipping
/// its first 200 ms (the jitter buffer filling).
pub fn tones_in(path: &PathBuf) -> (f64, f64, f64) {
    let frames = session_media::wav::read_wav(path).expect("a readable WAV");
    let samples: Vec<i16> = frames.iter().skip(10).flat_map(|f| f.samples().to_vec()).collect();
    assert!(samples.len() >= 8000 / 2, "{} holds {} samples", path.display(), samples.len());
    let (dominant, _) = dominant_frequency(&samples, &[440.0, 1000.0]).expect("some energy");
    (dominant, goertzel(&samples, 440.0, 8000), goertzel(&samples, 1000.0, 8000))
}

/// `caller` plays 440 Hz and `callee` 1000 Hz for a little over a second while each
/// records what it receives; then the caller hangs up. Asserts each heard the other's
/// tone clearly and not its own. `tag` names the recordings.
pub async fn each_hears_the_other(caller: &Call, callee: &Call, tag: &str) {
    caller.play_tone(440.0).expect("tone");
    callee.play_tone(1000.0).expect("tone");
    let (a_wav, b_wav) = (scratch(&format!("{tag}-caller.wav")), scratch(&format!("{tag}-callee.wav")));
    caller.start_recording(&a_wav, RecordMode::Received).await.expect("record");
    callee.start_recording(&b_wav, RecordMode::Received).await.expect("record");
    sleep(Duration::from_millis(1200)).await;
    caller.hangup().await.expect("hangup");
    timeout(Duration::from_secs(10), callee.ended()).await.expect("the callee's call ends");
    sleep(Duration::from_millis(100)).await; // the engines finish their files

    let (dominant, at_440, at_1000) = tones_in(&a_wav);
    assert_eq!(dominant, 1000.0, "the caller hears the callee's tone ({tag})");
    assert!(at_1000 > 100.0 * at_440.max(1.0), "clear energy: 1000 Hz {at_1000:.0}, 440 Hz {at_440:.0}");
    let (dominant, at_440, at_1000) = tones_in(&b_wav);
    assert_eq!(dominant, 440.0, "the callee hears the caller's tone ({tag})");
    assert!(at_440 > 100.0 * at_1000.max(1.0), "clear energy: 440 Hz {at_440:.0}, 1000 Hz {at_1000:.0}");
}
