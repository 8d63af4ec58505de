//! Property tests of the compiled state table: random event sequences never panic,
//! terminal states stay terminal, every state reported is one of `State::ALL`, and a
//! failing action stops its transition and hands its failure to the table.

use std::net::SocketAddr;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use session_proto::machine::{
    self, Action, Event, EventKind, Guard, Outcome, RecordMode, ServerTx, SessionActions, State, Step,
    TRANSITIONS, Timer, failure, transition,
};

fn sdp() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 101\r\n".to_owned())),
        Just(Some("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 111\r\n".to_owned())),
        ".{0,40}".prop_map(Some),
    ]
}

fn code() -> impl Strategy<Value = u16> {
    prop_oneof![100u16..700, Just(200), Just(481), Just(408)]
}

fn event() -> impl Strategy<Value = Event> {
    let text = "[a-z:@.0-9]{0,20}";
    prop_oneof![
        text.prop_map(|target| Event::Dial { target }),
        Just(Event::Accept),
        code().prop_map(|code| Event::Reject { code }),
        Just(Event::Hangup),
        Just(Event::Hold),
        Just(Event::Resume),
        text.prop_map(|target| Event::BlindTransfer { target }),
        (text, text).prop_map(|(target, replaces)| Event::AttendedTransfer { target, replaces }),
        "[0-9*#]{0,5}".prop_map(|digits| Event::SendDtmf { digits }),
        text.prop_map(|path| Event::StartRecording { path, mode: RecordMode::Mixed }),
        Just(Event::StopRecording),
        text.prop_map(|conference| Event::JoinConference { conference }),
        Just(Event::LeaveConference),
        sdp().prop_map(|sdp| Event::IncomingInvite { tx: 1, sdp }),
        Just(Event::CancelReceived { tx: 2 }),
        Just(Event::ByeReceived { tx: 3 }),
        sdp().prop_map(|sdp| Event::ReinviteReceived { tx: 4, sdp }),
        text.prop_map(|target| Event::ReferReceived { tx: 5, target, cseq: 2 }),
        code().prop_map(|code| Event::NotifyReceived { tx: 6, code }),
        sdp().prop_map(|sdp| Event::AckReceived { sdp }),
        (code(), sdp()).prop_map(|(code, sdp)| Event::Provisional { code, sdp }),
        sdp().prop_map(|sdp| Event::Answered { sdp }),
        code().prop_map(|code| Event::Declined { code }),
        sdp().prop_map(|sdp| Event::ReinviteAnswered { sdp }),
        code().prop_map(|code| Event::ReinviteFailed { code }),
        Just(Event::ByeAnswered),
        Just(Event::ReferAccepted),
        code().prop_map(|code| Event::ReferFailed { code }),
        prop_oneof![Just(Timer::NoResponse), Just(Timer::NoAck), Just(Timer::NoAnswer)]
            .prop_map(|timer| Event::Timeout { timer }),
        text.prop_map(|reason| Event::TransportError { reason }),
        any::<char>().prop_map(|digit| Event::DtmfReceived { digit }),
        Just(Event::MediaOpened { rtp: SocketAddr::from(([127, 0, 0, 1], 4000)) }),
        text.prop_map(|reason| Event::MediaFailed { reason }),
        text.prop_map(|reason| Event::OfferRejected { reason }),
        text.prop_map(|reason| Event::ReinviteRejected { tx: 7, reason }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `transition` alone, with guards answered at random.
    #[test]
    fn random_sequences_keep_the_machine_sound(
        events in prop::collection::vec(event(), 1..60),
        guard_bits in prop::collection::vec(any::<bool>(), 64),
    ) {
        let mut state = State::INITIAL;
        let mut bits = guard_bits.iter().cycle();
        for event in &events {
            let before = state;
            let outcome = transition(state, event, &mut |_| *bits.next().unwrap_or(&false));
            if let Outcome::Transition(t) = outcome {
                prop_assert_eq!(t.from, state);
                prop_assert_eq!(t.event, event.kind());
                state = t.to;
            }
            prop_assert!(State::ALL.contains(&state));
            if before.is_terminal() {
                prop_assert_eq!(state, before, "left terminal state {} on {}", before, event);
                prop_assert_eq!(outcome, Outcome::Ignored);
            }
        }
    }

    /// The executor with the real guards, and actions that fail when `fail` says so.
    #[test]
    fn random_sequences_through_the_executor(
        events in prop::collection::vec(event(), 1..60),
        fail in prop::collection::vec(any::<bool>(), 64),
    ) {
        let mut state = State::INITIAL;
        let mut actions = Recorder { fail: fail.into_iter().cycle(), ran: Vec::new() };
        for event in events {
            let was_terminal = state.is_terminal();
            if let Ok(stepped) = machine::step(state, event, &mut actions) {
                state = stepped.state;
                if let Step::Moved(t) = stepped.step {
                    prop_assert_eq!(t.to, state);
                    prop_assert_eq!(t.event, stepped.event.kind());
                }
            }
            prop_assert!(State::ALL.contains(&state));
            prop_assert!(!was_terminal || state.is_terminal());
        }
    }
}

/// Records the actions run; the two that can fail do when told to.
struct Recorder<I> {
    fail: I,
    ran: Vec<Action>,
}

impl<I: Iterator<Item = bool>> Recorder<I> {
    fn fails(&mut self, action: Action) -> bool {
        self.ran.push(action);
        self.fail.next().unwrap_or(false)
    }
}

macro_rules! record {
    ($($method:ident ( $($arg:ident : $ty:ty),* ) => $action:ident;)*) => {
        $(fn $method(&mut self, $($arg: $ty),*) { $(let _ = $arg;)* self.ran.push(Action::$action); })*
    };
}

impl<I: Iterator<Item = bool>> SessionActions for Recorder<I> {
    record! {
        open_media() => OpenMedia;
        create_offer(rtp: &SocketAddr) => CreateOffer;
        send_invite(rtp: &SocketAddr) => SendInvite;
        send_cancel() => SendCancel;
        send_ack(sdp: Option<&str>) => SendAck;
        send_bye() => SendBye;
        build_answer(rtp: &SocketAddr) => BuildAnswer;
        reject_offer(reason: &str) => RejectOffer;
        send_server_error(reason: &str) => SendServerError;
        send_ringing(rtp: &SocketAddr) => SendRinging;
        notify_incoming_call(rtp: &SocketAddr) => NotifyIncomingCall;
        send_ok() => SendOk;
        send_reject(code: u16) => SendReject;
        send_decline() => SendDecline;
        send_unavailable(timer: &Timer) => SendUnavailable;
        answer_cancel(tx: &ServerTx) => AnswerCancel;
        send_request_terminated(tx: &ServerTx) => SendRequestTerminated;
        answer_bye(tx: &ServerTx) => AnswerBye;
        apply_remote_sdp(sdp: Option<&str>) => ApplyRemoteSdp;
        start_media() => StartMedia;
        stop_media() => StopMedia;
        send_hold_reinvite() => SendHoldReinvite;
        send_resume_reinvite() => SendResumeReinvite;
        refuse_reinvite(tx: &ServerTx, reason: &str) => RefuseReinvite;
        send_refer(target: &str) => SendRefer;
        send_refer_with_replaces(target: &str, replaces: &str) => SendReferWithReplaces;
        accept_refer(tx: &ServerTx, target: &str, cseq: u32) => AcceptRefer;
        follow_refer(tx: &ServerTx, target: &str, cseq: u32) => FollowRefer;
        answer_notify(tx: &ServerTx, code: u16) => AnswerNotify;
        report_transfer(code: u16) => ReportTransfer;
        send_dtmf(digits: &str) => SendDtmf;
        report_dtmf(digit: char) => ReportDtmf;
        start_recording(path: &str, mode: &RecordMode) => StartRecording;
        stop_recording() => StopRecording;
        join_mixer(conference: &str) => JoinMixer;
        leave_mixer() => LeaveMixer;
    }

    fn negotiate_answer(&mut self, _tx: &ServerTx, _sdp: Option<&str>) -> Result<(), failure::OfferRejected> {
        if self.fails(Action::NegotiateAnswer) {
            Err(failure::OfferRejected { reason: "no".into() })
        } else {
            Ok(())
        }
    }

    fn answer_reinvite(
        &mut self,
        tx: &ServerTx,
        _sdp: Option<&str>,
    ) -> Result<(), failure::ReinviteRejected> {
        if self.fails(Action::AnswerReinvite) {
            Err(failure::ReinviteRejected { tx: *tx, reason: "no".into() })
        } else {
            Ok(())
        }
    }
}

#[test]
fn a_failing_action_stops_its_transition_and_the_table_takes_its_failure() {
    let mut actions = Recorder { fail: std::iter::repeat(true), ran: Vec::new() };
    let invite = Event::IncomingInvite { tx: 1, sdp: Some("v=0".into()) };
    let stepped = machine::step(State::Idle, invite, &mut actions).expect("Idle takes an INVITE");
    assert_eq!(stepped.state, State::Failed);
    assert_eq!(stepped.event, Event::OfferRejected { reason: "no".into() });
    // OpenMedia, after NegotiateAnswer in the INVITE's transition, never ran.
    assert_eq!(actions.ran, [Action::NegotiateAnswer, Action::RejectOffer]);
    let mut passing = Recorder { fail: std::iter::repeat(false), ran: Vec::new() };
    let stepped =
        machine::step(State::Idle, Event::IncomingInvite { tx: 1, sdp: None }, &mut passing).unwrap();
    assert_eq!(stepped.state, State::PreparingAnswer);
    assert_eq!(passing.ran, [Action::NegotiateAnswer, Action::OpenMedia]);
}

#[test]
fn commands_are_refused_where_the_table_rejects_them() {
    let outcome = transition(State::Idle, &Event::Hold, &mut |_| false);
    assert_eq!(outcome, Outcome::Rejected);
}

#[test]
fn every_listed_transition_is_what_transition_returns_for_some_guard_values() {
    for (index, t) in TRANSITIONS.iter().enumerate() {
        let event = sample(t.event);
        let reachable = (0u32..1 << Guard::ALL.len()).any(|bits| {
            let mut oracle = |g: Guard| {
                let position = Guard::ALL.iter().position(|&x| x == g).unwrap_or(0);
                bits & (1 << position) != 0
            };
            matches!(
                transition(t.from, &event, &mut oracle),
                Outcome::Transition(found) if std::ptr::eq(found, &TRANSITIONS[index])
            )
        });
        assert!(reachable, "{t:?} is listed but `transition` never takes it");
    }
}

/// An event of the given kind with some payload.
fn sample(kind: EventKind) -> Event {
    let runner = &mut proptest::test_runner::TestRunner::deterministic();
    loop {
        let event = event().new_tree(runner).expect("strategy").current();
        if event.kind() == kind {
            return event;
        }
    }
}
