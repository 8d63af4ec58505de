//! The registration client against the project's own registrar and proxy
//! (`session_proto::server`) on the in-memory network: Alice and Bob register through
//! it as their outbound proxy, and Alice's call to Bob's address of record is
//! challenged by the proxy (407), sent again with Proxy-Authorization, and answered.

use std::time::Duration;

use session_proto::auth::Credentials;
use session_proto::machine::{Event as Cmd, State};
use session_proto::{EndReason, RegisterSpec, RegistrationId, RegistrationState};

use crate::net::script::header;
use crate::net::{Conditions, Net};

const USERS: &str = "alice:wonderland\nbob:builder\n";

fn registered(net: &Net, node: usize, id: RegistrationId) -> bool {
    net.nodes[node].events.iter().any(|e| {
        matches!(e, session_proto::Event::Registration { id: i, state: RegistrationState::Registered, .. } if *i == id)
    })
}

fn register(net: &mut Net, node: usize, user: &str, password: &str) -> RegistrationId {
    let spec = RegisterSpec::new("sip:example.com", user, Credentials::new(user, password));
    let now = net.now;
    let id = net.nodes[node].endpoint.register(now, spec).expect("a valid registration");
    let until = net.now + Duration::from_secs(2);
    assert!(
        net.run_until(until, |n| registered(n, node, id)),
        "{user} registers: {:?}",
        net.nodes[node].events
    );
    id
}

#[test]
fn both_register_through_the_server_and_a_call_by_aor_passes_its_challenge() {
    let mut net = Net::new(3, Conditions::CLEAN);
    let server = net.add_server("example.com", USERS, |_| {});
    let proxy = net.nodes[server].addr;
    let alice = net.add("alice", |c| c.outbound_proxy = Some(proxy));
    let bob = net.add("bob", |c| c.outbound_proxy = Some(proxy));
    register(&mut net, alice, "alice", "wonderland");
    register(&mut net, bob, "bob", "builder");
    let bob_contact = format!("sip:bob@{}", net.nodes[bob].addr);
    assert_eq!(net.location.contacts("sip:bob@example.com"), [bob_contact]);

    let call = net.dial(alice, "sip:bob@example.com");
    let until = net.now + Duration::from_secs(2);
    assert!(net.run_until(until, |n| !n.nodes[bob].incoming().is_empty()), "Bob's phone rings");
    let invites = net.nodes[alice].sent_starting("INVITE ");
    assert_eq!(invites.len(), 2, "challenged once by the proxy, then authorized");
    assert!(header(invites[1], "Proxy-Authorization").is_some());
    let from = header(invites[1], "From").unwrap();
    assert!(from.starts_with("<sip:alice@example.com>;tag="), "registered, alice calls as her AoR: {from}");
    let ringing = net.nodes[bob].incoming()[0];
    net.command(bob, ringing, Cmd::Accept).unwrap();
    net.run_for(Duration::from_millis(100));
    assert_eq!(net.nodes[alice].states(call).last(), Some(&State::Active));

    net.command(alice, call, Cmd::Hangup).unwrap();
    net.run_for(Duration::from_millis(100));
    assert_eq!(net.nodes[alice].ended(call), Some(EndReason::LocalHangup));
    assert_eq!(net.nodes[bob].ended(ringing), Some(EndReason::RemoteHangup));
}

#[test]
fn the_servers_refusal_of_a_wrong_password_is_wrong_credentials() {
    let mut net = Net::new(4, Conditions::CLEAN);
    let server = net.add_server("example.com", USERS, |_| {});
    let proxy = net.nodes[server].addr;
    let alice = net.add("alice", |c| c.outbound_proxy = Some(proxy));
    let spec = RegisterSpec::new("sip:example.com", "alice", Credentials::new("alice", "looking-glass"));
    let now = net.now;
    let id = net.nodes[alice].endpoint.register(now, spec).unwrap();
    net.run_for(Duration::from_secs(2));
    let error = net.nodes[alice].events.iter().find_map(|e| match e {
        session_proto::Event::Registration { id: i, error: Some(error), .. } if *i == id => {
            Some(error.clone())
        }
        _ => None,
    });
    assert!(
        matches!(error, Some(session_proto::RegistrationError::WrongCredentials { code: 401 | 403 })),
        "{error:?}"
    );
}
