//! Ctrl-C (SIGINT) and SIGTERM: the first makes the command hang up its calls and
//! finish; a second exits at once. The calls to hang up are kept in [`LiveCalls`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use session_core::{Call, SessionId, State};

use crate::Failure;

/// How long the calls' answers (200 to BYE, 487 to CANCEL) are waited for after a signal.
const PATIENCE: Duration = Duration::from_secs(2);

/// The signal that stops a command.
#[derive(Clone, Copy, Debug)]
pub enum Signal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
}

impl Signal {
    /// The exit status of a process stopped by the signal: 128 + its number.
    fn status(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }
}

/// Waits for the first SIGINT or SIGTERM; from then on, another one exits the process
/// at once. Never returns if the signals cannot be watched (that is logged).
pub async fn first() -> Signal {
    let Some(signal) = next().await else { return std::future::pending().await };
    tracing::info!("{}: hanging up; press Ctrl-C again to exit at once", signal.name());
    tokio::spawn(async move {
        if let Some(again) = next().await {
            eprintln!("simplepeer: {} again; exiting now", again.name());
            std::process::exit(i32::from(again.status()));
        }
    });
    signal
}

#[cfg(unix)]
async fn next() -> Option<Signal> {
    use tokio::signal::unix::{SignalKind, signal};
    let watch = |kind| signal(kind).map_err(|error| tracing::warn!(%error, "cannot watch for signals"));
    let (mut interrupt, mut terminate) =
        (watch(SignalKind::interrupt()).ok()?, watch(SignalKind::terminate()).ok()?);
    tokio::select! {
        _ = interrupt.recv() => Some(Signal::Interrupt),
        _ = terminate.recv() => Some(Signal::Terminate),
    }
}

#[cfg(not(unix))]
async fn next() -> Option<Signal> {
    tokio::signal::ctrl_c().await.ok().map(|()| Signal::Interrupt)
}

/// The calls a command has placed or taken, to hang up when a signal stops it: each is
/// kept from [`LiveCalls::add`] to [`LiveCalls::remove`], by id.
#[derive(Default)]
pub struct LiveCalls {
    calls: Mutex<HashMap<SessionId, Call>>,
    /// Set by [`LiveCalls::hang_up`]: calls added later are hung up at once.
    stopping: AtomicBool,
}

impl LiveCalls {
    /// Keeps `call` until [`LiveCalls::remove`]; false (and the call hung up) once a signal is
    /// stopping the command, which then places or takes no more calls.
    pub fn add(&self, call: &Call) -> bool {
        let Ok(mut calls) = self.calls.lock() else { return false };
        calls.insert(call.id(), call.clone());
        drop(calls);
        if self.stopping.load(Ordering::SeqCst) {
            let call = call.clone();
            tokio::spawn(async move { call.hangup().await });
            return false;
        }
        true
    }

    /// Forgets `call`, which has ended.
    pub fn remove(&self, call: &Call) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.remove(&call.id());
        }
    }

    /// Hangs up every call still up (CANCEL while it rings, BYE once answered), waits
    /// up to [`PATIENCE`] for them to end; the failure that `signal` makes of the command.
    pub async fn hang_up(&self, signal: Signal) -> Failure {
        let calls = match self.hang_up_all().await {
            1 => "1 call".to_owned(),
            n => format!("{n} calls"),
        };
        Failure { message: format!("stopped by {}; hung up {calls}", signal.name()), status: signal.status() }
    }

    /// Hangs up every call still up and waits up to [`PATIENCE`] for them to end; how
    /// many there were. Calls added later are hung up at once.
    pub async fn hang_up_all(&self) -> usize {
        self.stopping.store(true, Ordering::SeqCst);
        let all: Vec<Call> =
            self.calls.lock().map(|calls| calls.values().cloned().collect()).unwrap_or_default();
        let live: Vec<Call> = all.into_iter().filter(|call| !over(call)).collect();
        for call in &live {
            if let Err(error) = call.hangup().await {
                tracing::debug!(id = %call.id(), %error, "not hung up");
            }
        }
        let deadline = tokio::time::Instant::now() + PATIENCE;
        for call in &live {
            if tokio::time::timeout_at(deadline, call.ended()).await.is_err() {
                tracing::warn!(id = %call.id(), "no answer to our hang-up; leaving");
            }
        }
        live.len()
    }
}

fn over(call: &Call) -> bool {
    matches!(call.state(), State::Terminated | State::Failed)
}
