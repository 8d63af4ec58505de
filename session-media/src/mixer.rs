//! Summing frames with saturation, for mixed recordings and conferences.

use crate::frame::{AudioFrame, SAMPLES_PER_FRAME};

/// Mixes frames by summing samples and clamping to the i16 range.
///
/// ```
/// use session_media::{AudioFrame, Mixer};
/// let a = AudioFrame::from_samples(&[30_000; 160]);
/// let b = AudioFrame::from_samples(&[10_000; 160]);
/// assert_eq!(Mixer::mix(&[&a, &b]).samples()[0], i16::MAX); // saturated
/// let each = Mixer::mix_minus(&[&a, &b]);
/// assert_eq!(each[0], b); // a hears only b
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Mixer;

impl Mixer {
    /// The saturated sum of all inputs (silence for none).
    pub fn mix(inputs: &[&AudioFrame]) -> AudioFrame {
        clamp(&sum(inputs))
    }

    /// N-1 mixing: for each input, the sum of all the *other* inputs, so no
    /// conference member hears their own voice. Output `i` is for input `i`.
    pub fn mix_minus(inputs: &[&AudioFrame]) -> Vec<AudioFrame> {
        let total = sum(inputs);
        inputs
            .iter()
            .map(|own| {
                let mut acc = total;
                for (a, &s) in acc.iter_mut().zip(own.samples()) {
                    *a -= i32::from(s);
                }
                clamp(&acc)
            })
            .collect()
    }
}

fn sum(inputs: &[&AudioFrame]) -> [i32; SAMPLES_PER_FRAME] {
    let mut acc = [0i32; SAMPLES_PER_FRAME];
    for frame in inputs {
        for (a, &s) in acc.iter_mut().zip(frame.samples()) {
            // 65536 inputs at full scale still fit in i32; saturate beyond.
            *a = a.saturating_add(i32::from(s));
        }
    }
    acc
}

fn clamp(acc: &[i32; SAMPLES_PER_FRAME]) -> AudioFrame {
    let mut out = [0i16; SAMPLES_PER_FRAME];
    for (o, &a) in out.iter_mut().zip(acc) {
        *o = a.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
    }
    AudioFrame::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixing_rules() {
        assert!(Mixer::mix(&[]).is_silent());
        assert!(Mixer::mix_minus(&[]).is_empty());
        let a = AudioFrame::from_samples(&[-30_000; 160]);
        let b = AudioFrame::from_samples(&[-30_000; 160]);
        let c = AudioFrame::from_samples(&[100; 160]);
        assert_eq!(Mixer::mix(&[&a, &b]).samples()[0], i16::MIN);
        let out = Mixer::mix_minus(&[&a, &b, &c]);
        assert_eq!(out[0].samples()[0], -29_900);
        assert_eq!(out[2].samples()[0], i16::MIN);
        assert_eq!(Mixer::mix(&[&c]), c);
    }
}
