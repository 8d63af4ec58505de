//! `simplepeer call`: place a call (or several at once), talk, hang up.

use std::time::Duration;

use session_core::{Call, CallEvent, EndReason, State};
use tokio::sync::mpsc;

use crate::Failure;
use crate::media::{MediaArgs, Totals, watch_events};
use crate::peer::PeerArgs;
use crate::plan::{DTMF_AFTER, Options, Plan, at_least_one, secs};
use crate::registrar::RegisterArgs;
use crate::signals::{self, LiveCalls};

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
    /// Put the peer on hold this many seconds after the answer (the hold and its
    /// --hold-for must end before --duration)…
    #[arg(long, value_name = "SECS")]
    hold_after: Option<f64>,
    /// …and take it off hold this many seconds later.
    #[arg(long, value_name = "SECS", default_value_t = 1.0)]
    hold_for: f64,
    /// Transfer the peer to this SIP URI (blind: REFER) --transfer-after seconds after
    /// the answer; the call ends once the peer reports that the new call was answered,
    /// and goes on to --duration if the transfer fails (the exit status is then 1).
    #[arg(long, value_name = "URI")]
    transfer_to: Option<String>,
    /// When to transfer, in seconds after the answer.
    #[arg(long, value_name = "SECS", default_value_t = 1.0)]
    transfer_after: f64,
    /// Place this many calls at once (each with the same options), e.g. for load tests.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = at_least_one)]
    calls: usize,
    #[command(flatten)]
    peer: PeerArgs,
    #[command(flatten)]
    media: MediaArgs,
    #[command(flatten)]
    register: RegisterArgs,
}

pub async fn run(args: Args) -> Result<(), Failure> {
    let plan = Plan::new(&Options {
        duration: args.duration,
        dtmf: args.dtmf.as_deref(),
        hold_after: args.hold_after,
        hold_for: args.hold_for,
        transfer_to: args.transfer_to.as_deref(),
        transfer_after: args.transfer_after,
    })?;
    session_core::check_target(&args.target).map_err(|e| e.to_string())?;
    args.media.check()?;
    // With --registrar, the calls go through the registrar (or --outbound-proxy).
    let (peer, _registration) = args.register.start(&args.peer, &args.bind, true, Default::default()).await?;
    let placed = {
        let live = LiveCalls::default();
        let placing = place(&peer, &args, plan, &live);
        let mut placing = std::pin::pin!(placing);
        tokio::select! {
            placed = &mut placing => placed.map_err(Failure::from),
            signal = signals::first() => {
                let stopped = live.hang_up(signal).await;
                // The calls have ended: their scripts finish and the media line is printed.
                let _ = tokio::time::timeout(Duration::from_secs(1), &mut placing).await;
                Err(stopped)
            }
        }
    };
    peer.shutdown().await;
    placed
}

