//! `CallController`: placing calls, and the incoming-call channel.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{Mutex, mpsc, oneshot};

use super::{Call, CallError};
use crate::driver::command::Command;
use crate::shared::CallShared;

/// Places calls and hands out incoming ones; each [`Call`] then takes its own commands.
#[derive(Debug)]
pub struct CallController {
    commands: mpsc::UnboundedSender<Command>,
    incoming: Mutex<mpsc::UnboundedReceiver<Arc<CallShared>>>,
    /// Calls placed and handed out so far.
    total: AtomicU64,
}

impl CallController {
    pub(crate) fn new(
        commands: mpsc::UnboundedSender<Command>,
        incoming: mpsc::UnboundedReceiver<Arc<CallShared>>,
    ) -> Self {
        Self { commands, incoming: Mutex::new(incoming), total: AtomicU64::new(0) }
    }

    /// Places a call to `target` (`sip:user@host:port`) and returns it at once: the
    /// INVITE goes out as soon as the target's address is known and the RTP sockets are
    /// open. A target that is not a SIP URI we can call is an error, and nothing is sent.
    pub async fn make_call(&self, target: &str) -> Result<Call, CallError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Dial { target: target.to_owned(), reply })
            .map_err(|_| CallError::Shutdown)?;
        let shared = answer.await.map_err(|_| CallError::Shutdown)??;
        self.total.fetch_add(1, Ordering::Relaxed);
        Ok(Call::new(shared, self.commands.clone()))
    }

    /// The next incoming call, ringing (180 sent) and waiting for accept or reject;
    /// `None` once the peer has shut down.
    pub async fn incoming_call(&self) -> Option<Call> {
        let shared = self.incoming.lock().await.recv().await?;
        self.total.fetch_add(1, Ordering::Relaxed);
        Some(Call::new(shared, self.commands.clone()))
    }

    /// Calls placed with [`CallController::make_call`] and handed out by
    /// [`CallController::incoming_call`] so far.
    pub fn calls_total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }
}
