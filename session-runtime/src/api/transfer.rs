//! Transfer, from the transferor's side: [`Call::transfer`] (blind) and
//! [`Call::transfer_to`] (attended, with Replaces). How it goes arrives as
//! [`CallEvent::TransferStatus`](crate::CallEvent::TransferStatus) on the transferred call.

use tokio::sync::oneshot;

use super::call::Call;
use super::events::CallError;
use crate::driver::command::Command;
use crate::machine::Event;

impl Call {
    /// Blind transfer (RFC 5589 section 6): asks the peer to call `target` instead
    /// (REFER with `Refer-To: <target>` and our `Referred-By`). The peer's NOTIFYs come
    /// as [`CallEvent::TransferStatus`](crate::CallEvent::TransferStatus); on a 2xx we
    /// hang up and the call ends as [`EndReason::Transferred`](crate::EndReason), on a
    /// failure the call goes on. Returns once the REFER is sent; a `target` that is not
    /// a SIP URI is refused before anything is sent.
    ///
    /// ```no_run
    /// # async fn demo(call: session_core::Call) -> Result<(), session_core::CallError> {
    /// use session_core::CallEvent;
    /// let mut events = call.events().expect("events not taken yet");
    /// call.transfer("sip:carol@127.0.0.1:5062").await?;
    /// while let Some(event) = events.recv().await {
    ///     if let CallEvent::TransferStatus(code) = event {
    ///         println!("transfer: {code}");
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn transfer(&self, target: &str) -> Result<(), CallError> {
        self.send(Event::BlindTransfer { target: target.to_owned() }).await
    }

    /// Attended transfer (RFC 5589 section 7): asks this call's peer to call the peer of
    /// `other` with a Replaces header naming `other`'s dialog (RFC 3891), so that the new
    /// call takes `other`'s place: `other`'s peer answers it at once and hangs `other`
    /// up. Progress and outcome are as for [`Call::transfer`].
    pub async fn transfer_to(&self, other: &Call) -> Result<(), CallError> {
        if let Some((reason, _)) = &self.shared().status.borrow().ended {
            return Err(CallError::Ended(reason.clone()));
        }
        let (reply, answer) = oneshot::channel();
        let command = Command::TransferTo { session: self.id(), other: other.id(), reply };
        self.commands().send(command).map_err(|_| CallError::Shutdown)?;
        answer.await.map_err(|_| CallError::Shutdown)?.map_err(CallError::from)
    }
}

/// Two handles are equal when they are handles on the same call.
impl PartialEq for Call {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}
