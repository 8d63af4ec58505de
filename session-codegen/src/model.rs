//! Stage 2 output: a checked machine whose names all resolve to indices.
//!
//! Items keep the order in which the table declares them, so generated enums read in
//! lifecycle order and the output is stable from one build to the next.

use crate::diagnostic::Loc;

/// A checked state machine.
#[derive(Clone, Debug)]
pub struct Machine {
    /// The machine's name (`Session` gives the trait `SessionActions`).
    pub name: String,
    /// What its instances are called in messages and docs (`call`, `registration`):
    /// lowercase words, checked.
    pub subject: String,
    /// States in declaration order.
    pub states: Vec<State>,
    /// Events in declaration order.
    pub events: Vec<Event>,
    /// Actions in declaration order.
    pub actions: Vec<Action>,
    /// Guards in declaration order.
    pub guards: Vec<Item>,
    /// Transitions, one per source state, in table order.
    pub transitions: Vec<Transition>,
    /// Pairs that deliberately have no transition, one per (state, event).
    pub unhandled: Vec<Unhandled>,
    /// Indices of the events every live state must handle.
    pub must_handle: Vec<usize>,
}

/// A state.
#[derive(Clone, Debug)]
pub struct State {
    /// Its name, a Rust identifier.
    pub name: String,
    /// What it means.
    pub doc: Option<String>,
    /// The state sessions start in.
    pub initial: bool,
    /// A state sessions never leave.
    pub terminal: bool,
    /// Where it is declared.
    pub loc: Loc,
}

/// Where an event comes from; decides how an unhandled event is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A call the application makes (dial, answer, hold, …).
    Command,
    /// A SIP request from the peer.
    Request,
    /// The ACK that completes an INVITE transaction: a request that is never answered.
    Ack,
    /// A SIP response to one of our requests.
    Response,
    /// A timer that fired.
    Timer,
    /// A transport failure.
    Transport,
    /// Something the media path observed (DTMF, say).
    Media,
    /// Another usage of the same dialog reported (a REFER's subscription telling its
    /// call how the transfer goes).
    Usage,
    /// An action failed: the event an action's `fails:` names, raised instead of
    /// finishing the transition.
    Failure,
}

impl Source {
    /// Every source with its spelling in the table.
    pub const ALL: [(Source, &'static str); 9] = [
        (Source::Command, "command"),
        (Source::Request, "request"),
        (Source::Ack, "ack"),
        (Source::Response, "response"),
        (Source::Timer, "timer"),
        (Source::Transport, "transport"),
        (Source::Media, "media"),
        (Source::Usage, "usage"),
        (Source::Failure, "failure"),
    ];

    /// What the source means, for generated docs.
    pub fn doc(self) -> &'static str {
        match self {
            Source::Command => "The application asked; refused commands return an invalid-state error.",
            Source::Request => "A SIP request from the peer; each needs an answer.",
            Source::Ack => "The ACK that completes an INVITE transaction; never answered.",
            Source::Response => "A SIP response to one of our requests.",
            Source::Timer => "A timer fired.",
            Source::Transport => "The transport failed.",
            Source::Media => "The media path observed something.",
            Source::Usage => "Another usage of the same dialog reported something.",
            Source::Failure => "An action failed; the table says what happens next.",
        }
    }

    /// The spelling used in the table.
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(source, _)| *source == self).map_or("?", |(_, name)| name)
    }
}

/// An event.
#[derive(Clone, Debug)]
pub struct Event {
    /// Its name, a Rust identifier.
    pub name: String,
    /// What it means.
    pub doc: Option<String>,
    /// Where it comes from.
    pub source: Source,
    /// Its payload, in declaration order.
    pub fields: Vec<Field>,
    /// Where it is declared.
    pub loc: Loc,
}

/// A payload field of an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Field name, a snake_case Rust identifier.
    pub name: String,
    /// Rust type, as written in the table (already checked to parse).
    pub ty: String,
}

