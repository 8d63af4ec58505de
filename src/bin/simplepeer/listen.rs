//! `simplepeer listen`: answer (or reject) incoming calls.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use session_core::{Call, CallEvent, SimplePeer, State};
use tokio::sync::{Mutex, Notify, mpsc};

use crate::Failure;
use crate::console;
use crate::limits::LimitArgs;
use crate::media::{MediaArgs, Totals, watch_events};
use crate::peer::PeerArgs;
use crate::plan::{at_least_one, secs};
use crate::registrar::RegisterArgs;
use crate::signals::{self, LiveCalls};

/// Options of `simplepeer listen`.
#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:5060")]
    bind: String,
    /// Answer every call at once.
    #[arg(long)]
    auto_answer: bool,
    /// Let each call ring this many seconds, then answer it.
    #[arg(long, value_name = "SECS", conflicts_with_all = ["auto_answer", "reject"])]
    answer_after: Option<f64>,
    /// Answer, hang up, hold and send DTMF from the terminal, one command per line: a
    /// (answer), h (hang up), H (hold/resume), digits (DTMF), q (quit).
    #[arg(long, conflicts_with_all = ["auto_answer", "reject", "answer_after"])]
    interactive: bool,
    /// Reject every call with this status code (e.g. 486, 603).
    #[arg(long, value_name = "CODE", conflicts_with = "auto_answer", value_parser = clap::value_parser!(u16).range(300..700))]
    reject: Option<u16>,
    /// Exit after this many calls have ended (a call placed because a peer transferred
    /// us counts as one more).
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    max_calls: Option<usize>,
    /// Print a line of load figures on stdout at start and then every SECS seconds:
    /// live calls and transactions, calls so far, resident memory (KiB), open fds.
    #[arg(long, value_name = "SECS", value_parser = crate::stats::interval)]
    stats_every: Option<Duration>,
    #[command(flatten)]
    peer: PeerArgs,
    #[command(flatten)]
    media: MediaArgs,
    #[command(flatten)]
    register: RegisterArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Registers when asked, answers calls until --max-calls or a signal (which hangs up the
/// calls still up), then withdraws the registration.
pub async fn run(args: Args) -> Result<(), Failure> {
    args.media.check()?;
    let answer = match (args.reject, args.answer_after) {
        (Some(code), _) => Answer::Reject(code),
        (None, Some(after)) => Answer::After(crate::plan::seconds("--answer-after", after)?),
        (None, None) if args.auto_answer => Answer::After(Duration::ZERO),
        (None, None) => Answer::Wait,
    };
    let (peer, _registration) =
        args.register.start(&args.peer, &args.bind, false, args.limits.limits()).await?;
    let served = Arc::new(Served {
        media: args.media.clone(),
        max: args.max_calls,
        calls: AtomicUsize::new(0),
        ended: AtomicUsize::new(0),
        done: Notify::new(),
        totals: Mutex::new(Totals::default()),
        live: LiveCalls::default(),
    });
    let outcome = tokio::select! {
        served = serve(&peer, &args, answer, &served) => served.map_err(Failure::from),
        signal = signals::first() => {
            let stopped = served.live.hang_up(signal).await;
            // The hung-up calls have been counted as they ended.
            println!("{}", served.totals.lock().await.line());
            Err(stopped)
        }
        () = crate::stats::report(&peer, args.stats_every) => unreachable!("reports until stopped"),
    };
    peer.shutdown().await;
    outcome
}

/// What the calls of one `listen` share: the media options, the counters and the
/// signal that --max-calls have ended.
struct Served {
    media: MediaArgs,
    max: Option<usize>,
    /// Calls so far, incoming or placed for a transfer: numbers their recordings.
    calls: AtomicUsize,
    ended: AtomicUsize,
    done: Notify,
    totals: Mutex<Totals>,
    /// The calls to hang up if a signal stops us.
    live: LiveCalls,
}

/// What becomes of each incoming call.
#[derive(Clone, Copy)]
enum Answer {
    /// Answered after it rang this long.
    After(Duration),
    /// Rejected with this status.
    Reject(u16),
    /// Left ringing, for the caller to give up (or the console to answer).
    Wait,
}

async fn serve(peer: &SimplePeer, args: &Args, answer: Answer, served: &Arc<Served>) -> Result<(), String> {
    tracing::info!(uri = %peer.uri(), "listening");
    if matches!(answer, Answer::Wait) && !args.interactive {
        tracing::info!(
            "calls will ring until the caller gives up, or for 3 minutes; use --auto-answer, \
             --answer-after SECS, --reject CODE or --interactive"
        );
    }
    let (console, mut console_done) = if args.interactive {
        let (calls, rx) = mpsc::unbounded_channel();
        (Some(calls), tokio::spawn(console::run(rx, served.media.clone())))
    } else {
        (None, tokio::spawn(std::future::pending()))
    };
    loop {
        let call = tokio::select! {
            call = peer.next_call() => match call {
                Some(call) => call,
                None => return Err("the peer stopped".into()),
            },
            () = served.done.notified() => break,
            _ = &mut console_done => {
                served.live.hang_up_all().await;
                break;
            }
        };
        tracing::info!(id = %call.id(), from = %call.remote_uri(), "incoming call");
        if !served.live.add(&call) {
            continue; // a signal is stopping us: hung up
        }
        if let Some(console) = &console {
            let _ = console.send(call.clone());
        }
        let served = served.clone();
        tokio::spawn(async move {
            watch(&served, &call);
            if let Err(error) = take(&served, &call, answer).await {
                tracing::warn!(id = %call.id(), %error, "could not answer");
            }
            look_after(&served, &call).await;
        });
    }
    println!("{}", served.totals.lock().await.line());
    Ok(())
}

/// Answers or rejects the call as `answer` says.
async fn take(served: &Served, call: &Call, answer: Answer) -> Result<(), session_core::CallError> {
    match answer {
        Answer::Reject(code) => call.reject(code).await,
        Answer::After(ringing) => {
            if !ringing.is_zero() {
                tokio::time::sleep(ringing).await;
                if matches!(call.state(), State::Terminated | State::Failed) {
                    return Ok(()); // the caller gave up meanwhile
                }
            }
            match served.media.choose_source(call) {
                Ok(()) => call.accept().await,
                Err(why) => {
                    tracing::warn!(id = %call.id(), "{why}");
                    call.reject(500).await
                }
            }
        }
        Answer::Wait => Ok(()),
    }
}

/// Prints the call's DTMF and transfer news; a call placed because the peer transferred
/// us sends what ours did and counts as one more call.
fn watch(served: &Arc<Served>, call: &Call) {
    let served = served.clone();
    watch_events(call, move |event| {
        let CallEvent::TransferRequested { new_call: Some(new_call), .. } = event else { return };
        let served = served.clone();
        if !served.live.add(&new_call) {
            return; // a signal is stopping us: hung up
        }
        tokio::spawn(async move {
            if let Err(why) = served.media.choose_source(&new_call) {
                tracing::warn!(id = %new_call.id(), "{why}");
            }
            watch(&served, &new_call);
            look_after(&served, &new_call).await;
        });
    });
}

/// Records the call once answered, and counts it when it ends.
async fn look_after(served: &Served, call: &Call) {
    let nth = served.calls.fetch_add(1, Ordering::SeqCst) + 1;
    if call.wait_for(State::Active).await == State::Active {
        tracing::info!(id = %call.id(), "answered");
        if let Err(why) = served.media.record(call, nth).await {
            tracing::warn!(id = %call.id(), "{why}");
        }
    }
    let reason = call.ended().await;
    served.live.remove(call);
    let info = call.media_info().await;
    served.totals.lock().await.add(call, info);
    tracing::info!(id = %call.id(), %reason, after = %secs(call.duration()), "call ended");
    let count = served.ended.fetch_add(1, Ordering::SeqCst) + 1;
    if served.max.is_some_and(|max| count >= max) {
        served.done.notify_one();
    }
}
