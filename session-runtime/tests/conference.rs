//! Conferences over loopback: a host calls four peers, each sending its own tone, and
//! puts the four calls into one conference. Each peer records what it receives; the
//! tones in each recording (Goertzel powers) say who it heard.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::tones::scratch;
use session_media::tone::{ToneGenerator, goertzel};
use session_media::wav::{WavRecorder, read_wav};
use session_runtime::{Call, ConferenceId, ConferenceManager, RecordMode, SimplePeer, State};
use tokio::time::{sleep, timeout};

const LIMIT: Duration = Duration::from_secs(10);

/// One tone per peer. No sum, difference or double of two of them, nor `a + b - c` of
/// three, lies within 50 Hz of another (unlike 400/700/1000/1300, where 2·700 − 1000 =
/// 400), so no intermodulation product of the mix or of G.711 lands on a tone.
const TONES: [f64; 4] = [400.0, 750.0, 1000.0, 1300.0];
/// Each peer's peak: four at once stay below full scale (4 × 6000 < 32767), so the mix
/// never clips.
const AMPLITUDE: i16 = 6000;
/// Goertzel power of one tone heard at [`AMPLITUDE`], ideally (6000 / 2)² = 9·10⁶.
/// Heard means above a ninth of that; absent means below a thousandth of it.
const HEARD: f64 = 1.0e6;
const ABSENT: f64 = 9.0e3;
/// How long each step listens; its first 300 ms are not analysed (media in flight
/// from before the step, the jitter buffer filling).
const LISTEN: Duration = Duration::from_millis(1300);
const SETTLE_FRAMES: usize = 15;

/// The host, its conference, and the four peers with both ends of each call.
struct Room {
    _host: SimplePeer,
    conferences: ConferenceManager,
    id: ConferenceId,
    /// The host's end of each call, in [`TONES`] order.
    hosts: Vec<Call>,
    /// Each peer's end.
    remotes: Vec<Call>,
    _peers: Vec<SimplePeer>,
    tag: &'static str,
}

/// A second of `hz` at [`AMPLITUDE`] (a whole number of periods, so it loops cleanly).
fn tone_file(hz: f64, tag: &str) -> PathBuf {
    let path = scratch(&format!("{tag}-tone-{hz}.wav"));
    let mut wav = WavRecorder::create(&path).expect("tone file");
    for frame in ToneGenerator::new(hz, AMPLITUDE).take(50) {
        wav.write_frame(&frame).expect("write");
    }
    wav.finish().expect("finish");
    path
}

/// The host calls four peers, each answers and loops its tone, and the host puts the
/// four calls in one conference.
async fn room(tag: &'static str) -> Room {
    let host = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let (mut hosts, mut remotes, mut peers) = (Vec::new(), Vec::new(), Vec::new());
    for hz in TONES {
        let peer = SimplePeer::new("127.0.0.1:0").await.expect("binds");
        let uri = peer.uri();
        let answering = tokio::spawn(async move {
            let call = peer.next_call().await.expect("a call arrives");
            call.accept().await.expect("accept");
            (call, peer)
        });
        let hosts_call = timeout(LIMIT, host.call(&uri)).await.expect("in time").expect("answered");
        let (call, peer) = answering.await.expect("the peer's task");
        assert_eq!(timeout(LIMIT, call.wait_for(State::Active)).await.expect("in time"), State::Active);
        call.play_wav(tone_file(hz, tag), true).expect("tone");
        hosts.push(hosts_call);
        remotes.push(call);
        peers.push(peer);
    }
    let conferences = ConferenceManager::new();
    let id = conferences.create();
    for call in &hosts {
        conferences.add_participant(id, call).expect("joins");
    }
    Room { _host: host, conferences, id, hosts, remotes, _peers: peers, tag }
}

/// The power of each of [`TONES`] in a recording, past its first frames.
fn powers(path: &Path) -> [f64; 4] {
    let frames = read_wav(path).expect("a readable WAV");
    let samples: Vec<i16> = frames.iter().skip(SETTLE_FRAMES).flat_map(|f| f.samples().to_vec()).collect();
    assert!(samples.len() >= 8000 * 3 / 4, "{} holds {} samples", path.display(), samples.len());
    TONES.map(|hz| goertzel(&samples, hz, 8000))
}