/// An action: a name, what it does, and the event it raises when it fails.
#[derive(Clone, Debug)]
pub struct Action {
    /// Its name, a Rust identifier.
    pub name: String,
    /// What it does.
    pub doc: String,
    /// Index into [`Machine::events`] of the `failure` event it raises when it fails;
    /// `None` for an action that cannot fail.
    pub fails: Option<usize>,
    /// Where it is declared.
    pub loc: Loc,
}

/// A guard: a name and what it tests.
#[derive(Clone, Debug)]
pub struct Item {
    /// Its name, a Rust identifier.
    pub name: String,
    /// What it does.
    pub doc: String,
    /// Where it is declared.
    pub loc: Loc,
}

/// A guard on a transition, possibly negated (`!HasSdp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GuardRef {
    /// Index into [`Machine::guards`].
    pub guard: usize,
    /// True for `!Guard`.
    pub negated: bool,
}

/// One transition arm.
#[derive(Clone, Debug)]
pub struct Transition {
    /// Source state index.
    pub from: usize,
    /// Event index.
    pub event: usize,
    /// Optional guard.
    pub guard: Option<GuardRef>,
    /// Action indices, run in order.
    pub actions: Vec<usize>,
    /// Target state index.
    pub to: usize,
    /// Where the transition's `on:` is written.
    pub loc: Loc,
}

/// What happens to an event that a state deliberately does not handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// Dropped (logged at debug level).
    Ignore,
    /// A command refused with an invalid-state error.
    Reject,
    /// A request answered with this SIP status code.
    Respond(u16),
}

/// A (state, event) pair without a transition, and what happens instead.
#[derive(Clone, Debug)]
pub struct Unhandled {
    /// State index.
    pub state: usize,
    /// Event index.
    pub event: usize,
    /// What the runtime does.
    pub disposition: Disposition,
    /// Where the event is listed.
    pub loc: Loc,
}

impl Machine {
    /// Index of the initial state (the checker guarantees exactly one).
    pub fn initial(&self) -> usize {
        self.states.iter().position(|s| s.initial).unwrap_or(0)
    }

    /// Transitions leaving `state` on `event`, in table order.
    pub fn arms(&self, state: usize, event: usize) -> impl Iterator<Item = &Transition> {
        self.transitions.iter().filter(move |t| t.from == state && t.event == event)
    }

    /// The deliberate disposition of `(state, event)`, if listed.
    pub fn disposition(&self, state: usize, event: usize) -> Option<Disposition> {
        self.unhandled.iter().find(|u| u.state == state && u.event == event).map(|u| u.disposition)
    }

    /// The fields of an action's input: those shared (same name and type) by every
    /// event that triggers the action, in the first trigger's order.
    pub fn action_inputs(&self, action: usize) -> Vec<Field> {
        let mut triggers = self.action_triggers(action).into_iter();
        let Some(first) = triggers.next() else {
            return Vec::new();
        };
        let rest: Vec<usize> = triggers.collect();
        self.events[first]
            .fields
            .iter()
            .filter(|f| rest.iter().all(|&e| self.events[e].fields.contains(f)))
            .cloned()
            .collect()
    }

    /// The transitions out of `state` that run an action failing with `event`, each
    /// with the first such action, in table order: where `event` can happen.
    pub fn raisers(&self, state: usize, event: usize) -> impl Iterator<Item = (usize, &Transition)> {
        self.transitions.iter().filter(move |t| t.from == state).filter_map(move |t| {
            t.actions.iter().find(|&&a| self.actions[a].fails == Some(event)).map(|&a| (a, t))
        })
    }

    /// The distinct events that trigger an action, in declaration order.
    pub fn action_triggers(&self, action: usize) -> Vec<usize> {
        let mut events: Vec<usize> =
            self.transitions.iter().filter(|t| t.actions.contains(&action)).map(|t| t.event).collect();
        events.sort_unstable();
        events.dedup();
        events
    }
}
