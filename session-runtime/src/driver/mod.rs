//! The thin tokio layer: one task per endpoint owns the SIP socket and the sans-IO
//! [`Endpoint`], feeds it datagrams, commands and the clock, sends what it transmits,
//! and carries out the work it asks for (RTP sockets, media engines, name lookups).

#[cfg(target_os = "linux")]
mod cmsg;
pub mod command;
mod icmp;
mod input;
mod io;
mod location;
pub mod socket;
mod stamp;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use session_proto::{Endpoint, IncomingMessage, RegistrationId};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use self::command::Command;
use crate::api::{SipTrace, TraceDirection};
use crate::location::LocationStore;
use crate::media::MediaConfig;
use crate::registrations::RegistrationShared;
use crate::shared::CallShared;
use crate::types::SessionId;

/// Largest UDP payload.
const DATAGRAM: usize = 65_535;
/// Datagrams handled per wake-up before the timers and commands get a turn.
const BURST: usize = 64;

/// The driver task's state.
pub struct Driver {
    socket: UdpSocket,
    endpoint: Endpoint,
    /// The application's handles on the endpoint's calls, by id.
    calls: HashMap<SessionId, Arc<CallShared>>,
    /// For the calls' handles, the media engines and the lookups to reach the driver.
    commands: mpsc::UnboundedSender<Command>,
    incoming: mpsc::UnboundedSender<Arc<CallShared>>,
    messages: mpsc::Sender<IncomingMessage>,
    media: MediaConfig,
    /// The application's handles on the endpoint's registrations, by id.
    registrations: HashMap<RegistrationId, Arc<RegistrationShared>>,
    /// Who waits for every registration to end ([`Command::UnregisterAll`]).
    draining: Vec<tokio::sync::oneshot::Sender<()>>,
    /// Where the registrar's bindings and the digest nonce counts are kept.
    location: Arc<dyn LocationStore>,
    /// The application's SIP trace hook, if any.
    trace: Option<SipTrace>,
    /// How far behind its input the driver is ([`input`]).
    lag: input::Lag,
}

impl Driver {
    /// A driver for `endpoint` on `socket`; new calls go to `incoming`, MESSAGEs to
    /// `messages`; location jobs run on `location`.
    pub fn new(
        socket: UdpSocket,
        endpoint: Endpoint,
        media: MediaConfig,
        commands: mpsc::UnboundedSender<Command>,
        incoming: mpsc::UnboundedSender<Arc<CallShared>>,
        messages: mpsc::Sender<IncomingMessage>,
        location: Arc<dyn LocationStore>,
    ) -> Self {
        let lag = input::Lag::new(endpoint.config().overload.max_queue_delay);
        Self {
            socket,
            endpoint,
            calls: HashMap::new(),
            commands,
            incoming,
            messages,
            media,
            location,
            registrations: HashMap::new(),
            draining: Vec::new(),
            trace: None,
            lag,
        }
    }

    /// Hands every SIP datagram sent and received to `trace`.
    #[must_use]
    pub fn with_trace(mut self, trace: Option<SipTrace>) -> Self {
        self.trace = trace;
        self
    }

