//! `simplepeer call`: place one call, hold it, hang up.

use std::time::Duration;

use session_core::SimplePeer;

/// Options of `simplepeer call`.
#[derive(clap::Args)]
pub struct Args {
    /// Whom to call, e.g. sip:bob@127.0.0.1:5060.
    target: String,
    /// Our address.
    #[arg(long, default_value = "127.0.0.1:0")]
    bind: String,
    /// Seconds to stay in the call before hanging up.
    #[arg(long, default_value_t = 2.0)]
    duration: f64,
}

pub async fn run(args: Args) -> Result<(), String> {
    let hold_for = Duration::try_from_secs_f64(args.duration)
        .map_err(|_| format!("--duration {} is not a number of seconds", args.duration))?;
    let peer = SimplePeer::new(&args.bind).await.map_err(|e| e.to_string())?;
    tracing::info!(from = %peer.uri(), to = %args.target, "calling");
    let call = peer.call(&args.target).await.map_err(|e| format!("call failed: {e}"))?;
    tracing::info!(id = %call.id(), "answered");
    tokio::select! {
        () = tokio::time::sleep(hold_for) => call.hangup().await.map_err(|e| e.to_string())?,
        reason = call.ended() => tracing::info!(%reason, "ended before --duration"),
    }
    let reason = call.ended().await;
    tracing::info!(%reason, seconds = call.duration().as_secs_f32(), "call ended");
    if reason.is_normal() { Ok(()) } else { Err(format!("call ended abnormally: {reason}")) }
}
