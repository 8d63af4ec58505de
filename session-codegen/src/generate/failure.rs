//! What a failing action returns: the `failure` module with one struct per failure
//! event, its conversion into `Event`, and `ActionError`, which carries the failure
//! event to process next.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Origin, doc, ident};
use crate::model::{Machine, Source};

/// `mod failure`, `impl From<failure::X> for Event` and `ActionError`.
pub fn generate(machine: &Machine, origin: &Origin) -> TokenStream {
    let file = &origin.display;
    let failures: Vec<_> =
        machine.events.iter().enumerate().filter(|(_, e)| e.source == Source::Failure).collect();
    let structs = failures.iter().map(|&(index, event)| {
        let name = ident(&event.name);
        let raised_by: Vec<String> = machine
            .actions
            .iter()
            .filter(|a| a.fails == Some(index))
            .map(|a| format!("`{}`", a.name))
            .collect();
        let text = format!(
            "{}Returned by {} when it fails; becomes [`Event::{}`](super::Event::{}).\n\n\
             Declared at `{file}:{}`.",
            event.doc.as_ref().map(|d| format!("{d}\n\n")).unwrap_or_default(),
            raised_by.join(", "),
            event.name,
            event.name,
            event.loc.line
        );
        let docs = doc(&text);
        if event.fields.is_empty() {
            return quote! {
                #docs
                #[derive(Clone, Debug, PartialEq)]
                pub struct #name;
            };
        }
        let names = event.fields.iter().map(|f| ident(&f.name));
        let types = event.fields.iter().map(|f| syn::parse_str::<syn::Type>(&f.ty).expect("checked"));
        quote! {
            #docs
            #[allow(missing_docs)] // payload fields are named for what they hold
            #[derive(Clone, Debug, PartialEq)]
            pub struct #name { #( pub #names: #types ),* }
        }
    });
    // Field types are written as in scope where the macro is invoked (`Timer`, say).
    let import = failures.iter().any(|(_, e)| !e.fields.is_empty()).then(|| {
        quote! {
            #[allow(unused_imports)]
            use super::*;
        }
    });
    let conversions = failures.iter().map(|(_, event)| {
        let name = ident(&event.name);
        let fields: Vec<_> = event.fields.iter().map(|f| ident(&f.name)).collect();
        let body = if fields.is_empty() {
            quote! { Event::#name }
        } else {
            quote! { Event::#name { #( #fields: failure.#fields ),* } }
        };
        let pattern = if fields.is_empty() {
            quote! { _ }
        } else {
            quote! { failure }
        };
        quote! {
            impl ::core::convert::From<failure::#name> for Event {
                fn from(#pattern: failure::#name) -> Self {
                    #body
                }
            }
        }
    });
    let module_doc = doc(&format!(
        "What failing actions return: one type per `failure` event in `{file}`, with the\n\
         event's payload. Each converts (`From`) into the `Event` of the same name."
    ));

    quote! {
        #module_doc
        pub mod failure {
            #import
            #( #structs )*
        }

        #( #conversions )*

        /// Why [`perform`] or [`perform_all`] stopped.
        #[derive(Clone, Debug, PartialEq)]
        pub enum ActionError {
            /// The action failed. The transition is not taken: the session stays in its
            /// `from` state, and `event` (a failure event) is the next event to process there.
            Failed {
                /// The action that failed.
                action: Action,
                /// The failure event it raised.
                event: Event,
            },
            /// The event does not carry the action's input: the action was not taken
            /// from a transition that this event triggers.
            Input {
                /// The action asked for.
                action: Action,
                /// The event given.
                event: EventKind,
            },
        }

        impl ::core::fmt::Display for ActionError {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    ActionError::Failed { action, event } => {
                        write!(f, "action `{action}` failed with `{event}`")
                    }
                    ActionError::Input { action, event } => write!(
                        f, "action `{action}` needs input that event `{event}` does not carry"
                    ),
                }
            }
        }

        impl ::std::error::Error for ActionError {}
    }
}
