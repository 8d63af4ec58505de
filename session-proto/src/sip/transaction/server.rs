//! Server transactions (RFC 3261 section 17.2, with RFC 6026's Accepted state).
//!
//! For an INVITE answered 2xx the transaction also retransmits the 2xx until the ACK
//! arrives (the UAS core's duty in RFC 3261 section 13.3.1.4), so the dialog layer
//! never keeps a timer of its own.

use std::time::{Duration, Instant};

use bytes::Bytes;

use super::timers::Timers;

/// Where a server transaction is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerState {
    /// Waiting for the dialog layer's final response (INVITE: Proceeding; others: Trying).
    Proceeding,
    /// INVITE answered 2xx: retransmitting it until the ACK, absorbing INVITE repeats.
    Accepted,
    /// Final response sent: repeated requests get it again (INVITE also waits for ACK).
    Completed,
    /// INVITE's non-2xx was ACKed; absorbing stray ACKs for T4.
    Confirmed,
    /// Done; the layer forgets it.
    Terminated,
}

/// What the transaction asks of its layer after an input (its `Debug` shows the
/// bytes' status, branch and length only).
#[derive(Default, PartialEq, Eq)]
pub struct Reaction {
    /// Send these bytes to the request's source.
    pub transmit: Option<Bytes>,
    /// No ACK came for our 2xx within 64·T1: the dialog layer should end the call.
    pub ack_timed_out: bool,
}

/// One server transaction (its `Debug` shows its state, not the response it keeps).
pub struct ServerTx {
    invite: bool,
    state: ServerState,
    last_response: Option<Bytes>,
    interval: Duration,
    retransmit_at: Option<Instant>,
    deadline: Option<Instant>,
    acked: bool,
}

impl ServerTx {
    /// A transaction for a new request.
    pub fn new(invite: bool) -> Self {
        Self {
            invite,
            state: ServerState::Proceeding,
            last_response: None,
            interval: Duration::ZERO,
            retransmit_at: None,
            deadline: None,
            acked: false,
        }
    }

    /// Current state.
    pub fn state(&self) -> ServerState {
        self.state
    }

    /// Whether a final response has been sent.
    pub fn is_answered(&self) -> bool {
        self.state != ServerState::Proceeding
    }

    /// The earliest instant this transaction needs [`ServerTx::on_timer`], if any.
    pub fn next_timer(&self) -> Option<Instant> {
        match (self.retransmit_at, self.deadline) {
            (Some(r), Some(d)) => Some(r.min(d)),
            (r, d) => r.or(d),
        }
    }

    /// The dialog layer answers with status `code`; returns the bytes to send.
    pub fn respond(&mut self, now: Instant, timers: &Timers, code: u16, response: Bytes) -> Reaction {
        if self.state != ServerState::Proceeding {
            return Reaction::default(); // a second final response is not sent
        }
        self.last_response = Some(response.clone());
        if code >= 200 {
            let deadline = now + timers.transaction_timeout();
            self.deadline = Some(deadline);
            if !self.invite {
                self.state = ServerState::Completed; // Timer J
            } else {
                self.state = if code < 300 { ServerState::Accepted } else { ServerState::Completed };
                self.interval = timers.t1; // 2xx until ACK, or Timer G
                self.retransmit_at = Some(now + timers.t1);
            }
        }
        Reaction { transmit: Some(response), ..Reaction::default() }
    }

    /// A proxy passes on `response` (see `TransactionLayer::relay`): a 2xx to an INVITE
    /// is sent without retransmissions of our own, also again in Accepted; anything
    /// else as [`ServerTx::respond`] sends it.
    pub fn relay(&mut self, now: Instant, timers: &Timers, code: u16, response: Bytes) -> Reaction {
        let success = (200..300).contains(&code);
        match self.state {
            ServerState::Proceeding if success && self.invite => {
                self.state = ServerState::Accepted;
                // Nothing to wait for: the ACK to a 2xx is the proxy core's (Timer L).
                self.acked = true;
                self.last_response = None;
                self.retransmit_at = None;
                self.deadline = Some(now + timers.transaction_timeout());
                Reaction { transmit: Some(response), ..Reaction::default() }
            }
            ServerState::Accepted if success => Reaction { transmit: Some(response), ..Reaction::default() },
            _ => self.respond(now, timers, code, response),
        }
    }

    /// The same request arrived again: repeat the last response (absorbed in Accepted).
    pub fn on_retransmission(&mut self) -> Reaction {
        match self.state {
            ServerState::Proceeding | ServerState::Completed => {
                Reaction { transmit: self.last_response.clone(), ..Reaction::default() }
            }
            _ => Reaction::default(),
        }
    }

    /// An ACK for this INVITE arrived: for a non-2xx it matched by branch (Confirmed,
    /// Timer I); for a 2xx the dialog layer matched it and stops the retransmissions.
    pub fn on_ack(&mut self, now: Instant, timers: &Timers) {
        match self.state {
            ServerState::Completed if self.invite => {
                self.state = ServerState::Confirmed;
                self.retransmit_at = None;
                self.deadline = Some(now + timers.t4);
            }
            ServerState::Accepted => {
                self.acked = true;
                self.retransmit_at = None;
                // Repeats of the INVITE are absorbed from now on; the 2xx is not sent again.
                self.last_response = None;
            }
            _ => {}
        }
    }

