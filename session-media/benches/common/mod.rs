//! Inputs shared by the mixer benchmarks.

use session_media::AudioFrame;
use session_media::tone::ToneGenerator;

/// `n` distinct frames: one 20 ms frame of a different tone for each, quiet enough that
/// the sums rarely saturate (as speech in a conference).
pub fn frames(n: usize) -> Vec<AudioFrame> {
    (0..n).map(|i| ToneGenerator::new(300.0 + (i % 300) as f64 * 10.0, 800).next_frame()).collect()
}
