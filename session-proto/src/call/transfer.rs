//! Transfer, as the transferee and as the transfer's target.
//!
//! The transferee follows a REFER it accepted (RFC 3515): a new call to the Refer-To
//! URI, whose provisional and final statuses the REFER's subscription reports by NOTIFY.
//! The target takes an INVITE with Replaces (RFC 3891) in place of the confirmed call
//! it names: it answers without ringing the application and hangs the old call up once
//! the new one is up, or answers 481 when no call matches.

use std::time::Instant;

use rsipstack::rsip::{Header, Request};

use super::DialogAdapter;
use super::record::Referral;
use crate::endpoint::Event;
use crate::endpoint::core::Core;
use crate::machine::{self, State};
use crate::subscription;
use crate::types::{DialogId, SessionId};

impl DialogAdapter {
    /// Follows the REFER call `id` accepted: its subscription starts (NOTIFY 100
    /// Trying) and the new call is placed, with the Replaces header the Refer-To URI
    /// carries. A target that cannot be called ends the subscription with 400.
    pub(super) fn follow_refer(&mut self, core: &mut Core, now: Instant, id: SessionId, referral: Referral) {
        let first = self.sessions.get(id).is_none_or(|call| call.refers <= 1);
        let sub = self.subscriptions.create(now, id, referral.cseq, first);
        self.subscriptions.feed(core, now, &mut self.sessions, sub, subscription::machine::Event::Accept);
        let (uri, replaces) = split_refer_to(&referral.target);
        let placed = self.dial_with(core, now, &uri, |record| {
            record.referred = Some(sub);
            record.replaces = replaces;
        });
        let new_call = match placed {
            Ok(new_call) => Some(new_call),
            Err(error) => {
                tracing::info!(call = %id, target = %referral.target, %error, "cannot follow the REFER");
                let outcome = subscription::machine::Event::Outcome { code: 400 };
                self.subscriptions.feed(core, now, &mut self.sessions, sub, outcome);
                None
            }
        };
        core.emit(Event::TransferRequested { call: id, target: referral.target, new_call });
    }

    /// A call placed for a REFER reports its step's progress to the REFER's
    /// subscription (before a terminal step forgets the call).
    pub(super) fn report_referral(
        &mut self,
        core: &mut Core,
        now: Instant,
        id: SessionId,
        event: &machine::Event,
        state: State,
    ) {
        let Some(call) = self.sessions.get_mut(id) else { return };
        if let Some(sub) = call.referred {
            let news = match event {
                machine::Event::Provisional { code, .. } => {
                    Some(subscription::machine::Event::Progress { code: *code })
                }
                machine::Event::Answered { .. } => Some(subscription::machine::Event::Outcome { code: 200 }),
                machine::Event::Declined { code } => {
                    Some(subscription::machine::Event::Outcome { code: *code })
                }
                _ if state.is_terminal() => {
                    let code = if call.unanswered {
                        408
                    } else if call.local_hangup {
                        487
                    } else {
                        503
                    };
                    Some(subscription::machine::Event::Outcome { code })
                }
                _ => None,
            };
            if let Some(news) = news {
                if matches!(news, subscription::machine::Event::Outcome { .. }) {
                    call.referred = None;
                }
                self.subscriptions.feed(core, now, &mut self.sessions, sub, news);
            }
        }
    }

    /// A call that replaces another (RFC 3891) is answered once it rings, and ends the
    /// other once it is up.
    pub(super) fn take_over(&mut self, core: &mut Core, now: Instant, id: SessionId, state: State) {
        let Some(call) = self.sessions.get_mut(id) else { return };
        match (call.replacing, state) {
            (Some(_), State::RingingInbound) => {
                self.feed(core, now, id, machine::Event::Accept);
            }
            (Some(old), State::Active) => {
                call.replacing = None;
                tracing::info!(call = %id, replaced = %old, "the replacing call is up: the old one ends");
                if let Some(old_call) = self.sessions.get_mut(old) {
                    old_call.local_hangup = true;
                }
                self.feed(core, now, old, machine::Event::Hangup);
            }
            _ => {}
        }
    }

