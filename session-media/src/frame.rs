//! The unit of audio that flows through the media pipeline: 20 ms of 8 kHz mono.

use std::time::Duration;

/// Samples in one frame: 20 ms at 8 kHz.
pub const SAMPLES_PER_FRAME: usize = 160;
/// Sample rate of every [`AudioFrame`], in Hz.
pub const SAMPLE_RATE: u32 = 8000;
/// Playout time of one frame.
pub const FRAME_DURATION: Duration = Duration::from_millis(20);

/// 20 ms of 8 kHz mono 16-bit linear PCM (exactly [`SAMPLES_PER_FRAME`] samples).
///
/// ```
/// use session_media::AudioFrame;
/// let quiet = AudioFrame::silence();
/// assert!(quiet.is_silent());
/// let short = AudioFrame::from_samples(&[100, -100]); // padded with silence
/// assert_eq!(short.samples().len(), 160);
/// assert_eq!(short.samples()[1], -100);
/// assert_eq!(short.peak(), 100);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AudioFrame {
    samples: [i16; SAMPLES_PER_FRAME],
}

impl AudioFrame {
    /// Number of samples in every frame.
    pub const LEN: usize = SAMPLES_PER_FRAME;

    /// A frame of digital silence (all zeros).
    pub const fn silence() -> Self {
        Self { samples: [0; SAMPLES_PER_FRAME] }
    }

    /// Builds a frame from up to 160 samples: shorter input is padded with
    /// silence, longer input is truncated.
    pub fn from_samples(samples: &[i16]) -> Self {
        let mut frame = Self::silence();
        for (dst, &src) in frame.samples.iter_mut().zip(samples) {
            *dst = src;
        }
        frame
    }

    /// Splits a sample buffer into frames, padding the last one with silence.
    ///
    /// ```
    /// use session_media::AudioFrame;
    /// assert_eq!(AudioFrame::frames_from(&[1; 330]).len(), 3);
    /// assert!(AudioFrame::frames_from(&[]).is_empty());
    /// ```
    pub fn frames_from(samples: &[i16]) -> Vec<Self> {
        samples.chunks(SAMPLES_PER_FRAME).map(Self::from_samples).collect()
    }

    /// The 160 samples of this frame.
    pub fn samples(&self) -> &[i16] {
        &self.samples
    }

    /// Mutable access to the 160 samples of this frame.
    pub fn samples_mut(&mut self) -> &mut [i16] {
        &mut self.samples
    }

    /// The samples as a fixed-size array.
    pub fn as_array(&self) -> &[i16; SAMPLES_PER_FRAME] {
        &self.samples
    }

    /// `true` when every sample is zero.
    pub fn is_silent(&self) -> bool {
        self.samples.iter().all(|&s| s == 0)
    }

    /// Largest absolute sample value (saturating: `i16::MIN` counts as `i16::MAX`).
    pub fn peak(&self) -> i16 {
        self.samples.iter().map(|s| s.saturating_abs()).max().unwrap_or(0)
    }

    /// Root-mean-square level of the frame, in sample units.
    pub fn rms(&self) -> f64 {
        let sum: f64 = self.samples.iter().map(|&s| f64::from(s).powi(2)).sum();
        (sum / SAMPLES_PER_FRAME as f64).sqrt()
    }

    /// Multiplies every sample by `gain`, saturating at the i16 range.
    pub fn scaled(&self, gain: f32) -> Self {
        let mut out = self.clone();
        for s in out.samples.iter_mut() {
            // `as` from f32 to i16 saturates, which is what we want here.
            *s = (f32::from(*s) * gain) as i16;
        }
        out
    }
}

impl Default for AudioFrame {
    fn default() -> Self {
        Self::silence()
    }
}

impl std::fmt::Debug for AudioFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioFrame")
            .field("peak", &self.peak())
            .field("first", &&self.samples[..4])
            .finish_non_exhaustive()
    }
}

impl From<[i16; SAMPLES_PER_FRAME]> for AudioFrame {
    fn from(samples: [i16; SAMPLES_PER_FRAME]) -> Self {
        Self { samples }
    }
}

impl From<&[i16]> for AudioFrame {
    fn from(samples: &[i16]) -> Self {
        Self::from_samples(samples)
    }
}

impl AsRef<[i16]> for AudioFrame {
    fn as_ref(&self) -> &[i16] {
        &self.samples
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_samples_pads_and_truncates() {
        let long: Vec<i16> = (0..200).collect();
        let f = AudioFrame::from_samples(&long);
        assert_eq!(f.samples()[159], 159);
        let f = AudioFrame::from_samples(&[7]);
        assert_eq!(f.samples()[0], 7);
        assert!(f.samples()[1..].iter().all(|&s| s == 0));
    }

    #[test]
    fn levels() {
        let f = AudioFrame::from([i16::MIN; SAMPLES_PER_FRAME]);
        assert_eq!(f.peak(), i16::MAX);
        assert!((f.rms() - 32768.0).abs() < 1e-6);
        assert_eq!(f.scaled(2.0).samples()[0], i16::MIN);
        assert_eq!(AudioFrame::default(), AudioFrame::silence());
        assert!(format!("{f:?}").contains("AudioFrame"));
    }
}
