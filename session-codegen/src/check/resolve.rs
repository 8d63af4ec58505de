//! References: transitions, unhandled groups, must-handle events and actions' `fails:`
//! name things that exist, each kind of event gets a disposition that suits it, and an
//! action fails only with a `failure` event.

use super::declare::{self, Declared};
use crate::diagnostic::{Diagnostic, Loc};
use crate::model::{Disposition, GuardRef, Machine, Source, Transition, Unhandled};
use crate::parse::{Name, RawTable};

pub fn resolve(raw: &RawTable, mut declared: Declared, errors: &mut Vec<Diagnostic>) -> Machine {
    failures(raw, &mut declared, errors);
    let mut transitions = Vec::new();
    for raw_t in &raw.transitions {
        let event = keep(errors, declared.event_names.resolve(&raw_t.on));
        let to = raw_t.to.as_ref().map(|to| keep(errors, declared.state_names.resolve(to)));
        let guard = raw_t.guard.as_ref().map(|g| keep(errors, guard_ref(&declared, g)));
        let actions: Vec<Option<usize>> =
            raw_t.actions.iter().map(|a| keep(errors, declared.action_names.resolve(a))).collect();
        for from in &raw_t.from.0 {
            let from = keep(errors, declared.state_names.resolve(from));
            let to = to.unwrap_or(from);
            if let (Some(from), Some(event), Some(to)) = (from, event, to) {
                transitions.push(Transition {
                    from,
                    event,
                    guard: guard.flatten(),
                    actions: actions.iter().flatten().copied().collect(),
                    to,
                    loc: Loc::of(&raw_t.on),
                });
            }
        }
    }

    let mut must_handle = Vec::new();
    for name in &raw.must_handle {
        let Some(event) = keep(errors, declared.event_names.resolve(name)) else {
            continue;
        };
        if declared.events[event].source == Source::Failure {
            errors.push(
                Diagnostic::new(
                    Loc::of(name),
                    format!("failure event `{}` cannot be must-handle", name.value),
                )
                .help(
                    "it happens only where an action that fails with it runs, and must be \
                     handled there; remove it from `must_handle`",
                ),
            );
            continue;
        }
        must_handle.push(event);
    }

    let mut unhandled = Vec::new();
    for group in &raw.unhandled {
        let states: Vec<usize> =
            group.states.0.iter().filter_map(|s| keep(errors, declared.state_names.resolve(s))).collect();
        let listed = group
            .ignore
            .iter()
            .map(|e| (e, Disposition::Ignore))
            .chain(group.reject.iter().map(|e| (e, Disposition::Reject)))
            .chain(group.respond.0.iter().map(|(e, code)| (e, Disposition::Respond(code.value))));
        for (name, disposition) in listed {
            let Some(event) = keep(errors, declared.event_names.resolve(name)) else {
                continue;
            };
            let source = declared.events[event].source;
            if let Err(error) = fits(name, source, disposition) {
                errors.push(error);
                continue;
            }
            for &state in &states {
                unhandled.push(Unhandled { state, event, disposition, loc: Loc::of(name) });
            }
        }
    }

    Machine {
        name: raw.machine.value.clone(),
        subject: declared.subject,
        states: declared.states,
        events: declared.events,
        actions: declared.actions,
        guards: declared.guards,
        transitions,
        unhandled,
        must_handle,
    }
}

/// Each action's `fails:` names a declared event whose source is `failure`.
fn failures(raw: &RawTable, declared: &mut Declared, errors: &mut Vec<Diagnostic>) {
    // `declared.actions` holds the first declaration of each name, in order.
    let definitions = declare::first_of_each(&raw.actions.0);
    for (action, (_, definition)) in declared.actions.iter_mut().zip(definitions) {
        let Some(name) = &definition.fails else {
            continue;
        };
        let hint = "declare it under `events:` with `source: failure`";
        let Some(event) = keep(errors, declared.event_names.resolve_hinted(name, hint)) else {
            continue;
        };
        let found = &declared.events[event];
        if found.source == Source::Failure {
            action.fails = Some(event);
            continue;
        }
        errors.push(
            Diagnostic::new(
                Loc::of(name),
                format!(
                    "action `{}` fails with `{}`, a {} event; an action can only fail with a failure event",
                    action.name,
                    found.name,
                    found.source.as_str()
                ),
            )
            .help(format!(
                "declare an event with `source: failure` for it to raise, e.g. `{}Failed: {{ source: failure }}`",
                action.name
            )),
        );
    }
}

/// The value, or `None` with the error recorded.
fn keep<T>(errors: &mut Vec<Diagnostic>, result: Result<T, Diagnostic>) -> Option<T> {
    result.map_err(|error| errors.push(error)).ok()
}

/// `Guard` or `!Guard`; the position of the name itself is reported for typos.
fn guard_ref(declared: &Declared, raw: &Name) -> Result<GuardRef, Diagnostic> {
    let loc = Loc::of(raw);
    let text = raw.value.trim();
    let (negated, name, loc) = match text.strip_prefix('!') {
        Some(rest) => (true, rest.trim_start(), Loc { column: loc.column + 1, ..loc }),
        None => (false, text, loc),
    };
    let guard = declared.guard_names.lookup(name, loc)?;
    Ok(GuardRef { guard, negated })
}

/// Each kind of event has the dispositions that make sense for it: commands are refused
/// to the caller, requests answered with a status code, everything else dropped.
fn fits(name: &Name, source: Source, disposition: Disposition) -> Result<(), Diagnostic> {
    let loc = Loc::of(name);
    let event = &name.value;
    match (source, disposition) {
        (Source::Command, Disposition::Reject) => Ok(()),
        (Source::Command, _) => {
            Err(Diagnostic::new(loc, format!("command event `{event}` can only be listed under `reject`"))
                .help("an application call must not vanish: the API refuses it with an invalid-state error"))
        }
        (Source::Request, Disposition::Respond(code)) if (300..=699).contains(&code) => Ok(()),
        (Source::Request, Disposition::Respond(code)) => {
            Err(Diagnostic::new(loc, format!("`{code}` is not a final non-2xx SIP status for `{event}`"))
                .help("use a code from 300 to 699, e.g. 481, 488 or 491"))
        }
        (Source::Request, _) => {
            Err(Diagnostic::new(loc, format!("request event `{event}` can only be listed under `respond`"))
                .help("a SIP request needs an answer: give the status code, e.g. `respond: { Event: 491 }`"))
        }
        (Source::Failure, _) => {
            Err(Diagnostic::new(loc, format!("failure event `{event}` cannot be listed under `unhandled`"))
                .help(
                    "failure events are handled by transitions: add one on it from each state where \
                     an action that fails with it runs; elsewhere it cannot happen and needs no listing",
                ))
        }
        (_, Disposition::Ignore) => Ok(()),
        (_, _) => Err(Diagnostic::new(
            loc,
            format!("{} event `{event}` can only be listed under `ignore`", source.as_str()),
        )
        .help("only commands are rejected and only requests are answered")),
    }
}
