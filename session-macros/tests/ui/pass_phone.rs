// The valid table compiles, and the generated items work together: the transition
// function, the action trait with typed inputs, and `perform_all`.
session_macros::state_machine!("tables/phone.yaml");

#[derive(Default)]
struct Bell {
    rang_for: Vec<String>,
    hung_up: bool,
}

impl PhoneActions for Bell {
    type Error = std::convert::Infallible;

    async fn ring(&mut self, to: &str) -> Result<(), Self::Error> {
        self.rang_for.push(to.to_owned());
        Ok(())
    }

    async fn hang(&mut self) -> Result<(), Self::Error> {
        self.hung_up = true;
        Ok(())
    }
}

fn main() {
    let call = Event::Call { to: "bob".into() };
    let Outcome::Transition(t) = transition(State::INITIAL, &call, &mut |_| false) else {
        panic!("Idle must take Call");
    };
    assert_eq!(t.to, State::Ringing);
    let mut bell = Bell::default();
    {
        // The actions complete at once, so one poll drives them: no runtime needed.
        let done = std::pin::pin!(perform_all(&mut bell, t.actions, &call));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(matches!(done.poll(&mut cx), std::task::Poll::Ready(Ok(()))));
    }
    assert_eq!(bell.rang_for, ["bob"]);
    assert_eq!(transition(State::Idle, &Event::Bye, &mut |_| false), Outcome::Respond(481));
    assert_eq!(transition(State::Talking, &Event::Answer, &mut |_| false), Outcome::Rejected);
    assert_eq!(State::ALL.len(), 4);
    assert!(MERMAID.starts_with("stateDiagram-v2"));
}
