//! ITU-T G.711 µ-law and A-law companding.
//!
//! Encoders take 16-bit linear PCM and return one 8-bit code; decoders map a
//! code back to 16-bit linear PCM. Both laws are computed from the algorithm of
//! the recommendation: µ-law works on a 14-bit magnitude with a bias of 33 and
//! inverts every bit of the code; A-law works on a 13-bit magnitude and inverts
//! the even bits (XOR `0x55`). Negative samples use the one's complement
//! magnitude (`!s`), as the ITU reference software does, so `i16::MIN` needs no
//! special case. The 256-entry decode tables are built at compile time.
//!
//! ```
//! use session_media::g711;
//! assert_eq!(g711::ulaw_encode(0), 0xFF);
//! assert_eq!(g711::ulaw_decode(0x80), 32124);
//! assert_eq!(g711::alaw_decode(0xD5), 8);
//! ```

/// µ-law bias added to the 14-bit magnitude before the segment search.
const ULAW_BIAS: i32 = 33;
/// Largest biased 14-bit µ-law magnitude.
const ULAW_MAX: i32 = 0x1FFF;

/// Index of the highest set bit of a positive value (`0` for `1`).
const fn highest_bit(v: i32) -> i32 {
    31 - v.leading_zeros() as i32
}

/// Encodes one 16-bit linear sample as a G.711 µ-law code.
///
/// ```
/// use session_media::g711::ulaw_encode;
/// assert_eq!(ulaw_encode(0), 0xFF);
/// assert_eq!(ulaw_encode(i16::MAX), 0x80);
/// assert_eq!(ulaw_encode(i16::MIN), 0x00);
/// ```
pub const fn ulaw_encode(sample: i16) -> u8 {
    let negative = sample < 0;
    let magnitude = if negative { !sample } else { sample } as i32;
    let mut biased = (magnitude >> 2) + ULAW_BIAS;
    if biased > ULAW_MAX {
        biased = ULAW_MAX;
    }
    // biased is in 33..=8191, so the segment is 0..=7.
    let segment = highest_bit(biased) - 5;
    let mantissa = (biased >> (segment + 1)) & 0x0F;
    let sign = if negative { 0x80 } else { 0 };
    !((sign | (segment << 4) | mantissa) as u8)
}

/// Decodes one G.711 µ-law code to a 16-bit linear sample.
///
/// ```
/// use session_media::g711::ulaw_decode;
/// assert_eq!(ulaw_decode(0xFF), 0);
/// assert_eq!(ulaw_decode(0x00), -32124);
/// ```
pub const fn ulaw_decode(code: u8) -> i16 {
    ULAW_TABLE[code as usize]
}

/// Computes the µ-law reconstruction value for `code` (used to build the table).
const fn ulaw_reconstruct(code: u8) -> i16 {
    let c = !code as i32;
    let segment = (c >> 4) & 0x07;
    let mantissa = c & 0x0F;
    // Middle of the quantisation interval, in 14-bit units, scaled to 16 bits.
    let magnitude = ((((mantissa << 1) + ULAW_BIAS) << segment) - ULAW_BIAS) << 2;
    if c & 0x80 != 0 { -magnitude as i16 } else { magnitude as i16 }
}

const fn build_ulaw_table() -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = ulaw_reconstruct(i as u8);
        i += 1;
    }
    table
}

/// Encodes one 16-bit linear sample as a G.711 A-law code.
///
/// ```
/// use session_media::g711::alaw_encode;
/// assert_eq!(alaw_encode(0), 0xD5);
/// assert_eq!(alaw_encode(-1), 0x55);
/// assert_eq!(alaw_encode(i16::MAX), 0xAA);
/// ```
pub const fn alaw_encode(sample: i16) -> u8 {
    let negative = sample < 0;
    let magnitude = (if negative { !sample } else { sample } as i32) >> 3;
    let (segment, quant) = if magnitude < 32 {
        (0, magnitude >> 1)
    } else {
        // magnitude is in 32..=4095, so the segment is 1..=7.
        let segment = highest_bit(magnitude) - 4;
        (segment, (magnitude >> segment) & 0x0F)
    };
    // In A-law the sign bit is set for positive values.
    let sign = if negative { 0 } else { 0x80 };
    ((sign | (segment << 4) | quant) as u8) ^ 0x55
}

/// Decodes one G.711 A-law code to a 16-bit linear sample.
///
/// ```
/// use session_media::g711::alaw_decode;
/// assert_eq!(alaw_decode(0xD5), 8);
/// assert_eq!(alaw_decode(0x55), -8);
/// assert_eq!(alaw_decode(0xAA), 32256);
/// ```
pub const fn alaw_decode(code: u8) -> i16 {
    ALAW_TABLE[code as usize]
}

