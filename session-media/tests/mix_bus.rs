//! `MixBus` against a naive model: every output is the saturated sum of the other
//! included participants' frames for that tick, computed the slow way.

use proptest::prelude::*;
use session_media::mixer::{MixBus, MixBusError, ParticipantId};
use session_media::{AudioFrame, SAMPLES_PER_FRAME};

/// A frame of loud (saturating) or quiet samples.
fn frame() -> impl Strategy<Value = AudioFrame> {
    let sample = prop_oneof![any::<i16>(), -2000i16..2000];
    prop::collection::vec(sample, SAMPLES_PER_FRAME).prop_map(|s| AudioFrame::from_samples(&s))
}

/// The saturated sum of `frames`, in i64.
fn naive_sum<'a>(frames: impl Iterator<Item = &'a AudioFrame>) -> AudioFrame {
    let mut acc = [0i64; SAMPLES_PER_FRAME];
    for f in frames {
        for (a, &s) in acc.iter_mut().zip(f.samples()) {
            *a += i64::from(s);
        }
    }
    let samples: Vec<i16> =
        acc.iter().map(|&a| a.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16).collect();
    AudioFrame::from_samples(&samples)
}

#[derive(Debug, Clone)]
enum Op {
    Add,
    /// Indexes pick among every id handed out so far, removed ones included.
    Remove(usize),
    SetIncluded(usize, bool),
    SetHears(usize, bool),
    Push(usize, Box<AudioFrame>),
    Tick,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Add),
        1 => any::<usize>().prop_map(Op::Remove),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(i, b)| Op::SetIncluded(i, b)),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(i, b)| Op::SetHears(i, b)),
        6 => (any::<usize>(), frame()).prop_map(|(i, f)| Op::Push(i, Box::new(f))),
        2 => Just(Op::Tick),
    ]
}

#[derive(Debug)]
struct Model {
    id: ParticipantId,
    present: bool,
    included: bool,
    hears: bool,
    pending: Option<AudioFrame>,
}

/// `(included, hears, frame or none)` of each participant of one tick.
fn conference() -> impl Strategy<Value = Vec<(bool, bool, Option<AudioFrame>)>> {
    prop::collection::vec((any::<bool>(), any::<bool>(), prop::option::of(frame())), 1..8)
}

