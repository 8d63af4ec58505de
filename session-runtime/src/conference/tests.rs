//! The manager's bookkeeping, its refusals, and the mix each tick makes, on calls whose
//! media engine is the test itself: it reads the controls a conference sends and plays
//! the engine's part of delivering received audio.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_channel::mpsc as queue;
use session_media::AudioFrame;
use session_proto::EndReason;
use tokio::sync::mpsc;

use super::registry::Registry;
use super::{ConferenceError, ConferenceManager};
use crate::api::Call;
use crate::driver::command::Command;
use crate::machine::State;
use crate::media::{AudioSource, MediaControl};
use crate::shared::CallShared;
use crate::types::{CallDirection, SessionId};

/// A call whose media engine the test plays.
struct Fake {
    call: Call,
    shared: Arc<CallShared>,
    controls: queue::UnboundedReceiver<MediaControl>,
    /// Where the engine delivers received audio, once the conference subscribed.
    heard: Option<mpsc::Sender<AudioFrame>>,
    /// Whether the conference silenced the call's own source.
    silenced: bool,
    /// Frames the conference gave the call to send, not yet looked at.
    given: Vec<AudioFrame>,
    _commands: mpsc::UnboundedReceiver<Command>,
}

impl Fake {
    /// A call in `state`; answered unless that is `RingingOutbound`.
    fn new(id: u64, state: State) -> Self {
        let shared = CallShared::new(SessionId(id), CallDirection::Outgoing, format!("sip:p{id}@127.0.0.1"));
        shared.set_state(State::RingingOutbound, Instant::now());
        if state != State::RingingOutbound {
            shared.set_state(State::Active, Instant::now());
            shared.set_state(state, Instant::now());
        }
        let controls = shared.take_media_controls().expect("the controls");
        let (commands, _commands) = mpsc::unbounded_channel();
        let call = Call::new(shared.clone(), commands);
        Self { call, shared, controls, heard: None, silenced: false, given: Vec::new(), _commands }
    }

    fn active(id: u64) -> Self {
        Self::new(id, State::Active)
    }

    /// Reads the controls sent so far.
    fn pump(&mut self) {
        while let Ok(control) = self.controls.try_recv() {
            match control {
                MediaControl::Frame(frame) => self.given.push(*frame),
                MediaControl::Subscribe(listener) => self.heard = Some(listener),
                MediaControl::Source(source) => self.silenced = matches!(*source, AudioSource::Silence),
                other => panic!("a conference sent {other:?}"),
            }
        }
    }

    /// The engine received one frame of constant `value`.
    fn receive(&mut self, value: i16) {
        self.pump();
        let heard = self.heard.as_ref().expect("the conference subscribed");
        heard.try_send(AudioFrame::from_samples(&[value; 160])).expect("room for a frame");
    }

    /// The first sample of each frame the conference gave the call since last asked.
    fn given(&mut self) -> Vec<i16> {
        self.pump();
        self.given.drain(..).map(|f| f.samples()[0]).collect()
    }

    /// Whether the conference still listens to this call's received audio.
    fn subscribed(&mut self) -> bool {
        self.pump();
        self.heard.as_ref().is_some_and(|heard| !heard.is_closed())
    }

    fn set_state(&self, state: State) {
        self.shared.set_state(state, Instant::now());
    }
}

/// A registry with one conference holding `n` answered calls.
fn conference_of(n: u64) -> (Registry, super::ConferenceId, Vec<Fake>) {
    let mut registry = Registry::default();
    let id = registry.create();
    let fakes: Vec<Fake> = (1..=n).map(Fake::active).collect();
    for fake in &fakes {
        registry.add(id, &fake.call).expect("joins");
    }
    (registry, id, fakes)
}

#[test]
fn ids_are_distinct_listed_in_order_and_gone_once_destroyed() {
    let mut registry = Registry::default();
    let (a, b, c) = (registry.create(), registry.create(), registry.create());
    assert_eq!(a.to_string(), "conference-1");
    assert_eq!((b.get(), c.get()), (2, 3));
    assert_eq!(registry.list(), [a, b, c]);
    registry.destroy(b).expect("exists");
    assert_eq!(registry.list(), [a, c]);
    let again = registry.destroy(b).expect_err("gone");
    assert!(matches!(again, ConferenceError::UnknownConference(id) if id == b));
    assert!(again.to_string().contains("conference-2 does not exist"), "{again}");
    assert_eq!(registry.create().get(), 4, "an id is never handed out twice");
}

