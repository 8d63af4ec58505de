//! The executor: one event through the generated `transition`, then the chosen
//! transition's actions in order. An action that fails ends its transition where it
//! stands and hands back the failure event the table declares for it; that event is
//! processed next, in the state the transition left, until a transition completes.

use super::{ActionError, Event, Outcome, SessionActions, State, Transition, perform_all, transition};

/// Failure events one event may lead to before the executor gives up: a table whose
/// failure transitions keep failing is a bug, not a reason to loop.
const MAX_FAILURES: usize = 4;

/// What an event did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The call took this transition and ran its actions.
    Moved(&'static Transition),
    /// The state ignores the event.
    Ignored,
    /// The event is a request to answer with this SIP status.
    Respond(u16),
}

/// The result of [`step`].
#[derive(Clone, Debug, PartialEq)]
pub struct Stepped {
    /// The call's state afterwards.
    pub state: State,
    /// What the last event processed did.
    pub step: Step,
    /// That last event: the one given, or the failure it led to.
    pub event: Event,
}

/// Why an event could not be processed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum StepError {
    /// A command that the current state does not allow; nothing ran.
    #[error("`{event}` is not allowed while the call is {state}")]
    InvalidState {
        /// The call's state.
        state: State,
        /// The refused command.
        event: String,
    },
    /// The table's actions did not fit its events (a bug in the table or the caller).
    #[error("{0}")]
    Action(ActionError),
    /// Failures kept leading to failing transitions; the call stays in `state`.
    #[error("failure after failure in {state}, last `{event}`")]
    FailureLoop {
        /// The state the call stays in.
        state: State,
        /// The last failure event.
        event: String,
    },
}

/// Feeds `event` to a call in `state`: evaluates guards, runs the chosen transition's
/// actions on `handler`, follows failures, and says where the call ended up.
pub fn step<H: SessionActions>(state: State, event: Event, handler: &mut H) -> Result<Stepped, StepError> {
    let mut event = event;
    for _ in 0..=MAX_FAILURES {
        let outcome = transition(state, &event, &mut |guard| super::guards::holds(guard, &event));
        let step = match outcome {
            Outcome::Transition(t) => match perform_all(handler, t.actions, &event) {
                Ok(()) => return Ok(Stepped { state: t.to, step: Step::Moved(t), event }),
                Err(ActionError::Failed { action, event: failure }) => {
                    tracing::debug!(%state, %action, %failure, "action failed");
                    event = failure;
                    continue;
                }
                Err(error) => return Err(StepError::Action(error)),
            },
            Outcome::Ignored => Step::Ignored,
            Outcome::Respond(code) => Step::Respond(code),
            Outcome::Rejected => return Err(StepError::InvalidState { state, event: event.to_string() }),
        };
        return Ok(Stepped { state, step, event });
    }
    Err(StepError::FailureLoop { state, event: event.to_string() })
}
