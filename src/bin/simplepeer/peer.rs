//! The peer options `listen` and `call` share: codecs, DTMF mode, RTP ports, display name.

use std::ops::RangeInclusive;

use session_core::{Codec, DtmfMode, PeerBuilder, SimplePeer};

/// The peer options `listen` and `call` share.
#[derive(clap::Args, Clone, Debug)]
pub struct PeerArgs {
    /// A codec to offer and accept; repeat the flag or give a list for several, in
    /// preference order (by default PCMU, then PCMA). An offer with none of them is
    /// answered 488.
    #[arg(long = "codec", value_enum, value_name = "CODEC", value_delimiter = ',')]
    codecs: Vec<CodecArg>,
    /// How to send DTMF: RFC 4733 events in the RTP stream (SIP INFO to a peer that
    /// offers none), or SIP INFO always.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = DtmfArg::Rfc4733)]
    dtmf_mode: DtmfArg,
    /// Take RTP ports from this range, e.g. 10000-20000 (even ports; the odd one above
    /// each is RTCP's), as firewalls often require. By default any free port.
    #[arg(long, value_name = "A-B", value_parser = port_range)]
    rtp_ports: Option<RangeInclusive<u16>>,
    /// A name shown to the peers we call, before our URI in From, e.g. "Alice Liddell".
    #[arg(long, value_name = "NAME")]
    display_name: Option<String>,
    /// Print every SIP message sent and received on stderr, with its direction, peer
    /// and time (credentials redacted).
    #[arg(long)]
    sip_trace: bool,
}

/// [`Codec`] for the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum CodecArg {
    /// G.711 µ-law.
    Pcmu,
    /// G.711 A-law.
    Pcma,
}

/// [`DtmfMode`] for the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum DtmfArg {
    /// RFC 4733 telephone-events.
    Rfc4733,
    /// SIP INFO (application/dtmf-relay).
    Info,
}

impl PeerArgs {
    /// The settings of a peer bound to `bind` with these options, to add to.
    pub fn builder(&self, bind: &str) -> Result<PeerBuilder, String> {
        let mut builder = SimplePeer::builder(bind).map_err(|e| e.to_string())?;
        if !self.codecs.is_empty() {
            let mut codecs: Vec<Codec> = Vec::new();
            for codec in &self.codecs {
                let codec = match codec {
                    CodecArg::Pcmu => Codec::Pcmu,
                    CodecArg::Pcma => Codec::Pcma,
                };
                if !codecs.contains(&codec) {
                    codecs.push(codec);
                }
            }
            builder = builder.codecs(&codecs);
        }
        builder = builder.dtmf(match self.dtmf_mode {
            DtmfArg::Rfc4733 => DtmfMode::Rfc4733,
            DtmfArg::Info => DtmfMode::Info,
        });
        if let Some(ports) = &self.rtp_ports {
            builder = builder.rtp_ports(ports.clone());
        }
        if let Some(name) = &self.display_name {
            session_core::check_display_name(name).map_err(|e| format!("--display-name: {e}"))?;
            builder = builder.display_name(name);
        }
        if self.sip_trace {
            builder = builder.sip_trace(|message| {
                let at = message.at.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                let (secs, millis) = (at.as_secs(), at.subsec_millis());
                let time =
                    format!("{:02}:{:02}:{:02}.{millis:03}", secs / 3600 % 24, secs / 60 % 60, secs % 60);
                eprintln!("--- {time} UTC {message}");
            });
        }
        Ok(builder)
    }
}

/// `A-B` as a port range, for clap: both ports 1 or more, A at most B, room for a pair.
fn port_range(text: &str) -> Result<RangeInclusive<u16>, String> {
    let usage = "give two ports like 10000-20000";
    let (low, high) = text.split_once('-').ok_or_else(|| format!("`{text}` is not a range; {usage}"))?;
    let port =
        |p: &str| p.trim().parse::<u16>().map_err(|_| format!("`{p}` is not a port (1-65535); {usage}"));
    let (low, high) = (port(low)?, port(high)?);
    if low == 0 || high <= low {
        return Err(format!("{low}-{high} holds no RTP/RTCP port pair; {usage}"));
    }
    Ok(low..=high)
}

#[cfg(test)]
mod tests {
    use super::port_range;

    #[test]
    fn port_ranges_read_as_written_and_bad_ones_say_why() {
        assert_eq!(port_range("10000-20000"), Ok(10000..=20000));
        assert!(port_range("20000").unwrap_err().contains("is not a range"));
        assert!(port_range("5-70000").unwrap_err().contains("`70000` is not a port"));
        assert!(port_range("2000-1000").unwrap_err().contains("holds no RTP/RTCP port pair"));
    }
}
