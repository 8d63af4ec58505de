//! Sans-IO media for the SIP session core.
//!
//! Everything here is plain state that takes inputs and returns outputs: no
//! sockets, no tasks, no clock reads (time is passed in as `Instant`s). The
//! runtime owns the UDP socket and the 20 ms timer and drives these types.
//!
//! | module | what it does |
//! |---|---|
//! | [`g711`] | µ-law / A-law sample companding (ITU-T G.711) |
//! | [`codec`] | [`Codec`]: PCMU/PCMA payload types, 20 ms frame encode/decode |
//! | [`frame`] | [`AudioFrame`]: 160 samples of 8 kHz mono |
//! | [`rtp_session`] | [`RtpSender`] / [`RtpReceiver`] on the `rtp` crate, [`RtpStats`] |
//! | [`rtcp_report`] | RTCP sender/receiver reports and SDES on the `rtcp` crate |
//! | [`jitter`] | reordering jitter buffer keyed on RTP sequence numbers |
//! | [`dtmf`] | RFC 4733 telephone-events, SIP INFO DTMF bodies |
//! | [`sdp`] | RFC 3264 offer/answer on the `sdp` crate, hold/resume |
//! | [`tone`] | sine generator, Goertzel detection |
//! | [`wav`] | WAV reading (any format → 8 kHz mono) and recording |
//! | [`mixer`] | [`Mixer`]: saturating mix; [`MixBus`]: a conference's N-1 mix, tick by tick |
//!
//! One frame from encoder to decoder:
//!
//! ```
//! use std::time::Instant;
//! use session_media::{AudioFrame, Codec, RtpReceiver, RtpSender};
//! use session_media::jitter::Playout;
//! use session_media::tone::ToneGenerator;
//!
//! let frame = ToneGenerator::new(440.0, 8000).next_frame();
//! let mut tx = RtpSender::new();
//! let datagram = tx.packetize(&frame, Codec::Pcmu, true); // bytes for the UDP socket
//!
//! let mut rx = RtpReceiver::with_depth(1);
//! rx.receive(&datagram, Instant::now());
//! let Playout::Frame { item: decoded, .. } = rx.pop_frame() else { panic!("no frame") };
//!
//! // G.711 is lossy, but close.
//! let worst = frame.samples().iter().zip(decoded.samples())
//!     .map(|(a, b)| (a - b).abs()).max().unwrap();
//! assert!(worst < 300, "worst error {worst}");
//! assert_eq!(rx.stats().received, 1);
//! ```

// Network input must never panic: these are denied outside tests, and the
// few places that need `expect` carry a local `allow` with the reason.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![warn(missing_docs)]

pub mod codec;
pub mod dtmf;
pub mod frame;
pub mod g711;
pub mod jitter;
pub mod mixer;
#[cfg(feature = "rtp")]
pub mod rtcp_report;
#[cfg(feature = "rtp")]
pub mod rtp_session;
pub mod sdp;
pub mod tone;
pub mod wav;

pub use codec::Codec;
pub use frame::{AudioFrame, FRAME_DURATION, SAMPLE_RATE, SAMPLES_PER_FRAME};
pub use mixer::{MixBus, Mixer, ParticipantId};
#[cfg(feature = "rtp")]
pub use rtp_session::{RtpReceiver, RtpSender, RtpStats};
pub use sdp::{MediaDirection, SdpError};
