//! The sample loops shared by [`super::Mixer`] and [`super::MixBus`]: exact sums, then
//! one saturation to i16 at the end.
//!
//! Frames are summed into an `i32` accumulator, which 65 536 frames cannot overflow
//! (65 536 × −32 768 = −2³¹); every 65 536 frames that partial sum is folded into an
//! `i64` total, so any number of frames sums exactly. The total is then clamped to
//! ±[`LIMIT`] once, as `i32`, for the N−1 outputs: a sum beyond ±2²⁰ saturates any
//! output made from it, because one participant's frame moves it by at most 2¹⁵, so the
//! clamp changes no output and the subtraction of one frame cannot overflow.
//!
//! Every loop runs over fixed-size arrays of [`SAMPLES_PER_FRAME`] so that the compiler
//! unrolls and vectorises it (widen, add, subtract, pack with saturation).

use crate::frame::{AudioFrame, SAMPLES_PER_FRAME};

/// Frames summed in `i32` before the partial sum is folded into the `i64` total.
const CHUNK: u32 = 1 << 16;
/// Bound of the clamped total; see the module notes for why it is exact.
const LIMIT: i64 = 1 << 20;

/// Sums frames exactly; reusable from one tick to the next without allocating.
#[derive(Clone)]
pub(crate) struct Accumulator {
    chunk: [i32; SAMPLES_PER_FRAME],
    in_chunk: u32,
    total: [i64; SAMPLES_PER_FRAME],
    /// Whether `total` holds anything (it stays untouched below 65 536 frames).
    folded: bool,
    /// The clamped total, written by [`Accumulator::finish`].
    clamped: [i32; SAMPLES_PER_FRAME],
}

impl Accumulator {
    pub(crate) const fn new() -> Self {
        Self {
            chunk: [0; SAMPLES_PER_FRAME],
            in_chunk: 0,
            total: [0; SAMPLES_PER_FRAME],
            folded: false,
            clamped: [0; SAMPLES_PER_FRAME],
        }
    }

    /// Adds one frame to the sum.
    #[inline]
    pub(crate) fn add(&mut self, frame: &AudioFrame) {
        for (a, &s) in self.chunk.iter_mut().zip(frame.as_array()) {
            *a += i32::from(s);
        }
        self.in_chunk += 1;
        if self.in_chunk == CHUNK {
            self.fold();
        }
    }

    fn fold(&mut self) {
        for (t, c) in self.total.iter_mut().zip(self.chunk.iter_mut()) {
            *t += i64::from(*c);
            *c = 0;
        }
        self.in_chunk = 0;
        self.folded = true;
    }

    /// Ends the sum: returns the total clamped to ±2²⁰ and resets the accumulator for
    /// the next sum.
    pub(crate) fn finish(&mut self) -> &[i32; SAMPLES_PER_FRAME] {
        if self.folded {
            self.fold();
            for (out, t) in self.clamped.iter_mut().zip(self.total.iter_mut()) {
                // In ±2²⁰ after the clamp, so the cast is exact.
                *out = (*t).clamp(-LIMIT, LIMIT) as i32;
                *t = 0;
            }
            self.folded = false;
        } else {
            // Fewer than 65 536 frames: the chunk is the whole sum.
            for (out, c) in self.clamped.iter_mut().zip(self.chunk.iter_mut()) {
                *out = (*c).clamp(-LIMIT as i32, LIMIT as i32);
                *c = 0;
            }
            self.in_chunk = 0;
        }
        &self.clamped
    }
}

/// Saturates one sum to a sample.
#[inline(always)]
fn saturate(v: i32) -> i16 {
    // Clamped first, so the cast is exact.
    v.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
}

/// Writes the whole sum `total`, saturated, into `out`.
#[inline]
pub(crate) fn write_total(out: &mut AudioFrame, total: &[i32; SAMPLES_PER_FRAME]) {
    for (o, &t) in out.samples_mut().iter_mut().zip(total) {
        *o = saturate(t);
    }
}

/// Replaces a participant's own frame, in place, by the saturated sum of everyone else:
/// `total` minus the frame. `total` must come from [`Accumulator::finish`] (within ±2²⁰).
#[inline]
pub(crate) fn replace_by_others(own: &mut AudioFrame, total: &[i32; SAMPLES_PER_FRAME]) {
    for (o, &t) in own.samples_mut().iter_mut().zip(total) {
        *o = saturate(t - i32::from(*o));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_past_one_chunk_exactly() {
        let loud = AudioFrame::from([i16::MIN; SAMPLES_PER_FRAME]);
        let quiet = AudioFrame::from([i16::MAX; SAMPLES_PER_FRAME]);
        let mut acc = Accumulator::new();
        // 70 000 × −32 768 then 70 000 × 32 767: −70 000 in all, far past i32 on the way.
        for _ in 0..70_000 {
            acc.add(&loud);
        }
        for _ in 0..70_000 {
            acc.add(&quiet);
        }
        assert_eq!(acc.finish()[0], -70_000);
        // Reset: the next sum starts from zero.
        acc.add(&quiet);
        assert_eq!(acc.finish()[0], i32::from(i16::MAX));
        let mut out = AudioFrame::silence();
        write_total(&mut out, &[-40_000; SAMPLES_PER_FRAME]);
        assert_eq!(out.samples()[0], i16::MIN);
    }

    #[test]
    fn a_clamped_total_still_gives_exact_outputs() {
        let mut acc = Accumulator::new();
        for _ in 0..100 {
            acc.add(&AudioFrame::from([i16::MAX; SAMPLES_PER_FRAME]));
        }
        let total = *acc.finish();
        assert_eq!(i64::from(total[0]), LIMIT);
        let mut own = AudioFrame::from([i16::MAX; SAMPLES_PER_FRAME]);
        replace_by_others(&mut own, &total);
        assert_eq!(own.samples()[0], i16::MAX);
    }
}
