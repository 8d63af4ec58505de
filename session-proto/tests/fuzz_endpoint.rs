//! Whole endpoints fed mutated datagrams (`tests/fuzz`): a registrar and proxy node for
//! `example.com` and Bob's phone behind it, on the in-memory network of `tests/net`,
//! with phones at three raw addresses sending to both. The phones send mutated corpus
//! messages and arbitrary bytes, answer what the nodes send them and follow up on the
//! answers (ACK, CANCEL, digest retries, requests in the dialogs they are in; a third
//! of those mutated once); Bob dials them and is told to accept, hang up, hold,
//! transfer; the clock moves on in between, by up to 200 s.
//!
//! Each session is a fresh network fed 1 to 100 datagrams. Properties: nothing panics;
//! once every timer has run out, each of Bob's calls has ended or is established (none
//! is left ringing, waiting for an answer or an ACK, or for the first NOTIFY of a
//! transfer); once those are hung up and every timer has run out again, neither node
//! holds anything (no call, subscription, registration, transaction, dialog route,
//! timer, lookup or forwarding context: `is_idle`); and every datagram either node
//! sent parses as SIP, but for an error response to a request whose own lines it
//! copies are unsound (`fuzz::answer_may_not_parse`) and a copy of nearly 16 KiB a
//! peer sent that grew past the parser's limit (`fuzz::oversized_excused`).
//!
//! `FUZZ_CASES` datagrams in all (default 40 000). What it found is kept as scripted
//! tests where each behaviour belongs (`calls.rs`, `proxy.rs`, `transfer.rs`: their
//! doc comments say "found by tests/fuzz_endpoint.rs").

mod fuzz;
mod net;
#[path = "fuzz/peer.rs"]
mod peer;

use std::net::SocketAddr;
use std::time::Duration;

use fuzz::corpus::{BRANCH, CALL_ID};
use fuzz::{Mutator, Report, case_rng, corpus, guarded, pick};
use net::location::EPOCH_UNIX;
use net::proxied::{BOB_AOR, SERVER, USERS};
use net::{Conditions, Net};
use peer::Peer;
use rand::Rng;
use rand::rngs::StdRng;
use session_proto::auth::Credentials;
use session_proto::machine::{Event, State};
use session_proto::sip::inbound::parse;

const BOB: usize = 1;
const SOURCES: [&str; 3] = ["127.0.0.1:5070", "127.0.0.2:5071", "127.0.0.3:5072"];
const WAITS_MS: [u64; 7] = [0, 1, 100, 600, 4_000, 33_000, 200_000];
/// Far past every timer: the no-answer time (180 s), 64·T1, a registration's expiry.
const RUN_OUT: Duration = Duration::from_secs(24 * 3600);

/// One fresh network and what was fed to it.
struct Session<'m> {
    net: Net,
    peer: Peer,
    mutator: &'m Mutator,
    rng: StdRng,
    /// Every datagram fed, each after a line that says where, when and from whom: the
    /// input kept when the session fails.
    log: Vec<u8>,
    inputs: u64,
    /// How many of each node's datagrams have been checked.
    checked: Vec<usize>,
    /// The first datagram sent that does not parse, and why; how many were excused.
    unparseable: Option<String>,
    excused: usize,
    /// The largest header section fed so far.
    largest_head: usize,
    /// Whether the log shows what the nodes sent too (`FUZZ_ONLY`), and how much of it
    /// has been shown.
    verbose: bool,
    shown: Vec<usize>,
}

impl<'m> Session<'m> {
    fn new(mutator: &'m Mutator, mut rng: StdRng) -> Self {
        let mut net = Net::new(rng.random(), Conditions::CLEAN);
        net.add_server("example.com", USERS, |_| {});
        let bob = net.add("bob", |config| config.credentials = Some(Credentials::new("bob", "builder")));
        let addr = net.nodes[bob].addr;
        net.location.bind(BOB_AOR, &format!("sip:bob@{addr}"), addr, EPOCH_UNIX + 100_000);
        let checked = vec![0; net.nodes.len()];
        let peer = Peer::default();
        let (log, inputs, unparseable, verbose, shown) = (Vec::new(), 0, None, false, checked.clone());
        let (excused, largest_head) = (0, 0);
        Self {
            net,
            peer,
            mutator,
            rng,
            log,
            inputs,
            checked,
            unparseable,
            excused,
            largest_head,
            verbose,
            shown,
        }
    }

    fn source(&mut self) -> SocketAddr {
        pick(&mut self.rng, &SOURCES).parse().unwrap()
    }

    /// Logs what happens besides a datagram.
    fn note(&mut self, what: &str) {
        let at = self.net.now.duration_since(self.net.start).as_millis();
        self.log.extend_from_slice(format!("\n=== at {at} ms {what}\n").as_bytes());
    }

