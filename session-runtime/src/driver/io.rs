//! Carrying out what the endpoint asks: news for the calls' handles, RTP sockets and
//! media engines, name lookups.

use std::net::SocketAddr;
use std::time::Instant;

use session_proto::Event;

use super::Driver;
use super::command::Command;
use crate::api::Call;
use crate::media::{MediaControl, engine};
use crate::registrations::RegistrationStatus;
use crate::shared::{CallEvent, CallShared};
use crate::types::SessionId;

impl Driver {
    /// Handles every event the endpoint has queued, in order; answering one may queue
    /// more.
    pub(super) fn dispatch(&mut self) {
        while let Some(event) = self.endpoint.poll_event() {
            self.handle(event);
        }
    }

    pub(super) fn handle(&mut self, event: Event) {
        match event {
            Event::CallCreated { call, direction, remote_uri } => {
                self.calls.insert(call, CallShared::new(call, direction, remote_uri));
            }
            Event::IncomingCall { call } => {
                if let Some(shared) = self.calls.get(&call) {
                    let _ = self.incoming.send(shared.clone());
                }
            }
            Event::CallState { call, state, at } => {
                if let Some(shared) = self.calls.get(&call) {
                    shared.set_state(state, at);
                }
            }
            Event::CallEnded { call, reason, at } => {
                if let Some(shared) = self.calls.remove(&call) {
                    shared.end(reason, at);
                }
            }
            Event::CallProgress { call, code } => self.notify(call, CallEvent::Progress(code)),
            Event::NoResponseYet { call, waited } => self.notify(call, CallEvent::NoResponseYet { waited }),
            Event::HeldByPeer { call, held } => self.notify(call, CallEvent::HeldByPeer(held)),
            Event::Dtmf { call, digit } => self.notify(call, CallEvent::Dtmf(digit)),
            Event::TransferRequested { call, target, new_call } => {
                let new_call = new_call
                    .and_then(|id| self.calls.get(&id))
                    .map(|shared| Call::new(shared.clone(), self.commands.clone()));
                self.notify(call, CallEvent::TransferRequested { target, new_call })
            }
            Event::TransferProgress { call, code } => self.notify(call, CallEvent::TransferStatus(code)),
            Event::Message(message) => {
                if self.messages.try_send(message).is_err() {
                    tracing::debug!("a MESSAGE was answered but nobody reads messages; dropped");
                }
            }
            Event::Location { job, work } => {
                if let Some(answer) = super::location::start(&self.location, &self.commands, job, work) {
                    self.endpoint.handle_location(Instant::now(), job, answer);
                }
            }
            Event::OpenMedia { call } => {
                let opened = self.open_media(call);
                self.endpoint.handle_media_opened(Instant::now(), call, opened);
            }
            Event::Media { call, command } => {
                if let Some(shared) = self.calls.get(&call) {
                    let _ = shared.media.unbounded_send(MediaControl::Protocol(command));
                }
            }
            Event::Resolve { call, host, port } => {
                self.resolve(host, port, move |result| Command::Resolved { session: call, result })
            }
            Event::Registration { id, state, expires, error } => {
                if let Some(shared) = self.registrations.get(&id) {
                    shared.update(RegistrationStatus { state, expires, error });
                }
                if state.is_terminal() {
                    self.registrations.remove(&id);
                    self.registrations_ended();
                }
            }
            Event::ResolveRegistrar { registration, host, port } => self
                .resolve(host, port, move |result| Command::RegistrarResolved { id: registration, result }),
        }
    }

    fn notify(&self, call: SessionId, event: CallEvent) {
        if let Some(shared) = self.calls.get(&call) {
            let _ = shared.events.unbounded_send(event);
        }
    }

    /// Binds the call's RTP and RTCP sockets and starts its media engine on them.
    fn open_media(&self, call: SessionId) -> Result<SocketAddr, String> {
        let shared = self.calls.get(&call).ok_or("the call has no handle")?;
        let sockets = self.media.bind_pair().map_err(|error| error.to_string())?;
        let rtp = sockets.0.local_addr().map_err(|error| error.to_string())?;
        let config = self.endpoint.config();
        let cname = format!("{}@{}", config.user, rtp.ip());
        let controls = shared.take_media_controls().ok_or("the call's media engine was already started")?;
        let commands = self.commands.clone();
        let last = shared.clone();
        let hooks = engine::Hooks {
            dtmf: Box::new(move |digit| {
                let _ = commands.send(Command::Dtmf { session: call, digit });
            }),
            stopped: Box::new(move |info| last.media_stopped(info)),
        };
        engine::spawn(call, sockets, &cname, controls, hooks)
            .map_err(|error| format!("cannot start the media engine: {error}"))?;
        Ok(rtp)
    }

    /// Looks `host` up on tokio's resolver (off this task) and reports back with the
    /// command `done` makes of the result; an address of our socket's family is
    /// preferred, as only such a one can be reached.
    fn resolve(
        &self,
        host: String,
        port: u16,
        done: impl FnOnce(Result<SocketAddr, String>) -> Command + Send + 'static,
    ) {
        let commands = self.commands.clone();
        let v4 = self.endpoint.config().local.is_ipv4();
        tokio::spawn(async move {
            let result = match tokio::net::lookup_host((host.as_str(), port)).await {
                Ok(addresses) => {
                    let addresses: Vec<SocketAddr> = addresses.collect();
                    addresses.iter().copied().find(|a| a.is_ipv4() == v4).ok_or_else(|| {
                        let family = if v4 { "IPv4" } else { "IPv6" };
                        format!("{host} has no {family} address")
                    })
                }
                Err(error) => Err(format!("{host}: {error}")),
            };
            let _ = commands.send(done(result));
        });
    }
}
