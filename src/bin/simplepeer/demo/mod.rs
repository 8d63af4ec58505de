//! `simplepeer demo`: peers in one process call each other on loopback, each sending
//! its own tone, and say what they hear: a call with DTMF, hold and resume; a
//! three-party conference; a blind transfer.

mod call;
mod conference;
mod transfer;

use std::time::Duration;

use session_core::media::{SAMPLES_PER_FRAME, goertzel};
use session_core::{Call, CallEvent, SimplePeer, State};

/// Who takes part, and the tone each sends so that the others can tell it apart.
#[derive(Clone, Copy)]
pub struct Party {
    name: &'static str,
    hz: f64,
}

const ALICE: Party = Party { name: "alice", hz: 440.0 };
const BOB: Party = Party { name: "bob", hz: 1000.0 };
const CAROL: Party = Party { name: "carol", hz: 700.0 };
const EVERYONE: [Party; 3] = [ALICE, BOB, CAROL];

/// Goertzel power above which a tone counts as heard: a tone at the library's
/// amplitude gives about (16000 / 2)², silence and codec noise well under this.
const HEARD: f64 = 1.0e6;

pub async fn run() -> Result<(), String> {
    println!("== a call: tones both ways, DTMF, hold and resume");
    call::run().await?;
    println!("\n== a three-party conference");
    conference::run().await?;
    println!("\n== a blind transfer");
    transfer::run().await
}

/// A peer on a free loopback port, with `user` in its URI.
async fn peer(user: &str) -> Result<SimplePeer, String> {
    let builder = SimplePeer::builder("127.0.0.1:0").map_err(|e| e.to_string())?;
    builder.user(user).start().await.map_err(|e| e.to_string())
}

/// Prints the call's events as they come, until it ends.
fn print_events(who: &'static str, call: &Call) -> tokio::task::JoinHandle<()> {
    let events = call.events();
    tokio::spawn(async move {
        let Some(mut events) = events else { return };
        while let Some(event) = events.recv().await {
            match event {
                CallEvent::Dtmf(digit) => println!("{who}: received DTMF {digit}"),
                CallEvent::StateChanged(state) => println!("{who}: {}", in_words(state)),
                CallEvent::Ended(_) => break,
                other => println!("{who}: {other:?}"),
            }
        }
    })
}

/// A state as a person says it: `OnHold` is "on hold".
fn in_words(state: State) -> String {
    let mut words = String::new();
    for c in state.to_string().chars() {
        if c.is_uppercase() && !words.is_empty() {
            words.push(' ');
        }
        words.push(c.to_ascii_lowercase());
    }
    words
}

/// Whose tones half a second of the call's audio holds, e.g. "bob (1000 Hz)".
async fn hears(call: &Call) -> Result<String, String> {
    let mut audio = call.audio().map_err(|e| e.to_string())?;
    // Up to 5 s for the peer's audio to arrive and the jitter buffer to fill, then 0.7 s
    // of it; keep the last half second (what came first may still be audio from before
    // the step, in flight and buffered).
    let samples = audio
        .capture(Duration::from_millis(700), Duration::from_secs(5))
        .await
        .ok_or("the call's audio stopped")?;
    let samples = &samples[10 * SAMPLES_PER_FRAME..];
    let heard: Vec<String> = EVERYONE
        .iter()
        .filter(|party| goertzel(samples, party.hz, 8000) > HEARD)
        .map(|party| format!("{} ({} Hz)", party.name, party.hz))
        .collect();
    Ok(if heard.is_empty() { "nothing".into() } else { heard.join(" and ") })
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
