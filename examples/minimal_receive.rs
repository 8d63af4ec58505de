//! Answer a call in four lines: `cargo run --example minimal_receive`, then call
//! sip:bob@127.0.0.1:5080 (e.g. `cargo run --example minimal_call`).

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let peer = session_core::SimplePeer::new("127.0.0.1:5080").await?;
    let call = peer.next_call().await.ok_or("the peer stopped")?;
    call.accept().await?;
    println!("call from {} ended: {}", call.remote_uri(), call.ended().await);

    Ok(())
}
