//! The table's actions, done at once: each changes the record, writes and sends a
//! REGISTER, or arms the refresh. One can fail: answering a challenge.

use std::time::{Duration, Instant};

use bytes::Bytes;

use super::error::RegistrationError;
use super::machine::{RegistrationActions, failure};
use super::record::{AuthHeader, RegistrationRecord};
use crate::auth::{AuthError, Challenge};
use crate::deadlines::Deadline;
use crate::endpoint::core::Core;
use crate::sip::transaction::ClientKind;
use crate::sip::write::{self, RequestLine};

/// The shortest time between refreshes, whatever the registrar grants.
const MIN_REFRESH: Duration = Duration::from_secs(1);
/// The wait before the first retry of a failed refresh; it doubles with each failure.
const FIRST_RETRY: Duration = Duration::from_secs(30);
/// The longest wait between retries, and the most of a Retry-After we honour.
const MAX_RETRY: Duration = Duration::from_secs(600);

/// One registration's record and the endpoint's shared parts, for one event.
pub(crate) struct RegistrationContext<'a> {
    pub now: Instant,
    pub core: &'a mut Core,
    pub reg: &'a mut RegistrationRecord,
}

impl RegistrationContext<'_> {
    /// Writes and sends the next REGISTER, with `authorization` when given.
    fn send(&mut self, authorization: Option<(AuthHeader, String)>) {
        let Some(dest) = self.reg.dest else {
            return tracing::warn!(registration = %self.reg.id, "no registrar address to send to");
        };
        let (tx, branch) = self.core.tx.new_branch();
        let via = self.core.via(&branch);
        let reg = &mut *self.reg;
        reg.cseq += 1;
        let asked = reg.asked();
        let mut contact = format!("<{}>", reg.contact);
        if let Some(old) = &reg.stale_contact {
            contact.push_str(&format!(", <{old}>;expires=0"));
        }
        let expires = asked.to_string();
        let route = self.core.route_header();
        let mut extra: Vec<(&str, &str)> = Vec::with_capacity(4);
        if let Some(route) = &route {
            extra.push(("Route", route));
        }
        extra.push(("Contact", &contact));
        extra.push(("Expires", &expires));
        if let Some((header, value)) = &authorization {
            extra.push((header.name(), value));
        }
        let (from, to) = (format!("<{}>;tag={}", reg.aor, reg.from_tag), format!("<{}>", reg.aor));
        let line = RequestLine {
            method: "REGISTER",
            uri: &reg.registrar_uri,
            via: &via,
            from: &from,
            to: &to,
            call_id: &reg.call_id,
            cseq: reg.cseq,
        };
        let bytes = write::request(&line, &extra, None);
        // What went out, never the credentials.
        tracing::debug!(
            registration = %reg.id, cseq = reg.cseq, expires = asked, %dest,
            authorized = authorization.is_some(), "REGISTER sent"
        );
        reg.in_flight = Some((tx, asked == 0));
        self.core.registry.map_registration(tx, reg.id);
        let (now, deadlines) = (self.now, &mut self.core.deadlines);
        self.core.tx.start_client(now, tx, ClientKind::NonInvite, dest, Bytes::from(bytes), deadlines);
    }

    /// The answer to the best of `challenges`, or why there is none. The digest client
    /// refuses to answer a realm twice between two successes (a stale nonce apart, once):
    /// the registrar challenging our answer means the credentials are wrong.
    fn answer(
        &mut self,
        code: u16,
        challenges: &[String],
    ) -> Result<(AuthHeader, String), RegistrationError> {
        let header = AuthHeader::for_code(code);
        let Some(challenge) = Challenge::best(challenges.iter().map(String::as_str)) else {
            tracing::warn!(registration = %self.reg.id, code, "a challenge we cannot read or answer");
            return Err(RegistrationError::Rejected { code });
        };
        let cnonce = self.core.cnonce();
        let reg = &mut *self.reg;
        match reg.digest.answer(&challenge, "REGISTER", &reg.registrar_uri, &cnonce) {
            Ok(value) => {
                reg.auth_header = Some(header);
                Ok((header, value))
            }
            Err(AuthError::Rejected) => Err(RegistrationError::WrongCredentials { code }),
            Err(error) => {
                tracing::warn!(registration = %reg.id, %error, "cannot answer the registrar's challenge");
                Err(RegistrationError::Rejected { code })
            }
        }
    }
}

impl RegistrationActions for RegistrationContext<'_> {
    fn send_register(&mut self) {
        // Credentials for the registrar's last nonce save a challenge per refresh.
        let reused = self.reg.auth_header.and_then(|header| {
            let cnonce = self.core.cnonce();
            let reg = &mut *self.reg;
            reg.digest.reuse("REGISTER", &reg.registrar_uri, &cnonce).map(|value| (header, value))
        });
        self.send(reused);
    }

    fn send_authorized(&mut self, code: u16, challenges: &Vec<String>) -> Result<(), failure::AuthFailed> {
        let authorization = self.answer(code, challenges).map_err(|error| failure::AuthFailed { error })?;
        self.send(Some(authorization));
        Ok(())
    }

    fn use_public_contact(&mut self, _expires: u32, public_contact: Option<&str>) {
        let Some(public) = public_contact else { return };
        let reg = &mut *self.reg;
        tracing::info!(registration = %reg.id, contact = public, "the registrar sees us at another address; registering that one");
        reg.stale_contact = Some(std::mem::replace(&mut reg.contact, public.to_owned()));
        reg.public_contact_used = true;
    }

    fn raise_expires(&mut self, min_expires: u32) {
        self.reg.expires = self.reg.expires.max(min_expires);
    }

    fn schedule_refresh(&mut self, expires: u32, _public_contact: Option<&str>) {
        let reg = &mut *self.reg;
        reg.granted = Some(expires);
        reg.failed_refreshes = 0;
        // The binding of the Contact we left went with the REGISTER just answered.
        reg.stale_contact = None;
        let delay = (Duration::from_secs(u64::from(expires)) * 9 / 10).max(MIN_REFRESH);
        if let Some(at) = self.now.checked_add(delay) {
            reg.refresh_at = Some(at);
            self.core.deadlines.schedule(at, Deadline::Refresh(reg.id));
        }
    }

    fn adopt_address_of_record(&mut self, _expires: u32, _public_contact: Option<&str>) {
        let aor = format!("<{}>", self.reg.aor);
        self.core.identity = crate::endpoint::config::named(self.core.config.display_name.as_deref(), &aor);
    }

    fn withdraw(&mut self) {
        self.reg.withdrawn = true;
        self.reg.refresh_at = None;
    }

    fn note_retry_after(&mut self, _code: u16, retry_after: &Option<u32>) {
        self.reg.retry_after = *retry_after;
    }

    fn schedule_retry(&mut self) {
        let reg = &mut *self.reg;
        let backoff = FIRST_RETRY.saturating_mul(1 << reg.failed_refreshes.min(5));
        let asked = reg.retry_after.take().map(|secs| Duration::from_secs(u64::from(secs)));
        let delay = asked.unwrap_or(backoff).clamp(MIN_REFRESH, MAX_RETRY);
        reg.failed_refreshes = reg.failed_refreshes.saturating_add(1);
        if let Some(at) = self.now.checked_add(delay) {
            reg.refresh_at = Some(at);
            self.core.deadlines.schedule(at, Deadline::Refresh(reg.id));
        }
    }
}
