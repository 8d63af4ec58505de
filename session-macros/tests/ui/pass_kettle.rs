// A table with guards: `step` evaluates them with the function the invocation names,
// follows a failure chain at most `MAX_FAILURES` times, and words its errors with the
// table's `subject`.
session_macros::state_machine!("tables/kettle.yaml", guards = rules::holds);

mod rules {
    use super::{Event, Guard};

    /// Whether `guard` holds for `event`.
    pub fn holds(guard: Guard, event: &Event) -> bool {
        match guard {
            Guard::Powerful => matches!(event, Event::Heat { watts } if *watts >= 1000),
        }
    }
}

#[derive(Default)]
struct Element {
    /// How many more times `boil` fails.
    trips: usize,
    boiled: usize,
    whistled: usize,
}

impl KettleActions for Element {
    fn boil(&mut self) -> Result<(), failure::Overheated> {
        self.boiled += 1;
        if self.trips > 0 {
            self.trips -= 1;
            return Err(failure::Overheated);
        }
        Ok(())
    }

    fn whistle(&mut self, _watts: u32) {
        self.whistled += 1;
    }
}

fn main() {
    // The guard decides: a weak heater takes the self-loop and runs nothing.
    let mut element = Element::default();
    let stepped = step(State::Cold, Event::Heat { watts: 500 }, &mut element).unwrap();
    assert_eq!(stepped.state, State::Cold);
    assert_eq!(stepped.moved().map(|t| t.guard), Some(Some((Guard::Powerful, true))));
    assert_eq!(element.boiled, 0);

    // A powerful one boils and whistles.
    let stepped = step(State::Cold, Event::Heat { watts: 2000 }, &mut element).unwrap();
    assert_eq!(stepped.state, State::Hot);
    assert_eq!((element.boiled, element.whistled), (1, 1));

    // Two failures in a row, then the handling transition's `Boil` succeeds: the kettle
    // stays in `Cold`, and `Whistle` never ran.
    let mut element = Element { trips: 2, ..Element::default() };
    let stepped = step(State::Cold, Event::Heat { watts: 2000 }, &mut element).unwrap();
    assert_eq!((stepped.state, &stepped.event), (State::Cold, &Event::Overheated));
    assert_eq!(stepped.moved().map(|t| t.event), Some(EventKind::Overheated));
    assert_eq!((element.boiled, element.whistled), (3, 0));

    // Failures that never end: the first try and `MAX_FAILURES` retries, then an error.
    let mut element = Element { trips: usize::MAX, ..Element::default() };
    let error = step(State::Cold, Event::Heat { watts: 2000 }, &mut element).unwrap_err();
    assert_eq!(error, StepError::FailureLoop { state: State::Cold, event: "Overheated".into() });
    assert_eq!(error.to_string(), "failure after failure in Cold, last `Overheated`");
    assert_eq!(element.boiled, MAX_FAILURES + 1);

    // The subject words the refusal.
    let error = step(State::Hot, Event::Heat { watts: 2000 }, &mut element).unwrap_err();
    assert_eq!(error.to_string(), "`Heat` is not allowed while the tea kettle is Hot");
}
