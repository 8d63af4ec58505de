//! Sine tone generation and Goertzel tone detection.

use std::f64::consts::TAU;

use crate::frame::{AudioFrame, SAMPLE_RATE, SAMPLES_PER_FRAME};

/// A tone frequency 8 kHz sampling cannot carry: at or below 0 Hz, at or above the
/// 4000 Hz Nyquist limit, or not a number.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("a tone of {0} Hz cannot be carried at 8 kHz; choose between 1 and 3999 Hz")]
pub struct OutOfBand(pub f64);

/// Checks that a tone of `hz` can be sent at 8 kHz (0 < hz < 4000).
///
/// ```
/// assert!(session_media::tone::check_band(440.0).is_ok());
/// assert!(session_media::tone::check_band(-5.0).is_err());
/// ```
pub fn check_band(hz: f64) -> Result<(), OutOfBand> {
    if hz > 0.0 && hz < f64::from(SAMPLE_RATE) / 2.0 { Ok(()) } else { Err(OutOfBand(hz)) }
}

/// Generates a sine tone as successive 20 ms frames, with the phase carried
/// from one frame to the next (no clicks at frame boundaries).
///
/// ```
/// use session_media::tone::{ToneGenerator, dominant_frequency};
/// let mut tone = ToneGenerator::new(1000.0, 8000);
/// let samples: Vec<i16> = tone.by_ref().take(10).flat_map(|f| f.samples().to_vec()).collect();
/// let (freq, _) = dominant_frequency(&samples, &[500.0, 1000.0, 1500.0]).unwrap();
/// assert_eq!(freq, 1000.0);
/// ```
#[derive(Debug, Clone)]
pub struct ToneGenerator {
    amplitude: f64,
    /// (cos, sin) of the phase step: one sample's rotation.
    step: (f64, f64),
    /// (cos, sin) of the current phase.
    phase: (f64, f64),
}

impl ToneGenerator {
    /// A tone of `frequency` Hz with peak `amplitude` (clamped to 0..=32767).
    pub fn new(frequency: f64, amplitude: i16) -> Self {
        let step = TAU * frequency / f64::from(SAMPLE_RATE);
        Self { amplitude: f64::from(amplitude.max(0)), step: (step.cos(), step.sin()), phase: (1.0, 0.0) }
    }

    /// The next 20 ms of the tone.
    ///
    /// The phase turns by a fixed rotation each sample, so a sample costs a few
    /// multiplications instead of a `sin`: one call plays a tone, and a server may play
    /// thousands. The phasor is rescaled to length 1 once a frame, so rounding never
    /// drifts the amplitude.
    pub fn next_frame(&mut self) -> AudioFrame {
        let mut samples = [0i16; SAMPLES_PER_FRAME];
        let ((step_cos, step_sin), (mut cos, mut sin)) = (self.step, self.phase);
        for s in samples.iter_mut() {
            let value = self.amplitude * sin;
            // Rounds half away from zero; the value is within ±32767, so the cast
            // cannot saturate.
            *s = (value + 0.5f64.copysign(value)) as i16;
            (cos, sin) = (cos * step_cos - sin * step_sin, sin * step_cos + cos * step_sin);
        }
        let length = cos.hypot(sin);
        self.phase = (cos / length, sin / length);
        AudioFrame::from(samples)
    }
}

impl Iterator for ToneGenerator {
    type Item = AudioFrame;

    /// Never returns `None`: a tone goes on until the caller stops taking.
    fn next(&mut self) -> Option<AudioFrame> {
        Some(self.next_frame())
    }
}

/// Power of `freq` Hz in `samples` taken at `rate` Hz, by the Goertzel
/// algorithm (a single DFT bin; `freq` need not fall on a bin centre).
/// Normalised by the squared length, so a full-scale sine gives about
/// `(amplitude / 2)²` whatever the length.
pub fn goertzel(samples: &[i16], freq: f64, rate: u32) -> f64 {
    if samples.is_empty() || rate == 0 {
        return 0.0;
    }
    let coeff = 2.0 * (TAU * freq / f64::from(rate)).cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    let n = samples.len() as f64;
    power / (n * n)
}

/// The candidate frequency with the most power in 8 kHz `samples`, and that
/// power. `None` when there are no candidates.
pub fn dominant_frequency(samples: &[i16], candidates: &[f64]) -> Option<(f64, f64)> {
    candidates.iter().map(|&f| (f, goertzel(samples, f, SAMPLE_RATE))).max_by(|a, b| a.1.total_cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Codec;

    #[test]
    fn ten_minutes_in_the_tone_is_still_on_the_ideal_sine() {
        let mut tone = ToneGenerator::new(440.0, 10_000);
        let frames = 10 * 60 * 50;
        let last = tone.by_ref().nth(frames - 1).expect("a tone never ends");
        let first_sample = (frames - 1) * SAMPLES_PER_FRAME;
        for (i, &s) in last.samples().iter().enumerate() {
            let n = (first_sample + i) as f64;
            let ideal = 10_000.0 * (TAU * 440.0 * n / 8000.0).sin();
            assert!((f64::from(s) - ideal).abs() <= 1.0, "sample {n}: {s} vs {ideal}");
        }
    }

    #[test]
    fn phase_is_continuous_across_frames() {
        let frames: Vec<AudioFrame> = ToneGenerator::new(440.0, 10_000).take(5).collect();
        let joined: Vec<i16> = frames.iter().flat_map(|f| f.samples().to_vec()).collect();
        for (n, &s) in joined.iter().enumerate() {
            let ideal = 10_000.0 * (TAU * 440.0 * n as f64 / 8000.0).sin();
            assert!((f64::from(s) - ideal).abs() <= 1.0, "sample {n}: {s} vs {ideal}");
        }
    }

    #[test]
    fn goertzel_edge_cases() {
        assert_eq!(goertzel(&[], 440.0, 8000), 0.0);
        assert_eq!(dominant_frequency(&[1, 2], &[]), None);
        let tone: Vec<i16> =
            ToneGenerator::new(1000.0, 16_000).take(5).flat_map(|f| f.samples().to_vec()).collect();
        let p = goertzel(&tone, 1000.0, 8000);
        assert!((p - 8000.0f64.powi(2)).abs() / 8000.0f64.powi(2) < 0.01, "power {p}");
    }

    #[test]
    fn tone_440_survives_g711_for_both_codecs() {
        let candidates: Vec<f64> = (300..=3400).step_by(10).map(f64::from).collect();
        let frames: Vec<AudioFrame> = ToneGenerator::new(440.0, 8000).take(50).collect();
        for codec in Codec::ALL {
            let samples: Vec<i16> =
                frames.iter().flat_map(|f| codec.decode(&codec.encode(f)).samples().to_vec()).collect();
            let (freq, power) = dominant_frequency(&samples, &candidates).unwrap();
            assert_eq!(freq, 440.0, "{codec}");
            let runner_up = candidates
                .iter()
                .filter(|&&f| f != 440.0)
                .map(|&f| goertzel(&samples, f, 8000))
                .fold(0.0, f64::max);
            assert!(power > 100.0 * runner_up, "{codec}: {power} vs {runner_up}");
        }
    }
}
