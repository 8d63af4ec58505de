//! The demo's first act: alice calls bob, each sends a tone, alice sends DTMF, puts
//! bob on hold and resumes, then hangs up.

use std::time::Duration;

use session_core::State;

use super::{ALICE, BOB, hears, peer, print_events, summary};

pub async fn run() -> Result<(), String> {
    let alice = peer(ALICE.name).await?;
    let bob = peer(BOB.name).await?;
    println!("alice is {}, bob is {}", alice.uri(), bob.uri());

    let bob_uri = bob.uri();
    let answering = tokio::spawn(async move {
        let call = bob.next_call().await.ok_or("bob stopped")?;
        println!("bob: incoming call from {}", call.remote_uri());
        call.play_tone(BOB.hz).map_err(|e| e.to_string())?;
        call.accept().await.map_err(|e| e.to_string())?;
        print_events("bob", &call);
        println!("bob: hears {}", hears(&call).await?);
        let reason = call.ended().await;
        println!("bob: call ended: {reason}");
        summary("bob", &call).await;
        Ok::<_, String>(())
    });

    let call = alice.dial(&bob_uri).await.map_err(|e| e.to_string())?;
    call.play_tone(ALICE.hz).map_err(|e| e.to_string())?;
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
