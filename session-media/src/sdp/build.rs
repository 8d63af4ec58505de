//! Writing our offers and answers.

use std::net::IpAddr;

use ::sdp::SessionDescription;
use ::sdp::description::common::{Address, Attribute, ConnectionInformation};
use ::sdp::description::media::{MediaDescription, MediaName, RangedPort};
use ::sdp::description::session::{Origin, TimeDescription, Timing};

use super::parse::RTP_AVP;
use super::{MediaDirection, Negotiated, RemoteMedia, SdpError};
use crate::codec::Codec;
use crate::dtmf::DEFAULT_PAYLOAD_TYPE;

/// Events we accept in `a=fmtp` for telephone-event: DTMF 0-15 and flash.
const TELEPHONE_EVENT_FMTP: &str = "0-16";
/// Our packet time.
const PTIME_MS: u32 = 20;

/// Builds an offer for one audio stream.
///
/// `codecs` in preference order (empty means all supported); telephone-event
/// is offered on payload type 101 with `a=fmtp:101 0-16`, plus `a=ptime:20`
/// and the direction attribute. Use [`SdpSession`](super::SdpSession) to keep
/// the `o=` version increasing across offers of one session.
///
/// ```
/// use std::net::{IpAddr, Ipv4Addr};
/// use session_media::{Codec, sdp::{offer, MediaDirection}};
/// let text = offer(IpAddr::V4(Ipv4Addr::LOCALHOST), 4000, &[Codec::Pcmu],
///                  MediaDirection::SendRecv, 7, 1);
/// assert!(text.contains("m=audio 4000 RTP/AVP 0 101\r\n"));
/// assert!(text.contains("a=fmtp:101 0-16\r\n"));
/// ```
pub fn offer(
    local_ip: IpAddr,
    rtp_port: u16,
    codecs: &[Codec],
    direction: MediaDirection,
    session_id: u64,
    version: u64,
) -> String {
    offer_with(local_ip, rtp_port, codecs, direction, Some(DEFAULT_PAYLOAD_TYPE), session_id, version)
}

pub(super) fn offer_with(
    local_ip: IpAddr,
    rtp_port: u16,
    codecs: &[Codec],
    direction: MediaDirection,
    telephone_event_pt: Option<u8>,
    session_id: u64,
    version: u64,
) -> String {
    let mut chosen: Vec<Codec> = Vec::new();
    for &c in if codecs.is_empty() { &Codec::ALL[..] } else { codecs } {
        if !chosen.contains(&c) {
            chosen.push(c);
        }
    }
    let audio =
        audio_section(rtp_port, &chosen, telephone_event_pt.map(|pt| (pt, TELEPHONE_EVENT_FMTP)), direction);
    render(local_ip, session_id, version, vec![audio])
}

/// Answers a parsed offer (RFC 3264 section 6) with a fresh `o=` session id.
///
/// Picks the **first** codec in the offer's order that is in `supported`
/// (the offerer's preference, which is what users expect), includes
/// telephone-event on the offer's payload type when offered, and answers
/// with the reverse of the offered direction (sendonly → recvonly). Other
/// `m=` lines are rejected with port 0, as RFC 3264 requires.
///
/// For answers within a dialog (re-INVITE), use
/// [`SdpSession::answer`](super::SdpSession::answer) so the `o=` line stays
/// the same session with an increasing version.
pub fn answer(
    offer: &RemoteMedia,
    local_ip: IpAddr,
    port: u16,
    supported: &[Codec],
) -> Result<(String, Negotiated), SdpError> {
    let session_id = u64::from(rand::random::<u32>());
    build_answer(offer, local_ip, port, supported, MediaDirection::SendRecv, session_id, 1)
}

