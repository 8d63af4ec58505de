//! An embedded registrar and proxy, two peers registered to it, and a call by address of
//! record: `cargo run --example registered_call`. Everything stays on 127.0.0.1.

use std::time::Duration;

use session_core::auth::Users;
use session_core::{Server, SimplePeer};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let users = Users::parse("alice:wonderland\nbob:builder\n", "example.com")?;
    let server = Server::builder("127.0.0.1:0", "example.com", users)?.start().await?;
    println!("server on {}", server.local_addr());

    // Each peer sends its requests through the server and registers sip:USER@example.com.
    let alice =
        SimplePeer::builder("127.0.0.1:0")?.user("alice").outbound_proxy(server.local_addr()).start().await?;
    let bob =
        SimplePeer::builder("127.0.0.1:0")?.user("bob").outbound_proxy(server.local_addr()).start().await?;
    let registration = alice.register("sip:example.com", "alice", "wonderland").await?;
    println!("alice: {} for {} s", registration.state(), registration.expires().unwrap_or(0));
    bob.register("sip:example.com", "bob", "builder").await?;

    let answering = tokio::spawn(async move {
        let call = bob.next_call().await.ok_or("no call")?;
        println!("bob: call from {}", call.remote_uri());
        call.accept().await?;
        call.play_tone(1000.0)?;
        let reason = call.ended().await;
        bob.shutdown().await;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(reason)
    });
    // The server challenges the INVITE (407); the registration's credentials answer it.
    let call = alice.call("sip:bob@example.com").await?;
    call.play_tone(440.0)?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let heard = call.media_info().await.map_or(0, |info| info.stats.received);
    call.hangup().await?;
    println!("alice: {} RTP packets from bob; bob's call ended: {}", heard, answering.await??);
    alice.shutdown().await;
    Ok(())
}
