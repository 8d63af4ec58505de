//! The subscription usage (RFC 6665), whose behaviour is `subscription.yaml`, compiled
//! into [`machine`].
//!
//! For now each subscription is the implicit one a REFER we accepted creates (RFC 3515):
//! it lives in the dialog of the call that took the REFER and reports, by NOTIFY with a
//! `message/sipfrag` body, how the call placed for it goes. The call usage creates it,
//! feeds it that call's progress, and tells it when the dialog ends; its NOTIFYs go out
//! in the dialog as the call's other requests do, and their responses come back here.

mod actions;
pub mod machine;

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

use self::actions::SubscriptionContext;
use self::machine::{Event, State};
use crate::call::record::SessionManager;
use crate::endpoint::core::Core;
use crate::types::SessionId;

/// How long the implicit subscription of a REFER lasts, as its NOTIFYs say
/// (`Subscription-State: active;expires=`); the referred call's outcome ends it sooner.
pub const REFER_SUBSCRIPTION: Duration = Duration::from_secs(60);

/// Names one subscription of an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionId(pub u64);

impl fmt::Display for SubscriptionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "subscription {}", self.0)
    }
}

/// Everything the endpoint knows of one subscription.
#[derive(Debug)]
pub(crate) struct SubscriptionRecord {
    pub id: SubscriptionId,
    pub state: State,
    /// The call whose dialog carries it.
    pub call: SessionId,
    /// The `id` parameter of its `Event: refer` header: the REFER's CSeq, for every
    /// REFER of a dialog after the first (RFC 3515 section 2.4.6).
    pub event_id: Option<u32>,
    /// The referred call's latest status, for the next NOTIFY.
    pub latest: u16,
    /// The status the NOTIFY in flight (or the last one) carries.
    pub sent: Option<u16>,
    /// When the subscription runs out, as its NOTIFYs say.
    pub expires_at: Instant,
}

/// The subscriptions of an endpoint.
#[derive(Debug, Default)]
pub(crate) struct Subscriptions {
    records: HashMap<SubscriptionId, SubscriptionRecord>,
    last_id: u64,
}

impl Subscriptions {
    /// A new notifier subscription in `call`'s dialog, for the REFER with CSeq `cseq`;
    /// `first` when it is the dialog's first REFER (its NOTIFYs then carry no `id`).
    pub fn create(&mut self, now: Instant, call: SessionId, cseq: u32, first: bool) -> SubscriptionId {
        self.last_id += 1;
        let id = SubscriptionId(self.last_id);
        let record = SubscriptionRecord {
            id,
            state: State::INITIAL,
            call,
            event_id: (!first).then_some(cseq),
            latest: 100,
            sent: None,
            expires_at: now + REFER_SUBSCRIPTION,
        };
        self.records.insert(id, record);
        id
    }

    /// Subscriptions not yet ended.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// The subscriptions in `call`'s dialog.
    pub fn of_call(&self, call: SessionId) -> Vec<SubscriptionId> {
        self.records.values().filter(|r| r.call == call).map(|r| r.id).collect()
    }

    /// True when newer progress than the NOTIFY in flight waits to be sent.
    pub fn has_news(&self, id: SubscriptionId) -> bool {
        self.records.get(&id).is_some_and(|r| r.sent != Some(r.latest))
    }

    /// Feeds one event to subscription `id`; its actions send NOTIFYs in the dialog of
    /// its call, found in `calls`. A subscription whose call is gone can only end.
    pub fn feed(
        &mut self,
        core: &mut Core,
        now: Instant,
        calls: &mut SessionManager,
        id: SubscriptionId,
        event: Event,
    ) {
        let Some(sub) = self.records.get_mut(&id) else { return };
        let Some(call) = calls.get_mut(sub.call) else {
            tracing::debug!(%id, "its dialog is gone");
            self.records.remove(&id);
            return;
        };
        let from = sub.state;
        let stepped = machine::step(from, event, &mut SubscriptionContext { now, core, call, sub });
        match stepped {
            Ok(stepped) => {
                if stepped.state != from {
                    tracing::debug!(%id, %from, to = %stepped.state, event = %stepped.event, "transition");
                }
                sub.state = stepped.state;
                if stepped.state.is_terminal() {
                    self.records.remove(&id);
                }
            }
            Err(error) => tracing::debug!(%id, %error, "event not taken"),
        }
    }
}
