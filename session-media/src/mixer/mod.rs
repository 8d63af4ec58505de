//! Summing frames with saturation, for mixed recordings and conferences.
//!
//! - [`Mixer`]: one-off sums of a few frames (a call's two directions into one
//!   recording, or N−1 mixing of a slice of frames).
//! - [`MixBus`]: a conference's mix bus, tick by tick: participants added and removed,
//!   muted or held, each given the sum of everyone else, with reused buffers and no
//!   allocation per tick.
//!
//! Both sum exactly in integers and saturate to i16 only at the end, so the result does
//! not depend on the order of the inputs.

mod bus;
mod kernel;

pub use bus::{MixBus, MixBusError, ParticipantId, Tick};

use crate::frame::AudioFrame;
use kernel::Accumulator;

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
        let mut acc = Accumulator::new();
        for frame in inputs {
            acc.add(frame);
        }
        let mut out = AudioFrame::silence();
        kernel::write_total(&mut out, acc.finish());
        out
    }

    /// N-1 mixing: for each input, the sum of all the *other* inputs, so no
    /// conference member hears their own voice. Output `i` is for input `i`.
    ///
    /// Allocates the outputs; a conference that mixes every 20 ms uses [`MixBus`].
    pub fn mix_minus(inputs: &[&AudioFrame]) -> Vec<AudioFrame> {
        let mut acc = Accumulator::new();
        for frame in inputs {
            acc.add(frame);
        }
        let total = acc.finish();
        inputs
            .iter()
            .map(|&own| {
                let mut out = own.clone();
                kernel::replace_by_others(&mut out, total);
                out
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