    /// The confirmed call an INVITE's Replaces header names, as `Ok(None)` when it has
    /// none; `Err(())` when it names a call we do not have, which gets 481.
    pub(super) fn replaced_by(&self, core: &Core, request: &Request) -> Result<Option<SessionId>, ()> {
        let Some(value) = request.headers.iter().find_map(|h| match h {
            Header::Replaces(v) => Some(v.value()),
            _ => None,
        }) else {
            return Ok(None);
        };
        let replaces = Replaces::parse(value).ok_or(())?;
        let dialog = DialogId::new(replaces.call_id.to_owned(), replaces.to_tag.to_owned());
        let id = core.registry.dialog(&dialog).ok_or(())?;
        let call = self.sessions.get(id).ok_or(())?;
        let confirmed =
            matches!(call.state, State::Active | State::Holding | State::OnHold | State::Resuming);
        let theirs = call.dialog.remote_tag.as_deref() == Some(replaces.from_tag);
        if confirmed && theirs && !replaces.early_only { Ok(Some(id)) } else { Err(()) }
    }

    /// The Replaces value that names call `id`'s dialog to its peer (RFC 3891 section
    /// 6.1: `to-tag` is the peer's tag, `from-tag` ours, whoever placed the call).
    pub(crate) fn replaces_of(&self, id: SessionId) -> Option<(String, String)> {
        let call = self.sessions.get(id)?;
        let dialog = &call.dialog;
        let remote_tag = dialog.remote_tag.as_deref()?;
        let value = format!("{};to-tag={remote_tag};from-tag={}", dialog.call_id, dialog.local_tag);
        Some((dialog.remote_target.clone(), value))
    }
}

/// A parsed Replaces header value: `call-id;to-tag=…;from-tag=…[;early-only]`.
#[derive(Debug, PartialEq, Eq)]
struct Replaces<'a> {
    call_id: &'a str,
    to_tag: &'a str,
    from_tag: &'a str,
    early_only: bool,
}

impl<'a> Replaces<'a> {
    fn parse(value: &'a str) -> Option<Self> {
        let mut parts = value.split(';').map(str::trim);
        let call_id = parts.next().filter(|id| !id.is_empty())?;
        let (mut to_tag, mut from_tag, mut early_only) = (None, None, false);
        for part in parts {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            match name.trim().to_ascii_lowercase().as_str() {
                "to-tag" => to_tag = Some(value.trim()),
                "from-tag" => from_tag = Some(value.trim()),
                "early-only" => early_only = true,
                _ => {}
            }
        }
        Some(Self { call_id, to_tag: to_tag?, from_tag: from_tag?, early_only })
    }
}

/// A Refer-To URI split into the URI to call and the Replaces header its `?headers`
/// carry (unescaped); other embedded headers are dropped.
fn split_refer_to(refer_to: &str) -> (String, Option<String>) {
    let Some((uri, headers)) = refer_to.split_once('?') else {
        return (refer_to.to_owned(), None);
    };
    let replaces = headers
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| name.eq_ignore_ascii_case("replaces"))
        .map(|(_, value)| unescape(value));
    (uri.to_owned(), replaces)
}

/// Undoes the %-escaping of a URI header value (RFC 3261 section 19.1.1).
fn unescape(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refer_to_with_replaces_splits_into_the_uri_and_the_header() {
        let (uri, replaces) =
            split_refer_to("sip:carol@127.0.0.1:5062?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2");
        assert_eq!(uri, "sip:carol@127.0.0.1:5062");
        assert_eq!(replaces.as_deref(), Some("abc@h;to-tag=1;from-tag=2"));
        assert_eq!(split_refer_to("sip:bob@h"), ("sip:bob@h".to_owned(), None));
        assert_eq!(split_refer_to("sip:bob@h?Subject=x").1, None);
    }

    #[test]
    fn replaces_values_parse_in_any_order() {
        let parsed = Replaces::parse("abc@h; from-tag=2;to-tag=1").unwrap();
        assert_eq!(parsed, Replaces { call_id: "abc@h", to_tag: "1", from_tag: "2", early_only: false });
        assert!(Replaces::parse("abc@h;to-tag=1;from-tag=2;early-only").unwrap().early_only);
        assert_eq!(Replaces::parse("abc@h;to-tag=1"), None);
        assert_eq!(Replaces::parse(";to-tag=1;from-tag=2"), None);
        assert_eq!(unescape("a%3Bb%zz%4"), "a;b%zz%4");
    }
}
