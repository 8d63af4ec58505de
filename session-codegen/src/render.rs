//! Text renderings of a checked machine: Mermaid and DOT graphs for docs, and a plain
//! listing of every transition and disposition for review in snapshot diffs.

use std::fmt::Write;

use crate::model::{Disposition, Machine, Transition};

/// The label of a transition edge: `Event` or `Event [Guard]` / `Event [!Guard]`.
pub fn edge_label(machine: &Machine, t: &Transition) -> String {
    let event = &machine.events[t.event].name;
    match t.guard {
        None => event.clone(),
        Some(g) => {
            let bang = if g.negated { "!" } else { "" };
            format!("{event} [{bang}{}]", machine.guards[g.guard].name)
        }
    }
}

/// The machine as a Mermaid `stateDiagram-v2`.
pub fn mermaid(machine: &Machine) -> String {
    let mut out = String::from("stateDiagram-v2\n");
    for state in machine.states.iter().filter(|s| s.initial) {
        let _ = writeln!(out, "    [*] --> {}", state.name);
    }
    for t in &machine.transitions {
        let (from, to) = (&machine.states[t.from].name, &machine.states[t.to].name);
        let _ = writeln!(out, "    {from} --> {to} : {}", edge_label(machine, t));
    }
    for state in machine.states.iter().filter(|s| s.terminal) {
        let _ = writeln!(out, "    {} --> [*]", state.name);
    }
    out
}

/// The machine as a Graphviz DOT digraph.
pub fn dot(machine: &Machine) -> String {
    let mut out = format!(
        "digraph {} {{\n    rankdir=LR;\n    node [shape=box, style=rounded];\n    start [shape=point];\n",
        machine.name
    );
    for state in &machine.states {
        let shape = if state.terminal { " [peripheries=2]" } else { "" };
        let _ = writeln!(out, "    {}{shape};", state.name);
    }
    for state in machine.states.iter().filter(|s| s.initial) {
        let _ = writeln!(out, "    start -> {};", state.name);
    }
    for t in &machine.transitions {
        let (from, to) = (&machine.states[t.from].name, &machine.states[t.to].name);
        let _ = writeln!(out, "    {from} -> {to} [label=\"{}\"];", edge_label(machine, t));
    }
    out.push_str("}\n");
    out
}

/// One line per transition (`From --Event [Guard]--> To: Action, Action`, an action that
/// can fail written `Action (fails: Event)`), then per state the events it ignores,
/// rejects or answers: the whole behaviour, for review.
pub fn listing(machine: &Machine) -> String {
    let mut out = String::new();
    for t in &machine.transitions {
        let actions: Vec<String> = t
            .actions
            .iter()
            .map(|&a| {
                let action = &machine.actions[a];
                match action.fails {
                    Some(event) => format!("{} (fails: {})", action.name, machine.events[event].name),
                    None => action.name.clone(),
                }
            })
            .collect();
        let _ = writeln!(
            out,
            "{} --{}--> {}: {}",
            machine.states[t.from].name,
            edge_label(machine, t),
            machine.states[t.to].name,
            if actions.is_empty() { "-".to_owned() } else { actions.join(", ") }
        );
    }
    for (index, state) in machine.states.iter().enumerate() {
        let of = |wanted: fn(Disposition) -> bool| -> Vec<String> {
            machine
                .unhandled
                .iter()
                .filter(|u| u.state == index && wanted(u.disposition))
                .map(|u| match u.disposition {
                    Disposition::Respond(code) => {
                        format!("{} ({code})", machine.events[u.event].name)
                    }
                    _ => machine.events[u.event].name.clone(),
                })
                .collect()
        };
        for (verb, list) in [
            ("ignores", of(|d| d == Disposition::Ignore)),
            ("rejects", of(|d| d == Disposition::Reject)),
            ("answers", of(|d| matches!(d, Disposition::Respond(_)))),
        ] {
            if !list.is_empty() {
                let _ = writeln!(out, "{} {verb}: {}", state.name, list.join(", "));
            }
        }
    }
    out
}

/// The Markdown page for `docs/state-graph.md`: the Mermaid diagram and the listing.
pub fn graph_page(machine: &Machine, table: &str) -> String {
    let fails = if machine.actions.iter().any(|a| a.fails.is_some()) {
        "\nAn action written `Action (fails: Event)` can fail: the session then stays in `From`\n\
         and handles `Event` there."
    } else {
        ""
    };
    format!(
        "# The `{name}` state graph\n\n\
         Generated from `{table}` by `build.rs`; a test fails when this page is out of date.\n\
         Regenerate it with `UPDATE_STATE_GRAPH=1 cargo test --test state_graph_doc`.\n\n\
         ```mermaid\n{mermaid}```\n\n\
         ## Every transition\n\n\
         `From --Event [Guard]--> To: actions`, then what each state ignores, rejects or answers.{fails}\n\n\
         ```text\n{listing}```\n",
        name = machine.name,
        mermaid = mermaid(machine),
        listing = listing(machine),
    )
}
