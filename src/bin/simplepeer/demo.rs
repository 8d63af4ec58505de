//! `simplepeer demo`: a whole call between two peers in one process.

use std::time::Duration;

use session_core::{CallEvent, SimplePeer};

pub async fn run() -> Result<(), String> {
    let alice = SimplePeer::new("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let bob = SimplePeer::new("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    println!("alice is {}, bob is {}", alice.uri(), bob.uri());

    let bob_uri = bob.uri();
    let answering = tokio::spawn(async move {
        let call = bob.next_call().await.ok_or("bob stopped")?;
        println!("bob: incoming call from {}", call.remote_uri());
        call.accept().await.map_err(|e| e.to_string())?;
        let reason = call.ended().await;
        println!("bob: call ended: {reason}");
        Ok::<_, String>(())
    });

    let call = alice.dial(&bob_uri).await.map_err(|e| e.to_string())?;
    let mut events = call.events().ok_or("events already taken")?;
    let printer = tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            println!("alice: {event:?}");
            if matches!(event, CallEvent::Ended(_)) {
                break;
            }
        }
    });
    call.wait_for(session_core::State::Active).await;
    println!("alice: talking for a moment…");
    tokio::time::sleep(Duration::from_millis(500)).await;
    call.hangup().await.map_err(|e| e.to_string())?;
    let reason = call.ended().await;
    println!("alice: call ended after {:.2} s: {reason}", call.duration().as_secs_f32());
    let _ = printer.await;
    answering.await.map_err(|e| e.to_string())??;
    Ok(())
}
