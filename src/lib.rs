//! # session-core
//!
//! A SIP user agent library for tokio: place and answer calls with G.711 audio, DTMF,
//! hold, transfer and conferences; register with a registrar; or run one. Its call
//! behaviour is written once, as data, in `state_table.yaml`, and compiled into typed
//! Rust at build time.
//!
//! # Start here
//!
//! Everything an application touches is at this crate's root: a [`SimplePeer`] (one SIP
//! user agent on one UDP socket, made with [`SimplePeer::new`] or
//! [`SimplePeer::builder`] → [`PeerBuilder`]) places and answers [`Call`]s; a call reports
//! [`CallEvent`]s while it lives and an [`EndReason`] when it ends; [`CallError`] says
//! why a request on a call failed and [`PeerError`] why a peer could not start. The
//! audio helpers (frames, tones and their detection, WAV files) are in [`media`].
//!
//! Two things the application provides:
//!
//! - **A tokio runtime.** Every call is `async`, and a peer spawns its tasks on the
//!   runtime it was started on (`#[tokio::main]`, or a `tokio::runtime::Runtime`).
//! - **A `tracing` subscriber, to see logs.** The library logs through [`tracing`]
//!   (calls starting and ending, what was refused and why) and prints nothing itself.
//!   `tracing_subscriber::fmt().with_env_filter(EnvFilter::from_default_env()).init()`
//!   (crate `tracing-subscriber` with its `env-filter` feature) shows them, filtered by
//!   `RUST_LOG` such as `RUST_LOG=info` or `RUST_LOG=session_runtime=debug`.
//!
//! [`tracing`]: https://docs.rs/tracing
//!
//! ## Placing and answering a call
//!
//! Two peers on loopback, each on a free port: Bob answers, Alice calls him by his
//! [`SimplePeer::uri`], and hangs up.
//!
//! ```
//! use session_core::{SimplePeer, State};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let alice = SimplePeer::builder("127.0.0.1:0")?.user("alice").start().await?;
//!     let bob = SimplePeer::builder("127.0.0.1:0")?.user("bob").start().await?;
//!     let target = bob.uri(); // sip:bob@127.0.0.1:PORT
//!
//!     // Bob answers the first call that rings.
//!     let answering = tokio::spawn(async move {
//!         let call = bob.next_call().await.expect("bob is running");
//!         println!("bob: call from {}", call.remote_uri());
//!         call.accept().await.map(|()| (call, bob))
//!     });
//!
//!     // Alice's call returns once it is answered (or fails with why it was not).
//!     let call = alice.call(&target).await?;
//!     assert_eq!(call.state(), State::Active);
//!     let (bobs_call, _bob) = answering.await??;
//!
//!     call.hangup().await?;
//!     println!("alice: {}; bob: {}", call.ended().await, bobs_call.ended().await);
//!     Ok(())
//! }
//! ```
//!
//! A phone elsewhere is called the same way, `peer.call("sip:bob@192.0.2.7:5060")`, from
//! a peer bound to an address that phone can reach (`0.0.0.0:0`, or a fixed port it
//! expects). [`SimplePeer::dial`] returns at once instead of waiting for the answer;
//! [`Call::events`] follows the call.
//!
//! ## Audio
//!
//! A call sends what it is given (a tone, a WAV file, frames of its own, silence) and
//! hands over what it hears as 20 ms [`AudioFrame`]s of 8 kHz mono:
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use session_core::media::{SAMPLE_RATE, ToneGenerator, goertzel};
//! use session_core::{Call, CallError, RecordMode};
//!
//! async fn talk(call: &Call) -> Result<(), CallError> {
//!     call.play_tone(440.0)?; // or play_wav("hello.wav", false), play_silence()
//!     call.start_recording("call.wav", RecordMode::Mixed).await?;
//!     call.send_dtmf("123#").await?;
//!
//!     // The peer's audio, from its first sound: is it playing 1 kHz?
//!     let mut heard = call.audio()?;
//!     if let Some(samples) = heard.capture(Duration::from_millis(500), Duration::from_secs(5)).await {
//!         println!("1 kHz power: {:.1e}", goertzel(&samples, 1000.0, SAMPLE_RATE));
//!     }
//!
//!     // Frames of our own, one every 20 ms, ahead of the tone.
//!     let mut tone = ToneGenerator::new(600.0, 8000);
//!     for _ in 0..50 {
//!         call.send_audio(tone.next_frame())?;
//!         tokio::time::sleep(Duration::from_millis(20)).await;
//!     }
//!     println!("{:?}", call.media_info().await); // codec, addresses, RTP and RTCP counters
//!     call.hangup().await
//! }
//! ```
//!
//! ## Errors
//!
//! Every error says what went wrong and what to do about it (its `Display`), and is an
//! enum to match on:
//!
//! ```
//! use session_core::{CallError, EndReason, PeerError, SimplePeer};
//!
//! // A peer that cannot start: PeerError.
//! let error = SimplePeer::builder("localhost").unwrap_err();
//! assert!(matches!(error, PeerError::BadAddress(_)), "{error}");
//!
//! // A target that cannot be called is refused before anything is sent.
//! let error = session_core::check_target("sip:bob@127.0.0.1:99999").unwrap_err();
//! assert!(matches!(error, CallError::InvalidTarget { .. }), "{error}");
//!
//! // A call that was not answered: CallError::Ended says how it ended.
//! fn explain(outcome: Result<session_core::Call, CallError>) -> String {
//!     match outcome {
//!         Ok(call) => format!("talking to {}", call.remote_uri()),
//!         Err(CallError::Ended(EndReason::Rejected(486))) => "busy".into(),
//!         Err(CallError::Ended(reason)) => format!("not answered: {reason}"),
//!         Err(other) => other.to_string(),
//!     }
//! }
//! assert_eq!(explain(Err(CallError::Ended(EndReason::Rejected(486)))), "busy");
//! ```
//!
//! ## More
//!
//! - **Registering** with a registrar: [`SimplePeer::register`] → [`Registration`].
//! - **Being the registrar and proxy**: [`Server`] with its [`Users`].
//! - **Transfer**: [`Call::transfer`] (blind) and [`Call::transfer_to`] (attended).
//! - **Conferences**: [`ConferenceManager`] mixes answered calls.
//!
//! # Advanced modules
//!
//! Most applications need none of these:
//!
//! | module | what it is for |
//! |---|---|
//! | [`interceptor`] | policies for incoming requests ([`PeerBuilder::handler`]) |
//! | [`auth`] | digest authentication: credentials, user lists, challenges |
//! | [`location`] | where a [`Server`] keeps its bindings: memory, or Redis shared by nodes |
//! | [`server`] | a [`Server`]'s settings ([`ServerConfig`]) and its failure limits |
//! | [`machine`] | the call state machine compiled from `state_table.yaml`: states, events, the graph |
//! | [`coordinator`] | what is under a [`SimplePeer`] and a [`Server`], and the endpoint's counters |
//!
//! The crates underneath (`session-runtime`, the tokio driver; `session-proto`, the
//! sans-IO protocol; `session-media`, the sans-IO media) are this crate's parts: use
//! them through these paths.
//!
//! # Features
//!
//! `cli` (on by default) builds the `simplepeer` command-line tool and what only it needs
//! (clap, tracing-subscriber). A library user can leave it out:
//! `session-core = { version = "0.1", default-features = false }`.

