//! Property tests of the compiled state table: random event sequences never panic,
//! terminal states stay terminal, and every state reported is one of `State::ALL`.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use session_runtime::machine::executor::{self, Step};
use session_runtime::machine::{
    Event, EventKind, Guard, Outcome, RecordMode, State, TRANSITIONS, Timer, transition,
};
use session_runtime::session::SessionCore;

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
        sdp().prop_map(|sdp| Event::IncomingInvite { sdp }),
        Just(Event::CancelReceived),
        Just(Event::ByeReceived),
        sdp().prop_map(|sdp| Event::ReinviteReceived { sdp }),
        text.prop_map(|target| Event::ReferReceived { target }),
        code().prop_map(|code| Event::NotifyReceived { code }),
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

    /// The executor with the real guards and the real action implementations.
    #[test]
    fn random_sequences_through_the_executor(events in prop::collection::vec(event(), 1..60)) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(async {
            let mut state = State::INITIAL;
            let mut core = SessionCore::new();
            for event in &events {
                let was_terminal = state.is_terminal();
                if let Ok(Step::Moved(t)) = executor::step(state, event, &mut core).await {
                    state = t.to;
                }
                while core.poll_output().is_some() {}
                prop_assert!(State::ALL.contains(&state));
                prop_assert!(!was_terminal || state.is_terminal());
            }
            Ok(())
        })?;
    }
}

#[test]
fn commands_are_refused_where_the_table_rejects_them() {
    let outcome = transition(State::Idle, &Event::Hangup, &mut |_| false);
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