#[test]
fn calls_that_cannot_join_are_refused_with_the_reason() {
    let mut registry = Registry::default();
    let id = registry.create();
    let ringing = Fake::new(1, State::RingingOutbound);
    let error = registry.add(id, &ringing.call).expect_err("not answered");
    assert!(matches!(error, ConferenceError::NotAnswered { state: State::RingingOutbound, .. }), "{error}");
    assert!(error.to_string().contains("wait_for(State::Active)"), "says what to do: {error}");

    let ending = Fake::new(2, State::Terminating);
    let error = registry.add(id, &ending.call).expect_err("ending");
    assert!(matches!(error, ConferenceError::CallEnded { .. }), "{error}");
    let ended = Fake::active(3);
    ended.shared.end(EndReason::RemoteHangup, Instant::now());
    assert!(matches!(registry.add(id, &ended.call), Err(ConferenceError::CallEnded { .. })));

    let unknown = registry.add(super::ConferenceId(99), &Fake::active(4).call).expect_err("unknown");
    assert!(matches!(unknown, ConferenceError::UnknownConference(_)), "{unknown}");
    assert_eq!(registry.participants(id).expect("exists").len(), 0, "nobody joined");
}

#[test]
fn a_call_is_in_one_conference_at_a_time() {
    let (mut registry, first, fakes) = conference_of(1);
    let second = registry.create();
    let call = &fakes[0].call;
    let twice = registry.add(first, call).expect_err("already in");
    assert!(matches!(twice, ConferenceError::AlreadyInConference { conference, .. } if conference == first));
    let elsewhere = registry.add(second, &call.clone()).expect_err("a clone is the same call");
    assert!(
        elsewhere.to_string().contains("already in conference-1; remove it from there first"),
        "{elsewhere}"
    );
    assert_eq!(registry.conference_of(call), Some(first));

    let not_in = registry.remove(second, call).expect_err("not in the second");
    assert!(matches!(not_in, ConferenceError::NotInConference { .. }), "{not_in}");
    assert!(matches!(registry.set_muted(second, call, true), Err(ConferenceError::NotInConference { .. })));
    registry.remove(first, call).expect("in the first");
    registry.add(second, call).expect("free to join another now");
    assert_eq!(registry.conference_of(call), Some(second));
    assert_eq!(registry.participants(first).expect("exists").len(), 0);
}

#[test]
fn joining_silences_the_call_and_listens_to_what_it_receives() {
    let (_registry, _id, mut fakes) = conference_of(1);
    assert!(fakes[0].subscribed(), "the conference listens");
    assert!(fakes[0].silenced, "its own source is now silence");
}

#[test]
fn each_hears_the_sum_of_the_others_and_a_missing_frame_is_silence() {
    let (mut registry, id, mut fakes) = conference_of(3);
    for (fake, value) in fakes.iter_mut().zip([100, 20, 3]) {
        fake.receive(value);
    }
    assert!(registry.tick(id));
    let heard: Vec<Vec<i16>> = fakes.iter_mut().map(Fake::given).collect();
    assert_eq!(heard, [vec![23], vec![103], vec![120]], "mix-minus");

    fakes[0].receive(100); // the others sent nothing this tick
    registry.tick(id);
    let heard: Vec<Vec<i16>> = fakes.iter_mut().map(Fake::given).collect();
    assert_eq!(heard, [vec![0], vec![100], vec![100]]);
}

#[test]
fn a_muted_participant_hears_the_others_but_is_left_out_of_their_mix() {
    let (mut registry, id, mut fakes) = conference_of(3);
    registry.set_muted(id, &fakes[0].call, true).expect("in");
    for (fake, value) in fakes.iter_mut().zip([100, 20, 3]) {
        fake.receive(value);
    }
    registry.tick(id);
    let heard: Vec<Vec<i16>> = fakes.iter_mut().map(Fake::given).collect();
    assert_eq!(heard, [vec![23], vec![3], vec![20]]);

    registry.set_muted(id, &fakes[0].call, false).expect("in");
    for (fake, value) in fakes.iter_mut().zip([100, 20, 3]) {
        fake.receive(value);
    }
    registry.tick(id);
    assert_eq!(fakes[1].given(), [103], "heard again once unmuted");
}

#[test]
fn a_held_call_hears_nothing_and_is_out_of_the_mix_until_resumed() {
    let (mut registry, id, mut fakes) = conference_of(3);
    let tick = |registry: &mut Registry, fakes: &mut [Fake]| {
        for (fake, value) in fakes.iter_mut().zip([100, 20, 3]) {
            fake.receive(value);
        }
        registry.tick(id);
        fakes.iter_mut().map(Fake::given).collect::<Vec<_>>()
    };
    for held in [State::Holding, State::OnHold, State::Resuming] {
        fakes[0].set_state(held);
        assert_eq!(tick(&mut registry, &mut fakes), [vec![], vec![3], vec![20]], "{held}");
    }
    fakes[0].set_state(State::Active);
    assert_eq!(tick(&mut registry, &mut fakes), [vec![23], vec![103], vec![120]], "resumed");
    assert_eq!(registry.participants(id).expect("exists").len(), 3, "holding is not leaving");
}

