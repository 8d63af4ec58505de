//! The calling side of the plan's two-peer demo; start `cargo run --example peer2`
//! first, then `cargo run --example peer1`.
//!
//! Calls peer2, sends a 440 Hz tone, sends DTMF, holds and resumes, hangs up, and
//! leaves both directions of the call mixed in `peer1.wav`.

use std::time::Duration;

use session_core::{RecordMode, SimplePeer, State};
use tokio::time::sleep;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let peer = SimplePeer::new("127.0.0.1:0").await?;
    println!("peer1: calling sip:peer2@127.0.0.1:5062 from {}", peer.uri());
    let call = peer.dial("sip:peer2@127.0.0.1:5062").await?;
    call.play_tone(440.0)?;
    if call.wait_for(State::Active).await != State::Active {
        return Err(format!("the call failed: {} (is peer2 running?)", call.ended().await).into());
    }
    let wav = std::env::current_dir()?.join("peer1.wav");
    call.start_recording(&wav, RecordMode::Mixed).await?;
    println!("peer1: answered; talking");
    sleep(Duration::from_secs(1)).await;

    println!("peer1: sending DTMF 1234#");
    call.send_dtmf("1234#").await?;
    sleep(Duration::from_secs(1)).await;

    call.hold().await?;
    call.wait_for(State::OnHold).await;
    println!("peer1: on hold");
    sleep(Duration::from_secs(1)).await;
    call.resume().await?;
    call.wait_for(State::Active).await;
    println!("peer1: resumed");
    sleep(Duration::from_secs(1)).await;

    call.hangup().await?;
    println!("peer1: call ended: {}", call.ended().await);
    if let Some(info) = call.media_info().await {
        println!(
            "peer1: {:?}, sent {} packets, received {}",
            info.codec, info.stats.sent, info.stats.received
        );
    }
    println!("peer1: both directions, mixed, are in {}", wav.display());
    Ok(())
}
