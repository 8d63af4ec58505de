//! `Debug` for what holds whole messages: a request may carry Authorization or
//! Proxy-Authorization, so messages show through [`crate::sip::redact`] (method or
//! status, branch, length) and never their header values.

use std::fmt;

use super::client::{self, ClientTx};
use super::server::{self, ServerTx};
use super::{Transmit, TxEvent};
use crate::sip::redact::{Datagram, RequestView, ResponseView, datagram};

impl fmt::Debug for Transmit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transmit").field("to", &self.to).field("bytes", &Datagram(&self.bytes)).finish()
    }
}

impl fmt::Debug for TxEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TxEvent::Request { tx, request, essentials, source, cancels, raw } => f
                .debug_struct("Request")
                .field("tx", tx)
                .field("request", &RequestView(request))
                .field("essentials", essentials)
                .field("source", source)
                .field("cancels", cancels)
                .field("raw", &datagram(raw))
                .finish(),
            TxEvent::Ack { request, essentials, raw } => f
                .debug_struct("Ack")
                .field("request", &RequestView(request))
                .field("essentials", essentials)
                .field("raw", &datagram(raw))
                .finish(),
            TxEvent::Response { tx, response, essentials, raw } => f
                .debug_struct("Response")
                .field("tx", tx)
                .field("response", &ResponseView(response))
                .field("essentials", essentials)
                .field("raw", &datagram(raw))
                .finish(),
            TxEvent::Timeout { tx } => f.debug_struct("Timeout").field("tx", tx).finish(),
            TxEvent::NoResponseYet { tx, waited } => {
                f.debug_struct("NoResponseYet").field("tx", tx).field("waited", waited).finish()
            }
            TxEvent::Unreachable { tx, reason } => {
                f.debug_struct("Unreachable").field("tx", tx).field("reason", reason).finish()
            }
            TxEvent::AckTimeout { tx } => f.debug_struct("AckTimeout").field("tx", tx).finish(),
        }
    }
}

impl fmt::Debug for ClientTx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientTx")
            .field("invite", &self.is_invite())
            .field("state", &self.state())
            .field("dest", &self.dest())
            .field("request", &Datagram(self.request()))
            .field("next_timer", &self.next_timer())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for client::Reaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reaction")
            .field("transmit", &datagram(&self.transmit))
            .field("deliver", &self.deliver)
            .field("timed_out", &self.timed_out)
            .finish()
    }
}

impl fmt::Debug for ServerTx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerTx")
            .field("state", &self.state())
            .field("answered", &self.is_answered())
            .field("next_timer", &self.next_timer())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for server::Reaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reaction")
            .field("transmit", &datagram(&self.transmit))
            .field("ack_timed_out", &self.ack_timed_out)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use bytes::Bytes;

    use super::*;
    use crate::deadlines::Deadlines;
    use crate::sip::transaction::{ClientKind, Timers, TransactionLayer};

    const RESPONSE: &str = "6629fae49393a05397450978507c4ef1";
    const PASSWORD: &str = "wonderland";

    /// A REGISTER with credentials, a password in its Request-URI and a body.
    fn register() -> String {
        format!(
            "REGISTER sip:alice:{PASSWORD}@example.com SIP/2.0\r\n\
             Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKdebug1\r\n\
             From: <sip:alice@example.com>;tag=1\r\nTo: <sip:alice@example.com>\r\nCall-ID: c1\r\n\
             CSeq: 2 REGISTER\r\nMax-Forwards: 70\r\n\
             Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"n1\", \
             uri=\"sip:example.com\", response=\"{RESPONSE}\", qop=auth, nc=00000001, cnonce=\"c\"\r\n\
             Proxy-Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"n2\", \
             uri=\"sip:example.com\", response=\"{RESPONSE}\"\r\n\
             Content-Length: 10\r\n\r\n{PASSWORD}"
        )
    }

    fn assert_redacted(out: &str) {
        for secret in [RESPONSE, PASSWORD, "Digest", "cnonce"] {
            assert!(!out.contains(secret), "{out} shows {secret}");
        }
    }

    #[test]
    fn events_of_a_request_with_credentials_show_no_header_values() {
        let text = register();
        let (now, source) = (Instant::now(), "127.0.0.1:5070".parse().unwrap());
        let mut deadlines = Deadlines::default();
        let mut layer = TransactionLayer::new(Timers::default(), 1);
        let inbound = crate::sip::inbound::parse(text.as_bytes(), "REGISTER").expect("valid");
        assert_redacted(&format!("{inbound:?}"));
        let crate::sip::inbound::Inbound::Request(request, _) = &inbound else { panic!("a request") };
        assert!(
            format!("{request:?}").contains(RESPONSE),
            "rsip's own Debug shows it: the reason for the views"
        );
        layer.handle(now, source, inbound, Some(Bytes::from(text.clone())), &mut deadlines);
        let event = layer.poll_event().expect("the request");
        for out in [format!("{event:?}"), format!("{event:#?}")] {
            assert_redacted(&out);
            assert!(out.contains("REGISTER") && out.contains("z9hG4bKdebug1"), "{out}");
            assert!(out.contains(&text.len().to_string()), "the raw length: {out}");
        }
        assert_redacted(&format!("{layer:?}"));
        assert_redacted(&format!("{layer:#?}"));
    }

    #[test]
    fn client_transactions_and_transmits_of_a_request_with_credentials_show_no_header_values() {
        let text = Bytes::from(register());
        let (now, dest) = (Instant::now(), "127.0.0.1:5060".parse().unwrap());
        let mut deadlines = Deadlines::default();
        let mut layer = TransactionLayer::new(Timers::default(), 1);
        let (id, _) = layer.new_branch();
        layer.start_client(now, id, ClientKind::NonInvite, dest, text.clone(), &mut deadlines);
        let tx = ClientTx::new(now, &Timers::default(), ClientKind::NonInvite, dest, text.clone());
        let reaction = client::Reaction { transmit: Some(text.clone()), ..client::Reaction::default() };
        let transmit = layer.poll_transmit().expect("the request goes out");
        let outputs = [
            format!("{tx:?}"),
            format!("{tx:#?}"),
            format!("{layer:?}"),
            format!("{layer:#?}"),
            format!("{transmit:?}"),
            format!("{transmit:#?}"),
            format!("{reaction:?}"),
            format!("{reaction:#?}"),
        ];
        for out in &outputs {
            assert_redacted(out);
            assert!(out.contains("REGISTER") && out.contains("z9hG4bKdebug1"), "{out}");
        }
        assert!(outputs[0].contains(&format!("len: {}", text.len())), "{}", outputs[0]);
    }
}
