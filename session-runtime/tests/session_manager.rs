//! `SessionManager` feeds events through the generated machine and runs the actions in
//! order.

use session_runtime::api::{SessionError, SessionManager};
use session_runtime::machine::executor::{Step, StepError};
use session_runtime::machine::{Event, EventKind, State};
use session_runtime::session::output::{Answering, Media, Notice, Output, Request};

#[tokio::test]
async fn a_caller_session_runs_the_actions_of_each_transition_in_order() {
    let manager = SessionManager::new();
    let mut lifecycle = manager.subscribe();
    let id = manager.create_session();

    let dial = manager
        .process_event(id, Event::Dial { target: "sip:bob@127.0.0.1:5060".into() })
        .await
        .expect("Idle takes Dial");
    assert_eq!(dial.state, State::Initiating);
    assert_eq!(
        dial.outputs,
        [
            Output::Media(Media::Prepare { offer: None }),
            Output::Send(Request::Invite { target: "sip:bob@127.0.0.1:5060".into() }),
        ]
    );
    let note = lifecycle.recv().await.expect("a lifecycle notification");
    assert_eq!(
        (note.session, note.from, note.to, note.event),
        (id, State::Idle, State::Initiating, EventKind::Dial)
    );

    let answered = manager
        .process_event(
            id,
            Event::Answered {
                sdp: Some("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n".into()),
            },
        )
        .await
        .expect("Initiating takes a 2xx");
    assert_eq!(answered.state, State::Active);
    assert_eq!(answered.outputs[0], Output::Send(Request::Ack));
    assert!(matches!(answered.outputs[1], Output::Media(Media::Remote { .. })));
    assert_eq!(answered.outputs[2], Output::Media(Media::Start));

    let bye = manager.process_event(id, Event::ByeReceived).await.expect("Active takes BYE");
    assert_eq!(bye.state, State::Terminated);
    assert_eq!(bye.outputs[0], Output::Respond { to: Answering::Latest, code: 200 });
    assert!(manager.terminate_session(id));
    assert!(manager.is_empty());
}

#[tokio::test]
async fn a_callee_session_is_announced_and_answers_with_the_table_codes() {
    let manager = SessionManager::new();
    let id = manager.create_session();
    let invite = manager
        .process_event(
            id,
            Event::IncomingInvite {
                sdp: Some("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\n".into()),
            },
        )
        .await
        .expect("Idle takes an acceptable INVITE");
    assert_eq!(invite.state, State::RingingInbound);
    assert!(invite.outputs.contains(&Output::Respond { to: Answering::Invite, code: 180 }));
    assert!(invite.outputs.contains(&Output::Notify(Notice::IncomingCall)));

    // A re-INVITE while ringing is answered 500, as the table says.
    let reinvite = manager.process_event(id, Event::ReinviteReceived { sdp: None }).await.expect("answered");
    assert_eq!(reinvite.step, Step::Respond(500));
    assert_eq!(reinvite.state, State::RingingInbound);
}

#[tokio::test]
async fn an_offer_without_a_common_codec_is_refused_with_488() {
    let manager = SessionManager::new();
    let id = manager.create_session();
    let done = manager
        .process_event(
            id,
            Event::IncomingInvite {
                sdp: Some("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 111\r\n".into()),
            },
        )
        .await
        .expect("processed");
    assert_eq!(done.state, State::Failed);
    assert_eq!(done.outputs, [Output::Respond { to: Answering::Invite, code: 488 }]);
}

#[tokio::test]
async fn commands_the_state_does_not_allow_are_errors_that_name_the_state() {
    let manager = SessionManager::new();
    let id = manager.create_session();
    let error = manager.process_event(id, Event::Hold).await.expect_err("Idle cannot hold");
    assert!(matches!(error, SessionError::Step(StepError::InvalidState { state: State::Idle, .. })));
    assert_eq!(error.to_string(), "`Hold` is not allowed while the call is Idle");
    assert_eq!(manager.state(id).await, Some(State::Idle));
}

#[tokio::test]
async fn unknown_sessions_are_reported() {
    let manager = SessionManager::new();
    let id = manager.create_session();
    manager.terminate_session(id);
    let error = manager.process_event(id, Event::Hangup).await.expect_err("gone");
    assert!(matches!(error, SessionError::NotFound(gone) if gone == id));
}
