//! What the driver and a registration's handle share: the status the endpoint last
//! reported, and the queue of its changes. Below both the driver and the API, as
//! `shared` is for calls.

use std::sync::{Arc, Mutex};

use session_proto::{RegistrationError, RegistrationId, RegistrationState};
use tokio::sync::{mpsc, watch};

/// A registration's status, as the endpoint last reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationStatus {
    /// Its state.
    pub state: RegistrationState,
    /// The expiry the registrar granted, in seconds, while the binding holds.
    pub expires: Option<u32>,
    /// Why it failed, in `Failed`.
    pub error: Option<RegistrationError>,
}

impl RegistrationStatus {
    /// True once the registration has ended (`Unregistered` or `Failed`).
    pub fn is_over(&self) -> bool {
        self.state.is_terminal()
    }
}

/// What the driver and a registration's handle share.
#[derive(Debug)]
pub(crate) struct RegistrationShared {
    pub(crate) id: RegistrationId,
    pub(crate) status: watch::Sender<RegistrationStatus>,
    /// Closed after the last change, so that the handle's queue ends.
    changes: Mutex<Option<mpsc::UnboundedSender<RegistrationStatus>>>,
    changes_rx: Mutex<Option<mpsc::UnboundedReceiver<RegistrationStatus>>>,
}

impl RegistrationShared {
    pub(crate) fn new(id: RegistrationId) -> Arc<Self> {
        let (changes, rx) = mpsc::unbounded_channel();
        let status = RegistrationStatus { state: RegistrationState::INITIAL, expires: None, error: None };
        Arc::new(Self {
            id,
            status: watch::Sender::new(status),
            changes: Mutex::new(Some(changes)),
            changes_rx: Mutex::new(Some(rx)),
        })
    }

    /// Publishes what the endpoint reported.
    pub(crate) fn update(&self, status: RegistrationStatus) {
        if let Ok(mut changes) = self.changes.lock() {
            if let Some(queue) = changes.as_ref() {
                let _ = queue.send(status.clone());
            }
            if status.is_over() {
                changes.take();
            }
        }
        self.status.send_replace(status);
    }

    /// The queue of changes, for the one handle; once only.
    pub(crate) fn take_changes(&self) -> Option<mpsc::UnboundedReceiver<RegistrationStatus>> {
        self.changes_rx.lock().ok()?.take()
    }
}
