//! The per-call session: the generated machine's actions, implemented without I/O.

use std::collections::VecDeque;
use std::convert::Infallible;

use super::output::{Answering, Media, Notice, Output, Request};
use crate::machine::{RecordMode, SessionActions, Timer};

/// One call's protocol state between events: the outputs its actions queued.
#[derive(Debug, Default)]
pub struct SessionCore {
    outputs: VecDeque<Output>,
}

impl SessionCore {
    /// A session with nothing queued.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next queued output, in the order the actions ran.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    fn push(&mut self, output: Output) -> Result<(), Infallible> {
        self.outputs.push_back(output);
        Ok(())
    }

    fn send(&mut self, request: Request) -> Result<(), Infallible> {
        self.push(Output::Send(request))
    }

    fn respond(&mut self, to: Answering, code: u16) -> Result<(), Infallible> {
        self.push(Output::Respond { to, code })
    }

    fn media(&mut self, media: Media) -> Result<(), Infallible> {
        self.push(Output::Media(media))
    }
}

impl SessionActions for SessionCore {
    type Error = Infallible;

    async fn create_offer(&mut self, _target: &str) -> Result<(), Infallible> {
        self.media(Media::Prepare { offer: None })
    }
    async fn send_invite(&mut self, target: &str) -> Result<(), Infallible> {
        self.send(Request::Invite { target: target.to_owned() })
    }
    async fn send_cancel(&mut self) -> Result<(), Infallible> {
        self.send(Request::Cancel)
    }
    async fn send_ack(&mut self, _sdp: Option<&str>) -> Result<(), Infallible> {
        self.send(Request::Ack)
    }
    async fn send_bye(&mut self) -> Result<(), Infallible> {
        self.send(Request::Bye)
    }
    async fn negotiate_answer(&mut self, sdp: Option<&str>) -> Result<(), Infallible> {
        self.media(Media::Prepare { offer: sdp.map(str::to_owned) })
    }
    async fn reject_offer(&mut self, _sdp: Option<&str>) -> Result<(), Infallible> {
        self.respond(Answering::Invite, 488)
    }
    async fn send_ringing(&mut self, _sdp: Option<&str>) -> Result<(), Infallible> {
        self.respond(Answering::Invite, 180)
    }
    async fn notify_incoming_call(&mut self, _sdp: Option<&str>) -> Result<(), Infallible> {
        self.push(Output::Notify(Notice::IncomingCall))
    }
    async fn send_ok(&mut self) -> Result<(), Infallible> {
        self.respond(Answering::Invite, 200)
    }
    async fn send_reject(&mut self, code: u16) -> Result<(), Infallible> {
        self.respond(Answering::Invite, code)
    }
    async fn send_decline(&mut self) -> Result<(), Infallible> {
        self.respond(Answering::Invite, 603)
    }
    async fn send_unavailable(&mut self, _timer: &Timer) -> Result<(), Infallible> {
        self.respond(Answering::Invite, 480)
    }
    async fn answer_cancel(&mut self) -> Result<(), Infallible> {
        self.respond(Answering::Latest, 200)
    }
    async fn send_request_terminated(&mut self) -> Result<(), Infallible> {
        self.respond(Answering::Invite, 487)
    }
    async fn answer_bye(&mut self) -> Result<(), Infallible> {
        self.respond(Answering::Latest, 200)
    }
    async fn apply_remote_sdp(&mut self, sdp: Option<&str>) -> Result<(), Infallible> {
        match sdp {
            Some(sdp) => self.media(Media::Remote { sdp: sdp.to_owned() }),
            None => Ok(()),
        }
    }
    async fn start_media(&mut self) -> Result<(), Infallible> {
        self.media(Media::Start)
    }
    async fn stop_media(&mut self) -> Result<(), Infallible> {
        self.media(Media::Stop)
    }
    async fn send_hold_reinvite(&mut self) -> Result<(), Infallible> {
        self.send(Request::Reinvite { hold: true })
    }
    async fn send_resume_reinvite(&mut self) -> Result<(), Infallible> {
        self.send(Request::Reinvite { hold: false })
    }
    async fn answer_reinvite(&mut self, sdp: Option<&str>) -> Result<(), Infallible> {
        if let Some(sdp) = sdp {
            self.media(Media::Remote { sdp: sdp.to_owned() })?;
        }
        self.respond(Answering::Latest, 200)
    }
    async fn send_refer(&mut self, target: &str) -> Result<(), Infallible> {
        self.send(Request::Refer { target: target.to_owned(), replaces: None })
    }
    async fn send_refer_with_replaces(&mut self, target: &str, replaces: &str) -> Result<(), Infallible> {
        self.send(Request::Refer { target: target.to_owned(), replaces: Some(replaces.to_owned()) })
    }
    async fn accept_refer(&mut self, _target: &str) -> Result<(), Infallible> {
        self.respond(Answering::Latest, 202)
    }
    async fn follow_refer(&mut self, target: &str) -> Result<(), Infallible> {
        self.push(Output::Notify(Notice::Refer(target.to_owned())))
    }
    async fn answer_notify(&mut self, _code: u16) -> Result<(), Infallible> {
        self.respond(Answering::Latest, 200)
    }
    async fn report_transfer(&mut self, code: u16) -> Result<(), Infallible> {
        self.push(Output::Notify(Notice::Transfer(code)))
    }
    async fn send_dtmf(&mut self, digits: &str) -> Result<(), Infallible> {
        self.media(Media::Dtmf { digits: digits.to_owned() })
    }
    async fn report_dtmf(&mut self, digit: char) -> Result<(), Infallible> {
        self.push(Output::Notify(Notice::Dtmf(digit)))
    }
    async fn start_recording(&mut self, path: &str, mode: &RecordMode) -> Result<(), Infallible> {
        self.media(Media::StartRecording { path: path.to_owned(), mode: *mode })
    }
    async fn stop_recording(&mut self) -> Result<(), Infallible> {
        self.media(Media::StopRecording)
    }
    async fn join_mixer(&mut self, conference: &str) -> Result<(), Infallible> {
        self.media(Media::JoinMixer { conference: conference.to_owned() })
    }
    async fn leave_mixer(&mut self) -> Result<(), Infallible> {
        self.media(Media::LeaveMixer)
    }
}
