//! `simplepeer call`: place a call (or several at once), talk, hang up.

use std::time::Duration;

use session_core::{Call, State};

use crate::media::{MediaArgs, PeerArgs, Totals, print_dtmf};
use crate::registrar::RegisterArgs;

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
    /// Send these DTMF digits (0-9, *, #, A-D) half a second after the answer.
    #[arg(long, value_name = "DIGITS")]
    dtmf: Option<String>,
    /// Put the peer on hold this many seconds after the answer…
    #[arg(long, value_name = "SECS")]
    hold_after: Option<f64>,
    /// …and take it off hold this many seconds later.
    #[arg(long, value_name = "SECS", default_value_t = 1.0)]
    hold_for: f64,
    /// Place this many calls at once (each with the same options), e.g. for load tests.
    #[arg(long, value_name = "N", default_value_t = 1)]
    calls: usize,
    #[command(flatten)]
    peer: PeerArgs,
    #[command(flatten)]
    media: MediaArgs,
    #[command(flatten)]
    register: RegisterArgs,
}

fn seconds(flag: &str, value: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value).map_err(|_| format!("{flag} {value} is not a number of seconds"))
}

pub async fn run(args: Args) -> Result<(), String> {
    let talk = seconds("--duration", args.duration)?;
    let hold = match args.hold_after {
        Some(after) => Some((seconds("--hold-after", after)?, seconds("--hold-for", args.hold_for)?)),
        None => None,
    };
    // With --registrar, the calls go through the registrar (or --outbound-proxy).
    let (peer, _registration) = args.register.start(&args.peer, &args.bind, true).await?;
    let placed = place(&peer, &args, talk, hold).await;
    peer.shutdown().await;
    placed
}

async fn place(
    peer: &session_core::SimplePeer,
    args: &Args,
    talk: Duration,
    hold: Option<(Duration, Duration)>,
) -> Result<(), String> {
    tracing::info!(from = %peer.uri(), to = %args.target, calls = args.calls, "calling");
    let mut calls = Vec::with_capacity(args.calls);
    for nth in 1..=args.calls {
        let call = peer.dial(&args.target).await.map_err(|e| format!("call failed: {e}"))?;
        args.media.choose_source(&call)?;
        print_dtmf(&call);
        let script = Script { nth, talk, hold, dtmf: args.dtmf.clone(), media: args.media.clone() };
        calls.push((call.clone(), tokio::spawn(script.run(call))));
        if args.calls > 1 {
            // Spread a burst of calls over a few milliseconds each.
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    let (mut totals, mut failures) = (Totals::default(), Vec::new());
    for (call, script) in calls {
        let outcome = script.await.map_err(|e| e.to_string()).and_then(|r| r);
        totals.add(&call, call.media_info().await);
        if let Err(why) = outcome {
            failures.push(why);
        }
    }
    println!("{}", totals.line());
    match failures.first() {
        None => Ok(()),
        Some(first) => Err(format!("{} of {} calls failed; the first: {first}", failures.len(), args.calls)),
    }
}

/// What one call does once placed.
struct Script {
    nth: usize,
    talk: Duration,
    hold: Option<(Duration, Duration)>,
    dtmf: Option<String>,
    media: MediaArgs,
}

impl Script {
    async fn run(self, call: Call) -> Result<(), String> {
        if call.wait_for(State::Active).await != State::Active {
            return Err(format!("call failed: {}", call.ended().await));
        }
        tracing::info!(id = %call.id(), "answered");
        self.media.record(&call, self.nth).await?;
        let (script_call, dtmf, hold) = (call.clone(), self.dtmf.clone(), self.hold);
        let script = async move {
            if let Some(digits) = dtmf {
                tokio::time::sleep(Duration::from_millis(500)).await;
                script_call.send_dtmf(&digits).await.map_err(|e| e.to_string())?;
            }
            if let Some((after, length)) = hold {
                tokio::time::sleep(after).await;
                script_call.hold().await.map_err(|e| e.to_string())?;
                tracing::info!(id = %script_call.id(), "holding");
                tokio::time::sleep(length).await;
                script_call.wait_for(State::OnHold).await;
                script_call.resume().await.map_err(|e| e.to_string())?;
                tracing::info!(id = %script_call.id(), "resumed");
            }
            std::future::pending::<Result<(), String>>().await
        };
        tokio::select! {
            () = tokio::time::sleep(self.talk) => call.hangup().await.map_err(|e| e.to_string())?,
            reason = call.ended() => tracing::info!(%reason, "ended before --duration"),
            failed = script => failed?,
        }
        let reason = call.ended().await;
        tracing::info!(id = %call.id(), %reason, seconds = call.duration().as_secs_f32(), "call ended");
        if reason.is_normal() { Ok(()) } else { Err(format!("call ended abnormally: {reason}")) }
    }
}
