//! The shape of the transition relation: one initial state, terminal states that stay
//! terminal, and at most one way to leave a state on an event.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Loc};
use crate::model::{Machine, Transition};

pub fn check(machine: &Machine, errors: &mut Vec<Diagnostic>) {
    initial_state(machine, errors);
    terminal_states(machine, errors);
    determinism(machine, errors);
}

fn initial_state(machine: &Machine, errors: &mut Vec<Diagnostic>) {
    let initial: Vec<_> = machine.states.iter().filter(|s| s.initial).collect();
    match initial.as_slice() {
        [] => {
            let loc = machine.states.first().map_or(Loc { line: 1, column: 1 }, |s| s.loc);
            errors.push(Diagnostic::new(loc, "no initial state").help("mark one state `initial: true`"));
        }
        [_] => {}
        [first, rest @ ..] => {
            for state in rest {
                errors.push(
                    Diagnostic::new(state.loc, format!("several initial states: `{}`", state.name))
                        .help(format!("`{}` at {} is already initial; keep one", first.name, first.loc)),
                );
            }
        }
    }
}

fn terminal_states(machine: &Machine, errors: &mut Vec<Diagnostic>) {
    for t in &machine.transitions {
        let from = &machine.states[t.from];
        if from.terminal {
            errors.push(
                Diagnostic::new(t.loc, format!("transition out of terminal state `{}`", from.name))
                    .help("a terminal state is final; remove the transition or drop `terminal: true`"),
            );
        }
    }
    for u in &machine.unhandled {
        let state = &machine.states[u.state];
        if state.terminal {
            errors.push(
                Diagnostic::new(u.loc, format!("terminal state `{}` listed under `unhandled`", state.name))
                    .help("terminal states ignore every event; remove it from `in:`"),
            );
        }
    }
}

/// Per (state, event): at most one unguarded arm, no guard written twice, and guarded
/// arms that cover every case (an unguarded fallback, or both `G` and `!G`).
fn determinism(machine: &Machine, errors: &mut Vec<Diagnostic>) {
    let mut groups: BTreeMap<(usize, usize), Vec<&Transition>> = BTreeMap::new();
    for t in &machine.transitions {
        groups.entry((t.from, t.event)).or_default().push(t);
    }
    for ((state, event), arms) in groups {
        let pair = format!("`{}` on `{}`", machine.states[state].name, machine.events[event].name);
        for (i, arm) in arms.iter().enumerate() {
            if let Some(earlier) = arms[..i].iter().find(|e| e.guard == arm.guard) {
                let why = match arm.guard {
                    None => "both are unguarded".to_owned(),
                    Some(_) => "both have the same guard".to_owned(),
                };
                errors.push(
                    Diagnostic::new(arm.loc, format!("nondeterministic transitions for {pair}: {why}"))
                        .help(format!("the other is at {}; add a guard that tells them apart", earlier.loc)),
                );
            }
        }
        let fallback = arms.iter().any(|a| a.guard.is_none());
        let complementary = arms.iter().filter_map(|a| a.guard).any(|g| {
            arms.iter().filter_map(|a| a.guard).any(|h| h.guard == g.guard && h.negated != g.negated)
        });
        let guarded = arms.iter().any(|a| a.guard.is_some());
        if guarded && !fallback && !complementary {
            errors.push(
                Diagnostic::new(
                    arms[0].loc,
                    format!("guarded transitions for {pair} do not cover every case"),
                )
                .help("add an unguarded fallback transition or the negated guard, so nothing falls through"),
            );
        }
        if fallback && complementary {
            let dead = arms.iter().find(|a| a.guard.is_none()).map_or(arms[0].loc, |a| a.loc);
            errors.push(
                Diagnostic::new(dead, format!("the unguarded transition for {pair} can never run"))
                    .help("its guarded siblings already cover both `G` and `!G`; remove it"),
            );
        }
    }
}
