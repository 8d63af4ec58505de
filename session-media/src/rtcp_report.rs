//! RTCP for one audio stream (RFC 3550 section 6) on the webrtc-rs `rtcp` crate: the
//! compound report we send every few seconds, and what the peer's reports tell us.
//!
//! Sans-IO like the rest of this crate: the caller passes the clock in and sends the
//! bytes to the peer's RTCP port.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use rtcp::packet::Packet;
use rtcp::receiver_report::ReceiverReport;
use rtcp::reception_report::ReceptionReport;
use rtcp::sender_report::SenderReport;
use rtcp::source_description::{SdesType, SourceDescription, SourceDescriptionChunk, SourceDescriptionItem};

use crate::rtp_session::{Reception, RtpReceiver, RtpSender};

/// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// RTCP counters and the peer's view of our stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RtcpStats {
    /// Compound packets we sent.
    pub sent: u64,
    /// Valid compound packets received.
    pub received: u64,
    /// Datagrams on the RTCP port that were not valid RTCP (dropped).
    pub malformed: u64,
    /// The fraction of our packets the peer last reported lost, out of 256.
    pub peer_fraction_lost: Option<u8>,
}

/// One stream's RTCP state: reports out, reports in.
#[derive(Debug)]
pub struct RtcpSession {
    cname: Bytes,
    /// (SSRC, expected, received) at our previous report, for the interval's fraction lost.
    prior: Option<(u32, u64, u64)>,
    /// Middle 32 bits of the NTP time of the peer's last SR, and when it arrived.
    last_sr: Option<(u32, Instant)>,
    stats: RtcpStats,
}

