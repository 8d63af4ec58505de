//! The executor: one event through the generated `transition`, then the chosen
//! transition's actions in order.

use super::{ActionError, Event, Outcome, SessionActions, State, Transition, perform_all, transition};

/// What one event did to a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The session took `transition` and ran its actions.
    Moved(&'static Transition),
    /// The state ignores the event.
    Ignored,
    /// The event is a request to answer with this SIP status.
    Respond(u16),
}

/// Why an event could not be processed.
#[derive(Debug, thiserror::Error)]
pub enum StepError<E: std::fmt::Debug + std::fmt::Display> {
    /// A command that the current state does not allow.
    #[error("`{event}` is not allowed while the call is {state}")]
    InvalidState {
        /// The session's state.
        state: State,
        /// The refused command.
        event: String,
    },
    /// An action failed; the session stays in its previous state.
    #[error("action failed: {0}")]
    Action(#[from] ActionError<E>),
}

/// Feeds `event` to a session in `state`: evaluates guards, runs the chosen transition's
/// actions on `handler`, and returns the step taken. The caller stores the new state
/// (`step.to`) only when this returns `Ok(Step::Moved(_))`.
pub async fn step<H>(state: State, event: &Event, handler: &mut H) -> Result<Step, StepError<H::Error>>
where
    H: SessionActions + Send,
    H::Error: std::fmt::Debug + std::fmt::Display,
{
    let outcome = transition(state, event, &mut |guard| super::guards::holds(guard, event));
    match outcome {
        Outcome::Transition(t) => {
            perform_all(handler, t.actions, event).await?;
            Ok(Step::Moved(t))
        }
        Outcome::Ignored => Ok(Step::Ignored),
        Outcome::Respond(code) => Ok(Step::Respond(code)),
        Outcome::Rejected => Err(StepError::InvalidState { state, event: event.to_string() }),
    }
}
