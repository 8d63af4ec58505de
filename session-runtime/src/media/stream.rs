//! One call's audio stream without I/O: what to send at each 20 ms tick, what a received
//! datagram means, and where the peer is. The engine (`engine`) owns the socket and the
//! timer and feeds this; tests feed it directly.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use session_media::dtmf::{DtmfConfig, DtmfSchedule, DtmfSender};
use session_media::rtcp_report::{RtcpSession, RtcpStats};
use session_media::rtp_session::Received;
use session_media::sdp::Negotiated;
use session_media::{AudioFrame, FRAME_DURATION, RtpReceiver, RtpSender, RtpStats, SAMPLES_PER_FRAME};

use super::source::AudioSource;

/// Frames the application may queue ahead of the clock (one second).
const QUEUE_LIMIT: usize = 50;
/// Ticks between RTCP reports on average: 5 s, RFC 3550's minimum interval.
const RTCP_TICKS: u64 = 250;

/// What one tick produced besides datagrams: the two directions' audio, for recording
/// and for the application.
#[derive(Clone, Debug, Default)]
pub struct TickAudio {
    /// What we sent (silence while muted, held, or sending DTMF).
    pub sent: AudioFrame,
    /// What the peer's stream played out (silence when nothing was due).
    pub received: AudioFrame,
}

/// Digits being sent: their schedule, its start, and how far it got.
#[derive(Debug)]
struct Dtmf {
    schedule: DtmfSchedule,
    start_timestamp: u32,
    elapsed: Option<Duration>,
}

/// The sans-IO audio stream of one call.
#[derive(Debug)]
pub struct MediaStream {
    sender: RtpSender,
    receiver: RtpReceiver,
    params: Option<Negotiated>,
    remote: Option<SocketAddr>,
    running: bool,
    muted: bool,
    marker: bool,
    source: AudioSource,
    queue: VecDeque<AudioFrame>,
    dtmf: Option<Dtmf>,
    digits: String,
    rtcp: RtcpSession,
    rtcp_remote: Option<SocketAddr>,
    ticks: u64,
    next_report: u64,
}

impl MediaStream {
    /// A stream that sends silence once configured and started; its RTCP names it
    /// `cname` (e.g. `user@host`).
    pub fn new(cname: &str) -> Self {
        Self {
            sender: RtpSender::new(),
            receiver: RtpReceiver::new(),
            params: None,
            remote: None,
            running: false,
            muted: false,
            marker: true,
            source: AudioSource::Silence,
            queue: VecDeque::new(),
            dtmf: None,
            digits: String::new(),
            rtcp: RtcpSession::new(cname),
            rtcp_remote: None,
            ticks: 0,
            next_report: RTCP_TICKS / 2,
        }
    }

    /// Applies what offer/answer agreed: codec, payload types, peer address, directions.
    /// A new address from SDP replaces one learnt from packets.
    pub fn configure(&mut self, params: Negotiated) {
        self.receiver.set_telephone_event_pt(params.telephone_event_pt);
        self.remote = Some(params.remote_rtp);
        self.rtcp_remote = None;
        self.params = Some(params);
    }

    /// Starts the 20 ms clock (the call was answered).
    pub fn start(&mut self) {
        self.running = true;
    }

    /// Whether ticks do anything yet.
    pub fn is_running(&self) -> bool {
        self.running && self.params.is_some()
    }

    /// What offer/answer agreed, once it has.
    pub fn params(&self) -> Option<&Negotiated> {
        self.params.as_ref()
    }

    /// Where our packets go: the SDP address, or where the peer's packets come from.
    pub fn remote(&self) -> Option<SocketAddr> {
        self.remote
    }

    /// Send silence instead of the source (the source keeps its place in time).
    pub fn set_muted(&mut self, muted: bool) {
        self.muted = muted;
    }

    /// Whether we send silence.
    pub fn is_muted(&self) -> bool {
        self.muted
    }

    /// What to send from now on.
    pub fn set_source(&mut self, source: AudioSource) {
        self.source = source;
    }

    /// Queues one frame from the application; it goes out ahead of the source. When the
    /// application runs more than a second ahead of the clock the oldest frame is
    /// dropped and `false` returned.
    pub fn push_frame(&mut self, frame: AudioFrame) -> bool {
        let kept = self.queue.len() < QUEUE_LIMIT;
        if !kept {
            self.queue.pop_front();
        }
        self.queue.push_back(frame);
        kept
    }

    /// Queues DTMF digits for RFC 4733 telephone-events, after any still playing.
    /// Fails when the peer did not agree to telephone-events or a digit is invalid.
    pub fn send_dtmf(&mut self, digits: &str) -> Result<(), String> {
        let Some(params) = &self.params else { return Err("media is not negotiated yet".into()) };
        if params.telephone_event_pt.is_none() {
            return Err("the peer's SDP has no telephone-event payload type".into());
        }
        DtmfSender::default().schedule(digits).map_err(|e| e.to_string())?;
        self.digits.push_str(digits);
        Ok(())
    }

