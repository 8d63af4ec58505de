//! The stateful proxy on the in-memory network: a call from a hand-written phone to an
//! endpoint found by its AoR, through the proxy and back along its Record-Route; and
//! the requests the proxy refuses.

mod net;

use std::time::Duration;

use net::phone::{Phone, header, headers, reply, request_uri, status};
use net::proxied::{BOB_AOR, SDP, SERVER, authenticated, finals, invite_bob, scene, server_addr};
use session_proto::auth::Credentials;
use session_proto::location::LocationJob;
use session_proto::machine::{Event as Cmd, State};
use session_proto::{EndReason, Event};

fn lookups(net: &net::Net) -> usize {
    net.location.jobs.iter().filter(|j| matches!(j, LocationJob::Lookup { .. })).count()
}

#[test]
fn a_call_reaches_bob_by_his_aor_and_its_bye_follows_the_record_route() {
    let (mut net, mut alice) = scene(21, 0, |_| {}, |_| {});
    // Bob's endpoint registers (by hand, from its own address).
    let bob_index = net.add("bob", |_| {});
    let bob_addr = net.nodes[bob_index].addr;
    let mut bob_phone = Phone::new(&bob_addr.to_string(), "bob", "builder");
    let contact = format!("Contact: <sip:bob@{bob_addr}>\r\n");
    let (branch, text) = bob_phone.register("bob", &contact);
    net.inject(SERVER, bob_addr, &text);
    let challenge = net.nodes[SERVER].sent.iter().rev().find(|m| m.contains(&branch)).unwrap().clone();
    let authorization = bob_phone.answer(&challenge, "REGISTER", "sip:example.com");
    let (_, text) = bob_phone.register("bob", &format!("{authorization}{contact}"));
    net.inject(SERVER, bob_addr, &text);
    assert_eq!(net.location.contacts(BOB_AOR), [format!("sip:bob@{bob_addr}")]);

    // Alice's INVITE without credentials gets 407 with both challenges.
    let headers_in = format!("Contact: <{}>\r\nContent-Type: application/sdp\r\n", alice.contact());
    let (branch, text) = alice.request("INVITE", BOB_AOR, &format!("<{BOB_AOR}>"), &headers_in, SDP);
    net.inject(SERVER, alice.addr, &text);
    let challenge = net.responses(alice.addr, &branch).pop().unwrap();
    assert!(challenge.starts_with("SIP/2.0 407 Proxy Authentication Required\r\n"), "{challenge}");
    let offered = headers(&challenge, "Proxy-Authenticate");
    assert!(
        offered.len() == 2 && offered[0].contains("SHA-256") && offered[1].contains("MD5"),
        "{offered:?}"
    );
    assert_eq!(lookups(&net), 0);

    let (invite, branch) = invite_bob(&mut net, &mut alice);
    net.run_for(Duration::from_millis(20));
    // What Bob got: his contact as Request-URI, our Via on top, our Record-Route, one
    // hop less, and no credentials meant for us.
    let server = server_addr(&net);
    let forwarded = net.nodes[SERVER].sent_starting("INVITE ")[0].clone();
    assert_eq!(request_uri(&forwarded), format!("sip:bob@{bob_addr}"));
    let vias = headers(&forwarded, "Via");
    assert!(vias[0].starts_with(&format!("SIP/2.0/UDP {server};branch=z9hG4bK")), "{forwarded}");
    assert_eq!(vias[1], header(&invite, "Via").unwrap());
    assert_eq!(header(&forwarded, "Record-Route"), Some(format!("<sip:{server};lr>").as_str()));
    assert_eq!(header(&forwarded, "Max-Forwards"), Some("69"));
    assert_eq!(header(&forwarded, "Proxy-Authorization"), None);
    assert!(forwarded.ends_with(SDP));
    let bob_call = net.nodes[bob_index].incoming()[0];

    // Alice hears 100 (ours) and Bob's 180 with only her Via left.
    let heard = net.responses(alice.addr, &branch);
    assert_eq!(heard.iter().map(|r| status(r)).collect::<Vec<_>>(), [100, 180], "{heard:?}");
    assert_eq!(headers(&heard[1], "Via"), [header(&invite, "Via").unwrap()]);

    net.command(bob_index, bob_call, Cmd::Accept).unwrap();
    net.run_for(Duration::from_millis(20));
    let ok = finals(&net, &alice, &branch);
    assert!(!ok.is_empty() && ok.iter().all(|r| status(r) == 200), "{ok:?}");
    assert_eq!(header(&ok[0], "Record-Route"), Some(format!("<sip:{server};lr>").as_str()));
    // Alice's ACK goes to the proxy (her route set) and on to Bob.
    let ack = alice.ack_success(&invite, &ok[0]);
    assert!(ack.contains(&format!("Route: <sip:{server};lr>\r\n")), "{ack}");
    net.inject(SERVER, alice.addr, &ack);
    net.run_for(Duration::from_millis(20));
    assert_eq!(net.nodes[bob_index].states(bob_call).last(), Some(&State::Active));
    let oks_before = finals(&net, &alice, &branch).len();
    net.run_for(Duration::from_secs(5));
    assert_eq!(finals(&net, &alice, &branch).len(), oks_before, "Bob stopped retransmitting his 200");

    // Bob hangs up: his BYE reaches Alice through the proxy, without the proxy's Route.
    net.command(bob_index, bob_call, Cmd::Hangup).unwrap();
    net.run_for(Duration::from_millis(20));
    let byes: Vec<_> =
        net.wire.iter().filter(|(_, to, m)| *to == alice.addr && m.starts_with("BYE ")).collect();
    assert_eq!(byes.len(), 1, "{byes:?}");
    let (from, _, bye) = byes[0].clone();
    assert_eq!(from, server, "the BYE came through the proxy");
    assert_eq!(request_uri(&bye), alice.contact());
    assert_eq!(header(&bye, "Route"), None);
    assert!(headers(&bye, "Via")[0].contains(&server.to_string()), "{bye}");
    net.inject(SERVER, alice.addr, &reply(&bye, 200, "OK", "unused"));
    net.run_for(Duration::from_millis(20));
    assert_eq!(net.nodes[bob_index].ended(bob_call), Some(EndReason::LocalHangup));
    net.run_out(Duration::from_secs(600));
    assert!(net.nodes[SERVER].endpoint.is_idle(), "{:?}", net.nodes[SERVER].endpoint.stats());
}

