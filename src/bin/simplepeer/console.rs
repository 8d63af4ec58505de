//! `listen --interactive`: the calls answered from the terminal, in the spirit of
//! pjsua's console. One command per line: `a` answers the ringing call, `h` hangs up
//! (or rejects), `H` holds or resumes, a line of DTMF digits sends them, `q` quits, `?`
//! lists the commands. The newest call that has not ended is the one commands act on.

use session_core::{Call, State};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

use crate::media::MediaArgs;

const HELP: &str = "commands: a answer, h hang up, H hold/resume, digits send DTMF, q quit, ? help";

/// Reads commands from standard input until it closes or `q`; `calls` brings each
/// incoming call as it rings.
pub async fn run(mut calls: mpsc::UnboundedReceiver<Call>, media: MediaArgs) {
    println!("{HELP}");
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut current: Option<Call> = None;
    loop {
        tokio::select! {
            call = calls.recv() => match call {
                Some(call) => {
                    println!("incoming call from {} (a to answer, h to reject)", call.remote_uri());
                    current = Some(call);
                }
                None => return,
            },
            line = lines.next_line() => match line {
                Ok(Some(line)) => {
                    if line.trim() == "q" {
                        println!("quitting");
                        return;
                    }
                    let live = current.as_ref().filter(|call| !matches!(call.state(), State::Terminated | State::Failed));
                    command(line.trim(), live, &media).await;
                }
                Ok(None) => return, // standard input closed
                Err(error) => {
                    tracing::warn!(%error, "cannot read commands");
                    return;
                }
            },
        }
    }
}

/// Carries out one command line on `call`, printing what happened.
async fn command(line: &str, call: Option<&Call>, media: &MediaArgs) {
    if line.is_empty() {
        return;
    }
    if line == "?" {
        println!("{HELP}");
        return;
    }
    let Some(call) = call else {
        println!("no call; {HELP}");
        return;
    };
    let done = match line {
        "a" => match media.choose_source(call) {
            Ok(()) => call.accept().await.map(|()| "answering"),
            Err(why) => {
                println!("{why}");
                return;
            }
        },
        "h" => call.hangup().await.map(|()| "hanging up"),
        "H" if call.state() == State::OnHold => call.resume().await.map(|()| "resuming"),
        "H" => call.hold().await.map(|()| "holding"),
        digits => match session_core::check_dtmf(digits) {
            Ok(()) => call.send_dtmf(digits).await.map(|()| "DTMF sent"),
            Err(_) => {
                println!("unknown command `{digits}`; {HELP}");
                return;
            }
        },
    };
    match done {
        Ok(what) => println!("{what}"),
        Err(error) => println!("cannot: {error}"),
    }
}