async fn place(
    peer: &session_core::SimplePeer,
    args: &Args,
    plan: Plan,
    live: &LiveCalls,
) -> Result<(), String> {
    tracing::info!(from = %peer.uri(), to = %args.target, calls = args.calls, "calling");
    let mut calls = Vec::with_capacity(args.calls);
    for nth in 1..=args.calls {
        let call = peer.dial(&args.target).await.map_err(|e| format!("call failed: {e}"))?;
        if !live.add(&call) {
            break; // a signal is stopping us
        }
        args.media.choose_source(&call)?;
        let (statuses, news) = mpsc::unbounded_channel();
        watch_events(&call, move |event| {
            if let CallEvent::TransferStatus(code) = event {
                let _ = statuses.send(code);
            }
        });
        let script = Script { nth, plan: plan.clone(), media: args.media.clone(), news };
        calls.push((call.clone(), tokio::spawn(script.run(call))));
        if args.calls > 1 {
            // Spread a burst of calls over a few milliseconds each.
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    let (mut totals, mut failures) = (Totals::default(), Vec::new());
    let placed = calls.len();
    for (call, script) in calls {
        let outcome = script.await.map_err(|e| e.to_string()).and_then(|r| r);
        totals.add(&call, call.media_info().await);
        if let Err(why) = outcome {
            if args.calls > 1 {
                tracing::warn!(id = %call.id(), "{why}"); // each failure, not only the first
            }
            failures.push(why);
        }
    }
    if args.calls > 1 {
        let failed = failures.len();
        tracing::info!(completed = placed - failed, failed, "all calls ended");
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
    plan: Plan,
    media: MediaArgs,
    /// The statuses of the transfer, as the peer reports them.
    news: mpsc::UnboundedReceiver<u16>,
}

impl Script {
    async fn run(mut self, call: Call) -> Result<(), String> {
        if call.wait_for(State::Active).await != State::Active {
            return Err(format!("call failed: {}", call.ended().await));
        }
        tracing::info!(id = %call.id(), "answered");
        self.media.record(&call, self.nth).await?;
        let script = timeline(call.clone(), self.plan.dtmf.clone(), self.plan.hold);
        let mut refused = None;
        {
            let transfer = transfer(&call, self.plan.transfer.clone(), &mut self.news, &mut refused);
            tokio::select! {
                () = tokio::time::sleep(self.plan.talk) => call.hangup().await.map_err(|e| e.to_string())?,
                reason = call.ended() => match reason {
                    EndReason::Transferred => tracing::info!(id = %call.id(), "transferred"),
                    reason => tracing::info!(%reason, "ended before --duration"),
                },
                failed = script => failed?,
                failed = transfer => failed?,
            }
        }
        let reason = call.ended().await;
        tracing::info!(id = %call.id(), %reason, after = %secs(call.duration()), "call ended");
        if !reason.is_normal() {
            return Err(format!("call ended abnormally: {reason}"));
        }
        match (refused, &self.plan.transfer) {
            (Some(code), Some((target, _))) => Err(format!("the transfer to {target} failed with {code}")),
            _ => Ok(()),
        }
    }
}

/// The DTMF and the hold of the plan, each at its time after the answer. Never returns
/// `Ok`: the call ends by the clock, the peer or a transfer.
async fn timeline(
    call: Call,
    dtmf: Option<String>,
    hold: Option<(Duration, Duration)>,
) -> Result<(), String> {
    let digits = async {
        if let Some(digits) = dtmf {
            tokio::time::sleep(DTMF_AFTER).await;
            call.send_dtmf(&digits).await.map_err(|e| e.to_string())?;
        }
        Ok::<_, String>(())
    };
    let hold = async {
        if let Some((after, length)) = hold {
            tokio::time::sleep(after).await;
            call.hold().await.map_err(|e| e.to_string())?;
            tracing::info!(id = %call.id(), "holding");
            tokio::time::sleep(length).await;
            call.wait_for(State::OnHold).await;
            call.resume().await.map_err(|e| e.to_string())?;
            tracing::info!(id = %call.id(), "resumed");
        }
        Ok(())
    };
    tokio::try_join!(digits, hold)?;
    std::future::pending().await
}

/// At the planned time, transfers the call and follows the statuses until the final
/// one; a failure is noted in `refused` and the call goes on. Never returns `Ok`: a
/// transfer that works ends the call.
async fn transfer(
    call: &Call,
    plan: Option<(String, Duration)>,
    news: &mut mpsc::UnboundedReceiver<u16>,
    refused: &mut Option<u16>,
) -> Result<(), String> {
    if let Some((target, after)) = plan {
        tokio::time::sleep(after).await;
        call.transfer(&target).await.map_err(|e| e.to_string())?;
        tracing::info!(id = %call.id(), %target, "transferring");
        while let Some(code) = news.recv().await {
            if code >= 300 {
                tracing::warn!(id = %call.id(), %target, code, "the transfer failed; staying in the call");
                *refused = Some(code);
                break;
            }
        }
    }
    std::future::pending().await
}
