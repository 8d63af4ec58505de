//! The table's guards, evaluated on the event that is being processed.
//!
//! Every guard is a pure function of the event, so the generated `transition` stays a
//! pure function of (state, event) and tests need no session to exercise it.

use super::{Event, Guard};

/// Whether `guard` holds for `event`.
#[inline]
pub fn holds(guard: Guard, event: &Event) -> bool {
    match guard {
        Guard::HasSdp => sdp_of(event).is_some_and(|sdp| !sdp.trim().is_empty()),
        Guard::EndsDialog => code_of(event).is_some_and(|code| code == 408 || code == 481),
        Guard::TransferSucceeded => code_of(event).is_some_and(|code| (200..300).contains(&code)),
        Guard::TransferFailed => code_of(event).is_some_and(|code| code >= 300),
    }
}

#[inline]
fn sdp_of(event: &Event) -> Option<&str> {
    match event {
        Event::IncomingInvite { sdp, .. }
        | Event::ReinviteReceived { sdp, .. }
        | Event::AckReceived { sdp }
        | Event::Provisional { sdp, .. }
        | Event::Answered { sdp }
        | Event::ReinviteAnswered { sdp } => sdp.as_deref(),
        _ => None,
    }
}

#[inline]
fn code_of(event: &Event) -> Option<u16> {
    match event {
        Event::NotifyReceived { code, .. }
        | Event::ReinviteFailed { code }
        | Event::ReferFailed { code }
        | Event::Declined { code }
        | Event::Reject { code }
        | Event::Provisional { code, .. } => Some(*code),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_sdp_needs_a_non_empty_body() {
        let with = Event::Answered { sdp: Some("v=0\r\n".into()) };
        let empty = Event::Answered { sdp: Some("  ".into()) };
        let without = Event::Answered { sdp: None };
        assert!(holds(Guard::HasSdp, &with));
        assert!(!holds(Guard::HasSdp, &empty));
        assert!(!holds(Guard::HasSdp, &without));
    }

    #[test]
    fn status_guards() {
        let notify = |code| Event::NotifyReceived { tx: 1, code };
        assert!(holds(Guard::TransferSucceeded, &notify(200)));
        assert!(!holds(Guard::TransferSucceeded, &notify(180)));
        assert!(holds(Guard::TransferFailed, &notify(486)));
        assert!(!holds(Guard::TransferFailed, &notify(100)));
        assert!(holds(Guard::EndsDialog, &Event::ReinviteFailed { code: 481 }));
        assert!(!holds(Guard::EndsDialog, &Event::ReinviteFailed { code: 488 }));
    }
}
