//! `state_machine!`: compiles a state table into typed Rust at build time.
//!
//! ```ignore
//! session_macros::state_machine!("../state_table.yaml");
//! ```
//!
//! The path is relative to the invoking crate's `Cargo.toml`. A valid table expands to
//! the items described in `session_codegen::generate`; an invalid one to one
//! `compile_error!` per problem, each naming `FILE:LINE:COL` and, for a misspelt name,
//! the nearest valid one. The parser, checker and generator live in `session-codegen`,
//! because a proc-macro crate can export nothing but macros.

use std::path::PathBuf;

use proc_macro::TokenStream;
use quote::quote;
use session_codegen::diagnostic::render_all;
use session_codegen::generate::{Origin, generate};
use syn::LitStr;

/// Expands to the state machine described by the YAML file at the given path.
#[proc_macro]
pub fn state_machine(input: TokenStream) -> TokenStream {
    let path = syn::parse_macro_input!(input as LitStr);
    expand(&path).unwrap_or_else(|message| {
        let errors = message
            .lines()
            .map(|line| quote! { compile_error!(#line); });
        quote! { #( #errors )* }.into()
    })
}

fn expand(literal: &LitStr) -> Result<TokenStream, String> {
    let written = literal.value();
    let base = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(PathBuf::new, PathBuf::from);
    let path = base.join(&written);
    let source = std::fs::read_to_string(&path).map_err(|error| {
        format!(
            "{written}: cannot read the state table ({error}); the path is relative to Cargo.toml"
        )
    })?;
    let machine =
        session_codegen::compile(&source).map_err(|errors| render_all(&errors, &written))?;
    let display = PathBuf::from(&written).file_name().map_or_else(
        || written.clone(),
        |name| name.to_string_lossy().into_owned(),
    );
    let origin = Origin {
        display,
        tracked: Some(path.to_string_lossy().into_owned()),
    };
    Ok(generate(&machine, &origin).into())
}
