//! What a [`ConferenceManager`](super::ConferenceManager) refuses, and why.

use std::path::PathBuf;

use thiserror::Error;

use super::ConferenceId;
use crate::machine::State;
use crate::types::SessionId;

/// Why a conference request was refused. Each message says what was wrong and what to
/// do about it.
#[derive(Debug, Error)]
pub enum ConferenceError {
    /// The conference was never created by this manager, or was destroyed.
    #[error(
        "{0} does not exist (never created by this manager, or destroyed); create one with ConferenceManager::create"
    )]
    UnknownConference(ConferenceId),
    /// The call has not been answered yet: it has no media to mix.
    #[error(
        "call {call} is not answered yet (state {state}); add it once it is Active (Call::wait_for(State::Active))"
    )]
    NotAnswered {
        /// The call.
        call: SessionId,
        /// Its state.
        state: State,
    },
    /// The call has ended, is ending, or its media has stopped.
    #[error(
        "call {call} has ended or is ending (state {state}); only a live, answered call can be in a conference"
    )]
    CallEnded {
        /// The call.
        call: SessionId,
        /// Its state.
        state: State,
    },
    /// The call is in a conference already (this one or another).
    #[error("call {call} is already in {conference}; remove it from there first (remove_participant)")]
    AlreadyInConference {
        /// The call.
        call: SessionId,
        /// The conference it is in.
        conference: ConferenceId,
    },
    /// The call is not in this conference (never added, removed, or its call ended).
    #[error(
        "call {call} is not in {conference}; add it first with add_participant (a call that ended has left)"
    )]
    NotInConference {
        /// The call.
        call: SessionId,
        /// The conference asked about.
        conference: ConferenceId,
    },
    /// The conference records already.
    #[error("{conference} is already recording to {}; call stop_recording first", path.display())]
    AlreadyRecording {
        /// The conference.
        conference: ConferenceId,
        /// Where it records.
        path: PathBuf,
    },
    /// The recording's file could not be created or finished.
    #[error("cannot record {conference} to {}: {reason}; choose a writable path", path.display())]
    Recording {
        /// The conference.
        conference: ConferenceId,
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}
