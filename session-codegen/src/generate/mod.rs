//! Stage 3: a checked [`Machine`] becomes Rust tokens.
//!
//! The output, in the order it is emitted:
//!
//! - [`enums`]: `State`, `EventKind`, `Event` (with payload fields), `EventSource`,
//!   `Action` and `Guard`, each with `ALL`, `name()` and `Display`;
//! - [`table`]: `Transition`, `Disposition`, the static `TRANSITIONS` and `UNHANDLED`
//!   lists, the `MERMAID` and `DOT` graphs, `Outcome` and the one `transition` function;
//! - [`actions`]: the `<Machine>Actions` trait and `perform` / `perform_all`, which run
//!   actions with the payload of the event that triggered them;
//! - [`failure`]: the `failure` module (one struct per failure event, which a failing
//!   action returns), `From` each into `Event`, and `ActionError`;
//! - [`executor`]: `MAX_FAILURES`, `Step`, `Stepped`, `StepError` and `step`, which
//!   runs one event through `transition` and `perform_all` and follows the failures,
//!   asking the [`Supplied`] guard function for the table's guards.
//!
//! The generated code logs with `tracing`, which the invoking crate depends on.

pub mod actions;
pub mod enums;
pub mod executor;
pub mod failure;
pub mod table;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::model::Machine;

/// Where the table came from: the name shown in docs, and the file to track so that
/// editing the table rebuilds the crate that expands the macro.
#[derive(Clone, Debug)]
pub struct Origin {
    /// The file name as docs show it, e.g. `state_table.yaml`.
    pub display: String,
    /// Absolute path to `include_bytes!`, if the table came from a file.
    pub tracked: Option<String>,
}

/// What the invoking module supplies to the generated code.
#[derive(Clone, Default)]
pub struct Supplied {
    /// The function that evaluates the table's guards, a `fn(Guard, &Event) -> bool`
    /// in scope where the code is expanded (`guards = holds` in `state_machine!`);
    /// `None` for a table without guards. A mismatch expands to a `compile_error!`.
    pub guards: Option<syn::Path>,
}

/// Generates the whole machine.
pub fn generate(machine: &Machine, origin: &Origin, supplied: &Supplied) -> TokenStream {
    let enums = enums::generate(machine, origin);
    let table = table::generate(machine, origin);
    let actions = actions::generate(machine, origin);
    let executor = executor::generate(machine, origin, supplied);
    let track = origin.tracked.as_ref().map(|path| {
        quote! {
            // Makes cargo rebuild this crate whenever the table changes.
            const _: &[u8] = include_bytes!(#path);
        }
    });
    quote! {
        #track
        #enums
        #table
        #actions
        #executor
    }
}

/// An identifier with the call site's hygiene, so generated items are nameable.
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `snake_case` identifier for an action's method.
pub(crate) fn method(name: &str) -> Ident {
    ident(&heck::AsSnakeCase(name).to_string())
}

/// `#[doc = "..."]` lines from free text.
pub(crate) fn doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| format!(" {line}"));
    quote! { #( #[doc = #lines] )* }
}
