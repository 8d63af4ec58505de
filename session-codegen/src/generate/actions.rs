//! The action trait the runtime implements, and `perform`, which calls the right method
//! with the payload of the event that triggered the transition.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Origin, doc, ident, method};
use crate::model::{Field, Machine};
use crate::render;

/// The action trait (one required async method per action, taking the typed payload of
/// the events that trigger it) and `perform_all`.
pub fn generate(machine: &Machine, origin: &Origin) -> TokenStream {
    let file = &origin.display;
    let trait_name = format_ident!("{}Actions", machine.name);
    let methods = machine.actions.iter().enumerate().map(|(a, action)| {
        let name = method(&action.name);
        let inputs = machine.action_inputs(a);
        let params = inputs.iter().map(|f| {
            let (name, ty) = (ident(&f.name), param_type(f));
            quote! { #name: #ty }
        });
        let runs: Vec<String> = machine
            .transitions
            .iter()
            .filter(|t| t.actions.contains(&a))
            .map(|t| {
                format!(
                    "- `{} --{}--> {}` ({file}:{})",
                    machine.states[t.from].name,
                    render::edge_label(machine, t),
                    machine.states[t.to].name,
                    t.loc.line
                )
            })
            .collect();
        let docs = doc(&format!("{}\n\nRun by:\n{}", action.doc, runs.join("\n")));
        quote! {
            #docs
            fn #name(&mut self #(, #params)*)
                -> impl ::core::future::Future<Output = ::core::result::Result<(), Self::Error>> + Send;
        }
    });
    let perform_arms = machine.actions.iter().enumerate().map(|(a, action)| {
        let (variant, name) = (ident(&action.name), method(&action.name));
        let inputs = machine.action_inputs(a);
        if inputs.is_empty() {
            return quote! { Action::#variant => handler.#name().await };
        }
        let bindings: Vec<_> = inputs.iter().map(|f| ident(&f.name)).collect();
        let args = inputs.iter().map(argument);
        let patterns = machine.action_triggers(a).into_iter().map(|e| {
            let trigger = ident(&machine.events[e].name);
            quote! { Event::#trigger { #( #bindings, )* .. } }
        });
        quote! {
            Action::#variant => match event {
                #( #patterns )|* => handler.#name(#( #args ),*).await,
                _ => return Err(ActionError::Input { action, event: event.kind() }),
            }
        }
    });
    let trait_doc = doc(&format!(
        "The actions of a `{}`: one required method per action in `{file}`.\n\n\
         Each method takes the payload fields shared by every event that triggers it.\n\
         There are no default bodies: adding an action to the table breaks the build\n\
         until it is implemented.",
        machine.name
    ));

    quote! {
        #trait_doc
        pub trait #trait_name {
            /// What a failing action reports.
            type Error;

            #( #methods )*
        }

        /// Why [`perform`] failed.
        #[derive(Debug, PartialEq, Eq)]
        pub enum ActionError<E> {
            /// The action's method failed.
            Handler(E),
            /// The event does not carry the action's input: the action was not taken
            /// from a transition that this event triggers.
            Input {
                /// The action asked for.
                action: Action,
                /// The event given.
                event: EventKind,
            },
        }

        impl<E: ::core::fmt::Display> ::core::fmt::Display for ActionError<E> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    ActionError::Handler(error) => error.fmt(f),
                    ActionError::Input { action, event } => write!(
                        f, "action `{action}` needs input that event `{event}` does not carry"
                    ),
                }
            }
        }

        impl<E: ::core::fmt::Debug + ::core::fmt::Display> ::std::error::Error for ActionError<E> {}

        /// Runs one action with the payload of the event that triggered it.
        pub async fn perform<H: #trait_name + Send>(
            handler: &mut H,
            action: Action,
            event: &Event,
        ) -> ::core::result::Result<(), ActionError<H::Error>> {
            let result = match action {
                #( #perform_arms, )*
            };
            result.map_err(ActionError::Handler)
        }

        /// Runs a transition's actions in order, stopping at the first failure.
        pub async fn perform_all<H: #trait_name + Send>(
            handler: &mut H,
            actions: &[Action],
            event: &Event,
        ) -> ::core::result::Result<(), ActionError<H::Error>> {
            for &action in actions {
                perform(handler, action, event).await?;
            }
            Ok(())
        }
    }
}

/// Copy primitives by value, strings as `&str`, optional strings as `Option<&str>`,
/// anything else by reference.
fn param_type(field: &Field) -> TokenStream {
    let ty: syn::Type = syn::parse_str(&field.ty).expect("checked");
    match field.ty.replace(' ', "").as_str() {
        "String" => quote! { &str },
        "Option<String>" => quote! { Option<&str> },
        t if is_copy(t) => quote! { #ty },
        _ => quote! { &#ty },
    }
}

fn argument(field: &Field) -> TokenStream {
    let name = ident(&field.name);
    match field.ty.replace(' ', "").as_str() {
        "String" => quote! { #name.as_str() },
        "Option<String>" => quote! { #name.as_deref() },
        t if is_copy(t) => quote! { *#name },
        _ => quote! { #name },
    }
}

fn is_copy(ty: &str) -> bool {
    matches!(
        ty,
        "bool"
            | "char"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "usize"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "isize"
            | "f32"
            | "f64"
    )
}
