//! What a proxy's server transactions add: responses passed on as they came.

use std::time::Instant;

use bytes::Bytes;

use super::{ServerTxId, TransactionLayer};
use crate::deadlines::Deadlines;

impl TransactionLayer {
    /// Passes on a response a proxy forwards for server transaction `tx` (RFC 3261
    /// section 16.7 step 9): `response` is sent as it is. A provisional or a non-2xx
    /// final is handled as [`TransactionLayer::respond`] handles ours; a 2xx to an
    /// INVITE moves the transaction to Accepted without retransmitting it, and every
    /// further 2xx is passed on too (RFC 6026 section 7.1): the UAS retransmits its 2xx
    /// itself and the ACK goes to the proxy's core. Returns whether it was sent.
    pub fn relay(
        &mut self,
        now: Instant,
        tx: ServerTxId,
        code: u16,
        response: Bytes,
        deadlines: &mut Deadlines,
    ) -> bool {
        let Some(server) = self.servers.get_mut(tx) else {
            return false;
        };
        if code >= 200 {
            server.head = None;
        }
        let reaction = server.tx.relay(now, &self.timers, code, response);
        server.carry_out(tx, reaction, &mut self.transmits, deadlines)
    }
}
