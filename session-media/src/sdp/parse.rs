//! Parsing a remote SDP into [`RemoteMedia`].

use std::io::Cursor;
use std::net::IpAddr;

use ::sdp::SessionDescription;
use ::sdp::description::common::{Attribute, ConnectionInformation};
use ::sdp::description::media::MediaDescription;

use super::{MediaDirection, MediaLine, RemoteMedia, RtpMap, SdpError};

/// The only transport we speak (no SRTP, no AVPF feedback).
pub(super) const RTP_AVP: &str = "RTP/AVP";

/// Parses an SDP offer or answer and extracts its audio stream.
///
/// Takes the first `m=audio` line with a non-zero port and `RTP/AVP`
/// transport; the connection address is the media-level `c=` if present,
/// else the session-level one; the direction attribute at media level
/// overrides the session level, and defaults to sendrecv. A `c=` address of
/// `0.0.0.0` sets [`RemoteMedia::null_address`] (RFC 2543 hold).
///
/// Never panics; errors say what was wrong:
///
/// ```
/// use session_media::sdp::{parse, SdpError};
/// let err = parse("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n").unwrap_err();
/// assert!(matches!(err, SdpError::Malformed(ref m) if m.contains("no m= line")));
/// ```
pub fn parse(text: &str) -> Result<RemoteMedia, SdpError> {
    precheck(text)?;
    let mut cursor = Cursor::new(text.as_bytes());
    let desc = SessionDescription::unmarshal(&mut cursor)
        .map_err(|e| SdpError::Malformed(format!("SDP syntax error ({e})")))?;
    let media_lines: Vec<MediaLine> = desc.media_descriptions.iter().map(media_line).collect();
    let audio_index = pick_audio(&media_lines)?;
    let md = desc
        .media_descriptions
        .get(audio_index)
        .ok_or_else(|| SdpError::NoAudio("audio line vanished".into()))?;
    let payload_types = md
        .media_name
        .formats
        .iter()
        .map(|f| {
            f.parse::<u8>().ok().filter(|pt| *pt <= 127).ok_or_else(|| {
                SdpError::Malformed(format!("m=audio format '{f}' is not a payload type 0-127"))
            })
        })
        .collect::<Result<Vec<u8>, _>>()?;
    let rtpmaps = values(&md.attributes, "rtpmap").map(parse_rtpmap).collect::<Result<Vec<_>, _>>()?;
    let telephone_event_pt = rtpmaps
        .iter()
        .find(|m| {
            m.encoding.eq_ignore_ascii_case("telephone-event")
                && m.clock_rate == 8000
                && payload_types.contains(&m.payload_type)
        })
        .map(|m| m.payload_type);
    let telephone_event_fmtp = telephone_event_pt.and_then(|pt| {
        values(&md.attributes, "fmtp").find_map(|v| {
            let (p, params) = v.split_once(' ')?;
            (p.trim().parse::<u8>().ok()? == pt).then(|| params.trim().to_string())
        })
    });
    let direction =
        direction_in(&md.attributes).or_else(|| direction_in(&desc.attributes)).unwrap_or_default();
    let conn =
        md.connection_information.as_ref().or(desc.connection_information.as_ref()).ok_or_else(|| {
            SdpError::Malformed("no c= line, neither at session level nor in the audio m= section".into())
        })?;
    let address = connection_ip(conn)?;
    let ptime = values(&md.attributes, "ptime").find_map(|v| v.trim().parse::<u32>().ok());
    let port = media_lines.get(audio_index).map_or(0, |l| l.port);
    Ok(RemoteMedia {
        session_id: desc.origin.session_id,
        session_version: desc.origin.session_version,
        address,
        port,
        payload_types,
        rtpmaps,
        telephone_event_pt,
        telephone_event_fmtp,
        direction,
        null_address: address.is_unspecified(),
        ptime,
        media_lines,
        audio_index,
    })
}

