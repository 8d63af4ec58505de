//! Declarations: the subject, states, events (with payload fields), actions and guards.

use std::collections::HashMap;

use super::names::{self, Symbols};
use crate::diagnostic::{Diagnostic, Loc};
use crate::model::{Action, Event, Field, Item, Source, State};
use crate::parse::{RawAction, RawTable};

/// Everything declared, with the name tables used to resolve references.
pub struct Declared {
    pub subject: String,
    pub states: Vec<State>,
    pub events: Vec<Event>,
    pub actions: Vec<Action>,
    pub guards: Vec<Item>,
    pub state_names: Symbols,
    pub event_names: Symbols,
    pub action_names: Symbols,
    pub guard_names: Symbols,
}

pub fn declare(raw: &RawTable, errors: &mut Vec<Diagnostic>) -> Declared {
    if let Err(error) = names::type_name("machine", &raw.machine.value, Loc::of(&raw.machine)) {
        errors.push(error);
    }
    let subject = names::subject(raw.subject.as_ref(), &raw.machine.value).unwrap_or_else(|error| {
        errors.push(error);
        String::new()
    });
    let state_names = Symbols::declare("state", raw.states.0.iter().map(|(n, _)| n), errors);
    let event_names = Symbols::declare("event", raw.events.0.iter().map(|(n, _)| n), errors);
    let action_names = Symbols::declare("action", raw.actions.0.iter().map(|(n, _)| n), errors);
    let guard_names = Symbols::declare("guard", raw.guards.0.iter().map(|(n, _)| n), errors);

    let states = first_of_each(&raw.states.0)
        .map(|(name, def)| State {
            name: name.value.clone(),
            doc: def.doc.clone(),
            initial: def.initial,
            terminal: def.terminal,
            loc: Loc::of(name),
        })
        .collect();

    let events = first_of_each(&raw.events.0)
        .map(|(name, def)| Event {
            name: name.value.clone(),
            doc: def.doc.clone(),
            source: source(&def.source, errors),
            fields: fields(&name.value, &def.fields.0, errors),
            loc: Loc::of(name),
        })
        .collect();

    // `fails` names an event: resolved with the other references, in `resolve`.
    let actions: Vec<Action> = first_of_each(&raw.actions.0)
        .map(|(name, RawAction { doc, .. })| Action {
            name: name.value.clone(),
            doc: doc.clone(),
            fails: None,
            loc: Loc::of(name),
        })
        .collect();
    method_collisions(&actions, errors);
    let guards = items(&raw.guards.0);

    Declared { subject, states, events, actions, guards, state_names, event_names, action_names, guard_names }
}

/// Entries without repeated names (a repeat is already reported by [`Symbols::declare`]).
pub fn first_of_each<V>(
    entries: &[(crate::parse::Name, V)],
) -> impl Iterator<Item = &(crate::parse::Name, V)> {
    let mut seen = std::collections::HashSet::new();
    entries.iter().filter(move |(name, _)| seen.insert(name.value.as_str()))
}

fn items(entries: &[(crate::parse::Name, serde_saphyr::Spanned<String>)]) -> Vec<Item> {
    first_of_each(entries)
        .map(|(name, doc)| Item { name: name.value.clone(), doc: doc.value.clone(), loc: Loc::of(name) })
        .collect()
}

fn source(raw: &serde_saphyr::Spanned<String>, errors: &mut Vec<Diagnostic>) -> Source {
    let found = Source::ALL.iter().find(|(_, name)| *name == raw.value);
    match found {
        Some((source, _)) => *source,
        None => {
            let valid: Vec<&str> = Source::ALL.iter().map(|(_, name)| *name).collect();
            errors.push(
                Diagnostic::new(Loc::of(raw), format!("unknown event source `{}`", raw.value))
                    .help(format!("use one of: {}", valid.join(", "))),
            );
            Source::Command
        }
    }
}

fn fields(
    event: &str,
    raw: &[(crate::parse::Name, serde_saphyr::Spanned<String>)],
    errors: &mut Vec<Diagnostic>,
) -> Vec<Field> {
    let mut seen: HashMap<&str, Loc> = HashMap::new();
    let mut fields = Vec::new();
    for (name, ty) in raw {
        let loc = Loc::of(name);
        if let Err(error) = names::field_name(&name.value, loc) {
            errors.push(error);
        }
        if let Some(first) = seen.insert(&name.value, loc) {
            errors.push(
                Diagnostic::new(loc, format!("duplicate field `{}` in event `{event}`", name.value))
                    .help(format!("first declared at {first}")),
            );
            continue;
        }
        if syn::parse_str::<syn::Type>(&ty.value).is_err() {
            errors.push(
                Diagnostic::new(Loc::of(ty), format!("`{}` is not a Rust type", ty.value))
                    .help("write a type such as `String`, `u16` or `Option<String>`"),
            );
        }
        fields.push(Field { name: name.value.clone(), ty: ty.value.clone() });
    }
    fields
}

/// Two actions whose method names would be the same (`SendOk`, `SendOK` → `send_ok`).
fn method_collisions(actions: &[Action], errors: &mut Vec<Diagnostic>) {
    let mut methods: HashMap<String, &Action> = HashMap::new();
    for action in actions {
        let method = heck::AsSnakeCase(&action.name).to_string();
        if let Some(first) = methods.insert(method.clone(), action) {
            errors.push(
                Diagnostic::new(
                    action.loc,
                    format!(
                        "actions `{}` and `{}` both become the method `{method}`",
                        first.name, action.name
                    ),
                )
                .help("rename one of them"),
            );
        }
    }
}
