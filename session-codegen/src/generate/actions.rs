//! The action trait the runtime implements, and `perform`, which calls the right method
//! with the payload of the event that triggered the transition and turns a failing
//! action's error into the failure event to process next.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Origin, doc, ident, method};
use crate::model::{Field, Machine};
use crate::render;

/// The action trait (one required method per action, taking the typed payload of the
/// events that trigger it; a failing action returns its failure event) and `perform`,
/// `perform_all`.
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
        let mut text = format!("{}\n\nRun by:\n{}", action.doc, runs.join("\n"));
        let output = match action.fails {
            None => quote! {},
            Some(event) => {
                let event = &machine.events[event].name;
                text += &format!(
                    "\n\nFails with `{event}`: on `Err`, the transition's later actions do not run,\n\
                     the session stays in its `from` state and handles `{event}` there."
                );
                let failure = ident(event);
                quote! { -> ::core::result::Result<(), failure::#failure> }
            }
        };
        let docs = doc(&text);
        quote! {
            #docs
            fn #name(&mut self #(, #params)*) #output;
        }
    });
    let perform_arms = machine.actions.iter().enumerate().map(|(a, action)| {
        let (variant, name) = (ident(&action.name), method(&action.name));
        let inputs = machine.action_inputs(a);
        let args: Vec<_> = inputs.iter().map(argument).collect();
        let call = if action.fails.is_some() {
            quote! {
                handler.#name(#( #args ),*)
                    .map_err(|failure| ActionError::Failed { action, event: Event::from(failure) })
            }
        } else {
            quote! {{ handler.#name(#( #args ),*); Ok(()) }}
        };
        if inputs.is_empty() {
            return quote! { Action::#variant => #call };
        }
        let bindings: Vec<_> = inputs.iter().map(|f| ident(&f.name)).collect();
        let patterns = machine.action_triggers(a).into_iter().map(|e| {
            let trigger = ident(&machine.events[e].name);
            quote! { Event::#trigger { #( #bindings, )* .. } }
        });
        quote! {
            Action::#variant => match event {
                #( #patterns )|* => #call,
                _ => Err(ActionError::Input { action, event: event.kind() }),
            }
        }
    });
    let trait_doc = doc(&format!(
        "The actions of a `{}`: one required method per action in `{file}`.\n\n\
         Each method takes the payload fields shared by every event that triggers it.\n\
         An action declared with `fails: E` returns `Result<(), failure::E>`; the others\n\
         return nothing and cannot fail. There are no default bodies: adding an action\n\
         to the table breaks the build until it is implemented.",
        machine.name
    ));
    let failures = super::failure::generate(machine, origin);

    quote! {
        #trait_doc
        pub trait #trait_name {
            #( #methods )*
        }

        #failures

        /// Runs one action with the payload of the event that triggered it.
        ///
        /// `Err(ActionError::Failed { event, .. })`: the action failed and `event` is the
        /// failure event to process next, in the transition's `from` state.
        pub fn perform<H: #trait_name + ?Sized>(
            handler: &mut H,
            action: Action,
            event: &Event,
        ) -> ::core::result::Result<(), ActionError> {
            match action {
                #( #perform_arms, )*
            }
        }

        /// Runs a transition's actions in order, stopping at the first failure.
        ///
        /// When an action fails, the actions after it do not run, and the effects of
        /// those that already ran stand. The transition is not taken: the session stays
        /// in its `from` state (do not enter `to`), and the failure event in
        /// `ActionError::Failed` is the next event to feed to [`transition`] in that state.
        pub fn perform_all<H: #trait_name + ?Sized>(
            handler: &mut H,
            actions: &[Action],
            event: &Event,
        ) -> ::core::result::Result<(), ActionError> {
            for &action in actions {
                perform(handler, action, event)?;
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
