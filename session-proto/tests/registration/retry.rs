//! A refresh that fails: a registrar that is busy or silent for a while is tried again
//! (after its Retry-After, else after a backoff that doubles) and the registration
//! recovers; a refusal that will not pass (403) ends it.

use std::time::Duration;

use session_proto::{RegistrationError, RegistrationState as S};

use super::{register, registers, reports, setup};

/// Runs `secs` of virtual time.
fn run(net: &mut super::Net, secs: u64) {
    net.run_for(Duration::from_secs(secs));
}

#[test]
fn a_refresh_refused_503_is_retried_after_its_retry_after_and_recovers() {
    let (mut net, registrar) = setup(|r| r.grant = 600);
    let id = register(&mut net, "secret", 600);
    registrar.borrow_mut().refuse = Some(("503 Service Unavailable", Some(120)));
    run(&mut net, 541); // the refresh at 540 s is refused
    let refused = reports(&net, id).pop().unwrap();
    assert_eq!(refused, (S::Retrying, None, Some(RegistrationError::Rejected { code: 503 })));
    let sent = registers(&net).len();
    run(&mut net, 118);
    assert_eq!(registers(&net).len(), sent, "nothing before the Retry-After");
    registrar.borrow_mut().refuse = None;
    run(&mut net, 2);
    assert_eq!(registers(&net).len(), sent + 1, "the retry at 120 s");
    let states: Vec<_> = reports(&net, id).into_iter().map(|r| r.0).collect();
    assert_eq!(
        states,
        [S::Registering, S::Registered, S::Refreshing, S::Retrying, S::Refreshing, S::Registered]
    );
    assert_eq!(reports(&net, id).pop().unwrap().1, Some(600), "the grant is reported again");
}

#[test]
fn a_silent_registrar_is_retried_with_a_doubling_wait_until_it_answers() {
    let (mut net, registrar) = setup(|r| r.grant = 600);
    let id = register(&mut net, "secret", 600);
    let before = registers(&net).len();
    registrar.borrow_mut().silent = true;
    // The refresh at 540 s goes unanswered until Timer F, 32 s later.
    run(&mut net, 540 + 33);
    assert_eq!(reports(&net, id).pop().unwrap(), (S::Retrying, None, Some(RegistrationError::Timeout)));
    // First retry 30 s later, again unanswered for 32 s; the next waits 60 s.
    run(&mut net, 31);
    assert_eq!(reports(&net, id).pop().unwrap().0, S::Refreshing);
    run(&mut net, 32);
    assert_eq!(reports(&net, id).pop().unwrap().0, S::Retrying);
    run(&mut net, 56);
    assert_eq!(reports(&net, id).pop().unwrap().0, S::Retrying, "the second wait is 60 s");
    registrar.borrow_mut().silent = false;
    run(&mut net, 3);
    assert_eq!(reports(&net, id).pop().unwrap(), (S::Registered, Some(600), None));
    // Each REGISTER is retransmitted while unanswered, so count distinct CSeqs.
    let cseqs: std::collections::BTreeSet<String> = registers(&net)[before..]
        .iter()
        .filter_map(|r| super::header(r, "CSeq").map(str::to_owned))
        .collect();
    assert_eq!(cseqs.len(), 3, "the refresh and two retries: {cseqs:?}");
}

#[test]
fn a_refresh_refused_403_ends_the_registration() {
    let (mut net, registrar) = setup(|r| r.grant = 600);
    let id = register(&mut net, "secret", 600);
    registrar.borrow_mut().forbid = true;
    run(&mut net, 541);
    let (state, _, error) = reports(&net, id).pop().unwrap();
    assert_eq!((state, error), (S::Failed, Some(RegistrationError::WrongCredentials { code: 403 })));
    run(&mut net, 600);
    assert_eq!(reports(&net, id).len(), 4, "nothing more after Failed");
}
