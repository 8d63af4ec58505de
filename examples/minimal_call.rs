//! Place a call in four lines: `cargo run --example minimal_call -- sip:bob@127.0.0.1:5080`
//! (start `cargo run --example minimal_receive` or `simplepeer listen --auto-answer` first).

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = std::env::args().nth(1).unwrap_or_else(|| "sip:bob@127.0.0.1:5080".into());

    let peer = session_core::SimplePeer::new("127.0.0.1:0").await?;
    let call = peer.call(&target).await?;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    call.hangup().await?;

    println!("call ended: {}", call.ended().await);
    Ok(())
}
