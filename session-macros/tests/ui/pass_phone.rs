// The valid table compiles, and the generated items work together: the transition
// function, the synchronous action trait with typed inputs, a failing action whose
// failure event the table handles, and `perform_all`.
session_macros::state_machine!("tables/phone.yaml");

#[derive(Default)]
struct Bell {
    dialled: Vec<String>,
    rang_for: Vec<String>,
    hung_up: bool,
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

    fn hang(&mut self) {
        self.hung_up = true;
    }

    fn beep(&mut self, why: &str) {
        self.beeped_for.push(why.to_owned());
    }
}

/// Feeds `event` in `state` and runs the chosen transition's actions.
fn take(bell: &mut Bell, state: State, event: &Event) -> (&'static Transition, Result<(), ActionError>) {
    let Outcome::Transition(t) = transition(state, event, &mut |_| false) else {
        panic!("{state} must take {event}");
    };
    (t, perform_all(bell, t.actions, event))
}

fn main() {
    // Every action succeeds: the session moves on.
    let mut bell = Bell::default();
    let (t, result) = take(&mut bell, State::INITIAL, &Event::Call { to: "bob".into() });
    assert_eq!(result, Ok(()));
    assert_eq!(t.to, State::Ringing);
    assert_eq!(bell.dialled, ["bob"]);
    assert_eq!(bell.rang_for, ["bob"]);

    // `Dial` fails: `Ring` after it does not run, and the failure event comes back.
    let mut bell = Bell::default();
    let (t, result) = take(&mut bell, State::Idle, &Event::Call { to: "nobody".into() });
    assert_eq!(t.actions, [Action::Dial, Action::Ring]);
    let failure = Event::NoLine { why: "nobody has no line".into() };
    assert_eq!(result, Err(ActionError::Failed { action: Action::Dial, event: failure.clone() }));
    assert_eq!(bell.dialled, ["nobody"]);
    assert!(bell.rang_for.is_empty(), "the action after the failing one must not run");
    assert_eq!(EventKind::NoLine.source(), EventSource::Failure);
    assert_eq!(
        ActionError::Failed { action: Action::Dial, event: failure.clone() }.to_string(),
        "action `Dial` failed with `NoLine`"
    );

    // The session stayed in `Idle`, which handles the failure event.
    let (t, result) = take(&mut bell, State::Idle, &failure);
    assert_eq!((t.to, result), (State::Done, Ok(())));
    assert_eq!(bell.beeped_for, ["nobody has no line"]);

    // Where no action that fails with it runs, the failure cannot happen: ignored.
    assert_eq!(transition(State::Talking, &failure, &mut |_| false), Outcome::Ignored);
    // An event that does not carry an action's input.
    assert_eq!(
        perform(&mut bell, Action::Beep, &Event::Answer),
        Err(ActionError::Input { action: Action::Beep, event: EventKind::Answer })
    );

    let (_, result) = take(&mut bell, State::Talking, &Event::Bye);
    assert_eq!(result, Ok(()));
    assert!(bell.hung_up);
    assert_eq!(transition(State::Idle, &Event::Bye, &mut |_| false), Outcome::Respond(481));
    assert_eq!(transition(State::Talking, &Event::Answer, &mut |_| false), Outcome::Rejected);
    assert_eq!(State::ALL.len(), 4);
    assert!(MERMAID.starts_with("stateDiagram-v2"));
}
