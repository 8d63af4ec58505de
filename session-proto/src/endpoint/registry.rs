//! The plan's `SessionRegistry`: which usage and session a dialog or a transaction
//! belongs to. The endpoint routes every message through it: responses by their client
//! transaction, in-dialog requests by their dialog id, CANCEL and ACK timeouts by the
//! INVITE's server transaction.

use std::collections::HashMap;

use crate::registration::RegistrationId;
use crate::sip::transaction::{ClientTxId, ServerTxId};
use crate::subscription::SubscriptionId;
use crate::types::{DialogId, SessionId};

/// What one of our client transactions is for, within its call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The initial INVITE.
    Invite,
    /// A re-INVITE (hold, resume).
    Reinvite,
    /// BYE.
    Bye,
    /// REFER.
    Refer,
    /// INFO (DTMF).
    Info,
    /// A NOTIFY of one of the dialog's subscriptions (a REFER we accepted).
    Notify(SubscriptionId),
}

/// Routing from dialogs and transactions to calls.
#[derive(Debug, Default)]
pub struct SessionRegistry {
    dialogs: HashMap<DialogId, SessionId>,
    clients: HashMap<ClientTxId, (SessionId, Purpose)>,
    invites: HashMap<ServerTxId, SessionId>,
    registrations: HashMap<ClientTxId, RegistrationId>,
}

impl SessionRegistry {
    /// Gives back the room the maps grew to beyond what they hold.
    pub fn shrink_to_fit(&mut self) {
        self.dialogs.shrink_to_fit();
        self.clients.shrink_to_fit();
        self.invites.shrink_to_fit();
        self.registrations.shrink_to_fit();
    }

    /// Routes `dialog` (our side: Call-ID and our tag) to `call`.
    pub fn map_dialog(&mut self, dialog: DialogId, call: SessionId) {
        self.dialogs.insert(dialog, call);
    }

    /// Routes the responses of client transaction `tx` to `call`.
    pub fn map_client(&mut self, tx: ClientTxId, call: SessionId, purpose: Purpose) {
        self.clients.insert(tx, (call, purpose));
    }

    /// Routes CANCEL and the ACK timeout of the INVITE `tx` to `call`.
    pub fn map_invite(&mut self, tx: ServerTxId, call: SessionId) {
        self.invites.insert(tx, call);
    }

    /// Routes the responses of REGISTER client transaction `tx` to `registration`.
    pub fn map_registration(&mut self, tx: ClientTxId, registration: RegistrationId) {
        self.registrations.insert(tx, registration);
    }

    /// The registration a REGISTER client transaction belongs to.
    pub fn registration(&self, tx: ClientTxId) -> Option<RegistrationId> {
        self.registrations.get(&tx).copied()
    }

    /// Forgets a REGISTER transaction that has its final response or timed out.
    pub fn forget_registration(&mut self, tx: ClientTxId) {
        self.registrations.remove(&tx);
    }

    /// The call a dialog belongs to.
    pub fn dialog(&self, dialog: &DialogId) -> Option<SessionId> {
        self.dialogs.get(dialog).copied()
    }

    /// The call and purpose of a client transaction.
    pub fn client(&self, tx: ClientTxId) -> Option<(SessionId, Purpose)> {
        self.clients.get(&tx).copied()
    }

    /// The call an INVITE server transaction belongs to.
    pub fn invite(&self, tx: ServerTxId) -> Option<SessionId> {
        self.invites.get(&tx).copied()
    }

    /// Forgets a client transaction that has its final response or timed out.
    pub fn forget_client(&mut self, tx: ClientTxId) {
        self.clients.remove(&tx);
    }

    /// Forgets everything routed to a call that ended.
    pub fn forget<'a>(
        &mut self,
        dialog: &DialogId,
        clients: impl IntoIterator<Item = &'a ClientTxId>,
        invite: Option<ServerTxId>,
    ) {
        self.dialogs.remove(dialog);
        if let Some(tx) = invite {
            self.invites.remove(&tx);
        }
        for tx in clients {
            self.clients.remove(tx);
        }
    }

    /// Dialogs routed.
    pub fn dialogs(&self) -> usize {
        self.dialogs.len()
    }

    /// True when nothing is routed.
    pub fn is_empty(&self) -> bool {
        self.dialogs.is_empty()
            && self.clients.is_empty()
            && self.invites.is_empty()
            && self.registrations.is_empty()
    }
}
