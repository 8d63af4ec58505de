//! `simplepeer demo`: a whole call between two peers in one process, with audio both
//! ways (a tone each), DTMF, hold and resume.

use std::time::Duration;

use session_core::{Call, CallEvent, SimplePeer, State};
use session_media::SAMPLES_PER_FRAME;
use session_media::tone::dominant_frequency;

/// The tones the two sides play, so that each can tell what it hears.
const ALICE_HZ: f64 = 440.0;
const BOB_HZ: f64 = 1000.0;

pub async fn run() -> Result<(), String> {
    let alice = SimplePeer::new("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let bob = SimplePeer::new("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    println!("alice is {}, bob is {}", alice.uri(), bob.uri());

    let bob_uri = bob.uri();
    let answering = tokio::spawn(async move {
        let call = bob.next_call().await.ok_or("bob stopped")?;
        println!("bob: incoming call from {}", call.remote_uri());
        call.play_tone(BOB_HZ).map_err(|e| e.to_string())?;
        call.accept().await.map_err(|e| e.to_string())?;
        print_events("bob", &call);
        println!("bob: hears {}", hears(&call).await?);
        let reason = call.ended().await;
        println!("bob: call ended: {reason}");
        summary("bob", &call).await;
        Ok::<_, String>(())
    });

    let call = alice.dial(&bob_uri).await.map_err(|e| e.to_string())?;
    call.play_tone(ALICE_HZ).map_err(|e| e.to_string())?;
    let printer = print_events("alice", &call);
    call.wait_for(State::Active).await;
    println!("alice: hears {}", hears(&call).await?);
    let step = |what: &'static str| println!("alice: {what}");
    step("sends DTMF 42");
    call.send_dtmf("42").await.map_err(|e| e.to_string())?;
    tokio::time::sleep(Duration::from_millis(400)).await;
    step("puts bob on hold");
    call.hold().await.map_err(|e| e.to_string())?;
    tokio::time::sleep(Duration::from_millis(400)).await;
    step("resumes");
    call.resume().await.map_err(|e| e.to_string())?;
    tokio::time::sleep(Duration::from_millis(400)).await;
    call.hangup().await.map_err(|e| e.to_string())?;
    let reason = call.ended().await;
    println!("alice: call ended after {:.2} s: {reason}", call.duration().as_secs_f32());
    let _ = printer.await;
    summary("alice", &call).await;
    answering.await.map_err(|e| e.to_string())??;
    Ok(())
}

/// Prints the call's events as they come, until it ends.
fn print_events(who: &'static str, call: &Call) -> tokio::task::JoinHandle<()> {
    let events = call.events();
    tokio::spawn(async move {
        let Some(mut events) = events else { return };
        while let Some(event) = events.recv().await {
            match event {
                CallEvent::Dtmf(digit) => println!("{who}: received DTMF {digit}"),
                CallEvent::Ended(_) => break,
                other => println!("{who}: {other:?}"),
            }
        }
    })
}

/// Which of the two tones dominates half a second of the peer's audio.
async fn hears(call: &Call) -> Result<String, String> {
    let mut audio = call.audio().map_err(|e| e.to_string())?;
    let mut samples = Vec::new();
    // Frames are silence until the peer's audio arrives and the jitter buffer fills;
    // give that up to 5 s, then listen for half a second.
    let mut waited = 0;
    while samples.len() < 25 * SAMPLES_PER_FRAME {
        let frame = audio.recv().await.ok_or("the call's audio stopped")?;
        let silent = frame.samples().iter().all(|&s| s == 0);
        if silent && samples.is_empty() && waited < 250 {
            waited += 1;
            continue;
        }
        samples.extend_from_slice(frame.samples());
    }
    Ok(match dominant_frequency(&samples, &[ALICE_HZ, BOB_HZ]) {
        Some((hz, _)) => format!("a {hz} Hz tone"),
        None => "nothing".into(),
    })
}

/// One line on the call's media: codec and packet counters.
async fn summary(who: &str, call: &Call) {
    match call.media_info().await {
        Some(media) => println!(
            "{who}: media {} sent {} received {} lost {} packets",
            media.codec.map_or_else(|| "-".to_owned(), |codec| codec.to_string()),
            media.stats.sent,
            media.stats.received,
            media.stats.lost
        ),
        None => println!("{who}: no media"),
    }
}
