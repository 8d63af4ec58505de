//! Failure events: each is raised by an action (`fails:`), and handled by a transition in
//! every state where an action that raises it runs, and nowhere else: in any other state
//! it cannot happen, so it needs no transition and no `unhandled` listing.

use crate::diagnostic::Diagnostic;
use crate::model::{Machine, Source};

pub fn check(machine: &Machine, errors: &mut Vec<Diagnostic>) {
    for (index, event) in machine.events.iter().enumerate() {
        if event.source != Source::Failure {
            continue;
        }
        if !machine.actions.iter().any(|a| a.fails == Some(index)) {
            errors.push(
                Diagnostic::new(
                    event.loc,
                    format!("failure event `{}` is declared but no action fails with it", event.name),
                )
                .help(format!(
                    "name it in an action's `fails:` (`Action: {{ doc: \"...\", fails: {} }}`), or remove it",
                    event.name
                )),
            );
            continue;
        }
        handled_where_raised(machine, index, errors);
    }
}

/// Every state in which an action raising `event` runs has a transition on it; no other
/// state has one.
fn handled_where_raised(machine: &Machine, event: usize, errors: &mut Vec<Diagnostic>) {
    let name = &machine.events[event].name;
    for (index, state) in machine.states.iter().enumerate() {
        if state.terminal {
            continue; // transitions out of a terminal state are already an error
        }
        let raiser = machine.raisers(index, event).next();
        let handler = machine.arms(index, event).next();
        match (raiser, handler) {
            (Some((action, t)), None) => errors.push(
                Diagnostic::new(
                    state.loc,
                    format!(
                        "`{}` can fail with `{name}` in `{}` (line {}), but `{}` has no transition on `{name}`",
                        machine.actions[action].name, state.name, t.loc.line, state.name
                    ),
                )
                .help(format!(
                    "add `{{ from: {}, on: {name}, ... }}`: when the action fails the session stays in \
                     `{}` and handles `{name}` there",
                    state.name, state.name
                )),
            ),
            (None, Some(t)) => errors.push(
                Diagnostic::new(
                    t.loc,
                    format!("`{name}` cannot happen in `{}`: no action run there fails with it", state.name),
                )
                .help(format!(
                    "remove `{}` from this transition's `from`; a failure event is handled only in the \
                     states whose transitions run an action that fails with it",
                    state.name
                )),
            ),
            _ => {}
        }
    }
}
