//! Layout checks run before handing bytes to the `rtp` crate.
//!
//! `rtp` 0.17's header parser trusts the lengths inside RFC 8285 header
//! extension elements and can read past the end of the datagram (a panic in
//! the `bytes` crate). Network input must never panic, so every length is
//! checked here first, with `get` and no indexing.

use super::RtpError;

const FIXED_HEADER: usize = 12;
const PROFILE_ONE_BYTE: u16 = 0xBEDE;
const PROFILE_TWO_BYTE: u16 = 0x1000;

fn byte(buf: &[u8], at: usize) -> Result<u8, RtpError> {
    buf.get(at).copied().ok_or(RtpError::Truncated("header extension runs past the datagram"))
}

/// Checks that `datagram` is RTP version 2 and that every length in its header
/// (CSRC count, header extension and its elements, padding) fits inside it.
///
/// ```
/// use session_media::rtp_session::check_rtp;
/// assert!(check_rtp(&[0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]).is_ok());
/// assert!(check_rtp(&[0x80, 0]).is_err());
/// ```
pub fn check_rtp(datagram: &[u8]) -> Result<(), RtpError> {
    if datagram.len() < FIXED_HEADER {
        return Err(RtpError::TooShort(datagram.len()));
    }
    let b0 = byte(datagram, 0)?;
    let version = b0 >> 6;
    if version != 2 {
        return Err(RtpError::BadVersion(version));
    }
    let padding = b0 & 0x20 != 0;
    let extension = b0 & 0x10 != 0;
    let csrc_count = usize::from(b0 & 0x0F);
    let mut header_len = FIXED_HEADER + 4 * csrc_count;
    if datagram.len() < header_len {
        return Err(RtpError::Truncated("CSRC list runs past the datagram"));
    }
    if extension {
        let Some(&[p0, p1, w0, w1]) = datagram.get(header_len..header_len + 4) else {
            return Err(RtpError::Truncated("header extension header is missing"));
        };
        let profile = u16::from_be_bytes([p0, p1]);
        let words = usize::from(u16::from_be_bytes([w0, w1]));
        let start = header_len + 4;
        let end = start + 4 * words;
        let body = datagram
            .get(start..end)
            .ok_or(RtpError::Truncated("header extension length exceeds the datagram"))?;
        match profile {
            PROFILE_ONE_BYTE => check_one_byte_elements(body)?,
            PROFILE_TWO_BYTE => check_two_byte_elements(body)?,
            _ => {}
        }
        header_len = end;
    }
    if padding {
        let payload_len = datagram.len() - header_len;
        let pad = usize::from(byte(datagram, datagram.len() - 1)?);
        if payload_len == 0 || pad == 0 || pad > payload_len {
            return Err(RtpError::Truncated("padding count exceeds the payload"));
        }
    }
    Ok(())
}

fn check_one_byte_elements(body: &[u8]) -> Result<(), RtpError> {
    let mut pos = 0;
    while pos < body.len() {
        let b = byte(body, pos)?;
        if b == 0 {
            pos += 1;
            continue;
        }
        if b >> 4 == 0x0F {
            // ID 15 is reserved; the `rtp` crate would stop there and leave
            // the rest of the block in the payload.
            return Err(RtpError::Truncated("reserved one-byte extension ID 15"));
        }
        pos += 1 + usize::from(b & 0x0F) + 1;
        if pos > body.len() {
            return Err(RtpError::Truncated("one-byte extension element overruns the block"));
        }
    }
    Ok(())
}

fn check_two_byte_elements(body: &[u8]) -> Result<(), RtpError> {
    let mut pos = 0;
    while pos < body.len() {
        if byte(body, pos)? == 0 {
            pos += 1;
            continue;
        }
        let len = usize::from(byte(body, pos + 1)?);
        pos += 2 + len;
        if pos > body.len() {
            return Err(RtpError::Truncated("two-byte extension element overruns the block"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(b0: u8) -> Vec<u8> {
        vec![b0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]
    }

    #[test]
    fn rejects_overrunning_one_byte_element() {
        let mut p = header(0x90);
        p.extend([0xBE, 0xDE, 0, 1, 0x1F, 0, 0, 0]); // element claims 16 bytes
        assert!(matches!(check_rtp(&p), Err(RtpError::Truncated(_))));
    }

    #[test]
    fn rejects_overrunning_two_byte_element() {
        let mut p = header(0x90);
        p.extend([0x10, 0x00, 0, 1, 0, 0, 0, 1]); // length byte would be past the block
        assert!(check_rtp(&p).is_err());
        let mut ok = header(0x90);
        ok.extend([0x10, 0x00, 0, 1, 1, 2, 0xAA, 0xBB]);
        assert_eq!(check_rtp(&ok), Ok(()));
    }

    #[test]
    fn checks_version_csrc_and_padding() {
        assert_eq!(check_rtp(&header(0x40)), Err(RtpError::BadVersion(1)));
        assert!(check_rtp(&header(0x81)).is_err(), "one CSRC missing");
        let mut p = header(0xA0);
        p.extend([1, 2, 9]);
        assert!(check_rtp(&p).is_err(), "padding 9 > payload 3");
        let mut p = header(0xA0);
        p.extend([1, 2, 2]);
        assert!(check_rtp(&p).is_ok());
    }
}