    /// Hands `bytes` to the node at `to`, from `from`.
    fn feed(&mut self, to: SocketAddr, from: SocketAddr, bytes: &[u8]) {
        let Some(node) = self.net.nodes.iter().position(|n| n.addr == to) else { return };
        self.note(&format!("from {from} to {to}:"));
        self.log.extend_from_slice(bytes);
        self.peer.note(to, from, bytes);
        self.largest_head = self.largest_head.max(fuzz::head_len(bytes));
        self.check_sent(None);
        self.net.inject_bytes(node, from, bytes);
        self.check_sent(Some(bytes));
        self.inputs += 1;
    }

    /// Checks that the datagrams the nodes sent since the last check parse, but for
    /// those [`fuzz::oversized_excused`] excuses, and those sent in answer to
    /// `answering` that [`fuzz::answer_may_not_parse`] excuses.
    fn check_sent(&mut self, answering: Option<&[u8]>) {
        for (node, checked) in self.net.nodes.iter().zip(&mut self.checked) {
            for sent in &node.raw[*checked..] {
                let Err(refused) = parse(sent, "") else { continue };
                if fuzz::oversized_excused(sent, self.largest_head)
                    || answering.is_some_and(|request| fuzz::answer_may_not_parse(request, sent))
                {
                    self.excused += 1;
                    continue;
                }
                if self.unparseable.is_none() {
                    let (user, why) = (&node.endpoint.config().user, &refused.reason);
                    let sent = fuzz::escaped(sent);
                    self.unparseable =
                        Some(format!("{user} sent a datagram that does not parse ({why}): {sent}"));
                }
            }
            *checked = node.raw.len();
        }
    }

    /// A corpus message, for a fresh transaction and dialog most of the time, varied.
    fn corpus(&mut self) {
        let to_bob = self.rng.random_bool(0.5);
        let to = self.net.nodes[if to_bob { BOB } else { SERVER }].addr;
        let source = self.source();
        let from = if to_bob && self.rng.random_ratio(1, 10) { self.net.nodes[SERVER].addr } else { source };
        let mut text = String::from_utf8(self.mutator.pick(&mut self.rng)).expect("the corpus is UTF-8");
        let n = self.peer.fresh();
        if self.rng.random_ratio(4, 5) {
            text = text.replace(BRANCH, &format!("z9hG4bKf{n}"));
        }
        if self.rng.random_ratio(3, 5) {
            text = text.replace(CALL_ID, &format!("fz{n}@127.0.0.1"));
        }
        let text = text.replace("127.0.0.1:5070", &source.to_string());
        let bytes = self.mutator.vary(&mut self.rng, text.into_bytes());
        self.feed(to, from, &bytes);
    }

    /// A phone's answer or follow-up to one of the latest datagrams it got; false when
    /// there is none.
    fn follow_up(&mut self) -> bool {
        let wire = &self.net.wire;
        if wire.is_empty() {
            return false;
        }
        let latest = self.rng.random_range(wire.len().saturating_sub(16)..wire.len());
        let (node, source, text) = wire[latest].clone();
        let replies = self.peer.follow(&mut self.rng, node, source, &text);
        for reply in &replies {
            self.send_lightly_mutated(node, source, reply.as_bytes().to_vec());
        }
        !replies.is_empty()
    }

    /// A phone's request in one of its dialogs; false when it is in none.
    fn in_dialog(&mut self) -> bool {
        let Some((node, source, text)) = self.peer.in_dialog_request(&mut self.rng) else {
            return false;
        };
        self.send_lightly_mutated(node, source, text.into_bytes());
        true
    }

    fn send_lightly_mutated(&mut self, to: SocketAddr, from: SocketAddr, mut bytes: Vec<u8>) {
        if self.rng.random_ratio(1, 3) {
            self.mutator.mutate(&mut self.rng, &mut bytes, 1);
        }
        self.feed(to, from, &bytes);
    }

    /// A command to one of Bob's calls.
    fn command(&mut self) {
        let calls = self.net.nodes[BOB].calls();
        if calls.is_empty() {
            return;
        }
        let call = *pick(&mut self.rng, &calls);
        let event = match self.rng.random_range(0..7) {
            0 => Event::Accept,
            1 => Event::Hangup,
            2 => Event::Reject { code: 486 },
            3 => Event::Hold,
            4 => Event::Resume,
            5 => Event::SendDtmf { digits: "1#".into() },
            _ => Event::BlindTransfer { target: format!("sip:carol@{}", SOURCES[2]) },
        };
        self.note(&format!("bob: {event:?} to {call:?}"));
        let _ = self.net.command(BOB, call, event);
    }

    fn step(&mut self) {
        self.act();
        if self.verbose {
            for node in 0..self.net.nodes.len() {
                let (user, sent) = (&self.net.nodes[node].endpoint.config().user, &self.net.nodes[node].sent);
                let new: Vec<String> =
                    sent[self.shown[node]..].iter().map(|t| format!("{user} sent:\n{t}")).collect();
                self.shown[node] = sent.len();
                new.iter().for_each(|text| self.note(text));
            }
        }
    }

