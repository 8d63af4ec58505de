//! A registrar the network reports unreachable (an ICMP error the driver read): the
//! REGISTER fails at once instead of after Timer F, and a refresh is retried later.

use std::net::SocketAddr;
use std::time::Duration;

use session_proto::auth::Credentials;
use session_proto::{RegisterSpec, RegistrationError, RegistrationState as S, Unreachable};

use super::{register, registers, reports, setup};

const REGISTRAR: &str = "127.0.0.1:5090";

fn registrar() -> SocketAddr {
    REGISTRAR.parse().unwrap()
}

#[test]
fn a_register_to_an_unreachable_registrar_fails_at_once() {
    let (mut net, _registrar) = setup(|r| r.silent = true);
    let spec = RegisterSpec::new("sip:127.0.0.1:5090", "alice", Credentials::new("alice", "secret"));
    let now = net.now;
    let id = net.nodes[0].endpoint.register(now, spec).unwrap();
    net.run_for(Duration::from_millis(10));
    net.unreachable(0, registrar(), Unreachable::Port);
    let (state, _, error) = reports(&net, id).pop().unwrap();
    assert_eq!(state, S::Failed);
    let error = error.expect("why");
    assert_eq!(
        error,
        RegistrationError::Transport("127.0.0.1:5090 is unreachable (ICMP port unreachable)".into())
    );
    assert_eq!(
        error.to_string(),
        "cannot reach the registrar: 127.0.0.1:5090 is unreachable (ICMP port unreachable)"
    );
    net.run_out(Duration::from_secs(60));
    assert_eq!(registers(&net).len(), 1, "never sent again");
    assert!(net.nodes[0].endpoint.is_idle(), "{:?}", net.nodes[0].endpoint.stats());
}

#[test]
fn a_refresh_to_a_registrar_gone_unreachable_is_retried_and_recovers() {
    let (mut net, registrar_script) = setup(|r| r.grant = 600);
    let id = register(&mut net, "secret", 600);
    registrar_script.borrow_mut().silent = true;
    net.run_for(Duration::from_millis(540_500)); // the refresh at 540 s goes unanswered
    assert_eq!(reports(&net, id).pop().unwrap().0, S::Refreshing);
    net.unreachable(0, registrar(), Unreachable::Network);
    let (state, _, error) = reports(&net, id).pop().unwrap();
    assert_eq!(state, S::Retrying);
    assert!(
        matches!(error, Some(RegistrationError::Transport(why)) if why.contains("ICMP network unreachable"))
    );
    registrar_script.borrow_mut().silent = false;
    net.run_for(Duration::from_secs(31));
    assert_eq!(reports(&net, id).pop().unwrap(), (S::Registered, Some(600), None));
}