#[test]
fn a_call_that_ends_leaves_by_itself_and_a_removed_one_is_no_longer_heard() {
    let (mut registry, id, mut fakes) = conference_of(3);
    fakes[1].shared.end(EndReason::RemoteHangup, Instant::now());
    fakes[1].set_state(State::Terminated);
    for (fake, value) in fakes.iter_mut().zip([100, 20, 3]) {
        fake.receive(value);
    }
    registry.tick(id);
    assert!(!fakes[1].subscribed(), "its subscription is dropped");
    assert_eq!(fakes[1].given(), Vec::<i16>::new());
    assert_eq!((fakes[0].given(), fakes[2].given()), (vec![3], vec![100]), "the others no longer hear it");
    let left: Vec<SessionId> = registry.participants(id).expect("exists").iter().map(Call::id).collect();
    assert_eq!(left, [SessionId(1), SessionId(3)]);

    registry.remove(id, &fakes[2].call).expect("in");
    assert!(!fakes[2].subscribed());
    fakes[0].receive(100);
    registry.tick(id);
    assert_eq!((fakes[0].given(), fakes[2].given()), (vec![0], vec![]), "removed: neither hears the other");
}

#[test]
fn a_participant_running_ahead_is_kept_at_most_three_frames_late() {
    let (mut registry, id, mut fakes) = conference_of(2);
    for value in 1..=6 {
        fakes[0].receive(value); // six frames before one tick: the engine ran ahead
    }
    let heard: Vec<i16> = (0..4).flat_map(|_| (registry.tick(id), fakes[1].given()).1).collect();
    assert_eq!(heard, [4, 5, 6, 0], "the oldest dropped, one frame a tick, then silence");
}

#[test]
fn the_recording_holds_the_whole_mix_one_frame_a_tick() {
    let (mut registry, id, mut fakes) = conference_of(2);
    let path = std::env::temp_dir().join(format!("conference-unit-{}.wav", std::process::id()));
    registry.record(id, &path).expect("records");
    let again = registry.record(id, &path).expect_err("one recording at a time");
    assert!(again.to_string().contains("stop_recording first"), "{again}");
    for _ in 0..3 {
        fakes[0].receive(100);
        fakes[1].receive(20);
        registry.tick(id);
    }
    registry.set_muted(id, &fakes[1].call, true).expect("in");
    fakes[0].receive(100);
    fakes[1].receive(20);
    registry.tick(id);
    registry.stop_recording(id).expect("finishes");
    registry.stop_recording(id).expect("nothing to finish is fine");
    let frames = session_media::wav::read_wav(&path).expect("a WAV");
    let firsts: Vec<i16> = frames.iter().map(|f| f.samples()[0]).collect();
    assert_eq!(firsts, [120, 120, 120, 100], "the mix, without the muted one");
    let _ = std::fs::remove_file(&path);

    let bad = registry.record(id, std::path::Path::new("/nonexistent-dir/x.wav")).expect_err("unwritable");
    assert!(
        matches!(bad, ConferenceError::Recording { .. }) && bad.to_string().contains("writable"),
        "{bad}"
    );
}

#[tokio::test]
async fn the_mixer_ticks_by_itself_and_stops_with_the_conference() {
    let conferences = ConferenceManager::new();
    let id = conferences.create();
    let (mut a, mut b) = (Fake::active(1), Fake::active(2));
    conferences.add_participant(id, &a.call).expect("joins");
    conferences.add_participant(id, &b.call).expect("joins");
    a.receive(100);
    tokio::time::sleep(Duration::from_millis(120)).await;
    let given = b.given();
    assert!(given.len() >= 3, "a frame every 20 ms: {given:?}");
    assert!(given.contains(&100), "b hears a: {given:?}");
    assert_eq!(conferences.participants(id).expect("exists").len(), 2);

    conferences.destroy(id).expect("exists");
    assert!(conferences.list().is_empty());
    assert!(!a.subscribed() && !b.subscribed(), "destroyed: nobody is listened to");
    tokio::time::sleep(Duration::from_millis(60)).await;
    b.given();
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(b.given(), Vec::<i16>::new(), "the mixer stopped");
}

#[tokio::test]
async fn dropping_the_last_manager_handle_ends_its_conferences() {
    let conferences = ConferenceManager::new();
    let id = conferences.create();
    let mut a = Fake::active(1);
    conferences.add_participant(id, &a.call).expect("joins");
    let clone = conferences.clone();
    drop(conferences);
    assert!(a.subscribed(), "a clone still holds the conference");
    assert_eq!(clone.list(), [id]);
    drop(clone);
    assert!(!a.subscribed(), "the last handle gone, the conference is gone");
}
