//! The audio side of [`Call`]: what it sends, what it receives, recording and media
//! information. Frames are 20 ms of 8 kHz mono ([`AudioFrame`]).

use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use session_media::{AudioFrame, FRAME_DURATION, SAMPLES_PER_FRAME};
use tokio::sync::{mpsc, oneshot};

use super::call::Call;
use super::events::CallError;
use crate::machine::Event;
use crate::media::{AudioSource, MediaControl, MediaInfo};
use crate::types::RecordMode;

/// Received frames a slow reader may fall behind by (one second) before frames drop.
const LISTEN_BUFFER: usize = 50;
/// How long [`Call::media_info`] waits for the media engine's report. The engine answers
/// every request it accepted, even while stopping; this only bounds a runtime too
/// overloaded to run it.
const INFO_WAIT: Duration = Duration::from_secs(1);

impl Call {
    /// Sends one frame ahead of the current source (tone, WAV or silence). Push one
    /// frame every 20 ms; the call queues up to a second ahead and drops the oldest
    /// frame beyond that.
    pub fn send_audio(&self, frame: AudioFrame) -> Result<(), CallError> {
        self.media(MediaControl::Frame(Box::new(frame)))
    }

    /// Sends a sine tone of `hz` Hz from now on.
    pub fn play_tone(&self, hz: f64) -> Result<(), CallError> {
        session_media::tone::check_band(hz).map_err(|e| CallError::Audio(e.to_string()))?;
        self.media(MediaControl::Source(Box::new(AudioSource::tone(hz))))
    }

    /// Sends a WAV file (any sample rate or channel count; converted to 8 kHz mono) once,
    /// or over and over with `looped`; silence follows the end.
    pub fn play_wav(&self, path: impl AsRef<Path>, looped: bool) -> Result<(), CallError> {
        let path = path.as_ref();
        let frames = session_media::wav::read_wav(path).map_err(|error| {
            CallError::Audio(format!("cannot play {}: {error}; give a readable PCM WAV file", path.display()))
        })?;
        self.media(MediaControl::Source(Box::new(AudioSource::clip(frames, looped))))
    }

    /// Sends silence from now on (in place of a tone or WAV file).
    pub fn play_silence(&self) -> Result<(), CallError> {
        self.media(MediaControl::Source(Box::new(AudioSource::Silence)))
    }

    /// Sends silence instead of our audio; the call and its packets go on.
    pub fn mute(&self) -> Result<(), CallError> {
        self.media(MediaControl::Mute(true))
    }

    /// Sends our audio again after [`Call::mute`].
    pub fn unmute(&self) -> Result<(), CallError> {
        self.media(MediaControl::Mute(false))
    }

    /// The peer's audio, decoded, one frame every 20 ms from now on (silence where
    /// nothing arrived). Frames are dropped while the reader is a second behind.
    pub fn audio(&self) -> Result<AudioStream, CallError> {
        let (tx, rx) = mpsc::channel(LISTEN_BUFFER);
        self.media(MediaControl::Subscribe(tx))?;
        Ok(AudioStream { rx })
    }

    /// Records the call to a WAV file (8 kHz, 16-bit mono): the peer's audio, ours, or
    /// both mixed. Allowed once the call is answered.
    pub async fn start_recording(&self, path: impl AsRef<Path>, mode: RecordMode) -> Result<(), CallError> {
        let path = path.as_ref();
        // Find out now, not in the media task, whether the file can be written.
        std::fs::File::create(path).map_err(|error| {
            CallError::Audio(format!("cannot record to {}: {error}; choose a writable path", path.display()))
        })?;
        let path = path.to_string_lossy().into_owned();
        self.send(Event::StartRecording { path, mode }).await
    }

    /// Finishes the call's recordings (they also finish when the call ends).
    pub async fn stop_recording(&self) -> Result<(), CallError> {
        self.send(Event::StopRecording).await
    }

    /// Codec, addresses, directions and packet counters of the call's media: as they
    /// stand, or as they were when the media stopped; `None` before the media started.
    pub async fn media_info(&self) -> Option<MediaInfo> {
        let (reply, info) = oneshot::channel();
        if self.shared().media_started()
            && self.shared().media.unbounded_send(MediaControl::Info(reply)).is_ok()
        {
            match tokio::time::timeout(INFO_WAIT, info).await {
                Ok(Ok(info)) => return Some(info),
                Ok(Err(_)) => {} // the engine's task was dropped (runtime shutting down)
                Err(_) => tracing::warn!(call = %self.id(), "the media engine did not report in time"),
            }
        }
        // The engine has stopped; it left its last report before letting go of the channel.
        self.shared().last_media.lock().ok()?.clone()
    }

    fn media(&self, control: MediaControl) -> Result<(), CallError> {
        if let Some(reason) = self.end_reason() {
            return Err(CallError::Ended(reason));
        }
        self.shared().media.unbounded_send(control).map_err(|_| CallError::Shutdown)
    }
}

/// The peer's decoded audio; see [`Call::audio`]. Ends when the call's media stops.
#[derive(Debug)]
pub struct AudioStream {
    rx: mpsc::Receiver<AudioFrame>,
}

impl AudioStream {
    /// The next frame, or `None` once the media has stopped.
    pub async fn recv(&mut self) -> Option<AudioFrame> {
        self.rx.recv().await
    }

    /// `length` of the peer's audio as samples, from its first frame that is not pure
    /// silence: a call's frames are silence until the peer's packets arrive and the
    /// jitter buffer fills. After `patience` of nothing but silence, collects whatever
    /// comes (silence, then). `None` once the media has stopped.
    ///
    /// ```no_run
    /// # async fn example(call: session_core::Call) -> Result<(), session_core::CallError> {
    /// use std::time::Duration;
    /// let mut audio = call.audio()?;
    /// if let Some(samples) = audio.capture(Duration::from_millis(500), Duration::from_secs(5)).await {
    ///     let power = session_core::media::goertzel(&samples, 440.0, 8000);
    ///     println!("440 Hz power: {power:.1e}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn capture(&mut self, length: Duration, patience: Duration) -> Option<Vec<i16>> {
        let wanted = length.as_micros().div_ceil(FRAME_DURATION.as_micros()) as usize;
        let deadline = tokio::time::Instant::now() + patience;
        let mut samples = Vec::with_capacity(wanted * SAMPLES_PER_FRAME);
        while samples.len() < wanted * SAMPLES_PER_FRAME {
            let frame = self.recv().await?;
            let silent = frame.samples().iter().all(|&s| s == 0);
            if silent && samples.is_empty() && tokio::time::Instant::now() < deadline {
                continue;
            }
            samples.extend_from_slice(frame.samples());
        }
        Some(samples)
    }
}

impl futures_core::Stream for AudioStream {
    type Item = AudioFrame;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<AudioFrame>> {
        self.rx.poll_recv(cx)
    }
}
