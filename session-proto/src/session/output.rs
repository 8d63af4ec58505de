//! What a session asks the outside world to do.
//!
//! Actions never touch a socket: they queue [`Output`]s, and the driver that owns the
//! sockets (the dialog and media adapters) carries them out. Tests read them directly.

use crate::types::RecordMode;

/// A SIP request the session sends in its dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// The initial INVITE with our offer.
    Invite {
        /// Request-URI of the callee.
        target: String,
    },
    /// ACK for the 2xx to our INVITE.
    Ack,
    /// CANCEL for our pending INVITE.
    Cancel,
    /// BYE ending the dialog.
    Bye,
    /// A re-INVITE; `hold` offers a=sendonly, otherwise a=sendrecv.
    Reinvite {
        /// Whether the offer puts the peer on hold.
        hold: bool,
    },
    /// REFER asking the peer to call `target`.
    Refer {
        /// Refer-To URI.
        target: String,
        /// The Replaces header value, for an attended transfer.
        replaces: Option<String>,
    },
}

/// Which received request a response answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answering {
    /// The INVITE that created the session.
    Invite,
    /// The most recent in-dialog request (BYE, CANCEL, re-INVITE, REFER, NOTIFY).
    Latest,
}

/// A change to the session's media.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Media {
    /// Open the RTP socket and build the local SDP (an offer, or the answer to `offer`).
    Prepare {
        /// The peer's offer, when we answer.
        offer: Option<String>,
    },
    /// The peer's SDP to apply.
    Remote {
        /// The SDP body.
        sdp: String,
    },
    /// Start sending and receiving.
    Start,
    /// Stop and release the socket.
    Stop,
    /// Send DTMF digits.
    Dtmf {
        /// Digits, `0-9*#A-D`.
        digits: String,
    },
    /// Record to a WAV file.
    StartRecording {
        /// File to write.
        path: String,
        /// Which audio it captures.
        mode: RecordMode,
    },
    /// Finish the recording.
    StopRecording,
    /// Route audio through a conference mixer.
    JoinMixer {
        /// Conference name.
        conference: String,
    },
    /// Leave the mixer.
    LeaveMixer,
}

/// Something the application should hear about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A new incoming call waits for accept or reject.
    IncomingCall,
    /// The peer pressed a key.
    Dtmf(char),
    /// The transfer we asked for reached this status.
    Transfer(u16),
    /// Call the peer asked us to place (we are being transferred).
    Refer(String),
}

/// One thing to do, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Send a request.
    Send(Request),
    /// Answer a received request with this status (an SDP body goes with 200 to INVITE
    /// and re-INVITE).
    Respond {
        /// Which request.
        to: Answering,
        /// Status code.
        code: u16,
    },
    /// Change the media.
    Media(Media),
    /// Tell the application.
    Notify(Notice),
}
