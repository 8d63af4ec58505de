//! `SessionRegistry`: which dialog and which media session belong to which session,
//! looked up either way.
//!
//! The maps are `DashMap`s so the signaling driver, the media tasks and API callers can
//! read them concurrently. `remove_session` drops every entry of a session, so nothing is
//! left behind when a call ends.

use dashmap::DashMap;

use crate::types::{DialogId, MediaSessionId, SessionId};

/// Bidirectional maps SessionId ↔ DialogId and SessionId ↔ MediaSessionId.
///
/// ```
/// use session_runtime::registry::SessionRegistry;
/// use session_runtime::types::{DialogId, MediaSessionId, SessionId};
///
/// let registry = SessionRegistry::new();
/// let dialog = DialogId::new("a84b4c76e66710", "1928301774");
/// registry.map_dialog(SessionId(1), dialog.clone());
/// registry.map_media(SessionId(1), MediaSessionId(7));
/// assert_eq!(registry.get_session_by_dialog(&dialog), Some(SessionId(1)));
/// assert_eq!(registry.get_session_by_media(MediaSessionId(7)), Some(SessionId(1)));
/// registry.remove_session(SessionId(1));
/// assert!(registry.is_empty());
/// ```
#[derive(Debug, Default)]
pub struct SessionRegistry {
    dialog_of: DashMap<SessionId, DialogId>,
    session_of_dialog: DashMap<DialogId, SessionId>,
    media_of: DashMap<SessionId, MediaSessionId>,
    session_of_media: DashMap<MediaSessionId, SessionId>,
}

impl SessionRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `dialog` belongs to `session`, replacing an earlier dialog of it.
    pub fn map_dialog(&self, session: SessionId, dialog: DialogId) {
        if let Some(old) = self.dialog_of.insert(session, dialog.clone()) {
            self.session_of_dialog.remove(&old);
        }
        self.session_of_dialog.insert(dialog, session);
    }

    /// Records that `media` belongs to `session`, replacing an earlier one.
    pub fn map_media(&self, session: SessionId, media: MediaSessionId) {
        if let Some(old) = self.media_of.insert(session, media) {
            self.session_of_media.remove(&old);
        }
        self.session_of_media.insert(media, session);
    }

    /// The session a dialog belongs to.
    pub fn get_session_by_dialog(&self, dialog: &DialogId) -> Option<SessionId> {
        self.session_of_dialog.get(dialog).map(|s| *s)
    }

    /// The session a media session belongs to.
    pub fn get_session_by_media(&self, media: MediaSessionId) -> Option<SessionId> {
        self.session_of_media.get(&media).map(|s| *s)
    }

    /// The dialog of a session.
    pub fn get_dialog(&self, session: SessionId) -> Option<DialogId> {
        self.dialog_of.get(&session).map(|d| d.clone())
    }

    /// The media session of a session.
    pub fn get_media(&self, session: SessionId) -> Option<MediaSessionId> {
        self.media_of.get(&session).map(|m| *m)
    }

    /// Forgets everything about a session.
    pub fn remove_session(&self, session: SessionId) {
        if let Some((_, dialog)) = self.dialog_of.remove(&session) {
            self.session_of_dialog.remove(&dialog);
        }
        if let Some((_, media)) = self.media_of.remove(&session) {
            self.session_of_media.remove(&media);
        }
    }

    /// Number of (dialog, media) entries held, both directions counted once.
    pub fn len(&self) -> usize {
        self.dialog_of.len() + self.media_of.len()
    }

    /// True when nothing is mapped.
    pub fn is_empty(&self) -> bool {
        self.dialog_of.is_empty()
            && self.session_of_dialog.is_empty()
            && self.media_of.is_empty()
            && self.session_of_media.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remapping_a_session_forgets_the_old_dialog() {
        let registry = SessionRegistry::new();
        let (early, confirmed) = (DialogId::new("c", "a"), DialogId::new("c", "b"));
        registry.map_dialog(SessionId(1), early.clone());
        registry.map_dialog(SessionId(1), confirmed.clone());
        assert_eq!(registry.get_session_by_dialog(&early), None);
        assert_eq!(registry.get_session_by_dialog(&confirmed), Some(SessionId(1)));
        assert_eq!(registry.get_dialog(SessionId(1)), Some(confirmed));
    }

    #[test]
    fn removal_leaves_nothing_behind() {
        let registry = SessionRegistry::new();
        for n in 0..100 {
            registry.map_dialog(SessionId(n), DialogId::new(format!("call-{n}"), "tag"));
            registry.map_media(SessionId(n), MediaSessionId(n));
        }
        assert_eq!(registry.len(), 200);
        for n in 0..100 {
            registry.remove_session(SessionId(n));
        }
        assert!(registry.is_empty());
        assert_eq!(registry.get_session_by_media(MediaSessionId(3)), None);
    }
}
