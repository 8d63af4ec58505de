//! Checks a state table without building anything and prints its transition listing,
//! or with `--rust` the code `state_machine!` generates from it.
//!
//! ```text
//! cargo run -p session-codegen --example check_table -- state_table.yaml [--rust]
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: check_table PATH/TO/state_table.yaml");
        return ExitCode::from(2);
    };
    let source = match std::fs::read_to_string(&path) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("{path}: {error}");
            return ExitCode::from(2);
        }
    };
    match session_codegen::compile(&source) {
        Ok(machine) if std::env::args().any(|a| a == "--rust") => {
            let origin = session_codegen::generate::Origin { display: path.clone(), tracked: None };
            // The guard function is whatever the invoking module names; `holds` here.
            let supplied = session_codegen::generate::Supplied {
                guards: (!machine.guards.is_empty()).then(|| syn::parse_quote!(holds)),
            };
            let tokens = session_codegen::generate::generate(&machine, &origin, &supplied);
            match syn::parse2::<syn::File>(tokens) {
                Ok(file) => print!("{}", prettyplease::unparse(&file)),
                Err(error) => eprintln!("generated code does not parse: {error}"),
            }
            ExitCode::SUCCESS
        }
        Ok(machine) => {
            print!("{}", session_codegen::render::listing(&machine));
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{}", session_codegen::diagnostic::render_all(&errors, &path));
            ExitCode::FAILURE
        }
    }
}
