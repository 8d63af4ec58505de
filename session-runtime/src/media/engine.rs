//! The thin tokio layer of one call's media: a task that owns the RTP and RTCP sockets,
//! the 20 ms clock and the recordings, and drives a [`MediaStream`].

use std::io;
use std::net::{SocketAddr, UdpSocket as StdSocket};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use futures_channel::mpsc::UnboundedReceiver;
use session_media::wav::WavRecorder;
use session_media::{AudioFrame, FRAME_DURATION, Mixer};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

use session_proto::media::MediaCommand;

use super::control::{MediaControl, MediaInfo};
use super::stream::{MediaStream, TickAudio};
use crate::types::{RecordMode, SessionId};

/// Largest RTP datagram we accept.
const DATAGRAM: usize = 2048;
/// Largest RTCP datagram we accept (an Ethernet MTU).
const RTCP_DATAGRAM: usize = 1500;

type Recorder = WavRecorder<std::io::BufWriter<std::fs::File>>;

/// Told each DTMF digit the peer's RTP carries (RFC 4733).
pub type DtmfHook = Box<dyn Fn(char) + Send>;
/// Given the last report as the engine stops; requests that find its queue closed are
/// answered from it.
pub type StoppedHook = Box<dyn FnOnce(&MediaInfo) + Send>;

/// What an engine tells whoever started it.
pub struct Hooks {
    /// See [`DtmfHook`].
    pub dtmf: DtmfHook,
    /// See [`StoppedHook`].
    pub stopped: StoppedHook,
}

/// Starts the media task of `session` on its (RTP, RTCP) `sockets`, which must be
/// non-blocking ([`super::MediaConfig::bind_pair`] makes them so), taking requests from
/// `controls`. It runs until [`MediaCommand::Stop`] or until every sender of `controls`
/// is gone.
pub fn spawn(
    session: SessionId,
    sockets: (StdSocket, StdSocket),
    cname: &str,
    controls: UnboundedReceiver<MediaControl>,
    hooks: Hooks,
) -> io::Result<()> {
    let (socket, rtcp) = sockets;
    let (socket, rtcp) = (UdpSocket::from_std(socket)?, UdpSocket::from_std(rtcp)?);
    let engine = Engine {
        session,
        socket,
        rtcp,
        stream: MediaStream::new(cname),
        dtmf: hooks.dtmf,
        stopped: Some(hooks.stopped),
        recorders: Vec::new(),
        listeners: Vec::new(),
        started: None,
        out: Vec::with_capacity(4),
    };
    // Boxed: the task's future then holds a pointer, not the engine, beside the futures
    // it awaits.
    tokio::spawn(Box::new(engine).run(controls));
    Ok(())
}

/// The next 20 ms boundary of one clock shared by every call in the process. All
/// engines tick together, so a worker thread wakes once per frame for all of them
/// instead of once per call (as media servers drive every channel from one timing
/// source); each call's sending stays exactly paced.
pub(crate) fn next_shared_tick() -> tokio::time::Instant {
    static EPOCH: std::sync::OnceLock<tokio::time::Instant> = std::sync::OnceLock::new();
    let epoch = *EPOCH.get_or_init(tokio::time::Instant::now);
    let frame = FRAME_DURATION.as_nanos();
    let elapsed = epoch.elapsed().as_nanos();
    let frames = u32::try_from(elapsed / frame + 1).unwrap_or(u32::MAX);
    epoch + FRAME_DURATION * frames
}

/// Hands every datagram waiting on `socket` to `each`, until none is left (which also
/// clears the socket's readiness) or a receive fails.
fn drain(socket: &UdpSocket, buf: &mut [u8], mut each: impl FnMut(SocketAddr, &[u8])) -> io::Result<()> {
    loop {
        match socket.try_recv_from(buf) {
            Ok((len, from)) => each(from, &buf[..len]),
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(error) => return Err(error),
        }
    }
}

/// The next control, or `None` once the queue is closed and drained.
async fn next(controls: &mut UnboundedReceiver<MediaControl>) -> Option<MediaControl> {
    std::future::poll_fn(|cx| futures_core::Stream::poll_next(std::pin::Pin::new(&mut *controls), cx)).await
}

struct Engine {
    session: SessionId,
    socket: UdpSocket,
    rtcp: UdpSocket,
    stream: MediaStream,
    dtmf: DtmfHook,
    stopped: Option<StoppedHook>,
    recorders: Vec<(RecordMode, String, Recorder)>,
    listeners: Vec<mpsc::Sender<AudioFrame>>,
    started: Option<Instant>,
    out: Vec<Bytes>,
}

impl Engine {
    async fn run(mut self: Box<Self>, mut controls: UnboundedReceiver<MediaControl>) {
        let mut clock = tokio::time::interval_at(next_shared_tick(), FRAME_DURATION);
        // A late tick is made up at once: the peer's playout expects 50 packets a second.
        clock.set_missed_tick_behavior(MissedTickBehavior::Burst);
        loop {
            // Readiness, not `recv_from`: the receive buffers then live on the stack only
            // while a datagram is read, not in every call's task (3.5 KiB a call).
            tokio::select! {
                control = next(&mut controls) => match control {
                    None | Some(MediaControl::Protocol(MediaCommand::Stop)) => break,
                    Some(control) => self.control(control),
                },
                Ok(()) = self.socket.readable() => self.read_rtp(),
                Ok(()) = self.rtcp.readable() => self.read_rtcp(),
                _ = clock.tick(), if self.stream.is_running() => self.tick(),
            }
        }
        self.finish_recordings();
        let last = self.info();
        if let Some(stopped) = self.stopped.take() {
            stopped(&last);
        }
        // Close, then answer what is still queued. Dropping the receiver would not do: a
        // request accepted just before the drop would never be read, and the `Call` that
        // sent it would wait on its `media_info()` forever. After `close` no request is
        // accepted, and `next` returns `None` only once every accepted one (a send in
        // flight included) has been read.
        controls.close();
        while let Some(control) = next(&mut controls).await {
            if let MediaControl::Info(reply) = control {
                let _ = reply.send(last.clone());
            }
        }
    }