#![warn(missing_docs)]

// Peers and calls.
pub use session_runtime::{BadDisplayName, IpVersionMismatch, OverloadLimits, check_display_name};
// Watching the SIP messages (PeerBuilder::sip_trace).
pub use session_runtime::{
    Call, CallDirection, CallError, CallEvent, CallEvents, EndReason, IncomingMessage, PeerBuilder,
    PeerError, PeerStats, SessionId, SimplePeer, State, check_dtmf, check_target, target_host_port,
};
pub use session_runtime::{SipMessageTrace, TraceDirection};
// A call's audio and media.
pub use session_media::rtcp_report::RtcpStats;
pub use session_media::{AudioFrame, Codec, MediaDirection, RtpStats};
pub use session_runtime::{AudioStream, DtmfMode, MediaInfo, RecordMode};
// Registering with a registrar.
pub use session_runtime::{
    Credentials, RegisterError, RegisterSpec, Registration, RegistrationError, RegistrationId,
    RegistrationState, RegistrationStatus,
};
// Running a registrar and proxy.
pub use session_runtime::auth::Users;
pub use session_runtime::server::ServerConfig;
pub use session_runtime::{Server, ServerBuilder};
// Conferences.
pub use session_runtime::{ConferenceError, ConferenceId, ConferenceManager};

// Advanced modules (see the table in the crate docs).
pub use session_runtime::{auth, interceptor, location, machine, server};

pub mod media {
    //! Audio for a call: 20 ms frames of 8 kHz mono, tones and their detection, WAV files.
    //!
    //! [`Call::send_audio`](crate::Call::send_audio) takes [`AudioFrame`]s,
    //! [`Call::audio`](crate::Call::audio) hands them over;
    //! [`ToneGenerator`] makes a tone frame by frame and [`goertzel`] measures one
    //! frequency's power in samples; [`read_wav`] and [`WavRecorder`] read and write WAV.
    //!
    //! ```
    //! use session_core::media::{AudioFrame, SAMPLE_RATE, ToneGenerator, goertzel};
    //!
    //! let mut tone = ToneGenerator::new(1000.0, 8000);
    //! let samples: Vec<i16> = (0..10).flat_map(|_| tone.next_frame().samples().to_vec()).collect();
    //! assert!(goertzel(&samples, 1000.0, SAMPLE_RATE) > 100.0 * goertzel(&samples, 400.0, SAMPLE_RATE));
    //! assert!(AudioFrame::silence().is_silent());
    //! ```

    pub use session_media::rtcp_report::RtcpStats;
    pub use session_media::tone::{OutOfBand, ToneGenerator, check_band, dominant_frequency, goertzel};
    pub use session_media::wav::{WavError, WavRecorder, read_wav, read_wav_from};
    pub use session_media::{
        AudioFrame, Codec, FRAME_DURATION, MediaDirection, RtpStats, SAMPLE_RATE, SAMPLES_PER_FRAME,
    };
}

pub mod coordinator {
    //! What is under a [`SimplePeer`](crate::SimplePeer) and a [`Server`](crate::Server): the
    //! endpoint's task and its call controller
    //! ([`SimplePeer::coordinator`](crate::SimplePeer::coordinator)), their settings, and the endpoint's counters
    //! ([`UnifiedCoordinator::stats`]).

    pub use session_runtime::api::{CallController, PeerConfig, PeerServices, Stats, UnifiedCoordinator};
}

/// The Markdown page with the state graph, rendered by `build.rs` from the table.
/// `docs/state-graph.md` must equal it.
#[doc(hidden)]
pub const STATE_GRAPH_PAGE: &str = include_str!(concat!(env!("OUT_DIR"), "/state-graph.md"));
