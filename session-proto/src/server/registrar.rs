//! The registrar (RFC 3261 section 10.3): a REGISTER is authenticated, its sender must
//! own the address of record in its To, its contacts become binding changes, and the
//! location store applies them (refusing a replayed nonce count first). The answer
//! lists every binding of the AoR with the time it has left.

use std::time::Instant;

use rsipstack::rsip::Request;

use super::auth_gate::Scheme;
use super::contacts::{self, Contacts, Expiries, Refusal};
use super::{Origin, Server, Waiting, user_of};
use crate::endpoint::core::Core;
use crate::location::{Binding, BindingChange, LocationAnswer, LocationJob};
use crate::sip::headers;
use crate::sip::write;

/// How long a client should wait before trying again after the store failed.
const RETRY_AFTER_SECS: &str = "5";

/// A REGISTER waiting for the location store.
#[derive(Debug)]
pub(crate) struct Registering(Origin);

impl Server {
    /// A REGISTER (section 10.3 steps 3 to 7; the Request-URI names our domain
    /// whatever it says, and no extension is required of us). `raw` is its bytes.
    pub fn on_register(
        &mut self,
        core: &mut Core,
        now: Instant,
        origin: &Origin,
        request: &Request,
        raw: Option<&[u8]>,
    ) {
        let Some(passed) = self.authenticate(core, now, origin, request, raw, Scheme::Www) else {
            return;
        };
        let to = headers::to_uri(&request.headers).unwrap_or_default();
        let refuse = |code: u16, why: &str| (code, vec![("Warning", write::warning(why))]);
        let outcome = match (self.config.aor(to), user_of(to)) {
            (Some(aor), Some(user)) if user == passed.user => {
                let limits = Expiries {
                    min: self.config.min_expires,
                    max: self.config.max_expires,
                    default: self.config.default_expires,
                };
                match contacts::read(&request.headers, limits) {
                    Ok(contacts) => Ok((aor, contacts)),
                    Err(Refusal::TooBrief) => {
                        Err((423, vec![("Min-Expires", self.config.min_expires.to_string())]))
                    }
                    Err(Refusal::Malformed(why)) => Err(refuse(400, why)),
                }
            }
            (Some(_), _) => Err(refuse(403, "the address of record is not the authenticated user's")),
            (None, _) => Err(refuse(404, "the To URI names no user of this domain")),
        };
        let (aor, contacts) = match outcome {
            Ok(found) => found,
            Err((code, headers)) => {
                return self.answer(core, now, origin, code, headers);
            }
        };
        let unix = self.config.unix_time(now);
        let changes = match contacts {
            Contacts::Query => Vec::new(),
            Contacts::RemoveAll => vec![BindingChange::RemoveAll],
            Contacts::Set(set) => set
                .into_iter()
                .map(|(contact, expires)| match expires {
                    0 => BindingChange::Remove { contact },
                    expires => BindingChange::Upsert(Binding {
                        contact,
                        source: origin.source,
                        expires_at: unix + u64::from(expires),
                        call_id: origin.essentials.call_id.clone(),
                        cseq: origin.essentials.cseq,
                    }),
                })
                .collect(),
        };
        let source = origin.source;
        tracing::debug!(%aor, changes = changes.len(), %source, "REGISTER accepted; updating the location store");
        let work = LocationJob::Register { aor, changes, nonce: Some(passed.nonce), now: unix };
        self.start_job(core, work, Waiting::Register(Registering(origin.clone())));
    }

    /// The store's answer to a REGISTER's job: 200 with every binding (section 10.3
    /// step 8), a fresh challenge for a replayed nonce count, or 500 when it failed.
    pub(super) fn registered(
        &mut self,
        core: &mut Core,
        now: Instant,
        waiting: Registering,
        answer: LocationAnswer,
    ) {
        let Registering(origin) = waiting;
        match answer {
            LocationAnswer::Bindings(bindings) => {
                self.failures.succeeded(origin.source.ip());
                let unix = self.config.unix_time(now);
                let mut headers: Vec<(&'static str, String)> = bindings
                    .iter()
                    .filter(|b| b.expires_at > unix)
                    .map(|b| ("Contact", format!("<{}>;expires={}", b.contact, b.expires_at - unix)))
                    .collect();
                headers.push(("Date", http_date(unix)));
                self.answer(core, now, &origin, 200, headers);
            }
            LocationAnswer::Replayed => {
                tracing::info!(source = %origin.source, "REGISTER with a nonce count already used: refused");
                self.auth_failed(core, now, &origin, Scheme::Www);
            }
            LocationAnswer::Failed(why) => {
                tracing::warn!(%why, "the location store failed a REGISTER");
                let headers = vec![("Retry-After", RETRY_AFTER_SECS.to_owned())];
                self.answer(core, now, &origin, 500, headers);
            }
        }
    }
}

/// Unix seconds as an RFC 1123 date in GMT, as the Date header writes it (RFC 3261
/// section 20.17): `Thu, 01 Jan 1970 00:00:00 GMT`.
pub(crate) fn http_date(unix: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (mut days, secs) = (unix / 86_400, unix % 86_400);
    let weekday = DAYS[(days % 7) as usize];
    let leap = |year: u64| (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let mut year = 1970;
    while days >= if leap(year) { 366 } else { 365 } {
        days -= if leap(year) { 366 } else { 365 };
        year += 1;
    }
    let lengths = [31, if leap(year) { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 0;
    while days >= lengths[month] {
        days -= lengths[month];
        month += 1;
    }
    let (hour, minute, second) = (secs / 3600, secs % 3600 / 60, secs % 60);
    format!("{weekday}, {:02} {} {year} {hour:02}:{minute:02}:{second:02} GMT", days + 1, MONTHS[month])
}

#[cfg(test)]
mod tests {
    use super::http_date;

    #[test]
    fn dates_are_written_as_rfc_1123_in_gmt() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        // RFC 3261's own example date, and a leap day.
        assert_eq!(http_date(1_289_690_940), "Sat, 13 Nov 2010 23:29:00 GMT");
        assert_eq!(http_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(http_date(1_700_000_000), "Tue, 14 Nov 2023 22:13:20 GMT");
    }
}
