//! Stage 1: YAML text to a raw table in which every name keeps its line and column.
//!
//! Nothing here knows what a valid table is; [`crate::check`] decides that. The raw
//! types mirror the YAML schema documented in `docs/state-table.md`.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{DuplicateKeyPolicy, Spanned};

use crate::diagnostic::{Diagnostic, Loc};

/// A name as written in the table, with its position.
pub type Name = Spanned<String>;

/// The whole table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    /// The machine's name: the action trait is called `<machine>Actions`.
    pub machine: Name,
    /// What the machine's instances are called in messages (`call` gives "while the call
    /// is Active"); lowercase words, the machine's name in lower case when left out.
    #[serde(default)]
    pub subject: Option<Name>,
    /// States, in declaration order.
    pub states: Entries<RawState>,
    /// Events, in declaration order.
    pub events: Entries<RawEvent>,
    /// Guards: name to description.
    #[serde(default)]
    pub guards: Entries<Spanned<String>>,
    /// Actions: name to description, or to `{ doc, fails }`.
    pub actions: Entries<RawAction>,
    /// Events that every live state must handle with a transition.
    #[serde(default)]
    pub must_handle: Vec<Name>,
    /// The transitions.
    pub transitions: Vec<RawTransition>,
    /// (state, event) pairs that deliberately have no transition.
    #[serde(default)]
    pub unhandled: Vec<RawUnhandled>,
}

/// One state.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawState {
    /// The state a new session starts in.
    #[serde(default)]
    pub initial: bool,
    /// A state a session never leaves.
    #[serde(default)]
    pub terminal: bool,
    /// What the state means.
    #[serde(default)]
    pub doc: Option<String>,
}

/// One event.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    /// Where the event comes from: command, request, ack, response, timer, transport,
    /// media or failure.
    pub source: Spanned<String>,
    /// What the event means.
    #[serde(default)]
    pub doc: Option<String>,
    /// Typed payload fields: name to Rust type.
    #[serde(default)]
    pub fields: Entries<Spanned<String>>,
}

/// One action: `Name: what it does`, or `Name: { doc: what it does, fails: Event }`
/// for an action that can fail and then raises the `failure` event `Event`.
#[derive(Debug)]
pub struct RawAction {
    /// What the action does.
    pub doc: String,
    /// The event the action raises when it fails.
    pub fails: Option<Name>,
}

/// The map form of an action, read field by field so that `fails` keeps its position.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawActionMap {
    doc: String,
    #[serde(default)]
    fails: Option<Name>,
}

impl<'de> Deserialize<'de> for RawAction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ActionVisitor;

        impl<'de> Visitor<'de> for ActionVisitor {
            type Value = RawAction;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("what the action does, or a mapping `{ doc: ..., fails: Event }`")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(RawAction { doc: value.to_owned(), fails: None })
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                // The fields are read from the YAML deserializer itself (not from a
                // buffer, as `#[serde(untagged)]` would), so `fails` keeps its position.
                let RawActionMap { doc, fails } =
                    RawActionMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawAction { doc, fails })
            }
        }

        deserializer.deserialize_any(ActionVisitor)
    }
}

/// One transition; `from` may list several states, each becomes its own arm.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransition {
    /// Source state(s).
    pub from: Names,
    /// The triggering event.
    pub on: Name,
    /// Optional guard, `Name` or `!Name`.
    #[serde(default)]
    pub guard: Option<Name>,
    /// Actions run in order.
    #[serde(default)]
    pub actions: Vec<Name>,
    /// Target state; without one the session stays in its `from` state.
    #[serde(default)]
    pub to: Option<Name>,
}

/// A group of (state, event) pairs that have no transition on purpose.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUnhandled {
    /// The states the group covers.
    #[serde(rename = "in")]
    pub states: Names,
    /// Events dropped without a trace beyond a debug log.
    #[serde(default)]
    pub ignore: Vec<Name>,
    /// Command events the API refuses with an invalid-state error.
    #[serde(default)]
    pub reject: Vec<Name>,
    /// Request events answered with the given SIP status code.
    #[serde(default)]
    pub respond: Entries<Spanned<u16>>,
}

/// An ordered mapping that keeps every key's position and any repeated keys, so that
/// the checker can report duplicates with both places.
#[derive(Debug)]
pub struct Entries<V>(pub Vec<(Name, V)>);

impl<V> Default for Entries<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = Entries<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of names")
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Entries::default())
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }

        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}

/// One name or a list of names (`from: Idle` or `from: [Active, OnHold]`).
#[derive(Debug)]
pub struct Names(pub Vec<Name>);

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NamesVisitor;

        impl<'de> Visitor<'de> for NamesVisitor {
            type Value = Vec<Name>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a state name or a list of state names")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
                // The position is filled in from the enclosing `Spanned` below.
                let nowhere = serde_saphyr::Location::UNKNOWN;
                Ok(vec![Spanned::new(value.to_owned(), nowhere, nowhere)])
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element()? {
                    names.push(name);
                }
                Ok(names)
            }
        }

        let outer = Spanned::<SeqOrStr>::deserialize(deserializer)?;
        let mut names = outer.value.0;
        if let [single] = names.as_mut_slice()
            && single.referenced == serde_saphyr::Location::UNKNOWN
        {
            single.referenced = outer.referenced;
            single.defined = outer.defined;
        }
        return Ok(Names(names));

        struct SeqOrStr(Vec<Name>);
        impl<'de> Deserialize<'de> for SeqOrStr {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(NamesVisitor).map(SeqOrStr)
            }
        }
    }
}

/// Parses table text, reporting YAML and schema errors at their position.
pub fn parse(source: &str) -> Result<RawTable, Diagnostic> {
    let options = serde_saphyr::options! {
        duplicate_keys: DuplicateKeyPolicy::PassThrough,
    };
    serde_saphyr::from_str_with_options(source, options).map_err(|error| {
        let loc = error.location().map(|l| Loc::from_location(&l)).unwrap_or(Loc { line: 1, column: 1 });
        Diagnostic::new(loc, first_line(&error.to_string()))
    })
}

/// serde-saphyr renders `error: line L column C: MESSAGE` and a source snippet; the
/// diagnostic already carries the position, so keep the message alone.
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message).trim();
    let without_prefix = line.strip_prefix("error: ").unwrap_or(line);
    match without_prefix.strip_prefix("line ") {
        Some(rest) => rest.split_once(": ").map_or(rest, |(_, m)| m).to_owned(),
        None => without_prefix.to_owned(),
    }
}
