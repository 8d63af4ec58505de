//! [`ConferenceManager`]: the application's handle on its conferences.

use std::path::Path;
use std::sync::{Arc, Mutex};

use super::media;
use super::registry::{Registry, lock};
use super::{ConferenceError, ConferenceId};
use crate::api::Call;

/// Puts calls into conferences, where each hears all the others (see the
/// [module documentation](super) for how the audio flows, and for mute and hold).
///
/// A conference bridge of its own, like PJSIP's or baresip's: create one with
/// [`ConferenceManager::new`] and give it answered calls, from one [`SimplePeer`] or
/// several. Clones are handles on the same conferences; dropping the last one ends them
/// all (their calls go on, sending silence).
///
/// ```no_run
/// # async fn demo(peer: session_core::SimplePeer) -> Result<(), Box<dyn std::error::Error>> {
/// use session_core::ConferenceManager;
///
/// let conferences = ConferenceManager::new();
/// let room = conferences.create();
/// let alice = peer.call("sip:alice@127.0.0.1:5070").await?;
/// let bob = peer.call("sip:bob@127.0.0.1:5080").await?;
/// conferences.add_participant(room, &alice)?;
/// conferences.add_participant(room, &bob)?; // alice and bob hear each other
/// bob.ended().await;                         // bob hung up: he left by himself
/// assert_eq!(conferences.participants(room)?.len(), 1);
/// conferences.destroy(room)?;
/// # Ok(()) }
/// ```
///
/// [`SimplePeer`]: crate::SimplePeer
#[derive(Clone, Debug, Default)]
pub struct ConferenceManager {
    registry: Arc<Mutex<Registry>>,
}

impl ConferenceManager {
    /// A manager with no conferences.
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates an empty conference and starts its mixer.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (the mixer is a task), as `tokio::spawn` does.
    pub fn create(&self) -> ConferenceId {
        let id = lock(&self.registry).create();
        media::create_audio_mixer(Arc::downgrade(&self.registry), id);
        tracing::info!(conference = %id, "conference created");
        id
    }

    /// Puts an answered call into conference `id`. From the next 20 ms tick the call
    /// hears the other participants, and they hear it; its own audio source (tone, WAV)
    /// is replaced by silence. A call on hold joins held. Refused for a conference that
    /// does not exist, a call not answered yet or ended, and a call already in a
    /// conference.
    pub fn add_participant(&self, id: ConferenceId, call: &Call) -> Result<(), ConferenceError> {
        lock(&self.registry).add(id, call)
    }

    /// Takes a call out of conference `id`; the call goes on, sending silence. The
    /// others stop hearing it at the next tick.
    pub fn remove_participant(&self, id: ConferenceId, call: &Call) -> Result<(), ConferenceError> {
        lock(&self.registry).remove(id, call)
    }

    /// Ends conference `id`: every participant taken out (their calls go on), its
    /// recording finished, its mixer stopped.
    pub fn destroy(&self, id: ConferenceId) -> Result<(), ConferenceError> {
        let conference = lock(&self.registry).destroy(id)?;
        media::destroy_mixer(id, conference);
        tracing::info!(conference = %id, "conference destroyed");
        Ok(())
    }

    /// The conferences that exist, oldest first.
    pub fn list(&self) -> Vec<ConferenceId> {
        lock(&self.registry).list()
    }

    /// A handle on each call in conference `id`, in the order they joined (calls that
    /// ended have left).
    pub fn participants(&self, id: ConferenceId) -> Result<Vec<Call>, ConferenceError> {
        lock(&self.registry).participants(id)
    }

    /// The conference `call` is in, if any.
    pub fn conference_of(&self, call: &Call) -> Option<ConferenceId> {
        lock(&self.registry).conference_of(call)
    }

    /// Mutes (`true`) or unmutes a participant: muted, it still hears the others, but
    /// is left out of their mix and of the recording.
    pub fn set_muted(&self, id: ConferenceId, call: &Call, muted: bool) -> Result<(), ConferenceError> {
        lock(&self.registry).set_muted(id, call, muted)
    }

    /// Records conference `id` to a WAV file (8 kHz, 16-bit mono): the mix of every
    /// participant in it, a frame every 20 ms, silence where nobody speaks. The file
    /// is created now; it is finished by [`ConferenceManager::stop_recording`] or
    /// [`ConferenceManager::destroy`]. One recording per conference at a time.
    pub fn record(&self, id: ConferenceId, path: impl AsRef<Path>) -> Result<(), ConferenceError> {
        lock(&self.registry).record(id, path.as_ref())
    }

    /// Finishes conference `id`'s recording (nothing to do when it does not record).
    pub fn stop_recording(&self, id: ConferenceId) -> Result<(), ConferenceError> {
        lock(&self.registry).stop_recording(id)
    }
}
