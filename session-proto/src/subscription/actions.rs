//! The subscription table's actions: each NOTIFY goes out in the dialog of the
//! subscription's call, as that call's own requests do.

use std::time::Instant;

use super::SubscriptionRecord;
use super::machine::SubscriptionActions;
use crate::call::record::CallRecord;
use crate::call::{CallContext, Payload};
use crate::endpoint::core::Core;
use crate::endpoint::registry::Purpose;
use crate::sip::write::{Body, reason_phrase};

/// The Content-Type of a NOTIFY of the refer package (RFC 3515 section 2.4.5).
const SIPFRAG: &str = "message/sipfrag;version=2.0";

/// One subscription, its call and the endpoint's shared parts, for one event.
pub(super) struct SubscriptionContext<'a> {
    pub now: Instant,
    pub core: &'a mut Core,
    pub call: &'a mut CallRecord,
    pub sub: &'a mut SubscriptionRecord,
}

impl SubscriptionActions for SubscriptionContext<'_> {
    fn note_progress(&mut self, code: u16) {
        self.sub.latest = code;
    }

    fn send_notify(&mut self) {
        let sub = &mut *self.sub;
        let code = sub.latest;
        sub.sent = Some(code);
        let event = match sub.event_id {
            Some(cseq) => format!("refer;id={cseq}"),
            None => "refer".to_owned(),
        };
        let state = if code >= 200 {
            "terminated;reason=noresource".to_owned()
        } else {
            let left = sub.expires_at.saturating_duration_since(self.now).as_secs().max(1);
            format!("active;expires={left}")
        };
        let fragment = format!("SIP/2.0 {code} {}\r\n", reason_phrase(code));
        let contact = self.core.local_uri.clone();
        let extra =
            [("Event", event.as_str()), ("Subscription-State", state.as_str()), ("Contact", &contact)];
        let body = Body { content_type: SIPFRAG, bytes: fragment.as_bytes() };
        let purpose = Purpose::Notify(sub.id);
        CallContext { now: self.now, core: self.core, call: self.call }.request(
            "NOTIFY",
            purpose,
            &extra,
            Payload::Other(body),
        );
    }
}