    /// Timers due at `now` fire.
    pub fn on_timer(&mut self, now: Instant, timers: &Timers) -> Reaction {
        if self.deadline.is_some_and(|d| now >= d) {
            let ack_timed_out = self.state == ServerState::Accepted && !self.acked;
            self.state = ServerState::Terminated;
            return Reaction { ack_timed_out, ..Reaction::default() };
        }
        match self.retransmit_at {
            Some(at) if now >= at => {
                self.interval = timers.backoff(self.interval, true);
                self.retransmit_at = Some(now + self.interval);
                Reaction { transmit: self.last_response.clone(), ..Reaction::default() }
            }
            _ => Reaction::default(),
        }
    }
}

impl super::Server {
    /// Queues what `reaction` sends to the request's source and schedules the
    /// transaction's next timer; true when something was sent.
    pub(super) fn carry_out(
        &self,
        tx: super::ServerTxId,
        reaction: Reaction,
        transmits: &mut std::collections::VecDeque<super::Transmit>,
        deadlines: &mut crate::deadlines::Deadlines,
    ) -> bool {
        let sent = reaction.transmit.is_some();
        if let Some(bytes) = reaction.transmit {
            transmits.push_back(super::Transmit { to: self.source, bytes });
        }
        if let Some(at) = self.tx.next_timer() {
            deadlines.schedule(at, crate::deadlines::Deadline::Server(tx));
        }
        sent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_2xx_is_retransmitted_until_the_ack() {
        let (now, timers) = (Instant::now(), Timers::default());
        let mut tx = ServerTx::new(true);
        let sent = tx.respond(now, &timers, 200, Bytes::from_static(b"200"));
        assert!(sent.transmit.is_some());
        assert_eq!(tx.state(), ServerState::Accepted);
        let at = tx.next_timer().unwrap();
        assert_eq!(at - now, timers.t1);
        assert!(tx.on_timer(at, &timers).transmit.is_some());
        tx.on_ack(at, &timers);
        assert_eq!(tx.on_retransmission(), Reaction::default(), "INVITE repeats are absorbed");
        let end = tx.on_timer(now + timers.transaction_timeout(), &timers);
        assert!(!end.ack_timed_out);
        assert_eq!(tx.state(), ServerState::Terminated);
    }

    #[test]
    fn a_relayed_2xx_is_passed_on_each_time_and_never_retransmitted() {
        let (now, timers) = (Instant::now(), Timers::default());
        let mut tx = ServerTx::new(true);
        assert!(tx.relay(now, &timers, 180, Bytes::from_static(b"180")).transmit.is_some());
        assert_eq!(tx.on_retransmission().transmit.as_deref(), Some(&b"180"[..]));
        assert!(tx.relay(now, &timers, 200, Bytes::from_static(b"200")).transmit.is_some());
        assert_eq!(tx.state(), ServerState::Accepted);
        assert_eq!(tx.next_timer(), Some(now + timers.transaction_timeout()), "Timer L only");
        assert_eq!(tx.on_retransmission(), Reaction::default(), "INVITE repeats are absorbed");
        let again = tx.relay(now, &timers, 200, Bytes::from_static(b"200 again"));
        assert_eq!(again.transmit.as_deref(), Some(&b"200 again"[..]));
        assert!(tx.relay(now, &timers, 486, Bytes::from_static(b"486")).transmit.is_none());
        let end = tx.on_timer(now + timers.transaction_timeout(), &timers);
        assert!(!end.ack_timed_out, "a proxy waits for no ACK");
        assert_eq!(tx.state(), ServerState::Terminated);
    }

    #[test]
    fn a_2xx_never_acked_is_reported() {
        let (now, timers) = (Instant::now(), Timers::default());
        let mut tx = ServerTx::new(true);
        tx.respond(now, &timers, 200, Bytes::from_static(b"200"));
        let mut reaction = Reaction::default();
        while tx.state() != ServerState::Terminated {
            let at = tx.next_timer().unwrap();
            reaction = tx.on_timer(at, &timers);
        }
        assert!(reaction.ack_timed_out);
    }

    #[test]
    fn a_non_2xx_waits_for_its_ack_then_lingers_for_t4() {
        let (now, timers) = (Instant::now(), Timers::default());
        let mut tx = ServerTx::new(true);
        tx.respond(now, &timers, 486, Bytes::from_static(b"486"));
        assert_eq!(tx.on_retransmission().transmit.as_deref(), Some(&b"486"[..]));
        tx.on_ack(now, &timers);
        assert_eq!(tx.state(), ServerState::Confirmed);
        assert_eq!(tx.next_timer(), Some(now + timers.t4));
    }

    #[test]
    fn non_invite_repeats_its_final_response_until_timer_j() {
        let (now, timers) = (Instant::now(), Timers::default());
        let mut tx = ServerTx::new(false);
        tx.respond(now, &timers, 200, Bytes::from_static(b"200"));
        assert_eq!(tx.on_retransmission().transmit.as_deref(), Some(&b"200"[..]));
        assert_eq!(tx.next_timer(), Some(now + timers.transaction_timeout()));
        assert_eq!(tx.respond(now, &timers, 500, Bytes::from_static(b"500")), Reaction::default());
    }
}