impl RtcpSession {
    /// A session whose SDES names us `cname` (RFC 3550 6.5.1, e.g. `user@host`).
    pub fn new(cname: &str) -> Self {
        Self {
            cname: Bytes::copy_from_slice(cname.as_bytes()),
            prior: None,
            last_sr: None,
            stats: RtcpStats::default(),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> RtcpStats {
        self.stats
    }

    /// Our compound report: a sender report when we have sent RTP (else a receiver
    /// report), with a reception block for the peer's stream once it has arrived, then
    /// an SDES CNAME.
    pub fn report(
        &mut self,
        sender: &RtpSender,
        receiver: &RtpReceiver,
        now: Instant,
        wallclock: SystemTime,
    ) -> Bytes {
        let reports: Vec<ReceptionReport> =
            receiver.reception().map(|r| self.block(r, now)).into_iter().collect();
        let ssrc = sender.ssrc();
        let report: Box<dyn Packet + Send + Sync> = if sender.stats().sent > 0 {
            Box::new(SenderReport {
                ssrc,
                ntp_time: ntp(wallclock),
                rtp_time: sender.next_timestamp(),
                packet_count: sender.stats().sent as u32,
                octet_count: sender.octets() as u32,
                reports,
                profile_extensions: Bytes::new(),
            })
        } else {
            Box::new(ReceiverReport { ssrc, reports, profile_extensions: Bytes::new() })
        };
        let item = SourceDescriptionItem { sdes_type: SdesType::SdesCname, text: self.cname.clone() };
        let sdes =
            SourceDescription { chunks: vec![SourceDescriptionChunk { source: ssrc, items: vec![item] }] };
        self.stats.sent += 1;
        // Both packets are built from valid fields (at most one reception block, a CNAME
        // far under 255 bytes), which is all `marshal` checks.
        rtcp::packet::marshal(&[report, Box::new(sdes)]).unwrap_or_default()
    }

    /// A datagram from the peer's RTCP port. Returns whether it was valid RTCP.
    pub fn receive(&mut self, datagram: &[u8], now: Instant) -> bool {
        let packets = match rtcp::packet::unmarshal(&mut Bytes::copy_from_slice(datagram)) {
            Ok(packets) => packets,
            Err(_) => {
                self.stats.malformed += 1;
                return false;
            }
        };
        self.stats.received += 1;
        for packet in &packets {
            let any = packet.as_any();
            let blocks = if let Some(sr) = any.downcast_ref::<SenderReport>() {
                self.last_sr = Some(((sr.ntp_time >> 16) as u32, now));
                &sr.reports
            } else if let Some(rr) = any.downcast_ref::<ReceiverReport>() {
                &rr.reports
            } else {
                continue;
            };
            if let Some(block) = blocks.first() {
                self.stats.peer_fraction_lost = Some(block.fraction_lost);
            }
        }
        true
    }

    /// The reception block for the peer's stream (RFC 3550 6.4.1 and A.3).
    fn block(&mut self, r: Reception, now: Instant) -> ReceptionReport {
        let expected = r.expected();
        let lost = expected.saturating_sub(r.received);
        // A new SSRC (the peer restarted its stream) starts the interval afresh.
        let prior = self.prior.filter(|(ssrc, ..)| *ssrc == r.ssrc).map_or((0, 0), |(_, e, n)| (e, n));
        let expected_interval = expected.saturating_sub(prior.0);
        let lost_interval = expected_interval.saturating_sub(r.received.saturating_sub(prior.1));
        let fraction_lost =
            (lost_interval << 8).checked_div(expected_interval).map_or(0, |f| f.min(255) as u8);
        self.prior = Some((r.ssrc, expected, r.received));
        let (last_sender_report, delay) = match self.last_sr {
            Some((middle, at)) => (middle, to_1_65536(now.saturating_duration_since(at))),
            None => (0, 0),
        };
        ReceptionReport {
            ssrc: r.ssrc,
            fraction_lost,
            total_lost: lost.min(0x7F_FFFF) as u32,
            last_sequence_number: r.highest,
            jitter: r.jitter,
            last_sender_report,
            delay,
        }
    }
}

/// 64-bit NTP time: seconds since 1900 and a binary fraction.
fn ntp(wallclock: SystemTime) -> u64 {
    let since_unix = wallclock.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_unix.as_secs() + NTP_UNIX_OFFSET;
    let fraction = (u64::from(since_unix.subsec_nanos()) << 32) / 1_000_000_000;
    (seconds << 32) | fraction
}

/// A duration in units of 1/65536 s, as DLSR wants.
fn to_1_65536(duration: Duration) -> u32 {
    (duration.as_secs_f64() * 65_536.0).min(f64::from(u32::MAX)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AudioFrame, Codec};

    #[test]
    fn a_report_carries_what_was_sent_and_what_arrived_and_the_peer_reads_it() {
        let (now, wallclock) = (Instant::now(), UNIX_EPOCH + Duration::from_secs(1_000_000_000));
        let (mut alice_tx, mut bob_rx) = (RtpSender::with_initial(7, 65_530, 0), RtpReceiver::new());
        for seq in 0..10u16 {
            let packet = alice_tx.packetize(&AudioFrame::silence(), Codec::Pcmu, seq == 0);
            if seq != 4 {
                bob_rx.receive(&packet, now); // the fifth is lost; the sequence wraps
            }
        }
        let mut bob = RtcpSession::new("bob@127.0.0.1");
        let bytes = bob.report(&RtpSender::new(), &bob_rx, now, wallclock);
        let packets = rtcp::packet::unmarshal(&mut bytes.clone()).expect("valid RTCP");
        let rr = packets[0].as_any().downcast_ref::<ReceiverReport>().expect("an RR: bob sent nothing");
        let block = &rr.reports[0];
        assert_eq!((block.ssrc, block.total_lost, block.fraction_lost), (7, 1, 25)); // 1/10 of 256
        assert_eq!(block.last_sequence_number, 0x1_0003, "65530 + 9 wrapped once");
        assert!(packets[1].as_any().downcast_ref::<SourceDescription>().is_some(), "then SDES");

        let mut alice = RtcpSession::new("alice@127.0.0.1");
        assert!(alice.receive(&bytes, now));
        assert_eq!(alice.stats().peer_fraction_lost, Some(25));
        let sr = alice.report(&alice_tx, &RtpReceiver::new(), now, wallclock);
        let packets = rtcp::packet::unmarshal(&mut sr.clone()).expect("valid RTCP");
        let sr = packets[0].as_any().downcast_ref::<SenderReport>().expect("an SR: alice sent");
        assert_eq!((sr.packet_count, sr.octet_count), (10, 1600));
        assert_eq!(sr.ntp_time >> 32, 1_000_000_000 + NTP_UNIX_OFFSET);
    }

    proptest::proptest! {
        /// Whatever arrives on the RTCP port is counted, never a panic; valid-looking
        /// headers (version 2, a known packet type) reach the deeper parsing.
        #[test]
        fn any_datagram_is_taken_without_panic(
            mut bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
            packet_type in 200u8..=206,
        ) {
            if bytes.len() >= 4 {
                bytes[0] = 0x80 | (bytes[0] & 0x1f);
                bytes[1] = packet_type;
            }
            let mut session = RtcpSession::new("x@h");
            session.receive(&bytes, Instant::now());
            let stats = session.stats();
            proptest::prop_assert_eq!(stats.received + stats.malformed, 1);
            let report = session.report(&RtpSender::new(), &RtpReceiver::new(), Instant::now(), SystemTime::now());
            proptest::prop_assert!(!report.is_empty());
        }
    }

    #[test]
    fn garbage_on_the_rtcp_port_is_counted_not_taken() {
        let mut session = RtcpSession::new("x@h");
        assert!(!session.receive(b"\x80\xc8 too short", Instant::now()));
        assert_eq!((session.stats().received, session.stats().malformed), (0, 1));
    }
}