impl Room {
    /// Each peer records what it receives for [`LISTEN`]; the tone powers of each.
    async fn listen(&self, step: &str) -> Vec<[f64; 4]> {
        let paths: Vec<PathBuf> =
            (0..4).map(|i| scratch(&format!("{}-{step}-{}.wav", self.tag, TONES[i]))).collect();
        for (call, path) in self.remotes.iter().zip(&paths) {
            call.start_recording(path, RecordMode::Received).await.expect("record");
        }
        sleep(LISTEN).await;
        for call in &self.remotes {
            call.stop_recording().await.expect("stop recording");
        }
        sleep(Duration::from_millis(100)).await; // the engines finish their files
        let powers: Vec<[f64; 4]> = paths.iter().map(|p| powers(p)).collect();
        for (hz, heard) in TONES.iter().zip(&powers) {
            println!("{} {step}: the {hz} Hz peer hears {}", self.tag, show(heard));
        }
        powers
    }
}

fn show(powers: &[f64; 4]) -> String {
    let each: Vec<String> = TONES.iter().zip(powers).map(|(hz, p)| format!("{hz} Hz {p:.3e}")).collect();
    each.join(", ")
}

/// Asserts the peer that sends `TONES[who]` heard exactly the tones of `expected`.
fn heard_exactly(powers: &[[f64; 4]], who: usize, expected: &[usize], step: &str) {
    for (tone, &power) in powers[who].iter().enumerate() {
        let what = format!("{step}: the {} Hz peer, {} Hz: {}", TONES[who], TONES[tone], show(&powers[who]));
        if expected.contains(&tone) {
            assert!(power > HEARD, "heard clearly, {what}");
        } else {
            assert!(power < ABSENT, "not heard, {what}");
        }
    }
}

/// The indices of [`TONES`] in `0..4` but `who` and `out`.
fn others(who: usize, out: &[usize]) -> Vec<usize> {
    (0..4).filter(|&i| i != who && !out.contains(&i)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_peer_hears_the_three_others_and_the_recording_all_four() {
    let room = room("all").await;
    let whole = scratch("all-conference.wav");
    room.conferences.record(room.id, &whole).expect("records");
    let powers = room.listen("together").await;
    room.conferences.stop_recording(room.id).expect("finished");
    for who in 0..4 {
        heard_exactly(&powers, who, &others(who, &[]), "together");
    }
    let mix = self::powers(&whole);
    println!("all: the conference recording holds {}", show(&mix));
    assert!(mix.iter().all(|&p| p > HEARD), "every tone in the conference mix: {}", show(&mix));
    room.conferences.destroy(room.id).expect("exists");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_peer_is_no_longer_heard_and_hears_nobody() {
    let room = room("removed").await;
    room.conferences.remove_participant(room.id, &room.hosts[3]).expect("in");
    assert_eq!(room.conferences.participants(room.id).expect("exists").len(), 3);
    let powers = room.listen("without-1300").await;
    for who in 0..3 {
        heard_exactly(&powers, who, &others(who, &[3]), "without 1300 Hz");
    }
    heard_exactly(&powers, 3, &[], "removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_peer_drops_out_of_the_mix_and_comes_back_when_resumed() {
    let room = room("held").await;
    let held = &room.hosts[2];
    held.hold().await.expect("hold");
    assert_eq!(timeout(LIMIT, held.wait_for(State::OnHold)).await.expect("in time"), State::OnHold);
    let powers = room.listen("1000-held").await;
    for who in [0, 1, 3] {
        heard_exactly(&powers, who, &others(who, &[2]), "1000 Hz held");
    }
    heard_exactly(&powers, 2, &[], "held");
    assert_eq!(room.conferences.participants(room.id).expect("exists").len(), 4, "held, not gone");

    held.resume().await.expect("resume");
    assert_eq!(timeout(LIMIT, held.wait_for(State::Active)).await.expect("in time"), State::Active);
    let powers = room.listen("1000-resumed").await;
    for who in 0..4 {
        heard_exactly(&powers, who, &others(who, &[]), "1000 Hz resumed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_hangs_up_leaves_by_itself() {
    let room = room("hangup").await;
    room.remotes[0].hangup().await.expect("hangup");
    timeout(LIMIT, room.hosts[0].ended()).await.expect("the host's end ends");
    timeout(LIMIT, async {
        while room.conferences.participants(room.id).expect("exists").len() != 3 {
            sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the ended call leaves within a tick or two");
    assert_eq!(room.conferences.conference_of(&room.hosts[0]), None);
    let error = room.conferences.add_participant(room.id, &room.hosts[0]).expect_err("ended");
    assert!(error.to_string().contains("has ended"), "{error}");
}