/// Checks the `m=` lines before the `sdp` crate does, to give errors that
/// name the problem (the crate's messages lack context).
fn precheck(text: &str) -> Result<(), SdpError> {
    if text.trim().is_empty() {
        return Err(SdpError::Malformed("the SDP body is empty".into()));
    }
    let mut m_lines = 0;
    for line in text.lines().map(str::trim) {
        let Some(rest) = line.strip_prefix("m=") else {
            continue;
        };
        m_lines += 1;
        let mut fields = rest.split_whitespace();
        let media = fields.next().unwrap_or("");
        let port_field = fields.next().unwrap_or("");
        let proto = fields.next();
        let port = port_field.split('/').next().unwrap_or("");
        if port.parse::<u16>().is_err() {
            return Err(SdpError::Malformed(format!(
                "'{line}': port '{port_field}' is not a number 0-65535"
            )));
        }
        if media.is_empty() || proto.is_none() || fields.next().is_none() {
            return Err(SdpError::Malformed(format!(
                "'{line}': an m= line needs media, port, transport and at least one format"
            )));
        }
    }
    if m_lines == 0 {
        return Err(SdpError::Malformed("no m= line: the SDP describes no media stream".into()));
    }
    Ok(())
}

fn media_line(md: &MediaDescription) -> MediaLine {
    MediaLine {
        media: md.media_name.media.clone(),
        port: u16::try_from(md.media_name.port.value).unwrap_or(0),
        proto: md.media_name.protos.join("/"),
        formats: md.media_name.formats.clone(),
    }
}

fn pick_audio(lines: &[MediaLine]) -> Result<usize, SdpError> {
    let audio: Vec<(usize, &MediaLine)> =
        lines.iter().enumerate().filter(|(_, l)| l.media == "audio").collect();
    if audio.is_empty() {
        return Err(SdpError::NoAudio("the SDP has no m=audio line".into()));
    }
    if let Some((i, _)) = audio.iter().find(|(_, l)| l.port != 0 && l.proto == RTP_AVP) {
        return Ok(*i);
    }
    if let Some((_, l)) = audio.iter().find(|(_, l)| l.port != 0) {
        return Err(SdpError::NoAudio(format!(
            "m=audio uses transport {}; only {RTP_AVP} is supported (no SRTP)",
            l.proto
        )));
    }
    Err(SdpError::NoAudio("every m=audio line has port 0 (stream disabled)".into()))
}

fn values<'a>(attrs: &'a [Attribute], key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    attrs.iter().filter(move |a| a.key == key).filter_map(|a| a.value.as_deref())
}

fn direction_in(attrs: &[Attribute]) -> Option<MediaDirection> {
    attrs.iter().find_map(|a| MediaDirection::from_attribute(&a.key))
}

fn parse_rtpmap(value: &str) -> Result<RtpMap, SdpError> {
    let bad = || SdpError::Malformed(format!("a=rtpmap:{value} is not '<pt> <encoding>/<rate>'"));
    let (pt, rest) = value.trim().split_once(' ').ok_or_else(bad)?;
    let payload_type = pt.parse::<u8>().ok().filter(|p| *p <= 127).ok_or_else(bad)?;
    let mut parts = rest.trim().split('/');
    let encoding = parts.next().filter(|e| !e.is_empty()).ok_or_else(bad)?;
    let clock_rate = parts.next().and_then(|r| r.trim().parse::<u32>().ok()).ok_or_else(bad)?;
    let channels = match parts.next() {
        Some(c) => Some(c.trim().parse::<u16>().map_err(|_| bad())?),
        None => None,
    };
    Ok(RtpMap { payload_type, encoding: encoding.to_string(), clock_rate, channels })
}

fn connection_ip(conn: &ConnectionInformation) -> Result<IpAddr, SdpError> {
    let raw = conn
        .address
        .as_ref()
        .map(|a| a.address.as_str())
        .ok_or_else(|| SdpError::Malformed("c= line has no address".into()))?;
    // Multicast addresses may carry /ttl/count suffixes.
    let host = raw.split('/').next().unwrap_or(raw);
    host.parse::<IpAddr>().map_err(|_| {
        SdpError::Malformed(format!("c= address '{raw}' is not an IP address (host names are not supported)"))
    })
}