    /// Takes every datagram waiting on the RTP socket.
    fn read_rtp(&mut self) {
        let (stream, dtmf, session) = (&mut self.stream, &self.dtmf, self.session);
        let read = drain(&self.socket, &mut [0u8; DATAGRAM], |from, datagram| {
            if let Some(digit) = stream.on_datagram(from, datagram, Instant::now()) {
                dtmf(digit);
            }
        });
        if let Err(error) = read {
            tracing::debug!(%session, %error, "RTP receive failed");
        }
    }

    /// Takes every datagram waiting on the RTCP socket.
    fn read_rtcp(&mut self) {
        let stream = &mut self.stream;
        let read = drain(&self.rtcp, &mut [0u8; RTCP_DATAGRAM], |from, datagram| {
            stream.on_rtcp(from, datagram, Instant::now())
        });
        if let Err(error) = read {
            tracing::debug!(session = %self.session, %error, "RTCP receive failed");
        }
    }

    fn control(&mut self, control: MediaControl) {
        match control {
            MediaControl::Protocol(command) => self.protocol(command),
            MediaControl::Source(source) => self.stream.set_source(*source),
            MediaControl::Frame(frame) => {
                if !self.stream.push_frame(*frame) {
                    tracing::debug!(session = %self.session, "audio queued too far ahead; oldest frame dropped");
                }
            }
            MediaControl::Mute(muted) => self.stream.set_muted(muted),
            MediaControl::Subscribe(listener) => self.listeners.push(listener),
            MediaControl::Info(reply) => {
                let _ = reply.send(self.info());
            }
        }
    }

    fn protocol(&mut self, command: MediaCommand) {
        match command {
            MediaCommand::Configure(params) => self.stream.configure(*params),
            MediaCommand::Start => {
                self.stream.start();
                self.started.get_or_insert_with(Instant::now);
            }
            MediaCommand::Dtmf(digits) => {
                if let Err(why) = self.stream.send_dtmf(&digits) {
                    tracing::warn!(session = %self.session, %digits, "cannot send DTMF: {why}");
                }
            }
            MediaCommand::Record { path, mode } => match Recorder::create(&path) {
                Ok(recorder) => self.recorders.push((mode, path, recorder)),
                Err(error) => tracing::warn!(session = %self.session, %path, %error, "cannot record"),
            },
            MediaCommand::StopRecording => self.finish_recordings(),
            // The run loop ends on it.
            MediaCommand::Stop => {}
        }
    }

    fn tick(&mut self) {
        let audio = self.stream.on_tick(&mut self.out);
        let remote = self.stream.remote();
        for datagram in self.out.drain(..) {
            if let Some(to) = remote
                && let Err(error) = self.socket.try_send_to(&datagram, to)
            {
                tracing::trace!(session = %self.session, %to, %error, "RTP send failed");
            }
        }
        if let Some(report) = self.stream.poll_rtcp(|| (Instant::now(), SystemTime::now()))
            && let Some(to) = self.stream.rtcp_remote()
            && let Err(error) = self.rtcp.try_send_to(&report, to)
        {
            tracing::trace!(session = %self.session, %to, %error, "RTCP send failed");
        }
        self.record(&audio);
        self.listeners.retain(|listener| match listener.try_send(audio.received.clone()) {
            Ok(()) | Err(mpsc::error::TrySendError::Full(_)) => true,
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        });
    }

    fn record(&mut self, audio: &TickAudio) {
        let session = self.session;
        self.recorders.retain_mut(|(mode, path, recorder)| {
            let mixed;
            let frame = match mode {
                RecordMode::Received => &audio.received,
                RecordMode::Sent => &audio.sent,
                RecordMode::Mixed => {
                    mixed = Mixer::mix(&[&audio.received, &audio.sent]);
                    &mixed
                }
            };
            let written = recorder.write_frame(frame);
            if let Err(error) = &written {
                tracing::warn!(%session, %path, %error, "recording stopped");
            }
            written.is_ok()
        });
    }

    fn finish_recordings(&mut self) {
        for (_, path, recorder) in self.recorders.drain(..) {
            if let Err(error) = recorder.finish() {
                tracing::warn!(session = %self.session, %path, %error, "cannot finish the recording");
            }
        }
    }

    fn info(&self) -> MediaInfo {
        let params = self.stream.params();
        MediaInfo {
            codec: params.map(|p| p.codec),
            telephone_event: params.and_then(|p| p.telephone_event_pt),
            local: self.socket.local_addr().unwrap_or_else(|_| ([0, 0, 0, 0], 0).into()),
            remote: self.stream.remote(),
            direction: params.map(|p| p.direction),
            muted: self.stream.is_muted(),
            stats: self.stream.stats(),
            rtcp: self.stream.rtcp_stats(),
            flowing_for: self.started.map_or(Duration::ZERO, |at| at.elapsed()),
            jitter: self.stream.jitter(),
        }
    }
}
