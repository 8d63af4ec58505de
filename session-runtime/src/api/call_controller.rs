//! `CallController`: placing calls, the incoming-call channel, and the call commands.

use tokio::sync::{Mutex, mpsc, oneshot};

use super::{Call, CallError};
use crate::driver::command::Command;

/// Places calls and hands out incoming ones.
#[derive(Debug)]
pub struct CallController {
    commands: mpsc::UnboundedSender<Command>,
    incoming: Mutex<mpsc::UnboundedReceiver<Call>>,
}

impl CallController {
    pub(crate) fn new(
        commands: mpsc::UnboundedSender<Command>,
        incoming: mpsc::UnboundedReceiver<Call>,
    ) -> Self {
        Self { commands, incoming: Mutex::new(incoming) }
    }

    /// Sends an INVITE to `target` (`sip:user@host:port`) and returns the call at once,
    /// in `Initiating`.
    pub async fn make_call(&self, target: &str) -> Result<Call, CallError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Dial { target: target.to_owned(), reply })
            .map_err(|_| CallError::Shutdown)?;
        answer.await.map_err(|_| CallError::Shutdown)?
    }

    /// The next incoming call, ringing (180 sent) and waiting for accept or reject;
    /// `None` once the peer has shut down.
    pub async fn incoming_call(&self) -> Option<Call> {
        self.incoming.lock().await.recv().await
    }

    /// Answers an incoming call.
    pub async fn accept(&self, call: &Call) -> Result<(), CallError> {
        call.accept().await
    }

    /// Refuses an incoming call with `code` (486 Busy Here, 603 Decline, …).
    pub async fn reject(&self, call: &Call, code: u16) -> Result<(), CallError> {
        call.reject(code).await
    }

    /// Ends a call.
    pub async fn hangup(&self, call: &Call) -> Result<(), CallError> {
        call.hangup().await
    }
}
