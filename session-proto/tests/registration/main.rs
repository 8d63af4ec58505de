//! The REGISTER client on the in-memory network, against a scripted registrar that
//! challenges with `auth::Verifier` and checks the answers: registration, refresh on
//! virtual time, unregistration, the ways it fails, NAT, an outbound proxy. `calls.rs`
//! has calls challenged by their peer.

mod calls;
#[path = "../net/mod.rs"]
mod net;
mod registrar;
mod retry;
mod unreachable;
mod with_server;

use std::time::Duration;

use net::{Conditions, Net};
use registrar::{Registrar, Shared};
use session_proto::auth::{Credentials, Verdict};
use session_proto::{Event, RegisterSpec, RegistrationError, RegistrationId, RegistrationState as S};

use crate::net::script::header;

/// What one registration reported, in order.
fn reports(net: &Net, id: RegistrationId) -> Vec<(S, Option<u32>, Option<RegistrationError>)> {
    net.nodes[0]
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Registration { id: i, state, expires, error } if *i == id => {
                Some((*state, *expires, error.clone()))
            }
            _ => None,
        })
        .collect()
}

fn last_state(net: &Net, id: RegistrationId) -> Option<S> {
    reports(net, id).last().map(|r| r.0)
}

/// Alice (node 0) and a registrar (script 0, at 127.0.0.1:5090) that knows
/// alice/secret.
fn setup(configure: impl FnOnce(&mut Registrar)) -> (Net, Shared) {
    let mut net = Net::new(21, Conditions::CLEAN);
    net.add("alice", |_| {});
    let registrar = Registrar::new(net.now, configure);
    net.add_script("registrar", registrar::handler(&registrar));
    (net, registrar)
}

fn register(net: &mut Net, password: &str, expires: u32) -> RegistrationId {
    let mut spec = RegisterSpec::new("sip:127.0.0.1:5090", "alice", Credentials::new("alice", password));
    spec.expires = expires;
    let now = net.now;
    let id = net.nodes[0].endpoint.register(now, spec).expect("a valid registration");
    let until = net.now + Duration::from_secs(5);
    net.run_until(until, |n| last_state(n, id).is_some_and(|s| s != S::Registering));
    id
}

fn registers(net: &Net) -> Vec<String> {
    net.scripts[0].received_starting("REGISTER").into_iter().map(str::to_owned).collect()
}

#[test]
fn registers_answering_the_challenge_then_refreshes_at_90_percent_of_the_grant() {
    let (mut net, registrar) = setup(|r| r.grant = 600);
    let id = register(&mut net, "secret", 3600);
    assert_eq!(reports(&net, id), [(S::Registering, None, None), (S::Registered, Some(600), None)]);
    let sent = registers(&net);
    assert_eq!(sent.len(), 2, "one challenged, one answered");
    assert!(header(&sent[0], "Authorization").is_none());
    assert!(header(&sent[1], "Authorization").is_some_and(|a| a.contains("algorithm=SHA-256")));
    for register in &sent {
        assert!(register.starts_with("REGISTER sip:127.0.0.1:5090 SIP/2.0\r\n"));
        assert_eq!(header(register, "To"), Some("<sip:alice@127.0.0.1>"));
        assert!(header(register, "From").unwrap().starts_with("<sip:alice@127.0.0.1>;tag="));
        assert_eq!(header(register, "Contact"), Some("<sip:alice@127.0.0.1:5060>"));
        assert_eq!(header(register, "Expires"), Some("3600"));
        assert!(header(register, "Via").unwrap().ends_with(";rport"));
    }
    assert_eq!(registrar.borrow().bound("sip:alice@127.0.0.1:5060"), Some(600));
    let registered_at = net.now;

    // Nothing before 90% of 600 s; the refresh at 540 s, accepted at once.
    net.run_for(Duration::from_secs(539));
    assert_eq!(registers(&net).len(), 2, "no refresh before 540 s");
    net.run_for(Duration::from_secs(2));
    let sent = registers(&net);
    assert_eq!(sent.len(), 3, "one refresh");
    let refreshed_at = net.scripts[0].received.last().unwrap().0;
    assert_eq!((refreshed_at - registered_at).as_secs(), 540);
    // The refresh reuses the registrar's nonce with the next nc: no new challenge.
    assert!(header(&sent[2], "Authorization").is_some_and(|a| a.contains("nc=00000002")));
    assert_eq!(reports(&net, id)[2..], [(S::Refreshing, Some(600), None), (S::Registered, Some(600), None)]);
    let cseqs: Vec<_> = sent.iter().map(|r| header(r, "CSeq").unwrap().to_owned()).collect();
    assert_eq!(cseqs, ["1 REGISTER", "2 REGISTER", "3 REGISTER"]);
    let call_ids: Vec<_> = sent.iter().map(|r| header(r, "Call-ID").unwrap()).collect();
    assert!(call_ids.iter().all(|c| *c == call_ids[0]), "one Call-ID: {call_ids:?}");

    // And again 540 s later.
    net.run_for(Duration::from_secs(540));
    assert_eq!(registers(&net).len(), 4);
}