/// Sets up a bus as `spec` says, runs one tick, and returns each participant's output
/// (in `spec` order) and the conference mix.
fn run(spec: &[(bool, bool, Option<AudioFrame>)]) -> (Vec<Option<AudioFrame>>, AudioFrame) {
    let mut bus = MixBus::new();
    let ids: Vec<_> = spec.iter().map(|_| bus.add()).collect();
    for (&id, (included, hears, frame)) in ids.iter().zip(spec) {
        bus.set_included(id, *included).unwrap();
        bus.set_hears(id, *hears).unwrap();
        if let Some(f) = frame {
            bus.push(id, f).unwrap();
        }
    }
    let tick = bus.tick();
    (ids.iter().map(|&id| tick.output(id).cloned()).collect(), tick.mix().clone())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_output_is_the_saturated_sum_of_the_others(ops in prop::collection::vec(op(), 1..80)) {
        let mut bus = MixBus::new();
        let mut model: Vec<Model> = Vec::new();
        let pick = |model: &[Model], i: usize| (!model.is_empty()).then(|| i % model.len());
        for op in ops {
            match op {
                Op::Add => {
                    let id = bus.add();
                    model.push(Model { id, present: true, included: true, hears: true, pending: None });
                }
                Op::Remove(i) => if let Some(i) = pick(&model, i) {
                    prop_assert_eq!(bus.remove(model[i].id), model[i].present);
                    model[i].present = false;
                },
                Op::SetIncluded(i, b) => if let Some(i) = pick(&model, i) {
                    let m = &mut model[i];
                    let got = bus.set_included(m.id, b);
                    if m.present { m.included = b; prop_assert_eq!(got, Ok(())); }
                    else { prop_assert_eq!(got, Err(MixBusError::UnknownParticipant(m.id))); }
                },
                Op::SetHears(i, b) => if let Some(i) = pick(&model, i) {
                    let m = &mut model[i];
                    prop_assert_eq!(bus.set_hears(m.id, b).is_ok(), m.present);
                    if m.present { m.hears = b; }
                },
                Op::Push(i, f) => if let Some(i) = pick(&model, i) {
                    let m = &mut model[i];
                    prop_assert_eq!(bus.push(m.id, &f).is_ok(), m.present);
                    if m.present { m.pending = Some(*f); }
                },
                Op::Tick => {
                    let live: Vec<&Model> = model.iter().filter(|m| m.present).collect();
                    let heard = |skip: Option<ParticipantId>| naive_sum(live.iter()
                        .filter(|m| m.included && Some(m.id) != skip)
                        .filter_map(|m| m.pending.as_ref()));
                    let tick = bus.tick();
                    prop_assert_eq!(tick.mix(), &heard(None));
                    for m in &model {
                        let expected = (m.present && m.hears).then(|| heard(Some(m.id)));
                        prop_assert_eq!(tick.output(m.id), expected.as_ref(), "{}", m.id);
                    }
                    prop_assert_eq!(tick.outputs().count(), live.iter().filter(|m| m.hears).count());
                    for m in &mut model { m.pending = None; }
                }
            }
            prop_assert_eq!(bus.len(), model.iter().filter(|m| m.present).count());
        }
    }

    #[test]
    fn a_participant_never_hears_its_own_frame(
        spec in conference(), who in any::<prop::sample::Index>(), other in frame(),
    ) {
        let i = who.index(spec.len());
        let mut changed = spec.clone();
        changed[i].2 = Some(other);
        prop_assert_eq!(&run(&spec).0[i], &run(&changed).0[i]);
    }

    #[test]
    fn a_left_out_participants_audio_appears_nowhere(
        spec in conference(), who in any::<prop::sample::Index>(), other in prop::option::of(frame()),
    ) {
        let i = who.index(spec.len());
        let mut spec = spec;
        spec[i].0 = false;
        let mut changed = spec.clone();
        changed[i].2 = other;
        prop_assert_eq!(run(&spec), run(&changed));
    }

    #[test]
    fn a_missing_frame_is_silence(spec in conference(), who in any::<prop::sample::Index>()) {
        let i = who.index(spec.len());
        let (mut missing, mut silent) = (spec.clone(), spec);
        missing[i].2 = None;
        silent[i].2 = Some(AudioFrame::silence());
        prop_assert_eq!(run(&missing), run(&silent));
    }
}

#[test]
fn a_participant_removed_mid_conference_is_gone_from_the_next_tick() {
    let flat = |v| AudioFrame::from_samples(&[v; SAMPLES_PER_FRAME]);
    let mut bus = MixBus::new();
    let ids: Vec<_> = (0..4).map(|_| bus.add()).collect();
    let push_all = |bus: &mut MixBus, ids: &[ParticipantId]| {
        for (k, &id) in ids.iter().enumerate() {
            let _ = bus.push(id, &flat(1 << k));
        }
    };
    push_all(&mut bus, &ids);
    assert_eq!(bus.tick().mix(), &flat(0b1111));
    // Pushed, then removed before the tick: its frame is dropped with it.
    push_all(&mut bus, &ids);
    assert!(bus.remove(ids[1]));
    let tick = bus.tick();
    assert_eq!(tick.mix(), &flat(0b1101));
    assert_eq!(tick.output(ids[0]), Some(&flat(0b1100)));
    assert_eq!(tick.output(ids[3]), Some(&flat(0b0101)));
    assert_eq!(tick.output(ids[1]), None);
    // A newcomer takes the free slot without inheriting anything.
    let newcomer = bus.add();
    bus.push(newcomer, &flat(16)).unwrap();
    let tick = bus.tick();
    assert_eq!(tick.output(ids[0]), Some(&flat(16)));
    assert!(tick.output(newcomer).unwrap().is_silent());
    assert_eq!(bus.len(), 4);
}

#[test]
fn a_late_frame_goes_into_the_next_tick_and_a_newer_one_replaces_it() {
    let flat = |v| AudioFrame::from_samples(&[v; SAMPLES_PER_FRAME]);
    let mut bus = MixBus::new();
    let (a, b) = (bus.add(), bus.add());
    // a's frame for tick 1 misses it: b hears silence, the bus does not wait.
    assert!(bus.tick().output(b).unwrap().is_silent());
    bus.push(a, &flat(1)).unwrap(); // the late frame of tick 1
    bus.push(a, &flat(2)).unwrap(); // a's frame for tick 2 arrives before tick 2
    assert_eq!(bus.tick().output(b), Some(&flat(2)));
    assert!(bus.tick().output(b).unwrap().is_silent());
}
