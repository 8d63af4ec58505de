//! Carrying out the table's media changes: offer/answer on the call's
//! [`MediaAdapter`], and the rest as requests to its media engine.

use std::time::Instant;

use super::DialogAdapter;
use crate::media::{MediaAdapter, MediaControl, engine};
use crate::session::output::Media;
use crate::types::{DtmfMode, SessionId};

impl DialogAdapter {
    pub(super) fn media(&mut self, now: Instant, session: SessionId, media: Media) {
        let media_id = matches!(media, Media::Prepare { .. }).then(|| self.new_media_id());
        let events = self.commands.clone();
        let Some(leg) = self.legs.get_mut(&session) else { return };
        let control = |control: MediaControl| {
            let _ = leg.shared.media.send(control);
        };
        match media {
            Media::Prepare { offer } => {
                let Some(media_id) = media_id else { return };
                let (mut adapter, sockets) = match MediaAdapter::open(media_id, &self.config.media) {
                    Ok(opened) => opened,
                    Err(error) => return tracing::warn!(%session, %error, "cannot open RTP sockets"),
                };
                let cname = format!("{}@{}", self.config.user, self.config.local.ip());
                if let Err(error) = engine::spawn(session, sockets, &cname, leg.shared.clone(), events) {
                    return tracing::warn!(%session, %error, "cannot start the media engine");
                }
                match offer {
                    Some(offer) => {
                        if let Err(error) = adapter.answer(&offer) {
                            tracing::warn!(%session, %error, "cannot answer the offer");
                        }
                    }
                    None => {
                        adapter.offer(false);
                    }
                }
                if let Some(negotiated) = adapter.negotiated() {
                    control(MediaControl::Configure(negotiated.clone()));
                }
                self.registry.map_media(session, adapter.id());
                leg.media = Some(adapter);
            }
            Media::Remote { sdp } => {
                let Some(adapter) = leg.media.as_mut() else { return };
                if let Err(error) = adapter.apply_remote(&sdp) {
                    return tracing::warn!(%session, %error, "the peer's SDP is unusable");
                }
                if let Some(negotiated) = adapter.negotiated() {
                    control(MediaControl::Configure(negotiated.clone()));
                }
            }
            Media::Start => control(MediaControl::Start),
            Media::Stop => control(MediaControl::Stop),
            Media::Dtmf { digits } => {
                let in_rtp = self.config.media.dtmf == DtmfMode::Rfc4733
                    && leg
                        .media
                        .as_ref()
                        .and_then(|m| m.negotiated())
                        .is_some_and(|n| n.telephone_event_pt.is_some());
                if in_rtp {
                    control(MediaControl::Dtmf(digits));
                } else {
                    self.send_info_dtmf(now, session, &digits);
                }
            }
            Media::StartRecording { path, mode } => control(MediaControl::Record { path, mode }),
            Media::StopRecording => control(MediaControl::StopRecording),
            other @ (Media::JoinMixer { .. } | Media::LeaveMixer) => {
                tracing::debug!(%session, ?other, "conference mixing is not built yet")
            }
        }
    }
}
