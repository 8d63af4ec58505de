//! The audio options `listen` and `call` share, and the per-call media report.

use std::path::{Path, PathBuf};

use session_core::{Call, CallEvent, MediaInfo, RecordMode, RtpStats};

/// What a call sends and records.
#[derive(clap::Args, Clone, Debug)]
pub struct MediaArgs {
    /// Send this WAV file, over and over (any rate or channels; converted to 8 kHz mono).
    #[arg(long, value_name = "WAV", conflicts_with = "tone")]
    play: Option<PathBuf>,
    /// Send a sine tone of this frequency.
    #[arg(long, value_name = "HZ")]
    tone: Option<f64>,
    /// Record to this WAV file once the call is answered (calls after the first add
    /// `-2`, `-3`, … to the name).
    #[arg(long, value_name = "PATH")]
    record: Option<PathBuf>,
    /// What --record captures.
    #[arg(long, value_enum, default_value_t = Captured::Received)]
    record_mode: Captured,
}

/// [`RecordMode`] for the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Captured {
    /// The peer's audio.
    Received,
    /// Our audio.
    Sent,
    /// Both, mixed.
    Mixed,
}

impl MediaArgs {
    /// Checks the options before anything is sent: the tone can be carried, the WAV file
    /// plays, the recording can be created.
    pub fn check(&self) -> Result<(), String> {
        if let Some(hz) = self.tone {
            session_core::media::check_band(hz).map_err(|e| format!("--tone {hz}: {e}"))?;
        }
        if let Some(path) = &self.play {
            session_core::media::read_wav(path)
                .map_err(|e| format!("--play {}: {e}; give a readable PCM WAV file", path.display()))?;
        }
        if let Some(path) = &self.record {
            creatable(path).map_err(|e| {
                format!(
                    "--record {}: cannot create it ({e}); give a path in a writable directory",
                    path.display()
                )
            })?;
        }
        Ok(())
    }

    /// Chooses what the call sends; do it before the answer so audio flows at once.
    pub fn choose_source(&self, call: &Call) -> Result<(), String> {
        if let Some(path) = &self.play {
            call.play_wav(path, true).map_err(|e| e.to_string())?;
        } else if let Some(hz) = self.tone {
            call.play_tone(hz).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Starts the recording of the `nth` call (1-based) once it is answered.
    pub async fn record(&self, call: &Call, nth: usize) -> Result<(), String> {
        let Some(path) = &self.record else { return Ok(()) };
        let path = numbered(path, nth);
        let mode = match self.record_mode {
            Captured::Received => RecordMode::Received,
            Captured::Sent => RecordMode::Sent,
            Captured::Mixed => RecordMode::Mixed,
        };
        call.start_recording(&path, mode).await.map_err(|e| e.to_string())?;
        tracing::info!(id = %call.id(), path = %path.display(), %mode, "recording");
        Ok(())
    }
}

/// Whether a file can be written at `path`: opened for writing (created, and removed
/// again, if it was not there).
fn creatable(path: &Path) -> std::io::Result<()> {
    let existed = path.exists();
    std::fs::OpenOptions::new().write(true).create(true).truncate(false).open(path)?;
    if !existed {
        std::fs::remove_file(path)?;
    }
    Ok(())
}

/// `a.wav` for the first call, `a-2.wav` for the second, …
fn numbered(path: &Path, nth: usize) -> PathBuf {
    if nth <= 1 {
        return path.to_owned();
    }
    let stem = path.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{nth}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{nth}"),
    };
    path.with_file_name(name)
}

/// Prints what the peer does in the call as it happens: each DTMF digit as a
/// `dtmf: <digit>` line on stdout, each status of a transfer we asked for as a
/// `transfer: <status>` line, and logs a transfer the peer asks of us; then hands each
/// event to `then`.
pub fn watch_events(call: &Call, mut then: impl FnMut(CallEvent) + Send + 'static) {
    let Some(mut events) = call.events() else { return };
    let (id, remote) = (call.id(), call.remote_uri().to_owned());
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            match &event {
                CallEvent::Dtmf(digit) => println!("dtmf: {digit}"),
                CallEvent::Progress(100) => tracing::info!(%id, "trying"),
                CallEvent::Progress(code) => tracing::info!(%id, status = code, "ringing"),
                CallEvent::NoResponseYet { waited } => {
                    tracing::warn!(%id, to = %remote, after = %crate::plan::secs(*waited), "no answer from the peer yet; retransmitting");
                }
                CallEvent::HeldByPeer(true) => tracing::info!(%id, "held by the peer"),
                CallEvent::HeldByPeer(false) => tracing::info!(%id, "taken off hold by the peer"),
                CallEvent::TransferStatus(code) => println!("transfer: {code}"),
                CallEvent::TransferRequested { target, new_call: Some(new_call) } => {
                    tracing::info!(%id, %target, new_call = %new_call.id(), "transferred by the peer; calling");
                }
                CallEvent::TransferRequested { target, new_call: None } => {
                    tracing::warn!(%id, %target, "transferred by the peer to a target we cannot call");
                }
                _ => {}
            }
            then(event);
        }
    });
}

/// Packet counters summed over calls, printed as one `media:` line.
#[derive(Debug, Default)]
pub struct Totals {
    calls: usize,
    stats: RtpStats,
    jitter_ms: f64,
}

impl Totals {
    /// Adds a finished call's counters (if its media ever ran); `info` is
    /// [`Call::media_info`], taken before the totals are locked.
    pub fn add(&mut self, call: &Call, info: Option<MediaInfo>) {
        if let Some(info) = info {
            let codec = info.codec.map_or_else(|| "none".to_owned(), |codec| codec.to_string());
            tracing::info!(id = %call.id(), %codec, sent = info.stats.sent,
                received = info.stats.received, lost = info.stats.lost, late = info.stats.late,
                malformed = info.stats.malformed, "media");
            self.calls += 1;
            self.stats = self.stats.merged(info.stats);
            self.jitter_ms += info.jitter.as_secs_f64() * 1000.0;
        }
    }

    /// The summary line the benchmark reads.
    pub fn line(&self) -> String {
        let s = &self.stats;
        let expected = s.received + s.lost;
        let bad = (s.lost + s.late) as f64 * 100.0 / expected.max(1) as f64;
        let jitter = self.jitter_ms / self.calls.max(1) as f64;
        format!(
            "media: calls={} sent={} received={} lost={} late={} malformed={} lost_or_late_pct={bad:.3} \
             mean_jitter_ms={jitter:.2}",
            self.calls, s.sent, s.received, s.lost, s.late, s.malformed
        )
    }
}