pub(super) fn build_answer(
    offer: &RemoteMedia,
    local_ip: IpAddr,
    port: u16,
    supported: &[Codec],
    local_direction: MediaDirection,
    session_id: u64,
    version: u64,
) -> Result<(String, Negotiated), SdpError> {
    let (payload_type, codec) =
        offer.codecs().into_iter().find(|(_, c)| supported.contains(c)).ok_or(SdpError::NoCommonCodec)?;
    let te = offer.telephone_event_pt.map(|pt| {
        let fmtp = offer.telephone_event_fmtp.as_deref().unwrap_or(TELEPHONE_EVENT_FMTP);
        (pt, fmtp)
    });
    let direction = offer.effective_direction().reverse().intersect(local_direction);
    let media = offer
        .media_lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            if i == offer.audio_index {
                audio_section(port, &[codec], te, direction)
            } else {
                MediaDescription {
                    media_name: MediaName {
                        media: line.media.clone(),
                        port: RangedPort { value: 0, range: None },
                        protos: line.proto.split('/').map(String::from).collect(),
                        formats: line.formats.clone(),
                    },
                    ..MediaDescription::default()
                }
            }
        })
        .collect();
    let text = render(local_ip, session_id, version, media);
    let negotiated = Negotiated {
        codec,
        payload_type,
        telephone_event_pt: offer.telephone_event_pt,
        remote_rtp: offer.rtp_addr(),
        direction,
        remote_hold: offer.is_hold(),
        ptime: offer.ptime.unwrap_or(PTIME_MS),
    };
    Ok((text, negotiated))
}

/// Reads the remote answer to an offer of ours: the first codec in the
/// answer that we offered, telephone-event if the answer kept it, and our
/// direction (the reverse of the answer's).
pub fn accept_answer(answer: &RemoteMedia, offered: &[Codec]) -> Result<Negotiated, SdpError> {
    let (payload_type, codec) =
        answer.codecs().into_iter().find(|(_, c)| offered.contains(c)).ok_or(SdpError::NoCommonCodec)?;
    Ok(Negotiated {
        codec,
        payload_type,
        telephone_event_pt: answer.telephone_event_pt,
        remote_rtp: answer.rtp_addr(),
        direction: answer.effective_direction().reverse(),
        remote_hold: answer.is_hold(),
        ptime: answer.ptime.unwrap_or(PTIME_MS),
    })
}

fn attr(key: &str, value: Option<String>) -> Attribute {
    Attribute::new(key.to_string(), value)
}

fn audio_section(
    port: u16,
    codecs: &[Codec],
    telephone_event: Option<(u8, &str)>,
    direction: MediaDirection,
) -> MediaDescription {
    let mut formats: Vec<String> = codecs.iter().map(|c| c.payload_type().to_string()).collect();
    let mut attributes: Vec<Attribute> =
        codecs.iter().map(|c| attr("rtpmap", Some(format!("{} {c}", c.payload_type())))).collect();
    if let Some((pt, fmtp)) = telephone_event {
        formats.push(pt.to_string());
        attributes.push(attr("rtpmap", Some(format!("{pt} telephone-event/8000"))));
        attributes.push(attr("fmtp", Some(format!("{pt} {fmtp}"))));
    }
    attributes.push(attr("ptime", Some(PTIME_MS.to_string())));
    attributes.push(attr(direction.as_attribute(), None));
    MediaDescription {
        media_name: MediaName {
            media: "audio".into(),
            port: RangedPort {
                value: port as isize, // lossless: isize is at least 16 bits
                range: None,
            },
            protos: RTP_AVP.split('/').map(String::from).collect(),
            formats,
        },
        attributes,
        ..MediaDescription::default()
    }
}

fn render(ip: IpAddr, session_id: u64, version: u64, media: Vec<MediaDescription>) -> String {
    let address_type = if ip.is_ipv4() { "IP4" } else { "IP6" };
    let desc = SessionDescription {
        version: 0,
        origin: Origin {
            username: "-".into(),
            session_id,
            session_version: version,
            network_type: "IN".into(),
            address_type: address_type.into(),
            unicast_address: ip.to_string(),
        },
        session_name: "-".into(),
        session_information: None,
        uri: None,
        email_address: None,
        phone_number: None,
        connection_information: Some(ConnectionInformation {
            network_type: "IN".into(),
            address_type: address_type.into(),
            address: Some(Address { address: ip.to_string(), ttl: None, range: None }),
        }),
        bandwidth: Vec::new(),
        time_descriptions: vec![TimeDescription {
            timing: Timing { start_time: 0, stop_time: 0 },
            repeat_times: Vec::new(),
        }],
        time_zones: Vec::new(),
        encryption_key: None,
        attributes: Vec::new(),
        media_descriptions: media,
    };
    desc.marshal()
}
