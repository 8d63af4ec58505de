//! Random SIP conversations fed straight into the sans-IO `Endpoint`, with the
//! application's commands and the clock in between: requests of every method, in and out
//! of dialog, with reused branches, stale CSeqs, missing headers and bad bodies; stray
//! responses; accept, hang up, hold and DTMF on whatever calls arrived.
//!
//! Properties: nothing panics; every request that carries a Via and a branch not seen
//! before is answered on that branch (ACK excepted); once every timer has run out, no
//! call is left ringing or waiting past the no-answer time and a transaction timeout
//! (only established ones remain); and once the
//! application hangs those up too, no call and no transaction is left.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use session_proto::machine::{Event, State};
use session_proto::sip::transaction::Timers;
use session_proto::types::SessionId;
use session_proto::{Endpoint, EndpointConfig, Event as Event_};

const METHODS: [&str; 11] =
    ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO", "REFER", "NOTIFY", "UPDATE", "PRACK", "MESSAGE"];
const NO_ANSWER: Duration = Duration::from_secs(180);
const HEADERS: [&str; 6] = ["Via", "From", "To", "Call-ID", "CSeq", "Contact"];

#[derive(Clone, Debug)]
enum Step {
    Request {
        method: usize,
        call: u8,
        branch: Option<u8>,
        cseq: u32,
        our_tag: bool,
        body: u8,
        drop: Option<usize>,
    },
    Response {
        code: u16,
        method: usize,
        call: u8,
        branch: u8,
    },
    /// We place a call.
    Dial,
    /// The peer answers one of the requests we sent, in the order we sent them.
    Answer {
        request: usize,
        code: u16,
    },
    Command {
        call: usize,
        which: u8,
    },
    Wait {
        ms: u64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    // Weighted towards what makes calls: INVITE, ACK, CANCEL and BYE, on a few CSeqs.
    let method =
        prop_oneof![4 => Just(0usize), 3 => Just(1), 2 => Just(2), 2 => Just(3), 4 => 4..METHODS.len()];
    let cseq = prop_oneof![1 => Just(0u32), 8 => 1u32..3, 1 => Just(u32::MAX)];
    let body = prop_oneof![2 => Just(0u8), 4 => Just(1), 1 => Just(2), 1 => Just(3)];
    // Calls 0 and 1 are the peer's; 2 is the dialog of the latest call we placed.
    let request = (method, 0u8..3, prop::option::weighted(0.3, 0u8..3), cseq, any::<bool>(), body)
        .prop_flat_map(|r| (Just(r), prop::option::weighted(0.15, 0..HEADERS.len())))
        .prop_map(|((method, call, branch, cseq, our_tag, body), drop)| Step::Request {
            method,
            call,
            branch,
            cseq,
            our_tag,
            body,
            drop,
        });
    let code = prop::sample::select(vec![100u16, 180, 183, 200, 202, 400, 481, 486, 487, 500]);
    let response = (code, 0..METHODS.len(), 0u8..2, 0u8..3)
        .prop_map(|(code, method, call, branch)| Step::Response { code, method, call, branch });
    let answer_code = prop::sample::select(vec![100u16, 180, 183, 200, 200, 408, 481, 486, 487, 500]);
    let answer = (0usize..8, answer_code).prop_map(|(request, code)| Step::Answer { request, code });
    prop_oneof![
        6 => request,
        1 => response,
        1 => Just(Step::Dial),
        4 => answer,
        3 => (0usize..3, prop_oneof![3 => Just(0u8), 3 => 1u8..6]).prop_map(|(call, which)| Step::Command { call, which }),
        1 => prop::sample::select(vec![10u64, 600, 5_000, 40_000]).prop_map(|ms| Step::Wait { ms }),
    ]
}

/// Where the peer's SDP points (nothing is sent there: media is the driver's).
const MEDIA_PORT: u16 = 40_000;

/// One conversation: the endpoint, its calls, and what it has said so far.
struct Conversation {
    ua: Endpoint,
    /// Calls the application knows of (placed, or rung), in order, and their states.
    calls: Vec<SessionId>,
    states: HashMap<SessionId, State>,
    now: Instant,
    source: SocketAddr,
    /// Our To tag in each Call-ID's dialog, from our responses.
    our_tags: HashMap<String, String>,
    branches_seen: HashSet<String>,
    next_branch: u64,
    /// The requests we sent, for `Step::Answer` to respond to.
    ours: Vec<String>,
    /// The Call-ID of the latest call we placed.
    placed: Option<String>,
}

impl Conversation {
    fn new() -> Self {
        let mut config = EndpointConfig::new("127.0.0.1:5060".parse().unwrap());
        config.user = "bob".into();
        config.no_answer = NO_ANSWER;
        Self {
            ua: Endpoint::new(config, 1),
            calls: Vec::new(),
            states: HashMap::new(),
            now: Instant::now(),
            source: "127.0.0.1:5070".parse().unwrap(),
            our_tags: HashMap::new(),
            branches_seen: HashSet::new(),
            next_branch: 0,
            ours: Vec::new(),
            placed: None,
        }
    }

