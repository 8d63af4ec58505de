//! The generated `transition` against two references, on the same workload:
//!
//! - `hashmap`: a `HashMap<(State, EventKind), Vec<Transition>>` built at start-up from
//!   the YAML, as engines that read their table at run time do;
//! - `hand_written`: a `match` written by hand for a few states (the lower bound: what
//!   a careful programmer would write without a table).
//!
//! `cargo bench -p session-runtime --bench transition`

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use session_proto::machine::{
    Event, EventKind, Guard, Outcome, State, TRANSITIONS, Timer, guards, transition,
};

/// One interpreted row: what the run-time engine stores per transition.
struct Row {
    guard: Option<(Guard, bool)>,
    to: State,
}

/// The run-time interpreter: the table parsed from YAML at start-up.
struct Interpreter {
    rows: HashMap<(State, EventKind), Vec<Row>>,
}

impl Interpreter {
    fn load(path: &str) -> Self {
        let source = std::fs::read_to_string(path).expect("state_table.yaml readable");
        let machine = session_codegen::compile(&source).expect("valid table");
        let state =
            |i: usize| State::ALL.into_iter().find(|s| s.name() == machine.states[i].name).expect("state");
        let event = |i: usize| {
            EventKind::ALL.into_iter().find(|e| e.name() == machine.events[i].name).expect("event")
        };
        let guard =
            |i: usize| Guard::ALL.into_iter().find(|g| g.name() == machine.guards[i].name).expect("guard");
        let mut rows: HashMap<(State, EventKind), Vec<Row>> = HashMap::new();
        for t in &machine.transitions {
            let row = Row { guard: t.guard.map(|g| (guard(g.guard), g.negated)), to: state(t.to) };
            rows.entry((state(t.from), event(t.event))).or_default().push(row);
        }
        // Guarded rows first, the unguarded fallback last, as the generated code does.
        for list in rows.values_mut() {
            list.sort_by_key(|r| r.guard.is_none());
        }
        Self { rows }
    }

    fn next(&self, state: State, event: &Event) -> Option<State> {
        let rows = self.rows.get(&(state, event.kind()))?;
        rows.iter()
            .find(|r| r.guard.is_none_or(|(g, negated)| guards::holds(g, event) != negated))
            .map(|r| r.to)
    }
}

/// What a programmer would write by hand for the caller's happy path, with the same
/// guard semantics (a 2xx without SDP is answered by ACK and BYE).
fn hand_written(state: State, event: &Event) -> Option<State> {
    match (state, event) {
        (State::Idle, Event::Dial { .. }) => Some(State::PreparingOffer),
        (State::PreparingOffer, Event::MediaOpened { .. }) => Some(State::Initiating),
        (State::Initiating | State::RingingOutbound, Event::Provisional { .. }) => {
            Some(State::RingingOutbound)
        }
        (State::Initiating | State::RingingOutbound, Event::Answered { .. }) => {
            Some(if guards::holds(Guard::HasSdp, event) { State::Active } else { State::Terminating })
        }
        (State::Active, Event::Hangup) => Some(State::Terminating),
        (State::Active, Event::ByeReceived { .. }) => Some(State::Terminated),
        (State::Terminating, Event::ByeAnswered) => Some(State::Terminated),
        _ => None,
    }
}

fn generated(state: State, event: &Event) -> Option<State> {
    match transition(state, event, &mut |g| guards::holds(g, event)) {
        Outcome::Transition(t) => Some(t.to),
        _ => None,
    }
}

/// The caller's happy path, which all three engines implement.
fn happy_path() -> Vec<(State, Event)> {
    let sdp = Some(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
            .to_owned(),
    );
    vec![
        (State::Idle, Event::Dial { target: "sip:bob@127.0.0.1".into() }),
        (State::PreparingOffer, Event::MediaOpened { rtp: ([127, 0, 0, 1], 4000).into() }),
        (State::Initiating, Event::Provisional { code: 180, sdp: None }),
        (State::RingingOutbound, Event::Answered { sdp }),
        (State::Active, Event::Hangup),
        (State::Terminating, Event::ByeAnswered),
        (State::Active, Event::ByeReceived { tx: 1 }),
    ]
}

/// Every listed transition, plus a dropped and a refused event.
fn whole_table() -> Vec<(State, Event)> {
    let mut work: Vec<(State, Event)> = TRANSITIONS.iter().map(|t| (t.from, sample(t.event))).collect();
    work.push((State::Active, Event::AckReceived { sdp: None }));
    work.push((State::Idle, Event::Hold));
    work
}

fn sample(kind: EventKind) -> Event {
    let sdp = || {
        Some("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n".to_owned())
    };
    match kind {
        EventKind::Dial | EventKind::BlindTransfer => Event::Dial { target: "sip:x@127.0.0.1".into() },
        EventKind::IncomingInvite => Event::IncomingInvite { tx: 1, sdp: sdp() },
        EventKind::Answered => Event::Answered { sdp: sdp() },
        EventKind::Provisional => Event::Provisional { code: 183, sdp: sdp() },
        EventKind::AckReceived => Event::AckReceived { sdp: None },
        EventKind::NotifyReceived => Event::NotifyReceived { tx: 1, code: 200 },
        EventKind::MediaOpened => Event::MediaOpened { rtp: ([127, 0, 0, 1], 4000).into() },
        EventKind::ReinviteFailed => Event::ReinviteFailed { code: 481 },
        EventKind::Timeout => Event::Timeout { timer: Timer::NoResponse },
        EventKind::DtmfReceived => Event::DtmfReceived { digit: '5' },
        EventKind::ByeReceived => Event::ByeReceived { tx: 1 },
        EventKind::Hangup => Event::Hangup,
        _ => Event::TransportError { reason: "unreachable".into() },
    }
}

fn run(c: &mut Criterion, name: &str, work: &[(State, Event)], interpreter: &Interpreter, with_hand: bool) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(work.len() as u64));
    group.bench_function("generated", |b| {
        b.iter(|| {
            work.iter().map(|(s, e)| generated(black_box(*s), black_box(e))).filter(Option::is_some).count()
        })
    });
    group.bench_function("hashmap", |b| {
        b.iter(|| {
            work.iter()
                .map(|(s, e)| interpreter.next(black_box(*s), black_box(e)))
                .filter(Option::is_some)
                .count()
        })
    });
    if with_hand {
        group.bench_function("hand_written", |b| {
            b.iter(|| {
                work.iter()
                    .map(|(s, e)| hand_written(black_box(*s), black_box(e)))
                    .filter(Option::is_some)
                    .count()
            })
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let interpreter = Interpreter::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../state_table.yaml"));
    let happy = happy_path();
    for (state, event) in &happy {
        let expected = hand_written(*state, event);
        assert_eq!(generated(*state, event), expected, "{state} on {event}");
        assert_eq!(interpreter.next(*state, event), expected, "{state} on {event}");
    }
    let whole = whole_table();
    for (state, event) in &whole {
        assert_eq!(generated(*state, event), interpreter.next(*state, event), "{state} on {event}");
    }
    run(c, "happy_path", &happy, &interpreter, true);
    run(c, "whole_table", &whole, &interpreter, false);
}

criterion_group!(transition_benches, benches);
criterion_main!(transition_benches);