    fn act(&mut self) {
        match self.rng.random_range(0..100) {
            0..45 => self.corpus(),
            45..70 => {
                if !self.follow_up() {
                    self.corpus();
                }
            }
            70..80 => {
                if !self.in_dialog() {
                    self.corpus();
                }
            }
            80..83 => {
                let target = format!("sip:alice@{}", self.source());
                self.note(&format!("bob: dial {target}"));
                self.net.dial(BOB, &target);
            }
            83..90 => self.command(),
            _ => {
                let ms = *pick(&mut self.rng, &WAITS_MS);
                self.note(&format!("wait {ms} ms"));
                self.net.advance(Duration::from_millis(ms));
            }
        }
    }

    /// Feeds `inputs` datagrams, then runs every timer out and checks what is left.
    fn run(&mut self, inputs: u64) -> Result<(), String> {
        while self.inputs < inputs {
            self.step();
        }
        self.net.run_out(RUN_OUT);
        let bob = &self.net.nodes[BOB];
        let live: Vec<_> = bob.calls().into_iter().filter(|&call| bob.ended(call).is_none()).collect();
        // A transfer the transferee reported on waits for the end of the REFER's
        // subscription, whose expiry the endpoint does not track: it counts as
        // established. One without any NOTIFY ends at Timer N.
        let reported = |call| {
            bob.events
                .iter()
                .any(|e| matches!(e, session_proto::Event::TransferProgress { call: c, .. } if *c == call))
        };
        let stuck: Vec<_> = live
            .iter()
            .map(|&call| (call, bob.states(call).last().copied()))
            .filter(|&(call, state)| match state {
                Some(State::Active | State::OnHold) => false,
                Some(State::Transferring) => !reported(call),
                _ => true,
            })
            .collect();
        if !stuck.is_empty() {
            return Err(format!("calls neither ended nor established once every timer ran out: {stuck:?}"));
        }
        for call in live {
            let _ = self.net.command(BOB, call, Event::Hangup);
        }
        self.net.run_out(RUN_OUT);
        for node in &self.net.nodes {
            if !node.endpoint.is_idle() {
                let user = &node.endpoint.config().user;
                return Err(format!("{user} holds {:?} once every timer ran out", node.endpoint.stats()));
            }
        }
        self.check_sent(None);
        if let Some(unparseable) = self.unparseable.take() {
            return Err(unparseable);
        }
        Ok(())
    }
}

impl Session<'_> {
    /// Adds how deep the session went to `report`: Bob's calls, those answered, the
    /// datagrams each node sent.
    fn tally(&self, report: &mut Report) {
        let bob = &self.net.nodes[BOB];
        let calls = bob.calls();
        let answered = calls.iter().filter(|&&call| bob.states(call).contains(&State::Active)).count();
        report.add("bob_calls", calls.len());
        report.add("bob_calls_answered", answered);
        report.add("bob_sent", bob.raw.len());
        report.add("server_sent", self.net.nodes[SERVER].raw.len());
        report.add("peer_dialogs", self.peer.dialogs.len());
        report.add("sent_unparseable_excused", self.excused);
        let sent: usize = self.net.nodes.iter().map(|n| n.raw.len()).sum();
        report.max("most_sent_in_a_session", sent);
        let bytes: usize = self.net.nodes.iter().flat_map(|n| &n.raw).map(|b| b.len()).sum();
        report.max("most_bytes_sent_in_a_session", bytes);
    }
}

#[test]
fn endpoints_survive_mutated_datagrams_and_keep_nothing() {
    let seed = fuzz::seed();
    let mut report = Report::new("fuzz_endpoint", seed);
    let mutator = Mutator::new(corpus::messages(), fuzz::mutating());
    let cases = fuzz::cases(40_000);
    let mut case = 0;
    if let Some(only) = fuzz::only() {
        let mut rng = case_rng(seed, only);
        let inputs = rng.random_range(1..=100);
        let mut session = Session::new(&mutator, rng);
        session.verbose = true;
        let outcome = guarded(|| session.run(inputs));
        eprintln!("{}", String::from_utf8_lossy(&session.log));
        eprintln!("=== events of bob:");
        for event in &session.net.nodes[BOB].events {
            eprintln!("{event:?}");
        }
        for node in session.net.nodes.iter().filter(|n| !n.endpoint.is_idle()) {
            eprintln!("=== what {} holds:\n{:#?}", node.endpoint.config().user, node.endpoint);
        }
        eprintln!("=== case {only}: {outcome:?}");
        return;
    }
    while report.inputs < cases {
        let mut rng = case_rng(seed, case);
        let inputs = rng.random_range(1..=100).min(cases - report.inputs);
        let mut session = Session::new(&mutator, rng);
        let outcome = guarded(|| session.run(inputs));
        report.inputs += session.inputs;
        report.count("sessions");
        session.tally(&mut report);
        report.record(case, &session.log, outcome);
        case += 1;
    }
    report.finish();
}
