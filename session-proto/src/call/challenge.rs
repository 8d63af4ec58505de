//! A call's request challenged by the peer or a proxy (401, 407): sent once more with
//! the endpoint's credentials, as a new transaction with the next CSeq (RFC 3261
//! section 22.2), instead of failing the call. The transaction layer has ACKed a
//! challenged INVITE already, as it does every non-2xx.

use bytes::Bytes;
use rsipstack::rsip::Response;

use super::actions::CallContext;
use crate::auth::{Challenge, DigestClient};
use crate::endpoint::authorize;
use crate::endpoint::registry::Purpose;
use crate::sip::transaction::{ClientKind, ClientTxId};
use crate::sip::write;

impl CallContext<'_> {
    /// Sends the request of `tx`, which `response` challenged, again with credentials.
    /// False when it cannot be (no credentials, a challenge we cannot answer, or one
    /// that challenges our answer already): the response then counts as any refusal.
    pub(super) fn retry_challenged(&mut self, tx: ClientTxId, purpose: Purpose, response: &Response) -> bool {
        let code = response.status_code.code();
        if !matches!(code, 401 | 407) || self.call.authorized.contains(&tx) {
            return false;
        }
        let Some(credentials) = self.core.config.credentials.clone() else { return false };
        let Some((dest, original)) = self.core.tx.request_of(tx).map(|(dest, bytes)| (dest, bytes.clone()))
        else {
            return false;
        };
        let Some((method, uri)) = request_line(&original) else { return false };
        let challenges = authorize::challenges(response);
        let Some(challenge) = Challenge::best(challenges.iter().map(String::as_str)) else {
            tracing::debug!(call = %self.call.id, code, "a challenge we cannot answer");
            return false;
        };
        let cnonce = self.core.cnonce();
        let digest = self.call.digest.get_or_insert_with(|| DigestClient::new(credentials));
        // Each request is answered once (`authorized` says which were); the realm's
        // earlier answers, for the call's other requests, were taken.
        digest.accepted();
        let value = match digest.answer(&challenge, &method, &uri, &cnonce) {
            Ok(value) => value,
            Err(error) => {
                tracing::debug!(call = %self.call.id, code, %error, "challenge not answered");
                return false;
            }
        };
        let (id, branch) = self.core.tx.new_branch();
        let via = self.core.via(&branch);
        let cseq = self.call.dialog.local_cseq + 1;
        let header = authorize::answer_header(code);
        let Some(bytes) = write::resend_authorized(&original, &via, cseq, (header, &value)) else {
            return false;
        };
        self.call.dialog.local_cseq = cseq;
        let kind = match purpose {
            Purpose::Invite => {
                self.call.invite_cseq = cseq;
                self.call.invite_client = Some(id);
                // A CANCEL needs a provisional response to this INVITE, not the last one.
                self.call.provisional_seen = false;
                ClientKind::Invite
            }
            Purpose::Reinvite => ClientKind::Reinvite,
            Purpose::Bye | Purpose::Refer | Purpose::Info | Purpose::Notify(_) => ClientKind::NonInvite,
        };
        tracing::debug!(call = %self.call.id, %method, code, cseq, "sent again with credentials");
        self.call.client_txs.push(id);
        self.call.authorized.push(id);
        self.core.registry.map_client(id, self.call.id, purpose);
        let (now, deadlines) = (self.now, &mut self.core.deadlines);
        self.core.tx.start_client(now, id, kind, dest, Bytes::from(bytes), deadlines);
        true
    }
}

/// The method and Request-URI of a request we wrote.
fn request_line(request: &[u8]) -> Option<(String, String)> {
    let end = memchr::memmem::find(request, b"\r\n")?;
    let line = std::str::from_utf8(&request[..end]).ok()?;
    let mut parts = line.split(' ');
    Some((parts.next()?.to_owned(), parts.next()?.to_owned()))
}
