//! The registration usage: the client side of REGISTER (RFC 3261 section 10.2), whose
//! behaviour is `registration.yaml`, compiled into [`machine`].
//!
//! Each registration lives in one record. The endpoint feeds it the application's
//! commands, the registrar's responses and its timers as the table's events; the
//! actions (the private `actions` module) write and send REGISTERs, answer digest challenges and arm the
//! refresh. Every change of state reaches the application as
//! [`crate::Event::Registration`].

mod actions;
mod error;
pub mod machine;
mod record;
mod response;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use rsipstack::rsip::Response;

use self::actions::RegistrationContext;
pub use self::error::RegistrationError;
use self::machine::{Event, State, StepError};
use self::record::RegistrationRecord;
pub use self::record::{DEFAULT_EXPIRES, RegisterSpec, RegistrationId};
use crate::auth;
use crate::call::target;
use crate::endpoint::CommandError;
use crate::endpoint::core::Core;
use crate::sip::transaction::ClientTxId;

/// A registration's state, as [`crate::Event::Registration`] reports it.
pub type RegistrationState = State;

/// The registration usage of an endpoint.
#[derive(Debug, Default)]
pub(crate) struct RegistrationAdapter {
    records: HashMap<RegistrationId, Box<RegistrationRecord>>,
    last_id: u64,
}

impl RegistrationAdapter {
    /// Registrations not yet ended.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Starts a registration: checks the spec, then the table's `Register` once the
    /// registrar's address is known (at once for an IP literal or an outbound proxy).
    pub fn register(
        &mut self,
        core: &mut Core,
        now: Instant,
        spec: RegisterSpec,
    ) -> Result<RegistrationId, CommandError> {
        let invalid = |why: String| CommandError::InvalidRegistration { why };
        let registrar = target::parse(&spec.registrar).map_err(|why| {
            invalid(format!(
                "the registrar `{}` is not a SIP URI: {why}; use sip:HOST[:PORT], e.g. sip:127.0.0.1:5060",
                spec.registrar
            ))
        })?;
        check_user(&spec.user).map_err(invalid)?;
        if let (Some(addr), None) = (registrar.addr, core.config.outbound_proxy) {
            target::IpVersionMismatch::check(&spec.registrar, addr, core.config.local)?;
        }
        self.last_id += 1;
        let id = RegistrationId(self.last_id);
        let host = if registrar.host.contains(':') {
            format!("[{}]", registrar.host)
        } else {
            registrar.host.clone()
        };
        let registrar_uri = match registrar.port {
            5060 => format!("sip:{host}"),
            port => format!("sip:{host}:{port}"),
        };
        // Later calls answer their challenges with the same credentials.
        core.config.credentials = Some(spec.credentials.clone());
        let (call_part, from_tag) = (core.tag(), core.tag());
        let record = RegistrationRecord {
            id,
            state: State::INITIAL,
            registrar_uri,
            aor: format!("sip:{}@{host}", spec.user),
            contact: format!("sip:{}@{}", spec.user, core.config.local),
            user: spec.user,
            dest: core.config.outbound_proxy.or(registrar.addr),
            call_id: format!("{call_part}@{}", core.config.local.ip()),
            from_tag,
            cseq: 0,
            stale_contact: None,
            public_contact_used: false,
            expires: spec.expires,
            withdrawn: false,
            granted: None,
            refresh_at: None,
            failed_refreshes: 0,
            retry_after: None,
            digest: auth::DigestClient::new(spec.credentials),
            auth_header: None,
            in_flight: None,
        };
        let known = record.dest.is_some();
        tracing::info!(registration = %id, aor = %record.aor, registrar = %record.registrar_uri, "registering");
        self.records.insert(id, Box::new(record));
        if known {
            self.feed(core, now, id, Event::Register);
        } else {
            core.emit(crate::Event::ResolveRegistrar {
                registration: id,
                host: registrar.host,
                port: registrar.port,
            });
        }
        Ok(id)
    }

    /// Withdraws a registration's binding.
    pub fn unregister(
        &mut self,
        core: &mut Core,
        now: Instant,
        id: RegistrationId,
    ) -> Result<(), CommandError> {
        if !self.records.contains_key(&id) {
            return Err(CommandError::NoSuchRegistration(id));
        }
        self.drive(core, now, id, Event::Unregister)
    }

    /// The driver found (or did not find) the registrar's address.
    pub fn resolved(
        &mut self,
        core: &mut Core,
        now: Instant,
        id: RegistrationId,
        resolved: Result<SocketAddr, String>,
    ) {
        let Some(reg) = self.records.get_mut(&id).filter(|r| r.dest.is_none() && r.state == State::Idle)
        else {
            return;
        };
        let event = match resolved {
            Ok(addr) => {
                reg.dest = Some(addr);
                Event::Register
            }
            Err(why) => Event::TransportError { reason: format!("cannot find the registrar's host: {why}") },
        };
        self.feed(core, now, id, event);
    }

    /// A response to one of registration `id`'s REGISTERs.
    pub fn on_response(
        &mut self,
        core: &mut Core,
        now: Instant,
        id: RegistrationId,
        tx: ClientTxId,
        response: &Response,
    ) {
        let Some(reg) = self.records.get_mut(&id) else { return };
        let code = response.status_code.code();
        let Some((in_flight, removing)) = reg.in_flight.filter(|(t, _)| *t == tx) else { return };
        if code >= 200 {
            core.registry.forget_registration(in_flight);
            reg.in_flight = None;
        }
        if (200..300).contains(&code) {
            // The credentials worked: a later challenge (a new nonce) is answered again.
            reg.digest.accepted();
        }
        if let Some(event) = response::event_for(reg, core.config.local, response, removing) {
            self.feed(core, now, id, event);
        }
    }