    fn body(&self, kind: u8) -> (&'static str, String) {
        let port = MEDIA_PORT;
        let sdp = |pt: &str| {
            format!(
                "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {port} RTP/AVP {pt}\r\n"
            )
        };
        match kind {
            0 => ("", String::new()),
            1 => ("application/sdp", sdp("0 101\r\na=rtpmap:101 telephone-event/8000")),
            2 => ("application/sdp", sdp("111\r\na=rtpmap:111 opus/48000/2")),
            _ => ("application/sdp", "v=0\r\nm=audio banana\r\n".into()),
        }
    }

    /// Feeds one step; returns the branch of a request that must be answered.
    fn feed(&mut self, step: &Step) -> Option<String> {
        match *step {
            Step::Request { method, call, branch, cseq, our_tag, body, drop } => {
                let method = METHODS[method];
                let branch = match branch {
                    Some(reused) => format!("z9hG4bK-reused-{reused}"),
                    None => {
                        self.next_branch += 1;
                        format!("z9hG4bK-fresh-{}", self.next_branch)
                    }
                };
                let call_id = match &self.placed {
                    Some(call_id) if call == 2 => call_id.clone(),
                    _ => format!("call-{call}"),
                };
                let to_tag = match self.our_tags.get(&call_id) {
                    Some(tag) if our_tag => format!(";tag={tag}"),
                    _ if our_tag => ";tag=unknown".into(),
                    _ => String::new(),
                };
                let (content_type, body) = self.body(body);
                let values = [
                    format!("SIP/2.0/UDP {};branch={branch}", self.source),
                    "<sip:alice@127.0.0.1>;tag=alice".to_owned(),
                    format!("<sip:bob@127.0.0.1>{to_tag}"),
                    call_id,
                    format!("{cseq} {method}"),
                    format!("<sip:alice@{}>", self.source),
                ];
                let mut text = format!("{method} sip:bob@127.0.0.1:5060 SIP/2.0\r\nMax-Forwards: 70\r\n");
                for (i, (name, value)) in HEADERS.iter().zip(&values).enumerate() {
                    if drop != Some(i) {
                        text.push_str(&format!("{name}: {value}\r\n"));
                    }
                }
                if !content_type.is_empty() {
                    text.push_str(&format!("Content-Type: {content_type}\r\n"));
                }
                text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
                let fresh = self.branches_seen.insert(format!("{branch} {method}"));
                self.ua.handle_datagram(self.now, self.source, text.as_bytes());
                (fresh && method != "ACK" && drop != Some(0)).then_some(branch)
            }
            Step::Response { code, method, call, branch } => {
                let method = METHODS[method];
                let text = format!(
                    "SIP/2.0 {code} Whatever\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-reused-{branch}\r\n\
                     From: <sip:bob@127.0.0.1>;tag=x\r\nTo: <sip:alice@127.0.0.1>;tag=y\r\nCall-ID: call-{call}\r\n\
                     CSeq: 1 {method}\r\nContent-Length: 0\r\n\r\n"
                );
                self.ua.handle_datagram(self.now, self.source, text.as_bytes());
                None
            }
            Step::Dial => {
                let target = format!("sip:alice@{}", self.source);
                let call = self.ua.dial(self.now, &target).expect("a valid target");
                self.calls.push(call);
                None
            }
            Step::Answer { request, code } => {
                if self.ours.is_empty() {
                    return None;
                }
                let response = answer(&self.ours[request % self.ours.len()], code, &self.body(1).1);
                self.ua.handle_datagram(self.now, self.source, response.as_bytes());
                None
            }
            Step::Command { call, which } => {
                let call = *self.calls.get(call)?;
                let event = match which {
                    0 => Event::Accept,
                    1 => Event::Hangup,
                    2 => Event::Reject { code: 486 },
                    3 => Event::Hold,
                    4 => Event::Resume,
                    _ => Event::SendDtmf { digits: "1".into() },
                };
                let _ = self.ua.handle_command(self.now, call, event);
                None
            }
            Step::Wait { ms } => {
                self.now += Duration::from_millis(ms);
                self.ua.handle_timeout(self.now);
                None
            }
        }
    }