#[test]
fn nobody_bound_is_404_and_too_many_hops_is_483_before_any_lookup() {
    let (mut net, mut alice) = scene(22, 0, |_| {}, |_| {});
    let (_, branch) = invite_bob(&mut net, &mut alice);
    let not_found = finals(&net, &alice, &branch);
    assert_eq!(not_found.len(), 1);
    assert!(not_found[0].starts_with("SIP/2.0 404 Not Found\r\n"), "{}", not_found[0]);
    assert_eq!(lookups(&net), 1);

    let (branch, text) = alice.request("INVITE", BOB_AOR, &format!("<{BOB_AOR}>"), "", "");
    let text = text.replace("Max-Forwards: 70", "Max-Forwards: 0");
    net.inject(SERVER, alice.addr, &text);
    let hops = finals(&net, &alice, &branch);
    assert!(hops[0].starts_with("SIP/2.0 483 Too Many Hops\r\n"), "{}", hops[0]);
    assert_eq!(lookups(&net), 1, "refused before the lookup");
    assert_eq!(header(&hops[0], "Proxy-Authenticate"), None, "refused before any challenge");
}

#[test]
fn credentials_of_another_user_than_from_are_refused() {
    let (mut net, mut alice) = scene(23, 1, |_| {}, |_| {});
    let (branch, text) = alice.request("MESSAGE", BOB_AOR, &format!("<{BOB_AOR}>"), "", "hi");
    net.inject(SERVER, alice.addr, &text);
    let challenge = net.responses(alice.addr, &branch).pop().unwrap();
    let mut bob = Phone::new("127.0.0.1:5999", "bob", "builder");
    let authorization = bob.answer(&challenge, "MESSAGE", BOB_AOR);
    let (branch, text) = alice.request("MESSAGE", BOB_AOR, &format!("<{BOB_AOR}>"), &authorization, "hi");
    net.inject(SERVER, alice.addr, &text);
    let refused = finals(&net, &alice, &branch);
    assert!(refused[0].starts_with("SIP/2.0 403 Forbidden\r\n"), "{}", refused[0]);
    assert_eq!(lookups(&net), 0);
}

