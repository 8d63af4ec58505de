//! Four participants, each sending its own sine tone through a `MixBus`: each hears the
//! other three tones and not its own, and a participant left out is heard by no one.

use session_media::mixer::{MixBus, ParticipantId};
use session_media::tone::{ToneGenerator, goertzel};
use session_media::{AudioFrame, SAMPLE_RATE};

/// On 5 Hz bins of the 10-frame (1600-sample) window, far from each other's harmonics.
const TONES: [f64; 4] = [400.0, 700.0, 1100.0, 1700.0];
const FRAMES: usize = 10;
/// Each tone's peak: the sum of all four stays under full scale, nothing clips.
const AMPLITUDE: i16 = 6000;

struct Conference {
    bus: MixBus,
    ids: Vec<ParticipantId>,
    tones: Vec<ToneGenerator>,
}

impl Conference {
    fn new() -> Self {
        let mut bus = MixBus::new();
        let ids = TONES.iter().map(|_| bus.add()).collect();
        let tones = TONES.iter().map(|&f| ToneGenerator::new(f, AMPLITUDE)).collect();
        Self { bus, ids, tones }
    }

    /// Runs `FRAMES` ticks; returns what each participant heard (empty when it heard
    /// nothing) and the conference mix.
    fn run(&mut self) -> (Vec<Vec<i16>>, Vec<i16>) {
        let mut heard = vec![Vec::new(); self.ids.len()];
        let mut mix = Vec::new();
        for _ in 0..FRAMES {
            for (&id, tone) in self.ids.iter().zip(&mut self.tones) {
                self.bus.push(id, &tone.next_frame()).unwrap();
            }
            let tick = self.bus.tick();
            for (out, &id) in heard.iter_mut().zip(&self.ids) {
                out.extend_from_slice(tick.output(id).map_or(&[][..], AudioFrame::samples));
            }
            mix.extend_from_slice(tick.mix().samples());
        }
        (heard, mix)
    }
}

/// Goertzel power of each of the four tones in `samples`.
fn powers(samples: &[i16]) -> Vec<f64> {
    TONES.iter().map(|&f| goertzel(samples, f, SAMPLE_RATE)).collect()
}

/// A tone at `AMPLITUDE` gives (AMPLITUDE/2)² = 9·10⁶; "present" is within 10% of that,
/// "absent" is a million times less.
fn assert_tones(samples: &[i16], present: &[bool], who: &str) {
    let full = (f64::from(AMPLITUDE) / 2.0).powi(2);
    for ((&freq, power), &on) in TONES.iter().zip(powers(samples)).zip(present) {
        if on {
            assert!((power - full).abs() < 0.1 * full, "{who}: {freq} Hz missing, power {power}");
        } else {
            assert!(power < full * 1e-6, "{who}: {freq} Hz should be absent, power {power}");
        }
    }
}

#[test]
fn each_participant_hears_the_three_other_tones_and_not_its_own() {
    let mut conf = Conference::new();
    let (heard, mix) = conf.run();
    for (i, samples) in heard.iter().enumerate() {
        assert_eq!(samples.len(), FRAMES * 160);
        let others: Vec<bool> = (0..TONES.len()).map(|k| k != i).collect();
        assert_tones(samples, &others, &format!("participant {i}"));
    }
    assert_tones(&mix, &[true; 4], "conference mix");
}

#[test]
fn a_participant_left_out_is_heard_by_no_one_but_still_hears() {
    let mut conf = Conference::new();
    conf.run();
    let muted = 2;
    conf.bus.set_included(conf.ids[muted], false).unwrap();
    let (heard, mix) = conf.run();
    for (i, samples) in heard.iter().enumerate() {
        // Everyone hears the others but itself and the muted one; the muted one hears
        // the three others.
        let expected: Vec<bool> = (0..TONES.len()).map(|k| k != i && k != muted).collect();
        assert_tones(samples, &expected, &format!("participant {i}"));
    }
    assert_tones(&mix, &[true, true, false, true], "conference mix");

    // On hold: left out and hearing nothing.
    conf.bus.set_hears(conf.ids[muted], false).unwrap();
    let (heard, _) = conf.run();
    assert!(heard[muted].is_empty());
    assert_tones(&heard[0], &[false, true, false, true], "participant 0");

    // Back: everyone hears it again.
    conf.bus.set_included(conf.ids[muted], true).unwrap();
    conf.bus.set_hears(conf.ids[muted], true).unwrap();
    let (heard, _) = conf.run();
    assert_tones(&heard[0], &[false, true, true, true], "participant 0");
    assert_tones(&heard[muted], &[true, true, false, true], "participant 2");
}

#[test]
fn a_removed_participants_tone_leaves_every_mix() {
    let mut conf = Conference::new();
    conf.run();
    assert!(conf.bus.remove(conf.ids[0]));
    conf.ids.remove(0);
    conf.tones.remove(0);
    let (heard, mix) = conf.run();
    // Participants 1, 2, 3 of the four, now at indexes 0, 1, 2.
    assert_tones(&heard[0], &[false, false, true, true], "participant 1");
    assert_tones(&heard[2], &[false, true, true, false], "participant 3");
    assert_tones(&mix, &[false, true, true, true], "conference mix");
}