#[test]
fn unregister_sends_expires_zero_and_leaves_nothing() {
    let (mut net, registrar) = setup(|_| {});
    let id = register(&mut net, "secret", 300);
    let now = net.now;
    net.nodes[0].endpoint.unregister(now, id).unwrap();
    net.run_for(Duration::from_secs(1));
    let sent = registers(&net);
    let last = sent.last().unwrap();
    assert_eq!(header(last, "Expires"), Some("0"));
    assert_eq!(header(last, "Contact"), Some("<sip:alice@127.0.0.1:5060>"));
    assert!(header(last, "Authorization").is_some(), "the withdrawal carries credentials too");
    assert_eq!(last_state(&net, id), Some(S::Unregistered));
    assert_eq!(registrar.borrow().bound("sip:alice@127.0.0.1:5060"), None);
    assert_eq!(
        net.nodes[0].endpoint.unregister(net.now, id),
        Err(session_proto::CommandError::NoSuchRegistration(id))
    );
    net.run_out(Duration::from_secs(3600));
    assert!(net.nodes[0].endpoint.is_idle(), "{:?}", net.nodes[0].endpoint.stats());
    assert_eq!(registers(&net).len(), sent.len(), "no refresh after the withdrawal");
}

#[test]
fn a_wrong_password_fails_after_the_second_challenge() {
    let (mut net, _registrar) = setup(|_| {});
    let id = register(&mut net, "guess", 3600);
    let (state, _, error) = reports(&net, id).pop().unwrap();
    assert_eq!(state, S::Failed);
    assert_eq!(error, Some(RegistrationError::WrongCredentials { code: 401 }));
    assert_eq!(registers(&net).len(), 2, "the answer is sent once, never again");
    net.run_out(Duration::from_secs(600));
    assert!(net.nodes[0].endpoint.is_idle());
}

#[test]
fn forbidden_means_wrong_credentials() {
    let (mut net, _registrar) = setup(|r| r.forbid = true);
    let id = register(&mut net, "secret", 3600);
    let (state, _, error) = reports(&net, id).pop().unwrap();
    assert_eq!((state, error), (S::Failed, Some(RegistrationError::WrongCredentials { code: 403 })));
}

#[test]
fn a_refresh_whose_nonce_went_stale_answers_the_new_one_and_stays_registered() {
    // Nonces last 300 s; the refresh at 540 s reuses one that has expired.
    let (mut net, registrar) = setup(|r| {
        r.grant = 600;
        r.nonce_lifetime = 300;
    });
    let id = register(&mut net, "secret", 600);
    net.run_for(Duration::from_secs(541));
    let sent = registers(&net);
    assert_eq!(sent.len(), 4, "challenged, answered; refresh (stale), answered again");
    assert!(matches!(
        registrar.borrow().verdicts[..],
        [Verdict::Valid { .. }, Verdict::Stale, Verdict::Valid { .. }]
    ));
    let nonce = |r: &str| registrar::param(header(r, "Authorization").unwrap(), "nonce");
    assert_eq!(nonce(&sent[1]), nonce(&sent[2]), "the refresh reuses the nonce");
    assert_ne!(nonce(&sent[2]), nonce(&sent[3]), "the answer to the stale challenge uses the new one");
    let states: Vec<_> = reports(&net, id).into_iter().map(|r| r.0).collect();
    assert_eq!(states, [S::Registering, S::Registered, S::Refreshing, S::Registered]);
}

#[test]
fn a_registrar_that_sees_another_address_gets_that_contact_once() {
    let (mut net, registrar) = setup(|r| r.seen_at = Some("192.0.2.7:40000".parse().unwrap()));
    let id = register(&mut net, "secret", 600);
    net.run_for(Duration::from_secs(1));
    assert_eq!(last_state(&net, id), Some(S::Registered));
    let sent = registers(&net);
    assert_eq!(sent.len(), 3, "challenge, private Contact, public Contact");
    assert_eq!(
        header(&sent[2], "Contact"),
        Some("<sip:alice@192.0.2.7:40000>, <sip:alice@127.0.0.1:5060>;expires=0")
    );
    let bindings = registrar.borrow();
    assert_eq!(bindings.bound("sip:alice@192.0.2.7:40000"), Some(600));
    assert_eq!(bindings.bound("sip:alice@127.0.0.1:5060"), None, "the private binding is removed");
    drop(bindings);
    // Reported once, as Registered, after the public Contact is bound.
    assert_eq!(reports(&net, id), [(S::Registering, None, None), (S::Registered, Some(600), None)]);
    // The refresh keeps the public Contact and switches no more.
    net.run_for(Duration::from_secs(600));
    let sent = registers(&net);
    assert_eq!(sent.len(), 4);
    assert_eq!(header(&sent[3], "Contact"), Some("<sip:alice@192.0.2.7:40000>"));
}