    /// Takes what the adapter sent and produced: returns the branches answered.
    fn collect(&mut self) -> HashSet<String> {
        let mut answered = HashSet::new();
        while let Some(transmit) = self.ua.poll_transmit() {
            let text = String::from_utf8_lossy(&transmit.bytes).into_owned();
            let header =
                |name: &str| text.lines().find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()));
            let tag_of = |value: String| {
                value.split(";tag=").nth(1).map(|t| t.split(';').next().unwrap_or_default().to_owned())
            };
            if !text.starts_with("SIP/2.0 ") {
                // Our INVITE: the peer's in-dialog requests address us by its From tag.
                if text.starts_with("INVITE ")
                    && let (Some(call_id), Some(tag)) = (header("Call-ID:"), header("From:").and_then(tag_of))
                    && !self.our_tags.contains_key(&call_id)
                {
                    self.our_tags.insert(call_id.clone(), tag);
                    self.placed = Some(call_id);
                }
                if !text.starts_with("ACK ") {
                    self.ours.push(text);
                }
                continue;
            }
            if let Some(branch) = header("Via:").and_then(|v| v.split("branch=").nth(1).map(str::to_owned)) {
                answered.insert(branch.split(';').next().unwrap_or_default().to_owned());
            }
            if let (Some(call_id), Some(tag)) = (header("Call-ID:"), header("To:").and_then(tag_of)) {
                self.our_tags.insert(call_id, tag);
            }
        }
        self.drive();
        answered
    }

    /// Does the driver's work: opens media at once, and follows the calls.
    fn drive(&mut self) {
        while let Some(event) = self.ua.poll_event() {
            match event {
                Event_::IncomingCall { call } => self.calls.push(call),
                Event_::CallState { call, state, .. } => {
                    self.states.insert(call, state);
                }
                Event_::CallEnded { call, .. } => {
                    self.states.entry(call).or_insert(State::Terminated);
                }
                Event_::OpenMedia { call } => {
                    let rtp = SocketAddr::from(([127, 0, 0, 1], MEDIA_PORT + 2));
                    self.ua.handle_media_opened(self.now, call, Ok(rtp));
                }
                _ => {}
            }
        }
    }

    /// Runs the clock until no timer is left before `until`.
    fn run_timers(&mut self, until: Instant) {
        for _ in 0..10_000 {
            self.collect();
            let Some(due) = self.ua.poll_timeout().filter(|&due| due <= until) else { break };
            self.now = self.now.max(due);
            self.ua.handle_timeout(self.now);
        }
        self.collect();
    }

    /// Calls in a state that only the clock or the peer should have ended: ringing,
    /// waiting for an ACK or a response.
    fn stuck(&self) -> Vec<State> {
        let settled = |s: State| s.is_terminal() || matches!(s, State::Active | State::OnHold);
        let state = |call: &SessionId| self.states.get(call).copied().unwrap_or(State::Idle);
        self.calls.iter().map(state).filter(|&s| !settled(s)).collect()
    }

    /// Hangs up every call, then runs the clock until no timer is left.
    fn wind_down(&mut self) {
        for id in self.calls.clone() {
            let _ = self.ua.handle_command(self.now, id, Event::Hangup);
            self.collect();
        }
        self.run_timers(self.now + Duration::from_secs(7 * 24 * 3600));
    }
}

/// The peer's response with `code` to one of our requests: its Via, From, Call-ID and
/// CSeq copied, a To tag added past 100, and an SDP answer on a 183 or 2xx to INVITE.
fn answer(request: &str, code: u16, sdp: &str) -> String {
    let method = request.split(' ').next().unwrap_or_default();
    let mut out = format!("SIP/2.0 {code} Whatever\r\n");
    for line in request.lines().skip(1).take_while(|l| !l.is_empty()) {
        let name = line.split(':').next().unwrap_or_default();
        match name {
            "Via" | "From" | "Call-ID" | "CSeq" => out.push_str(&format!("{line}\r\n")),
            "To" if code > 100 && !line.contains(";tag=") => out.push_str(&format!("{line};tag=alice\r\n")),
            "To" => out.push_str(&format!("{line}\r\n")),
            _ => {}
        }
    }
    let with_sdp = method == "INVITE" && (code == 183 || (200..300).contains(&code));
    if with_sdp {
        out.push_str("Contact: <sip:alice@127.0.0.1:5070>\r\nContent-Type: application/sdp\r\n");
        out.push_str(&format!("Content-Length: {}\r\n\r\n{sdp}", sdp.len()));
    } else {
        out.push_str("Content-Length: 0\r\n\r\n");
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn random_conversations_are_answered_and_leave_nothing_behind(
        steps in prop::collection::vec(step(), 1..24),
    ) {
        let mut conversation = Conversation::new();
        for step in &steps {
            let must_answer = conversation.feed(step);
            let answered = conversation.collect();
            if let Some(branch) = must_answer {
                prop_assert!(answered.contains(&branch), "no answer on {branch} to {step:?}");
            }
        }
        // Ringing ends at the no-answer time; a CANCELled INVITE, a BYE, a re-INVITE
        // or a 2xx waiting for its ACK within 64·T1 more.
        let settled_by = conversation.now + NO_ANSWER + 2 * Timers::default().transaction_timeout();
        conversation.run_timers(settled_by);
        let stuck = conversation.stuck();
        prop_assert!(stuck.is_empty(), "calls still unsettled when they should have ended: {stuck:?}");
        conversation.wind_down();
        let stats = conversation.ua.stats();
        prop_assert_eq!(stats.calls, 0, "calls left after every timer ran out");
        prop_assert_eq!(stats.transactions, 0, "transactions left");
        prop_assert!(conversation.ua.is_idle(), "something left: {:?}", stats);
    }
}
