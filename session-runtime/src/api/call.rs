//! `Call`: the application's handle on one call.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_channel::mpsc as queue;
use tokio::sync::{mpsc, oneshot};

use super::events::{CallError, CallEvent, EndReason};
use crate::driver::command::Command;
use crate::machine::{Event, State};
use crate::shared::CallShared;
use crate::types::{CallDirection, SessionId};

/// One call, placed or received. Cloning gives another handle on the same call.
///
/// ```no_run
/// # async fn demo(call: session_core::Call) -> Result<(), session_core::CallError> {
/// println!("{} call with {}", if call.is_incoming() { "incoming" } else { "outgoing" }, call.remote_uri());
/// call.hangup().await?;
/// println!("ended: {}", call.ended().await);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Call {
    shared: Arc<CallShared>,
    commands: mpsc::UnboundedSender<Command>,
}

impl Call {
    pub(crate) fn new(shared: Arc<CallShared>, commands: mpsc::UnboundedSender<Command>) -> Self {
        Self { shared, commands }
    }

    /// The call's session id.
    pub fn id(&self) -> SessionId {
        self.shared.id
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.shared.status.borrow().state
    }

    /// The peer's URI.
    pub fn remote_uri(&self) -> &str {
        &self.shared.remote_uri
    }

    /// Who placed the call.
    pub fn direction(&self) -> CallDirection {
        self.shared.direction
    }

    /// True when the peer called us.
    pub fn is_incoming(&self) -> bool {
        self.shared.direction == CallDirection::Incoming
    }

    /// How long the call has been (or was) answered; zero before the answer.
    pub fn duration(&self) -> Duration {
        let status = self.shared.status.borrow();
        match (status.answered_at, &status.ended) {
            (Some(start), Some((_, end))) => end.saturating_duration_since(start),
            (Some(start), None) => start.elapsed(),
            (None, _) => Duration::ZERO,
        }
    }

    /// Answers an incoming call.
    pub async fn accept(&self) -> Result<(), CallError> {
        self.send(Event::Accept).await
    }

    /// Refuses an incoming call with a status code such as 486 or 603.
    pub async fn reject(&self, code: u16) -> Result<(), CallError> {
        self.send(Event::Reject { code }).await
    }

    /// Ends the call: CANCEL before the answer, BYE after it, 603 while it rings here.
    /// Hanging up a call that is already ending or over is not an error.
    pub async fn hangup(&self) -> Result<(), CallError> {
        match self.send(Event::Hangup).await {
            Err(CallError::Ended(_))
            | Err(CallError::InvalidState { state: State::Cancelling | State::Terminating, .. }) => Ok(()),
            other => other,
        }
    }

    /// Puts the peer on hold.
    pub async fn hold(&self) -> Result<(), CallError> {
        self.send(Event::Hold).await
    }

    /// Takes the peer off hold.
    pub async fn resume(&self) -> Result<(), CallError> {
        self.send(Event::Resume).await
    }

    /// Sends DTMF digits (`0-9`, `*`, `#`, `A-D`; `a-d` are taken as `A-D`), by RFC 4733
    /// telephone-events or SIP INFO (see [`DtmfMode`](crate::DtmfMode)).
    ///
    /// An empty string, or one with any other character, is refused with
    /// [`CallError::InvalidDtmf`] naming that character, and none of its digits is sent.
    pub async fn send_dtmf(&self, digits: &str) -> Result<(), CallError> {
        super::events::check_dtmf(digits)?;
        self.send(Event::SendDtmf { digits: digits.to_owned() }).await
    }

    /// Waits until the state is `wanted` or the call ends; returns the state reached.
    pub async fn wait_for(&self, wanted: State) -> State {
        let mut status = self.shared.status.subscribe();
        let reached = status.wait_for(|s| s.state == wanted || s.ended.is_some()).await;
        reached.map_or(State::Failed, |s| s.state)
    }

    /// Waits for the call to end and says why.
    pub async fn ended(&self) -> EndReason {
        let mut status = self.shared.status.subscribe();
        match status.wait_for(|s| s.ended.is_some()).await {
            Ok(s) => s.ended.as_ref().map_or(EndReason::LocalHangup, |(r, _)| r.clone()),
            Err(_) => EndReason::TransportError("the peer shut down".into()),
        }
    }

    /// The call's events, from the moment it was created. Can be taken once.
    pub fn events(&self) -> Option<CallEvents> {
        Some(CallEvents { rx: self.shared.take_events()?, ended: false })
    }

    pub(crate) fn shared(&self) -> &CallShared {
        &self.shared
    }

    pub(crate) fn commands(&self) -> &mpsc::UnboundedSender<Command> {
        &self.commands
    }

    /// How the call ended, if it has.
    pub(crate) fn end_reason(&self) -> Option<EndReason> {
        self.shared.status.borrow().ended.as_ref().map(|(reason, _)| reason.clone())
    }

    pub(crate) async fn send(&self, event: Event) -> Result<(), CallError> {
        if let Some((reason, _)) = &self.shared.status.borrow().ended {
            return Err(CallError::Ended(reason.clone()));
        }
        let (reply, answer) = oneshot::channel();
        let command = Command::Event { session: self.shared.id, event, reply };
        self.commands.send(command).map_err(|_| CallError::Shutdown)?;
        match answer.await.map_err(|_| CallError::Shutdown)?.map_err(CallError::from) {
            // The session ended while the command was on its way: say how it ended.
            Err(CallError::Ended(_)) if let Some(reason) = self.end_reason() => Err(CallError::Ended(reason)),
            other => other,
        }
    }
}

/// A stream of [`CallEvent`]s; ends after [`CallEvent::Ended`].
#[derive(Debug)]
pub struct CallEvents {
    rx: queue::UnboundedReceiver<CallEvent>,
    ended: bool,
}

impl CallEvents {
    /// The next event, or `None` once [`CallEvent::Ended`] has been read.
    pub async fn recv(&mut self) -> Option<CallEvent> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<CallEvent>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let event = std::task::ready!(futures_core::Stream::poll_next(Pin::new(&mut self.rx), cx));
        self.ended = matches!(event, Some(CallEvent::Ended(_)) | None);
        Poll::Ready(event)
    }
}

impl futures_core::Stream for CallEvents {
    type Item = CallEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<CallEvent>> {
        self.poll_event(cx)
    }
}
