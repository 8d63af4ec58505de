//! The state-table compiler shared by the `state_machine!` macro and the build script.
//!
//! It runs in three stages, each its own module:
//!
//! 1. [`parse`]: YAML text → [`parse::RawTable`], every name with its line and column;
//! 2. [`check`]: raw table → [`model::Machine`], whose names all resolve, or a list of
//!    [`Diagnostic`]s that point at `state_table.yaml:LINE:COL`;
//! 3. [`generate`] (Rust tokens) and [`render`] (Mermaid, DOT, a transition listing).
//!
//! ```
//! let table = r#"
//! machine: Lamp
//! states:
//!   Dark: { initial: true }
//!   Lit: {}
//!   Broken: { terminal: true }
//! events:
//!   Press: { source: command }
//!   Fail: { source: transport }
//! actions:
//!   Toggle: Flip the switch.
//! transitions:
//!   - { from: [Dark, Lit], on: Fail, to: Broken }
//!   - { from: Dark, on: Press, actions: [Toggle], to: Lit }
//!   - { from: Lit, on: Press, actions: [Toggle], to: Dark }
//! "#;
//! let machine = session_codegen::compile(table).expect("a valid table");
//! assert_eq!(machine.states.len(), 3);
//! assert!(session_codegen::render::mermaid(&machine).contains("Dark --> Lit : Press"));
//! ```

#![warn(missing_docs)]

pub mod check;
pub mod diagnostic;
pub mod generate;
pub mod model;
pub mod parse;
pub mod render;

pub use diagnostic::{Diagnostic, Loc};
pub use model::Machine;

/// Parses and checks a table: the checked model, or every problem found.
pub fn compile(source: &str) -> Result<Machine, Vec<Diagnostic>> {
    let raw = parse::parse(source).map_err(|d| vec![d])?;
    check::check(&raw)
}
