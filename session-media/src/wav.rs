//! WAV files: reading any format hound supports into 8 kHz mono frames, and
//! recording 8 kHz mono 16-bit frames.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};
use std::path::Path;

use crate::frame::{AudioFrame, SAMPLE_RATE};

/// Errors reading or writing WAV files.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    /// hound could not read or write the file (I/O error, not a WAV file, …).
    #[error("WAV file could not be read or written: {0}")]
    Hound(#[from] hound::Error),
    /// The file is valid WAV but describes audio we cannot convert.
    #[error("unsupported WAV format: {0}")]
    Unsupported(String),
}

/// Reads a WAV file into 8 kHz mono frames; see [`read_wav_from`].
pub fn read_wav(path: impl AsRef<Path>) -> Result<Vec<AudioFrame>, WavError> {
    let file = File::open(path.as_ref()).map_err(hound::Error::from)?;
    read_wav_from(BufReader::new(file))
}

/// Reads WAV data (8/16/24/32-bit integer or 32-bit float, any rate, any
/// channel count) into 8 kHz mono frames: channels are averaged, the rate is
/// converted by naive linear interpolation (no anti-alias filter, so content
/// above 4 kHz in a high-rate source folds back; fine for prompts and tones),
/// and the last frame is padded with silence.
pub fn read_wav_from<R: Read>(reader: R) -> Result<Vec<AudioFrame>, WavError> {
    let mut reader = hound::WavReader::new(reader)?;
    let spec = reader.spec();
    if spec.channels == 0 || spec.sample_rate == 0 {
        return Err(WavError::Unsupported(format!("{} channels at {} Hz", spec.channels, spec.sample_rate)));
    }
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader.samples::<f32>().collect::<Result<_, _>>()?,
        hound::SampleFormat::Int => {
            if !(1..=32).contains(&spec.bits_per_sample) {
                return Err(WavError::Unsupported(format!("{}-bit integer samples", spec.bits_per_sample)));
            }
            let scale = 2f32.powi(i32::from(spec.bits_per_sample) - 1);
            reader.samples::<i32>().map(|s| s.map(|v| v as f32 / scale)).collect::<Result<_, _>>()?
        }
    };
    let channels = usize::from(spec.channels);
    let mono: Vec<f32> =
        interleaved.chunks(channels).map(|c| c.iter().sum::<f32>() / c.len() as f32).collect();
    let resampled = resample_linear(&mono, spec.sample_rate, SAMPLE_RATE);
    let pcm: Vec<i16> = resampled
        .iter()
        // `as` saturates, so over-range floats clip instead of wrapping.
        .map(|&x| (x * 32767.0).round() as i16)
        .collect();
    Ok(AudioFrame::frames_from(&pcm))
}

/// Converts `input` from `from_rate` to `to_rate` Hz by linear interpolation.
pub fn resample_linear(input: &[f32], from_rate: u32, to_rate: u32) -> Vec<f32> {
    if from_rate == to_rate || from_rate == 0 || to_rate == 0 {
        return input.to_vec();
    }
    let out_len = (input.len() as u64 * u64::from(to_rate) / u64::from(from_rate)) as usize;
    let ratio = f64::from(from_rate) / f64::from(to_rate);
    (0..out_len)
        .map(|i| {
            let pos = i as f64 * ratio;
            let idx = pos.floor() as usize;
            let frac = (pos - pos.floor()) as f32;
            let a = input.get(idx).copied().unwrap_or(0.0);
            let b = input.get(idx + 1).copied().unwrap_or(a);
            a + (b - a) * frac
        })
        .collect()
}

/// Writes 8 kHz mono 16-bit frames to a WAV file. Call [`finish`](Self::finish)
/// to write the final header lengths.
///
/// ```
/// use std::io::Cursor;
/// use session_media::{AudioFrame, wav::{WavRecorder, read_wav_from}};
/// let mut buf = Cursor::new(Vec::new());
/// let mut rec = WavRecorder::new(&mut buf).unwrap();
/// rec.write_frame(&AudioFrame::from_samples(&[1234; 160])).unwrap();
/// rec.finish().unwrap();
/// buf.set_position(0);
/// let frames = read_wav_from(buf).unwrap();
/// assert_eq!(frames[0].samples()[0], 1234);
/// ```
pub struct WavRecorder<W: Write + Seek> {
    writer: hound::WavWriter<W>,
    frames: u64,
}

/// The format every recording uses.
fn spec() -> hound::WavSpec {
    hound::WavSpec {
        channels: 1,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    }
}

impl WavRecorder<BufWriter<File>> {
    /// Creates (or truncates) the file at `path`.
    pub fn create(path: impl AsRef<Path>) -> Result<Self, WavError> {
        Ok(Self { writer: hound::WavWriter::create(path, spec())?, frames: 0 })
    }
}

impl<W: Write + Seek> WavRecorder<W> {
    /// Records into any seekable writer.
    pub fn new(writer: W) -> Result<Self, WavError> {
        Ok(Self { writer: hound::WavWriter::new(writer, spec())?, frames: 0 })
    }

    /// Appends one frame.
    pub fn write_frame(&mut self, frame: &AudioFrame) -> Result<(), WavError> {
        let mut w = self.writer.get_i16_writer(frame.samples().len() as u32);
        for &s in frame.samples() {
            w.write_sample(s);
        }
        w.flush()?;
        self.frames += 1;
        Ok(())
    }

    /// Frames written so far.
    pub fn frames_written(&self) -> u64 {
        self.frames
    }

    /// Writes the header lengths and closes the file.
    pub fn finish(self) -> Result<(), WavError> {
        self.writer.finalize()?;
        Ok(())
    }
}

impl<W: Write + Seek> std::fmt::Debug for WavRecorder<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavRecorder").field("frames", &self.frames).finish_non_exhaustive()
    }
}
