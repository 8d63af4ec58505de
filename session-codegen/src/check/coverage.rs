//! Accounting: every (state, event) pair of a non-terminal state has a transition or a
//! deliberate disposition, live states handle the must-handle events, and nothing is
//! declared without being used.

use crate::diagnostic::Diagnostic;
use crate::model::{Machine, Source};

pub fn check(machine: &Machine, errors: &mut Vec<Diagnostic>) {
    listed_once(machine, errors);
    unused(machine, errors);
    // Which states are live depends on which one is initial; with none or several
    // (already reported) these checks would only add noise.
    if machine.states.iter().filter(|s| s.initial).count() == 1 {
        completeness(machine, errors);
        must_handle(machine, errors);
    }
}

/// A pair is listed at most once, and not both listed and handled.
fn listed_once(machine: &Machine, errors: &mut Vec<Diagnostic>) {
    for (i, u) in machine.unhandled.iter().enumerate() {
        let (state, event) = (&machine.states[u.state].name, &machine.events[u.event].name);
        if let Some(earlier) =
            machine.unhandled[..i].iter().find(|e| e.state == u.state && e.event == u.event)
        {
            errors.push(
                Diagnostic::new(u.loc, format!("`{event}` in `{state}` is listed twice under `unhandled`"))
                    .help(format!("it is already listed at {}", earlier.loc)),
            );
        }
        if let Some(t) = machine.arms(u.state, u.event).next() {
            errors.push(
                Diagnostic::new(
                    u.loc,
                    format!("`{event}` in `{state}` is listed under `unhandled` but has a transition"),
                )
                .help(format!("the transition is at {}; remove one of the two", t.loc)),
            );
        }
    }
}

/// A live state is one a call can be in: neither where it starts nor where it ends.
fn is_live(machine: &Machine, state: usize) -> bool {
    let s = &machine.states[state];
    !s.initial && !s.terminal
}

fn completeness(machine: &Machine, errors: &mut Vec<Diagnostic>) {
    for (index, state) in machine.states.iter().enumerate() {
        if state.terminal {
            continue;
        }
        let missing: Vec<&str> = (0..machine.events.len())
            .filter(|&e| !(is_live(machine, index) && machine.must_handle.contains(&e)))
            // Where a failure event can happen is checked in `failures`; elsewhere it
            // cannot happen and needs no listing.
            .filter(|&e| machine.events[e].source != Source::Failure)
            .filter(|&e| machine.arms(index, e).next().is_none())
            .filter(|&e| machine.disposition(index, e).is_none())
            .map(|e| machine.events[e].name.as_str())
            .collect();
        if !missing.is_empty() {
            errors.push(
                Diagnostic::new(
                    state.loc,
                    format!("state `{}` does not say what happens on: {}", state.name, missing.join(", ")),
                )
                .help("add a transition, or list the event under `unhandled` (ignore, reject or respond)"),
            );
        }
    }
}

fn must_handle(machine: &Machine, errors: &mut Vec<Diagnostic>) {
    for (index, state) in machine.states.iter().enumerate() {
        if !is_live(machine, index) {
            continue;
        }
        for &event in &machine.must_handle {
            if machine.arms(index, event).next().is_none() {
                errors.push(
                    Diagnostic::new(
                        state.loc,
                        format!(
                            "live state `{}` has no transition for must-handle event `{}`",
                            state.name, machine.events[event].name
                        ),
                    )
                    .help("every state a call can be in must react to it; add a transition"),
                );
            }
        }
    }
}

fn unused(machine: &Machine, errors: &mut Vec<Diagnostic>) {
    for (index, event) in machine.events.iter().enumerate() {
        if !machine.transitions.iter().any(|t| t.event == index) {
            errors.push(
                Diagnostic::new(
                    event.loc,
                    format!("event `{}` is declared but no transition uses it", event.name),
                )
                .help("remove it, or add the transition that handles it"),
            );
        }
    }
    for (index, action) in machine.actions.iter().enumerate() {
        if !machine.transitions.iter().any(|t| t.actions.contains(&index)) {
            errors.push(
                Diagnostic::new(
                    action.loc,
                    format!("action `{}` is declared but no transition runs it", action.name),
                )
                .help("remove it, or add it to a transition's `actions`"),
            );
        }
    }
    for (index, guard) in machine.guards.iter().enumerate() {
        if !machine.transitions.iter().any(|t| t.guard.is_some_and(|g| g.guard == index)) {
            errors.push(
                Diagnostic::new(
                    guard.loc,
                    format!("guard `{}` is declared but no transition uses it", guard.name),
                )
                .help("remove it, or use it in a transition's `guard`"),
            );
        }
    }
}
