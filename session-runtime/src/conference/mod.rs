//! Conferences: several calls heard together, mixed on the media plane.
//!
//! A [`ConferenceManager`] puts answered [`Call`](crate::Call)s into conferences. Each
//! conference has one mixer task that ticks on the 20 ms clock every call's media
//! engine shares. At each tick it takes the frame each participant's call received,
//! mixes them in a [`MixBus`](session_media::MixBus), and sends every participant the
//! sum of the *others* (mix-minus: nobody hears themselves) ahead of its call's own
//! audio; it can also record the whole conference's mix to one WAV file.
//!
//! - **Joining** replaces the call's own audio (tone, WAV, silence) by silence: what it
//!   sends is then the conference's audio, and silence where a frame is missing. The
//!   call keeps sending silence after it leaves; play something else if wanted.
//! - **Timing**: the mixer never waits for anyone. A frame that is late or missing
//!   counts as silence for its tick; a participant that lags is dropped frames, not
//!   waited for.
//! - **Mute** ([`ConferenceManager::set_muted`]): the participant still hears the
//!   others, but is left out of their mix.
//! - **Hold**: while a participant's call is on hold (`Holding`, `OnHold`, or
//!   `Resuming` until the resume is answered) it is left out of the others' mix and
//!   hears nothing; it comes back by itself once the call is `Active` again.
//! - **End**: a participant whose call ends leaves its conference by itself.
//!
//! ```no_run
//! # async fn demo(a: session_core::Call, b: session_core::Call, c: session_core::Call)
//! # -> Result<(), session_core::ConferenceError> {
//! use session_core::ConferenceManager;
//!
//! let conferences = ConferenceManager::new();
//! let room = conferences.create();
//! for call in [&a, &b, &c] {
//!     conferences.add_participant(room, call)?; // each answered call
//! }
//! conferences.record(room, "room.wav")?;         // the whole conference, one file
//! conferences.set_muted(room, &c, true)?;        // c hears a and b; they no longer hear c
//! conferences.remove_participant(room, &b)?;     // b's call goes on, outside the room
//! conferences.destroy(room)?;                    // finishes the recording
//! # Ok(()) }
//! ```

mod bridge;
mod error;
mod manager;
mod media;
mod registry;
#[cfg(test)]
mod tests;

pub use error::ConferenceError;
pub use manager::ConferenceManager;

/// Names one conference of a [`ConferenceManager`]; handed out by
/// [`ConferenceManager::create`] and never reused by that manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConferenceId(u64);

impl ConferenceId {
    /// The number behind the id (1 for a manager's first conference).
    pub fn get(self) -> u64 {
        self.0
    }
}

impl std::fmt::Display for ConferenceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "conference-{}", self.0)
    }
}
