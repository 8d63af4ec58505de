//! The vocabulary types: states, events, actions and guards.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Origin, doc, ident};
use crate::model::{Machine, Source};

/// The `State`, `Event`, `Action` and `Guard` enums, with `Display` and `ALL`.
pub fn generate(machine: &Machine, origin: &Origin) -> TokenStream {
    let file = &origin.display;
    let variants = |items: &mut dyn Iterator<Item = (&str, Option<&str>, u32)>| -> Vec<Variant> {
        items
            .map(|(name, text, line)| Variant {
                name: name.to_owned(),
                doc: match text {
                    Some(text) => format!("{text}\n\nDeclared at `{file}:{line}`."),
                    None => format!("Declared at `{file}:{line}`."),
                },
            })
            .collect()
    };
    let states =
        variants(&mut machine.states.iter().map(|s| (s.name.as_str(), s.doc.as_deref(), s.loc.line)));
    let kinds = variants(&mut machine.events.iter().map(|e| (e.name.as_str(), e.doc.as_deref(), e.loc.line)));
    let actions =
        variants(&mut machine.actions.iter().map(|a| (a.name.as_str(), Some(a.doc.as_str()), a.loc.line)));
    let guards =
        variants(&mut machine.guards.iter().map(|g| (g.name.as_str(), Some(g.doc.as_str()), g.loc.line)));

    let state_enum =
        unit_enum("State", &format!("The states of a `{}`, from `{file}`.", machine.name), &states);
    let terminal: Vec<_> = machine.states.iter().filter(|s| s.terminal).map(|s| ident(&s.name)).collect();
    let initial = ident(&machine.states[machine.initial()].name);
    let kind_enum = unit_enum("EventKind", "The kind of an [`Event`], without its payload.", &kinds);
    let action_enum =
        unit_enum("Action", &format!("The actions a transition can run, from `{file}`."), &actions);
    let guard_enum =
        unit_enum("Guard", &format!("The conditions a transition can test, from `{file}`."), &guards);
    let sources = Source::ALL.map(|(source, _)| {
        let (name, docs) = (ident(&format!("{source:?}")), doc(source.doc()));
        quote! { #docs #name }
    });
    let kind_sources = machine.events.iter().map(|e| {
        let (kind, source) = (ident(&e.name), ident(&format!("{:?}", e.source)));
        quote! { EventKind::#kind => EventSource::#source }
    });
    let event_variants = machine.events.iter().zip(&kinds).map(|(e, v)| {
        let (name, docs) = (ident(&e.name), doc(&v.doc));
        if e.fields.is_empty() {
            quote! { #docs #name }
        } else {
            let names = e.fields.iter().map(|f| ident(&f.name));
            let types = e.fields.iter().map(|f| syn::parse_str::<syn::Type>(&f.ty).expect("checked"));
            quote! { #docs #name { #( #names: #types ),* } }
        }
    });
    let event_kinds = machine.events.iter().map(|e| {
        let name = ident(&e.name);
        let rest = (!e.fields.is_empty()).then(|| quote! { { .. } });
        quote! { Event::#name #rest => EventKind::#name }
    });

    quote! {
        #state_enum

        impl State {
            /// The state every session starts in.
            pub const INITIAL: State = State::#initial;

            /// True for states a session never leaves.
            pub const fn is_terminal(self) -> bool {
                matches!(self, #( State::#terminal )|*)
            }
        }

        #kind_enum

        /// Where an event comes from.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum EventSource {
            #( #sources, )*
        }

        impl EventKind {
            /// Where events of this kind come from.
            pub const fn source(self) -> EventSource {
                match self { #( #kind_sources, )* }
            }
        }

        /// An input to the machine, with its typed payload.
        #[allow(missing_docs)] // payload fields are named for what they hold
        #[derive(Clone, Debug, PartialEq)]
        pub enum Event {
            #( #event_variants, )*
        }

        impl Event {
            /// The event's kind, without the payload.
            pub const fn kind(&self) -> EventKind {
                match self { #( #event_kinds, )* }
            }
        }

        impl ::core::fmt::Display for Event {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.kind().name())
            }
        }

        #action_enum
        #guard_enum
    }
}

struct Variant {
    name: String,
    doc: String,
}

/// A fieldless enum with `ALL`, `name()` and `Display`.
fn unit_enum(name: &str, docs: &str, variants: &[Variant]) -> TokenStream {
    let ty = ident(name);
    let docs = doc(docs);
    let names: Vec<_> = variants.iter().map(|v| ident(&v.name)).collect();
    let texts = variants.iter().map(|v| &v.name);
    let variant_docs = variants.iter().map(|v| doc(&v.doc));
    let count = variants.len();
    quote! {
        #docs
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #ty {
            #( #variant_docs #names, )*
        }

        impl #ty {
            /// Every value, in table order.
            pub const ALL: [#ty; #count] = [#( #ty::#names ),*];

            /// The name as written in the table.
            pub const fn name(self) -> &'static str {
                match self { #( #ty::#names => #texts, )* }
            }
        }

        impl ::core::fmt::Display for #ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.name())
            }
        }
    }
}
