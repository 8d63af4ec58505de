//! A four-party conference in one process: `cargo run --example conference`.
//!
//! A host peer calls four peers on loopback (alice, bob, carol, dave), each sending its
//! own tone, and puts the four calls into one conference: each hears the other three,
//! never itself. Each peer records what it receives, and the tones found in each
//! recording show who heard whom: everyone together; carol on hold (out of the mix,
//! hearing nothing); carol resumed and dave taken out. The host records the whole
//! conference to one WAV file as well.

use std::path::{Path, PathBuf};
use std::time::Duration;

use session_core::media::{ToneGenerator, WavRecorder, goertzel, read_wav};
use session_core::{Call, ConferenceId, ConferenceManager, RecordMode, SimplePeer, State};
use tokio::time::sleep;

const PARTIES: [(&str, f64); 4] = [("alice", 400.0), ("bob", 750.0), ("carol", 1000.0), ("dave", 1300.0)];
/// Tone peak: the conference adds the others up, so four at once must stay below full
/// scale (4 × 6000 < 32767); a louder tone would clip the mix.
const AMPLITUDE: i16 = 6000;
/// Goertzel power above which a tone counts as heard ((6000 / 2)² is a clear tone).
const HEARD: f64 = 1.0e6;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("conference-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let host = SimplePeer::new("127.0.0.1:0").await?;
    let mut peers = Vec::new(); // kept alive to the end
    let (mut hosts, mut remotes) = (Vec::new(), Vec::new());
    for (name, hz) in PARTIES {
        let peer = SimplePeer::builder("127.0.0.1:0")?.user(name).start().await?;
        let uri = peer.uri();
        let answering = tokio::spawn(async move {
            let call = peer.next_call().await.ok_or("the peer stopped")?;
            call.accept().await?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((call, peer))
        });
        hosts.push(host.call(&uri).await?);
        let (call, peer) = answering.await?.map_err(|e| e.to_string())?;
        call.wait_for(State::Active).await;
        call.play_wav(tone_file(&dir, hz)?, true)?;
        println!("host: {name} answered and sends {hz} Hz");
        remotes.push(call);
        peers.push(peer);
    }

    let conferences = ConferenceManager::new();
    let room = conferences.create();
    for call in &hosts {
        conferences.add_participant(room, call)?;
    }
    let whole = dir.join("conference.wav");
    conferences.record(room, &whole)?;
    println!("host: {room} has {} participants\n", conferences.participants(room)?.len());
    listen(&remotes, &dir, "everyone together").await?;

    let carol = &hosts[2];
    carol.hold().await?;
    carol.wait_for(State::OnHold).await;
    listen(&remotes, &dir, "carol on hold").await?;

    carol.resume().await?;
    carol.wait_for(State::Active).await;
    conferences.remove_participant(room, &hosts[3])?;
    listen(&remotes, &dir, "carol resumed, dave taken out").await?;

    conferences.stop_recording(room)?;
    println!("the whole conference ({}) holds: {}", whole.display(), heard(&whole)?);
    finish(&conferences, room, &hosts).await?;
    Ok(())
}

/// Every peer records what it receives for a second and a half; prints what each heard.
async fn listen(remotes: &[Call], dir: &Path, step: &str) -> Result<(), Box<dyn std::error::Error>> {
    let paths: Vec<PathBuf> =
        PARTIES.iter().map(|(name, _)| dir.join(format!("{step}-{name}.wav"))).collect();
    for (call, path) in remotes.iter().zip(&paths) {
        call.start_recording(path, RecordMode::Received).await?;
    }
    sleep(Duration::from_millis(1500)).await;
    for call in remotes {
        call.stop_recording().await?;
    }
    sleep(Duration::from_millis(100)).await; // the media engines finish the files
    println!("{step}:");
    for ((name, hz), path) in PARTIES.iter().zip(&paths) {
        println!("  {name:<5} ({hz:>4} Hz) hears {}", heard(path)?);
    }
    println!();
    Ok(())
}

/// The parties whose tone a recording holds, with its Goertzel power, after its first
/// 300 ms (audio from before the step still in flight).
fn heard(path: &Path) -> Result<String, Box<dyn std::error::Error>> {
    let samples: Vec<i16> = read_wav(path)?.iter().skip(15).flat_map(|f| f.samples().to_vec()).collect();
    let found: Vec<String> = PARTIES
        .iter()
        .map(|&(name, hz)| (name, hz, goertzel(&samples, hz, 8000)))
        .filter(|&(_, _, power)| power > HEARD)
        .map(|(name, hz, power)| format!("{name} ({hz} Hz, power {power:.1e})"))
        .collect();
    Ok(if found.is_empty() { "nobody".into() } else { found.join(", ") })
}

/// A second of `hz` at [`AMPLITUDE`] as a WAV file, for `play_wav` to loop.
fn tone_file(dir: &Path, hz: f64) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let path = dir.join(format!("tone-{hz}.wav"));
    let mut wav = WavRecorder::create(&path)?;
    for frame in ToneGenerator::new(hz, AMPLITUDE).take(50) {
        wav.write_frame(&frame)?;
    }
    wav.finish()?;
    Ok(path)
}

/// Ends the conference and hangs up every call.
async fn finish(
    conferences: &ConferenceManager,
    room: ConferenceId,
    hosts: &[Call],
) -> Result<(), Box<dyn std::error::Error>> {
    conferences.destroy(room)?;
    for call in hosts {
        call.hangup().await?;
        call.ended().await;
    }
    println!("host: conference destroyed, every call hung up");
    Ok(())
}
