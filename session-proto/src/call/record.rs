//! One store per call: its machine state, dialog, transactions and media in one record,
//! and the plan's `SessionManager` that holds the records of an endpoint.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use crate::auth::DigestClient;
use crate::machine::State;
use crate::media::MediaAdapter;
use crate::sip::dialog::Dialog;
use crate::sip::transaction::{ClientTxId, ServerTxId};
use crate::subscription::SubscriptionId;
use crate::types::{CallDirection, DialogId, SessionId};

/// Where the call's media stands, as far as the driver was asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MediaState {
    /// No sockets asked for.
    None,
    /// The driver was asked to open them (and has, or will say it could not).
    Requested,
    /// The driver was told to close them.
    Stopped,
}

/// Everything the endpoint knows of one call.
#[derive(Debug)]
pub(crate) struct CallRecord {
    pub id: SessionId,
    pub state: State,
    pub direction: CallDirection,
    pub dialog: Dialog,
    /// Where our requests go: the INVITE's source, or the dialled target once resolved.
    pub peer: Option<SocketAddr>,
    pub media: MediaAdapter,
    pub media_state: MediaState,
    /// Callee: the INVITE we answer.
    pub invite_tx: Option<ServerTxId>,
    /// The CSeq of the INVITE that made the dialog (ACK and CANCEL reuse it).
    pub invite_cseq: u32,
    /// A re-INVITE we answered 2xx, whose ACK we wait for.
    pub reinvite_tx: Option<ServerTxId>,
    /// Caller: our INVITE's transaction (its CANCEL shares it).
    pub invite_client: Option<ClientTxId>,
    /// Our client transactions routed to this call, for cleanup at its end.
    pub client_txs: Vec<ClientTxId>,
    /// A provisional response arrived, so a CANCEL may be sent (RFC 3261 section 9.1).
    pub provisional_seen: bool,
    /// The application hung up before any provisional: CANCEL on the first one.
    pub pending_cancel: bool,
    /// We ended the call (decides the end reason).
    pub local_hangup: bool,
    /// The no-answer timer gave the call up (decides the end reason).
    pub unanswered: bool,
    /// One of the call's requests went to an address the network reported unreachable:
    /// why (decides the end reason).
    pub unreachable: Option<String>,
    /// The application heard that our INVITE had no response yet (once per call).
    pub no_response_reported: bool,
    /// The peer holds the call: its last offer did not want to receive.
    pub held_by_peer: bool,
    /// When the no-answer timer fires, while it is armed; while we wait for the first
    /// NOTIFY of a REFER we sent, when that wait ends (Timer N).
    pub no_answer_at: Option<Instant>,
    /// Caller: the outbound proxy our INVITE goes to (requests outside the dialog).
    pub outbound: Option<SocketAddr>,
    /// Answers the challenges of the call's requests, once one came.
    pub digest: Option<DigestClient>,
    /// Our requests sent again with credentials: a second challenge to one of these
    /// ends it as any refusal does.
    pub authorized: Vec<ClientTxId>,
    /// Our transfer of the peer succeeded (decides the end reason).
    pub transferred: bool,
    /// REFERs accepted in this dialog (the second and later name their subscription).
    pub refers: u32,
    /// A REFER the table accepted, for the usage to follow once the step is over.
    pub follow: Option<Referral>,
    /// This call was placed for a REFER: the subscription that reports its progress.
    pub referred: Option<SubscriptionId>,
    /// The Replaces header our INVITE carries (an attended transfer's target).
    pub replaces: Option<String>,
    /// This incoming call replaces that one (RFC 3891): answered without ringing, and
    /// the other is hung up once this one is up.
    pub replacing: Option<SessionId>,
}

/// A REFER to follow: call `target` and report to a new subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Referral {
    /// The Refer-To URI, its `?headers` included.
    pub target: String,
    /// The REFER's CSeq.
    pub cseq: u32,
}

impl CallRecord {
    pub fn new(id: SessionId, direction: CallDirection, dialog: Dialog, media: MediaAdapter) -> Self {
        Self {
            id,
            state: State::INITIAL,
            direction,
            dialog,
            peer: None,
            media,
            media_state: MediaState::None,
            invite_tx: None,
            invite_cseq: 0,
            reinvite_tx: None,
            invite_client: None,
            client_txs: Vec::new(),
            provisional_seen: false,
            pending_cancel: false,
            local_hangup: false,
            unanswered: false,
            unreachable: None,
            no_response_reported: false,
            held_by_peer: false,
            no_answer_at: None,
            outbound: None,
            digest: None,
            authorized: Vec::new(),
            transferred: false,
            refers: 0,
            follow: None,
            referred: None,
            replaces: None,
            replacing: None,
        }
    }

    /// The dialog's id from our side, as the registry routes it.
    pub fn dialog_id(&self) -> DialogId {
        DialogId::new(self.dialog.call_id.clone(), self.dialog.local_tag.clone())
    }

    /// Where in-dialog requests go: the first hop of the dialog's route set when it
    /// has one (a proxy that Record-Routed, RFC 3261 section 12.2.1.1 with loose
    /// routing), else the peer's Contact when it is an address, else where the
    /// dialog's first request went or came from.
    pub fn destination(&self) -> Option<SocketAddr> {
        let first_hop = self.dialog.route_set.first().map(|route| crate::sip::headers::uri_of(route));
        first_hop
            .and_then(super::target::addr_of)
            .or_else(|| super::target::addr_of(&self.dialog.remote_target))
            .or(self.peer)
    }
}

/// The calls of an endpoint, each in one record. Records are boxed: a map of records
/// inline would keep room for about as many again as it holds.
#[derive(Debug, Default)]
pub(crate) struct SessionManager {
    calls: HashMap<SessionId, Box<CallRecord>>,
    last_id: u64,
}

impl SessionManager {
    /// A fresh session id.
    pub fn next_id(&mut self) -> SessionId {
        self.last_id += 1;
        SessionId(self.last_id)
    }

    /// Gives back the room the map grew to beyond what it holds.
    pub fn shrink_to_fit(&mut self) {
        self.calls.shrink_to_fit();
    }

    pub fn insert(&mut self, record: CallRecord) {
        self.calls.insert(record.id, Box::new(record));
    }

    pub fn get(&self, id: SessionId) -> Option<&CallRecord> {
        self.calls.get(&id).map(|record| &**record)
    }

    pub fn get_mut(&mut self, id: SessionId) -> Option<&mut CallRecord> {
        self.calls.get_mut(&id).map(|record| &mut **record)
    }

    pub fn remove(&mut self, id: SessionId) -> Option<Box<CallRecord>> {
        self.calls.remove(&id)
    }

    pub fn len(&self) -> usize {
        self.calls.len()
    }
}
