//! One conference's mixing state: its [`MixBus`], its participants and its recording,
//! and what one 20 ms tick does with them.

use std::collections::VecDeque;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use session_media::wav::WavRecorder;
use session_media::{AudioFrame, MixBus, ParticipantId};
use tokio::sync::mpsc;

use super::ConferenceId;
use super::media;
use crate::api::Call;
use crate::machine::State;

/// Received frames kept for the next ticks when a call's engine delivered several
/// between two ticks (the engines and the mixer wake on the same boundary, in either
/// order); older ones are dropped, so what a participant says is at most this many
/// frames late.
const MAX_WAITING: usize = 3;

type Recorder = WavRecorder<BufWriter<std::fs::File>>;

/// Whether a call in `state` is on hold, for the mix: from the hold re-INVITE until the
/// resume is answered.
pub(super) fn is_held(state: State) -> bool {
    matches!(state, State::Holding | State::OnHold | State::Resuming)
}

/// Whether a call in `state` has ended or is ending.
pub(super) fn is_over(state: State) -> bool {
    matches!(state, State::Cancelling | State::Terminating) || state.is_terminal()
}

/// One call in a conference.
#[derive(Debug)]
pub(super) struct Participant {
    /// The call (a handle keeps its shared state, and so its identity, alive).
    pub(super) call: Call,
    /// Its place in the bus.
    pub(super) slot: ParticipantId,
    /// What its call receives, from its media engine.
    pub(super) heard: mpsc::Receiver<AudioFrame>,
    /// Received frames not mixed yet, oldest first.
    waiting: VecDeque<AudioFrame>,
    /// Left out of the others' mix by the application.
    muted: bool,
    /// Its call is on hold: left out and hears nothing.
    held: bool,
}

impl Participant {
    /// Whether this is `call` (another handle on the same call counts).
    pub(super) fn is(&self, call: &Call) -> bool {
        std::ptr::eq(self.call.shared(), call.shared())
    }

    /// Sets the bus flags from `muted` and `held`.
    fn apply(&self, bus: &mut MixBus) {
        // The slot is ours as long as we are in `participants`: these cannot fail.
        let _ = bus.set_included(self.slot, !self.muted && !self.held);
        let _ = bus.set_hears(self.slot, !self.held);
    }

    /// Takes what the call's engine delivered since the last tick and gives the frame
    /// for this tick, if any.
    fn next_frame(&mut self) -> Option<AudioFrame> {
        while let Ok(frame) = self.heard.try_recv() {
            if self.waiting.len() == MAX_WAITING {
                self.waiting.pop_front();
            }
            self.waiting.push_back(frame);
        }
        self.waiting.pop_front()
    }
}

/// A recording of the whole conference's mix.
#[derive(Debug)]
struct Recording {
    path: PathBuf,
    recorder: Recorder,
}

/// The mixing state of one conference.
#[derive(Debug)]
pub(super) struct Conference {
    id: ConferenceId,
    bus: MixBus,
    participants: Vec<Participant>,
    recording: Option<Recording>,
}

impl Conference {
    /// An empty conference.
    pub(super) fn new(id: ConferenceId) -> Self {
        Self { id, bus: MixBus::with_capacity(8), participants: Vec::new(), recording: None }
    }

    /// Whether `call` takes part.
    pub(super) fn contains(&self, call: &Call) -> bool {
        self.participants.iter().any(|p| p.is(call))
    }

    /// A handle on each participant's call, in the order they joined.
    pub(super) fn calls(&self) -> Vec<Call> {
        self.participants.iter().map(|p| p.call.clone()).collect()
    }

    /// Adds `call`, whose received audio arrives on `heard`; it is held if its call is.
    pub(super) fn join(&mut self, call: &Call, heard: mpsc::Receiver<AudioFrame>) {
        let held = is_held(call.state());
        let slot = self.bus.add();
        let participant =
            Participant { call: call.clone(), slot, heard, waiting: VecDeque::new(), muted: false, held };
        participant.apply(&mut self.bus);
        self.participants.push(participant);
    }

    /// Takes `call` out; `false` when it was not in.
    pub(super) fn leave(&mut self, call: &Call) -> bool {
        let Some(at) = self.participants.iter().position(|p| p.is(call)) else { return false };
        media::remove_from_mixer(&mut self.bus, self.participants.remove(at));
        true
    }

    /// Mutes or unmutes `call`; `false` when it is not in.
    pub(super) fn set_muted(&mut self, call: &Call, muted: bool) -> bool {
        let Some(participant) = self.participants.iter_mut().find(|p| p.is(call)) else { return false };
        participant.muted = muted;
        participant.apply(&mut self.bus);
        true
    }

    /// Where the conference records, if it does.
    pub(super) fn recording(&self) -> Option<&Path> {
        self.recording.as_ref().map(|r| r.path.as_path())
    }

    /// Records the mix to `path` from the next tick on (the file is created now).
    pub(super) fn record(&mut self, path: &Path) -> Result<(), String> {
        let recorder = Recorder::create(path).map_err(|error| error.to_string())?;
        self.recording = Some(Recording { path: path.to_owned(), recorder });
        Ok(())
    }

    /// Finishes the recording, if there is one, and says where it was.
    pub(super) fn stop_recording(&mut self) -> Option<(PathBuf, Result<(), String>)> {
        let Recording { path, recorder } = self.recording.take()?;
        Some((path, recorder.finish().map_err(|error| error.to_string())))
    }

    /// Every participant, taken out of the conference.
    pub(super) fn take_participants(&mut self) -> Vec<Participant> {
        std::mem::take(&mut self.participants)
    }

    /// The bus, for [`media::remove_from_mixer`].
    pub(super) fn bus_mut(&mut self) -> &mut MixBus {
        &mut self.bus
    }

    /// One 20 ms tick: participants whose call ended leave, hold changes apply, each
    /// received frame goes into the bus, and each hearing participant's mix-minus goes
    /// to its call. Never waits: a participant with no frame adds silence.
    pub(super) fn tick(&mut self) {
        self.leave_ended();
        let Self { id, bus, participants, recording } = self;
        for participant in participants.iter_mut() {
            let held = is_held(participant.call.state());
            if held != participant.held {
                participant.held = held;
                participant.apply(bus);
                let call = participant.call.id();
                tracing::debug!(conference = %id, %call, held, "hold changed: in the mix again when resumed");
            }
            if let Some(frame) = participant.next_frame() {
                // The slot is the participant's: cannot fail.
                let _ = bus.push(participant.slot, &frame);
            }
        }
        let tick = bus.tick();
        for participant in participants.iter() {
            if let Some(output) = tick.output(participant.slot) {
                media::deliver(&participant.call, output);
            }
        }
        if let Some(Recording { path, recorder }) = recording
            && let Err(error) = recorder.write_frame(tick.mix())
        {
            tracing::warn!(conference = %id, path = %path.display(), %error, "conference recording stopped");
            *recording = None;
        }
    }

    /// Takes out the participants whose call has ended or is ending.
    fn leave_ended(&mut self) {
        let id = self.id;
        let mut at = 0;
        while at < self.participants.len() {
            let call = &self.participants[at].call;
            let state = call.state();
            if is_over(state) || call.end_reason().is_some() {
                tracing::info!(conference = %id, call = %call.id(), %state, "left the conference: its call ended");
                media::remove_from_mixer(&mut self.bus, self.participants.remove(at));
            } else {
                at += 1;
            }
        }
    }
}
