//! The conference's side of the media plane, in the `MediaAdapter`'s words: a mixer
//! task per conference on the shared 20 ms clock, and the redirection of a call's
//! media into it and back out.

use std::sync::{Mutex, Weak};

use session_media::{AudioFrame, FRAME_DURATION, MixBus};
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

use super::bridge::{Conference, Participant};
use super::registry::{Registry, lock};
use super::{ConferenceError, ConferenceId};
use crate::api::Call;
use crate::media::engine::next_shared_tick;
use crate::media::{AudioSource, MediaControl};

/// Received frames a call's engine may queue for the mixer (160 ms) before it drops
/// them; the mixer keeps only the newest few anyway.
const HEARD_BUFFER: usize = 8;

/// Starts the mixer task of conference `id`: it ticks on the clock every media engine
/// shares until the conference is destroyed or the last manager handle dropped.
pub(super) fn create_audio_mixer(registry: Weak<Mutex<Registry>>, id: ConferenceId) {
    tokio::spawn(async move {
        let mut clock = tokio::time::interval_at(next_shared_tick(), FRAME_DURATION);
        // A late tick is skipped, not made up: a burst would queue frames ahead of every
        // call and delay the conference for good; a skipped one is a frame of silence.
        clock.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            clock.tick().await;
            let Some(registry) = registry.upgrade() else { break };
            if !lock(&registry).tick(id) {
                break;
            }
        }
        tracing::debug!(conference = %id, "mixer stopped");
    });
}

/// Points `call`'s media at the mixer: its own source becomes silence (so a frame the
/// mixer misses is silence, not the old tone), and its received audio is delivered to
/// the returned receiver.
pub(super) fn redirect_to_mixer(call: &Call) -> Result<mpsc::Receiver<AudioFrame>, ConferenceError> {
    let (tx, heard) = mpsc::channel(HEARD_BUFFER);
    let media = &call.shared().media;
    let silenced = media.unbounded_send(MediaControl::Source(Box::new(AudioSource::Silence)));
    if silenced.is_err() || media.unbounded_send(MediaControl::Subscribe(tx)).is_err() {
        return Err(ConferenceError::CallEnded { call: call.id(), state: call.state() });
    }
    Ok(heard)
}

/// Sends one frame of the mix to `call`, ahead of its (silent) source. Never waits; a
/// call whose media has stopped is left to [`Conference::tick`] to take out.
pub(super) fn deliver(call: &Call, frame: &AudioFrame) {
    let _ = call.shared().media.unbounded_send(MediaControl::Frame(Box::new(frame.clone())));
}

/// Takes `participant` out of the mix: its slot in `bus` is freed and its subscription
/// to the call's received audio dropped (the engine forgets a closed receiver). Frames
/// already queued at the call play out; then it sends silence.
pub(super) fn remove_from_mixer(bus: &mut MixBus, participant: Participant) {
    bus.remove(participant.slot);
    tracing::debug!(call = %participant.call.id(), "out of the mixer");
    drop(participant.heard);
}

/// Ends a conference's media: every participant out of the mix, the recording
/// finished (an error finishing it is logged: the conference is gone either way).
pub(super) fn destroy_mixer(id: ConferenceId, mut conference: Conference) {
    for participant in conference.take_participants() {
        remove_from_mixer(conference.bus_mut(), participant);
    }
    if let Some((path, Err(error))) = conference.stop_recording() {
        tracing::warn!(conference = %id, path = %path.display(), %error, "cannot finish the conference recording");
    }
}
