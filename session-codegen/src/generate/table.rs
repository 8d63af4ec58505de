//! The transition relation: static introspection lists, the graphs, and the one
//! `transition` function that matches on every state with no wildcard arm.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Origin, ident};
use crate::model::{Disposition, GuardRef, Machine, Source, Transition};
use crate::render;

/// The `transition` function (no wildcard arm), the static transition list and the
/// graph texts.
pub fn generate(machine: &Machine, origin: &Origin) -> TokenStream {
    let file = &origin.display;
    let entries = machine.transitions.iter().map(|t| {
        let (from, event, to) = (
            ident(&machine.states[t.from].name),
            ident(&machine.events[t.event].name),
            ident(&machine.states[t.to].name),
        );
        let guard = match t.guard {
            None => quote! { None },
            Some(GuardRef { guard, negated }) => {
                let guard = ident(&machine.guards[guard].name);
                quote! { Some((Guard::#guard, #negated)) }
            }
        };
        let actions = t.actions.iter().map(|&a| ident(&machine.actions[a].name));
        let line = t.loc.line;
        quote! {
            Transition {
                from: State::#from, event: EventKind::#event, guard: #guard,
                actions: &[#( Action::#actions ),*], to: State::#to, line: #line,
            }
        }
    });
    let transition_count = machine.transitions.len();
    let unhandled = machine.unhandled.iter().map(|u| {
        let (state, event) = (ident(&machine.states[u.state].name), ident(&machine.events[u.event].name));
        let disposition = disposition(u.disposition);
        quote! { (State::#state, EventKind::#event, #disposition) }
    });
    let unhandled_count = machine.unhandled.len();
    let mermaid = render::mermaid(machine);
    let dot = render::dot(machine);
    let line_doc = super::doc(&format!("Line of the transition in `{file}`."));
    let unused_guard = machine.guards.is_empty().then(|| quote! { let _ = guard; });
    let arms = machine.states.iter().enumerate().map(|(s, state)| state_arm(machine, s, &state.name, file));

    quote! {
        /// One row of the table: leave `from` on `event` (when `guard` holds), run
        /// `actions` in order, enter `to`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct Transition {
            /// Source state.
            pub from: State,
            /// Triggering event.
            pub event: EventKind,
            /// Guard and whether it is negated (`!Guard`).
            pub guard: Option<(Guard, bool)>,
            /// Actions, run in order.
            pub actions: &'static [Action],
            /// Target state.
            pub to: State,
            #line_doc
            pub line: u32,
        }

        /// What the runtime does with an event a state has no transition for.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Disposition {
            /// Drop it.
            Ignore,
            /// Refuse the command with an invalid-state error.
            Reject,
            /// Answer the request with this SIP status code.
            Respond(u16),
        }

        /// Every transition, in table order.
        pub static TRANSITIONS: [Transition; #transition_count] = [#( #entries ),*];

        /// Every (state, event) pair that deliberately has no transition.
        pub static UNHANDLED: [(State, EventKind, Disposition); #unhandled_count] = [#( #unhandled ),*];

        /// The machine as a Mermaid `stateDiagram-v2`.
        pub const MERMAID: &str = #mermaid;

        /// The machine as a Graphviz DOT digraph.
        pub const DOT: &str = #dot;

        /// The result of feeding an event to [`transition`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Outcome {
            /// Run the transition's actions in order, then enter its `to` state.
            Transition(&'static Transition),
            /// Nothing happens.
            Ignored,
            /// A command that is not allowed in this state.
            Rejected,
            /// A request to answer with this SIP status code.
            Respond(u16),
        }

        /// The whole table as one function: what `event` does in `state`.
        ///
        /// `guard` is asked only for the guards of the arms that `event` can take, in
        /// table order. Terminal states ignore every event. A failure event is ignored
        /// in a state where no action that fails with it runs: it cannot happen there.
        ///
        /// After `Outcome::Transition(t)`, run `t.actions` with [`perform_all`]; if one
        /// fails, stay in `state` and feed the failure event it returned to this function.
        #[allow(unused_doc_comments)] // the per-arm docs name their YAML line for readers
        #[inline]
        pub fn transition(
            state: State,
            event: &Event,
            guard: &mut impl FnMut(Guard) -> bool,
        ) -> Outcome {
            #unused_guard
            match state {
                #( #arms )*
            }
        }
    }
}

fn disposition(disposition: Disposition) -> TokenStream {
    match disposition {
        Disposition::Ignore => quote! { Disposition::Ignore },
        Disposition::Reject => quote! { Disposition::Reject },
        Disposition::Respond(code) => quote! { Disposition::Respond(#code) },
    }
}

/// `State::X => match event { ... }`, or `State::X => Outcome::Ignored` when terminal.
fn state_arm(machine: &Machine, s: usize, name: &str, file: &str) -> TokenStream {
    let state = ident(name);
    if machine.states[s].terminal {
        let docs = format!(" `{name}` is terminal: every event is ignored.");
        return quote! { #[doc = #docs] State::#state => Outcome::Ignored, };
    }
    let event_arms = machine.events.iter().enumerate().map(|(e, event)| {
        let name = ident(&event.name);
        let pattern = if event.fields.is_empty() {
            quote! { Event::#name }
        } else {
            quote! { Event::#name { .. } }
        };
        let arms: Vec<(usize, &Transition)> =
            machine.transitions.iter().enumerate().filter(|(_, t)| t.from == s && t.event == e).collect();
        if arms.is_empty() && event.source == Source::Failure {
            // Checked: a failure event has a transition wherever it can happen.
            let docs = format!(
                " `{}` cannot happen in `{}`: no action run there fails with it; ignored",
                event.name, machine.states[s].name
            );
            return quote! { #[doc = #docs] #pattern => Outcome::Ignored, };
        }
        if arms.is_empty() {
            let (disposition, line) = machine
                .unhandled
                .iter()
                .find(|u| u.state == s && u.event == e)
                .map(|u| (u.disposition, u.loc.line))
                .expect("checked: every pair is handled or listed");
            let (outcome, what) = match disposition {
                Disposition::Ignore => (quote! { Outcome::Ignored }, "ignored".to_owned()),
                Disposition::Reject => (quote! { Outcome::Rejected }, "rejected".to_owned()),
                Disposition::Respond(code) => {
                    (quote! { Outcome::Respond(#code) }, format!("answered {code}"))
                }
            };
            let docs = format!(" {file}:{line}: {what}");
            return quote! { #[doc = #docs] #pattern => #outcome, };
        }
        let docs = arms.iter().map(|(_, t)| {
            format!(" {file}:{}: {}", t.loc.line, render::edge_label(machine, t))
                + &format!(" -> {}", machine.states[t.to].name)
        });
        let body = guarded_chain(machine, &arms);
        quote! { #( #[doc = #docs] )* #pattern => #body, }
    });
    quote! {
        State::#state => match event {
            #( #event_arms )*
        },
    }
}

/// Guarded arms in table order, the unguarded one (if any) last; without one, the arm
/// whose guard complements an earlier one is the final `else`.
fn guarded_chain(machine: &Machine, arms: &[(usize, &Transition)]) -> TokenStream {
    let goto = |index: usize| quote! { Outcome::Transition(&TRANSITIONS[#index]) };
    let fallback = arms.iter().find(|(_, t)| t.guard.is_none()).map(|(i, _)| *i);
    let mut branches = Vec::new();
    let mut last = fallback;
    for (i, (index, t)) in arms.iter().enumerate() {
        let Some(g) = t.guard else { continue };
        let complements_earlier = arms[..i]
            .iter()
            .any(|(_, e)| e.guard.is_some_and(|h| h.guard == g.guard && h.negated != g.negated));
        if fallback.is_none() && complements_earlier {
            last = Some(*index);
            break;
        }
        let name = ident(&machine.guards[g.guard].name);
        let test = if g.negated {
            quote! { !guard(Guard::#name) }
        } else {
            quote! { guard(Guard::#name) }
        };
        branches.push((test, goto(*index)));
    }
    let last = goto(last.expect("checked: every guarded group has a fallback or a complement"));
    let tests = branches.iter().map(|(test, _)| test);
    let outcomes = branches.iter().map(|(_, outcome)| outcome);
    quote! { #( if #tests { #outcomes } else )* { #last } }
}
