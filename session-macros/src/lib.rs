//! `state_machine!`: compiles a state table into typed Rust at build time.
//!
//! ```ignore
//! session_macros::state_machine!("../../../state_table.yaml", guards = guards::holds);
//! session_macros::state_machine!("tables/phone.yaml"); // a table without guards
//! ```
//!
//! The path is relative to the file that invokes the macro, as with `include_str!`.
//! `guards = PATH` names the `fn(Guard, &Event) -> bool` that evaluates the table's
//! guards for the generated `step`; it is required when the table declares guards and
//! refused when it declares none. The expansion logs with `tracing`, which the invoking
//! crate must depend on. A valid table expands to
//! the items described in `session_codegen::generate`; an invalid one to one
//! `compile_error!` per problem, each naming `FILE:LINE:COL` and, for a misspelt name,
//! the nearest valid one. The parser, checker and generator live in `session-codegen`,
//! because a proc-macro crate can export nothing but macros.

#![warn(missing_docs)]

use std::path::PathBuf;

use proc_macro::TokenStream;
use quote::quote;
use session_codegen::diagnostic::render_all;
use session_codegen::generate::{Origin, Supplied, generate};
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Token};

/// Expands to the state machine described by the YAML file at the given path;
/// `guards = PATH` names the function that evaluates its guards, if it has any.
#[proc_macro]
pub fn state_machine(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as Input);
    expand(&input).unwrap_or_else(|message| {
        let errors = message.lines().map(|line| quote! { compile_error!(#line); });
        quote! { #( #errors )* }.into()
    })
}

/// `"path/to/table.yaml"`, then optionally `, guards = some::path`, and a trailing comma.
struct Input {
    table: LitStr,
    supplied: Supplied,
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let table = input.parse()?;
        let mut supplied = Supplied::default();
        while input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let key: syn::Ident = input.parse()?;
            if key != "guards" {
                return Err(syn::Error::new(
                    key.span(),
                    format!("unknown argument `{key}`; expected `guards = PATH`"),
                ));
            }
            if supplied.guards.is_some() {
                return Err(syn::Error::new(key.span(), "`guards` is given twice"));
            }
            input.parse::<Token![=]>()?;
            supplied.guards = Some(input.parse()?);
        }
        if !input.is_empty() {
            return Err(input.error("expected `, guards = PATH` or the end of the arguments"));
        }
        Ok(Input { table, supplied })
    }
}

fn expand(input: &Input) -> Result<TokenStream, String> {
    let written = input.table.value();
    let path = resolve(&written);
    let source = std::fs::read_to_string(&path).map_err(|error| {
        format!(
            "{written}: cannot read the state table ({error}); \
             the path is relative to the file that invokes `state_machine!`"
        )
    })?;
    let shown = shown_path(&path, &written);
    let machine = session_codegen::compile(&source).map_err(|errors| render_all(&errors, &shown))?;
    let display =
        path.file_name().map_or_else(|| written.clone(), |name| name.to_string_lossy().into_owned());
    let origin = Origin {
        display,
        // `include_bytes!` resolves relative paths against the invoking file; give it
        // the absolute one.
        tracked: Some(absolute(&path).to_string_lossy().into_owned()),
    };
    Ok(generate(&machine, &origin, &input.supplied).into())
}

/// Resolves `written` against the directory of the invoking source file, or the
/// crate's manifest directory when the compiler cannot say which file that is.
fn resolve(written: &str) -> PathBuf {
    let file = proc_macro::Span::call_site().local_file();
    let base = match file.as_ref().and_then(|f| f.parent()) {
        Some(dir) => dir.to_path_buf(),
        None => std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(PathBuf::new, PathBuf::from),
    };
    base.join(written)
}

/// The path as diagnostics show it: relative to where cargo runs (the workspace root),
/// so that `state_table.yaml:LINE:COL` is clickable; as written otherwise.
fn shown_path(path: &std::path::Path, written: &str) -> String {
    let canonical = Some(absolute(path));
    let cwd = std::env::current_dir().ok().and_then(|d| d.canonicalize().ok());
    match (canonical, cwd) {
        (Some(path), Some(cwd)) => match path.strip_prefix(&cwd) {
            Ok(relative) => relative.to_string_lossy().into_owned(),
            Err(_) => written.to_owned(),
        },
        _ => written.to_owned(),
    }
}

fn absolute(path: &std::path::Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}
