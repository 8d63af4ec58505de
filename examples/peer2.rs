//! The answering side of the plan's two-peer demo. Run it first:
//! `cargo run --example peer2`, then `cargo run --example peer1` in another shell.
//!
//! Answers one call on 127.0.0.1:5062 with a 1000 Hz tone, records what the caller
//! sends to `peer2.wav`, prints the DTMF digits it hears, and exits when the call ends.

use session_core::{CallEvent, RecordMode, SimplePeer, State};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let peer = SimplePeer::new("127.0.0.1:5062").await?;
    println!("peer2: waiting for a call on {}", peer.uri());
    let call = peer.next_call().await.ok_or("the peer stopped")?;
    println!("peer2: call from {}", call.remote_uri());
    let mut events = call.events().ok_or("events already taken")?;
    call.play_tone(1000.0)?;
    call.accept().await?;
    call.wait_for(State::Active).await;

    let wav = std::env::current_dir()?.join("peer2.wav");
    call.start_recording(&wav, RecordMode::Received).await?;
    while let Some(event) = events.recv().await {
        match event {
            CallEvent::Dtmf(digit) => println!("peer2: dtmf {digit}"),
            CallEvent::StateChanged(state) => println!("peer2: {state}"),
            CallEvent::Ended(reason) => println!("peer2: call ended: {reason}"),
            _ => {}
        }
    }
    if let Some(info) = call.media_info().await {
        println!(
            "peer2: {:?}, sent {} packets, received {}",
            info.codec, info.stats.sent, info.stats.received
        );
    }
    println!("peer2: the caller's audio is in {}", wav.display());
    Ok(())
}
