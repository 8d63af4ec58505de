//! Client transactions (RFC 3261 section 17.1, with RFC 6026's Accepted state).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::timers::Timers;

/// Where a client transaction is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientState {
    /// Request sent, no response yet (INVITE: Calling; others: Trying).
    Calling,
    /// A provisional response arrived.
    Proceeding,
    /// INVITE got a 2xx; retransmitted 2xx still reach the dialog (RFC 6026).
    Accepted,
    /// A final response arrived; retransmissions are absorbed (and re-ACKed for INVITE).
    Completed,
    /// Done; the layer forgets it.
    Terminated,
}

/// What the transaction asks of its layer after an input (its `Debug` shows the
/// bytes' method, branch and length only).
#[derive(Default, PartialEq, Eq)]
pub struct Reaction {
    /// Send these bytes (to the transaction's destination).
    pub transmit: Option<Bytes>,
    /// Pass the response up to the dialog layer.
    pub deliver: bool,
    /// Tell the dialog layer the transaction timed out (Timer B or F).
    pub timed_out: bool,
}

/// What a client transaction carries; it decides the RFC 3261 timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKind {
    /// The INVITE that creates a dialog: once a provisional says the callee is alerting,
    /// it may wait as long as the callee rings (the dialog layer's no-answer timer ends it).
    Invite,
    /// An INVITE inside a dialog. Nobody is alerted, so Timer B keeps running after a
    /// provisional response: a re-INVITE left at 100 Trying still ends after 64·T1.
    Reinvite,
    /// Any other request, with Timers E and F.
    NonInvite,
    /// A CANCEL: a non-INVITE transaction that shares its INVITE's branch.
    Cancel,
}

/// One client transaction (its `Debug` shows the request's method, branch and length,
/// never its headers: it may carry credentials).
pub struct ClientTx {
    invite: bool,
    /// Waits without Timer B once a provisional arrives (a dialog-creating INVITE).
    rings: bool,
    state: ClientState,
    dest: SocketAddr,
    request: Bytes,
    /// The ACK for a non-2xx final response, written by the dialog layer up front.
    ack: Option<Bytes>,
    interval: Duration,
    retransmit_at: Option<Instant>,
    /// When the transaction ends (Timer B, D, F or K); none while a dialog-creating
    /// INVITE rings, for as long as the callee likes.
    deadline: Option<Instant>,
    /// When the request was first sent.
    started: Instant,
    /// How many times it was sent again.
    retransmissions: u32,
}

impl ClientTx {
    /// Starts a transaction: the caller sends `request` right away.
    pub fn new(now: Instant, timers: &Timers, kind: ClientKind, dest: SocketAddr, request: Bytes) -> Self {
        Self {
            invite: matches!(kind, ClientKind::Invite | ClientKind::Reinvite),
            rings: kind == ClientKind::Invite,
            state: ClientState::Calling,
            dest,
            request,
            ack: None,
            interval: timers.t1,
            retransmit_at: Some(now + timers.t1),
            deadline: Some(now + timers.transaction_timeout()),
            started: now,
            retransmissions: 0,
        }
    }

    /// When the request was first sent.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// How many times the request was sent again.
    pub fn retransmissions(&self) -> u32 {
        self.retransmissions
    }

    /// Whether the transaction still sends its request (retransmissions included):
    /// before any response, or, for a non-INVITE, until the final one. An INVITE that
    /// got a provisional response sends nothing more.
    pub fn is_sending(&self) -> bool {
        match self.state {
            ClientState::Calling => true,
            ClientState::Proceeding => !self.invite,
            ClientState::Accepted | ClientState::Completed | ClientState::Terminated => false,
        }
    }

    /// Current state.
    pub fn state(&self) -> ClientState {
        self.state
    }

    /// Where requests go.
    pub fn dest(&self) -> SocketAddr {
        self.dest
    }

    /// The request as sent.
    pub fn request(&self) -> &Bytes {
        &self.request
    }

    /// Whether this is an INVITE transaction.
    pub fn is_invite(&self) -> bool {
        self.invite
    }

    /// Sets the ACK to send for a non-2xx final response (written from the response's To).
    pub fn set_ack(&mut self, ack: Bytes) {
        self.ack.get_or_insert(ack);
    }

    /// The earliest instant this transaction needs [`ClientTx::on_timer`], if any.
    pub fn next_timer(&self) -> Option<Instant> {
        match (self.retransmit_at, self.deadline) {
            (Some(r), Some(d)) => Some(r.min(d)),
            (r, d) => r.or(d),
        }
    }

