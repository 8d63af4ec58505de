//! Which conferences exist and who is in each: the bookkeeping behind a
//! [`ConferenceManager`](super::ConferenceManager), checked and synchronous.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::bridge::{Conference, is_over};
use super::media;
use super::{ConferenceError, ConferenceId};
use crate::api::Call;

/// Locks the registry; a panic elsewhere while it was held leaves it usable (every
/// change to it is a single step).
pub(super) fn lock(registry: &Mutex<Registry>) -> MutexGuard<'_, Registry> {
    registry.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Every conference of one manager.
#[derive(Debug, Default)]
pub(super) struct Registry {
    /// The last id handed out.
    last: u64,
    conferences: BTreeMap<ConferenceId, Conference>,
}

impl Registry {
    /// A new, empty conference.
    pub(super) fn create(&mut self) -> ConferenceId {
        self.last += 1;
        let id = ConferenceId(self.last);
        self.conferences.insert(id, Conference::new(id));
        id
    }

    /// Takes conference `id` out, for [`media::destroy_mixer`].
    pub(super) fn destroy(&mut self, id: ConferenceId) -> Result<Conference, ConferenceError> {
        self.conferences.remove(&id).ok_or(ConferenceError::UnknownConference(id))
    }

    /// The conferences, oldest first.
    pub(super) fn list(&self) -> Vec<ConferenceId> {
        self.conferences.keys().copied().collect()
    }

    /// The calls in conference `id`.
    pub(super) fn participants(&self, id: ConferenceId) -> Result<Vec<Call>, ConferenceError> {
        self.conferences.get(&id).map(Conference::calls).ok_or(ConferenceError::UnknownConference(id))
    }

    /// The conference `call` is in.
    pub(super) fn conference_of(&self, call: &Call) -> Option<ConferenceId> {
        self.conferences.iter().find(|(_, c)| c.contains(call)).map(|(id, _)| *id)
    }

    /// Puts `call` into conference `id`: it must be answered, live, and in no
    /// conference yet.
    pub(super) fn add(&mut self, id: ConferenceId, call: &Call) -> Result<(), ConferenceError> {
        if !self.conferences.contains_key(&id) {
            return Err(ConferenceError::UnknownConference(id));
        }
        let state = call.state();
        if is_over(state) || call.end_reason().is_some() {
            return Err(ConferenceError::CallEnded { call: call.id(), state });
        }
        if call.shared().status.borrow().answered_at.is_none() {
            return Err(ConferenceError::NotAnswered { call: call.id(), state });
        }
        if let Some(conference) = self.conference_of(call) {
            return Err(ConferenceError::AlreadyInConference { call: call.id(), conference });
        }
        let heard = media::redirect_to_mixer(call)?;
        self.conference(id)?.join(call, heard);
        tracing::info!(conference = %id, call = %call.id(), remote = %call.remote_uri(), "joined the conference");
        Ok(())
    }

    /// Takes `call` out of conference `id`.
    pub(super) fn remove(&mut self, id: ConferenceId, call: &Call) -> Result<(), ConferenceError> {
        if !self.conference(id)?.leave(call) {
            return Err(ConferenceError::NotInConference { call: call.id(), conference: id });
        }
        tracing::info!(conference = %id, call = %call.id(), "left the conference");
        Ok(())
    }

    /// Mutes or unmutes `call` in conference `id`.
    pub(super) fn set_muted(
        &mut self,
        id: ConferenceId,
        call: &Call,
        muted: bool,
    ) -> Result<(), ConferenceError> {
        if !self.conference(id)?.set_muted(call, muted) {
            return Err(ConferenceError::NotInConference { call: call.id(), conference: id });
        }
        tracing::debug!(conference = %id, call = %call.id(), muted, "mute changed");
        Ok(())
    }

    /// Records conference `id`'s mix to `path`.
    pub(super) fn record(&mut self, id: ConferenceId, path: &Path) -> Result<(), ConferenceError> {
        let conference = self.conference(id)?;
        if let Some(recording) = conference.recording() {
            return Err(ConferenceError::AlreadyRecording { conference: id, path: recording.to_owned() });
        }
        conference.record(path).map_err(|reason| ConferenceError::Recording {
            conference: id,
            path: path.to_owned(),
            reason,
        })?;
        tracing::info!(conference = %id, path = %path.display(), "recording the conference");
        Ok(())
    }

    /// Finishes conference `id`'s recording; nothing to do when it does not record.
    pub(super) fn stop_recording(&mut self, id: ConferenceId) -> Result<(), ConferenceError> {
        match self.conference(id)?.stop_recording() {
            Some((path, Err(reason))) => Err(ConferenceError::Recording { conference: id, path, reason }),
            Some((path, Ok(()))) => {
                tracing::info!(conference = %id, path = %path.display(), "conference recording finished");
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// One tick of conference `id`'s mixer; `false` once the conference is gone.
    pub(super) fn tick(&mut self, id: ConferenceId) -> bool {
        self.conferences.get_mut(&id).map(Conference::tick).is_some()
    }

    fn conference(&mut self, id: ConferenceId) -> Result<&mut Conference, ConferenceError> {
        self.conferences.get_mut(&id).ok_or(ConferenceError::UnknownConference(id))
    }
}