    /// Counters of both directions.
    pub fn stats(&self) -> RtpStats {
        self.sender.stats().merged(self.receiver.stats())
    }

    /// Interarrival jitter of the peer's packets.
    pub fn jitter(&self) -> Duration {
        self.receiver.jitter()
    }

    /// RTCP counters and the peer's view of our stream.
    pub fn rtcp_stats(&self) -> RtcpStats {
        self.rtcp.stats()
    }

    /// Where our RTCP goes: where the peer's comes from, else the port above its RTP.
    pub fn rtcp_remote(&self) -> Option<SocketAddr> {
        self.rtcp_remote
            .or_else(|| self.remote.map(|rtp| SocketAddr::new(rtp.ip(), rtp.port().wrapping_add(1))))
    }

    /// A datagram arrived on the RTCP socket.
    pub fn on_rtcp(&mut self, from: SocketAddr, datagram: &[u8], now: Instant) {
        if self.rtcp.receive(datagram, now) && self.params.is_some() {
            self.rtcp_remote = Some(from);
        }
    }

    /// Our RTCP report, when one is due after the last tick: every 5 s on average,
    /// each interval drawn from 2.5 to 7.5 s (RFC 3550 6.2) so that peers do not
    /// report in step. `clocks` (monotonic and wall-clock time) is read only when a
    /// report is due, not on every tick.
    pub fn poll_rtcp(&mut self, clocks: impl FnOnce() -> (Instant, SystemTime)) -> Option<Bytes> {
        if !self.is_running() || self.ticks < self.next_report {
            return None;
        }
        self.next_report = self.ticks + rand::random_range(RTCP_TICKS / 2..=RTCP_TICKS * 3 / 2);
        let (now, wallclock) = clocks();
        Some(self.rtcp.report(&self.sender, &self.receiver, now, wallclock))
    }

    /// A datagram arrived on the RTP socket. Returns a new DTMF digit, if it carried one.
    /// Valid RTP from a new address moves our sending there (symmetric RTP, RFC 4961);
    /// anything else is counted as malformed and dropped.
    pub fn on_datagram(&mut self, from: SocketAddr, datagram: &[u8], now: Instant) -> Option<char> {
        let receives = self.params.as_ref().is_some_and(|p| p.direction.receives());
        let received = self.receiver.receive(datagram, now);
        if matches!(received, Received::Malformed(_)) {
            tracing::debug!(%from, "dropped a datagram that is not RTP");
            return None;
        }
        if self.remote != Some(from) && self.params.is_some() {
            tracing::debug!(%from, "the peer's RTP comes from a new address; sending there");
            self.remote = Some(from);
        }
        match received {
            Received::Digit(digit) if receives => Some(digit),
            _ => None,
        }
    }

    /// One 20 ms tick: appends the datagrams to send to `out`, returns both directions'
    /// audio for this tick.
    pub fn on_tick(&mut self, out: &mut Vec<Bytes>) -> TickAudio {
        let mut audio = TickAudio { received: self.receiver.pop_frame_or_silence(), ..TickAudio::default() };
        let Some((direction, codec)) = self.params.as_ref().map(|p| (p.direction, p.codec)) else {
            return audio;
        };
        if !self.running {
            return audio;
        }
        self.ticks += 1;
        let frame = self.queue.pop_front().unwrap_or_else(|| self.source.next_frame());
        if !direction.receives() {
            audio.received = AudioFrame::default();
        }
        if self.dtmf.is_none() && !self.digits.is_empty() {
            self.start_dtmf();
        }
        if let Some(dtmf) = self.dtmf.as_mut() {
            let pt = dtmf.schedule.payload_type();
            let up_to = dtmf.elapsed.map_or(Duration::ZERO, |e| e + FRAME_DURATION);
            for packet in dtmf.schedule.due(dtmf.elapsed, up_to) {
                out.push(self.sender.packetize_dtmf(packet, pt, dtmf.start_timestamp));
            }
            dtmf.elapsed = Some(up_to);
            self.sender.skip(SAMPLES_PER_FRAME as u32);
            if up_to + FRAME_DURATION > dtmf.schedule.duration() {
                self.dtmf = None;
                self.marker = true;
            }
        } else if direction.sends() {
            audio.sent = if self.muted { AudioFrame::default() } else { frame };
            out.push(self.sender.packetize(&audio.sent, codec, self.marker));
            self.marker = false;
        } else {
            self.sender.skip(SAMPLES_PER_FRAME as u32);
            self.marker = true;
        }
        audio
    }

    fn start_dtmf(&mut self) {
        let digits = std::mem::take(&mut self.digits);
        let pt = self.params.as_ref().and_then(|p| p.telephone_event_pt).unwrap_or(101);
        let config = DtmfConfig { payload_type: pt, ..DtmfConfig::default() };
        match DtmfSender::new(config).and_then(|sender| sender.schedule(&digits)) {
            Ok(schedule) => {
                self.dtmf =
                    Some(Dtmf { schedule, start_timestamp: self.sender.next_timestamp(), elapsed: None })
            }
            Err(error) => tracing::warn!(%error, "cannot send DTMF"),
        }
    }
}