    /// Runs until [`Command::Shutdown`] or until every sender of `commands` is gone.
    pub async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut buf = vec![0u8; DATAGRAM];
        let far = || tokio::time::Instant::now() + Duration::from_secs(3600);
        let sleep = tokio::time::sleep_until(far());
        tokio::pin!(sleep);
        let mut was_busy = false;
        loop {
            self.flush().await;
            // Calls and transactions hold the memory; a stale deadline of an ended call
            // (its no-answer timer, say) does not.
            let stats = self.endpoint.stats();
            let busy = stats.calls + stats.transactions > 0;
            if was_busy && !busy {
                self.endpoint.shrink_to_fit();
                socket::release_freed_memory();
            }
            was_busy = busy;
            let deadline = self.endpoint.poll_timeout().map_or_else(far, tokio::time::Instant::from_std);
            if sleep.deadline() != deadline {
                sleep.as_mut().reset(deadline);
            }
            tokio::select! {
                biased;
                command = commands.recv() => match command {
                    None | Some(Command::Shutdown) => break,
                    Some(command) => self.command(command),
                },
                // Before the receive: tokio's `recv_from` waits for error readiness
                // too, and would clear it (its retry after the pending error finds
                // nothing to read) before the error queue was read.
                () = icmp::error_ready(&self.socket) => self.icmp_errors(),
                ready = self.socket.readable() => match ready {
                    Ok(()) => self.burst(&mut buf),
                    Err(error) => tracing::debug!(%error, "the socket cannot be read"),
                },
                () = &mut sleep => self.timers(),
            }
        }
        // Best effort on the way out: the registrar hears the withdrawals, nobody waits
        // for its answers (`SimplePeer::shutdown` does).
        let now = Instant::now();
        for id in self.registrations.keys().copied().collect::<Vec<_>>() {
            let _ = self.endpoint.unregister(now, id);
        }
        self.flush().await;
        refuse_queued(commands).await;
    }

    pub(super) fn timers(&mut self) {
        self.endpoint.handle_timeout(Instant::now());
        self.dispatch();
    }

    /// Reads the ICMP errors queued for the socket, and tells the endpoint of every
    /// destination they report unreachable.
    fn icmp_errors(&mut self) {
        for _ in 0..BURST {
            match icmp::read(&self.socket) {
                Ok(Some(report)) => {
                    tracing::debug!(dest = %report.dest, why = %report.why, "ICMP unreachable");
                    self.endpoint.handle_unreachable(Instant::now(), report.dest, report.why);
                    self.dispatch();
                }
                // Another kind of error, read and dropped.
                Ok(None) => {}
                // The queue is empty.
                Err(_) => break,
            }
        }
    }

    fn command(&mut self, command: Command) {
        let now = Instant::now();
        match command {
            Command::Dial { target, reply } => {
                let dialled = self.endpoint.dial(now, &target).map(|id| self.shared_of_new(id));
                self.dispatch();
                let _ = reply.send(dialled);
            }
            Command::Event { session, event, reply } => {
                let done = self.endpoint.handle_command(now, session, event);
                self.dispatch();
                let _ = reply.send(done);
            }
            Command::TransferTo { session, other, reply } => {
                let done = self.endpoint.transfer_to(now, session, other);
                self.dispatch();
                let _ = reply.send(done);
            }
            Command::Dtmf { session, digit } => {
                self.endpoint.handle_dtmf(now, session, digit);
                self.dispatch();
            }
            Command::Resolved { session, result } => {
                self.endpoint.handle_resolved(now, session, result);
                self.dispatch();
            }
            Command::Register { spec, reply } => {
                let registered = self.endpoint.register(now, spec).map(|id| {
                    // Before the endpoint's events about it are handled.
                    let shared = RegistrationShared::new(id);
                    self.registrations.insert(id, shared.clone());
                    shared
                });
                self.dispatch();
                let _ = reply.send(registered);
            }
            Command::Unregister { id, reply } => {
                let done = self.endpoint.unregister(now, id);
                self.dispatch();
                let _ = reply.send(done);
            }
            Command::UnregisterAll(reply) => {
                self.draining.push(reply);
                for id in self.registrations.keys().copied().collect::<Vec<_>>() {
                    let _ = self.endpoint.unregister(now, id);
                }
                self.dispatch();
                self.registrations_ended();
            }
            Command::RegistrarResolved { id, result } => {
                self.endpoint.handle_registrar_resolved(now, id, result);
                self.dispatch();
            }
            Command::Located { job, answer } => {
                self.endpoint.handle_location(now, job, answer);
                self.dispatch();
            }
            Command::Stats(reply) => {
                let _ = reply.send(self.endpoint.stats());
            }
            Command::Shutdown => {}
        }
    }

    /// Handles the endpoint's events up to the one that creates call `id`, and returns
    /// what its handles share (taken before a later event could end the call).
    fn shared_of_new(&mut self, id: SessionId) -> Arc<CallShared> {
        while !self.calls.contains_key(&id) {
            let Some(event) = self.endpoint.poll_event() else { break };
            self.handle(event);
        }
        self.calls.get(&id).cloned().unwrap_or_else(|| {
            // The endpoint announces every call it creates; a handle that hears nothing
            // more is still better than a panic.
            tracing::error!(call = %id, "the endpoint created a call without saying so");
            CallShared::new(id, crate::types::CallDirection::Outgoing, String::new())
        })
    }

    /// Answers whoever waits for every registration to end, once none is left.
    fn registrations_ended(&mut self) {
        if self.registrations.is_empty() {
            for waiting in self.draining.drain(..) {
                let _ = waiting.send(());
            }
        }
    }

    async fn flush(&mut self) {
        while let Some(transmit) = self.endpoint.poll_transmit() {
            if let Some(trace) = &self.trace {
                trace.emit(TraceDirection::Sent, self.endpoint.config().local, transmit.to, &transmit.bytes);
            }
            socket::send(&self.socket, &transmit).await;
        }
    }
}

/// Drops every command still queued, so that whoever waits on a reply hears that the
/// driver has stopped. Close-then-drain rather than a drop: a send racing the drop of the
/// receiver would stay queued, its reply never dropped, for as long as a `Call` keeps a
/// sender (see the media engine).
async fn refuse_queued(mut commands: mpsc::UnboundedReceiver<Command>) {
    commands.close();
    while commands.recv().await.is_some() {}
}

#[cfg(test)]
mod tests {
    use tokio::sync::oneshot;

    use super::*;
    use crate::machine::Event;

    #[tokio::test]
    async fn commands_queued_at_shutdown_are_refused_not_left_waiting() {
        let (commands, queue) = mpsc::unbounded_channel();
        let (dial, dialled) = oneshot::channel();
        let (event, evented) = oneshot::channel();
        commands.send(Command::Dial { target: "sip:bob@127.0.0.1".into(), reply: dial }).unwrap();
        commands.send(Command::Event { session: SessionId(1), event: Event::Hangup, reply: event }).unwrap();
        refuse_queued(queue).await;
        assert!(dialled.await.is_err(), "the Dial's reply is dropped, not left waiting");
        assert!(evented.await.is_err(), "the command's reply is dropped, not left waiting");
        assert!(commands.send(Command::Shutdown).is_err(), "the queue is closed");
    }
}
