//! A call leg: the protocol state of one session that the table does not hold.

use std::net::SocketAddr;
use std::sync::Arc;

use rsipstack::rsip::Request;

use crate::api::CallShared;
use crate::media::MediaAdapter;
use crate::sip::dialog::Dialog;
use crate::sip::transaction::{ClientTxId, ServerTxId};

/// What one of our client transactions is for.
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
}

/// One session's dialog, transactions and media.
#[derive(Debug)]
pub struct Leg {
    /// The dialog.
    pub dialog: Dialog,
    /// Where our requests go.
    pub peer: SocketAddr,
    /// The media, once prepared.
    pub media: Option<MediaAdapter>,
    /// The INVITE we answer (callee).
    pub invite_server: Option<ServerTxId>,
    /// That INVITE, until its final response is sent (responses copy its headers).
    pub invite_request: Option<Request>,
    /// The in-dialog request being processed (BYE, re-INVITE, REFER, NOTIFY, CANCEL).
    pub latest: Option<(ServerTxId, Request)>,
    /// A re-INVITE we answered 2xx and whose ACK we wait for.
    pub reinvite_server: Option<ServerTxId>,
    /// Our INVITE's transaction and its Via (caller).
    pub invite_client: Option<(ClientTxId, String)>,
    /// Our client transactions that are still running.
    pub client_txs: Vec<ClientTxId>,
    /// A provisional response arrived, so a CANCEL may be sent.
    pub provisional_seen: bool,
    /// The application hung up before any provisional: CANCEL on the first one.
    pub pending_cancel: bool,
    /// We ended the call (decides the end reason).
    pub local_hangup: bool,
    /// When the no-answer timer of this call fires, while it is armed.
    pub no_answer_at: Option<std::time::Instant>,
    /// The no-answer timer gave the call up (decides the end reason).
    pub unanswered: bool,
    /// The application's view of the call.
    pub shared: Arc<CallShared>,
}

impl Leg {
    /// A leg with no transactions yet.
    pub fn new(dialog: Dialog, peer: SocketAddr, shared: Arc<CallShared>) -> Self {
        Self {
            dialog,
            peer,
            media: None,
            invite_server: None,
            invite_request: None,
            latest: None,
            reinvite_server: None,
            invite_client: None,
            client_txs: Vec::new(),
            provisional_seen: false,
            pending_cancel: false,
            local_hangup: false,
            no_answer_at: None,
            unanswered: false,
            shared,
        }
    }

    /// The SDP we send next, if media is prepared.
    pub fn local_sdp(&self) -> Option<&str> {
        self.media.as_ref().and_then(MediaAdapter::local_sdp)
    }
}