    /// A response with status `code` arrived.
    pub fn on_response(&mut self, now: Instant, timers: &Timers, code: u16) -> Reaction {
        use ClientState::*;
        let provisional = code < 200;
        match (self.state, self.invite) {
            (Calling | Proceeding, _) if provisional => {
                self.state = Proceeding;
                // INVITE stops retransmitting; non-INVITE goes on at T2 (17.1.2.2).
                self.retransmit_at = (!self.invite).then(|| now + timers.t2);
                self.interval = timers.t2;
                if self.rings {
                    // The callee may ring for as long as it likes; the dialog layer's
                    // no-answer timer decides when to give up.
                    self.deadline = None;
                }
                Reaction { deliver: true, ..Reaction::default() }
            }
            (Calling | Proceeding, true) if code < 300 => {
                self.enter(Accepted, now + timers.transaction_timeout(), code);
                Reaction { deliver: true, ..Reaction::default() }
            }
            (Calling | Proceeding, true) => {
                self.enter(Completed, now + timers.transaction_timeout(), code);
                Reaction { transmit: self.ack.clone(), deliver: true, ..Reaction::default() }
            }
            (Calling | Proceeding, false) => {
                self.enter(Completed, now + timers.t4, code);
                Reaction { deliver: true, ..Reaction::default() }
            }
            // A retransmitted 2xx: the dialog layer re-sends its ACK.
            (Accepted, _) if (200..300).contains(&code) => Reaction { deliver: true, ..Reaction::default() },
            // A retransmitted non-2xx final: ACK again, tell no one.
            (Completed, true) if code >= 300 => {
                Reaction { transmit: self.ack.clone(), ..Reaction::default() }
            }
            _ => Reaction::default(),
        }
    }

    /// We sent a CANCEL for this INVITE, or its call ended without one: without a final
    /// response within 64·T1, the transaction counts as cancelled and ends (RFC 3261
    /// section 9.1), however long a provisional response had let it wait.
    pub fn stop_waiting(&mut self, now: Instant, timers: &Timers) {
        if self.invite && matches!(self.state, ClientState::Calling | ClientState::Proceeding) {
            // Later provisionals must not extend the wait again.
            self.rings = false;
            let limit = now + timers.transaction_timeout();
            self.deadline = Some(self.deadline.map_or(limit, |d| d.min(limit)));
        }
    }

    /// Timers due at `now` fire.
    pub fn on_timer(&mut self, now: Instant, timers: &Timers) -> Reaction {
        if self.deadline.is_some_and(|d| now >= d) {
            let timed_out = matches!(self.state, ClientState::Calling | ClientState::Proceeding);
            self.state = ClientState::Terminated;
            return Reaction { timed_out, ..Reaction::default() };
        }
        match self.retransmit_at {
            Some(at) if now >= at => {
                self.interval = timers.backoff(self.interval, !self.invite);
                self.retransmit_at = Some(now + self.interval);
                self.retransmissions += 1;
                Reaction { transmit: Some(self.request.clone()), ..Reaction::default() }
            }
            _ => Reaction::default(),
        }
    }