#[test]
fn a_message_is_proxied_to_bob_without_record_route_and_his_200_comes_back() {
    let (mut net, mut alice) = scene(24, 1, |_| {}, |_| {});
    let (_, branch) =
        authenticated(&mut net, &mut alice, "MESSAGE", BOB_AOR, "Content-Type: text/plain\r\n", "hi Bob");
    net.run_for(Duration::from_millis(20));
    let got = net.nodes[1].events.iter().find_map(|e| match e {
        Event::Message(m) => Some(m.clone()),
        _ => None,
    });
    let got = got.expect("Bob got the MESSAGE");
    assert_eq!((got.text.as_str(), got.source), ("hi Bob", server_addr(&net)));
    let forwarded = net.nodes[SERVER].sent_starting("MESSAGE ")[0].clone();
    assert_eq!(header(&forwarded, "Record-Route"), None);
    let answers = finals(&net, &alice, &branch);
    assert_eq!(answers.len(), 1);
    assert!(answers[0].starts_with("SIP/2.0 200 OK\r\n"), "{}", answers[0]);
    net.run_out(Duration::from_secs(600));
    assert!(net.nodes[SERVER].endpoint.is_idle(), "{:?}", net.nodes[SERVER].endpoint.stats());
}

#[test]
fn options_to_the_server_is_answered_and_lists_register() {
    let (mut net, mut alice) = scene(25, 0, |_| {}, |_| {});
    let server = server_addr(&net);
    let (branch, text) =
        alice.request("OPTIONS", &format!("sip:{server}"), &format!("<sip:{server}>"), "", "");
    net.inject(SERVER, alice.addr, &text);
    let answer = finals(&net, &alice, &branch);
    assert!(answer[0].starts_with("SIP/2.0 200 OK\r\n"), "{}", answer[0]);
    assert!(header(&answer[0], "Allow").unwrap().contains("REGISTER"));
}

#[test]
fn credentials_answered_for_one_target_do_not_open_another() {
    let (mut net, mut alice) = scene(26, 1, |_| {}, |_| {});
    let (branch, text) = alice.request("MESSAGE", BOB_AOR, &format!("<{BOB_AOR}>"), "", "hi");
    net.inject(SERVER, alice.addr, &text);
    let challenge = net.responses(alice.addr, &branch).pop().unwrap();
    let for_bob = alice.answer(&challenge, "MESSAGE", BOB_AOR);
    let carol = "sip:carol@example.com";
    let (branch, text) = alice.request("MESSAGE", carol, &format!("<{carol}>"), &for_bob, "hi");
    net.inject(SERVER, alice.addr, &text);
    let refused = finals(&net, &alice, &branch);
    assert_eq!(status(&refused[0]), 407, "{}", refused[0]);
    assert_eq!(lookups(&net), 0);
}