    /// One of registration `id`'s REGISTERs got no final response in time.
    pub fn on_timeout(&mut self, core: &mut Core, now: Instant, id: RegistrationId, tx: ClientTxId) {
        core.registry.forget_registration(tx);
        let Some(reg) = self.records.get_mut(&id).filter(|r| r.in_flight.is_some_and(|(t, _)| t == tx))
        else {
            return;
        };
        reg.in_flight = None;
        self.feed(core, now, id, Event::NoResponse);
    }

    /// One of registration `id`'s REGISTERs went to an address the network reported
    /// unreachable: it failed as a transport error (a refresh is retried later).
    pub fn on_unreachable(
        &mut self,
        core: &mut Core,
        now: Instant,
        id: RegistrationId,
        tx: ClientTxId,
        reason: String,
    ) {
        core.registry.forget_registration(tx);
        let Some(reg) = self.records.get_mut(&id).filter(|r| r.in_flight.is_some_and(|(t, _)| t == tx))
        else {
            return;
        };
        reg.in_flight = None;
        self.feed(core, now, id, Event::TransportError { reason });
    }

    /// A refresh deadline fell due; it stands if it is still the one armed.
    pub fn on_refresh(&mut self, core: &mut Core, now: Instant, id: RegistrationId, at: Instant) {
        let Some(reg) = self.records.get_mut(&id).filter(|r| r.refresh_at == Some(at)) else { return };
        reg.refresh_at = None;
        self.feed(core, now, id, Event::RefreshDue);
    }

    fn feed(&mut self, core: &mut Core, now: Instant, id: RegistrationId, event: Event) {
        if let Err(error) = self.drive(core, now, id, event) {
            tracing::debug!(registration = %id, %error, "event not taken");
        }
    }

    /// Feeds one event to a registration's machine; reports a change of state, and
    /// forgets a registration that ended.
    fn drive(
        &mut self,
        core: &mut Core,
        now: Instant,
        id: RegistrationId,
        event: Event,
    ) -> Result<(), CommandError> {
        let reg = self.records.get_mut(&id).ok_or(CommandError::NoSuchRegistration(id))?;
        let from = reg.state;
        let stepped = match machine::step(from, event, &mut RegistrationContext { now, core, reg }) {
            Ok(stepped) => stepped,
            Err(StepError::InvalidState { state, event }) => {
                return Err(CommandError::InvalidRegistrationState { action: event, state });
            }
            Err(error) => {
                tracing::error!(registration = %id, %error, "the table's actions did not fit its events");
                return Ok(());
            }
        };
        reg.state = stepped.state;
        let Some(t) = stepped.moved().filter(|_| stepped.state != from) else { return Ok(()) };
        tracing::debug!(registration = %id, %from, to = %stepped.state, event = %stepped.event, line = t.line, "transition");
        let expires =
            matches!(stepped.state, State::Registered | State::Refreshing).then_some(reg.granted).flatten();
        let error =
            matches!(stepped.state, State::Failed | State::Retrying).then(|| error_of(&stepped.event));
        match (&error, stepped.state) {
            (Some(error), State::Retrying) => {
                let wait = reg.refresh_at.map(|at| at.saturating_duration_since(now).as_secs());
                tracing::warn!(registration = %id, %error, retry_in_secs = wait, "refresh failed; trying again")
            }
            (Some(error), _) => tracing::warn!(registration = %id, %error, "registration failed"),
            (None, State::Registered) if from == State::Registering => {
                tracing::info!(registration = %id, expires, "registered")
            }
            (None, State::Unregistered) => tracing::info!(registration = %id, "unregistered"),
            _ => {}
        }
        if stepped.state.is_terminal() {
            if let Some((tx, _)) = reg.in_flight {
                core.registry.forget_registration(tx);
            }
            self.records.remove(&id);
        }
        core.emit(crate::Event::Registration { id, state: stepped.state, expires, error });
        Ok(())
    }
}

/// Why a registration failed, from the event that failed it.
fn error_of(event: &Event) -> RegistrationError {
    match event {
        Event::Refused { code: 403, .. } => RegistrationError::WrongCredentials { code: 403 },
        Event::Refused { code, .. } => RegistrationError::Rejected { code: *code },
        Event::AuthFailed { error } => error.clone(),
        Event::NoResponse => RegistrationError::Timeout,
        Event::TransportError { reason } => RegistrationError::Transport(reason.clone()),
        other => RegistrationError::Transport(format!("failed on {other}")),
    }
}

/// A user part we can put in a SIP URI as it is.
fn check_user(user: &str) -> Result<(), String> {
    if user.is_empty() {
        return Err("the user is empty; give the name to register, e.g. alice".into());
    }
    let fits = |c: char| c.is_ascii_alphanumeric() || "-_.!~*'()&=+$,/%".contains(c);
    match user.chars().find(|c| !fits(*c)) {
        Some(c) => Err(format!("the user `{user}` has `{c}`, which a SIP user name cannot hold as it is")),
        None => Ok(()),
    }
}
