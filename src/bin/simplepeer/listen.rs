//! `simplepeer listen`: answer (or reject) incoming calls.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use session_core::{SimplePeer, State};
use tokio::sync::{Mutex, Notify};

use crate::media::{MediaArgs, PeerArgs, Totals, print_dtmf};
use crate::registrar::RegisterArgs;

/// Options of `simplepeer listen`.
#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:5060")]
    bind: String,
    /// Answer every call at once.
    #[arg(long)]
    auto_answer: bool,
    /// Reject every call with this status code (e.g. 486, 603).
    #[arg(long, value_name = "CODE", conflicts_with = "auto_answer", value_parser = clap::value_parser!(u16).range(300..700))]
    reject: Option<u16>,
    /// Exit after this many calls have ended.
    #[arg(long, value_name = "N")]
    max_calls: Option<usize>,
    #[command(flatten)]
    peer: PeerArgs,
    #[command(flatten)]
    media: MediaArgs,
    #[command(flatten)]
    register: RegisterArgs,
}

/// Registers when asked, answers calls until --max-calls or Ctrl-C, then withdraws the
/// registration.
pub async fn run(args: Args) -> Result<(), String> {
    let (peer, _registration) = args.register.start(&args.peer, &args.bind, false).await?;
    let served = tokio::select! {
        served = serve(&peer, &args) => served,
        interrupted = tokio::signal::ctrl_c() => match interrupted {
            Ok(()) => {
                tracing::info!("interrupted; stopping");
                Ok(())
            }
            Err(error) => Err(format!("cannot wait for Ctrl-C: {error}")),
        },
    };
    peer.shutdown().await;
    served
}

async fn serve(peer: &SimplePeer, args: &Args) -> Result<(), String> {
    tracing::info!(uri = %peer.uri(), "listening");
    if !args.auto_answer && args.reject.is_none() {
        tracing::info!(
            "calls will ring until the caller gives up, or for 3 minutes; use --auto-answer or --reject CODE"
        );
    }
    let (ended, done) = (Arc::new(AtomicUsize::new(0)), Arc::new(Notify::new()));
    let totals = Arc::new(Mutex::new(Totals::default()));
    let max = args.max_calls;
    let mut received = 0;
    loop {
        let call = tokio::select! {
            call = peer.next_call() => match call {
                Some(call) => call,
                None => return Err("the peer stopped".into()),
            },
            () = done.notified() => {
                println!("{}", totals.lock().await.line());
                return Ok(());
            }
        };
        received += 1;
        tracing::info!(id = %call.id(), from = %call.remote_uri(), "incoming call");
        let (ended, done, totals) = (ended.clone(), done.clone(), totals.clone());
        let (auto_answer, reject, media) = (args.auto_answer, args.reject, args.media.clone());
        tokio::spawn(async move {
            print_dtmf(&call);
            let answered = match reject {
                Some(code) => call.reject(code).await,
                None if auto_answer => match media.choose_source(&call) {
                    Ok(()) => call.accept().await,
                    Err(why) => {
                        tracing::warn!(id = %call.id(), "{why}");
                        call.reject(500).await
                    }
                },
                None => Ok(()),
            };
            if let Err(error) = answered {
                tracing::warn!(id = %call.id(), %error, "could not answer");
            }
            if call.wait_for(State::Active).await == State::Active
                && let Err(why) = media.record(&call, received).await
            {
                tracing::warn!(id = %call.id(), "{why}");
            }
            let reason = call.ended().await;
            let info = call.media_info().await;
            totals.lock().await.add(&call, info);
            tracing::info!(id = %call.id(), %reason, seconds = call.duration().as_secs_f32(), "call ended");
            let count = ended.fetch_add(1, Ordering::SeqCst) + 1;
            if max.is_some_and(|max| count >= max) {
                done.notify_one();
            }
        });
    }
}