    /// A final response with status `code` arrived: the request is never sent again,
    /// nor copied by a CANCEL, so its bytes go; unless it was challenged (401, 407),
    /// when the usage may send it again with credentials and reads it back first.
    fn enter(&mut self, state: ClientState, deadline: Instant, code: u16) {
        let deadline = Some(deadline);
        if !matches!(code, 401 | 407) {
            self.request = Bytes::new();
        }
        self.state = state;
        self.retransmit_at = None;
        self.deadline = deadline;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(invite: bool) -> (ClientTx, Instant, Timers) {
        let kind = if invite { ClientKind::Invite } else { ClientKind::NonInvite };
        kind_tx(kind)
    }

    fn kind_tx(kind: ClientKind) -> (ClientTx, Instant, Timers) {
        let now = Instant::now();
        let timers = Timers::default();
        let dest = "127.0.0.1:5060".parse().unwrap();
        let mut tx = ClientTx::new(now, &timers, kind, dest, Bytes::from_static(b"INVITE"));
        tx.set_ack(Bytes::from_static(b"ACK"));
        (tx, now, timers)
    }

    #[test]
    fn invite_retransmits_with_doubling_intervals_until_timer_b() {
        let (mut tx, start, timers) = tx(true);
        let mut sent_at = Vec::new();
        let now = loop {
            let now = tx.next_timer().unwrap();
            let reaction = tx.on_timer(now, &timers);
            if reaction.timed_out {
                break now;
            }
            assert!(reaction.transmit.is_some());
            sent_at.push((now - start).as_millis());
        };
        // Timer A: 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; Timer B at 32 s.
        assert_eq!(sent_at, [500, 1500, 3500, 7500, 15500, 31500]);
        assert_eq!(tx.retransmissions(), 6);
        assert_eq!((now - start).as_secs(), 32);
        assert_eq!(tx.state(), ClientState::Terminated);
    }

    #[test]
    fn non_invite_caps_retransmissions_at_t2() {
        let (mut tx, start, timers) = tx(false);
        let mut gaps = Vec::new();
        let mut last = start;
        for _ in 0..6 {
            let now = tx.next_timer().unwrap();
            assert!(tx.on_timer(now, &timers).transmit.is_some());
            gaps.push((now - last).as_millis());
            last = now;
        }
        assert_eq!(gaps, [500, 1000, 2000, 4000, 4000, 4000]);
    }

    #[test]
    fn only_a_transaction_that_still_sends_its_request_is_sending() {
        let (mut invite, start, timers) = tx(true);
        assert!(invite.is_sending());
        invite.on_response(start, &timers, 100);
        assert!(!invite.is_sending(), "an INVITE is not sent again after a provisional");
        let (mut other, start, timers) = tx(false);
        other.on_response(start, &timers, 100);
        assert!(other.is_sending(), "a non-INVITE goes on at T2");
        other.on_response(start, &timers, 200);
        assert!(!other.is_sending());
    }

    #[test]
    fn provisional_stops_invite_retransmission_and_non_2xx_is_acked_again() {
        let (mut tx, start, timers) = tx(true);
        assert!(tx.on_response(start, &timers, 180).deliver);
        assert_eq!(tx.on_timer(start + Duration::from_secs(40), &timers), Reaction::default());
        let first = tx.on_response(start, &timers, 486);
        assert_eq!(first.transmit.as_deref(), Some(&b"ACK"[..]));
        assert!(first.deliver);
        let again = tx.on_response(start, &timers, 486);
        assert_eq!(again.transmit.as_deref(), Some(&b"ACK"[..]));
        assert!(!again.deliver, "a retransmitted final is absorbed");
    }

    #[test]
    fn a_cancelled_invite_that_gets_no_final_response_times_out_after_64_t1() {
        let (mut tx, start, timers) = tx(true);
        tx.on_response(start, &timers, 100);
        let cancelled_at = start + Duration::from_secs(60);
        tx.stop_waiting(cancelled_at, &timers);
        assert_eq!(tx.next_timer(), Some(cancelled_at + timers.transaction_timeout()));
        tx.on_response(cancelled_at + Duration::from_secs(1), &timers, 180);
        assert_eq!(
            tx.next_timer(),
            Some(cancelled_at + timers.transaction_timeout()),
            "a late 180 changes nothing"
        );
        assert!(tx.on_timer(tx.next_timer().unwrap(), &timers).timed_out);
        assert_eq!(tx.state(), ClientState::Terminated);
    }

    #[test]
    fn a_reinvite_left_at_100_trying_still_times_out_at_timer_b() {
        let (mut tx, start, timers) = kind_tx(ClientKind::Reinvite);
        tx.on_response(start, &timers, 100);
        assert_eq!(tx.next_timer(), Some(start + timers.transaction_timeout()));
        assert!(tx.on_timer(tx.next_timer().unwrap(), &timers).timed_out);
    }

    #[test]
    fn a_challenged_request_keeps_its_bytes_for_the_retry_and_others_drop_them() {
        for (code, kept) in [(401, true), (407, true), (403, false), (200, false)] {
            let (mut tx, start, timers) = tx(false);
            tx.on_response(start, &timers, code);
            assert_eq!(!tx.request().is_empty(), kept, "after {code}");
        }
    }

    #[test]
    fn retransmitted_2xx_reaches_the_dialog_in_accepted() {
        let (mut tx, start, timers) = tx(true);
        assert!(tx.on_response(start, &timers, 200).deliver);
        assert_eq!(tx.state(), ClientState::Accepted);
        assert!(tx.on_response(start, &timers, 200).deliver);
        let end = tx.on_timer(start + timers.transaction_timeout(), &timers);
        assert!(!end.timed_out);
        assert_eq!(tx.state(), ClientState::Terminated);
    }
}
