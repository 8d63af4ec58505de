//! What a call sends when the application is not pushing frames itself.

use std::sync::Arc;

use session_media::AudioFrame;
use session_media::tone::ToneGenerator;

/// Peak amplitude of generated tones: about -6 dBFS, loud and clear of clipping.
pub const TONE_AMPLITUDE: i16 = 16_000;

/// The audio a call sends, one 20 ms frame per tick.
#[derive(Clone, Debug, Default)]
pub enum AudioSource {
    /// Digital silence.
    #[default]
    Silence,
    /// A sine tone.
    Tone(ToneGenerator),
    /// Recorded audio (a WAV file), then silence, or from the start again when looped.
    Clip {
        /// The frames.
        frames: Arc<[AudioFrame]>,
        /// The next frame to send.
        next: usize,
        /// Start again at the end.
        looped: bool,
    },
}

impl AudioSource {
    /// A tone of `hz` Hz.
    pub fn tone(hz: f64) -> Self {
        AudioSource::Tone(ToneGenerator::new(hz, TONE_AMPLITUDE))
    }

    /// Recorded frames, played once or looped.
    pub fn clip(frames: Vec<AudioFrame>, looped: bool) -> Self {
        AudioSource::Clip { frames: frames.into(), next: 0, looped }
    }

    /// The next 20 ms.
    pub fn next_frame(&mut self) -> AudioFrame {
        match self {
            AudioSource::Silence => AudioFrame::silence(),
            AudioSource::Tone(tone) => tone.next_frame(),
            AudioSource::Clip { frames, next, looped } => {
                if *next >= frames.len() && *looped {
                    *next = 0;
                }
                let frame = frames.get(*next).cloned().unwrap_or_default();
                *next += 1;
                frame
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clip_plays_once_then_gives_silence_unless_looped() {
        let frames = vec![AudioFrame::from_samples(&[1]), AudioFrame::from_samples(&[2])];
        let mut once = AudioSource::clip(frames.clone(), false);
        let firsts: Vec<i16> = (0..3).map(|_| once.next_frame().samples()[0]).collect();
        assert_eq!(firsts, [1, 2, 0]);
        let mut looped = AudioSource::clip(frames, true);
        let firsts: Vec<i16> = (0..3).map(|_| looped.next_frame().samples()[0]).collect();
        assert_eq!(firsts, [1, 2, 1]);
    }
}
