//! The graph: every state reachable from the initial one, and every non-terminal state
//! with a way out to a terminal one.

use crate::diagnostic::Diagnostic;
use crate::model::Machine;

pub fn check(machine: &Machine, errors: &mut Vec<Diagnostic>) {
    if machine.states.iter().filter(|s| s.initial).count() != 1 {
        return; // reported by the rules; reachability would only repeat it
    }
    let forward = closure(machine, &[machine.initial()], |t| (t.from, t.to));
    for (index, state) in machine.states.iter().enumerate() {
        if !forward[index] {
            errors.push(
                Diagnostic::new(
                    state.loc,
                    format!(
                        "state `{}` is unreachable from `{}`",
                        state.name,
                        machine.states[machine.initial()].name
                    ),
                )
                .help("add a transition into it, or remove it"),
            );
        }
    }
    let terminals: Vec<usize> = (0..machine.states.len()).filter(|&s| machine.states[s].terminal).collect();
    let backward = closure(machine, &terminals, |t| (t.to, t.from));
    for (index, state) in machine.states.iter().enumerate() {
        if forward[index] && !backward[index] {
            errors.push(
                Diagnostic::new(state.loc, format!("no terminal state can be reached from `{}`", state.name))
                    .help("a call stuck here could never end; add a transition towards a terminal state"),
            );
        }
    }
}

/// States reachable from `start` following each transition as `edge(t) = (a, b)`: a → b.
fn closure(
    machine: &Machine,
    start: &[usize],
    edge: impl Fn(&crate::model::Transition) -> (usize, usize),
) -> Vec<bool> {
    let mut seen = vec![false; machine.states.len()];
    let mut stack: Vec<usize> = start.to_vec();
    while let Some(state) = stack.pop() {
        if std::mem::replace(&mut seen[state], true) {
            continue;
        }
        for t in &machine.transitions {
            let (a, b) = edge(t);
            if a == state && !seen[b] {
                stack.push(b);
            }
        }
    }
    seen
}
