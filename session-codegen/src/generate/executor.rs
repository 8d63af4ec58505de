//! The executor: `step` feeds one event through `transition`, runs the chosen
//! transition's actions with `perform_all`, and follows the failure events they raise;
//! `Step`, `Stepped` and `StepError` say what happened. The module that invokes the
//! macro supplies only the function that evaluates the table's guards.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Origin, Supplied, doc};
use crate::model::Machine;

/// Failure events one event may lead to before `step` gives up.
pub const MAX_FAILURES: usize = 4;

/// `MAX_FAILURES`, `Step`, `Stepped`, `StepError` and `step`.
pub fn generate(machine: &Machine, origin: &Origin, supplied: &Supplied) -> TokenStream {
    let file = &origin.display;
    let subject = &machine.subject;
    let trait_name = format_ident!("{}Actions", machine.name);
    let guard = match guard_function(machine, file, supplied) {
        Ok(guard) => guard,
        Err(message) => return quote! { ::core::compile_error!(#message); },
    };
    let step_doc = doc(&format!(
        "Feeds `event` in `state`: picks the transition (evaluating the table's guards on\n\
         `event`), runs its actions on `handler` with [`perform_all`], and says where the\n\
         {subject} ended up.\n\n\
         An action that fails ends its transition where it stands: the {subject} stays in\n\
         `state` and the failure event it raised is processed next, there, up to\n\
         [`MAX_FAILURES`] times in a row. Each failure is logged at debug level with the\n\
         state, the action and the failure event's name (never its payload).\n\n\
         # Errors\n\n\
         [`StepError::InvalidState`] for a command `state` rejects (nothing ran),\n\
         [`StepError::Action`] when an action's input is missing from its event, and\n\
         [`StepError::FailureLoop`] when failures keep leading to failing transitions."
    ));
    let moved_doc = doc(&format!("The {subject} took this transition and ran its actions."));
    let state_doc = doc(&format!("The {subject}'s state afterwards."));
    let invalid_state_doc = doc(&format!("The {subject}'s state."));
    let stays_doc =
        doc(&format!("Failures kept leading to failing transitions; the {subject} stays in `state`."));
    let stays_state_doc = doc(&format!("The state the {subject} stays in."));
    let not_allowed = format!("`{{event}}` is not allowed while the {subject} is {{state}}");
    let failed = format!("{subject} action failed").replace('{', "{{").replace('}', "}}");

    quote! {
        /// Failure events one event may lead to before [`step`] gives up: a table whose
        /// failure transitions keep failing is a bug, not a reason to loop.
        pub const MAX_FAILURES: usize = #MAX_FAILURES;

        /// What the last event [`step`] processed did.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Step {
            #moved_doc
            Moved(&'static Transition),
            /// The state ignores the event.
            Ignored,
            /// The event is a request to answer with this SIP status.
            Respond(u16),
        }

        /// The result of [`step`].
        #[derive(Clone, Debug, PartialEq)]
        pub struct Stepped {
            #state_doc
            pub state: State,
            /// What the last event processed did.
            pub step: Step,
            /// That last event: the one given, or the failure it led to.
            pub event: Event,
        }

        impl Stepped {
            /// The transition taken, if the last event processed took one.
            pub const fn moved(&self) -> ::core::option::Option<&'static Transition> {
                match self.step {
                    Step::Moved(t) => ::core::option::Option::Some(t),
                    Step::Ignored | Step::Respond(_) => ::core::option::Option::None,
                }
            }
        }

        /// Why [`step`] could not process an event.
        #[derive(Clone, Debug, PartialEq)]
        pub enum StepError {
            /// A command that the current state does not allow; nothing ran.
            InvalidState {
                #invalid_state_doc
                state: State,
                /// The refused command's name.
                event: ::std::string::String,
            },
            /// The table's actions did not fit its events (a bug in the table or the caller).
            Action(ActionError),
            #stays_doc
            FailureLoop {
                #stays_state_doc
                state: State,
                /// The last failure event's name.
                event: ::std::string::String,
            },
        }

        impl ::core::fmt::Display for StepError {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    StepError::InvalidState { state, event } => write!(f, #not_allowed),
                    StepError::Action(error) => ::core::fmt::Display::fmt(error, f),
                    StepError::FailureLoop { state, event } => {
                        write!(f, "failure after failure in {state}, last `{event}`")
                    }
                }
            }
        }

        impl ::std::error::Error for StepError {}

        #step_doc
        pub fn step<H: #trait_name + ?Sized>(
            state: State,
            event: Event,
            handler: &mut H,
        ) -> ::core::result::Result<Stepped, StepError> {
            let mut event = event;
            for _ in 0..=MAX_FAILURES {
                let step = match transition(state, &event, &mut |guard| #guard) {
                    Outcome::Transition(t) => match perform_all(handler, t.actions, &event) {
                        ::core::result::Result::Ok(()) => {
                            return ::core::result::Result::Ok(Stepped { state: t.to, step: Step::Moved(t), event });
                        }
                        ::core::result::Result::Err(ActionError::Failed { action, event: failure }) => {
                            ::tracing::debug!(%state, %action, %failure, #failed);
                            event = failure;
                            continue;
                        }
                        ::core::result::Result::Err(error) => {
                            return ::core::result::Result::Err(StepError::Action(error));
                        }
                    },
                    Outcome::Ignored => Step::Ignored,
                    Outcome::Respond(code) => Step::Respond(code),
                    Outcome::Rejected => {
                        let event = ::std::string::ToString::to_string(&event);
                        return ::core::result::Result::Err(StepError::InvalidState { state, event });
                    }
                };
                return ::core::result::Result::Ok(Stepped { state, step, event });
            }
            let event = ::std::string::ToString::to_string(&event);
            ::core::result::Result::Err(StepError::FailureLoop { state, event })
        }
    }
}

/// What `step` asks for a guard: the supplied function, or nothing for a table without
/// guards (`Guard` then has no values). A mismatch is the invoker's mistake, reported.
fn guard_function(machine: &Machine, file: &str, supplied: &Supplied) -> Result<TokenStream, String> {
    match (&supplied.guards, machine.guards.is_empty()) {
        (Some(path), false) => Ok(quote! { #path(guard, &event) }),
        (None, true) => Ok(quote! { match guard {} }),
        (None, false) => {
            let names: Vec<String> = machine.guards.iter().map(|g| format!("`{}`", g.name)).collect();
            Err(format!(
                "{file} declares guards ({}): name the function that evaluates them, \
                 `state_machine!(\"…\", guards = holds)`, where `holds` is a \
                 `fn(Guard, &Event) -> bool` in scope",
                names.join(", ")
            ))
        }
        (Some(path), true) => Err(format!(
            "{file} declares no guards: remove `guards = {}` from `state_machine!`",
            quote!(#path).to_string().replace(' ', "")
        )),
    }
}
