// A table without guards gets a working `step` without supplying anything: it runs the
// transition's actions, follows a failing action's failure event in the state it left,
// answers a request the state does not handle, and refuses a command it rejects with
// the table's words.
session_macros::state_machine!("tables/phone.yaml");

#[derive(Default)]
struct Bell {
    dialled: Vec<String>,
    rang_for: Vec<String>,
    beeped_for: Vec<String>,
}

impl PhoneActions for Bell {
    fn dial(&mut self, to: &str) -> Result<(), failure::NoLine> {
        self.dialled.push(to.to_owned());
        if to == "nobody" {
            return Err(failure::NoLine { why: format!("{to} has no line") });
        }
        Ok(())
    }

    fn ring(&mut self, to: &str) {
        self.rang_for.push(to.to_owned());
    }

    fn hang(&mut self) {}

    fn beep(&mut self, why: &str) {
        self.beeped_for.push(why.to_owned());
    }
}

fn main() {
    // Every action succeeds: the phone moves on.
    let mut bell = Bell::default();
    let stepped = step(State::Idle, Event::Call { to: "bob".into() }, &mut bell).unwrap();
    assert_eq!(stepped.state, State::Ringing);
    assert_eq!(stepped.event, Event::Call { to: "bob".into() });
    let Step::Moved(t) = stepped.step else { panic!("Idle takes Call: {stepped:?}") };
    assert_eq!((t.from, t.to, t.actions), (State::Idle, State::Ringing, &[Action::Dial, Action::Ring][..]));
    assert_eq!(stepped.moved(), Some(t));
    assert_eq!((bell.dialled.as_slice(), bell.rang_for.as_slice()), (&["bob".to_owned()][..], &["bob".to_owned()][..]));

    // `Dial` fails: `Ring` does not run, and `Idle` handles `NoLine` (Beep, then Done).
    let mut bell = Bell::default();
    let stepped = step(State::Idle, Event::Call { to: "nobody".into() }, &mut bell).unwrap();
    assert_eq!(stepped.state, State::Done);
    assert_eq!(stepped.event, Event::NoLine { why: "nobody has no line".into() });
    assert_eq!(stepped.moved().map(|t| (t.from, t.event)), Some((State::Idle, EventKind::NoLine)));
    assert!(bell.rang_for.is_empty(), "the action after the failing one must not run");
    assert_eq!(bell.beeped_for, ["nobody has no line"]);

    // A request the state does not handle is answered with the table's status.
    let stepped = step(State::Idle, Event::Bye, &mut bell).unwrap();
    assert_eq!((stepped.state, stepped.step, stepped.moved()), (State::Idle, Step::Respond(481), None));

    // An event the state ignores.
    let stepped = step(State::Idle, Event::Lost, &mut bell).unwrap();
    assert_eq!((stepped.state, stepped.step), (State::Idle, Step::Ignored));

    // A rejected command: nothing runs, and the message uses the machine's name, which
    // is the subject of a table that does not set one.
    let error = step(State::Talking, Event::Answer, &mut bell).unwrap_err();
    assert_eq!(error, StepError::InvalidState { state: State::Talking, event: "Answer".into() });
    assert_eq!(error.to_string(), "`Answer` is not allowed while the phone is Talking");
    let _: &dyn std::error::Error = &error;
    assert_eq!(MAX_FAILURES, 4);
}
