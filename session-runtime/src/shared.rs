//! What the driver and the application's handles of a call share. Both layers use it;
//! neither uses the other's insides for it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_channel::mpsc as queue;
use session_proto::EndReason;
use tokio::sync::watch;

use crate::api::Call;
use crate::machine::State;
use crate::media::{MediaControl, MediaInfo};
use crate::types::{CallDirection, SessionId};

/// Something that happened in a call.
#[derive(Clone, Debug, PartialEq)]
pub enum CallEvent {
    /// The call entered a new state.
    StateChanged(State),
    /// A call we placed got a provisional response with this status: 100 Trying (the
    /// INVITE reached the peer, or a proxy on the way), 180 Ringing, 183 Session
    /// Progress, … One event per response, in order; a 180 comes before the
    /// [`CallEvent::StateChanged`] to [`State::RingingOutbound`] it causes.
    Progress(u16),
    /// A call we placed has had no response at all yet, not even 100 Trying: its INVITE
    /// was just sent again (RFC 3261 Timer A, `waited` = T1 after the first). Reported
    /// once per call. Nothing on the way may be listening; the call goes on trying
    /// until Timer B (64·T1, 32 s by default), then ends as [`EndReason::Timeout`].
    NoResponseYet {
        /// How long since the INVITE was first sent.
        waited: Duration,
    },
    /// The peer put the call on hold (`true`: its re-INVITE offered `sendonly` or
    /// `inactive` media, so it sends us nothing and wants nothing) or took it off hold
    /// (`false`). The call's state stays [`State::Active`] on this side: the state
    /// says only whether *we* hold the peer ([`State::OnHold`]).
    HeldByPeer(bool),
    /// The peer sent a DTMF digit.
    Dtmf(char),
    /// The transfer we asked for ([`Call::transfer`], [`Call::transfer_to`]) reached
    /// this status, as the transferee's NOTIFY reports it: 100 Trying, 180 Ringing, …,
    /// then the final one. A 2xx means it worked, and the call ends as
    /// [`EndReason::Transferred`]; anything from 300 up means it failed, and the call goes on.
    TransferStatus(u16),
    /// The peer transferred us: we accepted its REFER and called `target`. The new call
    /// is `new_call` (`None` when `target` cannot be called); this call goes on until the
    /// peer hangs up.
    TransferRequested {
        /// Whom the peer asked us to call.
        target: String,
        /// The call placed to `target`.
        new_call: Option<Call>,
    },
    /// The call ended.
    Ended(EndReason),
}

/// A call's status as the endpoint last reported it: the application's view, written
/// only by the driver from the endpoint's events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CallStatus {
    /// The state-machine state.
    pub state: State,
    /// When the call was answered.
    pub answered_at: Option<Instant>,
    /// How and when it ended.
    pub ended: Option<(EndReason, Instant)>,
}

/// What the driver and every handle of a call share: the channels to the application
/// and to the call's media engine, and the status the endpoint last reported.
#[derive(Debug)]
pub(crate) struct CallShared {
    pub(crate) id: SessionId,
    pub(crate) direction: CallDirection,
    pub(crate) remote_uri: String,
    pub(crate) status: watch::Sender<CallStatus>,
    pub(crate) events: queue::UnboundedSender<CallEvent>,
    events_rx: Mutex<Option<queue::UnboundedReceiver<CallEvent>>>,
    /// Requests to the call's media engine; they wait in the channel until it starts.
    pub(crate) media: queue::UnboundedSender<MediaControl>,
    media_rx: Mutex<Option<queue::UnboundedReceiver<MediaControl>>>,
    /// What the media engine reported as it stopped.
    pub(crate) last_media: Mutex<Option<MediaInfo>>,
}

impl CallShared {
    pub(crate) fn new(id: SessionId, direction: CallDirection, remote_uri: String) -> Arc<Self> {
        let (events, rx) = queue::unbounded();
        let (media, media_rx) = queue::unbounded();
        let status = CallStatus { state: State::INITIAL, answered_at: None, ended: None };
        Arc::new(Self {
            id,
            direction,
            remote_uri,
            status: watch::Sender::new(status),
            events,
            events_rx: Mutex::new(Some(rx)),
            media,
            media_rx: Mutex::new(Some(media_rx)),
            last_media: Mutex::new(None),
        })
    }

    /// Whether a media engine took the controls (and so answers them until it stops).
    pub(crate) fn media_started(&self) -> bool {
        self.media_rx.lock().is_ok_and(|rx| rx.is_none())
    }

    /// The call's events for the application; once only.
    pub(crate) fn take_events(&self) -> Option<queue::UnboundedReceiver<CallEvent>> {
        self.events_rx.lock().ok()?.take()
    }

    /// Keeps the media engine's last report, for the requests that find it stopped.
    pub(crate) fn media_stopped(&self, info: &MediaInfo) {
        if let Ok(mut slot) = self.last_media.lock() {
            *slot = Some(info.clone());
        }
    }

    /// The receiving end of [`CallShared::media`], for the engine; once only.
    pub(crate) fn take_media_controls(&self) -> Option<queue::UnboundedReceiver<MediaControl>> {
        self.media_rx.lock().ok()?.take()
    }

    /// Publishes a new state, entered at `at`.
    pub(crate) fn set_state(&self, state: State, at: Instant) {
        self.status.send_modify(|s| {
            if state == State::Active && s.answered_at.is_none() {
                s.answered_at = Some(at);
            }
            s.state = state;
        });
        let _ = self.events.unbounded_send(CallEvent::StateChanged(state));
    }

    /// Publishes the call's end.
    pub(crate) fn end(&self, reason: EndReason, at: Instant) {
        self.status.send_modify(|s| {
            s.ended.get_or_insert((reason.clone(), at));
        });
        let _ = self.events.unbounded_send(CallEvent::Ended(reason));
    }
}
