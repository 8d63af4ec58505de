//! What the transaction layer tells the dialog layer.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use rsipstack::rsip::{Request, Response};

use super::{ClientTxId, ServerTxId};
use crate::sip::headers::Essentials;

/// What the layer tells the dialog layer (its `Debug` shows no header values).
pub enum TxEvent {
    /// A new request (not a retransmission).
    Request {
        /// Its server transaction.
        tx: ServerTxId,
        /// The request.
        request: Request,
        /// Its header essentials.
        essentials: Essentials,
        /// Where it came from (responses go back there).
        source: SocketAddr,
        /// For a CANCEL: the INVITE transaction it cancels, if it exists.
        cancels: Option<ServerTxId>,
        /// The datagram as it arrived, when the caller of [`TransactionLayer::handle`](super::TransactionLayer::handle)
        /// kept it (a proxy forwards these bytes).
        raw: Option<Bytes>,
    },
    /// An ACK that matched no transaction: the ACK to a 2xx, for the dialog.
    Ack {
        /// The ACK.
        request: Request,
        /// Its header essentials.
        essentials: Essentials,
        /// The datagram, when kept.
        raw: Option<Bytes>,
    },
    /// A response for one of our transactions (provisional, final, or a repeated 2xx).
    Response {
        /// The transaction.
        tx: ClientTxId,
        /// The response.
        response: Response,
        /// Its header essentials.
        essentials: Essentials,
        /// The datagram, when kept.
        raw: Option<Bytes>,
    },
    /// No final response in time (Timer B or F): the request failed.
    Timeout {
        /// The transaction.
        tx: ClientTxId,
    },
    /// The request was sent again for want of any response (Timer A or E): once per
    /// transaction, at its first retransmission.
    NoResponseYet {
        /// The transaction.
        tx: ClientTxId,
        /// How long since the request was first sent.
        waited: Duration,
    },
    /// The network reported the request's destination unreachable (an ICMP error the
    /// driver read): the transaction is gone, and its request failed as a transport
    /// error does (RFC 3261 section 17.1.4).
    Unreachable {
        /// The transaction.
        tx: ClientTxId,
        /// The destination and the error, in words.
        reason: String,
    },
    /// No ACK for our 2xx in 64·T1.
    AckTimeout {
        /// The INVITE's transaction.
        tx: ServerTxId,
    },
}
