//! WAV reading/conversion and recording.

use std::f64::consts::TAU;
use std::io::Cursor;

use session_media::tone::dominant_frequency;
use session_media::wav::{WavError, WavRecorder, read_wav, read_wav_from, resample_linear};
use session_media::{AudioFrame, Mixer};

fn encode_wav(spec: hound::WavSpec, seconds: f64, freq: f64) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    let mut w = hound::WavWriter::new(&mut buf, spec).unwrap();
    let n = (f64::from(spec.sample_rate) * seconds) as usize;
    for i in 0..n {
        let x = 0.5 * (TAU * freq * i as f64 / f64::from(spec.sample_rate)).sin();
        for ch in 0..spec.channels {
            // Second channel silent: the downmix halves the level.
            let v = if ch == 0 { x } else { 0.0 };
            match (spec.sample_format, spec.bits_per_sample) {
                (hound::SampleFormat::Float, _) => w.write_sample(v as f32).unwrap(),
                (_, 8) => w.write_sample((v * 127.0) as i8).unwrap(),
                (_, 16) => w.write_sample((v * 32767.0) as i16).unwrap(),
                (_, bits) => w.write_sample((v * f64::from((1 << (bits - 1)) - 1)) as i32).unwrap(),
            }
        }
    }
    w.finalize().unwrap();
    buf.into_inner()
}

fn spec(channels: u16, rate: u32, bits: u16, float: bool) -> hound::WavSpec {
    hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float { hound::SampleFormat::Float } else { hound::SampleFormat::Int },
    }
}

#[test]
fn any_format_becomes_8k_mono_frames() {
    let candidates: Vec<f64> = (300..=3400).step_by(10).map(f64::from).collect();
    for (s, expect_peak) in [
        (spec(1, 8000, 16, false), 16_383),
        (spec(2, 16_000, 16, false), 8_191),
        (spec(1, 44_100, 24, false), 16_383),
        (spec(2, 48_000, 32, true), 8_191),
        (spec(1, 11_025, 8, false), 16_256),
    ] {
        let frames = read_wav_from(Cursor::new(encode_wav(s, 0.5, 600.0))).unwrap();
        assert_eq!(frames.len(), 25, "{s:?}");
        let samples: Vec<i16> = frames.iter().flat_map(|f| f.samples().to_vec()).collect();
        let (freq, _) = dominant_frequency(&samples, &candidates).unwrap();
        assert_eq!(freq, 600.0, "{s:?}");
        let peak = frames.iter().map(AudioFrame::peak).max().unwrap();
        assert!((i32::from(peak) - expect_peak).abs() < 300, "{s:?}: peak {peak}");
    }
}

#[test]
fn recorder_writes_a_readable_file() {
    let path = std::env::temp_dir().join(format!("session-media-rec-{}.wav", std::process::id()));
    let a = AudioFrame::from_samples(&[1000; 160]);
    let b = AudioFrame::from_samples(&[-2000; 160]);
    let mut rec = WavRecorder::create(&path).unwrap();
    rec.write_frame(&a).unwrap();
    rec.write_frame(&Mixer::mix(&[&a, &b])).unwrap();
    assert_eq!(rec.frames_written(), 2);
    rec.finish().unwrap();
    let reader = hound::WavReader::open(&path).unwrap();
    assert_eq!(reader.spec(), spec(1, 8000, 16, false));
    assert_eq!(reader.duration(), 320);
    let frames = read_wav(&path).unwrap();
    assert_eq!(frames, vec![a, AudioFrame::from_samples(&[-1000; 160])]);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let err = read_wav_from(Cursor::new(b"RIFF\x04\0\0\0WAVEjunk".to_vec())).unwrap_err();
    assert!(matches!(err, WavError::Hound(_)), "{err}");
    assert!(err.to_string().starts_with("WAV file could not be read"));
    assert!(read_wav("/nonexistent/definitely/missing.wav").is_err());
}

#[test]
fn linear_resampling() {
    assert_eq!(resample_linear(&[0.0, 1.0], 8000, 16_000), vec![0.0, 0.5, 1.0, 1.0]);
    assert_eq!(resample_linear(&[0.0, 1.0, 2.0, 3.0], 16_000, 8000), vec![0.0, 2.0]);
    assert!(resample_linear(&[], 44_100, 8000).is_empty());
}
