use super::*;

fn flat(v: i16) -> AudioFrame {
    AudioFrame::from_samples(&[v; 160])
}

#[test]
fn mixing_rules() {
    assert!(Mixer::mix(&[]).is_silent());
    assert!(Mixer::mix_minus(&[]).is_empty());
    let a = flat(-30_000);
    let b = flat(-30_000);
    let c = flat(100);
    assert_eq!(Mixer::mix(&[&a, &b]).samples()[0], i16::MIN);
    let out = Mixer::mix_minus(&[&a, &b, &c]);
    assert_eq!(out[0].samples()[0], -29_900);
    assert_eq!(out[2].samples()[0], i16::MIN);
    assert_eq!(Mixer::mix(&[&c]), c);
}

#[test]
fn mix_does_not_depend_on_order_when_saturating() {
    // Saturating one add at a time would give 30 000 + 30 000 → 32 767 − 30 000 = 2 767
    // one way and 0 the other; the exact sum is 0 + 30 000 = 30 000 both ways.
    let (up, down) = (flat(30_000), flat(-30_000));
    assert_eq!(Mixer::mix(&[&up, &up, &down]).samples()[0], 30_000);
    assert_eq!(Mixer::mix(&[&down, &up, &up]).samples()[0], 30_000);
}

#[test]
fn removed_ids_stay_dead_when_a_slot_is_reused() {
    let mut bus = MixBus::new();
    let a = bus.add();
    assert!(bus.remove(a));
    assert!(!bus.remove(a));
    let b = bus.add();
    assert_ne!(a, b);
    assert!(!bus.contains(a) && bus.contains(b));
    assert_eq!(bus.push(a, &flat(1)), Err(MixBusError::UnknownParticipant(a)));
    assert_eq!(bus.set_included(a, false), Err(MixBusError::UnknownParticipant(a)));
    assert_eq!(bus.set_hears(a, false), Err(MixBusError::UnknownParticipant(a)));
    assert!(bus.is_included(a).is_err() && bus.hears(a).is_err());
    assert!(bus.tick().output(a).is_none());
    assert_eq!(bus.len(), 1);
    assert!(MixBusError::UnknownParticipant(a).to_string().contains("not in this conference"));
}

#[test]
fn removal_from_the_middle_keeps_the_others_addressable() {
    let mut bus = MixBus::with_capacity(3);
    let ids: Vec<_> = (0..3).map(|_| bus.add()).collect();
    assert!(bus.remove(ids[0]));
    bus.push(ids[1], &flat(1)).unwrap();
    bus.push(ids[2], &flat(2)).unwrap();
    let tick = bus.tick();
    assert_eq!(tick.output(ids[1]).unwrap(), &flat(2));
    assert_eq!(tick.output(ids[2]).unwrap(), &flat(1));
    assert_eq!(tick.outputs().count(), 2);
    let mut left: Vec<_> = bus.participants().collect();
    left.sort();
    assert_eq!(left, ids[1..]);
}

#[test]
fn held_hears_nothing_muted_hears_the_others() {
    let mut bus = MixBus::new();
    let (talker, muted, held) = (bus.add(), bus.add(), bus.add());
    for (id, v) in [(talker, 10), (muted, 200), (held, 3000)] {
        bus.push(id, &flat(v)).unwrap();
    }
    bus.set_included(muted, false).unwrap();
    bus.set_included(held, false).unwrap();
    bus.set_hears(held, false).unwrap();
    assert_eq!((bus.is_included(muted), bus.hears(muted)), (Ok(false), Ok(true)));
    assert_eq!((bus.is_included(held), bus.hears(held)), (Ok(false), Ok(false)));
    let tick = bus.tick();
    assert_eq!(tick.output(talker).unwrap(), &AudioFrame::silence());
    assert_eq!(tick.output(muted).unwrap(), &flat(10));
    assert_eq!(tick.output(held), None);
    assert_eq!(tick.mix(), &flat(10));
    assert!(!tick.outputs().any(|(id, _)| id == held));
    assert!(format!("{bus:?}").contains("participants: 3"));
}

#[test]
fn a_frame_counts_for_one_tick_only() {
    let mut bus = MixBus::new();
    let (a, b) = (bus.add(), bus.add());
    bus.push(a, &flat(5)).unwrap();
    bus.push(a, &flat(7)).unwrap(); // pushed twice: the last one counts
    assert_eq!(bus.tick().output(b).unwrap(), &flat(7));
    // Nothing pushed since: a adds silence, whatever its buffer held.
    assert!(bus.tick().output(b).unwrap().is_silent());
    assert!(bus.tick().mix().is_silent());
}