#[test]
fn a_replayed_proxy_authorization_is_challenged_again_and_not_forwarded() {
    let (mut net, mut alice) = scene(27, 1, |_| {}, |_| {});
    let (sent, branch) = authenticated(&mut net, &mut alice, "MESSAGE", BOB_AOR, "", "once");
    net.run_for(Duration::from_millis(20));
    assert_eq!(status(&finals(&net, &alice, &branch)[0]), 200);
    let credentials = header(&sent, "Proxy-Authorization").unwrap().to_owned();
    let line = format!("Proxy-Authorization: {credentials}\r\n");
    let (branch, text) = alice.request("MESSAGE", BOB_AOR, &format!("<{BOB_AOR}>"), &line, "twice");
    net.inject(SERVER, alice.addr, &text);
    net.run_for(Duration::from_millis(20));
    let refused = finals(&net, &alice, &branch);
    assert_eq!(status(&refused[0]), 407, "{}", refused[0]);
    assert_eq!(lookups(&net), 2, "the store saw the replay and refused it");
    assert_eq!(net.nodes[SERVER].sent_starting("MESSAGE ").len(), 1, "only the first was forwarded");
}

#[test]
fn debug_output_shows_no_credentials_while_an_authenticated_invite_rings() {
    let (mut net, _) = scene(28, 1, |_| {}, |_| {});
    let server = server_addr(&net);
    let alice = net.add("alice", |config| {
        config.credentials = Some(Credentials::new("alice", "wonderland"));
        config.outbound_proxy = Some(server);
    });
    net.dial(alice, BOB_AOR);
    net.run_for(Duration::from_millis(50));
    let sent = net.nodes[alice]
        .sent_starting("INVITE ")
        .into_iter()
        .find(|m| m.contains("Proxy-Authorization"))
        .expect("Alice's INVITE with credentials")
        .clone();
    let credentials = header(&sent, "Proxy-Authorization").unwrap().to_owned();
    let response = credentials.split("response=\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
    assert!(response.len() >= 32, "{credentials}");
    assert_eq!(net.nodes[1].incoming().len(), 1, "Bob rings; Alice's INVITE transaction holds her request");
    for node in [alice, SERVER] {
        let endpoint = &net.nodes[node].endpoint;
        for out in [format!("{endpoint:?}"), format!("{endpoint:#?}")] {
            for secret in [response, "wonderland", credentials.as_str()] {
                assert!(!out.contains(secret), "node {node}'s Debug shows {secret}: {out}");
            }
        }
    }
}

/// Found by tests/fuzz_endpoint.rs (seed 0x5ee0f022, case 444): Alice's Via writes its
/// sent-by as `127.0.0.1 :  5999`, which the proxy does not read as a next hop, so
/// Bob's 200 to the MESSAGE it forwarded cannot be passed on. The request must still
/// be settled: the proxy kept its forwarding context and its server transaction for
/// ever.
#[test]
fn a_final_response_that_cannot_be_passed_on_still_settles_the_request() {
    let (mut net, mut alice) = scene(1, 1, |_| {}, |_| {});
    let spaced = |text: String| text.replace("UDP 127.0.0.1:5999;", "UDP 127.0.0.1 :  5999;");
    let (branch, text) = alice.request("MESSAGE", BOB_AOR, &format!("<{BOB_AOR}>"), "", "hi");
    net.inject(SERVER, alice.addr, &spaced(text));
    let challenge = net.responses(alice.addr, &branch).pop().expect("a challenge");
    let authorization = alice.answer(&challenge, "MESSAGE", BOB_AOR);
    let (_, text) = alice.request("MESSAGE", BOB_AOR, &format!("<{BOB_AOR}>"), &authorization, "hi");
    net.inject(SERVER, alice.addr, &spaced(text));
    net.run_out(Duration::from_secs(3600));
    let bob = &net.nodes[1];
    assert!(bob.sent.iter().any(|m| m.starts_with("SIP/2.0 200 ")), "Bob took the MESSAGE: {:?}", bob.sent);
    let server = &net.nodes[SERVER].endpoint;
    assert!(server.is_idle(), "{server:#?}");
}
