//! Responses to our requests, and the timeouts of our transactions.

use std::time::Instant;

use rsipstack::rsip::Response;

use super::DialogAdapter;
use super::leg::Purpose;
use crate::machine::{Event, Timer};
use crate::sip::headers::{self, Essentials};
use crate::sip::transaction::{ClientTxId, ServerTxId};

impl DialogAdapter {
    pub(super) async fn on_response(
        &mut self,
        now: Instant,
        tx: ClientTxId,
        response: Response,
        essentials: Essentials,
    ) {
        let Some(&(session, purpose)) = self.by_client_tx.get(&tx) else { return };
        let code = response.status_code.code();
        let sdp = || headers::sdp_body(&response.headers, &response.body).map(str::to_owned);
        if code >= 200 && purpose != Purpose::Invite {
            self.forget_client_tx(session, tx);
        }
        let event = match purpose {
            Purpose::Invite => {
                let Some(leg) = self.legs.get_mut(&session) else { return };
                // 100 Trying is hop-by-hop: it says nothing of the callee, so neither the
                // dialog nor the table sees it.
                if (101..300).contains(&code) {
                    leg.dialog.on_invite_response(&response, &essentials);
                }
                if code < 200 {
                    // Any provisional, 100 included, allows a CANCEL (section 9.1).
                    leg.provisional_seen = true;
                    if std::mem::take(&mut leg.pending_cancel) {
                        self.send_cancel(now, session);
                    }
                    if code == 100 {
                        return;
                    }
                    Event::Provisional { code, sdp: sdp() }
                } else if code < 300 {
                    if let Some(remote) = essentials.to_tag.clone() {
                        // The dialog is now keyed by both tags; ours stays the lookup key.
                        tracing::trace!(%session, %remote, "dialog confirmed");
                    }
                    Event::Answered { sdp: sdp() }
                } else {
                    Event::Declined { code }
                }
            }
            Purpose::Reinvite if code < 200 => return,
            Purpose::Reinvite if code < 300 => {
                self.send_ack(now, session, essentials.cseq);
                Event::ReinviteAnswered { sdp: sdp() }
            }
            Purpose::Reinvite => {
                if let Some(media) = self.legs.get_mut(&session).and_then(|leg| leg.media.as_mut()) {
                    media.offer_failed();
                }
                Event::ReinviteFailed { code }
            }
            Purpose::Bye if code >= 200 => Event::ByeAnswered,
            Purpose::Refer if (200..300).contains(&code) => Event::ReferAccepted,
            Purpose::Refer if code >= 300 => Event::ReferFailed { code },
            _ => return,
        };
        let _ = self.drive(now, session, event).await;
    }

    pub(super) async fn on_client_timeout(&mut self, now: Instant, tx: ClientTxId) {
        let Some(&(session, purpose)) = self.by_client_tx.get(&tx) else { return };
        self.forget_client_tx(session, tx);
        tracing::debug!(%session, ?purpose, "request timed out");
        let _ = self.drive(now, session, Event::Timeout { timer: Timer::NoResponse }).await;
    }

    pub(super) async fn on_ack_timeout(&mut self, now: Instant, tx: ServerTxId) {
        let Some(&session) = self.by_invite_server.get(&tx) else { return };
        let _ = self.drive(now, session, Event::Timeout { timer: Timer::NoAck }).await;
    }

    fn forget_client_tx(&mut self, session: crate::types::SessionId, tx: ClientTxId) {
        self.by_client_tx.remove(&tx);
        if let Some(leg) = self.legs.get_mut(&session) {
            leg.client_txs.retain(|&t| t != tx);
        }
    }
}