/// Computes the A-law reconstruction value for `code` (used to build the table).
const fn alaw_reconstruct(code: u8) -> i16 {
    let c = (code ^ 0x55) as i32;
    let segment = (c >> 4) & 0x07;
    let quant = c & 0x0F;
    // Middle of the quantisation interval, in 13-bit units, scaled to 16 bits.
    let magnitude13 = if segment == 0 { (quant << 1) + 1 } else { ((quant << 1) + 33) << (segment - 1) };
    let magnitude = magnitude13 << 3;
    if c & 0x80 != 0 { magnitude as i16 } else { -magnitude as i16 }
}

const fn build_alaw_table() -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = alaw_reconstruct(i as u8);
        i += 1;
    }
    table
}

/// µ-law code → 16-bit linear sample, computed at compile time.
pub static ULAW_TABLE: [i16; 256] = build_ulaw_table();
/// A-law code → 16-bit linear sample, computed at compile time.
pub static ALAW_TABLE: [i16; 256] = build_alaw_table();

/// Width of the µ-law quantisation interval that contains `code`, in 16-bit units.
pub const fn ulaw_step(code: u8) -> i32 {
    let segment = ((!code >> 4) & 0x07) as i32;
    (2 << segment) << 2
}

/// Width of the A-law quantisation interval that contains `code`, in 16-bit units.
pub const fn alaw_step(code: u8) -> i32 {
    let segment = (((code ^ 0x55) >> 4) & 0x07) as i32;
    let step13 = if segment == 0 { 2 } else { 1 << segment };
    step13 << 3
}

/// Encodes a slice of samples as µ-law, appending one byte per sample to `out`.
pub fn ulaw_encode_slice(samples: &[i16], out: &mut Vec<u8>) {
    out.extend(samples.iter().map(|&s| ulaw_encode(s)));
}

/// Encodes a slice of samples as A-law, appending one byte per sample to `out`.
pub fn alaw_encode_slice(samples: &[i16], out: &mut Vec<u8>) {
    out.extend(samples.iter().map(|&s| alaw_encode(s)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ulaw_known_values() {
        assert_eq!(ulaw_encode(0), 0xFF);
        assert_eq!(ulaw_decode(0xFF), 0);
        assert_eq!(ulaw_decode(0x7F), 0, "negative zero");
        assert_eq!(ulaw_decode(0x00), -32124);
        assert_eq!(ulaw_decode(0x80), 32124);
        assert_eq!(ulaw_decode(0xFE), 8);
        assert_eq!(ulaw_decode(0x7E), -8);
        assert_eq!(ulaw_encode(32124), 0x80);
        assert_eq!(ulaw_encode(-32124), 0x00);
        assert_eq!(ulaw_encode(i16::MIN), 0x00);
    }

    #[test]
    fn alaw_known_values() {
        assert_eq!(alaw_decode(0xD5), 8);
        assert_eq!(alaw_decode(0x55), -8);
        // 0x2A is the largest *negative* code; 0xAA is the largest positive.
        assert_eq!(alaw_decode(0x2A), -32256);
        assert_eq!(alaw_decode(0xAA), 32256);
        assert_eq!(alaw_encode(0), 0xD5);
        assert_eq!(alaw_encode(i16::MIN), 0x2A);
        assert_eq!(alaw_encode(i16::MAX), 0xAA);
    }

    #[test]
    fn tables_are_monotonic_per_sign() {
        // Positive µ-law codes run 0xFF (smallest) down to 0x80 (largest).
        for code in 0x81u8..=0xFF {
            assert!(ulaw_decode(code) < ulaw_decode(code - 1));
        }
        let mut positives: Vec<i16> = (0u8..=255).map(alaw_decode).filter(|&v| v > 0).collect();
        let before = positives.clone();
        positives.sort_unstable();
        positives.dedup();
        assert_eq!(positives.len(), 128, "128 distinct positive A-law levels");
        assert_eq!(before.len(), 128);
    }

    #[test]
    fn every_canonical_code_round_trips() {
        for code in 0u8..=255 {
            if code != 0x7F {
                assert_eq!(ulaw_encode(ulaw_decode(code)), code, "µ-law {code:#04x}");
            }
            assert_eq!(alaw_encode(alaw_decode(code)), code, "A-law {code:#04x}");
        }
    }

    proptest! {
        #[test]
        fn ulaw_code_round_trip(code in any::<u8>().prop_filter("negative zero", |c| *c != 0x7F)) {
            prop_assert_eq!(ulaw_encode(ulaw_decode(code)), code);
        }

        #[test]
        fn alaw_code_round_trip(code in any::<u8>()) {
            prop_assert_eq!(alaw_encode(alaw_decode(code)), code);
        }

        #[test]
        fn ulaw_error_within_step(s in any::<i16>()) {
            let code = ulaw_encode(s);
            let err = (i32::from(ulaw_decode(code)) - i32::from(s)).abs();
            prop_assert!(err <= ulaw_step(code), "s={} code={:#04x} err={}", s, code, err);
        }

        #[test]
        fn alaw_error_within_step(s in any::<i16>()) {
            let code = alaw_encode(s);
            let err = (i32::from(alaw_decode(code)) - i32::from(s)).abs();
            prop_assert!(err <= alaw_step(code), "s={} code={:#04x} err={}", s, code, err);
        }
    }
}