#[test]
fn interval_too_brief_raises_the_expiry_to_min_expires() {
    let (mut net, registrar) = setup(|r| r.min_expires = Some(120));
    let id = register(&mut net, "secret", 60);
    assert_eq!(last_state(&net, id), Some(S::Registered));
    let sent = registers(&net);
    assert_eq!(header(sent.last().unwrap(), "Expires"), Some("120"));
    assert_eq!(registrar.borrow().bound("sip:alice@127.0.0.1:5060"), Some(120));
}

#[test]
fn a_silent_registrar_times_out() {
    let (mut net, _registrar) = setup(|r| r.silent = true);
    let mut spec = RegisterSpec::new("sip:127.0.0.1:5090", "alice", Credentials::new("alice", "secret"));
    spec.expires = 60;
    let now = net.now;
    let id = net.nodes[0].endpoint.register(now, spec).unwrap();
    net.run_for(Duration::from_secs(31));
    assert_eq!(last_state(&net, id), Some(S::Registering), "Timer F is 32 s");
    net.run_for(Duration::from_secs(2));
    assert_eq!(reports(&net, id).pop().unwrap().2, Some(RegistrationError::Timeout));
}

#[test]
fn a_registrar_name_is_looked_up_by_the_driver() {
    let (mut net, _registrar) = setup(|_| {});
    let spec = RegisterSpec::new("sip:registrar:5090", "alice", Credentials::new("alice", "secret"));
    let now = net.now;
    let id = net.nodes[0].endpoint.register(now, spec).unwrap();
    net.run_for(Duration::from_secs(1));
    assert!(net.nodes[0].events.iter().any(|e| matches!(
        e,
        Event::ResolveRegistrar { registration, host, port: 5090 } if *registration == id && host == "registrar"
    )));
    assert_eq!(last_state(&net, id), Some(S::Registered));
    assert!(registers(&net)[0].starts_with("REGISTER sip:registrar:5090 SIP/2.0"));
    assert_eq!(header(&registers(&net)[0], "To"), Some("<sip:alice@registrar>"));

    let missing = RegisterSpec::new("sip:nowhere", "alice", Credentials::new("alice", "secret"));
    let now = net.now;
    let lost = net.nodes[0].endpoint.register(now, missing).unwrap();
    net.run_for(Duration::from_secs(1));
    assert!(matches!(reports(&net, lost).pop().unwrap().2, Some(RegistrationError::Transport(_))));
}

#[test]
fn what_cannot_be_registered_is_refused_before_anything_is_sent() {
    let (mut net, _registrar) = setup(|_| {});
    let credentials = Credentials::new("alice", "secret");
    for (registrar, user) in
        [("127.0.0.1:5090", "alice"), ("sip:127.0.0.1:99999", "alice"), ("sip:127.0.0.1", "a b")]
    {
        let spec = RegisterSpec::new(registrar, user, credentials.clone());
        let error = net.nodes[0].endpoint.register(net.now, spec).unwrap_err();
        assert!(matches!(error, session_proto::CommandError::InvalidRegistration { .. }), "{error}");
    }
    assert!(net.nodes[0].endpoint.poll_transmit().is_none());
}

#[test]
fn through_an_outbound_proxy_registers_and_calls_go_to_it_with_a_route() {
    let mut net = Net::new(5, Conditions::CLEAN);
    let proxy: std::net::SocketAddr = "127.0.0.1:5090".parse().unwrap();
    net.add("alice", |c| c.outbound_proxy = Some(proxy));
    let registrar = Registrar::new(net.now, |r| r.busy_invites = true);
    net.add_script("proxy", registrar::handler(&registrar));
    let spec = RegisterSpec::new("sip:pbx.example.com", "alice", Credentials::new("alice", "secret"));
    let now = net.now;
    let id = net.nodes[0].endpoint.register(now, spec).unwrap();
    net.run_for(Duration::from_secs(1));
    assert_eq!(last_state(&net, id), Some(S::Registered), "no look-up: the proxy finds the registrar");
    let sent = registers(&net);
    assert!(sent[0].starts_with("REGISTER sip:pbx.example.com SIP/2.0"));
    assert!(sent.iter().all(|r| header(r, "Route") == Some("<sip:127.0.0.1:5090;lr>")));

    let call = net.dial(0, "sip:bob@example.com");
    net.run_for(Duration::from_secs(1));
    assert!(!net.nodes[0].events.iter().any(|e| matches!(e, Event::Resolve { .. })));
    let invites = net.scripts[0].received_starting("INVITE");
    assert_eq!(invites.len(), 1);
    assert!(invites[0].starts_with("INVITE sip:bob@example.com SIP/2.0"));
    assert_eq!(header(invites[0], "Route"), Some("<sip:127.0.0.1:5090;lr>"));
    let acks = net.scripts[0].received_starting("ACK");
    assert_eq!(header(acks[0], "Route"), Some("<sip:127.0.0.1:5090;lr>"), "the ACK follows the INVITE");
    assert_eq!(net.nodes[0].ended(call), Some(session_proto::EndReason::Rejected(486)));
}
